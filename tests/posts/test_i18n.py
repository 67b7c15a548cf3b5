"""The console is Korean: every string marked for translation has a Korean translation, the
compiled catalog is the one the .po file gives, and pages render in Korean unless asked."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.urls import reverse

from tests.conftest import require_binary
from tests.factories import make_post

LOCALE = Path(settings.BASE_DIR) / "locale" / "ko" / "LC_MESSAGES"
ENTRY = re.compile(r'^(#, fuzzy\n)?msgid ((?:".*"\n)+)msgstr ((?:".*"\n?)+)', re.M)


def _unquote(quoted: str) -> str:
    return "".join(re.findall(r'"(.*)"', quoted))


def _catalog(po: Path) -> dict[str, str]:
    """msgid → msgstr of a .po file; fuzzy entries (which Django does not use) count as missing."""
    entries = {
        _unquote(match.group(2)): "" if match.group(1) else _unquote(match.group(3))
        for match in ENTRY.finditer(po.read_text(encoding="utf-8"))
    }
    entries.pop("", None)  # the header
    return entries


def test_every_marked_string_has_a_korean_translation():
    catalog = _catalog(LOCALE / "django.po")
    missing = sorted(msgid for msgid, msgstr in catalog.items() if not msgstr)
    assert len(catalog) > 50
    assert missing == []


def test_the_catalog_holds_every_string_the_code_marks(tmp_path):
    """makemessages over a copy of the code finds no string the committed catalog lacks."""
    require_binary("xgettext")
    base = Path(settings.BASE_DIR)
    for folder in ("posts", "crawling", "generation", "publishing", "ops", "wagglebot", "templates", "static"):
        shutil.copytree(base / folder, tmp_path / folder, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(base / "manage.py", tmp_path / "manage.py")
    (tmp_path / "locale").mkdir()
    subprocess.run(
        [sys.executable, "manage.py",
         "makemessages", "-l", "ko", "--no-location", "--no-wrap"],
        cwd=tmp_path, check=True, capture_output=True, text=True,
    )
    found = set(_catalog(tmp_path / "locale" / "ko" / "LC_MESSAGES" / "django.po"))
    assert found - set(_catalog(LOCALE / "django.po")) == set()


def test_the_compiled_catalog_is_the_po_file(tmp_path):
    msgfmt = require_binary("msgfmt")
    subprocess.run([msgfmt, "-o", str(tmp_path / "django.mo"), str(LOCALE / "django.po")], check=True)
    assert (tmp_path / "django.mo").read_bytes() == (LOCALE / "django.mo").read_bytes()


@pytest.mark.django_db
def test_the_inbox_speaks_korean_by_default(client, settings):
    settings.LANGUAGE_CODE = "ko"
    client.force_login(User.objects.create_superuser("boss", password="pw-123456789"))
    make_post(title="동생이 게임기 숨겨놓은 장소")
    page = client.get(reverse("admin:posts_post_changelist")).content.decode()
    assert "수집됨" in page  # the Collected status, translated
    assert "Collected" not in page


@pytest.mark.django_db
def test_the_language_menu_switches_to_english(client, settings):
    settings.LANGUAGE_CODE = "ko"
    client.force_login(User.objects.create_superuser("boss", password="pw-123456789"))
    make_post(title="동생이 게임기 숨겨놓은 장소")
    url = reverse("admin:posts_post_changelist")
    client.post(reverse("set_language"), {"language": "en", "next": url})
    page = client.get(url).content.decode()
    assert "Collected" in page
    assert "수집됨" not in page
