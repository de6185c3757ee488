"""Read a report file into text, refusing what is not text.

Analysts save reports from anywhere: UTF-8 with or without BOM, UTF-16, Windows-1256
or ISO-8859-6 exports, truncated downloads. We decode those and refuse binaries
(images, PDFs, archives) rather than decode them into noise. Every failure is a
`ReadError` naming the file.

How the bytes are decoded, in order:

1. A known binary signature (PDF, PNG, JPEG, ZIP, gzip, ...) is refused by name.
2. A BOM decides: UTF-8, UTF-16 LE or BE. Bytes the BOM's encoding cannot decode (a
   download cut in the middle of a character) become U+FFFD.
3. Without a BOM, NUL bytes on one side of nearly every byte pair mean UTF-16 without
   a BOM (LE or BE by the side).
4. UTF-8. A character cut off at the very end is dropped; a few stray bytes (at most
   one per 100 multi-byte characters) become U+FFFD rather than sending a UTF-8
   report to the single-byte encodings as mojibake.
5. Otherwise a single-byte Arabic code page: Windows-1256, unless every byte is valid
   ISO-8859-6 and, read as Windows-1256, the text would put Latin letters (à, ç, è,
   é, ...) or × ÷ right against Arabic letters. That is what ISO-8859-6 Arabic looks
   like through Windows-1256 (its و ي ه ط land on è ê ç ×), and what real
   Windows-1256 text never contains.

The decoded text is refused as binary when control characters (other than tab,
newlines, form feed, ESC and NUL) exceed 1% of samples from its start, middle and
end; NUL bytes are then dropped. Line endings are kept as they are (\\n, \\r\\n, \\r,
mixed): evidence offsets point into the text as read, and the extractor treats every
line ending alike. Files over `max_bytes` (default 50 MB, `--max-bytes`) are refused
before they are read.
"""
from __future__ import annotations

import hashlib
import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

DEFAULT_MAX_BYTES = 50 * 1024 * 1024

# Leading bytes of common binary formats: refused with their name.
_MAGIC = {
    b"%PDF": "a PDF",
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
    b"II*\x00": "a TIFF image",
    b"MM\x00*": "a TIFF image",
    b"\x00\x00\x01\x00": "an icon image",
    b"PK\x03\x04": "a ZIP archive (or Office document)",
    b"PK\x05\x06": "a ZIP archive (or Office document)",
    b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1": "an Office document (doc, xls)",
    b"{\\rtf": "an RTF document (save it as plain text)",
    b"\x1f\x8b": "a gzip archive",
    b"BZh": "a bzip2 archive",
    b"\xfd7zXZ\x00": "an xz archive",
    b"\x28\xb5\x2f\xfd": "a zstd archive",
    b"7z\xbc\xaf": "a 7z archive",
    b"Rar!": "a RAR archive",
    b"\x7fELF": "an executable",
    b"MZ\x90\x00": "an executable",
    b"\xca\xfe\xba\xbe": "an executable",
    b"\xcf\xfa\xed\xfe": "an executable",
    b"\x00asm": "an executable",
    b"SQLite format 3": "an SQLite database",
    b"RIFF": "a media file",
    b"OggS": "a media file",
    b"fLaC": "a media file",
    b"ID3": "a media file",
    b"\x1aE\xdf\xa3": "a media file",
}
# Signatures that do not start at byte 0: (offset, bytes, what).
_MAGIC_AT = [(4, b"ftyp", "a media file"), (257, b"ustar", "a tar archive")]


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

    @property
    def metadata(self) -> dict | None:
        """What the file says about the report besides its text (a web page's date and
        site name); None for plain text."""
        return None


def text_sha256(text: str) -> str:
    """Identity of a report: the hash of its decoded text, whatever the encoding."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# --- showing text safely ------------------------------------------------------------------

_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")
_CONTROL_AND_LINES = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")


def _escape(match: re.Match) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible(text: str, lines: bool = True) -> str:
    """`text` with control characters (ESC, BEL, C1, ...) and lone surrogates written as
    escapes (\\x1b), so that printing it cannot act on a terminal. Tabs and newlines are
    kept unless lines=False (one-line messages, file names)."""
    return (_CONTROL if lines else _CONTROL_AND_LINES).sub(_escape, text)


def _shown(name: str) -> str:
    return visible(name, lines=False)


# --- decoding -------------------------------------------------------------------------------

def _binary_format(data: bytes) -> str | None:
    for magic, what in _MAGIC.items():
        if data.startswith(magic):
            return what
    for offset, magic, what in _MAGIC_AT:
        if data[offset:offset + len(magic)] == magic:
            return what
    if data[:2] == b"BM" and data[6:10] == b"\x00\x00\x00\x00" and len(data) > 26:
        return "a BMP image"
    return None


def _byte_class(codec: str, wanted) -> bytes:
    """A regex character class of the bytes 0x80-0xFF that `codec` decodes to a character in `wanted`."""
    found = []
    for b in range(0x80, 0x100):
        try:
            ch = bytes([b]).decode(codec)
        except UnicodeDecodeError:
            ch = None
        if wanted(ch):
            found.append(re.escape(bytes([b])))
    return b"[" + b"".join(found) + b"]"


_ISO_UNDEFINED = re.compile(_byte_class("iso8859_6", lambda ch: ch is None))
_CP1256_ARABIC = _byte_class("cp1256", lambda ch: ch is not None and "\u0620" <= ch <= "\u06ff" and ch.isalpha())
_CP1256_LATIN = _byte_class("cp1256", lambda ch: ch is not None and ("\u00c0" <= ch <= "\u00ff"))
_ISO_THROUGH_CP1256 = re.compile(_CP1256_ARABIC + _CP1256_LATIN + b"|" + _CP1256_LATIN + _CP1256_ARABIC)


def _single_byte_arabic(data: bytes) -> str:
    """Windows-1256 or ISO-8859-6 (the rule in the module doc)."""
    if _ISO_THROUGH_CP1256.search(data) and not _ISO_UNDEFINED.search(data):
        return "iso8859-6"
    return "cp1256"


def _utf16_without_bom(data: bytes) -> str | None:
    sample = data[:4096]
    nuls = sample.count(0)
    if nuls < 16 or nuls * 20 < len(sample):          # at least 5%: spaces, digits, punctuation
        return None
    odd = sample[1::2].count(0)
    if odd * 100 >= nuls * 95:
        return "utf-16-le"
    if (nuls - odd) * 100 >= nuls * 95:
        return "utf-16-be"
    return None


def _decode_utf8(data: bytes) -> str | None:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.reason == "unexpected end of data" and exc.start >= len(data) - 3:
            try:
                return data[:exc.start].decode("utf-8")     # a character cut off at the end
            except UnicodeDecodeError:
                pass
    text = data.decode("utf-8", "replace")
    bad = text.count("\ufffd") - data.count(b"\xef\xbf\xbd")
    multibyte = len(data) - len(text)                   # extra bytes of the valid multi-byte characters
    if bad * 100 <= multibyte:
        return text
    return None


def _decode_text(data: bytes) -> tuple[str, str]:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", "replace"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        enc = "utf-16-le" if data.startswith(b"\xff\xfe") else "utf-16-be"
        body = data[2:len(data) - (len(data) % 2)]
        return body.decode(enc, "replace"), enc
    enc = _utf16_without_bom(data)
    if enc:
        try:
            return data[:len(data) - (len(data) % 2)].decode(enc), enc
        except UnicodeDecodeError:
            pass
    text = _decode_utf8(data)
    if text is not None:
        return text, "utf-8"
    enc = _single_byte_arabic(data)
    return data.decode(enc), enc


def decode(data: bytes, name: str = "<input>") -> tuple[str, str]:
    """Decode report bytes; return (text, encoding) or raise ReadError."""
    from . import html          # a saved web page (e.g. on stdin): its article text
    if html.is_html(None, data):
        return html.read_page(data, name).text, "html"
    shown = _shown(name)
    what = _binary_format(data)
    if what:
        raise ReadError(f"{shown}: is {what}, not a text report")
    text, enc = _decode_text(data)
    if _looks_binary(text):
        raise ReadError(f"{shown}: looks binary (control characters), not a text report")
    if "\x00" in text:
        text = text.replace("\x00", "")
    if not text or text.isspace():
        raise ReadError(f"{shown}: is empty")
    return text, enc


_BINARY_CONTROL = re.compile("[\x01-\x08\x0e-\x1a\x1c-\x1f]")     # not \t \n \v \f \r ESC NUL


def _looks_binary(text: str) -> bool:
    n = len(text)
    samples = [text[:4096]] if n <= 3 * 4096 else [text[:4096], text[n // 2:n // 2 + 4096], text[-4096:]]
    size = sum(len(s) for s in samples)
    if not size:
        return False
    bad = sum(len(_BINARY_CONTROL.findall(s)) for s in samples)
    return bad > max(8, size // 100)


# --- files and streams ---------------------------------------------------------------------

def parse_size(value: str) -> int:
    """A byte count such as 50000000, 500k, 50MB or 1G (powers of 1024); ValueError if not."""
    m = re.fullmatch(r"\s*(\d+)\s*([kmg]?)(i?b)?\s*", str(value), re.IGNORECASE)
    if not m:
        raise ValueError(f"{value!r} is not a size; expected bytes or a number with k, MB or GB, e.g. 50MB")
    n = int(m.group(1)) * 1024 ** " kmg".index((m.group(2) or " ").lower())
    if n < 1 or n > 2 ** 40:
        raise ValueError(f"{value!r} is out of range; expected a size from 1 byte to 1 TB")
    return n


def _too_big(shown: str, size: int | str, max_bytes: int) -> ReadError:
    return ReadError(f"{shown}: is {size} bytes, over the limit of {max_bytes} (--max-bytes)")


def read_stream(stream: BinaryIO, name: str = "<stdin>", max_bytes: int = DEFAULT_MAX_BYTES) -> Source:
    """Read a report from an open binary stream (standard input), at most `max_bytes`."""
    data = stream.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise _too_big(_shown(name), f"more than {max_bytes}", max_bytes)
    from . import html          # a saved web page: its article text and metadata
    if html.is_html(name, data):
        return html.read_page(data, name)
    text, enc = decode(data, name)
    return Source(name, text, enc)


def read_report(path: str | Path, max_bytes: int = DEFAULT_MAX_BYTES) -> Source:
    """Read one report file; raise ReadError with a one-line reason.

    A file over `max_bytes` is refused before it is read, so a 50 MB file costs about
    its size in bytes plus its decoded text in memory."""
    p = Path(path)
    name = str(path)
    shown = _shown(name)
    try:
        st = p.stat()
    except FileNotFoundError:
        if p.is_symlink():
            raise ReadError(f"{shown}: is a broken symbolic link") from None
        raise ReadError(f"{shown}: no such file") from None
    except PermissionError:
        raise ReadError(f"{shown}: permission denied") from None
    except OSError as exc:                              # ELOOP, ENAMETOOLONG, ENOTDIR...
        raise ReadError(f"{shown}: cannot be read ({exc.strerror or exc})") from None
    if stat.S_ISDIR(st.st_mode):
        try:
            os.scandir(p).close()
        except OSError as exc:
            raise ReadError(f"{shown}: is a directory that cannot be read ({exc.strerror or exc})") from None
        raise ReadError(f"{shown}: is a directory")
    regular = stat.S_ISREG(st.st_mode)
    if regular and st.st_size > max_bytes:
        raise _too_big(shown, st.st_size, max_bytes)
    try:
        with open(p, "rb") as fh:
            data = fh.read((min(st.st_size, max_bytes) if regular else max_bytes) + 1)
            if regular and st.st_size < len(data) <= max_bytes:     # grew while we read
                data += fh.read(max_bytes + 1 - len(data))
    except PermissionError:
        raise ReadError(f"{shown}: permission denied") from None
    except OSError as exc:
        raise ReadError(f"{shown}: cannot be read ({exc.strerror or exc})") from None
    if len(data) > max_bytes:
        raise _too_big(shown, f"more than {max_bytes}" if not regular else len(data), max_bytes)
    from . import html          # a saved web page: its article text and metadata
    if html.is_html(name, data):
        return html.read_page(data, name)
    text, enc = decode(data, name)
    return Source(name, text, enc)
