"""Known facts on the curated world model, asserted on real solves of the shipped scenarios."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import SHIPPED_SCENARIOS

from supplychain.analysis.tables import analyse
from supplychain.inputs.load import load_world
from supplychain.model.follower import FollowerLP
from supplychain.model.instance import Lever
from supplychain.runs.batch import solve_all
from supplychain.runs.pipeline import Run

ROOT = Path(__file__).resolve().parents[1]


def test_curated_world_is_valid_and_large_enough() -> None:
    world = load_world(ROOT / "models" / "semiconductors.yaml").world
    assert len(world.items) >= 60 and len(world.suppliers) >= 80
    assert len(world.countries) >= 12
    assert all(item.source for item in world.items.values())
    assert all(route.source for route in world.routes)


@pytest.mark.parametrize("name", [path.stem for path in SHIPPED_SCENARIOS])
def test_every_shipped_scenario_solves_to_optimal(name: str, shipped_runs: dict[str, Run]) -> None:
    run = shipped_runs[name]
    assert run.outcome.status == "optimal"
    assert run.outcome.capability is not None
    assert run.outcome.capability <= run.baseline.capability + 1e-9


def test_us_controls_alone_leave_the_lithography_gap_open(shipped_runs: dict[str, Run]) -> None:
    """With only US controls, lithography is controlled yet reachable: Dutch and Japanese
    scanner makers backfill what US suppliers no longer sell."""
    analysis = analyse(shipped_runs["us_unilateral"])
    lithography = analysis.items[analysis.items["category"] == "lithography"]
    assert lithography["controlled"].all()
    assert lithography["gap"].any()
    gap_items = set(lithography.loc[lithography["gap"], "item"])
    backfillers = set(analysis.backfill.loc[analysis.backfill["item"].isin(gap_items), "country"])
    assert {"NLD", "JPN"} <= backfillers


def test_dutch_and_japanese_alignment_lower_capability_and_no_coalition_raises_it() -> None:
    rows = {
        row.label: row
        for row in solve_all(ROOT / "scenarios" / "plurilateral_options.yaml", "compare", jobs=2)
    }
    assert all(row.status == "optimal" for row in rows.values())
    alone = rows["US alone"].capability
    nl_jp = rows["US+NL+JP"].capability
    six = rows["US+NL+JP+KR+TW+DE"].capability
    assert alone is not None and nl_jp is not None and six is not None
    assert nl_jp < alone - 0.05
    assert six <= nl_jp + 1e-9
    for label, row in rows.items():
        assert row.capability is not None and row.capability <= alone + 1e-9, label


def test_enforcement_closes_the_hbm_backfill_before_diversion_pays(
    shipped_runs: dict[str, Run],
) -> None:
    """With the AI-chip and HBM controls pinned, Korean HBM backfill keeps the adversary at its
    full accelerator goal, so monitoring the transit countries alone removes nothing; once the
    tariff threat on Korea binds HBM, monitoring Singapore and Malaysia pays, and at six units
    it beats licence requirements (which cost two units each)."""
    run = shipped_runs["enforcement"]
    labels = {lever.label for lever in run.outcome.levers}
    assert labels == {
        "control::ai_chips",
        "control::hbm",
        "tariff:KOR:",
        "monitor:SGP:",
        "monitor:MYS:",
    }
    controls = [Lever("control", None, "ai_chips"), Lever("control", None, "hbm")]
    follower = FollowerLP(run.instance)
    monitors = [Lever("monitor", "SGP", None), Lever("monitor", "MYS", None)]
    assert follower.evaluate(controls).capability == pytest.approx(1.0)
    assert follower.evaluate(controls + monitors).capability == pytest.approx(1.0)
    tariff = [*controls, Lever("tariff", "KOR", None)]
    assert follower.evaluate(tariff + monitors).capability < (
        follower.evaluate(tariff).capability - 0.04
    )
    diverted = {(route.item, route.via) for route in run.instance.routes if route.via}
    assert {
        ("ai_accelerators", "SGP"),
        ("ai_accelerators", "MYS"),
        ("ai_accelerators", "ARE"),
        ("hbm", "SGP"),
        ("hbm", "MYS"),
    } <= diverted
