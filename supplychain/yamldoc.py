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
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from supplychain.errors import FieldPath, InputError, Problem, format_path, show

_STANDARD = "tag:yaml.org,2002:"
_FLOAT = _STANDARD + "float"
_MAP = _STANDARD + "map"
_SEQ = _STANDARD + "seq"
_MERGE = _STANDARD + "merge"
_SCALAR_TAGS = {_STANDARD + kind for kind in ("str", "int", "float", "bool", "null")}
_TEXT_TAGS = {_STANDARD + "timestamp"}
"""Dates are kept as the text the planner wrote (a ``source: 2021-05-01`` is a citation)."""
_CONSTRUCTOR = yaml.constructor.SafeConstructor()
_MAX_VALUES = 200_000
"""Most values aliases may add to a document (values read again through an alias; each
value written in the file counts once, so large world models are not limited)."""
_MAX_DEPTH = 100
"""Most levels of lists and mappings inside each other, aliases followed."""
_TOO_DEEP = f"lists and mappings are nested more than {_MAX_DEPTH} levels deep"

_FLOAT_PATTERN = re.compile(
    r"""^[-+]?(?:
        (?:[0-9][0-9_]*)(?:\.[0-9_]*)?(?:[eE][-+]?[0-9]+)?
        |\.[0-9][0-9_]*(?:[eE][-+]?[0-9]+)?
        |\.(?:inf|Inf|INF)
        |\.(?:nan|NaN|NAN)
    )$""",
    re.VERBOSE,
)


class _NumberLoader(yaml.SafeLoader):
    """SafeLoader that also resolves ``5e9`` and ``5.0e9`` (no exponent sign) as floats, and
    stops at lists and mappings nested deeper than :data:`_MAX_DEPTH` (composing a node calls
    itself once per level, so deeper files would run out of stack)."""

    depth = 0

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node | None:
        if self.depth == _MAX_DEPTH:
            raise _TooDeep(self.peek_event().start_mark.line + 1)
        self.depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1


_NumberLoader.yaml_implicit_resolvers = {
    key: [(tag, regexp) for tag, regexp in resolvers if tag != _FLOAT]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_NumberLoader.add_implicit_resolver(_FLOAT, _FLOAT_PATTERN, list("-+0123456789."))


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
        problem = Problem(name, 1, "(file)", f"cannot read file: {error.strerror}")
        raise InputError([problem]) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise InputError([Problem(name, 1, "(file)", "not a UTF-8 text file")]) from None
    return parse_document(text, name)


def parse_document(text: str, name: str) -> Document:
    """Parse YAML text into a :class:`Document`; raise :class:`InputError` on any problem."""
    try:
        node = yaml.compose(text, Loader=_NumberLoader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else 1
        reason = error.problem or error.context or "invalid YAML"
        if error.problem and error.context and error.context_mark:
            reason += f" ({error.context} on line {error.context_mark.line + 1})"
        raise InputError([Problem(name, line, "(file)", f"YAML syntax error: {reason}")]) from None
    except yaml.reader.ReaderError as error:
        line = text.count("\n", 0, error.position) + 1
        message = f"the character #x{error.character:04x} is not allowed in a YAML file"
        raise InputError([Problem(name, line, "(file)", message)]) from None
    except _TooDeep as error:
        raise InputError([Problem(name, error.line, "(file)", _TOO_DEEP)]) from None
    if node is None:
        raise InputError([Problem(name, 1, "(file)", "the file is empty")])
    document = Document(name, None, {(): node.start_mark.line + 1})
    walk = _Walk(document)
    try:
        document.data = walk.data(node, ())
    except _TooLarge:
        walk.problems.append(
            Problem(name, 1, "(file)", f"aliases add more than {_MAX_VALUES:,} values")
        )
    except _TooDeep as error:
        walk.problems.append(Problem(name, error.line, "(file)", _TOO_DEEP))
    if walk.problems:
        raise InputError(walk.problems)
    return document


class _TooDeep(Exception):
    """Lists and mappings nest deeper than :data:`_MAX_DEPTH`, in the value starting on ``line``."""

    def __init__(self, line: int) -> None:
        super().__init__(line)
        self.line = line


class _TooLarge(Exception):
    """Aliases expand the document beyond :data:`_MAX_VALUES` (a "billion laughs" file)."""


class _Walk:
    """Turns a node tree into plain data, recording lines and collecting problems."""

    def __init__(self, document: Document) -> None:
        self.doc = document
        self.problems: list[Problem] = []
        self.open: set[int] = set()
        self.visited: set[int] = set()
        self.repeats = 0

    def problem(self, line: int, path: FieldPath, message: str) -> None:
        self.problems.append(Problem(self.doc.file, line, format_path(path), message))

    def data(self, node: yaml.Node, path: FieldPath) -> Any:
        line = node.start_mark.line + 1
        self.doc.lines.setdefault(path, line)
        if id(node) in self.visited:
            self.repeats += 1
            if self.repeats > _MAX_VALUES:
                raise _TooLarge
        else:
            self.visited.add(id(node))
        if isinstance(node, yaml.ScalarNode):
            return self.scalar(node, path)
        if len(path) == _MAX_DEPTH:
            raise _TooDeep(self.doc.line(path[:1]))
        if id(node) in self.open:
            self.problem(line, path, "an alias refers to a value that contains it")
            return None
        expected = _MAP if isinstance(node, yaml.MappingNode) else _SEQ
        if node.tag != expected:
            self.problem(line, path, f"unsupported YAML tag '{_short(node.tag)}'")
            return None
        self.open.add(id(node))
        if isinstance(node, yaml.MappingNode):
            result: Any = self.mapping(node, path)
        else:
            result = [self.data(child, (*path, i)) for i, child in enumerate(node.value)]
        self.open.discard(id(node))
        return result

    def mapping(self, node: yaml.MappingNode, path: FieldPath) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            line = key_node.start_mark.line + 1
            if key_node.tag == _MERGE:
                self.problem(line, path, "merge keys ('<<') are not supported; write the keys out")
                continue
            if not isinstance(key_node, yaml.ScalarNode):
                self.problem(line, path, "keys must be plain names")
                continue
            if key_node.tag not in _SCALAR_TAGS | _TEXT_TAGS:
                self.problem(line, path, f"unsupported YAML tag '{_short(key_node.tag)}'")
                continue
            key = str(key_node.value)
            if key in result:
                first = self.doc.lines[(*path, key)]
                self.problem(line, (*path, key), f"duplicate key (first on line {first})")
                continue
            self.doc.lines[(*path, key)] = line
            result[key] = self.data(value_node, (*path, key))
        return result

    def scalar(self, node: yaml.ScalarNode, path: FieldPath) -> Any:
        line = node.start_mark.line + 1
        if node.tag in _TEXT_TAGS:
            return str(node.value)
        if node.tag not in _SCALAR_TAGS:
            self.problem(line, path, f"unsupported YAML tag '{_short(node.tag)}'")
            return None
        try:
            if node.tag == _FLOAT:
                value = _float(node)
            else:
                value = _CONSTRUCTOR.yaml_constructors[node.tag](_CONSTRUCTOR, node)
        except (ValueError, KeyError):
            self.problem(line, path, f"not a valid {_short(node.tag)} value: {show(node.value)}")
            return None
        if isinstance(value, float) and not math.isfinite(value):
            self.problem(line, path, f"number must be finite, got {node.value}")
            return None
        if isinstance(value, int) and abs(value) > sys.float_info.max:
            self.problem(line, path, f"number too large ({len(str(abs(value)))} digits)")
            return None
        return value


def _short(tag: str) -> str:
    """``tag:yaml.org,2002:python/object`` as written in a file: ``!!python/object``."""
    return "!!" + tag.removeprefix(_STANDARD) if tag.startswith(_STANDARD) else tag


def _float(node: yaml.ScalarNode) -> float:
    text = str(node.value).replace("_", "").lower()
    if text.lstrip("+-") == ".inf":
        return -math.inf if text.startswith("-") else math.inf
    if text == ".nan":
        return math.nan
    return float(text)
