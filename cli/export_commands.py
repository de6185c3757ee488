"""`tracker export`: events or figures as CSV, HXL or JSON lines, to standard output or a file.

Rows come from tracker.export; they are written by `emit` (db_commands), which
neutralises formula-looking cells, so there is one writer for every CSV tracker prints.
"""
from __future__ import annotations

import logging
import os
import sys
import tempfile
from contextlib import contextmanager, redirect_stdout
from enum import Enum
from itertools import chain
from pathlib import Path
from typing import Iterable, Iterator, List, Optional

import typer

from tracker import export as lib
from tracker import store

from . import db_commands as common   # module, not names: `python -m cli.main` imports cli.main twice
from .main import app

log = logging.getLogger("tracker")


class Format(str, Enum):
    csv = "csv"
    hxl = "hxl"
    jsonl = "jsonl"


@contextmanager
def output(path: Optional[Path]) -> Iterator[None]:
    """Standard output, or `path` written whole or not at all (a temporary file renamed at the end)."""
    if path is None or str(path) == "-":
        yield
        return
    target = Path(path)
    if target.is_dir():
        common.fail(f"-o: {target} is a directory", 2)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent if str(target.parent) else ".")
    except OSError as exc:
        common.fail(f"-o: cannot write in {target.parent}: {exc.strerror or exc}", 1)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as out, redirect_stdout(out):
            yield
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class _Counter:
    def __init__(self, rows: Iterable[dict]):
        self.rows, self.count = rows, 0

    def __iter__(self):
        for row in self.rows:
            self.count += 1
            yield row


@app.command()
def export(
    ctx: typer.Context,
    fmt: Format = typer.Option(Format.csv, "--format", "-f", help="csv, hxl (CSV with an HXL hashtag row, for HDX) or jsonl."),
    figures: bool = typer.Option(False, "--figures", help="One row per stored figure instead of one per event."),
    since: Optional[str] = typer.Option(None, "--since", help="Only rows whose period reaches this date (YYYY-MM-DD) or later."),
    until: Optional[str] = typer.Option(None, "--until", help="Only rows whose period starts on or before this date."),
    category: Optional[List[str]] = typer.Option(None, "--category", help="Only this category (repeatable)."),
    kind: Optional[List[str]] = typer.Option(None, "--kind", help="With --figures: only this kind (repeatable)."),
    out: Optional[Path] = typer.Option(None, "--output", "-o", metavar="FILE", help="Write to FILE (UTF-8) instead of standard output."),
):
    """Export events (or, with --figures, figures) with their source report, publisher, date and evidence.

    HXL adds a second row of hashtags (#date+start, #affected+displaced+ind, #loc+name+dest,
    #meta+source, ...) that HDX tools read; values are split by unit: people (+ind),
    families (+hh), area (km2). Cells that a spreadsheet would run as formulas get a leading '.

    Example: tracker export --figures --format hxl --since 2019-03-01 --category people -o departures.hxl.csv
    """
    start, end = common.option_date(since, "--since"), common.option_date(until, "--until")
    if start and end and end < start:
        common.fail("--until is before --since", 2)
    categories = common.option_choices(category, store.CATEGORIES, "--category")
    kinds = common.option_choices(kind, store.KINDS, "--kind")
    if kinds and not figures:
        common.fail("--kind applies to --figures", 2)
    with common.database(ctx) as db:
        if figures:
            rows, columns = lib.figure_rows(db, start, end, categories, kinds), lib.FIGURE_COLUMNS
        else:
            rows, columns = lib.event_rows(db, start, end, categories), lib.EVENT_COLUMNS
        counted = _Counter(rows)
        with output(out):
            if fmt == Format.hxl:
                columns = lib.hxl_columns(columns)
                common.emit(chain([lib.hxl_tag_row(columns)], lib.hxl_rows(counted)), "csv", columns)
            else:
                common.emit(counted, fmt.value, columns)
            sys.stdout.flush()
    note = f"{counted.count} {'figure' if figures else 'event'}{'' if counted.count == 1 else 's'} exported"
    if out is not None and str(out) != "-":
        log.info(f"{note} to {out}")
    else:
        log.debug(note)
