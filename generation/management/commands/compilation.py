"""Ranked compilations by hand: ``manage.py compilation create --posts 3,1,2 --title …``,
``compilation render 7`` (approve if a draft, then render inline) and ``compilation list``."""

from __future__ import annotations

import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from generation.compilation import CompilationError, compilation_approve, compilation_create, compilation_generate
from generation.models import Compilation
from posts.lifecycle import CompilationStatus as C
from posts.lifecycle import InvalidTransition
from posts.models import Post


class Command(BaseCommand):
    help = "Create, render (inline, in this process) or list ranked compilations."

    def add_arguments(self, parser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        create = actions.add_parser("create", help="a draft ranking the posts in the given order (first = 1위)")
        create.add_argument("--posts", required=True, help="post ids, comma-separated, best first")
        create.add_argument("--title", default="", help="the compilation's title (default: 오늘의 베스트 TOP N)")
        render = actions.add_parser("render", help="approve a draft and render it now")
        render.add_argument("compilation_id", type=int)
        actions.add_parser("list", help="every compilation, newest first")

    def handle(self, *args, action: str, **options) -> None:
        getattr(self, f"handle_{action}")(**options)

    def handle_create(self, *, posts: str, title: str, **options) -> None:
        try:
            ids = [int(part) for part in posts.split(",") if part.strip()]
        except ValueError as exc:
            raise CommandError(f"--posts takes comma-separated post ids, not {posts!r}") from exc
        found = Post.objects.in_bulk(ids)
        missing = [pk for pk in ids if pk not in found]
        if missing:
            raise CommandError(f"no such posts: {missing}")
        try:
            compilation = compilation_create(posts=[found[pk] for pk in ids], title=title)
        except CompilationError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(str(compilation.pk))
        self.stderr.write(f"compilation {compilation.pk} {compilation.title!r}: DRAFT with {len(ids)} posts")

    def handle_render(self, *, compilation_id: int, **options) -> None:
        compilation = Compilation.objects.filter(pk=compilation_id).first()
        if compilation is None:
            raise CommandError(f"no such compilation: {compilation_id}")
        try:
            if compilation.status == C.DRAFT:
                # The queued task this also sends finds the compilation claimed below: a no-op.
                compilation_approve(compilation=compilation, by=None, reason="manage.py compilation render")
        except (CompilationError, InvalidTransition) as exc:
            raise CommandError(str(exc)) from exc
        self.stderr.write(f"compilation {compilation.pk}: rendering…")
        started = time.monotonic()
        compilation_generate(compilation)
        compilation.refresh_from_db()
        seconds = time.monotonic() - started
        if compilation.status != C.RENDERED:
            raise CommandError(f"compilation {compilation.pk} is {compilation.status}: "
                               f"{compilation.error_code} {compilation.error_message[:300]}")
        self.stderr.write(f"compilation {compilation.pk}: RENDERED in {seconds:.1f} s")
        self.stdout.write(str(Path(settings.MEDIA_ROOT) / compilation.video_path))

    def handle_list(self, **options) -> None:
        for compilation in Compilation.objects.order_by("-created_at", "-pk").prefetch_related("items"):
            ranks = ",".join(str(item.post_id) for item in sorted(compilation.items.all(), key=lambda i: i.rank))
            self.stdout.write(f"{compilation.pk}\t{compilation.status}\t[{ranks}]\t{compilation.title}")
