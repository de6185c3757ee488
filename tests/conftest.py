"""Fixtures shared by the test modules."""
from __future__ import annotations

import pytest

from tracker import store


@pytest.fixture
def db(tmp_path):
    """A new, migrated database in a temporary folder (modules that need a path instead
    define their own `db`)."""
    database = store.open_db(tmp_path / "t.db")
    yield database
    database.close()
