"""The language data files: same sections in every language, labels the code knows, no typos."""
from __future__ import annotations

import json
import re
from importlib import resources

import pytest

from tracker.cues import Cues, cues
from tracker.lexicon import LANGUAGES, load

CATEGORIES = {"people", "civilians", "fighters", "families", "women", "children", "women_children"}
QUALIFIERS = {"exact", "approx", "more_than", "at_least", "less_than", "at_most", "range"}
ARABIC = re.compile(r"[\u0600-\u06FF]")


def raw(domain, lang):
    path = resources.files("tracker").joinpath("data", domain, f"{lang}.json")
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("domain", ["figures", "numbers", "dates"])
def test_every_language_has_the_same_sections(domain):
    sections = [{k for k in raw(domain, lang) if not k.startswith("_")} for lang in LANGUAGES]
    assert all(s == sections[0] for s in sections), [sorted(s ^ sections[0]) for s in sections]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_figure_labels_are_the_guides(lang):
    data = raw("figures", lang)
    assert set(data["categories"]) <= CATEGORIES
    assert set(data["duals"]) <= CATEGORIES
    assert set(data["qualifiers_before"]) <= QUALIFIERS
    assert set(data["qualifiers_after"]) <= QUALIFIERS


@pytest.mark.parametrize("lang", LANGUAGES)
def test_entries_are_words_of_their_language(lang):
    data = raw("figures", lang)

    def entries(value):
        if isinstance(value, str):
            yield value
        elif isinstance(value, list):
            for v in value:
                yield from entries(v)
        elif isinstance(value, dict):
            for k, v in value.items():
                if not k.startswith("_"):
                    yield from entries(v)

    for section, value in data.items():
        if section.startswith("_") or section == "publishers":
            continue
        for entry in entries(value):
            assert entry.strip() == entry and entry, f"{section}: {entry!r}"
            if lang == "ar":
                assert ARABIC.search(entry) or not re.search("[A-Za-z]", entry), f"{section}: {entry!r}"
            else:
                assert not ARABIC.search(entry), f"{section}: {entry!r}"


def test_every_cue_class_the_code_uses_is_in_the_data():
    for name in Cues.FLAT:
        assert any(name in load("figures", lang) or name.rstrip("s") in load("figures", lang)
                   for lang in LANGUAGES), name
    assert cues().movement.labels  # built, and not empty


def test_place_names_map_spellings_to_one_name():
    places = json.loads(resources.files("tracker").joinpath("data", "places.json").read_text("utf-8"))
    seen = {}
    for name, forms in places.items():
        if name.startswith("_"):
            continue
        for form in forms:
            assert seen.setdefault(form.lower(), name) == name, f"{form} names {seen[form.lower()]} and {name}"
