"""SQLite errors as one line for the user: what happened to which database, and what to do.

    with database_errors(path):      # around any work on an open database
        ...

turns any `sqlite3.Error` escaping the block into `error: <one line>` on stderr and
exit status 1, instead of a traceback. `explain()` gives the line on its own.
"""
from __future__ import annotations

import sqlite3
from contextlib import contextmanager
from typing import Iterator

import typer

from tracker.reader import visible
from tracker.store import BUSY_TIMEOUT_SECONDS

# Primary result codes (https://sqlite.org/rescode.html); extended codes keep them in the low byte.
SQLITE_PERM, SQLITE_BUSY, SQLITE_LOCKED, SQLITE_READONLY, SQLITE_IOERR = 3, 5, 6, 8, 10
SQLITE_CORRUPT, SQLITE_FULL, SQLITE_CANTOPEN, SQLITE_NOTADB = 11, 13, 14, 26


def explain(exc: sqlite3.Error, path: str) -> str:
    """One line for an SQLite error met while using the database at `path`."""
    message = visible(str(exc), lines=False)
    code = getattr(exc, "sqlite_errorcode", None)
    primary = code & 0xFF if isinstance(code, int) else None
    lowered = message.lower()
    if primary == SQLITE_FULL or "disk is full" in lowered:
        return f"{path}: the disk is full ({message}); the report being written was not stored, free some space and run the command again"
    if primary in (SQLITE_READONLY, SQLITE_PERM) or "readonly" in lowered or "read-only" in lowered:
        return f"{path}: cannot write to the database ({message}); check the permissions of the file and of its folder"
    if primary == SQLITE_CANTOPEN or "unable to open" in lowered:
        return f"{path}: cannot open the database ({message}); check that its folder exists and can be written to"
    if primary in (SQLITE_BUSY, SQLITE_LOCKED) or "locked" in lowered:
        return (f"{path}: the database stayed busy for more than {BUSY_TIMEOUT_SECONDS} s (another process is "
                f"writing to it); run the command again")
    if primary in (SQLITE_CORRUPT, SQLITE_NOTADB) or "malformed" in lowered or "not a database" in lowered:
        return f"{path}: the database is damaged or not a tracker database ({message}); see `tracker check`"
    if primary == SQLITE_IOERR or "i/o error" in lowered:
        return f"{path}: disk I/O error ({message}); check the disk and run the command again"
    return f"{path}: database error ({message})"


@contextmanager
def database_errors(path: str) -> Iterator[None]:
    """Turn an `sqlite3.Error` raised inside the block into a one-line error and exit 1."""
    try:
        yield
    except sqlite3.Error as exc:
        typer.echo(f"error: {explain(exc, path)}", err=True)
        raise typer.Exit(1) from None
