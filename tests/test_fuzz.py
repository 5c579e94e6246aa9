"""Fuzzing the loader: a mutated world model or scenario is either accepted as a valid model or
rejected with :class:`~supplychain.errors.InputError`, never with any other exception.

Each example starts from a valid pair of files (the shipped example, or a small synthetic world
with a scenario that pins levers), changes the data — deletes, duplicates or misspells keys,
puts negative, zero, NaN, infinite, huge, text or empty values in place of others, swaps lists
and mappings — and then edits the YAML text itself (drops, repeats or swaps lines, inserts a
character that means something to YAML). Every problem must name one of the two files and a
line inside it; an accepted model must hold only finite numbers.
"""

from __future__ import annotations

import copy
import math
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import EXAMPLE, EXAMPLE_WORLD
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from supplychain.errors import InputError
from supplychain.inputs.load import load_scenario, load_world
from supplychain.inputs.messages import FieldPath
from supplychain.inputs.yamldoc import parse_document
from supplychain.runs.validate import validate_file

ROOT = Path(__file__).resolve().parents[1]


SMALL_WORLD = """\
name: small
countries: {USA: {}, NLD: {}, JPN: {}, MYS: {}, CHN: {}}
items:
  logic: {kind: capability}
  scanner: {kind: tool, category: lithography, market_usd: 5.0e9}
  etch: {kind: tool, market_usd: 2.0e9}
  laser: {kind: subsystem, category: light_sources}
suppliers:
  asml: {country: NLD, content: {USA: 0.2}, direct_product_of: [USA]}
  lam: {country: USA}
  tel: {country: JPN, content: {USA: 0.3}, owner: CHN}
  smee: {country: CHN}
routes:
  - {item: logic, inputs: {scanner: 1, etch: 2}}
  - {item: scanner, supplier: asml, capacity: 0.9, leakage: 0.1}
  - {item: scanner, supplier: asml, via: MYS, capacity: 0.2}
  - {item: scanner, supplier: smee, capacity: 0.1, inputs: {laser: 1}}
  - {item: etch, supplier: lam, capacity: 0.6}
  - {item: etch, supplier: tel, capacity: 0.4}
  - {item: laser, supplier: lam, capacity: 1.0, content: {USA: 1}, direct_product_of: []}
"""

SMALL_SCENARIO = """\
name: small-question
model: small.yaml
targets: {logic: {demand: 0.5, weight: 2}}
partners: {NLD: {align_cost: 3, fdpr_cost: 4}, JPN: {}}
pressure: {MYS: {monitor_cost: 1, monitor_effect: 0.6, restrict_cost_usd: 1.0e9}, JPN: {}}
levers: {control: [lithography, etch], align: all, fdpr: none, monitor: [MYS],
         restrict: all, tariff: [JPN], screen: [JPN]}
costs: {adversary_share: 0.3, fdpr_default: 2}
leakage: {default: 0.05, by_country: {MYS: 0.2}, by_category: {etch: 0.1}}
de_minimis: 0.25
budget: {diplomatic: 6, economic_usd: 5.0e9}
fixed:
  on: [{control: lithography}, {align: [NLD, lithography]}]
  off: [{monitor: MYS}]
mode: optimize
objective: {minimize: cost, max_capability: 0.2}
compare:
  - {name: alone, partners: none, fdpr: false}
  - {name: allies, partners: [NLD, JPN], regime: plurilateral}
sweep: {parameter: max_capability, values: [0.1, 0.3]}
solver: {time_limit: 10, mip_gap: 0.01}
"""
"""A small world and a scenario that uses every section, written for this test."""

SEEDS = {
    "example": (
        parse_document((EXAMPLE_WORLD).read_text(), "example").data,
        parse_document((EXAMPLE).read_text(), "example").data,
    ),
    "small": (
        parse_document(SMALL_WORLD, "small").data,
        parse_document(SMALL_SCENARIO, "small").data,
    ),
}
"""Valid (world model, scenario) pairs, as plain data (read as the tool reads them, so that
keys such as ``on`` stay text; PyYAML alone would make them booleans)."""

REPLACEMENTS: tuple[Any, ...] = (
    -1,
    -0.5,
    0,
    0.0,
    1.5,
    float("nan"),
    float("inf"),
    -float("inf"),
    1e308,
    10**400,
    "",
    "text",
    "../../etc/passwd",
    "a/b",
    "NLD",
    True,
    None,
    [],
    {},
    [1, "x"],
    {"x": 1},
)
"""Values put in place of others: wrong signs, non-finite, huge, text, paths, wrong types."""

INSERTED = (":", "-", " ", "\t", "{", "}", "[", "]", "'", '"', "&a", "*a", "!!", "#", "%", "\x00")
"""Characters inserted into the text: each means something to YAML (or to a text reader)."""


def _paths(data: Any, prefix: FieldPath = ()) -> list[FieldPath]:
    """Every value's path inside ``data`` (the root excluded)."""
    if isinstance(data, dict):
        children = list(data.items())
    elif isinstance(data, list):
        children = list(enumerate(data))
    else:
        return []
    found: list[FieldPath] = []
    for key, value in children:
        found.append((*prefix, key))
        found.extend(_paths(value, (*prefix, key)))
    return found


def _parent(data: Any, path: FieldPath) -> Any:
    for part in path[:-1]:
        data = data[part]
    return data


def _delete(parent: Any, key: Any, draw: Callable[[st.SearchStrategy[Any]], Any]) -> None:
    del parent[key]


def _duplicate(parent: Any, key: Any, draw: Callable[[st.SearchStrategy[Any]], Any]) -> None:
    if isinstance(parent, list):
        parent.insert(key, parent[key])
    else:
        parent[f"{key}_copy"] = parent[key]


def _misspell(parent: Any, key: Any, draw: Callable[[st.SearchStrategy[Any]], Any]) -> None:
    if isinstance(parent, list):
        parent[key] = {"unknown": parent[key]}
    else:
        new_key = draw(st.sampled_from([f"{key}x", str(key).upper(), str(key)[:-1] or "x"]))
        parent[new_key] = parent.pop(key)


def _replace(parent: Any, key: Any, draw: Callable[[st.SearchStrategy[Any]], Any]) -> None:
    parent[key] = copy.deepcopy(draw(st.sampled_from(REPLACEMENTS)))


def _swap_shape(parent: Any, key: Any, draw: Callable[[st.SearchStrategy[Any]], Any]) -> None:
    value = parent[key]
    if isinstance(value, dict):
        parent[key] = list(value) if draw(st.booleans()) else list(value.values())
    elif isinstance(value, list):
        parent[key] = {str(index): entry for index, entry in enumerate(value)}
    else:
        parent[key] = [value] if draw(st.booleans()) else {str(value): value}


MUTATIONS = (_delete, _duplicate, _misspell, _replace, _swap_shape)


@st.composite
def mutated_data(draw: Callable[[st.SearchStrategy[Any]], Any], data: Any) -> Any:
    """``data`` after one to three mutations, each at a randomly chosen value."""
    data = copy.deepcopy(data)
    for _ in range(draw(st.integers(1, 3))):
        paths = _paths(data)
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        mutation = draw(st.sampled_from(MUTATIONS))
        mutation(_parent(data, path), path[-1], draw)
    return data


@st.composite
def mutated_text(draw: Callable[[st.SearchStrategy[Any]], Any], text: str) -> str:
    """``text`` after up to two edits of its lines or characters."""
    for _ in range(draw(st.integers(0, 2))):
        lines = text.splitlines(keepends=True)
        index = draw(st.integers(0, len(lines) - 1))
        edit = draw(st.sampled_from(["drop", "repeat", "swap", "insert"]))
        if edit == "drop":
            del lines[index]
        elif edit == "repeat":
            lines.insert(index, lines[index])
        elif edit == "swap" and index + 1 < len(lines):
            lines[index], lines[index + 1] = lines[index + 1], lines[index]
        elif edit == "insert":
            column = draw(st.integers(0, len(lines[index])))
            line = lines[index]
            lines[index] = line[:column] + draw(st.sampled_from(INSERTED)) + line[column:]
        text = "".join(lines) or text
    return text


@st.composite
def broken_pair(draw: Callable[[st.SearchStrategy[Any]], Any]) -> tuple[str, str, str]:
    """(which file was changed, world model text, scenario text) for one seed pair."""
    world, scenario = SEEDS[draw(st.sampled_from(sorted(SEEDS)))]
    scenario = {**scenario, "model": "../models/world.yaml"}
    target = draw(st.sampled_from(["world", "scenario"]))
    changed = draw(mutated_data(world if target == "world" else scenario))
    text = draw(mutated_text(yaml.safe_dump(changed, sort_keys=False, allow_unicode=True)))
    if target == "world":
        return target, text, yaml.safe_dump(scenario, sort_keys=False)
    return target, yaml.safe_dump(world, sort_keys=False), text


def _numbers(value: Any) -> list[float]:
    if isinstance(value, BaseModel):
        return _numbers(value.model_dump())
    if isinstance(value, dict):
        return [number for entry in value.values() for number in _numbers(entry)]
    if isinstance(value, list):
        return [number for entry in value for number in _numbers(entry)]
    if isinstance(value, int | float) and not isinstance(value, bool):
        return [float(value)]
    return []


def _check_problems(error: InputError, files: dict[str, Path]) -> None:
    """Every problem names one of ``files``, a line inside it, a field and a one-line message."""
    assert error.problems
    for problem in error.problems:
        text = str(problem)
        assert problem.file in files, text
        lines = files[problem.file].read_bytes().count(b"\n") + 1
        assert 1 <= problem.line <= lines, text
        assert text.startswith(f"{problem.file}:{problem.line}: {problem.field}: "), text
        assert problem.field and problem.message, text
        assert "\n" not in text and "\r" not in text, text


@settings(
    max_examples=200,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(case=broken_pair())
def test_mutated_inputs_are_accepted_or_rejected_cleanly(case: tuple[str, str, str]) -> None:
    target, world_text, scenario_text = case
    with tempfile.TemporaryDirectory() as folder:
        world_path = Path(folder) / "models" / "world.yaml"
        scenario_path = Path(folder) / "scenarios" / "question.yaml"
        world_path.parent.mkdir()
        scenario_path.parent.mkdir()
        world_path.write_text(world_text)
        scenario_path.write_text(scenario_text)
        path = world_path if target == "world" else scenario_path
        files = {str(world_path): world_path, str(scenario_path): scenario_path}
        try:
            kind = validate_file(path)
        except InputError as error:
            _check_problems(error, files)
            return
        if kind == "scenario":
            loaded = load_scenario(path)
            numbers = _numbers(loaded.scenario) + _numbers(loaded.world.world)
        else:
            numbers = _numbers(load_world(path).world)
        assert all(math.isfinite(number) for number in numbers)


@pytest.mark.parametrize("seed", sorted(SEEDS))
def test_the_seeds_are_valid(tmp_path: Path, seed: str) -> None:
    world, scenario = SEEDS[seed]
    (tmp_path / "models").mkdir()
    (tmp_path / "scenarios").mkdir()
    (tmp_path / "models" / "world.yaml").write_text(yaml.safe_dump(world))
    scenario_path = tmp_path / "scenarios" / "question.yaml"
    scenario_path.write_text(yaml.safe_dump({**scenario, "model": "../models/world.yaml"}))
    assert validate_file(scenario_path) == "scenario"
