"""Date mentions and the report date (tracker/dates.py).

Sentences are written for these tests (not copied from the corpus); they use the
forms the reports use. Each rule has a positive case and a near miss.
"""
from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tracker.dates import check_weekdays, detect_published, find_dates
from tracker.normalize import normalize

PUB = date(2019, 2, 12)   # a Tuesday


def mentions(text: str, published: date | None = PUB):
    """Mentions of the normalised text (as the pipeline calls it)."""
    norm = normalize(text).text
    return norm, find_dates(norm, published)


def one(text: str, published: date | None = PUB, role: str | None = None):
    """The single mention of `text` (or the only one with `role`)."""
    _, found = mentions(text, published)
    if role:
        found = [m for m in found if m.role == role]
    assert len(found) == 1, found
    return found[0]


def covered(text: str, needle: str, published: date | None = PUB) -> bool:
    """Is the (normalised) `needle` inside some mention span?"""
    norm, found = mentions(text, published)
    needle = normalize(needle).text
    i = norm.index(needle)
    return any(m.start <= i and i + len(needle) <= m.end for m in found)


def d(s: str) -> date:
    return date.fromisoformat(s)


# --- the seed report, in our own words ------------------------------------------

def test_seed_window_last_48_hours_arabic():
    m = one("ارتفع عدد الواصلين إلى نحو 900 خلال الـ 48 ساعة الأخيرة")
    assert (m.role, m.first, m.last) == ("window", d("2019-02-10"), d("2019-02-12"))
    assert "48" in m.text


def test_seed_window_last_24_hours_and_in_last_48():
    m = one("وصل 300 شخص في آخر 24 ساعة")
    assert (m.role, m.first, m.last) == ("window", d("2019-02-11"), d("2019-02-12"))
    m = one("the last 48 hours saw 700 arrivals")
    assert (m.role, m.first, m.last) == ("window", d("2019-02-10"), d("2019-02-12"))


def test_seed_since_and_until():
    _, found = mentions("بلغ العدد 41000 منذ الأول من ديسمبر الفائت وحتى الـ 10 من شباط / فبراير الجاري")
    assert [(m.role, m.first, m.last) for m in found] == [
        ("since", d("2018-12-01"), None), ("until", None, d("2019-02-10"))]
    assert found[1].text.endswith("الجاري")


def test_seed_night_before_yesterday():
    m = one("وصلت قافلة من 250 شخصاً ليل أمس الأول")
    assert (m.role, m.first, m.last, m.relative) == ("point", d("2019-02-10"), d("2019-02-10"), -2)


def test_seed_weekday_contradiction_moves_year():
    m = one("سيطرت القوات على القرية يوم السبت الـ 9 من شباط من العام 2018")
    assert m.role == "point" and m.first == m.last == d("2019-02-09")
    assert m.weekday == 5 and "2018-02-09" in m.note and "2019-02-09" in m.note
    warnings = check_weekdays(normalize("يوم السبت الـ 9 من شباط من العام 2018").text, PUB)
    assert len(warnings) == 1 and "Friday" in warnings[0]


def test_seed_report_date_from_filename_when_text_contradicts_itself():
    text = normalize("ونشر صباح اليوم الثلاثاء الـ 12 من شباط الجاري أن 400 خرجوا، "
                     "وبدأ الهجوم اليوم السبت الـ 9 من شباط من العام 2018").text
    rd = detect_published(text, "sohr-2019-02-12-departures.ar.txt")
    assert (rd.published, rd.source) == (PUB, "filename")


# --- point -----------------------------------------------------------------------

@pytest.mark.parametrize("text,day", [
    ("اليوم", "2019-02-12"),
    ("صباح اليوم", "2019-02-12"),
    ("أمس", "2019-02-11"),
    ("أول أمس", "2019-02-10"),
    ("أمس الأول", "2019-02-10"),
    ("Last night", "2019-02-11"),
    ("this morning", "2019-02-12"),
    ("yesterday", "2019-02-11"),
    ("on Friday", "2019-02-08"),
    ("الثلاثاء", "2019-02-12"),          # the report's own weekday is the report day
    ("الخميس الماضي", "2019-02-07"),
    ("12 February 2019", "2019-02-12"),
    ("Feb. 16, 2018", "2018-02-16"),
    ("22-02-2018", "2018-02-22"),
    ("8-1-2019", "2019-01-08"),
    ("2019-02-03", "2019-02-03"),
    ("the 10th of February", "2019-02-10"),
    ("العاشر من كانون الثاني", "2019-01-10"),
    ("الـ 19 من ديسمبر", "2018-12-19"),
    ("في 7 نونبر", "2018-11-07"),
    ("الأربعاء 6 شباط", "2019-02-06"),
])
def test_point(text, day):
    m = one(text)
    assert (m.role, m.first, m.last) == ("point", d(day), d(day)), m


def test_point_today_with_weekday_and_date_is_one_mention():
    m = one("وأفاد المصدر اليوم الثلاثاء الـ 12 من شباط / فبراير أن 80 عائلة غادرت")
    assert m.text.startswith("اليوم") and m.text.endswith("فبراير")
    assert (m.role, m.first, m.weekday, m.relative, m.note) == ("point", PUB, 1, 0, "")


def test_point_near_misses_are_not_dates():
    for text in ("خرج 12 شخصاً من المخيم", "in 2,000 homes", "about 2000 people left",
                 "نحو 350 مدنياً", "the ratio is now 40 to 1", "aged between 26 and 35",
                 "May God help them", "مارس الجيش ضغطاً كبيراً", "اليوم التالي للهجوم",
                 "لليوم الثاني على التوالي", "since the escalation of hostilities"):
        _, found = mentions(text)
        assert found == [], (text, found)


def test_point_without_report_date_keeps_span_but_no_date():
    m = one("غادرت 40 عائلة في 19 يناير/ كانون الثاني الجاري", None)
    assert (m.role, m.first, m.last) == ("point", None, None)
    m = one("on 3 March 2019", None)          # a written year needs no report date
    assert m.first == d("2019-03-03")


# --- since -----------------------------------------------------------------------

@pytest.mark.parametrize("text,first", [
    ("since 1 December", "2018-12-01"),
    ("since December", "2018-12-01"),
    ("since the start of December", "2018-12-01"),
    ("منذ بداية ديسمبر/كانون الأول الماضي", "2018-12-01"),
    ("منذ مطلع العام الجاري", "2019-01-01"),
    ("since Wednesday", "2019-02-06"),
    ("منذ مساء الأربعاء", "2019-02-06"),
    ("since Tuesday", "2019-02-05"),         # the latest Tuesday *before* the report day
    ("منذ 9 من تشرين الأول", "2018-10-09"),
    ("منذ يوم أمس", "2019-02-11"),
    ("منذ 10 أيام", "2019-02-02"),
    ("from 4 January", "2019-01-04"),
])
def test_since(text, first):
    m = one(text)
    assert (m.role, m.first, m.last) == ("since", d(first), None), m


def test_since_without_a_fixed_start():
    assert one("منذ نحو أسبوعين").role == "since" and one("منذ نحو أسبوعين").first is None
    assert one("since mid-April").first is None
    assert one("منذ 2011").first is None      # GUIDE: a bare year gives null
    assert mentions("since the escalation began")[1] == []


# --- until -----------------------------------------------------------------------

def test_until():
    m = one("وحتى الـ 10 من شباط / فبراير الجاري")
    assert (m.role, m.first, m.last) == ("until", None, d("2019-02-10"))
    m = one("until 10 February")
    assert (m.role, m.last) == ("until", d("2019-02-10"))
    m = one("to 12 February 2020")
    assert (m.role, m.last) == ("until", d("2020-02-12"))
    m = one("حتى نهاية كانون الثاني")
    assert (m.role, m.last) == ("until", d("2019-01-31"))


def test_until_near_miss():
    assert mentions("حتى اللحظة لا يزال المدنيون ينزحون")[1] == []
    assert one("up to 70,000 Syrians by Monday").role == "point"     # "by" is weak


# --- range -----------------------------------------------------------------------

@pytest.mark.parametrize("text,first,last", [
    ("from 1 December 2019 to 12 February 2020", "2019-12-01", "2020-02-12"),
    ("from 1 December to 12 February", "2018-12-01", "2019-02-12"),   # the start takes the end's year
    ("between Tuesday and Wednesday", "2019-02-05", "2019-02-06"),
    ("بين الأحد والاثنين", "2019-02-10", "2019-02-11"),
    ("10-12 November", "2018-11-10", "2018-11-12"),
    ("November 10-12, 2012", "2012-11-10", "2012-11-12"),
    ("من 3 إلى 7 شباط", "2019-02-03", "2019-02-07"),
    ("من الأول من كانون الثاني حتى الخامس من شباط", "2019-01-01", "2019-02-05"),
])
def test_range(text, first, last):
    m = one(text)
    assert (m.role, m.first, m.last) == ("range", d(first), d(last)), m


def test_range_gives_year_to_its_start_without_report_date():
    _, found = mentions("killed since the 10th of November to 10 December 2018", None)
    assert [(m.role, m.first, m.last) for m in found] == [
        ("since", d("2018-11-10"), None), ("until", None, d("2018-12-10"))]


def test_range_near_miss_two_numbers():
    assert mentions("between 3 and 11 years old")[1][0].role == "duration"
    assert mentions("between 300 and 400 people")[1] == []


# --- window ----------------------------------------------------------------------

@pytest.mark.parametrize("text,first", [
    ("in the past week", "2019-02-05"),
    ("الأسبوع الماضي", "2019-02-05"),
    ("خلال الساعات الـ 24 الماضية", "2019-02-11"),
    ("over the past three weeks", "2019-01-22"),
    ("الأيام العشرة الفائتة", "2019-02-02"),
])
def test_window(text, first):
    m = one(text)
    assert (m.role, m.first, m.last) == ("window", d(first), PUB), m


def test_window_vague_has_no_bounds():
    for text in ("in the past few weeks", "الأسابيع الأخيرة", "في الأيام الماضية", "in recent days"):
        m = one(text)
        assert (m.role, m.first, m.last) == ("window", None, None), text


def test_window_of_stated_days():
    m = one("during the 48 hrs of 10-12 November, 2,340 crossed", date(2012, 11, 12))
    assert (m.role, m.first, m.last) == ("window", d("2012-11-10"), d("2012-11-12"))
    assert "48" in m.text and "10-12" in m.text


def test_window_near_miss_last_without_unit():
    assert mentions("the last 4 km of the pocket")[1] == []
    assert mentions("في آخر 4 كلم")[1] == []


# --- month and year --------------------------------------------------------------

def test_month():
    m = one("عادت 105 عائلات في نيسان")
    assert (m.role, m.first, m.last) == ("month", d("2018-04-01"), d("2018-04-30"))
    m = one("in January")
    assert (m.first, m.last) == (d("2019-01-01"), d("2019-01-31"))
    m = one("last December")
    assert (m.role, m.first) == ("month", d("2018-12-01"))
    m = one("في تشرين الأول/ أكتوبر الماضي", date(2019, 11, 5))
    assert m.first == d("2019-10-01")
    m = one("كانون الثاني/يناير 2017")
    assert (m.first, m.last) == (d("2017-01-01"), d("2017-01-31"))
    assert one("mid-April 2016").first is None
    assert one("الشهر الماضي").first == d("2019-01-01")


def test_month_near_miss():
    assert mentions("Jan Egeland said")[1] == []
    assert mentions("he may leave in March", None)[1][0].role == "month"


def test_year():
    m = one("repatriated 144 children in 2020")
    assert (m.role, m.first, m.last) == ("year", d("2020-01-01"), d("2020-12-31"))
    m = one("افتتح المخيم عام 2016")
    assert (m.role, m.first) == ("year", d("2016-01-01"))
    assert one("العام الماضي").first == d("2018-01-01")


def test_year_inside_date_is_one_span():
    m = one("الـ 19 من ديسمبر من العام 2018")
    assert m.first == d("2018-12-19") and m.text.endswith("2018")


def test_year_near_miss():
    assert mentions("in 2000 homes across the province")[1] == []
    assert mentions("وصل 2019 شخصاً")[1] == []


# --- duration --------------------------------------------------------------------

@pytest.mark.parametrize("text,needle", [
    ("استمر القصف 48 ساعة", "48 ساعة"),
    ("بعد شهر ونصف من المعارك", "شهر ونصف"),
    ("besieged for more than a week", "more than a week"),
    ("waited for years", "for years"),
    ("in four years only a few returned", "four years"),
    ("on the first two days of Eid", "first two days"),
    ("لم تكد الساعات الـ 48 تنقضي", "الساعات الـ 48"),
    ("published at 19:37", "19:37"),
    ("22-02-2019 10:55 PM", "10:55 PM"),
    ("الثلاثاء / 03 / رجب / 1439 هـ", "03 / رجب / 1439 هـ"),
    ("خلال الأيام الثلاثة الأولى", "الأيام الثلاثة الأولى"),
])
def test_duration_spans_cover_numbers(text, needle):
    assert covered(text, needle)
    _, found = mentions(text)
    assert any(m.role == "duration" and m.first is None for m in found)


def test_duration_near_miss():
    assert mentions("وصلت 48 عائلة")[1] == []
    assert not covered("WFP is providing over 12,000 meals a day", "12,000")


# --- weekdays ----------------------------------------------------------------------

def test_check_weekdays_today_mismatch():
    text = normalize("وقال المرصد مساء اليوم السبت إن 70 شخصاً خرجوا").text
    warnings = check_weekdays(text, PUB)
    assert len(warnings) == 1 and "Saturday" in warnings[0] and "Tuesday" in warnings[0]
    assert check_weekdays(normalize("وقال المرصد اليوم الثلاثاء").text, PUB) == []


def test_check_weekdays_consistent_date_is_quiet():
    assert check_weekdays(normalize("Monday, 4 March 2019").text, PUB) == []


def test_weekday_mismatch_without_explicit_year_is_kept():
    m = one("الجمعة 12 شباط")
    assert m.first == PUB and "kept" in m.note


# --- report date -------------------------------------------------------------------

@pytest.mark.parametrize("text,expected", [
    ("Agency notes, 17 August 2012\n\nThousands crossed on Tuesday.", "2012-08-17"),
    ("Daily report on the border, May 3-5, 2013\nfrom the team\nPublished on 5 May 2013 View Original\n",
     "2013-05-05"),
    ("عنوان الخبر\n22-02-2019 10:55 PM\nخرجت نحو 30 شاحنة", "2019-02-22"),
    ("الخميس ١٠ أكتوبر ٢٠١٩\n٠٧:٣١ بتوقيت غرينتش\nنزح الآلاف", "2019-10-10"),
    ("عنوان\nالثلاثاء 5 آذار, 2019   12:23\nدير الزور", "2019-03-05"),
    ("رئيس التحرير\n\nعنوان\n\n28-3-2019 | 19:37\n\nأفاد المرصد", "2019-03-28"),
    ("The Site\n2025-10-04:\nيواجه العراق أزمة", "2025-10-04"),
    ("Headline\n • Updated: 17-02-2020 21:57 IST\n", "2020-02-17"),
    ("Monday, 4 March 2019\nText.", "2019-03-04"),
    ("Headline\n\nThe agency said: \"Today, 3 July 2021, we handed over 20 children.\"", "2021-07-03"),
    ("اليوم الثلاثاء 12 شباط 2019 خرج 500 شخص", "2019-02-12"),
])
def test_detect_published_from_text(text, expected):
    rd = detect_published(normalize(text).text, None)
    assert (rd.published, rd.source) == (d(expected), "text"), rd


def test_detect_published_today_without_year_uses_years_in_text():
    text = normalize("قال المتحدث اليوم، الجمعة 25 من كانون الثاني، إن 15 كيلومتراً بقيت.\n"
                     "The caliphate is drawing its last breath — a spokesman on Twitter, January 24, 2019").text
    assert detect_published(text).published == d("2019-01-25")


@pytest.mark.parametrize("text", [
    "Headline\nA general view of the camp in Hasaka, Syria April 2, 2019. REUTERS/Photo\n",
    "Title\nIn this Feb. 16, 2019, file photo, fighters rest near the village.\n",
    "نازحون من مدينة الدرباسية بريف الحسكة - 21 تشرين الأول 2019\n",
    "The offensive began on 20 January 2018 and 5000 fled.\n",
    "Syria: 12,000 flee on 3 March 2019\n",
    "نزح اليوم (السبت) أكثر من 200 ألف\n",
])
def test_detect_published_is_conservative(text):
    rd = detect_published(normalize(text).text, None)
    assert (rd.published, rd.source) == (None, None), rd


def test_detect_published_option_and_filename():
    assert detect_published("x", "a-2019-02-12.txt", option=d("2020-01-01")) .source == "option"
    rd = detect_published("no date here", "reports/sohr-2019-02-12-departures.ar.txt")
    assert (rd.published, rd.source) == (PUB, "filename")
    rd = detect_published("Briefing Notes, 17 August 2012", "x-2012-08-18.txt")
    assert rd.published == d("2012-08-17") and rd.warnings


# --- properties --------------------------------------------------------------------

_pieces = st.sampled_from([
    "منذ", "حتى", "وحتى", "اليوم", "أمس", "الأول", "من", "شباط", "فبراير", "كانون الأول", "/",
    "الـ", "10", "2019", "48", "ساعة", "الأخيرة", "آخر", "السبت", "since", "until", "from", "to",
    "between", "and", "Tuesday", "February", "Feb.", "last", "the", "past", "weeks", "hours", "12",
    "-", ",", ":", "19:37", "هـ", "رجب", "1439", "mid-", "April", "in", "2,000", "شهر", "ونصف",
    "\n", "(", ")", "22-02-2019", "31", "0", "9999", "سنوات", "years", "منذ 9999 سنوات",
])


@settings(max_examples=300, deadline=None)
@given(st.lists(_pieces, max_size=25), st.text(max_size=40),
       st.one_of(st.none(), st.dates(min_value=date(1901, 1, 1), max_value=date(2099, 12, 31)), st.dates()))
def test_never_raises_and_spans_are_ordered(parts, noise, published):
    text = normalize(" ".join(parts) + noise).text
    found = find_dates(text, published)
    prev_end = 0
    for m in found:
        assert prev_end <= m.start < m.end <= len(text)
        assert text[m.start:m.end] == m.text
        if m.first and m.last:
            assert m.first <= m.last or m.role == "range"
        prev_end = m.end
    check_weekdays(text, published)
    detect_published(text, "x.txt")


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=200), st.one_of(st.none(), st.dates()))
def test_never_raises_on_any_text(text, published):
    found = find_dates(text, published)
    assert all(a.end <= b.start for a, b in zip(found, found[1:]))


# --- word lists as tries: the same matches as the flat alternation --------------------------

_ALT_WORDS = ["الماضي", "الماضية", "الجاري", "last", "last week", "the last", "past", "May", "ma", "m",
              "week", "weeks", "ساعة", "ساعات", "48 ساعة"]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(_ALT_WORDS), min_size=1, max_size=8),
       st.lists(st.sampled_from(_ALT_WORDS + [" ", "  ", "\n", "x", "LAST", "Week"]), max_size=10).map("".join),
       st.booleans())
def test_word_alternation_as_a_trie_matches_like_the_flat_one(words, text, case_sensitive):
    import re
    from tracker.dates import _alt
    forms = {w.strip() for w in words} | ({w.upper() for w in words} if case_sensitive else set())
    flat = "|".join(r"\s+".join(re.escape(p) for p in w.split()) for w in sorted(forms, key=len, reverse=True))
    flat = f"(?-i:{flat})" if case_sensitive else f"(?:{flat})"
    for tail in ("", r"\s+week", r"(?!\w)"):
        a, b = re.compile(_alt(words, case_sensitive) + tail, re.I), re.compile(flat + tail, re.I)
        assert [m.span() for m in a.finditer(text)] == [m.span() for m in b.finditer(text)]


@pytest.mark.parametrize("text", ["during the 48 hours of April 22-02", "خلال 48 ساعة من 22-02 نيسان"])
def test_a_window_whose_days_run_backwards_is_no_window(text):
    found = find_dates(normalize(text).text, date(2019, 5, 1))
    assert not [m for m in found if m.role == "window"]
    assert all(m.first <= m.last or m.role == "range" for m in found if m.first and m.last)
