"""Cue words from the figures data files, found by word lookup rather than big regexes.

A report mixes languages (an English tweet inside an Arabic article), and Arabic and
English words never collide, so one phrase set per cue class covers all languages.
Text is split into words; each word (and, for Arabic, the word without the clitics
و ف ب ل ك ال glued to it) is looked up in a dictionary of phrase starts, so finding
every cue costs one pass over the words, whatever the size of the word lists. A
trailing `*` in an entry lets its last word run on (stems: نزح*).

Scanned lazily, one segment at a time. No phrase runs across a sentence break
(`. ! ? ؟ ؛` or a line break), so the text is cut at those characters and a segment is
scanned (for every set at once) only when a look-up first needs it. The figure rules
look only around numbers, and most of a report is sentences without any: they are
never scanned. A look-up over many segments (a whole text: duals, "half", the
publisher) first asks a small regex of the set's own words which segments could hold
one of its phrases. The result is the same as scanning every word.
"""
from __future__ import annotations

import re
from bisect import bisect_right
from functools import lru_cache

from .lexicon import LANGUAGES, load
from .prefilter import lowered

_WORD = re.compile(r"[\u0621-\u064A]+|[A-Za-z]+|\d+|[%$&+\-]")
BREAKS = ".!?؟؛\n"       # no phrase runs across these
_TRAILER = set(" \t\"'(:،,")
MEMO_MAX = 50_000   # distinct words remembered before the memo starts over
GLUED_MIN = 12   # an English "word" this long may be two words run together
HINT_SEGMENTS = 6   # a look-up over more segments than this asks the set's hint regex first
CLITICS = ("وبال", "وال", "بال", "فال", "كال", "لل", "ال", "وب", "ول", "وك", "و", "ف", "ب", "ل", "ك")


@lru_cache(maxsize=4)
def breaks(text: str) -> tuple[int, ...]:
    """Offsets of the BREAKS characters in `text`, in order (shared by the cue segments
    and figures' sentences). Found by str.find, one character at a time, at memchr
    speed: a regex would test every character of the text against a class."""
    out: list[int] = []
    for ch in BREAKS:
        i = text.find(ch)
        while i >= 0:
            out.append(i)
            i = text.find(ch, i + 1)
    out.sort()
    return tuple(out)


class Cue:
    """One cue found in a text; shaped like a regex match (start(), end(), group())."""

    __slots__ = ("s", "e", "label", "text")

    def __init__(self, s: int, e: int, label: str, text: str):
        self.s, self.e, self.label, self.text = s, e, label, text

    def __repr__(self) -> str:
        return f"Cue({self.s}, {self.e}, {self.label!r}, {self.text!r})"

    def __eq__(self, other) -> bool:
        return isinstance(other, Cue) and (self.s, self.e, self.label, self.text) == \
            (other.s, other.e, other.label, other.text)

    def __hash__(self) -> int:
        return hash((self.s, self.e, self.label, self.text))

    def start(self) -> int:
        return self.s

    def end(self) -> int:
        return self.e

    def group(self) -> str:
        return self.text


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
        self.scanner: "Scanner | None" = None
        self.index = 0                  # this set's place in its scanner
        # every phrase starts with one of these, as a substring of a text word (clitics,
        # glued words and stems only add letters around it)
        self.hint_words = tuple(sorted(set(self.first) | {s for t in self.stems.values() for s in t}))

    # -- finding ------------------------------------------------------------------
    def _scanner(self) -> "Scanner":
        if self.scanner is None:
            Scanner([self])
        return self.scanner

    # The look-ups below run some hundred times per report: they call the scanner
    # directly once it is there (a set of Cues always has one).
    def search(self, text: str, start: int = 0, end: int | None = None) -> list[Cue]:
        """The phrases lying wholly inside text[start:end], in order."""
        end = len(text) if end is None else end
        return [c for c in (self.scanner or self._scanner()).found(self, text, start, end)
                if c.s >= start and c.e <= end]

    def first_in(self, text: str, start: int = 0, end: int | None = None) -> Cue | None:
        end = len(text) if end is None else end
        for c in (self.scanner or self._scanner()).found(self, text, start, end):
            if c.s >= start and c.e <= end:
                return c
        return None

    def any(self, text: str, start: int = 0, end: int | None = None) -> bool:
        return self.first_in(text, start, end) is not None

    def at(self, text: str, pos: int, end: int | None = None) -> Cue | None:
        """The phrase starting at pos (after spaces), or None."""
        while pos < len(text) and text[pos] in " \t":
            pos += 1
        if pos >= len(text):
            return None
        for c in (self.scanner or self._scanner()).found(self, text, pos, pos + 1):
            if c.s == pos:
                return c if end is None or c.e <= end else None
        return None

    def ending(self, text: str, end: int, reach: int = 40) -> Cue | None:
        """The phrase that ends at `end` (spaces, quotes and commas allowed after it)."""
        lo = max(0, end - reach)
        last = None
        for c in (self.scanner or self._scanner()).found(self, text, lo, end + 1):
            if c.e > end:
                break
            last = c
        if last is None or last.s < end - reach or any(ch not in _TRAILER for ch in text[last.e:end]):
            return None
        return last

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


_NONE: dict = {}


class Scanner:
    """The phrase tables of several sets merged, so one dictionary look-up per word form
    serves every set; and the cues found so far in the current text, per segment."""

    def __init__(self, sets: "list[PhraseSet]"):
        self.sets = sets
        self.first: dict[str, list] = {}
        self.stems: dict[int, dict[str, list]] = {}
        self.glued = [si for si, ps in enumerate(sets) if ps.glued]
        for si, ps in enumerate(sets):
            ps.scanner, ps.index = self, si
            for form, items in ps.first.items():
                self.first.setdefault(form, []).extend((si, *it) for it in items)
            for length, table in ps.stems.items():
                for stem, items in table.items():
                    self.stems.setdefault(length, {}).setdefault(stem, []).extend((si, *it) for it in items)
        for items in self.first.values():
            items.sort(key=lambda it: -len(it[1]))
        self.lengths = sorted(self.stems)
        self._memo: dict[str, tuple] = {}
        self._plans: dict[str, tuple] = {}   # word -> _plan(word)
        self._text: str | None = None
        self._bounds: list[int] = []    # segment k is text[bounds[k]:bounds[k + 1]]
        self._segs: list = []           # per segment: None (not scanned) or {set index: [Cue]}

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
            self._plans.clear()
        memo[word] = found = tuple(out)
        return found

    def _plan(self, word: str) -> tuple:
        """candidates(word) arranged for _scan: (the phrases of several words, in order;
        (set, label) of the first one-word phrase of each set). A set's longer phrases
        come first, and its first one-word phrase always matches, so the sets that none
        of their longer phrases claims take that one. () when nothing starts here."""
        multi, singles, seen = [], [], set()
        for si, phrase, stem, label in self.candidates(word):
            if len(phrase) > 1:
                multi.append((si, phrase, stem, label))
            elif si not in seen:
                seen.add(si)
                singles.append((si, label))
        plan = (tuple(multi), tuple(singles)) if multi or singles else ()
        self._plans[word] = plan
        return plan

    def found(self, ps: PhraseSet, text: str, start: int, end: int):
        """The cues of `ps` in every segment that overlaps text[start:end] (at least one
        segment), in order; segments are scanned on first use."""
        if text is not self._text:
            self._text = text
            self._bounds = [0] + [i + 1 for i in breaks(text)]
            self._segs = [None] * len(self._bounds)
        bounds, segs, si = self._bounds, self._segs, ps.index
        k0 = max(0, bisect_right(bounds, start) - 1)
        k1 = bisect_right(bounds, end - 1) - 1
        if k1 <= k0:                    # the usual case: one segment
            seg = segs[k0]
            if seg is None:
                seg = segs[k0] = self._scan(text, bounds[k0], bounds[k0 + 1] if k0 + 1 < len(bounds) else len(text))
            return seg.get(si, ())
        if k1 - k0 > HINT_SEGMENTS:
            wanted = self._hinted(ps, text, bounds[k0], end)
        else:
            wanted = range(k0, k1 + 1)
        out: list[Cue] = []
        for k in wanted:
            seg = segs[k]
            if seg is None:
                seg = segs[k] = self._scan(text, bounds[k], bounds[k + 1] if k + 1 < len(bounds) else len(text))
            hits = seg.get(si)
            if hits:
                out.extend(hits)
        return out

    def _hinted(self, ps: PhraseSet, text: str, start: int, end: int) -> list[int]:
        """The segments of text[start:end] where one of the set's words occurs (as a
        substring, in any case): only they can hold its phrases. Looked for in
        prefilter.lowered(text), shared with the other stages: it keeps the offsets, and
        lowers the characters of words (A-Z, Arabic, digits) as str.lower does."""
        low, bounds, found = lowered(text), self._bounds, set()
        for word in ps.hint_words:
            i = low.find(word, start, end)
            while i >= 0:
                found.add(bisect_right(bounds, i) - 1)
                i = low.find(word, i + 1, end)
        return sorted(found)

    def _scan(self, text: str, a: int, b: int) -> dict[int, list[Cue]]:
        """The phrases of every set in text[a:b], a segment with no break inside.

        Within a set, the longest phrase starting at a word wins and matches do not overlap.
        """
        toks = [(m.start(), m.end(), m.group().lower()) for m in _WORD.finditer(text, a, b)]
        if not toks:
            return _NONE
        found: dict[int, list[Cue]] = {}
        busy: dict[int, int] = {}       # set -> the first word its last phrase leaves free
        plans = self._plans
        n = len(toks)
        for i, (s, e, word) in enumerate(toks):
            plan = plans.get(word)
            if plan is None:
                plan = self._plan(word)
            if not plan:
                continue
            multi, singles = plan
            done: set | tuple = ()
            if multi:
                done = set()
                nxt = toks[i + 1][2] if i + 1 < n else ""
                for si, phrase, stem, label in multi:
                    # most phrases fail at their second word: that test first
                    want = phrase[1]
                    if nxt != want and not (stem and len(phrase) == 2 and nxt.startswith(want)):
                        continue
                    if si in done or busy.get(si, 0) > i:
                        continue
                    # the rest of the phrase, word by word (a stem's last word may run on)
                    size = len(phrase)
                    j = i + size
                    if j > n:
                        continue
                    for k in range(1, size):
                        w, want = toks[i + k][2], phrase[k]
                        if w != want and not (stem and k == size - 1 and w.startswith(want)):
                            j = 0
                            break
                    if not j:
                        continue
                    done.add(si)
                    end = toks[j - 1][1]
                    found.setdefault(si, []).append(Cue(s, end, label, text[s:end]))
                    busy[si] = j
            for si, label in singles:
                if si in done or busy.get(si, 0) > i:
                    continue
                found.setdefault(si, []).append(Cue(s, e, label, text[s:e]))
        return found


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
        Scanner([v for v in vars(self).values() if isinstance(v, PhraseSet)])


@lru_cache(maxsize=1)
def cues() -> Cues:
    return Cues()
