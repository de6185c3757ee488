"""tracker: displacement figures from narrative reports, stored and reconciled.

    >>> from tracker import extract
    >>> doc = extract(text, published="2019-02-12")
    >>> doc["figures"][0]["value"]
"""
__version__ = "0.1.0"

from .extract import extract  # noqa: E402
from .reader import ReadError, read_report  # noqa: E402

__all__ = ["extract", "read_report", "ReadError", "__version__"]
