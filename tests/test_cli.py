"""The command line as a planner uses it: exit codes, clean output, honest statuses."""

from __future__ import annotations

import json
import random
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import EXAMPLE, EXAMPLE_WORLD, example_variant

from supplychain.cli import main
from supplychain.testing import Size, random_scenario, random_world

ROOT = Path(__file__).resolve().parents[1]


def supplychain(*arguments: str) -> subprocess.CompletedProcess[str]:
    """Run the command line in a fresh Python process, as a planner's shell would."""
    return subprocess.run(
        [sys.executable, "-m", "supplychain", *arguments],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )


def test_json_output_is_clean_json_in_a_fresh_process(tmp_path: Path) -> None:
    """No solver banner or progress line may leak into standard output."""
    completed = supplychain("run", str(EXAMPLE), "--out", str(tmp_path), "--json")
    assert completed.returncode == 0, completed.stderr
    assert json.loads(completed.stdout)["status"] == "optimal"
    assert "stage 1/4 least capability: optimal" in completed.stderr


def test_invalid_input_gives_one_line_per_problem_and_no_traceback(tmp_path: Path) -> None:
    world = tmp_path / "world.yaml"
    world.write_text(
        (EXAMPLE_WORLD)
        .read_text()
        .replace("supplier: nikon", "supplier: nikn")
        .replace("capacity: 0.2,", "capacity: -0.2,")
    )
    completed = supplychain("validate", str(world))
    assert completed.returncode == 2
    assert "Traceback" not in completed.stderr
    assert completed.stderr.splitlines() == [
        f"{world}:71: routes[4].supplier: unknown supplier 'nikn' (did you mean 'nikon'?)",
        f"{world}:81: routes[10].capacity: must be at least 0, got -0.2",
    ]


def test_an_infeasible_policy_is_reported_and_fails(tmp_path: Path) -> None:
    """Pinning Dutch FDPR (5 units) on a budget of 4 leaves no valid policy: exit 1, and the
    result folder says so instead of inventing an answer."""
    scenario = example_variant(tmp_path, fixed={"on": [{"fdpr": ["NLD", "lithography"]}]})
    assert main(["run", str(scenario), "--out", str(tmp_path / "out")]) == 1
    summary = json.loads((tmp_path / "out" / "example" / "summary.json").read_text())
    assert summary["status"] == "infeasible"
    assert summary["capability"] is None
    assert summary["levers"] == []


def test_a_solve_stopped_by_the_time_limit_is_not_reported_as_optimal(tmp_path: Path) -> None:
    """A synthetic world with some 500 candidate levers cannot be solved in 0.02 s."""
    rng = random.Random(1)
    world = random_world(
        rng,
        Size(
            targets=2,
            categories=120,
            items_per_category=3,
            subsystems=6,
            partners=5,
            suppliers_per_item=5,
        ),
    )
    scenario = random_scenario(rng, world)
    scenario.update(
        name="large",
        model="large_world.yaml",
        budget={"diplomatic": 40},
        levers={
            "control": "all",
            "align": "all",
            "fdpr": "all",
            "monitor": "all",
            "restrict": "all",
            "tariff": "all",
        },
    )
    (tmp_path / "large_world.yaml").write_text(yaml.safe_dump(world))
    (tmp_path / "large.yaml").write_text(yaml.safe_dump(scenario))
    out = tmp_path / "out"
    assert (
        main(["run", str(tmp_path / "large.yaml"), "--out", str(out), "--time-limit", "0.02"]) == 1
    )
    summary = json.loads((out / "large" / "summary.json").read_text())
    assert summary["status"] == "time_limit"
    assert summary["provenance"]["solver_options"]["time_limit"] == 0.02
    assert summary["bound"] is None or summary["bound"] >= 0.0
    assert "NOT PROVEN OPTIMAL" in (out / "large" / "report.md").read_text().splitlines()[0] or (
        summary["capability"] is None
    )
    allowed = main(
        [
            "run",
            str(tmp_path / "large.yaml"),
            "--out",
            str(out),
            "--time-limit",
            "0.02",
            "--allow-nonoptimal",
        ]
    )
    summary = json.loads((out / "large" / "summary.json").read_text())
    if summary["status"] == "time_limit":
        assert allowed == (1 if summary["capability"] is None else 0)


def test_a_bad_time_limit_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["run", str(EXAMPLE), "--time-limit", "-3"])
    assert stopped.value.code == 2
    assert "expected a positive number of seconds, got '-3'" in capsys.readouterr().err


def test_compare_and_sweep_add_their_tables_and_report_sections_to_one_folder(
    tmp_path: Path,
) -> None:
    assert main(["compare", str(EXAMPLE), "--out", str(tmp_path), "--jobs", "2"]) == 0
    assert main(["sweep", str(EXAMPLE), "--out", str(tmp_path), "--jobs", "1"]) == 0
    folder = tmp_path / "example"
    assert {
        "summary.json",
        "report.html",
        "compare.csv",
        "compare.png",
        "frontier.csv",
        "frontier.png",
    } <= {path.name for path in folder.iterdir()}
    compare = (folder / "compare.csv").read_text().splitlines()
    assert compare[0] == "option,status,capability,diplomatic,economic_usd,levers"
    assert [line.split(",")[0] for line in compare[1:]] == ["US alone", "US+NL+JP"]
    frontier = (folder / "frontier.csv").read_text().splitlines()
    assert frontier[0] == "value,status,capability,diplomatic,economic_usd,levers"
    assert frontier[3] == "3,optimal,0.29,3,11262000000,align:NLD:lithography;control::etch"
    report = (folder / "report.md").read_text()
    assert "## Alignment options" in report and "## Sweep" in report
    assert "`US+NL+JP` removes nothing (as much as" not in report
    assert "Of that, `US+NL+JP` removes nothing." in report
    assert "The largest step is from `2` to `3`: 48% to 29%." in report
    assert (folder / "report.html").read_text().count("data:image/png;base64,") == 6


def test_a_sweep_with_infeasible_points_says_so_in_its_table_title_and_exit_code(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Dutch alignment pinned on costs 3 diplomatic units: budgets 0 and 2 have no policy.
    Those points show as infeasible with no costs (not as free policies), the report's title
    says how many points were not proven optimal, the reading uses the others only, and the
    command exits 1."""
    scenario = example_variant(tmp_path, fixed={"on": [{"align": ["NLD", "lithography"]}]})
    assert main(["sweep", str(scenario), "--out", str(tmp_path), "--jobs", "1"]) == 1
    assert "error: sweep 0: the solve ended 'infeasible'" in capsys.readouterr().err
    folder = tmp_path / "example"
    frontier = (folder / "frontier.csv").read_text().splitlines()
    assert frontier[1:3] == ["0,infeasible,,,,", "2,infeasible,,,,"]
    assert frontier[3].startswith("3,optimal,0.29,3,")
    report = (folder / "report.md").read_text()
    assert report.splitlines()[0] == (
        "# Gap report: example — 2 OF 5 SWEEP POINTS NOT PROVEN OPTIMAL"
    )
    assert "From value `3` to `8`" in report
    assert "Values `0`, `2`: infeasible: no policy satisfies the pins and budgets." in report
    assert "| `0` | infeasible | — | — | — |  | none |" in report


def test_a_new_run_keeps_the_old_folder_and_carries_batch_files_of_the_same_inputs(
    tmp_path: Path,
) -> None:
    """``run`` after ``compare`` keeps compare.csv (same scenario and model bytes) and moves
    the old folder to ``example.previous``; a changed scenario drops it."""
    assert main(["compare", str(EXAMPLE), "--out", str(tmp_path), "--jobs", "1"]) == 0
    folder = tmp_path / "example"
    table = (folder / "compare.csv").read_bytes()
    assert main(["run", str(EXAMPLE), "--out", str(tmp_path)]) == 0
    assert (folder / "compare.csv").read_bytes() == table
    assert "## Alignment options" in (folder / "report.md").read_text()
    assert (tmp_path / "example.previous" / "compare.csv").read_bytes() == table
    changed = example_variant(tmp_path, budget={"diplomatic": 5})
    assert main(["run", str(changed), "--out", str(tmp_path)]) == 0
    assert not (folder / "compare.csv").exists()
    assert "## Alignment options" not in (folder / "report.md").read_text()
    assert (tmp_path / "example.previous" / "compare.csv").read_bytes() == table
    assert sorted(path.name for path in tmp_path.iterdir()) == [
        "example",
        "example.previous",
        "example.yaml",
    ]


def test_compare_without_options_is_an_input_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    scenario = example_variant(tmp_path, compare=[])
    assert main(["compare", str(scenario), "--out", str(tmp_path / "out")]) == 2
    assert "compare: no compare options to solve" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()
