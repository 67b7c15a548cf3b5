"""Crawl runs and their failures, stats snapshots (momentum) and content fingerprints (duplicates)."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from posts.models import Post


class CrawlRunQuerySet(models.QuerySet):
    def latest_per_site(self, sites) -> list[CrawlRun]:
        """Each site's last finished run: one indexed query per site."""
        runs = (self.filter(site_code=site, finished_at__isnull=False).order_by("-started_at", "-pk").first()
                for site in sites)
        return [run for run in runs if run is not None]


class CrawlRun(models.Model):
    site_code = models.CharField(_("site code"), max_length=32)
    started_at = models.DateTimeField(_("started at"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    pages = models.PositiveIntegerField(_("pages"), default=0, help_text=_("Pages fetched and read."))
    new = models.PositiveIntegerField(_("new"), default=0)
    updated = models.PositiveIntegerField(_("updated"), default=0)
    skipped = models.PositiveIntegerField(
        _("skipped"), default=0, help_text=_("Too short, declined or a declined post's repost."),
    )
    failed = models.PositiveIntegerField(_("failed"), default=0)
    # Layout drift (crawling.drift): posts whose fields were read, per field the share read from the
    # primary source and the share nothing gave, and the fields that fell sharply against recent runs.
    parsed = models.PositiveIntegerField(
        _("parsed"), default=0, help_text=_("Posts read, whose field sources are counted."),
    )
    field_shares = models.JSONField(_("field shares"), default=dict, blank=True)
    drift = models.JSONField(_("drift"), default=list, blank=True, help_text=_("Fields whose sources changed sharply."))

    objects = CrawlRunQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at", "-pk"]
        verbose_name = _("crawl run")
        verbose_name_plural = _("crawl runs")
        indexes = [models.Index(fields=["site_code", "started_at"], name="crawlrun_site_started")]

    def __str__(self) -> str:
        return f"{self.site_code} {self.started_at:%Y-%m-%d %H:%M}"

    def failure_add(self, url: str, error: Exception | str) -> None:
        reason = error if isinstance(error, str) else f"{type(error).__name__}: {error}"
        CrawlFailure.objects.create(run=self, url=url[:500], error=reason or "unknown error")
        self.failed += 1

    def count(self, outcome: str) -> None:
        setattr(self, outcome, getattr(self, outcome) + 1)

    COUNTERS = ("pages", "new", "updated", "skipped", "failed")

    def counts_save(self) -> None:
        self.save(update_fields=self.COUNTERS)

    def finish(self) -> None:
        self.finished_at = timezone.now()
        self.save()

    @property
    def parses(self) -> list[dict]:
        """The parse records of the posts this process read in the run (not stored: the drift check
        keeps only their shares)."""
        if "_parses" not in self.__dict__:
            self._parses: list[dict] = []
        return self._parses

    @property
    def degraded(self) -> bool:
        """The site's markup seems to have changed: some field's sources fell sharply."""
        return bool(self.drift)

    @property
    def drift_fields(self) -> list[str]:
        return [change["field"] for change in self.drift]

    @property
    def total_failure(self) -> bool:
        """Nothing at all could be read: the site is down, blocked, or every page broke."""
        return self.failed > 0 and self.pages == 0


class CrawlFailure(models.Model):
    run = models.ForeignKey(CrawlRun, on_delete=models.CASCADE, related_name="failures", verbose_name=_("run"))
    url = models.URLField(_("url"), max_length=500)
    error = models.TextField(_("error"))
    at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("crawl failure")
        verbose_name_plural = _("crawl failures")
        indexes = [models.Index(fields=["at"], name="crawlfailure_at")]

    def __str__(self) -> str:
        return f"{self.url}: {self.error[:60]}"


class StatsSnapshot(models.Model):
    """A post's counters at one crawl; the series shows momentum in the admin."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="snapshots")
    at = models.DateTimeField(default=timezone.now)
    views = models.PositiveIntegerField(default=0)
    likes = models.IntegerField(default=0)
    comment_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["post", "at"]
        indexes = [models.Index(fields=["post", "at"], name="snapshot_post_at")]

    def __str__(self) -> str:
        return f"post {self.post_id} at {self.at:%Y-%m-%d %H:%M}"


class Fingerprint(models.Model):
    """64-bit SimHash of a post's title and body, split in eight 8-bit bands for indexed lookups:
    two hashes within 7 bits of each other share at least one band exactly (pigeonhole)."""

    post = models.OneToOneField(Post, on_delete=models.CASCADE, primary_key=True, related_name="fingerprint")
    simhash = models.BigIntegerField()  # stored signed; see crawling.duplicates
    band0 = models.PositiveSmallIntegerField()
    band1 = models.PositiveSmallIntegerField()
    band2 = models.PositiveSmallIntegerField()
    band3 = models.PositiveSmallIntegerField()
    band4 = models.PositiveSmallIntegerField()
    band5 = models.PositiveSmallIntegerField()
    band6 = models.PositiveSmallIntegerField()
    band7 = models.PositiveSmallIntegerField()

    class Meta:
        indexes = [models.Index(fields=[f"band{i}"], name=f"fingerprint_band{i}") for i in range(8)]

    def __str__(self) -> str:
        return f"{self.simhash & (2**64 - 1):016x}"


class SourceEdit(models.Model):
    """A known post whose title or body changed at the source, as a later crawl read it: the post
    now holds the new text; this keeps the hash (and title) of the text it replaced."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="source_edits")
    at = models.DateTimeField(_("at"), default=timezone.now)
    old_hash = models.CharField(_("old hash"), max_length=64)  # sha256 of "title\nbody", as saving.text_hash
    new_hash = models.CharField(_("new hash"), max_length=64)
    old_title = models.CharField(_("old title"), max_length=300, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("source edit")
        verbose_name_plural = _("source edits")
        indexes = [models.Index(fields=["post", "at"], name="sourceedit_post_at")]

    def __str__(self) -> str:
        return f"post {self.post_id} edited at {self.at:%Y-%m-%d %H:%M}"
