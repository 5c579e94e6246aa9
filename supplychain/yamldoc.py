"""Read YAML safely while keeping the line of every key and value.

The file is *composed* into PyYAML nodes (no object construction, so no Python tags can run) and
the node tree is turned into plain dicts, lists and scalars by hand. That walk records the line of
each field path, rejects duplicate mapping keys (PyYAML would silently keep the last), accepts
``5.0e9`` as the number a planner meant (YAML 1.1 wants ``5.0e+9``) and refuses anything that is
not a plain mapping, sequence, string, number, boolean or null.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from supplychain.errors import FieldPath, InputError, Problem, format_path

_FLOAT_PATTERN = re.compile(
    r"""^[-+]?(?:
        (?:[0-9][0-9_]*)(?:\.[0-9_]*)?(?:[eE][-+]?[0-9]+)?
        |\.[0-9_]+(?:[eE][-+]?[0-9]+)?
        |\.(?:inf|Inf|INF)
        |\.(?:nan|NaN|NAN)
    )$""",
    re.VERBOSE,
)


class _NumberLoader(yaml.SafeLoader):
    """SafeLoader that also resolves ``5e9`` and ``5.0e9`` (no exponent sign) as floats."""


_NumberLoader.yaml_implicit_resolvers = {
    key: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:float"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_NumberLoader.add_implicit_resolver(
    "tag:yaml.org,2002:float", _FLOAT_PATTERN, list("-+0123456789.")
)

_FLOAT = "tag:yaml.org,2002:float"
_CONSTRUCTOR = yaml.constructor.SafeConstructor()
_SCALAR_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
}
_TEXT_TAGS = {"tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:binary"}


@dataclass
class Document:
    """A parsed YAML file: plain data plus the line of every field path."""

    file: str
    data: Any
    lines: dict[FieldPath, int] = field(default_factory=dict)

    def line(self, path: FieldPath) -> int:
        """The line of ``path``, or of its longest known prefix (1 for the file itself)."""
        for end in range(len(path), 0, -1):
            if path[:end] in self.lines:
                return self.lines[path[:end]]
        return self.lines.get((), 1)

    def problem(self, path: FieldPath, message: str) -> Problem:
        """A problem located at ``path`` in this file."""
        return Problem(self.file, self.line(path), format_path(path), message)


def read_document(path: Path, display: str | None = None) -> Document:
    """Parse ``path`` into a :class:`Document`; raise :class:`InputError` on any problem."""
    name = display or str(path)
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise InputError([Problem(name, 1, "(file)", f"cannot read file: {error.strerror}")])
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise InputError([Problem(name, 1, "(file)", "not a UTF-8 text file")])
    return parse_document(text, name)


def parse_document(text: str, name: str) -> Document:
    """Parse YAML text into a :class:`Document`; raise :class:`InputError` on any problem."""
    try:
        node = yaml.compose(text, Loader=_NumberLoader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else 1
        reason = error.problem or error.context or "invalid YAML"
        raise InputError([Problem(name, line, "(file)", f"YAML syntax error: {reason}")])
    except yaml.YAMLError as error:
        raise InputError([Problem(name, 1, "(file)", f"YAML syntax error: {error}")])
    if node is None:
        raise InputError([Problem(name, 1, "(file)", "the file is empty")])
    document = Document(name, None, {(): node.start_mark.line + 1})
    problems: list[Problem] = []
    document.data = _to_data(node, (), document, problems)
    if problems:
        raise InputError(problems)
    return document


def _to_data(node: yaml.Node, path: FieldPath, doc: Document, problems: list[Problem]) -> Any:
    doc.lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        return _mapping(node, path, doc, problems)
    if isinstance(node, yaml.SequenceNode):
        return [_to_data(child, (*path, i), doc, problems) for i, child in enumerate(node.value)]
    return _scalar(node, path, doc, problems)


def _mapping(
    node: yaml.MappingNode, path: FieldPath, doc: Document, problems: list[Problem]
) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key_node, value_node in node.value:
        line = key_node.start_mark.line + 1
        if not isinstance(key_node, yaml.ScalarNode) or key_node.tag == "tag:yaml.org,2002:merge":
            problems.append(Problem(doc.file, line, format_path(path), "keys must be plain names"))
            continue
        key = str(key_node.value)
        if key in result:
            first = doc.lines[(*path, key)]
            problems.append(
                Problem(
                    doc.file, line, format_path((*path, key)), f"duplicate key (first on line {first})"
                )
            )
            continue
        doc.lines[(*path, key)] = line
        result[key] = _to_data(value_node, (*path, key), doc, problems)
        doc.lines[(*path, key)] = line
    return result


def _scalar(node: yaml.Node, path: FieldPath, doc: Document, problems: list[Problem]) -> Any:
    line = node.start_mark.line + 1
    if node.tag in _TEXT_TAGS:
        return str(node.value)
    if node.tag not in _SCALAR_TAGS:
        problems.append(
            Problem(doc.file, line, format_path(path), f"unsupported YAML tag '{node.tag}'")
        )
        return None
    if node.tag == _FLOAT:
        value = _float(node)
    else:
        value = _CONSTRUCTOR.yaml_constructors[node.tag](_CONSTRUCTOR, node)
    if isinstance(value, float) and not math.isfinite(value):
        problems.append(
            Problem(doc.file, line, format_path(path), f"number must be finite, got {node.value}")
        )
        return None
    return value


def _float(node: yaml.Node) -> float:
    text = str(node.value).replace("_", "").lower()
    if text.lstrip("+-") == ".inf":
        return -math.inf if text.startswith("-") else math.inf
    if text == ".nan":
        return math.nan
    return float(text)
