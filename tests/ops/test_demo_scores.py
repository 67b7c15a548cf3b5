"""The demo approves the best-scored sample posts: the samples are dated relative to the crawl so
they fall inside the scoring window, and the pick is the top of a total order, not a tie."""

from __future__ import annotations

import json
from datetime import datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from crawling.scoring import raw_score
from ops.management.commands.demo import NEWEST_SAMPLE_AGE, SAMPLES, best_posts, samples_make_recent
from posts.models import Post, Status
from tests.conftest import require_binary
from tests.ops.netguard import sitecustomize as netguard

pytestmark = [pytest.mark.django_db, pytest.mark.browser]


@pytest.fixture
def samples(settings, monkeypatch, tmp_path):
    """The bundled samples crawled as the demo crawls them, with this process kept off the network."""
    settings.CRAWL_CHROMIUM_PATH = require_binary("chromium")
    log = tmp_path / "netguard.log"
    for owner, name, guarded in netguard.guards(str(log)):
        monkeypatch.setattr(owner, name, guarded)
    call_command("crawl", fixtures=str(SAMPLES), robots="ignore", stdout=StringIO(), stderr=StringIO())
    yield
    assert not log.exists(), log.read_text()


def published_at_in_fixtures() -> dict[str, datetime]:
    dates = {}
    for expected in SAMPLES.glob("*/expected.json"):
        for post in json.loads(expected.read_text("utf-8"))["posts"]:
            dates[post["origin_id"]] = datetime.fromisoformat(post["published_at"])
    return dates


def test_samples_are_dated_hours_before_the_crawl_keeping_their_order_and_all_score(samples):
    now = timezone.now()
    samples_make_recent(now)

    posts = list(Post.objects.all())
    fixtures = published_at_in_fixtures()
    shifts = {post.source_published_at - fixtures[post.origin_id] for post in posts}
    assert len(posts) >= 10
    assert len(shifts) == 1  # one shift for all: the samples keep their order and distances
    assert max(post.source_published_at for post in posts) == now - NEWEST_SAMPLE_AGE
    assert all(post.score > 0 for post in posts)


def test_the_demo_approves_the_top_three_of_a_total_order_of_non_zero_scores(samples):
    now = timezone.now()
    samples_make_recent(now)

    chosen = best_posts(3, now)

    ranked = sorted(
        ((post.score, raw_score(post, now)) for post in Post.objects.filter(status=Status.COLLECTED)), reverse=True
    )
    keys = [(post.score, raw_score(post, now)) for post in chosen]
    assert keys == ranked[:3]
    assert all(score > 0 for score, _ in keys)
    assert len(set(keys)) == 3 and keys[2] > ranked[3]  # no tie at the cut: the pick is not arbitrary
    scores = [score for score, _ in keys]
    assert len(set(scores)) == 3 and scores[2] > ranked[3][0]  # distinct scores, not only tie-breaks
