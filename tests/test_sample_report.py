"""The sample report end to end against its gold figures (a copy of the seed's gold file)."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tracker import extract, read_report

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "data" / "sohr-2019-02-12-departures.ar.txt"
GOLD = json.loads((ROOT / "tests" / "fixtures" / "sohr-2019-02-12-departures.ar.gold.json").read_text("utf-8"))
GROUP = {"batch": "flow", "window": "flow"}


def accepted(gold, field):
    return {gold.get(field), *(gold.get("alt") or {}).get(field, [])}


@pytest.fixture(scope="module")
def doc():
    return extract(read_report(SAMPLE).text, path=str(SAMPLE))


def test_report_date_from_file_name(doc):
    assert doc["report"]["published"] == "2019-02-12"
    assert doc["report"]["published_from"] in ("text", "filename")
    assert doc["report"]["language"] == "ar"
    assert doc["report"]["publisher"] == "SOHR"


def test_every_gold_figure_is_found_with_its_attributes(doc):
    found = doc["figures"]
    for g in GOLD["figures"]:
        same = [f for f in found if f["kind"] == g["kind"] and f["value"] == g["value"]
                and f["category"] in accepted(g, "category")]
        assert same, f"missing {g}"
        assert any(f["qualifier"] in accepted(g, "qualifier") and f["start"] == g["start"]
                   and f["end"] == g["end"] for f in same), f"attributes of {g}: {same}"


def test_no_spurious_figures(doc):
    pairs = {(GROUP.get(g["kind"], g["kind"]), g["value"]) for g in GOLD["figures"]}
    spurious = [f for f in doc["figures"] if (GROUP.get(f["kind"], f["kind"]), f["value"]) not in pairs]
    assert not spurious


def test_parts_point_at_their_wholes(doc):
    by_value = {(f["kind"], f["value"]): f for f in doc["figures"]}
    assert by_value[("batch", 30)]["parent"] == by_value[("batch", 350)]["id"]
    assert by_value[("cumulative", 36500)]["parent"] == by_value[("cumulative", 38550)]["id"]
    assert by_value[("cumulative", 3480)]["parent"] == by_value[("cumulative", 36500)]["id"]


def test_wrong_weekday_is_reported(doc):
    assert any("2018" in w and "2019" in w for w in doc["warnings"])


def test_evidence_slices_the_report(doc):
    text = read_report(SAMPLE).text
    for f in doc["figures"]:
        ev = f["evidence"]
        assert text[ev["start"]:ev["end"]] == ev["text"]


def test_cli_json_is_one_document_per_line(tmp_path):
    other = tmp_path / "other report.txt"
    other.write_text("More than 2,000 people left the town today.", encoding="utf-8")
    out = subprocess.run([sys.executable, "-m", "cli.main", "extract", str(SAMPLE), str(other), "--json"],
                         capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 0, out.stderr
    docs = [json.loads(line) for line in out.stdout.splitlines()]
    assert [Path(d["report"]["path"]).name for d in docs] == [SAMPLE.name, "other report.txt"]
    assert "\\u" not in out.stdout  # Arabic kept as is


def test_cli_bad_files_are_named_and_others_still_processed(tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    binary = tmp_path / "image.txt"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
    out = subprocess.run([sys.executable, "-m", "cli.main", "extract", str(tmp_path / "missing.txt"),
                          str(empty), str(binary), str(SAMPLE), "--json"],
                         capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 1
    assert "missing.txt: no such file" in out.stderr
    assert "empty.txt: is empty" in out.stderr
    assert "image.txt" in out.stderr and "PNG" in out.stderr
    assert "Traceback" not in out.stderr
    assert len(out.stdout.splitlines()) == 1


def test_warnings_quote_the_report_as_written(doc):
    import re

    text = read_report(SAMPLE).text
    quoted = [q for w in doc["warnings"] for q in re.findall(r"'([^']{6,})'", w) if not q.isascii()]
    assert quoted and all(q in text for q in quoted), quoted
