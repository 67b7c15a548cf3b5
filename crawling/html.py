"""Small lxml helpers shared by the site modules: decoding, selectors, text, numbers, images, dates.

lxml is used directly (not BeautifulSoup) because the crawl parses every page of every run and the
parse budget is about twice a bare ``lxml.html`` parse (``bench/crawl.py`` measures it).
"""

from __future__ import annotations

import codecs
import re
from datetime import datetime
from functools import lru_cache
from urllib.parse import parse_qs, urljoin, urlsplit
from zoneinfo import ZoneInfo

import lxml.html
from lxml import etree
from lxml.cssselect import LxmlTranslator
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
SIMPLE_SELECTOR = re.compile(r"([a-z][a-z0-9]*)((?:[.#][\w-]+)*)\Z")
NUMBER = re.compile(r"-?\d[\d,]*")
TRANSLATOR = LxmlTranslator()
# collect_ids=False: libxml2 would hash every id attribute for XPath's id(), which nothing here
# uses (by_id walks the tree); that hashing is about 7% of the parse.
UTF8_PARSER = lxml.html.HTMLParser(encoding="utf-8", collect_ids=False)
# lxml.html picks each element's class in a Python callback (forms, inputs, labels get their own
# classes), which costs about a microsecond per element a selector returns. Every element here is
# read through the plain HtmlElement API, so a C-level lookup that always gives HtmlElement will do.
UTF8_PARSER.set_element_class_lookup(etree.ElementDefaultClassLookup(
    element=lxml.html.HtmlElement, comment=lxml.html.HtmlComment, pi=lxml.html.HtmlProcessingInstruction,
))


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
    if declared and declared != "utf-8":
        return raw.decode(declared, errors="replace")
    for guess in ("utf-8",) if declared else ("utf-8", "cp949"):  # undeclared Korean pages: one of two
        try:
            text = raw.decode(guess)
        except UnicodeDecodeError:
            continue
        return Page(text, raw) if guess == "utf-8" else text
    return raw.decode("utf-8", errors="replace")


class Page(str):
    """Page text decoded from valid UTF-8, keeping those bytes: ``document`` gives them to libxml2
    as they are instead of encoding the text again (the same bytes, about 25 µs a page saved)."""

    utf8: bytes

    def __new__(cls, text: str, utf8: bytes) -> Page:
        page = super().__new__(cls, text)
        page.utf8 = utf8
        return page


def document(text: str):
    """Parse a page; an empty or unparseable page is a ``ParseError``, not an lxml exception."""
    if not text or text.isspace():  # the same test as ``not text.strip()``, without copying the page
        raise ParseError("empty page")
    try:
        # lxml parses UTF-8 bytes about twice as fast as a Python str of the same page.
        data = text.utf8 if isinstance(text, Page) else text.encode("utf-8", "surrogatepass")
        return lxml.html.document_fromstring(data, parser=UTF8_PARSER)
    except (ParserError, ValueError) as exc:
        raise ParseError(f"unparseable HTML: {exc}") from exc


@lru_cache(maxsize=512)
def _selector(css: str) -> etree.XPath:
    """CSS compiled to XPath once per process. ``regexp=False``: lxml would otherwise register the
    EXSLT regular-expression functions on every call, about 40% of a small selector's cost."""
    return etree.XPath(TRANSLATOR.css_to_xpath(css), regexp=False, smart_strings=False)


@lru_cache(maxsize=512)
def _simple(css: str) -> tuple[str, str | None, str | None] | None:
    """``(tag, "class.class", id)`` for a lone ``tag.class#id`` selector, else None."""
    match = SIMPLE_SELECTOR.match(css)
    if match is None:
        return None
    ids = re.findall(r"#([\w-]+)", match.group(2))
    if len(ids) > 1:
        return None
    return match.group(1), ".".join(re.findall(r"\.([\w-]+)", match.group(2))) or None, ids[0] if ids else None


def _simple_iter(el, simple: tuple[str, str | None, str | None]):
    """What a lone ``tag.class#id`` selects, in document order. lxml filters the tag in C, so only
    elements of that tag reach Python; an XPath call instead evaluates its class predicate on each
    of them at several times the cost, which made scans of a whole page about twice as slow."""
    tag, cls, element_id = simple
    return _matching(el.iter(tag), cls, element_id)


def select(el, css: str) -> list:
    simple = _simple(css)
    return list(_simple_iter(el, simple)) if simple else _selector(css)(el)


def first(el, css: str):
    simple = _simple(css)
    if simple:
        return next(_simple_iter(el, simple), None)
    found = _selector(css)(el)
    return found[0] if found else None


def has_class(el, cls: str | None) -> bool:
    """``cls`` is one class or several joined by dots (``"btnbox.up"``), as in CSS."""
    if cls is None:
        return True
    value = el.get("class")
    if not value or cls.partition(".")[0] not in value:  # most elements fail here, before any split
        return False
    names = value.split()
    return all(name in names for name in cls.split("."))


def find(el, tag: str | tuple[str, ...], cls: str | None = None):
    """``first(el, "tag.cls")`` for a small subtree (a row, a comment, a header block).

    An XPath call costs a few microseconds before it looks at any node; a page reads 30 to 60
    fields out of rows and comments, so those lookups walk the subtree in C by tag instead.
    Like the CSS descendant selector it replaces, ``el`` itself can match.
    """
    if el is None:
        return None
    return next(_matching(el.iter(*tag) if isinstance(tag, tuple) else el.iter(tag), cls), None)


def find_all(el, tag: str, cls: str | None = None) -> list:
    return list(_matching(el.iter(tag), cls)) if el is not None else []


def _matching(nodes, cls: str | None, element_id: str | None = None):
    """The nodes that carry every class of ``cls`` (dot-joined) and the id, in order. The check is
    inlined rather than ``has_class`` per node: the nodes that do not match are most of them."""
    names = cls.split(".") if cls else []
    key = names[0] if names else ""
    for node in nodes:
        if element_id is not None and node.get("id") != element_id:
            continue
        if names:
            value = node.get("class")
            if not value or key not in value:
                continue
            split = value.split()
            if not all(name in split for name in names):
                continue
        yield node


def child(el, tag: str, cls: str | None = None, *, without: str | None = None):
    """First direct child ``tag.cls`` (``el > tag.cls:not(.without)``)."""
    if el is None:
        return None
    for node in el.iterchildren(tag):
        if has_class(node, cls) and not (without and has_class(node, without)):
            return node
    return None


def scope(doc, css: str):
    """The page's main container, so later lookups scan it instead of the whole document; the
    whole document when a broken page lacks it, so results are no worse than unscoped."""
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


def drop_tags(el, *tags: str) -> None:
    """``drop(el, "strong", "em")`` for plain tag names, without an XPath call per tag."""
    for node in list(el.iter(*tags)):
        node.drop_tree()


def drop(el, *selectors: str) -> None:
    """Remove matching elements but keep the text that follows them (their tail)."""
    for css in selectors:
        for node in select(el, css):
            node.drop_tree()


def text(el) -> str:
    """Inline text with whitespace collapsed (titles, names, counters)."""
    if el is None:
        return ""
    # The same string as text_content() (every descendant text node), without an XPath call; a leaf
    # (most counters and names) is just its own text, without setting up the serializer.
    content = (el.text or "") if len(el) == 0 else etree.tostring(el, method="text", encoding=str, with_tail=False)
    return " ".join(content.replace("\u200b", " ").split())  # split() is cheaper than a regex here


def cells(row) -> dict:
    """A table row's cells by class name, found in one pass instead of one selector per cell."""
    found: dict = {}
    for cell in row.iterchildren("td"):
        for name in (cell.get("class") or "").split():
            found.setdefault(name, cell)
    return found


def attr(el, name: str) -> str:
    return (el.get(name) or "").strip() if el is not None else ""


def to_int(value: str | None) -> int:
    match = NUMBER.search(value or "")
    return int(match.group().replace(",", "")) if match else 0


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
    if len(el) == 0:  # most comments are one text node
        raw = el.text or ""
    else:
        parts: list[str] = []
        _comment_walk(el, parts)
        raw = "".join(parts)
    lines = (line.replace("\u00a0", " ").strip() for line in raw.split("\n"))
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


def absolute(url: str, base: str) -> str:
    if url.startswith("//"):
        return "https:" + url
    if _plain_absolute(url):
        return url  # what urljoin returns for it, without its split and rejoin (list pages have dozens)
    if url.startswith("/") and _plain_rooted(url) and (origin := _origin(base)):
        return origin + url
    return urljoin(base, url)


@lru_cache(maxsize=64)
def _origin(base: str) -> str:
    """``https://host`` of a plain absolute base URL; "" when urljoin must handle it."""
    if not _plain_absolute(base):
        return ""
    parts = urlsplit(base)
    return f"{parts.scheme}://{parts.netloc}"


def _plain_rooted(url: str) -> bool:
    """A ``/path?query`` that urljoin only prefixes with the origin: no ``//``, ``.`` or ``..``
    segments in the path for it to collapse, nothing for the split and rejoin to drop."""
    path = url.partition("?")[0].partition("#")[0]
    return (
        not url.startswith("//") and "//" not in path and "/." not in path and _plain(url)
        and "?#" not in url and ";" not in url and not url.endswith(("?", "#"))
    )


def _plain_absolute(url: str) -> bool:
    """An absolute URL that urljoin's split and rejoin leaves as it is: no empty ``?``/``#``/``;`` to
    drop, no tabs, newlines or control characters to strip, no IPv6 host to validate."""
    host = url.partition("://")[2][:1]
    return (
        url.startswith(("https://", "http://")) and host not in ("", "/", "?", "#") and _plain(url)
        and "?#" not in url and ";" not in url and not url.endswith(("?", "#"))
    )


def _plain(url: str) -> bool:
    """Nothing ``urlsplit`` would strip (tabs, newlines, leading spaces) or reject (brackets)."""
    return url.isprintable() and not url.startswith(" ") and "[" not in url and "]" not in url


def query(url: str) -> dict[str, str]:
    """A URL's query parameters, the first value of each, blank values left out (as ``parse_qs``)."""
    raw = url.partition("#")[0].partition("?")[2]
    if not (_plain(url) and raw.isascii()) or "%" in raw or "+" in raw:  # escapes: the library decodes them
        return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
    found: dict[str, str] = {}
    for pair in raw.split("&"):
        name, _, value = pair.partition("=")
        if value:
            found.setdefault(name, value)
    return found


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
        url = absolute(src, base)
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


def meta_published(doc) -> datetime | None:
    node = first(doc, 'meta[property="article:published_time"]')
    if node is None:
        return None
    try:
        return datetime.fromisoformat(attr(node, "content")).astimezone(KST)
    except ValueError:
        return None
