"""tracker.reconcile and tracker.reviews through the library.

The invented Wadi Sarh series (fixtures/reconcile, hand-made documents) has one of each
planted problem; every one is found and nothing else is flagged. The seed report runs
through the real extractor once.
"""
from __future__ import annotations

import copy
import time
from datetime import date

import pytest

from reconcilehelp import reconcile_docs
from storehelp import SEED, seed_doc, seed_stored_at, series_docs
from tracker import queries, store
from tracker import reconcile as rec
from tracker import reviews as rev
from tracker import extract
from tracker.reader import read_report


@pytest.fixture
def wadi(db):
    for doc, text in reconcile_docs():
        assert store.save_document(db, doc, text) is True
    return db


def flagged(result: dict) -> list[tuple[str, str, str]]:
    """(check, status, message) of every finding that is not 'agrees'."""
    return [(c["name"], f["status"], f["message"]) for c in result["checks"] for f in c["findings"]
            if f["status"] != "agrees"]


def words(finding: dict) -> list[str]:
    return [s["evidence"] for cited in finding["evidence"] for s in cited["sources"]]


def only(result: dict, check: str, status: str) -> dict:
    (found,) = [f for c in result["checks"] if c["name"] == check for f in c["findings"] if f["status"] == status]
    return found


# --- intervals --------------------------------------------------------------------------------------------

def test_qualifiers_are_intervals_with_a_finite_end_for_sums():
    assert rec.bounded("exact", 350) == (350, 350)
    assert rec.bounded("approx", 1500) == (1350, 1650) == queries.interval("approx", 1500)
    assert rec.bounded("more_than", 350) == (350, 385)        # open end: value + tolerance, for sums only
    assert rec.bounded("at_least", 500) == (500, 550)
    assert rec.bounded("at_least", 500, tolerance=0.2) == (500, 600)
    assert rec.bounded("less_than", 2) == (0, 2)
    assert rec.bounded("range", 300, 400) == (300, 400)
    assert queries.interval("approx", 1500, tolerance=0.05) == (1425, 1575)
    assert queries.interval("approx", 355) == (319, 391)      # unchanged default: rounded outwards


# --- the planted series -------------------------------------------------------------------------------------

def test_every_planted_problem_is_found_and_nothing_else(wadi):
    result = rec.reconcile(wadi)
    assert result["counts"] == {"agrees": 7, "gap": 0, "conflict": 5}
    assert {c["name"]: c["counts"]["conflict"] for c in result["checks"]} == {
        "windows": 1, "cumulative": 1, "parts": 1, "stocks": 0, "dates": 1, "sources": 1}
    window = only(result, "windows", "conflict")                # the batch sum misses its window
    assert window["numbers"]["window"] == {"value": 3000, "low": 3000, "high": 3000}
    assert window["numbers"]["batches"]["value"] == 1500 + 1980 + 300 + 2140
    assert "3000 شخص" in words(window) and "2140 شخصاً" in words(window)
    fall = only(result, "cumulative", "conflict")                # a falling cumulative
    assert (fall["numbers"]["before"]["value"], fall["numbers"]["after"]["value"]) == (11920, 9500)
    assert "9500 شخص" in words(fall)
    part = only(result, "parts", "conflict")                     # a part larger than its whole
    assert words(part) == ["450 children", "300 people"]
    assert [c["role"] for c in part["evidence"]] == ["part", "whole"]
    weekday = only(result, "dates", "conflict")                  # a wrong weekday
    assert "Sunday does not fall on 2020-03-09" in weekday["message"]
    assert weekday["evidence"][0]["sources"][0]["path"] == "2020-03-09-wadi.ar.txt"
    sources = only(result, "sources", "conflict")                # two publishers disagree
    assert sorted(s["publisher"] for cited in sources["evidence"] for s in cited["sources"]) == [
        "Relief Desk", "Valley Monitor"]
    assert sorted(words(sources)) == ["31,000 people", "نحو 24500 شخص"]


def test_duplicates_and_rounded_restatements_are_one_event_each(wadi):
    evs = rec.events(wadi)
    multi = {(e["kind"], e["start"], e["end"]): sorted((s["qualifier"], s["value"]) for s in e["sources"])
             for e in evs if len(e["sources"]) > 1}
    assert multi == {
        ("batch", "2020-03-08", "2020-03-08"): [("exact", 1000), ("more_than", 1000)],   # restated, rounded
        ("batch", "2020-03-09", "2020-03-09"): [("exact", 1500), ("exact", 1500)],       # duplicate
        ("batch", "2020-03-10", "2020-03-10"): [("approx", 2000), ("exact", 1980)],      # headline and body
        ("batch", "2020-03-11", "2020-03-11"): [("exact", 2140), ("more_than", 2000)],
        ("cumulative", "2020-03-01", "2020-03-11"): [("approx", 12000), ("exact", 11920)],
    }
    restated = next(e for e in evs if e["kind"] == "batch" and e["start"] == "2020-03-11")
    assert (restated["value"], restated["qualifier"], restated["reports"]) == (2140, "exact", 2)
    assert restated["publishers"] == ["Relief Desk", "Valley Monitor"]
    assert len(evs) == 23 - 5
    assert [e["event"] for e in evs] == list(range(1, 19))
    assert rec.events(wadi, categories=["children"])[0]["value"] == 450


def test_the_window_that_agrees_counts_every_batch_once(wadi):
    result = rec.reconcile(wadi, checks=["windows"])
    agrees = only(result, "windows", "agrees")
    assert agrees["numbers"]["batches"] == {"value": 4780, "low": 4780, "high": 4780}
    assert agrees["numbers"]["count"] == 4       # the duplicate 1500 and the restated 1000 count once


def test_filters_by_period_category_and_check(wadi):
    result = rec.reconcile(wadi, since=date(2020, 3, 12))
    assert [c for c in flagged(result) if c[0] != "dates"] == [
        ("sources", "conflict", flagged(rec.reconcile(wadi, checks=["sources"]))[0][2])]
    assert [c["name"] for c in rec.reconcile(wadi, checks=["parts", "windows"])["checks"]] == ["windows", "parts"]
    children = rec.reconcile(wadi, categories=["children"], checks=["parts"])
    assert children["counts"] == {"agrees": 0, "gap": 0, "conflict": 1}
    with pytest.raises(ValueError, match="unknown check"):
        rec.reconcile(wadi, checks=["nonsense"])


def test_a_wider_tolerance_changes_what_agrees(wadi):
    loose = rec.reconcile(wadi, checks=["sources"], tolerance=0.3)
    assert loose["counts"]["conflict"] == 0            # about 24500 ± 30% reaches 31,000
    assert loose["tolerance"] == 0.3


def test_the_store_series_shows_its_gaps(db):
    """fixtures/series: a window and a rise that the batches told do not fill (gaps, not
    errors) and its example warning."""
    for doc, text in series_docs():
        store.save_document(db, doc, text)
    assert [(name, status) for name, status, _ in flagged(rec.reconcile(db))] == [
        ("windows", "gap"), ("cumulative", "gap"), ("dates", "conflict")]


# --- grouping, on rows ------------------------------------------------------------------------------------

def row(id, report, value, start, end=None, kind="batch", qualifier="exact", **kw):
    return {"id": id, "report": report, "kind": kind, "category": kw.pop("category", "people"), "value": value,
            "qualifier": qualifier, "start": start, "end": end or start, "published": end or start, **kw}


def groups(rows, tolerance=rec.TOLERANCE) -> list[list[int]]:
    return sorted(sorted(m.id for m in ev.members) for ev in rec.group(rec.figures_from_rows(rows, tolerance)))


def test_same_fact_across_reports_give_or_take_a_day():
    assert groups([row(1, "a", 400, "2019-03-01"), row(2, "b", 400, "2019-03-02", qualifier="more_than"),
                   row(3, "c", 420, "2019-03-01", qualifier="approx")]) == [[1, 2, 3]]
    assert groups([row(1, "a", 400, "2019-03-01"), row(2, "b", 400, "2019-03-03")]) == [[1], [2]]


def test_near_values_are_not_the_same_batch():
    assert groups([row(1, "a", 500, "2019-03-01", qualifier="approx"),
                   row(2, "b", 600, "2019-03-01", qualifier="approx")]) == [[1], [2]]
    assert groups([row(1, "a", 350, "2019-03-01", qualifier="more_than"),
                   row(2, "b", 500, "2019-03-01", qualifier="at_least")]) == [[1], [2]]
    # a chain of values each within 10% of the last does not become one event
    chain = [row(i, f"r{i}", v, "2019-03-01", qualifier="approx") for i, v in enumerate([400, 440, 484, 532])]
    assert len(groups(chain)) > 1


def test_within_one_report_only_the_same_period_is_a_restatement():
    assert groups([row(1, "a", 2000, "2019-03-01", qualifier="approx"), row(2, "a", 1980, "2019-03-01")]) == [[1, 2]]
    assert groups([row(1, "a", 400, "2019-03-01"), row(2, "a", 400, "2019-03-02")]) == [[1], [2]]


def test_places_and_parents_keep_facts_apart():
    assert groups([row(1, "a", 400, "2019-03-01", destination="al-Hol camp"),
                   row(2, "b", 400, "2019-03-01", destination="Hol"),
                   row(3, "c", 400, "2019-03-01", destination="Roj camp")]) == [[1, 2], [3]]
    # 30 fighters of one batch and 28 of another are two parts, though their values fit
    rows = [row(1, "a", 350, "2019-02-12", qualifier="more_than"), row(2, "a", 30, "2019-02-12", category="fighters",
                                                                    qualifier="at_least", parent=1),
            row(3, "a", 500, "2019-02-11", "2019-02-12", qualifier="at_least"),
            row(4, "a", 28, "2019-02-11", "2019-02-12", category="fighters", qualifier="at_least", parent=3)]
    assert groups(rows) == [[1], [2], [3], [4]]
    # ... while the same part of the same batch told twice is one
    rows += [row(5, "b", 350, "2019-02-12", qualifier="more_than"),
             row(6, "b", 30, "2019-02-12", category="fighters", parent=5)]
    assert groups(rows) == [[1, 5], [2, 6], [3], [4]]


def test_undated_figures_stay_alone():
    assert groups([row(1, "a", 400, None), row(2, "b", 400, None)]) == [[1], [2]]


# --- the checks, on rows ------------------------------------------------------------------------------

def check(name, rows, **kw):
    return list(rec.RUNS[name](rec.group(rec.figures_from_rows(rows)), **kw))


def test_dates_after_publication_and_start_after_end():
    found = check("dates", [row(1, "a", 400, "2019-03-05", "2019-03-01"),
                            {**row(2, "b", 300, "2019-03-09"), "published": "2019-03-08"},
                            row(3, "c", 200, "2019-03-01")])
    assert [(f["status"], f["evidence"][0]["sources"][0]["figure"]) for f in found] == [("conflict", 1), ("conflict", 2)]
    assert "after its end" in found[0]["message"] and "after the report was published" in found[1]["message"]
    rows = [row(1, "a", 400, "2019-03-05", "2019-03-01"), row(4, "d", 100, "2019-02-01"),
            {**row(2, "b", 300, "2019-03-09"), "published": "2019-03-08"}]
    evs = rec.group(rec.figures_from_rows(rows))
    event_of = {m.id: ev.id for ev in evs for m in ev.members}
    assert event_of == {4: 1, 1: 2, 2: 3}
    assert [f["evidence"][0]["events"] for f in rec.check_dates(evs)] == [[2], [3]]   # each cites its figure's event


def test_a_rise_without_batches_is_a_gap_and_batches_beyond_it_a_conflict():
    cum = [row(1, "a", 1000, "2019-03-01", "2019-03-05", kind="cumulative"),
           row(2, "b", 1600, "2019-03-01", "2019-03-07", kind="cumulative")]
    assert [f["status"] for f in check("cumulative", cum)] == ["gap"]
    assert [f["status"] for f in check("cumulative", cum + [row(3, "c", 600, "2019-03-06")])] == ["agrees"]
    assert [f["status"] for f in check("cumulative", cum + [row(3, "c", 900, "2019-03-06")])] == ["conflict"]
    assert [f["status"] for f in check("cumulative", cum + [row(3, "c", 300, "2019-03-05")])] == ["gap"]  # before


def test_a_later_start_within_an_earlier_one_as_of_the_same_day():
    rows = [row(1, "a", 38550, "2018-12-01", "2019-02-10", kind="cumulative"),
            row(2, "a", 36500, "2018-12-19", "2019-02-10", kind="cumulative", qualifier="more_than")]
    assert [f["status"] for f in check("parts", rows)] == ["agrees"]
    rows[1]["value"] = 39000
    assert [f["status"] for f in check("parts", rows)] == ["conflict"]


def test_stocks_against_flows_where_both_are_known():
    stocks = [row(1, "a", 20000, "2019-03-01", kind="stock", destination="al-Hol camp"),
              row(2, "b", 21000, "2019-03-03", kind="stock", destination="al-Hol camp")]
    assert check("stocks", stocks) == []                            # no flows: nothing to compare
    into = [row(3, "c", 1000, "2019-03-02", destination="Hol camp")]
    assert [f["status"] for f in check("stocks", stocks + into)] == ["agrees"]
    assert [f["status"] for f in check("stocks", stocks + [row(3, "c", 5000, "2019-03-02", destination="Hol")])] == ["gap"]


def test_sources_leave_batches_alone_and_compare_the_rest():
    assert check("sources", [row(1, "a", 400, "2019-03-01", publisher="A"),
                             row(2, "b", 900, "2019-03-01", publisher="B")]) == []
    found = check("sources", [row(1, "a", 400, "2019-03-01", "2019-03-03", kind="window", publisher="A"),
                              row(2, "b", 900, "2019-03-01", "2019-03-03", kind="window", publisher="B")])
    assert [f["status"] for f in found] == ["conflict"]


# --- the seed, through the real extractor --------------------------------------------------------------

def test_the_seed_window_agrees_with_its_batches_and_the_wrong_weekday_is_found(db):
    """Runs the real extractor on the sample report."""
    text = read_report(SEED).text
    store.save_document(db, extract(text, path=str(SEED)), text)
    result = rec.reconcile(db)
    window = only(result, "windows", "agrees")
    assert window["numbers"]["window"]["value"] == 1500
    assert sorted(e["value"] for cited in window["evidence"] if cited["role"] == "batch"
                  for e in cited["sources"]) == [350, 500, 600]
    assert any("Saturday" in f["message"] for f in next(c for c in result["checks"] if c["name"] == "dates")["findings"])
    assert [name for name, status, _ in flagged(result)] == ["dates"] * len(flagged(result))


def test_the_seed_gold_parts_are_within_their_wholes(db):
    doc, text = seed_doc()
    store.save_document(db, doc, text)
    result = rec.reconcile(db, checks=["parts", "windows"])
    assert result["counts"]["conflict"] == 0
    assert any("36,500" in f["message"] and "38,550" in f["message"] for f in result["checks"][1]["findings"])


# --- reviews ------------------------------------------------------------------------------------------------

def fig_id(db, evidence: str) -> int:
    return db.execute("SELECT id FROM figures WHERE evidence_text = ?", [evidence]).fetchone()[0]


def test_a_rejected_figure_leaves_figures_totals_and_reconcile(wadi):
    ref = str(fig_id(wadi, "450 children"))
    made = rev.review(wadi, ref, "a typo in the report: 45 children", reject=True)
    assert made["action"] == "reject" and made["figure"] == int(ref) and made["evidence"] == "450 children"
    assert "450 children" not in [r["evidence"] for r in queries.figures(wadi)]
    assert rec.reconcile(wadi, checks=["parts"])["counts"]["conflict"] == 0
    assert queries.totals(wadi, date(2020, 3, 1), categories=["children"])["categories"][0]["batches"]["count"] == 0


def test_a_corrected_value_is_used_instead_of_the_extracted_one(wadi):
    rev.review(wadi, "2020-03-10-wadi.en.txt:3", "the report means 45 children", value=45)
    (row,) = [r for r in queries.figures(wadi) if r["evidence"] == "450 children"]
    assert (row["value"], row["review"]) == (45, "the report means 45 children")
    assert rec.reconcile(wadi, checks=["parts"])["counts"] == {"agrees": 2, "gap": 0, "conflict": 0}
    total = queries.totals(wadi, date(2020, 3, 1), categories=["children"])["categories"][0]["batches"]
    assert total["value"] == 45
    # qualifier and category, and a second review replaces the first
    rev.review(wadi, "2020-03-10-wadi.en.txt:3", "women and children", qualifier="range", value=40, high=50,
               category="women_children")
    (row,) = [r for r in queries.figures(wadi) if r["evidence"] == "450 children"]
    assert (row["category"], row["value"], row["high"], row["qualifier"]) == ("women_children", 40, 50, "range")
    assert len(rev.reviews(wadi)) == 1


def test_reviews_survive_reextract_by_report_and_evidence_span(wadi):
    ref = str(fig_id(wadi, "3000 شخص"))
    rev.review(wadi, ref, "the 48 hours are a misreading", reject=True)
    docs = {doc["report"]["sha256"]: doc for doc, _ in reconcile_docs()}

    def same_again(text, **kw):           # a re-extraction that finds the figures in another order
        from tracker.reader import text_sha256
        doc = copy.deepcopy(docs[text_sha256(text)])
        doc["figures"].reverse()
        n = len(doc["figures"])
        for f in doc["figures"]:
            f["id"] = n - 1 - f["id"]
            if f["parent"] is not None:
                f["parent"] = n - 1 - f["parent"]
        return doc
    assert all("error" not in r for r in store.reextract(wadi, same_again))
    assert fig_id(wadi, "3000 شخص") != int(ref)                     # new rows ...
    (kept,) = rev.reviews(wadi)
    assert kept["figure"] == fig_id(wadi, "3000 شخص")               # ... the review follows the words
    assert "3000 شخص" not in [r["evidence"] for r in queries.figures(wadi)]
    assert rec.reconcile(wadi, checks=["windows"])["counts"]["conflict"] == 0


def test_a_review_whose_words_are_gone_applies_to_nothing(wadi):
    rev.review(wadi, str(fig_id(wadi, "3000 شخص")), "wrong", reject=True)
    db_figs = len(list(queries.figures(wadi)))

    def without(text, **kw):
        from tracker.reader import text_sha256
        doc = next(copy.deepcopy(d) for d, _ in reconcile_docs() if d["report"]["sha256"] == text_sha256(text))
        doc["figures"] = [f for f in doc["figures"] if f["evidence"]["text"] != "3000 شخص"]
        for i, f in enumerate(doc["figures"]):
            f["id"] = i
        return doc
    list(store.reextract(wadi, without))
    (orphan,) = rev.reviews(wadi)
    assert orphan["figure"] is None
    assert len(list(queries.figures(wadi))) == db_figs


@pytest.mark.parametrize("kw, message", [
    (dict(note=""), "needs a note"),
    (dict(note="x"), "say what is wrong"),
    (dict(note="x", reject=True, value=3), "takes no"),
    (dict(note="x", qualifier="roughly"), "unknown qualifier"),
    (dict(note="x", category="goats"), "unknown category"),
    (dict(note="x", value=-1), "0 or more"),
    (dict(note="x", qualifier="range", value=5), "needs --high"),
    (dict(note="x", value=50, high=40, qualifier="range"), "below the value"),
])
def test_bad_reviews_are_refused(wadi, kw, message):
    with pytest.raises(rev.ReviewError, match=message):
        rev.review(wadi, str(fig_id(wadi, "450 children")), **kw)
    assert rev.reviews(wadi) == []


@pytest.mark.parametrize("ref, message", [
    ("999999", "no figure 999999"), ("nowhere.txt:1", "no figure 1"), ("wadi", "not a figure id"),
    (":3", "not a figure id"),
])
def test_unknown_figures_are_refused(wadi, ref, message):
    with pytest.raises(rev.ReviewError, match=message):
        rev.review(wadi, ref, "x", reject=True)


def test_figures_are_named_by_id_sha_prefix_path_or_file_name(wadi):
    row = rev.find_figure(wadi, "2020-03-10-wadi.en.txt:3")
    assert row["evidence_text"] == "450 children"
    assert rev.find_figure(wadi, f"{row['report_id'][:10]}:3")["id"] == row["id"]
    assert rev.find_figure(wadi, str(row["id"]))["id"] == row["id"]


def test_an_older_database_gains_the_reviews_table(tmp_path):
    db = seed_stored_at(tmp_path / "old.db", "m002_query_indexes")
    assert "m003_reviews" in [r["name"] for r in db.query("SELECT name FROM _migrations")]
    assert db["reviews"].exists() and len(list(queries.figures(db))) == 16
    assert rec.reconcile(db)["counts"]["conflict"] == 0


# --- scale -----------------------------------------------------------------------------------------------

def test_grouping_does_not_compare_all_pairs():
    """20,000 batches on 50 days: grouping stays well under a second or two."""
    rows = [row(i, f"r{i % 700}", 50 + (i * 7919) % 20000, f"2019-03-{1 + i % 28:02d}",
                qualifier=("exact", "approx", "more_than")[i % 3]) for i in range(20000)]
    figs = rec.figures_from_rows(rows)
    t = time.perf_counter()
    evs = rec.group(figs)
    assert time.perf_counter() - t < 10
    assert sum(len(e.members) for e in evs) == 20000


def test_a_limit_writes_out_only_the_findings_a_table_shows(wadi):
    full = rec.reconcile(wadi)
    rank = {"conflict": 0, "gap": 1, "agrees": 2}
    for limit in (1, 2, 50):
        short = rec.reconcile(wadi, limit=limit)
        assert short["counts"] == full["counts"]
        for a, b in zip(full["checks"], short["checks"]):
            assert a["counts"] == b["counts"] and a["name"] == b["name"]
            assert b["findings"] == sorted(a["findings"], key=lambda f: rank[f["status"]])[:limit]


# --- fast paths equal the plain ones ------------------------------------------------------------------

@pytest.mark.parametrize("tolerance", [0, 0.1, 0.125, 0.25, 0.5])
def test_intervals_worked_out_once_equal_interval_and_bounded(tolerance):
    spans = rec._intervals(tolerance)
    for qualifier in ("exact", "approx", "more_than", "at_least", "less_than", "at_most", "range", "odd"):
        for value, high in ((0, None), (1, None), (7, None), (355, None), (1999, 2500), (12.5, None), (3.0, 4.5),
                            (10**12 + 7, None), (35, 40)):
            want_lo, want_hi = queries.interval(qualifier, value, high, tolerance)
            got = spans(qualifier, value, high)
            expected = (want_lo, want_hi, *rec.bounded(qualifier, value, high, tolerance))
            assert got == expected and [type(x) for x in got] == [type(x) for x in expected], (qualifier, value)
            assert spans(qualifier, value, high) == got       # and again, from the cache


def _plain_leaders(figs, tolerance):
    """The grouping as first written (one comparison function, separate bucket dicts): the
    fast `_join` must choose the very same leaders."""
    pos = {f.id: i for i, f in enumerate(figs)}
    depth = rec._depths(figs, pos)
    leader = list(range(len(figs)))
    spread = (1 + tolerance) / max(1e-9, 1 - tolerance)
    for level in sorted(set(depth)):
        def parent_key(f):
            if f.parent is None:
                return -1
            return leader[pos[f.parent]] if f.parent in pos else -2 - f.parent
        items = sorted((f.kind, f.category, parent_key(f), rec._NONE if f.s is None else f.s, f.value, i)
                       for i, f in enumerate(figs) if depth[i] == level and (f.s is not None or f.e is not None))
        current = None
        for kind, category, pkey, s, value, i in items:
            if (kind, category, pkey) != current:
                current, scalable, wide = (kind, category, pkey), {}, {}
            f = figs[i]
            key = s * rec._DAYS + (rec._NONE if f.e is None else f.e)
            low, up = min(f.blo, value / spread), max(f.bhi, value * spread)
            found = None
            for k in (key, key - 1, key + 1, key - rec._DAYS, key - rec._DAYS - 1, key - rec._DAYS + 1):
                values, where = scalable.get(k, ([], []))
                found = next((j for j in where if low <= values[where.index(j)] <= up and rec._same(f, figs[j])), None)
                if found is None:
                    found = next((j for j in wide.get(k, []) if rec._same(f, figs[j])), None)
                if found is not None:
                    break
            if found is not None:
                leader[i] = found
            elif f.qualifier in rec._SCALABLE:
                values, where = scalable.setdefault(key, ([], []))
                values.append(value)
                where.append(i)
            else:
                wide.setdefault(key, []).append(i)
    return leader


def _random_rows(seed: int) -> list[dict]:
    """1,500 figures of two categories over a week, with every qualifier, near values,
    places that contain each other, parents and a few undated: many merge."""
    import random
    rng = random.Random(seed)
    places = [None, "al-Hol camp", "Hol", "Roj camp", "Raqqa", "Roj"]
    quals = ["exact", "approx", "more_than", "at_least", "less_than", "at_most", "range"]
    rows = []
    for i in range(1, 1500):
        q = rng.choice(quals)
        value = rng.choice([rng.randint(1, 60), rng.randint(300, 700), rng.choice([400, 440, 500, 600, 2000])])
        if rng.random() < 0.05:
            value = value + 0.5
        day = 1 + rng.randint(0, 6)
        end = day + rng.choice([0, 0, 0, 1, 2])
        kind = rng.choice(["batch", "batch", "window", "cumulative", "stock"])
        parent = rng.randint(1, i - 1) if i > 1 and rng.random() < 0.1 else None
        rows.append(row(i, f"r{rng.randint(0, 40)}", value, None if rng.random() < 0.02 else f"2019-03-{day:02d}",
                        f"2019-03-{end:02d}", kind=kind, qualifier=q, high=value + 50 if q == "range" else None,
                        category=rng.choice(["people", "fighters"]), destination=rng.choice(places),
                        origin=rng.choice(places), parent=parent))
    return rows


@pytest.mark.parametrize("seed", range(6))
def test_the_fast_grouping_chooses_the_leaders_the_plain_one_does(seed):
    rows = _random_rows(seed)
    for tolerance in (0, 0.1, 0.25, 0.5):
        figs = rec.figures_from_rows(rows, tolerance)
        want = _plain_leaders(figs, tolerance)
        got = sorted(sorted(m.id for m in ev.members) for ev in rec.group(figs, tolerance))
        members = {}
        for i, j in enumerate(want):
            members.setdefault(j, []).append(figs[i].id)
        assert got == sorted(sorted(ids) for ids in members.values())
        assert len(got) < len(rows) - 50          # the series does merge figures


def _stored(rows: list[dict], path) -> "store.sqlite_utils.Database":
    """`rows` (as figures_from_rows takes them) in a database file, bypassing the extractor."""
    db = store.open_db(path)
    reports = {r["report"]: r.get("published") for r in rows}
    db["reports"].insert_all([{"id": rid, "path": f"{rid}.txt", "published": day, "publisher": "P"}
                              for rid, day in reports.items()])
    db["figures"].insert_all([{"id": r["id"], "report_id": r["report"], "idx": r["id"], "parent_id": r.get("parent"),
                               "kind": r["kind"], "category": r["category"], "value": r["value"], "high": r.get("high"),
                               "qualifier": r["qualifier"], "start": r["start"], "end": r["end"],
                               "origin": r.get("origin"), "destination": r.get("destination")} for r in rows])
    return db


def _one_date_per_report(rows: list[dict]) -> list[dict]:
    """The random rows give each figure its own publication date; a stored report has one."""
    first: dict = {}
    return [{**r, "published": first.setdefault(r["report"], r["published"])} for r in rows]


def _shape(evs: list) -> list:
    return [(ev.id, [m.id for m in ev.members], ev.parent and ev.parent.id, ev.value) for ev in evs]


def test_the_events_do_not_depend_on_the_order_figures_are_read_in():
    rows = _one_date_per_report(_random_rows(3))
    want = _shape(rec.group(rec.figures_from_rows(rows)))
    assert _shape(rec.group(rec.figures_from_rows(rows[::-1]))) == want
    import random
    random.Random(1).shuffle(rows)
    assert _shape(rec.group(rec.figures_from_rows(rows))) == want


def test_another_process_reads_and_joins_most_runs_while_this_one_reads_the_rest(tmp_path, monkeypatch):
    rows = _one_date_per_report(_random_rows(1))
    db = _stored(rows, tmp_path / "r.db")
    serial = rec.grouped(db)                                   # jobs=1: read and joined here
    assert _shape(serial) == _shape(rec.group(rec.figures_from_rows(rows)))
    monkeypatch.setattr(rec, "FORK_AT", 100)
    pairs = rec._pairs_elsewhere(db, None, None)
    counts = {(k, c): n for k, c, n in db.execute("SELECT kind, category, count(*) FROM figures GROUP BY 1, 2")}
    assert pairs and sum(counts[p] for p in pairs) <= rec.ELSEWHERE * len(rows)
    assert sum(counts[p] for p in pairs) > len(rows) / 2 and max(counts, key=counts.get) in pairs
    taken = []
    real = rec._take_leaders

    def spy(figs, away, result, *args):
        there = result()
        taken.append(({figs[i].id for i in away}, len(there["leaders"])))
        return real(figs, away, lambda: there, *args)
    monkeypatch.setattr(rec, "_take_leaders", spy)
    read_here = []
    monkeypatch.setattr(rec, "load_figures", lambda *args: read_here.append(args) or [])
    assert _shape(rec.grouped(db, jobs=2)) == _shape(serial)
    assert rec.can_fork() and len(taken) == 1 and not read_here         # (nothing read twice)
    away, joined = taken[0]
    assert away == {r["id"] for r in rows if not r.get("parent") and (r["kind"], r["category"]) in pairs}
    assert joined > 20
    monkeypatch.undo()
    monkeypatch.setattr(rec, "FORK_AT", 100)
    since = date(2019, 3, 4)
    assert _shape(rec.grouped(db, since, jobs=2)) == _shape(rec.grouped(db, since))
    monkeypatch.setattr(rec, "FORK_AT", 10_000)                # too few figures to fork for
    monkeypatch.setattr(rec, "_take_leaders", spy)
    taken.clear()
    assert _shape(rec.grouped(db, jobs=2)) == _shape(serial) and not taken


def test_the_two_reads_split_the_figures_without_losing_or_repeating_one(tmp_path):
    rows = _random_rows(5)
    db = _stored(rows, tmp_path / "r.db")
    pairs = frozenset({("batch", "people"), ("window", "fighters"), ("stock", "nowhere")})
    roots = [r[0] for r in db.execute(*rec._figures_sql(db, None, None, roots=pairs))]
    others = [r[0] for r in db.execute(*rec._figures_sql(db, None, None, besides=pairs))]
    assert sorted(roots + others) == sorted(r["id"] for r in rows)
    assert set(roots) == {r["id"] for r in rows if not r.get("parent") and (r["kind"], r["category"]) in pairs}
    assert [r[0] for r in db.execute(*rec._figures_sql(db, None, None, roots=[]))] == []


def test_if_the_database_changes_between_the_two_reads_everything_is_read_here(tmp_path, monkeypatch):
    rows = _random_rows(2)
    db = _stored(rows, tmp_path / "r.db")
    monkeypatch.setattr(rec, "FORK_AT", 100)
    real = rec._join_elsewhere

    def changed_meanwhile(path, *args):
        other = store.open_db(path)
        other.execute("UPDATE figures SET value = value + 1000 WHERE id = 1")
        other.conn.commit()
        return real(path, *args)
    monkeypatch.setattr(rec, "_join_elsewhere", changed_meanwhile)
    read_here = []
    load = rec.load_figures
    monkeypatch.setattr(rec, "load_figures", lambda *args: read_here.append(args) or load(*args))
    got = _shape(rec.grouped(db, jobs=2))
    monkeypatch.undo()
    assert len(read_here) == 1
    assert db.execute("SELECT value FROM figures WHERE id = 1").fetchone()[0] == rows[0]["value"] + 1000
    assert got == _shape(rec.grouped(db))                         # the figures as they are now, read once


def test_a_report_stored_between_reading_the_reports_and_the_figures_is_read_too(tmp_path):
    rows = _random_rows(4)[:50]
    db = _stored(rows, tmp_path / "r.db")
    make = rec._fig_maker(db, rec.TOLERANCE)                   # the reports are read here
    other = store.open_db(tmp_path / "r.db")                   # an ingest commits meanwhile
    other["reports"].insert({"id": "late", "path": "late.txt", "published": "2019-03-09", "publisher": "Q"})
    other["figures"].insert({"id": 9999, "report_id": "late", "idx": 0, "kind": "batch", "category": "people",
                             "value": 12, "qualifier": "exact", "start": "2019-03-08", "end": "2019-03-08"})
    other.conn.commit()
    figs = make(db.execute(*rec._figures_sql(db, None, None)))
    late = [f for f in figs if f.id == 9999]
    assert len(figs) == 51 and len(late) == 1
    assert (late[0].report, late[0].publisher, late[0].published) == ("late", "Q", "2019-03-09")
    days = (date(2019, 3, 9) - date.fromisoformat(figs[0].published)).days
    assert late[0].rep.day - figs[0].rep.day == days               # (day numbers as the others have them)


def test_if_the_other_process_sends_nothing_or_fails_the_figures_are_joined_here(tmp_path, monkeypatch):
    rows = _random_rows(2)
    db = _stored(rows, tmp_path / "r.db")
    want = _shape(rec.grouped(db))
    monkeypatch.setattr(rec, "FORK_AT", 100)
    real = rec._join_elsewhere

    def ids_repeated(*args):
        real(*args)                                                 # (rows sent)
        return {"leaders": None}
    monkeypatch.setattr(rec, "_join_elsewhere", ids_repeated)
    assert _shape(rec.grouped(db, jobs=2)) == want                   # joined here
    monkeypatch.setattr(rec, "_join_elsewhere", lambda *args: {"leaders": {}})
    assert _shape(rec.grouped(db, jobs=2)) == want                   # nothing sent: read and joined here

    def fails_after_sending(*args):
        real(*args)
        raise OSError("out of memory")
    monkeypatch.setattr(rec, "_join_elsewhere", fails_after_sending)
    assert _shape(rec.grouped(db, jobs=2)) == want

    def fails(*args):
        raise OSError("cannot open the database")
    monkeypatch.setattr(rec, "_join_elsewhere", fails)
    assert _shape(rec.grouped(db, jobs=2)) == want                   # that process failed: all done here


def _pids_of(monkeypatch, name: str, where):
    """Make rec.<name> write the id of the process it runs in to the file `where` (forked
    processes too), and return `where`."""
    import os
    real = getattr(rec, name)

    def spy(*args):
        with open(where, "a") as out:
            out.write(f"{os.getpid()}\n")
        return real(*args)
    monkeypatch.setattr(rec, name, spy)
    return where


def test_a_large_table_is_reconciled_in_a_process_that_sends_back_only_the_result(tmp_path, monkeypatch):
    import os
    db = _stored(_one_date_per_report(_random_rows(4)), tmp_path / "r.db")
    want = rec.reconcile(db, limit=5)
    assert sum(c["counts"]["conflict"] for c in want["checks"]) > 0
    monkeypatch.setattr(rec, "FORK_AT", 100)
    where = _pids_of(monkeypatch, "_reconcile", tmp_path / "pids")
    assert rec.reconcile(db, limit=5, jobs=2) == want
    assert rec.can_fork() and where.read_text().split() != [str(os.getpid())]      # not here
    where.unlink()
    assert rec.reconcile(db, limit=5, jobs=1) == want and where.read_text().split() == [str(os.getpid())]
    one = rec.reconcile(db, limit=5, checks=["windows"], categories=["people"])
    assert rec.reconcile(db, limit=5, jobs=2, checks=(c for c in ["windows"]), categories=iter(["people"])) == one
    where.unlink()
    lazy = rec.reconcile(db, jobs=2, lazy=True)                 # findings made as they are read: here
    assert [list(c["findings"]) for c in lazy["checks"]] == [list(c["findings"]) for c in rec.reconcile(db)["checks"]]
    assert where.read_text().split()[0] == str(os.getpid())


def _people_never_parts(seed: int) -> list[dict]:
    """Random rows where people are never a part (fighters are, of people and of fighters)."""
    return [{**r, "parent": None} if r["category"] == "people" else r
            for r in _one_date_per_report(_random_rows(seed))]


def test_a_category_that_is_no_part_of_anything_is_grouped_and_checked_in_the_other_process(tmp_path, monkeypatch):
    import os
    rows = _people_never_parts(5)
    db = _stored(rows, tmp_path / "r.db")
    assert {r["category"] for r in rows if r.get("parent")} == {"fighters"}
    assert any(r.get("parent") and rows[r["parent"] - 1]["category"] == "people" for r in rows)   # parts across
    want = {limit: rec.reconcile(db, limit=limit, jobs=1) for limit in (3, 40)}
    since = rec.reconcile(db, date(2019, 3, 4), limit=40, jobs=1)
    some = rec.reconcile(db, limit=40, jobs=1, checks=["parts", "dates"], categories=["fighters"])
    assert sum(c["counts"]["conflict"] for c in want[40]["checks"]) > 0
    assert any(f["check"] == "parts" for c in want[40]["checks"] for f in c["findings"])
    monkeypatch.setattr(rec, "FORK_AT", 100)
    people = sum(r["category"] == "people" for r in rows) / len(rows)
    monkeypatch.setattr(rec, "CHECKED_ELSEWHERE", people - 0.01)
    assert rec._categories_apart(db, None, None) is None           # people: more than CHECKED_ELSEWHERE
    monkeypatch.setattr(rec, "CHECKED_ELSEWHERE", 0.9)
    assert rec._categories_apart(db, None, None) == ["people"]      # fighters are parts: never chosen
    monkeypatch.setattr(rec, "FORK_AT", len(rows) + 1)
    assert rec._categories_apart(db, None, None) is None           # too few figures to split
    monkeypatch.setattr(rec, "FORK_AT", 100)
    where = _pids_of(monkeypatch, "_checked_there", tmp_path / "pids")
    for limit in (3, 40):
        assert rec._reconcile(db, None, None, (), (), rec.TOLERANCE, limit, 2) == want[limit]
    assert rec._reconcile(db, date(2019, 3, 4), None, (), (), rec.TOLERANCE, 40, 2) == since
    assert rec._reconcile(db, None, None, ["fighters"], ["parts", "dates"], rec.TOLERANCE, 40, 2) == some
    assert len(where.read_text().split()) == 4 and str(os.getpid()) not in where.read_text().split()
    assert rec.reconcile(db, limit=40, jobs=2) == want[40]          # (in a forked process, which forks again)


def test_if_the_process_with_the_other_categories_fails_or_the_database_changes_all_is_done_here(tmp_path,
                                                                                                 monkeypatch):
    db = _stored(_people_never_parts(6), tmp_path / "r.db")
    want = rec.reconcile(db, limit=40, jobs=1)
    monkeypatch.setattr(rec, "FORK_AT", 100)
    monkeypatch.setattr(rec, "CHECKED_ELSEWHERE", 0.9)
    real = rec._checked_there
    apart = []
    checked = rec._checked_apart
    monkeypatch.setattr(rec, "_checked_apart", lambda *args: apart.append(checked(*args)) or apart[-1])

    def fails_at_once(*args):
        raise ValueError("no such table")

    def fails_after_sending(*args):
        real(*args)
        raise ValueError("killed")

    def changed_meanwhile(path, *args):
        other = store.open_db(path)
        other.execute("UPDATE figures SET value = value + 1000 WHERE id = 2")
        other.conn.commit()
        return real(path, *args)
    for there in (fails_at_once, fails_after_sending):
        monkeypatch.setattr(rec, "_checked_there", there)
        assert rec._reconcile(db, None, None, (), (), rec.TOLERANCE, 40, 2) == want
        assert apart.pop() is None                                  # done here instead
    monkeypatch.setattr(rec, "_checked_there", changed_meanwhile)
    got = rec._reconcile(db, None, None, (), (), rec.TOLERANCE, 40, 2)
    assert apart.pop() is None
    monkeypatch.setattr(rec, "_checked_there", real)
    assert got == rec._reconcile(db, None, None, (), (), rec.TOLERANCE, 40, 1) != want     # as the database is now


def test_a_database_with_uncommitted_changes_is_not_read_by_another_process(tmp_path):
    db = _stored(_random_rows(0)[:50], tmp_path / "r.db")
    assert rec._file(db) == str(tmp_path / "r.db")
    db.execute("BEGIN")
    db.execute("UPDATE figures SET value = value + 1 WHERE id = 1")
    assert db.conn.in_transaction and rec._file(db) is None            # another connection would not see it
    db.conn.commit()
    assert rec._file(db) == str(tmp_path / "r.db")
    import sqlite_utils
    assert rec._file(sqlite_utils.Database(memory=True)) is None


def test_grouping_and_checks_split_between_two_processes_give_the_same_result(monkeypatch):
    rows = _random_rows(0)
    serial = rec.group(rec.figures_from_rows(rows))
    want = rec.run_checks(serial, limit=7)
    monkeypatch.setattr(rec, "FORK_AT", 0)       # small enough to be split
    forked = []
    real = rec.beside

    def spy(there, here, jobs=2):
        forked.append(jobs)
        return real(there, here, jobs)
    monkeypatch.setattr(rec, "beside", spy)
    split = rec.group(rec.figures_from_rows(rows), jobs=2)
    assert [(ev.id, [m.id for m in ev.members], ev.parent and ev.parent.id) for ev in split] == \
        [(ev.id, [m.id for m in ev.members], ev.parent and ev.parent.id) for ev in serial]
    assert rec.run_checks(split, limit=7, jobs=2) == want
    assert rec.run_checks(split, limit=7, jobs=2, checks=["stocks", "parts"]) == \
        rec.run_checks(serial, limit=7, checks=["stocks", "parts"])
    assert len(forked) >= 3                       # grouping (each level) and checks were split
    assert sum(c["counts"]["conflict"] for c in want) > 0


def test_checks_are_split_in_two_of_about_equal_time_windows_with_cumulative():
    first, second = rec.split_checks(list(rec.CHECKS))
    assert sorted(first + second) == sorted(rec.CHECKS)
    side = first if "windows" in first else second
    assert side[side.index("windows") + 1] == "cumulative"     # they share the batch sums
    weight = [sum(rec._WINDOWS_AND_CUMULATIVE if n == "windows" else 0 if n == "cumulative" else rec._CHECK_COSTS[n]
                  for n in half) for half in (first, second)]
    assert abs(weight[0] - weight[1]) <= min(rec._CHECK_COSTS.values())
    assert rec.split_checks(["cumulative", "stocks"]) in ((["stocks"], ["cumulative"]), (["cumulative"], ["stocks"]))
    assert rec.split_checks(["sources"]) == (["sources"], [])


def test_objects_made_while_the_collector_was_paused_are_not_walked_when_it_resumes():
    import gc
    assert gc.isenabled()
    with rec._gc_paused():
        assert not gc.isenabled()
        kept = [[n] for n in range(50_000)]        # tracked objects, made meanwhile
        assert len(gc.get_objects(0)) > 50_000    # in the youngest generation: the next collection walks them
    assert gc.isenabled()
    assert gc.is_tracked(kept[0]) and gc.get_count()[0] < 1000
    young = {id(x) for x in gc.get_objects(0)}
    assert len(young) < 1000 and id(kept[0]) not in young and id(kept[-1]) not in young
    assert any(x is kept[0] for x in gc.get_objects(2))                  # the oldest: still looked at in full


def test_reconcile_reads_the_evidence_words_of_the_figures_it_cites(wadi, monkeypatch):
    stored = {r["id"]: r["evidence_text"] for r in wadi.query("SELECT id, evidence_text FROM figures")}
    monkeypatch.setattr(rec, "FORK_AT", 0)
    for jobs in (1, 2):               # forked findings bring copies of the sources: each is filled
        result = rec.reconcile(wadi, limit=50, jobs=jobs)
        cited = [src for c in result["checks"] for f in c["findings"] for e in f["evidence"] for src in e["sources"]
                 if src["figure"] is not None]
        assert cited and all(src["evidence"] == stored[src["figure"]] for src in cited)
        assert any(src["evidence"] for src in cited)
    events = rec.events(wadi)
    assert all(src["evidence"] == stored[src["figure"]] for ev in events for src in ev["sources"])
    assert rec.events(wadi, jobs=2) == events


def test_depth_under_parents_cuts_cycles_and_parents_not_loaded():
    rows = [row(1, "r", 5, "2019-03-01"), row(2, "r", 5, "2019-03-01", parent=1),
            row(3, "r", 5, "2019-03-01", parent=2), row(4, "r", 5, "2019-03-01", parent=5),
            row(5, "r", 5, "2019-03-01", parent=4), row(6, "r", 5, "2019-03-01", parent=99),
            row(7, "r", 5, "2019-03-01", parent=7), row(8, "r", 5, "2019-03-01", parent=3),
            row(9, "r", 5, "2019-03-01", parent=4)]
    figs = rec.figures_from_rows(rows)
    depth = rec._depths(figs, {f.id: i for i, f in enumerate(figs)})
    assert depth == [0, 1, 2, 0, 1, 0, 0, 3, 1]      # 4 and 5 name each other: the cycle is cut at 4


def test_lazy_findings_are_made_as_they_are_read_with_their_evidence(wadi):
    eager = rec.reconcile(wadi)
    lazy = rec.reconcile(wadi, lazy=True)
    assert lazy["counts"] == eager["counts"]
    assert all(not isinstance(c["findings"], list) for c in lazy["checks"])
    assert [list(c["findings"]) for c in lazy["checks"]] == [c["findings"] for c in eager["checks"]]
    assert any(words(f) for c in eager["checks"] for f in c["findings"])


def test_an_events_place_key_is_the_key_of_its_place_however_it_is_named():
    rows = [row(1, "a", 500, "2019-03-01", "2019-03-01", kind="stock", destination="al-Hol camp", origin="Baghouz"),
            row(2, "b", 700, "2019-03-01", "2019-03-01", kind="stock", origin="Town of Hajin"),
            row(3, "c", 900, "2019-03-01", "2019-03-01", kind="stock"),
            row(4, "d", 910, "2019-03-01", "2019-03-01", kind="stock", qualifier="approx",
                destination="Deir ez-Zor city")]
    evs = rec.group(rec.figures_from_rows(rows))
    assert [rec._place_key(ev) for ev in evs] == [rec.place_key(ev.place) for ev in evs]
    assert sorted(filter(None, map(rec._place_key, evs))) == ["deir ez zor", "hajin", "hol"]
    joined = next(ev for ev in evs if len(ev.members) == 2)       # 900 and ~910: its best (900) names no place
    assert joined.best.destination is None and rec._place_key(joined) == "deir ez zor"
