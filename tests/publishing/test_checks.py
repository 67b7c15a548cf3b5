from __future__ import annotations

from publishing.checks import check_publishing


def test_default_publishing_settings_pass_the_checks():
    assert check_publishing() == []


def test_bad_publishing_settings_are_each_reported(settings):
    settings.UPLOADER = "vimeo"
    settings.YOUTUBE_PRIVACY_STATUS = "secret"
    settings.YOUTUBE_CHUNK_BYTES = 1000
    settings.PUBLISH_SLOTS = ["noon"]
    assert [error.id for error in check_publishing()] == [
        "publishing.E001", "publishing.E002", "publishing.E003", "publishing.E004"]
