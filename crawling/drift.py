"""Layout drift: tell the operator the same hour a site changes its markup, not weeks later.

Every crawl run keeps, per post field, the share of its posts whose field came from the primary
source (the site's first selector) and the share where no source answered (``crawling.fields``).
A site that renames one element keeps working through the fallbacks, so nothing fails; only
these shares move. A field whose primary share falls by more than ``DROP`` against the median of
the site's last ``HISTORY`` runs, or whose empty share rises by more than ``DROP``, marks the run
degraded: the admin, the status page and ``/metrics`` show it and a WARNING names site and field.
"""

from __future__ import annotations

import logging
from statistics import median

from crawling.models import CrawlRun

log = logging.getLogger("wagglebot.crawling")
DROP = 0.4  # 40 points: a real change of markup, not a few odd posts
HISTORY = 5  # runs the current one is compared with
MIN_POSTS = 3  # fewer parsed posts say nothing about a layout


def field_shares(parses: list[dict]) -> dict[str, dict[str, float]]:
    """``{field: {"primary": share, "empty": share}}`` over the posts' parse records."""
    counts: dict[str, list[int]] = {}
    for record in parses:
        fallback, missing = set(record.get("fallback", ())), set(record.get("missing", ()))
        for name in record.get("sources", {}):
            tally = counts.setdefault(name, [0, 0, 0])  # primary, empty, posts
            tally[0] += name not in fallback and name not in missing
            tally[1] += name in missing
            tally[2] += 1
    return {name: {"primary": round(p / n, 3), "empty": round(e / n, 3)} for name, (p, e, n) in counts.items()}


def drift_find(shares: dict[str, dict[str, float]], history: list[dict]) -> list[dict]:
    """The fields whose shares moved sharply against the median of ``history`` (earlier runs' shares)."""
    found = []
    for name, now in shares.items():
        past = [run[name] for run in history if name in run]
        if not past:
            continue
        usual = {key: median(share[key] for share in past) for key in ("primary", "empty")}
        if usual["primary"] - now["primary"] > DROP or now["empty"] - usual["empty"] > DROP:
            found.append({"field": name, **now, "usual_primary": usual["primary"], "usual_empty": usual["empty"]})
    return found


def run_assess(run: CrawlRun, parses: list[dict]) -> None:
    """Record the run's field shares and any drift on ``run`` (saved by ``run.finish()``)."""
    if len(parses) < MIN_POSTS:
        return
    run.parsed = len(parses)
    run.field_shares = field_shares(parses)
    earlier = (
        CrawlRun.objects.filter(site_code=run.site_code, parsed__gte=MIN_POSTS, started_at__lte=run.started_at)
        .exclude(pk=run.pk).order_by("-started_at", "-pk").values_list("field_shares", flat=True)[:HISTORY]
    )
    run.drift = drift_find(run.field_shares, list(earlier))
    for change in run.drift:
        log.warning(
            "crawl %s: layout drift in field %s: primary source %.0f%% (usual %.0f%%), empty %.0f%% (usual %.0f%%)",
            run.site_code, change["field"], change["primary"] * 100, change["usual_primary"] * 100,
            change["empty"] * 100, change["usual_empty"] * 100,
        )
