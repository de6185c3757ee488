"""What people expect of any command line: --version, --help with an example, completion,
NO_COLOR, -q / -v, documented exit codes, and a metadata file for datasette."""
from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import typer.main
from typer.testing import CliRunner

from cli.main import app
from storehelp import series_docs, write_jsonl
from tracker import __version__

runner = CliRunner()
ROOT = Path(__file__).parent.parent
COMMANDS = sorted(typer.main.get_command(app).commands)
# SGR parameters that set a colour (foreground, background, 256 and true colour)
COLOUR = re.compile(r"\x1b\[(?:[0-9;]*;)?(?:3[0-9]|4[0-9]|9[0-7]|10[0-7])(?:;[0-9;]*)?m")


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "t.db"
    result = runner.invoke(app, ["--db", str(path), "ingest", "--from-jsonl",
                                 str(write_jsonl(tmp_path / "s.jsonl", series_docs()))])
    assert result.exit_code == 0, result.output
    return path


def test_version():
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0 and result.stdout == f"tracker {__version__}\n"


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help_with_an_example(command):
    result = runner.invoke(app, [command, "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert re.search(rf"Example: tracker( -\S+)* {command}\b", result.stdout), result.stdout


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_is_in_the_readme(command):
    assert re.search(rf"tracker( --?\S+( \S+)?)* {command}\b", (ROOT / "README.md").read_text(encoding="utf-8"))


def test_top_help_documents_exit_codes_and_global_modes():
    result = runner.invoke(app, ["--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    assert "0 ok, 1 findings or files that failed, 2 usage errors" in result.stdout
    for option in ("--quiet", "-q", "--verbose", "-v", "NO_COLOR", "--install-completion"):
        assert option in result.stdout



def test_help_imports_nothing_heavy():
    """--help stays quick: rich, sqlite_utils, numpy, the extractor and reconcile load only
    when a command needs them (a fresh interpreter, so that the tests' imports do not count)."""
    code = ("import runpy, sys; sys.argv = ['tracker', '--help']\n"
            "try:\n    runpy.run_module('cli', run_name='__main__')\nexcept SystemExit:\n    pass\n"
            "print(' '.join(sorted(m for m in sys.modules if m.split('.')[0] in "
            "{'rich', 'sqlite_utils', 'numpy', 'matplotlib', 'dateutil'} or m in "
            "{'tracker.extraction', 'tracker.figures', 'tracker.dates', 'multiprocessing'})), file=sys.stderr)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert "Usage" in done.stdout and "ingest" in done.stdout
    assert done.stderr.strip() == "", done.stderr

def test_readme_documents_the_conventions():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Command-line conventions", 1)[1].split("\n## ", 1)[0]
    for word in ("NO_COLOR", "-q", "-v", "--install-completion", "| 2 |"):
        assert word in section


def test_shell_completion_script():
    result = runner.invoke(app, ["--show-completion", "bash"], prog_name="tracker")
    assert result.exit_code == 0
    assert "complete" in result.stdout and "_TRACKER_COMPLETE" in result.stdout


def test_no_color_turns_colours_off(db):
    def run(env):
        # the sample report's weekday warning is printed in colour
        sample = Path(__file__).parent.parent / "data" / "sohr-2019-02-12-departures.ar.txt"
        return runner.invoke(app, ["extract", str(sample)], env={"COLUMNS": "120", **env}).stdout
    assert COLOUR.search(run({"FORCE_COLOR": "1"}))                    # the check can see colours
    assert not COLOUR.search(run({"FORCE_COLOR": "1", "NO_COLOR": "1"}))


def test_exit_codes(db, tmp_path):
    assert runner.invoke(app, ["--db", str(db), "totals", "--since", "2019-03-01"]).exit_code == 0
    assert runner.invoke(app, ["--db", str(db), "totals", "--since", "2019-02-30"]).exit_code == 2
    assert runner.invoke(app, ["--db", str(db), "totals", "--nonsense"]).exit_code == 2
    assert runner.invoke(app, ["extract", str(tmp_path / "missing.txt")]).exit_code == 1


def test_quiet_and_verbose(db, tmp_path):
    out = tmp_path / "c.txt"
    both = runner.invoke(app, ["-q", "-v", "--db", str(db), "reports"])
    assert both.exit_code == 2 and "choose one of --quiet and --verbose" in both.output
    normal = runner.invoke(app, ["--db", str(db), "export", "--figures", "-o", str(out)])
    assert normal.stderr == f"14 figures exported to {out}\n"
    quiet = runner.invoke(app, ["--db", str(db), "-q", "export", "--figures", "-o", str(out)])
    assert quiet.exit_code == 0 and quiet.stderr == ""
    verbose = runner.invoke(app, ["--db", str(db), "-v", "chart", "--since", "2019-03-01"])
    assert verbose.exit_code == 0 and "days with batches" in verbose.stderr
    plain = runner.invoke(app, ["--db", str(db), "chart", "--since", "2019-03-01"])
    assert plain.stderr == "" and plain.stdout == verbose.stdout


def test_datasette_metadata_names_real_tables_and_columns(db):
    """Every table and column the metadata describes exists in a freshly migrated database."""
    import sqlite3
    meta = json.loads((ROOT / "tracker" / "datasette-metadata.json").read_text(encoding="utf-8"))
    tables = meta["databases"]["tracker"]["tables"]
    conn = sqlite3.connect(db)
    try:
        existing = {name for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'view')")}
        for table, info in tables.items():
            assert table in existing, table
            columns = {row[1] for row in conn.execute(f'PRAGMA table_info("{table}")')}
            assert set(info.get("columns", {})) <= columns, table
            if "label_column" in info:
                assert info["label_column"] in columns
        for table in ("reports", "figures", "warnings"):
            assert tables[table]["title"] and tables[table]["description"]
    finally:
        conn.close()


def test_datasette_serves_the_metadata(db):
    """datasette (extra [web]) reads the metadata: titles, column descriptions, search over report text."""
    pytest.importorskip("datasette")
    import asyncio

    from datasette.app import Datasette

    async def fetch():
        ds = Datasette([str(db)], metadata=json.loads(
            (ROOT / "tracker" / "datasette-metadata.json").read_text(encoding="utf-8").replace('"tracker":', f'"{db.stem}":', 1)))
        figures = await ds.client.get(f"/{db.stem}/figures")
        search = await ds.client.get(f"/{db.stem}/reports.json", params={"_search": "مخيم", "_shape": "array"})
        return figures, search

    figures, search = asyncio.run(fetch())
    assert figures.status_code == 200
    assert "Every figure extracted from a report" in figures.text
    assert "The report&#39;s own words for this figure" in figures.text or "The report's own words" in figures.text
    assert search.status_code == 200
