"""`tracker reconcile / events / review / reviews` end to end.

The Wadi Sarh series (hand-made documents) is stored with `ingest --from-jsonl`; one
test ingests the sample report through the real extractor.
"""
from __future__ import annotations

import csv
import io
import json

import pytest
from typer.testing import CliRunner

from cli.main import app
from reconcilehelp import reconcile_docs
from storehelp import SEED, write_jsonl

runner = CliRunner()


def run(db, *args):
    return runner.invoke(app, ["--db", str(db), *args], env={"COLUMNS": "250"})


@pytest.fixture
def wadi(tmp_path):
    db = tmp_path / "wadi.db"
    result = run(db, "ingest", "--from-jsonl", str(write_jsonl(tmp_path / "wadi.jsonl", reconcile_docs())))
    assert result.exit_code == 0, result.output
    return db


def figure_id(db, evidence: str) -> str:
    (event,) = [e for e in json.loads(run(db, "events", "--json").stdout)
                for s in e["sources"] if s["evidence"] == evidence]
    return str(next(s["figure"] for s in event["sources"] if s["evidence"] == evidence))


# --- reconcile ---------------------------------------------------------------------------------------------

def test_reconcile_prints_a_table_per_check_with_evidence_and_reports(wadi):
    result = run(wadi, "reconcile")
    assert result.exit_code == 0, result.output
    out = result.stdout
    for title in ("windows:", "cumulative:", "parts:", "stocks:", "dates:", "sources:"):
        assert title in out
    for words in ("3000 شخص", "450 children", "9500 شخص", "31,000 people", "نحو 24500 شخص", "2020-03-11-wadi.ar.txt",
                  "Relief Desk", "Sunday does not fall on 2020-03-09"):
        assert words in out
    assert out.rstrip().endswith("5 conflicts, 0 gaps, 7 agreeing (tolerance 10%)")


def test_strict_exits_1_on_a_conflict_only(wadi):
    assert run(wadi, "reconcile", "--strict").exit_code == 1
    assert run(wadi, "reconcile", "--strict", "--check", "stocks").exit_code == 0
    assert run(wadi, "reconcile", "--strict", "--category", "fighters").exit_code == 0


def test_reconcile_json_jsonl_csv(wadi):
    doc = json.loads(run(wadi, "reconcile", "--json").stdout)
    assert doc["counts"] == {"agrees": 7, "gap": 0, "conflict": 5}
    assert [c["name"] for c in doc["checks"]] == ["windows", "cumulative", "parts", "stocks", "dates", "sources"]
    lines = run(wadi, "reconcile", "--jsonl").stdout.splitlines()
    assert len(lines) == 12 and "\\u" not in "".join(lines)
    assert {json.loads(x)["check"] for x in lines} == set(c["name"] for c in doc["checks"])
    rows = list(csv.DictReader(io.StringIO(run(wadi, "reconcile", "--csv", "--check", "parts").stdout)))
    assert [(r["status"], r["evidence"]) for r in rows] == [
        ("agrees", "120 fighters | 1,000 people | أكثر من 1000 شخص"), ("conflict", "450 children | 300 people")]


def test_reconcile_filters_and_tolerance(wadi):
    doc = json.loads(run(wadi, "reconcile", "--json", "--since", "2020-03-12", "--check", "sources").stdout)
    assert doc["counts"]["conflict"] == 1 and doc["since"] == "2020-03-12"
    loose = json.loads(run(wadi, "reconcile", "--json", "--check", "sources", "--tolerance", "30%").stdout)
    assert loose["counts"]["conflict"] == 0 and loose["tolerance"] == 0.3


def test_the_table_is_limited_per_check_conflicts_first(wadi):
    out = run(wadi, "reconcile", "--check", "cumulative", "--limit", "1").stdout
    assert "falls from 11,920" in out and "3 more cumulative findings" in out


@pytest.mark.parametrize("args, message", [
    (["reconcile", "--since", "2020-13-45"], "--since: '2020-13-45' is not a date"),
    (["reconcile", "--since", "2020-03-10", "--until", "2020-03-01"], "--until is before --since"),
    (["reconcile", "--check", "weekday"], "--check: unknown value 'weekday'"),
    (["reconcile", "--category", "goats"], "--category: unknown value 'goats'"),
    (["reconcile", "--tolerance", "lots"], "--tolerance: 'lots' is not a percentage"),
    (["reconcile", "--tolerance", "150"], "--tolerance: '150' is not a percentage"),
    (["reconcile", "--limit", "-3"], "--limit: '-3' is not a number"),
    (["reconcile", "--json", "--csv"], "choose one of --json, --jsonl, --csv"),
    (["events", "--until", "March"], "--until: 'March' is not a date"),
    (["review", "1", "--value", "many", "--note", "x"], "--value: 'many' is not a number"),
    (["review", "1", "--value", "400"], "--note is required"),
    (["review", "1", "--reject", "--value", "400", "--note", "x"], "--reject takes no"),
    (["review", "1", "--note", "x"], "say what is wrong"),
    (["review", "1", "--qualifier", "roughly", "--note", "x"], "--qualifier: unknown value 'roughly'"),
    (["review", "999999", "--reject", "--note", "x"], "no figure 999999"),
    (["review", "nowhere.txt:2", "--reject", "--note", "x"], "no figure 2 in a report 'nowhere.txt'"),
])
def test_bad_values_are_one_line_errors_with_status_2(wadi, args, message):
    result = run(wadi, *args)
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("error: ") and message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("command", [["reconcile"], ["events"], ["reviews"], ["review", "1", "--reject", "--note", "x"]])
def test_a_missing_database_suggests_ingest(tmp_path, command):
    result = run(tmp_path / "none.db", *command)
    assert result.exit_code == 1
    assert "tracker ingest" in result.stderr and not (tmp_path / "none.db").exists()


@pytest.mark.parametrize("command", ["reconcile", "events", "review", "reviews"])
def test_every_command_has_an_example_in_its_help(command):
    result = runner.invoke(app, [command, "--help"], env={"COLUMNS": "250"})
    assert result.exit_code == 0 and f"Example: tracker {command}" in result.stdout


# --- events ------------------------------------------------------------------------------------------------------

def test_events_list_every_source(wadi):
    rows = json.loads(run(wadi, "events", "--json").stdout)
    assert len(rows) == 18
    (dup,) = [e for e in rows if e["kind"] == "batch" and e["start"] == "2020-03-09"]
    assert [s["path"] for s in dup["sources"]] == ["2020-03-09-wadi.ar.txt", "2020-03-13-wadi.ar.txt"]
    table = run(wadi, "events", "--category", "people", "--since", "2020-03-11").stdout
    assert "More than 2,000 people" in table and "2140 شخصاً" in table and "450 children" not in table
    rows = list(csv.DictReader(io.StringIO(run(wadi, "events", "--csv").stdout)))
    assert len(rows) == 18 and rows[0]["figure_ids"]
    assert run(wadi, "events", "--since", "2030-01-01").stdout.strip() == "no events"


# --- review, reviews -------------------------------------------------------------------------------------------

def test_review_reject_then_value_then_undo(wadi):
    fid = figure_id(wadi, "450 children")
    result = run(wadi, "review", fid, "--reject", "--note", "a typo: 45 children")
    assert result.exit_code == 0, result.output
    assert "rejected children 450" in result.stdout and "2020-03-10-wadi.en.txt" in result.stdout
    assert run(wadi, "reconcile", "--strict", "--check", "parts").exit_code == 0
    assert "450 children" not in run(wadi, "figures").stdout
    result = run(wadi, "review", "2020-03-10-wadi.en.txt:3", "--value", "45", "--note", "the report means 45")
    assert "children 450 → children 45" in result.stdout
    (row,) = [r for r in json.loads(run(wadi, "figures", "--json").stdout) if r["evidence"] == "450 children"]
    assert (row["value"], row["review"]) == (45, "the report means 45")
    listed = json.loads(run(wadi, "reviews", "--json").stdout)
    assert [(r["action"], r["value"], r["extracted_value"]) for r in listed] == [("correct", 45, 450)]
    assert "the report means 45" in run(wadi, "reviews").stdout
    assert run(wadi, "review", fid, "--undo").stdout.strip().endswith("review dropped")
    assert run(wadi, "reviews").stdout.strip() == "no reviews"
    assert run(wadi, "reconcile", "--strict", "--check", "parts").exit_code == 1


def test_review_a_range_with_its_high_end(wadi):
    result = run(wadi, "review", figure_id(wadi, "300 people"), "--value", "300", "--high", "500",
                 "--qualifier", "range", "--note", "between 300 and 500 in the Arabic version")
    assert result.exit_code == 0, result.output
    assert "300-500" in result.stdout
    assert run(wadi, "reconcile", "--strict", "--check", "parts").exit_code == 0


# --- the seed, end to end ---------------------------------------------------------------------------------------

def test_the_seed_through_the_extractor(tmp_path):
    """Runs the real extractor on the sample report."""
    db = tmp_path / "seed.db"
    assert run(db, "ingest", str(SEED)).exit_code == 0
    result = run(db, "reconcile", "--check", "windows", "--check", "dates")
    assert result.exit_code == 0
    assert "~1,500 (1,350–1,650) agrees with 3 batches ~600 + >=500 + >350" in result.stdout
    assert "Saturday does not fall on 2018-02-09" in result.stdout
    assert run(db, "reconcile", "--strict", "--check", "windows").exit_code == 0
    assert run(db, "reconcile", "--strict").exit_code == 1         # the weekday



@pytest.mark.parametrize("args", [[], ["--category", "children"], ["--check", "dates"], ["--since", "2030-01-01"],
                                  ["--check", "windows", "--check", "sources"]])
def test_reconcile_json_written_finding_by_finding_equals_one_dump(wadi, args):
    from tracker import reconcile as rec
    from tracker import store

    db = store.open_db(wadi, create=False)
    checks = [a for k, a in zip(args, args[1:]) if k == "--check"]
    cats = [a for k, a in zip(args, args[1:]) if k == "--category"]
    since = rec.date.fromisoformat(args[1]) if args[:1] == ["--since"] else None
    whole = rec.reconcile(db, since=since, categories=cats, checks=checks)
    db.close()
    out = run(wadi, "reconcile", "--json", *args)
    assert out.exit_code == 0, out.output
    assert out.stdout == json.dumps(whole, ensure_ascii=False, indent=1) + "\n"


def test_a_table_cell_cites_the_first_figures_of_each_role_and_counts_the_rest():
    from cli.reconcile_commands import SOURCES_SHOWN, _evidence_lines

    def src(n):
        return {"figure": n, "report": f"r{n}", "path": f"r{n}.txt", "publisher": "SOHR", "published": "2020-03-10",
                "kind": "batch", "value": 100 + n, "qualifier": "exact", "evidence": f"{100 + n} people"}
    finding = {"evidence": [{"role": "window", "events": [1], "sources": [src(1)], "more": 0},
                            {"role": "batch", "events": [2, 3, 4], "sources": [src(n) for n in range(2, 8)], "more": 2},
                            {"role": "after", "events": [5], "sources": [src(n) for n in range(8, 8 + SOURCES_SHOWN)]},
                            {"role": "inflow", "events": [6], "sources": [src(20), src(21), src(22), src(23)], "more": 0}]}
    lines = list(_evidence_lines(finding))
    assert SOURCES_SHOWN == 3 and len(lines) == 1 + 4 + 3 + 4
    assert lines[0].startswith("window: 101 «101 people» — r1.txt (SOHR, 2020-03-10) #1")
    assert [x.split(":")[0] for x in lines[1:5]] == ["batch"] * 4 and "#4" in lines[3] and "#5" not in "".join(lines)
    assert lines[4] == "batch: … and 3 more figures and 2 more events"
    assert not any("after: …" in x for x in lines)              # exactly as many as are shown: nothing more
    assert lines[-1] == "inflow: … and 1 more figure"
