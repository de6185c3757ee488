"""Two halves of an in-memory job side by side: one here, one in a forked copy of this process.

    >>> merged = beside(lambda: {"b": work_on(b)}, lambda: {"a": work_on(a)})

`reconcile` holds a million figures and events as Python objects; a worker pool would have
to pickle them all to each worker, which costs more than the work. A fork shares them as
they are (copy on write), and only the forked half's result, a small dict, comes back
pickled. Where fork is not available (not Linux), or `jobs` is 1, both halves run here,
one after the other, with the same result.
"""
from __future__ import annotations

import marshal
import os
import sys
import threading
from contextlib import contextmanager
from typing import Callable, Iterator

_THERE: Callable[..., dict] | None = None     # what the forked copy runs (inherited, not pickled)
_PIPE: "_Pipe | None" = None                  # for its early message, if any
_IN_COPY = False                              # True in the forked copy
_KEPT: list = []                              # (in the forked copy) what `keep` was given


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
def forked(there: Callable[..., dict], jobs: int = 2, early: bool = False) -> Iterator:
    """there() started in a forked copy of this process; the block gets a function that
    waits for its dict. Without fork, or with `jobs` 1, that function runs there() here.

    With `early`, there(send) gets a function that sends one message (made of tuples, lists,
    numbers and strings: it goes in marshal's format, the quickest to read back) from a
    thread, so there() goes on meanwhile; the block gets (result, early), and early() waits
    for that message: None if there() ended (or failed) without sending it, or if no copy
    was forked."""
    if jobs < 2 or not can_fork():
        yield ((lambda: there(_nowhere)), lambda: None) if early else there
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    global _THERE, _PIPE
    _THERE, _PIPE = there, (_Pipe() if early else None)
    pipe = _PIPE
    try:
        with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork"),
                                 initializer=_in_copy) as pool:
            future = pool.submit(_run_there)      # the fork happens here, with _THERE set
            if pipe is None:
                yield future.result
            else:
                pipe.close_write()                # (the copy holds the only writing end: its end is the end)
                try:
                    yield future.result, pipe.receive
                finally:                          # (before the pool waits for the copy: were it still
                    pipe.close_read()             # sending, it would wait for a reader forever)
    finally:
        _THERE = _PIPE = None
        if pipe is not None:
            pipe.close_write()


class _Pipe:
    """A pipe for one marshalled message, each end closed once (a number closed twice
    could by then be another file's)."""

    def __init__(self):
        self.read, self.write = os.pipe()

    def close_read(self) -> None:
        if self.read is not None:
            os.close(self.read)
            self.read = None

    def close_write(self) -> None:
        if self.write is not None:
            os.close(self.write)
            self.write = None

    def send(self, message) -> None:
        """Write the message and close the writing end."""
        fd, self.write = self.write, None
        try:
            with open(fd, "wb") as out:
                out.write(marshal.dumps(message))
        except OSError:         # (the reader has gone)
            pass

    def receive(self):
        """The message, or None (none was sent, or the sender stopped part way)."""
        if self.read is None:
            return None
        fd, self.read = self.read, None
        with open(fd, "rb") as source:
            data = source.read()
        try:
            return marshal.loads(data) if data else None
        except (EOFError, ValueError, TypeError):
            return None


def keep(*objects) -> None:
    """In a forked copy, hold `objects` until the copy ends; it ends without freeing them
    (os._exit), where freeing a million figures and events one by one, when there() returns,
    takes half a second before its result is sent. Anywhere else, nothing."""
    if _IN_COPY:
        _KEPT.extend(objects)


def _nowhere(message) -> None:
    """`send` where nothing was forked: there() runs when its result is asked for, too late
    for an early message."""


def _in_copy() -> None:
    """(In the forked copy, first.) Ctrl-C reaches every process of the terminal's group:
    this one ends at once and without a traceback; the one that forked it reports it."""
    import signal

    global _IN_COPY
    _IN_COPY = True
    signal.signal(signal.SIGINT, lambda *_: os._exit(130))


def _run_there() -> dict:
    """(In the forked copy.) there(), with a `send` function if a pipe was made; the pipe's
    writing end is closed however there() ends, so the reader never waits for nothing."""
    pipe = _PIPE
    if pipe is None:
        return _THERE()
    pipe.close_read()
    sender: list[threading.Thread] = []

    def send(message) -> None:
        if sender or pipe.write is None:
            raise RuntimeError("send is called once")
        sender.append(threading.Thread(target=pipe.send, args=(message,)))
        sender[0].start()
    try:
        return _THERE(send)
    finally:
        if sender:
            sender[0].join()
        else:
            pipe.close_write()


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
