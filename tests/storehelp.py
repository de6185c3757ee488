"""Documents for the store tests, built by hand (they do not depend on the extractor).

`series_docs()`: the invented report series in fixtures/series, annotated in
annotations.json. `seed_doc()`: the sample report's gold annotation as a document.
"""
from __future__ import annotations

import json
from pathlib import Path

from tracker.reader import text_sha256

FIXTURES = Path(__file__).parent / "fixtures"
SERIES = FIXTURES / "series"
ROOT = Path(__file__).parent.parent
SEED = ROOT / "data" / "sohr-2019-02-12-departures.ar.txt"
SEED_GOLD = FIXTURES / "sohr-2019-02-12-departures.ar.gold.json"


def make_doc(text: str, path: str, published: str | None, language: str, publisher: str | None,
             figures: list[dict], warnings: list[str] = ()) -> dict:
    """A document shaped like tracker.extract()'s; a figure's 'evidence' may be the quoted words."""
    out = []
    for i, fig in enumerate(figures):
        fig = {k: v for k, v in fig.items() if k not in ("alt", "note")}
        words = fig.pop("evidence", None)
        start = text.find(words) if words else -1
        assert words is None or start >= 0, f"{path}: evidence {words!r} not in the text"
        fig["evidence"] = ({"text": words, "start": start, "end": start + len(words)} if words
                           else {"text": "", "start": None, "end": None})
        out.append({"id": i, "high": None, "parent": None, "origin": None, "destination": None, **fig})
    return {"report": {"path": path, "sha256": text_sha256(text), "published": published,
                       "published_from": "text", "language": language, "publisher": publisher},
            "figures": out, "warnings": list(warnings)}


def annotated_docs(folder: Path) -> list[tuple[dict, str]]:
    """(document, text) for each report of a folder annotated by hand in its
    annotations.json, in date order."""
    notes = json.loads((folder / "annotations.json").read_text(encoding="utf-8"))["reports"]
    docs = []
    for name, note in sorted(notes.items()):
        text = (folder / name).read_text(encoding="utf-8")
        docs.append((make_doc(text, name, note["published"], note["language"], note["publisher"],
                              note["figures"], note.get("warnings", [])), text))
    return docs


def series_docs() -> list[tuple[dict, str]]:
    """(document, text) for each report of the series, in date order."""
    return annotated_docs(SERIES)


def seed_doc() -> tuple[dict, str]:
    gold = json.loads(SEED_GOLD.read_text(encoding="utf-8"))
    text = SEED.read_text(encoding="utf-8")
    return make_doc(text, gold["report"], gold["published"], gold["language"], gold["publisher"],
                    gold["figures"]), text


def seed_stored_at(path: Path, upto: str):
    """A database written by an older tracker (migrations up to `upto`) holding the seed
    report, then opened by this one (which upgrades it)."""
    from tracker import store

    old = store.open_db(path, upto=upto)
    doc, text = seed_doc()
    store.save_document(old, doc, text)
    old.close()
    return store.open_db(path)


def write_jsonl(path: Path, docs: list[tuple[dict, str]]) -> Path:
    with open(path, "w", encoding="utf-8") as f:
        for doc, text in docs:
            f.write(json.dumps({**doc, "text": text}, ensure_ascii=False) + "\n")
    return path
