"""Rich tables for people; report text always printed as text, never as markup."""
from __future__ import annotations

from rich.console import Console
from rich.table import Table
from rich.text import Text

QUALIFIER_SIGNS = {"exact": "", "approx": "~", "more_than": ">", "at_least": ">=",
                   "less_than": "<", "at_most": "<=", "range": ""}


def format_value(fig: dict) -> str:
    v = fig["value"]
    s = f"{v:,}" if isinstance(v, int) else f"{v:g}"
    if fig.get("qualifier") == "range" and fig.get("high") is not None:
        s += f"-{fig['high']:,}"
    return QUALIFIER_SIGNS.get(fig.get("qualifier"), "") + s


def format_period(fig: dict) -> str:
    start, end = fig.get("start"), fig.get("end")
    if start and end and start == end:
        return start
    if start or end:
        return f"{start or '?'} .. {end or '?'}"
    return ""


def print_extraction(doc: dict, text: str, console: Console | None = None) -> None:
    console = console or Console()
    rep = doc["report"]
    title = Text(f"{rep.get('path')}  ")
    title.append(f"published {rep.get('published') or '?'} ({rep.get('published_from') or 'unknown'}), "
                 f"{rep.get('language')}, {len(doc['figures'])} figures")
    table = Table(title=title, show_lines=False)
    for col in ("id", "kind", "category", "value", "period", "parent", "evidence"):
        table.add_column(col, overflow="fold")
    for fig in doc["figures"]:
        table.add_row(str(fig["id"]), fig["kind"], fig["category"], format_value(fig),
                      format_period(fig), "" if fig.get("parent") is None else str(fig["parent"]),
                      Text(fig["evidence"]["text"]))
    console.print(table)
    for w in doc.get("warnings", []):
        console.print(Text("warning: " + w, style="yellow"))
