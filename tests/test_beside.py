"""tracker.beside: two halves of a job, one in a forked process."""
from __future__ import annotations

import os

import pytest

from tracker.beside import beside, can_fork, forked, halves


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
