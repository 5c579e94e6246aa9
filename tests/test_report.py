"""The gap report: files and figures after a run, rebuilt without solving, the plain-language
summary's numbers, statuses without a policy, escaping, and rendering in a real browser."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import EXAMPLE, example_variant, record_edits
from matplotlib.image import imread

import supplychain.runs.pipeline
from supplychain.cli import main, write_results
from supplychain.report.figures import gap_heatmap
from supplychain.report.write import write_report
from supplychain.runs.pipeline import Run

ROOT = Path(__file__).resolve().parents[1]
FIGURES = ("waterfall", "gap_heatmap", "backfill_by_country", "supply_graph")
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
EMBEDDED_PNG = '<img src="data:image/png;base64,'


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The result folder of ``supplychain run scenarios/example.yaml``."""
    out = tmp_path_factory.mktemp("results")
    assert main(["run", str(EXAMPLE), "--out", str(out)]) == 0
    return out / "example"


@pytest.fixture(scope="module")
def all_controls(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example world under the controller's three controls alone (evaluate mode): EUV
    scanners and light sources become gaps that ASML and Gigaphoton backfill."""
    folder = tmp_path_factory.mktemp("all-controls")
    scenario = example_variant(
        folder,
        name="all-controls",
        mode="evaluate",
        fixed={
            "on": [{"control": "lithography"}, {"control": "etch"}, {"control": "light_sources"}]
        },
    )
    assert main(["run", str(scenario), "--out", str(folder / "out")]) == 0
    return folder / "out" / "all-controls"


def lead(folder: Path) -> str:
    """The summary paragraph of ``report.md``."""
    text = (folder / "report.md").read_text()
    return text.split("## Summary\n\n", 1)[1].split("\n\n", 1)[0]


def test_a_run_writes_the_report_and_four_figures(example: Path) -> None:
    assert (example / "report.md").read_text().startswith("# Gap report: example\n")
    for name in FIGURES:
        data = (example / "figures" / f"{name}.png").read_bytes()
        assert data.startswith(PNG_SIGNATURE)
        assert len(data) > 5_000
    html = (example / "report.html").read_text()
    assert html.count(EMBEDDED_PNG) == len(FIGURES)
    assert "http://" not in html and "https://" not in html


def test_the_report_command_rebuilds_identical_files_without_solving(
    example: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "example"
    shutil.copytree(example, folder)
    before = {
        path.relative_to(folder): path.read_bytes()
        for path in [
            folder / "report.md",
            folder / "report.html",
            *sorted((folder / "figures").iterdir()),
        ]
    }
    (folder / "report.md").unlink()
    (folder / "report.html").unlink()
    shutil.rmtree(folder / "figures")

    def no_solving(*_: object, **__: object) -> None:
        raise AssertionError("supplychain report must not load or solve a scenario")

    monkeypatch.setattr(supplychain.runs.pipeline, "solve_scenario", no_solving)
    monkeypatch.setattr(supplychain.runs.pipeline, "load", no_solving)
    assert main(["report", str(folder)]) == 0
    after = {path: (folder / path).read_bytes() for path in before}
    assert after == before


def test_the_summary_states_the_hand_worked_numbers(example: Path) -> None:
    """README's worked answer: capability 0.29 (0.145 of 0.5) from 1.0, for 3 diplomatic units
    and 11.262 billion USD; etch and EUV scanners bind with shadow price 1."""
    summary = json.loads((example / "summary.json").read_text())
    paragraph = lead(example)
    assert f"keeps {summary['capability']:.0%} of" in paragraph
    assert paragraph.startswith(
        "**With controls on etch and NLD aligned on lithography, the adversary keeps 29% of its "
        "7 nm-class logic wafer capacity goal (0.145 of the 0.5 it wants)**; with no levers it "
        "would keep 100%. The policy costs 3 diplomatic units and 11.3 billion USD of lost "
        "sales."
    )
    assert "No controlled item has a gap" in paragraph
    assert paragraph.endswith(
        "What limits the adversary most: Dry etch tools (shadow price 1) "
        "and EUV lithography scanners (shadow price 1)."
    )
    report = (example / "report.md").read_text()
    assert (
        "| `align:NLD:lithography` |  | 3 | 6.01 billion USD | `duv_scanner`, `euv_scanner` "
        "(2 routes) | 5% | 19 pp |"
    ) in report
    assert (
        "| `control::etch` |  | 0 | 5.26 billion USD | `etch_tool` (2 routes) | 5% | 9.67 pp |"
    ) in report
    assert "No backfill: no uncovered foreign supplier" in report


def test_gaps_are_ranked_with_backfill_and_closers(all_controls: Path) -> None:
    """Etch 0.24 caps the EUV route at 0.24 of 0.5: capability 48%. The light-source control
    covers Cymer (0.7 · 5% leak = 0.035); Gigaphoton's 0.3 is 90% of the 0.335 left, 3.35
    times the 0.1 needed. ASML's content (0.2) is under de minimis, so its EUV scanners (1.0,
    twice the 0.5 needed) are all backfill. Dutch alignment (3 units) removes 19 points; the
    Dutch FDPR (5 units) removes as much but exceeds the budget of 4."""
    paragraph = lead(all_controls)
    assert "the adversary keeps 48% of its" in paragraph
    assert (
        "The control gaps are, largest first, DUV excimer light sources (backfilled by JPN "
        "90%) and EUV lithography scanners (backfilled by NLD 100%)."
    ) in paragraph
    assert (
        "The most effective single extra lever is `align:NLD:lithography` (on EUV "
        "lithography scanners): it would remove a further 19 percentage points"
    ) in paragraph
    report = (all_controls / "report.md").read_text()
    assert "### 1. DUV excimer light sources (`light_source`)" in report
    assert "against the 0.1 it needs (3.35 times its need)" in report
    assert "| Gigaphoton | JPN |  | 0.3 | 90% |" in report
    assert (
        "| 2 | `fdpr:NLD:lithography` |  | 19 pp | 5 | 6.01 billion USD | **over budget** |"
        in report
    )


def test_an_infeasible_run_says_so_first(tmp_path: Path) -> None:
    scenario = example_variant(tmp_path, fixed={"on": [{"fdpr": ["NLD", "lithography"]}]})
    assert main(["run", str(scenario), "--out", str(tmp_path / "out")]) == 1
    folder = tmp_path / "out" / "example"
    report = (folder / "report.md").read_text()
    assert report.split("\n\n")[1].startswith("> **No policy: the solve ended infeasible.**")
    assert lead(folder) == (
        "**No policy was found; with no levers the adversary keeps 100% "
        "of its 7 nm-class logic wafer capacity goal (0.5 of the 0.5 it "
        "wants).**"
    )
    html = (folder / "report.html").read_text()
    assert '<p class="warning"><strong>No policy: the solve ended infeasible.</strong>' in html
    assert html.count(EMBEDDED_PNG) == len(FIGURES)


def test_a_run_stopped_by_its_time_limit_warns_first(example: Path, tmp_path: Path) -> None:
    folder = tmp_path / "example"
    shutil.copytree(example, folder)
    summary = json.loads((folder / "summary.json").read_text())
    (folder / "summary.json").write_text(
        json.dumps({**summary, "status": "time_limit", "mip_gap": 0.05})
    )
    write_report(folder)
    report = (folder / "report.md").read_text()
    assert report.split("\n\n")[1] == (
        "> **Not proven optimal: the solver stopped at its time limit** (relative MIP gap 5%). "
        "The levers below are the best the solver found; a better or cheaper policy may exist."
    )
    assert "the adversary keeps 29% of its" in lead(folder)


@pytest.mark.parametrize("files", [None, [], ["summary.json"]])
def test_a_folder_that_is_not_a_result_gives_exit_2_and_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], files: list[str] | None
) -> None:
    folder = tmp_path / "results"
    if files is not None:
        folder.mkdir()
        for name in files:
            (folder / name).write_text("{}")
    assert main(["report", str(folder)]) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1
    assert error.startswith(f"{folder}: not a result folder (")


def test_names_from_the_inputs_are_escaped(example: Path, tmp_path: Path) -> None:
    """An item name with HTML and Markdown syntax shows as text in both reports."""
    folder = tmp_path / "example"
    shutil.copytree(example, folder)
    items = pd.read_csv(folder / "items.csv", dtype=str, keep_default_na=False)
    items.loc[items["item"] == "etch_tool", "name"] = '<script>alert("x")</script> & *a* | `b`'
    items.to_csv(folder / "items.csv", index=False)
    record_edits(folder)
    write_report(folder)
    html = (folder / "report.html").read_text()
    assert "<script>" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; *a* | `b` (<code>" in html
    markdown = (folder / "report.md").read_text()
    assert '\\<script\\>alert("x")\\</script\\> & \\*a\\* \\| \\`b\\`' in markdown


def test_every_shipped_scenario_gets_a_report(shipped_runs: dict[str, Run], tmp_path: Path) -> None:
    for stem, run in shipped_runs.items():
        folder, record = write_results(run, tmp_path, write_report)
        assert sorted(path.stem for path in (folder / "figures").iterdir()) == sorted(FIGURES), stem
        paragraph = lead(folder)
        if record["capability"] is not None:
            assert f"keeps {record['capability']:.0%} of" in paragraph, stem


@pytest.mark.skipif(shutil.which("chromium") is None, reason="needs Debian's chromium")
def test_the_html_renders_in_headless_chromium(example: Path, tmp_path: Path) -> None:
    shot = tmp_path / "shot.png"
    subprocess.run(
        [
            "chromium",
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={tmp_path / 'profile'}",
            f"--screenshot={shot}",
            "--window-size=1200,2000",
            (example / "report.html").as_uri(),
        ],
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert shot.is_file()
    assert shot.stat().st_size > 50_000
    pixels = imread(shot)[..., :3]
    assert pixels.shape[:2] == (2000, 1200)
    colours = np.unique(pixels.reshape(-1, 3), axis=0)
    assert len(colours) > 50
    assert (pixels.min(axis=2) < 0.3).mean() > 0.01


def test_the_gap_heat_map_shows_at_most_forty_items_and_says_so() -> None:
    """45 capacity-limited items: the first 40 rows are drawn, the title names the cut."""
    items = pd.DataFrame(
        {
            "item": [f"item{n}" for n in range(45)],
            "name": [f"Item {n}" for n in range(45)],
            "world_capacity": 1.0,
            "required": 0.5,
            "indigenous": 0.1,
            "leak": 0.0,
            "backfill": 0.2,
            "uncontrolled": 0.0,
            "accessible": 0.3,
            "gap": False,
            "controlled": True,
        }
    )
    axes = gap_heatmap(items).axes[0]
    assert axes.images[0].get_array().shape == (40, 5)
    rows = [text.get_text() for text in axes.texts if text.get_ha() == "right"]
    assert rows == [f"Item {n} (controlled)" for n in range(40)]
    assert (
        axes.get_title(loc="left")
        .replace("\n", " ")
        .endswith("(the first 40 of 45 items; all are in items.csv)")
    )


def test_a_large_world_details_the_first_gaps_and_cuts_long_tables(
    example: Path, tmp_path: Path
) -> None:
    """120 gaps added to the example's 5 items: the first 40 get a section, and the supply
    table shows 100 of the 125 items; both say where the rest are."""
    folder = tmp_path / "example"
    shutil.copytree(example, folder)
    items = pd.read_csv(folder / "items.csv", dtype=str, keep_default_na=False)
    gap = items[items["item"] == "etch_tool"].iloc[0]
    extra = pd.DataFrame(
        [
            {
                **gap,
                "item": f"part{n:03d}",
                "name": f"Part {n}",
                "gap": "True",
                "controlled": "True",
                "bottleneck": "False",
                "accessible": str(1 + n / 1000),
            }
            for n in range(120)
        ]
    )
    pd.concat([items, extra]).to_csv(folder / "items.csv", index=False)
    record_edits(folder)
    write_report(folder)
    report = (folder / "report.md").read_text()
    assert "### 40. Part 80 (`part080`)" in report and "### 41." not in report
    assert (
        "The first 40 of the 120 gaps are detailed above; every gap is in `items.csv` "
        "(column `gap`), with its backfill in `backfill.csv` and what would close it in "
        "`closers.csv`."
    ) in report
    assert "The first 100 of 125 items are shown; all are in `items.csv`." in report
    assert report.count("| Part ") == 100
