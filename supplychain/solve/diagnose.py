"""Why a scenario has no policy: the pins, rules and budgets that conflict.

An infeasible solve means no lever set satisfies every rule at once. The rules are monotone, so
the causes can be found exactly without search. Let F be the *forced set*: the pinned-on levers
closed under "a needs b" (``requires``) and "a goes with b" (``same``, the plurilateral common
list). Every feasible policy contains F, and both costs only grow with the lever set, hence:

* a pinned-on lever whose closure meets a pinned-off lever conflicts with that pin;
* in evaluate mode (exactly the pinned levers) a lever of F that is not pinned is missing;
* if cost(F) exceeds a budget, the pins alone break it;
* otherwise F itself is a policy, and only ``objective.max_capability`` can be out of reach:
  the least capability within pins and budgets (one more exact solve) says by how much.

Each finding is a :class:`~supplychain.errors.Problem` located at the pin or budget concerned.
"""

from __future__ import annotations

from dataclasses import replace

from supplychain.errors import Problem
from supplychain.inputs.messages import FieldPath
from supplychain.inputs.schema import Scenario
from supplychain.inputs.yamldoc import Document
from supplychain.model.follower import FollowerLP
from supplychain.model.instance import Instance, Lever, pin_lever
from supplychain.solve.lexicographic import solve


def closure(instance: Instance, levers: set[Lever]) -> set[Lever]:
    """``levers`` with every lever they need or go with, transitively."""
    return {needed for lever in levers for needed in instance.with_requirements(lever)}


def labels(levers: set[Lever]) -> str:
    """Lever labels, sorted, comma-separated."""
    return ", ".join(lever.label for lever in sorted(levers))


def pin_paths(scenario: Scenario) -> dict[Lever, FieldPath]:
    """Where each pinned lever is written in the scenario (its first pin)."""
    paths: dict[Lever, FieldPath] = {}
    for side in ("on", "off"):
        for index, pin in enumerate(getattr(scenario.fixed, side)):
            paths.setdefault(pin_lever(pin), ("fixed", side, index))
    return paths


def pin_problems(instance: Instance, scenario: Scenario, document: Document) -> list[Problem]:
    """Pinned-on levers that need a lever pinned off, or (evaluate mode) one not pinned on."""
    paths = pin_paths(scenario)
    problems = []
    for lever in sorted(instance.pinned_on):
        needed = closure(instance, {lever}) - {lever}
        path = paths.get(lever, ("fixed", "on"))
        for other in sorted(needed & instance.pinned_off):
            where = "pinned off" if other in paths else "not available in this option"
            problems.append(
                document.problem(path, f"{lever.label} needs {other.label}, which is {where}")
            )
        if instance.mode == "evaluate":
            for other in sorted(needed - instance.pinned_on - instance.pinned_off):
                problems.append(
                    document.problem(
                        path,
                        f"{lever.label} needs {other.label}, which evaluate mode leaves off "
                        "(pin it on too)",
                    )
                )
    return problems


def budget_problems(instance: Instance, document: Document, forced: set[Lever]) -> list[Problem]:
    """Budgets the pinned levers (with what they need) break on their own."""
    diplomatic, economic = instance.cost(forced)
    pins = f"the pinned levers {labels(forced)}" if forced else "no lever at all"
    problems = []
    if instance.budget_diplomatic is not None and diplomatic > instance.budget_diplomatic + 1e-9:
        problems.append(
            document.problem(
                ("budget", "diplomatic"),
                f"{pins} cost {diplomatic:g} diplomatic units, more than the budget of "
                f"{instance.budget_diplomatic:g}",
            )
        )
    if instance.budget_economic is not None and economic > instance.budget_economic * (1 + 1e-9):
        problems.append(
            document.problem(
                ("budget", "economic_usd"),
                f"{pins} cost {economic:.4g} USD of lost sales, more than the budget of "
                f"{instance.budget_economic:.4g}",
            )
        )
    return problems


def capability_problems(instance: Instance, document: Document) -> list[Problem]:
    """``max_capability`` below the least capability any policy within pins and budgets
    reaches."""
    if instance.max_capability is None:
        return []
    relaxed = replace(instance, minimize="capability", max_capability=None)
    least = solve(relaxed, FollowerLP(relaxed)).capability
    if least is None or least <= instance.max_capability:
        return []
    return [
        document.problem(
            ("objective", "max_capability"),
            f"no policy within the pins and budgets brings capability down to "
            f"{instance.max_capability:g}; the least it can reach is {least:.4g}",
        )
    ]


def explain_infeasible(instance: Instance, scenario: Scenario, document: Document) -> list[Problem]:
    """Why ``instance`` (built from ``scenario``, read from ``document``) has no policy, one
    located problem per cause (see the module docstring)."""
    forced = closure(instance, set(instance.pinned_on))
    problems = (
        pin_problems(instance, scenario, document)
        or budget_problems(instance, document, forced)
        or capability_problems(instance, document)
    )
    if problems:
        return problems
    return [
        document.problem(
            ("fixed",), "no lever set satisfies the pins, the policy rules and the budgets"
        )
    ]
