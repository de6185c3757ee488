"""`tracker check`: is the database sound? (tracker.check does the work.)"""
from __future__ import annotations

import json
import sys

import typer

from tracker import check as checks
from tracker.reader import visible
from tracker.store import StoreError

from .errors import database_errors
from .main import app


@app.command()
def check(
    ctx: typer.Context,
    as_json: bool = typer.Option(False, "--json", help="Print the result as one JSON document."),
    limit: str = typer.Option("20", "--limit", metavar="N",
                              help="Show at most N examples per check, 0 to 10000 (all are counted)."),
    repair: bool = typer.Option(False, "--repair", help="Make stale totals summaries again from the figures, then check."),
):
    """Check the database: SQLite integrity, schema version, orphan figures, evidence that no longer
    matches its report text, totals summaries that no longer match the figures. Exit status 1 when
    anything is wrong; nothing is changed unless --repair is given.

    Example: tracker check --json | jq '.checks[] | select(.ok | not)'
    """
    path = (ctx.obj or {}).get("db", "tracker.db")
    if not (limit.isdigit() and int(limit) <= 10000):
        typer.echo(f"error: --limit: {visible(repr(limit), lines=False)} is not a number from 0 to 10000", err=True)
        raise typer.Exit(2)
    try:
        with database_errors(path):
            result = checks.check_database(path, limit=int(limit))
            at = next((i for i, c in enumerate(result["checks"]) if c["name"] == "summaries" and not c["ok"]), None)
            if repair and at is not None:
                checks.repair_summaries(path)
                typer.echo(f"repaired: {result['checks'][at]['count']} summary row(s) made again", err=True)
                result["checks"][at] = checks.check_database(path, int(limit), ["summaries"])["checks"][0]
                result["ok"] = all(c["ok"] for c in result["checks"])
    except StoreError as exc:
        typer.echo(f"error: {visible(str(exc), lines=False)}", err=True)
        raise typer.Exit(1) from None
    if as_json:
        sys.stdout.write(json.dumps(result, ensure_ascii=False, indent=2) + "\n")
    else:
        print_check(result)
    if not result["ok"]:
        raise typer.Exit(1)


def print_check(result: dict) -> None:
    width = max(len(c["name"]) for c in result["checks"])
    bad = 0
    for c in result["checks"]:
        status = "ok" if c["ok"] else f"{c['count']} problem{'' if c['count'] == 1 else 's'}"
        bad += c["count"]
        note = f"  ({c['note']})" if c.get("note") else ""
        typer.echo(visible(f"{c['name']:<{width}}  {status}{note}", lines=False))
        for problem in c["problems"]:
            typer.echo("  " + visible(problem, lines=False))
        if c["count"] > len(c["problems"]):
            typer.echo(f"  ... and {c['count'] - len(c['problems'])} more")
    verdict = "sound" if result["ok"] else f"{bad} problem{'' if bad == 1 else 's'}"
    typer.echo(visible(f"{result['database']}: {verdict}", lines=False))
