"""Properties that hold for any text: extraction never raises, evidence quotes the text."""
from __future__ import annotations

from hypothesis import given, settings, strategies as st

from tracker import extract
from tracker.normalize import normalize

# Text built from the pieces reports are made of, so that rules actually fire.
PIECES = st.sampled_from([
    "خرج", "نحو", "أكثر من", "350", "٣٥٠", "ألف", "آلاف", "شخصاً", "عائلة", "من ضمنهم", "منذ",
    "الأول من ديسمبر", "خلال الـ 48 ساعة الأخيرة", "سيدتان", "كلم مربع", "،", ".", "\n",
    "about", "more than", "1,500", "people", "fled", "since", "including", "between", "and",
    "families", "km2", "-", "ـ", "ً", " ", "2019", "12k", "1,7 مليون", "half a square kilometre",
])
REPORTS = st.one_of(st.text(max_size=300), st.lists(PIECES, max_size=60).map(" ".join))


@settings(max_examples=300, deadline=None)
@given(REPORTS, st.sampled_from([None, "2019-02-12"]))
def test_extraction_never_raises_and_evidence_slices_text(text, published):
    doc = extract(text, published=published)
    ids = {fig["id"] for fig in doc["figures"]}
    for fig in doc["figures"]:
        ev = fig["evidence"]
        assert text[ev["start"]:ev["end"]] == ev["text"]
        assert fig["parent"] is None or (fig["parent"] in ids and fig["parent"] != fig["id"])


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_normalised_offsets_point_into_the_original(text):
    norm = normalize(text)
    assert len(norm.offsets) == len(norm.text)
    assert all(0 <= o < len(text) for o in norm.offsets)
    assert list(norm.offsets) == sorted(set(norm.offsets))


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab 1ـًٌ\u200b\ufeffخرجأ") + [chr(0x670), "é"]), max_size=40))
def test_dropped_characters_are_every_character_normalisation_removes(text):
    from tracker.normalize import _DROPPED, _dropped
    assert _dropped(text) == tuple(m.start() for m in _DROPPED.finditer(text))
    norm = normalize(text)
    assert len(norm.text) == len(text) - len(norm.dropped)


def test_dropped_in_arabic_and_english():
    norm = normalize("خــرج 30 شخصاً")
    assert norm.text == "خرج 30 شخصا" and norm.dropped == (1, 2, 13)
    assert normalize("30 people left").dropped == ()
    assert normalize("نزح 30 شخصا").dropped == ()
