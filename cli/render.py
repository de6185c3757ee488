"""Rich tables for people; report text always printed as text, never as markup.

Every cell and title is a `rich.text.Text` (so `[bold red]` stays as written) built with
`safe()`, which also writes control characters as escapes (`\\x1b`), so that an ANSI
sequence inside a report or a file name cannot act on the terminal.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from tracker.display import stated
from tracker.reader import visible

if TYPE_CHECKING:   # rich is imported where output is drawn: it costs 60 ms of every start, --help too
    from rich.console import Console
    from rich.text import Text


def safe(value, style: str = "") -> Text:
    """Any value as plain text for rich: no markup, control characters escaped."""
    from rich.text import Text
    return Text(visible("" if value is None else str(value)), style=style)


def format_value(fig: dict) -> str:
    return stated(fig.get("qualifier"), fig["value"], fig.get("high"))


def format_period(fig: dict) -> str:
    start, end = fig.get("start"), fig.get("end")
    if start and end and start == end:
        return start
    if start or end:
        return f"{start or '?'} .. {end or '?'}"
    return ""


def print_extraction(doc: dict, text: str, console: Console | None = None) -> None:
    from rich.console import Console
    from rich.table import Table
    console = console or Console()
    rep = doc["report"]
    title = safe(f"{rep.get('path')}  ")
    title.append(f"published {rep.get('published') or '?'} ({rep.get('published_from') or 'unknown'}), "
                 f"{rep.get('language')}, {len(doc['figures'])} figures")
    table = Table(title=title, show_lines=False)
    for col in ("id", "kind", "category", "value", "period", "parent", "evidence"):
        table.add_column(col, overflow="fold")
    for fig in doc["figures"]:
        table.add_row(safe(fig["id"]), safe(fig["kind"]), safe(fig["category"]), safe(format_value(fig)),
                      safe(format_period(fig)), safe(fig.get("parent")), safe(fig["evidence"]["text"]))
    console.print(table)
    for w in doc.get("warnings", []):
        console.print(safe("warning: " + w, style="yellow"))
