"""The ingest loop: report files (or extracted documents) in, one stored report each.

Generators all the way, so memory does not grow with the number of files and a
progress bar can wrap the loop. A file that fails is reported and skipped; the others
are stored, each whole or not at all.

    >>> summary = Summary()
    >>> for outcome in ingest_files(db, expand(["reports/"], "*.txt"), jobs=2):
    ...     summary.add(outcome)

With `jobs` > 1, files are read and extracted in worker processes, a few chunks of
files in flight at a time (so memory stays flat however many files there are), and
the main process writes the documents in order, several reports per transaction.
"""
from __future__ import annotations

import io
import json
import os
import sqlite3
import sys
import time
from collections import deque
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Callable, Iterable, Iterator

from .reader import DEFAULT_MAX_BYTES, ReadError, Source, read_report, read_stream
from .store import (StoreError, check_document, file_of, has_report, insert_document, read_only, save_document,
                    write_transaction)

if TYPE_CHECKING:
    import sqlite_utils

CHUNK = 8                 # files per task sent to a worker
IN_FLIGHT_PER_JOB = 4     # tasks queued per worker: bounds memory, keeps workers busy
BATCH_REPORTS = 64        # reports per write transaction ...
BATCH_SECONDS = 0.5       # ... or fewer, so that progress shows and a kill loses little
MIN_PARALLEL = 16         # fewer files than this are extracted in-process
WORKER_GC_THRESHOLD = (10_000, 20, 20)   # cyclic GC in workers: ~5-10% of extraction time at (700, 10, 10)
WRITE_CACHE_KIB = 8192    # SQLite page cache while writing: the 64 MB queries use would only
                          # fill with written pages and make the ingest process grow


@dataclass
class Outcome:
    path: str
    status: str                 # "new", "stored" (already there) or "failed"
    figures: int = 0
    reason: str | None = None


@dataclass
class Summary:
    read: int = 0
    new: int = 0
    stored: int = 0
    failed: int = 0
    figures: int = 0
    failures: list[Outcome] = field(default_factory=list)

    def add(self, outcome: Outcome) -> None:
        self.read += 1
        if outcome.status == "new":
            self.new += 1
            self.figures += outcome.figures
        elif outcome.status == "stored":
            self.stored += 1
        else:
            self.failed += 1
            self.failures.append(outcome)

    def line(self) -> str:
        return (f"{self.read} read: {self.new} new, {self.stored} already stored, {self.failed} failed; "
                f"{self.figures} figures stored")


def expand(paths: Iterable[str], glob: str = "*.txt") -> Iterator[str]:
    """Files as given, directories as their files matching `glob` (recursively, in name
    order, streamed, never into a symlink loop), '-' as is: see `files.walk`."""
    from .files import walk

    yield from walk(paths, glob)


def read_source(path: str, max_bytes: int = DEFAULT_MAX_BYTES, data: bytes | None = None) -> Source:
    """A report file, or standard input for '-' (`data`: its bytes, already read)."""
    if data is not None:
        return read_stream(io.BytesIO(data), "<stdin>", max_bytes)
    if path == "-":
        return read_stream(sys.stdin.buffer, "<stdin>", max_bytes)
    return read_report(path, max_bytes)


def extract_source(source: Source, path: str, published: date | None = None, lang: str | None = None,
                   publisher: str | None = None, extract_fn: Callable[..., dict] | None = None) -> dict:
    """Extract one report read by `read_source`, passing on what the file says of itself."""
    if extract_fn is None:
        from .extraction import extract as extract_fn
    meta = source.metadata
    return extract_fn(source.text, published=published, lang=lang, path=path, publisher=publisher,
                      **({"metadata": meta} if meta else {}))


def _read_and_extract(path: str, data: bytes | None, options: tuple,
                      stored: Callable[[str], bool]) -> tuple:
    """(path, status, doc, text, reason), status "extracted", "stored" or "failed": the
    work on one file, the same in-process and in a worker."""
    published, lang, publisher, extract_fn, max_bytes = options
    try:
        source = read_source(path, max_bytes, data)
        if stored(source.sha256):
            return path, "stored", None, None, None
        doc = extract_source(source, path, published, lang, publisher, extract_fn)
        return path, "extracted", doc, source.text, None
    except (ReadError, StoreError) as exc:
        return path, "failed", None, None, str(exc).removeprefix(f"{path}: ")
    except Exception as exc:  # an extractor bug on one report must not stop the others
        return path, "failed", None, None, f"{type(exc).__name__}: {exc}"


def ingest_files(db: sqlite_utils.Database, paths: Iterable[str], published: date | None = None,
                 lang: str | None = None, publisher: str | None = None,
                 read_stdin: Callable[[], bytes] | None = None,
                 extract_fn: Callable[..., dict] | None = None, jobs: int = 1,
                 max_bytes: int = DEFAULT_MAX_BYTES) -> Iterator[Outcome]:
    """Read, extract and store each file ('-' reads `read_stdin()`, else standard input);
    yield one Outcome per file, in the order of `paths`.

    `jobs` > 1 extracts in that many worker processes (`extract_fn` must then be picklable,
    i.e. a module-level function); fewer than MIN_PARALLEL files are done in-process.
    Database errors (a full disk, a read-only file) are not a file's fault: they stop the run.
    """
    options = (published, lang, publisher, extract_fn, max_bytes)
    with write_cache(db):
        if jobs > 1 and not (hasattr(paths, "__len__") and len(paths) < MIN_PARALLEL):
            yield from _ingest_parallel(db, paths, jobs, options, read_stdin)
        else:
            yield from _ingest_serial(db, paths, options, read_stdin)


@contextmanager
def write_cache(db: sqlite_utils.Database, kib: int = WRITE_CACHE_KIB):
    """A small page cache on `db` for the time of a long write, then the one it had."""
    before = db.execute("PRAGMA cache_size").fetchone()[0]
    db.execute(f"PRAGMA cache_size = -{int(kib)}")
    try:
        yield db
    finally:
        try:
            db.execute(f"PRAGMA cache_size = {int(before)}")
        except sqlite3.Error:            # the connection broke (the error that ended the write shows)
            pass


def _ingest_serial(db: sqlite_utils.Database, paths: Iterable[str], options: tuple,
                   read_stdin: Callable[[], bytes] | None) -> Iterator[Outcome]:
    for path in paths:
        data = read_stdin() if path == "-" and read_stdin else None
        path, status, doc, text, reason = _read_and_extract(path, data, options, lambda sha: has_report(db, sha))
        if status != "extracted":
            yield Outcome(path, status, reason=reason)
            continue
        try:
            new = save_document(db, doc, text)
        except StoreError as exc:
            yield Outcome(path, "failed", reason=str(exc).removeprefix(f"{path}: "))
            continue
        yield Outcome(path, "new" if new else "stored", len(doc["figures"]) if new else 0)


# --- in worker processes ----------------------------------------------------------------------

_worker_db: sqlite3.Connection | None = None
_worker_options: tuple = ()


def _worker_init(db_path: str | None, options: tuple) -> None:
    """Each worker opens the database read-only, to skip reports already stored unextracted."""
    global _worker_db, _worker_options
    import gc
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)     # Ctrl-C is the main process's to handle
    # What the worker inherited (the extractor's word tables) is never garbage: frozen, the
    # collector neither scans it nor writes to its pages, which then stay shared with the
    # parent; fewer young-generation passes suit many short-lived objects per report.
    gc.freeze()
    gc.set_threshold(*WORKER_GC_THRESHOLD)
    _exit_with_parent()
    _worker_options = options
    _worker_db = None
    if db_path:
        try:
            _worker_db = read_only(db_path, timeout=60)
        except sqlite3.Error:
            _worker_db = None


def _exit_with_parent() -> None:
    """A worker whose ingest process was killed (kill -9) ends itself instead of waiting
    forever for work: its siblings hold the task pipe open, so it would never see EOF."""
    import threading

    parent = os.getppid()

    def watch():
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()


def _stored(sha256: str) -> bool:
    if _worker_db is None:
        return False
    try:
        return _worker_db.execute("SELECT 1 FROM reports WHERE id = ?", [sha256]).fetchone() is not None
    except sqlite3.Error:
        return False


def _extract_one(path: str, data: bytes | None) -> tuple:
    """(path, status, doc, text, reason): status "extracted", "stored" or "failed"."""
    return _read_and_extract(path, data, _worker_options, _stored)


def _extract_chunk(items: list[tuple[str, bytes | None]]) -> list[tuple]:
    return [_extract_one(path, data) for path, data in items]


# --- in the main process ----------------------------------------------------------------------

def _chunks(paths: Iterable[str], read_stdin: Callable[[], bytes] | None) -> Iterator[list]:
    chunk: list = []
    for path in paths:
        data = (read_stdin or sys.stdin.buffer.read)() if path == "-" else None
        chunk.append((path, data))
        if len(chunk) >= CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _pool(jobs: int, initargs: tuple):
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    methods = multiprocessing.get_all_start_methods()
    # fork: workers start at once with the extractor already imported
    context = multiprocessing.get_context("fork" if sys.platform == "linux" and "fork" in methods else None)
    return ProcessPoolExecutor(max_workers=jobs, mp_context=context, initializer=_worker_init,
                               initargs=initargs)


def _in_workers(fn: Callable[[list], list], chunks: Iterable[list], jobs: int, initargs: tuple) -> Iterator[list]:
    """fn(chunk) for each chunk, run in `jobs` worker processes, yielded in input order;
    a few chunks per worker in flight, so memory stays flat however many there are."""
    with _pool(jobs, initargs) as pool:
        in_flight: deque = deque()
        try:
            for chunk in chunks:
                in_flight.append(pool.submit(fn, chunk))
                if len(in_flight) >= jobs * IN_FLIGHT_PER_JOB:
                    yield in_flight.popleft().result()
            while in_flight:
                yield in_flight.popleft().result()
        finally:
            pool.shutdown(wait=True, cancel_futures=True)


def _ingest_parallel(db: sqlite_utils.Database, paths: Iterable[str], jobs: int, options: tuple,
                     read_stdin: Callable[[], bytes] | None) -> Iterator[Outcome]:
    pending: list[tuple] = []           # extracted, not yet written
    flushed_at = time.monotonic()
    with closing(_in_workers(_extract_chunk, _chunks(paths, read_stdin), jobs, (file_of(db), options))) as work:
        for results in work:                # a write error ends the run: closing stops the workers
            pending.extend(results)
            if len(pending) >= BATCH_REPORTS or time.monotonic() - flushed_at > BATCH_SECONDS:
                yield from save_batch(db, pending)
                pending, flushed_at = [], time.monotonic()
    yield from save_batch(db, pending)


def save_batch(db: sqlite_utils.Database, results: list[tuple]) -> Iterator[Outcome]:
    """Write extracted documents (path, status, doc, text, reason), several reports per
    transaction, each report whole; yield their outcomes in order.

    Documents are checked before the transaction; if it fails all the same (a full disk,
    another writer), each report is retried in its own transaction so that one bad
    report costs only itself.
    """
    outcomes: list[Outcome | None] = []
    writes: list[tuple[int, dict, str]] = []
    for path, status, doc, text, reason in results:
        if status == "extracted":
            try:
                check_document(doc)
            except StoreError as exc:
                outcomes.append(Outcome(path, "failed", reason=str(exc)))
                continue
            writes.append((len(outcomes), doc, text))
            outcomes.append(None)
        else:
            outcomes.append(Outcome(path, status, reason=reason))
    if writes:
        try:
            with write_transaction(db):
                for i, doc, text in writes:
                    outcomes[i] = _write(db, results[i][0], doc, text)
        except (StoreError, sqlite3.Error):
            for i, doc, text in writes:
                path = results[i][0]
                try:
                    new = save_document(db, doc, text)
                    outcomes[i] = Outcome(path, "new" if new else "stored", len(doc["figures"]) if new else 0)
                except (StoreError, sqlite3.Error) as exc:
                    outcomes[i] = Outcome(path, "failed", reason=str(exc))
    yield from outcomes


def _write(db: sqlite_utils.Database, path: str, doc: dict, text: str) -> Outcome:
    """One report inside the batch's transaction (as store.save_document writes it)."""
    if has_report(db, doc["report"]["sha256"]):   # twice in this batch, or stored by another process
        return Outcome(path, "stored")
    insert_document(db, doc, text)
    return Outcome(path, "new", len(doc["figures"]))


# --- re-extracting stored reports ---------------------------------------------------------------

_REPORT_ROW = ("SELECT id, path, published, published_from, language, publisher, text, "
               "(SELECT count(*) FROM figures WHERE report_id = reports.id) AS n FROM reports WHERE id = ?")


def reextract_one(conn: sqlite3.Connection, report_id: str, extract_fn: Callable[..., dict] | None = None) -> dict:
    """Extract one stored report again, from its stored text: {"report", "path", "before", "doc"},
    or {"report", "path", "error"}; None if the report is gone. Nothing is written here.

    A report date given as an option at ingest (published_from "option"), or read from a
    web page's metadata ("metadata"), is passed again, and so are the stored language and
    publisher: the text alone no longer says them.
    """
    if extract_fn is None:
        from .extraction import extract as extract_fn
    row = conn.execute(_REPORT_ROW, [report_id]).fetchone()
    if row is None:
        return None
    _, path, published, published_from, language, publisher, text, before = row
    if text is None:
        return {"report": report_id, "path": path, "error": "text not stored"}
    try:
        kept = {"published": published} if published_from == "metadata" else None
        doc = extract_fn(text, published=published if published_from == "option" else None,
                         lang=language, path=path, publisher=publisher, **({"metadata": kept} if kept else {}))
    except Exception as exc:  # one report's failure must not stop the others
        return {"report": report_id, "path": path, "error": f"{type(exc).__name__}: {exc}"}
    return {"report": report_id, "path": path, "before": before, "doc": doc}


def _reextract_chunk(ids: list[str]) -> list[dict | None]:
    if _worker_db is None:
        return [{"report": i, "path": None, "error": "database not readable by the worker"} for i in ids]
    return [reextract_one(_worker_db, i, _worker_options[3]) for i in ids]


def reextract_reports(db: sqlite_utils.Database, jobs: int = 1,
                      extract_fn: Callable[..., dict] | None = None) -> Iterator[dict]:
    """Re-run the extractor over every stored report, replacing its figures (one transaction
    per report, so an interrupted run leaves each report either old or new).

    Yields {"report", "path", "before", "after"} or {"report", "path", "error"} per report, in
    date order. With `jobs` > 1, worker processes read the texts and extract (they open the
    database read-only); the main process only writes.
    """
    ids = [row[0] for row in db.execute("SELECT id FROM reports ORDER BY published, path, id").fetchall()]
    db_path = file_of(db)
    chunks = (ids[k:k + CHUNK] for k in range(0, len(ids), CHUNK))
    if jobs > 1 and db_path and len(ids) >= MIN_PARALLEL:
        work = _in_workers(_reextract_chunk, chunks, jobs, (db_path, (None, None, None, extract_fn, None)))
    else:
        work = ([reextract_one(db.conn, i, extract_fn) for i in chunk] for chunk in chunks)
    with write_cache(db), closing(work):
        yield from _replace_all(db, (result for done in work for result in done))


def _replace_all(db: sqlite_utils.Database, results: Iterable[dict | None]) -> Iterator[dict]:
    from .store import replace_figures

    for result in results:
        if result is None:
            continue                                  # deleted meanwhile
        if "doc" in result:
            doc = result.pop("doc")
            try:
                replace_figures(db, doc)
            except StoreError as exc:
                result = {"report": result["report"], "path": result["path"], "error": str(exc)}
            else:
                result["after"] = len(doc["figures"])
        yield result


def ingest_jsonl(db: sqlite_utils.Database, lines: Iterable[str], name: str = "<jsonl>") -> Iterator[Outcome]:
    """Store documents already extracted: one `tracker.extract()` JSON object per line, with
    the report text under "text" (optional: without it `reextract` skips the report).
    A line {"path": ..., "error": ...} (a file the extracting side could not read) is
    counted as failed."""
    with write_cache(db):
        yield from _ingest_lines(db, lines, name)


def _ingest_lines(db: sqlite_utils.Database, lines: Iterable[str], name: str) -> Iterator[Outcome]:
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        where = f"{name}:{number}"
        try:
            doc = json.loads(line)
            if not isinstance(doc, dict):
                raise StoreError("not a JSON object")
            if "error" in doc and "report" not in doc:     # a file the extracting side could not read
                yield Outcome(doc.get("path") or where, "failed", reason=str(doc["error"]))
                continue
            new = save_document(db, doc, doc.get("text"))
            yield Outcome(doc["report"].get("path") or where, "new" if new else "stored",
                          len(doc["figures"]) if new else 0)
        except json.JSONDecodeError as exc:
            yield Outcome(where, "failed", reason=f"not JSON ({exc.msg})")
        except (StoreError, sqlite3.Error) as exc:
            yield Outcome(where, "failed", reason=str(exc))
