"""Faults and hostile input: kills, concurrent processes, read-only and full disks, bad
option values, report text that tries to act on the terminal, a spreadsheet or SQL.

The full-size kill run is tests/stress/kill_ingest.py (results in the README).
"""
from __future__ import annotations

import csv
import io
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
import typer
from rich.console import Console
from typer.testing import CliRunner

from cli.errors import database_errors, explain
from cli.main import app
from cli.render import print_extraction
from storehelp import ROOT, make_doc, write_jsonl
from tracker import store

sys.path.insert(0, str(Path(__file__).parent / "stress"))
import kill_ingest  # noqa: E402

runner = CliRunner()


def run(db, *args, input=None, env=None):
    return runner.invoke(app, ["--db", str(db), *args], input=input, env={"COLUMNS": "250", **(env or {})})


def counts(db, immutable: bool = False) -> tuple:
    conn = sqlite3.connect(f"file:{db}?mode=ro&immutable=1", uri=True) if immutable else sqlite3.connect(db)
    try:
        return tuple(conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("reports", "figures", "warnings"))
    finally:
        conn.close()


def one_line_error(result, code: int) -> str:
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output
    assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1, result.stderr
    return result.stderr


def can_mount() -> bool:
    if os.geteuid() != 0:
        return False
    with tempfile.TemporaryDirectory() as d:
        ok = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", d], capture_output=True).returncode == 0
        if ok:
            subprocess.run(["umount", d], check=True)
        return ok


MOUNT = pytest.mark.skipif(not can_mount(), reason="needs root and tmpfs to mount a read-only or tiny disk")


@pytest.fixture
def mounted(tmp_path):
    """A function mounting a tmpfs (options given) at a fresh folder; unmounted afterwards."""
    points = []

    def mount(options: str) -> Path:
        point = tmp_path / f"mnt{len(points)}"
        point.mkdir()
        subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(point)], check=True)
        points.append(point)
        return point

    yield mount
    for point in reversed(points):
        subprocess.run(["umount", "-l", str(point)], check=False)


def report_files(folder: Path, n: int) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(n):
        path = folder / f"r{i:03}.txt"
        path.write_text(f"Bulletin {i}: about {100 + i} people left the camp on 3 March 2019, "
                        f"among them {10 + i} children.", encoding="utf-8")
        paths.append(path)
    return paths


# --- folders and file names through the CLI ---------------------------------------------------------

def test_ingest_and_extract_through_symlink_loops_and_arabic_names(tmp_path):
    folder = tmp_path / "تقارير آذار"
    (folder / "sub folder").mkdir(parents=True)
    (folder / "sub folder" / "تقرير يوم 3.txt").write_text("About 300 people left the camp on 3 March 2019.",
                                                         encoding="utf-8")
    (folder / "report two.txt").write_bytes("غادر نحو 120 شخصاً المخيم يوم 4 آذار 2019.".encode("cp1256"))
    (folder / "sub folder" / "loop").symlink_to(folder)
    (folder / "self").symlink_to(".")
    db = tmp_path / "t.db"
    result = run(db, "ingest", str(folder))
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("2 read: 2 new")
    paths = sorted(r["path"] for r in json.loads(run(db, "reports", "--json").stdout))
    assert paths == sorted([str(folder / "report two.txt"), str(folder / "sub folder" / "تقرير يوم 3.txt")])
    out = run(db, "extract", str(folder / "sub folder" / "تقرير يوم 3.txt"), "--json")
    assert out.exit_code == 0 and json.loads(out.stdout)["figures"][0]["value"] == 300


# --- kills --------------------------------------------------------------------------------------

def test_an_ingest_killed_at_random_points_leaves_whole_reports_and_finishes_without_duplicates(tmp_path):
    """200 files, 3 SIGKILLs while writing, then the same command to the end (tests/stress for 5,000)."""
    lines = []
    summary = kill_ingest.run(200, 3, tmp_path, seed=7, max_delay=0.15, log=lines.append)
    assert summary["problems"] == [], "\n".join(lines + summary["problems"])
    assert summary["kills"] >= 1 and summary["stored"] == 200, "\n".join(lines)


# --- several processes at once ----------------------------------------------------------------------

def tracker(db, *args) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "cli", "--db", str(db), *args], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})


def queries(db, rounds: int) -> subprocess.Popen:
    """One process asking reports / figures / totals `rounds` times, as a user's scripts would."""
    code = f"""
import json, sys
from typer.testing import CliRunner
from cli.main import app
runner = CliRunner()
for i in range({rounds}):
    for args in (["reports", "--jsonl"], ["figures", "--json"], ["totals", "--since", "2019-01-01", "--json"]):
        res = runner.invoke(app, ["--db", {str(db)!r}, *args])
        if res.exit_code != 0 or (res.exception and not isinstance(res.exception, SystemExit)):
            sys.stderr.write(f"{{args}}: {{res.exit_code}} {{res.output}} {{res.exception!r}}")
            sys.exit(1)
        json.loads(res.stdout) if args[1] != "--jsonl" else None
"""
    return subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})


def test_four_ingests_and_two_query_processes_at_once(tmp_path):
    files = report_files(tmp_path / "in", 60)
    db = tmp_path / "shared.db"
    seed = tmp_path / "seed.txt"
    seed.write_text("About 5 people left the camp on 1 March 2019.", encoding="utf-8")
    assert run(db, "ingest", str(seed)).exit_code == 0          # the database exists before the queries
    procs = [tracker(db, "ingest", str(tmp_path / "in")),
             tracker(db, "ingest", str(tmp_path / "in")),
             tracker(db, "ingest", *map(str, files[:40])),
             tracker(db, "ingest", *map(str, reversed(files[20:]))),
             queries(db, 3), queries(db, 3)]
    outs = [p.communicate(timeout=300) for p in procs]
    for p, (out, err) in zip(procs, outs):
        assert p.returncode == 0, (out, err)
        assert "locked" not in (out + err).lower() and "Traceback" not in err, err
    news = sum(int(out.split(": ")[1].split(" new")[0]) for out, _ in outs[:4])
    assert news == 60                                    # each report stored by exactly one process
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT count(*), count(DISTINCT id) FROM reports").fetchone() == (61, 61)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert conn.execute("SELECT count(*) FROM figures").fetchone()[0] > 0
    conn.close()
    assert run(db, "check").exit_code == 0


# --- read-only and full disks ---------------------------------------------------------------------------

@pytest.fixture
def stored(tmp_path):
    db = tmp_path / "t.db"
    report_files(tmp_path / "first", 3)
    assert run(db, "ingest", str(tmp_path / "first")).exit_code == 0
    report_files(tmp_path / "more", 5)
    for i, path in enumerate(sorted((tmp_path / "more").iterdir())):     # different texts from "first"
        path.write_text(path.read_text(encoding="utf-8") + f" Update {i}.", encoding="utf-8")
    return db


def test_a_read_only_database_is_a_clear_error_and_nothing_changes(stored, tmp_path, monkeypatch):
    """The database opened read-only (what a read-only file gives a non-root user)."""
    before = counts(stored)
    real_connect = sqlite3.connect
    monkeypatch.setattr(store.sqlite3, "connect",
                        lambda path, *a, **k: real_connect(f"file:{path}?mode=ro", *a, uri=True, **k))
    result = run(stored, "ingest", str(tmp_path / "more"))
    assert result.exit_code == 1 and "Traceback" not in result.output
    lines = result.stderr.splitlines()
    assert lines and all(line.startswith("error: ") and "readonly" in line for line in lines), result.stderr
    assert run(stored, "reports", "--jsonl").stdout.count("\n") == 3       # reading still works
    monkeypatch.undo()
    assert counts(stored) == before


def test_a_read_only_database_is_one_line_for_the_whole_run(stored, tmp_path, monkeypatch):
    real_connect = sqlite3.connect
    monkeypatch.setattr(store.sqlite3, "connect",
                        lambda path, *a, **k: real_connect(f"file:{path}?mode=ro", *a, uri=True, **k))
    assert "cannot write to the database" in one_line_error(run(stored, "ingest", str(tmp_path / "more")), 1)


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes whatever the permissions")
def test_a_read_only_file_by_permissions(stored, tmp_path):
    before = counts(stored)
    stored.chmod(0o444)
    try:
        result = run(stored, "ingest", str(tmp_path / "more"))
        assert result.exit_code == 1 and "Traceback" not in result.output
        assert all(line.startswith("error: ") for line in result.stderr.splitlines())
    finally:
        stored.chmod(0o644)
    assert counts(stored) == before


@MOUNT
def test_a_database_on_a_read_only_disk(stored, tmp_path, mounted):
    point = mounted("size=1m")
    conn = sqlite3.connect(stored)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    (point / "t.db").write_bytes(stored.read_bytes())
    subprocess.run(["mount", "-o", "remount,ro", str(point)], check=True)
    for args in (["ingest", str(tmp_path / "more")], ["reports"]):
        message = one_line_error(run(point / "t.db", *args), 1)
        assert str(point / "t.db") in message
    message = one_line_error(run(point / "new.db", "ingest", str(tmp_path / "more")), 1)
    assert str(point / "new.db") in message and not (point / "new.db").exists()
    assert counts(point / "t.db", immutable=True) == counts(stored)


def limited(max_extra_pages: int):
    """open_db whose connection may grow the file by at most `max_extra_pages` (SQLITE_FULL after)."""
    real_open = store.open_db

    def open_db(*args, **kwargs):
        db = real_open(*args, **kwargs)
        pages = db.execute("PRAGMA page_count").fetchone()[0]
        db.execute(f"PRAGMA max_page_count = {pages + max_extra_pages}")
        return db
    return open_db


def test_a_full_disk_is_a_clear_error_and_stores_only_whole_reports(stored, tmp_path, monkeypatch):
    big = tmp_path / "more" / "big.txt"
    big.write_text("About 300 people left the camp on 3 March 2019. " + "The road was quiet. " * 1000,
                   encoding="utf-8")
    before = counts(stored)
    monkeypatch.setattr(store, "open_db", limited(2))
    result = run(stored, "ingest", str(big))
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert result.stderr.startswith("error: ") and "full" in result.stderr and result.stderr.count("\n") == 1
    assert counts(stored) == before                      # nothing of the big report
    monkeypatch.undo()
    assert run(stored, "ingest", str(tmp_path / "more")).exit_code == 0     # room again: it goes in
    assert counts(stored)[0] == before[0] + 6 and run(stored, "check").exit_code == 0


@MOUNT
def test_a_real_full_disk(tmp_path, mounted):
    point = mounted("size=400k")
    files = report_files(tmp_path / "in", 40)
    for path in files:
        path.write_text(path.read_text(encoding="utf-8") + " Filler." * 1500, encoding="utf-8")
    db = point / "t.db"
    result = run(db, "ingest", str(tmp_path / "in"))
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "full" in result.stderr and all(line.startswith("error: ") for line in result.stderr.splitlines())
    subprocess.run(["mount", "-o", "remount,size=8m", str(point)], check=True)
    assert run(db, "check").exit_code == 0
    again = run(db, "ingest", str(tmp_path / "in"))
    assert again.exit_code == 0, again.output
    assert counts(db)[0] == 40 and run(db, "check").exit_code == 0


def sqlite_error(kind: str, tmp_path: Path) -> sqlite3.Error:
    path = tmp_path / f"{kind}.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    try:
        if kind == "readonly":
            sqlite3.connect(f"file:{path}?mode=ro", uri=True).execute("INSERT INTO t VALUES (1)")
        elif kind == "full":
            conn.execute("PRAGMA max_page_count = 2")
            conn.execute("INSERT INTO t VALUES (?)", ["x" * 100000])
        elif kind == "locked":
            conn.execute("BEGIN IMMEDIATE")
            sqlite3.connect(path, timeout=0).execute("BEGIN IMMEDIATE")
        elif kind == "notadb":
            path.write_bytes(b"hello " * 2000)
            sqlite3.connect(path).execute("SELECT * FROM sqlite_master")
        elif kind == "cantopen":
            sqlite3.connect(tmp_path / "no" / "such" / "dir.db").execute("SELECT 1")
    except sqlite3.Error as exc:
        return exc
    finally:
        conn.close()
    raise AssertionError(f"no error for {kind}")


@pytest.mark.parametrize("kind, words", [
    ("readonly", "cannot write to the database"), ("full", "the disk is full"),
    ("locked", "stayed busy"), ("notadb", "damaged or not a tracker database"), ("cantopen", "cannot open"),
])
def test_sqlite_errors_become_one_line(tmp_path, kind, words):
    exc = sqlite_error(kind, tmp_path)
    line = explain(exc, "x.db")
    assert line.startswith("x.db: ") and words in line and "\n" not in line
    mini = typer.Typer()

    @mini.command()
    def fails():
        with database_errors("x.db"):
            raise exc

    result = runner.invoke(mini, [])
    assert result.exit_code == 1 and result.stderr == f"error: {line}\n"


# --- option values ---------------------------------------------------------------------------------------

BAD_VALUES = [
    (["extract", "r.txt", "--date", "2019-13-45"], "2019-13-45"),
    (["extract", "r.txt", "--date", "yesterday"], "yesterday"),
    (["ingest", "r.txt", "--date", "2019-13-45"], "--date: '2019-13-45' is not a date; expected YYYY-MM-DD"),
    (["ingest", "r.txt", "--date", "yesterday"], "--date: 'yesterday' is not a date"),
    (["ingest", "r.txt", "--lang", "klingon"], "--lang: unknown value 'klingon'"),
    (["ingest", "r.txt", "--jobs", "0"], "--jobs"),
    (["ingest", "r.txt", "--jobs", "-3"], "--jobs"),
    (["ingest", "r.txt", "--jobs", "many"], "--jobs"),
    (["ingest", "r.txt", "--jobs", "100000"], "--jobs"),
    (["figures", "--since", "2019-13-45"], "--since: '2019-13-45' is not a date; expected YYYY-MM-DD"),
    (["figures", "--since", "yesterday"], "--since: 'yesterday' is not a date"),
    (["figures", "--until", "-2019-01-01"], "--until: '-2019-01-01' is not a date"),
    (["figures", "--kind", "flow"], "--kind: unknown value 'flow'; expected one of batch"),
    (["figures", "--category", "goats"], "--category: unknown value 'goats'; expected one of people"),
    (["figures", "--category", "x' OR 1=1 --"], "--category: unknown value \"x' OR 1=1 --\""),
    (["totals", "--since", "yesterday"], "--since: 'yesterday' is not a date"),
    (["totals", "--since", "2019-02-30"], "--since: '2019-02-30' is not a date"),
    (["totals", "--since", "2019-01-01", "--until", "99999-01-01"], "--until: '99999-01-01' is not a date"),
    (["totals", "--since", "2019-01-01", "--category", "people; DROP TABLE figures"], "--category: unknown value"),
    (["totals", "--since", "2019-01-01", "--by", "fortnight"], "--by: unknown value 'fortnight'"),
    (["check", "--limit", "-1"], "--limit: '-1' is not a number"),
    (["check", "--limit", "1e99"], "--limit: '1e99' is not a number"),
]


@pytest.mark.parametrize("args, message", BAD_VALUES)
def test_bad_option_values_are_one_line_errors_with_exit_2(tmp_path, args, message, monkeypatch):
    db = tmp_path / "t.db"
    (tmp_path / "r.txt").write_text("About 300 people left the camp on 3 March 2019.", encoding="utf-8")
    if args[0] in ("figures", "totals", "check"):
        assert run(db, "ingest", str(tmp_path / "r.txt")).exit_code == 0
    before = db.read_bytes() if db.exists() else None
    monkeypatch.chdir(tmp_path)
    error = one_line_error(run(db, *args), 2)
    assert message in error
    assert (db.read_bytes() if db.exists() else None) == before


# --- hostile text ----------------------------------------------------------------------------------------

HOSTILE = "[bold red]About 300 people[/] left \x1b[2J\x1b]0;owned\x07 the camp [link=http://x]here[/link]"


@pytest.fixture
def hostile_db(tmp_path):
    text = f"=cmd|'/C calc'!A0 and {HOSTILE} on 3 March 2019. +41 more, -7 less, @SUM(1)"
    figs = [{"kind": "batch", "category": "people", "value": 300, "qualifier": "approx", "start": "2019-03-03",
             "end": "2019-03-03", "evidence": HOSTILE, "origin": "[red]Hol\x1b[5m", "destination": "=1+1"},
            {"kind": "batch", "category": "fighters", "value": 41, "qualifier": "exact", "start": "2019-03-03",
             "end": "2019-03-03", "evidence": "+41 more", "origin": "-7 less", "destination": "@SUM(1)"},
            {"kind": "cumulative", "category": "people", "value": 9000, "qualifier": "exact",
             "start": "2019-01-01", "end": "2019-03-03", "evidence": "=cmd|'/C calc'!A0"},
            {"kind": "stock", "category": "people", "value": 700, "qualifier": "exact", "start": "2019-03-03",
             "end": "2019-03-03", "evidence": "@SUM(1)", "destination": "[blink]camp\x1b[31m"}]
    doc = make_doc(text, "=evil [b]\x1b[31m.txt", "2019-03-03", "en", "+pub\x1b[0m", figs,
                   warnings=["[red]\x1b[31mwarning text"])
    db = tmp_path / "t.db"
    assert run(db, "ingest", "--from-jsonl", str(write_jsonl(tmp_path / "h.jsonl", [(doc, text)]))).exit_code == 0
    return db


TABLES = [["reports"], ["figures"], ["totals", "--since", "2019-01-01", "--place", "camp", "--by", "week"],
          ["figures", "--place", "hol"]]


@pytest.mark.parametrize("args", TABLES)
@pytest.mark.parametrize("colour", [False, True])
def test_tables_show_markup_and_escapes_as_text(hostile_db, args, colour):
    env = {"FORCE_COLOR": "1", "TTY_COMPATIBLE": "1"} if colour else {"NO_COLOR": "1", "TERM": "dumb"}
    out = run(hostile_db, *args, env=env).stdout
    for seq in ("\x1b[2J", "\x1b]0;", "\x1b[31m", "\x1b[5m", "\x07"):
        assert seq not in out                            # no escape from the text reaches the terminal
    if not colour:
        assert "\x1b" not in out
    if args[0] == "figures" and "--place" not in args:
        assert "[bold red]About 300" in out and "\\x1b[2J" in out and "[/]" in out


def test_the_extract_table_shows_markup_and_escapes_as_text(tmp_path):
    path = tmp_path / "[bold]\x1b[31mreport.txt"
    path.write_text("About 300 people left the camp on 3 March 2019. [bold red]x[/] \x1b[2J", encoding="utf-8")
    result = run(tmp_path / "t.db", "extract", str(path), env={"FORCE_COLOR": "1"})
    assert result.exit_code == 0, result.output
    assert "\x1b[31m" not in result.stdout and "\x1b[2J" not in result.stdout
    assert "[bold]\\x1b[31mreport.txt" in "".join(result.stdout.split())
    doc = {"report": {"path": "x", "published": None, "published_from": None, "language": "en"},
           "figures": [{"id": 0, "kind": "batch", "category": "people", "value": 3, "qualifier": "exact",
                        "start": None, "end": None, "parent": None,
                        "evidence": {"text": "[bold red]3 people[/]\x1b[2J", "start": 0, "end": 1}}],
           "warnings": ["[/]\x1b[31m weekday"]}
    buf = io.StringIO()
    print_extraction(doc, "", Console(file=buf, force_terminal=True, width=200))
    out = buf.getvalue()
    assert "[bold red]3 people[/]\\x1b[2J" in out and "[/]\\x1b[31m weekday" in out
    assert "\x1b[2J" not in out and "\x1b[31m weekday" not in out


@pytest.mark.parametrize("args", [["reports", "--csv"], ["figures", "--csv"],
                                  ["totals", "--since", "2019-01-01", "--place", "camp", "--csv"]])
def test_csv_cells_that_look_like_formulas_are_neutralised(hostile_db, args):
    rows = list(csv.reader(io.StringIO(run(hostile_db, *args).stdout)))
    cells = [cell for row in rows[1:] for cell in row]
    assert cells
    for cell in cells:
        assert cell[:1] not in ("=", "+", "-", "@") or cell.lstrip("-").replace(".", "").isdigit(), cell
    if args[0] == "figures":
        assert "'=cmd|'/C calc'!A0" in cells and "'+41 more" in cells and "'-7 less" in cells
        assert "'@SUM(1)" in cells and "'=evil [b]\x1b[31m.txt" in cells and "'+pub\x1b[0m" in cells


def test_option_values_never_reach_sql_as_text(hostile_db):
    before = counts(hostile_db)
    for args in (["figures", "--place", "x' OR 1=1 --", "--json"],
                 ["figures", "--place", "%", "--json"],
                 ["figures", "--report", "' OR '1'='1", "--json"],
                 ["figures", "--report", "%", "--json"],
                 ["totals", "--since", "2019-01-01", "--place", "') OR 1=1 --", "--json"]):
        result = run(hostile_db, *args)
        assert result.exit_code == 0, result.output
        data = json.loads(result.stdout)
        assert data == [] or data.get("stocks") == [], args
    search = run(hostile_db, "reports", "--search", "x\" OR 1=1; DROP TABLE reports; --")
    assert search.exit_code in (0, 2) and "Traceback" not in search.output
    assert counts(hostile_db) == before and run(hostile_db, "check").exit_code == 0
