"""Settings refuse unsafe values and system checks name what to fix."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.checks import Error

from ops import checks

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION_ENV = {
    "ENV_FILE": "/dev/null",
    "DEBUG": "false",
    "SECRET_KEY": "x9$Lk2!vQp7@Rz4#Wm8^Tn1&Yb6*Hc3(Jd5)Fg0-Se_As+Df=Gh",
    "ALLOWED_HOSTS": "wagglebot.example.com",
    "DATABASE_URL": "sqlite:////tmp/wagglebot-deploy-check.sqlite3",
}


def manage(*args: str, env: dict) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("SECRET_KEY", "DEBUG", "SECURE_"))}
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env={**clean, **env}, capture_output=True, text=True
    )


def test_check_deploy_is_clean_with_production_values():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)

    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize("key", ["", "short", "change-me-insecure-placeholder"])
def test_start_is_refused_with_a_placeholder_secret_key_when_debug_is_off(key):
    result = manage("check", env={**PRODUCTION_ENV, "SECRET_KEY": key})

    assert result.returncode != 0
    assert "SECRET_KEY is the placeholder" in result.stderr


def test_placeholder_secret_key_is_accepted_for_development():
    env = {**PRODUCTION_ENV, "DEBUG": "true", "SECRET_KEY": "change-me-insecure-placeholder"}

    assert manage("check", env=env).returncode == 0


def test_mariadb_url_gets_utf8mb4_so_emoji_fit():
    from wagglebot.settings import _database

    config = _database("mysql://root@127.0.0.1:3306/wagglebot")

    assert config["ENGINE"] == "django.db.backends.mysql"
    assert config["OPTIONS"]["charset"] == "utf8mb4"
    assert config["TEST"]["CHARSET"] == "utf8mb4"


def ids(errors: list[Error]) -> list[str]:
    return [error.id for error in errors]


def test_unsupported_database_is_a_check_error():
    assert ids(checks.database_engine_errors("django.db.backends.oracle")) == ["wagglebot.E001"]


def test_unwritable_media_root_is_a_check_error(settings, tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    settings.MEDIA_ROOT = locked / "media"
    if os.access(locked, os.W_OK):  # root ignores the mode bits; a file in the way blocks root too
        settings.MEDIA_ROOT = tmp_path / "file"
        settings.MEDIA_ROOT.write_text("")

    assert ids(checks.check_media_root()) == ["wagglebot.E002"]


def test_cluster_timeout_not_below_retry_is_a_check_error(settings):
    settings.Q_CLUSTER = {**settings.Q_CLUSTER, "timeout": 900, "retry": 900}

    assert ids(checks.check_clusters()) == ["wagglebot.E003"]


def test_gpu_cluster_with_two_workers_is_a_check_error(settings):
    alt = {"gpu": {**settings.Q_CLUSTER["ALT_CLUSTERS"]["gpu"], "workers": 2}}
    settings.Q_CLUSTER = {**settings.Q_CLUSTER, "ALT_CLUSTERS": alt}

    assert ids(checks.check_clusters()) == ["wagglebot.E004"]


def test_lease_shorter_than_the_gpu_timeout_is_a_check_error(settings):
    settings.GENERATION_LEASE_SECONDS = 60

    assert ids(checks.check_clusters()) == ["wagglebot.E005"]


def test_upload_lease_shorter_than_the_default_timeout_is_a_check_error(settings):
    settings.UPLOAD_LEASE_SECONDS = 60

    assert ids(checks.check_clusters()) == ["wagglebot.E008"]


@pytest.mark.parametrize(("high", "mid"), [(80.0, 50.0), (0.5, 0.8), (0.8, 0.0)])
def test_score_tiers_outside_the_0_to_1_score_are_a_check_error(settings, high, mid):
    settings.ADMIN_SCORE_HIGH, settings.ADMIN_SCORE_MID = high, mid
    assert ids(checks.check_score_tiers()) == ["wagglebot.E016"]


def test_bad_redis_url_is_a_check_error(settings):
    settings.REDIS_URL = "http://localhost:6379"

    assert ids(checks.check_redis_url()) == ["wagglebot.E006"]


def test_default_configuration_passes_every_check():
    assert checks.check_database() + checks.check_clusters() + checks.check_redis_url() + checks.check_attempts() == []
