"""File formats (DESIGN §3–4) as strict Pydantic models.

Every model forbids unknown keys, refuses non-finite numbers and does not coerce types (a budget
written as the string ``"10"`` is an error, not ten). Meaning that needs more than one field —
references between ids, cycles, pins to levers that exist — is checked in :mod:`supplychain.checks`.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)

Identifier = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")]
"""An id: letters, digits, ``_``, ``-`` and ``.``; no spaces, colons or path separators."""

Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$")]
"""A scenario or model name, also used as a folder name: lower-case letters, digits, ``-``, ``_``."""

Share = Annotated[float, Field(ge=0.0, le=1.0)]
NonNegative = Annotated[float, Field(ge=0.0)]
Positive = Annotated[float, Field(gt=0.0)]

ItemKind = Literal[
    "capability", "process", "tool", "subsystem", "material", "software", "chip", "service"
]
LeverKind = Literal["control", "align", "fdpr", "monitor", "restrict", "tariff", "screen"]
LEVER_KINDS: tuple[LeverKind, ...] = (
    "control", "align", "fdpr", "monitor", "restrict", "tariff", "screen"
)


def _selection(value: Any) -> Any:
    """``all``, ``none`` or a list of ids."""
    if value in ("all", "none"):
        return value
    if isinstance(value, list) and all(isinstance(entry, str) for entry in value):
        return value
    raise ValueError(f"expected 'all', 'none' or a list of names, got {value!r}")


Selection = Annotated[Literal["all", "none"] | list[Identifier], BeforeValidator(_selection)]


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
    market_usd: NonNegative = 0.0
    source: str | None = None
    description: str | None = None


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
    capacity: NonNegative | None = None
    inputs: dict[Identifier, Positive] = {}
    via: Identifier | None = None
    content: dict[Identifier, Share] | None = None
    direct_product_of: list[Identifier] | None = None
    leakage: Share | None = None
    source: str | None = None

    @model_validator(mode="after")
    def _supplier_routes_have_capacity(self) -> Route:
        if self.supplier is not None and self.capacity is None:
            raise ValueError("a route with a supplier needs a capacity")
        if self.supplier is None and self.via is not None:
            raise ValueError("a diversion route (via) needs a supplier")
        return self


class World(Strict):
    """A supply-chain world model (DESIGN §3)."""

    name: Slug
    description: str | None = None
    source: str | None = None
    countries: dict[Identifier, Annotated[Country, BeforeValidator(_empty_mapping)]]
    items: dict[Identifier, Annotated[Item, BeforeValidator(_empty_mapping)]]
    suppliers: dict[Identifier, Supplier] = {}
    routes: list[Route]


class Target(Strict):
    demand: Positive = 1.0
    weight: Positive = 1.0


class Partner(Strict):
    align_cost: NonNegative = 1.0
    fdpr_cost: NonNegative | None = None


class Pressure(Strict):
    monitor_cost: NonNegative = 1.0
    monitor_effect: Share = 0.5
    restrict_cost: NonNegative = 1.0
    restrict_cost_usd: NonNegative = 0.0
    tariff_cost: NonNegative = 1.0
    tariff_compliance: Share = 0.8
    screen_cost: NonNegative = 1.0


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
    fdpr_default: NonNegative = 2.0


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
        value = getattr(self, self.kind)
        if self.kind == "control":
            return None
        return value[0] if isinstance(value, list) else value

    @property
    def category(self) -> str | None:
        value = getattr(self, self.kind)
        if self.kind == "control":
            return value
        return value[1] if isinstance(value, list) else None


class Fixed(Strict):
    on: list[Pin] = []
    off: list[Pin] = []


class Objective(Strict):
    minimize: Literal["capability", "cost"] = "capability"
    max_capability: Share | None = None

    @model_validator(mode="after")
    def _cap_goes_with_cost(self) -> Objective:
        if self.minimize == "cost" and self.max_capability is None:
            raise ValueError("minimize: cost needs max_capability")
        if self.minimize == "capability" and self.max_capability is not None:
            raise ValueError("max_capability goes with minimize: cost")
        return self


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
    targets: Annotated[dict[Identifier, Target], Field(min_length=1)]
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
