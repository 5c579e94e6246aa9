"""The world model's item graph, as networkx sees it.

The *input DAG* has the items as nodes and an edge ``input item → output item`` for every route
input (attribute ``routes``: the indices of the routes that use it). Its topological order
drives the big-M bounds of the MILP (DESIGN §5) and its cycles are input errors.
"""

from __future__ import annotations

import networkx as nx

from supplychain.inputs.schema import World


def input_dag(world: World) -> nx.DiGraph[str]:
    """Items as nodes, an edge ``input → output`` for each route input (route indices attached)."""
    dag: nx.DiGraph[str] = nx.DiGraph()
    dag.add_nodes_from(sorted(world.items))
    for index, route in enumerate(world.routes):
        for input_id in sorted(route.inputs):
            if dag.has_edge(input_id, route.item):
                dag.edges[input_id, route.item]["routes"].append(index)
            else:
                dag.add_edge(input_id, route.item, routes=[index])
    return dag


def find_input_cycle(world: World) -> list[str] | None:
    """Items along one cycle through route inputs (first item repeated at the end), or None."""
    try:
        edges = nx.find_cycle(input_dag(world))
    except nx.NetworkXNoCycle:
        return None
    return [edge[0] for edge in edges] + [edges[0][0]]


def topological_items(world: World) -> list[str]:
    """Items ordered so that every input comes before the items made from it."""
    return list(nx.lexicographical_topological_sort(input_dag(world)))


def producible_items(world: World, adversary: str) -> set[str]:
    """Items the adversary could obtain with no levers at all.

    An item is producible when some route makes it with positive (or unlimited) capacity and,
    for a domestic route (supplier in the adversary or no supplier), every input is producible.
    Foreign routes need nothing from the adversary's pool.
    """
    producible: set[str] = set()
    routes_by_item: dict[str, list[int]] = {}
    for index, route in enumerate(world.routes):
        routes_by_item.setdefault(route.item, []).append(index)
    for item_id in topological_items(world):
        for index in routes_by_item.get(item_id, []):
            route = world.routes[index]
            if route.capacity == 0:
                continue
            foreign = (
                route.supplier is not None and world.suppliers[route.supplier].country != adversary
            )
            if foreign or all(input_id in producible for input_id in route.inputs):
                producible.add(item_id)
                break
    return producible
