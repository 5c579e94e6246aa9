"""The ETO importer (supplychain.importers.eto): rules on a tiny hand-made dataset, then the real
dataset.

The real ETO CSVs are read from ``../shared/data/eto/`` next to the repository and never copied
into it; the tests that need them skip cleanly when that folder is absent (a fresh clone).
Expected values on the real data are recomputed here from the CSVs with pandas, independently
of the importer, or quoted from the files (e.g. ion implanters N17: USA 84.7 % with Applied
Materials 62.6 % and Axcelis 22.0 %).
"""

from __future__ import annotations

import csv
import math
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml

from supplychain.errors import InputError
from supplychain.importers.eto import (
    EtoImport,
    import_eto,
    import_to_file,
    scenario_for,
    write_world,
)
from supplychain.inputs.graph import topological_items
from supplychain.inputs.load import load_world
from supplychain.inputs.schema import World
from supplychain.runs.pipeline import Run, load, solve_scenario

ETO_DIR = Path(__file__).resolve().parents[2] / "shared" / "data" / "eto"


def require_dataset(directory: Path) -> Path:
    """The dataset folder, or a clean skip when it is absent."""
    if not (directory / "provision.csv").is_file():
        pytest.skip(f"ETO dataset not found at {directory}")
    return directory


@pytest.fixture(scope="session")
def eto() -> EtoImport:
    return import_eto(require_dataset(ETO_DIR))


@pytest.fixture(scope="session")
def provision() -> pd.DataFrame:
    """provision.csv joined with the providers' type and country, read independently."""
    directory = require_dataset(ETO_DIR)
    rows = pd.read_csv(directory / "provision.csv")
    providers = pd.read_csv(directory / "providers.csv").drop_duplicates("provider_id")
    return rows.merge(
        providers[["provider_id", "provider_type", "country"]], on="provider_id", how="left"
    )


def supplier_routes(world: dict[str, Any], item: str) -> dict[str, float]:
    """Supplier id → capacity of the item's supplier routes."""
    return {
        route["supplier"]: route["capacity"]
        for route in world["routes"]
        if route["item"] == item and "supplier" in route
    }


# --- the rules, on a hand-made dataset (runs without ../shared) -----------------------------

INPUTS_HEADER = [
    "input_id",
    "input_name",
    "type",
    "stage_name",
    "stage_id",
    "description",
    "year",
    "market_share_chart_global_market_size_info",
]


def solve_imported(imported: EtoImport, scenario: dict[str, Any], folder: Path) -> Run:
    """Write the imported world as ``world.yaml`` beside ``scenario`` and solve it as
    ``supplychain run`` does."""
    write_world(imported, folder / "world.yaml")
    (folder / "scenario.yaml").write_text(yaml.safe_dump(scenario, sort_keys=False))
    loaded, seconds = load(folder / "scenario.yaml")
    return solve_scenario(loaded, load_seconds=seconds)


def write_csv(path: Path, header: list[str], rows: list[list[Any]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)


def make_dataset(folder: Path) -> Path:
    """A tiny dataset with every case of the rules.

    N1 tool: country rows USA 60, JPN 30, CHN 8, Various countries 2 and firm rows Alpha (USA)
    50, Beta (JPN) 30, Gamma (CHN) 5, Various companies 15 (= the residuals 10 + 3 + 2).
    N2 tool: firm rows only, Alpha 70 and Various companies 30. N1, N2 are types of N3, whose
    own rows (USA 100, Alpha 100) are an aggregate. N4 material: every share blank. N8 dry etch
    goes into N7 etch tools (two tools: a subcategory). N3, N4, N7 go into process N5; N4 and
    N5 go into the chip N99.
    """
    folder.mkdir(parents=True, exist_ok=True)
    write_csv(
        folder / "inputs.csv",
        INPUTS_HEADER,
        [
            [
                "N1",
                "Tool one",
                "tool_resource",
                "",
                "",
                "First line\nsecond line\nthird",
                "2025",
                "$2 billion (2025)",
            ],
            ["N2", "Tool two", "tool_resource", "", "", "", "2025", "$500 million (2025)"],
            ["N3", "Tools", "tool_resource", "", "", "", "2025", "$2.5 billion (2025)"],
            ["N4", "Material", "material_resource", "", "", "", "2019", ""],
            ["N5", "Process", "process", "Fabrication", "S2", "", "", ""],
            ["N7", "Etch tools", "tool_resource", "", "", "", "2025", "$1 billion (2025)"],
            ["N8", "Dry etch tools", "tool_resource", "", "", "", "2025", "$1 billion (2025)"],
            ["N99", "Finished logic chip", "ultimate_output", "", "", "", "", ""],
        ],
    )
    write_csv(
        folder / "providers.csv",
        ["provider_name", "alias", "provider_id", "provider_type", "country"],
        [
            ["USA", "United States", "P1", "country", ""],
            ["CHN", "China", "P2", "country", ""],
            ["Various countries", "", "P5", "country", ""],
            ["JPN", "Japan", "P7", "country", ""],
            ["Alpha", "", "P10", "organization", "USA"],
            ["Alpha", "Alpha Inc.", "P10", "organization", "USA"],
            ["Beta", "", "P11", "organization", "JPN"],
            ["Gamma", "", "P12", "organization", "CHN"],
            ["Delta", "", "P13", "organization", "CHN"],
            ["Various companies", "", "P370", "organization", "Various countries"],
        ],
    )
    provision = [
        ("USA", "P1", "N1", 60),
        ("JPN", "P7", "N1", 30),
        ("CHN", "P2", "N1", 8),
        ("Various countries", "P5", "N1", 2),
        ("Alpha", "P10", "N1", 50),
        ("Beta", "P11", "N1", 30),
        ("Gamma", "P12", "N1", 5),
        ("Various companies", "P370", "N1", 15),
        ("Alpha", "P10", "N2", 70),
        ("Various companies", "P370", "N2", 30),
        ("USA", "P1", "N3", 100),
        ("Alpha", "P10", "N3", 100),
        ("USA", "P1", "N4", None),
        ("CHN", "P2", "N4", None),
        ("Alpha", "P10", "N4", None),
        ("Gamma", "P12", "N4", None),
        ("Delta", "P13", "N4", None),
        ("USA", "P1", "N7", 100),
        ("Alpha", "P10", "N7", 100),
        ("JPN", "P7", "N8", 100),
        ("Beta", "P11", "N8", 100),
        ("USA", "P1", "S2", 10),
    ]
    write_csv(
        folder / "provision.csv",
        [
            "provider_name",
            "provider_id",
            "provided_name",
            "provided_id",
            "share_provided",
            "year",
            "source",
        ],
        [
            [
                name,
                pid,
                "",
                item,
                "" if share is None else share,
                2019 if item == "N4" else 2025,
                "test",
            ]
            for name, pid, item, share in provision
        ],
    )
    write_csv(
        folder / "sequence.csv",
        [
            "input_name",
            "input_id",
            "goes_into_name",
            "goes_into_id",
            "is_type_of_name",
            "is_type_of_id",
        ],
        [
            ["", "N1", "", "", "", "N3"],
            ["", "N2", "", "", "", "N3"],
            ["", "N3", "", "N5", "", ""],
            ["", "N4", "", "N5", "", ""],
            ["", "N4", "", "N99", "", ""],
            ["", "N7", "", "N5", "", ""],
            ["", "N8", "", "N7", "", ""],
            ["", "N5", "", "N99", "", ""],
        ],
    )
    return folder


@pytest.fixture
def mini(tmp_path: Path) -> Path:
    return make_dataset(tmp_path / "eto")


def test_country_rows_are_totals_and_firms_split_them(mini: Path) -> None:
    world = import_eto(mini).world
    assert supplier_routes(world, "N1") == {
        "alpha": 0.5,
        "beta": 0.3,
        "gamma": 0.05,
        "other_firms_USA": 0.1,
        "other_firms_CHN": 0.03,
        "other_firms_XXX": 0.02,
    }
    assert supplier_routes(world, "N2") == {"alpha": 0.7, "other_firms_XXX": 0.3}
    assert world["suppliers"]["other_firms_USA"]["country"] == "USA"
    assert world["suppliers"]["other_firms_XXX"]["country"] == "XXX"
    assert world["suppliers"]["alpha"] == {
        "name": "Alpha",
        "country": "USA",
        "source": "ETO providers.csv P10",
    }


def test_blank_shares_are_split_equally_with_one_warning(mini: Path) -> None:
    imported = import_eto(mini)
    assert supplier_routes(imported.world, "N4") == {"alpha": 0.5, "gamma": 0.25, "delta": 0.25}
    assert len(imported.warnings) == 1
    assert imported.warnings[0].startswith(
        "N4 Material: blank share_provided for 2 countries and 3 firms; filled by equal split"
    )


def test_sequence_becomes_inputs_subtype_bundles_and_process_steps(mini: Path) -> None:
    imported = import_eto(mini)
    routes = {
        route["item"]: route["inputs"]
        for route in imported.world["routes"]
        if "supplier" not in route
    }
    assert routes == {
        "N3": {"N1": 1.0, "N2": 1.0},
        "N5": {"N3": 1.0, "N4": 0.5, "N7": 1.0},
        "N7": {"N8": 1.0},
        "N99": {"N4": 0.5, "N5": 1.0},
    }
    # aggregate rows of the parents N3 and N7 are not used: no double counting across levels
    assert supplier_routes(imported.world, "N3") == {}
    assert supplier_routes(imported.world, "N7") == {}
    assert any(note.startswith("N3: 2 aggregate provider rows not used") for note in imported.notes)
    assert "provision.csv: 1 stage-level rows (S1-S3, not inputs) not used" in imported.notes


def test_any_subtype_option_weights_subtypes_by_market(mini: Path) -> None:
    imported = import_eto(mini, subtypes="any")
    routes = [r["inputs"] for r in imported.world["routes"] if r["item"] == "N3"]
    # markets 2.0 and 0.5 billion: 80 % and 20 % of the subtypes' market
    assert routes == [{"N1": 1.25}, {"N2": 5.0}]
    assert sum(1 / quantity for inputs in routes for quantity in inputs.values()) == 1.0


def test_scenario_for_a_small_world_is_producible_and_solves(mini: Path, tmp_path: Path) -> None:
    imported = import_eto(mini)
    scenario = scenario_for(imported, "world.yaml")
    assert scenario["targets"] == {"N99": {"demand": 0.3}}
    assert scenario["partners"] == {"JPN": {"align_cost": 3}}
    run = solve_imported(imported, scenario, tmp_path)
    assert run.baseline.capability == pytest.approx(1.0)
    outcome = run.outcome
    assert outcome.status == "optimal"
    # control::N8 is impossible (N8 is Japanese) but align:JPN:N8 leaves Beta 5 % leakage:
    # N7 ≤ 0.05, N99 ≤ 0.05 of demand 0.3.
    assert outcome.capability == pytest.approx(0.05 / 0.3)
    assert [lever.label for lever in outcome.levers] == ["align:JPN:N8"]


def test_missing_folder_skips_cleanly_and_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(pytest.skip.Exception):
        require_dataset(tmp_path / "absent")
    with pytest.raises(InputError) as caught:
        import_eto(tmp_path / "absent")
    assert "no such ETO data folder" in str(caught.value)


def test_missing_file_or_column_is_an_input_error_naming_the_file(mini: Path) -> None:
    frame = pd.read_csv(mini / "provision.csv").drop(columns=["share_provided"])
    frame.to_csv(mini / "provision.csv", index=False)
    (mini / "sequence.csv").unlink()
    with pytest.raises(InputError) as caught:
        import_eto(mini)
    problems = {(Path(p.file).name, p.line, p.field): p.message for p in caught.value.problems}
    assert problems == {
        ("provision.csv", 1, "share_provided"): (
            "missing column 'share_provided' (columns found: provider_name, provider_id, "
            "provided_name, provided_id, year, source)"
        ),
        ("sequence.csv", 1, "(file)"): f"missing ETO file 'sequence.csv' in {mini}",
    }


def test_malformed_values_are_located_by_line(mini: Path) -> None:
    frame = pd.read_csv(mini / "inputs.csv", dtype=str, keep_default_na=False)
    frame.loc[1, "year"] = "20x5"  # N2, on line 5: the first record spans lines 2-4
    frame.to_csv(mini / "inputs.csv", index=False)
    with pytest.raises(InputError) as caught:
        import_eto(mini)
    assert [str(p) for p in caught.value.problems] == [
        f"{mini / 'inputs.csv'}:5: year: expected a year, got '20x5'"
    ]
    make_dataset(mini)
    text = (mini / "provision.csv").read_text().replace("N2,70,", "N2,seventy,")
    (mini / "provision.csv").write_text(text)
    with pytest.raises(InputError) as caught:
        import_eto(mini)
    assert [str(p) for p in caught.value.problems] == [
        f"{mini / 'provision.csv'}:10: share_provided: expected a percentage from 0 to 100, "
        "got 'seventy'"
    ]


# --- the real dataset (skips when ../shared/data/eto is absent) ------------------------------


def test_euv_is_supplied_entirely_by_asml_in_the_netherlands(eto: EtoImport) -> None:
    euv = [route for route in eto.world["routes"] if route["item"] == "N20"]
    assert euv == [
        {
            "item": "N20",
            "supplier": "asml",
            "capacity": 1.0,
            "source": "ETO provision.csv 2025: ASML 100% of N20",
        }
    ]
    assert eto.world["suppliers"]["asml"]["name"] == "ASML"
    assert eto.world["suppliers"]["asml"]["country"] == "NLD"
    assert eto.world["items"]["N20"]["name"] == "EUV lithography tools"
    assert eto.world["items"]["N20"]["market_usd"] == 13e9


def test_item_totals_are_close_to_100_percent_without_double_counting(
    eto: EtoImport, provision: pd.DataFrame
) -> None:
    world = eto.world
    totals: dict[str, float] = defaultdict(float)
    pairs = Counter()
    supplierless = {route["item"] for route in world["routes"] if "supplier" not in route}
    for route in world["routes"]:
        if "supplier" in route:
            totals[route["item"]] += route["capacity"]
            pairs[route["item"], route["supplier"]] += 1
    assert max(pairs.values()) == 1
    assert not supplierless & set(totals), "an item both bundled from subtypes and supplied"
    assert len(totals) == 91  # 126 inputs - 16 without provider rows - 19 categories
    # every total is 100 % up to the dataset's own rounding (EDA software N84: 102 %)
    assert {item for item, total in totals.items() if not 0.998 <= total <= 1.0015} == {"N84"}
    assert totals["N84"] == pytest.approx(1.02)
    # the firm rows are not added on top of the country rows: totals follow the country sums
    countries = provision[provision.provider_type == "country"]
    for item, total in totals.items():
        rows = countries[countries.provided_id == item].share_provided
        if len(rows) and rows.notna().all():
            assert total == pytest.approx(rows.sum() / 100, abs=0.0015), item


def test_residual_suppliers_where_country_totals_exceed_firm_totals(
    eto: EtoImport, provision: pd.DataFrame
) -> None:
    # ion implanters: USA 84.7 % = Applied 62.6 + Axcelis 22.0 + 0.1; CHN 3.8 = CETC 3.1 + 0.7;
    # JPN 10.7 = SMIT 8.8 + Nissin 1.9 exactly; TWN 0.6 and Various countries 0.2 without firms
    assert supplier_routes(eto.world, "N17") == {
        "applied_materials": 0.626,
        "axcelis": 0.22,
        "cetc": 0.031,
        "nissin_ion": 0.019,
        "smit": 0.088,
        "other_firms_USA": 0.001,
        "other_firms_CHN": 0.007,
        "other_firms_TWN": 0.006,
        "other_firms_XXX": 0.002,
    }
    # in general: every 2025 country share above its firms' sum has that residual supplier,
    # and the residuals add up to ETO's own "Various companies" row (same share, used once)
    checked = 0
    rows_2025 = provision[provision.year == 2025]
    for item, rows in rows_2025.groupby("provided_id"):
        routes = supplier_routes(eto.world, str(item))
        if not routes:
            continue  # a category modelled from its subtypes
        firms = rows[(rows.provider_type == "organization") & (rows.provider_id != "P370")]
        residual_total = 0.0
        for _, country in rows[rows.provider_type == "country"].iterrows():
            code = "XXX" if country.provider_id == "P5" else country.provider_name
            gap = country.share_provided - firms[firms.country == code].share_provided.sum()
            if gap > 0.05:
                assert routes[f"other_firms_{code}"] == pytest.approx(gap / 100), (item, code)
                residual_total += gap / 100
                checked += 1
            else:
                assert f"other_firms_{code}" not in routes, (item, code)
        various = rows[rows.provider_id == "P370"].share_provided
        if len(various):
            assert residual_total == pytest.approx(various.iloc[0] / 100, abs=0.0035), item
    assert checked == 157


def test_blank_share_warnings_are_printed_once_per_item(
    provision: pd.DataFrame, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import_to_file(ETO_DIR, tmp_path / "eto.yaml", echo=print)
    lines = capsys.readouterr().out.splitlines()
    items = Counter(line.split()[1].rstrip(":") for line in lines)
    blank = provision[provision.share_provided.isna()].provided_id
    assert all(line.startswith("warning: N") for line in lines)
    assert set(items) == set(blank)
    assert max(items.values()) == 1
    assert len(lines) == 21


def test_written_world_loads_with_load_world(eto: EtoImport, tmp_path: Path) -> None:
    path = tmp_path / "models" / "eto.yaml"
    write_world(eto, path)
    assert [entry.name for entry in path.parent.iterdir()] == ["eto.yaml"]  # no temp file left
    text = path.read_text()
    assert text.startswith("# World model imported from the ETO Advanced Semiconductor")
    assert "provision.csv" in text.split("\nname:")[0]
    loaded = load_world(path).world
    assert loaded == World.model_validate(eto.world)  # the YAML round-trips exactly
    assert len(loaded.items) == 126
    assert len(loaded.suppliers) == 296
    assert len(loaded.countries) == 20
    assert len(loaded.routes) == 724
    assert {"CHN", "USA", "NLD", "JPN", "XXX"} <= set(loaded.countries)


def test_ids_are_sorted_and_every_item_and_route_cites_its_file(eto: EtoImport) -> None:
    world = eto.world
    items = list(world["items"])
    assert items[:4] == ["N0", "N1", "N2", "N3"] and items[-1] == "N138"
    assert list(world["suppliers"]) == sorted(world["suppliers"])
    assert list(world["countries"]) == sorted(world["countries"])
    assert all(item["source"].startswith("ETO inputs.csv N") for item in world["items"].values())
    for route in world["routes"]:
        assert route["source"].startswith(("ETO provision.csv 20", "ETO sequence.csv")), route


def test_every_upstream_input_is_needed_once_per_finished_chip(eto: EtoImport) -> None:
    """Rule 4's 1/n quantities: a share x of world N99 output needs a share x of the world
    supply of every input upstream of it, however many steps share that input."""
    need: dict[str, float] = defaultdict(float)
    need["N99"] = 1.0
    world = eto.world
    model = World.model_validate(world)
    recipe: dict[str, dict[str, float]] = {}
    for route in world["routes"]:
        recipe.setdefault(route["item"], route.get("inputs", {}))
    for item in reversed(topological_items(model)):
        for input_id, quantity in recipe.get(item, {}).items():
            need[input_id] += need[item] * quantity
    upstream = {item: value for item, value in need.items() if value > 0}
    assert len(upstream) == 126  # every ETO input leads to the finished chip
    assert all(math.isclose(value, 1.0, abs_tol=1e-8) for value in upstream.values())


def test_logic_chip_scenario_solves_to_optimality(eto: EtoImport, tmp_path: Path) -> None:
    run = solve_imported(eto, scenario_for(eto, "world.yaml"), tmp_path)
    assert run.baseline.capability == pytest.approx(1.0)
    outcome = run.outcome
    assert outcome.status == "optimal"
    # one free US control on a subtype only US firms make (direct write systems for advanced
    # packaging, N130) leaves 5 % leakage: 0.05 of world supply against a demand of 0.3
    assert outcome.capability == pytest.approx(0.05 / 0.3)
    assert [lever.label for lever in outcome.levers] == ["control::N130"]
    assert outcome.diplomatic == 0.0
