"""A chart of one category over time: what reports say was cumulated, what distinct batches add up to.

    >>> s = chart_series(db, since=date(2019, 3, 1), category="people")   # pure data, JSON-ready
    >>> draw(s, "departures.png", width=1200, height=700)                  # matplotlib (extra [chart])
    >>> print(text_chart(s))                                               # the same series as text

`chart_series` computes everything plotted, so tests compare it with `tracker totals
--by day`: its `days` are exactly the totals series by day (distinct batch sums per
start date, with their low-high intervals), and `running` is their running sum.
Reported cumulative figures are the stored cumulative figures of the category whose
as-of date (`end`) falls in [since, until], one series per start date, the same figure
told by several reports counted once. Windows ("1,000 in 48 hours") are spans.
Conflicts come from reconcile.

Everything drawn is in English (dates, numbers, legend); place names, which may be
Arabic, are not drawn, so no shaping is needed.
"""
from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from . import queries
from .display import QUALIFIER_SIGNS, number

if TYPE_CHECKING:  # sqlite_utils pulls in numpy: imported where a database is opened
    import sqlite_utils

DPI = 96            # at 96 dpi, width x height px in a PNG is width x height CSS px in an SVG
DEFAULT_SIZE = (1200, 700)


def _add(a, b):
    return None if a is None or b is None else a + b


def _in_range(day: str | None, since: date, until: date | None) -> bool:
    return bool(day) and day >= since.isoformat() and (until is None or day <= until.isoformat())


def chart_series(db: sqlite_utils.Database, since: date, until: date | None = None,
                 category: str = "people") -> dict:
    """Everything the chart draws, as plain data (ISO dates, numbers; None is unbounded)."""
    totals = queries.totals(db, since, until, [category], by="day", details=False)
    entry = next((e for e in totals["categories"] if e["category"] == category), {})
    days, running, low, high = [], 0, 0, 0
    for point in entry.get("series", []):
        running, low, high = running + point["value"], low + point["low"], _add(high, point["high"])
        days.append({"date": point["period"], "value": point["value"], "low": point["low"],
                     "high": point["high"], "batches": point["count"],
                     "running": running, "running_low": low, "running_high": high})
    cumulative: dict[tuple, dict] = {}
    windows: dict[tuple, dict] = {}
    for f in queries.figures(db, ("cumulative", "window"), [category], since, until):
        key = (f["start"], f["end"], f["value"], f["qualifier"], f["high"])
        lo, hi = queries.interval(f["qualifier"], f["value"], f["high"])
        if f["kind"] == "cumulative":
            if not _in_range(f["end"], since, until):
                continue
            point = cumulative.setdefault(key, {"date": f["end"], "start": f["start"], "value": f["value"],
                                                "qualifier": f["qualifier"], "low": lo, "high": hi,
                                                "reports": []})
        else:
            if not (f["start"] and f["end"]):
                continue
            point = windows.setdefault(key, {"start": f["start"], "end": f["end"], "value": f["value"],
                                             "qualifier": f["qualifier"], "low": lo, "high": hi,
                                             "reports": []})
        if f["report"] not in point["reports"]:
            point["reports"].append(f["report"])
    return {"category": category, "since": since.isoformat(), "until": until.isoformat() if until else None,
            "days": days,
            "cumulative": sorted(cumulative.values(), key=lambda p: (p["start"] or "", p["date"], p["value"])),
            "windows": sorted(windows.values(), key=lambda w: (w["start"], w["end"], w["value"])),
            "conflicts": conflicts(db, since, until, category)}


def conflicts(db: sqlite_utils.Database, since: date, until: date | None, category: str) -> list[dict]:
    """Reconcile's conflicts in the category as {"date", "value", "check", "message"}."""
    from .reconcile import reconcile

    out = []
    for check in reconcile(db, since=since, until=until, categories=[category])["checks"]:
        for f in check["findings"]:
            day = f.get("end") or f.get("start")
            if f["status"] == "conflict" and f.get("category") == category and day:
                out.append({"date": day, "value": _conflict_value(f.get("numbers") or {}),
                            "check": check["name"], "message": f["message"]})
    return sorted(out, key=lambda c: (c["date"], c["check"]))


def _conflict_value(numbers: dict):
    """Where to mark a conflict: the figure it ends on ("after"), else its own value, else
    the first number it names; None (marked on the axis) if it names none."""
    if isinstance(numbers.get("after"), dict):
        return numbers["after"].get("value")
    if isinstance(numbers.get("value"), (int, float)):
        return numbers["value"]
    return next((v["value"] for v in numbers.values() if isinstance(v, dict) and "value" in v), None)


# --- drawing -------------------------------------------------------------------------------------

def _d(day: str) -> date:
    return date.fromisoformat(day)


def _fmt(v) -> str:
    return number(v, "?", ",.1f")


def draw(series: dict, path: str | Path, width: int = DEFAULT_SIZE[0], height: int = DEFAULT_SIZE[1],
         fmt: str | None = None) -> Path:
    """Draw `series` to a PNG or SVG (by `fmt`, else the file suffix) of width x height pixels."""
    try:
        from matplotlib.dates import AutoDateLocator, ConciseDateFormatter
        from matplotlib.figure import Figure
        from matplotlib.ticker import FuncFormatter
    except ImportError:
        raise ImportError("drawing a chart needs matplotlib: pip install 'tracker[chart]'") from None
    path = Path(path)
    fmt = (fmt or path.suffix.lstrip(".") or "png").lower()
    if fmt not in ("png", "svg"):
        raise ValueError(f"{path}: the chart is written as .png or .svg, not .{fmt}")
    fig = Figure(figsize=(width / DPI, height / DPI), dpi=DPI)
    ax = fig.add_subplot()
    days = series["days"]
    if days:
        x = [_d(d["date"]) for d in days]
        ax.step(x, [d["running"] for d in days], where="post", color="tab:blue", linewidth=2,
                label="distinct batches, running sum")
        bounded = [d["running_high"] is not None for d in days]
        ax.fill_between(x, [d["running_low"] for d in days],
                        [d["running_high"] if d["running_high"] is not None else d["running"] for d in days],
                        step="post", color="tab:blue", alpha=0.15, linewidth=0,
                        label="running sum, qualifier interval" + ("" if all(bounded) else " (no upper bound: ▲)"))
        open_ended = [(xi, d["running"]) for xi, d, ok in zip(x, days, bounded) if not ok]
        if open_ended:
            ax.scatter(*zip(*open_ended), marker="^", color="tab:blue", s=18, zorder=3)
    colours = ["tab:green", "tab:purple", "tab:brown", "tab:olive", "tab:cyan"]
    by_start: dict[str, list] = {}
    for p in series["cumulative"]:
        by_start.setdefault(p["start"] or "?", []).append(p)
    for i, (start, points) in enumerate(sorted(by_start.items())):
        colour = colours[i % len(colours)]
        x = [_d(p["date"]) for p in points]
        y = [p["value"] for p in points]
        lower = [p["value"] - p["low"] for p in points]
        upper = [(p["high"] - p["value"]) if p["high"] is not None else 0 for p in points]
        ax.errorbar(x, y, yerr=[lower, upper], fmt="o", color=colour, capsize=4, markersize=5,
                    label=f"reported cumulative, counted from {start}")
        open_ended = [(xi, p["value"]) for xi, p in zip(x, points) if p["high"] is None]
        if open_ended:
            ax.scatter(*zip(*open_ended), marker="^", color=colour, s=40, zorder=3)
    for i, w in enumerate(series["windows"]):
        ax.axvspan(_d(w["start"]), _d(w["end"]) + timedelta(days=1), color="tab:orange", alpha=0.12,
                   label="window: figure over a period (not a batch)" if i == 0 else None)
        ax.annotate(f"{_qualified(w)} in {(_d(w['end']) - _d(w['start'])).days + 1} days",
                    xy=(_d(w["start"]), 1), xycoords=("data", "axes fraction"), xytext=(3, -12),
                    textcoords="offset points", fontsize=8, color="tab:orange")
    if series["conflicts"]:
        ax.scatter([_d(c["date"]) for c in series["conflicts"]],
                   [c["value"] if c["value"] is not None else 0 for c in series["conflicts"]],
                   marker="X", color="tab:red", s=70, zorder=4, label="reconcile conflict")
    until = f" to {series['until']}" if series["until"] else ""
    ax.set_title(f"{series['category']}: departures since {series['since']}{until}")
    ax.set_ylabel(series["category"])
    locator = AutoDateLocator()
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(ConciseDateFormatter(locator))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}"))
    ax.set_ylim(bottom=0)
    ax.grid(True, alpha=0.3)
    if ax.get_legend_handles_labels()[0]:
        ax.legend(loc="best", fontsize=9, framealpha=0.85)
    else:
        ax.text(0.5, 0.5, "nothing stored for this period", transform=ax.transAxes, ha="center")
    fig.tight_layout()
    fig.savefig(path, format=fmt, dpi=DPI, metadata={"Software": None} if fmt == "png" else {"Date": None})
    return path


# --- the same series as text ----------------------------------------------------------------------

def text_chart(series: dict, bar_width: int = 40) -> str:
    """The chart as plain text, one line per date that has something to show."""
    days = {d["date"]: d for d in series["days"]}
    cumulative: dict[str, list] = {}
    for p in series["cumulative"]:
        cumulative.setdefault(p["date"], []).append(p)
    conflicts: dict[str, list] = {}
    for c in series["conflicts"]:
        conflicts.setdefault(c["date"], []).append(c)
    dates = sorted(set(days) | set(cumulative) | set(conflicts)
                   | {w["start"] for w in series["windows"]} | {w["end"] for w in series["windows"]})
    until = f" to {series['until']}" if series["until"] else ""
    title = f"{series['category']}: departures since {series['since']}{until}"
    if not dates:
        return f"{title}\nnothing stored for this period"
    top = max((d["running"] for d in series["days"]), default=0) or 1
    rows = []
    running = None
    for day in dates:
        if day in days:
            running = days[day]
        bar, figure = "", ""
        if running is not None:
            bar = "█" * max(1, round(running["running"] * bar_width / top)) if running["running"] else ""
            figure = _fmt(running["running"])
            if (running["running_low"], running["running_high"]) != (running["running"], running["running"]):
                hi = "+" if running["running_high"] is None else f"–{_fmt(running['running_high'])}"
                figure += f" ({_fmt(running['running_low'])}{hi})"
            if day not in days:
                bar = "·" * len(bar)           # no new batch that day: the sum carried over
        cum = "; ".join(f"{_qualified(p)} from {p['start']}" for p in cumulative.get(day, []))
        win = "; ".join(f"▒ {_qualified(w)} {w['start']}..{w['end']}" for w in series["windows"]
                        if w["start"] <= day <= w["end"])
        mark = " ".join(f"! conflict ({c['check']}): {c['message']}" for c in conflicts.get(day, []))
        rows.append((day, bar, figure, cum, f"{win} {mark}".strip()))
    fig_w = max(len(r[2]) for r in rows)
    cum_w = max([len("reported cumulative")] + [len(r[3]) for r in rows])
    lines = [title, f"{'date':<10}  {'distinct batches, running sum':<{bar_width + 1 + fig_w}}  "
                    f"{'reported cumulative':<{cum_w}}  windows"]
    for day, bar, figure, cum, rest in rows:
        lines.append(f"{day:<10}  {bar:<{bar_width}} {figure:>{fig_w}}  {cum:<{cum_w}}  {rest}".rstrip())
    lines.append(f"█ = {_fmt(round(top / bar_width, 1))} {series['category']}; intervals from the qualifiers "
                 "(+ = no upper bound); ▒ window")
    return "\n".join(lines)


def _qualified(p: dict) -> str:
    if p["qualifier"] == "range" and p["high"] is not None:
        return f"{_fmt(p['value'])}–{_fmt(p['high'])}"
    return QUALIFIER_SIGNS.get(p["qualifier"], "") + _fmt(p["value"])
