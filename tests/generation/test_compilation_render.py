"""A ranked compilation rendered for real: espeak-ng speech, the one ffmpeg graph, QC, ffprobe."""

from __future__ import annotations

import io
import json
import subprocess
from itertools import pairwise

import numpy as np
import pytest
from django.conf import settings
from django_q.conf import Conf
from PIL import Image, ImageChops

from generation.compilation import MAX_SECONDS, compilation_approve, compilation_create, narration_write
from generation.compile_render import TRANSITION_SECONDS, compilation_qc, render_compilation
from generation.models import Compilation, CompilationChange
from generation.speech import synthesize
from posts.lifecycle import CompilationStatus as C
from posts.models import Status as S
from tests.factories import make_post
from tests.generation.media import FFPROBE, make_images
from wagglebot.lib import ffmpeg

pytestmark = pytest.mark.django_db

STORIES = [
    ("회식에서 부장님이 노래를 멈추지 않았다",
     "부장님이 노래방 마이크를 잡으셨어요. 노래가 무려 십 분이나 이어졌습니다."),
    ("고양이가 키보드 위에서 잠들었다",
     "재택근무 중에 고양이가 키보드에 누웠어요. 보고서에 이상한 글자가 가득했습니다."),
]


@pytest.fixture
def offline(settings, media_tools):
    settings.SCRIPT_WRITER, settings.SCRIPT_LLM_MODEL = "extractive", ""
    settings.TTS_ENGINES = ["espeak"]


def ffprobe(path) -> dict:
    done = subprocess.run([FFPROBE, "-v", "error", "-show_streams", "-show_format", "-of", "json", str(path)],
                          capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


def test_an_approved_compilation_renders_a_countdown_in_spec_through_the_gpu_queue(
        offline, monkeypatch, admin_user, django_capture_on_commit_callbacks):
    monkeypatch.setattr(Conf, "SYNC", True)
    posts = [make_post(status=S.RENDERED, title=title, content=body, site_code=site)
             for (title, body), site in zip(STORIES, ["nate_pann", "theqoo"], strict=True)]
    compilation = compilation_create(posts=posts, title="이번 주 베스트", by=admin_user)

    with django_capture_on_commit_callbacks(execute=True):
        compilation_approve(compilation=compilation, by=admin_user)

    compilation.refresh_from_db()
    assert compilation.status == C.RENDERED, (compilation.error_code, compilation.error_message, compilation.qc)
    info = ffprobe(settings.MEDIA_ROOT / compilation.video_path)
    video = next(s for s in info["streams"] if s["codec_type"] == "video")
    audio = next(s for s in info["streams"] if s["codec_type"] == "audio")
    assert (video["codec_name"], video["width"], video["height"], audio["codec_name"]) == ("h264", 1080, 1920, "aac")
    duration = float(info["format"]["duration"])
    assert abs(duration - compilation.timings["duration_ms"] / 1000) < 0.1
    assert duration < MAX_SECONDS
    plan = compilation.generation_meta["render"]["plan"]
    assert [(p["kind"], p["rank"], p["post_id"]) for p in plan] == [
        ("intro", None, None), ("item", 2, posts[1].pk), ("item", 1, posts[0].pk), ("outro", None, None)]
    assert all(a["end"] == b["start"] for a, b in pairwise(plan))
    assert compilation.qc["measured"]["rank_segments_seen"] == ["intro", 2, 1, "outro"]
    assert (settings.MEDIA_ROOT / compilation.tall_thumbnail_path).is_file()
    assert all(item.narration for item in compilation.items.all())
    assert list(CompilationChange.objects.filter(compilation=compilation).order_by("at", "pk")
                .values_list("new", flat=True)) == [C.APPROVED, C.PROCESSING, C.RENDERED]
    assert Compilation.objects.get(pk=compilation.pk).can("schedule_upload")


def frame_at(video, seconds: float) -> Image.Image:
    done = subprocess.run([ffmpeg.ffmpeg_path(), "-v", "error", "-ss", f"{seconds:.3f}", "-i", str(video),
                           "-frames:v", "1", "-f", "image2pipe", "-c:v", "png", "-"], capture_output=True, check=True)
    return Image.open(io.BytesIO(done.stdout)).convert("L")


def test_every_segment_moves_an_image_zooms_and_a_post_card_plays_over_the_background(offline, tmp_path):
    posts = [make_post(status=S.RENDERED, title=title, content=body) for title, body in STORIES]
    compilation = compilation_create(posts=posts, title="움직이는 TOP 2")
    narration = narration_write(compilation)
    speech = synthesize(narration.sentences(), tmp_path / "speech")
    photo = make_images(tmp_path / "images", 1)

    rendered = render_compilation(narration=narration, timings=speech.timings, audio=speech.audio_path,
                                  title=compilation.title, out_dir=tmp_path / "out", images={posts[0].pk: photo})
    try:
        report = compilation_qc(rendered, speech.duration_ms)
        assert report.passed, report.reasons
        assert report.measured["longest_still_s"] <= 3.0
        plan = rendered.meta["plan"]
        assert rendered.meta["visuals"] == ["background", "background", "zoom", "background"]  # rank 1: the image
        for part in plan[1:3]:
            # Above the captions, two moments of one rank differ: the visual moves, not only the words.
            early, late = (frame_at(rendered.video, part["start"] + TRANSITION_SECONDS + at)
                           for at in (0.2, part["end"] - part["start"] - TRANSITION_SECONDS - 0.4))
            upper = (0, 0, early.width, early.height * 2 // 3)
            changed = np.asarray(ImageChops.difference(early.crop(upper), late.crop(upper))) > 12
            assert changed.mean() > 0.01, (part["rank"], changed.mean())  # QC's motion threshold
    finally:
        rendered.discard()
