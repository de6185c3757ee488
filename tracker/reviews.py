"""Analyst corrections to extracted figures, kept apart from them.

    >>> review(db, "17", reject=True, note="a count of trucks, not people")
    >>> review(db, "a3f9c2:4", value=400, qualifier="approx", note="the body says about 400")

A review is stored in `reviews` (migration m003) against its figure's report and
evidence span, not against the figure's row id, because `reextract` replaces figure rows:
the review applies again to whatever figure the extractor finds at the same words. The
view `effective_figures` applies them (a reject removes the figure; a correction replaces
value / high / qualifier / category), and `queries.figures`, `queries.totals` and
`reconcile` read that view. One review per figure: a new one replaces the last.
"""
from __future__ import annotations

from datetime import datetime, timezone
from typing import TYPE_CHECKING

from .store import CATEGORIES, QUALIFIERS, StoreError, keeping_summaries, write_transaction

if TYPE_CHECKING:  # sqlite_utils pulls in numpy: imported where a database is opened
    import sqlite_utils


class ReviewError(StoreError):
    """A review that cannot be made (unknown figure, contradictory fields); one line for the user."""


def find_figure(db: sqlite_utils.Database, ref: str) -> dict:
    """The stored figure named by `ref`: its row id ("17", as `tracker events` and
    `tracker reconcile` show it) or REPORT:IDX, where REPORT is a sha256 prefix, the stored
    path or its file name and IDX the figure's id within the report (as `tracker figures` shows)."""
    ref = ref.strip()
    base = ("SELECT f.id, f.report_id, f.idx, f.kind, f.category, f.value, f.high, f.qualifier, f.start, "
            'f."end", f.evidence_text, f.evidence_start, f.evidence_end, r.path FROM figures f '
            "JOIN reports r ON r.id = f.report_id ")
    if ref.isdigit():
        row = next(db.query(base + "WHERE f.id = ?", [int(ref)]), None)
        if row is None:
            raise ReviewError(f"no figure {ref}; see the figure ids in `tracker events` or `tracker reconcile --json`")
        return row
    report, sep, idx = ref.rpartition(":")
    if not sep or not report or not idx.isdigit():
        raise ReviewError(f"{ref!r} is not a figure id; expected a number (17) or REPORT:IDX (a3f9c2:4)")
    rows = list(db.query(
        base + "WHERE f.idx = ? AND (substr(f.report_id, 1, length(?)) = ? OR r.path = ? "
               "OR r.path LIKE '%/' || ? ESCAPE '\\')",
        [int(idx), report.lower(), report.lower(), report, _like(report)]))
    reports = {r["report_id"] for r in rows}
    if not rows:
        raise ReviewError(f"no figure {idx} in a report {report!r} (sha256 prefix, path or file name)")
    if len(reports) > 1:
        raise ReviewError(f"{report!r} names {len(reports)} reports; give more of the sha256")
    return rows[0]


def _like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def review(db: sqlite_utils.Database, ref: str, note: str, reject: bool = False, value=None, high=None,
           qualifier: str | None = None, category: str | None = None) -> dict:
    """Record an analyst's correction of one figure (replacing any earlier one); return it."""
    if not note or not note.strip():
        raise ReviewError("a review needs a note saying why")
    changes = {"value": value, "high": high, "qualifier": qualifier, "category": category}
    if reject and any(v is not None for v in changes.values()):
        raise ReviewError("--reject takes no --value, --high, --qualifier or --category")
    if not reject and all(v is None for v in changes.values()):
        raise ReviewError("say what is wrong: --reject, or --value / --qualifier / --category")
    if qualifier is not None and qualifier not in QUALIFIERS:
        raise ReviewError(f"unknown qualifier {qualifier!r}; expected one of {', '.join(QUALIFIERS)}")
    if category is not None and category not in CATEGORIES:
        raise ReviewError(f"unknown category {category!r}; expected one of {', '.join(CATEGORIES)}")
    for name, v in (("value", value), ("high", high)):
        if v is not None and (isinstance(v, bool) or not isinstance(v, (int, float)) or v < 0):
            raise ReviewError(f"{name} must be a number of 0 or more, not {v!r}")
    if (qualifier == "range") != (high is not None):
        raise ReviewError("--high goes with --qualifier range, and range needs --high")
    fig = find_figure(db, ref)
    if high is not None and high < (value if value is not None else fig["value"]):
        raise ReviewError(f"--high {high} is below the value")
    with write_transaction(db), keeping_summaries(db, fig["report_id"]):
        db.execute(_SAME_FIGURE.format(action="DELETE"), _span(fig))
        cur = db.execute(
            "INSERT INTO reviews (report_id, evidence_start, evidence_end, figure_idx, evidence_text, action, "
            "value, high, qualifier, category, note, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [fig["report_id"], fig["evidence_start"], fig["evidence_end"], fig["idx"], fig["evidence_text"],
             "reject" if reject else "correct", value, high, qualifier, category, note.strip(),
             datetime.now(timezone.utc).isoformat(timespec="seconds")])
    return next(r for r in reviews(db) if r["id"] == cur.lastrowid)


# The reviews of the figure at one report and evidence span (its index when it has no span).
_SAME_FIGURE = ("{action} FROM reviews WHERE report_id = ? AND evidence_start IS ? AND evidence_end IS ? "
                "AND (evidence_start IS NOT NULL OR figure_idx = ?)")


def _span(fig: dict) -> list:
    return [fig["report_id"], fig["evidence_start"], fig["evidence_end"], fig["idx"]]


def unreview(db: sqlite_utils.Database, ref: str) -> int:
    """Drop the review of a figure; return how many were dropped (0 or 1)."""
    fig = find_figure(db, ref)
    with write_transaction(db), keeping_summaries(db, fig["report_id"]):
        dropped = db.execute(_SAME_FIGURE.format(action="DELETE"), _span(fig)).rowcount
    return dropped


def reviews(db: sqlite_utils.Database) -> list[dict]:
    """Every review, oldest first, with the figure it applies to now (`figure` None when the
    current extraction has no figure at those words: the review then applies to nothing)."""
    sql = """
        SELECT v.id, v.created_at, v.action, v.value, v.high, v.qualifier, v.category, v.note,
               v.report_id AS report, r.path, r.published, v.evidence_text AS evidence,
               v.evidence_start, v.evidence_end,
               f.id AS figure, f.idx, f.kind, f.value AS extracted_value, f.high AS extracted_high,
               f.qualifier AS extracted_qualifier, f.category AS extracted_category
        FROM reviews v
        JOIN reports r ON r.id = v.report_id
        LEFT JOIN figures f ON f.report_id = v.report_id AND f.evidence_start IS v.evidence_start
             AND f.evidence_end IS v.evidence_end AND (f.evidence_start IS NOT NULL OR f.idx = v.figure_idx)
        ORDER BY v.created_at, v.id"""
    return list(db.query(sql))


REVIEW_COLUMNS = ["id", "created_at", "action", "value", "high", "qualifier", "category", "note", "report",
                  "path", "published", "evidence", "evidence_start", "evidence_end", "figure", "idx", "kind",
                  "extracted_value", "extracted_high", "extracted_qualifier", "extracted_category"]
