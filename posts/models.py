"""Posts and their lifecycle.

Every status change goes through ``Post.transition()``; the named moves below are the only callers.
The allowed moves are the ``TRANSITIONS`` table:

    COLLECTED  → APPROVED (approve) | DECLINED (decline)
    DECLINED   → COLLECTED (undo_decline)
    APPROVED   → PROCESSING (claim_generation) | DECLINED (decline)
    PROCESSING → RENDERED (mark_rendered) | FAILED (fail) | APPROVED (release: lease expired)
    RENDERED   → UPLOADING (claim_upload) | APPROVED (regenerate)
    UPLOADING  → UPLOADED (mark_uploaded) | RENDERED (postpone: retryable error, quota)
                 | FAILED (fail)
    FAILED     → APPROVED (retry) | RENDERED (retry, when only the upload failed)
    UPLOADED   → TAKEN_DOWN (take_down)

``attempts`` counts the claims of the current phase: generation claims until the render is done,
then upload claims (mark_rendered starts them at zero). Waits the post did not cause (quota, a
missing login) are not attempts.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import models, transaction
from django.db.models import F, Q
from django.utils import timezone


class Status(models.TextChoices):
    COLLECTED = "COLLECTED", "Collected"
    APPROVED = "APPROVED", "Approved"
    DECLINED = "DECLINED", "Declined"
    PROCESSING = "PROCESSING", "Processing"
    RENDERED = "RENDERED", "Rendered"
    UPLOADING = "UPLOADING", "Uploading"
    UPLOADED = "UPLOADED", "Uploaded"
    FAILED = "FAILED", "Failed"
    TAKEN_DOWN = "TAKEN_DOWN", "Taken down"


S = Status
TRANSITIONS: dict[str, frozenset[str]] = {
    S.COLLECTED: frozenset({S.APPROVED, S.DECLINED}),
    S.DECLINED: frozenset({S.COLLECTED}),
    S.APPROVED: frozenset({S.PROCESSING, S.DECLINED}),
    S.PROCESSING: frozenset({S.RENDERED, S.FAILED, S.APPROVED}),
    S.RENDERED: frozenset({S.UPLOADING, S.APPROVED}),
    S.UPLOADING: frozenset({S.UPLOADED, S.RENDERED, S.FAILED}),
    S.FAILED: frozenset({S.APPROVED, S.RENDERED}),
    S.UPLOADED: frozenset({S.TAKEN_DOWN}),
    S.TAKEN_DOWN: frozenset(),
}
# A claimed post returns here when its worker's lease runs out.
LEASE_RETURNS = {S.PROCESSING: S.APPROVED, S.UPLOADING: S.RENDERED}
# Failures at these codes keep the rendered video: a retry uploads again instead of regenerating.
UPLOAD_ERROR_CODES = frozenset({"UPLOAD_FAILED", "UPLOAD_LEASE_EXPIRED"})
# Waits the post did not cause (quota, a missing login): the next claim is not another attempt,
# or a few quota days would use up the tries meant for real failures.
NOT_AN_ATTEMPT_CODES = frozenset({"QUOTA_WAIT", "UPLOAD_AUTH"})


def _site_choices() -> list[tuple[str, str]]:
    from crawling.registry import site_choices

    return site_choices()


class PostQuerySet(models.QuerySet):
    def lease_expired(self, now: datetime) -> PostQuerySet:
        generation = Q(status=S.PROCESSING, claimed_at__lt=now - timedelta(seconds=settings.GENERATION_LEASE_SECONDS))
        upload = Q(status=S.UPLOADING, claimed_at__lt=now - timedelta(seconds=settings.UPLOAD_LEASE_SECONDS))
        return self.filter(generation | upload)

    def auto_retryable(self, now: datetime) -> PostQuerySet:
        """FAILED posts with tries left whose back-off has passed."""
        backoff = timedelta(seconds=settings.POST_RETRY_BACKOFF_SECONDS)
        return self.filter(
            status=S.FAILED,
            error_permanent=False,
            attempts__lt=settings.POST_MAX_ATTEMPTS,
            updated_at__lt=now - backoff,
        )

    def due_after_wait(self, now: datetime) -> PostQuerySet:
        """RENDERED posts that were told to wait (upload quota) and may go now."""
        return self.filter(status=S.RENDERED, not_before__isnull=False, not_before__lte=now)


class Post(models.Model):
    class InvalidTransition(Exception):
        """A move the table forbids, or one another worker made first."""

    site_code = models.CharField(max_length=32, choices=_site_choices)
    origin_id = models.CharField(max_length=100)
    url = models.URLField(max_length=500)
    title = models.CharField(max_length=300)
    content = models.TextField(blank=True)
    images = models.JSONField(default=list, blank=True)
    stats = models.JSONField(default=dict, blank=True)
    views = models.PositiveIntegerField(default=0)
    likes = models.IntegerField(default=0)
    comment_count = models.PositiveIntegerField(default=0)
    score = models.FloatField(default=0.0)
    author = models.CharField(max_length=100, blank=True)
    source_published_at = models.DateTimeField(null=True, blank=True)
    duplicate_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="duplicates"
    )

    status = models.CharField(max_length=16, choices=Status.choices, default=S.COLLECTED, editable=False)
    error_code = models.CharField(max_length=32, blank=True, editable=False)
    error_message = models.TextField(blank=True, editable=False)
    error_permanent = models.BooleanField(default=False, editable=False)
    attempts = models.PositiveSmallIntegerField(default=0, editable=False)
    claimed_at = models.DateTimeField(null=True, blank=True, editable=False)
    not_before = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PostQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["site_code", "origin_id"], name="post_site_origin_unique")]
        indexes = [
            models.Index(fields=["site_code", "status"], name="post_site_status"),
            models.Index(fields=["status", "created_at"], name="post_status_created"),
            models.Index(fields=["status", "score"], name="post_status_score"),
            models.Index(fields=["status", "views"], name="post_status_views"),
            models.Index(fields=["status", "likes"], name="post_status_likes"),
            models.Index(fields=["status", "claimed_at"], name="post_status_claimed"),
            # The inbox's "all statuses" view sorts by score across every status.
            models.Index(fields=["score"], name="post_score"),
            # The default inbox: one status, canonical copies only, best score first.
            models.Index(fields=["status", "duplicate_of", "score"], name="post_status_canon_score"),
            models.Index(fields=["site_code", "status", "duplicate_of", "score"], name="post_site_canon_score"),
        ]

    def __str__(self) -> str:
        return f"[{self.site_code}] {self.title}"

    # The one guarded move -------------------------------------------------------------------

    def transition(self, to: str, *, by=None, reason: str = "", error_code: str = "", **fields) -> None:
        """Move to ``to`` if the table allows it and nobody moved the post first.

        The conditional UPDATE on the expected old status is the lock: of two workers racing
        for the same post exactly one changes a row; the other gets ``InvalidTransition``.
        Each move also sets the post's error to this move's (none, unless ``error_code`` is
        given), so the admin always shows why the post is where it is.
        """
        old = self.status
        if to not in TRANSITIONS[old]:
            raise Post.InvalidTransition(f"post {self.pk}: {old} → {to} is not allowed")
        fields = {
            "error_code": error_code,
            "error_message": reason if error_code else "",
            "error_permanent": False,
            "not_before": None,
            **fields,
        }
        with transaction.atomic():
            changed = Post.objects.filter(pk=self.pk, status=old).update(
                status=to, updated_at=timezone.now(), **fields
            )
            if changed != 1:
                raise Post.InvalidTransition(f"post {self.pk} is no longer {old}")
            StatusChange.objects.create(post=self, old=old, new=to, by=by, reason=reason, error_code=error_code)
        self.status = to
        self.refresh_from_db(fields=["updated_at", *fields])

    # Named moves ----------------------------------------------------------------------------
    # Each names the statuses it starts from: the table alone would let approve() regenerate a
    # RENDERED post or retry() approve a COLLECTED one, since those targets are reachable.

    def _move(self, sources: tuple[str, ...], to: str, **kwargs) -> None:
        if self.status not in sources:
            raise Post.InvalidTransition(f"post {self.pk}: a {self.status} post cannot move to {to} this way")
        self.transition(to, **kwargs)

    def approve(self, *, by=None, reason: str = "") -> None:
        self._move((S.COLLECTED,), S.APPROVED, by=by, reason=reason, attempts=0)

    def decline(self, *, by=None, reason: str = "") -> None:
        self._move((S.COLLECTED, S.APPROVED), S.DECLINED, by=by, reason=reason)

    def undo_decline(self, *, by=None, reason: str = "") -> None:
        self._move((S.DECLINED,), S.COLLECTED, by=by, reason=reason)

    def claim_generation(self) -> None:
        self._move(
            (S.APPROVED,), S.PROCESSING, reason="generation claimed", claimed_at=timezone.now(),
            attempts=F("attempts") + 1,
        )

    def mark_rendered(self) -> None:
        # Uploading gets its own tries: generation retries must not use up the upload's.
        self._move((S.PROCESSING,), S.RENDERED, reason="rendered", claimed_at=None, attempts=0)

    def regenerate(self, *, by=None, reason: str = "") -> None:
        self._move((S.RENDERED,), S.APPROVED, by=by, reason=reason or "regenerate", attempts=0)

    def claim_upload(self) -> None:
        counted = 0 if self.error_code in NOT_AN_ATTEMPT_CODES else 1
        self._move(
            (S.RENDERED,), S.UPLOADING, reason="upload claimed", claimed_at=timezone.now(),
            attempts=F("attempts") + counted,
        )

    def mark_uploaded(self) -> None:
        self._move((S.UPLOADING,), S.UPLOADED, reason="uploaded", claimed_at=None)

    def postpone_upload(self, reason: str, *, code: str = "UPLOAD_RETRY", until: datetime | None = None) -> None:
        """UPLOADING → RENDERED after a retryable error; ``until`` holds it back (quota reset)."""
        self._move((S.UPLOADING,), S.RENDERED, reason=reason, error_code=code, claimed_at=None, not_before=until)

    def fail(self, code: str, message: str, *, permanent: bool = False, by=None) -> None:
        self._move(
            (S.PROCESSING, S.UPLOADING), S.FAILED, by=by, reason=message, error_code=code, claimed_at=None,
            error_permanent=permanent,
        )

    def release(self, reason: str = "lease expired") -> None:
        """Give a claimed post back to the status it waited in before the claim."""
        to = LEASE_RETURNS.get(self.status, S.APPROVED)
        self._move(tuple(LEASE_RETURNS), to, reason=reason, error_code="LEASE_EXPIRED", claimed_at=None)

    def retry(self, *, by=None, reason: str = "") -> None:
        """FAILED → where the failed step starts again. A person's retry grants fresh attempts."""
        target = S.RENDERED if self.error_code in UPLOAD_ERROR_CODES else S.APPROVED
        fresh = {"attempts": 0} if by is not None else {}
        self._move((S.FAILED,), target, by=by, reason=reason or "retry", **fresh)

    def take_down(self, *, by=None, reason: str) -> None:
        self._move((S.UPLOADED,), S.TAKEN_DOWN, by=by, reason=reason)


class Comment(models.Model):
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="comments")
    author = models.CharField(max_length=100, blank=True)
    content = models.TextField()
    # sha256 of author + text: the same comment seen on the next crawl updates its likes.
    content_hash = models.CharField(max_length=64)
    likes = models.IntegerField(default=0)
    is_best = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-is_best", "-likes", "pk"]
        constraints = [models.UniqueConstraint(fields=["post", "content_hash"], name="comment_post_hash_unique")]
        indexes = [models.Index(fields=["post", "is_best", "likes"], name="comment_post_best")]

    def __str__(self) -> str:
        return self.content[:40]


class Content(models.Model):
    """What the pipeline made for one post: script, audio, video, QC, upload result."""

    class ScriptSource(models.TextChoices):
        LLM = "llm", "LLM"
        EXTRACTIVE = "extractive", "Extractive"
        HUMAN = "human", "Edited by a person"

    post = models.OneToOneField(Post, on_delete=models.CASCADE, related_name="output")
    script = models.TextField(blank=True, help_text="Narration, at most 200 spoken characters.")
    script_source = models.CharField(max_length=16, choices=ScriptSource.choices, blank=True)
    script_data = models.JSONField(default=dict, blank=True, help_text="hook, body, closer, best comment")
    title = models.CharField(max_length=100, blank=True)
    description = models.TextField(blank=True)
    tags = models.JSONField(default=list, blank=True)
    # Paths relative to MEDIA_ROOT, served to staff by the media view.
    audio_path = models.CharField(max_length=255, blank=True)
    video_path = models.CharField(max_length=255, blank=True)
    thumbnail_path = models.CharField(max_length=255, blank=True)
    timings = models.JSONField(default=dict, blank=True)
    qc = models.JSONField(default=dict, blank=True)
    generation_meta = models.JSONField(default=dict, blank=True)
    upload_meta = models.JSONField(default=dict, blank=True)
    platform_id = models.CharField(max_length=64, blank=True)
    video_url = models.URLField(blank=True)
    uploaded_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "contents"
        indexes = [models.Index(fields=["uploaded_at"], name="content_uploaded")]

    def __str__(self) -> str:
        return self.title or f"content of post {self.post_id}"


class StatusChange(models.Model):
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="history")
    old = models.CharField(max_length=16, choices=Status.choices)
    new = models.CharField(max_length=16, choices=Status.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    reason = models.TextField(blank=True)
    error_code = models.CharField(max_length=32, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [
            models.Index(fields=["post", "at"], name="change_post_at"),
            models.Index(fields=["new", "at"], name="change_new_at"),
            models.Index(fields=["error_code", "at"], name="change_error_at"),
        ]

    def __str__(self) -> str:
        return f"{self.old} → {self.new}"
