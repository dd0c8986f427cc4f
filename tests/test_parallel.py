"""``in_order``: ranges of work computed in forked workers, results in order; a failing worker
changes nothing, and no worker is forked beside another thread."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from flashdl import parallel

forking = pytest.mark.skipif(
    not parallel.parallel(parallel.MIN_PARALLEL), reason="needs two cores, fork and one thread"
)


@pytest.fixture
def always_parallel(monkeypatch):
    monkeypatch.setattr(parallel, "MIN_PARALLEL", 0)
    monkeypatch.setattr(parallel, "CHUNK", 7)


def _pids(start: int, stop: int) -> list[tuple[int, int]]:
    return [(i, os.getpid()) for i in range(start, stop)]


@forking
def test_the_ranges_are_computed_by_workers_and_come_back_in_order(always_parallel):
    results = list(parallel.in_order(_pids, 100))
    assert [i for i, _ in results] == list(range(100))
    assert os.getpid() not in {pid for _, pid in results}


def test_small_work_stays_in_this_process():
    results = list(parallel.in_order(_pids, 50))
    assert results == [(i, os.getpid()) for i in range(50)]


@forking
def test_a_range_a_worker_fails_on_is_computed_here(always_parallel):
    parent = os.getpid()

    def work(start: int, stop: int) -> list[int]:
        if os.getpid() != parent and start % 2:
            os._exit(1) if start == 7 else None  # a worker dies: the pool breaks
            raise RuntimeError("worker only")
        return list(range(start, stop))

    assert list(parallel.in_order(work, 60)) == list(range(60))


@forking
def test_an_error_is_raised_here_as_without_workers(always_parallel):
    def work(start: int, stop: int) -> list[int]:
        if start >= 21:
            raise LookupError(f"card {start}")
        return list(range(start, stop))

    with pytest.raises(LookupError, match="card 21"):
        list(parallel.in_order(work, 60))


@forking
def test_no_thread_of_the_pool_is_left_behind(always_parallel):
    """The next ``in_order`` forks again only from a process with one thread."""
    import threading

    for _ in range(2):
        assert list(parallel.in_order(_pids, 30))[-1][0] == 29
        assert threading.active_count() == 1
    stopped = parallel.in_order(_pids, 300)
    next(stopped)
    stopped.close()  # a caller that stops early (a range with a problem)
    assert threading.active_count() == 1 and parallel.parallel(10)


def test_workers_are_not_forked_beside_another_thread(monkeypatch):
    import threading

    monkeypatch.setattr(parallel, "MIN_PARALLEL", 0)
    monkeypatch.setattr(parallel, "cores", lambda: 2)
    release = threading.Event()
    other = threading.Thread(target=release.wait)
    other.start()
    try:
        assert not parallel.parallel(10)
        assert {pid for _, pid in parallel.in_order(_pids, 40)} == {os.getpid()}
    finally:
        release.set()
        other.join()


STOPPED = """
import os, signal, sys, time
from pathlib import Path
from flashdl import parallel

parallel.MIN_PARALLEL = 0
folder = Path(sys.argv[1])

def work(start, stop):
    (folder / str(os.getpid())).touch()
    time.sleep(0.02)
    return list(range(start, stop))

results = parallel.in_order(work, 100_000, chunk=5)
try:
    for item in results:
        if item == 200:
            os.kill(os.getpid(), signal.SIGINT)  # ^C, outside the generator's own code
except KeyboardInterrupt:
    print("interrupted", flush=True)
    raise SystemExit(130) from None  # the generator is still referenced, never closed
"""


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    return "\nState:\tZ" not in state


@forking
def test_an_interrupted_run_exits_at_once_and_leaves_no_worker(tmp_path):
    import subprocess
    import sys
    import time

    done = subprocess.run(
        [sys.executable, "-c", STOPPED, str(tmp_path)], capture_output=True, text=True, timeout=60
    )
    assert (done.returncode, done.stdout.strip(), done.stderr) == (130, "interrupted", "")
    workers = [int(p.name) for p in tmp_path.iterdir()]
    assert workers and done.returncode
    deadline = time.monotonic() + 10
    while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(_alive(pid) for pid in workers)


def test_shares_by_cost_are_even_and_each_in_order():
    costs = [9, 1, 1, 1, 5, 4, 3, 3]
    shares = parallel._shares(len(costs), 2, costs)
    assert sorted(i for share in shares for i in share) == list(range(len(costs)))
    assert all(share == sorted(share) for share in shares)
    assert sorted(sum(costs[i] for i in share) for share in shares) == [13, 14]
    assert parallel._shares(5, 2, None) == [[0, 2, 4], [1, 3]]  # in turn without costs


@forking
def test_a_worker_is_read_while_another_is_still_at_work(always_parallel, tmp_path):
    """Results are read as they come: a worker with large results (more than a pipe holds)
    ends without waiting for the slow first range of another."""
    import time

    def work(start: int, stop: int) -> list[bytes]:
        if start == 0:
            time.sleep(1.0)
        (tmp_path / str(start)).write_text(str(time.monotonic()))
        return [bytes([start]) * 1_000_000]

    results = list(parallel.in_order(work, 4, chunk=1, costs=[10, 1, 1, 1]))
    assert [r[0] for r in results] == [0, 1, 2, 3] and all(len(r) == 1_000_000 for r in results)
    ended = {int(p.name): float(p.read_text()) for p in tmp_path.iterdir()}
    assert max(ended[1], ended[2], ended[3]) < ended[0] - 0.5


@forking
def test_workers_that_die_in_the_middle_of_a_message_leave_their_ranges_here(
    always_parallel, monkeypatch
):
    def broken(work, ranges, fd):
        os.write(fd, (100).to_bytes(8, "little") + b"0123456789")  # 10 of 100 bytes
        os._exit(3)

    monkeypatch.setattr(parallel, "_serve", broken)
    assert list(parallel.in_order(_pids, 40, chunk=1, costs=[1] * 40)) == [
        (i, os.getpid()) for i in range(40)
    ]
