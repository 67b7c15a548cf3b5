"""What a post is published with: title, description with source attribution, tags, flags."""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings

from posts.models import Post
from wagglebot.lib.invisible import strip_invisible

TITLE_MAX = 100
SHORTS = "#Shorts"
# YouTube rejects titles and descriptions containing angle brackets. Bidi overrides, zero-width and
# control characters are stripped too (strip_invisible): they reorder or hide text on the platform.
FORBIDDEN = str.maketrans({"<": "", ">": ""})
TAGS_MAX_CHARS = 450  # YouTube allows 500, counting quotes around tags with spaces.


@dataclass
class Metadata:
    key: str
    title: str
    description: str
    tags: list[str] = field(default_factory=list)
    category_id: str = "24"
    privacy_status: str = "private"
    publish_at: datetime | None = None
    thumbnail_path: str = ""
    made_for_kids: bool = False
    synthetic_media: bool = True

    def to_body(self) -> dict:
        """The YouTube ``video`` resource for ``videos.insert``."""
        status = {
            "privacyStatus": self.privacy_status,
            "selfDeclaredMadeForKids": self.made_for_kids,
            "containsSyntheticMedia": self.synthetic_media,
        }
        if self.publish_at:
            # YouTube publishes a scheduled video only if it is uploaded private.
            status["privacyStatus"] = "private"
            status["publishAt"] = self.publish_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        snippet = {"title": self.title, "description": self.description, "tags": self.tags,
                   "categoryId": self.category_id}
        return {"snippet": snippet, "status": status}

    def to_dict(self) -> dict:
        data = asdict(self)
        data["publish_at"] = self.publish_at.isoformat() if self.publish_at else None
        return data


def upload_key(post: Post) -> str:
    """A tag unique to the source post, looked up before uploading so a lost result is found."""
    digest = hashlib.sha256(f"{post.site_code}:{post.origin_id}".encode()).hexdigest()
    return f"wb{digest[:16]}"


def shorts_title(title: str) -> str:
    title = " ".join(strip_invisible(title).translate(FORBIDDEN).split())[:TITLE_MAX].strip()
    if SHORTS.lower() not in title.lower() and len(title) + len(SHORTS) + 1 <= TITLE_MAX:
        title = f"{title} {SHORTS}"
    return title


def description_for(post: Post, summary: str, tags: list[str]) -> str:
    from crawling.registry import site_name

    hashtags = [f"#{tag.lstrip('#')}" for tag in [*settings.PUBLISH_HASHTAGS, *tags] if tag.strip()]
    # A description the pipeline wrote may already name the source; say it once.
    source = "" if post.url in summary else f"출처: {site_name(post.site_code)} {post.url}"
    # The pipeline's description already ends with its hashtags: each one is written once.
    written = set(summary.split())
    parts = [
        summary.strip(),
        source,
        " ".join(tag for tag in dict.fromkeys(tag.replace(" ", "") for tag in hashtags) if tag not in written),
    ]
    return strip_invisible("\n\n".join(part for part in parts if part)).translate(FORBIDDEN)[:4900]


def tags_for(tags: list[str], key: str) -> list[str]:
    kept, size = [key], len(key)
    for tag in dict.fromkeys(strip_invisible(t).strip().lstrip("#").translate(FORBIDDEN) for t in tags):
        if tag and tag != key and size + len(tag) + 3 <= TAGS_MAX_CHARS:
            kept.append(tag)
            size += len(tag) + 3
    return kept


def metadata_for(post: Post, *, publish_at: datetime | None = None) -> Metadata:
    short = post.short
    tags = list(short.tags or [])
    key = upload_key(post)
    return Metadata(
        key=key,
        title=shorts_title(short.title or post.title),
        description=description_for(post, short.description or short.script, tags),
        tags=tags_for(tags, key),
        category_id=settings.YOUTUBE_CATEGORY_ID,
        privacy_status=settings.YOUTUBE_PRIVACY_STATUS,
        publish_at=publish_at,
        thumbnail_path=str(media_path(short.thumbnail_path)) if short.thumbnail_path else "",
    )


def media_path(relative: str) -> Path:
    return Path(settings.MEDIA_ROOT) / relative
