"""The report's reading of alignment options and sweeps, on tables with hand-worked shares."""

from __future__ import annotations

import pandas as pd

from supplychain.analysis.tradeoffs import pareto_mask
from supplychain.report.tradeoffs import compare_sentences, frontier_sentences


def options(*rows: tuple[str, float | None, float], status: str = "optimal") -> pd.DataFrame:
    """A ``compare.csv`` table: option, capability, diplomatic cost (economic 1 billion each);
    ``status`` for every option with a capability, ``infeasible`` for those without."""
    return pd.DataFrame(
        [
            {
                "option": name,
                "status": status if capability is not None else "infeasible",
                "capability": capability,
                "diplomatic": diplomatic,
                "economic_usd": 1e9,
                "levers": "",
            }
            for name, capability, diplomatic in rows
        ]
    )


def test_each_option_is_read_against_the_first_and_the_one_before() -> None:
    """(0.8 − 0.312) / 0.8 = 61 %; (0.8 − 0.2) / 0.8 = 75 % and (0.312 − 0.2) / 0.312 = 36 %;
    0.9 leaves (0.9 − 0.8) / 0.8 = 12.5 % more than the reference."""
    table = options(
        ("US alone", 0.8, 0),
        ("US+NL+JP", 0.312, 6),
        ("+KR+TW+DE", 0.2, 9),
        ("FDPR", 0.2, 12),
        ("plurilateral", 0.9, 15),
        ("broken", None, 0),
    )
    assert compare_sentences(table) == [
        "`US alone` leaves the adversary 80% of its capability.",
        "Of that, `US+NL+JP` removes 61%; `+KR+TW+DE` removes 75% (a further 36% of what "
        "`US+NL+JP` leaves); `FDPR` removes 75% (as much as `+KR+TW+DE`); `plurilateral` "
        "leaves 12% more (less than `FDPR`).",
        "The lowest capability, 20%, comes with `+KR+TW+DE` at 9 diplomatic units and "
        "1 billion USD of lost sales.",
        "Option `broken`: infeasible: no policy satisfies the pins and budgets.",
    ]


def test_a_reference_that_leaves_nothing_has_nothing_to_remove() -> None:
    table = options(("all", 0.0, 3), ("some", 0.0, 1))
    assert compare_sentences(table)[1] == (
        "Of that, `some` removes nothing (`all` leaves nothing to remove)."
    )


def test_a_sweep_reads_its_range_largest_step_and_frontier() -> None:
    """Budgets 0..8: the largest step is 2 → 3 (0.48 → 0.29); 0.163 is first reached at 8;
    the frontier flags are the caller's."""
    points = pd.DataFrame(
        {
            "value": ["0", "2", "3", "5", "8"],
            "status": ["optimal"] * 5,
            "capability": [0.48, 0.48, 0.29, 0.196667, 0.163333],
            "diplomatic": [0, 0, 3, 5, 7],
            "economic_usd": [5.256e9, 5.256e9, 11.262e9, 7.059e9, 7.209e9],
            "levers": [""] * 5,
        }
    )
    assert frontier_sentences(points, [True] * 5) == [
        "From value `0` to `8` the adversary's capability goes from 48% to 16%.",
        "The largest step is from `2` to `3`: 48% to 29%.",
        "The lowest capability, 16%, is first reached at value `8`, at 7 diplomatic units and "
        "7.21 billion USD of lost sales.",
        "5 of the 5 points proven optimal are on the Pareto frontier of capability against cost "
        "(diplomatic and lost sales).",
    ]


def test_options_and_points_not_proven_optimal_are_named_and_not_read() -> None:
    """An option stopped at the time limit, however low its capability, is neither the
    reference, nor a share, nor the lowest; a sweep point likewise; both are named."""
    table = pd.concat(
        [
            options(("quick", 0.05, 1), status="time_limit"),
            options(("US alone", 0.8, 0), ("US+NL+JP", 0.4, 6), ("broken", None, 0)),
        ],
        ignore_index=True,
    )
    assert compare_sentences(table) == [
        "`US alone` leaves the adversary 80% of its capability.",
        "Of that, `US+NL+JP` removes 50%.",
        "The lowest capability, 40%, comes with `US+NL+JP` at 6 diplomatic units and "
        "1 billion USD of lost sales.",
        "Option `quick`: stopped at the time limit, not proven optimal.",
        "Option `broken`: infeasible: no policy satisfies the pins and budgets.",
    ]
    assert compare_sentences(options(("quick", 0.05, 1), status="time_limit")) == [
        "No option was solved to proven optimality, so there is nothing to compare.",
        "Option `quick`: stopped at the time limit, not proven optimal.",
    ]
    points = options(("0", 0.5, 0), ("2", 0.1, 2), ("3", 0.3, 3), ("5", None, 5)).rename(
        columns={"option": "value"}
    )
    points.loc[1, "status"] = "time_limit"
    assert frontier_sentences(points, [True, True]) == [
        "From value `0` to `3` the adversary's capability goes from 50% to 30%.",
        "The largest step is from `0` to `3`: 50% to 30%.",
        "The lowest capability, 30%, is first reached at value `3`, at 3 diplomatic units and "
        "1 billion USD of lost sales.",
        "2 of the 2 points proven optimal are on the Pareto frontier of capability against "
        "cost (diplomatic and lost sales).",
        "Value `2`: stopped at the time limit, not proven optimal.",
        "Value `5`: infeasible: no policy satisfies the pins and budgets.",
    ]


def test_pareto_points_are_those_no_other_point_beats_on_every_criterion() -> None:
    """(0.3, 2, 5) is beaten by (0.3, 2, 4); equal points do not beat each other; (0.1, 9, 9)
    is worst on cost but best on capability."""
    assert pareto_mask([0.5, 0.5, 0.3, 0.3, 0.1], [0, 0, 2, 2, 9], [1, 1, 4, 5, 9]) == [
        True,
        True,
        True,
        False,
        True,
    ]
