"""Small worlds whose answers are worked out by hand in each test's docstring."""

from __future__ import annotations

from typing import Any

import pytest

from supplychain.inputs.graph import topological_items
from supplychain.inputs.schema import Scenario, World
from supplychain.inputs.yamldoc import parse_document
from supplychain.model.follower import FollowerLP
from supplychain.model.instance import Instance, Lever, build_instance
from supplychain.solve.lexicographic import Outcome, solve

ONE_TOOL_WORLD = """
name: one-tool
countries: {USA: {}, CHN: {}, NLD: {}, JPN: {}, MYS: {}}
items:
  chips: {kind: capability}
  tool: {kind: tool, market_usd: 1.0e9}
suppliers:
  us_firm: {country: USA}
  nl_firm: {country: NLD, content: {USA: 0.3}, direct_product_of: [USA]}
  jp_firm: {country: JPN, content: {USA: 0.1}, direct_product_of: [USA]}
routes:
  - {item: chips, inputs: {tool: 1}}
  - {item: tool, supplier: us_firm, capacity: 0.4}
  - {item: tool, supplier: nl_firm, capacity: 0.4}
  - {item: tool, supplier: jp_firm, capacity: 0.2}
"""
"""The adversary needs one tool per unit of chips (demand 1). Tools: 0.4 from the US, 0.4 from
a Dutch firm with 30 % US content, 0.2 from a Japanese firm with 10 %; both foreign firms make
direct products of US technology. Lost sales per unit of capacity: 1e9 · 0.3 = 3e8."""


def instance_of(world_text: str, scenario: dict[str, Any]) -> Instance:
    world = World.model_validate(parse_document(world_text, "hand.yaml").data)
    parsed = Scenario.model_validate(
        {"name": "hand", "model": "hand.yaml", "targets": {"chips": {}}, **scenario}
    )
    return build_instance(parsed, world, topological_items(world))


def optimum(world_text: str, scenario: dict[str, Any]) -> Outcome:
    instance = instance_of(world_text, scenario)
    return solve(instance, FollowerLP(instance))


def labels(outcome: Outcome) -> list[str]:
    return [lever.label for lever in outcome.levers]


def test_de_minimis_brings_foreign_products_under_control() -> None:
    """control::tool reaches the US firm and the Dutch firm (30 % > 25 %): 1 − 0.8 = 0.2 left."""
    outcome = optimum(ONE_TOOL_WORLD, {"levers": {"fdpr": "none"}})
    assert outcome.capability == pytest.approx(0.2)
    assert labels(outcome) == ["control::tool"]
    assert outcome.economic_usd == pytest.approx(0.8 * 3e8)


def test_without_de_minimis_control_reaches_only_the_controller() -> None:
    """de_minimis: null — control reaches the US firm alone: 0.4 + 0.2 = 0.6 left."""
    outcome = optimum(ONE_TOOL_WORLD, {"levers": {"fdpr": "none"}, "de_minimis": None})
    assert outcome.capability == pytest.approx(0.6)


def test_fdpr_goes_where_it_removes_most_within_budget() -> None:
    """No de minimis; FDPR costs 2 per country, budget 2: control plus FDPR on the Netherlands
    (0.4 of supply) leaves 0.2; on Japan (0.2) it would leave 0.4."""
    outcome = optimum(ONE_TOOL_WORLD, {"de_minimis": None, "budget": {"diplomatic": 2}})
    assert labels(outcome) == ["control::tool", "fdpr:NLD:tool"]
    assert outcome.capability == pytest.approx(0.2)
    assert outcome.diplomatic == pytest.approx(2.0)


def test_fdpr_needs_the_control() -> None:
    """Evaluating FDPR on the Netherlands without the control is not a valid policy."""
    outcome = optimum(
        ONE_TOOL_WORLD,
        {
            "de_minimis": None,
            "mode": "evaluate",
            "fixed": {"on": [{"fdpr": ["NLD", "tool"]}]},
        },
    )
    assert outcome.status == "infeasible"
    assert outcome.capability is None


def test_minimize_cost_breaks_diplomatic_ties_by_lost_sales() -> None:
    """Capability at most 0.5 needs control (0.6 left) plus one FDPR (2 units either way).
    FDPR on Japan loses 0.2 · 3e8 of sales, on the Netherlands 0.4 · 3e8: Japan, leaving 0.4."""
    outcome = optimum(
        ONE_TOOL_WORLD,
        {
            "de_minimis": None,
            "objective": {"minimize": "cost", "max_capability": 0.5},
        },
    )
    assert labels(outcome) == ["control::tool", "fdpr:JPN:tool"]
    assert outcome.capability == pytest.approx(0.4)
    assert outcome.economic_usd == pytest.approx((0.4 + 0.2) * 3e8)


def test_pins_off_take_levers_away() -> None:
    """With the control pinned off (and so FDPR impossible) nothing reaches any tool."""
    outcome = optimum(ONE_TOOL_WORLD, {"fixed": {"off": [{"control": "tool"}]}})
    assert outcome.capability == pytest.approx(1.0)
    assert outcome.levers == ()


def test_evaluate_mode_reports_the_pinned_policy() -> None:
    """control plus FDPR on both countries, leakage 0.1: every route keeps 10 %: 0.1 left, and
    the Dutch route, reached by both control (de minimis) and FDPR, counts its lost sales once."""
    outcome = optimum(
        ONE_TOOL_WORLD,
        {
            "mode": "evaluate",
            "leakage": {"default": 0.1},
            "fixed": {
                "on": [{"control": "tool"}, {"fdpr": ["NLD", "tool"]}, {"fdpr": ["JPN", "tool"]}]
            },
        },
    )
    assert outcome.capability == pytest.approx(0.1)
    assert outcome.economic_usd == pytest.approx(1.0 * 3e8)
    assert outcome.diplomatic == pytest.approx(4.0)


DIVERSION_WORLD = """
name: diversion
countries: {USA: {}, CHN: {}, NLD: {}, MYS: {}}
items:
  chips: {kind: capability}
  tool: {kind: tool}
suppliers:
  nl_firm: {country: NLD}
routes:
  - {item: chips, inputs: {tool: 1}}
  - {item: tool, supplier: nl_firm, via: MYS, capacity: 1.0, leakage: 0.3}
"""
"""All tools reach the adversary diverted through Malaysia; the route's own leakage is 0.3."""


def test_the_strongest_residual_applies_and_residuals_do_not_multiply() -> None:
    """Malaysia's alignment leaves the route's leakage 0.3; monitoring (effect 0.5) leaves 0.5.
    Both together leave min(0.3, 0.5) = 0.3, not 0.15."""
    outcome = optimum(
        DIVERSION_WORLD,
        {
            "partners": {"MYS": {}},
            "pressure": {"MYS": {"monitor_effect": 0.5}},
            "levers": {"monitor": ["MYS"]},
            "mode": "evaluate",
            "fixed": {"on": [{"align": ["MYS", "tool"]}, {"monitor": "MYS"}]},
        },
    )
    assert outcome.capability == pytest.approx(0.3)


def test_control_and_fdpr_do_not_reach_diversion() -> None:
    """Only alignment of the transit country or pressure on it reaches a via-route."""
    instance = instance_of(DIVERSION_WORLD, {"partners": {"MYS": {}}})
    assert [lever.label for lever in instance.levers] == ["align:MYS:tool", "control::tool"]
    assert instance.availability([Lever("control", None, "tool")]) == [1.0, 1.0]


INDIGENOUS_WORLD = """
name: indigenous
countries: {USA: {}, CHN: {}, JPN: {}}
items:
  chips: {kind: capability}
  tool: {kind: tool}
  laser: {kind: subsystem, category: lasers}
suppliers:
  jp_tools: {country: JPN}
  cn_tools: {country: CHN}
  us_lasers: {country: USA}
routes:
  - {item: chips, inputs: {tool: 1}}
  - {item: tool, supplier: jp_tools, capacity: 0.5}
  - {item: tool, supplier: cn_tools, capacity: 0.5, inputs: {laser: 2}}
  - {item: laser, supplier: us_lasers, capacity: 0.6}
"""
"""Tools: 0.5 from Japan, up to 0.5 from a Chinese maker needing two US lasers per tool."""


def test_subsystem_control_starves_the_indigenous_route() -> None:
    """Without levers on Japan, the best the US can do is control lasers: leakage 0.1 leaves
    0.06 lasers, 0.03 Chinese tools, plus Japan's 0.5: capability 0.53 (from 0.8)."""
    instance = instance_of(INDIGENOUS_WORLD, {"leakage": {"default": 0.1}})
    assert FollowerLP(instance).evaluate(()).capability == pytest.approx(0.8)
    outcome = solve(instance, FollowerLP(instance))
    assert labels(outcome) == ["control::lasers"]
    assert outcome.capability == pytest.approx(0.53)


def test_leakage_most_specific_wins() -> None:
    """route leakage > by_category > by_country > default."""
    world = ONE_TOOL_WORLD.replace(
        "{item: tool, supplier: us_firm, capacity: 0.4}",
        "{item: tool, supplier: us_firm, capacity: 0.4, leakage: 0.01}",
    )
    instance = instance_of(
        world,
        {
            "leakage": {
                "default": 0.5,
                "by_country": {"NLD": 0.2, "JPN": 0.3},
                "by_category": {"tool": 0.05},
            }
        },
    )
    assert [route.leakage for route in instance.routes[1:]] == [0.01, 0.05, 0.05]
    other = instance_of(ONE_TOOL_WORLD, {"leakage": {"default": 0.5, "by_country": {"NLD": 0.2}}})
    assert [route.leakage for route in other.routes[1:]] == [0.5, 0.2, 0.5]


def test_monitoring_leaves_one_minus_its_effect_and_a_licence_leaves_leakage() -> None:
    """Monitoring in Malaysia with effect 0.6 leaves 0.4 of the diverted tools; a licence
    requirement on tools to Malaysia (which needs the control) leaves the route's leakage 0.3."""
    scenario = {
        "pressure": {"MYS": {"monitor_effect": 0.6}},
        "levers": {"monitor": ["MYS"], "restrict": ["MYS"]},
    }
    instance = instance_of(DIVERSION_WORLD, scenario)
    follower = FollowerLP(instance)
    monitor, restrict = Lever("monitor", "MYS", None), Lever("restrict", "MYS", "tool")
    assert follower.evaluate([monitor]).capability == pytest.approx(0.4)
    assert follower.evaluate([Lever("control", None, "tool"), restrict]).capability == (
        pytest.approx(0.3)
    )
    assert (restrict, Lever("control", None, "tool")) in instance.requires


TARIFF_WORLD = """
name: tariff
countries: {USA: {}, CHN: {}, KOR: {}}
items:
  chips: {kind: capability}
  tool: {kind: tool}
  memory: {kind: material}
suppliers:
  us_tools: {country: USA}
  kr_memory: {country: KOR}
routes:
  - {item: chips, inputs: {tool: 1, memory: 1}}
  - {item: tool, supplier: us_tools, capacity: 1.0, leakage: 0.5}
  - {item: memory, supplier: kr_memory, capacity: 1.0}
"""
"""Chips need a US tool and Korean memory each. The control on tools leaves their leakage 0.5;
memory is Korean, out of reach of a US control on its own."""


def test_a_tariff_acts_only_on_categories_the_controller_controls() -> None:
    """Tariff threat on Korea (compliance 0.8): alone, or with the control on tools (Korea
    makes no tools), it covers nothing; with the control on memory it leaves 0.2 of memory.
    The optimum with tariffs costing 1 and a budget of 1 is control on memory plus the tariff:
    capability min(1, 0.2) = 0.2, better than control on tools (0.5)."""
    scenario = {
        "pressure": {"KOR": {"tariff_compliance": 0.8}},
        "levers": {"tariff": ["KOR"]},
        "budget": {"diplomatic": 1},
    }
    instance = instance_of(TARIFF_WORLD, scenario)
    follower = FollowerLP(instance)
    tariff = Lever("tariff", "KOR", None)
    control_tool, control_memory = Lever("control", None, "tool"), Lever("control", None, "memory")
    assert follower.evaluate([tariff]).capability == pytest.approx(1.0)
    assert follower.evaluate([tariff, control_tool]).capability == pytest.approx(0.5)
    assert follower.evaluate([control_memory]).capability == pytest.approx(1.0)
    assert follower.evaluate([tariff, control_memory]).capability == pytest.approx(0.2)
    outcome = solve(instance, follower)
    assert labels(outcome) == ["control::memory", "tariff:KOR:"]
    assert outcome.capability == pytest.approx(0.2)


OWNED_WORLD = """
name: owned
countries: {USA: {}, CHN: {}, GBR: {}, MYS: {}}
items:
  chips: {kind: capability}
  tool: {kind: tool}
suppliers:
  uk_firm: {country: GBR, owner: CHN, content: {USA: 0.9}, direct_product_of: [USA]}
routes:
  - {item: chips, inputs: {tool: 1}}
  - {item: tool, supplier: uk_firm, capacity: 1.0}
"""
"""The only tools come from a British firm the adversary owns, full of US content and a direct
product of US technology: control (by de minimis), British alignment, FDPR and a tariff threat
would all reach it were it not adversary-owned."""


def test_an_owned_supplier_is_reached_by_nothing_but_screening() -> None:
    """Every lever kind is allowed; only investment screening in Britain reaches the route and
    leaves its leakage 0.1."""
    scenario = {
        "partners": {"GBR": {}},
        "leakage": {"default": 0.1},
        "levers": {"monitor": "all", "restrict": "all", "tariff": "all", "screen": "all"},
    }
    instance = instance_of(OWNED_WORLD, scenario)
    follower = FollowerLP(instance)
    assert [lever.label for lever in instance.levers] == ["control::tool", "screen:GBR:"]
    assert follower.evaluate([Lever("control", None, "tool")]).capability == pytest.approx(1.0)
    outcome = solve(instance, follower)
    assert labels(outcome) == ["screen:GBR:"]
    assert outcome.capability == pytest.approx(0.1)


def test_a_category_s_own_de_minimis_overrides_the_scenario_s() -> None:
    """With the tool category's own share at 0 % (the Oct 2023 rule for immersion scanners),
    control::tool reaches the Japanese firm's 10 % too: only the leak-free control is left, so
    nothing remains (0.4 + 0.4 + 0.2 covered). Written as ``null`` it switches de minimis reach
    off for the category even though the scenario sets 25 %: the US firm alone is covered and
    0.6 remains."""
    zero = ONE_TOOL_WORLD + "categories:\n  tool: {group: tools, de_minimis: 0}\n"
    outcome = optimum(zero, {"levers": {"fdpr": "none"}})
    assert outcome.capability == pytest.approx(0.0)
    assert outcome.economic_usd == pytest.approx(1.0 * 3e8)
    off = ONE_TOOL_WORLD + "categories:\n  tool: {de_minimis: null}\n"
    assert optimum(off, {"levers": {"fdpr": "none"}}).capability == pytest.approx(0.6)
    silent = ONE_TOOL_WORLD + "categories:\n  tool: {rule: ECCN 3B001}\n"
    assert optimum(silent, {"levers": {"fdpr": "none"}}).capability == pytest.approx(0.2)
