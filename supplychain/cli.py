"""The ``supplychain`` command line (DESIGN §7).

Exit codes: 0 success; 2 invalid input (one line per problem, no traceback); 1 solver or
internal failure, including any solve that did not prove optimality (a time-limited answer is
accepted with ``--allow-nonoptimal``; an infeasible scenario never is) and results that could
not be written.

Start-up stays short: this module imports only the standard library, and each command imports
the stages it drives (pandas, networkx, matplotlib, highspy take a second or more to load), so
``--help``, ``--version`` and ``validate`` answer at once. Ctrl-C is handled from the first
moment, imports included, and SIGTERM (``kill``, ``timeout``, a service manager) exactly as
Ctrl-C from the moment :func:`main` runs. An interrupt that lands in a callback Python cannot
raise from (a weak-reference or finaliser callback during garbage collection) would be printed
as an "exception ignored" traceback and lost; it is delivered again 50 ms later from a timer
thread, by when ordinary code runs again. (An interrupt during a HiGHS solve is handled in
:mod:`supplychain.solve.lexicographic`.)
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
import time
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any

from supplychain import __version__
from supplychain.errors import InputError, NotAResultFolder, ResultsNotWritten, escape_controls
from supplychain.status import Status

if TYPE_CHECKING:
    from supplychain.results.write import Batch
    from supplychain.runs.batch import Kind
    from supplychain.runs.pipeline import Run

INTERRUPTED = "interrupted; no result folder was changed"
EXIT_OK, EXIT_FAILURE, EXIT_INPUT = 0, 1, 2
ALLOW_HELP = (
    "exit 0 when a solve stops at its time limit with an incumbent policy (its gap "
    "and bound are in summary.json and the report)"
)


def progress(message: str) -> None:
    """Progress for people goes to standard error, so ``--json`` output stays clean; control
    characters (from file names, exception messages) are escaped, so it is one line."""
    print(escape_controls(message), file=sys.stderr, flush=True)


def echo(line: str) -> None:
    """Print one line to standard output, control characters escaped (names and paths from the
    inputs or the command line cannot add lines of their own)."""
    print(escape_controls(line))


def command_run(arguments: argparse.Namespace) -> int:
    """Optimise or evaluate one scenario and write its result folder."""
    from supplychain.report.write import write_report
    from supplychain.results.swap import after_writing
    from supplychain.runs.pipeline import load, solve_scenario

    path = Path(arguments.scenario)
    progress(f"loading {path}")
    loaded, load_seconds = load(path)
    progress(f"solving {loaded.scenario.name} ({loaded.scenario.mode})")
    run = solve_scenario(
        loaded, time_limit=arguments.time_limit, load_seconds=load_seconds, progress=progress
    )
    folder, record = write_results(run, Path(arguments.out), write_report)
    with after_writing(folder):
        if arguments.json:
            print(json.dumps(record, indent=2, ensure_ascii=False))
        else:
            for line in describe(run).split("\n"):
                echo(line)
            echo(f"results: {folder}")
        return verdict(run.scenario.name, run, arguments.allow_nonoptimal)


def verdict(label: str, run: Run, allow_nonoptimal: bool) -> int:
    """The exit code of a solved run: 0 when optimal (or stopped at its time limit with an
    incumbent, under ``allow_nonoptimal``), else 1, saying why on standard error; an
    infeasible run lists the conflicting pins and budgets."""
    outcome = run.outcome
    if outcome.status == Status.OPTIMAL:
        return EXIT_OK
    if outcome.status == Status.INFEASIBLE:
        from supplychain.solve.diagnose import explain_infeasible

        progress(f"error: {label}: no policy satisfies the scenario:")
        for problem in explain_infeasible(run.instance, run.scenario, run.loaded.document):
            progress(f"  {problem}")
        return EXIT_FAILURE
    if allow_nonoptimal and outcome.capability is not None:
        progress(
            f"warning: {label}: the solve ended '{outcome.status}' with relative gap "
            f"{outcome.mip_gap:.3g}; accepted (--allow-nonoptimal)"
        )
        return EXIT_OK
    accepts = "" if outcome.capability is None else " (--allow-nonoptimal accepts its incumbent)"
    progress(f"error: {label}: the solve ended '{outcome.status}', not proven optimal{accepts}")
    return EXIT_FAILURE


def write_results(
    run: Run,
    root: Path,
    extra: Callable[[Path], object],
    batch: Batch | None = None,
) -> tuple[Path, dict[str, Any]]:
    """Analyse ``run`` and write its result folder under ``root``; ``extra`` adds the report
    to the folder (with a ``batch`` table and its figure) before it is put in place."""
    from supplychain.analysis.tables import analyse
    from supplychain.results.write import write_run

    started = time.perf_counter()
    analysis = analyse(run)
    return write_run(
        run,
        analysis,
        root,
        batch=batch,
        extra=extra,
        analysis_seconds=time.perf_counter() - started,
        progress=progress,
    )


def command_report(arguments: argparse.Namespace) -> int:
    """Rebuild a result folder's report and figures from its files, without solving."""
    from supplychain.report.write import rebuild_report
    from supplychain.results.swap import after_writing

    folder = Path(arguments.results)
    written = rebuild_report(folder, progress)
    with after_writing(folder):
        echo(f"wrote {len(written)} files: {', '.join(str(path) for path in written)}")
    return EXIT_OK


def command_batch(arguments: argparse.Namespace) -> int:
    """``compare`` and ``sweep``: solve every variant in parallel, then the scenario itself,
    and write its result folder with the variants' table, figure and report section."""
    from supplychain.analysis.tradeoffs import batch_frame
    from supplychain.report.write import write_batch_figure, write_report
    from supplychain.results.swap import after_writing
    from supplychain.results.write import Batch
    from supplychain.runs.batch import default_jobs, solve_all
    from supplychain.runs.pipeline import load, solve_scenario

    kind: Kind = arguments.command
    path = Path(arguments.scenario)
    loaded, load_seconds = load(path)
    scenario = loaded.scenario
    if kind == "compare" and not scenario.compare:
        raise InputError([loaded.document.problem(("compare",), "no compare options to solve")])
    if kind == "sweep" and scenario.sweep is None:
        raise InputError([loaded.document.problem(("sweep",), "no sweep to solve")])
    jobs = arguments.jobs if arguments.jobs is not None else default_jobs()
    rows = solve_all(path, kind, jobs, arguments.time_limit)
    table = batch_frame(rows, "option" if kind == "compare" else "value")
    name = "compare" if kind == "compare" else "frontier"
    parameter = scenario.sweep.parameter if scenario.sweep else ""
    progress(f"solving {scenario.name} itself for the report")
    run = solve_scenario(loaded, time_limit=arguments.time_limit, load_seconds=load_seconds)

    def figure(folder: Path) -> None:
        write_batch_figure(folder, name, table, parameter)

    folder, _ = write_results(run, Path(arguments.out), write_report, Batch(name, table, figure))
    with after_writing(folder):
        for line in table.to_string(index=False).split("\n"):
            echo(line)
        echo(f"results: {folder}")
        accepted = (
            {Status.OPTIMAL, Status.TIME_LIMIT} if arguments.allow_nonoptimal else {Status.OPTIMAL}
        )
        failed = [row for row in rows if row.status not in accepted or row.capability is None]
        for row in failed:
            progress(
                f"error: {kind} {row.label}: the solve ended '{row.status}'"
                + ("" if row.status == Status.INFEASIBLE else ", not proven optimal")
            )
        code = verdict(f"{scenario.name} itself", run, arguments.allow_nonoptimal)
        return EXIT_FAILURE if failed else code


def describe(run: Run) -> str:
    """A few lines a planner reads first: status, capability left, levers, costs."""
    outcome = run.outcome
    lines = [f"{run.scenario.name}: {outcome.status}"]
    if outcome.capability is not None:
        lines.append(
            f"adversary capability {outcome.capability:.3f} "
            f"(without levers {run.baseline.capability:.3f})"
        )
    levers = ", ".join(lever.label for lever in outcome.levers) or "none"
    lines.append(f"levers: {levers}")
    lines.append(
        f"cost: {outcome.diplomatic:g} diplomatic units, "
        f"{outcome.economic_usd / 1e9:.3f} billion USD lost sales"
    )
    return "\n".join(lines)


def command_validate(arguments: argparse.Namespace) -> int:
    """Check every file; print one line per problem; exit 2 if any file has problems."""
    from supplychain.runs.validate import validate_file

    failed = False
    for name in arguments.files:
        try:
            kind = validate_file(Path(name))
        except InputError as error:
            failed = True
            for problem in error.problems:
                print(problem, file=sys.stderr)
        else:
            echo(f"{name}: valid {kind}")
    return EXIT_INPUT if failed else EXIT_OK


def command_new(arguments: argparse.Namespace) -> int:
    """Start a project folder from the example world and scenario (package data)."""
    from supplychain.examples import copy_example

    target = Path(arguments.directory)
    try:
        written = copy_example(target)
    except FileExistsError as error:
        progress(f"error: {error}: already exists; nothing was written")
        return EXIT_INPUT
    except OSError as error:
        progress(f"error: cannot write into {target}: {error.strerror or error}")
        return EXIT_FAILURE
    for path in written:
        echo(f"wrote {path}")
    echo(f"next: supplychain run {written[-1]}")
    return EXIT_OK


def command_import_eto(arguments: argparse.Namespace) -> int:
    """Build a world model from the ETO supply-chain CSVs (rules: ``docs/eto_import.md``)."""
    from supplychain.importers.eto import import_to_file

    output = Path(arguments.output)
    imported = import_to_file(Path(arguments.directory), output, echo=progress)
    world = imported.world
    echo(
        f"wrote {output}: {len(world['items'])} items, {len(world['suppliers'])} suppliers, "
        f"{len(world['countries'])} countries, {len(world['routes'])} routes, "
        f"{len(imported.warnings)} warnings"
    )
    return EXIT_OK


def parser() -> argparse.ArgumentParser:
    """The argument parser with one sub-command per job."""
    main_parser = argparse.ArgumentParser(
        prog="supplychain",
        description="Semiconductor supply-chain control-gap modeler: exact export-control "
        "policies against an adversary that backfills.",
    )
    main_parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    main_parser.add_argument(
        "--debug", action="store_true", help="show tracebacks of internal errors"
    )
    commands = main_parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = commands.add_parser("run", help="optimise or evaluate a scenario, write results")
    run.add_argument("scenario", metavar="SCENARIO", help="scenario YAML file")
    run.add_argument(
        "--out", default="results", metavar="DIR", help="results root (default: results)"
    )
    run.add_argument("--json", action="store_true", help="print summary.json to stdout")
    run.add_argument(
        "--time-limit",
        type=positive_seconds,
        metavar="S",
        help="solver time limit in seconds (overrides solver.time_limit)",
    )
    run.add_argument("--allow-nonoptimal", action="store_true", help=ALLOW_HELP)
    run.set_defaults(handler=command_run)

    for kind, text in (
        ("compare", "solve each compare option, side by side"),
        ("sweep", "solve each sweep value: the Pareto frontier"),
    ):
        batch = commands.add_parser(kind, help=text)
        batch.add_argument("scenario", metavar="SCENARIO", help="scenario YAML file")
        batch.add_argument(
            "--out", default="results", metavar="DIR", help="results root (default: results)"
        )
        batch.add_argument(
            "--jobs",
            type=int,
            metavar="N",
            help="parallel worker processes (default: the number of cores)",
        )
        batch.add_argument(
            "--time-limit",
            type=positive_seconds,
            metavar="S",
            help="solver time limit per solve in seconds",
        )
        batch.add_argument("--allow-nonoptimal", action="store_true", help=ALLOW_HELP)
        batch.set_defaults(handler=command_batch)

    report = commands.add_parser(
        "report", help="rebuild report.md, report.html and figures of a result folder"
    )
    report.add_argument(
        "results", metavar="RESULTS_DIR", help="a result folder written by 'supplychain run'"
    )
    report.set_defaults(handler=command_report)

    validate = commands.add_parser("validate", help="check world models and scenarios")
    validate.add_argument("files", nargs="+", metavar="FILE")
    validate.set_defaults(handler=command_validate)

    new = commands.add_parser(
        "new", help="start a project folder from the example world model and scenario"
    )
    new.add_argument("directory", metavar="DIR", help="folder to write models/ and scenarios/ into")
    new.set_defaults(handler=command_new)

    import_eto = commands.add_parser(
        "import-eto", help="build a world model from the ETO supply-chain CSVs"
    )
    import_eto.add_argument(
        "directory",
        metavar="DIR",
        help="folder with inputs.csv, providers.csv, provision.csv, sequence.csv",
    )
    import_eto.add_argument(
        "-o", "--output", required=True, metavar="FILE", help="world model YAML file to write"
    )
    import_eto.set_defaults(handler=command_import_eto)
    return main_parser


def positive_seconds(text: str) -> float:
    """argparse type: a positive, finite number of seconds."""
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not 0 < value < float("inf"):
        raise argparse.ArgumentTypeError(
            f"expected a positive number of seconds, got '{escape_controls(text)}'"
        )
    return value


def reraise_interrupts(unraisable: sys.UnraisableHookArgs) -> None:
    """``sys.unraisablehook``: an interrupt is delivered again shortly, anything else reported
    as Python would."""
    if unraisable.exc_type is KeyboardInterrupt:
        threading.Timer(0.05, signal.raise_signal, (signal.SIGINT,)).start()
        return
    sys.__unraisablehook__(unraisable)


def interrupt_on_terminate(number: int, frame: FrameType | None) -> None:
    """SIGTERM handler: raise the ``KeyboardInterrupt`` that Ctrl-C raises, so that every path
    that handles Ctrl-C (a half-filled result folder removed, a HiGHS solve cancelled, worker
    processes stopped, one line on standard error, exit 1) handles SIGTERM too."""
    raise KeyboardInterrupt


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``supplychain`` console script; returns the exit code.

    SIGTERM is handled as Ctrl-C while it runs; the previous handler is put back on return
    (tests call ``main`` in their own process)."""
    sys.unraisablehook = reraise_interrupts
    previous_terminate_handler = signal.signal(signal.SIGTERM, interrupt_on_terminate)
    try:
        return run_command(argv)
    except KeyboardInterrupt as interrupt:
        print(str(interrupt) or INTERRUPTED, file=sys.stderr, flush=True)
        return EXIT_FAILURE
    finally:
        signal.signal(signal.SIGTERM, previous_terminate_handler)


def run_command(argv: Sequence[str] | None) -> int:
    """Parse ``argv`` and run its command, mapping errors to exit codes."""
    arguments = parser().parse_args(argv)
    handler: Callable[[argparse.Namespace], int] = arguments.handler
    try:
        return handler(arguments)
    except InputError as error:
        for problem in error.problems:
            print(problem, file=sys.stderr)
        return EXIT_INPUT
    except NotAResultFolder as error:
        print(escape_controls(str(error)), file=sys.stderr)
        return EXIT_INPUT
    except KeyboardInterrupt as interrupt:
        progress(str(interrupt) or INTERRUPTED)
        return EXIT_FAILURE
    except ResultsNotWritten as error:
        progress(f"error: {error}")
        return EXIT_FAILURE
    except Exception as error:
        if arguments.debug:
            traceback.print_exc()
        else:
            progress(f"error: {type(error).__name__}: {error} (run with --debug for details)")
        return EXIT_FAILURE
