"""Fields with fallbacks: each field of a post tries several sources in order and records which answered.

A site's markup drifts one element at a time; a field read from exactly one selector is lost the
day that element is renamed, although the same value sits elsewhere on the page (an attribute and
the element's own text, ``og:``/``article:`` meta, JSON-LD, the comment section itself). A site
module lists its candidates, primary first; ``Fields`` tries them and keeps a record::

    fields = Fields(view, doc)                 # selectors look in ``view``; meta and JSON-LD in ``doc``
    title = fields.text("title", ["span.title_subject"], meta=("og:title",))
    date = fields.date("published_at", ["span.gall_date@title", "span.gall_date"])
    views = fields.count("views", ["span.gall_count", ".mini_profile .hit strong"], label="조회")
    comments = fields.count("comment_count", ["strong.reply_count"], also=[("comments on page", n)])
    post = PostData(..., parse=fields.record())

A candidate is a CSS selector: the first match's text, ``css@attr`` for an attribute, ``css@tail``
for the text right after the element (theqoo's icon-labelled counts), or ``meta:<key>`` where a
site's meta tag is the best source (instiz's dated to the second). ``also`` adds ready values
(``(source name, value or None)``; a date's as text) after the selectors and before the page-wide meta and JSON-LD.
A count with a ``label`` takes the number right after the label, or an element that holds only a
number ("1,366", "1.2만"), never another labelled number.

``record()`` is what the crawl keeps: ``{"sources": {field: source}, "fallback": [...], "missing":
[...]}``. A field is *primary* when its first candidate answered, *fallback* when a later one did,
*missing* when none did (the default is returned). Saving marks a post with missing fields as
incomplete; the crawl run compares each site's primary and missing shares with its recent runs
(``crawling.drift``) and flags a site whose markup changed.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from crawling import html

BARE_COUNT = re.compile(r"^\s*[\d,.]+\s*(?:만|천|[kK])?\s*$")
# Page-wide sources every field kind falls back on, in this order.
META_DATE = ("article:published_time", "og:article:published_time", "article:modified_time", "og:updated_time")
LD_DATE = ("datePublished", "dateCreated", "dateModified")
LD_TEXT = {"title": ("headline", "name"), "author": ("author",)}
LD_COUNTS = {"views": "ViewAction", "likes": "LikeAction", "comment_count": "CommentAction"}


class Fields:
    def __init__(self, root, doc=None) -> None:
        self.root = root
        self.doc = root if doc is None else doc
        self.sources: dict[str, str] = {}
        self.fallback: list[str] = []
        self.missing: list[str] = []
        self._ld: list[dict] | None = None

    # Field kinds ----------------------------------------------------------------------------

    def text(
        self, name: str, selectors: Sequence[str], *, meta: Sequence[str] = (),
        also: Iterable[tuple[str, str | None]] = (), trim: str = "", default: str = "",
    ) -> str:
        """``trim``: a pattern cut from meta values (the site name og:title appends)."""
        tries = [(css, lambda css=css: self.read(css) or None) for css in selectors]
        tries += [(source, lambda value=value: value) for source, value in also]
        tries += [(f"meta:{key}", lambda key=key: self.meta_text(key, trim)) for key in meta]
        tries += [(f"json-ld:{key}", lambda key=key: self.ld_text(key)) for key in LD_TEXT.get(name, ())]
        return self.pick(name, tries, default)

    def count(
        self, name: str, selectors: Sequence[str], *, label: str = "", also: Iterable[tuple[str, int | None]] = (),
    ) -> int:
        tries = [(css, lambda css=css: labelled_count(self.read(css), label)) for css in selectors]
        tries += [(source, lambda value=value: value) for source, value in also]
        if name in LD_COUNTS:
            tries.append((f"json-ld:{LD_COUNTS[name]}", lambda: self.ld_count(LD_COUNTS[name])))
        return self.pick(name, tries, 0)

    def date(
        self, name: str, selectors: Sequence[str], *, also: Iterable[tuple[str, str | None]] = (),
    ) -> datetime | None:
        """``also``: date texts the site module found itself (todayhumor's "등록시간" line)."""
        tries = [(css, lambda css=css: iso_date(self.read(css))) for css in selectors]
        tries += [(source, lambda value=value: iso_date(value)) for source, value in also]
        tries += [(f"meta:{key}", lambda key=key: iso_date(meta_content(self.doc, key))) for key in META_DATE]
        tries += [(f"json-ld:{key}", lambda key=key: iso_date(self.ld_value(key))) for key in LD_DATE]
        return self.pick(name, tries, None)

    def pick(self, name: str, tries: Sequence[tuple[str, Any]], default: Any) -> Any:
        """The first answer that is not None or empty; its source is recorded under ``name``."""
        for rank, (source, attempt) in enumerate(tries):
            value = attempt()
            if value is not None and value != "":
                self.sources[name] = source
                if rank:
                    self.fallback.append(name)
                return value
        self.sources[name] = ""
        self.missing.append(name)
        return default

    def record(self) -> dict:
        return {"sources": dict(self.sources), "fallback": list(self.fallback), "missing": list(self.missing)}

    def read(self, candidate: str) -> str | None:
        """``css`` → the first match's text, ``css@attr`` → its attribute, ``css@tail`` → the text
        after it, ``meta:<key>`` → that meta tag's content; None when nothing matches."""
        if candidate.startswith("meta:"):
            return meta_content(self.doc, candidate.removeprefix("meta:")) or None
        css, _, attr = candidate.partition("@")
        node = html.first(self.root, css) if self.root is not None else None
        if node is None:
            return None
        if attr == "tail":
            return " ".join((node.tail or "").split())
        return html.attr(node, attr) if attr else html.text(node)

    def meta_text(self, key: str, trim: str = "") -> str | None:
        value = meta_content(self.doc, key)
        return (re.sub(trim, "", value).strip() if trim else value) or None

    # JSON-LD --------------------------------------------------------------------------------

    def ld(self) -> list[dict]:
        if self._ld is None:
            self._ld = json_ld(self.doc)
        return self._ld

    def ld_value(self, key: str) -> Any:
        return next((node[key] for node in self.ld() if node.get(key) not in (None, "", [])), None)

    def ld_text(self, key: str) -> str | None:
        value = self.ld_value(key)
        if isinstance(value, list):
            value = value[0] if value else None
        if isinstance(value, dict):
            value = value.get("name")
        if value is None:
            return None
        return " ".join(str(value).split()) or None

    def ld_count(self, action: str) -> int | None:
        for node in self.ld():
            stats = node.get("interactionStatistic") or []
            for stat in stats if isinstance(stats, list) else [stats]:
                kind = stat.get("interactionType") if isinstance(stat, dict) else None
                kind = kind.get("@type") if isinstance(kind, dict) else kind
                if isinstance(kind, str) and kind.endswith(action):
                    return html.count(str(stat.get("userInteractionCount", "")))
        return None


def labelled_count(value: str | None, label: str) -> int | None:
    if value is None:
        return None
    if label and label in value:
        return html.count(value, label)
    if label and not BARE_COUNT.match(value):
        return None  # another labelled number ("추천 12" where the views were wanted)
    return html.count(value)


def meta_content(doc, key: str) -> str:
    node = html.first(doc, f'meta[property="{key}"], meta[name="{key}"], meta[itemprop="{key}"]')
    return html.attr(node, "content")


def iso_date(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        return html.kst(value)
    return parsed.replace(tzinfo=html.KST) if parsed.tzinfo is None else parsed.astimezone(html.KST)


def json_ld(doc) -> list[dict]:
    """Every JSON-LD object on the page, ``@graph`` members included; unreadable blocks skipped."""
    found: list[dict] = []
    for script in html.select(doc, 'script[type="application/ld+json"]'):
        try:
            data = json.loads(script.text or "")
        except ValueError:
            continue
        for node in data if isinstance(data, list) else [data]:
            if isinstance(node, dict):
                found.append(node)
                found.extend(n for n in node.get("@graph", []) if isinstance(n, dict))
    return found
