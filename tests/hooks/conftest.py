from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _hooks_settings(settings):
    settings.HOOKS_ALLOW_NETWORKS = ["127.0.0.1/32"]  # the receivers here are loopback
    settings.HOOKS_TIMEOUT_SECONDS = 0.5
    settings.HOOKS_RETRY_DELAYS = [60, 300, 1800, 7200, 21600]
    settings.HOOKS_MAX_ATTEMPTS = 6
