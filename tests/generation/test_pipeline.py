"""The gpu task end to end: claim → script → speech → render → QC → RENDERED or FAILED.

These run the real script writer and speech engine of issue 5 (extractive writer, espeak-ng)
with nothing patched; they need generation/script.py, speech.py and gpu.py from that branch.
"""

from __future__ import annotations

import json
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django_q.conf import Conf

from generation.models import Short
from generation.pipeline import post_generate
from generation.tasks import generate
from posts.lifecycle import PENDING, Failure
from posts.models import Comment, StatusChange
from posts.models import Status as S
from posts.services import task_enqueue
from posts.tasks import sweep
from tests.factories import make_post
from tests.generation.media import FFPROBE

pytestmark = pytest.mark.django_db

BODY = (
    "어제 회사 회식에서 부장님이 갑자기 노래방 마이크를 잡으셨어요. "
    "다들 박수를 쳤는데 노래가 무려 십 분이나 이어졌습니다. "
    "막내가 몰래 취소 버튼을 눌렀다가 분위기가 얼어붙었어요."
)


@pytest.fixture
def offline(settings, media_tools):
    """The offline engines the demo uses: extractive script, espeak-ng speech."""
    settings.SCRIPT_WRITER, settings.SCRIPT_LLM_MODEL = "extractive", ""
    settings.TTS_ENGINES = ["espeak"]


def approved_post(**fields):
    post = make_post(status=S.APPROVED, title="회식에서 부장님이 노래를 멈추지 않았다", content=BODY, **fields)
    Comment.objects.create(post=post, author="노래방마스터", content="막내 용기가 대단하네요", content_hash="c1",
                           likes=120, is_best=True)
    return post


def test_an_approved_post_is_rendered_through_the_gpu_queue(offline, settings, monkeypatch,
                                                            django_capture_on_commit_callbacks):
    monkeypatch.setattr(Conf, "SYNC", True)
    post = approved_post()

    with django_capture_on_commit_callbacks(execute=True):
        task_enqueue(PENDING[S.APPROVED], post)

    post.refresh_from_db()
    content = post.short
    assert post.status == S.RENDERED, post.error_message
    assert (content.video_path, content.thumbnail_path) == (f"posts/{post.pk}/video.mp4",
                                                            f"posts/{post.pk}/thumbnail.jpg")
    assert content.tall_thumbnail_path == f"posts/{post.pk}/thumbnail_shorts.jpg"
    assert content.qc["measured"]["libass_fonts"] == [settings.RENDER_FONT_PATH]
    assert content.qc["measured"]["safe_area"]["outside"] == 0
    assert content.audio_path.startswith(f"posts/{post.pk}/")
    assert content.script and content.script_source == "extractive" and content.script_data["hook"]
    assert content.title and content.tags and post.url in content.description
    assert content.timings["sentences"] and content.qc["passed"] is True
    assert set(content.generation_meta["stages"]) == {"script", "speech", "images", "render", "qc"}
    assert content.generation_meta["engines"]["render"]["encoder"] == "libx264"
    video = Path(settings.MEDIA_ROOT) / content.video_path
    probe = json.loads(subprocess.run([FFPROBE, "-v", "error", "-print_format", "json", "-show_streams",
                                       str(video)], check=True, capture_output=True, text=True).stdout)
    assert (probe["streams"][0]["width"], probe["streams"][0]["height"]) == (1080, 1920)
    timings_file = Path(settings.MEDIA_ROOT) / f"posts/{post.pk}/timings.json"
    assert json.loads(timings_file.read_text(encoding="utf-8")) == content.timings


def test_a_duplicate_delivery_changes_nothing(offline, settings):
    post = approved_post()
    assert generate(post.pk) == S.RENDERED
    video = Path(settings.MEDIA_ROOT) / post.short.video_path
    stamp, changes = video.stat().st_mtime_ns, StatusChange.objects.filter(post=post).count()

    assert generate(post.pk) == S.RENDERED

    assert video.stat().st_mtime_ns == stamp
    assert StatusChange.objects.filter(post=post).count() == changes


def test_a_persons_edited_script_is_spoken_instead_of_a_new_one(offline):
    post = approved_post()
    edited = "부장님 노래가 십 분 넘게 이어졌어요. 여러분 회사는 어떤가요?"
    Short.objects.create(post=post, script=edited, script_source=Short.ScriptSource.HUMAN,
                         layout=Short.Layout.POST_CARD)

    generate(post.pk)

    post.refresh_from_db()
    assert post.status == S.RENDERED, post.error_message
    assert post.short.script_source == "human"
    assert "십 분 넘게" in post.short.script
    assert post.short.rendered_at is not None  # an upload session of an older render is not resumed
    assert post.short.generation_meta["engines"]["render"]["layout"] == "post_card"  # the person's choice


def test_text_the_font_cannot_draw_fails_permanently_before_speech_and_render(offline, settings, latin_only_font):
    settings.RENDER_FONT_PATH = str(latin_only_font)
    post = approved_post()

    generate(post.pk)

    post.refresh_from_db()
    assert (post.status, post.error_code) == (S.FAILED, "RENDER_INVALID")  # would fail the same way again
    assert "no glyph" in post.error_message
    assert set(post.short.generation_meta["stages"]) <= {"script"}  # no speech, no 36 s render
    assert not (Path(settings.MEDIA_ROOT) / f"posts/{post.pk}/video.mp4").exists()


def test_a_missing_font_fails_the_post_permanently_as_a_render_that_cannot_run(offline, settings):
    settings.RENDER_FONT_PATH = "/nonexistent/font.ttf"
    post = approved_post()

    generate(post.pk)

    post.refresh_from_db()
    assert (post.status, post.failure, post.error_permanent) == (S.FAILED, Failure.RENDER_INVALID, True)
    assert "RENDER_FONT_PATH" in post.error_message
    assert post.short.generation_meta["stages"].keys() >= {"script", "speech"}


@pytest.mark.parametrize(
    ("script", "failure", "message"),
    [
        # ffprobe answers garbage: an error nobody mapped, retryable as a crash.
        ("echo 'this is not json'", Failure.GENERATION_CRASHED, "JSONDecodeError"),
        # ffprobe fails: a probe failure, not a render failure.
        ("echo 'moov atom not found' >&2; exit 1", Failure.MEDIA_PROBE_FAILED, "moov atom not found"),
    ],
)
def test_a_failing_ffprobe_fails_the_post_with_the_kind_its_error_maps_to(
    offline, settings, tmp_path, script, failure, message
):
    ffprobe = tmp_path / "ffprobe"
    ffprobe.write_text(f"#!/bin/sh\n{script}\n")
    ffprobe.chmod(0o755)
    settings.FFPROBE_PATH = str(ffprobe)
    post = approved_post()

    generate(post.pk)

    post.refresh_from_db()
    assert (post.status, post.failure, post.error_permanent) == (S.FAILED, failure, False)
    assert message in post.error_message


def test_the_command_generates_approved_posts_and_reports_failures(offline, settings, capsys):
    first, second = approved_post(score=2.0), approved_post(score=1.0)

    call_command("generate", "--approved", "--limit", "1")

    first.refresh_from_db(), second.refresh_from_db()
    assert (first.status, second.status) == (S.RENDERED, S.APPROVED)
    assert f"post {first.pk}: RENDERED" in capsys.readouterr().err
    settings.RENDER_FONT_PATH = "/nonexistent/font.ttf"
    with pytest.raises(CommandError, match="1 of 1 posts did not render"):
        call_command("generate", str(second.pk))
    with pytest.raises(CommandError, match="not both"):
        call_command("generate")


def test_the_task_ignores_a_post_that_no_longer_exists():
    assert generate(987654) is None


@pytest.fixture
def sweeping_image_host(settings):
    """An image host that runs the lease sweep while the worker downloads: the post is released
    under the worker's feet, as when a render outlives GENERATION_LEASE_SECONDS."""
    settings.IMAGE_FETCH_ALLOW_NETWORKS = ["127.0.0.1/32"]
    released = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            settings.GENERATION_LEASE_SECONDS = -1
            released.append(sweep()["released"])
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/a.jpg", released
    httpd.shutdown()
    httpd.server_close()


@pytest.mark.django_db(transaction=True)
def test_a_post_released_by_the_sweep_mid_render_is_not_marked_rendered(offline, sweeping_image_host):
    url, released = sweeping_image_host
    post = approved_post(images=[url])

    assert post_generate(post) is False

    post.refresh_from_db()
    assert released == [1]
    assert (post.status, post.error_code) == (S.APPROVED, "LEASE_EXPIRED")
