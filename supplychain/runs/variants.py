"""Variants of a scenario: one per ``compare`` option and one per ``sweep`` value (DESIGN §5).

A compare option keeps the scenario but lets only its ``partners`` align (``all``, ``none`` or
a list of the scenario's partners), switches FDPR off when ``fdpr: false``, and with
``regime: plurilateral`` makes every member adopt the controller's common list,
``align[c,k] = control[k]``. A sweep value replaces one parameter: a budget,
``leakage.default``, ``de_minimis`` or, with ``objective: {minimize: cost}``, ``max_capability``.
"""

from __future__ import annotations

from dataclasses import dataclass

from supplychain.inputs.schema import CompareOption, Scenario


@dataclass(frozen=True)
class Variant:
    """One scenario to solve, and how to name it in a table."""

    label: str
    scenario: Scenario
    plurilateral: bool = False
    aligners: tuple[str, ...] | None = None
    """The partners that may align (None: all the scenario's partners)."""


def option_partners(scenario: Scenario, option: CompareOption) -> list[str]:
    """The partners a compare option lets align."""
    if option.partners == "all":
        return sorted(scenario.partners)
    if option.partners == "none":
        return []
    return sorted(option.partners)


def compare_variant(scenario: Scenario, option: CompareOption) -> Variant:
    """The scenario as a compare option poses it. Partners outside the option keep their
    prices (an FDPR on them still costs their ``fdpr_cost``); they only may not align."""
    levers = scenario.levers.model_copy(
        update={"fdpr": scenario.levers.fdpr if option.fdpr else "none"}
    )
    return Variant(
        option.name,
        scenario.model_copy(update={"levers": levers}),
        plurilateral=option.regime == "plurilateral",
        aligners=tuple(option_partners(scenario, option)),
    )


def compare_variants(scenario: Scenario) -> list[Variant]:
    """One variant per compare option, in the scenario's order."""
    return [compare_variant(scenario, option) for option in scenario.compare]


def sweep_variants(scenario: Scenario) -> list[Variant]:
    """One variant per sweep value, in the scenario's order."""
    if scenario.sweep is None:
        return []
    parameter = scenario.sweep.parameter
    variants = []
    for value in scenario.sweep.values:
        update: dict[str, object]
        if parameter.startswith("budget."):
            field = parameter.removeprefix("budget.")
            update = {"budget": scenario.budget.model_copy(update={field: value})}
        elif parameter == "leakage.default":
            update = {"leakage": scenario.leakage.model_copy(update={"default": value})}
        elif parameter == "de_minimis":
            update = {"de_minimis": value}
        else:
            update = {"objective": scenario.objective.model_copy(update={"max_capability": value})}
        variants.append(Variant(f"{value:g}", scenario.model_copy(update=update)))
    return variants
