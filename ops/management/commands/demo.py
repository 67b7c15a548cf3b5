"""``make demo``: the whole pipeline offline on the bundled sample pages.

Migrates, creates the demo login, crawls the sample pages through the real crawler, approves the
best-scored posts, starts the web server and both clusters, publishes each rendered short with
the local uploader, and reports progress per stage and per post. ``--once`` exits when every
approved post is published (or failed); otherwise the processes keep running until Ctrl-C.
"""

from __future__ import annotations

import json
import logging
import secrets
import time
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from posts.models import Post, Status
from posts.queue import generation_enqueue, upload_enqueue
from wagglebot.lib.procs import ServiceError, ServiceGroup
from wagglebot.q import DEFAULT_CLUSTER, GPU_CLUSTER

SAMPLES = settings.BASE_DIR / "tests" / "fixtures" / "sites"
DONE = {Status.UPLOADED, Status.FAILED}
# Everything the demo runs must work without a network: these pick the offline engines.
OFFLINE_ENV = {
    "SCRIPT_WRITER": "extractive",
    "TTS_ENGINES": "espeak",
    "UPLOADER": "local",
    "LOG_FORMAT": "json",
}


class Command(BaseCommand):
    help = "Run the whole pipeline offline on the bundled sample pages (make demo)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--once", action="store_true", help="exit when the sample shorts are published")
        parser.add_argument("--posts", type=int, default=3, help="how many of the best posts to approve")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--timeout", type=int, default=900, help="seconds --once waits for the pipeline")

    def handle(self, *args, once: bool, posts: int, port: int, timeout: int, **options) -> None:
        started = time.monotonic()
        # The demo prints its own per-stage progress; the loggers would repeat every line.
        for name in ("wagglebot.stages", "django-q"):
            logging.getLogger(name).setLevel(logging.WARNING)
        self.step("migrating the database")
        call_command("migrate", verbosity=0)
        call_command("sync_schedules", stdout=self.stdout, stderr=_Quiet())
        password = self.demo_user()
        log_dir = settings.BASE_DIR / "var" / "log" / "demo"
        self.crawl_samples(log_dir)
        chosen = self.approve_best(posts)
        with ServiceGroup(log_dir=log_dir, env=OFFLINE_ENV) as group:
            try:
                self.step("starting the web server, the default cluster and the gpu cluster")
                group.cluster(DEFAULT_CLUSTER)
                gpu = group.cluster(GPU_CLUSTER)
                group.web(port)
                self.follow(group, chosen, gpu.log_path, timeout if once else None)
                self.report(chosen, port, password, time.monotonic() - started)
                if not once:
                    self.wait_for_ctrl_c(group)
            except ServiceError as exc:
                raise CommandError(f"{exc} (is port {port} free? try ARGS='--port 8001')") from exc

    def step(self, text: str) -> None:
        self.stdout.write(self.style.MIGRATE_HEADING(f"==> {text}"))

    def crawl_samples(self, log_dir: Path) -> None:
        """The real crawler on the bundled pages; per-page progress goes to crawl.log."""
        self.step(f"crawling the sample pages in {SAMPLES.relative_to(settings.BASE_DIR)}")
        log_dir.mkdir(parents=True, exist_ok=True)
        with (log_dir / "crawl.log").open("w") as progress:
            # The samples mirror Nate Pann and Instiz, whose robots.txt shuts every crawler out;
            # reading bundled files is not crawling those sites, so the policy is overridden here.
            call_command("crawl", fixtures=str(SAMPLES), robots="ignore", stdout=self.stdout, stderr=progress)
        self.stdout.write(
            "    (the sample list pages link to many posts whose pages are not bundled: those count as"
            f" failed fetches; per-page progress is in {log_dir / 'crawl.log'})"
        )

    def demo_user(self) -> str:
        password = secrets.token_urlsafe(9)
        user, _ = get_user_model().objects.get_or_create(username=settings.DEMO_USERNAME)
        user.is_staff = user.is_superuser = True
        user.set_password(password)
        user.save()
        return password

    def approve_best(self, count: int) -> list[int]:
        best = Post.objects.filter(status=Status.COLLECTED, duplicate_of__isnull=True).order_by("-score")[:count]
        if not best:
            raise CommandError("the sample crawl saved no posts; see the crawl output above")
        user = get_user_model().objects.get(username=settings.DEMO_USERNAME)
        for post in best:
            post.approve(by=user, reason="demo")
            generation_enqueue(post)
            self.stdout.write(f"    approved post {post.pk} [{post.site_code}] {post.title}")
        return [post.pk for post in best]

    def follow(self, group: ServiceGroup, ids: list[int], stage_log: Path, timeout: int | None) -> None:
        """Print stage lines and status changes until every post is done; upload each render."""
        self.step("generating and publishing (per stage, per post)")
        deadline = time.monotonic() + (timeout or 10**9)
        seen: dict[int, str] = {}
        offset = 0
        while time.monotonic() < deadline:
            group.check_alive()
            offset = self.print_stages(stage_log, offset)
            for post in Post.objects.filter(pk__in=ids):
                if seen.get(post.pk) != post.status:
                    seen[post.pk] = post.status
                    self.stdout.write(f"    post {post.pk}: {post.status} {post.error_code} {post.error_message}")
                    if post.status == Status.RENDERED:
                        upload_enqueue(post)
            if all(status in DONE for status in seen.values()) and len(seen) == len(ids):
                return
            time.sleep(1)
        raise CommandError(f"the pipeline did not finish within {timeout} s; logs are in {group.log_dir}")

    def print_stages(self, log_path: Path, offset: int) -> int:
        if not log_path.exists():
            return offset
        with log_path.open("rb") as log:
            log.seek(offset)
            for raw in log:
                line = _stage_line(raw)
                if line:
                    self.stdout.write(f"    {line}")
            return log.tell()

    def report(self, ids: list[int], port: int, password: str, seconds: float) -> None:
        posts = Post.objects.filter(pk__in=ids).select_related("output")
        uploaded = [p for p in posts if p.status == Status.UPLOADED]
        self.step(f"done in {seconds:.0f} s: {len(uploaded)} of {len(ids)} shorts published")
        for post in posts:
            output = getattr(post, "output", None)
            qc = "QC passed" if output and output.qc.get("passed") else "QC not passed"
            where = output.video_url or output.video_path if output else "-"
            self.stdout.write(f"    post {post.pk} {post.status} {qc}: {where}")
        self.stdout.write(f"    admin: http://127.0.0.1:{port}/admin/  login {settings.DEMO_USERNAME} / {password}")
        self.stdout.write(f"    status page: http://127.0.0.1:{port}/status/")
        if len(uploaded) != len(ids):
            raise CommandError("some sample posts failed; their error codes are listed above")

    def wait_for_ctrl_c(self, group: ServiceGroup) -> None:
        self.stdout.write("    running; press Ctrl-C to stop")
        try:
            while True:
                group.check_alive()
                time.sleep(2)
        except KeyboardInterrupt:
            self.stdout.write("    stopping")


def _stage_line(raw: bytes) -> str:
    try:
        record = json.loads(raw)
    except ValueError:
        return ""
    event = record.get("event", "")
    if not event.startswith("STAGE_"):
        return ""
    took = f" in {record['duration_ms'] / 1000:.1f} s" if "duration_ms" in record else ""
    error = f" {record.get('error_code')}" if event == "STAGE_FAILED" else ""
    return f"post {record.get('post_id')} · {record.get('stage')} {event[6:].lower()}{took}{error}"


class _Quiet:
    def write(self, *args) -> None:
        pass

    def flush(self) -> None:
        pass
