"""`tracker check`: a sound database passes; each kind of damage is found and exits 1."""
from __future__ import annotations

import hashlib
import json
import sqlite3

import pytest
from typer.testing import CliRunner

from cli.main import app
from storehelp import series_docs
from tracker import store
from tracker.check import check_database

runner = CliRunner()


def run(db, *args):
    return runner.invoke(app, ["--db", str(db), "check", *args])


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "t.db"
    database = store.open_db(path)
    for doc, text in series_docs():
        store.save_document(database, doc, text)
    database.close()
    return path


def raw(path, *statements):
    conn = sqlite3.connect(path)                          # foreign keys off: damage is possible
    for sql in statements:
        conn.execute(sql)
    conn.commit()
    conn.close()


def failing(result: dict) -> dict:
    return {c["name"]: c["count"] for c in result["checks"] if not c["ok"]}


def test_a_sound_database(db):
    result = run(db)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert [line.split()[0] for line in lines[:-1]] == ["integrity", "schema", "orphans", "vocabulary",
                                                        "reports", "evidence", "summaries"]
    assert "14 figure(s) checked" in result.stdout and lines[-1] == f"{db}: sound"
    doc = json.loads(run(db, "--json").stdout)
    assert doc["ok"] is True and doc["database"] == str(db)
    assert {c["name"]: (c["ok"], c["count"], c["problems"]) for c in doc["checks"]}["evidence"] == (True, 0, [])


def test_checking_changes_nothing(db):
    before = hashlib.sha256(db.read_bytes()).hexdigest()
    assert run(db).exit_code == 0
    assert hashlib.sha256(db.read_bytes()).hexdigest() == before


def test_evidence_that_no_longer_matches_the_text(db):
    raw(db, "UPDATE figures SET evidence_start = evidence_start + 1 WHERE id = 2",
        "UPDATE figures SET evidence_text = 'about 9,999 people' WHERE id = 5",
        "UPDATE figures SET evidence_end = 999999 WHERE id = 7")
    result = run(db)
    assert result.exit_code == 1
    assert "evidence    3 problems" in result.stdout and "figure" in result.stdout
    assert failing(check_database(db)) == {"evidence": 3}


def test_a_report_text_edited_after_storing(db):
    raw(db, "UPDATE reports SET text = replace(text, '4', '5')")
    found = failing(check_database(db))
    assert found["reports"] == 4 and found["evidence"] > 0


def test_orphan_figures_and_warnings_and_parents(db):
    raw(db, "DELETE FROM reports WHERE path = '2019-03-01-pocket.en.txt'",
        "UPDATE figures SET parent_id = 99999 WHERE id = (SELECT max(id) FROM figures)")
    result = check_database(db, limit=2)
    orphans = next(c for c in result["checks"] if c["name"] == "orphans")
    assert not result["ok"] and orphans["count"] == 4 and len(orphans["problems"]) == 2
    assert "no report" in orphans["problems"][0]
    out = run(db, "--limit", "2").stdout
    assert "... and 2 more" in out


def test_unknown_values(db):
    raw(db, "UPDATE figures SET kind = 'flow' WHERE id = 1", "UPDATE figures SET category = 'goats' WHERE id = 2")
    found = failing(check_database(db))
    assert found["vocabulary"] == 2 and set(found) <= {"vocabulary", "summaries"}   # a batch edited by hand


def test_schema_newer_older_and_broken(db, tmp_path):
    raw(db, "INSERT INTO _migrations (name) VALUES ('m999_from_the_future')")
    result = run(db)
    assert result.exit_code == 1 and "written by a newer tracker (migration m999_from_the_future)" in result.stdout
    old = tmp_path / "old.db"
    store.open_db(old, upto="m001_initial").close()
    doc = check_database(old)
    schema = next(c for c in doc["checks"] if c["name"] == "schema")
    assert doc["ok"] and "older schema" in schema["note"]
    assert [r[0] for r in sqlite3.connect(old).execute("SELECT name FROM _migrations")] == ["m001_initial"]
    raw(old, "DROP TABLE warnings")
    broken = check_database(old)
    assert failing(broken) == {"schema": 1, "orphans": 1}           # orphan warnings cannot be looked for
    assert [c["problems"] for c in broken["checks"] if c["name"] == "orphans"] == [
        ["cannot be checked: no such table: warnings"]]


def test_columns_a_migration_added_are_expected_once_it_is_applied(tmp_path):
    older = tmp_path / "older.db"
    store.open_db(older, upto="m003_reviews").close()          # before m004: no first_day, no summaries
    assert check_database(older, names=["schema"])["ok"]
    current = tmp_path / "current.db"
    store.open_db(current).close()
    assert check_database(current, names=["schema"])["ok"]
    raw(current, "DROP INDEX IF EXISTS idx_reports_order")
    raw(current, "ALTER TABLE reports DROP COLUMN last_day")
    raw(current, "DROP TABLE batch_report_days")
    schema = check_database(current, names=["schema"])["checks"][0]
    assert schema["problems"] == ["table reports lacks column(s) last_day", "table batch_report_days is missing"]


def test_missing_file_and_not_a_database(tmp_path):
    result = run(tmp_path / "none.db")
    assert result.exit_code == 1 and result.stderr.startswith("error: no database at")
    assert not (tmp_path / "none.db").exists()
    notes = tmp_path / "notes.db"
    notes.write_text("not sqlite at all\n" * 200, encoding="utf-8")
    result = run(notes)
    assert result.exit_code == 1 and result.stderr.count("\n") == 1 and "Traceback" not in result.output


def test_a_corrupted_file(db):
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    data = bytearray(db.read_bytes())
    page = 4096
    for offset in range(2 * page, len(data), page):     # scribble over the header of every page but two
        data[offset:offset + 12] = b"\x0d\xff\xff\x5a\x5a\x5a\x5a\x5a\x5a\x5a\x5a\x5a"
    db.write_bytes(bytes(data))
    result = run(db)
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output and isinstance(result.exception, SystemExit)
    assert "integrity   ok" not in result.stdout


def test_summaries_left_stale_by_hand_are_found_and_repaired(db):
    conn = sqlite3.connect(db)
    before = conn.execute("SELECT * FROM batch_days ORDER BY 1, 2, 3").fetchall()
    conn.close()
    assert before
    raw(db, "DELETE FROM figures WHERE id = (SELECT min(id) FROM figures f WHERE kind = 'batch' AND start IS NOT NULL "
            "AND NOT EXISTS (SELECT 1 FROM figures c WHERE c.parent_id = f.id))")
    result = run(db)
    assert result.exit_code == 1
    assert failing(check_database(db))["summaries"] >= 1
    assert "summaries" in result.stdout and "tracker check --repair" in result.stdout
    repaired = run(db, "--repair")
    assert repaired.exit_code == 0, repaired.output
    assert "repaired:" in repaired.stderr and repaired.stdout.splitlines()[-1] == f"{db}: sound"
    conn = sqlite3.connect(db)
    after = conn.execute("SELECT * FROM batch_days ORDER BY 1, 2, 3").fetchall()
    conn.close()
    assert after != before
    assert run(db, "--repair").stderr == ""          # nothing stale: nothing rewritten
