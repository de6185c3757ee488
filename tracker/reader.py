"""Read a report file into text, refusing what is not text.

Analysts save reports from anywhere: UTF-8 with or without BOM, UTF-16, Windows-1256
exports. We try those in turn and refuse binaries (images, PDFs, archives) rather
than decode them into noise. Every failure is a `ReadError` naming the file.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

DEFAULT_MAX_BYTES = 50 * 1024 * 1024

# Leading bytes of common binary formats: refused with their name.
_MAGIC = {
    b"%PDF": "a PDF",
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
    b"PK\x03\x04": "a ZIP archive (or Office document)",
    b"\x1f\x8b": "a gzip archive",
    b"BZh": "a bzip2 archive",
    b"7z\xbc\xaf": "a 7z archive",
    b"Rar!": "a RAR archive",
    b"\x7fELF": "an executable",
    b"SQLite format 3": "an SQLite database",
    b"RIFF": "a media file",
}


class ReadError(Exception):
    """A report file that cannot be read as text; the message names the file."""


@dataclass(frozen=True)
class Source:
    path: str
    text: str
    encoding: str

    @property
    def sha256(self) -> str:
        return text_sha256(self.text)


def text_sha256(text: str) -> str:
    """Identity of a report: the hash of its decoded text, whatever the encoding."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def decode(data: bytes, name: str = "<input>") -> tuple[str, str]:
    """Decode report bytes; return (text, encoding) or raise ReadError."""
    from . import html          # a saved web page (e.g. on stdin): its article text
    if html.is_html(None, data):
        return html.read_page(data, name).text, "html"
    for magic, what in _MAGIC.items():
        if data.startswith(magic):
            raise ReadError(f"{name}: is {what}, not a text report")
    if data.startswith(b"\xef\xbb\xbf"):
        candidates = ["utf-8-sig"]
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        candidates = ["utf-16"]
    else:
        candidates = ["utf-8", "cp1256"]
    for enc in candidates:
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            continue
        if _looks_binary(text):
            raise ReadError(f"{name}: looks binary (control characters), not a text report")
        text = text.replace("\x00", "")
        if not text.strip():
            raise ReadError(f"{name}: is empty")
        return text, enc
    raise ReadError(f"{name}: is not text in UTF-8, UTF-16 or Windows-1256")


def _looks_binary(text: str) -> bool:
    sample = text[:4096]
    if not sample:
        return False
    bad = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\t\n\r\f\v\x00")
    return bad > max(8, len(sample) // 100)


def read_report(path: str | Path, max_bytes: int = DEFAULT_MAX_BYTES) -> Source:
    """Read one report file; raise ReadError with a one-line reason."""
    p = Path(path)
    name = str(path)
    if not p.exists():
        raise ReadError(f"{name}: no such file")
    if p.is_dir():
        raise ReadError(f"{name}: is a directory")
    try:
        size = p.stat().st_size
        if size > max_bytes:
            raise ReadError(f"{name}: is {size} bytes, over the limit of {max_bytes} (--max-bytes)")
        data = p.read_bytes()
    except PermissionError:
        raise ReadError(f"{name}: permission denied") from None
    except OSError as exc:
        raise ReadError(f"{name}: cannot be read ({exc.strerror or exc})") from None
    if not data.strip():
        raise ReadError(f"{name}: is empty")
    from . import html          # a saved web page: its article text and metadata
    if html.is_html(name, data):
        return html.read_page(data, name)
    text, enc = decode(data, name)
    return Source(name, text, enc)
