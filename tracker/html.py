"""Saved web pages: the article's main text, and the page's own date and site name.

Analysts save reports from a browser ("Save page as…"), so a report file can be a
whole web page: menus, share buttons, comments and footers around the article. We
keep only the article's main text, found by trafilatura (a library made for exactly
this and well kept), and read the page's metadata (`<meta property="og:site_name">`,
`article:published_time`, JSON-LD, `<time>` …) for its publication date and site name.

The extracted text is what is stored and what evidence offsets point into; the
metadata only fills the report date and publisher when neither an option nor the
text itself says otherwise (see `tracker.extract(metadata=...)`).

trafilatura is an optional extra: `pip install 'tracker[html]'`. Without it an HTML
file is a one-line per-file failure saying so; plain-text reports never need it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import PurePath

from .reader import ReadError, Source

SUFFIXES = (".html", ".htm", ".xhtml")
INSTALL_HINT = "pip install 'tracker[html]'"
MIN_WORDS = 8          # less than this is a menu or a stub, not an article

_LEADING = re.compile(rb"^(?:\xef\xbb\xbf)?\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html)[\s>]",
                      re.IGNORECASE | re.DOTALL)
_LEADING_UTF16 = ("<!doctype html", "<html")
_WORD = re.compile(r"[^\W\d_]{2,}")
# trafilatura's date search, limited to the page's markup: no guessing from the body
# text, whose own dateline the extractor reads (and ranks higher) anyway.
_DATE_PARAMS = {"extensive_search": False, "original_date": True, "outputformat": "%Y-%m-%d"}


@dataclass(frozen=True)
class PageSource(Source):
    """A report read from a web page: `text` is the article's main text; `published`
    (ISO date) and `publisher` (site name) come from the page's metadata, if it has them."""
    published: str | None = None
    publisher: str | None = None
    title: str | None = None
    url: str | None = None

    @property
    def metadata(self) -> dict:
        """What `tracker.extract(metadata=...)` takes."""
        return {"published": self.published, "publisher": self.publisher}


def is_html(name: str | None, data: bytes) -> bool:
    """A web page: named .html/.htm, or starting with `<!doctype html` / `<html`."""
    if name and PurePath(name).suffix.lower() in SUFFIXES:
        return True
    head = data[:2048]
    if _LEADING.match(head):
        return True
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = head.decode("utf-16", errors="ignore").lstrip("\ufeff \t\r\n").lower()
        except UnicodeDecodeError:
            return False
        return text.startswith(_LEADING_UTF16)
    return False


def available() -> bool:
    """Whether web pages can be read here (the [html] extra is installed)."""
    try:
        _trafilatura()
    except ImportError:
        return False
    return True


def _trafilatura():
    try:
        import trafilatura
    except ImportError as exc:
        # also raised when trafilatura is there but a dependency of it is missing
        raise ImportError(str(exc)) from None
    return trafilatura


def read_page(data: bytes, name: str = "<input>") -> PageSource:
    """Extract a saved page's article text and metadata; raise ReadError with a one-line reason."""
    shown = _shown(name)
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        data = data.decode("utf-16", errors="replace").encode("utf-8")   # lxml does not sniff UTF-16
    elif b"\x00" in data[:4096]:
        raise ReadError(f"{shown}: is named like a web page but is binary")
    try:
        trafilatura = _trafilatura()
    except ImportError as exc:
        raise ReadError(f"{shown}: is a web page; reading it needs trafilatura ({INSTALL_HINT}): {exc}") from None
    try:
        doc = trafilatura.bare_extraction(data, with_metadata=True, include_comments=False,
                                          include_tables=True, date_extraction_params=_DATE_PARAMS)
    except Exception as exc:  # a parser error on one page must not stop the others
        raise ReadError(f"{shown}: cannot be read as a web page ({type(exc).__name__}: {exc})") from None
    text = _clean(getattr(doc, "text", None) or "") if doc is not None else ""
    if len(_WORD.findall(text)) < MIN_WORDS:
        raise ReadError(f"{shown}: is a web page with no article text (only {len(_WORD.findall(text))} words "
                        "outside menus and footers)")
    return PageSource(path=name, text=text, encoding="html",
                      published=_iso_date(doc.date), publisher=_clean(doc.sitename or "") or None,
                      title=_clean(doc.title or "") or None, url=doc.url or None)


def _shown(name: str) -> str:
    """The file name as the reader shows it in messages (control characters escaped)."""
    from . import reader
    return getattr(reader, "_shown", str)(name)


def _clean(text: str) -> str:
    """Paragraphs one per line with a blank line between them, as in saved text reports."""
    lines = [" ".join(line.split()) for line in text.replace("\r\n", "\n").split("\n")]
    return "\n\n".join(line for line in lines if line)


def _iso_date(value: str | None) -> str | None:
    if not value:
        return None
    m = re.match(r"(\d{4})-(\d{2})-(\d{2})", value)
    return "-".join(m.groups()) if m else None
