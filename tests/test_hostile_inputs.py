"""Hostile and extreme inputs: control characters in what is echoed, weights whose sum overflows,
numbers the solver cannot resolve, content shares above one, and names matplotlib would read
as mathtext.

Each case goes through the real command line (``supplychain.cli.main``, and one fresh process)
or the real pipeline, on copies of the example world and scenario with one thing changed.
"""

from __future__ import annotations

import copy
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml
from conftest import EXAMPLE, EXAMPLE_WORLD
from matplotlib.figure import Figure
from matplotlib.text import Text
from matplotlib.ticker import FixedFormatter, FixedLocator

from supplychain.cli import main
from supplychain.errors import Problem, escape_controls
from supplychain.inputs.yamldoc import parse_document
from supplychain.report.figures import compare_figure, png
from supplychain.runs.pipeline import Run, load, solve_scenario

HOSTILE = "\n\r\x1b[2J\u2028"
"""A newline, a carriage return, the ANSI escape that clears the screen, a line separator."""
SHOWN = "\\n\\r\\x1b[2J\\u2028"
"""How :data:`HOSTILE` must appear in every echoed line."""

World = dict[str, Any]
Scenario = dict[str, Any]


def example_data() -> tuple[World, Scenario]:
    """The example world model and scenario as data (read as the tool reads them)."""
    world = parse_document(EXAMPLE_WORLD.read_text(), "world").data
    scenario = parse_document(EXAMPLE.read_text(), "scenario").data
    return world, scenario


def write_pair(
    folder: Path,
    edit: Callable[[World, Scenario], None] = lambda world, scenario: None,
    world_name: str = "world.yaml",
    scenario_name: str = "scenario.yaml",
) -> Path:
    """The example world and scenario with ``edit`` applied, written into ``folder`` under the
    given file names; the scenario's path."""
    world, scenario = (copy.deepcopy(part) for part in example_data())
    scenario["model"] = world_name
    edit(world, scenario)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / world_name).write_text(yaml.safe_dump(world, sort_keys=False, allow_unicode=True))
    path = folder / scenario_name
    path.write_text(yaml.safe_dump(scenario, sort_keys=False, allow_unicode=True))
    return path


def stderr_lines(text: str) -> list[str]:
    """Standard error split at its newlines only: each line must be printable on its own (no
    control, separator or bidirectional character: ``str.isprintable`` refuses them all)."""
    assert text.endswith("\n")
    lines = text[:-1].split("\n")
    assert all(line.isprintable() for line in lines), lines
    return lines


# --- 1. Control characters never reach the terminal ---------------------------------------


def hostile_world(world: World, scenario: Scenario) -> None:
    """A key, a value and a key that is not an id, each with :data:`HOSTILE` in it."""
    world["items"][f"fake{HOSTILE}item"] = {"kind": "tool"}
    world["routes"][2]["supplier"] = f"asml{HOSTILE}"
    world[f"extra{HOSTILE}"] = 1


def hostile_lines(shown: str) -> list[str]:
    """The problems of :func:`hostile_world` as they must be printed, for a world file that
    must be shown as ``shown``."""
    return [
        f"{shown}:50: items.fake{SHOWN}item: not a valid name: 'fake{SHOWN}item' (use letters, "
        "digits, '_', '-', '.'; no spaces or path separators)",
        f"{shown}:107: routes[2].supplier: not a valid name: 'asml{SHOWN}' (use letters, "
        "digits, '_', '-', '.'; no spaces or path separators)",
        f"{shown}:144: extra{SHOWN}: unknown key 'extra{SHOWN}'",
    ]


def test_escape_controls_writes_each_control_character_as_a_repr_does() -> None:
    text = "a\nb\rc\td\x1b[2Je\x7ff\x85g\u2028h\u2029i\u202ej\u2066k\u061cl\udcff"
    escaped = escape_controls(text)
    assert escaped == (
        "a\\nb\\rc\\td\\x1b[2Je\\x7ff\\x85g\\u2028h\\u2029i\\u202ej\\u2066k\\u061cl\\udcff"
    )
    assert escape_controls(escaped) == escaped
    assert escape_controls("plain, é, 中文, \\n as written") == "plain, é, 中文, \\n as written"


def test_a_problem_is_one_line_whatever_its_file_field_and_message_hold() -> None:
    problem = Problem(f"models/{HOSTILE}.yaml", 3, f"items.{HOSTILE}", f"bad {HOSTILE}")
    assert str(problem) == f"models/{SHOWN}.yaml:3: items.{SHOWN}: bad {SHOWN}"


def test_validate_prints_one_escaped_line_per_problem(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_pair(tmp_path, hostile_world, world_name=f"world{HOSTILE}.yaml")
    assert main(["validate", str(tmp_path / f"world{HOSTILE}.yaml")]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert stderr_lines(captured.err) == hostile_lines(f"{tmp_path}/world{SHOWN}.yaml")


def test_run_escapes_the_scenario_and_world_names_and_their_problems(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The scenario's file name, its ``model`` value and the world model's problems."""
    scenario = write_pair(
        tmp_path,
        hostile_world,
        world_name=f"world{HOSTILE}.yaml",
        scenario_name=f"scenario{HOSTILE}.yaml",
    )
    out = tmp_path / "results"
    assert main(["run", str(scenario), "--out", str(out)]) == 2
    lines = stderr_lines(capsys.readouterr().err)
    assert lines == [
        f"loading {tmp_path}/scenario{SHOWN}.yaml",
        *hostile_lines(f"{tmp_path}/world{SHOWN}.yaml"),
    ]
    assert not out.exists()


def test_error_lines_escape_exception_messages_and_file_names(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``report`` of a folder that is not a result folder, ``new`` into a folder that exists,
    and a time limit that is not a number: each one escaped line."""
    folder = tmp_path / f"results{HOSTILE}"
    assert main(["report", str(folder)]) == 2
    (line,) = stderr_lines(capsys.readouterr().err)
    assert f"{tmp_path}/results{SHOWN}" in line

    existing = tmp_path / f"project{HOSTILE}"
    (existing / "models").mkdir(parents=True)
    (existing / "models" / "example.yaml").write_text("")
    assert main(["new", str(existing)]) == 2
    (line,) = stderr_lines(capsys.readouterr().err)
    assert line.startswith("error: ") and "already exists" in line
    assert f"project{SHOWN}" in line

    with pytest.raises(SystemExit):
        main(["run", str(EXAMPLE), "--time-limit", f"5{HOSTILE}"])
    assert f"got '5{SHOWN}'" in stderr_lines(capsys.readouterr().err)[-1]


def test_validate_of_a_valid_file_escapes_its_name_on_standard_output(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    world = tmp_path / f"world{HOSTILE}.yaml"
    world.write_text(EXAMPLE_WORLD.read_text())
    assert main(["validate", str(world)]) == 0
    assert capsys.readouterr().out == f"{tmp_path}/world{SHOWN}.yaml: valid world model\n"


def test_a_fresh_process_prints_one_escaped_line_per_problem(tmp_path: Path) -> None:
    world_name = f"world{HOSTILE}.yaml"
    write_pair(tmp_path, hostile_world, world_name=world_name)
    completed = subprocess.run(
        [sys.executable, "-m", "supplychain", "validate", world_name],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
    )
    assert completed.returncode == 2
    assert completed.stdout == ""
    assert stderr_lines(completed.stderr) == hostile_lines(f"world{SHOWN}.yaml")


# --- 2. Target weights whose sum overflows ------------------------------------------------


def two_targets(weight: float) -> Callable[[World, Scenario], None]:
    """Two targets of equal ``weight``: advanced logic and etch tools."""

    def edit(world: World, scenario: Scenario) -> None:
        scenario["targets"] = {
            "advanced_logic": {"demand": 0.5, "weight": weight},
            "etch_tool": {"demand": 0.1, "weight": weight},
        }

    return edit


def solved(path: Path) -> Run:
    loaded, _ = load(path)
    return solve_scenario(loaded)


def test_weights_of_1e308_weigh_as_weights_of_1(tmp_path: Path) -> None:
    """Each weight is valid, their sum is not a float; only their ratio counts."""
    huge = solved(write_pair(tmp_path / "huge", two_targets(1e308)))
    ones = solved(write_pair(tmp_path / "ones", two_targets(1.0)))
    assert [target.value for target in huge.instance.targets] == pytest.approx(
        [target.value for target in ones.instance.targets], rel=1e-15
    )
    assert huge.outcome.status == ones.outcome.status == "optimal"
    assert huge.outcome.capability == pytest.approx(ones.outcome.capability, abs=1e-12)
    assert ones.outcome.capability is not None and ones.outcome.capability > 0.5
    assert huge.outcome.levers == ones.outcome.levers
    assert huge.baseline.capability == ones.baseline.capability == pytest.approx(1.0)


# --- 3. Numbers the solver cannot resolve -------------------------------------------------


def route_field(index: int, key: str, value: Any) -> Callable[[World, Scenario], None]:
    def edit(world: World, scenario: Scenario) -> None:
        world["routes"][index][key] = value

    return edit


def route_input(index: int, item: str, value: float) -> Callable[[World, Scenario], None]:
    def edit(world: World, scenario: Scenario) -> None:
        world["routes"][index]["inputs"][item] = value

    return edit


def scenario_field(*path: str, value: Any) -> Callable[[World, Scenario], None]:
    def edit(world: World, scenario: Scenario) -> None:
        holder = scenario
        for key in path[:-1]:
            holder = holder.setdefault(key, {})
        holder[path[-1]] = value

    return edit


def market(item: str, value: float) -> Callable[[World, Scenario], None]:
    def edit(world: World, scenario: Scenario) -> None:
        world["items"][item]["market_usd"] = value

    return edit


OUT_OF_RANGE = {
    "input quantity 1e-300": (
        route_input(1, "duv_scanner", 1e-300),
        "world.yaml:100: routes[1].inputs.duv_scanner: must be at least 1e-06, got 1e-300",
    ),
    "input quantity 1e12": (
        route_input(1, "etch_tool", 1e12),
        "world.yaml:101: routes[1].inputs.etch_tool: must be at most 1e+06, got 1e+12",
    ),
    "demand 1e-20": (
        scenario_field("targets", "advanced_logic", "demand", value=1e-20),
        "scenario.yaml:12: targets.advanced_logic.demand: must be at least 1e-06, got 1e-20",
    ),
    "demand 1e6": (
        scenario_field("targets", "advanced_logic", "demand", value=1e6),
        "scenario.yaml:12: targets.advanced_logic.demand: must be at most 1000, got 1e+06",
    ),
    "alignment cost 1e20": (
        scenario_field("partners", "NLD", "align_cost", value=1e20),
        "scenario.yaml:15: partners.NLD.align_cost: must be at most 1e+06, got 1e+20",
    ),
    "default FDPR cost 1e15": (
        scenario_field("costs", "fdpr_default", value=1e15),
        "scenario.yaml:41: costs.fdpr_default: must be at most 1e+06, got 1e+15",
    ),
    "market 1e30": (
        market("euv_scanner", 1e30),
        "world.yaml:28: items.euv_scanner.market_usd: must be at most 1e+15, got 1e+30",
    ),
    "capacity 1e15": (
        route_field(2, "capacity", 1e15),
        "world.yaml:106: routes[2].capacity: must be at most 1000, got 1e+15",
    ),
    "capacity 1e308": (
        route_field(2, "capacity", 1e308),
        "world.yaml:106: routes[2].capacity: must be at most 1000, got 1e+308",
    ),
}
"""Each number alone valid before, each breaking the solve (an ``IndexError`` from a model
HiGHS refused, an ``InternalError`` from a MILP that disagrees with the adversary's LP, a
time-out of HiGHS): the edit, and how its line must begin."""


@pytest.mark.parametrize("case", sorted(OUT_OF_RANGE))
def test_a_number_out_of_the_solvers_range_is_refused_at_its_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, case: str
) -> None:
    edit, start = OUT_OF_RANGE[case]
    write_pair(tmp_path, edit)
    monkeypatch.chdir(tmp_path)
    assert main(["run", "scenario.yaml", "--out", "results"]) == 2
    lines = stderr_lines(capsys.readouterr().err)
    assert lines[0] == "loading scenario.yaml"
    (problem,) = lines[1:]
    assert problem.startswith(start)
    assert problem.endswith(")")
    assert sorted(path.name for path in tmp_path.iterdir()) == ["scenario.yaml", "world.yaml"]


def scaled_amounts(factor: float) -> Callable[[World, Scenario], None]:
    """Demand and every capacity times ``factor``: the same question in other units."""

    def edit(world: World, scenario: Scenario) -> None:
        scenario["targets"]["advanced_logic"]["demand"] *= factor
        for route in world["routes"]:
            if "capacity" in route:
                route["capacity"] *= factor

    return edit


@pytest.mark.parametrize("factor", [2e-6, 1e3])
def test_amounts_at_the_edges_of_the_ranges_give_the_examples_answer(
    tmp_path: Path, factor: float
) -> None:
    """The example with its demand at 1e-6 (capacities alike), and with capacities up to 1000."""
    example = solved(write_pair(tmp_path / "example"))
    scaled = solved(write_pair(tmp_path / "scaled", scaled_amounts(factor)))
    assert scaled.outcome.status == "optimal"
    assert scaled.outcome.capability == pytest.approx(example.outcome.capability, abs=1e-9)
    assert scaled.outcome.levers == example.outcome.levers


def test_ranges_that_compound_past_what_highs_accepts_are_an_internal_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Demand 1e-6 and two input quantities of 1e-6 in a chain (logic ← scanners ← light
    sources) give light sources a big-M of 1e18, which HiGHS refuses: exit 1 with a message
    that says so, not an ``IndexError``."""

    def chain(world: World, scenario: Scenario) -> None:
        scenario["targets"]["advanced_logic"]["demand"] = 1e-6
        world["routes"][1]["inputs"]["duv_scanner"] = 1e-6
        world["routes"][5]["inputs"]["light_source"] = 1e-6

    scenario = write_pair(tmp_path, chain)
    assert main(["run", str(scenario), "--out", str(tmp_path / "results")]) == 1
    error = stderr_lines(capsys.readouterr().err)[-1]
    assert error.startswith("error: InternalError: HiGHS refused the leader MILP")
    assert not (tmp_path / "results").exists()


# --- 4. Content shares of one product above one --------------------------------------------


def test_content_shares_adding_up_to_one_in_decimals_are_accepted(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """0.05 + 0.55 + 0.3 + 0.1 is a little over 1 in binary floating point, and still one
    product."""

    def shares(world: World, scenario: Scenario) -> None:
        world["suppliers"]["tel"]["content"] = {"USA": 0.05, "KOR": 0.55, "JPN": 0.3, "NLD": 0.1}

    write_pair(tmp_path, shares)
    assert main(["validate", str(tmp_path / "world.yaml")]) == 0
    assert capsys.readouterr().err == ""


# --- 5. Names that look like mathtext ------------------------------------------------------

MATH_NAMES = {
    "euv_scanner": "$\\frac{1}{0}$ chip",
    "etch_tool": "50$ scanners and 20$ etch",
    "duv_scanner": "$\\foo$ tools",
}
"""Item names matplotlib reads as mathtext: a fraction, dollars, an unknown command (which
makes mathtext raise)."""


def test_a_run_draws_item_names_with_dollar_signs_as_plain_text(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def names(world: World, scenario: Scenario) -> None:
        for item, name in MATH_NAMES.items():
            world["items"][item]["name"] = name

    scenario = write_pair(tmp_path, names)
    out = tmp_path / "results"
    assert main(["run", str(scenario), "--out", str(out)]) == 0
    capsys.readouterr()
    figures = out / "example" / "figures"
    assert {path.name for path in figures.iterdir()} >= {"gap_heatmap.png", "waterfall.png"}
    assert "$\\foo$ tools" in (out / "example" / "items.csv").read_text()


def labelled_figure(label: str) -> Figure:
    """A small figure with ``label`` as title, as tick labels (set directly, and made by a
    formatter), as text and as legend entry."""
    figure = Figure(figsize=(3, 2))
    axes = figure.add_subplot()
    axes.plot([0, 1], [0, 1], label=label)
    axes.set_xticks([0, 1], [label, "b"])
    axes.yaxis.set_major_locator(FixedLocator([0.0, 1.0]))
    axes.yaxis.set_major_formatter(FixedFormatter(["a", label]))
    axes.set_title(label)
    axes.text(0.1, 0.5, label)
    axes.legend()
    return figure


@pytest.mark.parametrize("label", ["50$ scanners and 20$ etch", "$\\frac{1}{0}$ chip", "$\\foo$"])
def test_every_text_of_a_figure_is_drawn_as_plain_text(label: str) -> None:
    """:func:`png` draws the text as matplotlib draws it with mathtext off (the same bytes),
    the tick labels that drawing adds included."""
    plain = labelled_figure(label)
    for text in plain.findobj(Text):
        if isinstance(text, Text):
            text.set_parse_math(False)
    figure = labelled_figure(label)
    assert png(figure) == png(plain)
    drawn = [text for text in figure.findobj(Text) if isinstance(text, Text)]
    assert label in [text.get_text() for text in figure.axes[0].get_yticklabels()]
    assert not any(text.get_parse_math() for text in drawn)


def test_a_compare_option_named_like_mathtext_is_drawn() -> None:
    table = pd.DataFrame(
        {
            "option": ["$\\foo$ alone", "US+NL 5$"],
            "status": ["optimal", "optimal"],
            "capability": [0.4, 0.2],
            "diplomatic": [0.0, 3.0],
        }
    )
    assert png(compare_figure(table)).startswith(b"\x89PNG")
