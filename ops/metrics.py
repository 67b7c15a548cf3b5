"""Prometheus metrics at ``/metrics``: stage durations, posts, queues, crawls, upload quota.

Two kinds of numbers:

- Stage durations happen in the worker processes of both Django-Q2 clusters (and in gunicorn
  workers), never in one process that could serve them. ``wagglebot.lib.metering`` writes them
  with prometheus_client's multiprocess mode into ``METRICS_DIR/<host>/``, and a scrape merges the
  files of every process on every host that shares ``METRICS_DIR``.
- Everything else is state that already lives in the database or the broker, so a scrape reads
  it there (a few grouped queries) instead of keeping counters that could drift.

Read from other apps:
- ``crawling.models.CrawlRun`` (site_code, finished_at, pages, new, updated, skipped, failed, and
  the last run's field_shares and drift per site);
- ``publishing.quota.quota_left()`` → ``{"units": n, "inserts": n}`` left today (Pacific-time
  quota day), with the daily limits ``YOUTUBE_DAILY_UNITS`` and ``YOUTUBE_DAILY_INSERTS``.
"""

from __future__ import annotations

import hmac
from collections.abc import Iterable, Iterator

from django.conf import settings
from django.db.models import Count, Max, Q, Sum
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector

from crawling.models import CrawlRun
from crawling.registry import CRAWLERS
from posts.models import Post, Status
from wagglebot.q import DEFAULT_CLUSTER, GPU_CLUSTER

CRAWL_RESULTS = ("new", "updated", "skipped", "failed")
# Metrics are mostly the task queue's state, so reading them takes the permission to view the
# queue: superusers have it, a moderator who is merely staff does not.
PERMISSION = "django_q.view_ormq"


@never_cache
def metrics_view(request: HttpRequest) -> HttpResponse:
    if not _authorized(request):
        response = HttpResponse(
            f"a staff login with {PERMISSION} or the bearer token is required\n", status=401, content_type="text/plain"
        )
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    return HttpResponse(generate_latest(registry()), content_type=CONTENT_TYPE_LATEST)


def _authorized(request: HttpRequest) -> bool:
    user = request.user
    if user.is_authenticated and user.is_active and user.is_staff and user.has_perm(PERMISSION):
        return True
    token = settings.METRICS_TOKEN
    header = request.headers.get("Authorization", "")
    # compare_digest: a timing difference must not reveal how much of a guessed token was right.
    return bool(token) and hmac.compare_digest(header.encode(), f"Bearer {token}".encode())


def registry() -> CollectorRegistry:
    """A fresh registry per scrape: files and rows are read at collect time."""
    reg = CollectorRegistry(auto_describe=False)
    reg.register(StageCollector())
    reg.register(DatabaseCollector())
    return reg


class StageCollector:
    def collect(self) -> list[Metric]:
        root = settings.METRICS_DIR
        files = [str(path) for path in sorted(root.glob("*/*.db"))] if root.is_dir() else []
        return MultiProcessCollector.merge(files, accumulate=True)


class DatabaseCollector:
    def collect(self) -> Iterator[Metric]:
        yield posts_by_status()
        yield from queue_depth()
        yield from crawl_results()
        yield from crawl_layout()
        yield from upload_quota()


def posts_by_status() -> GaugeMetricFamily:
    counts = dict.fromkeys(Status.values, 0)
    for row in Post.objects.order_by().values("status").annotate(n=Count("pk")):
        counts[row["status"]] = row["n"]
    family = GaugeMetricFamily("wagglebot_posts", "Posts by status.", labels=["status"])
    for status, n in counts.items():
        family.add_metric([status], n)
    return family


def clusters() -> list[str]:
    return [settings.Q_CLUSTER.get("name", DEFAULT_CLUSTER), *settings.Q_CLUSTER.get("ALT_CLUSTERS", {GPU_CLUSTER: {}})]


def queue_depth() -> Iterator[GaugeMetricFamily]:
    waiting = GaugeMetricFamily("wagglebot_queue_depth", "Tasks waiting in each cluster's queue.", labels=["cluster"])
    if settings.Q_CLUSTER.get("redis"):
        depths, in_flight = _redis_depths(), None
    else:
        depths, in_flight = _orm_depths()
    for cluster, n in depths.items():
        waiting.add_metric([cluster], n)
    yield waiting
    if in_flight is not None:
        family = GaugeMetricFamily(
            "wagglebot_queue_in_flight", "Tasks a worker has taken but not acknowledged.", labels=["cluster"]
        )
        for cluster, n in in_flight.items():
            family.add_metric([cluster], n)
        yield family


def _orm_depths() -> tuple[dict[str, int], dict[str, int]]:
    from django_q.models import OrmQ

    # The ORM broker locks a taken task until now + retry: a future lock means a worker has it.
    now = timezone.now()
    rows = OrmQ.objects.order_by().values("key").annotate(
        waiting=Count("pk", filter=~Q(lock__gt=now)), taken=Count("pk", filter=Q(lock__gt=now))
    )
    waiting, taken = dict.fromkeys(clusters(), 0), dict.fromkeys(clusters(), 0)
    for row in rows:
        waiting[row["key"]] = row["waiting"]
        taken[row["key"]] = row["taken"]
    return waiting, taken


def _redis_depths() -> dict[str, int]:
    from django_q.brokers.redis_broker import Redis

    return {cluster: Redis(list_key=cluster).queue_size() for cluster in clusters()}


def crawl_results() -> Iterator[Metric]:
    rows = CrawlRun.objects.order_by().values("site_code").annotate(
        runs=Count("pk"), pages=Sum("pages"), new=Sum("new"), updated=Sum("updated"),
        skipped=Sum("skipped"), failed=Sum("failed"), last=Max("finished_at"),
    )
    yield from _crawl_families(rows)


def _crawl_families(rows: Iterable[dict]) -> Iterator[Metric]:
    runs = CounterMetricFamily("wagglebot_crawl_runs", "Crawl runs per site.", labels=["site"])
    pages = CounterMetricFamily("wagglebot_crawl_pages", "Pages fetched by crawls, per site.", labels=["site"])
    results = CounterMetricFamily(
        "wagglebot_crawl_posts", "Posts seen by crawls per site, by result.", labels=["site", "result"]
    )
    last = GaugeMetricFamily(
        "wagglebot_crawl_last_finished_timestamp_seconds", "When the last crawl of a site finished.", labels=["site"]
    )
    for row in rows:
        site = row["site_code"]
        runs.add_metric([site], row["runs"])
        pages.add_metric([site], row["pages"] or 0)
        for result in CRAWL_RESULTS:
            results.add_metric([site, result], row[result] or 0)
        if row["last"] is not None:
            last.add_metric([site], row["last"].timestamp())
    yield from (runs, pages, results, last)


def crawl_layout() -> Iterator[GaugeMetricFamily]:
    """Each site's last run: degraded or not, and per field the shares of posts whose value came
    from the primary source and that nothing gave (crawling.drift)."""
    degraded = GaugeMetricFamily(
        "wagglebot_crawl_degraded", "1 when a site's last crawl found its markup changed.", labels=["site"]
    )
    primary = GaugeMetricFamily(
        "wagglebot_crawl_field_primary_ratio", "Share of posts whose field came from the primary source.",
        labels=["site", "field"],
    )
    empty = GaugeMetricFamily(
        "wagglebot_crawl_field_empty_ratio", "Share of posts whose field no source gave.", labels=["site", "field"]
    )
    for run in CrawlRun.objects.latest_per_site(CRAWLERS):
        degraded.add_metric([run.site_code], int(run.degraded))
        for field, shares in sorted(run.field_shares.items()):
            primary.add_metric([run.site_code, field], shares["primary"])
            empty.add_metric([run.site_code, field], shares["empty"])
    yield from (degraded, primary, empty)


def upload_quota() -> Iterator[GaugeMetricFamily]:
    from publishing.quota import quota_left

    limits = {"units": settings.YOUTUBE_DAILY_UNITS, "inserts": settings.YOUTUBE_DAILY_INSERTS}
    used = GaugeMetricFamily("wagglebot_upload_quota_used", "YouTube API quota used today.", labels=["bucket"])
    limit = GaugeMetricFamily("wagglebot_upload_quota_limit", "YouTube API quota per day.", labels=["bucket"])
    for bucket, left in quota_left().items():
        used.add_metric([bucket], limits[bucket] - left)
        limit.add_metric([bucket], limits[bucket])
    yield from (used, limit)
