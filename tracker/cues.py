"""Cue words compiled into matchers, from the figures data files of every language.

A report mixes languages (an English tweet inside an Arabic article), and Arabic and
English words never collide, so one matcher per cue class covers all languages at
once. Arabic entries accept the clitics that glue to a word (و ف ب ل ك ال); a
trailing `*` in an entry lets the word run on (stems such as نزح*).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from .lexicon import LANGUAGES, load

_AR_LETTER = "\u0621-\u064A"
_AR_PREFIX = "(?:وبال|وال|بال|فال|كال|لل|ال|وب|ول|وك|و|ف|ب|ل|ك)?"


def _is_arabic(entry: str) -> bool:
    return bool(re.search(f"[{_AR_LETTER}]", entry))


def _entry_pattern(entry: str, glued: bool) -> str:
    stem = entry.endswith("*")
    word = entry.rstrip("*").strip()
    body = r"\s+".join(re.escape(part) for part in word.split())
    if _is_arabic(word):
        left, prefix, letter = f"(?<![{_AR_LETTER}])", _AR_PREFIX, _AR_LETTER
    else:
        left, prefix, letter = ("" if glued else "(?<![a-z])"), "", "a-z"
    if stem:
        right = f"[{letter}]*"
    elif word[-1:].isalpha():
        right = f"(?![{letter}])"
    else:
        right = ""
    return f"{left}{prefix}(?:{body}){right}"


def key(phrase: str) -> str:
    """Lookup key of a matched phrase: lower case, single spaces, no Arabic clitics."""
    return " ".join(phrase.lower().split())


@dataclass
class PhraseSet:
    """Phrases, each with a label; finds them in text."""

    labels: dict[str, str]      # entry (without *) -> label
    regex: re.Pattern
    tail: re.Pattern             # a phrase that ends the searched text
    stems: tuple[tuple[str, str], ...]

    @classmethod
    def build(cls, labelled: dict[str, str], glued: bool = False) -> "PhraseSet":
        entries = sorted(labelled, key=lambda e: -len(e.rstrip("*")))
        alts = "|".join(f"(?:{_entry_pattern(e, glued)})" for e in entries) or "(?!)"
        labels = {key(e.rstrip("*")): lab for e, lab in labelled.items()}
        stems = tuple((key(e.rstrip("*")), lab) for e, lab in labelled.items() if e.endswith("*"))
        return cls(labels, re.compile(alts, re.I), re.compile(f"(?:{alts})[\\s\"'(:،,]*$", re.I), stems)

    def label(self, phrase: str) -> str | None:
        """Label of a matched phrase, after stripping Arabic clitics."""
        k = key(phrase)
        if k in self.labels:
            return self.labels[k]
        for pre in ("وبال", "وال", "بال", "فال", "كال", "لل", "ال", "وب", "ول", "وك", "و", "ف", "ب", "ل", "ك"):
            if k.startswith(pre) and k[len(pre):] in self.labels:
                return self.labels[k[len(pre):]]
        for stem, lab in self.stems:
            if stem in k:
                return lab
        return None

    def search(self, text: str, start: int = 0, end: int | None = None):
        return self.regex.finditer(text, start, len(text) if end is None else end)

    def any(self, text: str, start: int = 0, end: int | None = None) -> bool:
        return self.regex.search(text, start, len(text) if end is None else end) is not None

    def at(self, text: str, pos: int, end: int | None = None):
        """The phrase starting at pos (after spaces), or None."""
        while pos < len(text) and text[pos] == " ":
            pos += 1
        return self.regex.match(text, pos, len(text) if end is None else end)

    def ending(self, text: str, end: int, reach: int = 40):
        """The phrase that ends at `end` (spaces, quotes and commas allowed after it)."""
        return self.tail.search(text, max(0, end - reach), end)


def _labelled(lists: dict[str, list[str]]) -> dict[str, str]:
    return {entry: label for label, entries in lists.items() for entry in entries}


def _merged(section: str) -> dict:
    merged: dict = {}
    for lang in LANGUAGES:
        value = load("figures", lang).get(section)
        if isinstance(value, dict):
            for k, v in value.items():
                if isinstance(v, list):
                    merged.setdefault(k, []).extend(v)
                else:
                    merged[k] = v
        elif isinstance(value, list):
            merged.setdefault("_", []).extend(value)
    return merged


class Cues:
    """Every cue class of the figures data, compiled once."""

    def __init__(self):
        flat = lambda name, glued=False: PhraseSet.build(  # noqa: E731
            {e: name for e in _merged(name).get("_", [])}, glued)
        self.category = PhraseSet.build(_labelled(_merged("categories")))
        self.dual = PhraseSet.build(_labelled(_merged("duals")))
        self.area_unit = PhraseSet.build(_labelled(_merged("area_units")))
        self.qualifier_before = PhraseSet.build(_labelled(_merged("qualifiers_before")))
        self.qualifier_after = PhraseSet.build(_labelled(_merged("qualifiers_after")))
        self.publisher = PhraseSet.build(_merged("publishers"))
        for name in ("units_excluded", "area_bare_context", "half", "range_open", "range_join",
                     "movement", "displacement", "stock", "cumulative", "batch", "since",
                     "casualty", "casualty_weak", "not_figure_before", "not_figure_context",
                     "past", "joiners"):
            setattr(self, name, flat(name))
        self.part = flat("part_cues", glued=True)


@lru_cache(maxsize=1)
def cues() -> Cues:
    return Cues()
