"""The invented Wadi Sarh series (fixtures/reconcile) as hand-made documents: they do not
depend on the extractor. See the note in annotations.json for what is planted."""
from __future__ import annotations

from pathlib import Path

from storehelp import annotated_docs

RECONCILE = Path(__file__).parent / "fixtures" / "reconcile"


def reconcile_docs() -> list[tuple[dict, str]]:
    """(document, text) for each report of the series, in date order."""
    return annotated_docs(RECONCILE)
