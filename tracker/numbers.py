"""Find every number a report writes, in digits or in words, with its value.

Works on normalised text (see normalize.py: digits already ASCII, diacritics gone).
A pure function of text; knows nothing of what the number counts, so years, dates and
percentages come out too, for a later stage to judge from the spans.

The words live in data/numbers/<lang>.json; this module holds only the grammar that
both languages share: a number is a first term followed by terms that either
multiply what came before (ثلاثة *آلاف*, two *hundred*, سبعة *عشر*) or add a smaller
part (ألف *وستمئة*, three hundred *and five*, twenty-*five*). Each language's file
says which words play which part and a few flags for where they differ (Arabic needs
و before an added part and puts units before tens; English does neither).

Speed: one compiled search regex (a trie of the start words) finds where a number
may begin; only there does a small token-by-token reader run. A second regex that
begins with a character class (a digit, or the non-letter before a number word) finds
the next such place first, since `re` skips in C to the characters of a class.
"""
from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from functools import lru_cache, partial
from typing import Callable

from . import lexicon
from .prefilter import lower_set, lowered, outside


@dataclass(frozen=True)
class Number:
    start: int          # span in the normalised text
    end: int
    value: float        # 350.0, 1700000.0, 0.5
    form: str           # "digits", "words" or "mixed"
    scaled: bool = False  # a scale word or suffix multiplied it: 200 ألف, 1.2 million, 12k

    @property
    def integer(self) -> bool:
        return float(self.value).is_integer()


# ---------------------------------------------------------------- the word data

_LETTER = r"[^\W\d_]"
_GAP = r"[^\S\n]"          # spaces inside a line: a number never spans lines
# A word's letters before a gap: possessive where `re` has it (3.11+), since a gap never
# matches a letter; otherwise re backtracks letter by letter through every word that
# starts like "الحادي عشر" (the article) before it fails.
_WORD_THEN_GAP = _LETTER + ("++" if sys.version_info >= (3, 11) else "+") + _GAP + "+"
_FULL = frozenset("htu")    # slots of a group: hundreds, tens, units


@dataclass(frozen=True)
class _Term:
    """What one word can do in a number."""
    kind: str        # unit ten teen teen_head tens hundreds hundred scale article
    value: float
    lang: str
    number: str = ""    # scales: one, dual, plural
    alone: bool = True  # may stand without a number before it (مئة, ألف; not 'hundred')


@dataclass(frozen=True)
class _Lang:
    """One language's words and the few flags where its grammar differs."""
    code: str
    terms: dict
    joiners: frozenset
    joiner_required: bool       # every added part needs و (Arabic)
    digits_after_joiner: bool   # ٦ آلاف و500
    units_before_tens: bool     # ثلاث وسبعون
    prefixes: tuple
    articles: tuple
    multipliers: tuple          # hundred and scale words an article may precede
    definite_article: str
    ten_words: tuple
    not_numbers: frozenset
    digit_suffixes: dict = field(default_factory=dict)
    decimal_suffixes: dict = field(default_factory=dict)

    @staticmethod
    def load(code: str) -> "_Lang":
        d = lexicon.load("numbers", code)
        terms: dict[str, _Term] = {}
        for key, kind in (("units", "unit"), ("teens", "teen"), ("tens", "tens"),
                          ("hundreds", "hundreds")):
            for w, v in d.get(key, {}).items():
                terms[w.lower()] = _Term(kind, v, code)
        for w, v in d.get("ten", {}).items():
            terms[w] = _Term("ten", v, code)
        for w, v in d.get("teen_heads", {}).items():
            terms[w] = _Term("teen_head", v, code)
        for w in d.get("hundred_multipliers", []):
            w = w.lower()
            terms[w] = _Term("hundred", 100, code, alone=w in d.get("hundreds", {}))
        scale_alone = d.get("scale_alone", False)
        for w, (v, number) in d.get("scales", {}).items():
            terms[w.lower()] = _Term("scale", v, code, number,
                                     alone=scale_alone and number != "plural")
        for w in d.get("articles", []):
            terms.setdefault(w.lower(), _Term("article", 1, code, alone=False))
        multipliers = tuple(w for w, t in terms.items() if t.kind in ("hundred", "scale")
                            and t.number != "dual")
        return _Lang(
            code=code, terms=terms,
            joiners=frozenset(w.lower() for w in d.get("joiners", [])),
            joiner_required=d.get("joiner_required", False),
            digits_after_joiner=d.get("digits_after_joiner", False),
            units_before_tens=d.get("units_before_tens", False),
            prefixes=tuple(sorted(d.get("prefixes", []), key=len, reverse=True)),
            articles=tuple(w.lower() for w in d.get("articles", [])),
            multipliers=multipliers,
            definite_article=d.get("definite_article", ""),
            ten_words=tuple(d.get("ten", {})),
            not_numbers=frozenset(d.get("not_numbers", [])),
            digit_suffixes={k.lower(): v for k, v in d.get("digit_suffixes", {}).items()},
            decimal_suffixes={k.lower(): v for k, v in d.get("decimal_suffixes", {}).items()},
        )


class _Starts:
    """`start.search` over one text, again and again from later places, faster.

    Over prefilter.lowered(text), digits and number words are looked for apart: `digit`
    and `word` begin with a character class, so `re` skips through the text in C, and
    neither asks anything at each place it stops (a look-around there costs as much as
    the rest of the test). `word` spells each word once, one letter per step, so a place
    where no number word starts fails at its first letter. The next place each found
    is kept for the following search.
    """

    def __init__(self, g: "_Grammar", text: str):
        self.g, self.text, self.scan = g, text, lowered(text)
        self.digit = g.digit.search(self.scan)
        self.word = g.word.search(self.scan)

    def search(self, pos: int) -> re.Match | None:
        g, text, scan = self.g, self.text, self.scan
        m = g.start.match(text, pos)
        if m is not None:
            return m
        digit, word = self.digit, self.word
        if digit is not None and digit.start() < pos:
            digit = g.digit.search(scan, pos)
        if word is not None and word.start() < pos:
            word = g.word.search(scan, pos)
        while digit is not None or word is not None:
            if word is None or (digit is not None and digit.start() <= word.start()):
                m = g.start.match(text, digit.start())
                if m is None:
                    digit = g.digit.search(scan, digit.start() + 1)
            else:           # the word starts after the non-letter `word` begins with
                m = g.start.match(text, word.start() + 1)
                if m is None:
                    word = g.word.search(scan, word.start() + 1)
            if m is not None:
                break
        self.digit, self.word = digit, word
        return m


def _trie(words) -> str:
    """One regex alternative for many words, as a trie, so a failing position fails fast."""
    root: dict = {}
    for w in words:
        node = root
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = {}

    def emit(node: dict) -> str:
        alts = [re.escape(ch) + emit(sub) for ch, sub in sorted(node.items()) if ch]
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        if "" in node:
            return "(?:" + body + ")?"
        return body

    return emit(root)


def _cased(word: str) -> tuple[str, str, str]:
    """The spellings of a word the start regex matches."""
    return word, word.capitalize(), word.upper()


def _lower(word: str) -> str:
    """How prefilter.lowered(text) shows `word` (one character for each)."""
    return "".join(ch.lower()[0] for ch in word)


def _tailed_trie(entries) -> str:
    """A regex matching wherever one of the (literal, regex after it) entries does, as a
    trie of the literals: an alternative that begins with a character costs `re` one
    comparison to rule out."""
    root: dict = {}
    for literal, tail in entries:
        node = root
        for ch in literal:
            node = node.setdefault(ch, {})
        node.setdefault("", set()).add(tail)

    def emit(node: dict) -> str:
        alts = [re.escape(ch) + emit(sub) for ch, sub in sorted(node.items()) if ch]
        alts += sorted(node.get("", ()))
        return alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"

    return emit(root)


def _alt(words) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


class _Grammar:
    """The languages asked for, merged, with the regex that finds where numbers start."""

    def __init__(self, codes: tuple[str, ...]):
        self.langs = {c: _Lang.load(c) for c in codes}
        self.words: dict[str, _Term] = {}
        for lang in self.langs.values():
            self.words.update(lang.terms)
        self.joiners = {w: lang for lang in self.langs.values() for w in lang.joiners}
        self.glued_joiners = [w for w, lang in self.joiners.items() if lang.joiner_required]
        self.digit_suffixes: dict = {}
        self.decimal_suffixes: dict = {}
        for lang in self.langs.values():
            self.digit_suffixes.update(lang.digit_suffixes)
            self.decimal_suffixes.update(lang.decimal_suffixes)
        self.not_numbers = frozenset().union(*(x.not_numbers for x in self.langs.values()))
        patterns, heads = [], set()
        for lang in self.langs.values():
            pattern, starts = self._start_pattern(lang)
            patterns.append(pattern)
            heads.update(re.escape(w[0]) for w in starts)
        # A cheap first-character test before the 'no letter before' look-behind.
        heads_class = "[" + "".join(sorted(heads)) + "]"
        words = "|".join(patterns)
        self.start = re.compile(rf"(?P<d>\d)|(?={heads_class})(?<!{_LETTER})(?:{words})")
        # Where `start` may match, found faster: a digit, or the character before a number
        # word (anything but a letter). Beginning with a character class, it lets `re`
        # skip in C over the letters of every other word.
        after = rf"(?:(?P<d>(?<=\d))|(?={heads_class})(?=(?:{words})))"
        self.jump = re.compile(r"[\W\d_]" + after)
        self.jump_ascii = re.compile(r"[^A-Za-z]" + after)   # the same on ASCII text, a cheaper class
        # Over prefilter.lowered(text): digits and number words looked for apart (see search)
        self.digit = self.word = None
        if self._lowered_is_exact():
            self.digit = re.compile(outside(r"\D"))
            self.word = re.compile(outside(_LETTER) + _tailed_trie(
                e for lang in self.langs.values() for e in self._start_words(lang)))

    def searcher(self, text: str) -> Callable[[int], re.Match | None]:
        """search(pos) over one text, asked again and again from later places (find_numbers):
        `_Starts` keeps what it found between searches."""
        return _Starts(self, text).search if self.word is not None else partial(self._jump_search, text)

    def search(self, text: str, pos: int) -> re.Match | None:
        """`self.start.search(text, pos)`, the same match, found faster."""
        return self.searcher(text)(pos)

    def _jump_search(self, text: str, pos: int) -> re.Match | None:
        m = self.start.match(text, pos)
        if m is not None:
            return m
        jump = self.jump_ascii if text.isascii() else self.jump
        j = jump.search(text, pos)
        while j is not None:
            at = j.start() if j.group("d") is not None else j.end()
            m = self.start.match(text, at)
            if m is not None:
                return m
            j = jump.search(text, at + 1)
        return None

    def _lowered_is_exact(self) -> bool:
        """Does lowered(text) show each word as _start_words spells it? Not if a letter's
        lower case depends on the letters around it (final sigma)."""
        words = [w for lang in self.langs.values() for w in
                 (*lang.terms, *lang.prefixes, *lang.articles, lang.definite_article, *lang.ten_words)]
        return all(len(lower_set(ch)) == 1 for w in words for v in _cased(w) for ch in v)

    @staticmethod
    def _start_words(lang: _Lang) -> list[tuple[str, str]]:
        """What _start_pattern matches, as (lowered words, the regex after them): a
        number word may start where one of them is written."""
        L = _LETTER
        words = {_lower(v) for w, t in lang.terms.items() if t.alone for v in _cased(w)}
        prefixes = [""] + [_lower(p) for p in lang.prefixes]
        out = [(p + w, f"(?!{L})") for p in prefixes for w in words]
        if lang.articles and lang.multipliers:
            mults = _alt({_lower(v) for w in lang.multipliers for v in _cased(w)})
            out += [(_lower(v), f"(?={_GAP}+(?:{mults})(?!{L}))(?!{L})")
                    for w in lang.articles for v in _cased(w)]
        if lang.definite_article and lang.ten_words:
            tens = _alt({_lower(w) for w in lang.ten_words})
            out += [(p + _lower(lang.definite_article), f"{_WORD_THEN_GAP}(?:{tens})(?!{L})") for p in prefixes]
        return out

    @staticmethod
    def _start_pattern(lang: _Lang) -> tuple[str, list[str]]:
        """Skip ordinal teens (الحادي عشر), else a start word after an optional prefix.

        Returns the pattern (to follow a shared 'no letter before' check) and the
        strings it can start with. Words are matched in lower, Title and UPPER case
        rather than with re.IGNORECASE, which makes the search twice as slow.
        """
        L, c = _LETTER, lang.code
        cased = lambda words: sorted({v for w in words for v in _cased(w)})  # noqa: E731
        starts = cased(w for w, t in lang.terms.items() if t.alone)
        prefix = f"(?:{_alt(lang.prefixes)})??" if lang.prefixes else ""
        word = _trie(starts)
        firsts = list(starts) + list(lang.prefixes)
        if lang.articles and lang.multipliers:
            word += (f"|(?:{_alt(cased(lang.articles))})(?={_GAP}+"
                     f"(?:{_alt(cased(lang.multipliers))})(?!{L}))")
            firsts += cased(lang.articles)
        parts = []
        if lang.definite_article and lang.ten_words:
            parts.append(f"(?P<skip_{c}>{prefix}{re.escape(lang.definite_article)}"
                         f"{_WORD_THEN_GAP}(?:{_alt(lang.ten_words)})(?!{L}))")
            firsts.append(lang.definite_article)
        parts.append(f"(?P<pre_{c}>{prefix})(?P<w_{c}>{word})(?!{L})")
        return "|".join(parts), firsts

    def term(self, word: str) -> _Term | None:
        return self.words.get(word.lower())

    def scale_follows(self, text: str, pos: int) -> bool:
        """Does a scale word or suffix come next? (decides 1,7 مليون vs 1,70)."""
        m = _LETTERS.match(text, pos)
        if m and (m.group().lower() in self.digit_suffixes
                  or m.group().lower() in self.decimal_suffixes):
            return True
        m = _TOKEN.match(text, pos)
        if not m or m.group(2) is None:
            return False
        t = self.term(m.group(2))
        return t is not None and t.kind == "scale" and t.number != "dual"


_TOKEN = re.compile(rf"{_GAP}*(?:-{_GAP}*)?(?:(\d+(?:[.,]\d+)*)|({_LETTER}+))")
_RUN = re.compile(r"\d+(?:[.,]\d+)*")
_LETTERS = re.compile(rf"{_LETTER}+")
_SEP = re.compile(r"([.,])")


@lru_cache(maxsize=None)
def _grammar(codes: tuple[str, ...]) -> _Grammar:
    return _Grammar(codes)


# ---------------------------------------------------------------- digits

def _read_digits(text: str, pos: int, g: _Grammar, plain: bool = False) -> tuple[float, int, bool]:
    """(value, end, is_decimal) of the digit run at pos, reading separators.

    `,ddd` / `.ddd` groups after 1-3 digits are thousands separators (38,550;
    1.018.529), except one `.ddd` before a scale word (1.500 مليون). Any other `.d`
    is a decimal point; `,d` is a decimal before a scale word (1,7 مليون) or with one
    digit, `,dd` a typo for a plain number (1,00), and longer groups start a new
    number (12,2012). A run of several separated short groups (12.02.2019) is a list
    of numbers; `plain` reads just the first group (used right after a separator).
    """
    parts = _SEP.split(_RUN.match(text, pos).group())
    g0 = parts[0]
    alone = (float(g0), pos + len(g0), False)
    if len(parts) == 1 or plain:
        return alone
    sep, g1 = parts[1], parts[2]
    if len(g0) <= 3 and len(g1) == 3:
        k = 1
        while 2 * k + 1 < len(parts) and parts[2 * k + 1] == sep and len(parts[2 * k + 2]) == 3:
            k += 1
        end = pos + len(g0) + 4 * k
        if sep == "." and k == 1 and g.scale_follows(text, end):
            return float(g0 + "." + g1), end, True
        whole = g0 + "".join(parts[2:2 * k + 1:2])
        if sep == "," and 2 * k + 1 < len(parts) and parts[2 * k + 1] == ".":
            frac = parts[2 * k + 2]
            return float(whole + "." + frac), end + 1 + len(frac), True
        return float(whole), end, False
    end = pos + len(g0) + 1 + len(g1)
    if len(parts) > 3:          # 12.02.2019, 1,5,6: a list, not one number
        return alone
    if sep == ".":
        if len(g1) == 3:        # 2019.500: a sentence ran into a number
            return alone
        return float(g0 + "." + g1), end, True
    if g.scale_follows(text, end) or len(g1) == 1:
        return float(g0 + "." + g1), end, True
    if len(g1) == 2 and len(g0) <= 3:
        return float(g0 + g1), end, False
    return alone


def _after_separator(text: str, pos: int) -> bool:
    return pos >= 2 and text[pos - 1] in ".," and text[pos - 2].isdigit()


def _suffix(text: str, end: int, decimal: bool, g: _Grammar) -> tuple[float, int] | None:
    """A scale letter glued to digits: 12k, 3bn, 2.5m (m only after a decimal)."""
    m = _LETTERS.match(text, end)
    if not m:
        return None
    s = m.group().lower()
    if s in g.digit_suffixes:
        return g.digit_suffixes[s], m.end()
    if decimal and s in g.decimal_suffixes:
        return g.decimal_suffixes[s], m.end()
    return None


# ---------------------------------------------------------------- the reader

_SLOTS = {"unit": "u", "teen_head": "u", "article": "u", "ten": "tu", "teen": "tu",
          "tens": "t", "hundreds": "h"}


def _fits(kind: str, slots: frozenset, lang: _Lang) -> bool:
    """May a part of this kind be added to a group that already has `slots`?"""
    if kind == "hundreds":
        return not slots
    if kind in ("teen", "ten"):
        return not slots & {"t", "u"}
    if kind == "tens":
        return "t" not in slots and (lang.units_before_tens or "u" not in slots)
    if kind in ("unit", "teen_head"):
        return "u" not in slots and (not lang.units_before_tens or "t" not in slots)
    return False


def _joins(kind: str, slots: frozenset, joined: bool, lang: _Lang) -> bool:
    """Is the joiner (or its absence) right before an added part?"""
    if lang.joiner_required:
        return joined
    rest = slots - {"h"}
    return not rest or (kind == "unit" and rest == {"t"} and not joined)


class _Reader:
    """Reads one number token by token from where the search regex found it."""

    def __init__(self, text: str, start: int, g: _Grammar):
        self.text, self.start, self.g = text, start, g
        self.total = 0.0
        self.group = 0.0
        self.slots: frozenset = frozenset()
        self.last_scale = float("inf")
        self.lang: _Lang | None = None
        self.digits = self.words = self.scaled = False
        self.pending = ""           # "mult" after an article, "ten" after احدى/اثنا
        self.last_kind = ""
        self.end = start
        self.done: tuple | None = None        # the last complete reading
        self.after_scale: tuple | None = None  # reading right after the last scale
        self.before_term: tuple | None = None  # reading before the last added part

    def commit(self) -> None:
        if not self.pending:
            self.done = (self.end, self.total + self.group, self.digits, self.words, self.scaled)

    def result(self, reading: tuple | None) -> Number | None:
        if reading is None:
            return None
        end, value, digits, words, scaled = reading
        form = "mixed" if digits and words else ("digits" if digits else "words")
        return Number(self.start, end, _clean(value), form, scaled)

    def run(self) -> Number | None:
        text, g = self.text, self.g
        pos, first, joined = self.start, True, False
        while True:
            m = _TOKEN.match(text, pos)
            if m is None:
                break
            if m.group(1) is not None:
                if first:
                    if not self.first_digits(m.start(1)):
                        break
                elif not (joined and self.joined_digits(m.start(1))):
                    break
                pos, first, joined = self.end, False, False
                continue
            word = m.group(2)
            if not first and not joined and word.lower() in g.joiners:
                joined = True
                pos = m.end()
                continue
            term, glued = g.term(word), False
            if term is None and not first and not joined:
                term, glued = self.glued(word)
            if term is None or (self.lang and term.lang != self.lang.code):
                break
            self.lang = self.lang or g.langs[term.lang]
            step = self.take(term, first, joined or glued, m.end())
            if step == "revert":
                return self.result(self.before_term if term.kind == "hundred"
                                   else self.after_scale)
            if step != "ok":
                break
            pos, first, joined = m.end(), False, False
        return self.result(self.done)

    def glued(self, word: str) -> tuple[_Term | None, bool]:
        """وخمسمئة: a joiner glued to the next part."""
        low = word.lower()
        for j in self.g.glued_joiners:
            if low.startswith(j) and len(low) > len(j):
                t = self.g.term(low[len(j):])
                if t is not None:
                    return t, True
        return None, False

    def first_digits(self, pos: int) -> bool:
        plain = _after_separator(self.text, pos)
        value, end, decimal = _read_digits(self.text, pos, self.g, plain)
        self.group, self.slots, self.digits, self.end = value, _FULL, True, end
        suffix = None if plain else _suffix(self.text, end, decimal, self.g)
        if suffix:
            self.total, self.group = value * suffix[0], 0.0
            self.end, self.scaled = suffix[1], True
            self.commit()
            return False        # nothing follows a glued suffix
        self.last_kind = "digits"
        self.commit()
        return True

    def joined_digits(self, pos: int) -> bool:
        """٦ آلاف و500: digits as the added part after a scale word."""
        if not (self.lang and self.lang.digits_after_joiner and self.group == 0
                and self.total > 0):
            return False
        value, end, _ = _read_digits(self.text, pos, self.g)
        if value >= self.last_scale or not value.is_integer():
            return False
        self.before_term = self.done
        self.group, self.slots, self.digits, self.end = value, _FULL, True, end
        self.last_kind = "digits"
        self.commit()
        return True

    def take(self, t: _Term, first: bool, joined: bool, end: int) -> str:
        """Apply one word: "ok", "stop" (number ends before it) or "revert"."""
        if self.pending == "mult" and (joined or t.kind not in ("hundred", "scale")):
            return "stop"
        if self.pending == "ten" and (joined or t.kind != "ten"):
            return "stop"
        if t.kind == "scale":
            return self.take_scale(t, first, joined, end)
        if t.kind == "hundred" and not joined and self.group_is_multipliable():
            self.group *= 100
            self.slots = frozenset("h")
            return self.took(t, end)
        if t.kind == "ten" and not joined and self.last_kind in ("unit", "teen_head") \
                and "t" not in self.slots:
            self.group += 10
            self.slots = self.slots | {"t"}
            return self.took(t, end)
        if t.kind == "hundred" and self.group > 0 and not joined and self.before_term:
            return "revert"     # three hundred and four hundred
        if t.kind == "hundred":
            if not t.alone:
                return "stop"
            t = _Term("hundreds", 100, t.lang)
        return self.take_added(t, first, joined, end)

    def group_is_multipliable(self) -> bool:
        """ثلاث مئة, a hundred, twenty five hundred, 5 hundred; not 300 hundred."""
        if self.last_kind == "digits":
            return 0 < self.group < 10 and self.group.is_integer()
        return "h" not in self.slots and 0 < self.group < 100

    def take_scale(self, t: _Term, first: bool, joined: bool, end: int) -> str:
        if self.group > 0 and not joined:
            if t.number == "dual" or t.value >= self.last_scale:
                return "revert" if self.total > 0 and self.after_scale else "stop"
            self.total += self.group * t.value
        elif self.group == 0 and t.alone and (first or joined) and t.value < self.last_scale:
            self.total += (2 if t.number == "dual" else 1) * t.value
        else:
            return "revert" if self.group > 0 and self.total > 0 and self.after_scale else "stop"
        self.group, self.slots, self.last_scale, self.scaled = 0.0, frozenset(), t.value, True
        result = self.took(t, end)
        self.after_scale = self.done
        return result

    def take_added(self, t: _Term, first: bool, joined: bool, end: int) -> str:
        """An added part: a unit, a teen, tens, hundreds (or an article first of all)."""
        if t.kind == "article" and not first:
            return "stop"
        if not first:
            if not (_fits(t.kind, self.slots, self.lang) and
                    _joins(t.kind, self.slots, joined, self.lang)):
                return "stop"
            self.before_term = self.done
        self.group += t.value
        self.slots = self.slots | set(_SLOTS[t.kind])
        self.pending = {"article": "mult", "teen_head": "ten"}.get(t.kind, "")
        self.words, self.last_kind, self.end = True, t.kind, end
        self.commit()
        return "ok"

    def took(self, t: _Term, end: int) -> str:
        self.pending = ""
        self.words, self.last_kind, self.end = True, t.kind, end
        self.commit()
        return "ok"


def _clean(value: float) -> float:
    """1.7 * 10**6 without float dust."""
    r = round(value)
    if abs(value - r) < 1e-6 * max(1.0, abs(value)):
        return float(r)
    return round(value, 9)


# ---------------------------------------------------------------- public

def find_numbers(text: str, lang: str | None = None) -> list[Number]:
    """All numbers in `text` (normalised), in order, non-overlapping.

    `lang` limits number words to one language ("ar" or "en"); None reads both.
    Digits are read whatever the language.
    """
    g = _grammar((lang,) if lang else lexicon.LANGUAGES)
    out: list[Number] = []
    pos, n = 0, len(text)
    search = g.searcher(text)
    while pos < n:
        m = search(pos)
        if m is None:
            break
        kind = m.lastgroup or ""
        if kind.startswith("skip"):
            pos = m.end()
            continue
        if kind == "d":
            start = m.start()
        else:
            code = kind.split("_", 1)[1]
            start = m.start("w_" + code)
            if m.group().lower() in g.not_numbers:
                pos = m.end()
                continue
        number = _Reader(text, start, g).run()
        if number is None:
            pos = m.end()
            continue
        out.append(number)
        pos = number.end
    return out
