"""YAML files to validated objects, with every problem located by file, line and field.

:func:`load_world` and :func:`load_scenario` read a file (:mod:`supplychain.inputs.yamldoc`),
validate it against the strict schema (:mod:`supplychain.inputs.schema`), then check its meaning
(:mod:`supplychain.inputs.checks`). Any problem raises :class:`~supplychain.errors.InputError`
listing all of them.
"""

from __future__ import annotations

import copy
import hashlib
import os
import re
import types
import typing
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from supplychain.errors import InputError, Problem
from supplychain.inputs.checks import scenario_problems, world_problems
from supplychain.inputs.messages import FieldPath, did_you_mean, show
from supplychain.inputs.schema import SLUG_PATTERN, Scenario, World
from supplychain.inputs.yamldoc import Document, cyclic_gc_paused, read_document

ModelT = TypeVar("ModelT", bound=BaseModel)


@dataclass(frozen=True)
class LoadedWorld:
    """A valid world model and where it came from."""

    world: World
    document: Document
    path: Path
    sha256: str


@dataclass(frozen=True)
class LoadedScenario:
    """A valid scenario, its valid world model, and where they came from."""

    scenario: Scenario
    document: Document
    path: Path
    sha256: str
    world: LoadedWorld


@cyclic_gc_paused()
def load_world(path: Path, display: str | None = None) -> LoadedWorld:
    """Read and validate a world model file."""
    document = read_document(path, display)
    world, view, problems = _schema_checked(World, document)
    if world is not None:
        problems.extend(_outside_rejected(problems, world_problems(world, view)))
    if problems or world is None:
        raise InputError(problems)
    return LoadedWorld(world, document, path, _sha256(path))


@cyclic_gc_paused()
def load_scenario(path: Path) -> LoadedScenario:
    """Read and validate a scenario file and the world model it names.

    Problems of the scenario and of its world model are reported together.
    """
    document = read_document(path)
    scenario, view, problems = _schema_checked(Scenario, document)
    if scenario is None:
        raise InputError(problems)
    model_path = path.parent / scenario.model
    model_display = os.path.normpath(os.path.join(os.path.dirname(str(path)), scenario.model))
    unusable = _world_file_problem(document, model_path, model_display)
    if unusable is not None:
        raise InputError([*problems, unusable])
    try:
        loaded_world = load_world(model_path, model_display)
    except InputError as error:
        raise InputError([*problems, *error.problems]) from None
    found = scenario_problems(scenario, loaded_world.world, view)
    problems.extend(_outside_rejected(problems, found))
    if problems:
        raise InputError(problems)
    return LoadedScenario(scenario, document, path, _sha256(path), loaded_world)


def _world_file_problem(document: Document, path: Path, display: str) -> Problem | None:
    """Why the scenario's ``model`` names no world model file, if it does not."""
    try:
        if path.is_file():
            return None
    except OSError as error:
        message = f"cannot open world model file {show(display)}: {error.strerror}"
        return document.problem(("model",), message)
    return document.problem(("model",), f"no world model file {show(display)}")


def is_scenario(document: Document) -> bool:
    """A scenario names a world model and targets (one of them is enough to tell, so that a
    scenario missing the other is reported as a scenario); a world model lists items."""
    return isinstance(document.data, dict) and not _SCENARIO_ONLY.isdisjoint(document.data)


_SCENARIO_ONLY = frozenset({"model", "targets"})
"""Top-level keys of a scenario that no world model has."""


def _schema_checked(
    model: type[ModelT], document: Document
) -> tuple[ModelT | None, Document, list[Problem]]:
    """The document validated against ``model``, with the schema's problems.

    When the schema fails, the value is the part of the document that passes it (see
    :func:`_salvage`), so that meaning checks can still report every problem of the file at
    once; it is None when nothing sensible is left. The returned document locates problems of
    that value in the file.
    """
    if not isinstance(document.data, dict):
        message = f"expected a mapping of keys, got {show(document.data)}"
        return None, document, [document.problem((), message)]
    try:
        return model.model_validate(document.data), document, []
    except ValidationError as error:
        details = error.errors()
    paths = [_data_path(document.data, detail["loc"]) for detail in details]
    problems = [
        _problem(model, document, path, detail) for path, detail in zip(paths, details, strict=True)
    ]
    salvaged = _salvage(model, document, paths)
    if salvaged is None:
        return None, document, problems
    return salvaged[0], salvaged[1], problems


def _outside_rejected(rejected: list[Problem], found: Iterable[Problem]) -> list[Problem]:
    """Meaning problems, less those inside a field the schema rejected (when the schema fails,
    a default stands in for such a field, and what is said about the default is no news)."""
    fields = {(problem.file, problem.field) for problem in rejected}
    return [
        problem
        for problem in found
        if fields.isdisjoint((problem.file, field) for field in _enclosing_fields(problem.field))
    ]


def _enclosing_fields(field: str) -> list[str]:
    """``field`` and every field that holds it: ``routes[7].inputs.etch`` is inside
    ``routes[7].inputs``, ``routes[7]`` and ``routes``."""
    ends = [index for index, char in enumerate(field) if char in ".["]
    return [field[:end] for end in [*ends, len(field)]]


def _data_path(data: Any, loc: tuple[str | int, ...]) -> FieldPath:
    """Pydantic's error location as a path into the data: without union-member tags and
    ``[key]`` markers, which name no part of the file."""
    path: list[str | int] = []
    node: Any = data
    for part in loc:
        in_list = isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
        if in_list or (isinstance(node, dict) and part in node):
            node = node[part]
        elif isinstance(node, dict) and part != "[key]":
            node = None
        else:
            continue
        path.append(part)
    return tuple(path)


def _salvage(
    model: type[ModelT], document: Document, paths: list[FieldPath]
) -> tuple[ModelT, Document] | None:
    """The part of a document that passes the schema, and a document locating its problems.

    Each schema error removes the smallest thing that holds it and can go without inventing
    data: a key inside an entry of a mapping (a supplier's bad ``content``; an entry that is
    itself wrong becomes empty; a bad share in a mapping of shares goes), a whole entry of a
    list (a route, a pin), an unknown key, or a whole field that has a default (``mode``,
    ``levers.align``). Inside a section such as ``fixed`` or ``levers`` the same is tried
    first; where that leaves the section failing, the whole section goes instead.
    Nothing is left (None) when an error concerns a required top-level field, or when what
    remains still fails.
    """
    for inside_sections in (True, False):
        data = copy.deepcopy(document.data)
        dropped: dict[FieldPath, set[int]] = {}
        if not all(_prune(model, data, path, dropped, (), inside_sections) for path in paths):
            continue
        kept: dict[FieldPath, list[int]] = {}
        for list_path, indices in dropped.items():
            holder = _at(data, list_path[:-1])
            entries = holder[list_path[-1]]
            kept[list_path] = [index for index in range(len(entries)) if index not in indices]
            holder[list_path[-1]] = [entries[index] for index in kept[list_path]]
        try:
            value = model.model_validate(data)
        except ValidationError:
            continue
        return value, (_Renumbered(document, kept) if kept else document)
    return None


def _at(data: Any, path: FieldPath) -> Any:
    """The value at ``path`` inside ``data``."""
    for part in path:
        data = data[part]
    return data


def _prune(
    model: type[BaseModel],
    data: dict[str, Any],
    path: FieldPath,
    dropped: dict[FieldPath, set[int]],
    prefix: FieldPath,
    inside_sections: bool,
) -> bool:
    """Remove what holds the error at ``path`` (see :func:`_salvage`); False if nothing can.

    ``data`` sits at ``prefix`` in the document; ``dropped`` collects list entries to remove,
    by the list's path.
    """
    if not path:
        return False
    name = str(path[0])
    field = model.model_fields.get(name)
    if field is None:
        data.pop(name, None)
        return True
    value = data.get(name)
    inner = path[1:]
    if isinstance(value, list) and inner and isinstance(inner[0], int):
        dropped.setdefault((*prefix, name), set()).add(inner[0])
        return True
    if isinstance(value, dict) and inner and _collection(field.annotation) is dict:
        key = str(inner[0])
        entry = value.get(key)
        if _model_in(_step(field.annotation, key)) is None:
            value.pop(key, None)
            return True
        if len(inner) == 1 or not isinstance(entry, dict):
            value[key] = {}
            return True
        if inner[1] in entry:
            del entry[str(inner[1])]
            return True
        return False
    section = _model_in(field.annotation)
    if inside_sections and section is not None and isinstance(value, dict) and inner:
        return _prune(section, value, inner, dropped, (*prefix, name), inside_sections)
    if not field.is_required():
        data.pop(name, None)
        return True
    return False


class _Renumbered(Document):
    """A document whose lists lost entries in :func:`_salvage`: problems keep the file's indices."""

    def __init__(self, original: Document, kept: dict[FieldPath, list[int]]) -> None:
        super().__init__(original.file, original.data, original.lines)
        self.kept = kept

    def problem(self, path: FieldPath, message: str) -> Problem:
        for list_path, indices in self.kept.items():
            depth = len(list_path)
            if (
                path[:depth] == list_path
                and len(path) > depth
                and isinstance(index := path[depth], int)
            ):
                path = (*list_path, indices[index], *path[depth + 1 :])
        return super().problem(path, message)


_QUOTE_HINT = " (YAML reads a bare yes, no, on or off as true or false: put the name in quotes)"


def _problem(
    model: type[BaseModel], document: Document, path: FieldPath, detail: ErrorDetails
) -> Problem:
    kind = detail["type"]
    given = detail.get("input")
    context = detail.get("ctx", {})
    if kind == "extra_forbidden":
        key = str(path[-1])
        hint = did_you_mean(key, _keys_at(model, path[:-1]))
        return document.problem(path, f"unknown key '{key}'{hint}")
    if kind == "missing":
        return document.problem(path, "required key is missing")
    if kind in _EXPECTED:
        quote = _QUOTE_HINT if kind == "string_type" and isinstance(given, bool) else ""
        return document.problem(path, f"expected {_EXPECTED[kind]}, got {show(given)}{quote}")
    if kind == "string_pattern_mismatch":
        return document.problem(path, f"not a valid name: {show(given)} ({_rule(context)})")
    if kind == "string_too_short":
        return document.problem(path, "must not be empty")
    if kind in _BOUNDS:
        bound = context[_BOUNDS[kind][0]]
        return document.problem(path, f"must be {_BOUNDS[kind][1]} {bound:g}, got {given!r}")
    if kind in ("too_short", "too_long"):
        least = kind == "too_short"
        count = context["min_length" if least else "max_length"]
        entries = "entry" if count == 1 else "entries"
        return document.problem(
            path,
            f"needs {'at least' if least else 'at most'} {count} {entries}, got {len(given)}",
        )
    if kind == "literal_error":
        choices = re.findall(r"'([^']*)'", context["expected"])
        hint = did_you_mean(str(given), choices) if isinstance(given, str) else ""
        return document.problem(path, f"expected {context['expected']}, got {show(given)}{hint}")
    message = detail["msg"].removeprefix("Value error, ")
    if kind in ("value_error", "assertion_error"):
        return document.problem(path, message)
    return document.problem(path, f"{message[0].lower()}{message[1:]}, got {show(given)}")


_EXPECTED = {
    "float_type": "a number",
    "int_type": "a number",
    "float_parsing": "a number",
    "string_type": "text",
    "bool_type": "true or false",
    "list_type": "a list",
    "dict_type": "a mapping of keys",
    "model_type": "a mapping of keys",
    "model_attributes_type": "a mapping of keys",
}
"""What a value should have been, for Pydantic's type errors."""

_BOUNDS = {
    "greater_than_equal": ("ge", "at least"),
    "greater_than": ("gt", "greater than"),
    "less_than_equal": ("le", "at most"),
    "less_than": ("lt", "less than"),
}


def _rule(context: Any) -> str:
    """How to write a name that matches the schema pattern in ``context``."""
    if context.get("pattern") == SLUG_PATTERN:
        return "use lower-case letters, digits, '-' and '_', at most 64 characters"
    return "use letters, digits, '_', '-', '.'; no spaces or path separators"


def _keys_at(model: type[BaseModel], path: FieldPath) -> list[str]:
    """The keys the schema allows at ``path`` (for "did you mean" hints)."""
    annotation: Any = model
    for part in path:
        annotation = _step(annotation, part)
        if annotation is None:
            return []
    model_type = _model_in(annotation)
    return list(model_type.model_fields) if model_type else []


def _step(annotation: Any, part: str | int) -> Any:
    model_type = _model_in(annotation)
    if model_type is not None:
        field = model_type.model_fields.get(str(part))
        return field.annotation if field else None
    for option in _options(annotation):
        origin = typing.get_origin(option)
        if origin in (dict, list):
            return typing.get_args(option)[-1]
    return None


def _options(annotation: Any) -> list[Any]:
    if typing.get_origin(annotation) is typing.Annotated:
        return _options(typing.get_args(annotation)[0])
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        return [inner for arg in typing.get_args(annotation) for inner in _options(arg)]
    return [annotation]


def _collection(annotation: Any) -> type | None:
    """``dict`` or ``list`` when the annotation is (or may be) one, else None."""
    for option in _options(annotation):
        origin: object = typing.get_origin(option)
        for collection in (dict, list):
            if origin is collection:
                return collection
    return None


def _model_in(annotation: Any) -> type[BaseModel] | None:
    for option in _options(annotation):
        if isinstance(option, type) and issubclass(option, BaseModel):
            return option
    return None


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
