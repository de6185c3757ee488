"""`tracker ingest / reextract / reports / figures / totals` end to end.

Tests marked "extractor" in their docstring run the real extractor on the sample
report and wait on it; the others store hand-made documents with --from-jsonl.
"""
from __future__ import annotations

import csv
import io
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time

import pytest
from typer.testing import CliRunner

from cli.main import app
from storehelp import ROOT, SEED, SERIES, make_doc, series_docs, write_jsonl
from tracker import store

runner = CliRunner()


def run(db, *args, input=None):
    return runner.invoke(app, ["--db", str(db), *args], input=input, env={"COLUMNS": "250"})


@pytest.fixture
def series(tmp_path):
    """A database holding the invented series (hand-made documents)."""
    db = tmp_path / "series.db"
    result = run(db, "ingest", "--from-jsonl", str(write_jsonl(tmp_path / "series.jsonl", series_docs())))
    assert result.exit_code == 0, result.output
    assert result.stdout == "4 read: 4 new, 0 already stored, 0 failed; 14 figures stored\n"
    return db


def dump(db) -> list:
    conn = sqlite3.connect(db)
    try:
        return [conn.execute(f"SELECT * FROM {t} ORDER BY 1").fetchall() for t in ("reports", "figures", "warnings")]
    finally:
        conn.close()


# --- ingest -----------------------------------------------------------------------------------------

def test_ingest_twice_changes_nothing(tmp_path):
    """Runs the real extractor (any output)."""
    db = tmp_path / "t.db"
    first = run(db, "ingest", str(SERIES), str(SEED))
    assert first.exit_code == 0, first.output
    assert first.stdout.startswith("5 read: 5 new, 0 already stored, 0 failed;")
    before = dump(db)
    second = run(db, "ingest", str(SERIES), str(SEED))
    assert second.exit_code == 0
    assert second.stdout == "5 read: 0 new, 5 already stored, 0 failed; 0 figures stored\n"
    assert dump(db) == before


def test_ingest_jsonl_twice_changes_nothing(series, tmp_path):
    before = dump(series)
    again = run(series, "ingest", "--from-jsonl", str(tmp_path / "series.jsonl"))
    assert again.stdout == "4 read: 0 new, 4 already stored, 0 failed; 0 figures stored\n"
    assert dump(series) == before


def test_failed_files_are_reported_and_the_rest_stored(tmp_path):
    folder = tmp_path / "in"
    (folder / "sub").mkdir(parents=True)
    (folder / "sub" / "good.txt").write_text("About 300 people left the camp on 3 March 2019.", encoding="utf-8")
    (folder / "scan.txt").write_bytes(b"%PDF-1.4 binary")
    (folder / "empty.txt").write_bytes(b"")
    (folder / "notes.md").write_text("ignored by --glob", encoding="utf-8")
    db = tmp_path / "t.db"
    result = run(db, "ingest", str(folder), str(tmp_path / "missing.txt"))
    assert result.exit_code == 1
    assert result.stdout == "4 read: 1 new, 0 already stored, 3 failed; 0 figures stored\n" or \
        result.stdout.startswith("4 read: 1 new, 0 already stored, 3 failed;")
    assert f"error: {folder / 'scan.txt'}: is a PDF, not a text report" in result.stderr
    assert f"error: {folder / 'empty.txt'}: is empty" in result.stderr
    assert f"error: {tmp_path / 'missing.txt'}: no such file" in result.stderr
    assert "Traceback" not in result.output
    again = run(db, "ingest", str(folder / "sub"))
    assert again.exit_code == 0 and "1 already stored" in again.stdout


def test_ingest_from_stdin_with_options(tmp_path):
    db = tmp_path / "t.db"
    result = run(db, "ingest", "-", "--date", "2019-03-03", "--publisher", "Someone", "--lang", "en",
                 input="About 300 people left the camp today.".encode())
    assert result.exit_code == 0, result.output
    (row,) = json.loads(run(db, "reports", "--json").stdout)
    assert (row["path"], row["published"], row["published_from"], row["publisher"], row["language"]) == \
        ("-", "2019-03-03", "option", "Someone", "en")


def test_ingest_usage_errors(tmp_path):
    db = tmp_path / "t.db"
    for args, message in [(["ingest"], "give report files"),
                          (["ingest", "x.txt", "--date", "2019-13-45"], "--date: '2019-13-45' is not a date"),
                          (["ingest", "x.txt", "--lang", "fr"], "--lang: unknown value 'fr'"),
                          (["ingest", "--from-jsonl", "nope.jsonl"], "no such file")]:
        result = run(db, *args)
        assert result.exit_code == 2, args
        assert result.stderr.startswith("error: ") and message in result.stderr
        assert result.stderr.count("\n") == 1
    assert not db.exists()


def test_ingest_of_an_empty_directory_fails(tmp_path):
    result = run(tmp_path / "t.db", "ingest", str(tmp_path))
    assert result.exit_code == 1 and "no report files found" in result.stderr


def test_reextract_replaces_figures(series):
    """Runs the real extractor (any output)."""
    result = run(series, "reextract")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("4 reports re-extracted: 14 figures before,")
    conn = sqlite3.connect(series)
    assert conn.execute("SELECT count(*) FROM reports").fetchone()[0] == 4
    assert conn.execute("PRAGMA foreign_key_check").fetchall() == []


# --- the database ---------------------------------------------------------------------------------

@pytest.mark.parametrize("args", [["reports"], ["figures"], ["totals", "--since", "2019-01-01"], ["reextract"]])
def test_queries_need_a_database_and_do_not_create_one(tmp_path, args):
    db = tmp_path / "missing.db"
    result = run(db, *args)
    assert result.exit_code == 1
    assert result.stderr == f"error: no database at {db}; store reports first with `tracker ingest REPORT...`\n"
    assert not db.exists()


def test_database_from_the_environment(tmp_path, monkeypatch, series):
    monkeypatch.setenv("TRACKER_DB", str(series))
    result = runner.invoke(app, ["reports", "--jsonl"])
    assert result.exit_code == 0 and len(result.stdout.splitlines()) == 4


def test_a_database_of_the_first_migration_upgrades(tmp_path):
    path = tmp_path / "old.db"
    old = store.open_db(path, upto="m001_initial")
    (doc, text), *_ = series_docs()
    store.save_document(old, doc, text)
    old.close()
    result = run(path, "figures", "--json")
    assert result.exit_code == 0, result.output
    assert len(json.loads(result.stdout)) == 3
    conn = sqlite3.connect(path)
    assert [r[0] for r in conn.execute("SELECT name FROM _migrations ORDER BY name")] == \
        [m.__name__ for m in store.MIGRATIONS]


def test_a_newer_database_is_refused(series):
    conn = sqlite3.connect(series)
    conn.execute("INSERT INTO _migrations (name) VALUES ('m009_later')")
    conn.commit()
    conn.close()
    result = run(series, "reports")
    assert result.exit_code == 1
    assert result.stderr.startswith(f"error: {series} was written by a newer tracker (migration m009_later)")


# --- reports / figures / totals in every format ------------------------------------------------------

def test_reports_in_every_format(series):
    rows = json.loads(run(series, "reports", "--json").stdout)
    assert [(r["published"], r["language"], r["figures"], r["path"]) for r in rows] == [
        ("2019-03-01", "en", 3, "2019-03-01-pocket.en.txt"), ("2019-03-02", "ar", 4, "2019-03-02-pocket.ar.txt"),
        ("2019-03-04", "en", 4, "2019-03-04-pocket.en.txt"), ("2019-03-05", "ar", 3, "2019-03-05-pocket.ar.txt")]
    lines = run(series, "reports", "--jsonl").stdout.splitlines()
    assert [json.loads(line) for line in lines] == rows
    table = list(csv.DictReader(io.StringIO(run(series, "reports", "--csv").stdout)))
    assert [r["path"] for r in table] == [r["path"] for r in rows] and table[1]["figures"] == "4"
    text = run(series, "reports").stdout
    assert "2019-03-05" in text and "SOHR" in text
    found = json.loads(run(series, "reports", "--search", "الهول", "--json").stdout)
    assert [r["path"] for r in found] == ["2019-03-02-pocket.ar.txt"]
    assert run(series, "reports", "--search", "Nowhere", "--json").stdout == "[]\n"
    bad = run(series, "reports", "--search", '"unclosed')
    assert bad.exit_code == 2 and bad.stderr.startswith("error: --search:")


def test_figures_in_every_format(series):
    rows = json.loads(run(series, "figures", "--kind", "batch", "--category", "people", "--json").stdout)
    assert [(r["start"], r["value"], r["qualifier"]) for r in rows] == [
        ("2019-03-01", 400, "approx"), ("2019-03-02", 250, "more_than"), ("2019-03-01", 400, "more_than"),
        ("2019-03-03", 300, "range"), ("2019-03-02", 250, "more_than"), ("2019-03-01", 400, "approx")]
    assert rows[3]["high"] == 350 and rows[1]["evidence"] == "أكثر من 250 شخصاً"
    out = run(series, "figures", "--place", "hol", "--jsonl").stdout
    assert "\\u" not in out and [json.loads(x)["value"] for x in out.splitlines()] == [60000, 61500]
    got = list(csv.DictReader(io.StringIO(run(series, "figures", "--since", "2019-03-05", "--csv").stdout)))
    assert [(r["kind"], r["category"], r["value"]) for r in got] == [("batch", "families", "120"),
                                                                      ("window", "people", "1000")]
    table = run(series, "figures", "--report", "2019-03-01-pocket.en.txt").stdout
    assert "about 400 people" in table and "40 fighters" in table
    assert run(series, "figures", "--kind", "area", "--json").stdout == "[]\n"
    assert "no figures match" in run(series, "figures", "--kind", "area").stdout


def test_figures_limit_gives_the_first_rows_of_the_listing(series):
    every = json.loads(run(series, "figures", "--json").stdout)
    assert len(every) == 14
    assert json.loads(run(series, "figures", "--limit", "3", "--json").stdout) == every[:3]
    batches = json.loads(run(series, "figures", "--kind", "batch", "--json").stdout)
    assert json.loads(run(series, "figures", "--kind", "batch", "--limit", "2", "--json").stdout) == batches[:2]
    assert run(series, "figures", "--limit", "0", "--json").stdout == "[]\n"
    bad = run(series, "figures", "--limit", "-1")
    assert bad.exit_code == 2 and "--limit: '-1' is not a number" in bad.stderr


def test_csv_neutralises_formulas_and_tables_print_text_not_markup(tmp_path):
    text = "=HYPERLINK(1) then [bold red]about 300 people[/bold red] left on 3 March 2019."
    doc = make_doc(text, "-trick.txt", "2019-03-03", "en", "@pub", [
        {"kind": "batch", "category": "people", "value": 300, "qualifier": "approx", "start": "2019-03-03",
         "end": "2019-03-03", "evidence": "=HYPERLINK(1)"},
        {"kind": "batch", "category": "people", "value": 301, "qualifier": "approx", "start": "2019-03-03",
         "end": "2019-03-03", "evidence": "[bold red]about 300 people[/bold red]"}])
    db = tmp_path / "t.db"
    assert run(db, "ingest", "--from-jsonl", str(write_jsonl(tmp_path / "d.jsonl", [(doc, text)]))).exit_code == 0
    (first, second) = list(csv.DictReader(io.StringIO(run(db, "figures", "--csv").stdout)))
    assert first["evidence"] == "'=HYPERLINK(1)" and first["path"] == "'-trick.txt"
    assert first["publisher"] == "'@pub" and first["value"] == "300"
    assert "[bold red]about" in run(db, "figures").stdout


def test_totals_in_every_format(series):
    result = json.loads(run(series, "totals", "--since", "2018-12-01", "--json").stdout)
    people = result["categories"][0]
    assert people["category"] == "people"
    assert (people["cumulative"][0]["value"], people["cumulative"][0]["as_of"]) == (52650, "2019-03-02")
    assert [b["value"] for b in people["batches"]["items"]] == [400, 250, 300]
    assert [len(b["sources"]) for b in people["batches"]["items"]] == [3, 2, 1]
    assert people["gap"]["value"] == 52000

    lines = [json.loads(x) for x in run(series, "totals", "--since", "2018-12-01", "--jsonl").stdout.splitlines()]
    totals = [x for x in lines if x["section"] == "total"]
    assert [(x["category"], x["value"], x["low"], x["high"], x["batches"]) for x in totals] == [
        ("people", 950, 950, None, 3), ("fighters", 40, 40, 40, 1), ("families", 120, 120, 120, 1)]
    assert totals[0]["cumulative"] == 52650 and totals[0]["gap"] == 52000

    rows = list(csv.DictReader(io.StringIO(
        run(series, "totals", "--since", "2018-12-01", "--until", "2019-03-03", "--category", "people",
            "--place", "hol", "--by", "day", "--csv").stdout)))
    assert [(r["section"], r["value"]) for r in rows] == [
        ("total", "950"), ("batch", "400"), ("batch", "250"), ("batch", "300"),
        ("series", "400"), ("series", "250"), ("series", "300"), ("stock", "60000")]

    table = run(series, "totals", "--since", "2018-12-01", "--place", "hol", "--by", "week").stdout
    for words in ("Left since 2018-12-01", "52,650 as of 2019-03-02", "950 (950 or more)",
                  "Distinct batches", "Batches by period", "Latest stock", "61,500"):
        assert words in table, words


@pytest.mark.parametrize("args, message", [
    (["totals"], "--since is required"),
    (["totals", "--since", "2019-13-45"], "--since: '2019-13-45' is not a date; expected YYYY-MM-DD"),
    (["totals", "--since", "2019-02-01", "--until", "2019-01-01"], "--until is before --since"),
    (["totals", "--since", "2019-02-01", "--category", "goats"], "--category: unknown value 'goats'"),
    (["totals", "--since", "2019-02-01", "--by", "year"], "--by: unknown value 'year'"),
    (["totals", "--since", "2019-02-01", "--json", "--csv"], "choose one of --json, --jsonl, --csv"),
    (["figures", "--kind", "flow"], "--kind: unknown value 'flow'"),
    (["figures", "--until", "2019-02-30"], "--until: '2019-02-30' is not a date"),
])
def test_bad_option_values_are_one_line_errors(series, args, message):
    result = run(series, *args)
    assert result.exit_code == 2
    assert result.stderr == f"error: {result.stderr[7:]}" and message in result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.output


@pytest.mark.parametrize("command", ["ingest", "reextract", "reports", "figures", "totals"])
def test_every_command_has_help_with_an_example(command):
    result = runner.invoke(app, [command, "--help"])
    assert result.exit_code == 0 and "Example: tracker " in result.stdout


# --- the acceptance on the sample report (waits on the extractor) -------------------------------------

def test_totals_since_december_on_the_sample_report(tmp_path):
    """Extractor: the issue's acceptance. 38,550 people as of 2019-02-10; batches 350 + 500 + 600."""
    db = tmp_path / "t.db"
    assert run(db, "ingest", str(SEED)).exit_code == 0
    result = json.loads(run(db, "totals", "--since", "2018-12-01", "--json").stdout)
    people = next(c for c in result["categories"] if c["category"] == "people")
    cum = people["cumulative"][0]
    assert (cum["value"], cum["as_of"], cum["match"], cum["path"]) == (38550, "2019-02-10", "exact", str(SEED))
    assert sorted(b["value"] for b in people["batches"]["items"]) == [350, 500, 600]
    assert people["batches"]["value"] == 1450
    table = run(db, "totals", "--since", "2018-12-01").stdout
    assert "38,550 as of 2019-02-10" in table and "1,450" in table


# --- several processes --------------------------------------------------------------------------------

def tracker(db, *args):
    return subprocess.Popen([sys.executable, "-c", "from cli.main import app; app()", "--db", str(db), *args], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_two_ingest_processes_on_one_database(tmp_path):
    """Runs the real extractor (any output)."""
    folder = tmp_path / "reports"
    folder.mkdir()
    for i in range(30):
        (folder / f"r{i:02}.txt").write_text(f"Report {i}: about {100 + i} people left the camp on 3 March 2019.",
                                             encoding="utf-8")
    db = tmp_path / "shared.db"
    procs = [tracker(db, "ingest", str(folder)), tracker(db, "ingest", str(folder))]
    outs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outs
    news = [int(out.split(": ")[1].split(" new")[0]) for out, _ in outs]
    assert sum(news) == 30
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT count(*) FROM reports").fetchone()[0] == 30
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_a_killed_ingest_leaves_only_whole_reports(tmp_path):
    n_docs, n_figures = 3000, 8
    docs = []
    for i in range(n_docs):
        text = f"Report {i}: " + " ".join(f"{100 + j} people left on 1 March 2019." for j in range(n_figures))
        figs = [{"kind": "batch", "category": "people", "value": 100 + j, "qualifier": "exact",
                 "start": "2019-03-01", "end": "2019-03-01", "parent": 0 if j else None} for j in range(n_figures)]
        docs.append((make_doc(text, f"r{i}.txt", "2019-03-01", "en", None, figs, ["w"]), text))
    jsonl = write_jsonl(tmp_path / "many.jsonl", docs)
    db = tmp_path / "killed.db"
    proc = tracker(db, "ingest", "--from-jsonl", str(jsonl))
    deadline = time.time() + 60
    stored = 0
    while time.time() < deadline and proc.poll() is None:
        try:
            conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1)
            stored = conn.execute("SELECT count(*) FROM reports").fetchone()[0]
            conn.close()
        except sqlite3.Error:
            stored = 0
        if stored >= 20:
            break
        time.sleep(0.005)
    os.kill(proc.pid, signal.SIGKILL)
    proc.communicate()
    assert proc.returncode == -signal.SIGKILL, "the ingest finished before it could be killed"
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    per_report = conn.execute("SELECT r.id, (SELECT count(*) FROM figures f WHERE f.report_id = r.id), "
                              "(SELECT count(*) FROM warnings w WHERE w.report_id = r.id) FROM reports r").fetchall()
    assert 20 <= len(per_report) < n_docs
    assert {(f, w) for _, f, w in per_report} == {(n_figures, 1)}
    assert conn.execute("SELECT count(*) FROM figures").fetchone()[0] == len(per_report) * n_figures
    conn.close()
    listed = run(db, "reports", "--jsonl")          # and the database is still usable
    assert listed.exit_code == 0 and len(listed.stdout.splitlines()) == len(per_report)
