"""Language data files: words live in JSON under tracker/data/<domain>/<lang>.json.

Adding a language means adding those files (and their tests); the code that uses the
words is shared. Every string in a data file is folded with `normalize.fold` on load,
so data can be written in ordinary spelling (with hamza, diacritics, Eastern digits).
"""
from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources

from .normalize import fold

LANGUAGES = ("ar", "en")


def _fold_all(value):
    if isinstance(value, str):
        return fold(value)
    if isinstance(value, list):
        return [_fold_all(v) for v in value]
    if isinstance(value, dict):
        return {fold(k) if not k.startswith("_") else k: _fold_all(v) for k, v in value.items()}
    return value


@lru_cache(maxsize=None)
def load(domain: str, lang: str | None = None) -> dict:
    """The folded contents of data/<domain>/<lang>.json, or of data/<domain>.json for
    data shared by all languages, such as place names (cached)."""
    parts = ("data", domain, f"{lang}.json") if lang else ("data", f"{domain}.json")
    path = resources.files("tracker").joinpath(*parts)
    with path.open(encoding="utf-8") as fh:
        raw = json.load(fh)
    return _fold_all(raw)
