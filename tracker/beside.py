"""Two halves of an in-memory job side by side: one here, one in a forked copy of this process.

    >>> merged = beside(lambda: {"b": work_on(b)}, lambda: {"a": work_on(a)})

`reconcile` holds a million figures and events as Python objects; a worker pool would have
to pickle them all to each worker, which costs more than the work. A fork shares them as
they are (copy on write), and only the forked half's result, a small dict, comes back
pickled. Where fork is not available (not Linux), or `jobs` is 1, both halves run here,
one after the other, with the same result.
"""
from __future__ import annotations

import os
import sys
from contextlib import contextmanager
from typing import Callable, Iterator

_THERE: Callable[[], dict] | None = None      # what the forked copy runs (inherited, not pickled)


def default_jobs() -> int:
    """The cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:           # not on Linux
        return os.cpu_count() or 1


def can_fork() -> bool:
    import multiprocessing          # here, not at the top: it would slow every command's start

    return sys.platform == "linux" and "fork" in multiprocessing.get_all_start_methods()


def beside(there: Callable[[], dict], here: Callable[[], dict], jobs: int = 2) -> dict:
    """here() in this process while a forked copy runs there(); their dicts merged (here's
    keys first). An error in either is raised here."""
    with forked(there, jobs) as result:
        out = here()
        out.update(result())
    return out


@contextmanager
def forked(there: Callable[[], dict], jobs: int = 2) -> Iterator[Callable[[], dict]]:
    """there() started in a forked copy of this process; the block gets a function that
    waits for its dict. Without fork, or with `jobs` 1, that function runs there() here."""
    if jobs < 2 or not can_fork():
        yield there
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    global _THERE
    _THERE = there
    try:
        with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork")) as pool:
            future = pool.submit(_run_there)      # the fork happens here, with _THERE set
            yield future.result
    finally:
        _THERE = None


def _run_there() -> dict:
    return _THERE()


def halves(costs: dict) -> tuple[list, list]:
    """Split named parts into two lists of about equal total cost (largest first, each to
    the lighter list); each list keeps the names in their given order."""
    left: list = []
    right: list = []
    weight = [0.0, 0.0]
    for name in sorted(costs, key=lambda n: -costs[n]):
        side = 0 if weight[0] <= weight[1] else 1
        (left, right)[side].append(name)
        weight[side] += costs[name]
    order = {name: i for i, name in enumerate(costs)}
    return sorted(left, key=order.get), sorted(right, key=order.get)
