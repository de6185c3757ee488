"""Random text, encodings and truncation through read -> extract -> ingest: nothing escapes,
nothing stored before is lost."""
from __future__ import annotations

import sqlite3
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from tracker import ReadError, extract, read_report, store
from tracker.ingest import ingest_files

PIECES = st.sampled_from([
    "غادر", "نحو", "أكثر من", "350", "٣٥٠", "ألف", "شخصاً", "عائلة", "بينهم", "منذ", "آذار", "2019", "،",
    "about", "more than", "1,500", "people", "left", "since", "including", "families", "March", "\n", "\r\n",
    "\r", " ", ".", "\x00", "\x1b[31m", "[bold]", "[/]", "=SUM(1)", "\ufeff", "😀", "\u200f",
])
TEXTS = st.one_of(st.text(max_size=200), st.lists(PIECES, max_size=40).map(" ".join))
ENCODINGS = st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "cp1256", "iso8859-6"])


def encoded(text: str, encoding: str, cut: float | None) -> bytes:
    data = text.encode(encoding, errors="replace")
    if cut is not None:
        data = data[:int(len(data) * cut)]               # a truncated download
    return data


class Store:
    """One database for the whole run, and what it must still hold."""

    def __init__(self):
        self.dir = tempfile.TemporaryDirectory()
        self.path = Path(self.dir.name) / "fuzz.db"
        self.db = store.open_db(self.path)
        self.expected: dict[str, int] = {}                # report id -> figure count
        self.n = 0

    def snapshot(self) -> dict[str, int]:
        rows = self.db.execute("SELECT r.id, (SELECT count(*) FROM figures f WHERE f.report_id = r.id) "
                               "FROM reports r").fetchall()
        return dict(rows)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_random_reports_never_escape_and_never_lose_what_is_stored(fuzz_store, data):
    state = fuzz_store
    text = data.draw(TEXTS, "text")
    encoding = data.draw(ENCODINGS, "encoding")
    cut = data.draw(st.one_of(st.none(), st.floats(0, 1)), "cut")
    state.n += 1
    path = Path(state.dir.name) / f"r{state.n}.txt"
    path.write_bytes(encoded(text, encoding, cut))

    try:                                                 # read -> extract: only ReadError may come out
        source = read_report(path)
    except ReadError as exc:
        assert str(path) in str(exc) and "\n" not in str(exc)
        source = None
    if source is not None:
        assert "\x00" not in source.text and source.text.strip()
        doc = extract(source.text, path=str(path))
        for fig in doc["figures"]:
            assert source.text[fig["evidence"]["start"]:fig["evidence"]["end"]] == fig["evidence"]["text"]

    (outcome,) = list(ingest_files(state.db, [str(path)]))   # ingest: failures are ReadErrors, not bugs
    assert outcome.status in ("new", "stored", "failed")
    if outcome.status == "failed":
        assert source is None, outcome.reason
    elif outcome.status == "new":
        state.expected[source.sha256] = outcome.figures

    now = state.snapshot()
    for report_id, figures in state.expected.items():
        assert now.get(report_id) == figures, "a stored report changed or went missing"


@pytest.fixture(scope="module")
def fuzz_store():
    state = Store()
    yield state
    state.db.close()
    conn = sqlite3.connect(state.path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("SELECT count(*) FROM reports").fetchone()[0] == len(state.expected)
    finally:
        conn.close()
    state.dir.cleanup()
