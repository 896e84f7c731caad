"""InOrder: the analysis's second thread keeps order, surfaces errors, and drains on close."""

from __future__ import annotations

import threading

import pytest

from stretchcheck.background import InOrder


def test_items_run_in_order_in_one_other_thread():
    seen, threads = [], set()

    def fn(i, square):
        seen.append((i, square))
        threads.add(threading.current_thread().name)

    with InOrder(fn, maxsize=2, name="worker") as work:
        for i in range(100):
            work.submit(i, i * i)
    assert seen == [(i, i * i) for i in range(100)]  # all done, in order, after close
    assert threads == {"worker"}


def test_an_error_in_the_worker_is_raised_once_in_the_caller():
    def fn(i):
        if i == 3:
            raise ValueError("frame 3 is bad")

    work = InOrder(fn)
    with pytest.raises(ValueError, match="frame 3"):
        for i in range(1000):  # some later submit reports it...
            work.submit(i)
        work.close()  # ...or close does
    work.close()  # reported once: closing again is quiet


def test_leaving_with_an_exception_runs_what_was_queued_and_keeps_that_exception():
    seen = []
    with pytest.raises(KeyboardInterrupt), InOrder(seen.append) as work:
        for i in range(5):
            work.submit(i)
        raise KeyboardInterrupt
    assert seen == [0, 1, 2, 3, 4]
