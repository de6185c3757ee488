"""The SQLite record: reports, their figures and warnings, created by numbered migrations.

    >>> db = open_db("tracker.db")              # creates and migrates if needed
    >>> save_document(db, extract(text), text)  # True if new, False if already stored

Every write is one `BEGIN IMMEDIATE` transaction per report, so a report is stored
whole or not at all, and several tracker processes can share one database (WAL mode,
busy timeout). Every SQL value is a parameter.
"""
from __future__ import annotations

import sqlite3
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterator

from . import __version__
from .reader import text_sha256

if TYPE_CHECKING:  # sqlite_utils pulls in numpy: imported where a database is opened
    import sqlite_utils

KINDS = ("batch", "window", "cumulative", "stock", "area")
CATEGORIES = ("people", "civilians", "fighters", "families", "women", "children",
              "women_children", "km2")
QUALIFIERS = ("exact", "approx", "more_than", "at_least", "less_than", "at_most", "range")
BUSY_TIMEOUT_SECONDS = 60


class StoreError(Exception):
    """A database that cannot be used; the message is one line for the user."""


class NoDatabase(StoreError):
    """The database file does not exist (queries never create one)."""


class SchemaTooNew(StoreError):
    """The database was migrated by a newer tracker than this one."""


class BadDocument(StoreError):
    """An extracted document that does not have the documented shape."""


# --- migrations -----------------------------------------------------------------------
# Each migration runs once, in order, inside the transaction that records it in
# `_migrations`. Never edit one that has shipped: add the next number instead.

def m001_initial(db: sqlite_utils.Database) -> None:
    db.execute("""
        CREATE TABLE reports (
            id TEXT PRIMARY KEY,            -- sha256 of the report text
            path TEXT,
            published TEXT,                 -- ISO date
            published_from TEXT,            -- option | text | filename
            language TEXT,
            publisher TEXT,
            text TEXT,
            ingested_at TEXT,               -- ISO timestamp, UTC
            extractor_version TEXT
        )""")
    db.execute("""
        CREATE TABLE figures (
            id INTEGER PRIMARY KEY,
            report_id TEXT NOT NULL REFERENCES reports(id) ON DELETE CASCADE,
            idx INTEGER NOT NULL,           -- the figure's id within its report (0-based)
            parent_id INTEGER REFERENCES figures(id) ON DELETE CASCADE,
            kind TEXT NOT NULL,
            category TEXT NOT NULL,
            value NUMERIC NOT NULL,
            high NUMERIC,
            qualifier TEXT NOT NULL,
            start TEXT,                     -- ISO date
            "end" TEXT,                     -- ISO date
            origin TEXT,
            destination TEXT,
            evidence_text TEXT,
            evidence_start INTEGER,         -- offsets into reports.text
            evidence_end INTEGER,
            UNIQUE (report_id, idx)
        )""")
    db.execute("""
        CREATE TABLE warnings (
            id INTEGER PRIMARY KEY,
            report_id TEXT NOT NULL REFERENCES reports(id) ON DELETE CASCADE,
            message TEXT NOT NULL
        )""")
    db["reports"].enable_fts(["text"], create_triggers=True,
                             tokenize="unicode61 remove_diacritics 2")


def m002_query_indexes(db: sqlite_utils.Database) -> None:
    db.execute('CREATE INDEX idx_figures_kind_category_start ON figures (kind, category, start, "end")')
    db.execute('CREATE INDEX idx_figures_kind_end ON figures (kind, "end")')
    db.execute("CREATE INDEX idx_figures_parent ON figures (parent_id)")
    db.execute("CREATE INDEX idx_warnings_report ON warnings (report_id)")
    db.execute("CREATE INDEX idx_reports_published ON reports (published)")


def m003_reviews(db: sqlite_utils.Database) -> None:
    """Analyst corrections, kept apart from extracted figures (which `reextract` replaces).

    A review names its figure by report and evidence span (the figure's index within the
    report when it has no span), so it still applies after re-extraction. The view
    `effective_figures` is `figures` with the reviews applied: rejected figures left out,
    value / high / qualifier / category overridden; queries read it instead of `figures`.
    """
    db.execute("""
        CREATE TABLE reviews (
            id INTEGER PRIMARY KEY,
            report_id TEXT NOT NULL REFERENCES reports(id) ON DELETE CASCADE,
            evidence_start INTEGER,         -- the reviewed figure's evidence span
            evidence_end INTEGER,
            figure_idx INTEGER,             -- its index when reviewed (the match when no span)
            evidence_text TEXT,
            action TEXT NOT NULL CHECK (action IN ('reject', 'correct')),
            value NUMERIC,                  -- NULL: keep the extracted one
            high NUMERIC,
            qualifier TEXT,
            category TEXT,
            note TEXT NOT NULL,
            created_at TEXT
        )""")
    db.execute("CREATE INDEX idx_reviews_span ON reviews (report_id, evidence_start, evidence_end)")
    # Two arms rather than one LEFT JOIN, so that filters on category, start and end still
    # reach the figures indexes: unreviewed figures as stored, then the corrected ones
    # (driven from the few reviews: CROSS JOIN keeps that order).
    match = ("v.report_id = f.report_id AND v.evidence_start IS f.evidence_start "
             "AND v.evidence_end IS f.evidence_end AND (f.evidence_start IS NOT NULL OR v.figure_idx = f.idx)")
    db.execute(f"""
        CREATE VIEW effective_figures AS
        SELECT f.id, f.report_id, f.idx, f.parent_id, f.kind, f.category, f.value, f.high, f.qualifier,
               f.start, f."end", f.origin, f.destination, f.evidence_text, f.evidence_start, f.evidence_end,
               NULL AS review_id, NULL AS review
        FROM figures f
        WHERE NOT EXISTS (SELECT 1 FROM reviews v WHERE {match})
        UNION ALL
        SELECT f.id, f.report_id, f.idx, f.parent_id, f.kind, coalesce(v.category, f.category),
               coalesce(v.value, f.value), CASE WHEN v.qualifier IS NULL THEN f.high ELSE v.high END,
               coalesce(v.qualifier, f.qualifier), f.start, f."end", f.origin, f.destination,
               f.evidence_text, f.evidence_start, f.evidence_end, v.id, v.note
        FROM reviews v CROSS JOIN figures f ON {match}
        WHERE v.action = 'correct'""")


def m004_fast_queries(db: sqlite_utils.Database) -> None:
    """What keeps `figures` (first page) and `totals --summary` quick on millions of figures.

    * reports.first_day / last_day: the earliest start and latest end of the report's
      figures, so that `figures --since/--until` skips whole reports; with the index
      `idx_reports_order` (the order `figures` lists in), the first page is an index walk.
    * batch_days: the distinct batches that count in totals (see `tracker.queries`), summed
      per category and period (start, end): how many, value, low and high sums.
    * batch_report_days: per category and day, how many reports have their latest counted
      batch starting that day (so "reports since D" is a sum, not a scan).

    Both summaries are kept in step by `insert_document`, `replace_figures` and the
    reviews (`keeping_summaries`); `rebuild_summaries` makes them again from the figures.
    """
    db.execute("ALTER TABLE reports ADD COLUMN first_day TEXT")
    db.execute("ALTER TABLE reports ADD COLUMN last_day TEXT")
    db.execute(f"UPDATE reports SET {_REPORT_DAYS}")
    db.execute("CREATE INDEX idx_reports_order ON reports (published IS NULL, published, path, id, first_day, last_day)")
    db.execute("""
        CREATE TABLE batch_days (
            category TEXT NOT NULL,
            start TEXT NOT NULL,
            end_key TEXT NOT NULL,          -- "end", or '' when it has none
            stop TEXT NOT NULL,             -- coalesce("end", start): what --until compares
            groups INTEGER NOT NULL,        -- distinct batches
            value NUMERIC NOT NULL,         -- sums over them
            low NUMERIC NOT NULL,
            high NUMERIC NOT NULL,          -- of the bounded ones
            unbounded INTEGER NOT NULL,     -- batches with no upper end
            floats INTEGER NOT NULL,        -- batches with a non-integer number (sums then made in Python)
            PRIMARY KEY (category, start, end_key)
        ) WITHOUT ROWID""")
    db.execute("""
        CREATE TABLE batch_report_days (
            category TEXT NOT NULL,
            last TEXT NOT NULL,             -- the latest start of a report's counted batches
            reports INTEGER NOT NULL,
            PRIMARY KEY (category, last)
        ) WITHOUT ROWID""")
    rebuild_summaries(db)


def m005_fts_on_text_updates(db: sqlite_utils.Database) -> None:
    """Re-index a report's text only when the text changes.

    The update trigger sqlite-utils makes fires on any column, so storing a report's first
    and last day, or its metadata at `reextract`, re-indexed its whole text every time:
    most of the cost of writing a report.
    """
    db.execute('DROP TRIGGER IF EXISTS "reports_au"')
    db.execute("""
        CREATE TRIGGER "reports_au" AFTER UPDATE OF "text" ON "reports" BEGIN
          INSERT INTO "reports_fts" ("reports_fts", rowid, "text") VALUES('delete', old.rowid, old."text");
          INSERT INTO "reports_fts" (rowid, "text") VALUES (new.rowid, new."text");
        END""")


MIGRATIONS: list[Callable[[sqlite_utils.Database], None]] = [m001_initial, m002_query_indexes, m003_reviews,
                                                              m004_fast_queries, m005_fts_on_text_updates]


# --- summaries for totals (migration m004) -------------------------------------------------
# A batch counts in totals when it is dated (start) and is not a part of a figure of the same
# category; batches equal in category, value, start and end are one distinct batch, whose
# low-high interval is the intersection of its sources' (their hull when they disagree).
# The same intervals as `queries.interval`, in SQL (kept equal by tests): integer division
# floors, (11v + 9) / 10 is the ceiling of 1.1v.
LOW_SQL = """CASE f.qualifier
    WHEN 'approx' THEN (CASE typeof(f.value) WHEN 'integer' THEN (f.value * 9) / 10 ELSE f.value * 0.9 END)
    WHEN 'less_than' THEN 0 WHEN 'at_most' THEN 0 ELSE f.value END"""
HIGH_SQL = """CASE f.qualifier
    WHEN 'approx' THEN (CASE typeof(f.value) WHEN 'integer' THEN (f.value * 11 + 9) / 10 ELSE f.value * 1.1 END)
    WHEN 'more_than' THEN NULL WHEN 'at_least' THEN NULL WHEN 'range' THEN coalesce(f.high, f.value)
    ELSE f.value END"""
COUNTED_BATCH = "f.kind = 'batch' AND f.start IS NOT NULL AND (p.id IS NULL OR p.category != f.category)"
COUNTED_BATCHES = f"""
    FROM effective_figures f
    LEFT JOIN figures p ON p.id = f.parent_id
    WHERE {COUNTED_BATCH}"""
_REPORT_DAYS = ("first_day = (SELECT min(coalesce(start, \"end\")) FROM figures WHERE report_id = reports.id), "
                "last_day = (SELECT max(coalesce(\"end\", start)) FROM figures WHERE report_id = reports.id)")
# One row per distinct batch, then per (category, start, end): a batch's interval is the
# intersection of its sources' (max low, min high), their hull when that is empty.
_CROSSED = "high_min IS NOT NULL AND low_max > high_min"
_BATCH_DAYS_SELECT = f"""
    SELECT category, start, coalesce("end", ''), coalesce("end", start), count(*), sum(value),
           sum(CASE WHEN {_CROSSED} THEN low_min ELSE low_max END),
           coalesce(sum(CASE WHEN {_CROSSED} THEN (CASE WHEN unbounded THEN NULL ELSE high_max END)
                        ELSE high_min END), 0),
           sum(CASE WHEN {_CROSSED} THEN unbounded > 0 ELSE high_min IS NULL END),
           sum(floats)
    FROM (SELECT category, start, "end", value, max(low) AS low_max, min(low) AS low_min,
                 min(high) AS high_min, max(high) AS high_max, sum(high IS NULL) AS unbounded,
                 max(typeof(value) = 'real' OR typeof(low) = 'real' OR typeof(high) = 'real') AS floats
          FROM (SELECT f.category, f.value, f.start, f."end", {LOW_SQL} AS low, {HIGH_SQL} AS high
                {COUNTED_BATCHES} {{where}})
          GROUP BY category, start, "end", value)
    GROUP BY category, start, "end"
"""
_REPORT_KEYS = f'SELECT DISTINCT f.category, f.start, f."end" {COUNTED_BATCHES} AND f.report_id = ?'


_BATCH_DAYS = ("INSERT INTO batch_days (category, start, end_key, stop, groups, value, low, high, unbounded, floats)"
               + _BATCH_DAYS_SELECT)
_BATCH_REPORT_DAYS_SELECT = f"""
    SELECT category, last, count(*) FROM (SELECT f.category, f.report_id, max(f.start) AS last
                                          {COUNTED_BATCHES} GROUP BY f.category, f.report_id)
    GROUP BY category, last"""
SUMMARIES = {                    # each summary table and the query that makes its rows from the figures
    "batch_days": _BATCH_DAYS_SELECT.format(where=""),
    "batch_report_days": _BATCH_REPORT_DAYS_SELECT,
}


def rebuild_summaries(db: sqlite_utils.Database) -> None:
    """Make batch_days and batch_report_days again from the figures and reviews (inside the
    caller's transaction)."""
    db.execute("DELETE FROM batch_days")
    db.execute("DELETE FROM batch_report_days")
    db.execute(_BATCH_DAYS.format(where=""))
    db.execute("INSERT INTO batch_report_days (category, last, reports)" + _BATCH_REPORT_DAYS_SELECT)


def _batch_state(db: sqlite_utils.Database, report_id: str) -> tuple[set, dict]:
    """A report's counted batches: their (category, start, end) and, per category, the latest start."""
    keys = set(db.execute(_REPORT_KEYS, [report_id]).fetchall())
    last: dict[str, str] = {}
    for category, start, _ in keys:             # ISO dates: str order is SQLite's text order
        if category not in last or start > last[category]:
            last[category] = start
    return keys, last


def _update_summaries(db: sqlite_utils.Database, before: tuple[set, dict], after: tuple[set, dict]) -> None:
    for category, start, end in before[0] | after[0]:
        db.execute("DELETE FROM batch_days WHERE category = ? AND start = ? AND end_key = coalesce(?, '')",
                   [category, start, end])
        db.execute(_BATCH_DAYS.format(where='AND f.category = ? AND f.start = ? AND f."end" IS ?'),
                   [category, start, end])
    old, new = before[1], after[1]
    for category in old.keys() | new.keys():
        if old.get(category) == new.get(category):
            continue
        if category in old:
            db.execute("UPDATE batch_report_days SET reports = reports - 1 WHERE category = ? AND last = ?",
                       [category, old[category]])
            db.execute("DELETE FROM batch_report_days WHERE category = ? AND last = ? AND reports <= 0",
                       [category, old[category]])
        if category in new:
            db.execute("INSERT INTO batch_report_days (category, last, reports) VALUES (?, ?, 1) "
                       "ON CONFLICT (category, last) DO UPDATE SET reports = reports + 1", [category, new[category]])


_NO_BATCHES: tuple[set, dict] = (set(), {})


def _has_summaries(db: sqlite_utils.Database) -> bool:
    known = getattr(db, "_tracker_summaries", None)
    if known is None:
        known = db.execute("SELECT 1 FROM _migrations WHERE name = 'm004_fast_queries'").fetchone() is not None \
            if db["_migrations"].exists() else False
        db._tracker_summaries = known
    return known


@contextmanager
def keeping_summaries(db: sqlite_utils.Database, report_id: str, new: bool = False) -> Iterator[None]:
    """Around a change to one report's figures or reviews (inside the caller's transaction):
    bring the totals summaries and the report's first/last day up to date afterwards."""
    if not _has_summaries(db):                  # opened at an older migration (`upto`)
        yield
        return
    before = _NO_BATCHES if new else _batch_state(db, report_id)
    yield
    db.execute(f"UPDATE reports SET {_REPORT_DAYS} WHERE id = ?", [report_id])
    _update_summaries(db, before, _batch_state(db, report_id))


def _applied(db: sqlite_utils.Database) -> list[str]:
    if not db["_migrations"].exists():
        return []
    return [row["name"] for row in db.query("SELECT name FROM _migrations ORDER BY name")]


def _refuse_unknown(applied: list[str], path: str) -> None:
    known = {m.__name__ for m in MIGRATIONS}
    unknown = [name for name in applied if name not in known]
    if unknown:
        raise SchemaTooNew(f"{path} was written by a newer tracker (migration {unknown[-1]}); "
                           f"upgrade tracker (this is {__version__}) to use it")


def migrate(db: sqlite_utils.Database, upto: str | None = None, path: str = "the database") -> list[str]:
    """Apply the migrations not yet recorded (up to and including `upto`); return their names."""
    names = [m.__name__ for m in MIGRATIONS]
    wanted = names[: names.index(upto) + 1] if upto else names
    applied = _applied(db)
    _refuse_unknown(applied, path)
    if all(name in applied for name in wanted):
        return []
    done = []
    with write_transaction(db):
        db.execute("CREATE TABLE IF NOT EXISTS _migrations (name TEXT PRIMARY KEY, applied_at TEXT)")
        applied = _applied(db)            # again, under the write lock: another process may have won
        _refuse_unknown(applied, path)
        for migration in MIGRATIONS:
            name = migration.__name__
            if name in wanted and name not in applied:
                migration(db)
                db.execute("INSERT INTO _migrations (name, applied_at) VALUES (?, ?)", [name, _now()])
                done.append(name)
        db._tracker_summaries = None              # asked again when next needed
    return done


# --- connection -------------------------------------------------------------------------

def file_of(db: sqlite_utils.Database) -> str | None:
    """The file the database lives in (None: in memory)."""
    for _, name, file in db.execute("PRAGMA database_list").fetchall():
        if name == "main":
            return file or None
    return None


def read_only(path: str, timeout: float = BUSY_TIMEOUT_SECONDS) -> sqlite3.Connection:
    """A read-only connection of its own to the database file at `path`: what a worker or a
    forked process reads through (never a connection its parent opened)."""
    return sqlite3.connect(Path(path).absolute().as_uri() + "?mode=ro", uri=True, timeout=timeout)


def open_db(path: str | Path, create: bool = True, upto: str | None = None) -> sqlite_utils.Database:
    """Open (and migrate) the database at `path`.

    With create=False a missing file raises NoDatabase instead of being created.
    """
    path = str(path)
    if not create and path != ":memory:" and not Path(path).exists():
        raise NoDatabase(f"no database at {path}; store reports first with `tracker ingest REPORT...`")
    try:
        conn = sqlite3.connect(path, isolation_level=None, timeout=BUSY_TIMEOUT_SECONDS)
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_SECONDS * 1000}")
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA cache_size = -65536")        # 64 MB: totals over a million figures
        if path != ":memory:":
            if conn.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
                conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")   # safe in WAL: no corruption on crash
        import sqlite_utils

        db = sqlite_utils.Database(conn)
        migrate(db, upto=upto, path=path)
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"{path}: cannot be used as a tracker database ({exc})") from None
    return db


@contextmanager
def write_transaction(db: sqlite_utils.Database) -> Iterator[sqlite_utils.Database]:
    """One write transaction that takes the write lock at once (waiting up to the busy timeout)."""
    db.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        if db.conn.in_transaction:
            db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


# --- writing documents --------------------------------------------------------------------

def has_report(db: sqlite_utils.Database, sha256: str) -> bool:
    return db.execute("SELECT 1 FROM reports WHERE id = ?", [sha256]).fetchone() is not None


def check_document(doc: dict) -> None:
    """Raise BadDocument unless `doc` has the shape `tracker.extract()` returns."""
    try:
        report, figs = doc["report"], doc["figures"]
        if not report.get("sha256"):
            raise BadDocument("document has no report.sha256")
        for i, fig in enumerate(figs):
            where = f"figure {i}"
            if fig.get("kind") not in KINDS:
                raise BadDocument(f"{where}: unknown kind {fig.get('kind')!r}")
            if fig.get("category") not in CATEGORIES:
                raise BadDocument(f"{where}: unknown category {fig.get('category')!r}")
            if fig.get("qualifier", "exact") not in QUALIFIERS:
                raise BadDocument(f"{where}: unknown qualifier {fig.get('qualifier')!r}")
            if not isinstance(fig.get("value"), (int, float)) or isinstance(fig.get("value"), bool):
                raise BadDocument(f"{where}: value is not a number")
            parent = fig.get("parent")
            if parent is not None and not (isinstance(parent, int) and 0 <= parent < len(figs) and parent != i):
                raise BadDocument(f"{where}: parent {parent!r} is not another figure of the report")
    except (KeyError, TypeError, AttributeError) as exc:
        raise BadDocument(f"document is not shaped like tracker.extract()'s output ({exc})") from None


def save_document(db: sqlite_utils.Database, doc: dict, text: str | None = None,
                  extractor_version: str = __version__) -> bool:
    """Store one extracted document and its report text in one transaction.

    Returns False (and changes nothing) if a report with the same sha256 is stored.
    """
    check_document(doc)
    rep = doc["report"]
    if text is not None and text_sha256(text) != rep["sha256"]:
        raise BadDocument(f"report.sha256 {rep['sha256'][:12]}… is not the hash of the text given")
    if has_report(db, rep["sha256"]):
        return False
    with write_transaction(db):
        if has_report(db, rep["sha256"]):      # stored by another process meanwhile
            return False
        insert_document(db, doc, text, extractor_version)
    return True


def insert_document(db: sqlite_utils.Database, doc: dict, text: str | None,
                    extractor_version: str = __version__) -> None:
    """Insert a checked document's report, figures and warnings, inside the caller's
    transaction (`save_document` holds one per report, a batched ingest one per batch)."""
    rep = doc["report"]
    db.execute(
        "INSERT INTO reports (id, path, published, published_from, language, publisher, text, "
        "ingested_at, extractor_version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [rep["sha256"], rep.get("path"), rep.get("published"), rep.get("published_from"),
         rep.get("language"), rep.get("publisher"), text, _now(), extractor_version])
    with keeping_summaries(db, rep["sha256"], new=True):
        _insert_figures(db, rep["sha256"], doc["figures"], doc.get("warnings") or [])


def _insert_figures(db: sqlite_utils.Database, report_id: str, figs: list[dict], warnings: list[str]) -> None:
    rowids = {}
    for i, fig in enumerate(figs):
        idx = fig.get("id", i)
        ev = fig.get("evidence") or {}
        cur = db.execute(
            'INSERT INTO figures (report_id, idx, kind, category, value, high, qualifier, start, "end", '
            "origin, destination, evidence_text, evidence_start, evidence_end) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [report_id, idx, fig["kind"], fig["category"], fig["value"], fig.get("high"),
             fig.get("qualifier", "exact"), fig.get("start"), fig.get("end"), fig.get("origin"),
             fig.get("destination"), ev.get("text"), ev.get("start"), ev.get("end")])
        rowids[i] = cur.lastrowid
    for i, fig in enumerate(figs):
        if fig.get("parent") is not None:
            db.execute("UPDATE figures SET parent_id = ? WHERE id = ?", [rowids[fig["parent"]], rowids[i]])
    for message in warnings:
        db.execute("INSERT INTO warnings (report_id, message) VALUES (?, ?)", [report_id, str(message)])


def replace_figures(db: sqlite_utils.Database, doc: dict, extractor_version: str = __version__) -> None:
    """Replace a stored report's metadata, figures and warnings with `doc`'s, atomically."""
    check_document(doc)
    rep = doc["report"]
    with write_transaction(db):
        if not has_report(db, rep["sha256"]):
            raise StoreError(f"report {rep['sha256'][:12]} is not stored")
        with keeping_summaries(db, rep["sha256"]):
            db.execute("DELETE FROM warnings WHERE report_id = ?", [rep["sha256"]])
            db.execute("DELETE FROM figures WHERE report_id = ?", [rep["sha256"]])
            db.execute("UPDATE reports SET published = ?, published_from = ?, language = ?, publisher = ?, "
                       "extractor_version = ? WHERE id = ?",
                       [rep.get("published"), rep.get("published_from"), rep.get("language"),
                        rep.get("publisher"), extractor_version, rep["sha256"]])
            _insert_figures(db, rep["sha256"], doc["figures"], doc.get("warnings") or [])


def reextract(db: sqlite_utils.Database, extract_fn: Callable[..., dict] | None = None) -> Iterator[dict]:
    """Re-run the extractor over every stored report text, in this process, replacing
    figures report by report: `tracker.ingest.reextract_reports` with one job."""
    from .ingest import reextract_reports

    yield from reextract_reports(db, jobs=1, extract_fn=extract_fn)
