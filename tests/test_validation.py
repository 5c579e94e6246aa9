"""Bad input, one rule at a time: each test asserts the exact lines a planner would read.

Every case starts from a small valid world (``models/tiny.yaml``) and scenario
(``scenarios/tiny.yaml``), applies a text edit, loads, and compares ``str(problem)`` — file as
displayed, line, field path and message — for every problem raised. The tests run inside a
temporary folder so that files display as ``models/tiny.yaml`` and ``scenarios/tiny.yaml``.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import EXAMPLE

from supplychain.errors import InputError
from supplychain.inputs.graph import topological_items
from supplychain.inputs.load import LoadedScenario, load_scenario, load_world
from supplychain.inputs.yamldoc import parse_document
from supplychain.model.instance import build_instance

ROOT = Path(__file__).resolve().parents[1]

WORLD = """\
name: tiny
countries:
  USA: {name: United States}
  NLD: {name: Netherlands}
  JPN: {name: Japan}
  CHN: {name: China}
items:
  logic: {kind: capability}
  scanner: {kind: tool, category: lithography, market_usd: 5.0e9}
  etch: {kind: tool}
  laser: {kind: subsystem, category: light_sources}
suppliers:
  asml: {country: NLD, content: {USA: 0.2}, direct_product_of: [USA]}
  lam: {country: USA}
  tel: {country: JPN, content: {USA: 0.3}}
  smee: {country: CHN}
  cymer: {country: USA, owner: NLD}
routes:
  - {item: logic, inputs: {scanner: 1, etch: 1}}
  - {item: scanner, supplier: asml, capacity: 0.9}
  - {item: scanner, supplier: smee, capacity: 0.1, inputs: {laser: 1}}
  - {item: etch, supplier: lam, capacity: 0.6}
  - {item: etch, supplier: tel, capacity: 0.4}
  - {item: laser, supplier: cymer, capacity: 1.0}
"""
"""Lines: 3–6 countries, 8–11 items, 13–17 suppliers, 19–24 routes[0]–routes[5]."""

_LAST_ROUTE = "  - {item: laser, supplier: cymer, capacity: 1.0}\n"
"""The world's last line, after which edits append new sections (from line 25)."""

SCENARIO = """\
name: tiny-question
model: ../models/tiny.yaml
targets:
  logic: {demand: 0.5}
partners:
  NLD: {align_cost: 3}
  JPN: {}
budget: {diplomatic: 4}
"""
"""Lines: 4 targets.logic, 6–7 partners, 8 budget; extra sections go on line 9 and after."""

Edit = tuple[str, str]


def _edited(text: str, edits: tuple[Edit, ...]) -> str:
    for old, new in edits:
        assert text.count(old) == 1, f"edit target {old!r} must occur exactly once"
        text = text.replace(old, new)
    return text


@pytest.fixture
def inputs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty folder with ``models/`` and ``scenarios/``, made the working directory."""
    (tmp_path / "models").mkdir()
    (tmp_path / "scenarios").mkdir()
    monkeypatch.chdir(tmp_path)
    return tmp_path


def write_world(*edits: Edit, text: str = WORLD) -> Path:
    path = Path("models/tiny.yaml")
    path.write_text(_edited(text, edits))
    return path


def write_scenario(*edits: Edit, text: str = SCENARIO, world: tuple[Edit, ...] = ()) -> Path:
    write_world(*world)
    path = Path("scenarios/tiny.yaml")
    path.write_text(_edited(text, edits))
    return path


def world_problems(*edits: Edit, text: str = WORLD) -> list[str]:
    """The rendered problems of the edited world model (it must fail)."""
    path = write_world(*edits, text=text)
    with pytest.raises(InputError) as raised:
        load_world(path)
    return [str(problem) for problem in raised.value.problems]


def scenario_problems(
    *edits: Edit, text: str = SCENARIO, world: tuple[Edit, ...] = ()
) -> list[str]:
    """The rendered problems of the edited scenario and world (they must fail)."""
    path = write_scenario(*edits, text=text, world=world)
    with pytest.raises(InputError) as raised:
        load_scenario(path)
    return [str(problem) for problem in raised.value.problems]


def add_section(section: str) -> Edit:
    """Append a scenario section after ``budget`` (so it starts on line 9)."""
    return ("budget: {diplomatic: 4}\n", "budget: {diplomatic: 4}\n" + section)


# --- the valid bases and the shipped example ---------------------------------------------------


def test_the_bases_are_valid(inputs: Path) -> None:
    loaded = load_scenario(write_scenario())
    assert loaded.world.world.items["scanner"].market_usd == 5.0e9
    assert loaded.world.document.file == "models/tiny.yaml"


def test_shipped_example_loads_with_defaults_applied() -> None:
    loaded = load_scenario(EXAMPLE)
    scenario = loaded.scenario
    assert isinstance(loaded, LoadedScenario)
    assert (scenario.controller, scenario.adversary) == ("USA", "CHN")
    assert scenario.de_minimis == 0.25
    assert scenario.costs.adversary_share == 0.3
    assert scenario.costs.fdpr_default == 2.0
    assert scenario.targets["advanced_logic"].weight == 1.0
    assert scenario.targets["advanced_logic"].demand == 0.5
    assert scenario.partners["JPN"].align_cost == 2
    assert scenario.partners["JPN"].fdpr_cost is None
    levers = scenario.levers
    assert (levers.control, levers.align, levers.fdpr) == ("all", "all", "all")
    assert (levers.monitor, levers.restrict, levers.tariff, levers.screen) == ("none",) * 4
    assert scenario.leakage.by_country == {} and scenario.leakage.by_category == {}
    assert scenario.budget.economic_usd is None
    assert scenario.fixed.on == [] and scenario.fixed.off == []
    assert scenario.mode == "optimize"
    assert scenario.objective.minimize == "capability"
    assert scenario.objective.max_capability is None
    assert scenario.solver.mip_gap == 0.0 and scenario.solver.time_limit is None
    assert loaded.world.world.items["advanced_logic"].market_usd == 0.0
    assert len(loaded.sha256) == 64


def test_defaults_of_optional_entries(inputs: Path) -> None:
    scenario = load_scenario(write_scenario(add_section("pressure:\n  JPN:\n"))).scenario
    assert scenario.partners["JPN"].align_cost == 1.0
    pressure = scenario.pressure["JPN"]
    assert (pressure.monitor_cost, pressure.monitor_effect) == (1.0, 0.5)
    assert (pressure.tariff_compliance, pressure.restrict_cost_usd) == (0.8, 0.0)


def test_target_written_without_figures_takes_defaults(inputs: Path) -> None:
    scenario = load_scenario(write_scenario(("logic: {demand: 0.5}", "logic:"))).scenario
    assert (scenario.targets["logic"].demand, scenario.targets["logic"].weight) == (1.0, 1.0)


def test_null_budget_and_null_de_minimis_mean_none(inputs: Path) -> None:
    path = write_scenario(("budget: {diplomatic: 4}", "budget: null\nde_minimis: null"))
    scenario = load_scenario(path).scenario
    assert scenario.budget.diplomatic is None and scenario.budget.economic_usd is None
    assert scenario.de_minimis is None


def test_mode_evaluate_and_cost_objective_are_accepted(inputs: Path) -> None:
    section = "mode: evaluate\nobjective: {minimize: cost, max_capability: 0.2}\n"
    scenario = load_scenario(write_scenario(add_section(section))).scenario
    assert scenario.mode == "evaluate"
    assert (scenario.objective.minimize, scenario.objective.max_capability) == ("cost", 0.2)


# --- YAML reading ------------------------------------------------------------------------------


@pytest.mark.parametrize("written", ["5.0e9", "5e9", "5.0E+9", "5_000_000_000.0"])
def test_exponent_without_sign_is_the_number_meant(inputs: Path, written: str) -> None:
    path = write_scenario(("{diplomatic: 4}", f"{{diplomatic: 4, economic_usd: {written}}}"))
    assert load_scenario(path).scenario.budget.economic_usd == 5.0e9


@pytest.mark.parametrize("written", [".inf", "-.Inf", ".nan", "1e999"])
def test_non_finite_number(inputs: Path, written: str) -> None:
    assert world_problems(("capacity: 0.9", f"capacity: {written}")) == [
        f"models/tiny.yaml:20: routes[1].capacity: number must be finite, got {written}"
    ]


def test_duplicate_key_names_both_lines(inputs: Path) -> None:
    assert world_problems(("  etch: {kind: tool}\n", "  etch: {kind: tool}\n  etch: {}\n")) == [
        "models/tiny.yaml:11: items.etch: duplicate key (first on line 10)"
    ]


def test_a_bare_no_read_as_false_gets_a_hint_to_quote_it(inputs: Path) -> None:
    """Norway's code ``NO`` unquoted is YAML 1.1's false."""
    assert world_problems(("tel: {country: JPN,", "tel: {country: NO,")) == [
        "models/tiny.yaml:15: suppliers.tel.country: expected text, got false (YAML reads a bare "
        "yes, no, on or off as true or false: put the name in quotes)"
    ]


def test_python_tag_is_refused(inputs: Path) -> None:
    assert scenario_problems(add_section("controller: !!python/object/apply:os.system [ls]\n")) == [
        "scenarios/tiny.yaml:9: controller: unsupported YAML tag '!!python/object/apply:os.system'"
    ]


def test_python_tag_on_a_mapping_is_refused(inputs: Path) -> None:
    assert scenario_problems(("budget: {", "budget: !!python/object:builtins.dict {")) == [
        "scenarios/tiny.yaml:8: budget: unsupported YAML tag '!!python/object:builtins.dict'"
    ]


def test_yaml_syntax_error_has_its_line(inputs: Path) -> None:
    assert world_problems(("  etch: {kind: tool}", "  etch: {kind: tool")) == [
        "models/tiny.yaml:11: (file): YAML syntax error: expected ',' or '}', but got ':' "
        "(while parsing a flow mapping on line 10)"
    ]


def test_missing_world_file(inputs: Path) -> None:
    with pytest.raises(InputError) as raised:
        load_world(Path("models/none.yaml"))
    assert [str(problem) for problem in raised.value.problems] == [
        "models/none.yaml:1: (file): cannot read file: No such file or directory"
    ]


def test_file_that_is_not_utf8(inputs: Path) -> None:
    Path("models/tiny.yaml").write_bytes("name: tiny\ndescription: caf\u00e9\n".encode("latin-1"))
    with pytest.raises(InputError) as raised:
        load_world(Path("models/tiny.yaml"))
    assert [str(problem) for problem in raised.value.problems] == [
        "models/tiny.yaml:1: (file): not a UTF-8 text file"
    ]


@pytest.mark.parametrize("text", ["", "# only a comment\n"])
def test_empty_file(inputs: Path, text: str) -> None:
    assert scenario_problems(text=text) == ["scenarios/tiny.yaml:1: (file): the file is empty"]


@pytest.mark.parametrize(
    ("text", "shown"), [("- tiny\n", "a list"), ("~\n", "nothing (null)"), ("tiny\n", "'tiny'")]
)
def test_file_that_is_not_a_mapping(inputs: Path, text: str, shown: str) -> None:
    assert world_problems(text=text) == [
        f"models/tiny.yaml:1: (file): expected a mapping of keys, got {shown}"
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a: !!int ten\n", "x.yaml:1: a: not a valid !!int value: 'ten'"),
        ("a: !!bool maybe\n", "x.yaml:1: a: not a valid !!bool value: 'maybe'"),
        ("a: !!set {b}\n", "x.yaml:1: a: unsupported YAML tag '!!set'"),
        ("a: &loop [1, *loop]\n", "x.yaml:1: a[1]: an alias refers to a value that contains it"),
        (
            "b: {c: 1}\na:\n  <<: {c: 2}\n",
            "x.yaml:3: a: merge keys ('<<') are not supported; write the keys out",
        ),
        ("? [a, b]\n: 1\n", "x.yaml:1: (file): keys must be plain names"),
        (
            "a: 'open\n",
            "x.yaml:2: (file): YAML syntax error: found unexpected end of stream "
            "(while scanning a quoted scalar on line 1)",
        ),
        (
            "a: 1\nb: x\x00y\n",
            "x.yaml:2: (file): the character #x0000 is not allowed in a YAML file",
        ),
        (
            "a: 1\nb: " + "[" * 150 + "]" * 150 + "\n",
            "x.yaml:2: (file): lists and mappings are nested more than 100 levels deep",
        ),
        (
            "a0: &a0 [x]\n" + "".join(f"a{n}: &a{n} [*a{n - 1}]\n" for n in range(1, 120)),
            "x.yaml:100: (file): lists and mappings are nested more than 100 levels deep",
        ),
        ("a: 1" + "0" * 400 + "\n", "x.yaml:1: a: number too large (401 digits)"),
    ],
    ids=[
        "bad-int",
        "bad-bool",
        "set-tag",
        "recursive-alias",
        "merge-key",
        "complex-key",
        "open-quote",
        "control-character",
        "nested-too-deeply",
        "aliases-nested-too-deeply",
        "huge-integer",
    ],
)
def test_yaml_that_is_not_plain_data(text: str, expected: str) -> None:
    with pytest.raises(InputError) as raised:
        parse_document(text, "x.yaml")
    assert [str(problem) for problem in raised.value.problems] == [expected]


def test_aliases_cannot_expand_without_bound() -> None:
    lines = ["a0: &a0 [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]"]
    lines += [f"a{n}: &a{n} [{', '.join([f'*a{n - 1}'] * 10)}]" for n in range(1, 7)]
    with pytest.raises(InputError) as raised:
        parse_document("\n".join(lines), "x.yaml")
    assert [str(problem) for problem in raised.value.problems] == [
        "x.yaml:1: (file): aliases add more than 200,000 values"
    ]


def test_values_written_out_do_not_count_against_the_alias_limit() -> None:
    """A large world model is long, not an alias bomb: 200,100 values written out parse."""
    document = parse_document("values: [" + ", ".join(["1"] * 200_100) + "]", "x.yaml")
    assert len(document.data["values"]) == 200_100


def test_keys_stay_as_written_and_dates_stay_text() -> None:
    document = parse_document("source: 2021-05-01\non: yes\nNO: ._\n", "x.yaml")
    assert document.data == {"source": "2021-05-01", "on": True, "NO": "._"}
    assert document.lines[("NO",)] == 3


# --- world model rules (DESIGN §3) -------------------------------------------------------------

WORLD_RULES = [
    pytest.param(
        [("{kind: tool, category: lithography", "{kind: tool, categroy: lithography")],
        [
            "models/tiny.yaml:9: items.scanner.categroy: unknown key 'categroy' "
            "(did you mean 'category'?)"
        ],
        id="unknown-key",
    ),
    pytest.param(
        [("routes:\n", "route:\n")],
        [
            "models/tiny.yaml:1: routes: required key is missing",
            "models/tiny.yaml:18: route: unknown key 'route' (did you mean 'routes'?)",
        ],
        id="missing-required-section",
    ),
    pytest.param(
        [("  lam: {country: USA}", "  lam: {name: Lam Research}")],
        ["models/tiny.yaml:14: suppliers.lam.country: required key is missing"],
        id="supplier-without-country",
    ),
    pytest.param(
        [("capacity: 0.6", "capacity: lots")],
        ["models/tiny.yaml:22: routes[3].capacity: expected a number, got 'lots'"],
        id="text-for-number",
    ),
    pytest.param(
        [("market_usd: 5.0e9", "market_usd: '5.0e9'")],
        ["models/tiny.yaml:9: items.scanner.market_usd: expected a number, got '5.0e9'"],
        id="quoted-number",
    ),
    pytest.param(
        [("kind: subsystem", "kind: subsytem")],
        [
            "models/tiny.yaml:11: items.laser.kind: expected 'capability', 'process', 'tool', "
            "'subsystem', 'material', 'software', 'chip' or 'service', got 'subsytem' "
            "(did you mean 'subsystem'?)"
        ],
        id="unknown-item-kind",
    ),
    pytest.param(
        [("name: tiny", "name: Tiny World")],
        [
            "models/tiny.yaml:1: name: not a valid name: 'Tiny World' (use lower-case letters, "
            "digits, '-' and '_', at most 64 characters)"
        ],
        id="bad-slug",
    ),
    pytest.param(
        [("  JPN: {name: Japan}", "  JP N: {name: Japan}")],
        [
            "models/tiny.yaml:5: countries.JP N: not a valid name: 'JP N' (use letters, digits, "
            "'_', '-', '.'; no spaces or path separators)"
        ],
        id="bad-id",
    ),
    pytest.param(
        [("supplier: asml", "supplier: asm1")],
        ["models/tiny.yaml:20: routes[1].supplier: unknown supplier 'asm1' (did you mean 'asml'?)"],
        id="unknown-supplier",
    ),
    pytest.param(
        [("{item: etch, supplier: lam", "{item: etsh, supplier: lam")],
        ["models/tiny.yaml:22: routes[3].item: unknown item 'etsh' (did you mean 'etch'?)"],
        id="unknown-route-item",
    ),
    pytest.param(
        [("inputs: {laser: 1}", "inputs: {lazer: 1}")],
        [
            "models/tiny.yaml:21: routes[2].inputs.lazer: unknown item 'lazer' "
            "(did you mean 'laser'?)"
        ],
        id="unknown-input-item",
    ),
    pytest.param(
        [("tel: {country: JPN", "tel: {country: JAP")],
        ["models/tiny.yaml:15: suppliers.tel.country: unknown country 'JAP' (did you mean 'JPN'?)"],
        id="unknown-supplier-country",
    ),
    pytest.param(
        [
            ("content: {USA: 0.3}", "content: {USA: 0.3, KOR: 0.1}"),
            ("owner: NLD", "owner: NDL"),
            ("direct_product_of: [USA]", "direct_product_of: [USA, US]"),
        ],
        [
            "models/tiny.yaml:13: suppliers.asml.direct_product_of[1]: unknown country 'US' "
            "(did you mean 'USA'?)",
            "models/tiny.yaml:15: suppliers.tel.content.KOR: unknown country 'KOR'",
            "models/tiny.yaml:17: suppliers.cymer.owner: unknown country 'NDL' "
            "(did you mean 'NLD'?)",
        ],
        id="unknown-supplier-references",
    ),
    pytest.param(
        [("supplier: lam, capacity: 0.6}", "supplier: lam, capacity: 0.6, via: MYS}")],
        ["models/tiny.yaml:22: routes[3].via: unknown country 'MYS'"],
        id="unknown-via-country",
    ),
    pytest.param(
        [("{item: logic, inputs:", "{item: logic, via: NLD, inputs:")],
        ["models/tiny.yaml:19: routes[0].via: a diversion route (via) needs a supplier"],
        id="via-without-supplier",
    ),
    pytest.param(
        [("supplier: lam, capacity: 0.6}", "supplier: lam, capacity: 0.6, via: USA}")],
        [
            "models/tiny.yaml:22: routes[3].via: a diversion route goes through a third country, "
            "not the supplier's own 'USA'"
        ],
        id="via-through-own-country",
    ),
    pytest.param(
        [
            (
                "supplier: lam, capacity: 0.6}",
                "supplier: lam, capacity: 0.6, content: {USA: 1}, direct_product_of: [USAA]}",
            )
        ],
        [
            "models/tiny.yaml:22: routes[3].direct_product_of[0]: unknown country 'USAA' "
            "(did you mean 'USA'?)"
        ],
        id="unknown-via-override-country",
    ),
    pytest.param(
        [("capacity: 0.9", "capacity: -0.1")],
        ["models/tiny.yaml:20: routes[1].capacity: must be at least 0, got -0.1"],
        id="negative-capacity",
    ),
    pytest.param(
        [("inputs: {scanner: 1, etch: 1}", "inputs: {scanner: 1, etch: 0}")],
        ["models/tiny.yaml:19: routes[0].inputs.etch: must be greater than 0, got 0"],
        id="zero-input-quantity",
    ),
    pytest.param(
        [("inputs: {laser: 1}", "inputs: {laser: -2}")],
        ["models/tiny.yaml:21: routes[2].inputs.laser: must be greater than 0, got -2"],
        id="negative-input-quantity",
    ),
    pytest.param(
        [("content: {USA: 0.3}", "content: {USA: 1.3}")],
        ["models/tiny.yaml:15: suppliers.tel.content.USA: must be at most 1, got 1.3"],
        id="content-share-above-one",
    ),
    pytest.param(
        [("content: {USA: 0.2}", "content: {USA: -0.2}")],
        ["models/tiny.yaml:13: suppliers.asml.content.USA: must be at least 0, got -0.2"],
        id="content-share-below-zero",
    ),
    pytest.param(
        [("supplier: lam, capacity: 0.6}", "supplier: lam, capacity: 0.6, leakage: 1.5}")],
        ["models/tiny.yaml:22: routes[3].leakage: must be at most 1, got 1.5"],
        id="route-leakage-above-one",
    ),
    pytest.param(
        [("market_usd: 5.0e9", "market_usd: -5.0e9")],
        ["models/tiny.yaml:9: items.scanner.market_usd: must be at least 0, got -5000000000.0"],
        id="negative-market",
    ),
    pytest.param(
        [
            (
                "{item: laser, supplier: cymer, capacity: 1.0}",
                "{item: laser, supplier: cymer, capacity: 1.0, inputs: {scanner: 1}}",
            )
        ],
        [
            "models/tiny.yaml:21: routes[2].inputs.laser: cycle through route inputs: "
            "laser -> scanner -> laser"
        ],
        id="input-cycle",
    ),
    pytest.param(
        [
            (
                "{item: etch, supplier: tel, capacity: 0.4}",
                "{item: etch, supplier: tel, capacity: 0.4, inputs: {etch: 0.1}}",
            )
        ],
        ["models/tiny.yaml:23: routes[4].inputs.etch: cycle through route inputs: etch -> etch"],
        id="input-self-cycle",
    ),
    pytest.param(
        [("supplier: asml, capacity: 0.9", "supplier: asml")],
        ["models/tiny.yaml:20: routes[1].capacity: required on a route with a supplier"],
        id="supplier-route-without-capacity",
    ),
    pytest.param(
        [(_LAST_ROUTE, _LAST_ROUTE + "categories:\n  lithograpy: {de_minimis: 0}\n")],
        [
            "models/tiny.yaml:26: categories.lithograpy: no item names category 'lithograpy' "
            "(did you mean 'lithography'?)"
        ],
        id="category-table-entry-no-item-names",
    ),
    pytest.param(
        [(_LAST_ROUTE, _LAST_ROUTE + "categories:\n  lithography: {de_minimis: 1.5}\n")],
        ["models/tiny.yaml:26: categories.lithography.de_minimis: must be at most 1, got 1.5"],
        id="category-de-minimis-above-one",
    ),
]


@pytest.mark.parametrize(("edits", "expected"), WORLD_RULES)
def test_world_rule(inputs: Path, edits: list[Edit], expected: list[str]) -> None:
    assert world_problems(*edits) == expected


def test_supplier_less_route_without_capacity_is_unlimited(inputs: Path) -> None:
    world = load_world(write_world()).world
    assert world.routes[0].supplier is None and world.routes[0].capacity is None


def test_world_errors_are_reported_together_sorted_by_line(inputs: Path) -> None:
    """Schema errors do not hide reference errors elsewhere in the file."""
    assert world_problems(
        ("capacity: 0.4", "capcity: 0.4"),
        ("  NLD: {name: Netherlands}", "  NLD: {name: Netherlands, iso: NL}"),
        ("supplier: asml", "supplier: asm1"),
        ("market_usd: 5.0e9", "market_usd: lots"),
        ("owner: NLD", "owner: NDL"),
    ) == [
        "models/tiny.yaml:4: countries.NLD.iso: unknown key 'iso'",
        "models/tiny.yaml:9: items.scanner.market_usd: expected a number, got 'lots'",
        "models/tiny.yaml:17: suppliers.cymer.owner: unknown country 'NDL' (did you mean 'NLD'?)",
        "models/tiny.yaml:20: routes[1].supplier: unknown supplier 'asm1' (did you mean 'asml'?)",
        "models/tiny.yaml:23: routes[4].capacity: required on a route with a supplier",
        "models/tiny.yaml:23: routes[4].capcity: unknown key 'capcity' (did you mean 'capacity'?)",
    ]


def test_reference_errors_after_a_dropped_route_keep_their_index(inputs: Path) -> None:
    assert world_problems(
        ("{item: scanner, supplier: asml, capacity: 0.9}", "{item: scanner, suplier: asml}"),
        ("{item: etch, supplier: tel", "{item: etch, supplier: tell"),
    ) == [
        "models/tiny.yaml:20: routes[1].suplier: unknown key 'suplier' (did you mean 'supplier'?)",
        "models/tiny.yaml:23: routes[4].supplier: unknown supplier 'tell' (did you mean 'tel'?)",
    ]


# --- scenario rules (DESIGN §4) ----------------------------------------------------------------

SCENARIO_RULES = [
    pytest.param(
        [add_section("leakge: {default: 0.1}\n")],
        ["scenarios/tiny.yaml:9: leakge: unknown key 'leakge' (did you mean 'leakage'?)"],
        id="unknown-key",
    ),
    pytest.param(
        [("JPN: {}", "JPN: {align_cots: 2}")],
        [
            "scenarios/tiny.yaml:7: partners.JPN.align_cots: unknown key 'align_cots' "
            "(did you mean 'align_cost'?)"
        ],
        id="unknown-nested-key",
    ),
    pytest.param(
        [("targets:\n  logic: {demand: 0.5}\n", "")],
        ["scenarios/tiny.yaml:1: targets: required key is missing"],
        id="missing-targets",
    ),
    pytest.param(
        [("targets:\n  logic: {demand: 0.5}\n", "targets: {}\n")],
        ["scenarios/tiny.yaml:3: targets: needs at least 1 entry, got 0"],
        id="no-targets",
    ),
    pytest.param(
        [("{diplomatic: 4}", "{diplomatic: '4'}")],
        ["scenarios/tiny.yaml:8: budget.diplomatic: expected a number, got '4'"],
        id="text-for-number",
    ),
    pytest.param(
        [("{diplomatic: 4}", "{diplomatic: -1}")],
        ["scenarios/tiny.yaml:8: budget.diplomatic: must be at least 0, got -1"],
        id="negative-budget",
    ),
    pytest.param(
        [("{diplomatic: 4}", "{diplomatic: .nan}")],
        ["scenarios/tiny.yaml:8: budget.diplomatic: number must be finite, got .nan"],
        id="non-finite-budget",
    ),
    pytest.param(
        [("name: tiny-question", "name: Tiny question")],
        [
            "scenarios/tiny.yaml:1: name: not a valid name: 'Tiny question' (use lower-case "
            "letters, digits, '-' and '_', at most 64 characters)"
        ],
        id="bad-slug",
    ),
    pytest.param(
        [("  logic: {demand: 0.5}", "  logik: {demand: 0.5}")],
        ["scenarios/tiny.yaml:4: targets.logik: unknown item 'logik' (did you mean 'logic'?)"],
        id="unknown-target",
    ),
    pytest.param(
        [("  logic: {demand: 0.5}", "  logic: {demand: 0}")],
        ["scenarios/tiny.yaml:4: targets.logic.demand: must be greater than 0, got 0"],
        id="zero-demand",
    ),
    pytest.param(
        [add_section("controller: US\nadversary: CNH\n")],
        [
            "scenarios/tiny.yaml:9: controller: unknown country 'US' (did you mean 'USA'?)",
            "scenarios/tiny.yaml:10: adversary: unknown country 'CNH' (did you mean 'CHN'?)",
        ],
        id="unknown-controller-and-adversary",
    ),
    pytest.param(
        [add_section("adversary: USA\n")],
        ["scenarios/tiny.yaml:9: adversary: the adversary must differ from the controller"],
        id="adversary-is-controller",
    ),
    pytest.param(
        [("NLD: {align_cost: 3}", "NDL: {align_cost: 3}")],
        ["scenarios/tiny.yaml:6: partners.NDL: unknown country 'NDL' (did you mean 'NLD'?)"],
        id="unknown-partner",
    ),
    pytest.param(
        [("JPN: {}", "CHN: {}")],
        [
            "scenarios/tiny.yaml:7: partners.CHN: must be a third country, not the controller "
            "or adversary"
        ],
        id="partner-is-adversary",
    ),
    pytest.param(
        [("NLD: {align_cost: 3}", "NLD: {align_cost: 3, fdpr_cost: -6}")],
        ["scenarios/tiny.yaml:6: partners.NLD.fdpr_cost: must be at least 0, got -6"],
        id="negative-partner-cost",
    ),
    pytest.param(
        [add_section("pressure:\n  MYS: {monitor_cost: 1}\n")],
        ["scenarios/tiny.yaml:10: pressure.MYS: unknown country 'MYS'"],
        id="unknown-pressure-country",
    ),
    pytest.param(
        [add_section("pressure:\n  JPN: {monitor_effect: 1.2}\n")],
        ["scenarios/tiny.yaml:10: pressure.JPN.monitor_effect: must be at most 1, got 1.2"],
        id="pressure-effect-above-one",
    ),
    pytest.param(
        [add_section("levers:\n  control: [lithography, etsh]\n")],
        [
            "scenarios/tiny.yaml:10: levers.control[1]: unknown category 'etsh' "
            "(did you mean 'etch'?)"
        ],
        id="levers-unknown-category",
    ),
    pytest.param(
        [add_section("levers:\n  monitor: [JPM]\n")],
        ["scenarios/tiny.yaml:10: levers.monitor[0]: unknown country 'JPM' (did you mean 'JPN'?)"],
        id="levers-unknown-country",
    ),
    pytest.param(
        [add_section("levers:\n  align: some\n")],
        [
            "scenarios/tiny.yaml:10: levers.align: expected 'all', 'none' or a list of names, "
            "got 'some'"
        ],
        id="levers-bad-selection",
    ),
    pytest.param(
        [add_section("levers:\n  fdpr: [lithography, 'light sources']\n")],
        [
            "scenarios/tiny.yaml:10: levers.fdpr[1]: not a valid name: 'light sources' (use "
            "letters, digits, '_', '-', '.'; no spaces or path separators)"
        ],
        id="levers-bad-name",
    ),
    pytest.param(
        [add_section("leakage: {default: 1.05}\n")],
        ["scenarios/tiny.yaml:9: leakage.default: must be at most 1, got 1.05"],
        id="leakage-above-one",
    ),
    pytest.param(
        [add_section("leakage:\n  by_country: {NDL: 0.1}\n  by_category: {etch: -0.1}\n")],
        [
            "scenarios/tiny.yaml:10: leakage.by_country.NDL: unknown country 'NDL' "
            "(did you mean 'NLD'?)",
            "scenarios/tiny.yaml:11: leakage.by_category.etch: must be at least 0, got -0.1",
        ],
        id="leakage-below-zero",
    ),
    pytest.param(
        [add_section("leakage:\n  by_country: {NDL: 0.1}\n  by_category: {ecth: 0.1}\n")],
        [
            "scenarios/tiny.yaml:10: leakage.by_country.NDL: unknown country 'NDL' "
            "(did you mean 'NLD'?)",
            "scenarios/tiny.yaml:11: leakage.by_category.ecth: unknown category 'ecth' "
            "(did you mean 'etch'?)",
        ],
        id="leakage-unknown-keys",
    ),
    pytest.param(
        [add_section("de_minimis: 25\n")],
        ["scenarios/tiny.yaml:9: de_minimis: must be at most 1, got 25"],
        id="de-minimis-as-percent",
    ),
    pytest.param(
        [add_section("costs: {adversary_share: 1.3}\n")],
        ["scenarios/tiny.yaml:9: costs.adversary_share: must be at most 1, got 1.3"],
        id="adversary-share-above-one",
    ),
    pytest.param(
        [add_section("fixed:\n  on: [{control: lithografy}]\n")],
        [
            "scenarios/tiny.yaml:10: fixed.on[0].control: unknown category 'lithografy' "
            "(did you mean 'lithography'?)"
        ],
        id="pin-unknown-category",
    ),
    pytest.param(
        [add_section("fixed:\n  off:\n    - {align: [NDL, etch]}\n")],
        ["scenarios/tiny.yaml:11: fixed.off[0].align: unknown country 'NDL' (did you mean 'NLD'?)"],
        id="pin-unknown-country",
    ),
    pytest.param(
        [add_section("fixed:\n  on:\n    - {control: etch, align: [NLD, etch]}\n")],
        [
            "scenarios/tiny.yaml:11: fixed.on[0]: a pin names exactly one lever, "
            "e.g. {control: lithography}"
        ],
        id="pin-with-two-keys",
    ),
    pytest.param(
        [add_section("fixed:\n  on:\n    - {align: [NLD]}\n")],
        ["scenarios/tiny.yaml:11: fixed.on[0].align: needs at least 2 entries, got 1"],
        id="pin-pair-too-short",
    ),
    pytest.param(
        [add_section("fixed:\n  on:\n    - {contrl: etch}\n")],
        [
            "scenarios/tiny.yaml:11: fixed.on[0].contrl: unknown key 'contrl' "
            "(did you mean 'control'?)"
        ],
        id="pin-unknown-lever-kind",
    ),
    pytest.param(
        [add_section("mode: evaluat\n")],
        [
            "scenarios/tiny.yaml:9: mode: expected 'optimize' or 'evaluate', got 'evaluat' "
            "(did you mean 'evaluate'?)"
        ],
        id="unknown-mode",
    ),
    pytest.param(
        [add_section("objective: {minimize: cost}\n")],
        [
            "scenarios/tiny.yaml:9: objective.max_capability: required when minimizing cost "
            "(minimize: cost)"
        ],
        id="cost-objective-without-max-capability",
    ),
    pytest.param(
        [add_section("objective: {max_capability: 0.2}\n")],
        [
            "scenarios/tiny.yaml:9: objective.max_capability: only used when minimizing cost "
            "(minimize: cost)"
        ],
        id="max-capability-without-cost-objective",
    ),
    pytest.param(
        [
            add_section(
                "compare:\n  - {name: alone, partners: none}\n"
                "  - {name: allies, partners: [NLD, KOR]}\n"
            )
        ],
        [
            "scenarios/tiny.yaml:11: compare[1].partners[1]: 'KOR' is not among the scenario's "
            "partners"
        ],
        id="compare-unknown-partner",
    ),
    pytest.param(
        [add_section("compare:\n  - {name: allies, partners: [NLD, JNP]}\n")],
        [
            "scenarios/tiny.yaml:10: compare[0].partners[1]: 'JNP' is not among the scenario's "
            "partners (did you mean 'JPN'?)"
        ],
        id="compare-misspelt-partner",
    ),
    pytest.param(
        [add_section("compare:\n  - {name: allies}\n  - {name: allies, fdpr: false}\n")],
        ["scenarios/tiny.yaml:11: compare[1].name: duplicate option name 'allies'"],
        id="compare-duplicate-name",
    ),
    pytest.param(
        [add_section("compare:\n  - {name: allies, fdpr: 'no'}\n")],
        ["scenarios/tiny.yaml:10: compare[0].fdpr: expected true or false, got 'no'"],
        id="compare-fdpr-not-boolean",
    ),
    pytest.param(
        [add_section("compare:\n  - {name: allies, regime: multilateral}\n")],
        [
            "scenarios/tiny.yaml:10: compare[0].regime: expected 'plurilateral' or 'bilateral', "
            "got 'multilateral' (did you mean 'bilateral'?)"
        ],
        id="compare-unknown-regime",
    ),
    pytest.param(
        [add_section("sweep: {parameter: budget.diplomacy, values: [1, 2]}\n")],
        [
            "scenarios/tiny.yaml:9: sweep.parameter: expected 'budget.diplomatic', "
            "'budget.economic_usd', 'leakage.default', 'de_minimis' or 'max_capability', "
            "got 'budget.diplomacy' (did you mean 'budget.diplomatic'?)"
        ],
        id="sweep-unknown-parameter",
    ),
    pytest.param(
        [add_section("sweep: {parameter: de_minimis, values: []}\n")],
        ["scenarios/tiny.yaml:9: sweep.values: needs at least 1 entry, got 0"],
        id="sweep-without-values",
    ),
    pytest.param(
        [add_section("sweep: {parameter: leakage.default, values: [0, 0.5, 5]}\n")],
        ["scenarios/tiny.yaml:9: sweep.values[2]: leakage.default is a share in [0, 1], got 5"],
        id="sweep-share-above-one",
    ),
    pytest.param(
        [add_section("sweep: {parameter: max_capability, values: [0.1, 0.2]}\n")],
        [
            "scenarios/tiny.yaml:9: sweep.parameter: max_capability is only swept when minimizing "
            "cost (objective: {minimize: cost})"
        ],
        id="sweep-max-capability-without-cost-objective",
    ),
    pytest.param(
        [add_section("solver: {time_limit: 0}\n")],
        ["scenarios/tiny.yaml:9: solver.time_limit: must be greater than 0, got 0"],
        id="zero-time-limit",
    ),
    pytest.param(
        [("model: ../models/tiny.yaml", "model: ../models/tiny-world.yaml")],
        ["scenarios/tiny.yaml:2: model: no world model file 'models/tiny-world.yaml'"],
        id="missing-model-file",
    ),
    pytest.param(
        [("model: ../models/tiny.yaml", "model: " + "w" * 300 + ".yaml")],
        [
            "scenarios/tiny.yaml:2: model: cannot open world model file "
            "'scenarios/wwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwww...': File name too long"
        ],
        id="model-file-name-too-long",
    ),
    pytest.param(
        [("model: ../models/tiny.yaml", 'model: "../models/tiny\\0.yaml"')],
        ["scenarios/tiny.yaml:2: model: no world model file 'models/tiny\\x00.yaml'"],
        id="model-file-name-with-nul",
    ),
    pytest.param(
        [add_section("controller: CHN\n")],
        ["scenarios/tiny.yaml:9: controller: the adversary must differ from the controller"],
        id="controller-is-the-default-adversary",
    ),
    pytest.param(
        [add_section("levers:\n  control: [lithography, 5]\n  align: ~\n")],
        [
            "scenarios/tiny.yaml:10: levers.control[1]: expected text, got 5",
            "scenarios/tiny.yaml:11: levers.align: expected 'all', 'none' or a list of names, "
            "got nothing (null)",
        ],
        id="levers-selection-entries",
    ),
    pytest.param(
        [
            add_section(
                "fixed:\n  on:\n    - {contrl: etch}\n    - {control: ecth}\n"
                "  off: [{align: [NDL, etch]}]\n"
            )
        ],
        [
            "scenarios/tiny.yaml:11: fixed.on[0].contrl: unknown key 'contrl' "
            "(did you mean 'control'?)",
            "scenarios/tiny.yaml:12: fixed.on[1].control: unknown category 'ecth' "
            "(did you mean 'etch'?)",
            "scenarios/tiny.yaml:13: fixed.off[0].align: unknown country 'NDL' "
            "(did you mean 'NLD'?)",
        ],
        id="a-bad-pin-does-not-hide-the-others",
    ),
    pytest.param(
        [("model: ../models/tiny.yaml", "model: ''")],
        ["scenarios/tiny.yaml:2: model: must not be empty"],
        id="empty-model",
    ),
]


@pytest.mark.parametrize(("edits", "expected"), SCENARIO_RULES)
def test_scenario_rule(inputs: Path, edits: list[Edit], expected: list[str]) -> None:
    assert scenario_problems(*edits) == expected


def test_target_the_adversary_cannot_produce(inputs: Path) -> None:
    """An item with no route at all: nobody can supply it."""
    world = (("  laser: {", "  euv_source: {kind: subsystem}\n  laser: {"),)
    targets = ("  logic: {demand: 0.5}", "  logic: {}\n  euv_source: {}")
    assert scenario_problems(targets, world=world) == [
        "scenarios/tiny.yaml:5: targets.euv_source: the adversary cannot produce 'euv_source' "
        "even with no controls (no route with capacity whose inputs can all be obtained)"
    ]


@pytest.mark.parametrize(
    ("world", "why"),
    [
        (
            (
                (
                    "{item: scanner, supplier: asml, capacity: 0.9}",
                    "{item: scanner, supplier: asml, capacity: 0}",
                ),
                ("{item: laser, supplier: cymer", "{item: etch, supplier: cymer"),
            ),
            "the only open scanner route needs lasers, which have no route",
        ),
        (
            (
                (
                    "{item: scanner, supplier: asml, capacity: 0.9}",
                    "{item: scanner, supplier: asml, capacity: 0}",
                ),
                (
                    "{item: scanner, supplier: smee, capacity: 0.1, inputs: {laser: 1}}",
                    "{item: scanner, supplier: smee, capacity: 0}",
                ),
            ),
            "every route of an input has zero capacity",
        ),
    ],
    ids=["input-cannot-be-made", "zero-capacity"],
)
def test_target_whose_routes_all_need_what_cannot_be_made(
    inputs: Path, world: tuple[Edit, ...], why: str
) -> None:
    assert scenario_problems(world=world) == [
        "scenarios/tiny.yaml:4: targets.logic: the adversary cannot produce 'logic' even with "
        "no controls (no route with capacity whose inputs can all be obtained)"
    ], why


def test_scenario_errors_are_reported_together_sorted_by_line(inputs: Path) -> None:
    assert scenario_problems(
        add_section("controler: USA\n"),
        ("NLD: {align_cost: 3}", "NDL: {align_cost: 3}"),
        ("JPN: {}", "JPN: {align_cots: 2}"),
        ("{diplomatic: 4}", "{diplomatic: -4}"),
        ("  logic: {demand: 0.5}", "  logik: {demand: 0.5}"),
    ) == [
        "scenarios/tiny.yaml:4: targets.logik: unknown item 'logik' (did you mean 'logic'?)",
        "scenarios/tiny.yaml:6: partners.NDL: unknown country 'NDL' (did you mean 'NLD'?)",
        "scenarios/tiny.yaml:7: partners.JPN.align_cots: unknown key 'align_cots' "
        "(did you mean 'align_cost'?)",
        "scenarios/tiny.yaml:8: budget.diplomatic: must be at least 0, got -4",
        "scenarios/tiny.yaml:9: controler: unknown key 'controler' (did you mean 'controller'?)",
    ]


def test_scenario_and_world_errors_are_reported_together(inputs: Path) -> None:
    """The scenario's schema error does not stop its world model from being checked."""
    assert scenario_problems(
        add_section("mode: evaluat\n"), world=(("supplier: asml", "supplier: asm1"),)
    ) == [
        "models/tiny.yaml:20: routes[1].supplier: unknown supplier 'asm1' (did you mean 'asml'?)",
        "scenarios/tiny.yaml:9: mode: expected 'optimize' or 'evaluate', got 'evaluat' "
        "(did you mean 'evaluate'?)",
    ]


def test_a_section_missing_a_required_key_does_not_hide_other_problems(inputs: Path) -> None:
    section = add_section("sweep: {values: [1, 2]}\nfixed:\n  on: [{control: ecth}]\n")
    assert scenario_problems(section, ("NLD: {align_cost: 3}", "NDL: {align_cost: 3}")) == [
        "scenarios/tiny.yaml:6: partners.NDL: unknown country 'NDL' (did you mean 'NLD'?)",
        "scenarios/tiny.yaml:9: sweep.parameter: required key is missing",
        "scenarios/tiny.yaml:11: fixed.on[0].control: unknown category 'ecth' "
        "(did you mean 'etch'?)",
    ]


def test_rejected_field_is_not_also_checked_as_its_default(inputs: Path) -> None:
    """``controller`` falls back to USA while the rest is checked; the world has no USA."""
    world = (
        ("  USA: {name: United States}\n", ""),
        ("country: USA}", "country: NLD}"),
        ("country: USA, owner", "country: NLD, owner"),
        ("{USA: 0.2}", "{NLD: 0.2}"),
        ("{USA: 0.3}", "{NLD: 0.3}"),
        ("[USA]", "[NLD]"),
    )
    section = add_section("controller: 5\npressure: {MYS: {}}\n")
    assert scenario_problems(section, world=world) == [
        "scenarios/tiny.yaml:9: controller: expected text, got 5",
        "scenarios/tiny.yaml:10: pressure.MYS: unknown country 'MYS'",
    ]


# --- pins to levers that do not exist (checked when the instance is built) ---------------------


def _instance_problems(path: Path) -> list[str]:
    loaded = load_scenario(path)
    world = loaded.world.world
    with pytest.raises(InputError) as raised:
        build_instance(loaded.scenario, world, topological_items(world), loaded.document)
    return [str(problem) for problem in raised.value.problems]


def test_pin_of_a_lever_that_does_not_exist(inputs: Path) -> None:
    """TEL (Japan) makes no direct product of US technology, so there is no fdpr:JPN:etch;
    ``levers`` leaves control to lithography only."""
    section = (
        "levers: {control: [lithography]}\n"
        "fixed:\n"
        "  on:\n"
        "    - {align: [NLD, lithography]}\n"
        "    - {fdpr: [JPN, etch]}\n"
        "  off: [{control: etch}]\n"
    )
    assert _instance_problems(write_scenario(add_section(section))) == [
        "scenarios/tiny.yaml:13: fixed.on[1].fdpr: no lever 'fdpr:JPN:etch': it reaches no route, "
        "or `levers` does not allow it",
        "scenarios/tiny.yaml:14: fixed.off[0].control: no lever 'control::etch': it reaches no "
        "route, or `levers` does not allow it",
    ]


def test_lever_pinned_on_and_off(inputs: Path) -> None:
    section = "fixed:\n  on: [{control: etch}]\n  off: [{control: etch}]\n"
    assert _instance_problems(write_scenario(add_section(section))) == [
        "scenarios/tiny.yaml:9: fixed: control::etch is pinned on and off"
    ]


def test_existing_pins_are_kept(inputs: Path) -> None:
    section = "mode: evaluate\nfixed:\n  on: [{align: [NLD, lithography]}, {control: etch}]\n"
    loaded = load_scenario(write_scenario(add_section(section)))
    world = loaded.world.world
    instance = build_instance(loaded.scenario, world, topological_items(world), loaded.document)
    assert sorted(lever.label for lever in instance.pinned_on) == [
        "align:NLD:lithography",
        "control::etch",
    ]
