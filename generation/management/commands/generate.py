"""Run the generation pipeline inline: ``manage.py generate 12 13`` or ``--approved --limit 5``."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError

from generation.pipeline import post_generate
from posts.models import Post, Status


class Command(BaseCommand):
    help = "Script, speech, render and QC posts now, in this process (progress on stderr)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("post_ids", nargs="*", type=int, help="posts to generate (must be APPROVED)")
        parser.add_argument("--approved", action="store_true", help="every APPROVED post, best score first")
        parser.add_argument("--limit", type=int, default=None, help="at most this many posts")

    def handle(self, *args, post_ids: list[int], approved: bool, limit: int | None, **options) -> None:
        posts = self._posts(post_ids, approved, limit)
        failed = 0
        for number, post in enumerate(posts, 1):
            failed += not self._generate_one(post, f"[{number}/{len(posts)}]")
        if failed:
            raise CommandError(f"{failed} of {len(posts)} posts did not render")

    def _posts(self, post_ids: list[int], approved: bool, limit: int | None) -> list[Post]:
        if bool(post_ids) == approved:
            raise CommandError("give POST_ID ... or --approved, not both and not neither")
        if limit is not None and limit < 1:  # 0 used to mean "all", and -1 raised a traceback
            raise CommandError(f"--limit must be 1 or more, not {limit}")
        if approved:
            queryset = Post.objects.filter(status=Status.APPROVED).order_by("-score", "pk")
        else:
            queryset = Post.objects.filter(pk__in=post_ids).order_by("pk")
            missing = set(post_ids) - set(queryset.values_list("pk", flat=True))
            if missing:
                raise CommandError(f"no such posts: {sorted(missing)}")
        return list(queryset[:limit] if limit is not None else queryset)

    def _generate_one(self, post: Post, progress: str) -> bool:
        self.stderr.write(f"{progress} post {post.pk} {post.title[:40]!r}: generating…")
        started = time.monotonic()
        ok = post_generate(post)
        post.refresh_from_db()
        detail = f" {post.error_code}: {post.error_message[:200]}" if post.error_code else ""
        self.stderr.write(f"{progress} post {post.pk}: {post.status} in {time.monotonic() - started:.1f} s{detail}")
        return ok
