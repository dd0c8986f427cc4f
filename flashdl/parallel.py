"""Work over a large deck split across the machine's cores, results in order.

Parsing a deck's cards and rendering them for an export are seconds of pure Python at 20k cards,
one card independent of the next. ``in_order`` runs ``work(start, stop)`` over consecutive ranges;
when there is enough work and more than one core, the ranges go to forked worker processes, which
inherit what the work reads (the deck's bytes, its open cache file), so only the results are sent
back. The output is the same either way, and any failure of a worker (an error, a result that
cannot be sent back, a worker that died or could not start) computes the range again here, where
an error is raised as it would be without workers.
"""

from __future__ import annotations

import contextlib
import gc
import os
import pickle
import signal
import sys
from collections.abc import Callable, Iterator, Sequence
from typing import NoReturn, TypeVar

T = TypeVar("T")

CHUNK = 250  # items per range by default: small enough to keep both cores busy to the end
MIN_PARALLEL = 2000  # fewer items are done sooner here than a pool starts (about 50 ms)


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
    minimum: int | None = None,
    costs: Sequence[float] | None = None,
) -> Iterator[T]:
    """Every result of ``work(start, stop)`` over ``range(count)`` cut in ``chunk``-sized ranges
    (default ``CHUNK``), in order; computed by one forked process per core when
    ``parallel(count, minimum)`` (``minimum``: for items that each take far longer than a card).
    ``costs``: a guess at each range's time, so that the workers are given equal shares of it
    (ranges of unequal sizes: files); without, they take the ranges in turn."""
    size = chunk or CHUNK
    ranges = [(start, min(start + size, count)) for start in range(0, count, size)]
    workers = min(cores(), len(ranges))
    if workers < 2 or not parallel(count, minimum):
        for start, stop in ranges:
            yield from work(start, stop)
        return
    yield from _forked(work, ranges, _shares(len(ranges), workers, costs))


def parallel(count: int, minimum: int | None = None) -> bool:
    """Whether ``in_order`` shares ``count`` items among workers: at least ``minimum`` of them
    (default ``MIN_PARALLEL``), two cores or more, processes that start by forking here (Linux; not macOS, where
    forking a process that has loaded system frameworks is unsafe), and no other thread (a fork
    copies only this one, and a lock another thread held would stay locked in the worker: the
    full-screen app's threads, say, when it reloads a deck after an edit)."""
    import threading

    least = MIN_PARALLEL if minimum is None else minimum
    return count >= least and cores() >= 2 and _forks() and threading.active_count() == 1


def _forks() -> bool:
    return sys.platform.startswith("linux") and hasattr(os, "fork")


def _shares(count: int, workers: int, costs: Sequence[float] | None) -> list[list[int]]:
    """The ranges (by number) each worker computes, each share in order: in turn, or by
    ``costs``, the longest first to the least busy worker."""
    if costs is None:
        return [list(range(turn, count, workers)) for turn in range(workers)]
    shares: list[list[int]] = [[] for _ in range(workers)]
    loads = [0.0] * workers
    for index in sorted(range(count), key=lambda i: -costs[i]):
        least = loads.index(min(loads))
        shares[least].append(index)
        loads[least] += costs[index]
    return [sorted(share) for share in shares]


def _forked(
    work: Callable[[int, int], Sequence[T]],
    ranges: list[tuple[int, int]],
    shares: list[list[int]],
) -> Iterator[T]:
    """The ranges computed by one forked process per share, each writing the results of its
    ranges to its own pipe in order, read here as they come (so that a worker never waits on a
    full pipe while another is read) and given out in the ranges' order.

    No thread and no pool: whatever stops this (the last range, a caller that stops early, ^C
    anywhere), the workers are killed and reaped here; and should this generator never be
    closed, a worker writing to a pipe nobody reads ends with the parent instead of keeping it
    from exiting."""
    import selectors

    children: list[tuple[int, int]] = []  # (pid, the pipe its results come through)
    waiting: dict[int, list[int]] = {}  # a pipe: the ranges still to come through it, in order
    done: dict[int, list | None] = {}  # results come, not yet given out (None: do it here)
    try:
        for share in shares:
            if not share:
                continue
            pid, read_end, write_end = _started()
            if pid < 0:  # no more processes or files: this share is done here
                done.update(dict.fromkeys(share))
                continue
            if pid == 0:  # the worker: it never returns from _serve
                os.close(read_end)
                for _, pipe in children:
                    os.close(pipe)  # a sibling's pipe must end with the parent
                _serve(work, [ranges[index] for index in share], write_end)
            os.close(write_end)
            children.append((pid, read_end))
            waiting[read_end] = list(share)
        with selectors.DefaultSelector() as selector:
            for pipe in waiting:
                selector.register(pipe, selectors.EVENT_READ)
            for index, (start, stop) in enumerate(ranges):
                while index not in done:
                    for key, _ in selector.select():
                        pipe = key.fileobj
                        results = _received(pipe)  # type: ignore[arg-type]
                        if results is _GONE:  # this range and all after it: done here
                            done.update(dict.fromkeys(waiting.pop(pipe)))  # type: ignore[arg-type]
                            selector.unregister(pipe)
                        else:
                            done[waiting[pipe].pop(0)] = results  # type: ignore[index]
                results = done.pop(index)
                if results is None:  # the worker failed on it, or is gone: done again here
                    results = work(start, stop)
                yield from results
    finally:
        for pid, pipe in children:
            os.close(pipe)
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)  # done already, or blocked on a full pipe
            with contextlib.suppress(OSError):
                os.waitpid(pid, 0)


def _started() -> tuple[int, int, int]:
    """``os.fork()`` with a pipe from the worker: (pid, read end, write end); pid -1 when
    either cannot be made."""
    try:
        read_end, write_end = os.pipe()
    except OSError:
        return -1, -1, -1
    try:
        return os.fork(), read_end, write_end
    except OSError:
        os.close(read_end)
        os.close(write_end)
        return -1, -1, -1


def _serve(
    work: Callable[[int, int], Sequence], ranges: list[tuple[int, int]], fd: int
) -> NoReturn:
    """A worker: each range's results, pickled, to ``fd`` (an empty message for a range that
    failed); then it exits at once, running none of the parent's exit handlers."""
    try:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # ^C is the parent's to handle
        # A worker lives for one ``in_order`` and makes no cyclic garbage worth collecting; the
        # collector would rescan every object inherited from the parent at each pass.
        gc.disable()
        with os.fdopen(fd, "wb") as out:
            for start, stop in ranges:
                try:
                    payload = pickle.dumps(list(work(start, stop)), pickle.HIGHEST_PROTOCOL)
                except Exception:  # the parent does it again and raises what it raises
                    payload = b""
                out.write(len(payload).to_bytes(8, "little"))
                out.write(payload)
                out.flush()
    finally:
        os._exit(0)


_GONE: list = []  # what ``_received`` gives for a worker that is gone (compared by identity)


def _received(pipe: int) -> list | None:
    """The next results from a worker's pipe; None for a range it failed on, ``_GONE`` once the
    worker is gone (it ended, or died in the middle of a message)."""
    header = _read_exactly(pipe, 8)
    if len(header) < 8:
        return _GONE
    size = int.from_bytes(header, "little")
    if not size:
        return None
    payload = _read_exactly(pipe, size)
    return pickle.loads(payload) if len(payload) == size else _GONE


def _read_exactly(pipe: int, size: int) -> bytes:
    """``size`` bytes from ``pipe``, or fewer when it ends first. The pipe is read unbuffered:
    bytes kept in a buffer would be missed by ``select``."""
    chunks, left = [], size
    while left:
        chunk = os.read(pipe, min(left, 1 << 20))
        if not chunk:
            break
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def detachable() -> bool:
    """Whether ``detached`` can start a process here: it forks, so no other thread may run."""
    import threading

    return _forks() and threading.active_count() == 1


def detached(work: Callable[[], object]) -> bool:
    """Start ``work`` in a process of its own and return at once; False when it cannot start.

    The process outlives this one, as a daemon does: forked twice (so this one never waits on
    it), in a session of its own (so ^C and the terminal closing do not reach it), at a lower
    priority (so it takes the cores only when this process leaves them idle), with its standard
    streams on /dev/null (so it never writes to the terminal or holds a pipe open). It ends with
    ``os._exit``: nothing of this process (buffers, exit handlers) runs twice."""
    if not detachable():
        return False
    try:
        pid = os.fork()
    except OSError:
        return False
    if pid:
        try:
            _, status = os.waitpid(pid, 0)
        except OSError:
            return False
        return os.waitstatus_to_exitcode(status) == 0
    try:  # the first child: it starts the second and ends, leaving it to init
        os.setsid()
        if os.fork():
            os._exit(0)
    except BaseException:
        os._exit(1)
    try:
        devnull = os.open(os.devnull, os.O_RDWR)
        for stream in (0, 1, 2):
            os.dup2(devnull, stream)
        sys.stdout = sys.stderr = open(os.devnull, "w")  # noqa: SIM115 - ends with the process
        with contextlib.suppress(OSError):
            os.nice(10)
        work()
    finally:
        os._exit(0)
