"""Where the figures agree, repeat and contradict each other.

    >>> result = reconcile(db, since=date(2019, 2, 1))
    >>> [(f["status"], f["message"]) for f in result["checks"][0]["findings"]]

Three stages; only `load_figures` and `load_warnings` touch the database, the rest are
pure functions over rows, so they can be tested and reused without SQLite:

1. figures: the effective figures (analysts' reviews applied, see tracker.reviews).
2. events (`group`): figures that report the same real batch, window, cumulative or
   stock, across reports and within one (headline and body), become one event with all
   its sources. Sums and series use events, never raw figures, so a batch told by three
   reports counts once.
3. checks: six functions over events, each returning findings
   {check, status: agrees | gap | conflict, category, start, end, message, numbers, figures}.

Qualifiers are intervals (`queries.interval`, approx = value ± tolerance). "More than v"
and "at least v" have no upper end when compared (a part within its whole, a cumulative
that falls, sources that disagree); where a finite upper end is needed (sums, and
matching a restatement) they count as [v, v + tolerance]: writers round a figure down to
the round number just below, rarely by more than the tolerance. So "more than 350" adds
350 to 385 to a sum, and "about 1500" (1350 to 1650) agrees with 350 + 500 + 600 stated
as "more than", "at least" and "about".

Same event: same kind and category, the same parent event (parts of different batches are
different parts), periods whose starts and ends each differ by at most a day (exactly the
same within one report), compatible places (unknown matches anything; otherwise one name
contains the other), and values that fit: one figure's stated value lies in the other's
interval. That is stricter than overlapping intervals, on purpose: "about 500" and "about
600" overlap at 550 but are two batches. Candidates are found through sorted buckets
(kind, category, parent, start day) and a value bisect, never by comparing all pairs.
"""
from __future__ import annotations

import math
import re
from bisect import bisect_left, bisect_right
from itertools import groupby
from dataclasses import dataclass, field
from fractions import Fraction
from datetime import date
from typing import Iterable, Iterator

import sqlite_utils

from .queries import interval
from .store import CATEGORIES, KINDS

TOLERANCE = 0.1
CHECKS = ("windows", "cumulative", "parts", "stocks", "dates", "sources")
TITLES = {
    "windows": "Windows against the distinct batches inside them",
    "cumulative": "Cumulative series: never falling, rises against the batches in between",
    "parts": "Parts within their whole",
    "stocks": "Stocks at a place against the flows into and out of it",
    "dates": "Dates: weekdays, periods after publication, starts after ends",
    "sources": "Sources on the same period",
}
STATUSES = ("agrees", "gap", "conflict")
# Which member speaks for an event: the most precise statement.
PRECISION = {"exact": 0, "range": 1, "approx": 2, "at_least": 3, "more_than": 4, "at_most": 5, "less_than": 6}
_SCALABLE = {"exact", "approx", "more_than", "at_least"}   # interval scales with the value: bisectable


# --- figures --------------------------------------------------------------------------------

@dataclass(slots=True)
class Fig:
    """One effective figure, with its intervals and its period as day numbers."""
    id: int
    report: str
    idx: int
    parent: int | None            # figures.id of the parent
    kind: str
    category: str
    value: float
    high: float | None
    qualifier: str
    start: str | None
    end: str | None
    origin: str | None
    destination: str | None
    evidence: str | None
    published: str | None
    publisher: str | None
    path: str | None
    review: str | None = None
    s: int | None = None          # start, end as date ordinals
    e: int | None = None
    lo: float = 0                 # interval for comparisons (hi None: unbounded)
    hi: float | None = None
    blo: float = 0                # interval for sums and matching (always finite)
    bhi: float = 0

    def __post_init__(self):
        self.s = _day(self.start)
        self.e = _day(self.end)

    def source(self) -> dict:
        """The figure as evidence: where it comes from and the words that state it."""
        return {"figure": self.id, "report": self.report, "idx": self.idx, "path": self.path,
                "publisher": self.publisher, "published": self.published, "kind": self.kind,
                "category": self.category, "value": self.value, "high": self.high,
                "qualifier": self.qualifier, "start": self.start, "end": self.end,
                "origin": self.origin, "destination": self.destination, "evidence": self.evidence,
                "review": self.review}


def _day(iso: str | None) -> int | None:
    try:
        return date.fromisoformat(iso).toordinal() if iso else None
    except ValueError:
        return None


def bounded(qualifier: str, value, high=None, tolerance: float = TOLERANCE) -> tuple:
    """A finite interval for sums and matching: an open upper end becomes value + tolerance."""
    low, up = interval(qualifier, value, high, tolerance)
    if up is None:
        up = (math.ceil(value * (1 + Fraction(str(tolerance)))) if isinstance(value, int)
              else value * (1 + tolerance))
    return low, up


def with_intervals(figs: Iterable[Fig], tolerance: float = TOLERANCE) -> list[Fig]:
    out = []
    for f in figs:
        f.lo, f.hi = interval(f.qualifier, f.value, f.high, tolerance)
        f.blo, f.bhi = bounded(f.qualifier, f.value, f.high, tolerance)
        out.append(f)
    return out


def load_figures(db: sqlite_utils.Database, since: date | None = None, until: date | None = None,
                 tolerance: float = TOLERANCE) -> list[Fig]:
    """Effective figures (reviews applied) whose period overlaps [since, until]; undated
    figures only when neither is given (the same rule as `queries.figures`)."""
    where, params = [], []
    if since:
        where.append('coalesce(f."end", f.start) >= ?')
        params.append(since.isoformat())
    if until:
        where.append('coalesce(f.start, f."end") <= ?')
        params.append(until.isoformat())
    sql = ('SELECT f.id, f.report_id, f.idx, f.parent_id, f.kind, f.category, f.value, f.high, f.qualifier, '
           'f.start, f."end", f.origin, f.destination, f.evidence_text, r.published, r.publisher, r.path, f.review '
           "FROM effective_figures f JOIN reports r ON r.id = f.report_id")
    if where:
        sql += " WHERE " + " AND ".join(where)
    return with_intervals((Fig(*row) for row in db.execute(sql, params)), tolerance)


def load_warnings(db: sqlite_utils.Database, since: date | None = None, until: date | None = None) -> list[dict]:
    """The extractor's warnings (weekdays that do not fall on their date, ...) of the reports
    published in [since, until]."""
    sql = ("SELECT w.report_id AS report, w.message, r.path, r.publisher, r.published "
           "FROM warnings w JOIN reports r ON r.id = w.report_id "
           "WHERE (? IS NULL OR r.published >= ?) AND (? IS NULL OR r.published <= ?) "
           "ORDER BY r.published, r.path, w.id")
    s = since.isoformat() if since else None
    u = until.isoformat() if until else None
    return list(db.query(sql, [s, s, u, u]))


# --- places ------------------------------------------------------------------------------------

_PLACE_NOISE = re.compile(r"\b(al|el|the|camp|camps|of|area|areas|town|village|city)\b|[^\w\s]|_")


def place_key(place: str | None) -> str | None:
    """A place name reduced for comparison: 'al-Hol camp' and 'Hol' are both 'hol'."""
    if not place:
        return None
    key = " ".join(_PLACE_NOISE.sub(" ", place.lower()).split())
    return key or place.lower().strip()


def same_place(a: str | None, b: str | None) -> bool:
    """Unknown matches anything; otherwise one reduced name contains the other."""
    a, b = place_key(a), place_key(b)
    return a is None or b is None or a in b or b in a


# --- events --------------------------------------------------------------------------------------

@dataclass(slots=True)
class Event:
    """Figures that report one real batch, window, cumulative or stock."""
    kind: str
    category: str
    members: list[Fig]
    best: Fig                      # the most precise statement speaks for the event
    lo: float = 0
    hi: float | None = None
    blo: float = 0
    bhi: float = 0
    parent: "Event | None" = None
    id: int = 0
    reports: set = field(default_factory=set)

    @property
    def start(self) -> str | None:
        return self.best.start

    @property
    def end(self) -> str | None:
        return self.best.end

    @property
    def s(self):
        return self.best.s

    @property
    def e(self):
        return self.best.e

    @property
    def value(self):
        return self.best.value

    @property
    def place(self) -> str | None:
        return self.best.destination or self.best.origin or next(
            (m.destination or m.origin for m in self.members if m.destination or m.origin), None)

    def counted(self) -> bool:
        """Counts in its category's sums: not a part of a figure of the same category
        ("600 people including 20 fighters" adds 20 to fighters, "20 fighters of whom 6
        Turkish" adds nothing more)."""
        return self.parent is None or self.parent.category != self.category


class _Sets:
    """Union-find over figure positions."""

    def __init__(self, n: int):
        self.up = list(range(n))

    def find(self, i: int) -> int:
        up = self.up
        while up[i] != i:
            up[i] = up[up[i]]
            i = up[i]
        return i

    def union(self, i: int, j: int) -> None:
        i, j = self.find(i), self.find(j)
        if i != j:
            self.up[max(i, j)] = min(i, j)


def _same(f: Fig, g: Fig) -> bool:
    """f and g state the same fact (kind, category, parent and start day already match)."""
    if f.report == g.report:
        if f.s != g.s or f.e != g.e:
            return False
    elif (f.e is None) != (g.e is None) or (f.e is not None and abs(f.e - g.e) > 1):
        return False
    if not (same_place(f.origin, g.origin) and same_place(f.destination, g.destination)):
        return False
    return g.blo <= f.value <= g.bhi or f.blo <= g.value <= f.bhi


def _depths(figs: list[Fig], pos: dict[int, int]) -> list[int]:
    """How deep each figure sits under parents (0: none, or its parent is not loaded)."""
    depth: dict[int, int] = {}
    for i in range(len(figs)):
        chain, j = [], i
        while j not in depth:
            p = figs[j].parent
            if p is None or p not in pos or j in chain:     # (a cycle would be bad data: cut it)
                depth[j] = 0
                break
            chain.append(j)
            j = pos[p]
        d = depth[j]
        for k in reversed(chain):
            if k not in depth:
                d += 1
                depth[k] = d
    return [depth[i] for i in range(len(figs))]


def group(figs: list[Fig], tolerance: float = TOLERANCE) -> list[Event]:
    """Group figures (with intervals) into events; parents are grouped before their parts."""
    pos = {f.id: i for i, f in enumerate(figs)}
    sets = _Sets(len(figs))
    depth = _depths(figs, pos)
    spread = (1 + tolerance) / max(1e-9, 1 - tolerance)
    for level in sorted(set(depth)):
        def parent_key(f: Fig) -> int:
            if f.parent is None:
                return -1
            return sets.find(pos[f.parent]) if f.parent in pos else -2 - f.parent
        items = [(f.kind, f.category, parent_key(f), f.s, f.value, i)
                 for i, f in enumerate(figs) if depth[i] == level and f.s is not None]
        items.sort()
        scalable: dict[tuple, tuple[list, list]] = {}    # bucket -> (values, positions), sorted by value
        wide: dict[tuple, list[int]] = {}               # less_than / at_most / range: scanned
        for kind, category, pkey, s, value, i in items:
            f = figs[i]
            low = min(f.blo, value / spread) if value else f.blo
            up = max(f.bhi, value * spread)
            for day in (s - 1, s):
                bucket = (kind, category, pkey, day)
                if bucket in scalable:
                    values, where = scalable[bucket]
                    for j in where[bisect_left(values, low): bisect_right(values, up)]:
                        if _same(f, figs[j]):
                            sets.union(i, j)
                for j in wide.get(bucket, ()):
                    if _same(f, figs[j]):
                        sets.union(i, j)
            bucket = (kind, category, pkey, s)
            if f.qualifier in _SCALABLE:
                values, where = scalable.setdefault(bucket, ([], []))
                values.append(value)          # items come sorted by value within a bucket
                where.append(i)
            else:
                wide.setdefault(bucket, []).append(i)
    return _events(figs, sets, pos)


def _events(figs: list[Fig], sets: _Sets, pos: dict[int, int]) -> list[Event]:
    members: dict[int, list[Fig]] = {}
    for i, f in enumerate(figs):
        members.setdefault(sets.find(i), []).append(f)
    by_root: dict[int, Event] = {}
    for root, group_ in members.items():
        group_.sort(key=lambda m: (m.published or "", m.report, m.idx))
        best = min(group_, key=lambda m: (PRECISION.get(m.qualifier, 9), m.id))
        ev = Event(best.kind, best.category, group_, best, reports={m.report for m in group_})
        ev.lo, ev.hi = _intersect([(m.lo, m.hi) for m in group_])
        ev.blo, ev.bhi = _intersect([(m.blo, m.bhi) for m in group_])
        by_root[root] = ev
    for root, ev in by_root.items():
        p = ev.best.parent
        if p is not None and p in pos:
            ev.parent = by_root[sets.find(pos[p])]
    events = list(by_root.values())
    kinds = {k: i for i, k in enumerate(KINDS)}
    cats = {c: i for i, c in enumerate(CATEGORIES)}
    events.sort(key=lambda ev: (ev.s is None, ev.s or 0, ev.e or 0, kinds.get(ev.kind, 9),
                                cats.get(ev.category, 99), ev.value, ev.best.id))
    for n, ev in enumerate(events, 1):
        ev.id = n
    return events


def _intersect(spans: list[tuple]) -> tuple:
    """What every source allows; their hull if they disagree."""
    low = max(lo for lo, _ in spans)
    highs = [hi for _, hi in spans if hi is not None]
    high = min(highs) if highs else None
    if high is not None and low > high:
        low = min(lo for lo, _ in spans)
        high = None if len(highs) < len(spans) else max(highs)
    return low, high


def event_dict(ev: Event) -> dict:
    return {"event": ev.id, "kind": ev.kind, "category": ev.category, "start": ev.start, "end": ev.end,
            "value": ev.value, "high": ev.best.high, "qualifier": ev.best.qualifier, "low": ev.lo,
            "up": ev.hi, "origin": ev.best.origin, "destination": ev.best.destination,
            "parent": ev.parent.id if ev.parent else None, "reports": len(ev.reports),
            "publishers": sorted({m.publisher for m in ev.members if m.publisher}),
            "sources": [m.source() for m in ev.members]}


def events(db: sqlite_utils.Database, since: date | None = None, until: date | None = None,
           categories: Iterable[str] = (), tolerance: float = TOLERANCE) -> list[dict]:
    """Every event in [since, until] (of `categories`, all if empty), in date order:
    {event, kind, category, start, end, value, high, qualifier, low, up (None: unbounded),
     origin, destination, parent (event), reports, publishers, sources: [figure...]}."""
    cats = set(categories)
    evs = group(load_figures(db, since, until, tolerance), tolerance)
    return [event_dict(ev) for ev in evs if not cats or ev.category in cats]


# --- findings --------------------------------------------------------------------------------------

def fmt(v) -> str:
    if v is None:
        return "∞"
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return f"{v:,}" if isinstance(v, int) else f"{v:,.4g}"


_SIGNS = {"exact": "", "approx": "~", "more_than": ">", "at_least": ">=", "less_than": "<",
          "at_most": "<=", "range": ""}


def stated(x: Fig | Event) -> str:
    f = x.best if isinstance(x, Event) else x
    s = _SIGNS.get(f.qualifier, "") + fmt(f.value)
    return s + f"-{fmt(f.high)}" if f.qualifier == "range" and f.high is not None else s


def span(lo, hi) -> str:
    return fmt(lo) if lo == hi else f"{fmt(lo)}–{fmt(hi)}"


def numbers(value, lo, hi) -> dict:
    return {"value": value, "low": lo, "high": hi}


def finding(check: str, status: str, subject: Event | Fig | None, message: str, nums: dict,
            involved: Iterable[tuple[str, Event | Fig]], start=None, end=None) -> dict:
    figures = []
    for role, x in involved:
        for m in (x.members if isinstance(x, Event) else [x]):
            figures.append({"role": role, "event": x.id if isinstance(x, Event) else None, **m.source()})
    return {"check": check, "status": status,
            "category": subject.category if subject else None,
            "start": start if start is not None else (subject.start if subject else None),
            "end": end if end is not None else (subject.end if subject else None),
            "message": message, "numbers": nums, "figures": figures}


def _sum(parts: list[Event]) -> tuple:
    return (sum(p.value for p in parts), sum(p.blo for p in parts), sum(p.bhi for p in parts))


def _compare(found_lo, found_hi, want_lo, want_hi) -> str:
    """agrees when the intervals meet; conflict when what was found exceeds what is wanted;
    gap when it falls short (something not reported)."""
    if want_hi is not None and found_lo > want_hi:
        return "conflict"
    if found_hi is not None and found_hi < want_lo:
        return "gap"
    return "agrees"


class _ByStart:
    """Counted batch events of one category, sorted by start day, for range look-ups."""

    def __init__(self, batches: list[Event]):
        self.items = sorted((b for b in batches if b.s is not None and b.e is not None), key=lambda b: b.s)
        self.starts = [b.s for b in self.items]

    def within(self, first: int, last: int) -> list[Event]:
        """Batches that start on or after `first` and end on or before `last`."""
        return [b for b in self.items[bisect_left(self.starts, first): bisect_right(self.starts, last)]
                if b.e <= last]


def _batches_by_category(evs: list[Event]) -> dict[str, _ByStart]:
    found: dict[str, list[Event]] = {}
    for ev in evs:
        if ev.kind == "batch" and ev.counted():
            found.setdefault(ev.category, []).append(ev)
    return {c: _ByStart(b) for c, b in found.items()}


def _plus(parts: list[Event]) -> str:
    shown = " + ".join(stated(p) for p in parts[:6])
    return shown + (f" + {len(parts) - 6} more" if len(parts) > 6 else "")


# --- 1. windows ---------------------------------------------------------------------------------

def check_windows(evs: list[Event], **_) -> Iterator[dict]:
    """A window ("about 1500 in 48 hours") against the distinct batches inside it."""
    batches = _batches_by_category(evs)
    for w in evs:
        if w.kind != "window" or w.s is None or w.e is None:
            continue
        inside = batches[w.category].within(w.s, w.e) if w.category in batches else []
        value, lo, hi = _sum(inside)
        status = _compare(lo, hi, w.lo, w.hi)
        if not inside:
            message = f"{stated(w)} ({span(w.lo, w.hi)}); no batches reported inside it"
        else:
            verb = {"agrees": "agrees with", "gap": "is more than", "conflict": "is less than"}[status]
            message = (f"{stated(w)} ({span(w.lo, w.hi)}) {verb} {len(inside)} batches "
                       f"{_plus(inside)} = {fmt(value)} ({span(lo, hi)})")
        yield finding("windows", status, w, message,
                      {"window": numbers(w.value, w.lo, w.hi), "batches": numbers(value, lo, hi),
                       "count": len(inside)},
                      [("window", w)] + [("batch", b) for b in inside])


# --- 2. cumulative series ---------------------------------------------------------------------

def _series(evs: list[Event], kind: str, key) -> dict[tuple, list[Event]]:
    """Events of `kind` per key, one per as-of day (the best-supported), sorted by as-of."""
    out: dict[tuple, dict[int, Event]] = {}
    for ev in evs:
        if ev.kind == kind and ev.e is not None:
            k = key(ev)
            if k is None:
                continue
            day = out.setdefault(k, {})
            old = day.get(ev.e)
            if old is None or (len(ev.reports), ev.best.published or "") > (len(old.reports), old.best.published or ""):
                day[ev.e] = ev
    return {k: [days[d] for d in sorted(days)] for k, days in out.items()}


def check_cumulative(evs: list[Event], **_) -> Iterator[dict]:
    """A cumulative series (same category and start) never falls; its rise between two
    as-of dates against the batches in between (none behind a rise is a gap)."""
    batches = _batches_by_category(evs)
    series = _series(evs, "cumulative", lambda ev: (ev.category, ev.s) if ev.s is not None else None)
    for (category, _), points in sorted(series.items(), key=lambda kv: (kv[0][0], kv[0][1])):
        for prev, nxt in zip(points, points[1:]):
            period = {"start": prev.end, "end": nxt.end}
            if nxt.hi is not None and nxt.hi < prev.lo:
                yield finding("cumulative", "conflict", nxt,
                              f"since {nxt.start}: falls from {stated(prev)} as of {prev.end} "
                              f"to {stated(nxt)} as of {nxt.end}",
                              {"before": numbers(prev.value, prev.lo, prev.hi),
                               "after": numbers(nxt.value, nxt.lo, nxt.hi)},
                              [("before", prev), ("after", nxt)], **period)
                continue
            rise_lo, rise_hi = max(0, nxt.blo - prev.bhi), nxt.bhi - prev.blo
            rise = nxt.value - prev.value
            inside = batches[category].within(prev.e + 1, nxt.e) if category in batches else []
            value, lo, hi = _sum(inside)
            status = _compare(lo, hi, rise_lo, rise_hi)
            if not inside:
                message = (f"since {nxt.start}: rises by {fmt(rise)} from {stated(prev)} ({prev.end}) to "
                           f"{stated(nxt)} ({nxt.end}) with no batches reported in between")
            else:
                verb = {"agrees": "agrees with", "gap": "is more than", "conflict": "is less than"}[status]
                message = (f"since {nxt.start}: the rise from {stated(prev)} ({prev.end}) to {stated(nxt)} "
                           f"({nxt.end}), {fmt(rise)} ({span(rise_lo, rise_hi)}), {verb} {len(inside)} batches "
                           f"{_plus(inside)} = {fmt(value)} ({span(lo, hi)})")
            yield finding("cumulative", status, nxt, message,
                          {"before": numbers(prev.value, prev.lo, prev.hi),
                           "after": numbers(nxt.value, nxt.lo, nxt.hi),
                           "rise": numbers(rise, rise_lo, rise_hi), "batches": numbers(value, lo, hi),
                           "count": len(inside)},
                          [("before", prev), ("after", nxt)] + [("batch", b) for b in inside], **period)


# --- 3. parts within wholes ------------------------------------------------------------------------

def _part_finding(part: Event, whole: Event, why: str) -> dict:
    status = "conflict" if whole.hi is not None and part.lo > whole.hi else "agrees"
    verb = "exceeds" if status == "conflict" else "is within"
    return finding("parts", status, part,
                   f"{part.category} {stated(part)} {verb} {whole.category} {stated(whole)} ({why})",
                   {"part": numbers(part.value, part.lo, part.hi), "whole": numbers(whole.value, whole.lo, whole.hi)},
                   [("part", part), ("whole", whole)])


def check_parts(evs: list[Event], **_) -> Iterator[dict]:
    """A part never exceeds its whole: "including 30 fighters" within its batch, and a
    cumulative since a later start within the one since an earlier start, as of the same day."""
    for ev in evs:
        if ev.parent is not None:
            yield _part_finding(ev, ev.parent, "stated as part of it")
    by_day: dict[tuple, list[Event]] = {}
    for ev in evs:
        if ev.kind == "cumulative" and ev.s is not None and ev.e is not None:
            by_day.setdefault((ev.category, ev.e), []).append(ev)
    for group_ in by_day.values():
        group_.sort(key=lambda ev: ev.s)
        tightest = None                 # among earlier starts, the whole with the lowest upper end
        for _, same_start in groupby(group_, key=lambda ev: ev.s):
            same_start = list(same_start)
            if tightest is not None:
                for ev in same_start:
                    if ev.parent is not tightest:
                        yield _part_finding(ev, tightest, f"since {ev.start} within since {tightest.start}, "
                                                          f"both as of {ev.end}")
            for ev in same_start:
                if tightest is None or _upper(ev) < _upper(tightest):
                    tightest = ev


def _upper(ev: Event) -> float:
    return math.inf if ev.hi is None else ev.hi


# --- 4. stocks against flows ---------------------------------------------------------------------------

def check_stocks(evs: list[Event], **_) -> Iterator[dict]:
    """The change of a stock at a place between two as-of dates against the batches that
    went into it and out of it in between, where both are known."""
    flows = [ev for ev in evs if ev.kind == "batch" and ev.counted() and ev.s is not None and ev.e is not None]
    series = _series(evs, "stock", lambda ev: (ev.category, place_key(ev.place)) if ev.place else None)
    for (category, place), points in sorted(series.items()):
        mine = [b for b in flows if b.category == category]
        into = _ByStart([b for b in mine if b.best.destination and same_place(b.best.destination, place)])
        out_of = _ByStart([b for b in mine if b.best.origin and same_place(b.best.origin, place)])
        for prev, nxt in zip(points, points[1:]):
            ins, outs = into.within(prev.e + 1, nxt.e), out_of.within(prev.e + 1, nxt.e)
            if not ins and not outs:
                continue
            vin, in_lo, in_hi = _sum(ins)
            vout, out_lo, out_hi = _sum(outs)
            net, net_lo, net_hi = vin - vout, in_lo - out_hi, in_hi - out_lo
            change, ch_lo, ch_hi = nxt.value - prev.value, nxt.blo - prev.bhi, nxt.bhi - prev.blo
            status = "agrees" if ch_lo <= net_hi and net_lo <= ch_hi else "gap"
            flows_text = " ".join(filter(None, [f"in {_plus(ins)}" if ins else "", f"out {_plus(outs)}" if outs else ""]))
            message = (f"{nxt.place}: {stated(prev)} ({prev.end}) to {stated(nxt)} ({nxt.end}), change {fmt(change)} "
                       f"({span(ch_lo, ch_hi)}); flows {flows_text} = {fmt(net)} ({span(net_lo, net_hi)})"
                       + ("" if status == "agrees" else "; some movements are not reported"))
            yield finding("stocks", status, nxt, message,
                          {"before": numbers(prev.value, prev.lo, prev.hi), "after": numbers(nxt.value, nxt.lo, nxt.hi),
                           "change": numbers(change, ch_lo, ch_hi), "inflow": numbers(vin, in_lo, in_hi),
                           "outflow": numbers(vout, out_lo, out_hi)},
                          [("before", prev), ("after", nxt)] + [("inflow", b) for b in ins]
                          + [("outflow", b) for b in outs], start=prev.end, end=nxt.end)


# --- 5. dates ------------------------------------------------------------------------------------------

def check_dates(evs: list[Event], warnings: list[dict] = (), **_) -> Iterator[dict]:
    """What the dates contradict: the extractor's warnings (a weekday that does not fall on
    its date), a period that ends after its report was published, a start after its end."""
    for w in warnings:
        yield {"check": "dates", "status": "conflict", "category": None, "start": w["published"],
               "end": w["published"], "message": w["message"], "numbers": {},
               "figures": [{"role": "report", "event": None, "figure": None, "report": w["report"],
                            "path": w["path"], "publisher": w["publisher"], "published": w["published"],
                            "evidence": w["message"]}]}
    for ev in evs:
        for m in ev.members:
            pub = _day(m.published)
            if m.s is not None and m.e is not None and m.s > m.e:
                yield finding("dates", "conflict", m, f"{stated(m)} {m.category}: starts {m.start}, after its end "
                              f"{m.end}", {}, [("figure", m)])
            elif m.e is not None and pub is not None and m.e > pub:
                yield finding("dates", "conflict", m, f"{stated(m)} {m.category}: the period ends {m.end}, after "
                              f"the report was published ({m.published})", {}, [("figure", m)])


# --- 6. sources --------------------------------------------------------------------------------------------

def check_sources(evs: list[Event], **_) -> Iterator[dict]:
    """Reports on the same window, cumulative, stock or area (same category, period and
    place): do their values share a point? Batches are left out: two batches on one day
    are usually two batches, not a disagreement."""
    slots: dict[tuple, list[Event]] = {}
    for ev in evs:
        if ev.kind != "batch" and (ev.s is not None or ev.e is not None):
            key = (ev.kind, ev.category, ev.s, ev.e, place_key(ev.place), ev.parent.id if ev.parent else None)
            slots.setdefault(key, []).append(ev)
    for group_ in slots.values():
        reports = {r for ev in group_ for r in ev.reports}
        if len(reports) < 2:
            continue
        low, highs = max(ev.lo for ev in group_), [ev.hi for ev in group_ if ev.hi is not None]
        status = "conflict" if highs and low > min(highs) else "agrees"
        publishers = sorted({m.publisher or "?" for ev in group_ for m in ev.members})
        said = "; ".join(f"{m.publisher or '?'} {stated(m)}" for ev in group_ for m in ev.members)
        head = group_[0]
        what = f"{head.category} {head.kind}" + (f" at {head.place}" if head.place else "")
        verb = "disagree" if status == "conflict" else "agree"
        yield finding("sources", status, head, f"{len(reports)} reports ({', '.join(publishers)}) {verb} on "
                      f"{what}: {said}",
                      {"sources": [numbers(ev.value, ev.lo, ev.hi) for ev in group_]},
                      [("source", ev) for ev in group_])


RUNS = {"windows": check_windows, "cumulative": check_cumulative, "parts": check_parts,
        "stocks": check_stocks, "dates": check_dates, "sources": check_sources}


def run_checks(evs: list[Event], warnings: list[dict] = (), checks: Iterable[str] = (),
               categories: Iterable[str] = ()) -> list[dict]:
    """The chosen checks (all if none) over events: [{name, title, counts, findings}]."""
    names = [c for c in CHECKS if c in set(checks)] or list(CHECKS)
    cats = set(categories)
    out = []
    for name in names:
        found = [f for f in RUNS[name](evs, warnings=warnings)
                 if not cats or f["category"] is None or f["category"] in cats]
        found.sort(key=lambda f: (f["start"] or "", f["end"] or "", f["category"] or ""))
        counts = {s: sum(1 for f in found if f["status"] == s) for s in STATUSES}
        out.append({"name": name, "title": TITLES[name], "counts": counts, "findings": found})
    return out


def reconcile(db: sqlite_utils.Database, since: date | None = None, until: date | None = None,
              categories: Iterable[str] = (), checks: Iterable[str] = (),
              tolerance: float = TOLERANCE) -> dict:
    """Run the checks over the events of [since, until]:
    {since, until, tolerance, counts: {agrees, gap, conflict}, checks: [{name, title, counts, findings}]}."""
    unknown = set(checks) - set(CHECKS)
    if unknown:
        raise ValueError(f"unknown check {sorted(unknown)[0]!r}; expected one of {', '.join(CHECKS)}")
    evs = group(load_figures(db, since, until, tolerance), tolerance)
    warnings = load_warnings(db, since, until) if not checks or "dates" in checks else []
    results = run_checks(evs, warnings, checks, categories)
    counts = {s: sum(r["counts"][s] for r in results) for s in STATUSES}
    return {"since": since.isoformat() if since else None, "until": until.isoformat() if until else None,
            "tolerance": tolerance, "counts": counts, "checks": results}


def findings_rows(result: dict) -> Iterator[dict]:
    """`reconcile()` flattened to one row per finding, for CSV / JSON lines."""
    for check in result["checks"]:
        for f in check["findings"]:
            yield {**f, "figure_ids": " ".join(str(x["figure"]) for x in f["figures"] if x["figure"] is not None),
                   "reports": " ".join(dict.fromkeys(x["path"] or x["report"][:12] for x in f["figures"])),
                   "evidence": " | ".join(x["evidence"] or "" for x in f["figures"])}


FINDING_COLUMNS = ["check", "status", "category", "start", "end", "message", "figure_ids", "reports", "evidence"]
