"""YAML files to validated objects, with every problem located by file, line and field.

:func:`load_world` and :func:`load_scenario` read a file (:mod:`supplychain.yamldoc`), validate
it against the strict schema (:mod:`supplychain.schema`), then check its meaning
(:mod:`supplychain.checks`). Any problem raises :class:`~supplychain.errors.InputError` listing
all of them.
"""

from __future__ import annotations

import hashlib
import os
import types
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from supplychain.checks import scenario_problems, world_problems
from supplychain.errors import FieldPath, InputError, Problem, did_you_mean
from supplychain.schema import Scenario, World
from supplychain.yamldoc import Document, read_document

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


def load_world(path: Path, display: str | None = None) -> LoadedWorld:
    """Read and validate a world model file."""
    document = read_document(path, display)
    world = validate(World, document)
    problems = world_problems(world, document)
    if problems:
        raise InputError(problems)
    return LoadedWorld(world, document, path, _sha256(path))


def load_scenario(path: Path) -> LoadedScenario:
    """Read and validate a scenario file and the world model it names."""
    document = read_document(path)
    scenario = validate(Scenario, document)
    model_path = path.parent / scenario.model
    model_display = os.path.normpath(os.path.join(os.path.dirname(str(path)), scenario.model))
    if not model_path.is_file():
        raise InputError([document.problem(("model",), f"no world model file '{model_display}'")])
    loaded_world = load_world(model_path, model_display)
    problems = scenario_problems(scenario, loaded_world.world, document)
    if problems:
        raise InputError(problems)
    return LoadedScenario(scenario, document, path, _sha256(path), loaded_world)


def is_scenario(document: Document) -> bool:
    """A scenario names a world model; a world model lists items."""
    return isinstance(document.data, dict) and "model" in document.data


def validate(model: type[ModelT], document: Document) -> ModelT:
    """Validate a document against a schema model, translating every error to a :class:`Problem`."""
    if not isinstance(document.data, dict):
        kind = type(document.data).__name__
        raise InputError([document.problem((), f"expected a mapping of keys, got a {kind}")])
    try:
        return model.model_validate(document.data)
    except ValidationError as error:
        raise InputError(_problem(model, document, detail) for detail in error.errors()) from None


def _problem(model: type[BaseModel], document: Document, detail: ErrorDetails) -> Problem:
    path: FieldPath = tuple(detail["loc"])
    kind = detail["type"]
    given = detail.get("input")
    if kind == "extra_forbidden":
        key = str(path[-1])
        hint = did_you_mean(key, _keys_at(model, path[:-1]))
        return document.problem(path, f"unknown key '{key}'{hint}")
    if kind == "missing":
        return document.problem(path, "required key is missing")
    if kind in ("float_type", "int_type", "float_parsing"):
        return document.problem(path, f"expected a number, got {_show(given)}")
    if kind == "string_type":
        return document.problem(path, f"expected text, got {_show(given)}")
    if kind == "bool_type":
        return document.problem(path, f"expected true or false, got {_show(given)}")
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return document.problem(path, f"expected a mapping of keys, got {_show(given)}")
    if kind == "list_type":
        return document.problem(path, f"expected a list, got {_show(given)}")
    if kind == "string_pattern_mismatch":
        return document.problem(
            path,
            f"not a valid name: {_show(given)} (use letters, digits, '_', '-', '.'; "
            "no spaces or path separators)",
        )
    message = detail["msg"].removeprefix("Value error, ")
    if kind in ("value_error", "assertion_error"):
        return document.problem(path, message)
    return document.problem(path, f"{message[0].lower()}{message[1:]}, got {_show(given)}")


def _show(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "nothing (null)"
    return repr(value)


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


def _model_in(annotation: Any) -> type[BaseModel] | None:
    for option in _options(annotation):
        if isinstance(option, type) and issubclass(option, BaseModel):
            return option
    return None


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
