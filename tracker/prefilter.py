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
"""
from __future__ import annotations

import re
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


def _trie_regex(seqs) -> str:
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


class StartFilter(NamedTuple):
    """Where a pattern may start: at the end of each match of `regex`, and at the text's
    start when `at_start`."""

    regex: re.Pattern
    at_start: bool


def start_filter(pattern: str, flags: int, depth: int = 3) -> StartFilter | None:
    r"""Every place where `pattern` can start a match, or more; None when there is no such
    cheap filter (it could match anything).

    A pattern that starts only at a word start (`(?<!\w)`) is looked for after a
    character that is not a word's, `\W(?=...)`: a regex that begins with a character
    class lets `re` skip to the next such character in C, so most of the text (the
    inside of words) is never tried at all. Position 0, which has no character before
    it, is tried apart.
    """
    firsts = _first_seq(_sre_parse.parse(pattern, flags), depth)
    if any(all(_NULLABLE.search(t) for t in toks) for toks, _ in firsts):
        return None
    seqs = {toks for toks, _ in firsts}
    if flags & re.IGNORECASE:
        cased = {_uncased(toks) for toks in seqs}
        if None not in cased:                   # letters as classes: re.I makes `re` slower
            seqs, flags = cased, flags & ~re.IGNORECASE
    trie = "(?=" + _trie_regex(seqs) + ")"
    if pattern.startswith(r"(?<!\w)"):          # a word start only, as the pattern says
        return StartFilter(re.compile(r"\W" + trie, flags), True)
    return StartFilter(re.compile(trie, flags), False)


# Besides its upper and lower case, re.IGNORECASE matches these with an ASCII letter.
_FOLDS = {"i": "\u0130\u0131", "k": "\u212a", "s": "\u017f"}
_CLASS_ESCAPES = re.compile(r"\\[dswDSW]")
_REPEAT = re.compile(r"(.+?)(\{\d+,\d*\})")


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
    """`match(text, pos)` of `lead(?:alt1|alt2|...)`, trying only the alternatives that can
    begin with the character at pos: the others would fail there, so the match is the
    same, but `re` tries a big alternation's every branch, optional prefixes and all,
    before it gives up. A regex per set of alternatives is built on first use."""

    MEMO_MAX = 4096                     # characters remembered before the memo starts over

    def __init__(self, lead: str, alternatives: list[str], flags: int):
        self.lead, self.alternatives, self.flags = lead, alternatives, flags
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
        self.full = re.compile(lead + "(?:" + "|".join(alternatives) + ")", flags)
        self._by_char: dict[str, re.Pattern | None] = {}
        self._by_set: dict[tuple, re.Pattern | None] = {}

    def match(self, text: str, pos: int) -> re.Match | None:
        pattern = self._by_char.get(text[pos:pos + 1], self)
        if pattern is self:
            pattern = self._for(text[pos:pos + 1])
        return pattern.match(text, pos) if pattern is not None else None

    def _for(self, ch: str) -> re.Pattern | None:
        if not ch:
            return self.full
        chosen = tuple(i for i, firsts in enumerate(self.firsts)
                       if firsts is None or any(t.fullmatch(ch) for t in firsts))
        if chosen not in self._by_set:
            self._by_set[chosen] = re.compile(self.lead + "(?:" + "|".join(
                self.alternatives[i] for i in chosen) + ")", self.flags) if chosen else None
        if len(self._by_char) > self.MEMO_MAX:
            self._by_char.clear()
        self._by_char[ch] = self._by_set[chosen]
        return self._by_set[chosen]


def finditer_filtered(pattern: re.Pattern, starts: StartFilter | None, text: str,
                      match=None) -> Iterator[re.Match]:
    """`pattern.finditer(text)` for a pattern that never matches the empty string, trying
    it only where `starts` (from start_filter) says it may start (with `match`, the same
    as pattern.match but faster, such as Alternatives.match)."""
    if starts is None:
        yield from pattern.finditer(text)
        return
    match = match or pattern.match
    pos = 0
    if starts.at_start:
        m = match(text, 0)
        if m:
            yield m
        pos = m.end() if m else 1
    for candidate in starts.regex.finditer(text, pos - 1 if pos else 0):
        at = candidate.end()
        if at < pos:
            continue
        m = match(text, at)
        if m:
            yield m
            pos = m.end() if m.end() > at else at + 1
