"""Find every number a report writes, in digits or in words, with its value.

Works on normalised text (see normalize.py: digits already ASCII, diacritics gone).
A pure function of text; knows nothing of what the number counts.
(Stub: the real implementation replaces this module.)
"""
from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Number:
    start: int          # span in the normalised text
    end: int
    value: float        # 350.0, 1700000.0, 0.5
    form: str           # "digits", "words" or "mixed"

    @property
    def integer(self) -> bool:
        return float(self.value).is_integer()


_DIGITS = re.compile(r"\d+(?:,\d{3})*")


def find_numbers(text: str, lang: str | None = None) -> list[Number]:
    """All numbers in `text` (normalised), in order, non-overlapping."""
    return [Number(m.start(), m.end(), float(m.group().replace(",", "")), "digits")
            for m in _DIGITS.finditer(text)]
