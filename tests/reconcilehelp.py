"""The invented Wadi Sarh series (fixtures/reconcile) as hand-made documents: they do not
depend on the extractor. See the note in annotations.json for what is planted."""
from __future__ import annotations

import json
from pathlib import Path

from storehelp import make_doc

RECONCILE = Path(__file__).parent / "fixtures" / "reconcile"


def reconcile_docs() -> list[tuple[dict, str]]:
    """(document, text) for each report of the series, in date order."""
    notes = json.loads((RECONCILE / "annotations.json").read_text(encoding="utf-8"))["reports"]
    docs = []
    for name, note in sorted(notes.items()):
        text = (RECONCILE / name).read_text(encoding="utf-8")
        docs.append((make_doc(text, name, note["published"], note["language"], note["publisher"],
                              note["figures"], note.get("warnings", [])), text))
    return docs
