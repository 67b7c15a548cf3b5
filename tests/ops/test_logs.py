from __future__ import annotations

import json
import logging
import os
import pty
import subprocess
import sys

import pytest
from django.conf import settings

from generation.tts import SpeechError
from wagglebot.lib.logs import JsonFormatter
from wagglebot.lib.stages import StageError, stage


def test_a_stage_run_logs_one_json_line_per_event_with_its_fields(stage_lines):
    with stage("render", post_id=42, site="nate_pann") as result:
        result["frames"] = 300

    start, done = stage_lines()
    assert start["event"] == "STAGE_START"
    assert (start["stage"], start["post_id"], start["site"]) == ("render", 42, "nate_pann")
    assert done["event"] == "STAGE_DONE"
    assert done["level"] == "INFO"
    assert done["logger"] == "wagglebot.stages"
    assert isinstance(done["duration_ms"], int)
    assert done["frames"] == 300
    assert done["message"].startswith("STAGE_DONE render post=42")
    assert done["ts"].endswith("+00:00")


def test_a_failed_stage_logs_its_error_code(stage_lines):
    with pytest.raises(StageError), stage("speech", post_id=7):
        raise SpeechError("espeak-ng exited 1")

    failed = stage_lines()[-1]
    assert failed["event"] == "STAGE_FAILED"
    assert failed["level"] == "WARNING"
    assert failed["error_code"] == "SpeechError"
    assert failed["post_id"] == 7
    assert "espeak-ng exited 1" in failed["message"]


def test_an_unexpected_exception_is_logged_with_its_class_as_error_code(stage_lines):
    with pytest.raises(ZeroDivisionError), stage("qc", post_id=1):
        1 / 0  # noqa: B018

    assert stage_lines()[-1]["error_code"] == "ZeroDivisionError"


def test_stage_lines_keep_korean_text_and_tracebacks():
    record = logging.LogRecord("x", logging.ERROR, __file__, 1, "제목 %s", ("없음",), None)
    try:
        raise ValueError("boom")
    except ValueError:
        record.exc_info = sys.exc_info()
    line = JsonFormatter().format(record)

    assert "\n" not in line
    data = json.loads(line)
    assert data["message"] == "제목 없음"
    assert "ValueError: boom" in data["exc"]


def test_settings_install_the_formatter_named_by_log_format():
    assert settings.LOGGING["handlers"]["console"]["formatter"] == settings.LOG_FORMAT
    assert settings.LOG_FORMAT in settings.LOGGING["formatters"]


LOG_ONE_LINE = (
    "import django, logging; django.setup(); "
    "logging.getLogger('wagglebot.stages').info('hello', extra={'event': 'STAGE_DONE', 'post_id': 3})"
)


def _env(**extra: str) -> dict:
    env = {key: value for key, value in os.environ.items() if key != "LOG_FORMAT"}
    return {**env, "DJANGO_SETTINGS_MODULE": "wagglebot.settings", **extra}


def _stderr_on_terminal(env: dict) -> str:
    leader, follower = pty.openpty()
    try:
        subprocess.run([sys.executable, "-c", LOG_ONE_LINE], env=env, stderr=follower, check=True, timeout=60)
        return os.read(leader, 65536).decode()
    finally:
        os.close(leader)
        os.close(follower)


def test_a_process_whose_stderr_is_a_pipe_logs_json():
    proc = subprocess.run([sys.executable, "-c", LOG_ONE_LINE], env=_env(), capture_output=True, text=True, check=True)
    assert json.loads(proc.stderr.splitlines()[-1])["post_id"] == 3


def test_a_process_on_a_terminal_logs_readable_text():
    output = _stderr_on_terminal(_env())
    assert output.strip().endswith("INFO wagglebot.stages hello")
    assert "{" not in output


def test_log_format_json_wins_on_a_terminal_too():
    output = _stderr_on_terminal(_env(LOG_FORMAT="json"))
    assert json.loads(output.strip().splitlines()[-1])["event"] == "STAGE_DONE"


def test_an_unknown_log_format_stops_start_up_with_a_clear_message():
    code = "import django; django.setup()"
    proc = subprocess.run([sys.executable, "-c", code], env=_env(LOG_FORMAT="xml"), capture_output=True, text=True)
    assert proc.returncode != 0
    assert "LOG_FORMAT='xml': use one of json, text" in proc.stderr
