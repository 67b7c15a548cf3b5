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
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth.models import User
from django.contrib.messages import get_messages
from django.urls import reverse

from generation.models import Short
from posts.models import Status
from tests.conftest import require_binary
from tests.factories import make_post

LOCALE = Path(settings.BASE_DIR) / "locale" / "ko" / "LC_MESSAGES"
ENTRY = re.compile(r'^(#, fuzzy\n(?:#\|.*\n)*)?msgid ((?:".*"\n)+)msgstr ((?:".*"\n?)+)', re.M)


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
    apps_here = [app for app in settings.INSTALLED_APPS if (base / app).is_dir()]  # the project's own apps
    for folder in (*apps_here, "wagglebot", "templates", "static"):
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


def _korean_client(client, settings):
    settings.LANGUAGE_CODE = "ko"
    client.force_login(User.objects.create_superuser("boss", password="pw-123456789"))
    return client


@pytest.mark.django_db
def test_the_inbox_action_menu_is_korean(client, settings):
    make_post(title="동생이 게임기 숨겨놓은 장소")
    page = _korean_client(client, settings).get(reverse("admin:posts_post_changelist")).content.decode()
    menu = re.search(r'<select name="action".*?</select>', page, re.S).group(0)
    assert "선택한 게시물 승인" in menu and "선택한 게시물 거절…" in menu
    assert "Approve selected posts" not in menu


@pytest.mark.django_db
def test_the_site_filter_names_the_communities_in_the_admins_language(client, settings):
    make_post(title="동생이 게임기 숨겨놓은 장소")
    url = reverse("admin:posts_post_changelist")
    korean = _korean_client(client, settings).get(url).content.decode()
    client.post(reverse("set_language"), {"language": "en", "next": url})
    english = client.get(url).content.decode()
    assert "네이트판" in korean and "Nate Pann" not in korean
    assert "Nate Pann" in english and "네이트판" not in english


@pytest.mark.django_db
def test_a_moderation_message_is_korean(client, settings):
    post = make_post(title="동생이 게임기 숨겨놓은 장소")
    url = reverse("admin:posts_post_changelist") + "?status=all"
    data = {"action": "approve", ACTION_CHECKBOX_NAME: [post.pk], "index": 0}
    response = _korean_client(client, settings).post(url, data, follow=True)
    assert [str(m) for m in get_messages(response.wsgi_request)] == ["1건 승인, 0건 건너뜀"]


@pytest.mark.django_db
def test_the_progress_page_is_korean(client, settings):
    make_post(Status.FAILED, title="실패한 글")
    page = _korean_client(client, settings).get(reverse("console-progress")).content.decode()
    assert "진행 상황" in page and "진행 중인 작업이 없습니다." in page and "재시도" in page
    assert "In flight" not in page and "Retry" not in page


@pytest.mark.django_db
def test_the_gallery_page_is_korean(client, settings):
    post = make_post(Status.RENDERED, title="쇼츠")
    Short.objects.create(post=post, video_path=f"posts/{post.pk}/video.mp4",
                         qc={"passed": True, "reasons": [], "measured": {"duration_s": 31.46}})
    page = _korean_client(client, settings).get(reverse("console-gallery")).content.decode()
    assert "갤러리" in page and "품질 검사 통과" in page and "31.5초" in page and "다시 렌더" in page
    assert "QC passed" not in page and "Re-render" not in page


@pytest.mark.django_db
def test_record_names_follow_the_language():
    from django.utils import translation

    from generation.models import Short

    short = Short(post=make_post(title="동생이 게임기 숨겨놓은 장소"))
    with translation.override("ko"):
        korean = str(short)
    assert korean == f"게시물 {short.post_id}의 쇼츠" and str(short) == f"short of post {short.post_id}"
