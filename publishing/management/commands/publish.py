"""``manage.py publish [POST_ID ...] [--all-rendered]``: upload now, with progress on stderr."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from posts.models import Post, Status
from publishing.upload import post_upload
from publishing.uploaders import get_uploader, publish_platforms


class Command(BaseCommand):
    help = "Upload rendered posts now to the configured platforms (bypasses publishing slots)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("post_ids", nargs="*", type=int, metavar="POST_ID")
        parser.add_argument("--all-rendered", action="store_true", help="every RENDERED post, best score first")
        parser.add_argument("--uploader", help="one platform instead of PUBLISH_PLATFORMS (local | youtube | tiktok)")
        parser.add_argument("--platforms", help="comma-separated platforms instead of PUBLISH_PLATFORMS")

    def handle(
        self, *args, post_ids: list[int], all_rendered: bool, uploader: str | None, platforms: str | None, **options
    ) -> None:
        if not post_ids and not all_rendered:
            raise CommandError("name POST_IDs or pass --all-rendered")
        posts = list(self._posts(post_ids, all_rendered))
        names = [uploader] if uploader else platforms.split(",") if platforms else publish_platforms()
        try:
            chosen = [get_uploader(name.strip()) for name in names]
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        if problems := [problem for each in chosen if (problem := each.problem())]:
            raise CommandError("; ".join(problems))
        failed = sum(not self._publish_one(post, chosen, n, len(posts)) for n, post in enumerate(posts, 1))
        self.stdout.write(f"{len(posts) - failed} uploaded, {failed} not uploaded")
        if failed:
            raise CommandError(f"{failed} post(s) not uploaded; see the admin for the reason")

    def _posts(self, post_ids: list[int], all_rendered: bool):
        if all_rendered:
            return Post.objects.filter(status=Status.RENDERED).order_by("-score", "created_at")
        found = Post.objects.in_bulk(post_ids)
        if missing := sorted(set(post_ids) - set(found)):
            raise CommandError(f"no post with id {', '.join(map(str, missing))}")
        # Refused before any upload: the admin shows no reason for a post that was never tried.
        if unready := [found[pk] for pk in post_ids if not found[pk].can("claim_upload")]:
            shown = ", ".join(f"post {post.pk} is {post.status}" for post in unready)
            raise CommandError(f"only RENDERED posts can be published: {shown}")
        return [found[pk] for pk in post_ids]

    def _publish_one(self, post: Post, uploaders: list, n: int, total: int) -> bool:
        prefix = f"[{n}/{total}] post {post.pk}"
        shown = {"percent": -1}

        def progress(sent: int, size: int) -> None:
            percent = 100 * sent // size if size else 100
            if percent != shown["percent"]:
                shown["percent"] = percent
                self.stderr.write(f"{prefix}: {percent}% ({sent}/{size} bytes)")

        ok = post_upload(post, uploaders=uploaders, progress=progress)
        post.refresh_from_db()
        if ok:
            self.stderr.write(f"{prefix}: uploaded {post.uploads.latest('uploaded_at').url}")
        else:
            self.stderr.write(f"{prefix}: {post.status} {post.error_code} {post.error_message}".rstrip())
        return ok
