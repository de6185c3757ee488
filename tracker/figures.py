"""Figures: numbers that count people moving, people present, or territory held.

The stages, each a function over the normalised text:
  candidates  every number that could count something (not a date, unit, percent)
  describe    qualifier, range, category and part cues around each number
  relevance   drop numbers whose clause speaks of casualties, or of nothing moving
  parents     "including 30 fighters" points at the figure it is a part of
  kinds/dates date mentions go to the nearest number; the kind follows from them
What a figure is, and its field names, come from the annotation guide (GUIDE.md).
"""
from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import date, timedelta

from . import dates as dates_mod
from . import numbers as numbers_mod
from .cues import breaks, cues
from .normalize import Normalized

_CLAUSE_STOP = re.compile(r"[.!?؟؛;:()\[\]\n\"]")
_TOKEN = re.compile(r"[^\s.,،;:!?؟()\[\]\"]+")
_CLAUSE = re.compile(r"[,،;:]")
CLAUSE_PENALTY = 60        # a date across a comma is less likely to be the number's own
_JOINER = re.compile(r"\s*(?:,\s*(?:and\s+)?|(?:and|&)\s*|و)\s*", re.I)

LONG_RANGE = timedelta(days=14)  # "from 1 December to 12 February" is a running total
BIG_FLOW = 10_000          # a movement this large with no day cue is a running total
TITLE_MAX = 250            # a first line this short, ended by a line break, is a title
CLOSE = 60                 # characters around a number where its own cues sit
NOT_COUNTS = ("unit", "not a count", "year", "part of a word or name")
RELEVANT = ("movement", "stock", "cumulative", "displacement", "batch", "rise")
AREA_FACTORS = {"km2": 1.0, "m2": 1e-6, "hectare": 0.01, "mi2": 2.589988, "km_bare": 1.0}


@dataclass
class Candidate:
    start: int                      # number span in normalised text
    end: int
    value: float
    form: str
    sentence: int = 0
    s_start: int = 0                # the sentence's span
    s_end: int = 0
    high: float | None = None
    span_end: int = 0               # end of the number, or of the range's high number
    ev_start: int = 0               # evidence span (normalised)
    ev_end: int = 0
    qualifier: str = "exact"
    qual_start: int | None = None
    category: str | None = None
    noun_after: bool = False        # the category is named right after the number
    unit: str | None = None         # "area" or None
    excluded: str | None = None     # why it is not a figure
    part_cue: bool = False
    parent: int | None = None       # index into the candidate list
    joined: bool = False            # "... and 86 women": joined to the number before
    mentions: list = field(default_factory=list)
    kind: str | None = None
    dated: bool = False             # kind and period come from a date mention
    cue_distance: float = float("inf")  # how far the cue that decided the kind stands
    headline: bool = False          # in the report's first line, a title
    origin: str | None = None
    destination: str | None = None
    list_start: int = 0             # where a list joined by "and" begins ("four women and 10 children")
    start_date: date | None = None
    end_date: date | None = None


_RUN_END = "!?؟؛\n"          # a run of these ends one sentence


def _sentences(text: str) -> list[tuple[int, int]]:
    r"""Sentence spans, ended by . ! ? ؟ ؛ and line breaks (the cue breaks); a dot between
    digits (1.5 million) ends none. The same ends as r"(?<!\d)\.|\.(?!\d)|[!?؟؛\n]+"."""
    bounds, pos, n = [], 0, len(text)
    for i in breaks(text):
        if i < pos:
            continue                    # inside the run just taken
        end = i + 1
        if text[i] == ".":
            if 0 < i and end < n and text[i - 1].isdecimal() and text[end].isdecimal():
                continue
        else:
            while end < n and text[end] in _RUN_END:
                end += 1
        bounds.append((pos, end))
        pos = end
    bounds.append((pos, n))
    return [b for b in bounds if text[b[0]:b[1]].strip()]


def _extra_numbers(text: str) -> list[numbers_mod.Number]:
    """Numbers carried by words the number reader does not own: category duals, 'half'."""
    c = cues()
    extra = []
    for m in c.dual.search(text):
        word = m.group()
        start = m.start() + _clitic_length(word, c.dual)
        extra.append(numbers_mod.Number(start, m.end(), 2.0, "words"))
    for m in c.half.search(text):
        unit = c.area_unit.at(text, m.end())
        if unit and unit.label != "km_bare":
            extra.append(numbers_mod.Number(m.start(), m.end(), 0.5, "words"))
    return extra


def _clitic_length(word: str, phrases) -> int:
    """How many leading characters of a matched Arabic word are clitics (و، ب، ال ...)."""
    if word.lower() in phrases.labels:
        return 0
    for n in range(1, 4):
        if word[n:].lower() in phrases.labels:
            return n
    return 0


def _merge_numbers(found, extra):
    """The number reader's numbers plus the extra ones that do not overlap them."""
    taken = _Spans((n.start, n.end) for n in found)
    return sorted(list(found) + [n for n in extra if not taken.overlaps(n.start, n.end)], key=lambda n: n.start)


class _Spans:
    """Sorted, merged spans, asked whether a range overlaps any of them (binary search)."""

    def __init__(self, spans):
        merged: list[list[int]] = []
        for a, b in sorted(spans):
            if merged and a <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], b)
            else:
                merged.append([a, b])
        self.starts = [a for a, _ in merged]
        self.ends = [b for _, b in merged]

    def overlaps(self, start: int, end: int) -> bool:
        i = bisect_right(self.starts, end - 1) - 1
        return i >= 0 and self.ends[i] > start


def _candidates(text: str, nums, mentions, sentences) -> list[Candidate]:
    """Numbers that are not part of a date, time or duration; ranges joined."""
    date_spans = _Spans((m.start, m.end) for m in mentions)
    c = cues()
    out: list[Candidate] = []
    skip_next = False
    s_idx = 0
    for i, n in enumerate(nums):
        if skip_next:
            skip_next = False
            continue
        if date_spans.overlaps(n.start, n.end):
            continue
        while s_idx < len(sentences) - 1 and n.start >= sentences[s_idx][1]:
            s_idx += 1
        cand = Candidate(n.start, n.end, n.value, n.form, sentence=s_idx, span_end=n.end,
                         s_start=sentences[s_idx][0], s_end=sentences[s_idx][1])
        # range: "8,000-9,000", "150 to 200", "between 1,000 and 1,500", "بين 150 إلى 200"
        if i + 1 < len(nums):
            nxt = nums[i + 1]
            join = c.range_join.at(text, n.end, nxt.start)
            if join and not text[join.end():nxt.start].strip() and nxt.value > n.value \
                    and not date_spans.overlaps(nxt.start, nxt.end):
                word = join.group().strip().lower()
                opened = c.range_open.ending(text, n.start, 25)
                if word not in ("و", "and") or opened:
                    cand.high = nxt.value
                    cand.span_end = nxt.end
                    cand.qualifier = "range"
                    if opened:
                        cand.qual_start = opened.start()
                    skip_next = True
        out.append(cand)
    return out


def _right_noun(text: str, pos: int, limit: int):
    """Category named right after a number: within four words, stopping at punctuation."""
    c = cues()
    stop = _CLAUSE_STOP.search(text, pos, limit)
    limit = stop.start() if stop else limit
    words = 0
    for tok in _TOKEN.finditer(text, pos, limit):
        if tok.group()[0].isdigit() or words >= 4:
            return None
        m = c.category.at(text, tok.start(), limit)
        if m and m.start() == tok.start():
            first = m.label
            # "women and children", "fighters and civilians", "14 Women, Children", "امرأة وطفل"
            second = c.category.first_in(text, m.end(), limit)
            between = text[m.end():second.start()] if second else ""
            if second and (_JOINER.fullmatch(between) or (not between.strip() and second.group().startswith("و"))):
                other = second.label
                if other != first:
                    pair = {first, other}
                    label = "women_children" if pair <= {"women", "children", "women_children"} else "people"
                    return label, second.end()
            return first, m.end()
        words += 1
    return None


def _inside_phrase(phrases, text: str, m) -> bool:
    """Whether match m is part of a longer phrase of another class ("handed over")."""
    return any(p.start() <= m.start() and m.end() <= p.end() and (p.start(), p.end()) != (m.start(), m.end())
               for p in phrases.search(text, max(0, m.start() - 20), m.end() + 20))


def _left_noun(text: str, start: int, limit: int):
    """Category named before a number: right before it, or after a count word
    ("the total number of civilians evacuated rose to 79702")."""
    c = cues()
    lo = max(start, limit - 2 * CLOSE)
    nouns = c.category.search(text, lo, limit)
    if not nouns:
        return None
    last = nouns[-1]
    if limit - last.end() <= 25:
        return last.label
    for noun in nouns:
        if c.count_words.ending(text, noun.start(), 25):
            return noun.label
    return None


def _neighbours(cands: list[Candidate], idx: int) -> tuple[int, int]:
    """Where the previous number of the sentence ends and the next begins (else its edges):
    the stretch of text whose words belong to this number."""
    cand = cands[idx]
    prev_end = cands[idx - 1].span_end if idx and cands[idx - 1].sentence == cand.sentence else cand.s_start
    nxt = idx + 1 < len(cands) and cands[idx + 1].sentence == cand.sentence
    return prev_end, cands[idx + 1].start if nxt else cand.s_end


def _describe(text: str, cands: list[Candidate], date_spans: _Spans) -> None:
    """Qualifier, unit, category and part cue of each candidate, from the words around it."""
    c = cues()
    for idx, cand in enumerate(cands):
        prev_end, next_start = _neighbours(cands, idx)
        cand.ev_start, cand.ev_end = cand.start, cand.span_end
        after = cand.span_end
        # unit right after the number
        unit = c.area_unit.at(text, after, next_start)
        if unit:
            label = unit.label
            if label != "km_bare" or c.area_bare_context.any(text, max(prev_end, cand.start - 20), cand.start) \
                    or c.area_bare_context.any(text, unit.end(), min(next_start, unit.end() + 20)):
                cand.unit = "area"
                cand.category = "km2"
                factor = AREA_FACTORS.get(label, 1.0)
                cand.value *= factor
                if cand.high is not None:
                    cand.high *= factor
                cand.ev_end = unit.end()
        if cand.unit is None:
            excluded = c.units_excluded.at(text, after, next_start)
            # "200 يوم الاثنين" is 200 on Monday, not 200 days
            if excluded and not c.category.at(text, after, next_start) \
                    and not date_spans.overlaps(excluded.start(), excluded.end()):
                cand.excluded = "unit"
                continue
        # qualifier before, or after ("30 at least", "28 عنصراً على الأقل")
        if cand.qualifier != "range":
            q = c.qualifier_before.ending(text, cand.start, 30)
            if q and q.start() >= prev_end and not _inside_phrase(c.movement, text, q):
                cand.qualifier = q.label
                cand.qual_start = q.start()
        look_from = cand.ev_end
        if cand.form == "words" and cand.value == 2:
            cand.category = c.dual.label(text[cand.start:cand.end])
        if cand.unit is None and cand.category is None:
            noun = _right_noun(text, after, next_start)
            if noun:
                cand.category, noun_end = noun
                cand.noun_after = True
                cand.ev_end = noun_end
                look_from = noun_end
        if cand.qualifier == "exact":
            for pos in (after, look_from):
                qa = c.qualifier_after.at(text, pos, next_start)
                if qa:
                    cand.qualifier = qa.label
                    cand.ev_end = max(cand.ev_end, qa.end())
                    if cand.unit is None and not cand.category:
                        # "30 على الأقل من عناصر التنظيم": the noun comes after the qualifier
                        noun = _right_noun(text, qa.end(), next_start)
                        if noun:
                            cand.category, cand.ev_end = noun
                            cand.noun_after = True
                    break
        if cand.qual_start is not None:
            cand.ev_start = cand.qual_start
        left_end = cand.qual_start if cand.qual_start is not None else cand.start
        not_count = c.not_figure_before.ending(text, left_end, 25)
        if not_count and not_count.start() >= prev_end:
            cand.excluded = "not a count"
            continue
        # part cue just before: "including 30", "من ضمنهم نحو 3480"
        part = c.part.ending(text, left_end, 30)
        if part and part.start() >= prev_end:
            cand.part_cue = True
        # joined to the number before: "... and 86 women", "وسيدتان", "وحوالي 6300"
        before = text[max(prev_end, left_end - 6):left_end]
        q_text = text[cand.qual_start:cand.start] if cand.qual_start is not None else ""
        cand.list_start = cand.ev_start
        if re.search(r"(?:\band|[,،&]|(?<![\u0621-\u064A])و)\s*$", before, re.I) or q_text.startswith("و"):
            cand.joined = True
            if idx and cands[idx - 1].sentence == cand.sentence:
                cand.list_start = cands[idx - 1].list_start
        if cand.category is None and cand.unit is None:
            cand.category = _left_noun(text, prev_end, left_end)


def _relevance(text: str, cands: list[Candidate]) -> None:
    """Keep numbers whose clause moves people (or holds them); drop casualties and the rest."""
    c = cues()
    for idx, cand in enumerate(cands):
        if cand.excluded:
            continue
        prev_end, next_start = _neighbours(cands, idx)
        if cand.unit == "area":
            continue
        # "300 were killed and 20,000 displaced": the casualty word nearer than any movement wins
        casualty = _nearest(c.casualty, text, cand, prev_end, next_start, own=True, noun=True)
        if casualty < float("inf"):
            moved = min(_nearest(getattr(c, k), text, cand, prev_end, next_start, own=True, noun=True)
                        for k in ("movement", "displacement", "stock"))
            if casualty <= moved:
                cand.excluded = "casualties"
                continue
        if c.casualty_weak.any(text, max(prev_end, cand.ev_start - 30), min(next_start, cand.ev_end + 25)):
            cand.excluded = "arrests"
            continue
        if c.not_figure_context.any(text, max(prev_end, cand.ev_start - CLOSE), min(next_start, cand.ev_end + 30)):
            cand.excluded = "not a movement (risk, capacity, order)"
            continue
        if cand.form == "digits" and not cand.category and _glued_to_word(text, cand.start):
            cand.excluded = "part of a word or name"
            continue
        year_like = cand.form == "digits" and cand.value.is_integer() and 1900 <= cand.value <= 2100
        if year_like and not cand.noun_after:
            cand.excluded = "year"
            continue
        near = (max(prev_end, cand.ev_start - 2 * CLOSE), min(next_start, cand.ev_end + 2 * CLOSE))
        cue_here = any(getattr(c, k).any(text, *near) for k in RELEVANT)
        if cand.category:
            cue_sentence = cue_here or any(getattr(c, k).any(text, cand.s_start, cand.s_end)
                                           for k in RELEVANT)
            if not cue_sentence and cand.parent is None:
                cand.excluded = "no movement in its sentence"
        elif not cue_here and cand.parent is None:
            cand.excluded = "counts nothing named"
        if not cand.excluded and cand.value < 1 and cand.unit != "area":
            cand.excluded = "fraction"


def _glued_to_word(text: str, pos: int) -> bool:
    """Digits stuck to a word ("Kurdistan24"), not to a one-letter clitic ("بـ689", "و3")."""
    m = re.search(r"[A-Za-z\u0621-\u064A]+$", text[max(0, pos - 20):pos])
    return bool(m) and not (len(m.group()) == 1 and m.group() in "وبلفك")


def _link_parents(text: str, cands: list[Candidate]) -> None:
    """Parts point at their whole: a part cue, or a list joined to a part ("6 ... و3")."""
    c = cues()
    for idx, cand in enumerate(cands):
        if cand.excluded in ("unit", "not a count", "year") or cand.unit == "area":
            continue
        prev = _previous(cands, idx)
        if prev is None:
            continue
        if cand.part_cue:
            cand.parent = prev
        elif cand.joined and cands[prev].parent is not None and cand.sentence == cands[prev].sentence \
                and cand.start - cands[prev].ev_end < 45:
            cand.parent = cands[prev].parent
        else:
            # part cue after the number: "نحو 20 من عناصر التنظيم خرجوا من ضمنهم"
            nxt = idx + 1 < len(cands) and cands[idx + 1].sentence == cand.sentence and cands[idx + 1].start
            limit = nxt if nxt else cand.ev_end + 40
            m = c.part.first_in(text, cand.span_end, min(limit, cand.ev_end + 40))
            if m and cands[prev].value > cand.value and cands[prev].sentence == cand.sentence:
                later = c.part.first_in(text, m.end(), limit) if nxt else None
                if not nxt or later or (limit - m.end()) > 30:
                    cand.parent = prev


def _previous(cands, idx):
    """The nearest earlier candidate that can be a whole."""
    for j in range(idx - 1, max(-1, idx - 12), -1):
        p = cands[j]
        if p.excluded in ("unit", "not a count", "year") or p.unit == "area":
            continue
        if cands[idx].sentence - p.sentence > 1:
            return None
        return j
    return None


def _assign_mentions(text: str, cands: list[Candidate], mentions, sentences) -> None:
    """Each date mention dates the nearest number in its sentence.

    A mention before a number but behind a part cue ("..., including 30") belongs to
    the whole, not to the part.
    """
    c = cues()
    starts = [s for s, _ in sentences]
    anchors: dict[int, list[int]] = {}
    for i, k in enumerate(cands):
        if k.excluded not in ("unit", "year", "not a count"):
            anchors.setdefault(k.sentence, []).append(i)
    for m in mentions:
        if m.role == "duration":
            continue
        sentence = bisect_right(starts, m.start) - 1
        best, best_d = None, None
        for i in anchors.get(sentence, ()):
            k = cands[i]
            s0, s1 = k.ev_start, k.ev_end
            if m.start >= s1:
                d = m.start - s1 + (CLAUSE_PENALTY if _CLAUSE.search(text, s1, m.start) else 0)
            elif m.end <= s0:
                d = s0 - m.end + (CLAUSE_PENALTY if _CLAUSE.search(text, m.end, s0) else 0)
                if c.part.any(text, m.end, s0):
                    d += 1000
            else:
                d = 0
            if best_d is None or d < best_d:
                best, best_d = i, d
        if best is not None:
            cands[best].mentions.append(m)
    # a list joined by "and" shares its dates: "two women and five children ... on Thursday"
    for i, k in enumerate(cands):
        if k.joined and not k.mentions and not k.part_cue and i and cands[i - 1].sentence == k.sentence:
            k.mentions = list(cands[i - 1].mentions)
    for i in range(len(cands) - 1, 0, -1):
        k, head = cands[i], cands[i - 1]
        if k.joined and k.mentions and not head.mentions and not k.part_cue and head.sentence == k.sentence \
                and all(m.start >= k.ev_end for m in k.mentions):
            head.mentions = list(k.mentions)
    # "1,200 people including 400 children, left on 2 March": the date is the whole's
    for k in cands:
        if k.parent is not None and k.mentions and not cands[k.parent].mentions \
                and cands[k.parent].sentence == k.sentence and all(m.start >= k.ev_end for m in k.mentions):
            cands[k.parent].mentions, k.mentions = k.mentions, []


def _since_word(text: str, cand: Candidate, m) -> bool:
    """A point date after 'since'/'منذ'/'began' is the start of a running total."""
    c = cues()
    lo = max(cand.ev_end if m.start >= cand.ev_end else 0, m.start - 90)
    return c.since.any(text, lo, m.start)


def _nearest(phrases, text: str, cand: Candidate, lo: int, hi: int, own: bool = False,
             noun: bool = False) -> float:
    """Distance in characters from the candidate to the nearest phrase in [lo, hi).

    Counted from the list the candidate ends, if any, unless `own` ("300 were killed and
    20,000 displaced" is no list). The figure's own noun ("25 ألف نازح", "20,000
    displaced") names what is counted, not what happened, so it is skipped unless `noun`."""
    c = cues()
    stock = phrases is c.stock
    left, right = (cand.ev_start if own else cand.list_start), cand.ev_end
    best = float("inf")
    for m in phrases.search(text, lo, hi):
        s, e = m.s, m.e
        if not noun and cand.ev_start <= s and e <= right:
            continue
        if stock and c.group_words.any(text, max(0, s - 25), s):
            continue        # "a batch comprising 2,000 people" (دفعة تضم): a group's make-up
        d = left - e if e <= left else s - right if s >= right else 0
        if d < best:
            best = d
    return best


def _increase(text: str, cand: Candidate) -> bool:
    """"an increase of 5,000", "100,000 more than previously recorded": a rise, not a count."""
    c = cues()
    left = cand.qual_start if cand.qual_start is not None else cand.start
    after = c.increase_after.at(text, cand.span_end) or c.increase_after.at(text, cand.ev_end)
    return bool(c.increase_before.ending(text, left, 25) or after)


def _statement_date(text: str, m) -> bool:
    """A day on which something was said ("said Monday"), not the day people moved."""
    c = cues()
    return c.reporting.ending(text, m.start, 30) is not None or c.reporting.any(text, max(0, m.start - 25), m.start) \
        or c.reporting.any(text, m.end, m.end + 12) or c.reporting_that.at(text, _skip_commas(text, m.end)) is not None


def _skip_commas(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in " ,،":
        pos += 1
    return pos


def _date_kind(text: str, cand: Candidate, published: date | None, cands, idx) -> None:
    """Kind and period of a whole (not a part), from its date mentions and nearest cues."""
    c = cues()
    if cand.unit == "area":
        cand.kind = "area"
        point = next((m for m in cand.mentions if m.role == "point"), None)
        cand.start_date = cand.end_date = point.first if point else published
        return
    roles = {}
    for m in cand.mentions:
        role = m.role
        if role == "point" and _since_word(text, cand, m):
            role = "since"
        elif role == "point" and _statement_date(text, m):
            role = "said"
        roles.setdefault(role, m)
    cand.dated = bool(set(roles) - {"said", "duration"})
    lo = max(_bound(cands, idx, -1, text), cand.ev_start - 150)
    hi = min(_bound(cands, idx, 1, text), cand.ev_end + 150)
    dist = {k: _nearest(getattr(c, k), text, cand, lo, hi)
            for k in ("stock", "movement", "cumulative", "batch", "displacement", "rise")}
    if all(v == float("inf") for v in dist.values()):
        dist = {k: _nearest(getattr(c, k), text, cand, cand.s_start, cand.s_end) for k in dist}
    cand.cue_distance = min(dist.values())
    others = min(dist["movement"], dist["cumulative"], dist["batch"], dist["displacement"])
    stock_near = dist["stock"] < float("inf") and dist["stock"] <= others
    window = roles.get("window") or (roles.get("range") if "since" not in roles else None)
    as_of = roles.get("point") or roles.get("said")
    if _increase(text, cand):
        # "100,000 more than previously recorded", "an increase of 5,000": the rise since
        # the last count, a sum over a period whose start the text does not fix
        cand.kind, cand.start_date, cand.end_date = "window", None, as_of.first if as_of else published
        return
    stock_left = _nearest(c.stock, text, cand, max(lo, cand.ev_start - 20), cand.ev_start) <= 20
    if (stock_near or stock_left) and (dist["stock"] <= 25 or not ("since" in roles or window)):
        cand.kind = "stock"
        if as_of:
            cand.start_date = cand.end_date = as_of.first
        elif c.past.ending(text, cand.ev_start, 60) or c.past.any(text, max(lo, cand.ev_start - 40), cand.ev_start):
            cand.start_date = cand.end_date = None
        else:
            cand.start_date = cand.end_date = published
        return
    if "since" in roles:
        cand.kind = "cumulative"
        since = roles["since"]
        until = roles.get("until") or roles.get("range")
        cand.start_date = since.first
        cand.end_date = until.last if until and until.last else published
        return
    if window:
        span = (window.last - window.first) if window.first and window.last else None
        if window.role == "range" and span is not None and span > LONG_RANGE:
            cand.kind = "cumulative"
            cand.start_date, cand.end_date = window.first, window.last
            return
        cand.kind = "batch" if span is not None and span <= timedelta(days=1) else "window"
        cand.start_date, cand.end_date = window.first, (window.last if window.first else None)
        return
    if "year" in roles:
        cand.kind = "window"
        cand.start_date, cand.end_date = roles["year"].first, roles["year"].last
        return
    day = roles.get("point") or roles.get("month")
    if day:
        cand.kind = "batch"
        if day.role == "month" and (cand.value >= BIG_FLOW or c.during.ending(text, day.start, 20)):
            cand.kind = "window"   # "235,000 displaced during December": a sum over the month
        cand.start_date, cand.end_date = day.first, day.last
        return
    if "until" in roles:
        cand.kind = "cumulative"
        cand.start_date, cand.end_date = None, roles["until"].last
        return
    big = cand.value >= BIG_FLOW
    # "displaced" with no date is a running total only when it is large
    # "rose to" says a number grew: a running total unless a stock word says what it counts
    total = min(dist["cumulative"], dist["rise"], dist["displacement"] if big else float("inf"))
    flow = min(dist["batch"], dist["movement"])
    if dist["batch"] < total or (flow < total and not big) or (total == flow == float("inf") and not big):
        cand.kind = "batch"
        day = roles.get("said")
        cand.start_date = cand.end_date = day.first if day else published
    else:
        cand.kind = "cumulative"
        cand.start_date = None
        cand.end_date = roles["said"].first if "said" in roles else published


def _bound(cands, idx, step, text):
    """Edge of a candidate's segment: the neighbouring number in its sentence, else the
    sentence's edge. A list joined by "and" shares its verb, so the segment runs past it."""
    cand = cands[idx]
    j = idx + step
    while 0 <= j < len(cands) and cands[j].sentence == cand.sentence:
        if cands[j].excluded in NOT_COUNTS or (step > 0 and cands[j].joined and j + 1 < len(cands)):
            j += step           # "30 trucks", "a camp built for 10,000": no figure's words end there
            continue
        return cands[j].span_end if step < 0 else cands[j].start
    return cand.s_start if step < 0 else cand.s_end


def _inherit(cands: list[Candidate], i: int) -> None:
    """A part takes its whole's kind, the dates it lacks, and its category when it names none."""
    cand = cands[i]
    chain, p = set(), cand.parent
    while p is not None and p not in chain:
        chain.add(p)
        if cands[p].excluded:
            cand.excluded = cand.excluded or "part of a non-figure"
            return
        p = cands[p].parent
    parent = cands[cand.parent]
    cand.kind = parent.kind
    own = [m for m in cand.mentions if m.role != "duration"]
    if cand.kind == "cumulative":
        since = next((m for m in own if m.role in ("since", "point")), None)
        cand.start_date = since.first if since else parent.start_date
        cand.end_date = parent.end_date
    elif own and own[0].first:
        cand.start_date, cand.end_date = own[0].first, own[0].last
    else:
        cand.start_date, cand.end_date = parent.start_date, parent.end_date
    if not cand.category:
        cand.category = parent.category


def find_figures(norm: Normalized, published: date | None, lang: str | None) -> list[dict]:
    """Every figure of a report, as GUIDE-shaped dicts with evidence in original offsets."""
    text = norm.text
    mentions = dates_mod.find_dates(text, published, lang)
    nums = _merge_numbers(numbers_mod.find_numbers(text), _extra_numbers(text))
    sentences = _sentences(text)
    cands = _candidates(text, nums, mentions, sentences)
    title_end = text.find("\n")
    if 0 < title_end <= TITLE_MAX:
        for cand in cands:
            cand.headline = cand.end <= title_end
    _describe(text, cands, _Spans((m.start, m.end) for m in mentions if m.role != "duration"))
    _link_parents(text, cands)
    _relevance(text, cands)
    _assign_mentions(text, cands, mentions, sentences)
    order = sorted(range(len(cands)), key=lambda i: (cands[i].parent is not None, i))
    for i in order:
        cand = cands[i]
        if cand.excluded or cand.parent is not None:
            continue
        _date_kind(text, cand, published, cands, i)
    # parts after their wholes, in text order (a part's parent comes before it)
    for i, cand in enumerate(cands):
        if cand.parent is not None and not cand.excluded:
            _inherit(cands, i)
    _places(text, cands)
    return _emit(norm, cands)


def _places(text: str, cands: list[Candidate]) -> None:
    """Origin and destination: named places after "from"/"من" and "to"/"إلى" near a figure."""
    c = cues()
    for idx, cand in enumerate(cands):
        if cand.excluded or cand.kind in (None, "area") or cand.parent is not None:
            continue
        lo = max(_bound(cands, idx, -1, text), cand.ev_start - 150)
        hi = min(_bound(cands, idx, 1, text), cand.ev_end + 150)
        for m in c.place.search(text, lo, hi):
            role = _direction(text, m)
            if role == "origin" and cand.origin is None:
                cand.origin = m.label
            elif role == "destination" and cand.destination is None:
                cand.destination = m.label
    for cand in cands:
        if cand.parent is not None and not cand.excluded:
            parent = cands[cand.parent]
            cand.origin, cand.destination = parent.origin, parent.destination


def _direction(text: str, place) -> str | None:
    """Whether a place is where people came from or went to, by the word before it."""
    c = cues()
    word = place.group()
    if word[:1] in "لب" and not word.startswith("ال"):
        return "destination"       # لمناطق, بمخيم: glued "to", "in"
    pos = place.start()
    for _ in range(3):
        filler = c.place_words.ending(text, pos, 25)
        if not filler:
            break
        pos = filler.start()
    if c.origin_cues.ending(text, pos, 25):
        return "origin"
    if c.destination_cues.ending(text, pos, 25):
        return "destination"
    return None


def _value(v: float):
    return int(v) if float(v).is_integer() else round(v, 6)


FAMILY = {"civilians": "people"}


def _restatements(cands: list[Candidate]) -> dict[int, int]:
    """Map each figure that restates another (headline and body, a recap) to the one kept.

    Same value and category family, both wholes or parts of the same whole. The kept one
    is the one dated by the text; among undated ones a body's over the headline's, the
    one whose kind rests on the closest cue, the last on a tie (bodies are more precise than headlines). Two figures
    dated differently are two facts.
    """
    groups: dict[tuple, list[int]] = {}
    for i, cand in enumerate(cands):
        if cand.excluded or cand.kind is None:
            continue
        key = (cand.value, cand.high, FAMILY.get(cand.category, cand.category),
               cand.kind == "area", cand.parent)
        groups.setdefault(key, []).append(i)
    _rounded_restatements(cands)
    keep: dict[int, int] = {}
    for members in groups.values():
        dated = {}
        for i in members:
            if cands[i].dated:
                dated.setdefault((cands[i].kind, cands[i].start_date, cands[i].end_date), i)
        body = [i for i in members if not cands[i].headline] or members
        reps = list(dated.values()) or [min(reversed(body), key=lambda i: cands[i].cue_distance)]
        for i in members:
            keep[i] = i if i in reps else reps[0]
        for r in reps:
            if cands[r].qualifier == "exact":
                other = next((cands[i].qualifier for i in members
                              if keep[i] == r and cands[i].qualifier not in ("exact", "range")), None)
                if other:
                    cands[r].qualifier = other
    return keep


ROUNDING = 0.05           # "about 700,000" over "689,000": the same fact, rounded


def _rounded_restatements(cands: list[Candidate]) -> None:
    """An undated large total takes the period of a dated one it rounds (or is rounded by)."""
    dated = [k for k in cands if not k.excluded and k.dated and k.parent is None
             and k.kind in ("cumulative", "window")]
    for k in cands:
        if k.excluded or k.dated or k.parent is not None or k.value < BIG_FLOW or k.kind == "area":
            continue
        for d in dated:
            same = FAMILY.get(d.category, d.category) == FAMILY.get(k.category, k.category)
            if same and d.value != k.value and abs(d.value - k.value) <= ROUNDING * max(d.value, k.value):
                k.kind, k.start_date, k.end_date = d.kind, d.start_date, d.end_date
                break


def _emit(norm: Normalized, cands: list[Candidate]) -> list[dict]:
    keep = _restatements(cands)
    figures: list[dict] = []
    ids: dict[int, int] = {}
    for i in sorted(set(keep.values())):
        cand = cands[i]
        a, b = norm.span(cand.ev_start, cand.ev_end)
        fid = len(figures)
        ids[i] = fid
        parent = keep.get(cand.parent) if cand.parent is not None else None
        figures.append({
            "id": fid,
            "kind": cand.kind,
            "category": cand.category or "people",
            "value": _value(cand.value),
            "high": _value(cand.high) if cand.high is not None else None,
            "qualifier": cand.qualifier,
            "start": cand.start_date.isoformat() if cand.start_date else None,
            "end": cand.end_date.isoformat() if cand.end_date else None,
            "parent": parent,
            "origin": cand.origin,
            "destination": cand.destination,
            "evidence": {"text": norm.original[a:b], "start": a, "end": b},
        })
    for fig in figures:
        if fig["parent"] is not None:
            fig["parent"] = ids.get(fig["parent"])
    return figures


def detect_publisher(text: str, lang: str | None) -> str | None:
    """The monitor or agency the report names first (SOHR, UNHCR, ...), if any."""
    c = cues()
    m = c.publisher.first_in(text, 0, min(len(text), 3000))
    return m.label if m else None
