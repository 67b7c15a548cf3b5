"""What the public overview page (`/` and `/status/`) shows: counts and times only, nothing private.

No text of undecided posts, no user names, no file paths: uploaded videos are public already,
so their title and public link are the only per-post data shown.
"""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crawling.models import CrawlRun
from crawling.registry import CRAWLERS, site_name
from posts.models import Post, Status, StatusChange
from publishing.models import Upload
from publishing.stats import totals
from wagglebot.q import DEFAULT_CLUSTER, GPU_CLUSTER

# Lazy labels: the cached snapshot serves every language, and each page shows its own.
WINDOWS = ((_("Last 24 h"), timedelta(hours=24)), (_("Last 7 days"), timedelta(days=7)))
CLUSTERS = (DEFAULT_CLUSTER, GPU_CLUSTER)
FAILURE_WINDOW = timedelta(days=7)


def overview_snapshot() -> dict:
    now = timezone.now()
    return {
        "generated_at": now,
        "counts": _status_counts(),
        "activity": [_activity(label, now - span) for label, span in WINDOWS],
        "uploads": _recent_uploads(),
        "clusters": [_cluster(name) for name in CLUSTERS],
        "failures": _failures(now - FAILURE_WINDOW),
        "audience": _audience(),
        "crawls": _crawls(),
    }


def _crawls() -> list[dict]:
    """Each site's last run and the fields whose markup seems to have changed (crawling.drift)."""
    runs = CrawlRun.objects.latest_per_site(CRAWLERS)
    return [{"site": site_name(run.site_code), "finished_at": run.finished_at, "degraded": run.drift_fields}
            for run in runs]


def _audience() -> dict:
    return totals()


def _status_counts() -> list[tuple[str, int]]:
    found = dict(Post.objects.order_by().values_list("status").annotate(n=Count("id")))
    return [(label, found.get(value, 0)) for value, label in Status.choices]


def _activity(label: str, since) -> dict:
    changes = StatusChange.objects.filter(at__gte=since)
    return {
        "window": label,
        "processed": changes.filter(old=Status.PROCESSING, new=Status.RENDERED).count(),
        "uploaded": changes.filter(new=Status.UPLOADED).count(),
    }


def _recent_uploads(limit: int = 10) -> list[dict]:
    rows = (
        Upload.objects.filter(post__status=Status.UPLOADED, uploaded_at__isnull=False)
        .order_by("-uploaded_at")
        .values("post__short__title", "url", "uploaded_at")[:limit]
    )
    return [
        {"title": row["post__short__title"], "video_url": row["url"] if _is_web(row["url"]) else "",
         "uploaded_at": row["uploaded_at"]}
        for row in rows
    ]


def _is_web(url: str) -> bool:
    return urlsplit(url).scheme.lower() in ("http", "https")


def _cluster(name: str) -> dict:
    from django_q.brokers import get_broker
    from django_q.models import Task

    last = Task.objects.filter(cluster=name).order_by("-stopped").values_list("stopped", flat=True).first()
    try:
        depth = get_broker(name).queue_size()
    except Exception:  # the broker being down is what /healthz reports; here it is just unknown
        depth = None
    return {"name": name, "last_finished": last, "queue_depth": depth}


def _failures(since) -> list[tuple[str, int]]:
    rows = (
        StatusChange.objects.filter(new=Status.FAILED, at__gte=since)
        .exclude(error_code="")
        .order_by()
        .values_list("error_code")
        .annotate(n=Count("id"))
        .order_by("-n", "error_code")
    )
    return list(rows)
