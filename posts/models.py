"""Posts, their comments and status history.

Every status change goes through ``Post.apply(move)``, which looks the move up in the lifecycle
table (``posts/lifecycle.py``) and makes it through the one guarded ``transition()``. Callers
outside this app use the services in ``posts/services.py``, which also queue the move's
follow-up task. Each committed change is announced with ``posts.signals.status_changed``.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import partial

from django.conf import settings
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from posts.lifecycle import POST_LIFECYCLE, Failure, InvalidTransition, Lifecycle, Phase, Status, Task
from posts.signals import status_changed

S = Status


def _site_choices() -> list[tuple[str, str]]:
    from posts.sites import site_choices

    return site_choices()


class LifecycleQuerySet(models.QuerySet):
    """The sweep's queries over any model with a lifecycle (``model.lifecycle``)."""

    def lease_expired(self, now: datetime) -> LifecycleQuerySet:
        generation = Q(status=S.PROCESSING, claimed_at__lt=now - timedelta(seconds=settings.GENERATION_LEASE_SECONDS))
        upload = Q(status=S.UPLOADING, claimed_at__lt=now - timedelta(seconds=settings.UPLOAD_LEASE_SECONDS))
        return self.filter(generation | upload)

    def auto_retryable(self, now: datetime) -> LifecycleQuerySet:
        """FAILED posts whose failure is retryable, with tries left in its phase, past the back-off."""
        backoff = now - timedelta(seconds=settings.POST_RETRY_BACKOFF_SECONDS)
        tries_left = Q()
        for phase in Phase:
            codes = [kind.code for kind in Failure
                     if kind.phase == phase and not (kind.permanent or kind.awaits_person)]
            tries_left |= Q(error_code__in=codes, **{f"{phase.attempts_field}__lt": settings.POST_MAX_ATTEMPTS})
        return self.filter(tries_left, status=S.FAILED, updated_at__lt=backoff)

    def unclaimed_work(self, now: datetime) -> LifecycleQuerySet:
        """Posts waiting for a task that is due and was not queued recently (a lost enqueue).

        A post queued before its wait ended (a quota day) is queued again once the wait is over.
        """
        stale = now - timedelta(seconds=settings.POST_REQUEUE_AFTER_SECONDS)
        due = Q(not_before__isnull=True) | Q(not_before__lte=now)
        not_queued = Q(queued_at__isnull=True) | Q(queued_at__lt=stale) | Q(queued_at__lt=models.F("not_before"))
        waiting = Q()
        for status, task in self.model.lifecycle.pending.items():
            waiting |= Q(status=status) & task.waiting
        return self.filter(waiting, due, not_queued)


class LifecycleModel:
    """The guarded moves of a model whose lifecycle is a table of ``posts.lifecycle``.

    The model has the lifecycle columns (status, error_*, *_attempts, claimed_at, not_before,
    queued_at, updated_at) and writes its history row in ``record_change``.
    """

    InvalidTransition = InvalidTransition
    lifecycle: Lifecycle

    def record_change(self, *, old: str, new: str, by, reason: str, error_code: str) -> None:
        raise NotImplementedError

    @property
    def failure(self) -> Failure | None:
        return Failure.of(self.error_code)

    def attempts(self, phase: Phase) -> int:
        return getattr(self, phase.attempts_field)

    def can(self, move: str) -> bool:
        """Whether ``move`` may start from the current status (for the admin and flows)."""
        return self.status in self.lifecycle.moves[move].sources

    def transition(self, to: str, *, by=None, reason: str = "", error_code: str = "", **fields) -> None:
        """Move to ``to`` if the table allows it and nobody moved the row first.

        The conditional UPDATE on the expected old status is the lock: of two workers racing
        for the same row exactly one changes it; the other gets ``InvalidTransition``.
        Each move also sets the error to this move's (none, unless ``error_code`` is given), so
        the admin always shows why the row is where it is.
        """
        old, name = self.status, self._meta.model_name
        if to not in self.lifecycle.transitions[old]:
            raise InvalidTransition(f"{name} {self.pk}: {old} → {to} is not allowed")
        failure = Failure.of(error_code)
        fields = {
            "error_code": error_code,
            "error_message": reason if error_code else "",
            "error_permanent": bool(failure and failure.permanent),
            "not_before": None,
            **fields,
        }
        with transaction.atomic():
            changed = type(self)._default_manager.filter(pk=self.pk, status=old).update(
                status=to, updated_at=timezone.now(), **fields
            )
            if changed != 1:
                raise InvalidTransition(f"{name} {self.pk} is no longer {old}")
            self.record_change(old=old, new=to, by=by, reason=reason, error_code=error_code)
        self.status = to
        self.refresh_from_db(fields=["updated_at", *fields])

    def apply(
        self, move: str, *, by=None, reason: str = "", failure: Failure | None = None,
        not_before: datetime | None = None, fresh: bool = False,
    ) -> Task | None:
        """Make the named move of the lifecycle table, with its field effects.

        ``failure`` is required by the moves that record one (fail, postpone, release) and
        refused by the others; ``fresh`` (a person's retry) grants the phase new attempts.
        Returns the follow-up task to queue now (None when there is none or it is not due yet).
        """
        spec = self.lifecycle.moves[move]
        if self.status not in spec.sources:
            raise InvalidTransition(f"{self._meta.model_name} {self.pk}: a {self.status} one cannot {move}")
        if spec.failure != (failure is not None):
            raise ValueError(f"{move} {'needs' if spec.failure else 'takes no'} failure kind")
        now = timezone.now()
        target = spec.target_for(self)
        fields = spec.effects(self, now)
        if not_before is not None:
            fields["not_before"] = not_before
        if fresh and self.failure:
            fields[self.failure.phase.attempts_field] = 0
        task = self.lifecycle.follow_up(spec, target)
        due = task is not None and (fields.get("not_before") or now) <= now
        if due:
            fields["queued_at"] = now
        self.transition(
            target, by=by, reason=reason or (failure.label if failure else move.replace("_", " ")),
            error_code=failure.code if failure else "", **fields,
        )
        return task if due else None

    def lease_return(self) -> tuple[str, Failure]:
        """The move and failure kind that return this claimed row when its lease ran out."""
        return self.lifecycle.leases[self.status]


class Post(LifecycleModel, models.Model):
    lifecycle = POST_LIFECYCLE

    site_code = models.CharField(_("site code"), max_length=32, choices=_site_choices)
    origin_id = models.CharField(max_length=100)
    url = models.URLField(_("url"), max_length=500)
    title = models.CharField(_("title"), max_length=300)
    content = models.TextField(_("content"), blank=True)
    images = models.JSONField(_("images"), default=list, blank=True)
    videos = models.JSONField(_("videos"), default=list, blank=True, help_text="Clip URLs the crawl found in the post.")
    stats = models.JSONField(default=dict, blank=True)
    views = models.PositiveIntegerField(_("views"), default=0)
    likes = models.IntegerField(_("likes"), default=0)
    comment_count = models.PositiveIntegerField(_("comment count"), default=0)
    score = models.FloatField(_("score"), default=0.0)
    author = models.CharField(_("author"), max_length=100, blank=True)
    source_published_at = models.DateTimeField(_("source published at"), null=True, blank=True)
    duplicate_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="duplicates",
        verbose_name=_("duplicate of"),
    )
    # What the crawler's parser could read (crawling.fields): the page source each field came from,
    # and the fields no source gave. A post with missing fields was saved incomplete rather than lost.
    parse_sources = models.JSONField(default=dict, blank=True, editable=False)
    missing_fields = models.JSONField(default=list, blank=True, editable=False)
    # When a recheck found the post gone at the source (404/410 or the site's "deleted" page).
    deleted_at_source = models.DateTimeField(null=True, blank=True, editable=False)
    # When the recheck last fetched the post page: it checks the longest-unchecked first.
    source_checked_at = models.DateTimeField(null=True, blank=True, editable=False)

    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=S.COLLECTED, editable=False)
    error_code = models.CharField(_("error code"), max_length=32, blank=True, editable=False)
    error_message = models.TextField(_("error message"), blank=True, editable=False)
    error_permanent = models.BooleanField(default=False, editable=False)
    generation_attempts = models.PositiveSmallIntegerField(default=0, editable=False)
    upload_attempts = models.PositiveSmallIntegerField(default=0, editable=False)
    take_down_attempts = models.PositiveSmallIntegerField(default=0, editable=False)
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True, editable=False)
    not_before = models.DateTimeField(null=True, blank=True, editable=False)
    # When the follow-up task was last put on the queue: a hint, so the sweep can tell a lost
    # enqueue from one that waits its turn. Not part of the lifecycle.
    queued_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = LifecycleQuerySet.as_manager()

    class Meta:
        verbose_name = _("post")
        verbose_name_plural = _("posts")
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

    @property
    def incomplete(self) -> bool:
        return bool(self.missing_fields)

    def record_change(self, *, old: str, new: str, by, reason: str, error_code: str) -> None:
        change = StatusChange.objects.record(post=self, old=old, new=new, by=by, reason=reason, error_code=error_code)
        # After commit: a listener (webhooks) never sees a move that was rolled back, and its
        # failure is logged without undoing the move.
        transaction.on_commit(partial(status_changed.send, sender=Post, change=change), robust=True)


class Comment(models.Model):
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="comments")
    author = models.CharField(_("author"), max_length=100, blank=True)
    content = models.TextField(_("content"))
    # sha256 of author + text: the same comment seen on the next crawl updates its likes.
    content_hash = models.CharField(max_length=64)
    likes = models.IntegerField(_("likes"), default=0)
    is_best = models.BooleanField(_("is best"), default=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["-is_best", "-likes", "pk"]
        constraints = [models.UniqueConstraint(fields=["post", "content_hash"], name="comment_post_hash_unique")]
        indexes = [models.Index(fields=["post", "is_best", "likes"], name="comment_post_best")]

    def __str__(self) -> str:
        return self.content[:40]


class PostImage(models.Model):
    """One image of a post, fetched at crawl time: the re-encoded file and its thumbnail under
    MEDIA_ROOT, or the reason it could not be used (``error``), so a failed image is kept as a
    record and skipped, and the render does not fetch it again."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="image_files")
    position = models.PositiveSmallIntegerField()  # order in the post
    source_url = models.URLField(max_length=1000)
    file = models.CharField(max_length=200, blank=True)  # relative to MEDIA_ROOT
    thumbnail = models.CharField(max_length=200, blank=True)
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    bytes = models.PositiveIntegerField(default=0, help_text="Size of the re-encoded file.")
    error = models.TextField(blank=True)
    fetched_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["post", "position"]
        constraints = [models.UniqueConstraint(fields=["post", "position"], name="postimage_post_position_unique")]

    def __str__(self) -> str:
        return self.file or f"{self.source_url[:60]} ({self.error[:40]})"


class StatusChangeManager(models.Manager):
    def record(self, *, post: Post, old: str, new: str, by, reason: str, error_code: str) -> StatusChange:
        """The history row; a person's move is also an admin log entry, so the admin home's
        "Recent actions" and the post's "History" button show moderation, not only edits."""
        change = self.create(post=post, old=old, new=new, by=by, reason=reason, error_code=error_code)
        if by is not None and by.pk is not None:
            from django.contrib.admin.models import CHANGE, LogEntry

            LogEntry.objects.log_actions(by.pk, [post], CHANGE, change.describe(), single_object=True)
        return change


class StatusChange(models.Model):
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="history")
    old = models.CharField(max_length=16, choices=Status.choices)
    new = models.CharField(max_length=16, choices=Status.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    reason = models.TextField(_("reason"), blank=True)
    error_code = models.CharField(_("error code"), max_length=32, blank=True)
    at = models.DateTimeField(_("at"), default=timezone.now)

    objects = StatusChangeManager()

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [
            models.Index(fields=["post", "at"], name="change_post_at"),
            models.Index(fields=["new", "at"], name="change_new_at"),
            models.Index(fields=["error_code", "at"], name="change_error_at"),
        ]

    def __str__(self) -> str:
        return f"{self.old} → {self.new}"

    def describe(self) -> str:
        move = f"{Status(self.old).label} → {Status(self.new).label}"
        return f"{move}: {self.reason}"[:1000] if self.reason else move
