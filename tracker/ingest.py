"""The ingest loop: report files (or extracted documents) in, one stored report each.

Generators all the way, so memory does not grow with the number of files and a
progress bar can wrap the loop. A file that fails is reported and skipped; the others
are stored, each in its own transaction.

    >>> summary = Summary()
    >>> for outcome in ingest_files(db, expand(["reports/"], "*.txt")):
    ...     summary.add(outcome)
"""
from __future__ import annotations

import json
import sqlite3
import sys
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Callable, Iterable, Iterator

import sqlite_utils

from .reader import ReadError, decode, read_report, text_sha256
from .store import StoreError, has_report, save_document


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
    """Files as given, directories as their files matching `glob` (recursively, sorted), '-' as is."""
    for path in paths:
        p = Path(path)
        if path != "-" and p.is_dir():
            yield from (str(f) for f in sorted(p.rglob(glob)) if f.is_file())
        else:
            yield str(path)


def ingest_files(db: sqlite_utils.Database, paths: Iterable[str], published: date | None = None,
                 lang: str | None = None, publisher: str | None = None,
                 read_stdin: Callable[[], bytes] | None = None,
                 extract_fn: Callable[..., dict] | None = None) -> Iterator[Outcome]:
    """Read, extract and store each file ('-' reads `read_stdin()`); yield one Outcome per file."""
    if extract_fn is None:
        from .extract import extract as extract_fn
    for path in paths:
        try:
            if path == "-":
                text, _ = decode((read_stdin or sys.stdin.buffer.read)(), "<stdin>")
            else:
                text = read_report(path).text
            if has_report(db, text_sha256(text)):
                yield Outcome(path, "stored")
                continue
            doc = extract_fn(text, published=published, lang=lang, path=path, publisher=publisher)
            new = save_document(db, doc, text)
            yield Outcome(path, "new" if new else "stored", len(doc["figures"]) if new else 0)
        except (ReadError, StoreError) as exc:
            yield Outcome(path, "failed", reason=str(exc).removeprefix(f"{path}: "))
        except Exception as exc:  # an extractor bug on one report must not stop the others
            yield Outcome(path, "failed", reason=f"{type(exc).__name__}: {exc}")


def ingest_jsonl(db: sqlite_utils.Database, lines: Iterable[str], name: str = "<jsonl>") -> Iterator[Outcome]:
    """Store documents already extracted: one `tracker.extract()` JSON object per line, with
    the report text under "text" (optional: without it `reextract` skips the report)."""
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        where = f"{name}:{number}"
        try:
            doc = json.loads(line)
            if not isinstance(doc, dict):
                raise StoreError("not a JSON object")
            new = save_document(db, doc, doc.get("text"))
            yield Outcome(doc["report"].get("path") or where, "new" if new else "stored",
                          len(doc["figures"]) if new else 0)
        except json.JSONDecodeError as exc:
            yield Outcome(where, "failed", reason=f"not JSON ({exc.msg})")
        except (StoreError, sqlite3.Error) as exc:
            yield Outcome(where, "failed", reason=str(exc))
