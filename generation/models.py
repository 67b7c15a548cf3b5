"""What generation makes: a post's short (script, speech, video, QC), its clips' transcripts, and ranked
compilations."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.timezone import now
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from posts.lifecycle import COMPILATION_LIFECYCLE, CompilationStatus
from posts.models import LifecycleModel, LifecycleQuerySet


class Short(models.Model):
    """The narration and rendered video of one post; the pipeline writes it, a person may edit
    the script, title and description. Publishing reads it; it knows nothing of uploads."""

    class ScriptSource(models.TextChoices):
        LLM = "llm", _("LLM")
        EXTRACTIVE = "extractive", _("Extractive")
        HUMAN = "human", _("Edited by a person")

    class Layout(models.TextChoices):
        AUTO = "auto", _("Automatic (a clip: the clip; few images: post card)")
        IMAGES = "images", _("Image story (slideshow)")
        POST_CARD = "post_card", _("Text story (post card)")
        VIDEO = "video", _("The post's clip")

    post = models.OneToOneField("posts.Post", on_delete=models.CASCADE, related_name="short", verbose_name=_("post"))
    script = models.TextField(_("script"), blank=True, help_text=_("Narration, at most 200 spoken characters."))
    script_source = models.CharField(_("script source"), max_length=16, choices=ScriptSource.choices, blank=True)
    script_data = models.JSONField(
        _("script data"), default=dict, blank=True, help_text=_("hook, body, closer, best comment"),
    )
    title = models.CharField(_("title"), max_length=100, blank=True)
    description = models.TextField(_("description"), blank=True)
    tags = models.JSONField(_("tags"), default=list, blank=True)
    layout = models.CharField(_("layout"), max_length=16, choices=Layout.choices, default=Layout.AUTO,
                              help_text=_("What the video shows; the next render uses it."))
    # Paths relative to MEDIA_ROOT, served to staff by the media view.
    audio_path = models.CharField(max_length=255, blank=True)
    video_path = models.CharField(max_length=255, blank=True)
    thumbnail_path = models.CharField(max_length=255, blank=True)  # 1280×720
    tall_thumbnail_path = models.CharField(max_length=255, blank=True)  # 1080×1920, for Shorts
    timings = models.JSONField(default=dict, blank=True)
    qc = models.JSONField(default=dict, blank=True)
    generation_meta = models.JSONField(default=dict, blank=True)
    # When the current video file was put in place: an upload started for an older render must
    # not be resumed for this one.
    rendered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("short")
        verbose_name_plural = _("shorts")

    def __str__(self) -> str:
        return self.title or gettext("short of post %(post)s") % {"post": self.post_id}


class Transcript(models.Model):
    """What was said in a post's clip, as an STT engine heard it (``generation/stt.py``).

    A low-confidence transcript (every Vosk one) is narrated only after a person confirms it,
    usually after correcting it: the offline model gets most Korean words wrong.
    """

    post = models.ForeignKey("posts.Post", on_delete=models.CASCADE, related_name="transcripts")
    source = models.CharField(_("source"), max_length=500, blank=True, help_text=_("The clip this was heard in."))
    text = models.TextField(_("text"), blank=True, help_text=_("As the engine heard it."))
    corrected_text = models.TextField(
        _("corrected text"), blank=True, help_text=_("A person's correction; narrated instead of the text."),
    )
    engine = models.CharField(max_length=32)
    model = models.CharField(max_length=200, blank=True)
    confidence = models.FloatField(null=True, blank=True)
    low_confidence = models.BooleanField(default=False)
    chain = models.CharField(
        _("chain"), max_length=200, blank=True, help_text=_("ffmpeg filters the audio went through."),
    )
    meta = models.JSONField(default=dict, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("transcript")
        verbose_name_plural = _("transcripts")

    def __str__(self) -> str:
        return gettext("%(engine)s transcript of post %(post)s") % {"engine": self.engine, "post": self.post_id}

    @classmethod
    def from_recognition(cls, post, recognition, *, source: str = "") -> Transcript:
        return cls.objects.create(
            post=post, source=source, text=recognition.text, engine=recognition.engine, model=recognition.model,
            confidence=recognition.confidence, low_confidence=recognition.low_confidence, chain=recognition.chain,
            meta=recognition.meta,
        )

    def narration_text(self) -> str:
        return (self.corrected_text or self.text).strip()

    def usable_for_narration(self) -> bool:
        return bool(self.narration_text()) and (not self.low_confidence or self.confirmed_at is not None)

    def confirm(self, *, by) -> None:
        """A person vouches for the text as it now reads (the correction, if any)."""
        self.confirmed_by, self.confirmed_at = by, now()
        self.save(update_fields=["confirmed_by", "confirmed_at", "corrected_text"])


class Compilation(LifecycleModel, models.Model):
    """A ranked countdown ("오늘의 베스트 TOP 5") of 2–10 posts, ordered by a person.

    It moves through its own table of ``posts.lifecycle`` (``COMPILATION_MOVES``) with the same
    guarded transition, failure kinds, leases and sweep as a post; ``CompilationChange`` is its
    history. The render writes the video fields, as the pipeline writes a Short's.
    """

    MIN_ITEMS, MAX_ITEMS = 2, 10

    lifecycle = COMPILATION_LIFECYCLE

    title = models.CharField(_("title"), max_length=100)
    description = models.TextField(_("description"), blank=True)
    posts = models.ManyToManyField("posts.Post", through="CompilationItem", related_name="compilations")
    intro = models.CharField(
        _("intro"), max_length=200, blank=True, help_text=_("Spoken first; empty: 오늘의 베스트 TOP N."),
    )
    outro = models.CharField(
        _("outro"), max_length=200, blank=True, help_text=_("Spoken last; empty: the default closing line."),
    )
    audio_path = models.CharField(max_length=255, blank=True)
    video_path = models.CharField(max_length=255, blank=True)
    thumbnail_path = models.CharField(max_length=255, blank=True)
    tall_thumbnail_path = models.CharField(max_length=255, blank=True)
    timings = models.JSONField(default=dict, blank=True)
    qc = models.JSONField(_("qc"), default=dict, blank=True)
    generation_meta = models.JSONField(default=dict, blank=True)
    rendered_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    # The weekly schedule's key for the draft it suggested ("weekly-2026-W49"): unique, so a second
    # run of the same week (a repeated delivery, two workers) finds it and drafts nothing.
    suggestion = models.CharField(max_length=16, null=True, blank=True, unique=True, editable=False)

    status = models.CharField(_("status"), max_length=16, choices=CompilationStatus.choices,
                              default=CompilationStatus.DRAFT, editable=False)
    error_code = models.CharField(_("error code"), max_length=32, blank=True, editable=False)
    error_message = models.TextField(_("error message"), blank=True, editable=False)
    error_permanent = models.BooleanField(default=False, editable=False)
    generation_attempts = models.PositiveSmallIntegerField(default=0, editable=False)
    upload_attempts = models.PositiveSmallIntegerField(default=0, editable=False)
    take_down_attempts = models.PositiveSmallIntegerField(default=0, editable=False)
    claimed_at = models.DateTimeField(null=True, blank=True, editable=False)
    not_before = models.DateTimeField(null=True, blank=True, editable=False)
    queued_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    objects = LifecycleQuerySet.as_manager()

    class Meta:
        verbose_name = _("compilation")
        verbose_name_plural = _("compilations")
        indexes = [
            models.Index(fields=["status", "created_at"], name="compilation_status_created"),
            models.Index(fields=["status", "claimed_at"], name="compilation_status_claimed"),
        ]

    def __str__(self) -> str:
        return self.title or gettext("compilation %(number)s") % {"number": self.pk}

    def record_change(self, *, old: str, new: str, by, reason: str, error_code: str) -> None:
        CompilationChange.objects.create(compilation=self, old=old, new=new, by=by, reason=reason,
                                         error_code=error_code)

    def ranked(self) -> list[CompilationItem]:
        """Items in the order the video counts them down: rank N first, rank 1 last."""
        return list(self.items.select_related("post").order_by("-rank"))


class CompilationItem(models.Model):
    """One post at one rank (1 = the best) of a compilation, with its condensed narration."""

    compilation = models.ForeignKey(Compilation, on_delete=models.CASCADE, related_name="items")
    post = models.ForeignKey("posts.Post", on_delete=models.PROTECT, related_name="compilation_items",
                             verbose_name=_("post"))
    rank = models.PositiveSmallIntegerField(_("rank"))
    narration = models.TextField(
        _("narration"), blank=True, help_text=_("Spoken for this rank; empty: written from the post."),
    )

    class Meta:
        ordering = ["compilation", "rank"]
        verbose_name = _("compilation item")
        verbose_name_plural = _("compilation items")
        constraints = [
            models.UniqueConstraint(fields=["compilation", "rank"], name="compilation_item_rank_unique"),
            models.UniqueConstraint(fields=["compilation", "post"], name="compilation_item_post_unique"),
        ]

    def __str__(self) -> str:
        return f"#{self.rank} {self.post_id}"


class CompilationChange(models.Model):
    """A compilation's status history, as ``posts.StatusChange`` is a post's."""

    compilation = models.ForeignKey(Compilation, on_delete=models.CASCADE, related_name="history")
    old = models.CharField(_("old"), max_length=16, choices=CompilationStatus.choices)
    new = models.CharField(_("new"), max_length=16, choices=CompilationStatus.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                           related_name="+", verbose_name=_("by"))
    reason = models.TextField(_("reason"), blank=True)
    error_code = models.CharField(_("error code"), max_length=32, blank=True)
    at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("compilation change")
        verbose_name_plural = _("compilation changes")
        indexes = [models.Index(fields=["compilation", "at"], name="compilation_change_at")]

    def __str__(self) -> str:
        return f"{self.old} → {self.new}"
