"""The solver's stage machinery: exact stopping gaps, bounds, the two MILP backends."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import EXAMPLE

from supplychain.model.follower import FollowerLP
from supplychain.runs.pipeline import load, solve_scenario
from supplychain.solve.lexicographic import BACKENDS, _bound, build_leader, objective_step, solve

ROOT = Path(__file__).resolve().parents[1]


def with_diplomatic_costs(costs: list[float]) -> object:
    """An object with just the ``diplomatic_cost`` mapping :func:`objective_step` reads."""
    return type("Costs", (), {"diplomatic_cost": dict(enumerate(costs))})()


@pytest.mark.parametrize(
    ("costs", "step"),
    [
        ([3.0, 2.0, 5.0, 0.0], 1.0),
        ([4.0, 6.0], 2.0),
        ([1.5, 2.0], 0.5),
        ([0.1, 0.25], 0.05),
        ([1 / 3, 1.0], None),
        ([0.0, 0.0], None),
    ],
)
def test_diplomatic_step_is_the_gcd_of_decimal_costs(
    costs: list[float], step: float | None
) -> None:
    found = objective_step("diplomatic", with_diplomatic_costs(costs))  # type: ignore[arg-type]
    assert found == (None if step is None else pytest.approx(step))


def test_lever_counts_step_by_one_and_other_objectives_have_no_step() -> None:
    costs = with_diplomatic_costs([1.0])
    assert objective_step("lever_count", costs) == 1.0  # type: ignore[arg-type]
    assert objective_step("capability", costs) is None  # type: ignore[arg-type]
    assert objective_step("economic", costs) is None  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("bound", "step", "expected"),
    [
        (32.9999988, 1.0, 33.0),
        (2.5, 1.0, 3.0),
        (3.0000001, 1.0, 3.0),
        (1.2, 0.5, 1.5),
        (0.2477, None, 0.2477),
        (-0.5, None, 0.0),
        (float("nan"), 1.0, 0.0),
        (None, None, 0.0),
    ],
)
def test_bounds_are_raised_to_zero_and_to_the_next_step(
    bound: float | None, step: float | None, expected: float
) -> None:
    assert _bound(bound, step) == pytest.approx(expected)


@pytest.mark.parametrize("name", ["plurilateral_options", "enforcement", "subsystems"])
def test_both_backends_agree_on_shipped_scenarios(name: str) -> None:
    loaded, _ = load(ROOT / "scenarios" / f"{name}.yaml")
    instance = solve_scenario(loaded).instance
    follower = FollowerLP(instance)
    outcomes = [solve(instance, follower, backend=backend) for backend in BACKENDS]
    reference = outcomes[0]
    assert reference.status == "optimal"
    for outcome in outcomes[1:]:
        assert outcome.status == reference.status
        assert outcome.capability == pytest.approx(reference.capability, abs=1e-9)
        assert outcome.diplomatic == pytest.approx(reference.diplomatic, abs=1e-9)
        assert outcome.economic_usd == pytest.approx(reference.economic_usd, rel=1e-7)
        assert len(outcome.levers) == len(reference.levers)


def test_an_unknown_backend_is_refused() -> None:
    loaded, _ = load(EXAMPLE)
    instance = solve_scenario(loaded).instance
    with pytest.raises(ValueError, match="unknown MILP backend 'cplex'"):
        solve(instance, FollowerLP(instance), backend="cplex")


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_stage_without_a_solution_keeps_the_previous_one_loaded(backend: str) -> None:
    """A tie-break stage stopped before it has a solution (here: made infeasible) leaves the
    earlier stage's levers and capability loaded, so a time-limited run still reports them."""
    loaded, _ = load(EXAMPLE)
    instance = solve_scenario(loaded).instance
    leader = build_leader(instance, backend)
    leader.minimize("capability")
    first = leader.run(None, 0.0, 1e-9)
    chosen, capability = leader.chosen(), leader.capability()
    assert first.status == "optimal"
    assert capability == pytest.approx(0.29)
    leader.hold("capability", -1.0)
    leader.minimize("diplomatic")
    second = leader.run(None, 0.0, 1e-9)
    assert (second.status, second.incumbent) == ("infeasible", None)
    assert leader.chosen() == chosen
    assert leader.capability() == pytest.approx(capability)
