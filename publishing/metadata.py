"""What a post is published with: title, description with source attribution, tags, flags."""

from __future__ import annotations

import hashlib
import re
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings

from posts.models import Post
from wagglebot.lib.invisible import strip_invisible

# YouTube's documented limits: the title in characters, the description in UTF-8 bytes (a
# character-based cut of Korean text was three times over and refused as invalidDescription).
TITLE_MAX = 100
DESCRIPTION_MAX_BYTES = 5000
SHORTS = "#Shorts"
# YouTube rejects titles and descriptions containing angle brackets. Bidi overrides, zero-width and
# control characters are stripped too (strip_invisible): they reorder or hide text on the platform.
FORBIDDEN = str.maketrans({"<": "", ">": ""})
# 500 characters, counting a comma between tags and quotes around a tag that holds a space.
TAGS_MAX_CHARS = 500
HASHTAG = re.compile(r"#[^\s#]+")


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
    """Summary, "출처: <site name> <url>", then each hashtag once, within YouTube's byte limit.

    The pipeline writes its own source line without the site's name and its own hashtags: the
    source line is replaced by ours, and a hashtag it already wrote is not repeated (case aside,
    as YouTube links them).
    """
    from crawling.registry import site_name

    summary = "\n".join(line for line in clean_text(summary).splitlines()
                        if not (line.lstrip().startswith("출처") and post.url in line)).strip()
    source = f"출처: {site_name(post.site_code)} {post.url}".translate(FORBIDDEN)
    return description_join(summary, source, hashtags_for(summary, tags))


def compilation_description(compilation, summary: str, tags: list[str]) -> str:
    """Summary, one credit per rank (the community's Korean name and the post's URL each), hashtags.

    The credits are what must survive YouTube's byte limit: the summary is cut first, then the
    post titles are left out of the credits, never a rank's community or URL.
    """
    from generation.compilation import source_credits

    summary = clean_text(summary).strip()
    hashtags = hashtags_for(summary, tags)
    credits = clean_text(source_credits(compilation))
    if len(f"{credits}\n\n{hashtags}".encode()) > DESCRIPTION_MAX_BYTES:
        credits = clean_text(source_credits(compilation, titles=False))
    return description_join(summary, credits, hashtags)


def clean_text(text: str) -> str:
    return strip_invisible(text).translate(FORBIDDEN)


def hashtags_for(summary: str, tags: list[str]) -> str:
    """PUBLISH_HASHTAGS and ``tags`` as hashtags, each once and none the summary already has."""
    written = {tag.casefold() for tag in HASHTAG.findall(summary)}
    hashtags = []
    for tag in [*settings.PUBLISH_HASHTAGS, *tags]:
        tag = "#" + strip_invisible(tag).strip().lstrip("#").replace(" ", "").translate(FORBIDDEN)
        if len(tag) > 1 and tag.casefold() not in written:
            written.add(tag.casefold())
            hashtags.append(tag)
    return " ".join(hashtags)


def description_join(summary: str, source: str, hashtags: str) -> str:
    """Summary, source, hashtags: the summary is cut to the bytes the other two leave."""
    tail = cut_bytes("\n\n".join(part for part in (source, hashtags) if part), DESCRIPTION_MAX_BYTES)
    room = DESCRIPTION_MAX_BYTES - len(tail.encode()) - len(b"\n\n")
    return "\n\n".join(part for part in (cut_bytes(summary, room).strip(), tail) if part)


def cut_bytes(text: str, limit: int) -> str:
    """The longest prefix of ``text`` within ``limit`` UTF-8 bytes, cut between characters."""
    if len(text.encode()) <= limit:
        return text
    return text.encode()[:max(limit, 0)].decode(errors="ignore")


def tags_size(tags: list[str]) -> int:
    """Tag length as YouTube counts it against its 500-character limit."""
    return sum(len(tag) + 2 * (" " in tag) for tag in tags) + max(len(tags) - 1, 0)


def tags_for(tags: list[str], key: str) -> list[str]:
    kept = [key]
    for tag in dict.fromkeys(strip_invisible(t).strip().lstrip("#").translate(FORBIDDEN) for t in tags):
        if tag and tag != key and tags_size([*kept, tag]) <= TAGS_MAX_CHARS:
            kept.append(tag)
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
        thumbnail_path=thumbnail_for(short),
    )


def compilation_upload_key(compilation) -> str:
    """A tag unique to the compilation. The creation time is in it because a pk alone repeats
    after a database is recreated, and ``find`` would then take an old video for this one."""
    digest = hashlib.sha256(f"compilation:{compilation.pk}:{compilation.created_at.isoformat()}".encode())
    return f"wb{digest.hexdigest()[:16]}"


def compilation_metadata(compilation) -> Metadata:
    """A compilation's title, credits and tags: its ranks' tags after the ranking's own."""
    from generation.models import Short

    ranked = Short.objects.filter(post__compilation_items__compilation=compilation).order_by(
        "post__compilation_items__rank").values_list("tags", flat=True)
    tags = ["랭킹", f"TOP{compilation.items.count()}", *(tag for each in ranked for tag in each or [])]
    key = compilation_upload_key(compilation)
    return Metadata(
        key=key,
        title=shorts_title(compilation.title),
        description=compilation_description(compilation, compilation.description or compilation.title, tags[:2]),
        tags=tags_for(tags, key),
        category_id=settings.YOUTUBE_CATEGORY_ID,
        privacy_status=settings.YOUTUBE_PRIVACY_STATUS,
        thumbnail_path=thumbnail_for(compilation),
    )


def thumbnail_for(short) -> str:
    """The 9:16 thumbnail of a Short or a compilation (YouTube takes custom Shorts thumbnails since 2026-11-03),
    else the 16:9 one; "" when the render made none."""
    relative = short.tall_thumbnail_path or short.thumbnail_path
    return str(media_path(relative)) if relative else ""


def thumbnails_for(short) -> list[str]:
    """The thumbnails to try in order: the 9:16 one, then the 16:9 one (a platform may refuse one)."""
    return [str(media_path(relative)) for relative in (short.tall_thumbnail_path, short.thumbnail_path) if relative]


def media_path(relative: str) -> Path:
    return Path(settings.MEDIA_ROOT) / relative
