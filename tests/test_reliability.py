"""Issue 7 promises, on real solves and real files: honest solver statuses, infeasible
scenarios explained, results never lost or half-written, byte-identical reruns."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import pytest
from conftest import EXAMPLE, example_variant

from supplychain.cli import main, verdict, write_results
from supplychain.report.write import write_report
from supplychain.runs.pipeline import load, solve_scenario

ROOT = Path(__file__).resolve().parents[1]


def line_of(path: Path, text: str) -> int:
    """The 1-based line of the first line of ``path`` containing ``text``."""
    return next(
        number for number, line in enumerate(path.read_text().splitlines(), 1) if text in line
    )


def test_a_time_limited_incumbent_is_reported_with_bound_and_gap(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The example's answer as if the time limit had stopped HiGHS at gap 5 % with bound
    0.27: summary.json and the report's first line carry status, incumbent, bound and gap;
    the exit code is 1 unless non-optimal answers are allowed."""
    loaded, _ = load(EXAMPLE)
    run = solve_scenario(loaded)
    stopped = replace(
        run, outcome=replace(run.outcome, status="time_limit", mip_gap=0.05, bound=0.27)
    )
    folder, record = write_results(stopped, tmp_path, write_report)
    assert (record["status"], record["capability"], record["bound"], record["mip_gap"]) == (
        "time_limit",
        0.29,
        0.27,
        0.05,
    )
    first_line = (folder / "report.md").read_text().splitlines()[0]
    assert first_line == (
        "# Gap report: example — NOT PROVEN OPTIMAL (time limit: capability "
        "29%, bound 0.27, gap 5%)"
    )
    assert verdict("example", stopped, allow_nonoptimal=False) == 1
    assert "not proven optimal (--allow-nonoptimal accepts its incumbent)" in (
        capsys.readouterr().err
    )
    assert verdict("example", stopped, allow_nonoptimal=True) == 0


def test_the_mip_gap_reaches_highs_and_the_summary(tmp_path: Path) -> None:
    scenario = example_variant(tmp_path, solver={"mip_gap": 0.5})
    assert main(["run", str(scenario), "--out", str(tmp_path / "out")]) == 0
    summary = json.loads((tmp_path / "out" / "example" / "summary.json").read_text())
    assert summary["provenance"]["solver_options"]["mip_rel_gap"] == 0.5
    assert 0.0 <= summary["mip_gap"] <= 0.5
    assert summary["bound"] <= summary["capability"] + 1e-9


@pytest.mark.parametrize(
    ("changes", "located", "expected"),
    [
        pytest.param(
            {"fixed": {"on": [{"fdpr": ["NLD", "lithography"]}]}},
            "diplomatic:",
            "budget.diplomatic: the pinned levers control::lithography, fdpr:NLD:lithography cost "
            "5 diplomatic units, more than the budget of 4",
            id="pins-over-budget",
        ),
        pytest.param(
            {
                "fixed": {
                    "on": [{"fdpr": ["NLD", "lithography"]}],
                    "off": [{"control": "lithography"}],
                },
                "budget": None,
            },
            "- fdpr:",
            "fixed.on[0]: fdpr:NLD:lithography needs control::lithography, which is pinned off",
            id="pin-needs-a-lever-pinned-off",
        ),
        pytest.param(
            {
                "mode": "evaluate",
                "fixed": {"on": [{"fdpr": ["NLD", "lithography"]}]},
                "budget": None,
            },
            "- fdpr:",
            "fixed.on[0]: fdpr:NLD:lithography needs control::lithography, which evaluate mode "
            "leaves off (pin it on too)",
            id="evaluate-mode-misses-a-needed-lever",
        ),
        pytest.param(
            {"objective": {"minimize": "cost", "max_capability": 0.1}},
            "max_capability:",
            "objective.max_capability: no policy within the pins and budgets brings capability "
            "down to 0.1; the least it can reach is 0.29",
            id="capability-cap-out-of-reach",
        ),
    ],
)
def test_an_infeasible_scenario_names_what_conflicts(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    changes: dict[str, object],
    located: str,
    expected: str,
) -> None:
    """One line per cause, at the pin or budget concerned (``located``: text on that line)."""
    scenario = example_variant(tmp_path, **changes)
    assert main(["run", str(scenario), "--out", str(tmp_path / "out")]) == 1
    lines = capsys.readouterr().err.splitlines()
    assert "error: example: no policy satisfies the scenario:" in lines
    assert f"  {scenario}:{line_of(scenario, located)}: {expected}" in lines
    summary = json.loads((tmp_path / "out" / "example" / "summary.json").read_text())
    assert summary["status"] == "infeasible"


def test_results_that_cannot_be_written_give_one_line_and_exit_1(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    """A file where the results root should be (as good as a read-only disk for a root
    user, whom permissions do not stop)."""
    blocker = tmp_path / "results"
    blocker.write_text("not a folder")
    completed = subprocess.run(
        [sys.executable, "-m", "supplychain", "run", str(EXAMPLE), "--out", str(blocker / "x")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 1
    assert "Traceback" not in completed.stderr
    assert completed.stderr.splitlines()[-1] == (
        f"error: cannot write results under {blocker / 'x'}: Not a directory ({blocker / 'x'})"
    )
    assert blocker.read_text() == "not a folder"


@pytest.mark.parametrize("delay", [0.3, 0.8, 1.2, 1.6, 2.0, 2.4])
def test_ctrl_c_at_any_moment_leaves_no_partial_folder(tmp_path: Path, delay: float) -> None:
    """SIGINT during start-up, load, solve or writing: the command exits 1 (or is killed by
    the signal before Python starts, or had finished), and the results root holds either
    nothing or one complete folder, never a temporary one."""
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "supplychain",
            "run",
            str(ROOT / "scenarios" / "us_unilateral.yaml"),
            "--out",
            str(tmp_path),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    time.sleep(delay)
    process.send_signal(signal.SIGINT)
    _, error = process.communicate(timeout=120)
    assert "Traceback" not in error
    names = sorted(path.name for path in tmp_path.iterdir()) if tmp_path.exists() else []
    assert names in ([], ["us-unilateral"])
    if names:
        assert (tmp_path / "us-unilateral" / "report.html").is_file()
    elif process.returncode != -signal.SIGINT:
        assert process.returncode == 1
        assert "interrupted; no result folder was changed" in error


def without_timings(path: Path) -> bytes:
    """A result file with its run-dependent timings taken out."""
    if path.name == "summary.json":
        record = json.loads(path.read_text())
        record.pop("timings")
        return json.dumps(record).encode()
    if path.suffix in (".md", ".html"):
        return b"\n".join(line for line in path.read_bytes().splitlines() if b"Timings" not in line)
    return path.read_bytes()


def test_two_runs_give_byte_identical_files_but_timings(tmp_path: Path) -> None:
    assert main(["run", str(EXAMPLE), "--out", str(tmp_path / "a")]) == 0
    assert main(["run", str(EXAMPLE), "--out", str(tmp_path / "b")]) == 0
    first, second = tmp_path / "a" / "example", tmp_path / "b" / "example"
    files = sorted(path.relative_to(first) for path in first.rglob("*") if path.is_file())
    assert files == sorted(path.relative_to(second) for path in second.rglob("*") if path.is_file())
    assert len(files) >= 14
    for name in files:
        assert without_timings(first / name) == without_timings(second / name), name
    provenance = json.loads((first / "summary.json").read_text())["provenance"]
    assert provenance["solver_options"]["random_seed"] == 0
    assert len(provenance["scenario_sha256"]) == len(provenance["model_sha256"]) == 64


def test_the_model_path_is_relative_to_the_scenario_not_the_working_directory(
    tmp_path: Path,
) -> None:
    """Run from another directory: ``model: ../models/example.yaml`` still resolves, and
    nothing is written outside ``--out``."""
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    out = tmp_path / "out"
    completed = subprocess.run(
        [sys.executable, "-m", "supplychain", "run", str(EXAMPLE), "--out", str(out)],
        capture_output=True,
        text=True,
        check=False,
        cwd=elsewhere,
    )
    assert completed.returncode == 0, completed.stderr
    assert list(elsewhere.iterdir()) == []
    assert sorted(path.name for path in out.iterdir()) == ["example"]
