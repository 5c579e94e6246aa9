"""The analysis tables: source-class split, backfill, gaps, what closes them, lever values."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest
from conftest import SHIPPED_SCENARIOS

from supplychain.analysis.tables import SOURCE_CLASSES, TABLE_COLUMNS, analyse
from supplychain.inputs.load import LoadedScenario, LoadedWorld
from supplychain.inputs.schema import Scenario, World
from supplychain.inputs.yamldoc import parse_document
from supplychain.model.follower import FollowerLP
from supplychain.results.files import TABLES
from supplychain.runs.pipeline import Run, solve_scenario

GAP_WORLD = """
name: gap
countries: {USA: {}, CHN: {}, NLD: {}, JPN: {}}
items:
  chips: {kind: capability}
  tool: {kind: tool, market_usd: 1.0e9}
  wafer: {kind: material}
suppliers:
  us_firm: {country: USA}
  nl_firm: {country: NLD}
  jp_firm: {country: JPN}
  cn_firm: {country: CHN}
routes:
  - {item: chips, inputs: {tool: 1, wafer: 2}}
  - {item: tool, supplier: us_firm, capacity: 0.4}
  - {item: tool, supplier: nl_firm, capacity: 0.4}
  - {item: tool, supplier: jp_firm, capacity: 0.2}
  - {item: wafer, supplier: jp_firm, capacity: 0.5}
  - {item: wafer, supplier: cn_firm, capacity: 0.8}
"""
"""Chips need one tool and two wafers per unit; the adversary wants 0.5. Tools: 0.4 each from
the US and the Netherlands, 0.2 from Japan. Wafers: 0.5 from Japan, 0.8 made in China."""


def gap_run(**scenario: Any) -> Run:
    document = parse_document(GAP_WORLD, "gap.yaml")
    world = World.model_validate(document.data)
    parsed = Scenario.model_validate(
        {
            "name": "gap",
            "model": "gap.yaml",
            "targets": {"chips": {"demand": 0.5}},
            "leakage": {"default": 0.05},
            "partners": {"NLD": {"align_cost": 3}},
            "levers": {"fdpr": "none"},
            **scenario,
        }
    )
    loaded_world = LoadedWorld(world, document, document.file, "")
    loaded = LoadedScenario(parsed, document, document.file, "", loaded_world)
    return solve_scenario(loaded)


@pytest.fixture(scope="module")
def us_alone() -> Run:
    """The US controls tools with no budget for alignment (pinned: alone it changes nothing)."""
    return gap_run(budget={"diplomatic": 0}, fixed={"on": [{"control": "tool"}]})


def test_backfill_is_exactly_the_uncovered_foreign_routes_of_controlled_categories(
    us_alone: Run,
) -> None:
    """control::tool covers the US firm (0.4 · 0.05 = 0.02 leaks). The Dutch and Japanese
    tool makers backfill 0.6; Japanese wafers are foreign but uncontrolled; Chinese wafers are
    indigenous. Accessible tools 0.62 ≥ required 0.5: a control gap."""
    analysis = analyse(us_alone)
    classes = dict(
        zip(
            analysis.routes["supplier"] + "/" + analysis.routes["item"],
            analysis.routes["source_class"],
            strict=True,
        )
    )
    assert classes == {
        "/chips": "indigenous",
        "us_firm/tool": "leak",
        "nl_firm/tool": "backfill",
        "jp_firm/tool": "backfill",
        "jp_firm/wafer": "uncontrolled",
        "cn_firm/wafer": "indigenous",
    }
    tool = analysis.items.set_index("item").loc["tool"]
    assert tool["required"] == pytest.approx(0.5)
    assert tool["accessible"] == pytest.approx(0.62)
    assert (tool["leak"], tool["backfill"], tool["indigenous"], tool["uncontrolled"]) == (
        pytest.approx(0.02),
        pytest.approx(0.6),
        0.0,
        0.0,
    )
    assert bool(tool["gap"]) and bool(tool["controlled"])
    wafer = analysis.items.set_index("item").loc["wafer"]
    assert wafer["required"] == pytest.approx(1.0)
    assert not bool(wafer["gap"]) and not bool(wafer["bottleneck"])
    assert list(analysis.backfill[["supplier", "capacity"]].itertuples(index=False)) == [
        ("nl_firm", 0.4),
        ("jp_firm", 0.2),
    ]


def test_what_closes_a_gap_equals_a_resolve_with_the_lever_added(us_alone: Run) -> None:
    """Dutch alignment would leave 0.02 + 0.02 + 0.2 = 0.24 tools: 0.24 of 0.5, so it removes
    0.52 of capability for 3 diplomatic units, over the budget of 0."""
    analysis = analyse(us_alone)
    closers = analysis.closers.set_index("lever")
    align = closers.loc["align:NLD:tool"]
    assert align["capability_removed"] == pytest.approx(0.52)
    assert align["diplomatic_cost"] == pytest.approx(3.0)
    assert align["economic_usd"] == pytest.approx(0.4 * 1e9 * 0.3)
    assert not bool(align["within_budget"])
    follower = FollowerLP(us_alone.instance)
    levers = {lever.label: lever for lever in us_alone.instance.levers}
    for row in analysis.closers.to_dict("records"):
        added = [
            levers[row["lever"]],
            *(levers[label] for label in row["with"].split(";") if label),
        ]
        resolved = follower.evaluate([*us_alone.outcome.levers, *added]).capability
        assert row["capability_removed"] == pytest.approx(
            us_alone.outcome.capability - resolved, abs=1e-9
        )


def test_marginal_values_and_waterfall() -> None:
    """With alignment affordable the optimum is control::tool (reaches the US firm) plus
    align:NLD:tool: 0.24 tools, capability 0.48. Either lever alone leaves 0.62 tools, enough
    for the whole demand, so dropping either regains 0.52; neither removes anything alone, so
    the waterfall takes them as one step."""
    run = gap_run(budget={"diplomatic": 3})
    analysis = analyse(run)
    assert run.outcome.capability == pytest.approx(0.48)
    marginal = analysis.levers.set_index(["kind", "country", "category"])["marginal_capability"]
    assert marginal[("align", "NLD", "tool")] == pytest.approx(0.52)
    assert marginal[("control", "", "tool")] == pytest.approx(0.52)
    assert list(analysis.waterfall["lever"]) == ["no levers", "align:NLD:tool + control::tool"]
    assert list(analysis.waterfall["capability"]) == [pytest.approx(1.0), pytest.approx(0.48)]


@pytest.mark.parametrize("name", [path.stem for path in SHIPPED_SCENARIOS])
def test_source_classes_sum_to_accessible_on_shipped_scenarios(
    name: str, shipped_runs: dict[str, Run]
) -> None:
    items = analyse(shipped_runs[name]).items
    limited = items.dropna(subset=["accessible"])
    assert len(limited) > 0
    pd.testing.assert_series_equal(
        limited[list(SOURCE_CLASSES)].sum(axis=1),
        limited["accessible"],
        check_names=False,
        atol=1e-9,
    )


def test_every_table_has_the_columns_a_result_folder_reader_requires(
    shipped_runs: dict[str, Run],
) -> None:
    """The reader refuses a folder whose tables lack a column of :data:`TABLE_COLUMNS`, so the
    analysis must write exactly those, in that order, for every shipped scenario."""
    assert sorted(TABLE_COLUMNS) == sorted(TABLES)
    for stem, run in shipped_runs.items():
        analysis = analyse(run)
        for name in TABLES:
            assert tuple(getattr(analysis, name).columns) == TABLE_COLUMNS[name], (stem, name)
