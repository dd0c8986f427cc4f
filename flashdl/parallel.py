"""Work over a large deck split across the machine's cores, results in order.

Parsing a deck's cards and rendering them for an export are seconds of pure Python at 20k cards,
one card independent of the next. ``in_order`` runs ``work(start, stop)`` over consecutive ranges;
when there is enough work and more than one core, the ranges go to forked worker processes, which
inherit what the work reads (the deck's bytes, its open cache file), so only the results are sent
back. The output is the same either way, and any failure of the pool (a worker that died, a
result that cannot be sent back) computes the range again here, where an error is raised as it
would be without workers.
"""

from __future__ import annotations

import gc
import os
import signal
from collections.abc import Callable, Iterator, Sequence
from typing import TypeVar

T = TypeVar("T")

CHUNK = 250  # items per range by default: small enough to keep both cores busy to the end
MIN_PARALLEL = 2000  # fewer items are done sooner here than a pool starts (about 50 ms)

_work: Callable[[int, int], Sequence] | None = None  # set before the workers fork


def cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def in_order(
    work: Callable[[int, int], Sequence[T]],
    count: int,
    *,
    chunk: int | None = None,
    workers: int | None = None,
) -> Iterator[T]:
    """Every result of ``work(start, stop)`` over ``range(count)`` cut in ``chunk``-sized ranges
    (default ``CHUNK``), in order; computed by up to ``workers`` (default: one per core) forked
    processes when ``parallel(count)``."""
    size = chunk or CHUNK
    ranges = [(start, min(start + size, count)) for start in range(0, count, size)]
    workers = min(workers or cores(), len(ranges))
    if workers < 2 or not parallel(count):
        for start, stop in ranges:
            yield from work(start, stop)
        return
    yield from _forked(work, ranges, workers)


def parallel(count: int) -> bool:
    """Whether ``in_order`` shares ``count`` items among workers: at least ``MIN_PARALLEL`` of
    them, two cores or more, processes that start by forking here (Linux; not macOS, where
    forking a process that has loaded system frameworks is unsafe), and no other thread (a fork
    copies only this one, and a lock another thread held would stay locked in the worker: the
    full-screen app's threads, say, when it reloads a deck after an edit)."""
    import threading

    return count >= MIN_PARALLEL and cores() >= 2 and _forks() and threading.active_count() == 1


def _forks() -> bool:
    import multiprocessing

    return multiprocessing.get_all_start_methods()[0] == "fork"


def _forked(
    work: Callable[[int, int], Sequence[T]], ranges: list[tuple[int, int]], workers: int
) -> Iterator[T]:
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    global _work
    _work = work
    pool = ProcessPoolExecutor(
        workers,
        mp_context=multiprocessing.get_context("fork"),
        initializer=_worker_started,
    )
    try:
        futures = [pool.submit(_run, start, stop) for start, stop in ranges]
        for future, (start, stop) in zip(futures, ranges, strict=True):
            try:
                results = future.result()
            except Exception:  # done again here, where an error is the usual one
                results = work(start, stop)
            yield from results
    finally:
        # Waits for the ranges being computed (a fraction of a second) and the workers' exit,
        # so that no thread of this pool is left when the next one forks.
        pool.shutdown(wait=True, cancel_futures=True)
        _work = None


def _worker_started() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # ^C is the parent's to handle
    # A worker lives for one ``in_order`` and makes no cyclic garbage worth collecting; the
    # collector would rescan every object inherited from the parent at each pass.
    gc.disable()


def _run(start: int, stop: int) -> Sequence:
    assert _work is not None, "in_order sets the work before the workers fork"
    return _work(start, stop)
