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
(kind, category, parent, start day) and a value bisect, never by comparing all pairs;
each figure is compared with the first figure of an event, so near values do not chain.
"""
from __future__ import annotations

import gc
import heapq
import json
import math
import re
from bisect import bisect_left, bisect_right
from contextlib import contextmanager
from functools import lru_cache, partial
from itertools import accumulate, chain, groupby, islice
from operator import attrgetter, itemgetter
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Callable, Iterable, Iterator

from .beside import Channel, beside, can_fork, forked, halves, keep
from .display import number, stated as display_stated
from .queries import _ratio, interval, overlapping
from .store import CATEGORIES, KINDS, file_of, read_only

if TYPE_CHECKING:  # sqlite_utils pulls in numpy: imported where a database is opened
    import sqlite_utils

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
_NONE = -10                     # an unknown start or end day in bucket keys (no real day is near it)
_DAYS = 10_000_000              # a period's bucket key: start * _DAYS + end


# --- figures --------------------------------------------------------------------------------

@dataclass(slots=True)
class Report:
    id: str
    published: str | None
    publisher: str | None
    path: str | None
    day: int | None = None


@dataclass(slots=True)
class Fig:
    """One effective figure, with its intervals, its period as day numbers and place keys."""
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
    review: str | None
    rep: Report
    s: int | None = None          # start, end as day numbers (differences are days)
    e: int | None = None
    lo: float = 0                 # interval for comparisons (hi None: unbounded)
    hi: float | None = None
    blo: float = 0                # interval for sums and matching (always finite)
    bhi: float = 0
    po: str | None = None         # place keys of origin, destination
    pd: str | None = None
    event: int = 0                # the id of its event, set where a finding cites the figure alone (dates)
    _source: dict | None = None

    @property
    def published(self) -> str | None:
        return self.rep.published

    @property
    def publisher(self) -> str | None:
        return self.rep.publisher

    def source(self) -> dict:
        """The figure as evidence: where it comes from and the words that state it (made
        once and shared by every finding that cites it)."""
        if self._source is None:
            self._source = {"figure": self.id, "report": self.report, "idx": self.idx, "path": self.rep.path,
                "publisher": self.rep.publisher, "published": self.rep.published, "kind": self.kind,
                "category": self.category, "value": self.value, "high": self.high,
                "qualifier": self.qualifier, "start": self.start, "end": self.end,
                "origin": self.origin, "destination": self.destination, "evidence": self.evidence,
                "review": self.review}
        return self._source


@lru_cache(maxsize=65536)
def _day(iso: str | None) -> int | None:
    try:
        return date.fromisoformat(iso).toordinal() if iso else None
    except ValueError:
        return None


def bounded(qualifier: str, value, high=None, tolerance: float = TOLERANCE) -> tuple:
    """A finite interval for sums and matching: an open upper end becomes value + tolerance."""
    low, up = interval(qualifier, value, high, tolerance)
    return (low, up) if up is not None else (low, _plus_tolerance(value, tolerance))


def _plus_tolerance(value, tolerance: float):
    if isinstance(value, int):
        num, den = _ratio(tolerance)
        return -(-value * (den + num) // den)          # ceiling, in integers
    return value * (1 + tolerance)


def _intervals(tolerance: float) -> Callable[[str, object, object], tuple]:
    """(qualifier, value, high) -> (lo, hi, blo, bhi), as `interval` and `bounded` give them.
    Whole numbers with the common qualifiers are worked out here with the tolerance's
    fraction found once (`interval` finds it per call, most of the load time at 1M figures);
    anything else goes to `interval`, once per distinct statement. The cache key holds the
    types too, so that 5 and 5.0 keep their own results (they print differently)."""
    num, den = _ratio(tolerance)
    down, up = den - num, den + num
    cache: dict[tuple, tuple] = {}

    def get(qualifier: str, value, high) -> tuple:
        if type(value) is int:
            if qualifier == "exact":
                return value, value, value, value
            if qualifier == "approx":
                low, top = value * down // den, -(-value * up // den)       # floor, ceiling
                return low, top, low, top
            if qualifier == "more_than" or qualifier == "at_least":
                return value, None, value, -(-value * up // den)
        key = (qualifier, value, high, type(value), type(high))
        got = cache.get(key)
        if got is None:
            lo, hi = interval(qualifier, value, high, tolerance)
            got = cache[key] = (lo, hi, lo, _plus_tolerance(value, tolerance) if hi is None else hi)
        return got
    return get


def with_intervals(figs: Iterable[Fig], tolerance: float = TOLERANCE) -> list[Fig]:
    """Fill in each figure's intervals and place keys."""
    out = []
    spans = _intervals(tolerance)
    for f in figs:
        f.po, f.pd = place_key(f.origin), place_key(f.destination)
        f.lo, f.hi, f.blo, f.bhi = spans(f.qualifier, f.value, f.high)
        out.append(f)
    return out


def figures_from_rows(rows: Iterable[dict], tolerance: float = TOLERANCE) -> list[Fig]:
    """Figures from plain dicts (id, report, kind, category, value, qualifier, start, end, and
    optionally idx, parent (an id), high, origin, destination, evidence, published, publisher,
    path): the checks without a database."""
    reports: dict[str, Report] = {}
    figs = []
    for r in rows:
        rep = reports.get(r["report"])
        if rep is None:
            rep = reports[r["report"]] = Report(r["report"], r.get("published"), r.get("publisher"),
                                                r.get("path"), _day(r.get("published")))
        figs.append(Fig(r["id"], r["report"], r.get("idx", r["id"]), r.get("parent"), r["kind"], r["category"],
                        r["value"], r.get("high"), r.get("qualifier", "exact"), r.get("start"), r.get("end"),
                        r.get("origin"), r.get("destination"), r.get("evidence"), r.get("review"), rep,
                        _day(r.get("start")), _day(r.get("end"))))
    return with_intervals(figs, tolerance)


def load_figures(db: sqlite_utils.Database, since: date | None = None, until: date | None = None,
                 tolerance: float = TOLERANCE, of: Iterable[str] | None = None,
                 not_of: Iterable[str] | None = None) -> list[Fig]:
    """Effective figures (reviews applied) whose period overlaps [since, until]; undated
    figures only when neither is given (the same rule as `queries.figures`). With `of`,
    only those of these categories; with `not_of`, those of every other category.

    Their evidence words are left out (None): `fill_evidence` reads them for the figures
    a result cites. Read with every figure, they were half the load's time and memory."""
    return _fig_maker(db, tolerance)(db.execute(*_figures_sql(db, since, until, of=of, not_of=not_of)))


def _figures_sql(db: sqlite_utils.Database, since: date | None, until: date | None,
                 roots: Iterable[tuple[str, str]] | None = None,
                 besides: Iterable[tuple[str, str]] | None = None,
                 of: Iterable[str] | None = None, not_of: Iterable[str] | None = None) -> tuple[str, list]:
    """The query of `load_figures` and its parameters: with `roots`, only the figures
    without a parent of those (kind, category) pairs; with `besides`, every other one;
    with `of` or `not_of`, those of these categories or of the others."""
    where, params = overlapping(since, until)
    categories = of if of is not None else not_of
    if categories is not None:
        categories = list(categories)
        inside = f"+f.category IN ({', '.join('?' * len(categories))})" if categories else "0"
        where.append(inside if of is not None else f"NOT ({inside})")
        params += categories
    pairs = roots if roots is not None else besides
    if pairs is not None:       # (+: through no index, which would read every row again)
        pairs = list(pairs)
        root = ("+f.parent_id IS NULL AND coalesce((+f.kind, +f.category) IN (VALUES "
                + ", ".join(["(?, ?)"] * len(pairs)) + "), 0)") if pairs else "0"
        where.append(root if roots is not None else f"NOT ({root})")
        params += [word for pair in pairs for word in pair]
    source = _source(db)
    review = "f.review" if source == "effective_figures" else "NULL"
    # The words come three to a column (JSON arrays): one string to make per row instead of
    # three, and one look-up of what each distinct array stands for.
    sql = ("SELECT f.id, f.report_id, f.idx, f.parent_id, f.value, f.high, json_array(f.kind, f.category, "
           'f.qualifier), json_array(f.start, f."end"), json_array(f.origin, f.destination), '
           f"{review} FROM {source} f")
    if where:
        sql += " WHERE " + " AND ".join(where)
    return sql, params


def _source(db: sqlite_utils.Database) -> str:
    """Where the effective figures are: without reviews the view is the table, and reading
    the table saves a look-up per figure."""
    reviewed = db.execute("SELECT 1 FROM reviews LIMIT 1").fetchone() is not None
    return "effective_figures" if reviewed else "figures"


def _fig_maker(db: sqlite_utils.Database, tolerance: float) -> Callable[..., list[Fig]]:
    """make(rows of `_figures_sql`, figs=[]) -> figs with a Fig appended per row. The
    reports and what each distinct word stands for are read once, for every call."""
    reports = _reports(db)
    spans, places, days = _intervals(tolerance), _Memo(place_key), _days(db)
    # Each distinct word (kind, category, qualifier, date, place) is kept once: a million
    # figures repeat a few thousand, and half the memory (so half the cache misses) goes.
    one = {}.setdefault
    words = _Memo(lambda array: tuple(one(w, w) for w in json.loads(array)))
    with_days = _Memo(lambda array: (*words[array], *map(days.__getitem__, words[array])))
    with_keys = _Memo(lambda array: (*words[array], *map(places.__getitem__, words[array])))

    def make(rows: Iterable[tuple], figs: list[Fig] | None = None) -> list[Fig]:
        figs = [] if figs is None else figs
        append = figs.append
        for fid, rid, idx, parent, value, high, what, when, where_, review in rows:
            kind, category, qualifier = words[what]
            start, end, s, e = with_days[when]
            origin, destination, po, pd = with_keys[where_]
            rep = reports[rid]
            append(Fig(fid, rep.id, idx, parent, kind, category, value, high, qualifier, start, end, origin,
                       destination, None, review, rep, s, e, *spans(qualifier, value, high), po, pd))
        return figs
    return make


def _reports(db: sqlite_utils.Database) -> _Memo:
    """Every report by id, read at once. A report stored after that (by an ingest running
    meanwhile: the figures are read by another statement) is read when a figure names it."""
    sql = f"SELECT id, published, publisher, path, {_JDAY.format('published')} FROM reports"

    def one(rid: str) -> Report:
        row = db.execute(sql + " WHERE id = ?", [rid]).fetchone()
        return Report(*row) if row else Report(rid, None, None, None, None)
    reports = _Memo(one)
    for row in db.execute(sql):
        reports[row[0]] = Report(*row)
    return reports


def fill_evidence(db: sqlite_utils.Database, sources: Iterable[dict], chunk: int = 100_000) -> None:
    """Put each cited figure's evidence words into its source dict (`Fig.source`), read by id
    in chunks: figures are loaded without them (`load_figures`)."""
    by_id: dict[int, list[dict]] = {}       # (findings made in a forked process bring their own copies)
    for src in sources:
        fid = src.get("figure")
        if fid is not None:
            same = by_id.get(fid)
            if same is None:
                by_id[fid] = [src]
            elif all(src is not other for other in same):
                same.append(src)
    ids = list(by_id)
    sql = "SELECT id, evidence_text FROM figures WHERE id IN (SELECT value FROM json_each(?))"
    for n in range(0, len(ids), chunk):
        for fid, text in db.execute(sql, [json.dumps(ids[n:n + chunk])]):
            for src in by_id[fid]:
                src["evidence"] = text


class _Memo(dict):
    """fn(key), worked out once per distinct key (None stays None): a million figures
    repeat a few thousand dates and place names."""

    def __init__(self, fn: Callable):
        super().__init__({None: None})
        self.fn = fn

    def __missing__(self, key):
        value = self[key] = self.fn(key)
        return value


def _days(db: sqlite_utils.Database) -> _Memo:
    """Date string -> day number as SQLite reads it (`_JDAY`): SQLite's reading (which
    accepts more than date.fromisoformat) stays the one used for reports' days too."""
    return _Memo(lambda iso: db.execute(f"SELECT {_JDAY.format('?')}", [iso]).fetchone()[0])


# Day numbers computed by SQLite (whole Julian days): only their differences matter.
_JDAY = "CAST(julianday({}) AS INTEGER)"


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


@contextmanager
def _gc_paused():
    """Pause the cyclic garbage collector while a million figures, events and findings are
    made: none of them form cycles (refcounts free them), yet each allocation burst would
    make the collector walk all the live ones again, about half the time at 1M figures.

    On the way out, what was made meanwhile goes straight to the oldest generation
    (freeze, then unfreeze: two list splices). Left in the youngest, the first allocation
    after `gc.enable` made the collector walk it all: 1 to 3 s at 1M figures, spent
    after the result was ready. The next full collection still looks at all of it."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.freeze()
            gc.unfreeze()
            gc.enable()


# --- places ------------------------------------------------------------------------------------

_PLACE_NOISE = re.compile(r"\b(al|el|the|camp|camps|of|area|areas|town|village|city)\b|[^\w\s]|_")


@lru_cache(maxsize=65536)
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


def _place_key(ev: "Event") -> str | None:
    """place_key(ev.place), from the keys its best figure holds where it names the place."""
    best = ev.best
    if best.destination:
        return best.pd
    if best.origin:
        return best.po
    return place_key(ev.place)


def _near(a: str | None, b: str | None) -> bool:
    """same_place on keys already reduced."""
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
    s: int | None = None           # the best member's start and end days and value (given: made a million
    e: int | None = None           # times, and read more often)
    value: float = 0
    _sources: list | None = None

    @property
    def reports(self) -> set:
        return {m.report for m in self.members}

    def sources(self) -> list[dict]:
        """Its figures as evidence (made once, shared by every finding that cites the event)."""
        if self._sources is None:
            self._sources = [m.source() for m in self.members]
        return self._sources

    @property
    def start(self) -> str | None:
        return self.best.start

    @property
    def end(self) -> str | None:
        return self.best.end

    @property
    def place(self) -> str | None:
        return self.best.destination or self.best.origin or next(
            (m.destination or m.origin for m in self.members if m.destination or m.origin), None)

    def counted(self) -> bool:
        """Counts in its category's sums: not a part of a figure of the same category
        ("600 people including 20 fighters" adds 20 to fighters, "20 fighters of whom 6
        Turkish" adds nothing more)."""
        return self.parent is None or self.parent.category != self.category


def _same(f: Fig, g: Fig) -> bool:
    """f and g state the same fact (kind, category and parent already match, and their
    start and end days are each at most a day apart)."""
    if f.report == g.report and (f.s != g.s or f.e != g.e):
        return False
    if not (_near(f.po, g.po) and _near(f.pd, g.pd)):
        return False
    return g.blo <= f.value <= g.bhi or f.blo <= g.value <= f.bhi


def _depths(figs: list[Fig], pos: dict[int, int]) -> list[int]:
    """How deep each figure sits under parents (0: none, or its parent is not loaded)."""
    depth = [0 if f.parent is None else -1 for f in figs]      # -1: not known yet
    for i, d in enumerate(depth):
        if d >= 0:
            continue
        chain, j = [], i
        while depth[j] < 0:
            p = figs[j].parent
            if p not in pos or j in chain:     # (a cycle would be bad data: cut it)
                depth[j] = 0
                break
            chain.append(j)
            j = pos[p]
        d = depth[j]
        for k in reversed(chain):
            if depth[k] < 0:
                d += 1
                depth[k] = d
    return depth


def group(figs: list[Fig], tolerance: float = TOLERANCE, jobs: int = 1,
          elsewhere: tuple[Iterable[int], Callable[[], dict]] | None = None) -> list[Event]:
    """Group figures (with intervals) into events, numbered in date order from 1; parents are
    grouped before their parts.

    Figures are taken in order of (kind, category, parent event, start day, value, figure
    id); each joins the first event whose first figure (its leader) states the same fact,
    with a start on the same day or the day before and an end at most a day away, else
    starts an event. Comparing with leaders, not with every member, keeps chains of near
    values (400, ~440, ~484...) from merging into one.

    Runs of one (kind, category, parent) are independent: with `jobs` 2 or more and many
    figures, a forked process joins about half of them (`tracker.beside`). `elsewhere`
    is (positions, result): the figures at those positions, all without a parent and all
    of the runs they are in, were joined by another process, and result() gives its
    leaders."""
    return _events(figs, *_leaders(figs, tolerance, jobs, elsewhere))


def _leaders(figs: list[Fig], tolerance: float = TOLERANCE, jobs: int = 1,
             elsewhere: tuple[Iterable[int], Callable[[], dict]] | None = None,
             joined: tuple[Iterable[int], list[int]] | None = None) -> tuple[list[int], dict[int, int]]:
    """`group` but the events: (the position of each figure's leader, each figure id's
    position). `joined` is (positions, leader): the figures at those positions, all of the
    runs they are in, are joined already, and leader (as long as figs) holds their leaders."""
    pos = {f.id: i for i, f in enumerate(figs)}
    depth = _depths(figs, pos)
    leader = list(range(len(figs)))              # position of the leader of each figure's event
    if joined is not None:
        done, leader = joined
        for i in done:
            depth[i] = -1                          # (-1: no level here)
    away: list[int] = []
    if elsewhere is not None:
        away = list(elsewhere[0])
        for i in away:
            depth[i] = -1                          # joined there
        jobs = 1                                   # (the other process is busy)
    for level in sorted(set(depth) - {-1}):
        if level == 1 and away:                    # parts need their parents' events
            _take_leaders(figs, away, elsewhere[1], leader, pos, tolerance)
            away = []
        _join_level(figs, [i for i, d in enumerate(depth) if d == level], leader, pos, tolerance, jobs)
    if away:
        _take_leaders(figs, away, elsewhere[1], leader, pos, tolerance)
    return leader, pos


def _join_level(figs: list[Fig], some: list[int], leader: list[int], pos: dict[int, int], tolerance: float,
                jobs: int = 1) -> None:
    """Set the leaders of the figures at positions `some`, all at one depth under parents
    (so their parents' leaders are known)."""
    def parent_key(f: Fig) -> int:
        if f.parent is None:
            return -1
        return leader[pos[f.parent]] if f.parent in pos else -2 - f.parent
    items = [(f.kind, f.category, -1 if f.parent is None else parent_key(f), _NONE if f.s is None else f.s,
              f.value, f.id, i)
             for i, f in zip(some, map(figs.__getitem__, some)) if f.s is not None or f.e is not None]
    items.sort()
    runs = [list(run) for _, run in groupby(items, key=_GROUP)]    # sorted: each run is done alone
    if jobs > 1 and len(items) >= FORK_AT and len(runs) > 1:
        mine, theirs = halves({n: len(run) for n, run in enumerate(runs)})
        joined = beside(partial(_join_runs, figs, [runs[n] for n in theirs], leader, tolerance),
                        partial(_join_runs, figs, [runs[n] for n in mine], leader, tolerance))
        for i, first in joined.items():
            leader[i] = first
    else:
        for run in runs:
            _join(figs, run, leader, tolerance)


def _take_leaders(figs: list[Fig], away: list[int], result: Callable[[], dict], leader: list[int],
                  pos: dict[int, int], tolerance: float) -> None:
    """The leaders another process found for the figures at positions `away`
    (`_join_elsewhere`); if it failed, or ids repeat, they are joined here."""
    try:
        there = result()
    except Exception:                  # (a process killed: the work is done here)
        there = {"leaders": None}
    if there["leaders"] is None:
        _join_level(figs, away, leader, pos, tolerance)
        return
    for fid, lid in there["leaders"].items():
        leader[pos[fid]] = pos[lid]


def grouped(db: sqlite_utils.Database, since: date | None = None, until: date | None = None,
            tolerance: float = TOLERANCE, jobs: int = 1) -> list[Event]:
    """group(load_figures(...)): the events of [since, until].

    With `jobs` 2 or more and many figures in a database file, the reading and the joining
    are shared with a forked process. It reads the figures without a parent of most (kind,
    category) pairs through a connection of its own, sends their rows here at once, and
    joins them; meanwhile this process reads all the others and joins them. (Only one
    process can hold the figures the checks need; rows come through a pipe several times
    quicker than SQLite gives them.) The split leaves the events as they are: runs are
    joined alone, in an order of their own (ties by figure id, not by the order rows are
    read). If the database changed between the two reads, or the other process sent
    nothing, everything is read and joined here."""
    path = _file(db) if jobs > 1 else None
    pairs = _pairs_elsewhere(db, since, until) if path else None
    if not pairs:
        return group(load_figures(db, since, until, tolerance), tolerance, jobs)
    version = _data_version(db)
    with forked(partial(_join_elsewhere, path, since, until, tolerance, pairs), talk=True) as (result, channel):
        make = _fig_maker(db, tolerance)
        figs = make(db.execute(*_figures_sql(db, since, until, besides=pairs)).fetchall())
        mine = len(figs)
        theirs = channel.receive()
        if theirs is not None and _data_version(db) == version:     # (nothing committed between the reads)
            make(theirs, figs)
            del theirs                  # (a few hundred megabytes of rows at a million figures)
            return group(figs, tolerance, jobs, elsewhere=(range(mine, len(figs)), result))
        figs = load_figures(db, since, until, tolerance)
    return group(figs, tolerance, jobs)


def _data_version(db: sqlite_utils.Database) -> int:
    """Changes when another connection commits to the database (PRAGMA data_version)."""
    return db.execute("PRAGMA data_version").fetchone()[0]


# The share of the figures the other process reads and joins; this one reads the rest, then
# makes figures of the rows it is sent too, so it joins less. At 1M figures, grouping took
# longer with 0.5 and with 0.7 than with 0.6 (runs taken in turns).
ELSEWHERE = 0.6


def _file(db: sqlite_utils.Database) -> str | None:
    """The database's file, for a forked process to read through a connection of its own;
    None where it cannot (no fork here, in memory, uncommitted changes it would not see)."""
    return None if db.conn.in_transaction or not can_fork() else file_of(db)


def _pairs_elsewhere(db: sqlite_utils.Database, since: date | None, until: date | None) -> frozenset | None:
    """The (kind, category) pairs the other process joins: the largest first, while they add
    up to at most ELSEWHERE of the figures (counted in an index); None below FORK_AT."""
    counts = sorted(((n, kind, category) for kind, category, n in _pair_counts(db, since, until)), reverse=True)
    total = sum(n for n, _, _ in counts)
    if total < FORK_AT:
        return None
    chosen, taken = [], 0
    for n, kind, category in counts:
        if taken + n <= ELSEWHERE * total:
            chosen.append((kind, category))
            taken += n
    return frozenset(chosen) or None


def _pair_counts(db: sqlite_utils.Database, since: date | None, until: date | None) -> list[tuple]:
    """[(kind, category, figures)] in [since, until], counted in an index (of the table, not
    the view: they only decide how the work is split)."""
    where, params = overlapping(since, until)
    sql = "SELECT kind, category, count(*) FROM figures f" + (" WHERE " + " AND ".join(where) if where else "") \
        + " GROUP BY kind, category"
    return db.execute(sql, params).fetchall()


def _join_elsewhere(path: str, since: date | None, until: date | None, tolerance: float,
                    pairs: frozenset, channel: Channel) -> dict:
    """(In the forked process of `grouped`.) Read the figures without a parent of `pairs`
    through a connection of its own, send their rows, and join them: {"leaders": {figure
    id: its leader's id} for those that joined an event (None if ids repeat)}."""
    db = _read_only(path)
    rows = db.execute(*_figures_sql(db, since, until, roots=pairs)).fetchall()
    channel.send(rows)
    figs = _fig_maker(db, tolerance)(rows)
    del rows                            # (the sending thread holds them while it needs them)
    pos = {f.id: i for i, f in enumerate(figs)}
    leader = list(range(len(figs)))
    _join_level(figs, list(range(len(figs))), leader, pos, tolerance)
    keep(figs, pos)
    return {"leaders": {figs[i].id: figs[j].id for i, j in enumerate(leader) if i != j}
            if len(pos) == len(figs) else None}


def _join_runs(figs: list[Fig], runs: list[list[tuple]], leader: list[int], tolerance: float) -> dict[int, int]:
    """`_join` each run; {position: leader} of the figures that joined an event."""
    for run in runs:
        _join(figs, run, leader, tolerance)
    return {item[-1]: leader[item[-1]] for run in runs for item in run if leader[item[-1]] != item[-1]}


_GROUP = itemgetter(0, 1, 2)        # (kind, category, parent key) of a sorted item


def _join(figs: list[Fig], run: Iterable[tuple], leader: list[int], tolerance: float) -> None:
    """Set the leader of each figure of one (kind, category, parent) run, sorted by start
    day and value: the first leader stating the same fact in the period buckets (start,
    end), (start, end ± 1), (start - 1, end), (start - 1, end ± 1), else itself.

    Each bucket keeps its leaders' values (sorted: the run is) and positions for a bisect,
    and apart the leaders whose interval does not scale with the value (less than, range).
    The bisect looks within a factor `spread` of the value, narrowed (for positive values)
    to where a match can be: a leader's value g holds v in its interval only if g lies in
    about (v ± 1) / (1 ± tolerance), the ± 1 for intervals rounded outwards to integers;
    or g lies in f's own interval. The narrowing drops only candidates that cannot match."""
    spread = (1 + tolerance) / max(1e-9, 1 - tolerance)
    grow, shrink = (1 + tolerance) * (1 + 1e-9), (1 - tolerance) * (1 - 1e-9)   # (a hair wider for rounding)
    buckets: dict[int, tuple[list, list, list]] = {}   # start * _DAYS + end -> (values, positions, wide)
    for _, _, _, s, value, _, i in run:
        f = figs[i]
        key = s * _DAYS + (_NONE if f.e is None else f.e)
        low, up = value / spread, value * spread
        if value > 0 and shrink > 0:
            near = (value - 1.5) / grow
            if near > low:
                low = near
            near = (value + 1.5) / shrink
            if near < up:
                up = near
        if f.blo < low:
            low = f.blo
        if f.bhi > up:
            up = f.bhi
        found = -1
        for k in (key, key - 1, key + 1, key - _DAYS, key - _DAYS - 1, key - _DAYS + 1):
            bucket = buckets.get(k)
            if bucket is not None:
                values, where, wide = bucket
                if where:
                    a, b = bisect_left(values, low), bisect_right(values, up)
                    if a < b:
                        found = _first_same(f, figs, where[a:b])
                if found < 0 and wide:
                    found = _first_same(f, figs, wide)
                if found >= 0:
                    break
        if found >= 0:
            leader[i] = found
            continue
        bucket = buckets.get(key)
        if bucket is None:
            bucket = buckets[key] = ([], [], [])
        if f.qualifier in _SCALABLE:
            bucket[0].append(value)
            bucket[1].append(i)
        else:
            bucket[2].append(i)


def _first_same(f: Fig, figs: list[Fig], candidates: Iterable[int]) -> int:
    """The first candidate position whose figure states the same fact as f, or -1: `_same`
    unrolled (it runs millions of times at 1M figures), the value test first (it fails most)."""
    v, blo, bhi, report, s, e, po, pd = f.value, f.blo, f.bhi, f.report, f.s, f.e, f.po, f.pd
    for j in candidates:
        g = figs[j]
        if not (g.blo <= v <= g.bhi or blo <= g.value <= bhi):
            continue
        if report == g.report and (s != g.s or e != g.e):
            continue
        other = g.po
        if not (po is None or other is None or po in other or other in po):
            continue
        other = g.pd
        if pd is None or other is None or pd in other or other in pd:
            return j
    return -1


def _events(figs: list[Fig], leader: list[int], pos: dict[int, int]) -> list[Event]:
    """The events of the chosen leaders, numbered in date order (then kind, category, value)."""
    return _keyed_events(figs, leader, pos)[0]


def _keyed_events(figs: list[Fig], leader: list[int], pos: dict[int, int]) -> tuple[list[Event], list[tuple]]:
    """(`_events`, their sort keys `_order_keys`).

    Each figure first makes its own event (most stay alone); an event that gains members
    then takes its best member's statement and what all its members allow."""
    by_leader: dict[int, Event] = {}
    grown: list[Event] = []
    parted: list[Event] = []        # events whose best figure may have a parent (few: not all are looked at)
    get = by_leader.get
    for first, m in zip(leader, figs):
        ev = get(first)
        if ev is None:
            ev = by_leader[first] = Event(m.kind, m.category, [m], m, m.lo, m.hi, m.blo, m.bhi, None, 0, m.s, m.e,
                                          m.value)
            if m.parent is not None:
                parted.append(ev)
        else:
            if len(ev.members) == 1:
                grown.append(ev)
            ev.members.append(m)
    for ev in grown:
        group_ = ev.members
        group_.sort(key=_in_sources)
        ev.best = best = min(group_, key=_precision)
        ev.lo, ev.hi = _intersect(list(map(_LO, group_)), list(map(_HI, group_)))
        ev.blo, ev.bhi = _intersect(list(map(_BLO, group_)), list(map(_BHI, group_)))
        ev.s, ev.e, ev.value = best.s, best.e, best.value
        if best.parent is not None:
            parted.append(ev)
    for ev in parted:               # (a grown event can be here twice, or with a best without a parent)
        p = ev.best.parent
        if p is not None and p in pos:
            ev.parent = by_leader[leader[pos[p]]]
    evs = list(by_leader.values())
    keyed = list(zip(_order_keys(evs), evs))
    keyed.sort(key=_FIRST)
    events = [ev for _, ev in keyed]
    for n, ev in enumerate(events, 1):
        ev.id = n
    return events, list(map(_FIRST, keyed))


def _order_keys(evs: list[Event]) -> list[tuple]:
    """The events' sort keys, in date order: start (undated last), end, kind and category
    in their listed order, value, best figure id; the first four packed into one integer,
    quicker to sort by."""
    kinds = {k: i * 100 for i, k in enumerate(KINDS)}
    cats = {c: i for i, c in enumerate(CATEGORIES)}
    return [(((_UNDATED if ev.s is None else ev.s) * _DAYS + (ev.e or 0)) * 1000
              + kinds.get(ev.kind, 900) + cats.get(ev.category, 99), ev.value, ev.best.id) for ev in evs]


def _in_sources(m: Fig) -> tuple:
    """The order an event lists its members in: by publication, then report and position."""
    return m.rep.published or "", m.report, m.idx


def _precision(m: Fig) -> tuple:
    """The best member states the event most precisely (then: the lowest figure id)."""
    return PRECISION.get(m.qualifier, 9), m.id


_FIRST = itemgetter(0)
_UNDATED = 2 * _DAYS             # after every start day (day numbers are far below _DAYS)


_LO, _HI, _BLO, _BHI = attrgetter("lo"), attrgetter("hi"), attrgetter("blo"), attrgetter("bhi")


def _intersect(lows: list, highs: list) -> tuple:
    """What every source allows (lows[k] to highs[k], None: unbounded); their hull if they
    disagree."""
    low = max(lows)
    bounded = [hi for hi in highs if hi is not None]
    high = min(bounded) if bounded else None
    if high is not None and low > high:
        low = min(lows)
        high = None if len(bounded) < len(highs) else max(bounded)
    return low, high


def event_dict(ev: Event) -> dict:
    return {"event": ev.id, "kind": ev.kind, "category": ev.category, "start": ev.start, "end": ev.end,
            "value": ev.value, "high": ev.best.high, "qualifier": ev.best.qualifier, "low": ev.lo,
            "up": ev.hi, "origin": ev.best.origin, "destination": ev.best.destination,
            "parent": ev.parent.id if ev.parent else None, "reports": len(ev.reports),
            "publishers": sorted({m.publisher for m in ev.members if m.publisher}),
            "sources": [m.source() for m in ev.members]}


def events(db: sqlite_utils.Database, since: date | None = None, until: date | None = None,
           categories: Iterable[str] = (), tolerance: float = TOLERANCE, jobs: int = 1) -> list[dict]:
    """Every event in [since, until] (of `categories`, all if empty), in date order:
    {event, kind, category, start, end, value, high, qualifier, low, up (None: unbounded),
     origin, destination, parent (event), reports, publishers, sources: [figure...]}."""
    cats = set(categories)
    with _gc_paused():
        evs = grouped(db, since, until, tolerance, jobs)
        out = [event_dict(ev) for ev in evs if not cats or ev.category in cats]
        fill_evidence(db, (src for ev in out for src in ev["sources"]))
    return out


# --- findings --------------------------------------------------------------------------------------

def fmt(v) -> str:
    """A number in a finding; None is an unbounded upper end."""
    return number(v, "∞", ",.4g")


def stated(x: Fig | Event) -> str:
    f = x.best if isinstance(x, Event) else x
    return display_stated(f.qualifier, f.value, f.high, "∞", ",.4g")


def span(lo, hi) -> str:
    return fmt(lo) if lo == hi else f"{fmt(lo)}–{fmt(hi)}"


def both(value, lo, hi) -> str:
    """A stated value with its interval when that says more: '~1,500 (1,350–1,650)', '2,140'."""
    shown = value if isinstance(value, str) else fmt(value)
    return shown if lo == hi == (None if isinstance(value, str) else value) or (lo == hi and shown == fmt(lo)) \
        else f"{shown} ({span(lo, hi)})"


def batches_text(n: int) -> str:
    return f"{n} batch" + ("" if n == 1 else "es")


def numbers(value, lo, hi) -> dict:
    return {"value": value, "low": lo, "high": hi}


def finding(check: str, status: str, subject: Event | Fig | None, message: str, nums: dict,
            involved: Iterable[tuple[str, Event | Fig]], start=None, end=None, more: dict | None = None) -> dict:
    """One finding. `involved` is (role, event or figure) pairs; the finding cites them per
    role: {role, events: [ids], sources: [every figure of those events], more: events not cited}."""
    cited: dict[str, dict] = {}
    for role, x in involved:
        entry = cited.get(role)
        if entry is None:
            entry = cited[role] = {"role": role, "events": [], "sources": [], "more": (more or {}).get(role, 0)}
        if isinstance(x, Event):
            entry["events"].append(x.id)
            entry["sources"] += x._sources or x.sources()
        else:
            entry["events"].append(x.event)
            entry["sources"].append(x.source())
    return {"check": check, "status": status,
            "category": subject.category if subject else None,
            "start": start if start is not None else (subject.start if subject else None),
            "end": end if end is not None else (subject.end if subject else None),
            "message": message, "numbers": nums, "evidence": list(cited.values())}


@dataclass(slots=True)
class Pending:
    """A finding whose words, numbers and evidence are made only when asked (`build`)."""
    check: str
    status: str
    category: str | None
    start: str | None
    end: str | None
    build: Callable[[], dict]


def _later(check: str, status: str, subject: Event | Fig, build: Callable[[], dict], start=None, end=None) -> Pending:
    """A finding about `subject` (its category and, unless given, its period), made later."""
    return Pending(check, status, subject.category, start if start is not None else subject.start,
                   end if end is not None else subject.end, build)


def _compare(found_lo, found_hi, want_lo, want_hi) -> str:
    """agrees when the intervals meet; conflict when what was found exceeds what is wanted;
    gap when it falls short (something not reported)."""
    if want_hi is not None and found_lo > want_hi:
        return "conflict"
    if found_hi is not None and found_hi < want_lo:
        return "gap"
    return "agrees"


CITE = 20       # events cited per role in one finding (its numbers count them all; events --json lists every one)


_start = attrgetter("s")
_values = attrgetter("value")
_lows = attrgetter("blo")
_highs = attrgetter("bhi")


class _ByStart:
    """Counted batch events of one category (`_counted_batches`: whole periods), sorted by
    start day, with running sums, so that the batches inside a period are summed by two
    bisections, not by a scan."""

    def __init__(self, batches: Iterable[Event]):
        self.items = items = sorted(batches, key=_start)
        self.starts = list(map(_start, items))
        # running sums, added left to right as a plain loop would (same floats)
        self.values = list(accumulate(map(_values, items), initial=0))
        self.lows = list(accumulate(map(_lows, items), initial=0))
        self.highs = list(accumulate(map(_highs, items), initial=0))
        self.multi = [k for k, b in enumerate(items) if b.e > b.s]   # the only ones that can end late
        self.multi_starts = [items[k].s for k in self.multi]

    def within(self, first: int, last: int) -> tuple[int, tuple, Callable[[], list[Event]]]:
        """Batches that start on or after `first` and end on or before `last`: (how many,
        (value, low, high) of their sum, a function giving the first CITE of them, called
        only for the findings written out)."""
        i, j = bisect_left(self.starts, first), bisect_right(self.starts, last)
        value, low, high = self.values[j] - self.values[i], self.lows[j] - self.lows[i], self.highs[j] - self.highs[i]
        late = _NO_LATE
        a, b = bisect_left(self.multi_starts, first), bisect_right(self.multi_starts, last)
        if a < b:
            for k in self.multi[a:b]:
                batch = self.items[k]
                if batch.e > last:
                    if late is _NO_LATE:
                        late = set()
                    late.add(k)
                    value, low, high = value - batch.value, low - batch.blo, high - batch.bhi
        return j - i - len(late), (value, low, high), partial(self._cited, i, j, late)

    def _cited(self, i: int, j: int, late: set) -> list[Event]:
        return [self.items[k] for k in range(i, min(j, i + CITE + len(late))) if k not in late][:CITE]


_NO_LATE: frozenset = frozenset()


def _of_kind(evs: list[Event], kind: str, shared: dict) -> list[Event]:
    """The events of one kind, in event order (sorted out in one pass, shared by the checks)."""
    by_kind = shared.get("kinds")
    if by_kind is None:
        by_kind = shared["kinds"] = {}
        for ev in evs:
            found = by_kind.get(ev.kind)
            if found is None:
                by_kind[ev.kind] = [ev]
            else:
                found.append(ev)
    return by_kind.get(kind, [])


def _counted_batches(evs: list[Event], shared: dict) -> list[Event]:
    """Batch events that count in sums (`Event.counted`) and have a whole period, in event order."""
    if "counted" not in shared:
        shared["counted"] = [b for b in _of_kind(evs, "batch", shared)
                             if b.s is not None and b.e is not None and b.counted()]
    return shared["counted"]


def _batches_by_category(evs: list[Event], shared: dict) -> dict[str, _ByStart]:
    """Counted batches per category; made once per run and kept in `shared` (windows and
    cumulative both need them)."""
    if "batches" in shared:
        return shared["batches"]
    found: dict[str, list[Event]] = {}
    for ev in _counted_batches(evs, shared):
        found.setdefault(ev.category, []).append(ev)
    out = shared["batches"] = {c: _ByStart(b) for c, b in found.items()}
    return out


_EMPTY = _ByStart([])


def _plus(parts: list[Event], count: int) -> str:
    shown = " + ".join(stated(p) for p in parts[:6])
    return shown + (f" + {count - 6} more" if count > 6 else "")


# --- 1. windows ---------------------------------------------------------------------------------

def _pending_windows(evs: list[Event], shared: dict, **_) -> Iterator[Pending]:
    """A window ("about 1500 in 48 hours") against the distinct batches inside it."""
    batches = _batches_by_category(evs, shared)
    for w in _of_kind(evs, "window", shared):
        if w.s is None or w.e is None:
            continue
        count, (value, lo, hi), inside = batches.get(w.category, _EMPTY).within(w.s, w.e)
        status = _compare(lo, hi, w.lo, w.hi)
        yield _later("windows", status, w, partial(_window_finding, w, status, count, value, lo, hi, inside))


def _window_finding(w: Event, status: str, count: int, value, lo, hi, cited: Callable[[], list[Event]]) -> dict:
    inside = cited()
    if not count:
        message = f"{both(stated(w), w.lo, w.hi)}; no batches reported inside it"
    else:
        verb = {"agrees": "agrees with", "gap": "is more than", "conflict": "is less than"}[status]
        message = (f"{both(stated(w), w.lo, w.hi)} {verb} {batches_text(count)} "
                   f"{_plus(inside, count)} = {both(value, lo, hi)}")
    return finding("windows", status, w, message,
                   {"window": numbers(w.value, w.lo, w.hi), "batches": numbers(value, lo, hi), "count": count},
                   [("window", w)] + [("batch", b) for b in inside], more={"batch": count - len(inside)})


# --- 2. cumulative series ---------------------------------------------------------------------

def _series(evs: list[Event], key) -> dict[tuple, list[Event]]:
    """Events (of one kind) per key, one per as-of day (the one with most sources), sorted by as-of."""
    out: dict[tuple, dict[int, Event]] = {}
    for ev in evs:
        if ev.e is not None:
            k = key(ev)
            if k is None:
                continue
            day = out.setdefault(k, {})
            old = day.get(ev.e)
            if old is None or (len(ev.members), ev.best.published or "") > (len(old.members), old.best.published or ""):
                day[ev.e] = ev
    return {k: [days[d] for d in sorted(days)] for k, days in out.items()}


def _pending_cumulative(evs: list[Event], shared: dict, **_) -> Iterator[Pending]:
    """A cumulative series (same category and start) never falls; its rise between two
    as-of dates against the batches in between (none behind a rise is a gap)."""
    batches = _batches_by_category(evs, shared)
    series = _series(_of_kind(evs, "cumulative", shared), lambda ev: (ev.category, ev.s) if ev.s is not None else None)
    for (category, _), points in sorted(series.items(), key=lambda kv: (kv[0][0], kv[0][1])):
        for prev, nxt in zip(points, points[1:]):
            if nxt.hi is not None and nxt.hi < prev.lo:
                yield _later("cumulative", "conflict", nxt, partial(_fall_finding, prev, nxt), prev.end, nxt.end)
                continue
            rise_lo, rise_hi = max(0, nxt.blo - prev.bhi), nxt.bhi - prev.blo
            count, (value, lo, hi), inside = batches.get(category, _EMPTY).within(prev.e + 1, nxt.e)
            status = _compare(lo, hi, rise_lo, rise_hi)
            yield _later("cumulative", status, nxt, partial(_rise_finding, prev, nxt, status, rise_lo, rise_hi, count,
                                                            value, lo, hi, inside), prev.end, nxt.end)


def _fall_finding(prev: Event, nxt: Event) -> dict:
    return finding("cumulative", "conflict", nxt,
                   f"since {nxt.start}: falls from {stated(prev)} as of {prev.end} "
                   f"to {stated(nxt)} as of {nxt.end}",
                   {"before": numbers(prev.value, prev.lo, prev.hi),
                    "after": numbers(nxt.value, nxt.lo, nxt.hi)},
                   [("before", prev), ("after", nxt)], start=prev.end, end=nxt.end)


def _rise_finding(prev: Event, nxt: Event, status: str, rise_lo, rise_hi, count: int, value, lo, hi,
                  cited: Callable[[], list[Event]]) -> dict:
    inside = cited()
    rise = nxt.value - prev.value
    if not count:
        message = (f"since {nxt.start}: rises by {fmt(rise)} from {stated(prev)} ({prev.end}) to "
                   f"{stated(nxt)} ({nxt.end}) with no batches reported in between")
    else:
        verb = {"agrees": "agrees with", "gap": "is more than", "conflict": "is less than"}[status]
        message = (f"since {nxt.start}: the rise from {stated(prev)} ({prev.end}) to {stated(nxt)} "
                   f"({nxt.end}), {both(rise, rise_lo, rise_hi)}, {verb} {batches_text(count)} "
                   f"{_plus(inside, count)} = {both(value, lo, hi)}")
    return finding("cumulative", status, nxt, message,
                   {"before": numbers(prev.value, prev.lo, prev.hi),
                    "after": numbers(nxt.value, nxt.lo, nxt.hi),
                    "rise": numbers(rise, rise_lo, rise_hi), "batches": numbers(value, lo, hi),
                    "count": count},
                   [("before", prev), ("after", nxt)] + [("batch", b) for b in inside],
                   more={"batch": count - len(inside)}, start=prev.end, end=nxt.end)


# --- 3. parts within wholes ------------------------------------------------------------------------

def _part(part: Event, whole: Event, why: str | None = None) -> Pending:
    status = "conflict" if whole.hi is not None and part.lo > whole.hi else "agrees"
    return _later("parts", status, part, partial(_part_finding, part, whole, why))


def _part_finding(part: Event, whole: Event, why: str | None) -> dict:
    why = why or f"since {part.start} within since {whole.start}, both as of {part.end}"
    status = "conflict" if whole.hi is not None and part.lo > whole.hi else "agrees"
    verb = "exceeds" if status == "conflict" else "is within"
    return finding("parts", status, part,
                   f"{part.category} {stated(part)} {verb} {whole.category} {stated(whole)} ({why})",
                   {"part": numbers(part.value, part.lo, part.hi), "whole": numbers(whole.value, whole.lo, whole.hi)},
                   [("part", part), ("whole", whole)])


def _pending_parts(evs: list[Event], **_) -> Iterator[Pending]:
    """A part never exceeds its whole: "including 30 fighters" within its batch, and a
    cumulative since a later start within the one since an earlier start, as of the same day."""
    for ev in evs:
        if ev.parent is not None:
            yield _part(ev, ev.parent, "stated as part of it")
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
                        yield _part(ev, tightest)
            for ev in same_start:
                if tightest is None or _upper(ev) < _upper(tightest):
                    tightest = ev


def _upper(ev: Event) -> float:
    return math.inf if ev.hi is None else ev.hi


# --- 4. stocks against flows ---------------------------------------------------------------------------

def _pending_stocks(evs: list[Event], shared: dict, **_) -> Iterator[Pending]:
    """The change of a stock at a place between two as-of dates against the batches that
    went into it and out of it in between, where both are known."""
    into: dict[str, dict[str, list[Event]]] = {}          # category -> place key -> batches
    out_of: dict[str, dict[str, list[Event]]] = {}
    for b in _counted_batches(evs, shared):
        best = b.best
        if best.pd:
            into.setdefault(b.category, {}).setdefault(best.pd, []).append(b)
        if best.po:
            out_of.setdefault(b.category, {}).setdefault(best.po, []).append(b)

    def at(flows: dict, category: str, place: str) -> _ByStart:
        return _ByStart(b for p, found in flows.get(category, {}).items() if _near(p, place) for b in found)

    series = _series(_of_kind(evs, "stock", shared), lambda ev: (ev.category, _place_key(ev)) if ev.place else None)
    for (category, place), points in sorted(series.items()):
        ins_at, outs_at = at(into, category, place), at(out_of, category, place)
        for prev, nxt in zip(points, points[1:]):
            n_in, (vin, in_lo, in_hi), ins = ins_at.within(prev.e + 1, nxt.e)       # ins, outs: cited later
            n_out, (vout, out_lo, out_hi), outs = outs_at.within(prev.e + 1, nxt.e)
            if not n_in and not n_out:
                continue
            net_lo, net_hi = in_lo - out_hi, in_hi - out_lo
            ch_lo, ch_hi = nxt.blo - prev.bhi, nxt.bhi - prev.blo
            status = "agrees" if ch_lo <= net_hi and net_lo <= ch_hi else "gap"
            yield _later("stocks", status, nxt, partial(_stock_finding, prev, nxt, status, n_in, vin, in_lo, in_hi, ins,
                                                        n_out, vout, out_lo, out_hi, outs), prev.end, nxt.end)


def _stock_finding(prev: Event, nxt: Event, status: str, n_in: int, vin, in_lo, in_hi, cited_in: Callable,
                   n_out: int, vout, out_lo, out_hi, cited_out: Callable) -> dict:
    ins, outs = cited_in(), cited_out()
    net, net_lo, net_hi = vin - vout, in_lo - out_hi, in_hi - out_lo
    change, ch_lo, ch_hi = nxt.value - prev.value, nxt.blo - prev.bhi, nxt.bhi - prev.blo
    flows_text = " ".join(filter(None, [f"in {_plus(ins, n_in)}" if n_in else "",
                                        f"out {_plus(outs, n_out)}" if n_out else ""]))
    message = (f"{nxt.place}: {stated(prev)} ({prev.end}) to {stated(nxt)} ({nxt.end}), change "
               f"{both(change, ch_lo, ch_hi)}; flows {flows_text} = {both(net, net_lo, net_hi)}"
               + ("" if status == "agrees" else "; some movements are not reported"))
    return finding("stocks", status, nxt, message,
                   {"before": numbers(prev.value, prev.lo, prev.hi), "after": numbers(nxt.value, nxt.lo, nxt.hi),
                    "change": numbers(change, ch_lo, ch_hi), "inflow": numbers(vin, in_lo, in_hi),
                    "outflow": numbers(vout, out_lo, out_hi)},
                   [("before", prev), ("after", nxt)] + [("inflow", b) for b in ins]
                   + [("outflow", b) for b in outs], start=prev.end, end=nxt.end,
                   more={"inflow": n_in - len(ins), "outflow": n_out - len(outs)})


# --- 5. dates ------------------------------------------------------------------------------------------

def _pending_dates(evs: list[Event], warnings: list[dict] = (), **_) -> Iterator[Pending]:
    """What the dates contradict: the extractor's warnings (a weekday that does not fall on
    its date), a period that ends after its report was published, a start after its end."""
    for w in warnings:
        yield Pending("dates", "conflict", None, w["published"], w["published"], partial(_warning_finding, w))
    for ev in evs:
        for m in ev.members:
            e = m.e
            if e is None:
                continue
            if m.s is not None and m.s > e:
                m.event = ev.id
                yield _later("dates", "conflict", m, partial(_date_finding, m, True))
            elif m.rep.day is not None and e > m.rep.day:
                m.event = ev.id
                yield _later("dates", "conflict", m, partial(_date_finding, m, False))


def _warning_finding(w: dict) -> dict:
    return {"check": "dates", "status": "conflict", "category": None, "start": w["published"],
            "end": w["published"], "message": w["message"], "numbers": {},
            "evidence": [{"role": "report", "events": [], "sources": [
                {"figure": None, "report": w["report"], "path": w["path"], "publisher": w["publisher"],
                 "published": w["published"], "evidence": w["message"]}]}]}


def _date_finding(m: Fig, start_after_end: bool) -> dict:
    if start_after_end:
        return finding("dates", "conflict", m, f"{stated(m)} {m.category}: starts {m.start}, after its end "
                       f"{m.end}", {}, [("figure", m)])
    return finding("dates", "conflict", m, f"{stated(m)} {m.category}: the period ends {m.end}, after "
                   f"the report was published ({m.published})", {}, [("figure", m)])


# --- 6. sources --------------------------------------------------------------------------------------------

def _pending_sources(evs: list[Event], **_) -> Iterator[Pending]:
    """Reports on the same window, cumulative, stock or area (same category, period and
    place): do their values share a point? Batches are left out: two batches on one day
    are usually two batches, not a disagreement."""
    slots: dict[tuple, list[Event]] = {}
    for ev in evs:
        if ev.kind != "batch" and (ev.s is not None or ev.e is not None):
            key = (ev.kind, ev.category, ev.s, ev.e, _place_key(ev), ev.parent.id if ev.parent else None)
            slots.setdefault(key, []).append(ev)
    for group_ in slots.values():
        if len(group_) == 1 and len(group_[0].members) == 1:
            continue
        reports = {m.report for ev in group_ for m in ev.members}
        if len(reports) < 2:
            continue
        low, highs = max(ev.lo for ev in group_), [ev.hi for ev in group_ if ev.hi is not None]
        status = "conflict" if highs and low > min(highs) else "agrees"
        yield _later("sources", status, group_[0], partial(_sources_finding, group_, reports, status))


def _sources_finding(group_: list[Event], reports: set, status: str) -> dict:
    publishers = sorted({m.publisher or "?" for ev in group_ for m in ev.members})
    said = "; ".join(f"{m.publisher or '?'} {stated(m)}" for ev in group_ for m in ev.members)
    head = group_[0]
    what = f"{head.category} {head.kind}" + (f" at {head.place}" if head.place else "")
    verb = "disagree" if status == "conflict" else "agree"
    return finding("sources", status, head, f"{len(reports)} reports ({', '.join(publishers)}) {verb} on "
                   f"{what}: {said}",
                   {"sources": [numbers(ev.value, ev.lo, ev.hi) for ev in group_]},
                   [("source", ev) for ev in group_])


PENDING = {"windows": _pending_windows, "cumulative": _pending_cumulative, "parts": _pending_parts,
           "stocks": _pending_stocks, "dates": _pending_dates, "sources": _pending_sources}


def _built(pending) -> Callable[..., Iterator[dict]]:
    def check(evs: list[Event], warnings: list[dict] = (), **_) -> Iterator[dict]:
        return (p.build() for p in pending(evs, warnings=warnings, shared={}))
    check.__name__ = pending.__name__.replace("_pending_", "check_")
    check.__doc__ = pending.__doc__
    return check


check_windows, check_cumulative, check_parts, check_stocks, check_dates, check_sources = (
    _built(PENDING[name]) for name in CHECKS)
RUNS = {"windows": check_windows, "cumulative": check_cumulative, "parts": check_parts,
        "stocks": check_stocks, "dates": check_dates, "sources": check_sources}
RANK = {"conflict": 0, "gap": 1, "agrees": 2}      # the order a table shows them in


# Each check's time alone at 1M figures (seconds, on the benchmark's database), and windows
# and cumulative together (they share the batch sums): two processes take about half each.
_CHECK_COSTS = {"windows": 1.0, "cumulative": 1.0, "parts": 0.55, "stocks": 1.3, "dates": 0.4, "sources": 0.8}
_WINDOWS_AND_CUMULATIVE = 1.35
FORK_AT = 100_000         # events (or figures, to group) from which the work is split between two processes


def run_checks(evs: list[Event], warnings: list[dict] = (), checks: Iterable[str] = (),
               categories: Iterable[str] = (), limit: int | None = None, jobs: int = 1,
               lazy: bool = False) -> list[dict]:
    """The chosen checks (all if none) over events: [{name, title, counts, findings}]. With
    `categories`, only findings about them (a report's warnings are about no category).

    Findings are in date order (start, end, category). With `limit`, each check keeps only
    the first `limit` findings in the order a table shows them (conflicts, then gaps, then
    agreeing ones, each in date order); its counts still count them all. Only the findings
    kept are written out (words, numbers, evidence), which is most of the work.

    With `jobs` of 2 or more, a `limit` and many events, half the checks run in a forked
    process (`tracker.beside`): the same result, in about half the time. Without a limit
    every finding would come back pickled, which costs more than it saves.

    `lazy`: each check's findings are an iterator that makes them one by one, as they are
    written out (a million figures give gigabytes of findings); the counts are known."""
    names = [c for c in CHECKS if c in set(checks)] or list(CHECKS)
    cats = set(categories)
    shared: dict = {}              # what several checks use, made once (in each process)

    def run(some: list[str]) -> dict[str, dict]:
        return {name: _run_check(name, evs, warnings, cats, limit, shared, lazy) for name in some}

    if jobs > 1 and limit is not None and not lazy and len(names) > 1 and len(evs) >= FORK_AT:
        mine, theirs = split_checks(names)
        done = beside(partial(run, theirs), partial(run, mine))
    else:
        done = run(names)
    return [done[name] for name in names]


def split_checks(names: list[str]) -> tuple[list[str], list[str]]:
    """The checks in two lists of about equal time; windows and cumulative share the batch
    sums, so they go together, weighed as one."""
    costs = {n: _CHECK_COSTS[n] for n in names}
    together = "windows" in costs and "cumulative" in costs
    if together:
        del costs["cumulative"]
        costs["windows"] = _WINDOWS_AND_CUMULATIVE
    first, second = halves(costs)
    if together:
        side = first if "windows" in first else second
        side.insert(side.index("windows") + 1, "cumulative")
    return first, second


def _run_check(name: str, evs: list[Event], warnings: list[dict], cats: set, limit: int | None,
               shared: dict, lazy: bool = False) -> dict:
    found = [p for p in PENDING[name](evs, warnings=warnings, shared=shared) if not cats or p.category in cats]
    keep(found)
    found.sort(key=lambda p: (p.start or "", p.end or "", p.category or ""))
    counts = dict.fromkeys(STATUSES, 0)
    for p in found:
        counts[p.status] += 1
    if limit is not None:           # a stable sort by rank, without sorting them all
        found = list(islice((p for status in RANK for p in found if p.status == status), limit))
    made = (p.build() for p in found)
    return {"name": name, "title": TITLES[name], "counts": counts, "findings": made if lazy else list(made)}


def reconcile(db: sqlite_utils.Database, since: date | None = None, until: date | None = None,
              categories: Iterable[str] = (), checks: Iterable[str] = (),
              tolerance: float = TOLERANCE, limit: int | None = None, jobs: int = 1, lazy: bool = False) -> dict:
    """Run the checks over the events of [since, until]:
    {since, until, tolerance, counts: {agrees, gap, conflict}, checks: [{name, title, counts, findings}]}.
    With `limit`, each check lists only its first `limit` findings as a table shows them
    (conflicts first; see `run_checks`), which is much quicker on large databases. With
    `jobs` 2 or more, large databases are grouped and checked in two processes. With
    `lazy`, each check's findings are an iterator, made (and their evidence words read)
    as they are consumed, while `db` is still open: for writing out very many.

    With `jobs` 2 or more and a `limit`, a large database is reconciled in a forked
    process that sends back only the result: the million figures and events it made are
    not freed one by one (half a second), and this process stays small."""
    checks, categories = tuple(checks), tuple(categories)      # (read more than once)
    unknown = set(checks) - set(CHECKS)
    if unknown:
        raise ValueError(f"unknown check {sorted(unknown)[0]!r}; expected one of {', '.join(CHECKS)}")
    path = _table_file(db, jobs, limit, lazy)
    if path and (db.execute("SELECT max(rowid) FROM figures").fetchone()[0] or 0) >= FORK_AT:
        with forked(partial(_reconcile_apart, path, since, until, categories, checks, tolerance, limit, jobs)) as result:
            return result()
    return _reconcile(db, since, until, categories, checks, tolerance, limit, jobs, lazy)


def _table_file(db: sqlite_utils.Database, jobs: int, limit: int | None, lazy: bool) -> str | None:
    """`_file(db)` where a table's work may be shared with another process: two jobs or
    more, a limit (only the findings shown come back), not lazy."""
    return _file(db) if jobs > 1 and limit is not None and not lazy else None


def _reconcile_apart(path: str, *args) -> dict:
    """(In the forked process of `reconcile`.) `_reconcile` through a connection of its own."""
    return _reconcile(_read_only(path), *args)


def _read_only(path: str) -> sqlite_utils.Database:
    import sqlite_utils

    return sqlite_utils.Database(read_only(path))


def _reconcile(db: sqlite_utils.Database, since: date | None, until: date | None, categories: Iterable[str],
               checks: Iterable[str], tolerance: float, limit: int | None, jobs: int, lazy: bool = False) -> dict:
    with _gc_paused():
        path = _table_file(db, jobs, limit, lazy)
        version = _data_version(db) if path else 0
        theirs = _categories_apart(db, since, until) if path else None
        results = _checked_apart(db, path, theirs, version, since, until, categories, checks, tolerance, limit) \
            if theirs else None
        if results is None:
            evs = grouped(db, since, until, tolerance, jobs)
            keep(evs)               # (in a forked process: not freed one by one, see `beside.keep`)
            warnings = load_warnings(db, since, until) if not checks or "dates" in checks else []
            results = run_checks(evs, warnings, checks, categories, limit, jobs, lazy)
        if lazy:
            for r in results:
                r["findings"] = _with_evidence(db, r["findings"])
        else:
            fill_evidence(db, _cited_sources(f for r in results for f in r["findings"]))
    counts = {s: sum(r["counts"][s] for r in results) for s in STATUSES}
    return {"since": since.isoformat() if since else None, "until": until.isoformat() if until else None,
            "tolerance": tolerance, "counts": counts, "checks": results}


# --- two processes, each with its own categories ---------------------------------------------------

# The share of the figures whose categories the other process groups and checks, at most.
CHECKED_ELSEWHERE = 0.55


def _categories_apart(db: sqlite_utils.Database, since: date | None, until: date | None) -> list[str] | None:
    """The categories the other process groups and checks: of those no figure of which is a
    part of another (no parent to wait for), the largest first, while they hold at most
    CHECKED_ELSEWHERE of the figures; None below FORK_AT figures, or if none is chosen."""
    counts: dict[str, int] = {}
    for _, category, n in _pair_counts(db, since, until):     # (by pair: quicker than by category alone)
        counts[category] = counts.get(category, 0) + n
    total = sum(counts.values())
    if total < FORK_AT:
        return None
    parted = {c for (c,) in db.execute(f"SELECT DISTINCT category FROM {_source(db)} WHERE parent_id IS NOT NULL")}
    theirs, taken = [], 0
    for n, category in sorted(((n, c) for c, n in counts.items() if c not in parted), reverse=True):
        if taken + n <= CHECKED_ELSEWHERE * total:
            theirs.append(category)
            taken += n
    return theirs or None


def _checked_apart(db: sqlite_utils.Database, path: str, theirs: list[str], version: int, since: date | None,
                   until: date | None, categories: Iterable[str], checks: Iterable[str], tolerance: float,
                   limit: int) -> list[dict] | None:
    """`run_checks` over the events of [since, until] with a limit, in two processes: a
    forked one reads, groups and checks the figures of the categories `theirs`, this one
    all the others. Every check looks within one category, or at a part and its whole; the
    figures of `theirs` are no part of anything, so the other process has only to send the
    events here whose parts are here (their figures, and which of them joined which), then
    its events' sort keys, with which the events the findings of both cite get the
    numbers one run would give them. The first `limit` findings of each check, from both,
    are merged as `run_checks` orders them. None if the other process failed, or the
    database changed since `version`: then everything is done in one place."""
    with forked(partial(_checked_there, path, since, until, theirs, categories, checks, tolerance, limit),
                talk=True) as (result, channel):
        make = _fig_maker(db, tolerance)
        figs = make(db.execute(*_figures_sql(db, since, until, not_of=theirs)).fetchall())
        mine = len(figs)
        # The runs of the figures without a parent are all here: they are joined while the
        # other process reads and joins; the others may be parts of figures there.
        roots = [i for i, f in enumerate(figs) if f.parent is None]
        leader = list(range(mine))
        _join_level(figs, roots, leader, {}, tolerance)     # (no parent to look up: no positions needed)
        wholes = channel.receive()
        if wholes is None or _data_version(db) != version:
            return None                     # (what the other process finds is not used)
        joins, rows = wholes
        make(rows, figs)
        there = {figs[i].id: i for i in range(mine, len(figs))}
        leader.extend(range(mine, len(figs)))
        for fid, lid in joins.items():      # (joined there: their runs are all there)
            leader[there[fid]] = there[lid]
        evs, keys = _keyed_events(figs, *_leaders(figs, tolerance, joined=(chain(roots, there.values()), leader)))
        keep(evs)
        apart = set(theirs)             # (the events of these here are wholes: checked there)
        own_keys = [key for ev, key in zip(evs, keys) if ev.category not in apart]
        warnings = load_warnings(db, since, until) if not checks or "dates" in checks else []
        here = run_checks([ev for ev in evs if ev.category not in apart], warnings, checks, categories, limit)
        other = channel.receive()       # the other process's sort keys
        try:
            there = result()["checks"]
        except Exception:           # (a process killed: the work is done here)
            return None
    if other is None:
        return None
    _renumber(here, lambda n: bisect_left(own_keys, keys[n - 1]) + bisect_left(other, keys[n - 1]) + 1)
    _renumber(there, lambda n: n + bisect_left(own_keys, other[n - 1]))
    return _merged(here, there, limit)


def _checked_there(path: str, since: date | None, until: date | None, theirs: list[str], categories: Iterable[str],
                   checks: Iterable[str], tolerance: float, limit: int, channel: Channel) -> dict:
    """(In the forked process of `_checked_apart`.) Its half: {"checks": run_checks' result,
    its events numbered from 1 in date order}, after sending the events whose parts are
    elsewhere, then its events' sort keys."""
    db = _read_only(path)
    rows = db.execute(*_figures_sql(db, since, until, of=theirs)).fetchall()
    figs = _fig_maker(db, tolerance)(rows)
    leader, pos = _leaders(figs, tolerance)
    channel.send(_wholes(db, rows, figs, leader, pos))
    del rows
    evs, keys = _keyed_events(figs, leader, pos)
    keep(evs)
    channel.send(keys)
    return {"checks": run_checks(evs, [], checks, categories, limit)}


def _wholes(db: sqlite_utils.Database, rows: list[tuple], figs: list[Fig], leader: list[int],
            pos: dict[int, int]) -> tuple[dict[int, int], list[tuple]]:
    """The events here that figures elsewhere are parts of: ({figure id: its leader's id}
    for those that joined one, the rows of all their figures)."""
    parents = db.execute(f"SELECT DISTINCT parent_id FROM {_source(db)} WHERE parent_id IS NOT NULL")
    firsts = {leader[pos[p]] for (p,) in parents if p in pos}
    members = [i for i, first in enumerate(leader) if first in firsts]
    return {figs[i].id: figs[leader[i]].id for i in members if leader[i] != i}, [rows[i] for i in members]


def _renumber(results: list[dict], number: Callable[[int], int]) -> None:
    """Give the events the findings cite (numbered in one process) the numbers they have
    among the events of both: `number(n)` (only the cited ones: a few thousand, where
    numbering a million took half a second in each process)."""
    for check in results:
        for f in check["findings"]:
            for cited in f["evidence"]:
                cited["events"] = [number(n) for n in cited["events"]]


def _merged(here: list[dict], there: list[dict], limit: int) -> list[dict]:
    """The results of the same checks over two sets of categories, as one run over all of
    them gives them: counts added, the first `limit` findings as a table shows them."""
    out = []
    for a, b in zip(here, there):
        counts = {s: a["counts"][s] + b["counts"][s] for s in STATUSES}
        findings = list(islice(heapq.merge(a["findings"], b["findings"], key=_shown_order), limit))
        out.append({**a, "counts": counts, "findings": findings})
    return out


def _shown_order(f: dict) -> tuple:
    """The order `run_checks` keeps findings in with a limit (findings of two categories
    never tie)."""
    return RANK[f["status"]], f["start"] or "", f["end"] or "", f["category"] or ""


def _cited_sources(findings: Iterable[dict]) -> Iterator[dict]:
    return (src for f in findings for cited in f["evidence"] for src in cited["sources"])


def _with_evidence(db: sqlite_utils.Database, findings: Iterator[dict], chunk: int = 5000) -> Iterator[dict]:
    """Findings as they are made, their evidence words read a chunk at a time (the
    collector paused meanwhile, as while they were grouped)."""
    with _gc_paused():
        while True:
            batch = list(islice(findings, chunk))
            if not batch:
                return
            fill_evidence(db, _cited_sources(batch))
            yield from batch


def findings_rows(result: dict) -> Iterator[dict]:
    """`reconcile()` flattened to one row per finding, for CSV / JSON lines."""
    for check in result["checks"]:
        for f in check["findings"]:
            sources = [src for cited in f["evidence"] for src in cited["sources"]]
            yield {**f, "figure_ids": " ".join(str(x["figure"]) for x in sources if x["figure"] is not None),
                   "reports": " ".join(dict.fromkeys(x["path"] or x["report"][:12] for x in sources)),
                   "evidence": " | ".join(x["evidence"] or "" for x in sources)}


FINDING_COLUMNS = ["check", "status", "category", "start", "end", "message", "figure_ids", "reports", "evidence"]
