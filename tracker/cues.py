"""Cue words from the figures data files, found by word lookup rather than big regexes.

A report mixes languages (an English tweet inside an Arabic article), and Arabic and
English words never collide, so one phrase set per cue class covers all languages.
Text is split into words once; each word (and, for Arabic, the word without the
clitics و ف ب ل ك ال glued to it) is looked up in a dictionary of phrase starts, so
finding every cue of a report costs one pass over its words, whatever the size of
the word lists. A trailing `*` in an entry lets its last word run on (stems: نزح*).
Each phrase set keeps the matches of the last text it saw, so the many look-ups the
figure rules make around each number are binary searches, not new scans.
"""
from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass
from functools import lru_cache

from .lexicon import LANGUAGES, load

_WORD = re.compile(r"[\u0621-\u064A]+|[A-Za-z]+|\d+|[%$&+\-]")
_ARABIC = re.compile(r"[\u0621-\u064A]")
_BREAK = re.compile(r"[.!?؟؛\n]")
_TRAILER = set(" \t\"'(:،,")
MEMO_MAX = 50_000   # distinct words remembered before the memo starts over
GLUED_MIN = 12   # an English "word" this long may be two words run together
CLITICS = ("وبال", "وال", "بال", "فال", "كال", "لل", "ال", "وب", "ول", "وك", "و", "ف", "ب", "ل", "ك")


@dataclass(frozen=True)
class Cue:
    """One cue found in a text; shaped like a regex match (start(), end(), group())."""

    s: int
    e: int
    label: str
    text: str

    def start(self) -> int:
        return self.s

    def end(self) -> int:
        return self.e

    def group(self) -> str:
        return self.text


def words(text: str) -> list[tuple[int, int, str]]:
    """(start, end, lower-case word) for every word, number and sign of a text (cached)."""
    cached = _WORDS_CACHE[0]
    if cached is not None and cached[0] is text:
        return cached[1]
    found = [(m.start(), m.end(), m.group().lower()) for m in _WORD.finditer(text)]
    _WORDS_CACHE[0] = (text, found)
    return found


_WORDS_CACHE: list = [None]


_CLITICS_BY_LETTER: dict[str, tuple[str, ...]] = {}
for _pre in CLITICS:
    _CLITICS_BY_LETTER[_pre[0]] = _CLITICS_BY_LETTER.get(_pre[0], ()) + (_pre,)


def variants(word: str) -> list[str]:
    """A word and, for Arabic, the word without each clitic it may carry."""
    pres = _CLITICS_BY_LETTER.get(word[:1])
    if not pres:
        return [word]
    return [word] + [word[len(p):] for p in pres if word.startswith(p) and len(word) - len(p) >= 2]


def key(phrase: str) -> str:
    """Lookup key of a phrase: lower case, its words joined by single spaces."""
    return " ".join(w for _, _, w in _split(phrase))


def _split(phrase: str):
    return [(m.start(), m.end(), m.group().lower()) for m in _WORD.finditer(phrase)]


class PhraseSet:
    """Labelled phrases of one cue class, and where they occur in the current text."""

    def __init__(self, labelled: dict[str, str], glued: bool = False):
        self.labels: dict[str, str] = {}
        self.first: dict[str, list[tuple[tuple[str, ...], bool, str]]] = {}
        self.stems: dict[int, dict[str, list[tuple[tuple[str, ...], bool, str]]]] = {}
        self.glued = glued
        for entry, label in labelled.items():
            stem = entry.endswith("*")
            toks = tuple(w for _, _, w in _split(entry.rstrip("*")))
            if not toks:
                continue
            self.labels[" ".join(toks)] = label
            item = (toks, stem, label)
            if stem and len(toks) == 1:
                self.stems.setdefault(len(toks[0]), {}).setdefault(toks[0], []).append(item)
            else:
                self.first.setdefault(toks[0], []).append(item)
        for items in self.first.values():
            items.sort(key=lambda it: -len(it[0]))
        self._cache: tuple | None = None

    # -- finding ------------------------------------------------------------------
    scanner: "Scanner | None" = None

    def _matches(self, text: str) -> tuple[list[Cue], list[int], list[int]]:
        cache = self._cache
        if cache is None or cache[0] is not text:
            (self.scanner or Scanner([self])).scan(text)
            cache = self._cache
        return cache[1]

    def _match_forms(self, text, toks, i, forms):
        """(index after the phrase, label) for the longest phrase starting at word i."""
        if self.glued and forms[0].isascii():
            # run-together words of badly extracted pages: "personsincluding", "campsestablished"
            word = forms[0]
            forms = forms + [word[k:] for k in range(1, len(word) - 2)]
            if len(word) >= GLUED_MIN:
                forms += [word[:k] for k in range(len(word) - 3, 2, -1)]
        for form in forms:
            for phrase, stem, label in self.first.get(form, ()):
                end = self._rest(text, toks, i, phrase, stem)
                if end:
                    return end, label
            for length, table in self.stems.items():
                if len(form) >= length and form[:length] in table:
                    return i + 1, table[form[:length]][0][2]
        return None

    @staticmethod
    def _rest(text, toks, i, phrase, stem):
        """Index after the phrase when toks[i:] spell it, else 0."""
        if i + len(phrase) > len(toks):
            return 0
        for k in range(1, len(phrase)):
            tok = toks[i + k]
            want = phrase[k]
            if _BREAK.search(text, toks[i + k - 1][1], tok[0]):
                return 0
            last = k == len(phrase) - 1
            if not (tok[2] == want or (last and stem and tok[2].startswith(want))):
                return 0
        return i + len(phrase)

    def search(self, text: str, start: int = 0, end: int | None = None) -> list[Cue]:
        found, starts, _ = self._matches(text)
        end = len(text) if end is None else end
        out = []
        for c in found[bisect_left(starts, start):]:
            if c.s >= end:
                break
            if c.e <= end:
                out.append(c)
        return out

    def first_in(self, text: str, start: int = 0, end: int | None = None) -> Cue | None:
        hits = self.search(text, start, end)
        return hits[0] if hits else None

    def any(self, text: str, start: int = 0, end: int | None = None) -> bool:
        return self.first_in(text, start, end) is not None

    def at(self, text: str, pos: int, end: int | None = None) -> Cue | None:
        """The phrase starting at pos (after spaces), or None."""
        while pos < len(text) and text[pos] in " \t":
            pos += 1
        found, starts, _ = self._matches(text)
        k = bisect_left(starts, pos)
        if k < len(found) and found[k].s == pos and (end is None or found[k].e <= end):
            return found[k]
        return None

    def ending(self, text: str, end: int, reach: int = 40) -> Cue | None:
        """The phrase that ends at `end` (spaces, quotes and commas allowed after it)."""
        found, _, ends = self._matches(text)
        k = bisect_left(ends, end + 1) - 1
        while k >= 0 and found[k].e > end:
            k -= 1
        if k < 0:
            return None
        c = found[k]
        if c.s < end - reach or any(ch not in _TRAILER for ch in text[c.e:end]):
            return None
        return c

    def label(self, phrase: str) -> str | None:
        """Label of a phrase found in text, after stripping Arabic clitics."""
        toks = [w for _, _, w in _split(phrase)]
        if not toks:
            return None
        for form in variants(toks[0]):
            k = " ".join([form] + toks[1:])
            if k in self.labels:
                return self.labels[k]
            for length, table in self.stems.items():
                if len(toks) == 1 and form[:length] in table:
                    return table[form[:length]][0][2]
        return None


class Scanner:
    """The phrase tables of several sets merged, so one dictionary look-up per word form
    serves every set."""

    def __init__(self, sets: "list[PhraseSet]"):
        self.sets = sets
        self.first: dict[str, list] = {}
        self.stems: dict[int, dict[str, list]] = {}
        self.glued = [si for si, ps in enumerate(sets) if ps.glued]
        for si, ps in enumerate(sets):
            for form, items in ps.first.items():
                self.first.setdefault(form, []).extend((si, *it) for it in items)
            for length, table in ps.stems.items():
                for stem, items in table.items():
                    self.stems.setdefault(length, {}).setdefault(stem, []).extend((si, *it) for it in items)
        for items in self.first.values():
            items.sort(key=lambda it: -len(it[1]))
        self.lengths = sorted(self.stems)
        self._memo: dict[str, tuple] = {}

    def candidates(self, word: str) -> tuple:
        """Every (set, phrase, stem, label) that may start at this word, best first per set.

        Remembered per distinct word: report vocabulary repeats, so most words cost one
        dictionary look-up.
        """
        memo = self._memo
        found = memo.get(word)
        if found is not None:
            return found
        out = []
        forms = variants(word)
        for form in forms:
            out.extend(self.first.get(form, ()))
            n = len(form)
            for length in self.lengths:
                if length > n:
                    break
                out.extend(self.stems[length].get(form[:length], ()))
        if word.isascii() and len(word) >= GLUED_MIN:
            for si in self.glued:
                for k in range(1, len(word) - 2):
                    out.extend(it for it in self.first.get(word[k:], ()) if it[0] == si)
                for k in range(len(word) - 3, 2, -1):
                    out.extend(it for it in self.first.get(word[:k], ()) if it[0] == si and len(it[1]) == 1)
        if len(memo) > MEMO_MAX:
            memo.clear()
        memo[word] = found = tuple(out)
        return found

    def scan(self, text: str) -> None:
        """Find the phrases of every set in one pass over the words of `text`.

        Within a set, the longest phrase starting at a word wins and matches do not overlap.
        """
        toks = words(text)
        sets = self.sets
        found: list[list[Cue]] = [[] for _ in sets]
        busy = [0] * len(sets)
        candidates = self.candidates
        rest = PhraseSet._rest
        for i, (s, _, word) in enumerate(toks):
            options = candidates(word)
            if not options:
                continue
            done = set()
            for si, phrase, stem, label in options:
                if si in done or busy[si] > i:
                    continue
                j = i + 1 if len(phrase) == 1 else rest(text, toks, i, phrase, stem)
                if j:
                    done.add(si)
                    e = toks[j - 1][1]
                    found[si].append(Cue(s, e, label, text[s:e]))
                    busy[si] = j
        for ps, cues_found in zip(sets, found):
            ps._cache = (text, (cues_found, [c.s for c in cues_found], [c.e for c in cues_found]))


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
    """Every cue class of the figures data, built once."""

    FLAT = ("units_excluded", "area_bare_context", "half", "range_open", "range_join",
            "movement", "displacement", "stock", "cumulative", "batch", "since",
            "casualty", "casualty_weak", "not_figure_before", "not_figure_context",
            "past", "joiners", "reporting", "reporting_that", "count_words", "during",
            "origin_cues", "destination_cues", "place_words", "group_words",
            "increase_before", "increase_after", "rise")

    def __init__(self):
        self.category = PhraseSet(_labelled(_merged("categories")), glued=True)
        self.dual = PhraseSet(_labelled(_merged("duals")))
        self.area_unit = PhraseSet(_labelled(_merged("area_units")))
        self.qualifier_before = PhraseSet(_labelled(_merged("qualifiers_before")))
        self.qualifier_after = PhraseSet(_labelled(_merged("qualifiers_after")))
        self.publisher = PhraseSet(_merged("publishers"))
        for name in self.FLAT:
            setattr(self, name, PhraseSet({e: name for e in _merged(name).get("_", [])},
                                          glued=name == "units_excluded"))
        places = {k: v for k, v in load("places").items() if not k.startswith("_")}
        self.place = PhraseSet({form: name for name, forms in places.items() for form in forms})
        self.part = PhraseSet({e: "part" for e in _merged("part_cues").get("_", [])}, glued=True)
        scanner = Scanner([v for v in vars(self).values() if isinstance(v, PhraseSet)])
        for ps in scanner.sets:
            ps.scanner = scanner


@lru_cache(maxsize=1)
def cues() -> Cues:
    return Cues()
