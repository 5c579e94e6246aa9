"""``results.md`` and ``results.png`` from the measured rows (``results.json``)."""

from __future__ import annotations

import datetime
import importlib.metadata
import platform
import subprocess
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt

from benchmarks.measure import STARTUP_COMMANDS

FINDINGS = Path(__file__).with_name("findings.md")
PHASES = ("imports", "load", "build", "solve", "report")
GOALS_MD = "## Goals"


def machine() -> list[str]:
    """uname, CPU model, core count, memory, Python and solver versions."""
    lscpu = subprocess.run(["lscpu"], capture_output=True, text=True).stdout
    model = next(
        (
            line.split(":", 1)[1].strip()
            for line in lscpu.splitlines()
            if line.startswith("Model name")
        ),
        "?",
    )
    nproc = subprocess.run(["nproc"], capture_output=True, text=True).stdout.strip()
    memory = next(
        line.split()[1]
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal")
    )
    uname = subprocess.run(["uname", "-a"], capture_output=True, text=True).stdout.strip()
    version = importlib.metadata.version
    return [
        f"- `uname -a`: `{uname}`",
        f"- CPU: {model}; `nproc`: {nproc}; memory: {int(memory) / 1024**2:.1f} GiB",
        f"- Python {platform.python_version()}, Pyomo {version('pyomo')}, "
        f"highspy {version('highspy')}",
    ]


def table(header: list[str], rows: list[list[str]]) -> list[str]:
    return [
        "| " + " | ".join(header) + " |",
        "|" + "---|" * len(header),
        *["| " + " | ".join(row) + " |" for row in rows],
        "",
    ]


def seconds(value: float | None) -> str:
    """Seconds to 3 decimals below 10, else 1; a phase that did not finish as a dash."""
    if value is None:
        return "—"
    return f"{value:.3f}" if value < 10 else f"{value:.1f}"


def total(row: dict[str, Any]) -> str:
    """A run's total, a lower bound when it was stopped, or why it failed."""
    if "failed" in row:
        return f"failed: {row['failed']}"
    if "stopped_after" in row:
        return f"> {row['stopped_after']:.0f} (stopped)"
    return seconds(row["total"])


def finished_within(row: dict[str, Any], limit: float) -> bool:
    """Whether the run finished every phase in under ``limit`` seconds."""
    return "total" in row and "failed" not in row and row["total"] < limit


def goals(results: dict[str, Any]) -> list[list[str]]:
    """Each goal of issue 8 with its measured value and verdict."""
    rows = []

    def add(goal: str, measured: str, met: bool) -> None:
        rows.append([goal, measured, "met" if met else "**missed**"])

    for row in results.get("enumeration", []):
        if row["levers"] == 16:
            budget = "within a budget" if row.get("budget", True) else "no budget"
            add(
                f"MILP ≥ 100× faster than enumeration at 16 levers ({budget})",
                f"{row['ratio']:.0f}×",
                row["ratio"] >= 100,
            )
    if "startup" in results:
        started = results["startup"]
        for name in ("version", "validate"):
            add(
                f"`supplychain {STARTUP_COMMANDS[name][0]}` starts in < 0.6 s",
                f"{started[name]:.2f} s",
                started[name] < 0.6,
            )
    if "curated" in results:
        curated = results["curated"]
        add(
            "curated model load → report < 3 s after interpreter start",
            f"{curated['total']:.2f} s (whole command {curated['command_wall']:.2f} s)",
            curated["total"] < 3,
        )
    scaled = {row["size"]: row for row in results.get("scaling", [])}
    if "10k" in scaled:
        add("10k routes < 10 s", f"{total(scaled['10k'])} s", finished_within(scaled["10k"], 10))
    if "100k" in scaled:
        row = scaled["100k"]
        add("100k routes < 120 s", f"{total(row)} s", finished_within(row, 120))
        add(
            "100k routes < 4 GB peak memory",
            f"{row['peak_mb'] / 1024:.2f} GiB",
            row["peak_mb"] < 4096,
        )
    for size in ("10k", "100k"):
        if size in scaled and "highs_build" in scaled[size]:
            row = scaled[size]
            add(
                f"MILP build ≤ HiGHS solve at {size} (highspy arrays; Pyomo model)",
                f"{row['highs_build']:.2f} s; {row['pyomo_build']:.2f} s ≤ "
                f"{seconds(row.get('solve'))} s",
                "solve" in row and row["highs_build"] <= row["solve"],
            )
    return rows


def markdown(results: dict[str, Any]) -> str:
    lines = [
        "# Benchmark results",
        "",
        f"Measured on {datetime.date.today().isoformat()} by `python -m benchmarks` "
        "(see `README.md`). Times are medians of the stated number of runs, in seconds.",
        "The machine has 2 cores shared with other work in progress, so single timings are "
        "noisy (±30 % is common); the medians are what to read.",
        "",
        *machine(),
        "",
        GOALS_MD,
        "",
        *table(["goal", "measured", "verdict"], goals(results)),
    ]
    if "enumeration" in results:
        lines += [
            "## Exact MILP against enumerating every lever set",
            "",
            "Layered synthetic worlds of 60 routes (`supplychain.testing.Scale`), one "
            "per lever count. MILP: build and all four lexicographic stages (`solve`). "
            "Enumeration: `tests/bruteforce.py`, one follower LP per feasible set (sets "
            "over the budget are skipped before their LP). *ratio* is enumeration over "
            "the default (highspy) backend; the Pyomo backend's time is beside it.",
            "",
            *table(
                [
                    "budget",
                    "levers",
                    "feasible sets",
                    "runs",
                    "MILP s",
                    "Pyomo MILP s",
                    "enumeration s",
                    "ratio",
                    "same optimum",
                ],
                [
                    [
                        "yes" if r.get("budget", True) else "none",
                        str(r["levers"]),
                        str(r["lever_sets"]),
                        str(r["runs"]),
                        seconds(r["milp_s"]),
                        seconds(r.get("pyomo_s")),
                        seconds(r["enumeration_s"]),
                        f"{r['ratio']:.0f}×",
                        "yes" if r["same"] else "**no**",
                    ]
                    for r in results["enumeration"]
                ],
            ),
        ]
    if "greedy" in results:
        rows = results["greedy"]
        worse = [r for r in rows if r["greedy"] > r["exact"] + 1e-9]
        lines += [
            "## Greedy heuristic against the optimum",
            "",
            "`supplychain.solve.greedy`: add the lever (with what it needs) of most capability "
            "removed per share of budget until nothing fits or helps. *share removed* is "
            "what greedy removes as a fraction of what the optimum removes. One run each "
            "(the answers, not the times, are the point).",
            "",
            f"Greedy is strictly worse on {len(worse)} of {len(rows)} instances; "
            f"worst share removed {min(r['share_removed'] for r in rows):.0%}, "
            f"worst capability excess "
            f"{max(r['greedy'] - r['exact'] for r in rows):.3f}.",
            "",
            *table(
                [
                    "instance",
                    "levers",
                    "baseline",
                    "exact",
                    "greedy",
                    "share removed",
                    "exact s",
                    "greedy s",
                ],
                [
                    [
                        r["instance"],
                        str(r["levers"]),
                        f"{r['baseline']:.3f}",
                        f"{r['exact']:.3f}",
                        f"{r['greedy']:.3f}",
                        f"{r['share_removed']:.0%}",
                        seconds(r["exact_s"]),
                        seconds(r["greedy_s"]),
                    ]
                    for r in rows
                ],
            ),
        ]
    if "backends" in results:
        lines += [
            "## MILP backends",
            "",
            "The same MILP built as highspy arrays (`supplychain.model.highs_leader`, the "
            "default: objective swapped per stage, each stage started from the previous "
            "solution) and as the Pyomo model (`supplychain.model.pyomo_model`, handed to HiGHS "
            "through `pyomo.contrib.solver` at every stage). *solve* is the four "
            "lexicographic stages.",
            "",
            *table(
                [
                    "size",
                    "routes",
                    "levers",
                    "backend",
                    "runs",
                    "build s",
                    "solve s",
                    "capability",
                    "same answer",
                ],
                [
                    [
                        r["size"],
                        str(r["routes"]),
                        str(r["levers"]),
                        r["backend"],
                        str(r["runs"]),
                        seconds(r["build_s"]),
                        seconds(r["solve_s"]),
                        f"{r['capability']:.6f}",
                        "yes" if r["same"] else "**no**",
                    ]
                    for r in results["backends"]
                ],
            ),
        ]
    if "scaling" in results:
        lines += [
            "## Scaling",
            "",
            "Layered synthetic worlds, each phase as `summary.json` records it, run in a "
            "fresh interpreter (`benchmarks/phases.py`). *build* is instance, follower LP "
            "and the MILP as highspy arrays; *highspy* and *pyomo* the MILP alone built "
            "each way; *solve* the four HiGHS stages; *report* analysis, tables, figures "
            "and report; *total* imports through report.",
            "",
            *table(
                [
                    "size",
                    "routes",
                    "levers",
                    "items",
                    "suppliers",
                    "countries",
                    "depth",
                    "runs",
                    *PHASES,
                    "highspy",
                    "pyomo",
                    "total",
                    "peak MiB",
                    "status",
                ],
                [
                    [
                        r["size"],
                        str(r["routes"]),
                        str(r["levers"]),
                        str(r["items"]),
                        str(r["suppliers"]),
                        str(r["countries"]),
                        str(r["depth"]),
                        str(r["runs"]),
                        *[seconds(r.get(p)) for p in PHASES],
                        seconds(r.get("highs_build")),
                        seconds(r.get("pyomo_build")),
                        total(r),
                        f"{r['peak_mb']:.0f}",
                        r.get("status", "—"),
                    ]
                    for r in results["scaling"]
                ],
            ),
        ]
    if "startup" in results:
        r = results["startup"]
        lines += [
            "## Start-up",
            "",
            "Wall time of whole `supplychain` processes (interpreter start and imports "
            f"included), median of {r['runs']} runs after one to warm the file cache. The "
            "command line imports each stage only when its command needs it.",
            "",
            *table(
                ["command", "seconds"],
                [
                    [f"`supplychain {' '.join(arguments)}`", seconds(r[name])]
                    for name, arguments in STARTUP_COMMANDS.items()
                ],
            ),
            "",
        ]
    if "curated" in results:
        r = results["curated"]
        lines += [
            "## Curated model",
            "",
            "`scenarios/us_unilateral.yaml` on `models/semiconductors.yaml`; *command* is "
            "the wall time of `supplychain run` including interpreter start.",
            "",
            *table(
                ["routes", "levers", "runs", *PHASES, "total", "command", "peak MiB"],
                [
                    [
                        str(r["routes"]),
                        str(r["levers"]),
                        str(r["runs"]),
                        *[seconds(r[p]) for p in PHASES],
                        seconds(r["total"]),
                        seconds(r["command_wall"]),
                        f"{r['peak_mb']:.0f}",
                    ]
                ],
            ),
        ]
    lines += ["![benchmarks](results.png)", ""]
    if FINDINGS.exists():
        lines += [FINDINGS.read_text(encoding="utf-8")]
    return "\n".join(lines)


def figure(results: dict[str, Any], path: Path) -> None:
    """Left: enumeration and MILP time by lever count. Right: phases by world size."""
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2))
    enumeration = results.get("enumeration", [])
    if enumeration:
        for budgeted, style in ((True, "-"), (False, "--")):
            rows = [r for r in enumeration if r.get("budget", True) == budgeted]
            levers = [r["levers"] for r in rows]
            label = "with budget" if budgeted else "no budget"
            left.plot(
                levers,
                [r["enumeration_s"] for r in rows],
                "o" + style,
                label=f"enumeration, {label}",
            )
            left.plot(
                levers, [r["milp_s"] for r in rows], "s" + style, label=f"exact MILP, {label}"
            )
        left.set(
            yscale="log",
            xlabel="candidate levers",
            ylabel="seconds (median)",
            title="Exact MILP vs enumeration",
            xticks=sorted({r["levers"] for r in enumeration}),
        )
        left.legend()
    scaled = results.get("scaling", [])
    if scaled:
        bottom = [0.0] * len(scaled)
        labels = [f"{r['size']} routes\n{r['levers']} levers" for r in scaled]
        for phase in PHASES:
            values = [r.get(phase, 0.0) for r in scaled]
            right.bar(labels, values, bottom=bottom, label=phase)
            bottom = [b + v for b, v in zip(bottom, values, strict=True)]
        right.set(yscale="log", ylabel="seconds (median, stacked)", title="Phases by world size")
        right.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def write_results(results: dict[str, Any], out: Path) -> None:
    (out / "results.md").write_text(markdown(results), encoding="utf-8")
    figure(results, out / "results.png")
