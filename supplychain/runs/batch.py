"""Solve many variants of one scenario in parallel worker processes, with a progress bar.

Each worker reloads the scenario from its file (cheap, and nothing large crosses process
boundaries), builds its variant and solves it exactly as ``supplychain run`` would. Results
come back as plain rows in the variants' order, whatever order the workers finish in.

Workers never outlive the command. Ctrl-C and SIGTERM reach the parent as
``KeyboardInterrupt`` (so does a failed variant, as its exception), and the parent then ends
every worker at once instead of letting the pool wait for the solves still running or queued.
A parent killed outright (SIGKILL, the OOM killer) runs no code, so each worker also asks the
kernel to send it SIGTERM when its parent dies (:func:`end_with_parent`).
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from tqdm import tqdm

from supplychain.runs.pipeline import load, solve_scenario
from supplychain.runs.variants import Variant, compare_variants, sweep_variants
from supplychain.status import Status

Kind = Literal["compare", "sweep"]

PR_SET_PDEATHSIG = 1
"""``prctl`` option (``<linux/prctl.h>``): the signal this process receives when its parent
dies."""


@dataclass(frozen=True)
class Row:
    """The answer for one variant."""

    label: str
    status: Status
    capability: float | None
    diplomatic: float
    economic_usd: float
    levers: str
    """Chosen levers as ``kind:country:category`` joined by ``;``."""


def variants_of(path: Path, kind: Kind) -> list[Variant]:
    """The variants a scenario file asks for."""
    loaded, _ = load(path)
    scenario = loaded.scenario
    return compare_variants(scenario) if kind == "compare" else sweep_variants(scenario)


def solve_variant(path: Path, kind: Kind, position: int, time_limit: float | None) -> Row:
    """Load the scenario, take its variant number ``position`` and solve it."""
    loaded, seconds = load(path)
    variant = (compare_variants if kind == "compare" else sweep_variants)(loaded.scenario)[position]
    run = solve_scenario(
        loaded,
        variant.scenario,
        variant.plurilateral,
        time_limit,
        seconds,
        aligners=variant.aligners,
    )
    outcome = run.outcome
    return Row(
        label=variant.label,
        status=outcome.status,
        capability=outcome.capability,
        diplomatic=outcome.diplomatic,
        economic_usd=outcome.economic_usd,
        levers=";".join(lever.label for lever in outcome.levers),
    )


def default_jobs() -> int:
    """Worker processes by default: the cores this process may use."""
    return (
        len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    )


def solve_all(path: Path, kind: Kind, jobs: int, time_limit: float | None = None) -> list[Row]:
    """Solve every variant, ``jobs`` at a time, showing progress on standard error."""
    count = len(variants_of(path, kind))
    bar = tqdm(total=count, desc=kind, unit="solve", file=sys.stderr, leave=False, disable=None)
    try:
        if jobs <= 1 or count <= 1:
            rows = []
            for position in range(count):
                rows.append(solve_variant(path, kind, position, time_limit))
                bar.update()
            return rows
        return solve_in_workers(path, kind, count, min(jobs, count), time_limit, bar.update)
    finally:
        bar.close()


def solve_in_workers(
    path: Path,
    kind: Kind,
    count: int,
    jobs: int,
    time_limit: float | None,
    solved: Callable[[], object],
) -> list[Row]:
    """Solve the ``count`` variants in ``jobs`` worker processes, calling ``solved`` as each
    ends; on any exception (an interrupt included) end the workers before passing it on.

    Workers are started with ``spawn``: a fresh interpreter inherits no lock that another
    thread of this process (tqdm's monitor, a HiGHS solve) might hold, and its parent is this
    process itself (under ``forkserver`` it would be the server), which :func:`end_with_parent`
    relies on. They are started under :func:`deferred_interrupts`. The pool starts no worker
    before the first ``submit``.
    """
    pool = ProcessPoolExecutor(
        max_workers=jobs,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=end_with_parent,
        initargs=(os.getpid(),),
    )
    try:
        with deferred_interrupts():
            futures = [
                pool.submit(solve_variant, path, kind, position, time_limit)
                for position in range(count)
            ]
        for future in futures:
            future.add_done_callback(lambda _: solved())
        return [future.result() for future in futures]
    except BaseException:
        # Before Python 3.14 (terminate_workers) the pool offers no public way to stop them.
        for worker in list(pool._processes.values()):
            worker.terminate()
        raise
    finally:
        pool.shutdown(cancel_futures=True)


@contextmanager
def deferred_interrupts() -> Iterator[None]:
    """Hold Ctrl-C and SIGTERM meanwhile and deliver them afterwards, while workers start.

    A worker is started by writing its start-up data down a pipe: an interrupt raised half-way
    would leave it to fail reading that data, with a traceback. So this thread's handlers only
    note the signals, which are raised again once the old handlers are back. SIGINT is also
    blocked in this thread, and so in the workers it starts, which inherit the mask, until
    their initializer ignores it: a Ctrl-C reaching a worker during its imports would print a
    traceback too. (Handlers can be changed in the main thread only; elsewhere no interrupt is
    raised to begin with.)
    """
    noted: list[int] = []
    previous = {}
    if threading.current_thread() is threading.main_thread():
        for number in (signal.SIGINT, signal.SIGTERM):
            previous[number] = signal.signal(number, lambda number, _: noted.append(number))
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
        for number, handler in previous.items():
            signal.signal(number, handler)
    for first in noted[:1]:
        signal.raise_signal(first)


def end_with_parent(parent: int) -> None:
    """Pool initializer: make this worker end with the process that started it.

    A worker writes nothing, so it may end at any instant: SIGTERM gets its default action
    (the parent ends workers with it) and SIGINT is ignored (Ctrl-C reaches the whole process
    group; the parent decides). On Linux, ``prctl(PR_SET_PDEATHSIG, SIGTERM)`` has the kernel
    end the worker when its parent dies, however it dies and whatever the worker is doing (a
    HiGHS solve holding the interpreter included, where a watchdog thread polling
    ``os.getppid()`` could not run). The parent may have died before that call, so the worker
    then checks that its parent is still ``parent`` and ends itself if not. Elsewhere only that
    check is made at start.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_SET_PDEATHSIG) failed")
    if os.getppid() != parent:
        os._exit(1)
