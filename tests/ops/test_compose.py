from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from tests.conftest import require

ROOT = Path(__file__).resolve().parents[2]
APP_SERVICES = ("web", "worker", "gpu-worker")
# Read by libraries, not settings.py: Django-Q2 picks the cluster a qcluster process runs from
# Q_CLUSTER_NAME; transformers reads HF_HUB_OFFLINE.
THIRD_PARTY_VARIABLES = {"Q_CLUSTER_NAME", "HF_HUB_OFFLINE"}


def settings_variables() -> set[str]:
    text = (ROOT / "wagglebot" / "settings.py").read_text()
    return set(re.findall(r"""\benv(?:\.\w+)?\(\s*["']([A-Z][A-Z0-9_]*)["']""", text))


def compose_command() -> list[str]:
    docker = shutil.which("docker")
    if docker and subprocess.run([docker, "compose", "version"], capture_output=True).returncode == 0:
        return [docker, "compose"]
    require(shutil.which("docker-compose") is not None, "docker compose or docker-compose")
    return [shutil.which("docker-compose")]


def compose_config(project: Path, **env: str) -> subprocess.CompletedProcess:
    """`docker compose config` on a copy of the compose file with an empty .env.

    Variables come from the process environment instead of .env so that every variable in the
    resolved `environment` blocks is one the compose file itself sets.
    """
    for name in ("docker-compose.yml", "Dockerfile"):
        shutil.copy(ROOT / name, project / name)
    (project / ".env").write_text("")
    environ = {key: value for key, value in os.environ.items() if key != "MARIADB_PASSWORD"}
    return subprocess.run(
        [*compose_command(), "config"], cwd=project, env={**environ, **env}, capture_output=True, text=True
    )


@pytest.fixture(scope="module")
def compose(tmp_path_factory) -> dict:
    proc = compose_config(tmp_path_factory.mktemp("compose"), MARIADB_PASSWORD="compose-test-password")
    assert proc.returncode == 0, proc.stderr
    return yaml.safe_load(proc.stdout)


def test_compose_defines_the_database_web_and_both_clusters(compose):
    assert {"db", "web", "worker", "gpu-worker"} <= set(compose["services"])
    assert compose["services"]["db"]["image"] == "mariadb:11"
    assert "gunicorn" in compose["services"]["web"]["command"]
    assert compose["services"]["worker"]["command"][-1] == "runcluster"
    assert compose["services"]["gpu-worker"]["command"][-1] == "runcluster"


def test_every_variable_compose_sets_for_the_app_is_one_the_settings_read(compose):
    known = settings_variables() | THIRD_PARTY_VARIABLES
    for name in APP_SERVICES:
        unknown = set(compose["services"][name]["environment"]) - known
        assert not unknown, f"{name} sets variables settings.py never reads: {sorted(unknown)}"


def test_the_gpu_worker_runs_the_gpu_cluster_with_nvenc_capable_device_access(compose):
    gpu = compose["services"]["gpu-worker"]
    assert gpu["environment"]["Q_CLUSTER_NAME"] == "gpu"
    assert "Q_CLUSTER_NAME" not in compose["services"]["worker"]["environment"]
    (device,) = gpu["deploy"]["resources"]["reservations"]["devices"]
    assert device["driver"] == "nvidia"
    assert {"gpu", "compute", "utility", "video"} <= set(device["capabilities"])


def mounts(service: dict) -> set[tuple[str, str]]:
    """(volume, path) pairs; Compose v1 prints "media:/data/media:rw", v2 a mapping."""
    pairs = set()
    for volume in service.get("volumes", []):
        if isinstance(volume, str):
            source, target = volume.split(":")[:2]
        else:
            source, target = volume["source"], volume["target"]
        pairs.add((source, target))
    return pairs


def test_app_services_share_media_and_the_database(compose):
    for name in APP_SERVICES:
        service = compose["services"][name]
        assert {("media", "/data/media"), ("metrics", "/data/metrics")} <= mounts(service), name
        assert service["environment"]["MEDIA_ROOT"] == "/data/media"
        assert service["environment"]["DATABASE_URL"].startswith("mysql://wagglebot:compose-test-password@db:3306/")
        assert service["depends_on"]["db"]["condition"] == "service_healthy"
    assert ("model-cache", "/data/models") in mounts(compose["services"]["gpu-worker"])
    assert compose["services"]["db"]["healthcheck"]["test"]


def test_the_database_stores_utf8mb4(compose):
    assert "--character-set-server=utf8mb4" in compose["services"]["db"]["command"]


def test_the_compose_file_refuses_to_start_without_the_database_password(tmp_path):
    proc = compose_config(tmp_path)
    assert proc.returncode != 0
    assert "set MARIADB_PASSWORD in .env" in proc.stderr


def env_example_variables() -> set[str]:
    text = (ROOT / ".env.example").read_text()
    return set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]*)=", text, re.MULTILINE))


def test_env_example_lists_only_variables_something_reads():
    scripts = "".join(p.read_text() for p in (ROOT / "scripts").glob("*.sh"))
    compose = (ROOT / "docker-compose.yml").read_text()
    read = settings_variables() | set(re.findall(r"setting ([A-Z][A-Z0-9_]*)", scripts))
    read |= set(re.findall(r"\$\{([A-Z][A-Z0-9_]*)", compose)) | THIRD_PARTY_VARIABLES
    assert not env_example_variables() - read


def test_env_example_documents_every_variable_the_settings_read():
    missing = settings_variables() - env_example_variables() - {"ENV_FILE"}
    assert not missing, f"add these to .env.example: {sorted(missing)}"


def test_production_speaks_with_the_neural_voice_first_and_espeak_as_the_fallback(compose):
    for name in APP_SERVICES:
        assert compose["services"][name]["environment"]["TTS_ENGINES"] == "edge,espeak"
