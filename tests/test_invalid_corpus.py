"""The bad-input corpus (``tests/data/invalid/``): every broken file is refused the same way.

For each world model and scenario listed in ``expected.yaml`` the real command line runs from
inside the corpus folder, so files display as their bare names: exit code 2, exactly the listed
``file:line: field: message`` lines on standard error, no traceback, and nothing written —
neither under ``--out`` nor beside the inputs.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from supplychain.cli import main

CORPUS = Path(__file__).resolve().parent / "data" / "invalid"
EXPECTED: dict[str, dict[str, str]] = yaml.safe_load((CORPUS / "expected.yaml").read_text())
WORLDS = {name: lines.splitlines() for name, lines in EXPECTED["worlds"].items()}
SCENARIOS = {name: lines.splitlines() for name, lines in EXPECTED["scenarios"].items()}
VALID = sorted(path.name for path in CORPUS.glob("valid-*.yaml"))
PROGRESS = ("loading ", "solving ")
"""How the lines ``supplychain run`` prints about its progress begin (all else is a problem)."""


@pytest.fixture
def in_corpus(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Work inside the corpus folder; the folder's listing, to check that nothing is added."""
    monkeypatch.chdir(CORPUS)
    return sorted(os.listdir(CORPUS))


def test_the_corpus_is_large_and_every_file_has_its_expected_lines() -> None:
    assert len(WORLDS) + len(SCENARIOS) >= 40
    assert all(name.startswith("world-") for name in WORLDS)
    assert all(name.startswith("scenario-") for name in SCENARIOS)
    assert sorted(path.name for path in CORPUS.iterdir()) == sorted(
        [*WORLDS, *SCENARIOS, *VALID, "expected.yaml"]
    )


@pytest.mark.parametrize("name", VALID)
def test_the_worlds_the_scenarios_point_at_are_valid(
    in_corpus: list[str], capsys: pytest.CaptureFixture[str], name: str
) -> None:
    assert main(["validate", name]) == 0
    assert capsys.readouterr().err == ""


@pytest.mark.parametrize("name", sorted(WORLDS))
def test_broken_world_model(
    in_corpus: list[str], capsys: pytest.CaptureFixture[str], name: str
) -> None:
    assert main(["validate", name]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.splitlines() == WORLDS[name]
    assert sorted(os.listdir(CORPUS)) == in_corpus


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_broken_scenario_run(
    in_corpus: list[str], capsys: pytest.CaptureFixture[str], tmp_path: Path, name: str
) -> None:
    out = tmp_path / "results"
    assert main(["run", name, "--out", str(out)]) == 2
    lines = capsys.readouterr().err.splitlines()
    assert [line for line in lines if not line.startswith(PROGRESS)] == SCENARIOS[name]
    assert "Traceback" not in "\n".join(lines)
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []
    assert sorted(os.listdir(CORPUS)) == in_corpus


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_broken_scenario_validate(
    in_corpus: list[str], capsys: pytest.CaptureFixture[str], name: str
) -> None:
    assert main(["validate", name]) == 2
    assert capsys.readouterr().err.splitlines() == SCENARIOS[name]


def supplychain(*arguments: str) -> subprocess.CompletedProcess[str]:
    """``python -m supplychain`` in a fresh process inside the corpus folder, as a shell runs it."""
    return subprocess.run(
        [sys.executable, "-m", "supplychain", *arguments],
        capture_output=True,
        text=True,
        check=False,
        cwd=CORPUS,
    )


def test_a_fresh_process_validates_the_whole_corpus_without_a_traceback() -> None:
    """One ``supplychain validate`` of every broken file: each file's lines, in order."""
    names = [*sorted(WORLDS), *sorted(SCENARIOS)]
    completed = supplychain("validate", *names)
    assert completed.returncode == 2
    assert "Traceback" not in completed.stderr
    assert completed.stderr.splitlines() == [
        line for name in names for line in (WORLDS | SCENARIOS)[name]
    ]
    assert completed.stdout == ""


@pytest.mark.parametrize(
    "name", ["scenario-name-with-path-separators.yaml", "scenario-pinned-on-and-off.yaml"]
)
def test_a_fresh_process_runs_a_broken_scenario_without_a_traceback(
    tmp_path: Path, name: str
) -> None:
    out = tmp_path / "results"
    completed = supplychain("run", name, "--out", str(out))
    assert completed.returncode == 2
    assert "Traceback" not in completed.stderr
    lines = completed.stderr.splitlines()
    assert [line for line in lines if not line.startswith(PROGRESS)] == SCENARIOS[name]
    assert not out.exists()
