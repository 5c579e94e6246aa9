"""Build a world model (DESIGN §3) from the ETO Advanced Semiconductor Supply Chain dataset.

The Emerging Technology Observatory (Georgetown CSET) publishes the dataset as CSV files; this
module reads four of them from a folder the user names and never ships them:

* ``inputs.csv`` — the items (``input_id`` ``N0`` … ``N138``: processes, tools, materials,
  design resources and the finished logic chip ``N99``);
* ``providers.csv`` — countries and organisations, with an organisation's country;
* ``provision.csv`` — who provides what, ``share_provided`` in percent, country-level *and*
  firm-level rows for the same item, some shares blank;
* ``sequence.csv`` — ``goes_into`` (an input of a process or product) and ``is_type_of``
  (a subtype of a broader category) relations between inputs.

The import rules (also written into the YAML header and ``docs/eto_import.md``):

1. **Capacity** of a supplier route = ``share_provided / 100`` (annual world supply).
2. **Country rows are the item's total; firm rows split them.** For each country row, the
   firms located there get their own routes; what the country's share leaves after its firms
   becomes one residual supplier ``other_firms_<COUNTRY>``. The "Various countries" row becomes
   ``other_firms_XXX`` (pseudo-country ``XXX``). The "Various companies" row restates the sum of
   those residuals and is therefore *not* used when country rows exist (no double counting);
   without country rows it becomes ``other_firms_XXX``.
3. **Blank shares.** A blank country share gets an equal part of what the known country shares
   leave of 100 %; a blank firm share gets an equal part of what its country's share leaves
   after the firms whose shares are known (never below zero). One warning per affected item.
4. **goes_into** ``A → B``: A is an input of B, ``1/n`` units of A per unit of B where n is
   the number of items A goes into or is a type of (so making a share x of the world's finished
   chips needs a share x of the world supply of every upstream input, however many steps
   share it). A supplier route of B needs B's inputs; an item with no providers (a process
   step) gets one supplier-less route — a step the adversary performs itself.
5. **is_type_of** ``A → B`` (and ``goes_into`` between two inputs of the same ETO type, which the
   dataset uses for subcategories such as dry/wet etch → etch-and-clean tools): B is the bundle
   of its subtypes in the world's mix. B gets one supplier-less route needing ``1/n`` unit of
   each subtype (n as in rule 4), i.e. each subtype is *required*, not an alternative. B's own
   provider rows restate its subtypes' rows (an aggregate market) and are not used.
   ``import_eto(..., subtypes="any")`` reads subtypes as alternatives weighted by their world
   market instead, for sensitivity analysis.

Public functions: :func:`import_eto` (the dataset folder to an :class:`EtoImport`),
:func:`write_world` (atomic YAML file), :func:`scenario_for` (a target scenario for ``N99``)
and :func:`import_to_file` (all three steps for the command line).
"""

from __future__ import annotations

import csv
import hashlib
import io
import math
import os
import re
import tempfile
import textwrap
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import pandas as pd
import yaml
from pydantic import ValidationError

from supplychain.errors import InputError, Problem
from supplychain.inputs.checks import world_problems
from supplychain.inputs.schema import World
from supplychain.inputs.yamldoc import Document

DATASET = "ETO Advanced Semiconductor Supply Chain Dataset (Emerging Technology Observatory, CSET)"
"""How the dataset is cited in every ``source`` field."""

FILES = ("inputs.csv", "providers.csv", "provision.csv", "sequence.csv")
REQUIRED_COLUMNS: dict[str, tuple[str, ...]] = {
    "inputs.csv": (
        "input_id",
        "input_name",
        "type",
        "year",
        "market_share_chart_global_market_size_info",
    ),
    "providers.csv": ("provider_name", "alias", "provider_id", "provider_type", "country"),
    "provision.csv": ("provider_id", "provided_id", "share_provided", "year"),
    "sequence.csv": ("input_id", "goes_into_id", "is_type_of_id"),
}
"""The columns the import reads; any other column is ignored."""

VARIOUS = "XXX"
"""Pseudo-country of the dataset's "Various countries" (ICAO's code for "unspecified")."""

COUNTRY_NAMES: dict[str, str] = {
    "AUT": "Austria",
    "BLR": "Belarus",
    "CAN": "Canada",
    "CHE": "Switzerland",
    "CHN": "China",
    "CZE": "Czech Republic",
    "DEU": "Germany",
    "EUR": "Europe",
    "FRA": "France",
    "GBR": "United Kingdom",
    "HUN": "Hungary",
    "ISR": "Israel",
    "ITA": "Italy",
    "JPN": "Japan",
    "KOR": "South Korea",
    "LUX": "Luxembourg",
    "MYS": "Malaysia",
    "NLD": "Netherlands",
    "SGP": "Singapore",
    "SWE": "Sweden",
    "TWN": "Taiwan",
    "USA": "United States",
    VARIOUS: "Various countries",
}
"""ISO 3166-1 alpha-3 ids of the countries in the dataset (plus its two aggregates)."""

_COUNTRY_ALIASES = {
    **{name.lower(): code for code, name in COUNTRY_NAMES.items()},
    "czechia": "CZE",
    "europe": "EUR",
    "various": VARIOUS,
    "various countries": VARIOUS,
}

REQUIRED_COUNTRIES = ("CHN", "USA")
"""Always in the world: the default adversary and controller."""

KINDS: dict[str, str] = {
    "process": "process",
    "tool_resource": "tool",
    "material_resource": "material",
    "design_resource": "service",
    "ultimate_output": "chip",
}
"""ETO ``type`` to item ``kind``; an unknown type leaves the kind out."""

TARGET_ITEM = "N99"
"""The finished logic chip, ETO's ``ultimate_output``."""

TARGET_DEMAND = 0.3
"""Default demand for N99 in :func:`scenario_for`: 30 % of world supply (the adversary's share
of world demand, as the scenario default ``costs.adversary_share``)."""

TARGET_PARTNERS: dict[str, dict[str, float]] = {
    "NLD": {"align_cost": 3},
    "JPN": {"align_cost": 3},
    "KOR": {"align_cost": 2},
    "TWN": {"align_cost": 2},
    "DEU": {"align_cost": 2},
}
"""Allies that may align with the controller in :func:`scenario_for` (diplomatic units)."""

TARGET_BUDGET = 6.0
"""Diplomatic budget of :func:`scenario_for` (keeps the MILP small and the answer readable)."""

_TOLERANCE = 1e-6
"""Percentage points below which a residual share is treated as zero (the data has 0.1)."""

SubtypeRule = Literal["each", "any"]
"""How a parent category relates to its subtypes (rule 5)."""

RULES = (
    "capacity = share_provided / 100 of annual world supply",
    "country rows are an item's total: firms in that country get their own routes and the "
    "rest of the country's share becomes supplier other_firms_<COUNTRY>; 'Various countries' "
    f"becomes other_firms_{VARIOUS}; 'Various companies' restates those residuals and is used "
    "only for an item without country rows",
    "blank shares: a blank country share gets an equal part of what the known country shares "
    "leave of 100%; a blank firm share an equal part of what its country's share leaves after "
    "the known firm shares (one warning per affected item)",
    "goes_into A -> B: 1/n unit of A per unit of B (n = number of items A goes into or is a "
    "type of); every supplier route of B needs it; an item without providers gets one "
    "supplier-less route (a step the adversary performs itself)",
    "is_type_of A -> B (and goes_into between two inputs of the same ETO type): B is the bundle "
    "of its subtypes, one supplier-less route needing each subtype (1/n unit); B's own "
    "aggregate provider rows are not used",
)
"""One line per import rule, for the YAML header and the documentation."""

ANY_SUBTYPE_RULE = (
    "is_type_of A -> B (and goes_into between two inputs of the same ETO type), option "
    "subtypes=any: subtypes are alternatives, one supplier-less route per subtype needing "
    "(1/n) * M/m_A units of A (m_A its world market, M the sum over B's subtypes); B's own "
    "aggregate provider rows are not used"
)
"""Rule 5 as worded when ``subtypes="any"``."""


def rules_for(subtypes: SubtypeRule) -> tuple[str, ...]:
    """The import rules in force for a reading of is_type_of (one line each)."""
    return RULES if subtypes == "each" else (*RULES[:-1], ANY_SUBTYPE_RULE)


@dataclass(frozen=True)
class EtoImport:
    """The imported world model, plain data ready for YAML, with what the import had to guess.

    ``world`` validates against :class:`supplychain.inputs.schema.World` and
    :func:`supplychain.inputs.checks.world_problems`. ``warnings`` has one line per item whose
    shares were blank. ``notes`` lists other import decisions (aggregate rows not used, skipped
    stage-level rows). ``checksums`` maps each CSV file name to its SHA-256.
    """

    world: dict[str, Any]
    warnings: list[str]
    notes: list[str] = field(default_factory=list)
    checksums: dict[str, str] = field(default_factory=dict)
    subtypes: SubtypeRule = "each"
    """How is_type_of was read: ``each`` subtype required, or ``any`` subtype suffices."""


@dataclass(frozen=True)
class _Table:
    """One CSV file: every cell as text (blank = ``""``) and each record's line in the file."""

    name: str
    frame: pd.DataFrame
    lines: list[int]

    def line(self, row: int) -> int:
        return self.lines[row] if row < len(self.lines) else row + 2

    def problem(self, row: int | None, column: str, message: str) -> Problem:
        return Problem(self.name, 1 if row is None else self.line(row), column, message)

    def rows(self) -> Iterable[tuple[int, dict[str, str]]]:
        for row, record in enumerate(self.frame.to_dict("records")):
            yield row, {str(key): str(value).strip() for key, value in record.items()}


@dataclass(frozen=True)
class _Provider:
    provider_id: str
    name: str
    kind: str
    """``country`` or ``organization``."""
    country: str
    """Country id: for a country row the country itself."""
    various: bool
    """The dataset's "Various countries" / "Various companies" aggregate."""
    alias: str = ""


@dataclass(frozen=True)
class _Share:
    """One provision row of one item."""

    provider: _Provider
    percent: float | None
    """``share_provided``; None when blank."""
    year: int | None


@dataclass
class _Route:
    """One supplier route under construction."""

    supplier: str
    percent: float
    source: str


@dataclass(frozen=True)
class _Structure:
    """The item graph of sequence.csv, split into input edges and subtype edges (rules 4-5)."""

    subtypes: dict[str, list[str]]
    """Parent → its subtypes (natural order)."""
    inputs_of: dict[str, list[str]]
    """Item → the items that go into it as inputs (natural order)."""
    consumers: dict[str, set[str]]
    """Item → every item it goes into or is a type of."""

    @classmethod
    def of(
        cls,
        items: dict[str, dict[str, Any]],
        goes_into: set[tuple[str, str]],
        type_of: set[tuple[str, str]],
    ) -> _Structure:
        """Subtype edges: is_type_of, and goes_into between two non-process items of one type."""
        subtype_edges = type_of | {
            (child, parent)
            for child, parent in goes_into
            if items[child]["type"] == items[parent]["type"] != "process"
        }
        subtypes: dict[str, list[str]] = {}
        inputs_of: dict[str, list[str]] = {}
        consumers: dict[str, set[str]] = {}
        for child, parent in sorted(subtype_edges):
            subtypes.setdefault(parent, []).append(child)
            consumers.setdefault(child, set()).add(parent)
        for child, parent in sorted(goes_into - subtype_edges):
            inputs_of.setdefault(parent, []).append(child)
            consumers.setdefault(child, set()).add(parent)
        return cls(
            {parent: sorted(children, key=_natural) for parent, children in subtypes.items()},
            {parent: sorted(children, key=_natural) for parent, children in inputs_of.items()},
            consumers,
        )

    def quantity(self, child: str) -> float:
        """Units of ``child`` per unit of each item it goes into or is a type of: 1/n."""
        return round(1.0 / len(self.consumers[child]), 10)

    def market(self, item_id: str, items: dict[str, dict[str, Any]]) -> float:
        """World market in USD; for a category without one, the sum of its subtypes' (0 if
        any is unknown)."""
        own: float = items[item_id]["market_usd"]
        if own or item_id not in self.subtypes:
            return own
        parts = [self.market(child, items) for child in self.subtypes[item_id]]
        return sum(parts) if all(parts) else 0.0

    def needs(self, item_id: str) -> dict[str, float]:
        """The inputs (not subtypes) of ``item_id`` with their quantities."""
        return {child: self.quantity(child) for child in self.inputs_of.get(item_id, [])}


@dataclass
class _Suppliers:
    """Supplier records by id, firms and residual suppliers."""

    records: dict[str, dict[str, Any]] = field(default_factory=dict)
    by_provider: dict[str, str] = field(default_factory=dict)

    def firm(self, provider: _Provider) -> str:
        if provider.provider_id in self.by_provider:
            return self.by_provider[provider.provider_id]
        base = re.sub(r"[^a-z0-9]+", "_", provider.name.lower()).strip("_") or "firm"
        supplier_id = base if base not in self.records else f"{base}_{provider.provider_id}"
        self.by_provider[provider.provider_id] = supplier_id
        self.records[supplier_id] = {
            "name": provider.name,
            "country": provider.country,
            "source": f"ETO providers.csv {provider.provider_id}",
        }
        return supplier_id

    def residual(self, country: str) -> str:
        supplier_id = f"other_firms_{country}"
        if supplier_id not in self.records:
            where = COUNTRY_NAMES.get(country, country)
            name = f"Other firms in {where.lower() if country == VARIOUS else where}"
            self.records[supplier_id] = {
                "name": name,
                "country": country,
                "source": f"ETO provision.csv: share of {country} not covered by the firms "
                "listed there (import rule)",
            }
        return supplier_id


def import_eto(directory: Path, subtypes: SubtypeRule = "each") -> EtoImport:
    """Read the ETO CSVs in ``directory`` and build a world model (rules: module docstring).

    ``subtypes`` chooses the reading of is_type_of (rule 5): ``"each"`` (default) — a parent
    category needs every subtype; ``"any"`` — subtypes are alternatives, weighted by their world
    market (see :func:`_subtype_routes`), for sensitivity analysis.

    Raises :class:`~supplychain.errors.InputError` naming file, line and column for a missing
    file or column, a malformed value or a reference to an unknown id.
    """
    if subtypes not in ("each", "any"):
        raise ValueError(f"subtypes must be 'each' or 'any', got {subtypes!r}")
    tables = _read_tables(directory)
    items = _read_inputs(tables["inputs.csv"])
    providers = _read_providers(tables["providers.csv"])
    shares, stage_rows = _read_provision(tables["provision.csv"], items, providers)
    goes_into, type_of = _read_sequence(tables["sequence.csv"], items)

    structure = _Structure.of(items, goes_into, type_of)
    suppliers = _Suppliers()
    routes: list[dict[str, Any]] = []
    warnings: list[str] = []
    notes: list[str] = []
    restated = 0
    for item_id in sorted(items, key=_natural):
        rows = shares.get(item_id, [])
        needs = structure.needs(item_id)
        if item_id in structure.subtypes:
            children = structure.subtypes[item_id]
            routes.extend(_subtype_routes(item_id, children, needs, structure, items, subtypes))
            if rows:
                notes.append(
                    f"{item_id}: {len(rows)} aggregate provider rows not used "
                    f"(modelled from its subtypes {', '.join(children)})"
                )
                blank = sum(share.percent is None for share in rows)
                if blank:
                    warnings.append(
                        f"{item_id} {items[item_id]['name']}: blank share_provided for {blank} "
                        f"of {len(rows)} providers; not used (the item is modelled from its "
                        "subtypes)"
                    )
            continue
        if rows:
            allocated, warning = _allocate(item_id, items[item_id]["name"], rows, suppliers)
            if any(share.provider.kind == "country" for share in rows):
                restated += sum(
                    share.provider.various and share.provider.kind == "organization"
                    for share in rows
                )
            if warning:
                warnings.append(warning)
            for route in sorted(allocated, key=lambda r: r.supplier):
                capacity = round(route.percent / 100.0, 10)
                if capacity <= 0:
                    continue
                entry: dict[str, Any] = {
                    "item": item_id,
                    "supplier": route.supplier,
                    "capacity": capacity,
                }
                if needs:
                    entry["inputs"] = dict(needs)
                entry["source"] = route.source
                routes.append(entry)
            continue
        if needs:
            routes.append(
                {
                    "item": item_id,
                    "inputs": needs,
                    "source": f"ETO sequence.csv: goes_into from {', '.join(needs)} "
                    "(import rule: a step the adversary performs itself)",
                }
            )
        else:
            notes.append(f"{item_id}: no providers and no inputs; no route (unobtainable)")
    if restated:
        notes.append(
            f"provision.csv: {restated} 'Various companies' rows not used (they restate the "
            "residual 'other firms' suppliers of items with country rows)"
        )
    if stage_rows:
        notes.append(f"provision.csv: {stage_rows} stage-level rows (S1-S3, not inputs) not used")

    used = {route["supplier"] for route in routes if "supplier" in route}
    supplier_records = {supplier_id: suppliers.records[supplier_id] for supplier_id in sorted(used)}
    country_ids = {record["country"] for record in supplier_records.values()}
    country_ids.update(REQUIRED_COUNTRIES)
    aliases = {p.country: p.alias for p in providers.values() if p.kind == "country" and p.alias}
    countries = {
        country: {"name": COUNTRY_NAMES.get(country, aliases.get(country, country))}
        for country in sorted(country_ids)
    }
    item_records = {
        item_id: _item_record(item_id, items[item_id]) for item_id in sorted(items, key=_natural)
    }
    world: dict[str, Any] = {
        "name": "eto_supply_chain",
        "description": (
            "Semiconductor supply chain imported from the ETO Advanced Semiconductor Supply "
            "Chain Dataset: items are ETO input ids, suppliers are organisations (plus "
            "residual 'other firms' per country), routes follow goes_into and is_type_of. "
            "See docs/eto_import.md for the import rules."
        ),
        "source": f"{DATASET}; CSET, 'The Semiconductor Supply Chain: Assessing National "
        "Competitiveness' (2021) with 2022-2025 updates. Attribute ETO/CSET.",
        "countries": countries,
        "items": item_records,
        "suppliers": supplier_records,
        "routes": routes,
    }
    _self_check(world, directory)
    return EtoImport(world, warnings, notes, _checksums(directory), subtypes)


def write_world(imported: EtoImport, path: Path) -> None:
    """Write the world model as YAML, atomically (a temporary file in the same folder, renamed).

    The file starts with a comment naming the dataset, the CSV checksums and the import rules;
    countries, suppliers and routes are written one flow mapping (one line) each, in the
    world's (sorted) order.
    """
    header = [
        "World model imported from the " + DATASET + ".",
        "Data: CSET, 'The Semiconductor Supply Chain: Assessing National Competitiveness' (2021),",
        "with 2022-2025 updates; licence CC BY 4.0 (dataset docs) / CC BY-NC 4.0 (repository "
        "LICENSE).",
        "Attribute ETO/CSET wherever results use it. Generated by `supplychain import-eto`;",
        "re-run the import rather than editing by hand. Input files (SHA-256):",
        *(f"  {name} {digest}" for name, digest in sorted(imported.checksums.items())),
        "Import rules (docs/eto_import.md):",
        *(
            line
            for rule in rules_for(imported.subtypes)
            for line in textwrap.wrap(rule, 96, initial_indent="- ", subsequent_indent="  ")
        ),
    ]
    text = "".join(f"# {line}\n" for line in header)
    text += yaml.dump(
        _flow_sections(imported.world),
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        width=260,
        default_flow_style=False,
    )
    _atomic_write(path, text)


def scenario_for(
    imported: EtoImport,
    model_path_relative: str,
    demand: float = TARGET_DEMAND,
    budget: float | None = TARGET_BUDGET,
) -> dict[str, Any]:
    """A scenario asking how far US controls and allied alignment deny China finished logic chips.

    Targets ``N99`` (demand in units of annual world supply), controller USA, adversary CHN,
    the allies of :data:`TARGET_PARTNERS` that are in the world, 5 % leakage, a diplomatic
    ``budget`` (None: unlimited). ``model_path_relative`` is the world file relative to the
    scenario file.
    """
    world = imported.world
    if TARGET_ITEM not in world["items"]:
        raise ValueError(f"the imported world has no item {TARGET_ITEM} (finished logic chip)")
    partners = {
        country: dict(costs)
        for country, costs in TARGET_PARTNERS.items()
        if country in world["countries"]
    }
    scenario: dict[str, Any] = {
        "name": "eto_logic_chip",
        "description": (
            "Which US controls and which Dutch, Japanese, Korean, Taiwanese or German "
            "alignments deny China the most finished logic chips (ETO N99) in the ETO world, "
            f"if China seeks {demand:g} of annual world supply?"
        ),
        "model": model_path_relative,
        "controller": "USA",
        "adversary": "CHN",
        "targets": {TARGET_ITEM: {"demand": demand}},
        "partners": partners,
        "leakage": {"default": 0.05},
    }
    if budget is not None:
        scenario["budget"] = {"diplomatic": budget}
    scenario["solver"] = {"time_limit": 120}
    return scenario


def import_to_file(
    directory: Path,
    output: Path,
    echo: Callable[[str], None] | None = None,
    subtypes: SubtypeRule = "each",
) -> EtoImport:
    """Import ``directory``, write the world to ``output`` and echo one line per warning.

    ``echo`` receives ``"warning: <item id> <item name>: ..."`` lines, one per affected item
    (the command line passes a function that prints to standard error); nothing is written
    when the import fails.
    """
    imported = import_eto(directory, subtypes)
    write_world(imported, output)
    if echo is not None:
        for warning in imported.warnings:
            echo(f"warning: {warning}")
    return imported


# --- reading -------------------------------------------------------------------------------


def _read_tables(directory: Path) -> dict[str, _Table]:
    problems: list[Problem] = []
    tables: dict[str, _Table] = {}
    if not directory.is_dir():
        raise InputError([Problem(str(directory), 1, "(file)", "no such ETO data folder")])
    for name in FILES:
        path = directory / name
        display = str(path)
        if not path.is_file():
            problems.append(
                Problem(display, 1, "(file)", f"missing ETO file '{name}' in {directory}")
            )
            continue
        try:
            text = path.read_bytes().decode("utf-8-sig")
        except OSError as error:
            problems.append(Problem(display, 1, "(file)", f"cannot read file: {error.strerror}"))
            continue
        except UnicodeDecodeError:
            problems.append(Problem(display, 1, "(file)", "not a UTF-8 text file"))
            continue
        try:
            frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
        except pd.errors.EmptyDataError:
            problems.append(Problem(display, 1, "(file)", "the file is empty"))
            continue
        except (pd.errors.ParserError, ValueError, csv.Error) as error:
            problems.append(
                Problem(display, 1, "(file)", f"not a valid CSV file: {str(error).strip()}")
            )
            continue
        frame.columns = [str(column).strip() for column in frame.columns]
        missing = [column for column in REQUIRED_COLUMNS[name] if column not in frame.columns]
        for column in missing:
            found = ", ".join(frame.columns) or "none"
            problems.append(
                Problem(display, 1, column, f"missing column '{column}' (columns found: {found})")
            )
        if not missing:
            tables[name] = _Table(display, frame, _record_lines(text))
    if problems:
        raise InputError(problems)
    return tables


def _record_lines(text: str) -> list[int]:
    """The line on which each data record starts (records may span lines inside quotes)."""
    reader = csv.reader(io.StringIO(text))
    starts: list[int] = []
    end = 0
    for record in reader:
        start, end = end + 1, reader.line_num
        if record:
            starts.append(start)
    return starts[1:]


def _read_inputs(table: _Table) -> dict[str, dict[str, Any]]:
    items: dict[str, dict[str, Any]] = {}
    first: dict[str, int] = {}
    problems: list[Problem] = []
    for row, record in table.rows():
        item_id = record["input_id"]
        if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]*", item_id):
            problems.append(table.problem(row, "input_id", f"not a valid input id: {item_id!r}"))
            continue
        if item_id in items:
            problems.append(
                table.problem(
                    row,
                    "input_id",
                    f"duplicate input id '{item_id}' (first on line {first[item_id]})",
                )
            )
            continue
        valid, year = _record_year(table, row, record, problems)
        if not valid:
            continue
        first[item_id] = table.line(row)
        items[item_id] = {
            "name": record["input_name"] or item_id,
            "type": record["type"],
            "year": year,
            "market_usd": _market_usd(record["market_share_chart_global_market_size_info"]),
        }
    if problems:
        raise InputError(problems)
    if not items:
        raise InputError([table.problem(None, "input_id", "no inputs in the file")])
    return items


def _read_providers(table: _Table) -> dict[str, _Provider]:
    providers: dict[str, _Provider] = {}
    problems: list[Problem] = []
    for row, record in table.rows():
        provider_id, name = record["provider_id"], record["provider_name"]
        kind = record["provider_type"]
        if not provider_id:
            problems.append(table.problem(row, "provider_id", "blank provider id"))
            continue
        if kind not in ("country", "organization"):
            problems.append(
                table.problem(
                    row, "provider_type", f"expected 'country' or 'organization', got {kind!r}"
                )
            )
            continue
        various = name.lower().startswith("various")
        label = name if kind == "country" else record["country"]
        if kind == "organization" and not label:
            problems.append(table.problem(row, "country", f"organisation '{name}' has no country"))
            continue
        country = _country_id(label, record["alias"] if kind == "country" else "")
        if country is None:
            column = "provider_name" if kind == "country" else "country"
            problems.append(table.problem(row, column, f"unknown country {label!r}"))
            continue
        provider = _Provider(provider_id, name, kind, country, various, record["alias"])
        known = providers.get(provider_id)
        if known is not None and (known.kind, known.country) != (kind, country):
            problems.append(
                table.problem(
                    row,
                    "provider_id",
                    f"provider {provider_id} listed again with a different type or country",
                )
            )
            continue
        providers.setdefault(provider_id, provider)
    if problems:
        raise InputError(problems)
    return providers


def _read_provision(
    table: _Table, items: dict[str, dict[str, Any]], providers: dict[str, _Provider]
) -> tuple[dict[str, list[_Share]], int]:
    shares: dict[str, list[_Share]] = {}
    seen: dict[tuple[str, str], int] = {}
    problems: list[Problem] = []
    stage_rows = 0
    for row, record in table.rows():
        item_id, provider_id = record["provided_id"], record["provider_id"]
        if item_id not in items:
            if re.fullmatch(r"S\d+", item_id):
                stage_rows += 1
            else:
                problems.append(
                    table.problem(
                        row, "provided_id", f"unknown input id {item_id!r} (not in inputs.csv)"
                    )
                )
            continue
        provider = providers.get(provider_id)
        if provider is None:
            problems.append(
                table.problem(
                    row,
                    "provider_id",
                    f"unknown provider id {provider_id!r} (not in providers.csv)",
                )
            )
            continue
        text = record["share_provided"]
        percent: float | None = None
        if text:
            try:
                percent = float(text)
            except ValueError:
                percent = math.nan
            if not 0.0 <= percent <= 100.0:
                problems.append(
                    table.problem(
                        row, "share_provided", f"expected a percentage from 0 to 100, got {text!r}"
                    )
                )
                continue
        valid, year = _record_year(table, row, record, problems)
        if not valid:
            continue
        key = (item_id, provider_id)
        if key in seen:
            problems.append(
                table.problem(
                    row,
                    "provider_id",
                    f"provider {provider_id} listed twice for {item_id} "
                    f"(first on line {seen[key]})",
                )
            )
            continue
        seen[key] = table.line(row)
        shares.setdefault(item_id, []).append(_Share(provider, percent, year))
    if problems:
        raise InputError(problems)
    return shares, stage_rows


def _read_sequence(
    table: _Table, items: dict[str, dict[str, Any]]
) -> tuple[set[tuple[str, str]], set[tuple[str, str]]]:
    goes_into: set[tuple[str, str]] = set()
    type_of: set[tuple[str, str]] = set()
    problems: list[Problem] = []
    for row, record in table.rows():
        child = record["input_id"]
        if child not in items:
            problems.append(
                table.problem(row, "input_id", f"unknown input id {child!r} (not in inputs.csv)")
            )
            continue
        for column, edges in (("goes_into_id", goes_into), ("is_type_of_id", type_of)):
            parent = record[column]
            if not parent:
                continue
            if parent not in items:
                problems.append(
                    table.problem(row, column, f"unknown input id {parent!r} (not in inputs.csv)")
                )
            elif parent == child:
                problems.append(table.problem(row, column, f"{child} refers to itself"))
            else:
                edges.add((child, parent))
    if problems:
        raise InputError(problems)
    return goes_into, type_of


# --- the rules ------------------------------------------------------------------------------


def _subtype_routes(
    item_id: str,
    children: list[str],
    needs: dict[str, float],
    structure: _Structure,
    items: dict[str, dict[str, Any]],
    rule: SubtypeRule,
) -> list[dict[str, Any]]:
    """The supplier-less routes of a parent category (rule 5).

    ``each``: one route needing every subtype (and the parent's own inputs). ``any``: one route
    per subtype; a unit of the parent takes ``(1/n) * M / m`` units of subtype A, m its world
    market (for a category without one, the sum of its subtypes') and M the sum over the
    parent's subtypes (equal weights when a market is unknown),
    so all subtypes' world supply together make one unit of the parent.
    """
    if rule == "each":
        return [
            {
                "item": item_id,
                "inputs": {
                    child: structure.quantity(child)
                    for child in sorted([*children, *needs], key=_natural)
                },
                "source": f"ETO sequence.csv: subtypes {', '.join(children)}"
                + (f"; inputs {', '.join(needs)}" if needs else "")
                + " (import rule: one route needing each subtype)",
            }
        ]
    markets = {child: structure.market(child, items) for child in children}
    if not all(markets.values()):
        markets = dict.fromkeys(children, 1.0)
    total = sum(markets.values())
    routes = []
    for child in children:
        share = markets[child] / total
        quantity = round(structure.quantity(child) / share, 10)
        routes.append(
            {
                "item": item_id,
                "inputs": {
                    key: needs.get(key, quantity) for key in sorted([child, *needs], key=_natural)
                },
                "source": f"ETO sequence.csv: {child} is a type of {item_id} "
                f"({share:.1%} of the subtypes' market; import rule subtypes=any)",
            }
        )
    return routes


def _allocate(
    item_id: str, item_name: str, rows: list[_Share], suppliers: _Suppliers
) -> tuple[list[_Route], str | None]:
    """Supplier routes of one item from its provision rows (rules 1-3 of the module docstring).

    Returns the routes (percent of world supply) and the item's blank-share warning, if any.
    """
    countries = [share for share in rows if share.provider.kind == "country"]
    firms = [share for share in rows if share.provider.kind == "organization"]
    various_companies = [share for share in firms if share.provider.various]
    firms = [share for share in firms if not share.provider.various]
    year = max((share.year for share in rows if share.year), default=None)
    cite = "ETO provision.csv" + (f" {year}" if year else "")
    if countries:
        groups: list[tuple[str | None, str, float | None]] = [
            (share.provider.country, share.provider.name, share.percent) for share in countries
        ]
        listed = {share.provider.country for share in countries}
        if VARIOUS not in listed and any(s.provider.country not in listed for s in firms):
            groups.append((VARIOUS, "Various countries", 0.0))
    else:
        groups = [(None, "world", 100.0)]
        firms = firms + various_companies
    blank_countries = sum(share.percent is None for share in countries)
    blank_firms = sum(share.percent is None for share in firms)
    country_percent = _fill_blanks([percent for _, _, percent in groups], 100.0)

    routes: list[_Route] = []
    zero = 0
    listed_countries = {country for country, _, _ in groups}
    for (country, label, given), total in zip(groups, country_percent, strict=True):
        members = [
            share
            for share in firms
            if share.provider.country == country
            or (country == VARIOUS and share.provider.country not in listed_countries)
            or country is None
        ]
        filled = _fill_blanks([share.percent for share in members], total)
        for share, percent in zip(members, filled, strict=True):
            if share.provider.various:
                supplier = suppliers.residual(VARIOUS)
            else:
                supplier = suppliers.firm(share.provider)
            if share.percent is None:
                zero += percent <= 0
                how = f"share blank; import rule gives {percent:.4g}%"
            else:
                how = f"{percent:g}%"
            routes.append(
                _Route(supplier, percent, f"{cite}: {share.provider.name} {how} of {item_id}")
            )
        if country is None:
            continue
        if given is None:
            zero += total <= 0
        residual = total - sum(filled)
        if residual > _TOLERANCE:
            where = "Various countries" if country == VARIOUS else label
            if members:
                detail = f"{where} {total:g}% less listed firms {sum(filled):.4g}%"
            else:
                detail = f"{where} {total:.4g}%"
            if given is None:
                detail += " (share blank; import rule)"
            routes.append(
                _Route(suppliers.residual(country), residual, f"{cite}: {detail} of {item_id}")
            )
    warning = None
    if blank_countries or blank_firms:
        parts = []
        if blank_countries:
            parts.append(f"{blank_countries} countries")
        if blank_firms:
            parts.append(f"{blank_firms} firms")
        warning = (
            f"{item_id} {item_name}: blank share_provided for {' and '.join(parts)}; filled by "
            "equal split of what the known shares leave (countries of 100%, firms of their "
            "country's share)"
        )
        if zero:
            warning += f"; {zero} of them get 0% because the known shares already add up"
    return routes, warning


def _fill_blanks(percents: list[float | None], total: float) -> list[float]:
    """Blank entries share equally what the known entries leave of ``total`` (never < 0)."""
    known = sum(percent for percent in percents if percent is not None)
    blanks = sum(percent is None for percent in percents)
    each = max(total - known, 0.0) / blanks if blanks else 0.0
    return [each if percent is None else percent for percent in percents]


# --- helpers --------------------------------------------------------------------------------


def _item_record(item_id: str, info: dict[str, Any]) -> dict[str, Any]:
    record: dict[str, Any] = {"name": info["name"]}
    kind = KINDS.get(info["type"])
    if kind is not None:
        record["kind"] = kind
    if info["market_usd"]:
        record["market_usd"] = info["market_usd"]
    year = f" ({info['year']})" if info["year"] else ""
    record["source"] = f"ETO inputs.csv {item_id}{year}"
    return record


def _natural(identifier: str) -> tuple[str, int, str]:
    """Sort key putting ``N2`` before ``N10``."""
    match = re.fullmatch(r"([A-Za-z]*)(\d+)(.*)", identifier)
    if match is None:
        return (identifier, -1, "")
    return (match.group(1), int(match.group(2)), match.group(3))


def _record_year(
    table: _Table, row: int, record: dict[str, str], problems: list[Problem]
) -> tuple[bool, int | None]:
    """A row's ``year`` as (valid, year); an invalid one is added to ``problems``."""
    try:
        return True, _year(record["year"])
    except ValueError:
        problems.append(table.problem(row, "year", f"expected a year, got {record['year']!r}"))
        return False, None


def _year(text: str) -> int | None:
    """A year from ``2025`` or ``2025.0``; None when blank; ValueError when malformed."""
    if not text:
        return None
    value = float(text)
    if not value.is_integer() or not 1900 <= value <= 2200:
        raise ValueError(text)
    return int(value)


def _market_usd(text: str) -> float:
    """``$13 billion (2025)`` → 1.3e10; 0 when the text gives no amount."""
    match = re.search(
        r"\$\s*([0-9][0-9,]*(?:\.[0-9]+)?)\s*(billion|million|thousand)?", text, re.IGNORECASE
    )
    if match is None:
        return 0.0
    scale = {"billion": 1e9, "million": 1e6, "thousand": 1e3}.get(
        (match.group(2) or "").lower(), 1.0
    )
    return float(f"{float(match.group(1).replace(',', '')) * scale:.6g}")


def _country_id(label: str, alias: str = "") -> str | None:
    """An ISO alpha-3 id (or EUR / XXX) for a country label of the dataset; None if unknown."""
    text = label.strip()
    if text.lower() in _COUNTRY_ALIASES:
        return _COUNTRY_ALIASES[text.lower()]
    if text in COUNTRY_NAMES:
        return text
    if alias and alias.strip().lower() in _COUNTRY_ALIASES:
        return _COUNTRY_ALIASES[alias.strip().lower()]
    if re.fullmatch(r"[A-Z]{3}", text):
        return text
    return None


def _checksums(directory: Path) -> dict[str, str]:
    return {name: hashlib.sha256((directory / name).read_bytes()).hexdigest() for name in FILES}


def _self_check(world: dict[str, Any], directory: Path) -> None:
    """The built world must pass the same checks as a hand-written one (e.g. no input cycle)."""
    document = Document(f"{directory / 'sequence.csv'} (imported world)", world)
    try:
        model = World.model_validate(world)
    except ValidationError as error:  # pragma: no cover - the import builds only valid values
        raise InputError([document.problem((), f"imported world is invalid: {error}")]) from None
    problems = world_problems(model, document)
    if problems:
        raise InputError(problems)


class _Flow(dict):  # type: ignore[type-arg]
    """A mapping written on one line (flow style)."""


class _Dumper(yaml.SafeDumper):
    """SafeDumper that writes :class:`_Flow` mappings in flow style, keeping key order."""


def _represent_flow(dumper: yaml.SafeDumper, data: _Flow) -> yaml.Node:
    return dumper.represent_mapping("tag:yaml.org,2002:map", data.items(), flow_style=True)


_Dumper.add_representer(_Flow, _represent_flow)


def _flow_sections(world: dict[str, Any]) -> dict[str, Any]:
    """The world with countries, suppliers and routes as one-line mappings."""
    result = dict(world)
    result["countries"] = {key: _Flow(value) for key, value in world["countries"].items()}
    result["suppliers"] = {key: _Flow(value) for key, value in world["suppliers"].items()}
    result["routes"] = [
        _Flow(
            {
                key: _Flow(value) if isinstance(value, dict) else value
                for key, value in route.items()
            }
        )
        for route in world["routes"]
    ]
    return result


def _atomic_write(path: Path, text: str) -> None:
    """Write ``text`` to a temporary file next to ``path``, then rename it into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(
        dir=path.parent, prefix=f".{path.name}.", suffix=".tmp"
    )
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
