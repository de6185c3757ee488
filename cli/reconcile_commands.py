"""Commands that reconcile the stored figures: reconcile, events, review, reviews.

Each parses its options, opens the database named by the global --db, calls one function
of tracker.reconcile / tracker.reviews and prints the result (a rich table, or --json /
--jsonl / --csv) with the helpers of db_commands.
"""
from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Iterator, List, Optional

import typer

from tracker import reconcile as rec
from tracker import reviews as rev
from tracker import store
from tracker.beside import default_jobs

from . import db_commands as common   # module, not names: `python -m cli.main` imports cli.main twice
from .main import app
from .render import format_period, format_value

if TYPE_CHECKING:   # rich is imported where output is drawn: it costs 60 ms of every start, --help too
    from rich.console import Console
    from rich.table import Table

JSON = typer.Option(False, "--json", help="Print one JSON value.")
JSONL = typer.Option(False, "--jsonl", help="Print one JSON object per line.")
CSV = typer.Option(False, "--csv", help="Print CSV with a header row.")
STATUS_STYLE = {"agrees": "green", "gap": "yellow", "conflict": "bold red"}


def option_tolerance(value: Optional[str]) -> float:
    """--tolerance as a percentage: 10, 10% or 12.5."""
    if value is None:
        return rec.TOLERANCE
    try:
        percent = float(value.strip().rstrip("%"))
    except ValueError:
        percent = -1
    if not 0 <= percent < 100:
        common.fail(f"--tolerance: {value!r} is not a percentage from 0 to 99, e.g. --tolerance 10", 2)
    return round(percent / 100, 6)


def _dates(since: Optional[str], until: Optional[str]):
    start, end = common.option_date(since, "--since"), common.option_date(until, "--until")
    if start and end and end < start:
        common.fail("--until is before --since", 2)
    return start, end


def _cite(source: dict) -> str:
    """One figure as evidence: value, «words», report (publisher, date), figure id."""
    if source.get("figure") is None:
        return f"{common.source_name(source)} ({source.get('publisher') or '?'}, {source.get('published') or '?'})"
    reviewed = " [reviewed]" if source.get("review") else ""
    return (f"{format_value(source)}{reviewed} «{source.get('evidence') or ''}» — {common.source_name(source)} "
            f"({source.get('publisher') or '?'}, {source.get('published') or '?'}) #{source['figure']}")


# --- reconcile ---------------------------------------------------------------------------------------

@app.command()
def reconcile(
    ctx: typer.Context,
    since: Optional[str] = typer.Option(None, "--since", help="Only figures whose period reaches this date or later."),
    until: Optional[str] = typer.Option(None, "--until", help="Only figures whose period starts on or before this date."),
    category: Optional[List[str]] = typer.Option(None, "--category", help="Only findings about this category (repeatable)."),
    check: Optional[List[str]] = typer.Option(None, "--check", help=f"Only this check (repeatable): {', '.join(rec.CHECKS)}."),
    tolerance: Optional[str] = typer.Option(None, "--tolerance", metavar="PERCENT",
                                            help="How far 'about N' reaches either side, in percent (default 10)."),
    strict: bool = typer.Option(False, "--strict", help="Exit with status 1 when any conflict is found."),
    limit: str = typer.Option("50", "--limit", metavar="N", help="Rows per check in the table, conflicts first (0: all)."),
    jobs: Optional[str] = typer.Option(None, "--jobs", "-j", metavar="N",
                                       help="Group and check large databases in 2 processes when N > 1 (default: all cores)."),
    as_json: bool = JSON, as_jsonl: bool = JSONL, as_csv: bool = CSV,
):
    """Check where the figures agree, repeat and contradict each other.

    Six checks, each finding marked agrees, gap or conflict with its numbers and the
    evidence words and report of every figure involved: windows against the batches
    inside them, cumulative series (never falling; rises against batches), parts within
    their whole, stocks against flows, dates, and sources on the same period. Qualifiers
    are intervals ("about 1500" is 1350 to 1650 at the default tolerance).

    Example: tracker reconcile --since 2019-02-01 --check windows --check dates --strict
    """
    from rich.console import Console
    start, end = _dates(since, until)
    categories = common.option_choices(category, store.CATEGORIES, "--category")
    checks = common.option_choices(check, rec.CHECKS, "--check")
    tol = option_tolerance(tolerance)
    if not limit.isdigit():
        common.fail(f"--limit: {limit!r} is not a number of 0 or more", 2)
    workers = common.option_jobs(jobs)
    fmt = common.output_format(as_json, as_jsonl, as_csv)
    with common.database(ctx) as db:
        # a table shows `limit` findings per check: only those are written out; the other
        # formats write every finding as it is made (at a million figures: gigabytes)
        result = rec.reconcile(db, start, end, categories, checks, tol,
                               limit=(int(limit) or None) if fmt == "table" else None,
                               jobs=workers or default_jobs(), lazy=fmt != "table")
        if fmt == "json":
            write_json(result, sys.stdout)
        elif fmt in ("jsonl", "csv"):
            common.emit(rec.findings_rows(result) if fmt == "csv" else
                        (f for c in result["checks"] for f in c["findings"]), fmt, rec.FINDING_COLUMNS)
    if fmt == "table":
        print_reconcile(result, Console(), int(limit))
    if strict and result["counts"]["conflict"]:
        raise typer.Exit(1)


def write_json(result: dict, out) -> None:
    """`reconcile(lazy=True)` as json.dumps(result, ensure_ascii=False, indent=1) would
    write it, the findings one at a time: the rest is dumped with a marker where each
    check's findings go, and each finding is indented to its depth (4)."""
    marks = [f"@@findings {n}@@" for n in range(len(result["checks"]))]
    shell = {**result, "checks": [{**c, "findings": mark} for c, mark in zip(result["checks"], marks)]}
    text = json.dumps(shell, ensure_ascii=False, indent=1)
    for check, mark in zip(result["checks"], marks):
        before, text = text.split(json.dumps(mark), 1)
        out.write(before)
        count = 0
        for finding in check["findings"]:
            lines = json.dumps(finding, ensure_ascii=False, indent=1).replace("\n", "\n    ")
            out.write(("," if count else "[") + "\n    " + lines)
            count += 1
        out.write("\n   ]" if count else "[]")
    out.write(text + "\n")


def print_reconcile(result: dict, console: Console, limit: int = 50) -> None:
    from rich.text import Text
    rank = {"conflict": 0, "gap": 1, "agrees": 2}
    for check in result["checks"]:
        counts = ", ".join(f"{n} {status}" for status, n in check["counts"].items())
        title = f"{check['name']}: {check['title']} ({counts})"
        findings = sorted(check["findings"], key=lambda f: rank[f["status"]])
        total = sum(check["counts"].values())       # findings may hold only the first `limit`
        if not total:
            console.print(Text(f"{title}: nothing to check", style="dim"))
            continue
        shown = findings if not limit else findings[:limit]
        rows = [[Text(f["status"], style=STATUS_STYLE[f["status"]]), f["category"] or "",
                 format_period(f), Text(f["message"]), Text("\n".join(_evidence_lines(f)))]
                for f in shown]
        console.print(_findings_table(rows, title))
        if total > len(shown):
            console.print(Text(f"… {total - len(shown)} more {check['name']} findings "
                               f"(--limit 0 shows all, --json gives everything)", style="dim"))
    c = result["counts"]
    console.print(Text(f"{c['conflict']} conflicts, {c['gap']} gaps, {c['agrees']} agreeing "
                       f"(tolerance {result['tolerance'] * 100:g}%)"))


SOURCES_SHOWN = 3      # figures cited per role in a table's evidence cell (--json and --csv list every one)


def _evidence_lines(finding: dict) -> Iterator[str]:
    """The figures a finding cites, the first SOURCES_SHOWN of each role, then how many more."""
    for cited in finding["evidence"]:
        role, sources = cited["role"], cited["sources"]
        for src in sources[:SOURCES_SHOWN]:
            yield f"{role}: {_cite(src)}"
        hidden, events = len(sources) - SOURCES_SHOWN, cited.get("more") or 0
        if hidden > 0 or events:
            more = [f"{hidden} more figure{'s' * (hidden != 1)}" if hidden > 0 else "",
                    f"{events} more event{'s' * (events != 1)}" if events else ""]
            yield f"{role}: … and {' and '.join(filter(None, more))}"


def _findings_table(rows: list[list], title: str) -> Table:
    """Like db_commands._table, but the numbers and evidence columns share the width."""
    from rich.table import Table
    from rich.text import Text
    table = Table(title=Text(title))
    table.add_column("status", no_wrap=True)
    table.add_column("category", no_wrap=True)
    table.add_column("period", min_width=10)
    table.add_column("numbers", ratio=1, min_width=20, overflow="fold")
    table.add_column("evidence", ratio=1, min_width=20, overflow="fold")
    for row in rows:
        table.add_row(*[cell if isinstance(cell, Text) else Text(str(cell)) for cell in row])
    return table


# --- events -------------------------------------------------------------------------------------------

EVENT_COLUMNS = ["event", "kind", "category", "start", "end", "value", "high", "qualifier", "low", "up",
                 "origin", "destination", "parent", "reports", "publishers", "figure_ids", "evidence"]


@app.command()
def events(
    ctx: typer.Context,
    since: Optional[str] = typer.Option(None, "--since", help="Only events whose period reaches this date or later."),
    until: Optional[str] = typer.Option(None, "--until", help="Only events whose period starts on or before this date."),
    category: Optional[List[str]] = typer.Option(None, "--category", help="Only this category (repeatable)."),
    tolerance: Optional[str] = typer.Option(None, "--tolerance", metavar="PERCENT",
                                            help="How far 'about N' reaches either side, in percent (default 10)."),
    jobs: Optional[str] = typer.Option(None, "--jobs", "-j", metavar="N",
                                       help="Group large databases in 2 processes when N > 1 (default: all cores)."),
    as_json: bool = JSON, as_jsonl: bool = JSONL, as_csv: bool = CSV,
):
    """List events: the figures that report one real batch, window, cumulative or stock, grouped across reports.

    Example: tracker events --since 2019-02-01 --category people --jsonl
    """
    from rich.text import Text
    start, end = _dates(since, until)
    categories = common.option_choices(category, store.CATEGORIES, "--category")
    tol = option_tolerance(tolerance)
    workers = common.option_jobs(jobs)
    fmt = common.output_format(as_json, as_jsonl, as_csv)
    with common.database(ctx) as db:
        rows = rec.events(db, start, end, categories, tolerance=tol, jobs=workers or default_jobs())
    if fmt == "csv":
        rows = ({**r, "publishers": " ".join(r["publishers"]),
                 "figure_ids": " ".join(str(s["figure"]) for s in r["sources"]),
                 "evidence": " | ".join(s["evidence"] or "" for s in r["sources"])} for r in rows)
    common.emit(rows, fmt, EVENT_COLUMNS, empty="no events", table=lambda rows: common._table(
        ["event", "kind", "category", "value", "period", "of", "reports", "sources"],
        ([r["event"], r["kind"], r["category"], format_value(r), format_period(r),
          "" if r["parent"] is None else r["parent"], r["reports"],
          Text("\n".join(_cite(s) for s in r["sources"]))] for r in rows)))


# --- review, reviews ---------------------------------------------------------------------------------

@app.command()
def review(
    ctx: typer.Context,
    figure: str = typer.Argument(..., metavar="FIGURE_ID",
                                 help="A figure id as events/reconcile show it (#17), or REPORT:IDX as figures shows it."),
    reject: bool = typer.Option(False, "--reject", help="The figure is not a figure: leave it out."),
    value: Optional[str] = typer.Option(None, "--value", metavar="N", help="The right value."),
    high: Optional[str] = typer.Option(None, "--high", metavar="N", help="The upper end, with --qualifier range."),
    qualifier: Optional[str] = typer.Option(None, "--qualifier", help=f"The right qualifier: {', '.join(store.QUALIFIERS)}."),
    category: Optional[str] = typer.Option(None, "--category", help="The right category."),
    note: Optional[str] = typer.Option(None, "--note", help="Why (required)."),
    undo: bool = typer.Option(False, "--undo", help="Drop the figure's review instead."),
):
    """Correct an extracted figure; kept apart from extracted figures and across reextract.

    The correction is matched to the figure by report and evidence words, and used by
    figures, totals, events and reconcile instead of the extracted figure.

    Example: tracker review 17 --value 400 --qualifier approx --note "the body says about 400"
    """
    if qualifier is not None:
        common.option_choices([qualifier], store.QUALIFIERS, "--qualifier")
    if category is not None:
        common.option_choices([category], store.CATEGORIES, "--category")
    with common.database(ctx) as db:
        try:
            if undo:
                dropped = rev.unreview(db, figure)
                typer.echo(f"figure {figure}: {'review dropped' if dropped else 'had no review'}")
                return
            if note is None:
                common.fail("--note is required: say why, e.g. --note 'the body says about 400'", 2)
            made = rev.review(db, figure, note, reject=reject, value=_number(value, "--value"),
                              high=_number(high, "--high"),
                              qualifier=qualifier, category=category)
        except rev.ReviewError as exc:
            common.fail(str(exc), 2)
    typer.echo(_review_line(made))


def _number(text: Optional[str], option: str):
    """A count as an int (a decimal only where one is written: km²)."""
    if text is None:
        return None
    try:
        v = float(text.replace(",", ""))
    except ValueError:
        common.fail(f"{option}: {text!r} is not a number", 2)
    if not (v >= 0 and v != float("inf")):
        common.fail(f"{option}: {text!r} is not a number of 0 or more", 2)
    return int(v) if v.is_integer() else v


def _change(r: dict) -> str:
    """What a review changes: 'people >350 → people ~400', 'rejected people 12'."""
    was = format_value({"value": r["extracted_value"], "qualifier": r["extracted_qualifier"],
                        "high": r["extracted_high"]}) if r["figure"] is not None else "?"
    if r["action"] == "reject":
        return f"rejected {r['extracted_category'] or ''} {was}"
    now = format_value({"value": r["value"] if r["value"] is not None else r["extracted_value"],
                        "qualifier": r["qualifier"] or r["extracted_qualifier"],
                        "high": r["high"] if r["qualifier"] else r["extracted_high"]})
    return f"{r['extracted_category'] or '?'} {was} → {r['category'] or r['extracted_category']} {now}"


def _review_line(r: dict) -> str:
    return f"review {r['id']}: {common.source_name(r)} figure {r['idx']} «{r['evidence'] or ''}»: {_change(r)} ({r['note']})"


@app.command()
def reviews(ctx: typer.Context, as_json: bool = JSON, as_jsonl: bool = JSONL, as_csv: bool = CSV):
    """List the analysts' reviews and the figure each applies to now.

    Example: tracker reviews --csv > reviews.csv
    """
    from rich.text import Text
    fmt = common.output_format(as_json, as_jsonl, as_csv)
    with common.database(ctx) as db:
        rows = rev.reviews(db)
    common.emit(rows, fmt, rev.REVIEW_COLUMNS, empty="no reviews", table=lambda rows: common._table(
        ["id", "report", "figure", "evidence", "review", "note", "when"],
        ([r["id"], Text(common.source_name(r)), "(no figure now)" if r["figure"] is None else f"{r['idx']} (#{r['figure']})",
          Text(r["evidence"] or ""), Text(_change(r)), Text(r["note"]),
          r["created_at"] or ""] for r in rows)))
