"""Classic maximum-flow interdiction (Wood 1993) written in the world-model schema.

A network arc u→v of capacity c becomes a supplier-less route making node v from one unit of
node u and one unit of an *arc token*; the token is sold by a Dutch firm with capacity c. Aligning
the Netherlands on the token's category (cost 1, leakage 0) removes the arc; a diplomatic budget
of K removes at most K arcs. The source is a free route with no inputs; the sink is the target,
with a demand above any flow, so capability = max flow / demand.
"""

from __future__ import annotations

import itertools
import random

import networkx as nx
import pytest

from supplychain.inputs.graph import topological_items
from supplychain.inputs.schema import Scenario, World
from supplychain.model.follower import FollowerLP
from supplychain.model.instance import build_instance
from supplychain.solve.lexicographic import solve

DEMAND = 1000.0

CLRS_NETWORK = {
    ("s", "v1"): 16,
    ("s", "v2"): 13,
    ("v1", "v3"): 12,
    ("v2", "v1"): 4,
    ("v2", "v4"): 14,
    ("v3", "t"): 20,
    ("v4", "v3"): 7,
    ("v4", "t"): 4,
}
"""The flow network of Cormen et al., *Introduction to Algorithms*, Figure 26.1 (max flow 23),
without its arc v3→v2 (capacity 9), which closes the only cycle and carries no flow in the
maximum flow; the schema requires acyclic inputs."""


def interdiction_world(arcs: dict[tuple[str, str], float]) -> World:
    nodes = sorted({node for arc in arcs for node in arc})
    items = {f"node_{node}": {"kind": "process"} for node in nodes}
    items["node_t"] = {"kind": "capability"}
    routes: list[dict[str, object]] = [{"item": "node_s"}]
    suppliers = {}
    for (tail, head), capacity in sorted(arcs.items()):
        token = f"arc_{tail}_{head}"
        items[token] = {"kind": "service"}
        suppliers[f"firm_{tail}_{head}"] = {"country": "NLD"}
        routes.append({"item": token, "supplier": f"firm_{tail}_{head}", "capacity": capacity})
        routes.append({"item": f"node_{head}", "inputs": {f"node_{tail}": 1, token: 1}})
    return World.model_validate(
        {
            "name": "max-flow",
            "countries": {"USA": {}, "CHN": {}, "NLD": {}},
            "items": items,
            "suppliers": suppliers,
            "routes": routes,
        }
    )


def interdicted_flow(arcs: dict[tuple[str, str], float], removals: int) -> float:
    """The leader's optimum of the MILP, as a flow (capability × demand)."""
    world = interdiction_world(arcs)
    scenario = Scenario.model_validate(
        {
            "name": "max-flow",
            "model": "max-flow.yaml",
            "targets": {"node_t": {"demand": DEMAND}},
            "partners": {"NLD": {"align_cost": 1}},
            "levers": {"control": "none", "fdpr": "none"},
            "budget": {"diplomatic": removals},
        }
    )
    instance = build_instance(scenario, world, topological_items(world))
    outcome = solve(instance, FollowerLP(instance))
    assert outcome.status == "optimal"
    assert outcome.capability is not None
    assert len(outcome.levers) <= removals
    return outcome.capability * DEMAND


def networkx_interdicted_flow(arcs: dict[tuple[str, str], float], removals: int) -> float:
    """The same optimum by networkx max flow over every set of at most ``removals`` arcs."""
    best = float("inf")
    for size in range(removals + 1):
        for removed in itertools.combinations(sorted(arcs), size):
            graph = nx.DiGraph()
            graph.add_nodes_from(["s", "t"])
            for arc, capacity in arcs.items():
                if arc not in removed:
                    graph.add_edge(*arc, capacity=capacity)
            best = min(best, nx.maximum_flow_value(graph, "s", "t"))
    return best


def test_clrs_network_without_removals_is_its_max_flow() -> None:
    assert interdicted_flow(CLRS_NETWORK, 0) == pytest.approx(23.0)


def test_clrs_network_with_one_removal() -> None:
    """Max flow after the best single arc removal is the least, over s–t cuts, of the cut's
    capacity minus its largest arc. The cut {v3→t: 20, v4→t: 4} gives 24 − 20 = 4; the minimum
    cut {v1→v3: 12, v4→v3: 7, v4→t: 4} gives 23 − 12 = 11; ({s}: 16, 13) gives 13. Optimum 4:
    remove v3→t, leaving only v4→t.
    """
    assert interdicted_flow(CLRS_NETWORK, 1) == pytest.approx(4.0)


def test_clrs_network_with_two_removals_cuts_all_flow() -> None:
    assert interdicted_flow(CLRS_NETWORK, 2) == pytest.approx(0.0, abs=1e-6)


@pytest.mark.parametrize("seed", range(5))
def test_random_acyclic_networks_match_networkx(seed: int) -> None:
    rng = random.Random(seed)
    nodes = ["s", "a", "b", "c", "d", "t"]
    arcs = {
        (tail, head): float(rng.randint(1, 9))
        for position, tail in enumerate(nodes)
        for head in nodes[position + 1 :]
        if rng.random() < 0.6
    }
    arcs.setdefault(("s", "t"), 1.0)
    removals = rng.randint(1, 3)
    assert interdicted_flow(arcs, removals) == pytest.approx(
        networkx_interdicted_flow(arcs, removals), abs=1e-6
    )
