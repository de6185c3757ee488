"""tracker.beside: two halves of a job, one in a forked process."""
from __future__ import annotations

import os

import pytest

from tracker.beside import beside, can_fork, forked, halves, keep


def test_halves_balance_the_costs_and_keep_the_given_order():
    assert halves({"a": 1, "b": 5, "c": 4, "d": 2}) == (["a", "b"], ["c", "d"])     # 6 and 6
    assert halves({"d": 2, "c": 4, "b": 5}) == (["b"], ["d", "c"])                  # given order kept
    assert halves({}) == ([], [])
    assert halves({"only": 3}) == (["only"], [])


def test_the_other_half_runs_in_another_process_and_both_results_come_back():
    here = os.getpid()
    got = beside(lambda: {"there": os.getpid()}, lambda: {"here": os.getpid()})
    assert got["here"] == here
    assert (got["there"] != here) == can_fork()
    assert list(got) == ["here", "there"]


def test_with_one_job_both_halves_run_here():
    got = beside(lambda: {"there": os.getpid()}, lambda: {"here": os.getpid()}, jobs=1)
    assert got == {"here": os.getpid(), "there": os.getpid()}


def test_an_error_in_the_forked_half_is_raised_here():
    def fails():
        raise ValueError("bad half")
    with pytest.raises(ValueError, match="bad half"):
        beside(fails, lambda: {})


def test_a_forked_job_runs_while_the_block_does_and_its_result_is_waited_for_when_asked(tmp_path):
    started = tmp_path / "started"

    def there():
        started.write_text(str(os.getpid()))
        return {"pid": os.getpid()}
    with forked(there) as result:
        if can_fork():
            import time
            for _ in range(200):                 # it runs before anyone asks for its result
                if started.exists():
                    break
                time.sleep(0.01)
            assert started.exists()
        got = result()
    assert (got["pid"] != os.getpid()) == can_fork()
    assert int(started.read_text()) == got["pid"]
    with forked(there, jobs=1) as result:
        assert result() == {"pid": os.getpid()}


needs_fork = pytest.mark.skipif(not can_fork(), reason="no fork here")


@needs_fork
def test_a_forked_job_can_send_a_message_early_and_go_on():
    rows = [(n, f"r{n % 7}", n * 1.5, None) for n in range(50_000)]     # more than a pipe holds

    def there(channel):
        channel.send(rows)
        return {"pid": os.getpid(), "after": sum(r[0] for r in rows)}
    with forked(there, talk=True) as (result, channel):
        assert channel.receive() == rows
        assert channel.receive() is None            # no more
        got = result()
    assert got["pid"] != os.getpid() and got["after"] == sum(range(50_000))


@needs_fork
def test_both_sides_send_messages_and_read_the_others():
    mine = [(n, n * 0.5) for n in range(100_000)]        # both far more than a pipe holds, sent at once

    def there(channel):
        theirs = [(n, -n) for n in range(100_000)]
        channel.send(theirs)
        got = channel.receive()
        return {"got": len(got), "first": got[1], "last": got[-1]}
    with forked(there, talk=True) as (result, channel):
        channel.send(mine)
        theirs = channel.receive()
        assert len(theirs) == 100_000 and theirs[5] == (5, -5)
        assert result() == {"got": 100_000, "first": (1, 0.5), "last": mine[-1]}


@needs_fork
def test_no_message_means_none_however_the_other_side_ends():
    def quiet(channel):
        return {"done": True}

    def fails(channel):
        raise ValueError("could not read")

    def twice(channel):
        channel.send([1])
        channel.send([2])

    def waits(channel):
        return {"heard": channel.receive()}
    with forked(quiet, talk=True) as (result, channel):
        assert channel.receive() is None and result() == {"done": True}
    with forked(fails, talk=True) as (result, channel):
        assert channel.receive() is None            # not waited for forever
        with pytest.raises(ValueError, match="could not read"):
            result()
    with forked(twice, talk=True) as (result, channel):
        assert channel.receive() == [1] and channel.receive() == [2]     # in order
        assert channel.receive() is None and result() is None
    with forked(waits, talk=True) as (result, channel):
        pass                                        # this side sends nothing: the copy hears None
    assert result() == {"heard": None}


def test_without_a_forked_copy_nothing_is_heard():
    sent = []

    def there(channel):
        channel.send("hello")
        sent.append(os.getpid())
        return {"pid": os.getpid(), "heard": channel.receive()}
    with forked(there, jobs=1, talk=True) as (result, channel):
        channel.send("hi")
        assert channel.receive() is None and not sent          # nothing runs before it is asked for
        assert result() == {"pid": os.getpid(), "heard": None} and sent == [os.getpid()]


@needs_fork
def test_leaving_the_block_without_reading_does_not_wait_for_ever():
    import signal

    def there(channel):
        channel.send(list(range(1_000_000)))    # far more than a pipe holds: the sender waits for a reader
        return {"done": True}

    def never_reads(channel):
        import time
        time.sleep(0.5)
        return {"done": True}

    def too_long(*_):
        raise TimeoutError("the block waited for the forked job for ever")
    old = signal.signal(signal.SIGALRM, too_long)
    signal.alarm(60)
    try:
        with pytest.raises(KeyError):
            with forked(there, talk=True) as (result, channel):
                raise KeyError("the reading here failed")
        with forked(never_reads, talk=True) as (result, channel):
            channel.send(list(range(1_000_000)))        # the copy ends without reading it
        assert result() == {"done": True}
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


@needs_fork
def test_ctrl_c_ends_the_forked_copy_without_a_traceback(capfd):
    import signal
    from concurrent.futures.process import BrokenProcessPool

    def interrupted():
        os.kill(os.getpid(), signal.SIGINT)     # as Ctrl-C does, to every process of the terminal's group
        return {"went on": True}
    with pytest.raises(BrokenProcessPool):
        with forked(interrupted) as result:
            result()
    assert "KeyboardInterrupt" not in capfd.readouterr().err


class _Made:
    """Something made in there(), to see whether it outlives there()."""


def _kept_alive() -> dict:
    import weakref

    made = _Made()
    keep(made)
    alive = weakref.ref(made)
    del made
    return {"kept": alive() is not None, "pid": os.getpid()}


@pytest.mark.skipif(not can_fork(), reason="needs fork")
def test_keep_holds_what_a_forked_copy_made_and_nothing_anywhere_else():
    with forked(_kept_alive) as result:
        there = result()
    assert there["pid"] != os.getpid() and there["kept"]       # freed only when the copy ends (os._exit)
    assert _kept_alive() == {"kept": False, "pid": os.getpid()}   # here: freed as usual, nothing held
