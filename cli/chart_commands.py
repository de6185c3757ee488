"""`tracker chart`: one category over time, as a PNG/SVG (matplotlib, extra [chart]) or as text."""
from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Optional

import typer

from tracker import chart as lib
from tracker import store

from . import db_commands as common   # module, not names: `python -m cli.main` imports cli.main twice
from .main import app

log = logging.getLogger("tracker")


def _size(value: str) -> tuple[int, int]:
    m = re.fullmatch(r"\s*(\d+)\s*[xX×]\s*(\d+)\s*", value or "")
    if not m or not (100 <= int(m.group(1)) <= 10000 and 100 <= int(m.group(2)) <= 10000):
        common.fail(f"--size: {value!r} is not WIDTHxHEIGHT in pixels between 100 and 10000, e.g. 1200x700", 2)
    return int(m.group(1)), int(m.group(2))


@app.command()
def chart(
    ctx: typer.Context,
    since: Optional[str] = typer.Option(None, "--since", help="Start date YYYY-MM-DD (batches counted from it). Required."),
    until: Optional[str] = typer.Option(None, "--until", help="End date (default: everything stored)."),
    category: str = typer.Option("people", "--category", help="Which category to draw."),
    out: Optional[Path] = typer.Option(None, "--output", "-o", metavar="FILE",
                                       help="Write a .png or .svg (needs tracker[chart]); without it, a text chart."),
    size: str = typer.Option("1200x700", "--size", metavar="WxH", help="Image size in pixels (SVG: CSS pixels)."),
):
    """Draw reported cumulative figures, the running sum of distinct batches and windows over time.

    Cumulative figures carry their qualifier interval as error bars; the running sum of
    distinct batches is the sum of `tracker totals --by day`; windows are shaded spans;
    reconcile conflicts are marked when reconcile is there.

    Example: tracker chart --since 2018-12-01 --category people -o departures.png
    """
    if since is None:
        common.fail("--since is required, e.g. --since 2018-12-01", 2)
    start, end = common.option_date(since, "--since"), common.option_date(until, "--until")
    if end and end < start:
        common.fail("--until is before --since", 2)
    if category not in store.CATEGORIES:
        common.fail(f"--category: unknown value {category!r}; expected one of {', '.join(store.CATEGORIES)}", 2)
    width, height = _size(size)
    if out is not None and out.suffix.lower() not in (".png", ".svg"):
        common.fail(f"-o: {out}: the chart is written as .png or .svg", 2)
    with common.database(ctx) as db:
        series = lib.chart_series(db, start, end, category)
    log.debug(f"{len(series['days'])} days with batches, {len(series['cumulative'])} cumulative figures, "
              f"{len(series['windows'])} windows, {len(series['conflicts'])} conflicts")
    if out is None:
        typer.echo(lib.text_chart(series))
        return
    try:
        lib.draw(series, out, width, height)
    except ImportError as exc:
        common.fail(str(exc), 1)
    except OSError as exc:
        common.fail(f"-o: {out}: {exc.strerror or exc}", 1)
    log.info(f"wrote {out} ({width}x{height})")
