"""End to end on the shipped example: the hand-worked answer, the CLI, the result files."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from conftest import EXAMPLE, EXAMPLE_WORLD

from supplychain.cli import main

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def example_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("results")
    assert main(["run", str(EXAMPLE), "--out", str(out)]) == 0
    return out / "example"


def test_example_answer_matches_the_hand_worked_one(example_run: Path) -> None:
    """The README's worked answer (models/example.yaml, budget 4 diplomatic units).

    control::etch reaches Lam (US) and TEL (US content 0.3 > 0.25): etch = 0.025 + 0.015 +
    AMEC 0.2 = 0.24. align:NLD:lithography (3 units) cuts ASML's EUV to 0.05 and its ArF to
    0.03. With y1 the EUV route and y2 multipatterning: y1 ≤ 0.05, y1 + 2·y2 ≤ 0.24 and
    3·y2 ≤ 0.03 + 0.3 + 0.1 give y1 = 0.05, y2 = 0.095, output 0.145 of demand 0.5: 0.29.
    Economic cost: Lam 0.5·21.9e9·0.3 + TEL 0.3·21.9e9·0.3 + ASML EUV 1.0·13e9·0.3 +
    ASML ArF 0.6·11.7e9·0.3 = 11.262e9.
    """
    summary = json.loads((example_run / "summary.json").read_text())
    assert summary["status"] == "optimal"
    assert summary["capability"] == pytest.approx(0.29, abs=1e-9)
    assert summary["baseline_capability"] == pytest.approx(1.0)
    assert summary["targets"]["advanced_logic"]["output"] == pytest.approx(0.145, abs=1e-9)
    assert summary["levers"] == [
        {"kind": "align", "country": "NLD", "category": "lithography"},
        {"kind": "control", "country": None, "category": "etch"},
    ]
    assert summary["cost"] == {"diplomatic": 3.0, "economic_usd": pytest.approx(11.262e9)}


def test_summary_has_the_design_keys_and_the_solver_bound(example_run: Path) -> None:
    """DESIGN §6's keys in order, plus ``bound`` after ``mip_gap`` (issue 7 asks for the
    incumbent, the bound and the gap of a time-limited run) and ``files``, the record of the
    tables (issue 21)."""
    summary = json.loads((example_run / "summary.json").read_text())
    assert list(summary) == [
        "scenario",
        "mode",
        "capability",
        "baseline_capability",
        "targets",
        "levers",
        "cost",
        "status",
        "mip_gap",
        "bound",
        "timings",
        "provenance",
        "files",
    ]
    assert summary["bound"] == pytest.approx(0.29)
    assert set(summary["timings"]) == {"load", "build", "solve", "report"}
    provenance = summary["provenance"]
    assert len(provenance["scenario_sha256"]) == len(provenance["model_sha256"]) == 64
    assert provenance["solver_options"]["threads"] == 1
    assert provenance["milp_backend"] == "highs"


def test_routes_csv_shows_covered_routes_and_flows(example_run: Path) -> None:
    with (example_run / "routes.csv").open() as handle:
        rows = {(row["item"], row["supplier"]): row for row in csv.DictReader(handle)}
    assert rows[("euv_scanner", "asml")]["levers"] == "align:NLD:lithography"
    assert float(rows[("euv_scanner", "asml")]["accessible"]) == pytest.approx(0.05)
    assert rows[("etch_tool", "amec")]["covered"] == "False"
    assert float(rows[("etch_tool", "amec")]["flow"]) == pytest.approx(0.2)


def test_same_inputs_give_byte_identical_results(example_run: Path, tmp_path: Path) -> None:
    assert main(["run", str(EXAMPLE), "--out", str(tmp_path)]) == 0
    again = tmp_path / "example"
    for name in ("levers.csv", "routes.csv"):
        assert (again / name).read_bytes() == (example_run / name).read_bytes()
    first = json.loads((example_run / "summary.json").read_text())
    second = json.loads((again / "summary.json").read_text())
    first.pop("timings")
    second.pop("timings")
    assert json.dumps(first) == json.dumps(second)


def test_rerun_replaces_the_result_folder_and_keeps_the_previous_one(tmp_path: Path) -> None:
    assert main(["run", str(EXAMPLE), "--out", str(tmp_path)]) == 0
    (tmp_path / "example" / "stale.txt").write_text("from an older run")
    assert main(["run", str(EXAMPLE), "--out", str(tmp_path)]) == 0
    assert sorted(path.name for path in tmp_path.iterdir()) == ["example", "example.previous"]
    assert not (tmp_path / "example" / "stale.txt").exists()
    assert (tmp_path / "example.previous" / "stale.txt").exists()


def test_json_flag_prints_only_the_summary(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    assert main(["run", str(EXAMPLE), "--out", str(tmp_path), "--json"]) == 0
    printed = json.loads(capfd.readouterr().out)
    assert printed["capability"] == pytest.approx(0.29)


def test_bad_input_exits_2_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    scenario = tmp_path / "broken.yaml"
    scenario.write_text(
        EXAMPLE.read_text()
        .replace("model: ../models/example.yaml", f"model: {EXAMPLE_WORLD}")
        .replace("  NLD: {align_cost: 3", "  NDL: {align_cost: 3")
    )
    out = tmp_path / "out"
    assert main(["run", str(scenario), "--out", str(out)]) == 2
    assert f"{scenario}:11: partners.NDL: unknown country 'NDL' (did you mean 'NLD'?)" in (
        capsys.readouterr().err.splitlines()
    )
    assert not out.exists()


def test_validate_accepts_the_shipped_example(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(EXAMPLE_WORLD), str(EXAMPLE)]) == 0
    assert capsys.readouterr().out.splitlines() == [
        f"{EXAMPLE_WORLD}: valid world model",
        f"{EXAMPLE}: valid scenario",
    ]
