"""`tracker chart`: the plotted series equal `totals --by day`, and the files are real images of the stated size."""
from __future__ import annotations

import json
import re
import struct
import sys
import xml.etree.ElementTree as ET
from datetime import date
from itertools import accumulate

import pytest
from typer.testing import CliRunner

from cli.main import app
from storehelp import make_doc, series_docs, write_jsonl
from tracker import chart, store

runner = CliRunner()


def run(db, *args):
    return runner.invoke(app, ["--db", str(db), *args], env={"COLUMNS": "200"})


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "t.db"
    result = run(path, "ingest", "--from-jsonl", str(write_jsonl(tmp_path / "s.jsonl", series_docs())))
    assert result.exit_code == 0, result.output
    return path


def totals_by_day(db, since, until=None, category="people") -> list[dict]:
    args = ["totals", "--since", since, "--category", category, "--by", "day", "--json"]
    result = run(db, *args, *(["--until", until] if until else []))
    assert result.exit_code == 0, result.output
    entries = json.loads(result.stdout)["categories"]
    return entries[0].get("series", []) if entries else []


@pytest.mark.parametrize("since, until, category", [
    ("2019-03-01", None, "people"),
    ("2018-12-01", "2019-03-03", "people"),
    ("2019-03-02", None, "families"),
    ("2019-03-01", None, "fighters"),
    ("2020-01-01", None, "people"),
])
def test_plotted_batches_are_the_totals_series_by_day(db, since, until, category):
    expected = totals_by_day(db, since, until, category)
    conn = store.open_db(db)
    try:
        series = chart.chart_series(conn, date.fromisoformat(since), until and date.fromisoformat(until), category)
    finally:
        conn.close()
    got = [{"period": d["date"], "value": d["value"], "low": d["low"], "high": d["high"], "count": d["batches"]}
           for d in series["days"]]
    assert got == [{k: p[k] for k in ("period", "value", "low", "high", "count")} for p in expected]
    assert [d["running"] for d in series["days"]] == list(accumulate(p["value"] for p in expected))
    assert [d["running_low"] for d in series["days"]] == list(accumulate(p["low"] for p in expected))


def test_cumulatives_windows_and_intervals(db):
    conn = store.open_db(db)
    try:
        series = chart.chart_series(conn, date(2019, 3, 1), None, "people")
    finally:
        conn.close()
    assert series["days"][-1]["running_high"] is None               # a "more than" batch: no upper bound
    assert [(p["start"], p["date"], p["value"], p["low"], p["high"]) for p in series["cumulative"]] == [
        ("2018-12-01", "2019-03-01", 52000, 52000, 52000),
        ("2018-12-01", "2019-03-02", 52650, 52650, 52650),
        ("2018-12-19", "2019-03-04", 50000, 45000, 55000),
    ]
    assert [(w["start"], w["end"], w["value"], w["qualifier"]) for w in series["windows"]] == [
        ("2019-03-03", "2019-03-05", 1000, "approx")]


def test_text_chart_without_output_file(db):
    result = run(db, "chart", "--since", "2019-03-01")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert out.startswith("people: departures since 2019-03-01\n")
    day = {line[:10]: line for line in out.splitlines() if re.match(r"\d{4}-\d{2}-\d{2}", line)}
    assert list(day) == ["2019-03-01", "2019-03-02", "2019-03-03", "2019-03-04", "2019-03-05"]
    assert "400 (400–440)" in day["2019-03-01"] and "52,000 from 2018-12-01" in day["2019-03-01"]
    assert "950 (950+)" in day["2019-03-03"] and "▒ ~1,000 2019-03-03..2019-03-05" in day["2019-03-03"]
    assert "~50,000 from 2018-12-19" in day["2019-03-04"]
    assert "\x1b[" not in out
    empty = run(db, "chart", "--since", "2030-01-01")
    assert empty.exit_code == 0 and "nothing stored for this period" in empty.stdout


def png_size(path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


@pytest.mark.parametrize("size", ["1200x700", "1000x618", "640x480"])
def test_png_of_the_stated_size(db, tmp_path, size):
    pytest.importorskip("matplotlib")
    out = tmp_path / "departures.png"
    result = run(db, "chart", "--since", "2018-12-01", "-o", str(out), "--size", size)
    assert result.exit_code == 0, result.output
    assert png_size(out) == tuple(int(v) for v in size.split("x"))


def test_svg_of_the_stated_size(db, tmp_path):
    pytest.importorskip("matplotlib")
    out = tmp_path / "departures.svg"
    result = run(db, "chart", "--since", "2019-03-01", "-o", str(out), "--size", "1000x600")
    assert result.exit_code == 0, result.output
    root = ET.parse(out).getroot()
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    # 1000x600 CSS pixels = 750x450 pt
    assert (root.get("width"), root.get("height"), root.get("viewBox")) == ("750pt", "450pt", "0 0 750 450")
    text = out.read_text(encoding="utf-8")
    assert "distinct batches, running sum" in text and "reported cumulative, counted from 2018-12-19" in text


def test_without_matplotlib_the_message_names_the_extra(db, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)
    result = run(db, "chart", "--since", "2019-03-01", "-o", str(tmp_path / "c.png"))
    assert result.exit_code == 1
    assert "pip install 'tracker[chart]'" in result.output
    assert not (tmp_path / "c.png").exists()


def test_chart_usage_errors_exit_2(db, tmp_path):
    assert run(db, "chart").exit_code == 2
    assert run(db, "chart", "--since", "2019-13-01").exit_code == 2
    assert run(db, "chart", "--since", "2019-03-01", "--category", "goats").exit_code == 2
    assert run(db, "chart", "--since", "2019-03-01", "-o", str(tmp_path / "c.jpg")).exit_code == 2
    assert run(db, "chart", "--since", "2019-03-01", "--size", "big").exit_code == 2


def test_reconcile_conflicts_are_marked(tmp_path):
    pytest.importorskip("tracker.reconcile")
    text = "By 3 March 2019, 51,000 people had left since 1 December."
    fall = make_doc(text, "2019-03-03-fall.en.txt", "2019-03-03", "en", "Desk", [
        {"kind": "cumulative", "category": "people", "value": 51000, "qualifier": "exact",
         "start": "2018-12-01", "end": "2019-03-03", "evidence": "51,000 people"}])
    db = tmp_path / "t.db"
    assert run(db, "ingest", "--from-jsonl", str(write_jsonl(tmp_path / "s.jsonl", series_docs() + [(fall, text)]))).exit_code == 0
    conn = store.open_db(db)
    try:
        series = chart.chart_series(conn, date(2019, 3, 1), None, "people")
    finally:
        conn.close()
    assert [(c["date"], c["value"], c["check"]) for c in series["conflicts"]] == [("2019-03-03", 51000, "cumulative")]
    out = run(db, "chart", "--since", "2019-03-01").stdout
    assert "! conflict (cumulative): since 2018-12-01: falls from 52,650" in out
    if pytest.importorskip("matplotlib"):
        svg = tmp_path / "c.svg"
        assert run(db, "chart", "--since", "2019-03-01", "-o", str(svg)).exit_code == 0
        assert "reconcile conflict" in svg.read_text(encoding="utf-8")
