"""The prefilter finds exactly what the full pattern finds."""
from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from tracker import dates
from tracker.prefilter import finditer_filtered, lowered, start_filter


def spans(pattern, starts, text):
    return [m.span() for m in finditer_filtered(pattern, starts, text)]


def test_small_patterns():
    for source in [r"(?<!\w)(?:the\s+last\s+\d+\s+days|\d{4}-\d\d|منذ\s+(?:\d+|يوم))", r"ab?c|x*y", r"(a)(?(1)b|c)d"]:
        pattern = re.compile(source, re.I)
        starts = start_filter(pattern.pattern, pattern.flags, depth=4)
        for text in ["The  last 3 days, 2019-02 and منذ 3", "ac abc xxy y ad abd", "THE LAST 48 DAYS"]:
            assert spans(pattern, starts, text) == [m.span() for m in pattern.finditer(text)]


def test_a_pattern_that_can_start_anywhere_has_no_filter():
    assert start_filter(r".+x", 0) is None
    assert start_filter(r"a?", 0) is None


_w = dates._words()
_words = sorted({w for d in (_w.months, _w.weekdays, _w.units, _w.relative, _w.counts, _w.mods, _w.ordinals)
                 for w in d} | {"the", "last", "since", "منذ", "خلال", "الـ", "من", "و", "في", ",", "-", "/", ":"})
_pieces = st.one_of(st.sampled_from(_words), st.integers(0, 2100).map(str), st.sampled_from([" ", "  ", "\n", "، "]))


@settings(max_examples=300, deadline=None)
@given(st.lists(_pieces, max_size=30).map("".join), st.sampled_from([str, str.upper, str.title]))
def test_the_date_atoms_are_the_same_with_and_without_the_filter(text, case):
    text = case(text)
    starts = dates._atom_starts()
    assert starts is not None
    assert spans(_w.atoms, starts, text) == [m.span() for m in _w.atoms.finditer(text)]


def test_lowered_text_keeps_every_position():
    from tracker.prefilter import lower_set
    every = "".join(chr(c) for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF)
    sets = [lower_set(ch) for ch in every]
    for sep in ("", "a "):                  # next to other characters; a word's end: final sigma
        text = "".join(sep[:1] + ch + sep[1:] for ch in every)
        low, at = lowered(text), len(sep[:1])
        assert len(low) == len(text)
        assert all(low[i * (len(sep) + 1) + at] in sets[i] for i in range(len(every)))
        for cat in (r"\w", r"\s", r"\d"):   # the classes a lowered token keeps as they are
            assert [m.start() for m in re.finditer(cat, text)] == [m.start() for m in re.finditer(cat, low)]


def test_the_filter_over_lowered_text_finds_upper_case_and_odd_letters():
    for pattern in (re.compile(r"(?<!\w)(?:ist\s+\d|[^\W\d]x\d|kilo\d)", re.I),
                    re.compile(r"(?<!\w)(?:[Σσ]Α\d|AΣ\d|İs)")):
        starts = start_filter(pattern.pattern, pattern.flags, depth=5)
        assert starts.lower
        for text in ["İST 3 ıst 4 Ist 5 İs", "ΣΑ1 σΑ2 AΣ3 AΣ", "Éx1 éX2 _x3", "\u212aILO4 KILO5"]:
            assert spans(pattern, starts, text) == [m.span() for m in pattern.finditer(text)]


def test_optional_spaces_do_not_end_the_prefix():
    # "the\s*" used to end the filter's prefix, so every "the ..." was a candidate
    pattern = re.compile(r"(?<!\w)(?:the\s*\d+|x?y)", re.I)
    starts = start_filter(pattern.pattern, pattern.flags, depth=6)
    text = "the gathering, the 12th, THE  3, the\n4, xy y"
    assert spans(pattern, starts, text) == [m.span() for m in pattern.finditer(text)]
    assert starts.lower                 # the filter reads the lower-cased text
    assert [m.end() for m in starts.regex.finditer(lowered(text))] == [15, 25, 33, 40, 43]
    assert not starts.regex.search("the gathering")


def test_a_match_at_the_very_start_is_found():
    pattern = re.compile(r"(?<!\w)(?:12 may|may)", re.I)
    starts = start_filter(pattern.pattern, pattern.flags, depth=4)
    for text in ["12 May", "May 12", " may", "xmay may"]:
        assert spans(pattern, starts, text) == [m.span() for m in pattern.finditer(text)]


def test_letters_as_classes_match_what_ignorecase_matches():
    from tracker.prefilter import _uncased
    every = "".join(chr(c) for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF)
    for letter in "abcdefghijklmnopqrstuvwxyzQ":
        (cls,) = _uncased((letter,))
        assert set(re.findall(re.escape(letter), every, re.I)) == set(re.findall(cls, every))
    arabic = [chr(c) for c in range(0x0600, 0x0700) if chr(c).isalpha()]
    for ch in arabic:
        assert _uncased((ch,)) == (ch,)
        assert re.findall(re.escape(ch), every, re.I) == [ch]
    assert _uncased(("[a-z]",)) is None and _uncased(("é",)) is None
    assert _uncased(("e{0,1}", r"[\s]{1,}", "ب")) == ("[eE]{0,1}", r"[\s]{1,}", "ب")


@settings(max_examples=200, deadline=None)
@given(st.lists(_pieces, max_size=20).map("".join))
def test_trying_only_the_alternatives_that_can_start_here_matches_the_same(text):
    matcher = dates._atom_matcher()
    for pos in range(len(text) + 1):
        fast, full = matcher.match(text, pos), _w.atoms.match(text, pos)
        assert (fast is None) == (full is None)
        if fast:
            assert (fast.span(), fast.lastgroup) == (full.span(), full.lastgroup)
            assert all(full.group(k) == v for k, v in fast.groupdict().items())
    starts = dates._atom_starts()
    assert spans(_w.atoms, starts, text) == [m.span() for m in finditer_filtered(_w.atoms, starts, text, matcher.match)]


def test_alternatives_of_a_small_pattern():
    from tracker.prefilter import Alternatives
    alts = [r"(?P<a>a?b\d)", r"(?P<c>(?:x|y)?c)", r"(?P<any>.\d)"]
    m = Alternatives(r"(?<!\w)", alts, re.I)
    assert m.firsts[2] is None and m.firsts[0] is not None
    full = re.compile(r"(?<!\w)(?:" + "|".join(alts) + ")", re.I)
    for text in ["ab1 b2 xc yc c z9 AB3 Xc", "", "q"]:
        for pos in range(len(text) + 1):
            a, b = m.match(text, pos), full.match(text, pos)
            assert (a and (a.span(), a.lastgroup)) == (b and (b.span(), b.lastgroup))


def test_outside_is_the_complement_in_the_basic_plane():
    from tracker.prefilter import outside
    every = "".join(chr(c) for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF)
    for cls in (r"\w", r"[^\W\d_]", r"\D"):
        inside = {m.start() for m in re.finditer(cls, every)}
        out = {m.start() for m in re.finditer(outside(cls), every)}
        bmp = {i for i in range(len(every)) if ord(every[i]) <= 0xFFFF}
        assert inside & out <= bmp ^ set(range(len(every)))      # both only beyond the plane
        assert set(range(len(every))) - inside <= out


def test_a_negated_class_is_kept_when_lowering_cannot_enter_it():
    from tracker.prefilter import _lowered_token
    assert _lowered_token(r"[^\W\d_]{1,}") == r"[^\W\d_]{1,}"
    assert _lowered_token("[^\\S\n]{1,}") == "[^\\S\n]{1,}"      # a newline inside
    assert _lowered_token("[^a]") == r"[\s\S]"                    # "A" lowers to "a"
    assert _lowered_token("[tT]{0,1}") == "t{0,1}"


def test_a_repeated_class_at_the_start_is_split_into_one_character_first():
    from tracker.prefilter import _by_first_char
    # "\d{1,4}" and "\d{4,4}" both begin with one \d: one alternative, tested once
    heads = _by_first_char({(r"[\d]{1,4}", "x"), (r"[\d]{4,4}",), (r"[\s]{0,}", "y")})
    assert sorted(heads) == [r"[\d]", r"[\s]", "y"]
    assert heads[r"[\d]"] == {(r"[\d]{0,3}", "x"), (r"[\d]{3,3}",)}
    assert heads[r"[\s]"] == {(r"[\s]{0,}", "y")}
    pattern = re.compile(r"(?<!\w)(?:\d{1,4}\s*(?:may|أيار)|\d{4}-\d\d|منذ\s+\d+)", re.I)
    starts = start_filter(pattern.pattern, pattern.flags, depth=4)
    for text in ["3 May, 2019-02, منذ 12", "١٢ أيار ٢٠١٩-٠٢", "\u0967\u0968 MAY 12345 may"]:
        assert spans(pattern, starts, text) == [m.span() for m in pattern.finditer(text)]
