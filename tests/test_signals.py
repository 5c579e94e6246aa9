"""Issue 21: SIGTERM is handled as Ctrl-C, batch workers never outlive their parent, and a
solve stopped early in any stage is an honest ``time_limit`` answer.

The signal tests drive ``supplychain`` as a real process and wait for a sign of the phase they
aim at (a progress line, the hidden staging folder, worker processes in ``/proc``) before
signalling, so that they do not depend on how fast the machine is.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

import highspy
import pytest
import yaml

from supplychain.cli import INTERRUPTED, interrupt_on_terminate
from supplychain.inputs.graph import topological_items
from supplychain.inputs.schema import Scenario, World
from supplychain.model import highs_leader
from supplychain.model.follower import FollowerLP
from supplychain.model.highs_leader import HighsLeader
from supplychain.model.instance import Instance, build_instance
from supplychain.runs.pipeline import load
from supplychain.solve import lexicographic
from supplychain.solve.lexicographic import BACKENDS, SOLVER_OPTIONS, solve
from supplychain.status import Status
from supplychain.testing import Scale, scaled_world

ROOT = Path(__file__).resolve().parents[1]
SLOW_SCALE = Scale(
    items=500, suppliers=2_000, countries=14, depth=5, levers=200, routes=10_000, targets=3
)
"""The benchmarks' 10k-route world: loads in about half a second, and its tie-breaking stages
take seconds each."""
SMALL_SCALE = Scale(items=12, suppliers=20, countries=6, depth=3, levers=12, routes=60)
WAIT = 60.0
"""Upper bound, in seconds, on waiting for a process to reach a phase or to end (a test that
hits it has failed; a passing test never waits that long)."""


def write_world(world: dict[str, Any], scenario: dict[str, Any], folder: Path) -> Path:
    """Write a world and its scenario (``model: world.yaml``) into ``folder``; return the
    scenario's path."""
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / "world.yaml").open("w", encoding="utf-8") as stream:
        yaml.dump(world, stream, Dumper=yaml.CSafeDumper, default_flow_style=None, width=200)
    path = folder / "scenario.yaml"
    path.write_text(yaml.safe_dump(scenario, sort_keys=False), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def slow_scenario(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The scenario file of the 10k-route world (its result folder is named ``scaled``)."""
    world, scenario = scaled_world(random.Random(0), SLOW_SCALE)
    return write_world(world, scenario, tmp_path_factory.mktemp("slow"))


def start(*arguments: str) -> subprocess.Popen[str]:
    """``python -m supplychain ARGUMENTS`` in a session of its own (so that a signal to its
    process group reaches it and its workers only)."""
    return subprocess.Popen(
        [sys.executable, "-m", "supplychain", *arguments],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def read_until(stream: IO[str], marker: str) -> list[str]:
    """Lines of ``stream`` up to and including the first that contains ``marker``."""
    lines = []
    for line in stream:
        lines.append(line)
        if marker in line:
            return lines
    raise AssertionError(f"the process ended before printing {marker!r}: {''.join(lines)}")


def wait_for(condition: Callable[[], bool], what: str) -> None:
    """Poll ``condition`` until it holds (at most :data:`WAIT` seconds)."""
    deadline = time.monotonic() + WAIT
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        time.sleep(0.005)


def earlier_result(root: Path, name: str) -> dict[str, bytes]:
    """Put an earlier result folder ``root/name`` in place; return its files' contents."""
    folder = root / name
    folder.mkdir(parents=True)
    (folder / "summary.json").write_text('{"status": "optimal"}\n')
    (folder / "report.md").write_text("# The earlier run\n")
    return snapshot(root)


def snapshot(root: Path) -> dict[str, bytes]:
    """Every entry under ``root`` (folders as empty contents), by relative path."""
    return {
        str(path.relative_to(root)): b"" if path.is_dir() else path.read_bytes()
        for path in sorted(root.rglob("*"))
    }


def assert_interrupted(process: subprocess.Popen[str], before: list[str]) -> list[str]:
    """The process exits 1 with the interrupt as its one last line on standard error, and no
    traceback; returns its standard error (``before``: the lines already read)."""
    output, error = process.communicate(timeout=WAIT)
    lines = [*before, *error.splitlines(keepends=True)]
    assert process.returncode == 1, (output, "".join(lines))
    assert "Traceback" not in "".join(lines)
    assert lines[-1].rstrip("\n") == INTERRUPTED
    assert sum(INTERRUPTED in line for line in lines) == 1
    return lines


def test_sigterm_while_loading_writes_nothing(tmp_path: Path) -> None:
    """The scenario is a named pipe nobody writes to, so the command waits in its load until
    the signal comes."""
    root = tmp_path / "results"
    before = earlier_result(root, "pipe")
    scenario = tmp_path / "pipe.yaml"
    os.mkfifo(scenario)
    process = start("run", str(scenario), "--out", str(root))
    assert process.stderr is not None
    lines = read_until(process.stderr, "loading")
    process.send_signal(signal.SIGTERM)
    assert_interrupted(process, lines)
    assert snapshot(root) == before


def test_sigterm_during_the_solve_writes_nothing(slow_scenario: Path, tmp_path: Path) -> None:
    """Signalled once the first stage is done, the signal lands in the seconds-long second
    stage, inside HiGHS (which swallows the interrupt; the solve notes it and raises it
    again)."""
    root = tmp_path / "results"
    before = earlier_result(root, "scaled")
    process = start("run", str(slow_scenario), "--out", str(root))
    assert process.stderr is not None
    lines = read_until(process.stderr, "stage 1/4")
    process.send_signal(signal.SIGTERM)
    lines = assert_interrupted(process, lines)
    assert not any("stage 2/4" in line for line in lines)
    assert snapshot(root) == before


def test_sigterm_while_writing_the_report_keeps_the_earlier_folder(tmp_path: Path) -> None:
    """Signalled as soon as the hidden staging folder appears in the results root: the
    earlier result is left as it was, and the staging folder is removed."""
    root = tmp_path / "results"
    before = earlier_result(root, "us-unilateral")
    process = start("run", str(ROOT / "scenarios" / "us_unilateral.yaml"), "--out", str(root))

    def staging() -> bool:
        return any(path.name.startswith(".us-unilateral.") for path in root.iterdir())

    wait_for(lambda: staging() or process.poll() is not None, "the staging folder")
    assert process.poll() is None, "the run ended before its staging folder was seen"
    process.send_signal(signal.SIGTERM)
    assert_interrupted(process, [])
    assert snapshot(root) == before


def test_an_interrupt_cancels_a_highs_solve_running_in_its_own_thread(
    slow_scenario: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Models from :data:`highs_leader.THREADED_NONZEROS` up are solved in a thread of
    HiGHS's own; SIGTERM, sent from inside that solve, must cancel it rather than wait for
    the stage to end (HiGHS then reports ``kInterrupt``, not an optimum)."""
    monkeypatch.setattr(highs_leader, "THREADED_NONZEROS", 0)
    loaded, _ = load(slow_scenario)
    world = loaded.world.world
    instance = build_instance(loaded.scenario, world, topological_items(world))
    leader = HighsLeader(instance, SOLVER_OPTIONS)
    leader.minimize("capability")
    first = leader.run(None, 0.0, 1e-9)
    assert first.status == Status.OPTIMAL and first.incumbent is not None
    leader.hold("capability", first.incumbent * (1 + 1e-6))
    leader.minimize("diplomatic")
    signalled: list[int] = []

    def signal_once(_: object) -> None:
        if not signalled:
            signalled.append(signal.SIGTERM)
            os.kill(os.getpid(), signal.SIGTERM)

    leader.highs.cbMipInterrupt += signal_once
    previous = signal.signal(signal.SIGTERM, interrupt_on_terminate)
    try:
        with pytest.raises(KeyboardInterrupt):
            leader.run(None, 0.0, 0.5)
    finally:
        signal.signal(signal.SIGTERM, previous)
    assert signalled
    assert leader.highs.getModelStatus() == highspy.HighsModelStatus.kInterrupt


@pytest.mark.parametrize("backend", BACKENDS)
def test_sigterm_inside_a_highs_callback_interrupts_the_solve(
    monkeypatch: pytest.MonkeyPatch, backend: str
) -> None:
    """highspy runs Python callbacks during a solve; a SIGTERM handled in one raises its
    ``KeyboardInterrupt`` there, where highspy (under Pyomo) swallows it and the solve ends in
    an error status. The solve must still end in the interrupt, not in an internal error. Each
    ``Highs.run`` is given a callback that sends the signal once from inside HiGHS."""
    instance = small_instance(1, 0.7)
    run = highspy.Highs.run
    signalled: list[int] = []

    def signal_once(_: object) -> None:
        if not signalled:
            signalled.append(signal.SIGTERM)
            os.kill(os.getpid(), signal.SIGTERM)

    def run_and_signal(highs: highspy.Highs) -> highspy.HighsStatus:
        highs.cbMipInterrupt += signal_once
        return run(highs)

    monkeypatch.setattr(highspy.Highs, "run", run_and_signal)
    previous = signal.signal(signal.SIGTERM, interrupt_on_terminate)
    try:
        with pytest.raises(KeyboardInterrupt):
            solve(instance, FollowerLP(instance), backend=backend)
    finally:
        signal.signal(signal.SIGTERM, previous)
    assert signalled


def children(pid: int) -> set[int]:
    """The child processes of ``pid`` (from ``/proc``; empty once it is gone)."""
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found.update(int(child) for child in (task / "children").read_text().split())
        except OSError:
            continue
    return found


def alive(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie, dead but not yet reaped, does not)."""
    try:
        status = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return status.rpartition(")")[2].split()[0] != "Z"


def cpu_seconds(pid: int) -> float:
    """User and system CPU time ``pid`` has used (0 once it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@contextmanager
def compare_running(scenario: Path, root: Path) -> Iterator[tuple[subprocess.Popen[str], set[int]]]:
    """``supplychain compare SCENARIO`` with two workers, once both workers exist; yields the
    process and its children. Afterwards any child left running (a failed test) is killed by
    its id."""
    process = start("compare", str(scenario), "--jobs", "2", "--out", str(root))
    workers: set[int] = set()

    def started() -> bool:
        workers.update(children(process.pid))
        return len([pid for pid in workers if alive(pid)]) >= 2 or process.poll() is not None

    wait_for(started, "two worker processes")
    assert process.poll() is None, "the compare ended before its workers were seen"
    try:
        yield process, workers
    finally:
        if process.poll() is None:
            process.kill()
        process.wait()
        for stream in (process.stdout, process.stderr):
            if stream is not None:
                stream.close()
        for pid in workers | children(process.pid):
            if alive(pid):
                os.kill(pid, signal.SIGKILL)


@pytest.fixture
def compare(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[str], set[int]]]:
    """The shipped alignment options compared (a few seconds of work)."""
    scenario = ROOT / "scenarios" / "plurilateral_options.yaml"
    with compare_running(scenario, tmp_path / "results") as running:
        yield running


@pytest.fixture(scope="module")
def slow_compare(slow_scenario: Path) -> Path:
    """Eight options of the 10k-route world, each some half a minute of solving."""
    scenario = yaml.safe_load(slow_scenario.read_text())
    scenario["compare"] = [
        {"name": f"{regime} {number}", "regime": regime}
        for number in range(4)
        for regime in ("bilateral", "plurilateral")
    ]
    path = slow_scenario.with_name("compare.yaml")
    path.write_text(yaml.safe_dump(scenario, sort_keys=False), encoding="utf-8")
    return path


def wait_until_working(process: subprocess.Popen[str]) -> None:
    """Wait until two children of ``process`` have each used a second of CPU time (the
    workers are past their start and at work)."""

    def working() -> bool:
        return sum(cpu_seconds(pid) >= 1.0 for pid in children(process.pid)) >= 2

    wait_for(working, "two workers at work")


def assert_ended(pids: set[int]) -> None:
    """Every process of ``pids`` ends within :data:`WAIT` seconds."""
    wait_for(lambda: not any(alive(pid) for pid in pids), f"processes {sorted(pids)} to end")


@pytest.mark.parametrize("moment", ["starting", "solving"])
def test_killing_the_compare_parent_ends_its_workers(
    compare: tuple[subprocess.Popen[str], set[int]], moment: str
) -> None:
    """SIGKILL runs no code in the parent: the kernel ends the workers (``starting``: maybe
    before they could ask it to, when they end themselves; ``solving``: two have done a
    second of work)."""
    process, workers = compare
    if moment == "solving":
        wait_until_working(process)
    workers |= children(process.pid)
    process.kill()
    process.wait()
    assert_ended(workers)


def test_sigterm_to_the_compare_parent_ends_its_workers_and_writes_nothing(
    slow_compare: Path, tmp_path: Path
) -> None:
    """The parent ends its workers rather than wait for the minutes of solving still
    running or queued (which would outlast :data:`WAIT`)."""
    root = tmp_path / "results"
    with compare_running(slow_compare, root) as (process, workers):
        wait_until_working(process)
        workers |= children(process.pid)
        process.send_signal(signal.SIGTERM)
        assert_interrupted(process, [])
        assert_ended(workers)
    assert not root.exists()


def test_ctrl_c_in_a_terminal_stops_a_compare_without_tracebacks(
    compare: tuple[subprocess.Popen[str], set[int]], tmp_path: Path
) -> None:
    """Ctrl-C signals the whole foreground process group: the parent and every worker."""
    process, workers = compare
    workers |= children(process.pid)
    os.killpg(process.pid, signal.SIGINT)
    assert_interrupted(process, [])
    assert_ended(workers)
    assert not (tmp_path / "results").exists()


def small_instance(seed: int, share: float) -> Instance:
    """The 60-route scaled world of ``seed`` under ``objective: {minimize: cost}`` with
    ``max_capability`` at ``share`` of the capability left without levers (no budget)."""
    world_data, scenario_data = scaled_world(random.Random(seed), SMALL_SCALE)
    scenario_data.pop("budget")
    world = World.model_validate(world_data)
    order = topological_items(world)
    plain = build_instance(Scenario.model_validate(scenario_data), world, order)
    baseline = FollowerLP(plain).evaluate(()).capability
    scenario_data["objective"] = {"minimize": "cost", "max_capability": round(share * baseline, 4)}
    return build_instance(Scenario.model_validate(scenario_data), world, order)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize(("seed", "stopped_stage"), [(1, 2), (0, 1)])
def test_a_cost_objective_stopped_early_is_time_limited(
    monkeypatch: pytest.MonkeyPatch, backend: str, seed: int, stopped_stage: int
) -> None:
    """``objective: {minimize: cost}`` stopped in its economic (second) or diplomatic (first)
    stage gives its incumbent with status ``time_limit``: the MILP's capability there is only
    an upper bound on the adversary's (capability has not been minimised yet), which is no
    disagreement. HiGHS's limit of one improving solution stops the stage deterministically
    and is reported as a limit (``kSolutionLimit``), like the time limit."""
    instance = small_instance(seed, 0.7)
    assert instance.max_capability is not None
    optimum = solve(instance, FollowerLP(instance), backend=backend)
    assert optimum.status == Status.OPTIMAL
    monkeypatch.setitem(lexicographic.SOLVER_OPTIONS, "mip_max_improving_sols", 1)
    lines: list[str] = []
    follower = FollowerLP(instance)
    outcome = solve(instance, follower, progress=lines.append, backend=backend)
    assert [line.split(": ")[1].split()[0] for line in lines] == [
        *["optimal"] * (stopped_stage - 1),
        "time_limit",
    ]
    assert outcome.status == Status.TIME_LIMIT
    assert outcome.capability is not None and outcome.follower is not None
    assert outcome.capability <= instance.max_capability + 1e-9
    assert outcome.capability == pytest.approx(follower.evaluate(outcome.levers).capability)
    assert instance.is_feasible(outcome.levers, tolerance=1e-6)
    assert outcome.bound is not None and outcome.bound <= optimum.diplomatic + 1e-9
    assert outcome.diplomatic >= optimum.diplomatic - 1e-9
    if stopped_stage > 1:
        assert outcome.diplomatic == pytest.approx(optimum.diplomatic)
        assert outcome.mip_gap == 0.0
