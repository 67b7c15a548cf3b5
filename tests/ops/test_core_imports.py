"""The core (settings and ``wagglebot.lib``) does no I/O at import: no folders, no environment changes."""

from __future__ import annotations

import json
import os
import subprocess
import sys

# Runs in a fresh interpreter: this test process has long since imported everything. Django-Q2
# loads prometheus_client when its app loads if it can, so "block" makes it unimportable: a core
# module that needs it at import then shows up in "needs_prometheus".
PROBE = """
import importlib, json, os, pkgutil, sys
if sys.argv[1:] == ["block"]:
    sys.modules["prometheus_client"] = None
import django
django.setup()
import wagglebot.lib
modules = [f"wagglebot.lib.{m.name}" for m in pkgutil.iter_modules(wagglebot.lib.__path__)]
needs_prometheus = []
for name in modules:
    try:
        importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if "prometheus_client" not in str(exc):
            raise
        needs_prometheus.append(name)
print(json.dumps({
    "modules": modules,
    "needs_prometheus": needs_prometheus,
    "multiproc_env": "PROMETHEUS_MULTIPROC_DIR" in os.environ,
}))
"""


def run_python(code: str, metrics_dir, *args: str) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items() if key != "PROMETHEUS_MULTIPROC_DIR"}
    env.update(DJANGO_SETTINGS_MODULE="wagglebot.settings", METRICS_DIR=str(metrics_dir))
    return subprocess.run([sys.executable, "-c", code, *args], env=env, capture_output=True, text=True, timeout=120)


def probe(metrics_dir, *args: str) -> dict:
    done = run_python(PROBE, metrics_dir, *args)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_importing_settings_and_every_core_module_creates_no_folder_and_leaves_the_environment_alone(tmp_path):
    metrics_dir = tmp_path / "metrics"

    found = probe(metrics_dir)

    assert "wagglebot.lib.ffmpeg" in found["modules"] and "wagglebot.lib.stages" in found["modules"]
    assert not metrics_dir.exists()
    assert not found["multiproc_env"]


def test_no_core_module_needs_prometheus_client_at_import(tmp_path):
    found = probe(tmp_path / "metrics", "block")

    assert found["needs_prometheus"] == []
    assert "wagglebot.lib.stages" in found["modules"]


def test_the_first_stage_observation_creates_this_hosts_metrics_folder_and_writes_there(tmp_path):
    metrics_dir = tmp_path / "metrics"
    code = (
        "import django, os; django.setup(); from wagglebot.lib.stages import stage\n"
        "with stage('probe'): pass\n"
        "print(os.environ['PROMETHEUS_MULTIPROC_DIR'])"
    )
    done = run_python(code, metrics_dir)

    assert done.returncode == 0, done.stderr
    folder = done.stdout.strip().splitlines()[-1]
    assert os.path.dirname(folder) == str(metrics_dir)
    assert list(metrics_dir.glob("*/histogram_*.db"))
