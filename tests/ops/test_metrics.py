from __future__ import annotations

import os
import subprocess
import sys
import types
import urllib.request
import uuid
from datetime import timedelta

import pytest
import redis
from django.contrib.auth.models import Permission, User
from django.utils import timezone
from django_q.models import OrmQ
from django_q.tasks import async_task
from prometheus_client.parser import text_string_to_metric_families

from posts.models import Post
from tests.conftest import require
from wagglebot.lib.stages import StageError, stage

pytestmark = pytest.mark.django_db
TOKEN = "metrics-token-0123456789abcdef"


def samples(response) -> dict[tuple[str, frozenset], float]:
    """``{(sample name, labels): value}`` from a Prometheus text exposition."""
    assert response.status_code == 200, response.content
    return parse(response.content.decode())


def parse(text: str) -> dict[tuple[str, frozenset], float]:
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def value(found: dict, name: str, **labels) -> float | None:
    return found.get((name, frozenset(labels.items())))


@pytest.fixture
def staff_client(client):
    user = User.objects.create_user("ops", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_ormq", content_type__app_label="django_q"))
    client.force_login(user)
    return client


def make_post(n: int) -> Post:
    url = f"https://pann.nate.com/talk/{n}"
    return Post.objects.create(site_code="nate_pann", origin_id=str(n), url=url, title="t")


def unique_stage() -> str:
    # Metric files outlive a test run (one per process), so every test observes its own stage.
    return f"test_{uuid.uuid4().hex[:12]}"


def test_anonymous_requests_are_refused_with_a_bearer_challenge(client):
    response = client.get("/metrics")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert b"wagglebot_posts" not in response.content


def test_a_logged_in_user_who_is_not_staff_is_refused(client):
    client.force_login(User.objects.create_user("viewer"))
    assert client.get("/metrics").status_code == 401


def test_staff_without_the_queue_permission_are_refused(client):
    client.force_login(User.objects.create_user("moderator", is_staff=True))
    assert client.get("/metrics").status_code == 401


def test_staff_with_the_queue_permission_can_read_metrics(staff_client):
    response = staff_client.get("/metrics")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    assert "no-cache" in response["Cache-Control"]


def test_the_bearer_token_opens_metrics_when_set(client, settings):
    settings.METRICS_TOKEN = TOKEN
    assert client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 200
    assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401


def test_an_empty_token_setting_opens_nothing(client, settings):
    settings.METRICS_TOKEN = ""
    assert client.get("/metrics", headers={"Authorization": "Bearer "}).status_code == 401


def test_posts_are_counted_by_status(staff_client):
    posts = [make_post(n) for n in range(6)]
    for post in posts[:3]:
        post.apply("approve")
    posts[3].apply("decline")

    found = samples(staff_client.get("/metrics"))
    assert value(found, "wagglebot_posts", status="APPROVED") == 3
    assert value(found, "wagglebot_posts", status="DECLINED") == 1
    assert value(found, "wagglebot_posts", status="COLLECTED") == 2
    assert value(found, "wagglebot_posts", status="UPLOADED") == 0


def test_a_stage_run_shows_up_in_the_duration_histogram(staff_client):
    name = unique_stage()
    with stage(name, post_id=1):
        pass
    with pytest.raises(StageError), stage(name, post_id=1):
        raise StageError("ffmpeg exited 1")

    found = samples(staff_client.get("/metrics"))
    assert value(found, "wagglebot_stage_duration_seconds_count", stage=name, outcome="ok") == 1
    assert value(found, "wagglebot_stage_duration_seconds_count", stage=name, outcome="failed") == 1
    assert value(found, "wagglebot_stage_duration_seconds_bucket", stage=name, outcome="ok", le="+Inf") == 1


def test_stage_durations_from_another_process_are_merged(staff_client):
    name = unique_stage()
    code = (
        "import django; django.setup(); from wagglebot.lib.metering import observe_stage; "
        f"observe_stage({name!r}, 42.0, ok=True); observe_stage({name!r}, 0.2, ok=True)"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "wagglebot.settings"}
    subprocess.run([sys.executable, "-c", code], env=env, check=True, timeout=120)

    found = samples(staff_client.get("/metrics"))
    assert value(found, "wagglebot_stage_duration_seconds_count", stage=name, outcome="ok") == 2
    assert value(found, "wagglebot_stage_duration_seconds_sum", stage=name, outcome="ok") == pytest.approx(42.2)
    assert value(found, "wagglebot_stage_duration_seconds_bucket", stage=name, outcome="ok", le="30.0") == 1


def test_queue_depth_is_reported_per_cluster(staff_client):
    for n in range(3):
        async_task("math.floor", n, cluster="gpu")
    async_task("math.floor", 1, cluster="default")
    # A task a worker took: the ORM broker locks it into the future until it is acknowledged.
    taken = OrmQ.objects.filter(key="gpu").first()
    OrmQ.objects.filter(pk=taken.pk).update(lock=timezone.now() + timedelta(minutes=10))

    found = samples(staff_client.get("/metrics"))
    assert value(found, "wagglebot_queue_depth", cluster="gpu") == 2
    assert value(found, "wagglebot_queue_in_flight", cluster="gpu") == 1
    assert value(found, "wagglebot_queue_depth", cluster="default") == 1
    assert value(found, "wagglebot_queue_in_flight", cluster="default") == 0


def test_empty_queues_still_report_both_clusters(staff_client):
    found = samples(staff_client.get("/metrics"))
    assert value(found, "wagglebot_queue_depth", cluster="default") == 0
    assert value(found, "wagglebot_queue_depth", cluster="gpu") == 0


@pytest.fixture
def redis_broker(settings, monkeypatch):
    """Point the Django-Q2 Redis broker at a scratch Redis database, as REDIS_URL does."""
    from django_q.brokers.redis_broker import Redis
    from django_q.conf import Conf

    url = "redis://127.0.0.1:6379/15"
    monkeypatch.setattr(Conf, "REDIS", url)
    settings.Q_CLUSTER = {**settings.Q_CLUSTER, "redis": url}
    try:
        Redis(list_key="gpu").ping()
    except redis.exceptions.ConnectionError:
        require(False, "Redis at 127.0.0.1:6379")
    brokers = {name: Redis(list_key=name) for name in ("default", "gpu")}
    yield brokers
    for broker in brokers.values():
        broker.purge_queue()


def test_queue_depth_with_the_redis_broker_is_the_list_length(staff_client, redis_broker):
    for n in range(2):
        redis_broker["gpu"].enqueue(f"task {n}")

    found = samples(staff_client.get("/metrics"))
    assert value(found, "wagglebot_queue_depth", cluster="gpu") == 2
    assert value(found, "wagglebot_queue_depth", cluster="default") == 0


def test_upload_quota_used_is_the_daily_limit_minus_what_is_left(staff_client, settings, monkeypatch):
    # The interface publishing.quota offers: quota_left() per bucket, limits in settings.
    quota = types.ModuleType("publishing.quota")
    quota.quota_left = lambda: {"units": 6800, "inserts": 96}
    monkeypatch.setitem(sys.modules, "publishing.quota", quota)
    settings.YOUTUBE_DAILY_UNITS, settings.YOUTUBE_DAILY_INSERTS = 10000, 100

    found = samples(staff_client.get("/metrics"))
    assert value(found, "wagglebot_upload_quota_used", bucket="units") == 3200
    assert value(found, "wagglebot_upload_quota_limit", bucket="units") == 10000
    assert value(found, "wagglebot_upload_quota_used", bucket="inserts") == 4
    assert value(found, "wagglebot_upload_quota_limit", bucket="inserts") == 100


def test_upload_quota_spent_by_publishing_shows_in_metrics(staff_client, settings):
    from publishing import quota

    settings.YOUTUBE_DAILY_UNITS, settings.YOUTUBE_DAILY_INSERTS = 10000, 100
    for _ in range(4):
        quota.quota_spend("videos.insert")
    for _ in range(3):
        quota.quota_spend("thumbnails.set")

    found = samples(staff_client.get("/metrics"))
    assert value(found, "wagglebot_upload_quota_used", bucket="units") == 150
    assert value(found, "wagglebot_upload_quota_used", bucket="inserts") == 4


def test_crawl_results_are_summed_per_site(staff_client):
    from crawling import models as crawl_models

    now = timezone.now()
    for new, updated, failed in ((3, 1, 0), (2, 4, 1)):
        crawl_models.CrawlRun.objects.create(
            site_code="nate_pann", started_at=now, finished_at=now, pages=5, new=new, updated=updated, skipped=2,
            failed=failed,
        )

    found = samples(staff_client.get("/metrics"))
    assert value(found, "wagglebot_crawl_runs_total", site="nate_pann") == 2
    assert value(found, "wagglebot_crawl_pages_total", site="nate_pann") == 10
    assert value(found, "wagglebot_crawl_posts_total", site="nate_pann", result="new") == 5
    assert value(found, "wagglebot_crawl_posts_total", site="nate_pann", result="updated") == 5
    assert value(found, "wagglebot_crawl_posts_total", site="nate_pann", result="skipped") == 4
    assert value(found, "wagglebot_crawl_posts_total", site="nate_pann", result="failed") == 1
    assert value(found, "wagglebot_crawl_last_finished_timestamp_seconds", site="nate_pann") == now.timestamp()


@pytest.fixture
def exporter():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "wagglebot.settings"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "ops.metrics_exporter", "--port", "0"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )
    try:
        yield f"http://127.0.0.1:{int(proc.stdout.readline())}/metrics"
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_the_standalone_exporter_serves_this_hosts_stage_durations(exporter):
    name = unique_stage()
    with stage(name, post_id=5):
        pass

    found = parse(urllib.request.urlopen(exporter, timeout=30).read().decode())
    assert value(found, "wagglebot_stage_duration_seconds_count", stage=name, outcome="ok") == 1
    assert not any(key[0] == "wagglebot_posts" for key in found)
