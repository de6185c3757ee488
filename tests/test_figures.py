"""Figure rules, one sentence per rule in each language, with near-misses that must not match.

All sentences are written for these tests; none is taken from a real report.
"""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tracker import extract


def figures(text, published="2020-05-10"):
    return extract(text, published=published)["figures"]


def one(text, published="2020-05-10", **expected):
    found = figures(text, published)
    matches = [f for f in found if all(f.get(k) == v for k, v in expected.items())]
    assert matches, f"no figure with {expected} in {[(f['kind'], f['category'], f['value'], f['qualifier'], f['start'], f['end']) for f in found]}"
    return matches[0]


def values(text, published="2020-05-10"):
    return sorted(f["value"] for f in figures(text, published))


# --- batches, parts, qualifiers -------------------------------------------------------

def test_arabic_batch_with_part():
    text = "خرج اليوم أكثر من 400 شخص من المخيم، من بينهم 45 طفلاً على الأقل."
    whole = one(text, kind="batch", category="people", value=400, qualifier="more_than",
                start="2020-05-10", end="2020-05-10")
    part = one(text, kind="batch", category="children", value=45, qualifier="at_least")
    assert part["parent"] == whole["id"]


def test_english_batch_on_weekday_with_part():
    text = "More than 2,000 people left the town on Monday, including 150 fighters."
    whole = one(text, "2019-03-06", kind="batch", category="people", value=2000,
                qualifier="more_than", start="2019-03-04", end="2019-03-04")
    part = one(text, "2019-03-06", category="fighters", value=150)
    assert part["parent"] == whole["id"]
    assert part["kind"] == "batch"


def test_arabic_dual_nouns_are_two_and_share_their_parent():
    text = "غادر 12 شخصاً المخيم اليوم، بينهم طفلان وسيدتان."
    whole = one(text, value=12, category="people")
    kids = one(text, value=2, category="children")
    women = one(text, value=2, category="women")
    assert kids["parent"] == whole["id"] and women["parent"] == whole["id"]


def test_arabic_number_words():
    one("غادرت ثلاثة آلاف عائلة المدينة اليوم", kind="batch", category="families", value=3000)


def test_english_number_words():
    one("Seventy-five families crossed the border today.", category="families", value=75)


@pytest.mark.parametrize("text,low,high", [
    ("عاد ما بين 200 إلى 300 عائلة إلى قراهم اليوم", 200, 300),
    ("Between 300 and 400 families returned home today.", 300, 400),
    ("Some 1,500-2,000 people fled the village today.", 1500, 2000),
])
def test_ranges(text, low, high):
    one(text, qualifier="range", value=low, high=high)


@pytest.mark.parametrize("text,qualifier", [
    ("وصل نحو 800 شخص إلى المخيم اليوم", "approx"),
    ("وصل حوالى 800 شخص إلى المخيم اليوم", "approx"),
    ("وصل ما يزيد عن 800 شخص إلى المخيم اليوم", "more_than"),
    ("وصل ما لا يقل عن 800 شخص إلى المخيم اليوم", "at_least"),
    ("وصل 800 شخص على الأقل إلى المخيم اليوم", "at_least"),
    ("About 800 people arrived at the camp today.", "approx"),
    ("Upwards of 800 people arrived at the camp today.", "more_than"),
    ("No fewer than 800 people arrived at the camp today.", "at_least"),
    ("Up to 800 people arrived at the camp today.", "at_most"),
    ("Fewer than 800 people arrived at the camp today.", "less_than"),
    ("800 people arrived at the camp today.", "exact"),
])
def test_qualifiers(text, qualifier):
    one(text, value=800, qualifier=qualifier)


# --- kinds and dates --------------------------------------------------------------------

def test_arabic_cumulative_since_named_month():
    one("ارتفع إلى 12500 عدد النازحين منذ الأول من آذار الماضي",
        kind="cumulative", value=12500, start="2020-03-01", end="2020-05-10")


def test_english_cumulative_since_date():
    one("Some 45,000 civilians have been displaced since 1 December.",
        kind="cumulative", category="civilians", value=45000, qualifier="approx",
        start="2019-12-01", end="2020-05-10")


def test_arabic_window_last_48_hours():
    one("ووصل نحو 900 مدني خلال الـ 48 ساعة الأخيرة",
        kind="window", category="civilians", value=900, start="2020-05-08", end="2020-05-10")


def test_english_window_past_week():
    one("Roughly 5,000 people have fled in the past week.",
        kind="window", value=5000, start="2020-05-03", end="2020-05-10")


def test_stocks():
    one("ويضم المخيم حالياً حوالي 30 ألف شخص", kind="stock", value=30000, qualifier="approx",
        start="2020-05-10")
    one("The camp now hosts about 68,000 people.", kind="stock", value=68000, end="2020-05-10")


def test_areas():
    one("تقلصت سيطرة التنظيم إلى أقل من 3 كلم مربع", kind="area", category="km2", value=3,
        qualifier="less_than")
    one("The group holds half a square kilometre of farmland.", kind="area", value=0.5)
    one("The pocket shrank to 800 square metres.", kind="area", value=0.0008)


# --- not figures -----------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "قتل 25 مدنياً في القصف على البلدة",
    "At least 40 people were killed in the strike.",
    "نقلت 15 شاحنة أمتعة النازحين",
    "Twelve trucks carried the families' belongings.",
    "40 percent of the arrivals are children.",
    "وصلت نسبة الأطفال إلى 60 بالمئة من النازحين",
    "The children were aged between 4 and 12.",
    "Up to 300,000 people are at risk of displacement.",
    "اعتقلت القوات 14 شخصاً عند الحاجز",
    "وصلت عشرات العائلات إلى المخيم",
    "Hundreds of families left the town.",
    "The offensive began in 2019.",
])
def test_not_figures(text):
    assert figures(text) == []


def test_evidence_quotes_the_original_text():
    text = "خــرج اليوم أكثرُ من ٤٠٠ شخصٍ من المخيم."
    doc = extract(text, published="2020-05-10")
    (fig,) = doc["figures"]
    assert fig["value"] == 400
    ev = fig["evidence"]
    assert text[ev["start"]:ev["end"]] == ev["text"]
    assert "٤٠٠" in ev["text"]


def test_weekday_contradiction_is_a_warning():
    text = "وخرج 300 شخص يوم السبت 9 شباط 2018 من الجيب."
    doc = extract(text, published="2019-02-12")
    assert any("2018" in w for w in doc["warnings"])


# --- places -----------------------------------------------------------------------------

def test_origin_and_destination_in_arabic():
    fig = one("خرج اليوم 300 شخص من الباغوز إلى مخيم الهول", value=300)
    assert (fig["origin"], fig["destination"]) == ("Baghouz", "al-Hol camp")


def test_origin_and_destination_in_english_pass_to_parts():
    text = "Some 450 people moved from Raqqa to Tabqa today, including 120 children."
    whole = one(text, value=450)
    part = one(text, value=120)
    assert (whole["origin"], whole["destination"]) == ("Raqqa", "Tabqa")
    assert (part["origin"], part["destination"]) == ("Raqqa", "Tabqa")


def test_a_place_without_a_direction_is_neither():
    fig = one("Some 450 people left today, officials in Raqqa said.", value=450)
    assert fig["origin"] is None and fig["destination"] is None


def test_an_increase_over_a_previous_count_is_a_window():
    text = "The UN said 950,000 people have been displaced since December, 50,000 more than it had recorded a week earlier."
    one(text, kind="cumulative", value=950000, start="2019-12-01")
    one(text, kind="window", value=50000, start=None, end="2020-05-10")
    one("وسجلت المفوضية نزوح 50 ألف شخص، بزيادة 8 آلاف شخص عن الأسبوع الماضي.",
        kind="window", value=8000, start=None)


def test_a_stock_verb_before_the_number_beats_a_participle_after_it():
    one("Lebanon hosts some 1.5 million Syrians displaced by the war.", kind="stock", value=1500000)
    one("Some 1.5 million Syrians have been displaced by the war.", kind="cumulative", value=1500000)


def test_camps_are_counted_apart_from_the_people_they_house():
    found = figures("وبلغ عدد المخيمات 1,300 مخيماً تؤوي أكثر من مليون نازح.")
    assert [(f["kind"], f["value"], f["qualifier"]) for f in found] == [("stock", 1000000, "more_than")]


@pytest.mark.parametrize("text,kept", [
    ("Over 300 civilians have been killed and more than 20,000 displaced since the offensive began.", 20000),
    ("قتل أكثر من 50 مدنياً ونزح نحو 100 ألف شخص منذ بدء الهجوم.", 100000),
    ("At least 70 people died in the camp last month, where 68,000 people now live.", 68000),
])
def test_casualties_and_movements_in_one_sentence(text, kept):
    assert values(text) == [kept]


def test_a_rise_is_a_running_total_unless_a_stock_word_says_otherwise():
    one("The number of people in the camp has now risen to 66,000.", kind="stock", value=66000)
    one("ليرتفع إلى نحو 40 ألفاً عدد من خرجوا منذ الأول من آذار", kind="cumulative", value=40000,
        start="2020-03-01")


@pytest.mark.parametrize("text,category", [
    ("وخرج اليوم نحو 5 آلاف من عوائل عناصر التنظيم.", "families"),      # families of fighters
    ("وخرج اليوم نحو 630 امرأة وطفل من المخيم.", "women_children"),
    ("About 800 women and children left the camp today.", "women_children"),
    ("Some 2,000 fighters and civilians left the town today.", "people"),
])
def test_two_nouns_make_one_category_only_when_joined_by_and(text, category):
    assert [f["category"] for f in figures(text)] == [category]


def test_capacity_is_not_a_stock_and_the_noun_counted_is_not_the_verb():
    assert [(f["kind"], f["value"]) for f in figures("ويؤوي المخيم الذي يتسع لـ 10 آلاف شخص نحو 25 ألف نازح.")] \
        == [("stock", 25000)]
    assert [(f["kind"], f["value"]) for f in figures("The camp, designed for 10,000 people, now shelters 25,000.")] \
        == [("stock", 25000)]


def test_a_since_date_in_the_same_clause_beats_a_number_after_a_comma():
    text = "More than 7,100 refugees have crossed into Iraq since 14 October, with some 1,000 arriving daily."
    one(text, "2019-10-20", kind="cumulative", value=7100, start="2019-10-14")


def test_a_list_joined_by_and_shares_a_date_that_follows_it():
    found = figures("Two women and five children were repatriated to Germany on Thursday.", "2021-07-03")
    assert [(f["category"], f["value"], f["start"]) for f in found] == \
        [("women", 2, "2021-07-01"), ("children", 5, "2021-07-01")]
    found = figures("وصل 300 شخص يوم الأحد و200 يوم الاثنين.", "2021-07-06")
    assert [(f["value"], f["start"]) for f in found] == [(300, "2021-07-04"), (200, "2021-07-05")]


# --- cue scanning: lazy, per segment, the same as a scan of every word ---------------------

_CUE_TEXT = (
    "نزح أكثر من 300 شخص من ريف حلب الشرقي إلى مخيم الهول يوم الثلاثاء، من بينهم طفلان وامرأتان.\n"
    "وقال المرصد السوري إن نحو نصف العائلات غادرت البلدة خلال الأيام الأخيرة؛ ولم تسجل إصابات.\n"
    "The camp now hosts about 12,000 people. Since January, 4,500 civilians have been displaced\n"
    "from the eastern countryside, including 800 children! Two women and half a dozen men returned?\n"
    "A convoy of 20 trucks carried 1.5 million tonnes of aid. UNHCR said the number of refugees rose to 79702.\n"
    "Quiet day. No movement. Nothing else. Rain fell. Roads closed. Shops shut. Wind rose. The end.\n"
    "وصلت دفعة جديدة تضم 250 شخصا إلى مخيم عين عيسى، وعاد 40 آخرون إلى قراهم."
)


def _full_scan(scanner, text):
    """Reference: every word of the text, as the scanner did before it became lazy."""
    import re
    from tracker.cues import _WORD
    _BREAK = re.compile(r"[.!?؟؛\n]")
    toks = [(m.start(), m.end(), m.group().lower()) for m in _WORD.finditer(text)]
    found = [[] for _ in scanner.sets]
    busy = [0] * len(scanner.sets)
    for i, (s, _, word) in enumerate(toks):
        done = set()
        for si, phrase, stem, label in scanner.candidates(word):
            if si in done or busy[si] > i:
                continue
            j = i + len(phrase)
            if j > len(toks) or any(
                    _BREAK.search(text, toks[i + k - 1][1], toks[i + k][0])
                    or not (toks[i + k][2] == phrase[k]
                            or (stem and k == len(phrase) - 1 and toks[i + k][2].startswith(phrase[k])))
                    for k in range(1, len(phrase))):
                continue
            done.add(si)
            found[si].append((s, toks[j - 1][1], label))
            busy[si] = j
    return found


@pytest.mark.parametrize("text", [_CUE_TEXT, _CUE_TEXT.replace("\n", " "), "\n\n" + _CUE_TEXT + "\n.",
                                  "\u0130stanbul. " + _CUE_TEXT.upper()],
                         ids=["lines", "one-line", "padded", "lower-case-changes-length"])
def test_lazy_cue_scan_finds_what_a_full_scan_finds(text):
    from tracker.cues import cues
    from tracker.normalize import normalize
    text = normalize(text).text
    c = cues()
    scanner = c.category.scanner
    reference = _full_scan(scanner, text)
    assert any(len(r) > 2 for r in reference)        # the text does hold cues
    for ps, ref in zip(scanner.sets, reference):
        text_copy = "".join(list(text))              # a new text: nothing scanned yet
        assert [(m.s, m.e, m.label) for m in ps.search(text_copy)] == ref
        for lo in range(0, len(text), 37):
            for hi in (lo + 5, lo + 60, lo + 400):
                want = [r for r in ref if r[0] >= lo and r[1] <= hi]
                assert [(m.s, m.e, m.label) for m in ps.search(text, lo, hi)] == want
        starts = {r[0]: r for r in ref}
        for pos in range(len(text)):
            got = ps.at(text, pos)
            skip = pos
            while skip < len(text) and text[skip] in " \t":
                skip += 1
            assert (got and (got.s, got.e, got.label)) == (starts.get(skip) or None)
            for reach in (25, 40):
                ending = [r for r in ref if r[1] <= pos]
                want = ending[-1] if ending else None
                if want and (want[0] < pos - reach or any(ch not in " \t\"'(:،," for ch in text[want[1]:pos])):
                    want = None
                got = ps.ending(text, pos, reach)
                assert (got and (got.s, got.e, got.label)) == want


def test_cue_memo_stays_bounded(monkeypatch):
    from tracker import cues as cues_mod
    scanner = cues_mod.cues().category.scanner
    monkeypatch.setattr(cues_mod, "MEMO_MAX", 100)
    scanner._memo.clear()
    for i in range(1000):
        scanner.candidates(f"word{i}")
    assert len(scanner._memo) <= 101
    scanner._memo.clear()


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=list("1a.!?؟؛\n 2x"), max_size=20))
def test_sentence_ends_as_the_plain_pattern_finds_them(text):
    import re
    from tracker.figures import _sentences
    plain = re.compile(r"(?<!\d)\.|\.(?!\d)|[!?؟؛\n]+")
    bounds, pos = [], 0
    for m in plain.finditer(text):
        bounds.append((pos, m.end()))
        pos = m.end()
    bounds.append((pos, len(text)))
    assert _sentences(text) == [b for b in bounds if text[b[0]:b[1]].strip()]


def test_sentences_in_english_and_arabic():
    from tracker.figures import _sentences
    text = "About 1.5 million left. Why?! They fled\nنزح 2.5 ألف شخص؛ وعاد 30. 4 returned"
    got = [text[a:b] for a, b in _sentences(text)]
    assert got == ["About 1.5 million left.", " Why?!", " They fled\n", "نزح 2.5 ألف شخص؛",
                   " وعاد 30.", " 4 returned"]


def test_breaks_are_every_break_character_in_order():
    from tracker.cues import breaks
    text = "أ.ب!\nc?؟؛d.e" + "x" * 5
    assert breaks(text) == tuple(i for i, ch in enumerate(text) if ch in ".!?؟؛\n")
    assert breaks("no break here") == ()


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=list("abcXYZ \u0600\u06ff\u0627\u0700\u05ffé1") + ["\U0001F600", "\ud800"], max_size=40))
def test_language_is_the_script_with_more_letters(text):
    import re
    from tracker.extraction import detect_language
    arabic, latin = len(re.findall(r"[\u0600-\u06FF]", text)), len(re.findall(r"[A-Za-z]", text))
    assert detect_language(text) == ("ar" if arabic >= latin else "en")


def test_phrases_of_several_words_and_stems_in_both_languages():
    from tracker.cues import PhraseSet
    ps = PhraseSet({"left the city": "a", "left the*": "b", "left": "c", "نزح من*": "d", "نزح": "e",
                    "من ضمنهم": "f"})
    def found(text):
        return [(m.group(), m.label) for m in ps.search(text)]
    assert found("They left the city. They left thereafter. They left.") == [
        ("left the city", "a"), ("left thereafter", "b"), ("left", "c")]
    assert found("They left the town") == [("left the", "b")]
    assert found("نزح منها 30 ونزح. من ضمنهم") == [("نزح منها", "d"), ("ونزح", "e"), ("من ضمنهم", "f")]
    assert found("ونزح، من ضمنهم") == [("ونزح، من", "d")]    # a comma does not end a phrase
    assert found("left") == [("left", "c")]             # the text ends after the first word
