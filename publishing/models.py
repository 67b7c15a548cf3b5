"""What publishing keeps beside the post: uploads per platform, quota per Pacific day, booked slots."""

from __future__ import annotations

from datetime import date, datetime

from django.db import IntegrityError, models, transaction
from django.db.models import F, Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class QuotaUsageQuerySet(models.QuerySet):
    def spend(self, day: date, bucket: str, amount: int, limit: int) -> bool:
        """Add ``amount`` to the day's bucket unless that passes ``limit``; True when spent.

        The conditional UPDATE keeps two workers from both taking the last units.
        """
        self._ensure(day, bucket)
        return bool(
            self.filter(day=day, bucket=bucket, used__lte=limit - amount).update(used=F("used") + amount)
        )

    def refund(self, day: date, bucket: str, amount: int) -> None:
        self.filter(day=day, bucket=bucket, used__gte=amount).update(used=F("used") - amount)

    def exhaust(self, day: date, bucket: str, limit: int) -> None:
        """The API said quotaExceeded: trust it over our count until the day ends."""
        self._ensure(day, bucket)
        self.filter(day=day, bucket=bucket, used__lt=limit).update(used=limit)

    def used(self, day: date, bucket: str) -> int:
        row = self.filter(day=day, bucket=bucket).first()
        return row.used if row else 0

    def _ensure(self, day: date, bucket: str) -> None:
        try:
            with transaction.atomic():
                self.get_or_create(day=day, bucket=bucket)
        except IntegrityError:  # another worker created the row first
            pass


class QuotaUsage(models.Model):
    class Bucket(models.TextChoices):
        UNITS = "units", _("Shared units")
        INSERTS = "inserts", _("videos.insert calls")

    day = models.DateField(_("day"), help_text=_("Pacific-time day; YouTube resets quota at Pacific midnight."))
    bucket = models.CharField(_("bucket"), max_length=16, choices=Bucket.choices)
    used = models.PositiveIntegerField(_("used"), default=0)

    objects = QuotaUsageQuerySet.as_manager()

    class Meta:
        verbose_name = _("quota usage")
        verbose_name_plural = _("quota usages")
        constraints = [models.UniqueConstraint(fields=["day", "bucket"], name="quota_day_bucket_unique")]

    def __str__(self) -> str:
        return f"{self.day} {self.bucket}: {self.used}"


class PublishSlot(models.Model):
    """One booked publishing time; the unique ``at`` keeps two fillers from double-booking it."""

    at = models.DateTimeField(_("at"), unique=True)
    post = models.OneToOneField("posts.Post", on_delete=models.CASCADE, related_name="publish_slot",
                                verbose_name=_("post"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["at"]
        verbose_name = _("publish slot")
        verbose_name_plural = _("publish slots")

    def __str__(self) -> str:
        return gettext("%(at)s post %(post)s") % {"at": f"{self.at:%Y-%m-%d %H:%M}", "post": self.post_id}

    def is_ahead(self, now: datetime) -> bool:
        return self.at > now


class Upload(models.Model):
    """A post's or a compilation's video on one platform: where it is, what the platform did with
    it, its counters.

    Only the resumable session (the platform's upload URL and bytes sent) is free-form JSON. A video
    published on several platforms has one record per platform, each with its own ``state``: a
    failure on one platform leaves the video already up on another where it is.

    A compilation's video is the same kind of record with ``compilation`` set instead of ``post``
    (exactly one of them, a check constraint): the upload, stats refresh, processing checks and
    take-down read one model, instead of a copy of these columns and of each of those paths.
    """

    class State(models.TextChoices):
        PENDING = "pending", _("Not tried yet")
        UPLOADING = "uploading", _("Uploading")
        UPLOADED = "uploaded", _("Uploaded")
        WAITING = "waiting", _("Waiting (quota, limit, login or a retry)")
        FAILED = "failed", _("Failed")

    post = models.ForeignKey(
        "posts.Post", null=True, blank=True, on_delete=models.CASCADE, related_name="uploads", verbose_name=_("post"),
    )
    compilation = models.ForeignKey(
        "generation.Compilation", null=True, blank=True, on_delete=models.CASCADE, related_name="uploads",
        verbose_name=_("compilation"),
    )
    platform = models.CharField(_("platform"), max_length=16, help_text=_("The uploader's name (UPLOADERS)."))
    state = models.CharField(_("state"), max_length=16, choices=State.choices, default=State.PENDING)
    error = models.CharField(
        _("error"), max_length=500, blank=True, help_text=_("Why the last attempt on this platform stopped."),
    )
    video_id = models.CharField(_("video id"), max_length=64, blank=True)
    url = models.URLField(_("url"), max_length=500, blank=True)
    uploaded_at = models.DateTimeField(_("uploaded at"), null=True, blank=True)
    publish_at = models.DateTimeField(
        _("publish at"), null=True, blank=True, help_text=_("Scheduled to go public then."),
    )
    processing_status = models.CharField(
        _("processing status"), max_length=32, blank=True,
        help_text=_("What the platform made of the video: uploaded, processed, rejected, failed, removed."),
    )
    processing_reason = models.CharField(
        _("processing reason"), max_length=64, blank=True, help_text=_("The platform's reason for a rejection."),
    )
    thumbnail_set_at = models.DateTimeField(
        _("thumbnail set at"), null=True, blank=True, help_text=_("Empty: set again on the next refresh."),
    )
    session = models.JSONField(default=dict, blank=True)
    views = models.PositiveBigIntegerField(_("views"), default=0)
    likes = models.PositiveBigIntegerField(_("likes"), default=0)
    comments = models.PositiveBigIntegerField(_("comments"), default=0)
    stats_fetched_at = models.DateTimeField(_("stats fetched at"), null=True, blank=True)
    taken_down_at = models.DateTimeField(_("taken down at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("upload")
        verbose_name_plural = _("uploads")
        constraints = [
            models.UniqueConstraint(fields=["post", "platform"], name="upload_post_platform_unique"),
            models.UniqueConstraint(fields=["compilation", "platform"], name="upload_compilation_platform_unique"),
            models.CheckConstraint(
                condition=(Q(post__isnull=False, compilation__isnull=True)
                           | Q(post__isnull=True, compilation__isnull=False)),
                name="upload_one_owner",
            ),
        ]
        indexes = [models.Index(fields=["uploaded_at"], name="upload_uploaded")]

    def __str__(self) -> str:
        shown = self.video_id or gettext("(not uploaded)")
        return f"{self.platform} {shown}"

    @property
    def owner(self):
        """The post or the compilation whose video this is."""
        return self.post if self.post_id else self.compilation
