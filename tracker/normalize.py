"""Normalise report text once, early, and keep a map back to the original offsets.

Every later stage (numbers, dates, figures) matches against the normalised text, so
its patterns and word lists need only one spelling: Eastern Arabic and Persian digits
become ASCII, Arabic diacritics and tatweel disappear, alef forms fold to bare alef,
alef maqsura to ya, typographic quotes and dashes to ASCII. Each original character
becomes zero or one normalised character, so `Normalized.span()` turns a match back
into offsets of the text the report actually says (evidence must quote the report).
"""
from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass

# One original character -> its replacement ("" drops it).
_MAP: dict[int, str] = {}
for _i, _d in enumerate("٠١٢٣٤٥٦٧٨٩"):
    _MAP[ord(_d)] = str(_i)
for _i, _d in enumerate("۰۱۲۳۴۵۶۷۸۹"):
    _MAP[ord(_d)] = str(_i)
for _c in range(0x064B, 0x0653):  # fathatan .. sukun
    _MAP[_c] = ""
_MAP.update({
    0x0670: "",      # superscript alef
    0x0640: "",      # tatweel: خــروج
    0x200B: "", 0x200C: "", 0x200D: "", 0x200E: "", 0x200F: "", 0x061C: "", 0xFEFF: "",
    0x066C: ",",     # Arabic thousands separator
    0x066B: ".",     # Arabic decimal separator
    0x066A: "%",     # Arabic percent sign
    0x0623: "ا", 0x0625: "ا", 0x0622: "ا", 0x0671: "ا",
    0x0649: "ي",     # alef maqsura: حوالى == حوالي
    0x201C: '"', 0x201D: '"', 0x201E: '"', 0x00AB: '"', 0x00BB: '"',
    0x2018: "'", 0x2019: "'", 0x201A: "'", 0x2032: "'",
    0x2013: "-", 0x2014: "-", 0x2012: "-", 0x2212: "-",
    0x00A0: " ", 0x202F: " ", 0x2009: " ", 0x2007: " ",
    0x00B2: "2",     # km²
    0x000D: "\n",   # CR and CRLF line endings
})


_TABLE = {k: (v if v else None) for k, v in _MAP.items()}
_DROPPED_CHARS = tuple(chr(k) for k, v in _MAP.items() if not v)
_DROPPED = re.compile("[" + "".join(map(re.escape, _DROPPED_CHARS)) + "]")
assert not any(ch.isascii() for ch in _DROPPED_CHARS)


@dataclass(frozen=True)
class Normalized:
    """Normalised text plus the original offsets of the characters that were dropped."""

    original: str
    text: str
    dropped: tuple[int, ...]     # sorted original offsets of characters with no counterpart

    def offset(self, i: int) -> int:
        """Original offset of normalised character i."""
        o = i
        while True:
            nxt = i + bisect_right(self.dropped, o)
            if nxt == o:
                return o
            o = nxt

    @property
    def offsets(self) -> list[int]:
        return [self.offset(i) for i in range(len(self.text))]

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Original (start, end) of the normalised slice text[start:end]."""
        if end <= start:
            pos = self.offset(start) if start < len(self.text) else len(self.original)
            return pos, pos
        return self.offset(start), self.offset(end - 1) + 1

    def original_slice(self, start: int, end: int) -> str:
        a, b = self.span(start, end)
        return self.original[a:b]


# str.translate looks every character up in a dict, slow on Arabic text; one str.replace
# per mapped character scans in C and is several times faster. No replacement is itself
# a mapped character, so the order does not matter and the result is the same.
_REPLACE = [(chr(k), v) for k, v in _MAP.items()]
assert not any(chr(k) in v for v in _MAP.values() for k in _MAP)


def normalize(text: str) -> Normalized:
    """Fold spelling variants; see the module docstring for what changes."""
    return Normalized(text, _translate(text), _dropped(text))


def _dropped(text: str) -> tuple[int, ...]:
    """Offsets of the characters normalisation drops. Most texts have none: `in` tells
    so in C at memchr speed, while the regex tests every character against a class."""
    if text.isascii() or not any(ch in text for ch in _DROPPED_CHARS):
        return ()
    return tuple(m.start() for m in _DROPPED.finditer(text))


def _translate(text: str) -> str:
    """text.translate(_TABLE), faster."""
    if text.isascii():                   # only CR is mapped among ASCII characters
        return text.replace("\r", "\n")
    for old, new in _REPLACE:
        text = text.replace(old, new)
    return text


def fold(word: str) -> str:
    """Normalise a word from a data file the same way as report text."""
    return word.translate(_TABLE)
