"""Commands over the database: ingest, reextract, reports, figures, totals.

Each parses its options, opens the database named by the global --db, calls one
function of tracker.store / tracker.ingest / tracker.queries and prints the result
with `emit` (a rich table, or --json / --jsonl / --csv).
"""
from __future__ import annotations

import csv
import json
import sqlite3
import sys
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable, List, Optional

import typer

from tracker import queries, store
from tracker.beside import default_jobs
from tracker.display import number

from .main import app
from .render import format_period, format_value, safe

if TYPE_CHECKING:   # rich is imported where output is drawn: it costs 60 ms of every start, --help too
    from rich.console import Console
    from rich.table import Table

# --- shared bits ------------------------------------------------------------------------------

JSON = typer.Option(False, "--json", help="Print one JSON value.")
JSONL = typer.Option(False, "--jsonl", help="Print one JSON object per line.")
CSV = typer.Option(False, "--csv", help="Print CSV with a header row.")


def fail(message: str, code: int = 1):
    """One line on stderr and exit: 2 for bad usage, 1 for anything else."""
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


def option_date(value: Optional[str], option: str) -> Optional[date]:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        fail(f"{option}: {value!r} is not a date; expected YYYY-MM-DD", 2)


def option_size(value: Optional[str], option: str) -> int:
    """A size such as 50MB or 2000000 (bytes), or a one-line usage error."""
    from tracker.reader import DEFAULT_MAX_BYTES, parse_size

    if value is None:
        return DEFAULT_MAX_BYTES
    try:
        return parse_size(value)
    except ValueError as exc:
        fail(f"{option}: {exc}", 2)


MAX_JOBS = 256


def option_jobs(value: Optional[str], option: str = "--jobs") -> Optional[int]:
    """A number of worker processes, 1 to MAX_JOBS, or a one-line usage error."""
    if value is None:
        return None
    if not value.isdigit() or not 1 <= int(value) <= MAX_JOBS:
        fail(f"{option}: {value!r} is not a number of processes; expected 1 to {MAX_JOBS}", 2)
    return int(value)


def quiet(ctx: typer.Context) -> bool:
    """-q: results and errors only."""
    return (ctx.obj or {}).get("verbosity", 0) < 0


def option_choices(values: Optional[List[str]], allowed: Iterable[str], option: str) -> list[str]:
    allowed = list(allowed)
    for value in values or []:
        if value not in allowed:
            fail(f"{option}: unknown value {value!r}; expected one of {', '.join(allowed)}", 2)
    return list(values or [])


def output_format(as_json: bool, as_jsonl: bool, as_csv: bool) -> str:
    chosen = [name for name, on in (("json", as_json), ("jsonl", as_jsonl), ("csv", as_csv)) if on]
    if len(chosen) > 1:
        fail("choose one of --json, --jsonl, --csv", 2)
    return chosen[0] if chosen else "table"


@contextmanager
def database(ctx: typer.Context, create: bool = False):
    """The database named by --db / TRACKER_DB; queries never create one."""
    from .errors import database_errors

    path = (ctx.obj or {}).get("db", "tracker.db")
    with database_errors(path):
        try:
            db = store.open_db(path, create=create)
        except store.StoreError as exc:
            fail(str(exc), 1)
        try:
            yield db
        finally:
            db.close()


def span(low, high) -> str:
    if high is None:
        return f"{number(low)} or more"
    return number(low) if low == high else f"{number(low)}–{number(high)}"


def plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "es" if word.endswith("ch") else "s")


def source_name(row: dict) -> str:
    """A report as people know it: its file name, else the start of its sha256."""
    return Path(row["path"]).name if row.get("path") else row["report"][:12]


def _csv_cell(value):
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return "" if value is None else value


def emit(rows: Iterable[dict], fmt: str, columns: list[str], table: Optional[Callable[[list[dict]], Table]] = None,
         empty: str = "nothing found") -> None:
    """Write rows as a JSON array (streamed), JSON lines, CSV (`columns`) or a rich table."""
    from rich.console import Console
    from rich.text import Text
    out = sys.stdout
    if fmt == "json":
        out.write("[")
        count = 0
        for row in rows:
            out.write(("," if count else "") + "\n" + json.dumps(row, ensure_ascii=False))
            count += 1
        out.write("\n]\n" if count else "]\n")
    elif fmt == "jsonl":
        for row in rows:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
    elif fmt == "csv":
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow([_csv_cell(row.get(c)) for c in columns])
    else:
        rows = list(rows)
        console = Console()
        if rows:
            console.print(table(rows))
        else:
            console.print(Text(empty))


# --- ingest and reextract ---------------------------------------------------------------------

@contextmanager
def progress_bar(total: int, hidden: bool = False, label: str = "ingesting"):
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    console = Console(stderr=True)
    bar = Progress(TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                   console=console, transient=True, disable=hidden or not console.is_terminal or total < 2)
    with bar:
        task = bar.add_task("ingest", total=total)
        yield (lambda: bar.advance(task)), bar.console


@app.command()
def ingest(
    ctx: typer.Context,
    paths: Optional[List[str]] = typer.Argument(None, help="Report files, directories (searched recursively), or - for standard input."),
    date_: Optional[str] = typer.Option(None, "--date", help="Report date YYYY-MM-DD for every file (else from the text or file name)."),
    publisher: Optional[str] = typer.Option(None, "--publisher", help="Publisher for every file (else detected)."),
    lang: str = typer.Option("auto", "--lang", help="Report language: auto, ar or en."),
    glob: str = typer.Option("*.txt", "--glob", help="Which files to take from directories."),
    from_jsonl: Optional[Path] = typer.Option(None, "--from-jsonl", metavar="FILE",
                                              help="Also store documents already extracted, one JSON per line ('text' key holds the report text)."),
    jobs: Optional[str] = typer.Option(None, "--jobs", "-j", metavar="N",
                                       help="Extract in N worker processes (default: all cores)."),
    max_bytes: Optional[str] = typer.Option(None, "--max-bytes", envvar="TRACKER_MAX_BYTES", metavar="SIZE",
                                            help="Refuse report files larger than SIZE (default 50MB; env TRACKER_MAX_BYTES)."),
):
    """Extract figures from reports and store them; reports already stored are skipped.

    Example: tracker ingest data/ --glob '*.txt' && tracker ingest data/sohr-2019-02-12-departures.ar.txt
    """
    from rich.text import Text
    from tracker.ingest import MIN_PARALLEL, Summary, expand, ingest_files

    from tracker.reader import visible

    published = option_date(date_, "--date")
    workers = option_jobs(jobs)
    limit = option_size(max_bytes, "--max-bytes")
    if lang not in ("auto", "ar", "en"):
        fail(f"--lang: unknown value {lang!r}; expected auto, ar or en", 2)
    if not paths and from_jsonl is None:
        fail("give report files, directories or -, or --from-jsonl FILE", 2)
    if from_jsonl is not None and not from_jsonl.is_file():
        fail(f"--from-jsonl: {from_jsonl}: no such file", 2)
    total = sum(1 for _ in expand(paths or [], glob))      # counted, then streamed: no list of 100k paths
    files = expand(paths or [], glob) if total >= MIN_PARALLEL else list(expand(paths or [], glob))
    summary = Summary()
    with database(ctx, create=True) as db, progress_bar(total, quiet(ctx)) as (advance, console):
        outcomes = ingest_files(db, files, published=published, lang=None if lang == "auto" else lang,
                                publisher=publisher, jobs=workers or default_jobs(), max_bytes=limit)
        if from_jsonl is not None:
            outcomes = _chain(outcomes, _jsonl(db, from_jsonl))
        for outcome in outcomes:
            summary.add(outcome)
            advance()
            if outcome.status == "failed":
                console.print(Text(f"error: {visible(outcome.path)}: {outcome.reason}"), soft_wrap=True)
    if summary.read == 0:
        fail(f"no report files found (directories are searched for {glob!r}, see --glob)", 1)
    if not quiet(ctx):
        typer.echo(summary.line())
    if summary.failed:
        raise typer.Exit(1)


def _chain(*iterables):
    for it in iterables:
        yield from it


def _jsonl(db, path: Path):
    from tracker.ingest import ingest_jsonl

    with open(path, encoding="utf-8-sig") as lines:
        yield from ingest_jsonl(db, lines, str(path))


@app.command()
def reextract(
    ctx: typer.Context,
    jobs: Optional[str] = typer.Option(None, "--jobs", "-j", metavar="N",
                                       help="Extract in N worker processes (default: all cores)."),
):
    """Re-run the current extractor over every stored report, replacing its figures (one transaction per report).

    Example: tracker reextract --jobs 2 && tracker totals --since 2018-12-01
    """
    from rich.text import Text
    from tracker.ingest import reextract_reports

    workers = option_jobs(jobs)
    failed = before = after = done = 0
    with database(ctx) as db:
        total = db.execute("SELECT count(*) FROM reports").fetchone()[0]
        with progress_bar(total, quiet(ctx), "re-extracting") as (advance, console):
            for result in reextract_reports(db, jobs=workers or default_jobs()):
                advance()
                if "error" in result:
                    failed += 1
                    console.print(Text(f"error: {result['path'] or result['report']}: {result['error']}"),
                                  soft_wrap=True)
                else:
                    done += 1
                    before += result["before"]
                    after += result["after"]
    if not quiet(ctx):
        typer.echo(f"{done} reports re-extracted: {before} figures before, {after} now; {failed} failed")
    if failed:
        raise typer.Exit(1)


# --- queries ------------------------------------------------------------------------------------

REPORT_COLUMNS = ["published", "publisher", "language", "figures", "warnings", "path", "id",
                  "published_from", "ingested_at", "extractor_version"]
FIGURE_COLUMNS = ["report", "id", "kind", "category", "value", "high", "qualifier", "start", "end", "parent",
                  "origin", "destination", "evidence", "evidence_start", "evidence_end", "published",
                  "publisher", "path"]


WIDE = {"report", "path", "evidence", "sources", "places", "cumulative", "distinct batches", "gap", "source",
        "period"}


def _table(headers: list[str], rows: Iterable[list], title: str | None = None) -> Table:
    """A rich table whose cells are plain text (never markup); long columns fold."""
    from rich.table import Table
    from rich.text import Text
    table = Table(title=safe(title) if title else None)
    for header in headers:
        table.add_column(header, overflow="fold", no_wrap=header not in WIDE,
                         min_width=8 if header in WIDE else None)
    for row in rows:
        table.add_row(*[safe(cell.plain if isinstance(cell, Text) else cell) for cell in row])
    return table


@app.command()
def reports(
    ctx: typer.Context,
    search: Optional[str] = typer.Option(None, "--search", help="Full-text search over report text (SQLite FTS5 syntax)."),
    as_json: bool = JSON, as_jsonl: bool = JSONL, as_csv: bool = CSV,
):
    """List stored reports: date, publisher, language, figures, path.

    Example: tracker reports --search 'الهول' --csv
    """
    fmt = output_format(as_json, as_jsonl, as_csv)
    with database(ctx) as db:
        try:
            rows = queries.reports(db, search)
        except sqlite3.OperationalError as exc:
            fail(f"--search: {exc}", 2)
        emit(rows, fmt, REPORT_COLUMNS, empty="no reports match", table=lambda rows: _table(
            ["published", "publisher", "lang", "figures", "path", "id"],
            ([r["published"] or "", r["publisher"] or "", r["language"] or "", r["figures"], r["path"] or "",
              r["id"][:12]] for r in rows)))


@app.command()
def figures(
    ctx: typer.Context,
    kind: Optional[List[str]] = typer.Option(None, "--kind", help=f"Only this kind (repeatable): {', '.join(store.KINDS)}."),
    category: Optional[List[str]] = typer.Option(None, "--category", help="Only this category (repeatable)."),
    since: Optional[str] = typer.Option(None, "--since", help="Only figures whose period reaches this date or later."),
    until: Optional[str] = typer.Option(None, "--until", help="Only figures whose period starts on or before this date."),
    place: Optional[List[str]] = typer.Option(None, "--place", help="Origin or destination contains this text (repeatable)."),
    report: Optional[str] = typer.Option(None, "--report", help="Only this report: sha256 prefix or stored path."),
    limit: Optional[str] = typer.Option(None, "--limit", metavar="N", help="Only the first N figures (the listing's order)."),
    as_json: bool = JSON, as_jsonl: bool = JSONL, as_csv: bool = CSV,
):
    """List stored figures with their period, qualifier, source report and evidence.

    Example: tracker figures --kind batch --category people --since 2019-02-01 --jsonl
    """
    from rich.text import Text
    if limit is not None and not limit.isdigit():
        fail(f"--limit: {limit!r} is not a number of 0 or more", 2)
    kinds = option_choices(kind, store.KINDS, "--kind")
    categories = option_choices(category, store.CATEGORIES, "--category")
    start, end = option_date(since, "--since"), option_date(until, "--until")
    if start and end and end < start:
        fail("--until is before --since", 2)
    fmt = output_format(as_json, as_jsonl, as_csv)
    with database(ctx) as db:
        rows = queries.figures(db, kinds, categories, start, end, place or [], report,
                               limit=None if limit is None else int(limit))
        emit(rows, fmt, FIGURE_COLUMNS, empty="no figures match", table=lambda rows: _table(
            ["report", "id", "kind", "category", "value", "period", "of", "places", "evidence"],
            ([Text(source_name(r)), r["id"], r["kind"], r["category"], format_value(r),
              format_period(r), "" if r["parent"] is None else r["parent"],
              " → ".join(p for p in (r["origin"] or "", r["destination"] or "") if p),
              Text(r["evidence"] or "")] for r in rows)))


@app.command()
def totals(
    ctx: typer.Context,
    since: Optional[str] = typer.Option(None, "--since", help="Count departures from this date (YYYY-MM-DD). Required."),
    until: Optional[str] = typer.Option(None, "--until", help="Up to this date (default: everything stored)."),
    category: Optional[List[str]] = typer.Option(None, "--category", help="Only this category (repeatable)."),
    place: Optional[List[str]] = typer.Option(None, "--place", help="Also show the latest stock at places whose name contains this (repeatable)."),
    by: Optional[str] = typer.Option(None, "--by", help="Add the series of distinct batch sums by day, week or month."),
    summary: bool = typer.Option(False, "--summary", help="Leave out the list of distinct batches and their sources (fast on big databases)."),
    as_json: bool = JSON, as_jsonl: bool = JSONL, as_csv: bool = CSV,
):
    """How many left since a date: latest cumulative figure, sum of distinct batches, their gap.

    Per category: the latest cumulative figure counted from --since (or the nearest
    ones), the sum of distinct batches as a low-high interval from the qualifiers,
    and the gap between the two over the cumulative's own period.

    Example: tracker totals --since 2018-12-01 --by week --place hol
    """
    from rich.console import Console
    if since is None:
        fail("--since is required, e.g. --since 2018-12-01", 2)
    start, end = option_date(since, "--since"), option_date(until, "--until")
    if end and end < start:
        fail("--until is before --since", 2)
    categories = option_choices(category, store.CATEGORIES, "--category")
    if by is not None and by not in ("day", "week", "month"):
        fail(f"--by: unknown value {by!r}; expected day, week or month", 2)
    fmt = output_format(as_json, as_jsonl, as_csv)
    with database(ctx) as db:
        result = queries.totals(db, start, end, categories, place or [], by, details=not summary)
    if fmt == "json":
        sys.stdout.write(json.dumps(result, ensure_ascii=False, indent=2) + "\n")
    elif fmt in ("jsonl", "csv"):
        emit(queries.totals_rows(result), fmt, queries.TOTALS_COLUMNS)
    else:
        print_totals(result, Console())


def print_totals(result: dict, console: Console) -> None:
    from rich.text import Text
    period = f"since {result['since']}" + (f" until {result['until']}" if result["until"] else "")
    if not result["categories"]:
        console.print(Text(f"no cumulative figures or batches {period}"))
    summary = []
    for entry in result["categories"]:
        cum_cells = []
        for c in entry["cumulative"]:
            note = "" if c["match"] == "exact" else f" ({c['match'].replace('_', ' ')}: from {c['start']})"
            cum_cells.append(f"{format_value(c)} as of {c['end'] or '?'}{note}\n{source_name(c)}")
        b = entry["batches"]
        interval = "" if b["low"] == b["high"] == b["value"] else f" ({span(b['low'], b['high'])})"
        batch_cell = (f"{number(b['value'])}{interval}\n"
                      f"{plural(b['count'], 'batch')}, {plural(b['reports'], 'report')}") if b["count"] else ""
        gap = entry["gap"]
        gap_cell = (f"{number(gap['value'])}\n(batches to {gap['end']}: {number(gap['batches'])})"
                    if gap and gap["batch_count"] else "")
        summary.append([entry["category"], "\n".join(cum_cells), batch_cell, gap_cell])
    if summary:
        console.print(_table(["category", "cumulative", "distinct batches", "gap"], summary, f"Left {period}"))
    items = [[e["category"], format_period(i), number(i["value"]),
              span(i["low"], i["high"]), "/".join(i["qualifiers"]),
              Text("\n".join(source_name(s) for s in i["sources"]))]
             for e in result["categories"] for i in e["batches"].get("items", [])]
    if items:
        console.print(_table(["category", "period", "value", "interval", "qualifiers", "sources"], items,
                             "Distinct batches"))
    points = [[e["category"], p["period"], number(p["value"]), span(p["low"], p["high"]), p["count"]]
              for e in result["categories"] for p in e.get("series", [])]
    if points:
        console.print(_table(["category", "period", "sum", "interval", "batches"], points, "Batches by period"))
    if "stocks" in result:
        stocks = [[s["place"] or "", s["category"], format_value(s), s["as_of"] or "", Text(source_name(s))]
                  for s in result["stocks"]]
        if stocks:
            console.print(_table(["place", "category", "value", "as of", "source"], stocks, "Latest stock"))
        else:
            console.print(Text("no stock figures at those places"))
