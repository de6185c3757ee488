"""Is a tracker database sound? The checks behind `tracker check`.

    >>> result = check_database("tracker.db")
    >>> result["ok"], [(c["name"], c["ok"]) for c in result["checks"]]

The database is opened without migrating it and with `PRAGMA query_only`, so checking
never changes it. The checks, each {"name", "ok", "count", "problems", "note"}:

* integrity: SQLite's `PRAGMA integrity_check` (pages, indexes).
* schema: the migrations recorded in `_migrations` against those this tracker knows:
  a newer one, or a table or column missing, is a problem; an older schema is only a
  note (the next tracker command upgrades it).
* orphans: figures and warnings whose report is not stored, figures whose parent is
  missing or belongs to another report, and any other row `PRAGMA foreign_key_check`
  finds (tables added by later migrations).
* vocabulary: figures whose kind, category or qualifier is not one tracker knows.
* reports: reports whose id is not the sha256 of their stored text (the text was
  changed after it was stored).
* evidence: figures whose evidence is not the stored report text at its offsets
  (text[start:end] != evidence_text). Reports stored without text (jsonl documents
  without "text") cannot be checked and are counted in the note.
* summaries: the per-day sums `totals --summary` reads (migration m004) against what the
  figures and reviews give; rows changed by hand leave them stale, and
  `repair_summaries` makes them again.

`problems` lists at most `limit` examples per check; `count` is the full number.
"""
from __future__ import annotations

import sqlite3
from pathlib import Path

from .reader import text_sha256
from .store import (BUSY_TIMEOUT_SECONDS, CATEGORIES, KINDS, MIGRATIONS, QUALIFIERS, SUMMARIES, NoDatabase,
                    StoreError)

EXPECTED_COLUMNS = {
    "reports": {"id", "path", "published", "published_from", "language", "publisher", "text", "ingested_at",
                "extractor_version"},
    "figures": {"id", "report_id", "idx", "parent_id", "kind", "category", "value", "high", "qualifier", "start",
                "end", "origin", "destination", "evidence_text", "evidence_start", "evidence_end"},
    "warnings": {"id", "report_id", "message"},
    "_migrations": {"name", "applied_at"},
}
COLUMNS_OF_MIGRATION = {         # expected once the migration is applied (an older database lacks them)
    "m004_fast_queries": {"reports": {"first_day", "last_day"},
                          "batch_days": {"category", "start", "end_key", "stop", "groups", "value", "low", "high",
                                         "unbounded", "floats"},
                          "batch_report_days": {"category", "last", "reports"}},
}


def connect_readonly(path: str | Path) -> sqlite3.Connection:
    """A connection that never writes (no migration, query_only); NoDatabase if missing."""
    path = str(path)
    if path != ":memory:" and not Path(path).is_file():
        raise NoDatabase(f"no database at {path}; store reports first with `tracker ingest REPORT...`")
    try:
        conn = sqlite3.connect(path, isolation_level=None, timeout=BUSY_TIMEOUT_SECONDS)
        conn.execute("PRAGMA query_only = ON")
        conn.execute("PRAGMA schema_version").fetchone()     # reads the header: is it SQLite at all?
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"{path}: is not an SQLite database ({exc})") from None
    return conn


def _check(name: str, problems: list[str], count: int | None = None, note: str | None = None) -> dict:
    count = len(problems) if count is None else count
    return {"name": name, "ok": count == 0, "count": count, "problems": problems, "note": note}


def _run(name: str, fn, conn: sqlite3.Connection, limit: int) -> dict:
    try:
        return fn(conn, limit)
    except sqlite3.DatabaseError as exc:               # a damaged file: the check itself fails
        return _check(name, [f"cannot be checked: {exc}"])


def check_integrity(conn: sqlite3.Connection, limit: int = 20) -> dict:
    rows = [r[0] for r in conn.execute("PRAGMA integrity_check")]
    problems = [] if rows == ["ok"] else rows
    return _check("integrity", problems[:limit], len(problems))


def _columns(conn: sqlite3.Connection, table: str) -> set[str]:
    return {row[1] for row in conn.execute("SELECT * FROM pragma_table_info(?)", [table])}


def check_schema(conn: sqlite3.Connection, limit: int = 20) -> dict:
    known = [m.__name__ for m in MIGRATIONS]
    problems, note = [], None
    if not _columns(conn, "_migrations"):
        return _check("schema", ["no _migrations table: not a tracker database"])
    applied = [r[0] for r in conn.execute("SELECT name FROM _migrations ORDER BY name")]
    newer = [name for name in applied if name not in known]
    if newer:
        problems.append(f"written by a newer tracker (migration {newer[-1]}); upgrade tracker to use it")
    missing = [name for name in known if name not in applied]
    if missing and not newer:
        note = f"older schema, missing {', '.join(missing)}; the next tracker command upgrades it"
    expected = {table: set(columns) for table, columns in EXPECTED_COLUMNS.items()}
    for name in applied:
        for table, columns in COLUMNS_OF_MIGRATION.get(name, {}).items():
            expected.setdefault(table, set()).update(columns)
    for table, wanted in expected.items():
        have = _columns(conn, table)
        if not have:
            problems.append(f"table {table} is missing")
        elif wanted - have:
            problems.append(f"table {table} lacks column(s) {', '.join(sorted(wanted - have))}")
    if not newer and not missing:
        note = f"up to date: {known[-1]}"
    return _check("schema", problems[:limit], len(problems), note)


def check_orphans(conn: sqlite3.Connection, limit: int = 20) -> dict:
    queries = [
        ("figure {} has no report {}",
         "SELECT f.id, f.report_id FROM figures f LEFT JOIN reports r ON r.id = f.report_id WHERE r.id IS NULL"),
        ("warning {} has no report {}",
         "SELECT w.id, w.report_id FROM warnings w LEFT JOIN reports r ON r.id = w.report_id WHERE r.id IS NULL"),
        ("figure {} has a missing parent {}",
         "SELECT f.id, f.parent_id FROM figures f LEFT JOIN figures p ON p.id = f.parent_id "
         "WHERE f.parent_id IS NOT NULL AND p.id IS NULL"),
        ("figure {} has a parent in another report ({})",
         "SELECT f.id, p.report_id FROM figures f JOIN figures p ON p.id = f.parent_id "
         "WHERE p.report_id != f.report_id"),
    ]
    problems, count = [], 0
    for message, sql in queries:
        for a, b in conn.execute(sql):
            count += 1
            if len(problems) < limit:
                problems.append(message.format(a, b))
    for table, rowid, parent, _ in conn.execute("PRAGMA foreign_key_check"):
        if table not in ("figures", "warnings"):        # other tables added by later migrations
            count += 1
            if len(problems) < limit:
                problems.append(f"{table} row {rowid} has no {parent} row")
    return _check("orphans", problems, count)


def check_vocabulary(conn: sqlite3.Connection, limit: int = 20) -> dict:
    problems, count = [], 0
    for column, allowed in (("kind", KINDS), ("category", CATEGORIES), ("qualifier", QUALIFIERS)):
        marks = ", ".join("?" for _ in allowed)
        sql = f"SELECT {column}, count(*) FROM figures WHERE {column} IS NULL OR {column} NOT IN ({marks}) GROUP BY 1"
        for value, n in conn.execute(sql, list(allowed)):
            count += n
            problems.append(f"{n} figure(s) with unknown {column} {value!r}")
    return _check("vocabulary", problems[:limit], count)


def check_reports(conn: sqlite3.Connection, limit: int = 20) -> dict:
    problems, count = [], 0
    for report_id, path, text in conn.execute("SELECT id, path, text FROM reports WHERE text IS NOT NULL"):
        if text_sha256(text) != report_id:
            count += 1
            if len(problems) < limit:
                problems.append(f"report {report_id[:12]} ({path}): its text is not the text it was stored with "
                                "(id is not the sha256 of the text)")
    return _check("reports", problems, count)


def check_evidence(conn: sqlite3.Connection, limit: int = 20) -> dict:
    """Per report: its text once, then its figures' evidence slices (memory: one report)."""
    problems, count, checked, unchecked = [], 0, 0, 0
    reports = conn.execute("SELECT id, path FROM reports ORDER BY id").fetchall()
    for report_id, path in reports:
        row = conn.execute("SELECT text FROM reports WHERE id = ?", [report_id]).fetchone()
        text = row[0] if row else None
        figures = conn.execute(
            "SELECT idx, evidence_text, evidence_start, evidence_end FROM figures WHERE report_id = ? "
            "AND (evidence_start IS NOT NULL OR coalesce(evidence_text, '') != '') ORDER BY idx", [report_id])
        for idx, ev_text, start, end in figures:
            if text is None:
                unchecked += 1
                continue
            checked += 1
            if isinstance(start, int) and isinstance(end, int) and 0 <= start <= end <= len(text) \
                    and text[start:end] == (ev_text or ""):
                continue
            count += 1
            if len(problems) < limit:
                found = text[start:end] if isinstance(start, int) and isinstance(end, int) else None
                problems.append(f"report {report_id[:12]} ({path}) figure {idx}: evidence {ev_text!r} "
                                f"but the text at {start}:{end} is {found!r}")
    note = f"{checked} figure(s) checked"
    if unchecked:
        note += f"; {unchecked} not checked (their report text is not stored)"
    return _check("evidence", problems, count, note)


def check_summaries(conn: sqlite3.Connection, limit: int = 20) -> dict:
    """Rows of each summary table that the figures do not give, and rows they give that are missing."""
    if not _columns(conn, "batch_days"):
        return _check("summaries", [], note="none yet (older schema)")
    problems, count = [], 0
    for table, select in SUMMARIES.items():
        for label, sql in ((f"{table} has a stale row", f"SELECT * FROM {table} EXCEPT {select}"),
                           (f"{table} lacks a row", f"{select} EXCEPT SELECT * FROM {table}")):
            for row in conn.execute(sql):
                count += 1
                if len(problems) < limit:
                    problems.append(f"{label} {tuple(row)!r}")
    note = "totals --summary would be wrong: `tracker check --repair` makes them again" if count else None
    return _check("summaries", problems, count, note)


CHECKS = [("integrity", check_integrity), ("schema", check_schema), ("orphans", check_orphans),
          ("vocabulary", check_vocabulary), ("reports", check_reports), ("evidence", check_evidence),
          ("summaries", check_summaries)]


def repair_summaries(path: str | Path) -> None:
    """Make the summary tables again from the figures, in one transaction (migrating first)."""
    from .store import open_db, rebuild_summaries, write_transaction

    db = open_db(path, create=False)
    try:
        with write_transaction(db):
            rebuild_summaries(db)
    finally:
        db.close()


def check_database(path: str | Path, limit: int = 20, names: list[str] | None = None) -> dict:
    """Run every check (or those `names`) on the database at `path`: {"database", "ok", "checks": [...]}.

    Raises NoDatabase if the file is missing, StoreError if it is not an SQLite database."""
    conn = connect_readonly(path)
    try:
        results = [_run(name, fn, conn, limit) for name, fn in CHECKS if names is None or name in names]
    finally:
        conn.close()
    return {"database": str(path), "ok": all(c["ok"] for c in results), "checks": results}
