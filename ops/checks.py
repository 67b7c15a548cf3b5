"""System checks: misconfiguration is reported with the setting to fix, before anything runs."""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlparse

from django.conf import settings
from django.core.checks import Error, register

SUPPORTED_ENGINES = {"django.db.backends.sqlite3", "django.db.backends.mysql"}


@register()
def check_database(app_configs=None, **kwargs) -> list[Error]:
    return database_engine_errors(settings.DATABASES["default"]["ENGINE"])


def database_engine_errors(engine: str) -> list[Error]:
    if engine in SUPPORTED_ENGINES:
        return []
    return [Error(
        f"DATABASE_URL selects {engine}, which WaggleBot does not support.",
        hint="Use sqlite:///path/db.sqlite3 or mysql://user:password@host:3306/name (MariaDB).",
        id="wagglebot.E001",
    )]


@register()
def check_media_root(app_configs=None, **kwargs) -> list[Error]:
    root = Path(settings.MEDIA_ROOT)
    existing = next((p for p in (root, *root.parents) if p.exists()), None)
    if existing is not None and existing.is_dir() and os.access(existing, os.W_OK):
        return []
    return [Error(
        f"MEDIA_ROOT {root} cannot be created or written.",
        hint="Point MEDIA_ROOT at a writable folder; renders, audio and exports go there.",
        id="wagglebot.E002",
    )]


@register()
def check_clusters(app_configs=None, **kwargs) -> list[Error]:
    errors = []
    default = settings.Q_CLUSTER
    gpu = default.get("ALT_CLUSTERS", {}).get("gpu", {})
    for name, conf in (("default", default), ("gpu", gpu)):
        if conf.get("timeout", 0) >= conf.get("retry", 0):
            errors.append(Error(
                f"The {name} cluster's timeout ({conf.get('timeout')}) is not below its retry ({conf.get('retry')}).",
                hint="A task would be handed to a second worker while the first still runs it: "
                "raise retry above timeout (Q_TIMEOUT / Q_GPU_TIMEOUT).",
                id="wagglebot.E003",
            ))
    if gpu.get("workers") != 1 or gpu.get("queue_limit") != 1:
        errors.append(Error(
            "The gpu cluster must have exactly one worker and queue_limit 1.",
            hint="Two posts on one GPU at once run it out of memory; see wagglebot/q.py.",
            id="wagglebot.E004",
        ))
    if gpu.get("timeout", 0) >= settings.GENERATION_LEASE_SECONDS:
        errors.append(Error(
            "GENERATION_LEASE_SECONDS is not above the gpu cluster's timeout.",
            hint="The lease sweep would hand a post to a second worker while the first still renders it.",
            id="wagglebot.E005",
        ))
    if default.get("timeout", 0) >= settings.UPLOAD_LEASE_SECONDS:
        errors.append(Error(
            "UPLOAD_LEASE_SECONDS is not above the default cluster's timeout.",
            hint="The lease sweep would let a second worker resume an upload the first is still sending.",
            id="wagglebot.E008",
        ))
    return errors


@register()
def check_redis_url(app_configs=None, **kwargs) -> list[Error]:
    url = settings.REDIS_URL
    if not url or urlparse(url).scheme in ("redis", "rediss", "unix"):
        return []
    return [Error(
        f"REDIS_URL {url!r} is not a redis:// URL.",
        hint="Leave REDIS_URL empty for the database broker, or use redis://host:6379/0.",
        id="wagglebot.E006",
    )]


@register()
def check_attempts(app_configs=None, **kwargs) -> list[Error]:
    if settings.POST_MAX_ATTEMPTS >= 1:
        return []
    return [Error("POST_MAX_ATTEMPTS must be at least 1.", id="wagglebot.E007")]


@register()
def check_score_tiers(app_configs=None, **kwargs) -> list[Error]:
    high, mid = settings.ADMIN_SCORE_HIGH, settings.ADMIN_SCORE_MID
    if 0 < mid < high <= 1:
        return []
    return [Error(
        f"ADMIN_SCORE_MID ({mid:g}) and ADMIN_SCORE_HIGH ({high:g}) do not split the 0–1 post score.",
        hint="Scores are percentiles in (0, 1) (crawling/scoring.py): e.g. ADMIN_SCORE_HIGH=0.8, ADMIN_SCORE_MID=0.5.",
        id="wagglebot.E016",
    )]
