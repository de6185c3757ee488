"""The benchmark archive, parallel ingest and the extract --jsonl | ingest --from-jsonl path.

No timings here: bench/run.py prints those.
"""
from __future__ import annotations

import re
import sqlite3
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.main import app
from tracker import ingest as ingest_mod

sys.path.insert(0, str(Path(__file__).parent.parent / "bench"))
import make_archive  # noqa: E402

runner = CliRunner()


def files_of(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*.txt"))}


@pytest.fixture(scope="module")
def archive(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("archive")
    make_archive.write_archive(24, out, seed=3)
    return out


def test_the_archive_is_deterministic_for_a_seed(archive, tmp_path):
    make_archive.main(["--reports", "24", "--out", str(tmp_path / "again"), "--seed", "3"])
    make_archive.main(["--reports", "24", "--out", str(tmp_path / "other"), "--seed", "4"])
    first, again, other = files_of(archive), files_of(tmp_path / "again"), files_of(tmp_path / "other")
    assert first == again
    assert first != other and list(first.values()) != list(other.values())


def test_the_archive_has_dated_names_sizes_languages_and_recaps(archive):
    files = files_of(archive)
    assert len(files) == 24
    for name, data in files.items():
        m = re.fullmatch(r"(\d{4})/(\d{2})/(\d{4})-(\d{2})-\d{2}-\d{6}\.(ar|en)\.txt", name)
        assert m and m.group(1, 2) == m.group(3, 4), name
        assert 1024 <= len(data) <= 6 * 1024, name
    assert {Path(n).suffixes[0] for n in files} == {".ar", ".en"}
    texts = [t for _, t in make_archive.generate(400, seed=5)]
    assert any("الدفعات" in t or "recounts" in t for t in texts), "some reports are recaps"
    assert len(set(texts)) == len(texts)


def test_operations_keep_running_sums():
    op = make_archive.Operation(0, 0, 0, make_archive.START, make_archive.START)
    from datetime import timedelta
    for day, n in [(0, 100), (1, 50), (1, 25), (5, 10)]:
        op.batches.append((make_archive.START + timedelta(days=day), n))
        op.total += n
    assert op.total == 185
    assert op.window(make_archive.START + timedelta(days=1)) == 175
    assert op.window(make_archive.START + timedelta(days=5)) == 10


def dump(db: Path) -> list:
    """The stored content, without what depends on the moment of ingest."""
    conn = sqlite3.connect(db)
    try:
        return [conn.execute("SELECT id, path, published, published_from, language, publisher, text, "
                             "extractor_version FROM reports ORDER BY id").fetchall(),
                conn.execute("SELECT r.path, f.idx, p.idx, f.kind, f.category, f.value, f.high, f.qualifier, "
                             'f.start, f."end", f.origin, f.destination, f.evidence_text, f.evidence_start, '
                             "f.evidence_end FROM figures f JOIN reports r ON r.id = f.report_id "
                             "LEFT JOIN figures p ON p.id = f.parent_id ORDER BY r.path, f.idx").fetchall(),
                conn.execute("SELECT report_id, message FROM warnings ORDER BY report_id, message").fetchall()]
    finally:
        conn.close()


def run(db: Path, *args, input=None):
    return runner.invoke(app, ["--db", str(db), *args], input=input)


def test_ingest_with_two_jobs_stores_what_one_job_stores(archive, tmp_path, monkeypatch):
    monkeypatch.setattr(ingest_mod, "BATCH_REPORTS", 5)          # several write transactions
    (archive / "broken.txt").write_bytes(b"%PDF-1.4 not a report")
    try:
        one = run(tmp_path / "one.db", "ingest", str(archive), "--jobs", "1")
        two = run(tmp_path / "two.db", "ingest", str(archive), "--jobs", "2")
    finally:
        (archive / "broken.txt").unlink()
    assert one.exit_code == two.exit_code == 1
    assert one.stdout == two.stdout and one.stdout.startswith("25 read: 24 new, 0 already stored, 1 failed;")
    assert "is a PDF" in two.stderr
    stored = dump(tmp_path / "one.db")
    assert len(stored[0]) == 24 and len(stored[1]) > 24
    assert dump(tmp_path / "two.db") == stored
    again = run(tmp_path / "two.db", "ingest", str(archive), "--jobs", "2")
    assert again.exit_code == 0 and again.stdout.startswith("24 read: 0 new, 24 already stored, 0 failed;")


def test_extract_jsonl_then_ingest_from_jsonl_stores_what_ingest_stores(archive, tmp_path):
    paths = "\n".join(str(p) for p in sorted(archive.rglob("*.txt"))) + "\n"
    extracted = runner.invoke(app, ["extract", "--from-list", "-", "--jsonl"], input=paths)
    assert extracted.exit_code == 0, extracted.output
    assert len(extracted.stdout.splitlines()) == 24
    (tmp_path / "docs.jsonl").write_text(extracted.stdout, encoding="utf-8")
    loaded = run(tmp_path / "loaded.db", "ingest", "--from-jsonl", str(tmp_path / "docs.jsonl"))
    assert loaded.exit_code == 0, loaded.output
    direct = run(tmp_path / "direct.db", "ingest", *sorted(str(p) for p in archive.rglob("*.txt")))
    assert direct.exit_code == 0
    assert loaded.stdout == direct.stdout
    assert dump(tmp_path / "loaded.db") == dump(tmp_path / "direct.db")


def test_extract_usage_errors(tmp_path):
    assert runner.invoke(app, ["extract"]).exit_code == 2
    assert runner.invoke(app, ["extract", "-", "--from-list", "-"]).exit_code == 2
    assert runner.invoke(app, ["extract", "x.txt", "--json", "--jsonl"]).exit_code == 2
    missing = runner.invoke(app, ["extract", "--from-list", str(tmp_path / "none.txt"), "--jsonl"])
    assert missing.exit_code == 2


def test_a_read_error_line_from_elsewhere_counts_as_failed(tmp_path):
    (tmp_path / "docs.jsonl").write_text('{"path": "r/1.txt", "error": "is empty"}\n', encoding="utf-8")
    result = run(tmp_path / "t.db", "ingest", "--from-jsonl", str(tmp_path / "docs.jsonl"))
    assert result.exit_code == 1
    assert result.stdout == "1 read: 0 new, 0 already stored, 1 failed; 0 figures stored\n"
    assert "error: r/1.txt: is empty" in result.stderr


def _fails_on_some(text, **kwargs):
    """An extractor with a bug on some reports (module level: worker processes need it by name)."""
    from tracker.extraction import extract
    if len(text) % 3 == 0:
        raise RuntimeError("extractor bug")
    return extract(text, **kwargs)


def test_reextract_with_two_jobs_restores_what_ingest_stored(archive, tmp_path):
    db = tmp_path / "t.db"
    assert run(db, "ingest", str(archive), "--jobs", "1").exit_code == 0
    stored = dump(db)
    conn = sqlite3.connect(db)
    conn.execute("DELETE FROM warnings")
    conn.execute("DELETE FROM figures WHERE report_id IN (SELECT id FROM reports ORDER BY id LIMIT 10)")
    conn.commit()
    left = conn.execute("SELECT count(*) FROM figures").fetchone()[0]
    conn.close()
    figures = len(stored[1])
    assert left < figures
    two = run(db, "reextract", "--jobs", "2")
    assert two.exit_code == 0, two.output
    assert two.stdout.startswith(f"24 reports re-extracted: {left} figures before, {figures} now; 0 failed")
    assert dump(db) == stored
    one = run(db, "reextract", "--jobs", "1")
    assert one.exit_code == 0 and dump(db) == stored
    assert one.stdout.startswith(f"24 reports re-extracted: {figures} figures before, {figures} now; 0 failed")
    assert run(db, "reextract", "--jobs", "0").exit_code == 2


def test_reextract_in_workers_keeps_reports_whose_extraction_fails(archive, tmp_path):
    from tracker import store

    db_path = tmp_path / "t.db"
    assert run(db_path, "ingest", str(archive), "--jobs", "1").exit_code == 0
    stored = dump(db_path)
    db = store.open_db(db_path, create=False)
    results = list(ingest_mod.reextract_reports(db, jobs=2, extract_fn=_fails_on_some))
    db.close()
    failed = [r for r in results if "error" in r]
    assert len(results) == 24 and 0 < len(failed) < 24
    assert all(r["error"] == "RuntimeError: extractor bug" and r["path"] for r in failed)
    assert dump(db_path) == stored                      # failed ones untouched, the others the same again


def test_ingest_writes_with_a_small_page_cache_and_gives_back_the_large_one(archive, tmp_path):
    from tracker import store

    db = store.open_db(tmp_path / "t.db")
    before = db.execute("PRAGMA cache_size").fetchone()[0]
    seen = []
    for outcome in ingest_mod.ingest_files(db, ingest_mod.expand([str(archive)]), jobs=1):
        seen.append(db.execute("PRAGMA cache_size").fetchone()[0])
    assert len(seen) == 24 and set(seen) == {-ingest_mod.WRITE_CACHE_KIB} and before != seen[0]
    assert db.execute("PRAGMA cache_size").fetchone()[0] == before
