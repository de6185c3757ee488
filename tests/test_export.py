"""`tracker export`: CSV, HXL and JSON lines, per figure (and per event once reconcile is there)."""
from __future__ import annotations

import csv
import io
import json

import pytest
from typer.testing import CliRunner

from cli.main import app
from storehelp import make_doc, series_docs, write_jsonl
from tracker import export as lib

runner = CliRunner()


def run(db, *args):
    return runner.invoke(app, ["--db", str(db), *args], env={"COLUMNS": "200"})


HOSTILE_TEXT = ("=HYPERLINK(\"http://x\") 300 people left @Camp on 2 March 2019; "
                "-5 degrees at night, +20 families waited.")


@pytest.fixture
def db(tmp_path):
    """The invented series (14 figures) plus one report whose cells look like formulas."""
    hostile = make_doc(HOSTILE_TEXT, "=cmd.txt", "2019-03-02", "en", "+Desk", [
        {"kind": "batch", "category": "people", "value": 300, "qualifier": "exact", "start": "2019-03-02",
         "end": "2019-03-02", "origin": "@Camp", "destination": "-north", "evidence": "=HYPERLINK(\"http://x\") 300 people"},
        {"kind": "batch", "category": "families", "value": 20, "qualifier": "more_than", "start": "2019-03-02",
         "end": "2019-03-02", "evidence": "+20 families"},
    ])
    path = tmp_path / "t.db"
    jsonl = write_jsonl(tmp_path / "docs.jsonl", series_docs() + [(hostile, HOSTILE_TEXT)])
    result = run(path, "ingest", "--from-jsonl", str(jsonl))
    assert result.exit_code == 0, result.output
    return path


def rows_of(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def test_figures_csv_has_one_row_per_figure_with_source_publisher_date_and_evidence(db):
    result = run(db, "export", "--figures")
    assert result.exit_code == 0, result.output
    rows = rows_of(result.stdout)
    assert rows[0] == lib.FIGURE_COLUMNS
    body = [dict(zip(rows[0], r)) for r in rows[1:]]
    assert len(body) == 16
    arabic = next(r for r in body if r["evidence"] == "أكثر من 250 شخصاً")
    assert arabic["source"] == "2019-03-02-pocket.ar.txt"
    assert (arabic["publisher"], arabic["published"], arabic["kind"], arabic["value"]) == ("SOHR", "2019-03-02", "batch", "250")
    assert (arabic["qualifier"], arabic["low"], arabic["high"]) == ("more_than", "250", "")
    approx = next(r for r in body if r["evidence"] == "about 400 people")
    assert (approx["low"], approx["high"]) == ("360", "440")
    part = next(r for r in body if r["evidence"] == "40 fighters")
    assert part["parent"] == approx["id"] and approx["id"].endswith("-0")


def test_formula_looking_cells_are_neutralised_in_csv_and_hxl_but_not_in_json(db):
    for fmt in ("csv", "hxl"):
        result = run(db, "export", "--figures", "--format", fmt)
        cells = [c for r in rows_of(result.stdout) for c in r]
        assert "'=HYPERLINK(\"http://x\") 300 people" in cells
        assert {"'@Camp", "'-north", "'+Desk", "'=cmd.txt", "'+20 families"} <= set(cells)
        assert not any(c[:1] in "=+-@" and c for c in cells)
    result = run(db, "export", "--figures", "--format", "jsonl")
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert any(r["origin"] == "@Camp" and r["value"] == 300 for r in rows)


def test_hxl_second_row_holds_hashtags_and_values_go_to_their_unit(db):
    result = run(db, "export", "--figures", "--format", "hxl")
    assert result.exit_code == 0, result.output
    rows = rows_of(result.stdout)
    header, tags = rows[0], rows[1]
    assert "value" not in header and {"displaced_ind", "displaced_hh"} <= set(header)
    tag = dict(zip(header, tags))
    assert tag["start"] == "#date+start" and tag["end"] == "#date+end" and tag["published"] == "#date+reported"
    assert tag["displaced_ind"] == "#affected+displaced+ind" and tag["displaced_hh"] == "#affected+displaced+hh"
    assert tag["origin"] == "#loc+name+origin" and tag["destination"] == "#loc+name+dest"
    assert tag["source"] == "#meta+source" and tag["id"] == "#meta+id"
    assert all(t.startswith("#") for t in tags)
    body = [dict(zip(header, r)) for r in rows[2:]]
    families = next(r for r in body if r["evidence"] == "120 عائلة")
    assert (families["displaced_hh"], families["displaced_ind"]) == ("120", "")
    people = next(r for r in body if r["evidence"] == "about 400 people")
    assert (people["displaced_ind"], people["displaced_hh"]) == ("400", "")


def test_jsonl_keeps_numbers_and_arabic(db):
    result = run(db, "export", "--figures", "--format", "jsonl", "--category", "families")
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["category"] for r in rows] == ["families", "families"]
    assert {r["value"] for r in rows} == {120, 20}
    assert "120 عائلة" in result.stdout                       # not \u-escaped


def test_filters_by_period_category_and_kind(db):
    result = run(db, "export", "--figures", "--format", "jsonl", "--since", "2019-03-03", "--until", "2019-03-03",
                 "--category", "people", "--kind", "batch")
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(r["kind"], r["category"], r["start"]) for r in rows] == [("batch", "people", "2019-03-03")]


def test_output_file_is_utf8_and_the_note_goes_to_stderr(db, tmp_path):
    out = tmp_path / "figures.hxl.csv"
    result = run(db, "export", "--figures", "--format", "hxl", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert f"16 figures exported to {out}" in result.stderr
    text = out.read_bytes().decode("utf-8")
    assert text.splitlines()[1].startswith("#meta+id,") and "نحو 60000 شخص" in text
    assert list(tmp_path.glob(".figures*")) == []                # no temporary file left
    quiet = run(db, "-q", "export", "--figures", "-o", str(out))
    assert quiet.exit_code == 0 and quiet.stderr == ""


def test_usage_errors_exit_2(db):
    assert run(db, "export", "--figures", "--since", "2019-03-05", "--until", "2019-03-01").exit_code == 2
    assert run(db, "export", "--figures", "--category", "goats").exit_code == 2
    assert run(db, "export", "--figures", "--format", "xlsx").exit_code == 2
    assert run(db, "export", "--kind", "batch").exit_code == 2


def test_missing_database_is_an_error_not_a_new_file(tmp_path):
    result = run(tmp_path / "none.db", "export", "--figures")
    assert result.exit_code == 1 and "tracker ingest" in result.output
    assert not (tmp_path / "none.db").exists()


def test_events_are_one_row_per_grouped_figure_with_all_their_sources(db):
    result = run(db, "export", "--since", "2019-03-01", "--category", "people")
    assert result.exit_code == 0, result.output
    rows = rows_of(result.stdout)
    assert rows[0] == lib.EVENT_COLUMNS
    body = [dict(zip(rows[0], r)) for r in rows[1:]]
    told_thrice = [r for r in body if r["kind"] == "batch" and r["start"] == "2019-03-01" and r["value"] == "400"]
    assert len(told_thrice) == 1                               # three reports, one event
    event = told_thrice[0]
    assert event["reports"] == "3" and event["published"] == "2019-03-01"
    assert event["source"] == "2019-03-01-pocket.en.txt; 2019-03-02-pocket.ar.txt; 2019-03-05-pocket.ar.txt"
    assert event["evidence"] == "about 400 people | أكثر من 400 شخص | نحو 400 شخص"
    assert event["publisher"] == "Observatory; SOHR"
    hxl = rows_of(run(db, "export", "--format", "hxl").stdout)
    assert dict(zip(hxl[0], hxl[1]))["event"] == "#meta+id"
