"""Find date expressions and resolve them against the report date.

Works on normalised text (see normalize.py) and is a pure function of the text and
the report date. The words come from data/dates/<lang>.json; patterns of every
language run on every report, because Arabic reports quote English tweets and
English reports carry Arabic captions.

How it works, in two steps:

1. One regex pass finds *atoms*: a day ("الـ 10 من شباط", "Feb. 16, 2019",
   "22-02-2019"), a month, a year, a weekday, a relative day ("أمس الأول"), a recent
   window ("the last 48 hours"), a duration, a clock time or a Hijri date.
2. A linear pass joins neighbours ("اليوم" + "الثلاثاء" + "12 من شباط"; "from" A "to"
   B; "منذ" A "وحتى" B), reads the cue in front of each atom (since/until/from), and
   resolves it to dates: a date without a year takes the year that puts it at or
   before the report date (or before the end of its range), الجاري/this is the
   report's month or year, الماضي/last the previous occurrence.

Mentions whose numbers must not become figures (durations, times, Hijri dates) are
returned too, with no dates. With no report date and no year in a mention, its dates
are None but the mention (role, span) is still returned.
"""
from __future__ import annotations

import calendar
import re
from bisect import bisect_left
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from pathlib import PurePath
from typing import Callable

from dateutil.relativedelta import relativedelta

from . import lexicon
from .prefilter import Alternatives, StartFilter, finditer_at, start_filter, start_positions


@dataclass(frozen=True)
class DateMention:
    start: int                 # span in the normalised text
    end: int
    role: str                  # point | since | until | range | window | month | year | duration
    first: date | None = None  # first day covered (since: the start; window: its start)
    last: date | None = None   # last day covered (until/point/window end); None = open
    weekday: int | None = None # 0=Monday, when the text names one
    text: str = ""
    note: str = ""             # why the text contradicts itself (weekday vs date), else ""
    relative: int | None = None  # day offset named by a word: today 0, yesterday -1, ...


@dataclass
class ReportDate:
    published: date | None
    source: str | None         # "option", "text", "filename" or None
    warnings: list[str] = field(default_factory=list)


# ---------------------------------------------------------------------------
# Words and patterns (built once per set of languages)
# ---------------------------------------------------------------------------

_YEAR = r"(?:19[5-9]\d|20[0-4]\d)"
_DAY = r"(?:3[01]|[12]\d|0?[1-9])"
_SUFFIX = r"(?:st|nd|rd|th)?"
_WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def _key(s: str) -> str:
    """Lookup form of a matched word: one space between words, lower case, no dot."""
    return " ".join(s.split()).lower().rstrip(".-")


def _alt(words, case_sensitive: bool = False) -> str:
    """Alternation of words, longest first, spaces matching any whitespace.

    Written as a trie ("ال(?:ماضي(?:ة)?|جاري)"), so that a position where no word
    starts fails after a character or two instead of trying every word: the atom
    regex is made of dozens of these. It matches what the flat "longest|...|shortest"
    alternation matches, with the same preference: of two words that both match
    here one is a prefix of the other, and the trie tries the longer first.
    """
    forms = set()
    for w in words:
        w = w.strip()
        if not w:
            continue
        if case_sensitive:
            forms.update({w, w.upper()})
        else:
            forms.add(w)
    if not forms:
        body = r"(?!x)x"
    else:
        body = _trie(forms, case_sensitive) or "|".join(
            r"\s+".join(re.escape(p) for p in w.split()) for w in sorted(forms, key=len, reverse=True))
    return f"(?-i:{body})" if case_sensitive else f"(?:{body})"


def _trie(forms, case_sensitive: bool) -> str | None:
    """The words as a trie regex; None when two branches differ only in case (under
    re.I both would match, and the flat alternation's order would matter)."""
    root: dict = {}
    for w in forms:
        node = root
        for i, part in enumerate(w.split()):
            for tok in ([None] if i else []) + list(part):      # None: the gap between words
                node = node.setdefault(tok, {})
        node[""] = {}

    def emit(node: dict) -> str | None:
        keys = [k for k in node if k != ""]
        if not case_sensitive:
            folded = {k.lower() for k in keys if k is not None}
            if len(folded) < len([k for k in keys if k is not None]):
                return None
        alts = []
        for k in keys:
            rest = emit(node[k])
            if rest is None:
                return None
            alts.append((r"\s+" if k is None else re.escape(k)) + rest)
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 else "(?:" + "|".join(sorted(alts)) + ")"
        return f"(?:{body})?" if "" in node else body

    return emit(root)


@dataclass(frozen=True)
class _Words:
    """The merged word lists of some languages, keyed by `_key` forms."""

    months: dict
    ambiguous: frozenset
    abbreviated: frozenset
    weekdays: dict
    ordinals: dict
    relative: dict
    parts: dict
    mods: dict              # word -> current | previous | next
    units: dict             # word -> hour | day | week | month | year | minute | decade
    duals: dict             # word -> (unit, n)
    counts: dict            # word -> n or None (vague: few, بضعة)
    exact_qualifiers: frozenset
    month_units: frozenset  # "this month" words (the rest of this_year/this_month are years)
    plurals: frozenset      # unit words that are plural: no count means "some"
    half: re.Pattern        # "ونصف", "and a half" at the end of a duration
    month_word: re.Pattern  # "شهر", "the month of": a month name is meant
    conjunctions: re.Pattern
    open_from: frozenset    # "from" with no end: a start ("from 1 December" = since)
    calendar_before: frozenset  # "last"/"this" + month/year: the calendar one, not a window
    window_of: re.Pattern   # "the 48 hrs of 10-12 November"
    small_gap: re.Pattern   # between a weekday and its date: "Tuesday, the 12th"
    cues: dict              # kind -> compiled end-anchored regex
    any_cue: re.Pattern     # the since, until and range_from cues in one regex
    joins: dict             # range_to | since_to -> regex for the gap between two dates
    weak_until: frozenset
    year_cues: frozenset
    month_cues: frozenset
    year_followers: frozenset
    labels: re.Pattern
    atoms: re.Pattern
    atom_alternatives: tuple   # the alternatives of `atoms`, one per kind


def _merged(langs: tuple[str, ...]) -> dict:
    data: dict = {}
    for lang in langs:
        for k, v in lexicon.load("dates", lang).items():
            if k.startswith("_"):
                continue
            if isinstance(v, dict):
                data.setdefault(k, {})
                for kk, vv in v.items():
                    if isinstance(vv, list) and kk in data[k]:
                        data[k][kk] = data[k][kk] + vv
                    else:
                        data[k][kk] = vv
            else:
                data.setdefault(k, [])
                data[k] = data[k] + list(v)
    return data


@lru_cache(maxsize=None)
def _words(langs: tuple[str, ...] = lexicon.LANGUAGES) -> _Words:
    d = _merged(langs)
    lower = lambda xs: {_key(x) for x in xs}  # noqa: E731
    mods = {**{_key(w): "current" for w in d["current"]},
            **{_key(w): "previous" for w in d["previous"]},
            **{_key(w): "next" for w in d["next"]}}
    units = {**{_key(k): v for k, v in d["units"].items()},
             **{_key(k): v for k, v in d["definite_units"].items()}}
    duals = {_key(k): (v[0], v[1]) for k, v in d["duals"].items()}
    counts = {_key(k): v for k, v in d["count_words"].items()}
    cues = {kind: re.compile(r"(?<!\w)(?:" + _alt(ws) + r")[\s,،]*$", re.I)
            for kind, ws in d["cues"].items() if kind not in ("year", "month")}
    joins = {kind: re.compile(r"[\s,،]*(?:" + _alt(d["cues"][kind]) + r")[\s,،]*", re.I)
             for kind in ("range_to", "since_to")}
    labels = re.compile(r"(?<!\w)" + _alt(d["dateline_labels"]) + r"(?!\w)", re.I)
    w = _Words(
        months={_key(k): v for k, v in d["months"].items()},
        ambiguous=frozenset(lower(d["ambiguous_months"])),
        abbreviated=frozenset(lower(d["abbreviated_months"])),
        weekdays={_key(k): v for k, v in d["weekdays"].items()},
        ordinals={_key(k): v for k, v in d["day_ordinals"].items()},
        relative={_key(k): v for k, v in d["relative_days"].items()},
        parts={_key(k): v for k, v in d["parts"].items()},
        mods=mods, units=units, duals=duals, counts=counts,
        exact_qualifiers=frozenset(lower(d["exact_qualifiers"])),
        month_units=frozenset(lower(d["this_month"])),
        plurals=frozenset(lower(d["vague_plural"])),
        half=re.compile(_alt(d["half"]) + r"\s*$", re.I),
        month_word=re.compile(r"(?<!\w)" + _alt(d["month_words"]) + r"(?!\w)", re.I),
        calendar_before=frozenset(lower(d["calendar_before"])),
        open_from=frozenset(lower(d["open_from"])),
        window_of=re.compile(r"\s+" + _alt(d["window_of"]) + r"\s+", re.I),
        small_gap=re.compile(r"[\s,،()\-]*(?:" + _alt(d["day_article"]) + r"\s+)?[\s,،()]*", re.I),
        conjunctions=re.compile(_alt(d["conjunctions"]) if d["conjunctions"] else r"(?!x)x"),
        cues=cues, joins=joins,
        any_cue=re.compile(r"(?<!\w)(?:" + "|".join(_alt(d["cues"][k]) for k in _CUE_KINDS) + r")[\s,،]*$", re.I),
        weak_until=frozenset(lower(d["weak_until"])),
        year_cues=frozenset(lower(d["cues"]["year"])),
        month_cues=frozenset(lower(d["cues"]["month"])),
        year_followers=frozenset(lower(d["function_words_after_year"])),
        labels=labels,
        atoms=re.compile(_atom_pattern(d), re.I),
        atom_alternatives=tuple(_atom_alternatives(d)),
    )
    return w


# Building the start filter (and the per-character alternatives) costs about half a
# second, repaid after some tens of reports: a process that reads one report (`tracker
# extract FILE`) never builds it, an ingest over an archive builds it once. Eight
# characters deep, it lets through a quarter fewer false starts than six, for four times
# the build time.
FILTER_AFTER_TEXTS = 40
_texts_scanned = [0]


@lru_cache(maxsize=None)
def _atom_starts(langs: tuple[str, ...] = lexicon.LANGUAGES) -> StartFilter | None:
    w = _words(langs)
    return start_filter(w.atoms.pattern, w.atoms.flags, depth=8)


@lru_cache(maxsize=None)
def _atom_matcher(langs: tuple[str, ...] = lexicon.LANGUAGES) -> Alternatives:
    w = _words(langs)
    return Alternatives(_ATOM_LEAD, list(w.atom_alternatives), w.atoms.flags)


def _starts() -> StartFilter | None:
    _texts_scanned[0] += 1
    return _atom_starts() if _texts_scanned[0] > FILTER_AFTER_TEXTS else None


_ATOM_LEAD = r"(?<!\w)"


def _atom_pattern(d: dict) -> str:
    """The one regex that finds every atom; each alternative is a named group."""
    return _ATOM_LEAD + "(?:" + "|".join(_atom_alternatives(d)) + ")"


def _atom_alternatives(d: dict) -> list[str]:
    month = _alt(d["months"], case_sensitive=True)
    mods = _alt(d["current"] + d["previous"] + d["next"])
    en_mod = _alt(d["mods_before"])         # "last December", "this year", "next Monday"
    first_of = _alt(d["first_of"])          # "the first two days"
    first_after = _alt(d["first_after"])    # "الأيام الثلاثة الأولى"
    parts = _alt(d["parts"])
    ords = _alt(d["day_ordinals"])
    day_of = _alt(d["day_of"])
    art = _alt(d["day_article"])
    year_words = _alt(d["year_words"])
    year_of = _alt(d["year_of"])
    month_words = _alt(d["month_words"])
    weekdays_full = _alt([k for k in d["weekdays"] if k not in d.get("abbreviated_weekdays", [])])
    weekdays_abbr = _alt(d.get("abbreviated_weekdays", []))
    wd_parts = _alt(d.get("weekday_parts", []))
    rel = _alt(d["relative_days"])
    not_today = _alt(d["not_today_after"])
    day_parts = _alt(d["day_parts"])
    day_word = _alt(d["day_word"])
    units = _alt(d["units"])
    def_units = _alt(d["definite_units"])
    duals = _alt(d["duals"])
    counts = _alt(d["count_words"])
    half = _alt(d["half"])
    quals = _alt(d["qualifiers"])
    wbefore = _alt(d["window_before"])
    wafter = _alt(d["window_after"])
    vague = _alt(d.get("vague_plural", []))
    hmonths = _alt(d["hijri_months"])
    hmarks = _alt(d["hijri_marks"])
    tmarks = _alt(d["time_marks"])
    this_year = _alt(d["this_year"] + d["this_month"])
    cl = rf"(?:{_alt(d['clitics'])}(?=\S))?"
    conj = rf"(?:{_alt(d['conjunctions'])}(?=\S))?"
    range_sep = _alt(d["day_range"])
    nb = r"(?<![\d.,/:-])"          # a number that does not continue another one

    def mon(g: str) -> str:
        return (rf"(?P<{g}>{month})\.?(?![^\W\d_])"
                rf"(?:\s*[/(]\s*(?P<{g}_b>{month})\.?\s*\)?(?![^\W\d_]))?")

    def year_part(g: str) -> str:
        return (rf"(?:\s*[,،]?\s*(?:{year_of}\s+)?(?:{year_words}\s*)?(?P<{g}>{_YEAR})(?!\d|[.,]\d)"
                rf"|\s+(?:{year_of}\s+)?{year_words}\s+(?P<{g}_rel>{mods})(?!\w)"
                rf"|\s+(?:{year_of}\s+)?(?P<{g}_rel2>{en_mod})\s+{this_year}(?!\w))?")

    def mod(g: str) -> str:
        return rf"(?:\s+(?P<{g}>{mods})(?!\w))?"

    day_num = rf"(?:{art}\s*)?{nb}(?P<dmy_d>{_DAY}){_SUFFIX}(?!\d|[.,:]\d)"
    day_range = rf"(?:\s*{range_sep}\s*(?:{art}\s*)?(?P<dmy_d2>{_DAY}){_SUFFIX}(?!\d))?"
    dmy = (rf"(?:(?:{art}\s*)?(?P<dmy_o>{ords})(?=\s+{day_of}\s)|{day_num}{day_range})"
           rf"\s*(?:{day_of}\s+)?{mon('dmy_m')}{mod('dmy_mod')}{year_part('dmy_y')}")
    mdy = (rf"(?:(?P<mdy_mod>{en_mod})\s+)?{mon('mdy_m')}\s*(?P<mdy_d>{_DAY}){_SUFFIX}"
           rf"(?:\s*{range_sep}\s*(?P<mdy_d2>{_DAY}){_SUFFIX})?(?!\d){year_part('mdy_y')}")
    numdate = (rf"{nb}(?:(?P<nd_y>\d{{4}})-(?P<nd_m>\d{{1,2}})-(?P<nd_d>\d{{1,2}})"
               rf"|(?P<nd_d2>\d{{1,2}})\s?(?P<nd_sep>[-/.])\s?(?P<nd_m2>\d{{1,2}})\s?(?P=nd_sep)\s?(?P<nd_y2>\d{{4}}))(?!\d)")
    time = rf"(?<![\d.,:])(?:[01]?\d|2[0-3]):[0-5]\d(?::[0-5]\d)?(?!\d)(?:\s*{tmarks}(?!\w))?"
    hijri = rf"(?:{nb}\d{{1,2}}\s*/?\s*)?{hmonths}\s*/?\s*1[3-5]\d\d(?!\d)(?:\s*{hmarks}(?!\w))?"
    relp = (rf"{conj}(?:(?P<rel_part>{day_parts})\s+)?(?:{day_word}\s+)?(?P<rel_w>{rel})(?!\w)"
            rf"(?!\s+{not_today}(?!\w))")
    yearrel = (rf"{cl}(?:(?P<yr_part>{parts})\s*(?:(?P<yr_mod0>{en_mod}|{art})\s+)?(?P<yr_u>{this_year})(?:\s+(?P<yr_mod>{mods}))?"
               rf"|(?P<yr_mod2>{en_mod})\s+(?P<yr_u2>{this_year})"
               rf"|(?P<yr_u3>{this_year})\s+(?P<yr_mod3>{mods}))(?!\w)")
    window = (rf"(?P<w_b>{wbefore})\s+(?:(?P<w_n>\d{{1,3}}|{counts})[\s-]+)?(?P<w_u>{units}|{duals})(?:\s+{wafter})?(?!\w)"
              rf"|(?:{art}\s*(?P<w_n2>\d{{1,3}})\s+|(?P<w_c2>{counts})\s+)?(?P<w_u2>{units}|{def_units}|{duals})"
              rf"(?:\s+(?:{art}\s*)?(?P<w_n3>\d{{1,3}})|\s+(?P<w_c3>{counts}))?\s+(?P<w_a>{wafter})(?!\w)")
    duration = (rf"(?:(?P<du_q>{quals})\s+)?(?:"
                rf"(?:{art}\s*)?{nb}(?P<du_n>\d{{1,4}}(?:[.,]\d+)?)[\s-]*(?P<du_u>{units})"
                rf"|(?P<du_c>{counts})[\s-]+(?P<du_u2>{units})"
                rf"|(?P<du_d>{duals})"
                rf"|(?P<du_u3>{def_units})\s+(?:{art}\s*)?(?P<du_n3>\d{{1,3}})(?!\d)"
                rf"|(?P<du_u4>{units})(?=\s+{half})"
                rf"|{first_of}\s+(?:\d{{1,3}}|{counts})\s+(?P<du_u5>{units})"
                rf"|(?P<du_u6>{def_units})\s+(?:\d{{1,3}}|{counts})\s+{first_after}"
                rf"|(?P<du_v>{vague}))(?:\s+{half})?(?:\s+(?P<du_wa>{wafter}))?(?!\w)")
    weekday = (rf"{conj}(?:(?P<wd_part>{day_parts})\s+)?(?:{day_word}\s+)?"
               rf"(?:(?P<wd_mod0>{en_mod})\s+)?"
               rf"(?:(?P<wd>{weekdays_full})|(?P<wd_a>{weekdays_abbr})\.?(?=,?\s*\d))"
               rf"(?:\s+(?P<wd_mod>{mods}))?(?:\s+{wd_parts})?(?!\w)")
    month_alone = (rf"{cl}(?:(?P<mo_part>{parts})\s*)?(?:(?P<mo_mod0>{en_mod})\s+)?(?:{month_words}\s+)?"
                   rf"{mon('mo_m')}{mod('mo_mod')}{year_part('mo_y')}")
    year = rf"(?:(?P<y_w>{year_words})\s*)?{nb}(?P<y_y>{_YEAR})(?!\d|[.,]\d)"
    alts = [("NUMDATE", numdate), ("TIME", time), ("HIJRI", hijri), ("DMY", dmy), ("MDY", mdy),
            ("REL", relp), ("YEARREL", yearrel), ("WINDOW", window), ("DURATION", duration),
            ("WEEKDAY", weekday), ("MONTH", month_alone), ("YEAR", year)]
    return [rf"(?P<{name}>{p})" for name, p in alts]


# ---------------------------------------------------------------------------
# Atoms
# ---------------------------------------------------------------------------

@dataclass
class _Atom:
    """One date expression as written, before its role and dates are settled."""

    kind: str                       # day month year yearrel weekday rel window duration
    start: int
    end: int
    day: int | None = None
    day2: int | None = None
    month: int | None = None
    year: int | None = None         # stated year
    mod: str | None = None          # current | previous | next (of the month or weekday)
    year_mod: str | None = None     # "من العام الماضي": the year itself is relative
    part: str | None = None         # start | mid | early | late | end
    unit: str | None = None
    count: float | None = None
    approx: bool = False
    weekday: int | None = None
    rel: int | None = None


def _g(m: re.Match, *names: str) -> str | None:
    for n in names:
        v = m.group(n)
        if v:
            return v
    return None


def _month_of(w: _Words, m: re.Match, g: str) -> int | None:
    return w.months.get(_key(m.group(g))) if m.group(g) else None


def _year_of(m: re.Match, g: str) -> tuple[int | None, str | None]:
    if m.group(g):
        return int(m.group(g)), None
    return None, _g(m, g + "_rel", g + "_rel2")


def _atom(w: _Words, m: re.Match, text: str) -> _Atom | None:
    """Turn a regex match into an atom, or None when it is not a date after all."""
    kind = m.lastgroup
    s, e = m.start(kind), m.end(kind)
    if kind == "NUMDATE":
        if m.group("nd_y"):
            y, mo, d = int(m.group("nd_y")), int(m.group("nd_m")), int(m.group("nd_d"))
        else:
            y, mo, d = int(m.group("nd_y2")), int(m.group("nd_m2")), int(m.group("nd_d2"))
            if mo > 12 and d <= 12:     # 02/22/2019: month first
                mo, d = d, mo
        if not 1900 <= y <= 2100 or _safe_date(y, mo, d) is None:
            return _Atom("duration", s, e)
        return _Atom("day", s, e, day=d, month=mo, year=y)
    if kind in ("TIME", "HIJRI"):
        return _Atom("duration", s, e)
    if kind == "DMY":
        day = int(m.group("dmy_d")) if m.group("dmy_d") else w.ordinals.get(_key(m.group("dmy_o")))
        day2 = int(m.group("dmy_d2")) if m.group("dmy_d2") else None
        y, ymod = _year_of(m, "dmy_y")
        return _Atom("day", s, e, day=day, day2=day2, month=_month_of(w, m, "dmy_m"), year=y,
                     year_mod=w.mods.get(_key(ymod)) if ymod else None,
                     mod=w.mods.get(_key(m.group("dmy_mod") or "")))
    if kind == "MDY":
        y, ymod = _year_of(m, "mdy_y")
        mon = _key(m.group("mdy_m"))
        return _Atom("day", s, e, day=int(m.group("mdy_d")),
                     day2=int(m.group("mdy_d2")) if m.group("mdy_d2") else None,
                     month=w.months.get(mon), year=y,
                     year_mod=w.mods.get(_key(ymod)) if ymod else None,
                     mod=w.mods.get(_key(m.group("mdy_mod") or "")))
    if kind == "REL":
        return _Atom("rel", s, e, rel=w.relative.get(_key(m.group("rel_w"))))
    if kind == "YEARREL":
        unit = _key(_g(m, "yr_u", "yr_u2", "yr_u3"))
        modw = _g(m, "yr_mod", "yr_mod2", "yr_mod3", "yr_mod0")
        part = w.parts.get(_key(m.group("yr_part") or ""))
        mod_ = w.mods.get(_key(modw or ""), "current")
        if part is None and modw is None:
            return None
        return _Atom("yearrel", s, e, unit="month" if unit in w.month_units else "year",
                     mod=mod_, part=part)
    if kind == "WINDOW":
        return _window_atom(w, m, s, e)
    if kind == "DURATION":
        return _duration_atom(w, m, s, e)
    if kind == "WEEKDAY":
        name = _key(_g(m, "wd", "wd_a"))
        modw = _g(m, "wd_mod", "wd_mod0")
        return _Atom("weekday", s, e, weekday=w.weekdays.get(name),
                     mod=w.mods.get(_key(modw)) if modw else None)
    if kind == "MONTH":
        return _month_atom(w, m, s, e, text)
    if kind == "YEAR":
        return _year_atom(w, m, s, e, text)
    return None


def _window_atom(w: _Words, m: re.Match, s: int, e: int) -> _Atom | None:
    """"the last 48 hours", "خلال الـ 48 ساعة الأخيرة", "الأسابيع الأخيرة".

    A count fixes the window; a plural without one ("past few weeks", "الأيام
    الأخيرة") is vague (count None -> no dates); a singular is one unit ("the past
    week"). "last month"/"last year" without "the" are the calendar month/year.
    """
    uw = _key(_g(m, "w_u", "w_u2"))
    unit, n = w.duals.get(uw, (w.units.get(uw), None))
    said = [x for x in (m.group(g) for g in ("w_n", "w_n2", "w_n3", "w_c2", "w_c3")) if x]
    digits = next((x for x in said if x.isdigit()), None)
    words = next((x for x in said if not x.isdigit()), None)
    vague = False
    if digits:
        n = int(digits)
    elif words:
        n = w.counts.get(_key(words))
        vague = n is None
    elif n is None:
        vague = uw in w.plurals
        n = None if vague else 1
    before = _key(m.group("w_b") or "")
    if before in w.calendar_before and not said and unit in ("month", "year"):
        return _Atom("yearrel", s, e, unit=unit, mod=w.mods.get(before, "current"))
    return _Atom("window", s, e, unit=unit, count=None if vague else n)


def _duration_atom(w: _Words, m: re.Match, s: int, e: int) -> _Atom | None:
    """"48 ساعة", "شهر ونصف", "four years", "نحو أسبوعين": how long, not when."""
    q = _key(m.group("du_q") or "")
    uw = _key(_g(m, "du_u", "du_u2", "du_u3", "du_u4", "du_u5", "du_u6", "du_d", "du_v") or "")
    unit, n = w.duals.get(uw, (w.units.get(uw), None))
    if m.group("du_n"):
        n = float(m.group("du_n").replace(",", "."))
    elif m.group("du_n3"):
        n = float(m.group("du_n3"))
    elif m.group("du_c"):
        n = w.counts.get(_key(m.group("du_c")))
    elif m.group("du_u4"):
        n = 1
    if m.group("du_v"):
        if not q:
            return None                 # "years of crisis": no period at all
        n = None
    if n is not None and w.half.search(m.group("DURATION")):
        n += 0.5
    approx = bool(q) and q not in w.exact_qualifiers
    if m.group("du_wa"):                # "نحو 48 ساعة الأخيرة": a window after all
        return _Atom("window", s, e, unit=unit, count=n)
    return _Atom("duration", s, e, unit=unit, count=n, approx=approx)


def _month_atom(w: _Words, m: re.Match, s: int, e: int, text: str) -> _Atom | None:
    """"في نيسان", "since the start of December", "ديسمبر/كانون الأول الماضي"."""
    name = _key(m.group("mo_m"))
    y, ymod = _year_of(m, "mo_y")
    part = w.parts.get(_key(m.group("mo_part") or ""))
    modw = m.group("mo_mod") or m.group("mo_mod0")
    supported = y is not None or ymod or part or modw or m.group("mo_m_b")
    whole = m.group("MONTH")
    if not supported and w.month_word.search(whole):
        supported = True
    if name in w.abbreviated and y is None:
        return None
    if name in w.ambiguous and not supported and not _cued(w.month_cues, text, s):
        return None
    return _Atom("month", s, e, month=w.months.get(name), year=y, part=part,
                 mod=w.mods.get(_key(modw)) if modw else None,
                 year_mod=w.mods.get(_key(ymod)) if ymod else None)


def _cued(cues: frozenset, text: str, pos: int) -> bool:
    """Is the word just before `pos` one of `cues`?"""
    m = re.search(r"([^\W\d_]+)[\s,،]*$", text[max(0, pos - 25):pos])
    return bool(m) and _key(m.group(1)) in cues


def _year_atom(w: _Words, m: re.Match, s: int, e: int, text: str) -> _Atom | None:
    """A bare year needs a cue ("in 2020", "عام 2016", "منذ 2011") or a line of its own;
    "2000 people" is a number."""
    y = int(m.group("y_y"))
    after = text[e:e + 25]
    follower = re.match(r"\s*([^\W\d_]+)", after)
    if m.group("y_w"):
        return _Atom("year", s, e, year=y)
    if _cued(w.year_cues, text, s):
        if follower is None or not follower.group(0)[:1].isspace() or _key(follower.group(1)) in w.year_followers \
                or follower.group(1)[:1].isupper():
            return _Atom("year", s, e, year=y)
        return None
    before = text[max(0, s - 3):s]
    if re.search(r"(?:^|[\n,(|•:-])\s*$", before) or s == 0:
        if re.match(r"\s*(?:$|[\n).,|:;-])", after):
            return _Atom("year", s, e, year=y)
    return None


# ---------------------------------------------------------------------------
# Resolving to dates
# ---------------------------------------------------------------------------

def _safe_date(y: int | None, m: int | None, d: int | None) -> date | None:
    if y is None or m is None or d is None:
        return None
    try:
        return date(y, m, d)
    except ValueError:
        return None


def _month_end(y: int, m: int) -> date:
    return date(y, m, calendar.monthrange(y, m)[1])


def _pick_year(month: int, day: int, mod: str | None, anchor: date | None) -> int | None:
    """The year of a month/day written without one.

    current: the anchor's year; previous: the last such month before the anchor's
    month; next: the first after it; otherwise the year that puts it at or before the
    anchor (the report date, or the end of the range it opens).
    """
    if anchor is None:
        return None
    if mod == "current":
        return anchor.year
    if mod == "previous":
        return anchor.year if month < anchor.month else anchor.year - 1
    if mod == "next":
        return anchor.year if month > anchor.month else anchor.year + 1
    return anchor.year if (month, day) <= (anchor.month, anchor.day) else anchor.year - 1


def _atom_year(a: _Atom, day: int, anchor: date | None) -> int | None:
    if a.year is not None:
        return a.year
    if a.year_mod and anchor:
        return anchor.year + {"current": 0, "previous": -1, "next": 1}[a.year_mod]
    if a.month is None:
        return None
    return _pick_year(a.month, day, a.mod, anchor)


def _weekday_on(wd: int, ref: date | None, strict: bool, mod: str | None = None) -> date | None:
    """The latest `wd` at (or, if strict, before) `ref`; the next one for "next"."""
    if ref is None or wd is None:
        return None
    if mod == "next":
        return ref + timedelta(days=(wd - ref.weekday() - 1) % 7 + 1)
    back = (ref.weekday() - wd) % 7
    if back == 0 and (strict or mod == "previous"):
        back = 7
    return ref - timedelta(days=back)


def _amount(unit: str | None, n: float | None, round_up: bool = True) -> relativedelta | None:
    """A count of units as a calendar step. Hours make whole days: up for a window
    (the last 24 hours reach into yesterday), down for "since two hours" (today)."""
    if n is None or unit is None:
        return None
    if unit == "hour":
        return relativedelta(days=-(-int(n) // 24) if round_up else int(n) // 24)
    if unit == "minute":
        return relativedelta(days=0)
    whole = int(n)
    if unit == "day":
        return relativedelta(days=whole)
    if unit == "week":
        return relativedelta(weeks=whole)
    if unit == "month":
        return relativedelta(months=whole, days=int((n - whole) * 30))
    if unit == "year":
        return relativedelta(years=whole, months=int((n - whole) * 12))
    if unit == "decade":
        return relativedelta(years=10 * whole)
    return None


@dataclass
class _Span:
    """What an atom covers once resolved: first/last day and any contradiction."""

    first: date | None = None
    last: date | None = None
    note: str = ""
    stated: date | None = None      # the day as written, before a weekday fix


def _resolve(a: _Atom, published: date | None, anchor: date | None = None,
             strict: bool = False) -> _Span:
    """First/last day of an atom; dates out of the calendar's range give no dates."""
    try:
        return _resolve_atom(a, published, anchor or published, strict)
    except (OverflowError, ValueError):
        return _Span()


def _resolve_atom(a: _Atom, published: date | None, anchor: date | None, strict: bool) -> _Span:
    if a.kind == "day":
        return _resolve_day(a, published, anchor)
    if a.kind == "month":
        y = _atom_year(a, 1, anchor)
        if y is None or a.month is None:
            return _Span()
        return _part_span(date(y, a.month, 1), _month_end(y, a.month), a.part)
    if a.kind == "year":
        return _Span(date(a.year, 1, 1), date(a.year, 12, 31))
    if a.kind == "yearrel":
        if published is None:
            return _Span()
        step = {"current": 0, "previous": -1, "next": 1}[a.mod or "current"]
        if a.unit == "year":
            y = published.year + step
            return _part_span(date(y, 1, 1), date(y, 12, 31), a.part)
        first = date(published.year, published.month, 1) + relativedelta(months=step)
        return _part_span(first, _month_end(first.year, first.month), a.part)
    if a.kind == "weekday":
        d = _weekday_on(a.weekday, anchor, strict, a.mod)
        return _Span(d, d)
    if a.kind == "rel":
        d = published + timedelta(days=a.rel) if published and a.rel is not None else None
        return _Span(d, d, _rel_note(a, published))
    if a.kind == "window":
        step = _amount(a.unit, a.count)
        if published is None or step is None:
            return _Span()
        return _Span(published - step, published)
    return _Span()


_REL_NAME = {0: "today", -1: "yesterday", -2: "the day before yesterday", 1: "tomorrow"}


def _part_span(first: date, last: date, part: str | None) -> _Span:
    """"the start of December" is its first day; "mid-April" is no day at all."""
    if part == "start":
        return _Span(first, None)
    if part == "end":
        return _Span(None, last)
    if part in ("mid", "early", "late"):
        return _Span()
    return _Span(first, last)


def _resolve_day(a: _Atom, published: date | None, anchor: date | None) -> _Span:
    """A day and month (or a day range within one month)."""
    end_day = a.day2 or a.day
    y = _atom_year(a, end_day or 1, anchor)
    last = _safe_date(y, a.month, end_day)
    first = _safe_date(y, a.month, a.day) if a.day2 else last
    span = _Span(first, last, stated=last)
    if last is None or a.day2:
        return span
    if a.weekday is not None and last.weekday() != a.weekday:
        span = _fit_weekday(a, last, published)
    span.note = "; ".join(filter(None, [span.note, _rel_note(a, published)]))
    return span


def _rel_note(a: _Atom, published: date | None) -> str:
    """"اليوم السبت" in a report dated a Tuesday: the text contradicts its date."""
    if a.rel is None or a.weekday is None or published is None:
        return ""
    said = published + timedelta(days=a.rel)
    if said.weekday() == a.weekday:
        return ""
    return (f"'{_REL_NAME.get(a.rel, a.rel)}' is said to be a {_WEEKDAY_NAMES[a.weekday]}, "
            f"but it is {said.isoformat()} (report date {published.isoformat()}), "
            f"a {_WEEKDAY_NAMES[said.weekday()]}")


def _fit_weekday(a: _Atom, stated: date, published: date | None) -> _Span:
    """A weekday that does not fall on the date: with an explicit year, the nearest
    year (±1, not after the report date) where it does is taken; the note says so."""
    note = (f"{_WEEKDAY_NAMES[a.weekday]} does not fall on {stated.isoformat()} "
            f"(a {_WEEKDAY_NAMES[stated.weekday()]})")
    if a.year is not None:
        for alt_year in (a.year + 1, a.year - 1):
            alt = _safe_date(alt_year, a.month, a.day)
            if alt and alt.weekday() == a.weekday and (published is None or alt <= published):
                return _Span(alt, alt, f"{note}; {alt.isoformat()} is a {_WEEKDAY_NAMES[a.weekday]}: "
                                       "using it", stated=stated)
    return _Span(stated, stated, note + "; kept the date as written", stated=stated)


# ---------------------------------------------------------------------------
# Joining atoms into mentions
# ---------------------------------------------------------------------------

_DATED = ("day", "month", "year", "yearrel", "weekday", "rel")


@lru_cache(maxsize=16)
def _atoms(text: str, within: str | None = None, offset: int = 0) -> tuple[_Atom, ...]:
    """The atoms of a text, in order. They do not depend on the report date, so the
    scans with and without one (detect_published, then find_dates) share them; they
    are never changed once made.

    A line of a report is passed with the report (text is within[offset:...]): its
    start filter is then the report's, read once for both.
    """
    w = _words()
    starts = _starts()
    if starts is None:
        found = w.atoms.finditer(text)
    else:
        if within is None:
            positions = _start_positions(text)
        else:
            every = _start_positions(within)
            lo, hi = bisect_left(every, offset), bisect_left(every, offset + len(text))
            positions = [p - offset for p in every[lo:hi]]
        found = finditer_at(w.atoms, positions, text, _atom_matcher().match)
    out = []
    for m in found:
        a = _atom(w, m, text)
        if a is not None:
            out.append(a)
    return tuple(_merge_day_names(text, out, w))


@lru_cache(maxsize=4)
def _start_positions(text: str) -> list[int]:
    return start_positions(_atom_starts(), text)


def _merge_day_names(text: str, atoms: list[_Atom], w: _Words) -> list[_Atom]:
    """"اليوم" + "الثلاثاء" + "الـ 12 من شباط" is one mention naming the same day."""
    out: list[_Atom] = []
    for a in atoms:
        prev = out[-1] if out else None
        if prev and prev.kind in ("rel", "weekday") and prev.day is None \
                and w.small_gap.fullmatch(text[prev.end:a.start]) and len(text[prev.end:a.start]) <= 6:
            if a.kind == "weekday" and prev.kind == "rel" and prev.weekday is None:
                bracketed = "(" in text[prev.end:a.start] and text[a.end:a.end + 1] == ")"
                prev.end, prev.weekday = a.end + bracketed, a.weekday     # "اليوم (السبت)"
                continue
            if a.kind == "day" and a.day2 is None:
                a.start, a.weekday, a.rel = prev.start, prev.weekday, prev.rel
                out[-1] = a
                continue
        out.append(a)
    return out


_CUE_KINDS = ("since", "until", "range_from")      # the first that fits is the cue


def _cue(w: _Words, text: str, a: _Atom) -> tuple[str | None, str]:
    """The cue word right before an atom: since, until, range_from, or None. Most atoms
    have none, which one search of all the kinds at once tells."""
    lo = max(0, a.start - 30)
    if not w.any_cue.search(text, lo, a.start):
        return None, ""
    for kind in _CUE_KINDS:
        m = w.cues[kind].search(text, lo, a.start)
        if m:
            return kind, _key(m.group(0).strip(" ,،"))
    return None, ""


def _connects(w: _Words, text: str, a: _Atom, b: _Atom, kind: str) -> bool:
    """Is the text between two dates a connector ("to", "وحتى", "-")?  An Arabic "و"
    glued to the second date ("والأربعاء") is part of its atom, so it counts here."""
    gap = text[a.end:b.start]
    glued = w.conjunctions.match(text, b.start)
    if glued:
        gap += glued.group(0)
    return len(gap) <= 20 and bool(w.joins[kind].fullmatch(gap))


def _mention(text: str, a: _Atom, b: _Atom | None, role: str, span: _Span, note: str = "") -> DateMention:
    start, end = a.start, (b or a).end
    return DateMention(start, end, role, span.first, span.last,
                       weekday=(b or a).weekday if (b or a).weekday is not None else a.weekday,
                       text=text[start:end], note=note or span.note,
                       relative=a.rel if b is None else None)


@lru_cache(maxsize=16)
def _scan(text: str, published: date | None, within: str | None = None,
          offset: int = 0) -> tuple[tuple[DateMention, _Atom, _Span], ...]:
    """Mentions in order, each with the atom it came from (for detect_published).

    Cached: find_dates, check_weekdays and detect_published read the same report.
    `within` and `offset` as for _atoms.
    """
    return tuple(_scan_atoms(text, published, within, offset))


def _scan_atoms(text: str, published: date | None, within: str | None = None,
                offset: int = 0) -> list[tuple[DateMention, _Atom, _Span]]:
    w = _words()
    atoms = _atoms(text) if within is None else _atoms(text, within, offset)   # one cache key
    out: list[tuple[DateMention, _Atom, _Span]] = []
    i = 0
    while i < len(atoms):
        a = atoms[i]
        b = atoms[i + 1] if i + 1 < len(atoms) else None
        cue, cue_word = _cue(w, text, a)
        pair = b is not None and a.kind in _DATED and b.kind in _DATED
        if pair and cue == "range_from" and _connects(w, text, a, b, "range_to"):
            end = _resolve(b, published)
            start = _resolve(a, published, anchor=end.last or end.first or published)
            span = _Span(start.first or start.last, end.last or end.first, start.note or end.note)
            out.append((_mention(text, a, b, "range", span), a, span))
            i += 2
            continue
        if pair and cue == "since" and _connects(w, text, a, b, "since_to"):
            end = _resolve(b, published)
            start = _resolve(a, published, anchor=end.last or published, strict=True)
            since = _since_span(a, start, published)
            out.append((_mention(text, a, None, "since", since), a, since))
            until = _Span(None, end.last, end.note)
            out.append((_mention(text, b, None, "until", until), b, until))
            i += 2
            continue
        if a.kind == "duration" and b is not None and b.kind == "day" and b.day2 \
                and w.window_of.fullmatch(text[a.end:b.start]):
            span = _resolve(b, published)
            if not (span.first and span.last and span.first > span.last):   # (days the wrong way round: no window)
                out.append((_mention(text, a, b, "window", span), b, span))
                i += 2
                continue
        out.append(_single(w, text, a, cue, cue_word, published))
        i += 1
    return out


def _since_span(a: _Atom, start: _Span, published: date | None) -> _Span:
    """The start of a running total: a bare year or an approximate duration gives none."""
    if a.kind == "year":
        return _Span()
    if a.kind == "duration":
        step = _amount(a.unit, a.count, round_up=False)
        if a.approx or step is None or published is None:
            return _Span()
        try:
            return _Span(published - step, None)
        except (OverflowError, ValueError):
            return _Span()
    return _Span(start.first if start.first else None, None, start.note)


def _single(w: _Words, text: str, a: _Atom, cue: str | None, cue_word: str,
            published: date | None) -> tuple[DateMention, _Atom, _Span]:
    """One atom alone: its cue decides the role."""
    if cue == "since" and a.kind in _DATED + ("duration",) and not a.day2:
        span = _since_span(a, _resolve(a, published, strict=True), published)
        return _mention(text, a, None, "since", span), a, span
    if cue == "until" and a.kind in _DATED and not a.day2 \
            and (cue_word not in w.weak_until or a.kind == "day"):
        r = _resolve(a, published)
        span = _Span(None, r.last or r.first, r.note)
        return _mention(text, a, None, "until", span), a, span
    if cue == "range_from" and cue_word in w.open_from and a.kind in _DATED and not a.day2:
        span = _since_span(a, _resolve(a, published), published)
        return _mention(text, a, None, "since", span), a, span
    span = _resolve(a, published)
    role = {"day": "range" if a.day2 else "point", "weekday": "point", "rel": "point",
            "month": "month", "year": "year", "window": "window", "duration": "duration",
            "yearrel": "year" if a.unit == "year" else "month"}[a.kind]
    return _mention(text, a, None, role, span), a, span


# ---------------------------------------------------------------------------
# Public interface
# ---------------------------------------------------------------------------

def find_dates(text: str, published: date | None, lang: str | None = None) -> list[DateMention]:
    """Every date, period and duration in `text`, in order, resolved against `published`.

    `lang` is accepted for symmetry with the other stages; the words of every
    language are used, since reports quote each other's languages.
    """
    return [m for m, _, _ in _scan(text, published)]


def _quoted(m, quote: Callable[[int, int], str] | None) -> str:
    """A mention as the report writes it (`quote` maps a span to the original words)."""
    return repr((quote(m.start, m.end) if quote else m.text).strip())


def check_weekdays(text: str, published: date | None, lang: str | None = None,
                   quote: Callable[[int, int], str] | None = None) -> list[str]:
    """Warnings for every weekday that does not fit the date it is written with."""
    out = []
    for m, _, _ in _scan(text, published):
        if m.note:
            msg = f"{_quoted(m, quote)}: {m.note}"
            if msg not in out:
                out.append(msg)
    return out


_FILENAME_DATE = re.compile(r"(?<!\d)((?:19|20)\d\d)-(\d\d)-(\d\d)(?!\d)")


def detect_published(text: str, filename: str | None = None, option: date | None = None,
                     lang: str | None = None, quote: Callable[[int, int], str] | None = None) -> ReportDate:
    """The report's own date: the option, else a dateline or a "today" + date phrase in
    the text, else a YYYY-MM-DD in the file name, else None.

    Conservative on purpose: a dated caption or a past event is not the report date, so
    only lines near the top that are (almost) nothing but a date count as a dateline.
    """
    if option:
        return ReportDate(option, "option")
    warnings: list[str] = []
    from_name = _filename_date(filename)
    found = _dateline(text) or _today_phrase(text, warnings, quote)
    if found:
        if from_name and from_name != found:
            warnings.append(f"the text dates itself {found.isoformat()}, the file name says {from_name.isoformat()}")
        return ReportDate(found, "text", warnings)
    if from_name:
        return ReportDate(from_name, "filename", warnings)
    return ReportDate(None, None, warnings)


def _filename_date(filename: str | None) -> date | None:
    if not filename:
        return None
    m = _FILENAME_DATE.search(PurePath(filename).name)
    return _safe_date(int(m.group(1)), int(m.group(2)), int(m.group(3))) if m else None


_TOP_LINES = 8      # a dateline is among the first non-empty lines ...
_TOP_CHARS = 500    # ... near the top ...
_LINE_WORDS = 2     # ... with at most this many other words ("Briefing Notes", "View Original")


_FOUR_DIGITS = re.compile(r"\d{4}")


def _dateline(text: str) -> date | None:
    """A full date standing (nearly) alone on one of the first lines."""
    w = _words()
    pos, seen = 0, 0
    for line in text[:_TOP_CHARS * 2].split("\n"):
        start, pos = pos, pos + len(line) + 1
        if not line.strip():
            continue
        seen += 1
        if seen > _TOP_LINES or start > _TOP_CHARS:
            break
        if not _FOUR_DIGITS.search(line):
            continue                        # a day with a year writes four digits in a row
        found = [(m, a, s) for m, a, s in _scan(line, None, text, start)]
        dated = [(a, s) for m, a, s in found if a.kind == "day" and a.year is not None and s.stated]
        if not dated:
            continue
        rest = list(line)
        for m, _, _ in found:
            rest[m.start:m.end] = " " * (m.end - m.start)
        rest_text = w.labels.sub(" ", "".join(rest))
        if re.search(r"\d", rest_text):
            continue                        # a headline with a figure, not a dateline
        if len(re.findall(r"[^\W\d_]{2,}", rest_text)) <= _LINE_WORDS:
            a, s = dated[0]
            return _safe_date(a.year, a.month, a.day2 or a.day)
    return None


def _today_phrase(text: str, warnings: list[str], quote: Callable[[int, int], str] | None = None) -> date | None:
    """"اليوم الثلاثاء 12 شباط 2019", "Today, 3 July 2021": today named with its date.

    Without a year, the weekday picks one among the years the text writes; a phrase
    whose weekday contradicts its own date is not trusted.
    """
    if not any(_today_candidate(a) for a in _atoms(text)):
        return None                     # the usual case: no need to resolve every mention
    scanned = _scan(text, None)
    years = {a.year for _, a, _ in scanned if a.year}
    chosen = None
    for m, a, s in scanned:
        if not _today_candidate(a):
            continue
        if a.year is not None:
            d = _safe_date(a.year, a.month, a.day)
            if d and a.weekday is not None and d.weekday() != a.weekday:
                warnings.append(f"{_quoted(m, quote)} is not used as the report date: {s.note}")
                continue
        elif a.weekday is not None:
            fits = {y for y in years if (x := _safe_date(y, a.month, a.day)) and x.weekday() == a.weekday}
            d = _safe_date(fits.pop(), a.month, a.day) if len(fits) == 1 else None
        else:
            d = None
        if d is None:
            continue
        if chosen is None:
            chosen = d
        elif d != chosen:
            warnings.append(f"{_quoted(m, quote)} names another date for today than {chosen.isoformat()}")
    return chosen


def _today_candidate(a: _Atom) -> bool:
    """A day and month that the text calls today ("اليوم الثلاثاء 12 شباط")."""
    return a.kind == "day" and a.rel == 0 and a.month is not None and a.day is not None and not a.day2
