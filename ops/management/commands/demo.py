"""``make demo``: the whole pipeline offline on the bundled sample pages.

Every run starts on a fresh folder of its own (``var/demo``: a SQLite file, media, metrics, logs),
never on the configured database, and reaches no network: no live crawl, no edge-tts, no LLM
download, no YouTube. It migrates, creates the demo login, crawls the sample pages through the
real crawler, dates them as if posted in the last hours so they score, approves the best-scored
posts, starts the web server and both clusters, publishes each rendered short with the local
uploader, and reports progress per stage and per post. It then ranks the published shorts (best
score first, at most three) into a TOP-3 compilation, approves it and waits for the gpu cluster
to render it. ``--once`` exits when every approved post is published (or failed) and the
compilation is rendered; otherwise the processes keep running until Ctrl-C.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import shutil
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db.models import F, Max
from django.utils import timezone
from django_q.models import Schedule

from crawling.duplicates import canonicals_refresh
from crawling.scoring import raw_score, scores_recompute
from generation.compilation import compilation_approve, compilation_create
from generation.models import Compilation
from ops.schedules import schedules
from posts.models import Post, Status
from posts.services import post_approve, post_schedule_upload
from wagglebot.lib.procs import ServiceError, ServiceGroup
from wagglebot.q import DEFAULT_CLUSTER, GPU_CLUSTER

SAMPLES = settings.BASE_DIR / "tests" / "fixtures" / "sites"
DONE = {Status.UPLOADED, Status.FAILED}
# Set (to the demo folder) in the environment of the relaunched demo and every process it starts.
DEMO_DIR_ENV = "WAGGLEBOT_DEMO_DIR"
# Only the schedules that stay offline: the hourly crawl.<site> schedules would crawl the real
# communities within a minute of the default cluster starting.
DEMO_SCHEDULES = ("posts.sweep",)
# The newest sample is dated this long before the demo's crawl, the others keep their distance to it.
NEWEST_SAMPLE_AGE = timedelta(hours=3)


class Command(BaseCommand):
    help = "Run the whole pipeline offline on the bundled sample pages (make demo)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--once", action="store_true", help="exit when the sample shorts are published")
        parser.add_argument("--posts", type=int, default=3, help="how many of the best posts to approve")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--timeout", type=int, default=900, help="seconds --once waits for the pipeline")
        parser.add_argument(
            "--dir", dest="folder", default=str(settings.BASE_DIR / "var" / "demo"),
            help="the demo's own folder (database, media, logs), emptied at the start of every run",
        )

    def handle(self, *args, once: bool, posts: int, port: int, timeout: int, folder: str, **options) -> None:
        folder_path = Path(folder).resolve()
        if os.environ.get(DEMO_DIR_ENV) != str(folder_path):
            argv = [f"--posts={posts}", f"--port={port}", f"--timeout={timeout}", f"--dir={folder_path}"]
            self.relaunch(folder_path, [*argv, "--once"] if once else argv)
            return
        started = time.monotonic()
        # The demo prints its own per-stage progress; the loggers would repeat every line.
        for name in ("wagglebot.stages", "django-q"):
            logging.getLogger(name).setLevel(logging.WARNING)
        self.step(f"migrating the demo's own database in {folder_path}")
        call_command("migrate", verbosity=0)
        schedules_create()
        password = self.demo_user()
        log_dir = folder_path / "log"
        self.crawl_samples(log_dir)
        chosen = self.approve_best(posts)
        # The stage lines the demo follows are read from the gpu cluster's JSON log.
        with ServiceGroup(log_dir=log_dir, env={"LOG_FORMAT": "json"}) as group:
            try:
                self.step("starting the web server, the default cluster and the gpu cluster")
                group.cluster(DEFAULT_CLUSTER)
                gpu = group.cluster(GPU_CLUSTER)
                group.web(port)
                self.follow(group, chosen, gpu.log_path, timeout if once else None)
                compilation = self.compile_top(chosen, timeout if once else None)
                self.report(chosen, port, password, time.monotonic() - started)
                self.report_compilation(compilation)
                if not once:
                    self.wait_for_ctrl_c(group)
            except ServiceError as exc:
                raise CommandError(f"{exc} (is port {port} free? try ARGS='--port 8001')") from exc

    def relaunch(self, folder: Path, argv: list[str]) -> None:
        """Run this command again in a fresh folder, with the demo's environment.

        Settings are read once per process, and the demo's database, media, broker and engines
        must be its own in this process and in every process it starts: a developer's ``.env``
        may point DATABASE_URL at real data and REDIS_URL at a shared broker.
        """
        folder_reset(folder)
        process = subprocess.Popen(
            [sys.executable, str(settings.BASE_DIR / "manage.py"), "demo", *argv],
            cwd=settings.BASE_DIR, env={**os.environ, **demo_env(folder)},
        )
        while True:
            try:
                code = process.wait()
                break
            except KeyboardInterrupt:
                continue  # Ctrl-C reached the demo as well: wait while it stops its processes
        if code:
            raise CommandError(f"the demo exited with code {code}", returncode=code)

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
        samples_make_recent(timezone.now())

    def demo_user(self) -> str:
        password = secrets.token_urlsafe(9)
        user, _ = get_user_model().objects.get_or_create(username=settings.DEMO_USERNAME)
        user.is_staff = user.is_superuser = True
        user.set_password(password)
        user.save()
        return password

    def approve_best(self, count: int) -> list[int]:
        best = best_posts(count, timezone.now())
        if not best:
            raise CommandError("the sample crawl saved no posts; see the crawl output above")
        user = get_user_model().objects.get(username=settings.DEMO_USERNAME)
        for post in best:
            post_approve(post=post, by=user, reason="demo")
            self.stdout.write(f"    approved post {post.pk} [{post.site_code}] score {post.score:.3f} {post.title}")
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
                        post_schedule_upload(post=post, reason="demo")
            if all(status in DONE for status in seen.values()) and len(seen) == len(ids):
                return
            time.sleep(1)
        raise CommandError(f"the pipeline did not finish within {timeout} s; logs are in {group.log_dir}")

    def compile_top(self, ids: list[int], timeout: int | None) -> Compilation | None:
        """The published shorts, best score first, as a TOP-3 rendered by the gpu cluster."""
        posts = list(Post.objects.filter(pk__in=ids, status=Status.UPLOADED).order_by("-score", "pk")[:3])
        if len(posts) < Compilation.MIN_ITEMS:
            self.stdout.write("    fewer than two shorts were published: no compilation")
            return None
        self.step(f"ranking the {len(posts)} published shorts into a compilation")
        user = get_user_model().objects.get(username=settings.DEMO_USERNAME)
        compilation = compilation_create(posts=posts, title=f"데모 베스트 TOP {len(posts)}", by=user)
        compilation_approve(compilation=compilation, by=user, reason="demo")
        deadline = time.monotonic() + (timeout or 10**9)
        while time.monotonic() < deadline:
            compilation.refresh_from_db()
            if compilation.status in (Status.RENDERED, Status.FAILED):
                return compilation
            time.sleep(1)
        raise CommandError(f"the compilation did not render within {timeout} s")

    def report_compilation(self, compilation: Compilation | None) -> None:
        if compilation is None:
            return
        qc = "QC passed" if compilation.qc.get("passed") else "QC not passed"
        where = Path(settings.MEDIA_ROOT) / compilation.video_path if compilation.video_path else "-"
        self.stdout.write(f"    compilation {compilation.pk} {compilation.status} {qc}: {where}")
        if compilation.status != Status.RENDERED:
            raise CommandError(f"the compilation failed: {compilation.error_code} {compilation.error_message}")

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
        posts = Post.objects.filter(pk__in=ids).select_related("short").prefetch_related("uploads")
        uploaded = [p for p in posts if p.status == Status.UPLOADED]
        self.step(f"done in {seconds:.0f} s: {len(uploaded)} of {len(ids)} shorts published")
        for post in posts:
            short = getattr(post, "short", None)
            upload = next(iter(post.uploads.all()), None)
            qc = "QC passed" if short and short.qc.get("passed") else "QC not passed"
            where = (upload.url if upload else "") or (short.video_path if short else "") or "-"
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


def demo_env(folder: Path) -> dict[str, str]:
    """The environment of the demo and of every process it starts: its own files, no network."""
    return {
        DEMO_DIR_ENV: str(folder),
        "DATABASE_URL": f"sqlite:///{folder / 'db.sqlite3'}",
        "MEDIA_ROOT": str(folder / "media"),
        "METRICS_DIR": str(folder / "metrics"),
        "PUBLISH_EXPORT_DIR": "",
        "REDIS_URL": "",  # the ORM broker in the demo's file, never a shared Redis
        "SCRIPT_WRITER": "extractive",
        "TTS_ENGINES": "espeak",
        "UPLOADER": "local",
        "AUTO_PUBLISH": "false",
        "HF_HUB_OFFLINE": "1",
    }


def folder_reset(folder: Path) -> None:
    """Remove what an earlier run left; only the demo's own names, in case --dir is a shared folder."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("db.sqlite3", "db.sqlite3-wal", "db.sqlite3-shm"):
        (folder / name).unlink(missing_ok=True)
    for name in ("media", "metrics", "log"):
        shutil.rmtree(folder / name, ignore_errors=True)


def schedules_create() -> None:
    for item in schedules():
        name = item.pop("name")
        if name in DEMO_SCHEDULES:
            Schedule.objects.update_or_create(name=name, defaults=item)


def samples_make_recent(now: datetime) -> None:
    """Date the samples as if the newest was posted NEWEST_SAMPLE_AGE ago, keeping their order, and
    rescore them. The pages were saved in September 2026: left as they are, every sample is older
    than the scoring window, scores 0.0, and the "best" posts would be any posts."""
    newest = Post.objects.aggregate(newest=Max("source_published_at"))["newest"]
    if newest is None:
        return
    shift = now - NEWEST_SAMPLE_AGE - newest
    Post.objects.update(source_published_at=F("source_published_at") + shift)
    # The samples' images live on the real sites; the demo's shorts use the bundled background clip.
    Post.objects.update(images=[])
    for site_code in Post.objects.order_by().values_list("site_code", flat=True).distinct():
        scores_recompute(site_code, now)
        canonicals_refresh(site_code)


def best_posts(count: int, now: datetime) -> list[Post]:
    """The best-scored canonical COLLECTED posts (the score orders equal ranks by engagement)."""
    posts = Post.objects.filter(status=Status.COLLECTED, duplicate_of__isnull=True)
    return sorted(posts, key=lambda post: (post.score, raw_score(post, now), -post.pk), reverse=True)[:count]


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

