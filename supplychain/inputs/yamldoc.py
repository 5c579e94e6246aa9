"""Read YAML safely while keeping the line of every key and value.

The file is *composed* into PyYAML nodes (no object construction, so no Python tags can run) and
the node tree is turned into plain dicts, lists and scalars by hand. That walk records the line of
each field path, rejects duplicate mapping keys (PyYAML would silently keep the last), accepts
``5.0e9`` as the number a planner meant (YAML 1.1 wants ``5.0e+9``) and refuses anything that is
not a plain mapping, sequence, string, number, boolean or null.

Composing is done by libyaml (PyYAML's C binding) when the text is one on which libyaml and
PyYAML's own pure-Python composer are known to agree (see :func:`_composed_by_libyaml`), and by
the pure-Python composer otherwise and whenever libyaml finds anything wrong, so that every
message and line number is PyYAML's.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import itertools
import math
import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import yaml

from supplychain.errors import InputError, Problem
from supplychain.inputs.messages import FieldPath, format_path, show

_STANDARD = "tag:yaml.org,2002:"
_FLOAT = _STANDARD + "float"
_MAP = _STANDARD + "map"
_SEQ = _STANDARD + "seq"
_MERGE = _STANDARD + "merge"
_STR = _STANDARD + "str"
_NULL = _STANDARD + "null"
_SCALAR_TAGS = {_STANDARD + kind for kind in ("str", "int", "float", "bool", "null")}
_TEXT_TAGS = {_STANDARD + "timestamp"}
"""Dates are kept as the text the planner wrote (a ``source: 2021-05-01`` is a citation)."""
_KEY_TAGS = _SCALAR_TAGS | _TEXT_TAGS
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
            event = self.peek_event()  # type: ignore[no-untyped-call]  # untyped in types-PyYAML
            raise _TooDeep(event.start_mark.line + 1)
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


_COMPILED_SAFE_LOADER = yaml.CSafeLoader if yaml.__with_libyaml__ else yaml.SafeLoader
"""PyYAML's safe loader on libyaml; where PyYAML was built without libyaml, a stand-in that
:func:`_libyaml_usable` turns down."""


class _LibyamlLoader(_COMPILED_SAFE_LOADER):  # type: ignore[misc, valid-type]
    """libyaml's parser and composer, resolving plain scalars as :class:`_NumberLoader` does."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.plain_tags: dict[str, str] = {}

    def resolve(self, kind: type[yaml.Node], value: str | None, implicit: Any) -> str:
        """The tag PyYAML gives the node; that of a plain scalar depends on its text alone
        (there are no path resolvers), so it is looked up once per distinct text."""
        if kind is not yaml.ScalarNode or not implicit[0] or value is None:
            resolved: str = super().resolve(kind, value, implicit)
            return resolved
        tag = self.plain_tags.get(value)
        if tag is None:
            tag = self.plain_tags[value] = super().resolve(kind, value, implicit)
        return tag


_LibyamlLoader.yaml_implicit_resolvers = _NumberLoader.yaml_implicit_resolvers

_OUTSIDE_SHARED_CHARACTERS = re.compile(
    "[^\n\r\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]"
)
"""A character on which libyaml and PyYAML may disagree: a tab (libyaml accepts some that
PyYAML refuses), a character PyYAML refuses (control characters, NUL, surrogates), the byte
order mark, or a line break only PyYAML counts as one (U+0085, U+2028, U+2029)."""
_UNUSUAL_SYNTAX = re.compile(
    r"!(?<=[\s\[\]{},:]!)|%(?<=[\n\r]%)|\A[!%]|(?<!\S)[|>][-+0-9]*[^-+0-9\s]"
)
"""Syntax on which libyaml and PyYAML may differ: a ``!`` that may begin a tag (libyaml reads an
empty value tagged ``!`` as text, PyYAML as null), a ``%`` that may begin a directive (the two
accept different ``%YAML`` versions), or a block scalar's ``|`` or ``>`` followed by anything but
a space or line break (libyaml takes ``|#`` for the start of a comment, PyYAML refuses it)."""
_UNUSUAL_SYNTAX_STARTS = "!%|>"
"""The characters with which :data:`_UNUSUAL_SYNTAX` begins."""
_LIBYAML_DEPTH_PROBES = ("[" * 1001 + "]" * 1001 + "\n", "- " * 1001 + "x\n")
"""Lists nested 1,001 levels deep, in flow and in block style."""


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
    with cyclic_gc_paused():
        node = _composed_by_libyaml(text)
        if node is None:
            node = _composed_by_pyyaml(text, name)
        return _walked(node, name)


@contextlib.contextmanager
def cyclic_gc_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector for the block (reference counting still frees
    what is no longer used). Reading a large file creates millions of objects that all stay,
    and each collection of the oldest generation walks every one of them: with the collector
    running, composing a 100k-route world takes three to four times as long."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _walked(node: yaml.Node, name: str) -> Document:
    """The document of a node tree: its data and lines; raise :class:`InputError` listing every
    problem of the tree."""
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


def _composed_by_pyyaml(text: str, name: str) -> yaml.Node:
    """The node tree of ``text`` composed by PyYAML's pure-Python composer; raise
    :class:`InputError` if the text is not YAML, nests too deeply or holds no value."""
    try:
        node = _composed_with_escapes_checked(text)
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
    except _EscapeBeyondUnicode as error:
        message = "YAML syntax error: an escape names a character beyond U+10FFFF"
        raise InputError([Problem(name, error.line, "(file)", message)]) from None
    if node is None:
        raise InputError([Problem(name, 1, "(file)", "the file is empty")])
    return node


def _composed_with_escapes_checked(text: str) -> yaml.Node | None:
    """``yaml.compose`` with :class:`_NumberLoader`; PyYAML's scanner fails with a bare
    ``ValueError`` on an escape such as ``\\U00110000``, which becomes
    :class:`_EscapeBeyondUnicode` at the scanner's line."""
    loader = _NumberLoader(text)
    try:
        return loader.get_single_node()
    except ValueError as error:
        if "chr()" not in str(error):
            raise
        raise _EscapeBeyondUnicode(loader.line + 1) from None
    finally:
        loader.dispose()


def _composed_by_libyaml(text: str) -> yaml.Node | None:
    """The node tree of ``text`` composed by libyaml, when it is the tree PyYAML's composer
    would give; None when that is not certain, or when the text is not a valid, non-empty YAML
    file that :class:`_NumberLoader` accepts (PyYAML then composes it, for its messages).

    libyaml is used only on text that ends with a line break (libyaml adds one where it is
    missing, which moves the line of a final empty value) and has no character or syntax on
    which the two are known to differ (:data:`_OUTSIDE_SHARED_CHARACTERS`,
    :data:`_UNUSUAL_SYNTAX`), and only when libyaml is there and itself refuses deep nesting
    (its composer calls itself once per level, so deeper files could overflow the stack). Its
    tree is not used when :func:`_pyyaml_differs` finds that PyYAML would have refused or read
    it otherwise.
    """
    if not _libyaml_reads_as_pyyaml(text) or not _libyaml_usable():
        return None
    try:
        node = yaml.compose(text, Loader=_LibyamlLoader)
    except yaml.YAMLError:
        return None
    if node is None or _pyyaml_differs(node, questions="?" in text):
        return None
    return node


def _libyaml_reads_as_pyyaml(text: str) -> bool:
    """Whether ``text`` ends with a line break and has nothing on which libyaml and PyYAML are
    known to differ (the slower search for :data:`_UNUSUAL_SYNTAX` runs only if one of the
    characters it begins with is there at all)."""
    if not text.endswith("\n") or _OUTSIDE_SHARED_CHARACTERS.search(text):
        return False
    unusual = any(character in text for character in _UNUSUAL_SYNTAX_STARTS)
    return not unusual or not _UNUSUAL_SYNTAX.search(text)


@functools.cache
def _libyaml_usable() -> bool:
    """Whether PyYAML has libyaml, and libyaml refuses the :data:`_LIBYAML_DEPTH_PROBES` (so
    that its composer never calls itself much more than a thousand levels deep)."""
    if not yaml.__with_libyaml__:
        return False
    for probe in _LIBYAML_DEPTH_PROBES:
        try:
            yaml.compose(probe, Loader=_LibyamlLoader)
        except yaml.YAMLError:
            continue
        return False
    return True


def _pyyaml_differs(root: yaml.Node, questions: bool) -> bool:
    """Whether PyYAML's composer would refuse, or compose otherwise, a tree libyaml composed:
    when a value sits :data:`_MAX_DEPTH` levels deep as written (:class:`_NumberLoader` refuses
    it while composing), or, if the text has a ``?`` at all (``questions``), when a plain
    scalar inside a flow collection holds one (there PyYAML ends a plain scalar at a ``?`` and
    reads it as a key indicator; libyaml reads on) or is empty (an empty key after ``?`` is on
    the line of the ``?`` for PyYAML, of what follows for libyaml)."""
    for node, level in _collections_as_written(root):
        if level + 1 >= _MAX_DEPTH:
            return True
        if questions and node.flow_style and any(map(_plain_empty_or_question, _children(node))):
            return True
    return False


def _collections_as_written(root: yaml.Node) -> Iterator[tuple[yaml.CollectionNode, int]]:
    """Every list and mapping of the tree that holds something, with its level (0 for the
    root), in document order. An alias is a value where it is written, so a collection met
    again is not entered again: in document order, a value comes before its aliases."""
    entered: set[int] = set()
    pending = [(root, 0)] if isinstance(root, yaml.CollectionNode) else []
    while pending:
        node, level = pending.pop()
        if id(node) in entered or not node.value:
            continue
        entered.add(id(node))
        yield node, level
        inside = [child for child in _children(node) if isinstance(child, yaml.CollectionNode)]
        pending.extend((child, level + 1) for child in reversed(inside))


def _plain_empty_or_question(node: yaml.Node) -> bool:
    """Whether ``node`` is a plain (unquoted) scalar that is empty or has a ``?`` in it."""
    return (
        isinstance(node, yaml.ScalarNode)
        and node.style == ""
        and (not node.value or "?" in node.value)
    )


def _children(node: yaml.CollectionNode) -> Iterable[yaml.Node]:
    """The nodes written directly inside ``node``, in document order (keys before values)."""
    if isinstance(node, yaml.MappingNode):
        pairs: list[tuple[yaml.Node, yaml.Node]] = node.value
        return itertools.chain.from_iterable(pairs)
    children: list[yaml.Node] = node.value
    return children


class _TooDeep(Exception):
    """Lists and mappings nest deeper than :data:`_MAX_DEPTH`, in the value starting on ``line``."""

    def __init__(self, line: int) -> None:
        super().__init__(line)
        self.line = line


class _EscapeBeyondUnicode(Exception):
    """A double-quoted escape names a code point beyond U+10FFFF, on ``line``."""

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
        """The value of ``node``, which sits at ``path`` (whose line is already recorded)."""
        self.count_visit(node)
        if isinstance(node, yaml.ScalarNode):
            return self.scalar(node, path)
        line = node.start_mark.line + 1
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
            result = self.sequence(cast(yaml.SequenceNode, node), path)
        self.open.discard(id(node))
        return result

    def count_visit(self, node: yaml.Node) -> None:
        """Note that ``node`` is read; raise :class:`_TooLarge` when aliases have made the
        walk read more than :data:`_MAX_VALUES` values a second time."""
        if id(node) in self.visited:
            self.repeats += 1
            if self.repeats > _MAX_VALUES:
                raise _TooLarge
        else:
            self.visited.add(id(node))

    def sequence(self, node: yaml.SequenceNode, path: FieldPath) -> list[Any]:
        lines = self.doc.lines
        result: list[Any] = []
        for index, child in enumerate(node.value):
            child_path = (*path, index)
            lines[child_path] = child.start_mark.line + 1
            result.append(self.data(child, child_path))
        return result

    def mapping(self, node: yaml.MappingNode, path: FieldPath) -> dict[str, Any]:
        lines = self.doc.lines
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            line = key_node.start_mark.line + 1
            if key_node.tag == _MERGE:
                self.problem(line, path, "merge keys ('<<') are not supported; write the keys out")
                continue
            if not isinstance(key_node, yaml.ScalarNode):
                self.problem(line, path, "keys must be plain names")
                continue
            if key_node.tag not in _KEY_TAGS:
                self.problem(line, path, f"unsupported YAML tag '{_short(key_node.tag)}'")
                continue
            key = str(key_node.value)
            key_path = (*path, key)
            if key in result:
                self.problem(line, key_path, f"duplicate key (first on line {lines[key_path]})")
                continue
            lines[key_path] = line
            result[key] = self.data(value_node, key_path)
        return result

    def scalar(self, node: yaml.ScalarNode, path: FieldPath) -> Any:
        tag = node.tag
        if tag == _STR:
            return node.value
        if tag == _NULL:
            return None
        if tag in _TEXT_TAGS:
            return str(node.value)
        line = node.start_mark.line + 1
        if tag not in _SCALAR_TAGS:
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
