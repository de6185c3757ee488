"""Rows for exports that travel: CSV, HXL (CSV with a hashtag row, for HDX) and JSON lines.

    >>> rows = figure_rows(db, since=date(2019, 3, 1), categories=["people"])
    >>> hxl = hxl_rows(rows)          # the same rows with the value split by unit
    >>> [HXL_TAGS[c] for c in HXL_FIGURE_COLUMNS]

One row per figure (`figure_rows`) or per event, the grouped figure of reconcile
(`event_rows`, from `tracker.reconcile.events`). Every row names its source report,
publisher, published date and evidence words. Values stay numbers, dates ISO; the
writer (the CLI's `emit`) neutralises cells that a spreadsheet would run as formulas.
"""
from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Iterator

from . import queries

if TYPE_CHECKING:  # sqlite_utils pulls in numpy: imported where a database is opened
    import sqlite_utils

# Categories counted in households; the others count people, except the area in km2.
HOUSEHOLD_CATEGORIES = {"families"}
AREA_CATEGORIES = {"km2"}

FIGURE_COLUMNS = ["id", "kind", "category", "value", "qualifier", "low", "high", "start", "end",
                  "published", "origin", "destination", "parent", "publisher", "source", "report",
                  "evidence"]

# HXL: the value goes to the column of its unit, so that an HDX tool summing
# #affected+displaced+ind never adds households to people.
VALUE_COLUMNS = ["displaced_ind", "displaced_hh", "area_km2"]

HXL_TAGS = {
    "id": "#meta+id",
    "event": "#meta+id",
    "kind": "#meta+kind",
    "category": "#group+category",
    "value": "#affected+displaced",
    "displaced_ind": "#affected+displaced+ind",
    "displaced_hh": "#affected+displaced+hh",
    "area_km2": "#indicator+area+km2",
    "qualifier": "#meta+qualifier",
    "low": "#meta+low",
    "high": "#meta+high",
    "start": "#date+start",
    "end": "#date+end",
    "published": "#date+reported",
    "origin": "#loc+name+origin",
    "destination": "#loc+name+dest",
    "parent": "#meta+parent",
    "publisher": "#org+name+publisher",
    "source": "#meta+source",
    "report": "#meta+report",
    "reports": "#meta+reports",
    "figures": "#meta+figures",
    "evidence": "#description+evidence",
    "status": "#status",
    "conflict": "#meta+conflict",
}


def hxl_columns(columns: list[str]) -> list[str]:
    """`columns` with `value` replaced by one column per unit."""
    out = []
    for column in columns:
        out.extend(VALUE_COLUMNS if column == "value" else [column])
    return out


def hxl_tag_row(columns: list[str]) -> dict:
    """The second row of an HXL file: one hashtag per column."""
    return {c: HXL_TAGS.get(c, "#meta+" + "".join(ch for ch in c if ch.isalnum())) for c in columns}


def unit_column(category: str) -> str:
    if category in HOUSEHOLD_CATEGORIES:
        return "displaced_hh"
    if category in AREA_CATEGORIES:
        return "area_km2"
    return "displaced_ind"


def hxl_rows(rows: Iterable[dict]) -> Iterator[dict]:
    """Rows with `value` moved to the column of its unit (`unit_column`)."""
    for row in rows:
        row = dict(row)
        value = row.pop("value", None)
        row[unit_column(row.get("category") or "")] = value
        yield row


def _figure_id(report: str, idx) -> str | None:
    return None if idx is None else f"{report[:16]}-{idx}"


def source_name(path: str | None, report: str) -> str:
    """A report as people know it: its file name, else the start of its sha256."""
    return Path(path).name if path else report[:12]


def figure_rows(db: sqlite_utils.Database, since: date | None = None, until: date | None = None,
                categories: Iterable[str] = (), kinds: Iterable[str] = ()) -> Iterator[dict]:
    """One row per stored figure whose period overlaps [since, until] (as `tracker figures`),
    in report date order: FIGURE_COLUMNS."""
    for f in queries.figures(db, kinds, categories, since, until):
        low, high = queries.interval(f["qualifier"], f["value"], f["high"])
        yield {"id": _figure_id(f["report"], f["id"]), "kind": f["kind"], "category": f["category"],
               "value": f["value"], "qualifier": f["qualifier"], "low": low, "high": high,
               "start": f["start"], "end": f["end"], "published": f["published"],
               "origin": f["origin"], "destination": f["destination"],
               "parent": _figure_id(f["report"], f["parent"]), "publisher": f["publisher"],
               "source": source_name(f["path"], f["report"]), "report": f["report"],
               "evidence": f["evidence"]}


# --- events (reconcile) --------------------------------------------------------------------------

EVENT_COLUMNS = ["event", "kind", "category", "value", "qualifier", "low", "high", "start", "end",
                 "published", "origin", "destination", "parent", "reports", "publisher", "source", "report",
                 "evidence"]


def _joined(values: Iterable, sep: str = "; ") -> str | None:
    unique = list(dict.fromkeys(v for v in values if v))
    return sep.join(unique) if unique else None


def event_rows(db: sqlite_utils.Database, since: date | None = None, until: date | None = None,
               categories: Iterable[str] = ()) -> Iterator[dict]:
    """One row per event (reconcile's grouped figure, a batch told by three reports is one
    row): EVENT_COLUMNS. `published` is the first report's date; `source`, `report`,
    `publisher` and `evidence` list every source, first reported first."""
    from .reconcile import events
    for e in events(db, since=since, until=until, categories=tuple(categories)):
        sources = sorted(e["sources"], key=lambda s: (s["published"] or "9999", s["report"], s["idx"]))
        yield {"event": e["event"], "kind": e["kind"], "category": e["category"], "value": e["value"],
               "qualifier": e["qualifier"], "low": e["low"], "high": e["up"], "start": e["start"],
               "end": e["end"], "published": next((s["published"] for s in sources if s["published"]), None),
               "origin": e["origin"], "destination": e["destination"], "parent": e["parent"],
               "reports": e["reports"], "publisher": _joined(s["publisher"] for s in sources),
               "source": _joined(source_name(s["path"], s["report"]) for s in sources),
               "report": _joined(s["report"] for s in sources),
               "evidence": _joined((s["evidence"] for s in sources), " | ")}
