"""Fields read from a list of candidate selectors, the first that answers wins; counts with labels.

The sites added with bobaedream, todayhumor, clien and mlbpark write every field as an ordered
list of sources, so that a renamed class loses one candidate, not the field. Kept apart from
``crawling.html`` so that the lists can move onto a shared fallback mechanism unchanged.
"""

from __future__ import annotations

import re

from crawling import html

# "1,366", "1.2만", "3천", "12K": the first number in the text, with its Korean/English unit.
COUNT = re.compile(r"(\d[\d,]*(?:\.\d+)?)\s*(만|천|[kK]\b)?")
UNITS = {"만": 10_000, "천": 1_000, "k": 1_000, "K": 1_000}


def node_first(el, selectors: tuple[str, ...]):
    """The first element any selector finds, trying the selectors in order."""
    for css in selectors:
        found = html.first(el, css) if el is not None else None
        if found is not None:
            return found
    return None


def nodes_first(el, selectors: tuple[str, ...]) -> list:
    """Every element the first selector that finds any finds (list rows, comment rows)."""
    for css in selectors:
        found = html.select(el, css) if el is not None else []
        if found:
            return found
    return []


def text_first(el, selectors: tuple[str, ...]) -> str:
    """The first non-empty text any selector finds."""
    for css in selectors:
        for node in html.select(el, css) if el is not None else ():
            value = html.text(node)
            if value:
                return value
    return ""


def attr_first(el, selectors: tuple[str, ...], name: str) -> str:
    for css in selectors:
        value = html.attr(node_first(el, (css,)), name)
        if value:
            return value
    return ""


def meta(doc, *properties: str) -> str:
    """The content of the first ``<meta property|name=…>`` present (og:title, article:published_time)."""
    for prop in properties:
        value = attr_first(doc, (f'meta[property="{prop}"]', f'meta[name="{prop}"]'), "content")
        if value:
            return value
    return ""


def count(value: str | None) -> int:
    """The first number in ``value``, labels and separators aside: "조회 1,366" → 1366, "1.2만" → 12000."""
    match = COUNT.search(value or "")
    if not match:
        return 0
    number = float(match.group(1).replace(",", ""))
    return round(number * UNITS.get(match.group(2) or "", 1))


def labelled(value: str, *labels: str) -> int | None:
    """The count after the first label present ("추천 : 34", "조회수 1,366"); None when no label is."""
    for label in labels:
        match = re.search(re.escape(label) + r"\s*[:：]?\s*(\d[\d,.]*\s*(?:만|천)?)", value or "")
        if match:
            return count(match.group(1))
    return None


def count_first(el, selectors: tuple[str, ...]) -> int | None:
    """The count in the first selector's text that holds a number; None when none does."""
    for css in selectors:
        for node in html.select(el, css) if el is not None else ():
            value = html.text(node)
            if COUNT.search(value):
                return count(value)
    return None
