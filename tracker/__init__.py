"""tracker: displacement figures from narrative reports, stored and reconciled.

    >>> from tracker import extract, read_report
    >>> doc = extract(read_report("report.txt").text, published="2019-02-12")
    >>> doc["figures"][0]["value"]

The names below are imported on first use, so that `tracker --help` and the commands
that only query a database do not load the extractor.
"""
__version__ = "0.1.0"

__all__ = ["extract", "read_report", "ReadError", "__version__"]

_LAZY = {"extract": ("extraction", "extract"), "read_report": ("reader", "read_report"),
         "ReadError": ("reader", "ReadError")}


def __getattr__(name):
    if name in _LAZY:
        import importlib

        module, attr = _LAZY[name]
        return getattr(importlib.import_module(f".{module}", __name__), attr)
    raise AttributeError(f"module 'tracker' has no attribute {name!r}")
