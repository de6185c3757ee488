"""tracker's Typer app. Commands parse options, call the library and print; no logic here."""
from __future__ import annotations

import json
import sys
from enum import Enum
from pathlib import Path
from typing import List, Optional

import typer

from tracker import __version__

app = typer.Typer(
    help="Turn narrative displacement reports into a reconciled, queryable record of figures.\n\n"
         "Example: tracker ingest report.txt && tracker totals --since 2018-12-01",
    no_args_is_help=True,
    rich_markup_mode=None,  # click's plain help: rich help costs 0.3 s on every --help
    add_completion=True,
)


class Lang(str, Enum):
    auto = "auto"
    ar = "ar"
    en = "en"


def _version(value: bool):
    if value:
        typer.echo(f"tracker {__version__}")
        raise typer.Exit()


@app.callback(epilog="Exit status: 0 ok, 1 findings or files that failed, 2 usage errors. "
                      "Colours are off when NO_COLOR is set or output is not a terminal.")
def main(
    ctx: typer.Context,
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                 help="Show the version and exit."),
    db: str = typer.Option("tracker.db", "--db", envvar="TRACKER_DB", metavar="PATH",
                           help="SQLite database file (env TRACKER_DB)."),
    quiet: bool = typer.Option(False, "--quiet", "-q",
                               help="Print only results and errors: no progress bars, summaries or notes."),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Also print details of each step on standard error."),
):
    """Turn narrative displacement reports into a reconciled, queryable record of figures."""
    import logging

    if quiet and verbose:
        raise typer.BadParameter("choose one of --quiet and --verbose", param_hint="-q/-v")
    obj = ctx.ensure_object(dict)
    obj["db"] = db
    obj["verbosity"] = -1 if quiet else 1 if verbose else 0     # commands print notes when >= 0
    # Notes go through the "tracker" logger to standard error: info unless -q, debug with -v.
    log = logging.getLogger("tracker")
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(message)s"))
    log.handlers[:] = [handler]
    log.propagate = False
    log.setLevel(logging.WARNING if quiet else logging.DEBUG if verbose else logging.INFO)


@app.command()
def extract(
    files: Optional[List[Path]] = typer.Argument(None, help="Report files (text), or - for standard input."),
    date_: Optional[str] = typer.Option(None, "--date", help="Report date YYYY-MM-DD (else from the text or file name)."),
    lang: Lang = typer.Option(Lang.auto, "--lang", help="Report language."),
    as_json: bool = typer.Option(False, "--json", help="One JSON document per file, one per line."),
    as_jsonl: bool = typer.Option(False, "--jsonl", help="Like --json, with the report text under \"text\": "
                                  "what `tracker ingest --from-jsonl` stores."),
    from_list: Optional[str] = typer.Option(None, "--from-list", metavar="FILE",
                                            help="Also read the report paths from FILE, one per line (- for standard input)."),
    max_bytes: Optional[str] = typer.Option(None, "--max-bytes", envvar="TRACKER_MAX_BYTES", metavar="SIZE",
                                            help="Refuse report files larger than SIZE (default 50MB; env TRACKER_MAX_BYTES)."),
):
    """Extract figures from reports and print them; nothing is stored.

    With --jsonl each document also carries its report text, so that extraction can
    run anywhere and `tracker ingest --from-jsonl docs.jsonl` store the result.

    Example: find reports -name '*.txt' | tracker extract --from-list - --jsonl > docs.jsonl

    Example: tracker extract data/sohr-2019-02-12-departures.ar.txt --json | jq '.figures[].value'
    """
    from tracker.ingest import extract_source, read_source
    from tracker.reader import ReadError

    from .db_commands import fail, option_date, option_size
    from .render import print_extraction

    published = option_date(date_, "--date")
    limit = option_size(max_bytes, "--max-bytes")
    if as_json and as_jsonl:
        fail("--jsonl: choose one of --json and --jsonl", 2)
    names = [str(f) for f in files or []]
    if from_list == "-" and "-" in names:
        fail("--from-list: standard input cannot hold both a report and the list of paths", 2)
    if not names and from_list is None:
        fail("give report files, - for standard input, or --from-list FILE", 2)
    failed = 0
    for path in _report_paths(names, from_list):
        try:
            source = read_source(path, limit)
            text = source.text
            doc = extract_source(source, path, published, None if lang == Lang.auto else lang.value)
        except ReadError as exc:
            failed += 1
            typer.echo(f"error: {exc}", err=True)
            continue
        if as_jsonl:
            sys.stdout.write(json.dumps({**doc, "text": text}, ensure_ascii=False) + "\n")
        elif as_json:
            sys.stdout.write(json.dumps(doc, ensure_ascii=False) + "\n")
        else:
            print_extraction(doc, text)
    if failed:
        raise typer.Exit(1)


def _report_paths(names: List[str], from_list: Optional[str]):
    """The paths given as arguments, then those listed in `from_list` (blank lines skipped)."""
    yield from names
    if from_list is None:
        return
    try:
        lines = sys.stdin if from_list == "-" else open(from_list, encoding="utf-8")
    except OSError as exc:
        from .db_commands import fail

        fail(f"--from-list: {from_list}: {exc.strerror or exc}", 2)
    with lines:
        for line in lines:
            if line.strip():
                yield line.rstrip("\r\n")


from . import db_commands  # noqa: E402,F401  (registers commands)
from . import export_commands  # noqa: E402,F401  (registers commands)
from . import chart_commands  # noqa: E402,F401  (registers commands)
from . import check_commands  # noqa: E402,F401
from . import reconcile_commands  # noqa: E402,F401

if __name__ == "__main__":
    app()
