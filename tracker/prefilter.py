"""Skip the places where a big regex cannot match, to scan a text quickly.

Python's `re` tries every alternative of a pattern at every position; a pattern made
of hundreds of words (dates.py's atoms) spends most of its time failing. From the
pattern's own parse tree, `start_filter` builds a small regex of what its matches can
begin with (their first few characters, as a trie), so that

    for m in finditer_filtered(pattern, starts, text): ...

tries the pattern only where the filter matches and finds exactly what
`pattern.finditer(text)` finds (the filter over-approximates, never misses: look-arounds
count as matching anything, a group it cannot read ends the prefix). Where the pattern
is an alternation, `Alternatives.match` tries only the branches that can begin with
the character at hand.

The filter runs over the lower-cased text where it can: its letters are then single
characters, not classes like [tT], and `re` checks an alternative that begins with a
literal character by one comparison. Its first level has one alternative per
character, so at a place where nothing can start only those comparisons are made.
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Iterator, NamedTuple

try:
    from re import _parser as _sre_parse            # Python 3.11+
except ImportError:                                 # pragma: no cover
    import sre_parse as _sre_parse                  # type: ignore

_CATEGORY = {"CATEGORY_DIGIT": r"\d", "CATEGORY_NOT_DIGIT": r"\D", "CATEGORY_SPACE": r"\s",
             "CATEGORY_NOT_SPACE": r"\S", "CATEGORY_WORD": r"\w", "CATEGORY_NOT_WORD": r"\W"}


def _char_class(items) -> str | None:
    out = []
    for op, av in items:
        name = str(op)
        if name == "NEGATE":
            out.insert(0, "^")
        elif name == "LITERAL":
            out.append(re.escape(chr(av)))
        elif name == "RANGE":
            out.append(f"{re.escape(chr(av[0]))}-{re.escape(chr(av[1]))}")
        elif name == "CATEGORY" and str(av) in _CATEGORY:
            out.append(_CATEGORY[str(av)])
        else:
            return None
    return "[" + "".join(out) + "]"


def _first(item, budget: int) -> set:
    """(tokens, open) pairs: what `item` can begin with, at most `budget` characters, each a
    regex for one character; open when the tokens are the whole of what it matched."""
    op, av = item
    name = str(op)
    if name == "LITERAL":
        return {((re.escape(chr(av)),), True)}
    if name == "NOT_LITERAL":
        return {(("[^" + re.escape(chr(av)) + "]",), True)}
    if name == "IN":
        token = _char_class(av)
        return {((token,), True)} if token else {((), False)}
    if name in ("AT", "ASSERT", "ASSERT_NOT"):
        return {((), True)}
    if name == "BRANCH":
        return set().union(*(_first_seq(alt, budget) for alt in av[1]))
    if name == "SUBPATTERN":
        return _first_seq(av[-1], budget)
    if name == "ATOMIC_GROUP":
        return _first_seq(av, budget)
    if name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
        low, high, body = av
        if len(body) == 1 and str(body[0][0]) in ("LITERAL", "NOT_LITERAL", "IN"):
            (token,), _ = next(iter(_first(body[0], 1)))
            if token:                   # one character, repeated: "\s+", "\s*" are one token
                top = "" if high == _sre_parse.MAXREPEAT else str(high)
                return {((f"{token}{{{low},{top}}}",), True)}
        once = _first_seq(body, budget)
        if (low, high) in ((0, 1), (1, 1)):
            found = set(once)
        else:
            found = {(toks, False) for toks, _ in once}
        if low == 0:
            found.add(((), True))
        return found
    return {((), False)}                # anything else (backreferences, ...): unknown


def _first_seq(items, budget: int) -> set:
    states = {((), True)}
    for item in items:
        if not any(open_ and len(toks) < budget for toks, open_ in states):
            break
        nxt = set()
        for toks, open_ in states:
            if not open_ or len(toks) >= budget:
                nxt.add((toks, False))
                continue
            for more, open2 in _first(item, budget - len(toks)):
                nxt.add((toks + more, open2))
        states = nxt
    return states


def _trie_regex(seqs, first_chars: bool = False) -> str:
    """The token sequences as one trie regex; with `first_chars`, the first tokens are
    spelled out as single characters where they can be (see _by_first_char)."""
    if first_chars:
        by_char = _by_first_char(seqs)
        parts = [head + _trie_regex(rests) for head, rests in sorted(by_char.items())]
        return parts[0] if len(parts) == 1 else "(?:" + "|".join(parts) + ")"
    trie: dict = {}
    for toks in seqs:
        node = trie
        for t in toks:
            if node.get("") is True:       # a shorter prefix already allows anything after
                break
            node = node.setdefault(t, {})
        else:
            node.clear()
            node[""] = True

    def emit(node) -> str:
        if node.get(""):
            return ""
        parts = [t + emit(child) for t, child in sorted(node.items())]
        return parts[0] if len(parts) == 1 else "(?:" + "|".join(parts) + ")"

    return emit(trie)


_NULLABLE = re.compile(r"\{0,\d*\}$")      # a token "x{0,n}" may match nothing
_MAX_SPELLED = 64                           # a class of more characters stays a class


@lru_cache(maxsize=None)
def _chars(token: str) -> tuple[str, ...] | None:
    """The characters a one-character token (no repeat) matches, when they are few and
    can be listed; None otherwise (categories such as \\s, negated classes)."""
    items = _sre_parse.parse(token)
    if len(items) != 1:
        return None
    op, av = items[0]
    if str(op) == "LITERAL":
        return (chr(av),)
    if str(op) != "IN":
        return None
    out: list[str] = []
    for iop, iav in av:
        if str(iop) == "LITERAL":
            out.append(chr(iav))
        elif str(iop) == "RANGE" and iav[1] - iav[0] < _MAX_SPELLED:
            out.extend(chr(c) for c in range(iav[0], iav[1] + 1))
        else:
            return None
    return tuple(sorted(set(out))) if len(set(out)) <= _MAX_SPELLED else None


def _by_first_char(seqs) -> dict[str, set]:
    """{first character (escaped) or unlistable one-character token: the rests of the
    sequences}.

    "x{0,1}y..." becomes "xy..." and "y..."; "[12]\\d" becomes "1\\d" and "2\\d";
    "\\d{1,4}" becomes "\\d" then "\\d{0,3}", so that every alternative of the
    filter begins with one character, which `re` rules out by one test (a repeat it
    would enter). A sequence whose every token may be empty cannot be split and must
    not be given.
    """
    out: dict[str, set] = {}

    def add(toks: tuple) -> None:
        tok, rest = toks[0], toks[1:]
        repeat = _REPEAT.fullmatch(tok)
        base, low, high = tok, 1, 1
        if repeat:
            base = repeat.group(1)
            low, high = (int(x) if x else None for x in repeat.group(2)[1:-1].split(","))
        if low == 0:
            add(rest)
        if high is None or high > 1:
            top = "" if high is None else str(high - 1)
            rest = (f"{base}{{{max(low - 1, 0)},{top}}}",) + rest
        chars = _chars(base)
        for head in (base,) if chars is None else map(re.escape, chars):
            out.setdefault(head, set()).add(rest)

    for toks in seqs:
        add(toks)
    return out


@lru_cache(maxsize=4)
def lowered(text: str) -> str:
    """text.lower() with one character for each: the filter's positions are the text's.
    (Only U+0130 İ lowers to two characters; it becomes its first, "i".)"""
    low = text.lower()
    if len(low) != len(text):
        low = "".join(ch.lower()[0] for ch in text)
    return low


def lower_set(ch: str) -> set[str]:
    """What `ch` can be in lowered(text): its lower case; final sigma too for Σ (str.lower
    writes ς at the end of a word)."""
    low = {ch.lower()[0]}
    if ("a" + ch).lower()[-1] != ch.lower()[0]:
        low.add(("a" + ch).lower()[-1])
    return low


_CASELESS = ("CATEGORY_DIGIT", "CATEGORY_NOT_DIGIT", "CATEGORY_SPACE", "CATEGORY_NOT_SPACE",
             "CATEGORY_WORD", "CATEGORY_NOT_WORD")     # lower() keeps a character in these


def _caseless(c: int) -> bool:
    """A character with no case, which is also the lower case of no other character."""
    ch = chr(c)
    return ch.upper() == ch == ch.lower()


def _lowered_tokens(toks: tuple) -> tuple:
    """Case-sensitive tokens for the lowered text: each matches lower() of every character
    the token matched ("[tT]" -> "t"). A token this cannot read matches any character."""
    return tuple(_lowered_token(t) for t in toks)


@lru_cache(maxsize=None)
def _lowered_token(tok: str) -> str:
    repeat = _REPEAT.fullmatch(tok)
    base, times = (repeat.group(1), repeat.group(2)) if repeat else (tok, "")
    anything = r"[\s\S]" + times
    items = _sre_parse.parse(base)
    if len(items) != 1 or str(items[0][0]) not in ("LITERAL", "IN"):
        return anything
    parts = [items[0]] if str(items[0][0]) == "LITERAL" else list(items[0][1])
    if parts and str(parts[0][0]) == "NEGATE":
        # [^...] of categories and caseless characters: what it excludes, lower() never
        # makes, so the class stays as it is ("[^\\W\\d_]")
        same = all(str(av) in _CASELESS if str(op) == "CATEGORY" else
                   str(op) == "LITERAL" and _caseless(av) or
                   str(op) == "RANGE" and av[1] - av[0] < 256 and all(map(_caseless, range(av[0], av[1] + 1)))
                   for op, av in parts[1:])
        return tok if same else anything
    chars: set[str] = set()
    cats: list[str] = []
    for op, av in parts:
        if str(op) == "LITERAL":
            chars |= lower_set(chr(av))
        elif str(op) == "RANGE" and av[1] - av[0] < 256:
            for c in range(av[0], av[1] + 1):
                chars |= lower_set(chr(c))
        elif str(op) == "CATEGORY" and str(av) in _CASELESS:
            cats.append(_CATEGORY[str(av)])
        else:
            return anything
    if len(chars) == 1 and not cats:
        return re.escape(next(iter(chars))) + times
    return "[" + "".join(cats) + "".join(re.escape(c) for c in sorted(chars)) + "]" + times


class StartFilter(NamedTuple):
    """Where a pattern may start: at the end of each match of `regex` (in lowered(text)
    when `lower`), and at the text's start when `at_start`."""

    regex: re.Pattern
    at_start: bool
    lower: bool = False


def start_filter(pattern: str, flags: int, depth: int = 3) -> StartFilter | None:
    r"""Every place where `pattern` can start a match, or more; None when there is no such
    cheap filter (it could match anything).

    A pattern that starts only at a word start (`(?<!\w)`) is looked for after a
    character that is not a word's, `\W(?=...)`: a regex that begins with a character
    class lets `re` skip to the next such character in C, so most of the text (the
    inside of words) is never tried at all. Position 0, which has no character before
    it, is tried apart.
    """
    found = _start_trie(pattern, flags, depth)
    if found is None:
        return None
    trie, flags, lower = found
    if pattern.startswith(r"(?<!\w)"):          # a word start only, as the pattern says
        return StartFilter(re.compile(outside(r"\w") + "(?=" + trie + ")", flags), True, lower)
    return StartFilter(re.compile("(?=" + trie + ")", flags), False, lower)


def _start_trie(pattern: str, flags: int, depth: int) -> tuple[str, int, bool] | None:
    """(regex, its flags, whether it reads lowered(text)) of what `pattern`'s matches can
    begin with, `depth` tokens deep; None when that could be anything."""
    firsts = _first_seq(_sre_parse.parse(pattern, flags), depth)
    if any(all(_NULLABLE.search(t) for t in toks) for toks, _ in firsts):
        return None
    seqs = {toks for toks, _ in firsts}
    lower = False
    if flags & re.IGNORECASE:
        cased = {_uncased(toks) for toks in seqs}
        if None not in cased:                   # letters as classes: re.I makes `re` slower
            seqs, flags = cased, flags & ~re.IGNORECASE
    if not flags & re.IGNORECASE:
        seqs, lower = {_lowered_tokens(toks) for toks in seqs}, True
    return _trie_regex(seqs, first_chars=True), flags, lower


@lru_cache(maxsize=None)
def outside(char_class: str) -> str:
    """A class of every character that `char_class` does not match: [^...] of the ones
    it matches in the Basic Multilingual Plane (so every character beyond counts as
    outside). `re` tests such a class by table look-up, a category like \\W by asking
    the Unicode database, a few times slower; it is the loop that skips through text."""
    every = "".join(chr(c) for c in range(0x10000) if not 0xD800 <= c <= 0xDFFF)
    runs: list[list[int]] = []
    for ch in re.findall(char_class, every):
        c = ord(ch)
        if runs and runs[-1][1] == c - 1:
            runs[-1][1] = c
        else:
            runs.append([c, c])
    return "[^" + "".join(re.escape(chr(a)) + ("-" + re.escape(chr(b)) if b > a else "") for a, b in runs) + "]"


# Besides its upper and lower case, re.IGNORECASE matches these with an ASCII letter.
_FOLDS = {"i": "\u0130\u0131", "k": "\u212a", "s": "\u017f"}
_CLASS_ESCAPES = re.compile(r"\\[dswDSW]")
_REPEAT = re.compile(r"(.+?)(\{\d+,\d*\})", re.S)   # a token may hold a newline


def _uncased(toks: tuple) -> tuple | None:
    """The tokens with every ASCII letter written as a class of what re.IGNORECASE would
    match with it ("t" -> "[tT]"), to be matched without re.I; None when a token holds a
    cased letter this cannot handle. Arabic letters have no case."""
    out = []
    for tok in toks:
        base, times = tok, ""
        repeat = _REPEAT.fullmatch(tok)
        if repeat:
            base, times = repeat.groups()
        if len(base) == 1 and base.isascii() and base.isalpha():
            low = base.lower()
            out.append("[" + low + low.upper() + _FOLDS.get(low, "") + "]" + times)
            continue
        if any(ch.isalpha() and not "\u0600" <= ch <= "\u06ff" for ch in _CLASS_ESCAPES.sub("", tok)):
            return None
        out.append(tok)
    return tuple(out)


class Alternatives:
    """`match(text, pos)` of `lead(?:alt1|alt2|...)`: the first alternative that matches at
    pos, the same match (its own groups; the others are not in it). Each alternative is
    its own regex, tried only where it can begin: its first character must fit, then a
    start filter of its own (`depth` deep, over the lowered text) must match there. `re`
    would try a big alternation's every branch, optional prefixes and all, before it
    gives up; most places where the start filter stops can begin one alternative at most.
    """

    MEMO_MAX = 4096                     # characters remembered before the memo starts over

    def __init__(self, lead: str, alternatives: list[str], flags: int, depth: int = 5):
        self.firsts = []                # per alternative: first-character regexes, or None (any)
        for alt in alternatives:
            tokens: set | None = set()
            for toks, _ in _first_seq(_sre_parse.parse(alt, flags), 3):
                for t in toks:                  # up to the first token that cannot be empty
                    tokens.add(t)
                    if not _NULLABLE.search(t):
                        break
                else:
                    tokens = None               # it may begin with anything
                    break
            self.firsts.append(None if tokens is None else
                               [re.compile(_REPEAT.sub(r"\1", t), flags) for t in tokens])
        self.patterns = [re.compile(lead + "(?:" + alt + ")", flags) for alt in alternatives]
        self.starts = [_start_regex(alt, flags, depth) for alt in alternatives]
        self._by_char: dict[str, tuple] = {}

    def match(self, text: str, pos: int) -> re.Match | None:
        ch = text[pos:pos + 1]
        chosen = self._by_char.get(ch)
        if chosen is None:
            chosen = self._for(ch)
        low = None
        for pattern, starts, lower in chosen:
            if starts is not None:
                if lower and low is None:
                    low = lowered(text)
                if starts.match(low if lower else text, pos) is None:
                    continue
            m = pattern.match(text, pos)
            if m is not None:
                return m
        return None

    def _for(self, ch: str) -> tuple:
        """(pattern, its start regex or None, whether that reads the lowered text) of the
        alternatives that can begin with `ch`, in order."""
        chosen = tuple((self.patterns[i], *(self.starts[i] or (None, False)))
                       for i, firsts in enumerate(self.firsts)
                       if not ch or firsts is None or any(t.fullmatch(ch) for t in firsts))
        if len(self._by_char) > self.MEMO_MAX:
            self._by_char.clear()
        self._by_char[ch] = chosen
        return chosen


def _start_regex(pattern: str, flags: int, depth: int) -> tuple[re.Pattern, bool] | None:
    """(regex, whether it reads lowered(text)): matches at every place where `pattern`
    can match, and more; None when that could be anywhere."""
    found = _start_trie(pattern, flags, depth)
    if found is None:
        return None
    trie, flags, lower = found
    return re.compile(trie, flags), lower


def start_positions(starts: StartFilter, text: str) -> list[int]:
    """Every place where the pattern may start in `text`, in order.

    They are also a superset of where it may start in any slice text[a:b] (shifted by a):
    the filter reads a character class at a time, so what it matches in the slice it
    matches in the whole, and the character before a line is a newline, not a word's.
    """
    scan = lowered(text) if starts.lower else text
    out = [m.end() for m in starts.regex.finditer(scan)]
    if starts.at_start and (not out or out[0] != 0):
        out.insert(0, 0)
    return out


def finditer_at(pattern: re.Pattern, positions, text: str, match=None) -> Iterator[re.Match]:
    """`pattern.finditer(text)` for a pattern that never matches the empty string, trying it
    only at `positions` (in order; at least every place where it can match), with
    `match` instead of pattern.match when given (such as Alternatives.match)."""
    match = match or pattern.match
    pos = 0
    for at in positions:
        if at < pos:
            continue
        m = match(text, at)
        if m:
            yield m
            pos = m.end() if m.end() > at else at + 1


def finditer_filtered(pattern: re.Pattern, starts: StartFilter | None, text: str,
                      match=None) -> Iterator[re.Match]:
    """`pattern.finditer(text)` for a pattern that never matches the empty string, trying
    it only where `starts` (from start_filter) says it may start (with `match`, the same
    as pattern.match but faster, such as Alternatives.match)."""
    if starts is None:
        return pattern.finditer(text)
    return finditer_at(pattern, start_positions(starts, text), text, match)
