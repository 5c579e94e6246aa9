"""File formats (DESIGN §3–4) as strict Pydantic models.

Every model forbids unknown keys, refuses non-finite numbers and does not coerce types (a budget
written as the string ``"10"`` is an error, not ten). Meaning that needs more than one field —
references between ids, cycles, pins to levers that exist — is checked in
:mod:`supplychain.inputs.checks`.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    StringConstraints,
    Tag,
    ValidationInfo,
    field_validator,
    model_validator,
)

from supplychain.inputs.messages import show

Identifier = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")]
"""An id: letters, digits, ``_``, ``-`` and ``.``; no spaces, colons or path separators."""

SLUG_PATTERN = r"^[a-z0-9][a-z0-9_-]{0,63}$"
Slug = Annotated[str, StringConstraints(pattern=SLUG_PATTERN)]
"""A scenario or model name, also a folder name: lower-case letters, digits, ``-``, ``_``."""

Share = Annotated[float, Field(ge=0.0, le=1.0)]
NonNegative = Annotated[float, Field(ge=0.0)]
Positive = Annotated[float, Field(gt=0.0)]


def _solvable(low: float | None, high: float | None, reason: str) -> AfterValidator:
    """Refuse a number outside ``[low, high]``, saying ``reason`` (why the MILP, solved by HiGHS,
    cannot give a right answer outside the range, with ``{side}`` for "smaller" or "larger");
    docs/file-formats.md states the ranges."""

    def check(value: float) -> float:
        if low is not None and value < low:
            why = reason.format(side="smaller")
            raise ValueError(f"must be at least {low:g}, got {value:g} ({why})")
        if high is not None and value > high:
            why = reason.format(side="larger")
            raise ValueError(f"must be at most {high:g}, got {value:g} ({why})")
        return value

    return AfterValidator(check)


_SWAMPED = "HiGHS's 1e-9 feasibility tolerance swamps {side} ones"
Capacity = Annotated[NonNegative, _solvable(None, 1e3, f"annual world supplies; {_SWAMPED}")]
"""A route's capacity: its capability terms in the MILP are the capacity times an item's dual
(up to 1/demand), and beyond a thousand world supplies they swamp the solver's tolerance."""
Demand = Annotated[Positive, _solvable(1e-6, 1e3, f"annual world supplies; {_SWAMPED}")]
"""A target's demand: the MILP's bounds and big-Ms grow as 1/demand, and below a millionth of
world supply the amounts come within a thousand times the solver's tolerance; above a thousand
world supplies every capability does."""
InputQuantity = Annotated[
    Positive, _solvable(1e-6, 1e6, f"units of input per unit of output; {_SWAMPED}")
]
"""Units of an input per unit of output: the input's big-M is its output's divided by the
quantity, so a millionth multiplies it by a million; HiGHS drops coefficients below 1e-9 and
refuses them above 1e15."""
Diplomatic = Annotated[
    NonNegative,
    _solvable(
        None, 1e6, "diplomatic units, kept well below the 1e15 at which HiGHS refuses a coefficient"
    ),
]
"""Diplomatic units of one lever: costs and budgets share rows, so a cost is kept far below the
coefficients HiGHS refuses (1e15) or takes as infinite (1e20, ``kHighsInf``)."""
Usd = Annotated[NonNegative, _solvable(None, 1e15, "US dollars a year: ten times the world's GDP")]
"""US dollars a year of one item's market or one restriction's lost sales (the MILP counts them
in billions, so its coefficients stay far below HiGHS's limit of 1e15)."""

ItemKind = Literal[
    "capability", "process", "tool", "subsystem", "material", "software", "chip", "service"
]
LeverKind = Literal["control", "align", "fdpr", "monitor", "restrict", "tariff", "screen"]
LEVER_KINDS: tuple[LeverKind, ...] = (
    "control",
    "align",
    "fdpr",
    "monitor",
    "restrict",
    "tariff",
    "screen",
)


def _selection(value: Any) -> Any:
    """``all``, ``none`` or a list (whose entries are checked as ids)."""
    if value in ("all", "none") or isinstance(value, list):
        return value
    raise ValueError(f"expected 'all', 'none' or a list of names, got {show(value)}")


def _selection_form(value: Any) -> str:
    return "names" if isinstance(value, list) else "word"


Selection = Annotated[
    Annotated[Literal["all", "none"], Tag("word")] | Annotated[list[Identifier], Tag("names")],
    Discriminator(_selection_form),
    BeforeValidator(_selection),
]


def _empty_mapping(value: Any) -> Any:
    """A key written with nothing after it (``NLD:``) means all defaults."""
    return {} if value is None else value


class Strict(BaseModel):
    """Base of every file-format model: unknown keys, coercion and NaN/inf are errors."""

    model_config = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False, frozen=True)


class Country(Strict):
    name: str | None = None
    source: str | None = None


class Item(Strict):
    name: str | None = None
    kind: ItemKind | None = None
    category: Identifier | None = None
    market_usd: Usd = 0.0
    source: str | None = None
    description: str | None = None


class Category(Strict):
    """A control category as a rule writes it (DESIGN §8.1): e.g. the immersion scanners of
    ECCN 3B001.f.1.b.2.b, with the de minimis share that rule sets.

    ``de_minimis`` overrides the scenario's for this category; written as ``null`` it disables
    de minimis reach for the category; left out, the scenario's applies (see
    :meth:`own_de_minimis`)."""

    name: str | None = None
    group: Identifier | None = None
    """For reading and aggregation; default: the category id."""
    rule: str | None = None
    de_minimis: Share | None = None
    source: str | None = None

    @property
    def own_de_minimis(self) -> bool:
        """Whether the category sets its own de minimis share (``null`` included)."""
        return "de_minimis" in self.model_fields_set


class Supplier(Strict):
    name: str | None = None
    country: Identifier
    content: dict[Identifier, Share] = {}
    direct_product_of: list[Identifier] = []
    owner: Identifier | None = None
    source: str | None = None


class Route(Strict):
    item: Identifier
    supplier: Identifier | None = None
    capacity: Capacity | None = Field(default=None, validate_default=True)
    inputs: dict[Identifier, InputQuantity] = {}
    via: Identifier | None = None
    content: dict[Identifier, Share] | None = None
    direct_product_of: list[Identifier] | None = None
    leakage: Share | None = None
    source: str | None = None

    @field_validator("capacity")
    @classmethod
    def _supplier_routes_have_capacity(
        cls, capacity: float | None, info: ValidationInfo
    ) -> float | None:
        if capacity is None and info.data.get("supplier") is not None:
            raise ValueError("required on a route with a supplier")
        return capacity

    @field_validator("via")
    @classmethod
    def _diversions_have_supplier(cls, via: str | None, info: ValidationInfo) -> str | None:
        if via is not None and "supplier" in info.data and info.data["supplier"] is None:
            raise ValueError("a diversion route (via) needs a supplier")
        return via


class World(Strict):
    """A supply-chain world model (DESIGN §3)."""

    name: Slug
    description: str | None = None
    source: str | None = None
    countries: dict[Identifier, Annotated[Country, BeforeValidator(_empty_mapping)]]
    categories: dict[Identifier, Annotated[Category, BeforeValidator(_empty_mapping)]] = {}
    """Categories as the rules define them (DESIGN §8.1); a category an item names but this
    table does not list is a plain one: its own group, the scenario's de minimis."""
    items: dict[Identifier, Annotated[Item, BeforeValidator(_empty_mapping)]]
    suppliers: dict[Identifier, Supplier] = {}
    routes: list[Route]


class Target(Strict):
    demand: Demand = 1.0
    weight: Positive = 1.0
    """Relative: only weight over the sum of weights counts, so any positive number will do."""


class Partner(Strict):
    align_cost: Diplomatic = 1.0
    fdpr_cost: Diplomatic | None = None


class Pressure(Strict):
    monitor_cost: Diplomatic = 1.0
    monitor_effect: Share = 0.5
    restrict_cost: Diplomatic = 1.0
    restrict_cost_usd: Usd = 0.0
    tariff_cost: Diplomatic = 1.0
    tariff_compliance: Share = 0.8
    screen_cost: Diplomatic = 1.0


class Levers(Strict):
    """Which categories (control, align, fdpr) or countries (the others) each kind may act on."""

    control: Selection = "all"
    align: Selection = "all"
    fdpr: Selection = "all"
    monitor: Selection = "none"
    restrict: Selection = "none"
    tariff: Selection = "none"
    screen: Selection = "none"


class Costs(Strict):
    adversary_share: Share = 0.3
    fdpr_default: Diplomatic = 2.0


class Leakage(Strict):
    default: Share = 0.0
    by_country: dict[Identifier, Share] = {}
    by_category: dict[Identifier, Share] = {}


class Budget(Strict):
    diplomatic: NonNegative | None = None
    economic_usd: NonNegative | None = None


Pair = Annotated[list[Identifier], Field(min_length=2, max_length=2)]


class Pin(Strict):
    """One pinned lever, e.g. ``{control: lithography}`` or ``{align: [NLD, lithography]}``."""

    control: Identifier | None = None
    align: Pair | None = None
    fdpr: Pair | None = None
    monitor: Identifier | None = None
    restrict: Pair | None = None
    tariff: Identifier | None = None
    screen: Identifier | None = None

    @model_validator(mode="after")
    def _exactly_one_lever(self) -> Pin:
        if len(self.model_fields_set) != 1:
            raise ValueError("a pin names exactly one lever, e.g. {control: lithography}")
        return self

    @property
    def kind(self) -> LeverKind:
        return next(kind for kind in LEVER_KINDS if kind in self.model_fields_set)

    @property
    def country(self) -> str | None:
        value: str | list[str] | None = getattr(self, self.kind)
        if self.kind == "control":
            return None
        return value[0] if isinstance(value, list) else value

    @property
    def category(self) -> str | None:
        value: str | list[str] | None = getattr(self, self.kind)
        if isinstance(value, list):
            return value[1]
        return value if self.kind == "control" else None


class Fixed(Strict):
    on: list[Pin] = []
    off: list[Pin] = []


class Objective(Strict):
    minimize: Literal["capability", "cost"] = "capability"
    max_capability: Share | None = Field(default=None, validate_default=True)

    @field_validator("max_capability")
    @classmethod
    def _cap_goes_with_cost(cls, cap: float | None, info: ValidationInfo) -> float | None:
        minimize = info.data.get("minimize")
        if minimize == "cost" and cap is None:
            raise ValueError("required when minimizing cost (minimize: cost)")
        if minimize == "capability" and cap is not None:
            raise ValueError("only used when minimizing cost (minimize: cost)")
        return cap


class CompareOption(Strict):
    name: Annotated[str, StringConstraints(min_length=1)]
    partners: Selection = "all"
    fdpr: bool = True
    regime: Literal["plurilateral", "bilateral"] = "bilateral"


SweepParameter = Literal[
    "budget.diplomatic", "budget.economic_usd", "leakage.default", "de_minimis", "max_capability"
]


class Sweep(Strict):
    parameter: SweepParameter
    values: Annotated[list[NonNegative], Field(min_length=1)]


class SolverOptions(Strict):
    time_limit: Positive | None = None
    mip_gap: Share = 0.0


class Scenario(Strict):
    """A planner's question about a world model (DESIGN §4)."""

    name: Slug
    description: str | None = None
    model: Annotated[str, StringConstraints(min_length=1)]
    controller: Identifier = "USA"
    adversary: Identifier = "CHN"
    targets: Annotated[
        dict[Identifier, Annotated[Target, BeforeValidator(_empty_mapping)]], Field(min_length=1)
    ]
    pressure: dict[Identifier, Annotated[Pressure, BeforeValidator(_empty_mapping)]] = {}
    partners: dict[Identifier, Annotated[Partner, BeforeValidator(_empty_mapping)]] = {}
    levers: Levers = Levers()
    costs: Costs = Costs()
    leakage: Leakage = Leakage()
    de_minimis: Share | None = 0.25
    budget: Annotated[Budget, BeforeValidator(_empty_mapping)] = Budget()
    fixed: Fixed = Fixed()
    mode: Literal["optimize", "evaluate"] = "optimize"
    objective: Objective = Objective()
    compare: list[CompareOption] = []
    sweep: Sweep | None = None
    solver: SolverOptions = SolverOptions()
