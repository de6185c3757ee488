"""Two halves of an in-memory job side by side: one here, one in a forked copy of this process.

    >>> merged = beside(lambda: {"b": work_on(b)}, lambda: {"a": work_on(a)})

`reconcile` holds a million figures and events as Python objects; a worker pool would have
to pickle them all to each worker, which costs more than the work. A fork shares them as
they are (copy on write), and only the forked half's result, a small dict, comes back
pickled; with `forked(talk=True)` the two sides can also send each other messages while
they work (`Channel`). Where fork is not available (not Linux), or `jobs` is 1, both halves run here,
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
_PIPES: "tuple[_Pipe, _Pipe] | None" = None  # (up to here, down to the copy), to talk
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
def forked(there: Callable[..., dict], jobs: int = 2, talk: bool = False) -> Iterator:
    """there() started in a forked copy of this process; the block gets a function that
    waits for its dict. Without fork, or with `jobs` 1, that function runs there() here.

    With `talk`, there(channel) is called, and the block gets (result, channel): each side
    sends the other messages and receives the other's (`Channel`). Without a forked copy,
    there() runs when its result is asked for, too late to talk: every receive() gives
    None."""
    if jobs < 2 or not can_fork():
        yield ((lambda: there(_NOWHERE)), _NOWHERE) if talk else there
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    global _THERE, _PIPES
    _THERE, _PIPES = there, ((_Pipe(), _Pipe()) if talk else None)
    pipes = _PIPES
    try:
        with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork"),
                                 initializer=_in_copy) as pool:
            future = pool.submit(_run_there)      # the fork happens here, with _THERE set
            if pipes is None:
                yield future.result
            else:
                up, down = pipes                  # (the copy holds the only other ends: its end is the end)
                up.close_write()
                down.close_read()
                channel = Channel(up, down)
                try:
                    yield future.result, channel
                finally:                          # (before the pool waits for the copy: were it still
                    channel.close()               # sending, it would wait for a reader forever)
    finally:
        _THERE = _PIPES = None
        for pipe in pipes or ():
            pipe.close_read()
            pipe.close_write()


class Channel:
    """Messages each way between a process and its forked copy, in the order they are sent.
    A message is made of tuples, lists, numbers and strings: it goes in marshal's format,
    the quickest to read back."""

    def __init__(self, incoming: "_Pipe | None", outgoing: "_Pipe | None"):
        self._in, self._out = incoming, outgoing
        self._sender: threading.Thread | None = None

    def send(self, message) -> None:
        """Send a message from a thread: the sender goes on meanwhile (after the message
        before it has gone: the other side reads them in order)."""
        if self._out is None:
            return
        if self._sender is not None:
            self._sender.join()
        self._sender = threading.Thread(target=self._out.send, args=(message,))
        self._sender.start()

    def receive(self):
        """Wait for the other side's next message: None if it ended (or failed) without
        sending one more."""
        return None if self._in is None else self._in.receive()

    def close(self) -> None:
        """Stop reading (what the other side still sends fails at once, so it never waits
        for a reader), finish sending (the other side reads it, or has ended), then close
        the sending end (the other side's receive() gives None, not a wait for ever)."""
        if self._in is not None:
            self._in.close_read()
        if self._sender is not None:
            self._sender.join()
        if self._out is not None:
            self._out.close_write()


class _Pipe:
    """A pipe for marshalled messages, each after its length; each end closed once (a
    number closed twice could by then be another file's)."""

    def __init__(self):
        read, write = os.pipe()
        self.reader, self.writer = open(read, "rb"), open(write, "wb")

    def close_read(self) -> None:
        if self.reader is not None:
            self.reader.close()
            self.reader = None

    def close_write(self) -> None:
        if self.writer is not None:
            try:
                self.writer.close()
            except OSError:         # (what was left to write has no reader)
                pass
            self.writer = None

    def send(self, message) -> None:
        data = marshal.dumps(message)
        try:
            self.writer.write(len(data).to_bytes(8, "little"))
            self.writer.write(data)
            self.writer.flush()
        except (OSError, ValueError, AttributeError):      # (the reader has gone, or this end is closed)
            pass

    def receive(self):
        """The next message, or None (no more was sent, or the sender stopped part way)."""
        if self.reader is None:
            return None
        head = self.reader.read(8)
        if len(head) < 8:
            return None
        size = int.from_bytes(head, "little")
        data = self.reader.read(size)
        if len(data) < size:
            return None
        try:
            return marshal.loads(data)
        except (EOFError, ValueError, TypeError):
            return None


def keep(*objects) -> None:
    """In a forked copy, hold `objects` until the copy ends; it ends without freeing them
    (os._exit), where freeing a million figures and events one by one, when there() returns,
    takes half a second before its result is sent. Anywhere else, nothing."""
    if _IN_COPY:
        _KEPT.extend(objects)


_NOWHERE = Channel(None, None)     # where no copy was forked: nothing to talk to


def _in_copy() -> None:
    """(In the forked copy, first.) Ctrl-C reaches every process of the terminal's group:
    this one ends at once and without a traceback; the one that forked it reports it."""
    import signal

    global _IN_COPY
    _IN_COPY = True
    signal.signal(signal.SIGINT, lambda *_: os._exit(130))


def _run_there() -> dict:
    """(In the forked copy.) there(), with a channel if pipes were made; the channel is
    closed however there() ends, so the other side never waits for nothing."""
    if _PIPES is None:
        return _THERE()
    up, down = _PIPES
    up.close_read()
    down.close_write()
    channel = Channel(down, up)
    try:
        return _THERE(channel)
    finally:
        channel.close()


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
