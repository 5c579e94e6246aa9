"""libyaml composes what PyYAML's pure-Python composer would, or leaves the text to it.

:mod:`supplychain.inputs.yamldoc` composes with libyaml when the text is one on which the two are
known to agree, and with the pure-Python composer otherwise and on any error. Each test here reads a
text both ways and asserts the same outcome — the same data and the line of every field path,
or the same problems — and, where the text is one libyaml must leave alone (unusual line breaks,
tabs, deep nesting...), that it does and that the message is the one the pure path gives.
"""

from __future__ import annotations

import gc
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import EXAMPLE_WORLD
from hypothesis import given, settings
from hypothesis import strategies as st

from supplychain.errors import InputError
from supplychain.inputs import yamldoc
from supplychain.inputs.load import load_world

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = sorted(
    [
        *ROOT.glob("models/*.yaml"),
        *ROOT.glob("scenarios/**/*.yaml"),
        *ROOT.glob("tests/data/invalid/*.yaml"),
    ]
)

Outcome = tuple[Any, ...]


def _outcome(compose: Callable[[str], yaml.Node | None], text: str) -> Outcome:
    """What reading ``text`` with ``compose`` gives: the document's data and lines in order,
    the problems, or that the composer left the text alone."""
    try:
        node = compose(text)
        if node is None:
            return ("left alone",)
        document = yamldoc._walked(node, "x.yaml")
    except InputError as error:
        return ("refused", [str(problem) for problem in error.problems])
    return ("read", document.data, list(document.lines.items()))


def _pure(text: str) -> Outcome:
    """What the pure-Python composer gives."""
    return _outcome(lambda text: yamldoc._composed_by_pyyaml(text, "x.yaml"), text)


def _fast(text: str) -> Outcome:
    """What libyaml gives, or that it leaves the text to the pure-Python composer."""
    return _outcome(yamldoc._composed_by_libyaml, text)


def _problems(text: str) -> list[str]:
    """The problems :func:`~supplychain.inputs.yamldoc.parse_document` raises for ``text``."""
    with pytest.raises(InputError) as raised:
        yamldoc.parse_document(text, "x.yaml")
    return [str(problem) for problem in raised.value.problems]


def test_the_installed_libyaml_refuses_deep_nesting_so_the_fast_path_is_on() -> None:
    assert yamldoc._libyaml_usable()


def test_without_libyaml_pyyaml_reads_everything(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(yaml, "__with_libyaml__", False)
    yamldoc._libyaml_usable.cache_clear()
    try:
        assert _fast("a: 1\n") == ("left alone",)
        assert yamldoc.parse_document("a: 1\n", "x.yaml").data == {"a": 1}
    finally:
        yamldoc._libyaml_usable.cache_clear()


@pytest.mark.parametrize("path", SHIPPED, ids=lambda path: str(path.relative_to(ROOT)))
def test_shipped_files_read_the_same_both_ways(path: Path) -> None:
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        pytest.skip("not UTF-8: refused before composing")
    assert _fast(text) in (_pure(text), ("left alone",))


def test_the_shipped_models_and_scenarios_take_the_fast_path() -> None:
    for path in [*ROOT.glob("models/*.yaml"), *ROOT.glob("scenarios/**/*.yaml")]:
        assert _fast(path.read_text()) != ("left alone",), path


def test_an_exponent_without_sign_is_a_float_on_the_fast_path() -> None:
    assert _fast("a: 5e9\nb: 5.0e9\nc: 1_000\nd: 0x1F\ne: 12:30\n") == (
        "read",
        {"a": 5e9, "b": 5e9, "c": 1000, "d": 31, "e": 750},
        [((), 1), (("a",), 1), (("b",), 2), (("c",), 3), (("d",), 4), (("e",), 5)],
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a: 1\n# note\u2028a: 2\n", "x.yaml:3: a: duplicate key (first on line 1)"),
        ("a: 1\n# note\x85a: 2\n", "x.yaml:3: a: duplicate key (first on line 1)"),
        (
            "a: 1\u2029b: [\n",
            "x.yaml:3: (file): YAML syntax error: expected the node content, "
            "but found '<stream end>' (while parsing a flow node on line 3)",
        ),
        (
            "a:\t1\n",
            "x.yaml:1: (file): YAML syntax error: found character '\\t' that cannot "
            "start any token",
        ),
        ("\ufeffa: 1\na: 2\n", "x.yaml:2: a: duplicate key (first on line 1)"),
        ("%YAML 1.3\n---\na: 1\na: 2\n", "x.yaml:4: a: duplicate key (first on line 3)"),
        (
            "a: 1\nb: x\x01y\n",
            "x.yaml:2: (file): the character #x0001 is not allowed in a YAML file",
        ),
        ("a: 1\na: 2", "x.yaml:2: a: duplicate key (first on line 1)"),
        (
            "a: |#x\n  b\n",
            "x.yaml:1: (file): YAML syntax error: expected chomping or "
            "indentation indicators, but found '#' (while scanning a block scalar on line 1)",
        ),
    ],
    ids=[
        "line-separator",
        "next-line",
        "paragraph-separator",
        "tab",
        "byte-order-mark",
        "yaml-directive",
        "control-character",
        "no-final-line-break",
        "comment-after-|",
    ],
)
def test_text_libyaml_may_read_otherwise_is_left_to_pyyaml(text: str, expected: str) -> None:
    assert _fast(text) == ("left alone",)
    assert _problems(text) == [expected]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "a: {b?c: 4}\n",
            "x.yaml:1: (file): YAML syntax error: expected ',' or '}', but got "
            "'?' (while parsing a flow mapping on line 1)",
        ),
        (
            "a: [what? yes]\n",
            "x.yaml:1: (file): YAML syntax error: expected ',' or ']', but "
            "got '?' (while parsing a flow sequence on line 1)",
        ),
    ],
    ids=["in-a-key", "in-a-value"],
)
def test_a_question_mark_in_a_flow_collection_is_left_to_pyyaml(text: str, expected: str) -> None:
    assert _fast(text) == ("left alone",)
    assert _problems(text) == [expected]


def test_a_question_mark_elsewhere_takes_the_fast_path() -> None:
    text = "description: Which levers? Why?\nitems: {a: {name: 'really?'}, b: \"why?\"}\n"
    assert (
        _fast(text)
        == _pure(text)
        == (
            "read",
            {"description": "Which levers? Why?", "items": {"a": {"name": "really?"}, "b": "why?"}},
            [
                ((), 1),
                (("description",), 1),
                (("items",), 2),
                (("items", "a"), 2),
                (("items", "a", "name"), 2),
                (("items", "b"), 2),
            ],
        )
    )


@pytest.mark.parametrize(
    ("text", "data", "lines"),
    [
        ("a: !\n", {"a": None}, [((), 1), (("a",), 1)]),
        ("?", {"": None}, [((), 1), (("",), 1)]),
        ("- a\n-", ["a", None], [((), 1), ((0,), 1), ((1,), 2)]),
        ("{? \n: x}\n", {"": "x"}, [((), 1), (("",), 1)]),
    ],
    ids=["empty-value-tagged-!", "explicit-key-at-end", "empty-entry-at-end", "empty-key-in-flow"],
)
def test_values_libyaml_may_read_otherwise_are_left_to_pyyaml(
    text: str, data: Any, lines: list[tuple[tuple[str | int, ...], int]]
) -> None:
    """libyaml would read another value, or place an empty one on another line."""
    assert _fast(text) == ("left alone",)
    document = yamldoc.parse_document(text, "x.yaml")
    assert (document.data, list(document.lines.items())) == (data, lines)


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("[" * 1_000_000 + "\n", 1),
        ("- " * 1_000_000 + "x\n", 1),
        ("{a: " * 1_000_000 + "\n", 1),
        ("".join(" " * level + "a:\n" for level in range(3_000)), 100),
    ],
    ids=["flow-lists", "block-lists", "flow-mappings", "block-mappings"],
)
def test_a_deeply_nested_file_is_refused_in_a_process_that_survives(text: str, line: int) -> None:
    """Run in a fresh process, so that a crash of the C composer would fail the test."""
    script = (
        "import sys\n"
        "from supplychain.errors import InputError\n"
        "from supplychain.inputs.yamldoc import parse_document\n"
        "try:\n"
        "    parse_document(sys.stdin.read(), 'x.yaml')\n"
        "except InputError as error:\n"
        "    print(error)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], input=text, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == (
        f"x.yaml:{line}: (file): lists and mappings are nested more than 100 levels deep\n"
    )


def _aliases_nested(levels: int) -> str:
    """Each list holds an alias to the one before: nested ``levels`` deep through aliases."""
    lines = ["a0: &a0 [x]\n"]
    lines += [f"a{level}: &a{level} [*a{level - 1}]\n" for level in range(1, levels)]
    return "".join(lines)


@pytest.mark.parametrize("levels", [97, 98, 99, 100, 150, 999])
@pytest.mark.parametrize(
    "nested",
    [
        lambda levels: "a: " + "[" * levels + "x" + "]" * levels + "\n",
        lambda levels: "a: " + "{b: " * levels + "x" + "}" * levels + "\n",
        lambda levels: (
            "".join(" " * (2 * level) + "- a:\n" for level in range(levels // 2))
            + " " * (levels // 2 * 2)
            + "- x\n"
        ),
        _aliases_nested,
    ],
    ids=["flow-lists", "flow-mappings", "block", "aliases"],
)
def test_nesting_near_the_limit_reads_the_same_both_ways(
    nested: Callable[[int], str], levels: int
) -> None:
    """Where PyYAML refuses while composing, libyaml (whose limit is higher) leaves it the text."""
    pure, fast = _pure(nested(levels)), _fast(nested(levels))
    assert fast == pure or (fast == ("left alone",) and pure[0] == "refused")


TRICKY = [
    "{a\n: 1}\n",
    '{"a":1}\n',
    "{a:1}\n",
    "[a:1]\n",
    "a: 'x\n\n  y'\n",
    "a:\n - b\n -  c\n",
    "--- a\n",
    "--- |\n  x\n",
    "a: 1\n...\n",
    "a: 1\n...\nb: 2\n",
    "- &a x\n- *a\n",
    "&a a: *a\n",
    "a: &x\n  b: *x\n",
    "&x [*x]\n",
    "a: &x [1, *x]\n",
    "a:\n",
    "- \n",
    "[\n]\n",
    "a: -\n",
    "'a': b\n",
    "a: |\n\n\n  x\n\n\n",
    "a: >\n  x\n\n  y\n",
    "a: 0b101\n",
    "a: 0x_1\n",
    "a: 1__0\n",
    "a: ._\n",
    "a: =\n",
    "<<: 1\n",
    "a: x,\n",
    "[a, b]: c\n",
    "{a: b}: c\n",
    "a: 1\r\nb: 2\r\na: 3\r\n",
    "a: 1\rb: 2\r\n",
    "a: é 😀 日本\n",
    'a: "\\u263A \\x41 \\N \\_ \\L \\P \\/ \\e \\ "\n',
    "a: 2001-12-14\n",
    "a: yes\nb: off\n",
    "a: 1\n---\nb: 2\n",
    "a: &x 1\nb: &x 2\n",
    "a: *y\n",
    "k" * 1024 + ": 1\n",
    "k" * 1025 + ": 1\n",
    "é" * 600 + ": 1\n",
    "a: 30%\nb: Hello!\n",
    "a:  # c\n  - 1\n",
    "[a?b]\n",
    "{a: b?}\n",
    "a: what?\n",
    "[? a]\n",
    "[?x]\n",
    "[a, ?]\n",
    "? a\n: b\n",
    "a: [x, # why?\n  y]\n",
    "a: ['why?', \"how?\"]\n",
    "a: &q what?\nb: [*q]\n",
]
"""Texts on which a difference between libyaml and PyYAML could show (all are compared)."""


@pytest.mark.parametrize("text", TRICKY)
def test_tricky_texts_read_the_same_both_ways(text: str) -> None:
    assert _fast(text) in (_pure(text), ("left alone",))


FRAGMENTS = (
    "a",
    "b",
    "x y",
    ": ",
    ":",
    "- ",
    "-",
    "? ",
    "\n",
    "\n  ",
    "\n    ",
    " ",
    "[",
    "]",
    "{",
    "}",
    ", ",
    ",",
    "'",
    '"',
    "''",
    "\\",
    "\\n",
    "&x ",
    "*x",
    "&y ",
    "*y",
    "# c",
    "|",
    ">",
    "|-",
    "!",
    "!!str ",
    "%",
    "5e9",
    "1",
    "-2",
    "0.5",
    ".inf",
    "null",
    "~",
    "yes",
    "2001-12-14",
    "---",
    "...",
    "\r\n",
    "\t",
    "é",
    "😀",
    "@",
    "`",
    "<<",
    "?",
    "a?b",
)
"""Pieces of text that mean something to YAML, joined at random below."""


@settings(max_examples=400, deadline=None, derandomize=True, database=None)
@given(pieces=st.lists(st.sampled_from(FRAGMENTS), max_size=40))
def test_random_texts_read_the_same_both_ways(pieces: list[str]) -> None:
    text = "".join(pieces) + "\n"
    assert _fast(text) in (_pure(text), ("left alone",))


def test_the_collector_is_paused_while_loading_and_resumed_after() -> None:
    with yamldoc.cyclic_gc_paused():
        assert not gc.isenabled()
        with yamldoc.cyclic_gc_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()
    load_world(EXAMPLE_WORLD)
    assert gc.isenabled()


def test_the_collector_stays_paused_if_it_was() -> None:
    gc.disable()
    try:
        with yamldoc.cyclic_gc_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
