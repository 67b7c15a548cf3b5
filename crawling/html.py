"""Small lxml helpers shared by the site modules: decoding, selectors, text, numbers, images, dates."""

from __future__ import annotations

import codecs
import re
from datetime import datetime
from functools import lru_cache
from urllib.parse import parse_qs, urljoin, urlsplit
from zoneinfo import ZoneInfo

import lxml.html
from lxml.cssselect import CSSSelector
from lxml.etree import ParserError

KST = ZoneInfo("Asia/Seoul")
# Korean sites label CP949 pages "euc-kr"; CP949 is the superset that also decodes UHC syllables (햏).
CHARSET_ALIASES = {"euc-kr": "cp949", "euc_kr": "cp949", "ks_c_5601-1987": "cp949", "x-windows-949": "cp949"}
META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([\w:-]+)""", re.I)
BLOCK_TAGS = frozenset({
    "p", "div", "li", "ul", "ol", "tr", "table", "tbody", "thead", "h1", "h2", "h3", "h4", "h5", "h6",
    "blockquote", "article", "section", "dl", "dt", "dd", "pre", "figure", "figcaption", "header", "footer",
    "td", "th", "hr",
})
DROP_TAGS = frozenset({
    "script", "style", "button", "iframe", "noscript", "template", "select", "textarea", "input", "svg", "video",
})
DATE = re.compile(r"(\d{4})\D+(\d{1,2})\D+(\d{1,2})\D+(\d{1,2}):(\d{2})(?::(\d{2}))?")
PLACEHOLDERS = ("blank.gif", "gallview_loading", "loading.gif", "spacer.gif", "data:")
SPACES = re.compile(r"[ \t\r\n\f\v\u00a0\u200b]+")
# A count as Korean pages print it: "1,366", "조회 1366", "1.2만", "3.4천", "12k"; labels and
# separators anywhere around it.
COUNT = re.compile(r"(-?\d[\d,]*(?:\.\d+)?)\s*(만|천|[kK]\b)?")
COUNT_UNITS = {"만": 10_000, "천": 1_000, "k": 1_000, "K": 1_000}
# The text is decoded already; a parser fixed to UTF-8 keeps the page's own <meta charset> from
# making libxml2 decode the encoded bytes a second time with another charset.
UTF8_PARSER = lxml.html.HTMLParser(encoding="utf-8")


class ParseError(Exception):
    """The page lacks an element every page of the site has (truncated, changed or wrong page)."""


def charset_normal(name: str | None) -> str | None:
    if not name:
        return None
    name = CHARSET_ALIASES.get(name.strip().lower(), name.strip().lower())
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def html_decode(raw: bytes, *, header_charset: str | None = None, forced: str | None = None) -> str:
    """Bytes → text: the site's known encoding, else the header's, else ``<meta charset>``, else guess."""
    declared = charset_normal(forced) or charset_normal(header_charset)
    if declared is None:
        match = META_CHARSET.search(raw[:4096])
        declared = charset_normal(match.group(1).decode("ascii", "ignore")) if match else None
    if declared:
        return raw.decode(declared, errors="replace")
    for guess in ("utf-8", "cp949"):  # an undeclared Korean page is one of the two
        try:
            return raw.decode(guess)
        except UnicodeDecodeError:
            continue
    return raw.decode("utf-8", errors="replace")


def document(text: str):
    """Parse a page; an empty or unparseable page is a ``ParseError``, not an lxml exception."""
    if not text.strip():
        raise ParseError("empty page")
    try:
        return lxml.html.document_fromstring(text.encode("utf-8", "surrogatepass"), parser=UTF8_PARSER)
    except (ParserError, ValueError) as exc:
        raise ParseError(f"unparseable HTML: {exc}") from exc


@lru_cache(maxsize=512)
def _selector(css: str) -> CSSSelector:
    """CSS compiled to XPath once per process, not once per page."""
    return CSSSelector(css)


def select(el, css: str) -> list:
    return _selector(css)(el)


def first(el, css: str):
    found = _selector(css)(el)
    return found[0] if found else None


def has_class(el, cls: str | None) -> bool:
    """``cls`` is one class or several joined by dots (``"btnbox.up"``), as in CSS."""
    if cls is None:
        return True
    names = (el.get("class") or "").split()
    return all(name in names for name in cls.split("."))


def find_all(el, tag: str | tuple[str, ...], cls: str | None = None) -> list:
    """Every ``tag.cls`` under ``el`` in document order; like a CSS descendant lookup, ``el`` itself
    can match. Nothing under a missing element, so a chain of lookups needs no None checks."""
    if el is None:
        return []
    tags = tag if isinstance(tag, tuple) else (tag,)
    return [node for node in el.iter(*tags) if has_class(node, cls)]


def find(el, tag: str | tuple[str, ...], cls: str | None = None):
    found = find_all(el, tag, cls)
    return found[0] if found else None


def child(el, tag: str, cls: str | None = None, *, without: str | None = None):
    """First direct child ``tag.cls`` (``el > tag.cls:not(.without)``)."""
    if el is None:
        return None
    for node in el.iterchildren(tag):
        if has_class(node, cls) and not (without and has_class(node, without)):
            return node
    return None


def scope(doc, css: str):
    """The page's main container, so later lookups cannot pick up look-alike markup elsewhere on the
    page; the whole document when a broken page lacks it, so results are no worse than unscoped."""
    found = first(doc, css)
    return doc if found is None else found


def by_id(doc, element_id: str):
    try:
        return doc.get_element_by_id(element_id)
    except KeyError:
        return None


def need(el, css: str, what: str):
    found = first(el, css)
    if found is None:
        raise ParseError(f"missing {what} ({css})")
    return found


def need_body(el, *selectors: str):
    """The post body: the first match with text or an image of the first selector that has one,
    the selectors tried in order (a container after the exact block, never before it, so a group
    selector's document order cannot pick the container). A page without one is the only page a
    post is lost over; every other field has fallbacks (``crawling.fields``)."""
    for css in selectors:
        for node in select(el, css):
            if node.text_content().strip() or node.find(".//img") is not None:
                return node
    raise ParseError(f"missing body ({', '.join(selectors)})")


def first_line(content: str, limit: int = 80) -> str:
    """A stand-in title for a post whose title nothing gave: the body's first line, shortened."""
    line = next((line.strip() for line in content.splitlines() if line.strip()), "")
    return line if len(line) <= limit else line[: limit - 1] + "…"


def drop(el, *selectors: str) -> None:
    """Remove matching elements but keep the text that follows them (their tail)."""
    for css in selectors:
        for node in select(el, css):
            node.drop_tree()


def text(el) -> str:
    """Inline text with whitespace collapsed (titles, names, counters)."""
    if el is None:
        return ""
    return " ".join(el.text_content().replace("\u200b", " ").split())


def cells(row) -> dict:
    """A table row's cells by class name; the first cell wins when two share a class."""
    found: dict = {}
    for cell in row.iterchildren("td"):
        for name in (cell.get("class") or "").split():
            found.setdefault(name, cell)
    return found


def attr(el, name: str) -> str:
    return (el.get(name) or "").strip() if el is not None else ""


def to_int(value: str | None) -> int:
    """The first count in ``value`` (see ``count``); 0 when there is none."""
    found = count(value)
    return 0 if found is None else found


def count(value: str | None, label: str = "") -> int | None:
    """The first count in ``value``, or with ``label`` the count right after it ("조회 1,366" → 1366,
    "1.2만" → 12000, "추천 12" → 12); None when there is none, so a fallback can try its turn."""
    if label:
        match = re.search(re.escape(label) + r"[\s:：]*" + COUNT.pattern, value or "")
    else:
        match = COUNT.search(value or "")
    if not match:
        return None
    number, unit = match.groups()[-2:]
    return round(float(number.replace(",", "")) * COUNT_UNITS.get(unit or "", 1))


def _walk(el, out: list[str]) -> None:
    if el.text:
        out.append(SPACES.sub(" ", el.text))
    for child in el:
        tag = child.tag if isinstance(child.tag, str) else ""
        if tag == "br":
            out.append("\n")
        elif tag and tag not in DROP_TAGS:
            block = tag in BLOCK_TAGS
            if block:
                out.append("\n")
            _walk(child, out)
            if block:
                out.append("\n")
        if child.tail:
            out.append(SPACES.sub(" ", child.tail))


def block_text(el) -> str:
    """Body text: ``<br>`` and block elements break lines, inline tags do not split words.

    Scripts, styles, buttons, iframes and HTML comments are skipped. Runs of empty lines
    become one empty line, so paragraphs stay apart.
    """
    parts: list[str] = []
    _walk(el, parts)
    lines = [line.strip() for line in "".join(parts).split("\n")]
    out: list[str] = []
    for line in lines:
        if line or (out and out[-1]):
            out.append(line)
    return "\n".join(out).strip()


def comment_text(el) -> str:
    """Comment text: ``<br>`` and newlines break lines, each line stripped, empty lines dropped."""
    if el is None:
        return ""
    parts: list[str] = []
    _comment_walk(el, parts)
    lines = (line.replace("\u00a0", " ").strip() for line in "".join(parts).split("\n"))
    return "\n".join(line for line in lines if line)


def _comment_walk(node, parts: list[str]) -> None:
    if node.text:
        parts.append(node.text)
    for child in node:
        tag = child.tag if isinstance(child.tag, str) else ""
        if tag == "br":
            parts.append("\n")
        elif tag and tag not in DROP_TAGS:
            _comment_walk(child, parts)
        if child.tail:
            parts.append(child.tail)


def fragment_text(html: str) -> str:
    """Comment text from an HTML fragment (DC's JSON ``memo``)."""
    if not html.strip():
        return ""
    return comment_text(lxml.html.fragment_fromstring(html, create_parent="div"))


def query(url: str) -> dict[str, str]:
    """A URL's query parameters, the first value of each, blank values left out."""
    return {name: values[0] for name, values in parse_qs(urlsplit(url).query).items()}


def images(el, base: str, *, skip_hosts: tuple[str, ...] = (), skip_classes: tuple[str, ...] = ()) -> list[str]:
    """Absolute content image URLs in document order: lazy attributes first, placeholders,
    tracking pixels and stickers left out, duplicates removed."""
    seen: dict[str, None] = {}
    for img in el.iter("img"):
        classes = set((img.get("class") or "").split())
        if classes & set(skip_classes) or (img.get("width"), img.get("height")) == ("1", "1"):
            continue
        src = img.get("data-original") or img.get("data-src") or img.get("data-lazy-src") or img.get("src") or ""
        src = src.strip()
        if not src or any(mark in src for mark in PLACEHOLDERS):
            continue
        url = urljoin(base, src)
        if urlsplit(url).hostname in skip_hosts or not url.startswith("http"):
            continue
        seen.setdefault(url, None)
    return list(seen)


def kst(value: str) -> datetime | None:
    """``2026.09.22 (09:41:17)``, ``2026-09-23 08:51`` … → an aware datetime in Korean time."""
    match = DATE.search(value or "")
    if not match:
        return None
    parts = [int(p) if p else 0 for p in match.groups()]
    try:
        return datetime(*parts, tzinfo=KST)
    except ValueError:
        return None


VIDEO_META = ("og:video:secure_url", "og:video:url", "og:video")


def videos(el, base: str, doc=None) -> list[str]:
    """Absolute clip URLs: ``<video src>`` and ``<video><source src>`` in the body in document
    order, then the page's ``og:video`` tags (``doc``), which is where a site's own player puts its
    file; duplicates removed, non-HTTP sources (``blob:``, ``data:``) left out."""
    found = []
    for video in el.iter("video") if el is not None else []:
        found += [video.get("src") or "", *(source.get("src") or "" for source in video.iter("source"))]
    for key in VIDEO_META if doc is not None else ():
        found += [content for node in select(doc, f'meta[property="{key}"], meta[name="{key}"]')
                  if (content := node.get("content") or "")]
    seen: dict[str, None] = {}
    for src in found:
        url = urljoin(base, src.strip()) if src.strip() else ""
        if url.startswith("http"):
            seen.setdefault(url, None)
    return list(seen)
