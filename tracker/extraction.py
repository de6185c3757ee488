"""The library's front door: report text in, report metadata and figures out.

`extract()` is a pure function of its arguments, so other programs, tests and a
distributed map over an archive can call it directly; the CLI only reads files and
prints what it returns.
"""
from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from . import dates, figures
from .normalize import normalize
from .reader import text_sha256

_ARABIC_LEADS = bytes(range(0xD8, 0xDC))   # UTF-8 lead bytes of U+0600..U+06FF
_LATIN = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
# Every byte to b"a" (an Arabic lead byte), b"l" (a Latin letter) or b" ".
_SCRIPTS = bytes(ord("a") if b in _ARABIC_LEADS else ord("l") if b in _LATIN else ord(" ")
                 for b in range(256))
_ANY_LATIN = re.compile("[A-Za-z]")


def detect_language(text: str) -> str:
    """'ar' or 'en', by which script dominates the letters.

    Counted on the UTF-8 bytes, which is many times faster than a regex over the
    characters: each character of the Arabic block U+0600..U+06FF starts with a byte
    D8..DB (which nothing else starts with), and A-Z, a-z are their own bytes. One
    translate marks both kinds, two counts add them up. ASCII text has no Arabic: one
    Latin letter makes it English.
    """
    if text.isascii():
        return "en" if _ANY_LATIN.search(text, 0, 20000) else "ar"
    marks = text[:20000].encode("utf-8", "surrogatepass").translate(_SCRIPTS)
    return "ar" if marks.count(b"a") >= marks.count(b"l") else "en"


def _as_date(value) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def extract(text: str, published: date | str | None = None, lang: str | None = None,
            path: str | None = None, publisher: str | None = None, metadata: dict | None = None) -> dict:
    """Extract a report's figures.

    `published` (the report date) is used as given; otherwise it is read from the
    text, then from `metadata["published"]` (a saved web page's own date, published_from
    "metadata"), then from a YYYY-MM-DD in `path`. `publisher` likewise: as given, else
    named in the text, else `metadata["publisher"]` (the page's site name). `lang` is
    "ar", "en" or None (detect).
    Returns {"report": {...}, "figures": [...], "warnings": [...]}, JSON-ready.
    """
    if lang in (None, "auto"):
        lang = detect_language(text)
    norm = normalize(text)
    quote = norm.original_slice          # warnings quote the report's own words
    report_date = dates.detect_published(norm.text, Path(path).name if path else None,
                                         _as_date(published), lang, quote)
    meta = metadata or {}
    if meta.get("published") and report_date.source in ("filename", None):
        report_date = dates.ReportDate(_as_date(meta["published"]), "metadata", report_date.warnings)
    found = figures.find_figures(norm, report_date.published, lang)
    warnings = list(report_date.warnings)
    for w in dates.check_weekdays(norm.text, report_date.published, lang, quote):
        if w not in warnings:
            warnings.append(w)
    return {
        "report": {
            "path": path,
            "sha256": text_sha256(text),
            "published": report_date.published.isoformat() if report_date.published else None,
            "published_from": report_date.source,
            "language": lang,
            "publisher": publisher or figures.detect_publisher(norm.text, lang) or meta.get("publisher"),
        },
        "figures": found,
        "warnings": warnings,
    }
