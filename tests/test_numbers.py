"""Numbers in digits and words, Arabic and English (tracker.numbers).

Every sentence goes through normalize() first, as in the pipeline; expected spans
are written in ordinary spelling and folded the same way before comparing.
"""
from __future__ import annotations

import pytest
from hypothesis import given, settings, strategies as st

from tracker.normalize import fold, normalize
from tracker.numbers import Number, find_numbers


def read(text: str, lang: str | None = None) -> list[tuple[str, float]]:
    """(span text, value) of every number found in the normalised text."""
    t = normalize(text).text
    return [(t[n.start:n.end], n.value) for n in find_numbers(t, lang)]


def found(text: str, lang: str | None = None) -> list[Number]:
    return find_numbers(normalize(text).text, lang)


def expect(pairs) -> list[tuple[str, float]]:
    return [(fold(span), float(value)) for span, value in pairs]


# ------------------------------------------------------------------ digits

@pytest.mark.parametrize("text, pairs", [
    # comma and dot thousands separators
    ("عاد 38,550 نازحا إلى قراهم", [("38,550", 38550)]),
    ("reached 1,289 on Sunday", [("1,289", 1289)]),
    ("سجلت المنظمة 1.018.529 نازحا", [("1.018.529", 1018529)]),
    ("أكثر من 800.000 نازح", [("800.000", 800000)]),
    ("قرابة 2.500 عائلة", [("2.500", 2500)]),
    ("the total was 1,234.5 tonnes", [("1,234.5", 1234.5)]),
    # decimals, with and without a scale word
    ("يعيش 1,7 مليون لاجئ في المخيمات", [("1,7 مليون", 1700000)]),
    ("an estimated 1.2 million were displaced", [("1.2 million", 1200000)]),
    ("ارتفع إلى 1.500 مليون", [("1.500 مليون", 1500000)]),
    ("a pocket of 0.5 square km", [("0.5", 0.5)]),
    ("مساحة 1,5 كيلومتر مربع", [("1,5", 1.5)]),
    # comma + two digits is a typo for a plain number
    ("handed over 1,00 women", [("1,00", 100)]),
    # glued scale suffixes
    ("a 12k crowd", [("12k", 12000)]),
    ("some 2.5m refugees", [("2.5m", 2500000)]),
    ("cost 3bn dollars", [("3bn", 3000000000)]),
])
def test_digits(text, pairs):
    assert read(text) == expect(pairs)


@pytest.mark.parametrize("text, pairs", [
    # a comma before four digits separates two numbers
    ("since November12,2012 the camp", [("12", 12), ("2012", 2012)]),
    # a hyphen is a range, never a minus sign
    ("some 8,000-9,000 Syrians crossed", [("8,000", 8000), ("9,000", 9000)]),
    ("درجة الحرارة -5", [("5", 5)]),
    # 'm' after an integer is as often metres: not a scale
    ("5m from the road", [("5", 5)]),
    ("a 12km walk", [("12", 12)]),
    # several dotted groups that are not thousands: a date, three numbers
    ("on 12.02.2019 at dawn", [("12", 12), ("02", 2), ("2019", 2019)]),
    # a sentence that runs into a number is not a decimal
    ("by 2019.500 people left", [("2019", 2019), ("500", 500)]),
    ("were displaced.51% of them", [("51", 51)]),
    ("في 22-02-2019 الساعة 10:55", [("22", 22), ("02", 2), ("2019", 2019),
                                    ("10", 10), ("55", 55)]),
    # 'percent' words are not hundreds
    ("نحو 20 بالمئة و30 في المائة", [("20", 20), ("30", 30)]),
])
def test_digits_near_misses(text, pairs):
    assert read(text) == expect(pairs)


@pytest.mark.parametrize("text, pairs", [
    ("دفع بـ689 ألف شخص للفرار", [("689 ألف", 689000)]),
    ("وصلت و3 عائلات", [("3", 3)]),
    ("خرج 92 رجلا و500 امرأة", [("92", 92), ("500", 500)]),
    ("about 185,000persons fled", [("185,000", 185000)]),
    ("and 1,363Syrians have returned", [("1,363", 1363)]),
    ("in Eastern Arabic ٣٥٠ شخصا و١٢٬٥٠٠ عائلة", [("350", 350), ("12,500", 12500)]),
])
def test_digits_glued_to_letters(text, pairs):
    assert read(text) == expect(pairs)


# ------------------------------------------------------------------ digits and words

@pytest.mark.parametrize("text, pairs", [
    ("نزح أكثر من 200 ألف مدني", [("200 ألف", 200000)]),
    ("فر 150 ألفاً منذ الأربعاء", [("150 ألفاً", 150000)]),
    ("أكثر من 6 آلاف و500 شخص", [("6 آلاف و500", 6500)]),
    ("حوالي 7 آلاف داخل المدينة", [("7 آلاف", 7000)]),
    ("عاد مليون و200 ألف", [("مليون و200 ألف", 1200000)]),
    ("around 2 million people", [("2 million", 2000000)]),
    ("5 hundred tents", [("5 hundred", 500)]),
    ("نزح 60 ألف شخص", [("60 ألف", 60000)]),
])
def test_mixed(text, pairs):
    assert read(text) == expect(pairs)


def test_mixed_form_and_scaled_flag():
    n, = found("نزح 200 ألف مدني")
    assert (n.form, n.scaled) == ("mixed", True)
    n, = found("نزح 200 مدني")
    assert (n.form, n.scaled) == ("digits", False)
    n, = found("a 12k crowd")
    assert (n.form, n.scaled) == ("digits", True)
    n, = found("ستين ألف مدني")
    assert (n.form, n.scaled) == ("words", True)


@pytest.mark.parametrize("text, pairs", [
    # و between two digit numbers is a range or a list, not a sum
    ("بين 300 و400 شخص", [("300", 300), ("400", 400)]),
    ("between 300 and 400 people", [("300", 300), ("400", 400)]),
    ("60 to 80 families", [("60", 60), ("80", 80)]),
    # a shared scale word in a range belongs to the second number only
    ("20-30 ألف نازح", [("20", 20), ("30 ألف", 30000)]),
    # a larger number after a scale is not part of it
    ("6 آلاف و7000", [("6 آلاف", 6000), ("7000", 7000)]),
])
def test_mixed_near_misses(text, pairs):
    assert read(text) == expect(pairs)


# ------------------------------------------------------------------ Arabic words

@pytest.mark.parametrize("text, span, value", [
    ("اعتقل سبعة عناصر", "سبعة", 7),
    ("وصلت واحدة فقط", "واحدة", 1),
    ("خرجت اثنتان من العائلات", "اثنتان", 2),
    ("نقل عشرة جرحى", "عشرة", 10),
    ("إحدى عشرة عائلة", "إحدى عشرة", 11),
    ("اثنا عشر شخصا", "اثنا عشر", 12),
    ("اثني عشر طفلا", "اثني عشر", 12),
    ("ثلاثة عشر مدنيا", "ثلاثة عشر", 13),
    ("ثماني عشرة امرأة", "ثماني عشرة", 18),
    ("عشرين مدنيا", "عشرين", 20),
    ("تسعون شخصا", "تسعون", 90),
    ("مئة شخص", "مئة", 100),
    ("مائة شخص", "مائة", 100),
    ("مئتان", "مئتان", 200),
    ("مائتي عائلة", "مائتي", 200),
    ("ثلاثمائة مقاتل", "ثلاثمائة", 300),
    ("ثلاث مئة مقاتل", "ثلاث مئة", 300),
    ("ستمائة نازح", "ستمائة", 600),
    ("ثمانيمئة نازح", "ثمانيمئة", 800),
    ("تسعمئة نازح", "تسعمئة", 900),
    ("أكثر من ألف من المدنيين", "ألف", 1000),
    ("نحو ألفي مقاتل", "ألفي", 2000),
    ("ألفان وخمسمئة", "ألفان وخمسمئة", 2500),
    ("ثلاثة آلاف نازح", "ثلاثة آلاف", 3000),
    ("عشرة آلاف نازح", "عشرة آلاف", 10000),
    ("ستين ألف مدني", "ستين ألف", 60000),
    ("مئتا ألف مدني", "مئتا ألف", 200000),
    ("مليون لاجئ", "مليون", 1000000),
    ("مليونين من السوريين", "مليونين", 2000000),
    ("ثلاثة ملايين لاجئ", "ثلاثة ملايين", 3000000),
])
def test_arabic_words(text, span, value):
    assert read(text, "ar") == expect([(span, value)])


@pytest.mark.parametrize("text, span, value", [
    ("أربعٌ وستون ألف وثلاثمائة وثلاثٌ وسبعون لاجئا", "أربع وستون ألف وثلاثمائة وثلاث وسبعون", 64373),
    ("سبعة عشر ألفاً وخمسمئة وثلاثين عائلة", "سبعة عشر ألفا وخمسمئة وثلاثين", 17530),
    ("ستة آلاف وخمسمئة وثلاث وستون عائلة", "ستة آلاف وخمسمئة وثلاث وستون", 6563),
    ("أن مئة وعشرين عائلة", "مئة وعشرين", 120),
    ("وصل خمسمئة وخمسة عشر شخصا", "خمسمئة وخمسة عشر", 515),
    ("باكثر من مئة وسبعة آلاف مدني", "مئة وسبعة آلاف", 107000),
    ("أكثر من ألف وستمئة مدني", "ألف وستمئة", 1600),
    ("ألف وخمسة وعشرين", "ألف وخمسة وعشرين", 1025),
    ("خمسة وعشرين ألفا", "خمسة وعشرين ألفا", 25000),
    ("مئة وثلاثة عشر ألف", "مئة وثلاثة عشر ألف", 113000),
    ("مليون ومئتي ألف", "مليون ومئتي ألف", 1200000),
    ("ألف وثلاث مئة", "ألف وثلاث مئة", 1300),
    # a و standing apart from the next word still joins
    ("ألف و خمسمئة", "ألف و خمسمئة", 1500),
])
def test_arabic_compounds(text, span, value):
    assert read(text, "ar") == expect([(span, value)])


@pytest.mark.parametrize("text, span, value", [
    # a glued و/ب/ل/ك before the first word is left out of the span
    ("وخمسمئة شخص", "خمسمئة", 500),
    ("بثلاثة آلاف", "ثلاثة آلاف", 3000),
    ("لعشرين عائلة", "عشرين", 20),
    ("وبألف شخص", "ألف", 1000),
    # standalone ألفاً is a thousand
    ("استقبل ألفاً من النازحين", "ألفاً", 1000),
])
def test_arabic_prefixes(text, span, value):
    assert read(text, "ar") == expect([(span, value)])


@pytest.mark.parametrize("text", [
    "عشرات العائلات",
    "مئات النازحين",
    "آلاف المدنيين",
    "نزح الآلاف",
    "ملايين السوريين",
    "عشرات الآلاف من النازحين",
    "مئات الآلاف من النازحين",
    "في الساعة الحادية عشر ليلا",
    "يوم الثالث عشر من الشهر",
    "للمرة الخامسة",
    "العاشر من شباط",
    "الأول والثاني والثالث",
    "يوم الاثنين",
    "يوم الإثنين",
    "يوم الأحد",
    "أحد الأشخاص",
    "نحو 20 بالمئة",
    "لستُ أدري",
    "نصف كيلومتر",
])
def test_arabic_not_numbers(text):
    assert [s for s, v in read(text, "ar") if not s[0].isdigit()] == []


@pytest.mark.parametrize("text, pairs", [
    # a range with the scale on both sides is two numbers
    ("بين ثلاثة آلاف وأربعة آلاف", [("ثلاثة آلاف", 3000), ("أربعة آلاف", 4000)]),
    ("بين خمسة وستة آلاف", [("خمسة", 5), ("ستة آلاف", 6000)]),
    ("ثلاثمئة وأربع مئة", [("ثلاثمئة", 300), ("أربع مئة", 400)]),
    # a dual never follows a number: two numbers
    ("ثلاثة ألفين", [("ثلاثة", 3), ("ألفين", 2000)]),
    # tens before units is not the Arabic order: two numbers
    ("عشرون وثلاثة", [("عشرون", 20), ("ثلاثة", 3)]),
    # a comma ends a number
    ("مئة، ألف", [("مئة", 100), ("ألف", 1000)]),
    # the عشر of an ordinal teen is not ten, but a cardinal after it is read
    ("الحادي عشر ثلاثة عشر", [("ثلاثة عشر", 13)]),
    # a word with the article that is no ordinal: the number after it is read whole
    ("الأسبوع ثلاثة عشر", [("ثلاثة عشر", 13)]),
])
def test_arabic_splits(text, pairs):
    assert read(text, "ar") == expect(pairs)


# ------------------------------------------------------------------ English words

@pytest.mark.parametrize("text, span, value", [
    ("in the nine camps", "nine", 9),
    ("ten buses", "ten", 10),
    ("Eleven trucks", "Eleven", 11),
    ("twenty families", "twenty", 20),
    ("Ninety-five people", "Ninety-five", 95),
    ("twenty five people", "twenty five", 25),
    ("a hundred people", "a hundred", 100),
    ("A Hundred people", "A Hundred", 100),
    ("two hundred people", "two hundred", 200),
    ("one hundred and twenty-five tents", "one hundred and twenty-five", 125),
    ("three thousand people", "three thousand", 3000),
    ("two thousand five hundred people", "two thousand five hundred", 2500),
    ("fifteen hundred people", "fifteen hundred", 1500),
    ("a hundred thousand people", "a hundred thousand", 100000),
    ("four million people", "four million", 4000000),
    ("home to some three million people", "three million", 3000000),
    ("a thousand people", "a thousand", 1000),
    ("a million people", "a million", 1000000),
    ("ONE THOUSAND AND ONE nights", "ONE THOUSAND AND ONE", 1001),
    ("no one left", "one", 1),
])
def test_english_words(text, span, value):
    assert read(text, "en") == expect([(span, value)])


@pytest.mark.parametrize("text", [
    "dozens of families",
    "a dozen families",
    "hundreds of people",
    "thousands of people",
    "millions of Syrians",
    "tens of thousands of people",
    "the first convoy and the second",
    "the fifth day",
    "once or twice",
    "they often came",
    "someone said",
    "in Tennessee",
    "a lot of people",
    "a hundredth time",
    "none of them",
])
def test_english_not_numbers(text):
    assert read(text, "en") == []


@pytest.mark.parametrize("text, pairs", [
    ("between five and six thousand", [("five", 5), ("six thousand", 6000)]),
    ("three hundred and four hundred", [("three hundred", 300), ("four hundred", 400)]),
    ("three thousand and four thousand", [("three thousand", 3000), ("four thousand", 4000)]),
    ("one thousand and two hundred thousand",
     [("one thousand", 1000), ("two hundred thousand", 200000)]),
    ("twenty and five", [("twenty", 20), ("five", 5)]),
    ("five twenty", [("five", 5), ("twenty", 20)]),
    ("a three-year-old girl", [("three", 3)]),
])
def test_english_splits(text, pairs):
    assert read(text, "en") == expect(pairs)


# ------------------------------------------------------------------ languages

def test_lang_limits_words_not_digits():
    text = "ثلاثة and three and 4"
    assert read(text, "ar") == expect([("ثلاثة", 3), ("4", 4)])
    assert read(text, "en") == expect([("three", 3), ("4", 4)])
    assert read(text) == expect([("ثلاثة", 3), ("three", 3), ("4", 4)])


def test_languages_do_not_mix_in_one_number():
    assert read("three آلاف") == expect([("three", 3)])


def test_spans_are_offsets_in_the_normalised_text():
    raw = "نزح أكثر من ٢٠٠ ألفٍ مدنيٍ"
    norm = normalize(raw)
    n, = find_numbers(norm.text)
    assert norm.original_slice(n.start, n.end) == "٢٠٠ ألف"  # the dropped tanween is outside
    assert n.value == 200000


def test_number_keeps_its_positional_constructor():
    n = Number(0, 3, 2.0, "words")
    assert n.scaled is False and n.integer


# ------------------------------------------------------------------ properties

_PIECES = st.sampled_from([
    "0", "1", "12", "300", "1,000", "1.5", ",", ".", "-", " ", "  ", "\n", "k", "m", "bn",
    "و", "ب", "ال", "ألف", "آلاف", "ألفين", "مئة", "ثلاث", "ثلاثة", "عشر", "عشرة", "عشرين",
    "إحدى", "اثنا", "مليون", "الحادي", "خمسمئة", "a", "A", "and", "one", "hundred",
    "thousand", "million", "twenty", "-five", "ten", "x", "٣", "ً",
])


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=80), st.lists(_PIECES, max_size=25).map("".join)))
def test_never_raises_and_spans_are_ordered(text):
    for lang in (None, "ar", "en"):
        nums = find_numbers(text, lang)
        last = 0
        for n in nums:
            assert last <= n.start < n.end <= len(text)
            assert text[n.start:n.end] == text[n.start:n.end].strip()
            assert n.value >= 0 and n.form in ("digits", "words", "mixed")
            last = n.end


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=0, max_value=10**9))
def test_any_plain_or_grouped_integer_reads_back(value):
    assert read(f"x {value} y") == [(str(value), float(value))]
    grouped = f"{value:,}"
    assert read(f"x {grouped} y") == [(grouped, float(value))]


# --- the fast search finds what the start regex finds ------------------------------------

_PIECES = ["ثلاثة", "آلاف", "و", "one", "Two", "hundred", "a thousand", "الحادي عشر", "وخمسمئة",
           "12", "1,5", " ", "\n", "x", "ب", ".", "-", "_", "٣", "الف", "A", "thousand", "ألفين"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=14).map("".join))
def test_fast_number_search_matches_the_start_regex(text):
    from tracker.numbers import _grammar
    g = _grammar(("ar", "en"))
    text = normalize(text).text
    for pos in range(len(text) + 1):
        fast, slow = g.search(text, pos), g.start.search(text, pos)
        assert (fast and (fast.span(), fast.lastgroup, fast.groups())) == \
            (slow and (slow.span(), slow.lastgroup, slow.groups()))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(_PIECES + ["THOUSAND", "Ten", "\u212a"]), max_size=14).map("".join))
def test_one_search_over_a_text_from_later_and_later_places(text):
    from tracker.numbers import _grammar, _Starts
    g = _grammar(("ar", "en"))
    text = normalize(text).text
    for step in (1, 3):
        starts = _Starts(g, text)
        for pos in range(0, len(text) + 1, step):
            fast, slow = starts.search(pos), g.start.search(text, pos)
            assert (fast and (fast.span(), fast.groups())) == (slow and (slow.span(), slow.groups()))


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=list("abcAZ \r\n\t٣٤أإآىـًُ“”’–\u00a0\u200fاي") + ["\U0001F600", "\ud800"], max_size=30))
def test_normalize_replaces_as_translate_would(text):
    from tracker.normalize import _TABLE
    assert normalize(text).text == text.translate(_TABLE)
