"""The store and the queries, through the library, on hand-made documents."""
from __future__ import annotations

import copy
import sqlite3
from datetime import date

import pytest

from storehelp import make_doc, seed_doc, seed_stored_at, series_docs
from tracker import queries, store
from tracker.ingest import Summary, ingest_jsonl


@pytest.fixture
def series_db(db):
    for doc, text in series_docs():
        assert store.save_document(db, doc, text) is True
    return db


ALL_MIGRATIONS = [m.__name__ for m in store.MIGRATIONS]

def counts(db) -> tuple[int, int, int]:
    return tuple(db.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("reports", "figures", "warnings"))


# --- schema and migrations -----------------------------------------------------------------

def test_new_database_is_migrated_in_wal_with_foreign_keys(db):
    assert [r["name"] for r in db.query("SELECT name FROM _migrations")] == ALL_MIGRATIONS
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert db.execute("PRAGMA busy_timeout").fetchone()[0] >= 5000
    fks = {(fk.column, fk.other_table, fk.other_column) for fk in db["figures"].foreign_keys}
    assert fks == {("report_id", "reports", "id"), ("parent_id", "figures", "id")}
    assert db["reports"].detect_fts() == "reports_fts"
    assert {"idx_figures_kind_category_start", "idx_figures_kind_end"} <= {i.name for i in db["figures"].indexes}


def test_database_of_the_first_migration_upgrades(tmp_path):
    path = tmp_path / "old.db"
    old = store.open_db(path, upto="m001_initial")
    assert [r["name"] for r in old.query("SELECT name FROM _migrations")] == ["m001_initial"]
    doc, text = seed_doc()
    store.save_document(old, doc, text)
    old.close()
    db = store.open_db(path)
    assert [r["name"] for r in db.query("SELECT name FROM _migrations")] == ALL_MIGRATIONS
    assert counts(db) == (1, 16, 0)
    assert "idx_figures_kind_category_start" in {i.name for i in db["figures"].indexes}
    assert store.open_db(path).execute("SELECT count(*) FROM _migrations").fetchone()[0] == len(ALL_MIGRATIONS)  # idempotent


def test_the_text_index_follows_text_changes_and_only_them(tmp_path):
    db = seed_stored_at(tmp_path / "old.db", "m004_fast_queries")   # m005 replaces the update trigger
    conn = db.conn
    before = conn.total_changes
    db.execute("UPDATE reports SET publisher = 'X'")
    assert conn.total_changes - before == 1             # the row only: its text is not indexed again
    assert db.execute("SELECT count(*) FROM reports_fts WHERE reports_fts MATCH 'الهول'").fetchone()[0] == 1
    db.execute("UPDATE reports SET text = 'other words'")
    assert db.execute("SELECT count(*) FROM reports_fts WHERE reports_fts MATCH 'الهول'").fetchone()[0] == 0
    assert db.execute("SELECT count(*) FROM reports_fts WHERE reports_fts MATCH 'other'").fetchone()[0] == 1


def test_newer_database_is_refused(tmp_path):
    path = tmp_path / "new.db"
    db = store.open_db(path)
    db.execute("INSERT INTO _migrations (name) VALUES ('m003_from_the_future')")
    db.close()
    with pytest.raises(store.SchemaTooNew, match="newer tracker.*m003_from_the_future"):
        store.open_db(path)


def test_missing_database_is_not_created(tmp_path):
    with pytest.raises(store.NoDatabase, match="tracker ingest"):
        store.open_db(tmp_path / "missing.db", create=False)
    assert not (tmp_path / "missing.db").exists()


def test_a_file_that_is_not_a_database(tmp_path):
    bad = tmp_path / "notes.db"
    bad.write_text("hello, not sqlite " * 100)
    with pytest.raises(store.StoreError, match="cannot be used"):
        store.open_db(bad)


# --- saving -------------------------------------------------------------------------------------

def test_document_round_trip(db):
    doc, text = seed_doc()
    assert store.save_document(db, doc, text) is True
    report = db["reports"].get(doc["report"]["sha256"])
    assert report["text"] == text and report["published"] == "2019-02-12" and report["publisher"] == "SOHR"
    rows = list(queries.figures(db))
    assert [r["id"] for r in rows] == list(range(16))
    assert [r["parent"] for r in rows] == [f["parent"] for f in doc["figures"]]
    assert rows[3]["value"] == 38550 and isinstance(rows[3]["value"], int)
    assert rows[0]["qualifier"] == "more_than" and rows[0]["destination"] == "al-Hol camp"


def test_evidence_offsets_point_into_the_stored_text(series_db):
    for row in series_db.query("SELECT f.evidence_text, f.evidence_start, f.evidence_end, r.text "
                               "FROM figures f JOIN reports r ON r.id = f.report_id"):
        assert row["text"][row["evidence_start"]:row["evidence_end"]] == row["evidence_text"]


def test_saving_the_same_report_again_changes_nothing(series_db):
    before = counts(series_db)
    for doc, text in series_docs():
        assert store.save_document(series_db, doc, text) is False
    assert counts(series_db) == before == (4, 14, 1)


def test_a_report_is_stored_whole_or_not_at_all(db, monkeypatch):
    doc, text = seed_doc()

    def broken(*args):
        raise sqlite3.OperationalError("disk I/O error (simulated)")
    monkeypatch.setattr(store, "_insert_figures", broken)
    with pytest.raises(sqlite3.OperationalError):
        store.save_document(db, doc, text)
    assert counts(db) == (0, 0, 0)
    assert not db.conn.in_transaction


@pytest.mark.parametrize("change, message", [
    (lambda d: d["figures"][0].update(kind="flow"), "unknown kind"),
    (lambda d: d["figures"][0].update(category="goats"), "unknown category"),
    (lambda d: d["figures"][0].update(value="350"), "not a number"),
    (lambda d: d["figures"][1].update(parent=99), "parent"),
    (lambda d: d.pop("figures"), "shaped"),
])
def test_malformed_documents_are_refused(db, change, message):
    doc, text = seed_doc()
    doc = copy.deepcopy(doc)
    change(doc)
    with pytest.raises(store.BadDocument, match=message):
        store.save_document(db, doc, text)
    assert counts(db) == (0, 0, 0)


def test_text_must_match_the_sha256(db):
    doc, _ = seed_doc()
    with pytest.raises(store.BadDocument, match="not the hash"):
        store.save_document(db, doc, "another text")


def test_reextract_replaces_figures_atomically(series_db):
    def fewer(text, published=None, lang=None, path=None, publisher=None):
        doc = next(d for d, t in series_docs() if t == text)
        doc["figures"] = doc["figures"][:1]
        doc["warnings"] = ["re-extracted"]
        return doc
    results = list(store.reextract(series_db, fewer))
    assert [r["after"] for r in results] == [1, 1, 1, 1]
    assert sum(r["before"] for r in results) == 14
    assert counts(series_db) == (4, 4, 4)


def test_reextract_keeps_a_report_whose_extraction_fails(series_db):
    def crash(text, **kwargs):
        if "Baghouz" in text:
            raise RuntimeError("extractor bug")
        return next(d for d, t in series_docs() if t == text)
    results = list(store.reextract(series_db, crash))
    assert sum("error" in r for r in results) == 1
    assert counts(series_db) == (4, 14, 1)


def test_jsonl_ingest_reports_bad_lines_and_stores_the_rest(db):
    import json
    (doc, text), *_ = series_docs()
    lines = ["not json", json.dumps({"report": {}}), json.dumps({**doc, "text": text}), ""]
    summary = Summary()
    for outcome in ingest_jsonl(db, lines, "docs.jsonl"):
        summary.add(outcome)
    assert (summary.read, summary.new, summary.failed) == (3, 1, 2)
    assert summary.failures[0].path == "docs.jsonl:1"


# --- queries --------------------------------------------------------------------------------------

def test_reports_listing_and_full_text_search(series_db):
    rows = queries.reports(series_db)
    assert [r["published"] for r in rows] == ["2019-03-01", "2019-03-02", "2019-03-04", "2019-03-05"]
    assert [r["figures"] for r in rows] == [3, 4, 4, 3]
    assert [r["path"] for r in queries.reports(series_db, "Baghouz")] == ["2019-03-01-pocket.en.txt"]
    assert [r["path"] for r in queries.reports(series_db, "الهول")] == ["2019-03-02-pocket.ar.txt"]


def test_figures_filters(series_db):
    def ids(**kw):
        return [(r["report"][:4], r["id"]) for r in queries.figures(series_db, **kw)]
    assert len(ids()) == 14
    assert len(ids(kinds=["batch"])) == 8
    assert len(ids(kinds=["batch"], categories=["people"])) == 6
    assert [r["value"] for r in queries.figures(series_db, kinds=["stock"], places=["HOL"])] == [60000, 61500]
    assert [r["value"] for r in queries.figures(series_db, kinds=["batch"], since=date(2019, 3, 3))] == [300, 120]
    assert len(ids(until=date(2019, 3, 1))) == 7          # 1 March batches and the cumulatives from December
    first = series_docs()[0][0]["report"]["sha256"]
    assert len(ids(report=first[:8])) == 3 and len(ids(report="2019-03-05-pocket.ar.txt")) == 3


def test_intervals_follow_the_qualifiers():
    assert queries.interval("exact", 350) == (350, 350)
    assert queries.interval("approx", 600) == (540, 660)
    assert queries.interval("approx", 355) == (319, 391)         # rounded outwards
    assert queries.interval("more_than", 350) == (350, None)
    assert queries.interval("at_least", 350) == (350, None)
    assert queries.interval("less_than", 2) == (0, 2)
    assert queries.interval("at_most", 2) == (0, 2)
    assert queries.interval("range", 300, 350) == (300, 350)


@pytest.mark.parametrize("qualifier, value, high", [
    ("exact", 350, None), ("approx", 600, None), ("approx", 355, None), ("approx", 7, None),
    ("more_than", 350, None), ("at_least", 30, None), ("less_than", 20, None), ("at_most", 20, None),
    ("range", 300, 400), ("range", 300, None)])
def test_totals_use_the_qualifier_intervals(db, qualifier, value, high):
    text = f"{value} people left on 3 March 2019."
    doc = make_doc(text, "one.txt", "2019-03-03", "en", None, [
        {"kind": "batch", "category": "people", "value": value, "high": high, "qualifier": qualifier,
         "start": "2019-03-03", "end": "2019-03-03"}])
    store.save_document(db, doc, text)
    b = queries.totals(db, date(2019, 3, 1))["categories"][0]["batches"]
    assert (b["low"], b["high"]) == queries.interval(qualifier, value, high)


def test_totals_summary_leaves_out_the_batch_list_only(series_db):
    full = queries.totals(series_db, date(2018, 12, 1), by="day")
    short = queries.totals(series_db, date(2018, 12, 1), by="day", details=False)
    for a, b in zip(full["categories"], short["categories"]):
        assert "items" not in b["batches"]
        assert {k: v for k, v in a["batches"].items() if k != "items"} == b["batches"]
        assert (a["gap"], a["series"], a["cumulative"]) == (b["gap"], b["series"], b["cumulative"])


def test_totals_on_the_seed_gold(db):
    doc, text = seed_doc()
    store.save_document(db, doc, text)
    result = queries.totals(db, date(2018, 12, 1))
    people = next(c for c in result["categories"] if c["category"] == "people")
    cum = people["cumulative"]
    assert len(cum) == 1 and cum[0]["value"] == 38550 and cum[0]["as_of"] == "2019-02-10"
    assert cum[0]["match"] == "exact" and cum[0]["qualifier"] == "exact"
    batches = people["batches"]
    assert sorted(b["value"] for b in batches["items"]) == [350, 500, 600]
    assert (batches["value"], batches["low"], batches["high"]) == (1450, 1390, None)
    assert (batches["count"], batches["reports"]) == (3, 1)
    assert people["gap"]["value"] == 38550 - 600 and people["gap"]["batch_count"] == 1
    # parts whose category differs from their parent's count for their own category, once
    fighters = next(c for c in result["categories"] if c["category"] == "fighters")
    assert sorted(b["value"] for b in fighters["batches"]["items"]) == [20, 28, 30]
    assert fighters["cumulative"][0]["match"] == "nearest_after" and fighters["cumulative"][0]["value"] == 3480
    women = next(c for c in result["categories"] if c["category"] == "women")
    assert women["batches"]["value"] == 2


def test_totals_on_the_series_count_repeated_batches_once(series_db):
    result = queries.totals(series_db, date(2018, 12, 1))
    people = next(c for c in result["categories"] if c["category"] == "people")
    assert people["cumulative"][0]["value"] == 52650 and people["cumulative"][0]["as_of"] == "2019-03-02"
    assert people["cumulative"][0]["path"] == "2019-03-02-pocket.ar.txt"
    items = people["batches"]["items"]
    assert [(b["start"], b["value"], len(b["sources"])) for b in items] == [
        ("2019-03-01", 400, 3), ("2019-03-02", 250, 2), ("2019-03-03", 300, 1)]
    assert (items[0]["low"], items[0]["high"]) == (400, 440)      # approx ∩ more_than
    assert items[0]["qualifiers"] == ["approx", "more_than"]
    b = people["batches"]
    assert (b["value"], b["low"], b["high"], b["count"], b["reports"]) == (950, 950, None, 3, 4)
    assert people["gap"] == {"value": 52000, "cumulative": 52650, "batches": 650, "batch_count": 2,
                             "start": "2018-12-01", "end": "2019-03-02"}
    by_cat = {c["category"]: c["batches"]["value"] for c in result["categories"]}
    assert by_cat == {"people": 950, "fighters": 40, "families": 120}
    assert "stocks" not in result


def test_totals_until_category_nearest_series_and_stocks(series_db):
    result = queries.totals(series_db, date(2018, 12, 1), until=date(2019, 3, 2), categories=["people"],
                            places=["hol"], by="day")
    (people,) = result["categories"]
    assert people["batches"]["value"] == 650
    assert [(p["period"], p["value"]) for p in people["series"]] == [("2019-03-01", 400), ("2019-03-02", 250)]
    assert [(s["place"], s["value"], s["as_of"]) for s in result["stocks"]] == [("al-Hol camp", 60000, "2019-03-02")]

    latest = queries.totals(series_db, date(2018, 12, 1), places=["Hol"], by="week")
    assert [(s["value"], s["as_of"]) for s in latest["stocks"]] == [(61500, "2019-03-04")]
    people = latest["categories"][0]
    assert [(p["period"], p["value"], p["count"], p["reports"]) for p in people["series"]] == [
        ("2019-02-25", 950, 3, 4)]
    monthly = queries.totals(series_db, date(2018, 12, 1), categories=["people"], by="month")
    assert [(p["period"], p["reports"]) for p in monthly["categories"][0]["series"]] == [("2019-03-01", 4)]

    nearest = queries.totals(series_db, date(2018, 12, 10), categories=["people"])["categories"][0]["cumulative"]
    assert [(c["match"], c["start"], c["value"]) for c in nearest] == [
        ("nearest_before", "2018-12-01", 52650), ("nearest_after", "2018-12-19", 50000)]
    exact = queries.totals(series_db, date(2018, 12, 19), categories=["people"])["categories"][0]["cumulative"]
    assert [(c["match"], c["value"]) for c in exact] == [("exact", 50000)]

    empty = queries.totals(series_db, date(2020, 1, 1), categories=["children"])
    assert empty["categories"][0]["batches"]["count"] == 0 and empty["categories"][0]["gap"] is None


def test_totals_rows_flatten_every_section(series_db):
    rows = list(queries.totals_rows(queries.totals(series_db, date(2018, 12, 1), places=["hol"], by="month")))
    assert {r["section"] for r in rows} == {"total", "batch", "series", "stock"}
    assert all(set(r) <= set(queries.TOTALS_COLUMNS) for r in rows)


# --- speed structures (migration m004): same answers as the plain queries -------------------------

def summaries(db) -> tuple[list, list, list]:
    return (db.execute("SELECT * FROM batch_days ORDER BY 1, 2, 3").fetchall(),
            db.execute("SELECT * FROM batch_report_days ORDER BY 1, 2").fetchall(),
            db.execute("SELECT id, first_day, last_day FROM reports ORDER BY id").fetchall())


def rebuilt(db) -> tuple[list, list, list]:
    """What the summaries would be if made again from scratch (and the rebuild is undone)."""
    kept = summaries(db)
    with store.write_transaction(db):
        store.rebuild_summaries(db)
        db.execute(f"UPDATE reports SET {store._REPORT_DAYS}")
        fresh = summaries(db)
        db.execute("ROLLBACK")
        db.execute("BEGIN")
    assert summaries(db) == kept
    return fresh


def summary_and_list_agree(db, since: date, until: date | None = None, by: str | None = "week") -> None:
    for cats in ([], ["people"], ["fighters", "children"]):
        full = queries.totals(db, since, until, cats, by=by)
        short = queries.totals(db, since, until, cats, by=by, details=False)
        for entry in full["categories"]:
            del entry["batches"]["items"]
        assert full == short


def test_the_totals_summaries_follow_inserts_reextracts_and_reviews(series_db):
    from tracker import reviews

    assert summaries(series_db) == rebuilt(series_db) and summaries(series_db)[0]
    for since, until in ((date(2018, 12, 1), None), (date(2019, 2, 1), None), (date(2019, 1, 1), date(2019, 2, 11))):
        summary_and_list_agree(series_db, since, until)
    ids = [r[0] for r in series_db.execute("SELECT f.id FROM figures f WHERE kind = 'batch' ORDER BY id")]
    before = queries.totals(series_db, date(2018, 12, 1), details=False)
    reviews.review(series_db, str(ids[0]), "not a batch", reject=True)
    reviews.review(series_db, str(ids[1]), "bigger", value=12345)
    reviews.review(series_db, str(ids[2]), "fighters", category="fighters")
    after = queries.totals(series_db, date(2018, 12, 1), details=False)
    assert after != before                      # a review changes the totals
    assert summaries(series_db) == rebuilt(series_db)
    summary_and_list_agree(series_db, date(2018, 12, 1))
    reviews.unreview(series_db, str(ids[1]))
    assert summaries(series_db) == rebuilt(series_db)
    doc, _ = series_docs()[1]
    fewer = copy.deepcopy(doc)
    fewer["figures"] = [f for f in fewer["figures"] if f["parent"] is None][:2]
    store.replace_figures(series_db, fewer)
    assert summaries(series_db) == rebuilt(series_db)
    summary_and_list_agree(series_db, date(2018, 12, 1))


def test_float_values_are_summed_as_the_list_sums_them(db):
    text = "About 10.5 km2 and 0.1 km2 and 0.2 km2 on 1 March 2019."
    figs = [{"kind": "batch", "category": "km2", "value": v, "qualifier": q, "start": "2019-03-01",
             "end": "2019-03-01"} for v, q in ((10.5, "approx"), (0.1, "exact"), (0.2, "exact"))]
    store.save_document(db, make_doc(text, "a.txt", "2019-03-02", "en", None, figs), text)
    summary_and_list_agree(db, date(2019, 3, 1), by="day")
    cats = queries.totals(db, date(2019, 3, 1), categories=["km2"], details=False)["categories"]
    assert cats[0]["batches"]["value"] == 0.1 + 0.2 + 10.5       # in the order the list adds them


def test_a_database_of_migration_m003_gains_the_summaries(tmp_path):
    from tracker import reviews

    path = tmp_path / "m003.db"
    old = store.open_db(path, upto="m003_reviews")
    for doc, text in series_docs():
        store.save_document(old, doc, text)
    first = old.execute("SELECT id FROM figures WHERE kind = 'batch' ORDER BY id").fetchone()[0]
    reviews.review(old, str(first), "bigger", value=999)
    assert not old["batch_days"].exists()
    listed = queries.totals(old, date(2018, 12, 1), by="week")
    old.close()
    db = store.open_db(path)
    assert [r["name"] for r in db.query("SELECT name FROM _migrations")] == ALL_MIGRATIONS
    assert summaries(db) == rebuilt(db)
    for entry in listed["categories"]:
        del entry["batches"]["items"]
    assert queries.totals(db, date(2018, 12, 1), by="week", details=False) == listed
    assert "idx_reports_order" in {i.name for i in db["reports"].indexes}


def test_keyset_pages_are_the_rows_of_offset_pages(series_db):
    for filters in ({}, {"kinds": ["batch"]}, {"since": date(2019, 2, 1)}, {"until": date(2019, 1, 31)}):
        everything = list(queries.figures(series_db, **filters))
        assert everything
        for size in (1, 3, 5):
            pages, after = [], None
            while True:
                page = list(queries.figures(series_db, **filters, after=after, limit=size))
                if not page:
                    break
                pages.append(page)
                after = page[-1]
            assert [r for p in pages for r in p] == everything
            assert pages == [everything[k:k + size] for k in range(0, len(everything), size)]


def test_figures_list_reviews_as_the_view_does(series_db):
    from tracker import reviews

    ids = [r[0] for r in series_db.execute("SELECT id FROM figures ORDER BY id")]
    reviews.review(series_db, str(ids[0]), "no", reject=True)
    reviews.review(series_db, str(ids[1]), "range", qualifier="range", value=10, high=20, category="fighters")
    view = list(series_db.query("""
        SELECT f.report_id AS report, f.idx AS id, f.kind, f.category, f.value, f.high, f.qualifier, f.review
        FROM effective_figures f JOIN reports r ON r.id = f.report_id
        ORDER BY r.published IS NULL, r.published, r.path, f.report_id, f.idx"""))
    listed = [{k: r[k] for k in ("report", "id", "kind", "category", "value", "high", "qualifier", "review")}
              for r in queries.figures(series_db)]
    assert listed == view and len(view) == len(ids) - 1
    assert list(queries.figures(series_db, categories=["fighters"]))[0]["review"] == "range"
