"""Quick forms of slow checks give the answers of the slow ones.

The cycle test of :mod:`supplychain.inputs.checks` runs before
:func:`~supplychain.inputs.graph.find_input_cycle` (which is slow on large worlds) and must say
whether there is a cycle exactly when that finds one;
:func:`~supplychain.inputs.load._outside_rejected` looks up the fields that hold a problem's field
instead of comparing it with every rejected field, and must drop the same problems.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from supplychain.errors import Problem
from supplychain.inputs.checks import _has_input_cycle
from supplychain.inputs.graph import find_input_cycle
from supplychain.inputs.load import _outside_rejected
from supplychain.inputs.schema import World


@settings(max_examples=300, deadline=None, derandomize=True, database=None)
@given(edges=st.lists(st.tuples(st.sampled_from("abcdef"), st.sampled_from("abcdef")), max_size=10))
def test_the_quick_cycle_test_agrees_with_the_cycle_finder(edges: list[tuple[str, str]]) -> None:
    world = World.model_validate(
        {
            "name": "w",
            "countries": {"USA": {}},
            "items": {item: {} for item in "abcdef"},
            "routes": [{"item": output, "inputs": {made_from: 1}} for made_from, output in edges],
        }
    )
    assert _has_input_cycle(world) == (find_input_cycle(world) is not None)


FIELD_PARTS = ("routes", "[0]", "[7]", ".inputs", ".etch", ".a.b", "[", ".", "(file)")
"""Pieces of field paths as problems name them, joined at random below."""


def _inside_by_prefix(problem: Problem, rejected: list[Problem]) -> bool:
    """The rule :func:`_outside_rejected` applies, by comparing with every rejected field."""
    return any(
        other.file == problem.file
        and (
            problem.field == other.field
            or problem.field.startswith((f"{other.field}.", f"{other.field}["))
        )
        for other in rejected
    )


@settings(max_examples=300, deadline=None, derandomize=True, database=None)
@given(
    fields=st.lists(
        st.tuples(
            st.sampled_from(["a.yaml", "b.yaml"]),
            st.lists(st.sampled_from(FIELD_PARTS), min_size=1, max_size=4).map("".join),
        ),
        min_size=1,
        max_size=12,
    ),
    split=st.integers(0, 12),
)
def test_problems_inside_rejected_fields_are_dropped_as_by_comparing_prefixes(
    fields: list[tuple[str, str]], split: int
) -> None:
    problems = [Problem(file, 1, field, "m") for file, field in fields]
    rejected, found = problems[:split], problems[split:]
    assert _outside_rejected(rejected, found) == [
        problem for problem in found if not _inside_by_prefix(problem, rejected)
    ]
