"""How numbers and qualifiers are written for people: one way for tables, reconcile's
findings and charts, so that "~1,500" reads the same everywhere."""
from __future__ import annotations

QUALIFIER_SIGNS = {"exact": "", "approx": "~", "more_than": ">", "at_least": ">=",
                   "less_than": "<", "at_most": "<=", "range": ""}


def number(v, missing: str = "", decimals: str = "g") -> str:
    """38,550 for whole numbers (integral floats included); other floats with `decimals`,
    a format spec; `missing` for None."""
    if v is None:
        return missing
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return f"{v:,}" if isinstance(v, int) else format(v, decimals)


def stated(qualifier: str | None, value, high=None, missing: str = "", decimals: str = "g") -> str:
    """A value as the report states it: "~1,500", ">=30", "8,000-9,000"."""
    s = QUALIFIER_SIGNS.get(qualifier, "") + number(value, missing, decimals)
    if qualifier == "range" and high is not None:
        s += "-" + number(high, missing, decimals)
    return s
