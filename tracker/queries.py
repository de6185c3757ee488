"""Questions asked of the record: what is stored, which figures, how many left since a date.

Pure functions over an open database (`tracker.store.open_db`) returning plain dicts
and lists, JSON-ready (ISO dates, numbers as numbers), so the CLI only prints.

`totals()` rules, per category:

* cumulative: the cumulative figure whose start is the `since` date, with the latest
  as-of date (`end`, at most `until`); ties go to the latest published report. If none
  starts on `since`, the nearest start before and the nearest after, each with its
  latest as-of date, are given with `match` "nearest_before" / "nearest_after".
* batches: figures of kind batch with since <= start and end <= until. A part (a
  figure with a parent) is counted only when its category differs from its parent's:
  "600 people including 20 fighters" adds 600 to people and 20 to fighters, while "20
  fighters including 6 Turkish fighters" adds only 20. Batches equal in kind,
  category, value, start and end are one batch, however many reports state it; its
  sources are all of them, and its low-high interval is the intersection of theirs
  (their hull if they disagree). Undated batches are not counted.
* intervals from qualifiers: exact [v, v]; approx [0.9v, 1.1v] (rounded outwards);
  more_than, at_least [v, None]; less_than, at_most [0, v]; range [v, high]. None
  means unbounded; a sum with any unbounded term is unbounded.
* gap: the cumulative value minus the stated values of the distinct batches inside the
  cumulative's own period (start to as-of date), so that both count the same days.
* stocks (only for `places`): per place and category, the stock figure with the latest
  as-of date (at most `until`) whose origin or destination contains the place text.
"""
from __future__ import annotations

from datetime import date, timedelta
from fractions import Fraction
from functools import lru_cache
from typing import TYPE_CHECKING, Iterable, Iterator

from .store import CATEGORIES, COUNTED_BATCH, HIGH_SQL, LOW_SQL, QUALIFIERS

if TYPE_CHECKING:  # sqlite_utils pulls in numpy: imported where a database is opened
    import sqlite_utils

ORDER = {c: i for i, c in enumerate(CATEGORIES)}

_FIGURE_COLUMNS = """
    f.report_id AS report, f.idx AS id, f.kind, f.category, f.value, f.high, f.qualifier,
    f.start, f."end", p.idx AS parent, f.origin, f.destination,
    f.evidence_text AS evidence, f.evidence_start, f.evidence_end,
    r.published, r.publisher, r.path, f.review
"""
# `effective_figures` (migration m003) is `figures` with the analysts' reviews applied:
# rejected figures left out, corrected fields replaced (tracker.reviews).
_FIGURE_FROM = """
    FROM effective_figures f
    JOIN reports r ON r.id = f.report_id
    LEFT JOIN figures p ON p.id = f.parent_id
"""


def _in(values: Iterable[str]) -> tuple[str, list]:
    values = list(values)
    return "(" + ", ".join("?" for _ in values) + ")", values


# --- reports and figures --------------------------------------------------------------

def overlapping(since: date | None, until: date | None, alias: str = "f") -> tuple[list[str], list]:
    """WHERE clauses (and their parameters) for figures whose period overlaps [since, until]."""
    where, params = [], []
    if since:
        where.append(f'coalesce({alias}."end", {alias}.start) >= ?')
        params.append(since.isoformat())
    if until:
        where.append(f'coalesce({alias}.start, {alias}."end") <= ?')
        params.append(until.isoformat())
    return where, params


def reports(db: sqlite_utils.Database, search: str | None = None) -> list[dict]:
    """Stored reports, oldest first; `search` is an FTS5 query over their text."""
    sql = ("SELECT r.published, r.publisher, r.language, "
           "(SELECT count(*) FROM figures WHERE report_id = r.id) AS figures, "
           "(SELECT count(*) FROM warnings WHERE report_id = r.id) AS warnings, "
           "r.path, r.id, r.published_from, r.ingested_at, r.extractor_version FROM reports r")
    params: list = []
    if search:
        sql += " WHERE r.rowid IN (SELECT rowid FROM reports_fts WHERE reports_fts MATCH ?)"
        params.append(search)
    sql += " ORDER BY r.published IS NULL, r.published, r.path, r.id"
    return list(db.query(sql, params))


# `figures` reads `figures` with the reviews joined (what the view `effective_figures` is:
# a figure with a reject is left out, a correction replaces value, high, qualifier and
# category), driven from the reports in the order it lists them (index idx_reports_order,
# migration m004): the first page is an index walk, not a sort of every figure. A figure's
# period can only overlap [since, until] if its report's first_day/last_day do.
_REVIEW_MATCH = ("v.report_id = f.report_id AND v.evidence_start IS f.evidence_start "
                 "AND v.evidence_end IS f.evidence_end AND (f.evidence_start IS NOT NULL OR v.figure_idx = f.idx)")
_LISTED_COLUMNS = """
    f.report_id AS report, f.idx AS id, f.kind, coalesce(v.category, f.category) AS category,
    coalesce(v.value, f.value) AS value, CASE WHEN v.qualifier IS NULL THEN f.high ELSE v.high END AS high,
    coalesce(v.qualifier, f.qualifier) AS qualifier, f.start, f."end", p.idx AS parent, f.origin, f.destination,
    f.evidence_text AS evidence, f.evidence_start, f.evidence_end, r.published, r.publisher, r.path,
    v.note AS review
"""
_LISTED_FROM = f"""
    FROM reports r CROSS JOIN figures f ON f.report_id = r.id
    LEFT JOIN reviews v ON {_REVIEW_MATCH}
    LEFT JOIN figures p ON p.id = f.parent_id
    WHERE (v.id IS NULL OR v.action = 'correct')
"""
# The listing order as a key without NULLs, for keyset paging (`after`): SQLite sorts NULL
# first, so a path sorts as (path IS NOT NULL, path).
_LISTED_KEY = ("(r.published IS NULL, coalesce(r.published, ''), r.path IS NOT NULL, coalesce(r.path, ''), "
               "r.id, f.idx)")


def listing_key(row: dict) -> tuple:
    """Where a row of `figures` stands in its order (give it as `after` for the next page)."""
    return (int(row["published"] is None), row["published"] or "", int(row["path"] is not None),
            row["path"] or "", row["report"], row["id"])


def figures(db: sqlite_utils.Database, kinds: Iterable[str] = (), categories: Iterable[str] = (),
            since: date | None = None, until: date | None = None, places: Iterable[str] = (),
            report: str | None = None, after: dict | None = None, limit: int | None = None) -> Iterator[dict]:
    """Stored figures (reviews applied), filtered; streamed in report date order (report
    published date, undated last, then path, report id and the figure's id in it).

    since/until keep figures whose period overlaps [since, until] (undated ones are
    dropped when either is given); places match origin or destination, case-insensitive
    substring; report is a sha256 prefix or the report path. Pages: `limit` rows, and
    `after` the last row of the previous page (keyset paging: the same rows as OFFSET).
    """
    where, params = [], []
    kinds, categories, places = list(kinds), list(categories), list(places)
    if kinds:
        sql, vals = _in(kinds)
        where.append(f"f.kind IN {sql}")
        params += vals
    if categories:
        sql, vals = _in(categories)
        where.append(f"coalesce(v.category, f.category) IN {sql}")
        params += vals
    period_where, period_params = overlapping(since, until)
    where += period_where
    params += period_params
    if since:
        where.append("r.last_day >= ?")
        params.append(since.isoformat())
    if until:
        where.append("r.first_day <= ?")
        params.append(until.isoformat())
    if places:
        where.append("(" + " OR ".join(
            "instr(lower(coalesce(f.origin, '') || ' | ' || coalesce(f.destination, '')), lower(?)) > 0"
            for _ in places) + ")")
        params += places
    if report:
        where.append("(substr(f.report_id, 1, length(?)) = ? OR r.path = ?)")
        params += [report.lower(), report.lower(), report]
    if after is not None:
        where.append(f"{_LISTED_KEY} > (?, ?, ?, ?, ?, ?)")
        params += list(listing_key(after))
    sql = f"SELECT {_LISTED_COLUMNS} {_LISTED_FROM}"
    if where:
        sql += " AND " + " AND ".join(where)
    sql += " ORDER BY r.published IS NULL, r.published, r.path, r.id, f.idx"
    if limit is not None:
        sql += " LIMIT ?"
        params.append(int(limit))
    return db.query(sql, params)


# --- intervals ----------------------------------------------------------------------------

@lru_cache(maxsize=64)
def _ratio(tolerance: float) -> tuple[int, int]:
    """The tolerance as an exact fraction (0.1 is 1/10), so integer intervals round outwards."""
    t = Fraction(str(tolerance))
    return t.numerator, t.denominator


def interval(qualifier: str, value, high=None, tolerance: float = 0.1) -> tuple:
    """The (low, high) a qualified figure allows; None is unbounded. `approx` is value ±
    tolerance, rounded outwards for integers (exact fractions, so 10% of 355 is 35.5)."""
    if qualifier == "approx":
        if isinstance(value, int):
            num, den = _ratio(tolerance)
            return value * (den - num) // den, -(-value * (den + num) // den)     # floor, ceil
        return value * (1 - tolerance), value * (1 + tolerance)
    if qualifier in ("more_than", "at_least"):
        return value, None
    if qualifier in ("less_than", "at_most"):
        return 0, value
    if qualifier == "range" and high is not None:
        return value, high
    return value, value


def _add(a, b):
    return None if a is None or b is None else a + b


# --- totals ---------------------------------------------------------------------------------

def _counted_batches(categories: Iterable[str], since: date, until: date | None) -> tuple[str, list]:
    """FROM/WHERE selecting the batches that count (see the module doc)."""
    cats, vals = _in(categories)
    until_s = until.isoformat() if until else None
    sql = f"""{_FIGURE_FROM}
        WHERE {COUNTED_BATCH} AND f.category IN {cats} AND f.start >= ?
          AND (? IS NULL OR coalesce(f."end", f.start) <= ?)"""
    return sql, vals + [since.isoformat(), until_s, until_s]


def distinct_batches(db: sqlite_utils.Database, since: date, until: date | None,
                     categories: Iterable[str], sources: bool = True) -> list[dict]:
    """Counted batches, one entry per distinct batch (category, value, start, end), with
    its low-high interval, its qualifiers and, if asked, its sources and their report count."""
    where, params = _counted_batches(categories, since, until)
    sql = f"""
        SELECT category, value, start, "end", group_concat(DISTINCT qualifier),
               max(low), min(low), min(high), max(high), sum(high IS NULL)
        FROM (SELECT f.category, f.value, f.start, f."end", f.qualifier,
                     {LOW_SQL} AS low, {HIGH_SQL} AS high {where})
        GROUP BY category, start, "end", value
    """
    batches = {}
    for category, value, start, end, quals, low_max, low_min, high_min, high_max, unbounded in db.execute(sql, params):
        low, high = low_max, high_min             # every source holds: intersect their intervals
        if high is not None and low > high:       # they disagree: keep everything they allow
            low, high = low_min, None if unbounded else high_max
        batches[(category, value, start, end)] = {
            "category": category, "value": value, "start": start, "end": end, "low": low, "high": high,
            "qualifiers": sorted(quals.split(","), key=QUALIFIERS.index)}
    if sources:
        sql = f"""
            SELECT f.category, f.value, f.start, f."end", f.report_id AS report, f.idx AS figure,
                   r.published, r.path, f.qualifier, f.high, f.origin, f.destination, f.evidence_text AS evidence
            {where}
            ORDER BY r.published, f.report_id, f.idx"""
        for row in db.query(sql, params):
            key = (row.pop("category"), row.pop("value"), row.pop("start"), row.pop("end"))
            batches[key].setdefault("sources", []).append(row)
        for batch in batches.values():
            batch["reports"] = len({s["report"] for s in batch["sources"]})
    out = list(batches.values())
    out.sort(key=lambda b: (ORDER.get(b["category"], 99), b["start"], b["end"] or "", b["value"]))
    return out


_BUCKET_SQL = {None: "NULL", "day": "f.start", "month": "substr(f.start, 1, 7) || '-01'",
               "week": "date(f.start, 'weekday 0', '-6 days')"}   # the Monday of its week


def _report_counts(db, categories: Iterable[str], since: date, until: date | None,
                   by: str | None = None) -> dict[tuple, int]:
    """How many reports the counted batches rest on, per (category, period or None)."""
    where, params = _counted_batches(categories, since, until)
    sql = f"SELECT f.category, {_BUCKET_SQL[by]}, count(DISTINCT f.report_id) {where} GROUP BY 1, 2"
    return {(category, period): n for category, period, n in db.execute(sql, params)}


def _sum(batches: list[dict], reports: int) -> dict:
    low, high, value = 0, 0, 0
    for b in batches:
        low, high, value = low + b["low"], _add(high, b["high"]), value + b["value"]
    return {"value": value, "low": low, "high": high, "count": len(batches), "reports": reports}


def _cumulative(db, category: str, since: date, until: date | None) -> list[dict]:
    base = f"""
        SELECT f.value, f.high, f.qualifier, f.start, f."end", f.report_id AS report, f.idx AS figure,
               f.evidence_text AS evidence, r.published, r.path
        {_FIGURE_FROM}
        WHERE f.kind = 'cumulative' AND f.category = ? AND (? IS NULL OR f."end" <= ?) AND {{cond}}
        ORDER BY {{order}}, f."end" DESC, r.published DESC LIMIT 1
    """
    until_s = until.isoformat() if until else None
    params = [category, until_s, until_s, since.isoformat()]
    queries = [("exact", "f.start = ?", "f.start")]
    found = []
    for match, cond, order in queries + [("nearest_before", "f.start < ?", "f.start DESC"),
                                         ("nearest_after", "f.start > ?", "f.start ASC")]:
        row = next(db.query(base.format(cond=cond, order=order), params), None)
        if row:
            row["match"] = match
            row["as_of"] = row["end"]
            found.append(row)
        if match == "exact" and found:
            break
    return found


def _stocks(db, places: list[str], categories: list[str], until: date | None) -> list[dict]:
    cats, vals = _in(categories)
    found: dict[tuple, dict] = {}
    for place in places:
        sql = f"""
            SELECT coalesce(f.destination, f.origin) AS place, f.category, f.value, f.high, f.qualifier,
                   f."end" AS as_of, f.report_id AS report, f.idx AS figure, f.evidence_text AS evidence,
                   r.published, r.path
            {_FIGURE_FROM}
            WHERE f.kind = 'stock' AND f.category IN {cats}
              AND instr(lower(coalesce(f.origin, '') || ' | ' || coalesce(f.destination, '')), lower(?)) > 0
              AND (? IS NULL OR f."end" <= ?)
            ORDER BY f."end" DESC, r.published DESC
        """
        until_s = until.isoformat() if until else None
        for row in db.query(sql, vals + [place, until_s, until_s]):
            found.setdefault((row["place"], row["category"]), row)
    return sorted(found.values(), key=lambda s: (s["place"] or "", ORDER.get(s["category"], 99)))


def _period(day: str, by: str) -> str:
    d = date.fromisoformat(day)
    if by == "week":
        d -= timedelta(days=d.weekday())
    elif by == "month":
        d = d.replace(day=1)
    return d.isoformat()


def series(batches: list[dict], by: str, reports: dict[str, int]) -> list[dict]:
    """Distinct batch sums per day, week (starting Monday) or month, by batch start date;
    `reports` is the number of reports per period."""
    buckets: dict[str, list] = {}
    for b in batches:
        buckets.setdefault(_period(b["start"], by), []).append(b)
    return [{"period": period, **_sum(group, reports.get(period, 0))} for period, group in sorted(buckets.items())]


def totals(db: sqlite_utils.Database, since: date, until: date | None = None,
           categories: Iterable[str] = (), places: Iterable[str] = (), by: str | None = None,
           details: bool = True) -> dict:
    """How many left since `since`: per category the cumulative figure, the distinct batch
    sum, their gap, and optionally the series `by` day/week/month; stocks at `places`.
    With details=False the list of distinct batches and their sources is left out (fast on
    very large databases)."""
    asked = list(categories)
    cats = asked or [c for c in CATEGORIES if c != "km2"]
    result = None if details else _summary_totals(db, since, until, cats, asked, by)
    if result is None:
        result = _listed_totals(db, since, until, cats, asked, by, details)
    out = {"since": since.isoformat(), "until": until.isoformat() if until else None, "categories": result}
    places = list(places)
    if places:
        out["stocks"] = _stocks(db, places, cats, until)
    return out


def _listed_totals(db, since: date, until: date | None, cats: list[str], asked: list[str], by: str | None,
                   details: bool) -> list[dict]:
    """totals' categories from the list of distinct batches (what --summary leaves out)."""
    batches = distinct_batches(db, since, until, cats, sources=details)
    reports = _report_counts(db, cats, since, until)
    per_period = _report_counts(db, cats, since, until, by) if by else {}
    result = []
    for category in cats:
        mine = [b for b in batches if b["category"] == category]
        cumulative = _cumulative(db, category, since, until)
        if not (mine or cumulative or category in asked):
            continue
        entry = {"category": category, "cumulative": cumulative,
                 "batches": _sum(mine, reports.get((category, None), 0)), "gap": None}
        if details:
            entry["batches"]["items"] = mine
        if cumulative:
            c = cumulative[0]
            inside = [b for b in mine if b["start"] >= c["start"]
                      and (c["end"] is None or (b["end"] or b["start"]) <= c["end"])]
            entry["gap"] = _gap(c, sum(b["value"] for b in inside), len(inside))
        if by:
            entry["series"] = series(mine, by, {p: n for (c, p), n in per_period.items() if c == category})
        result.append(entry)
    return result


def _summary_totals(db, since: date, until: date | None, cats: list[str], asked: list[str],
                    by: str | None) -> list[dict] | None:
    """totals' categories from the summary `batch_days` (migration m004): sums of distinct
    batches per category and period, added up here; the same numbers as `_listed_totals`.
    None when a batch in range has a non-integer number (those sums are then made in the
    order `_listed_totals` adds them, so that floating point gives the very same result)."""
    marks, vals = _in(cats)
    until_s = until.isoformat() if until else None
    rows = db.execute(f"""
        SELECT category, start, stop, groups, value, low, high, unbounded, floats FROM batch_days
        WHERE category IN {marks} AND start >= ? AND (? IS NULL OR stop <= ?)""",
                      vals + [since.isoformat(), until_s, until_s]).fetchall()
    if any(row[8] for row in rows):
        return None
    if until is None:
        reports = {(category, None): n for category, n in db.execute(
            f"SELECT category, sum(reports) FROM batch_report_days WHERE category IN {marks} AND last >= ? "
            "GROUP BY category", vals + [since.isoformat()])}
    else:
        reports = _report_counts(db, cats, since, until)
    per_period = _report_counts(db, cats, since, until, by) if by else {}
    mine: dict[str, list] = {}
    for row in rows:
        mine.setdefault(row[0], []).append(row)
    result = []
    for category in cats:
        days = mine.get(category, [])
        cumulative = _cumulative(db, category, since, until)
        if not (days or cumulative or category in asked):
            continue
        entry = {"category": category, "cumulative": cumulative,
                 "batches": _day_sum(days, reports.get((category, None), 0)), "gap": None}
        if cumulative:
            c = cumulative[0]
            inside = [d for d in days if d[1] >= c["start"] and (c["end"] is None or d[2] <= c["end"])]
            entry["gap"] = _gap(c, sum(d[4] for d in inside), sum(d[3] for d in inside))
        if by:
            buckets: dict[str, list] = {}
            for d in days:
                buckets.setdefault(_period(d[1], by), []).append(d)
            entry["series"] = [{"period": period, **_day_sum(group, per_period.get((category, period), 0))}
                               for period, group in sorted(buckets.items())]
        result.append(entry)
    return result


def _gap(cumulative: dict, counted, count: int) -> dict:
    """The cumulative figure against the distinct batches inside its own period."""
    return {"value": cumulative["value"] - counted, "cumulative": cumulative["value"], "batches": counted,
            "batch_count": count, "start": cumulative["start"], "end": cumulative["end"]}


def _day_sum(days: list[tuple], reports: int) -> dict:
    """`_sum` over rows of batch_days (category, start, stop, groups, value, low, high, unbounded)."""
    return {"value": sum(d[4] for d in days), "low": sum(d[5] for d in days),
            "high": None if any(d[7] for d in days) else sum(d[6] for d in days),
            "count": sum(d[3] for d in days), "reports": reports}


def totals_rows(result: dict) -> Iterator[dict]:
    """`totals()` flattened to rows for CSV / JSON lines, each with a `section`:
    total (one per category), batch (one per distinct batch), series, stock."""
    for entry in result["categories"]:
        cat = entry["category"]
        cum = entry["cumulative"][0] if entry["cumulative"] else {}
        b = entry["batches"]
        yield {"section": "total", "category": cat,
               "cumulative": cum.get("value"), "cumulative_qualifier": cum.get("qualifier"),
               "cumulative_start": cum.get("start"), "as_of": cum.get("end"), "match": cum.get("match"),
               "report": cum.get("report"), "path": cum.get("path"),
               "value": b["value"], "low": b["low"], "high": b["high"], "batches": b["count"],
               "reports": b["reports"], "gap": entry["gap"]["value"] if entry["gap"] else None}
        for item in b.get("items", []):
            yield {"section": "batch", "category": cat, "start": item["start"], "end": item["end"],
                   "value": item["value"], "low": item["low"], "high": item["high"],
                   "qualifier": "/".join(item["qualifiers"]), "reports": item["reports"],
                   "report": ",".join(s["report"] for s in item["sources"]),
                   "path": ",".join(s["path"] or "" for s in item["sources"])}
        for point in entry.get("series", []):
            yield {"section": "series", "category": cat, "start": point["period"], "value": point["value"],
                   "low": point["low"], "high": point["high"], "batches": point["count"],
                   "reports": point["reports"]}
    for stock in result.get("stocks", []):
        yield {"section": "stock", "category": stock["category"], "place": stock["place"],
               "value": stock["value"], "qualifier": stock["qualifier"], "as_of": stock["as_of"],
               "report": stock["report"], "path": stock["path"]}


TOTALS_COLUMNS = ["section", "category", "place", "cumulative", "cumulative_qualifier", "cumulative_start",
                  "as_of", "match", "start", "end", "value", "qualifier", "low", "high", "batches",
                  "reports", "gap", "report", "path"]
