"""Find date expressions and resolve them against the report date.

Works on normalised text. A pure function of text and the report date.
(Stub: the real implementation replaces this module.)
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True)
class DateMention:
    start: int                 # span in the normalised text
    end: int
    role: str                  # point | since | until | range | window | month | year | duration
    first: date | None = None  # first day covered (since: the start; window: its start)
    last: date | None = None   # last day covered (until/point/window end); None = open
    weekday: int | None = None # 0=Monday, when the text names one
    text: str = ""


@dataclass
class ReportDate:
    published: date | None
    source: str | None         # "option", "text", "filename" or None
    warnings: list[str] = field(default_factory=list)


def find_dates(text: str, published: date | None, lang: str | None = None) -> list[DateMention]:
    return []


def detect_published(text: str, filename: str | None = None, option: date | None = None,
                     lang: str | None = None) -> ReportDate:
    return ReportDate(option, "option" if option else None)


def check_weekdays(text: str, published: date | None, lang: str | None = None) -> list[str]:
    return []
