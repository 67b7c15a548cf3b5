"""Post clips on disk: fetched through the site's crawler, ffprobed, kept under
``MEDIA_ROOT/posts/<id>/clips/NN.mp4``.

The fetch is ``BaseCrawler.clip_fetch`` (the SSRF-safe client, CLIP_FETCH_MAX_BYTES, one
CLIP_FETCH_TIMEOUT deadline, ``video/*`` only); ffprobe then has to find a video stream and a
duration within CLIP_MAX_SECONDS before the render or an STT engine sees the file, and a refused
file is deleted. A clip already on disk is probed, not fetched again.

Who fetches: the render's first stage (``generation.clips``), for approved posts only: a clip is
megabytes, and a live crawl that fetched the clip of every post it saw would spend its time and
disk on posts nobody approves. A fixture crawl (the demo, the tests) caches its posts' clips at
once (``clips_cache_run``): the render's crawler may only reach the live site.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from crawling.base import BaseCrawler, CrawlError
from crawling.images import image_urls
from posts.models import Post
from wagglebot.lib import ffmpeg
from wagglebot.lib.atomic import atomic_path
from wagglebot.lib.safehttp import FetchError

log = logging.getLogger("wagglebot.crawling")
# The clips of one post tried at most: a post listing ten players is not ten downloads.
MAX_TRIED = 3
# What a clip can fail with; each is recorded and the clip skipped.
CLIP_ERRORS = (CrawlError, FetchError, ffmpeg.FFmpegError, ValueError)


@dataclass(frozen=True)
class Clip:
    path: Path
    source: str
    seconds: float
    has_audio: bool


def clips_dir(post_id: int) -> Path:
    return Path(settings.MEDIA_ROOT) / "posts" / str(post_id) / "clips"


def clip_urls(post: Post) -> list[str]:
    return image_urls(post.videos)[:MAX_TRIED]


def clip_cache(crawler: BaseCrawler, post: Post, position: int, url: str) -> Clip:
    """The clip at ``url`` on disk and probed, fetching it unless an earlier run did."""
    path = clips_dir(post.pk) / f"{position:02d}.mp4"
    if not path.is_file():
        data = crawler.clip_fetch(url, referer=post.url)
        path.parent.mkdir(parents=True, exist_ok=True)
        with atomic_path(path) as partial:
            partial.write_bytes(data)
    try:
        return clip_probe(path, url)
    except (ffmpeg.FFmpegError, ValueError):
        path.unlink(missing_ok=True)  # a refused file is not kept to be probed again
        raise


def clip_probe(path: Path, source: str) -> Clip:
    """ValueError unless ffprobe finds a video stream and a duration within CLIP_MAX_SECONDS."""
    info = ffmpeg.probe(path)
    kinds = {stream.get("codec_type") for stream in info.get("streams", [])}
    container = info.get("format", {}).get("format_name", "")
    if "video" not in kinds or container == "image2" or container.endswith("_pipe"):  # a still is no clip
        raise ValueError(f"not a video: ffprobe found no video stream ({container or 'unknown format'})")
    try:
        seconds = float(info.get("format", {}).get("duration") or 0)
    except ValueError:
        seconds = 0.0
    if not 0 < seconds <= settings.CLIP_MAX_SECONDS:
        raise ValueError(f"clip is {seconds:.1f} s; CLIP_MAX_SECONDS is {settings.CLIP_MAX_SECONDS:.0f}")
    return Clip(path=path, source=source, seconds=seconds, has_audio="audio" in kinds)


def clips_cache_run(crawler: BaseCrawler, posts) -> int:
    """Cache the first usable clip of each of ``posts`` (a fixture crawl's); returns how many have one.
    A failure is only logged here: the render tries again and records it."""
    done = 0
    for post in posts:
        for position, url in enumerate(clip_urls(post)):
            try:
                clip_cache(crawler, post, position, url)
            except CLIP_ERRORS as exc:
                log.warning("clip skipped: post %s %s: %s", post.pk, url[:200], exc)
                continue
            done += 1
            break
    return done
