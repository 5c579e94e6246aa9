"""The example shipped as package data: the same files as the repository's, and
``supplychain new`` starting a project from them."""

from __future__ import annotations

from pathlib import Path

import pytest

from supplychain.cli import main
from supplychain.examples import EXAMPLE_FILES, example_folder

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("relative", EXAMPLE_FILES, ids=str)
def test_the_package_data_is_the_repository_example(relative: Path) -> None:
    assert (example_folder() / relative).read_bytes() == (ROOT / relative).read_bytes()


def test_new_writes_a_project_that_runs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    project = tmp_path / "study"
    assert main(["new", str(project)]) == 0
    assert sorted(str(path.relative_to(project)) for path in project.rglob("*.yaml")) == [
        "models/example.yaml",
        "scenarios/example.yaml",
    ]
    capsys.readouterr()
    assert main(["run", str(project / "scenarios" / "example.yaml"), "--out", str(tmp_path)]) == 0
    assert "adversary capability 0.290 (without levers 1.000)" in capsys.readouterr().out


def test_new_refuses_to_overwrite_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "scenarios").mkdir()
    (tmp_path / "scenarios" / "example.yaml").write_text("mine\n")
    assert main(["new", str(tmp_path)]) == 2
    assert capsys.readouterr().err == (
        f"error: {tmp_path / 'scenarios' / 'example.yaml'}: already exists; nothing was written\n"
    )
    assert (tmp_path / "scenarios" / "example.yaml").read_text() == "mine\n"
    assert not (tmp_path / "models").exists()
