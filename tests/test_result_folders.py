"""Issue 21: a result folder is untrusted input, and it is swapped in crash-safely.

Real runs, real files, real symbolic links, real processes and signals: links are never read or
written through; ``supplychain report`` rebuilds in a copy and swaps it in; a swap stopped by
SIGINT, SIGTERM, SIGKILL or an error at any rename or deletion leaves the old or the new folder
whole, says truthfully which, and the next run cleans up; two runs of one scenario take turns;
a tampered folder is refused in one line; spreadsheet formulas in names are neutralised.
"""

from __future__ import annotations

import base64
import csv
import fcntl
import hashlib
import io
import json
import shutil
import signal
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml
from conftest import EXAMPLE, EXAMPLE_WORLD

from supplychain.cli import main
from supplychain.errors import ResultsNotWritten
from supplychain.results.files import RECORDED_FILES, TEXT_COLUMNS
from supplychain.results.read import read_results, typed
from supplychain.results.record import parse_csv, record_files
from supplychain.results.swap import process_start, write_atomically
from supplychain.results.write import write_csv

SECRET = b"bytes from outside the result folder"


@pytest.fixture(scope="module")
def compared(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The result folder of ``supplychain compare`` on the example: tables, compare.csv and
    compare.png, report."""
    out = tmp_path_factory.mktemp("compared")
    assert main(["compare", str(EXAMPLE), "--out", str(out), "--jobs", "1"]) == 0
    return out / "example"


@pytest.fixture
def folder(compared: Path, tmp_path: Path) -> Path:
    """A private copy of :func:`compared`, to tamper with."""
    copy = tmp_path / "results" / "example"
    shutil.copytree(compared, copy)
    return copy


def snapshot(root: Path) -> dict[str, bytes | str]:
    """Every entry under ``root``: file bytes, link targets, folders, by relative path."""
    entries: dict[str, bytes | str] = {}
    for path in sorted(root.rglob("*")):
        relative = str(path.relative_to(root))
        if path.is_symlink():
            entries[relative] = f"link to {path.readlink()}"
        elif path.is_dir():
            entries[relative] = "folder"
        else:
            entries[relative] = path.read_bytes()
    return entries


def one_error_line(capsys: pytest.CaptureFixture[str]) -> str:
    """The only line on standard error (asserted to be one line, no traceback)."""
    error = capsys.readouterr().err
    assert error.count("\n") == 1, error
    assert "Traceback" not in error
    return error.rstrip("\n")


# 1. Links inside a result folder are never followed, for reading or writing.


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("summary.json", "a regular file"),
        ("items.csv", "a regular file"),
        ("compare.png", "a regular file"),
        ("report.md", "a regular file"),
        ("report.html", "a regular file"),
        ("figures", "a folder"),
        ("figures/waterfall.png", None),
    ],
)
def test_report_refuses_a_link_where_a_file_belongs_and_writes_nothing_through_it(
    folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, kind: str | None
) -> None:
    """The link points at a faithful copy of what it replaces (so reading through it would
    even work); ``supplychain report`` exits 2 naming the link, and the target outside and the
    folder are untouched."""
    outside = tmp_path / "outside"
    outside.mkdir()
    target = outside / Path(name).name
    (shutil.copytree if (folder / name).is_dir() else shutil.copyfile)(folder / name, target)
    if target.is_dir():
        shutil.rmtree(folder / name)
    else:
        (folder / name).unlink()
    (folder / name).symlink_to(target)
    before, outside_before = snapshot(folder.parent), snapshot(outside)
    assert main(["report", str(folder)]) == 2
    reason = f"{name} is a symbolic link" + ("" if kind is None else f", not {kind}")
    assert one_error_line(capsys) == f"{folder}: not a valid result folder: {reason}"
    assert snapshot(folder.parent) == before
    assert snapshot(outside) == outside_before


def test_report_rebuilds_in_a_copy_that_it_swaps_in(
    folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The folder after ``supplychain report`` is a new one (another inode) with the same
    tables and report, no ``.previous`` and nothing left over; a link that is not one of a
    run's files is left out of the copy, with a note, and its target untouched."""
    (tmp_path / "notes.txt").write_bytes(SECRET)
    (folder / "notes").symlink_to(tmp_path / "notes.txt")
    (folder / "stale.txt").write_text("a file of the planner's")
    before = snapshot(folder)
    inode = folder.stat().st_ino
    assert main(["report", str(folder)]) == 0
    assert f"not copied into the new {folder}: notes" in capsys.readouterr().err
    assert folder.stat().st_ino != inode
    after = snapshot(folder)
    assert before.pop("notes") == f"link to {tmp_path / 'notes.txt'}"
    assert after == before
    assert sorted(path.name for path in folder.parent.iterdir()) == ["example"]
    assert (tmp_path / "notes.txt").read_bytes() == SECRET


def test_a_full_disk_during_report_leaves_the_old_report_whole(folder: Path) -> None:
    """``supplychain report`` with files limited to 64 KiB (RLIMIT_FSIZE, SIGXFSZ ignored:
    writes fail with EFBIG as on a full disk) fails in one line naming the folder, and every
    file is as it was: report.html (over 200 KiB) is not left truncated."""
    before = snapshot(folder.parent)
    limited = (
        "import resource, signal, sys; signal.signal(signal.SIGXFSZ, signal.SIG_IGN); "
        "resource.setrlimit(resource.RLIMIT_FSIZE, (65536, 65536)); "
        "from supplychain.cli import main; sys.exit(main(sys.argv[1:]))"
    )
    completed = subprocess.run(
        [sys.executable, "-c", limited, "report", str(folder)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 1
    assert "Traceback" not in completed.stderr
    last = completed.stderr.splitlines()[-1]
    assert last.startswith(f"error: cannot write {folder}: File too large (")
    assert last.endswith("; no result folder was changed")
    assert snapshot(folder.parent) == before


@pytest.mark.parametrize("tampering", ["link", "edited"])
def test_run_carries_compare_files_over_only_as_their_run_wrote_them(
    folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], tampering: str
) -> None:
    """``run`` after ``compare``: a compare.png replaced by a link to a file outside, or a
    compare.csv edited, is not carried into the new folder (nor embedded in its report); the
    old folder, link and all, becomes ``example.previous``."""
    outside = tmp_path / "outside.png"
    outside.write_bytes(SECRET)
    if tampering == "link":
        (folder / "compare.png").unlink()
        (folder / "compare.png").symlink_to(outside)
        why = "compare.png is a symbolic link, not a regular file"
    else:
        with (folder / "compare.csv").open("a") as handle:
            handle.write("forged,optimal,0,0,0,\n")
        why = "compare.csv was changed after the run: 3 rows, the run wrote 2"
    root = folder.parent
    assert main(["run", str(EXAMPLE), "--out", str(root)]) == 0
    assert f"not carried over from {folder}: {why}" in capsys.readouterr().err
    assert not (folder / "compare.png").exists() and not (folder / "compare.csv").exists()
    html = (folder / "report.html").read_text()
    assert base64.b64encode(SECRET).decode() not in html
    assert "## Alignment options" not in (folder / "report.md").read_text()
    assert read_results(folder).compare is None
    assert (root / "example.previous" / "compare.png").is_symlink() == (tampering == "link")
    assert outside.read_bytes() == SECRET


# 2. The swap: links and files in the way, stale leftovers.


@pytest.mark.parametrize("entry", ["example", "example.previous"])
@pytest.mark.parametrize("blocker", ["link", "file"])
def test_a_link_or_a_file_in_the_way_is_refused_naming_it(
    tmp_path: Path, entry: str, blocker: str
) -> None:
    """A symbolic link (to a real folder) or a file at ``<name>`` or ``<name>.previous``: one
    line naming it, nothing changed, the link's target untouched."""
    root, elsewhere = tmp_path / "results", tmp_path / "elsewhere"
    root.mkdir()
    elsewhere.mkdir()
    (elsewhere / "keep.txt").write_text("not a result")
    if blocker == "link":
        (root / entry).symlink_to(elsewhere)
    else:
        (root / entry).write_text("a file")
    before = snapshot(tmp_path)
    with pytest.raises(ResultsNotWritten) as raised:
        write_atomically(root, "example", lambda staging: (staging / "x").write_text("new"))
    kind = "a symbolic link" if blocker == "link" else "a regular file"
    assert str(raised.value) == (
        f"cannot write {root / entry}: it is {kind}, not a result folder (move it away); "
        "no result folder was changed"
    )
    assert snapshot(tmp_path) == before


def test_run_names_a_link_at_previous_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "results"
    root.mkdir()
    (root / "example").mkdir()
    (root / "example.previous").symlink_to(tmp_path)
    assert main(["run", str(EXAMPLE), "--out", str(root)]) == 1
    assert capsys.readouterr().err.splitlines()[-1] == (
        f"error: cannot write {root / 'example.previous'}: it is a symbolic link, not a result "
        "folder (move it away); no result folder was changed"
    )
    assert list((root / "example").iterdir()) == []


def test_only_leftovers_of_processes_that_are_gone_are_removed(tmp_path: Path) -> None:
    """Temporary folders named for a live process are left alone; those of a finished
    process, or of a live pid with another start time (a reused pid), are removed."""
    with subprocess.Popen([sys.executable, "-c", "pass"]) as finished:
        finished.wait()
    with subprocess.Popen(["sleep", "60"]) as alive:
        try:
            start = process_start(alive.pid)
            live = tmp_path / f".example.{alive.pid}-{start}.live.tmp"
            dead = tmp_path / f".example.{finished.pid}-1.dead.tmp"
            reused = tmp_path / f".example.{alive.pid}-{start + 1}.reused.aside"
            for path in (live, dead, reused):
                path.mkdir()
                (path / "data.txt").write_text(path.name)
            write_atomically(tmp_path, "example", lambda staging: (staging / "x").touch())
            assert sorted(path.name for path in tmp_path.iterdir()) == sorted(
                ["example", "example.previous", live.name]
            )
            assert (tmp_path / "example.previous" / "data.txt").read_text() == reused.name
        finally:
            alive.kill()


# 3. Two runs of one scenario at once take turns.


def test_two_runs_of_one_scenario_at_once_take_turns(tmp_path: Path) -> None:
    """This process holds the lock as a first run would; two real ``supplychain run``
    processes of the same scenario both say they wait, then finish in turn once it is
    released: exit 0, two complete folders, nothing else left."""
    root = tmp_path / "results"
    root.mkdir()
    lock = root / ".example.lock"
    with lock.open("w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        runs = [
            subprocess.Popen(
                [sys.executable, "-m", "supplychain", "run", str(EXAMPLE), "--out", str(root)],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(2)
        ]
        for process in runs:
            assert process.stderr is not None
            line = ""
            while not line.startswith("waiting"):
                line = process.stderr.readline()
                assert line, "the run ended without waiting for the lock"
            assert line == f"waiting for another run of example (lock {lock})\n"
    for process in runs:
        _, error = process.communicate(timeout=300)
        assert process.returncode == 0, error
        assert "Traceback" not in error
    assert sorted(path.name for path in root.iterdir()) == ["example", "example.previous"]
    for name in ("example", "example.previous"):
        assert read_results(root / name).summary["status"] == "optimal"


# 4. Signals and errors at every rename and deletion of a swap.

SWAP_CHILD = r"""
import os, shutil, signal, sys
from pathlib import Path
from supplychain.errors import ResultsNotWritten
from supplychain.results import swap

root, content, stop, at, path = sys.argv[1:3] + [sys.argv[3], int(sys.argv[4]), sys.argv[5]]
steps = 0

def counted(function):
    def step(*args, **kwargs):
        global steps
        steps += 1
        if steps == at and stop == "OSError":
            if not kwargs.get("ignore_errors"):
                raise OSError(5, "Input/output error (injected)", str(args[0] if args else root))
            return None
        if steps == at:
            os.kill(os.getpid(), getattr(signal, stop))
        return function(*args, **kwargs)
    return step

os.rename, os.unlink, shutil.rmtree = counted(os.rename), counted(os.unlink), counted(shutil.rmtree)
swap.exchange = (lambda first, second: False) if path == "fallback" else counted(swap.exchange)

def fill(folder):
    print("filling", flush=True)
    counted(lambda: None)()
    (folder / "data.txt").write_text(content)
    (folder / "inner").mkdir()
    (folder / "inner" / "more.txt").write_text(content * 2)

def note(text):
    print(text, file=sys.stderr)

try:
    swap.write_atomically(Path(root), "demo", fill, progress=note)
except KeyboardInterrupt as interrupt:
    print(f"interrupted: {interrupt}")
    sys.exit(3)
except ResultsNotWritten as error:
    print(f"not written: {error}")
    sys.exit(4)
print(f"done in {steps} steps")
"""


def swap_child(
    root: Path, content: str, stop: str = "SIGKILL", at: int = 0, path: str = "exchange"
) -> subprocess.CompletedProcess[str]:
    """Run :data:`SWAP_CHILD`: write ``content`` as ``root/demo``, stopped by ``stop`` (a
    signal name or ``OSError``) at step ``at`` (filling the folder, and each rename, exchange,
    rmtree and unlink, is a step; 0 for none) on the ``exchange`` or the ``fallback`` path."""
    return subprocess.run(
        [sys.executable, "-c", SWAP_CHILD, str(root), content, stop, str(at), path],
        capture_output=True,
        text=True,
        check=False,
    )


def demo_content(folder: Path) -> str | None:
    """What the demo folder ``folder`` holds, whole (asserted), or None when it is missing."""
    if not folder.exists():
        return None
    data = (folder / "data.txt").read_text()
    assert sorted(path.name for path in folder.iterdir()) == ["data.txt", "inner"]
    assert (folder / "inner" / "more.txt").read_text() == data * 2
    return data


def make_demo(root: Path) -> None:
    """``root/demo`` holding ``old`` and ``root/demo.previous`` holding ``older``."""
    for name, content in (("demo", "old"), ("demo.previous", "older")):
        (root / name / "inner").mkdir(parents=True)
        (root / name / "data.txt").write_text(content)
        (root / name / "inner" / "more.txt").write_text(content * 2)


def crash_states(tmp_path: Path, stop: str, path: str) -> list[tuple[int, Path, str]]:
    """A root per step at which ``stop`` hits the swap of ``new`` over ``old``, after that
    run: (step, root, the run's output); steps run until one finishes untouched."""
    states = []
    for at in range(1, 100):
        root = tmp_path / f"{stop}-{path}-{at}"
        make_demo(root)
        completed = swap_child(root, "new", stop, at, path)
        assert "Traceback" not in completed.stderr, completed.stderr
        outcome = completed.stdout.removeprefix("filling\n")
        if outcome.startswith("done in") and int(outcome.split()[2]) < at:
            return states
        states.append((at, root, outcome))
    raise AssertionError("the swap never finished")


def check_crash_state(root: Path, stop: str, path: str, output: str) -> None:
    """Right after the stopped run: the old or the new folder whole at ``demo`` (with the
    exchange path always; the fallback may have it aside for a moment), ``demo.previous`` the
    older one or the old one, and what the run said true (a run that went on after an
    absorbed error, or after an interrupt once the new folder was in place, has it there)."""
    demo, previous = demo_content(root / "demo"), demo_content(root / "demo.previous")
    allowed_demo = {"old", "new"} if path == "exchange" else {"old", "new", None}
    assert demo in allowed_demo
    assert previous in {"older", "old", None}
    assert (demo, previous) != ("old", "old")
    if stop in ("SIGINT", "OSError"):
        assert demo is not None
        if "no result folder was changed" in output or output == "interrupted: \n":
            assert (demo, previous) == ("old", "older"), output
        else:
            assert demo == "new", output
            said = ("already holds the new results", "nonetheless", "done in")
            assert any(words in output for words in said), output


def check_recovered(root: Path, demo: str | None) -> None:
    """After a run of ``newer`` that nothing stops: it is ``demo``, the folder that was
    ``demo`` (the old one, when a crash had it aside) is ``demo.previous``, nothing else."""
    completed = swap_child(root, "newer")
    assert completed.stdout.startswith("filling\ndone in"), completed.stdout + completed.stderr
    assert demo_content(root / "demo") == "newer"
    assert demo_content(root / "demo.previous") == (demo or "old")
    assert sorted(path.name for path in root.iterdir()) == ["demo", "demo.previous"]


@pytest.mark.parametrize("path", ["exchange", "fallback"])
@pytest.mark.parametrize("stop", ["SIGKILL", "SIGINT", "SIGTERM", "OSError"])
def test_a_swap_stopped_at_any_step_leaves_a_whole_folder_and_the_next_run_recovers(
    tmp_path: Path, stop: str, path: str
) -> None:
    """SIGKILL, SIGINT, SIGTERM or an I/O error at each step of a swap (with the exchange,
    or with the fallback forced): the folder left is whole, what the run said is true, and the
    next run recovers; an interrupt or error before the new folder is in place keeps the old
    one, one after keeps the new one, and both cases occur."""
    states = crash_states(tmp_path, stop, path)
    assert len(states) >= 8
    outcomes = set()
    for _, root, output in states:
        check_crash_state(root, stop, path, output)
        outcomes.add(demo_content(root / "demo"))
        check_recovered(root, demo_content(root / "demo"))
    assert {"old", "new"} <= outcomes


@pytest.mark.parametrize("path", ["exchange", "fallback"])
def test_a_run_killed_while_recovering_is_recovered_by_the_next(tmp_path: Path, path: str) -> None:
    """SIGKILL at each step of a swap that leaves something to recover, then at each step of
    the next run's recovery (until it starts filling its folder): a third run still finds a
    whole folder and leaves only ``demo`` and ``demo.previous``."""
    recovered = 0
    for at, crashed, _ in crash_states(tmp_path, "SIGKILL", path):
        if not any(entry.is_dir() for entry in crashed.glob(".demo.*")):
            continue
        for again in range(1, 100):
            root = tmp_path / f"again-{at}-{again}"
            shutil.copytree(crashed, root, symlinks=True)
            killed = swap_child(root, "newer", "SIGKILL", again, path)
            assert demo_content(root / "demo") in {"old", "new", None}
            completed = swap_child(root, "newest", path=path)
            assert "done in" in completed.stdout, completed.stdout + completed.stderr
            assert demo_content(root / "demo") == "newest"
            assert demo_content(root / "demo.previous") in {"old", "new"}
            assert sorted(entry.name for entry in root.iterdir()) == ["demo", "demo.previous"]
            recovered += 1
            if killed.stdout.startswith("filling"):
                break
    assert recovered >= 10


# 5. Tampered result folders: one line, exit 2, never a Python exception.


def edit_summary(folder: Path, change: Callable[[dict[str, Any]], object]) -> None:
    """Rewrite ``summary.json`` with ``change`` applied to it (in place)."""
    summary = json.loads((folder / "summary.json").read_text())
    change(summary)
    (folder / "summary.json").write_text(json.dumps(summary))


def forge_record(folder: Path, name: str, data: bytes) -> None:
    """Write ``data`` as the table ``name`` and record it in ``summary.json`` as a careful
    tamperer would (its SHA-256, and the row count a line count gives), so that only the
    structure check can refuse it."""
    (folder / name).write_bytes(data)
    entry = {"rows": data.count(b"\n") - 1, "sha256": hashlib.sha256(data).hexdigest()}
    edit_summary(folder, lambda summary: summary["files"].update({name: entry}))


def edit_items(folder: Path, change: Callable[[list[list[str]]], None]) -> None:
    """Rewrite ``items.csv`` with ``change`` applied to its rows (the header first), the edit
    forged into the record (:func:`forge_record`)."""
    with (folder / "items.csv").open(newline="") as handle:
        rows = list(csv.reader(handle))
    change(rows)
    text = io.StringIO()
    csv.writer(text, lineterminator="\n").writerows(rows)
    forge_record(folder, "items.csv", text.getvalue().encode())


def set_cell(column: str, value: str) -> Callable[[list[list[str]]], None]:
    """An :func:`edit_items` change: ``column`` of the first item set to ``value``."""

    def change(rows: list[list[str]]) -> None:
        rows[1][rows[0].index(column)] = value

    return change


def drop_column(column: str) -> Callable[[list[list[str]]], None]:
    """An :func:`edit_items` change: ``column`` removed."""

    def change(rows: list[list[str]]) -> None:
        index = rows[0].index(column)
        for row in rows:
            del row[index]

    return change


TAMPERINGS: dict[str, tuple[Callable[[Path], None], str]] = {
    "summary-a-list": (
        lambda folder: (folder / "summary.json").write_text(
            f"[{(folder / 'summary.json').read_text()}]"
        ),
        "summary.json holds a list, not a JSON object",
    ),
    "summary-not-json": (
        lambda folder: (folder / "summary.json").write_text("{'scenario': 'example'"),
        "summary.json is not JSON (",
    ),
    "capability-a-string": (
        lambda folder: edit_summary(folder, lambda summary: summary.update(capability="0.29")),
        "summary.json: capability: Input should be a valid number",
    ),
    "capability-a-flag": (
        lambda folder: edit_summary(folder, lambda summary: summary.update(capability=True)),
        "summary.json: capability: Input should be a valid number",
    ),
    "status-missing": (
        lambda folder: edit_summary(folder, lambda summary: summary.pop("status")),
        "summary.json: status: missing",
    ),
    "status-unknown": (
        lambda folder: edit_summary(folder, lambda summary: summary.update(status="great")),
        "summary.json: status: Input should be 'optimal', 'time_limit' or 'infeasible'",
    ),
    "levers-a-mapping": (
        lambda folder: edit_summary(folder, lambda summary: summary.update(levers={})),
        "summary.json: levers: Input should be a valid list",
    ),
    "target-output-text": (
        lambda folder: edit_summary(
            folder, lambda summary: summary["targets"]["advanced_logic"].update(output="lots")
        ),
        "summary.json: targets.advanced_logic.output: Input should be a valid number",
    ),
    "timings-text": (
        lambda folder: edit_summary(folder, lambda summary: summary.update(timings="fast")),
        "summary.json: timings: Input should be a valid dictionary",
    ),
    "files-record-missing": (
        lambda folder: edit_summary(folder, lambda summary: summary.pop("files")),
        "summary.json has no 'files' record of the tables",
    ),
    "text-in-a-number-column": (
        lambda folder: edit_items(folder, set_cell("required", "lots")),
        "items.csv: row 1, column 'required': 'lots' is not a number",
    ),
    "odd-flag": (
        lambda folder: edit_items(folder, set_cell("gap", "yes")),
        "items.csv: row 1, column 'gap': 'yes' is not True or False",
    ),
    "missing-column": (
        lambda folder: edit_items(folder, drop_column("name")),
        "items.csv: no column 'name'",
    ),
    "short-row": (
        lambda folder: edit_items(folder, lambda rows: rows[2].pop()),
        "items.csv: row 2 has 15 fields, the header 16",
    ),
    "repeated-column": (
        lambda folder: edit_items(folder, lambda rows: rows[0].__setitem__(1, "item")),
        "items.csv: the header repeats 'item'",
    ),
    "not-utf8": (
        lambda folder: forge_record(
            folder, "items.csv", (folder / "items.csv").read_bytes().replace(b"Dry", b"\xff")
        ),
        "items.csv: not UTF-8 text (byte ",
    ),
}


@pytest.mark.parametrize("tampering", sorted(TAMPERINGS))
def test_a_tampered_result_folder_gives_exit_2_and_one_line(
    folder: Path, capsys: pytest.CaptureFixture[str], tampering: str
) -> None:
    tamper, reason = TAMPERINGS[tampering]
    tamper(folder)
    before = snapshot(folder.parent)
    assert main(["report", str(folder)]) == 2
    line = one_error_line(capsys)
    assert line.startswith(f"{folder}: not a valid result folder: {reason}"), line
    assert snapshot(folder.parent) == before


# 6. A report never tells a different story than the run that wrote the folder.


def test_the_files_record_describes_the_files_a_run_wrote(compared: Path) -> None:
    """The record (kept in the summary the report was drawn from, too) holds every table and
    the compare files, as they are."""
    summary = json.loads((compared / "summary.json").read_text())
    assert summary["files"] == record_files(compared, RECORDED_FILES)
    assert list(summary["files"]) == [*RECORDED_FILES[:7], "compare.csv", "compare.png"]
    items = summary["files"]["items.csv"]
    assert items["rows"] == 5
    assert items["sha256"] == hashlib.sha256((compared / "items.csv").read_bytes()).hexdigest()


def remove_rows(folder: Path) -> None:
    lines = (folder / "items.csv").read_text().splitlines(keepends=True)
    (folder / "items.csv").write_text("".join(lines[:-2]))


def rename_an_item(folder: Path) -> None:
    text = (folder / "items.csv").read_text()
    (folder / "items.csv").write_text(text.replace("Dry etch tools", "Wet etch tools"))


@pytest.mark.parametrize(
    ("edit", "reason"),
    [
        (remove_rows, "items.csv was changed after the run: 3 rows, the run wrote 5"),
        (rename_an_item, "items.csv was changed after the run: its SHA-256 differs"),
        (
            lambda folder: (folder / "compare.png").write_bytes(SECRET),
            "compare.png was changed after the run: its SHA-256 differs",
        ),
        (
            lambda folder: (folder / "compare.png").unlink(),
            "compare.png is missing (the run wrote it)",
        ),
        (
            lambda folder: shutil.copyfile(folder / "compare.csv", folder / "frontier.csv"),
            "frontier.csv was not written by the run (summary.json has no record of it)",
        ),
    ],
)
def test_a_table_changed_after_its_run_is_refused_naming_it(
    folder: Path, capsys: pytest.CaptureFixture[str], edit: Callable[[Path], None], reason: str
) -> None:
    edit(folder)
    assert main(["report", str(folder)]) == 2
    assert one_error_line(capsys) == f"{folder}: not a valid result folder: {reason}"


# 7. Spreadsheet formulas in names are neutralised, reversibly.


def test_text_cells_are_neutralised_for_spreadsheets_and_read_back_exactly(
    tmp_path: Path,
) -> None:
    """Text cells starting with ``=``, ``+``, ``-``, ``@``, a tab, a carriage return or the
    quote itself get a leading quote; numbers (negative ones too) and other text do not; the
    reader gives back exactly what was written."""
    names = ["=1+2", "+1", "-1+2", "@SUM(A1)", "\tx", "\rx", "'quoted", "''", "plain", "", "a=b"]
    frame = pd.DataFrame(
        {"lever": names, "step": range(len(names)), "capability": [-0.5] * len(names)}
    )
    write_csv(frame, tmp_path / "waterfall.csv")
    header, rows = parse_csv((tmp_path / "waterfall.csv").read_bytes())
    assert [row[0] for row in rows] == [
        "'=1+2",
        "'+1",
        "'-1+2",
        "'@SUM(A1)",
        "'\tx",
        "'\rx",
        "''quoted",
        "'''",
        "plain",
        "",
        "a=b",
    ]
    assert {row[2] for row in rows} == {"-0.5"}
    back = typed("waterfall", header, rows)
    assert list(back["lever"]) == names
    assert list(back["capability"]) == [-0.5] * len(names)
    assert TEXT_COLUMNS["waterfall"] == {"lever"}


def test_a_run_neutralises_formula_names_and_the_report_shows_them_as_named(
    tmp_path: Path,
) -> None:
    """Item names ``=HYPERLINK("http://x")`` and ``-1+2`` from the world file, through a real
    run and ``supplychain report``."""
    world = tmp_path / "world.yaml"
    world.write_text(
        EXAMPLE_WORLD.read_text()
        .replace("name: Dry etch tools", "name: '=HYPERLINK(\"http://x\")'")
        .replace("name: EUV lithography scanners", "name: '-1+2'")
    )
    scenario = yaml.safe_load(EXAMPLE.read_text())
    scenario["model"] = str(world)
    path = tmp_path / "example.yaml"
    path.write_text(yaml.safe_dump(scenario, sort_keys=False))
    out = tmp_path / "out"
    assert main(["run", str(path), "--out", str(out)]) == 0
    folder = out / "example"
    with (folder / "items.csv").open(newline="") as handle:
        names = {row["item"]: row["name"] for row in csv.DictReader(handle)}
    assert names["etch_tool"] == '\'=HYPERLINK("http://x")'
    assert names["euv_scanner"] == "'-1+2"
    assert not any(
        cell.startswith(("=", "+", "-", "@"))
        for cell in next(csv.reader(io.StringIO((folder / "items.csv").read_text())))
    )
    assert main(["report", str(folder)]) == 0
    results = read_results(folder)
    assert results.names["etch_tool"] == '=HYPERLINK("http://x")'
    assert results.names["euv_scanner"] == "-1+2"
    html = (folder / "report.html").read_text()
    assert "=HYPERLINK(&quot;http://x&quot;)" in html and "-1+2" in html
    assert "&#x27;=HYPERLINK" not in html and "'=HYPERLINK" not in html


def test_report_refuses_a_folder_given_as_a_link(
    folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    link = tmp_path / "latest"
    link.symlink_to(folder)
    assert main(["report", str(link)]) == 2
    assert one_error_line(capsys) == (
        f"{link}: not a valid result folder: {link} is a symbolic link, not a folder"
    )


def test_a_swap_from_another_thread_works_without_holding_signals(tmp_path: Path) -> None:
    """Signal handlers can only be set in the main thread; a swap in another thread goes on
    without them, and the main thread's handler is left as it was."""
    done: list[Path] = []
    handler = signal.getsignal(signal.SIGINT)
    thread = threading.Thread(
        target=lambda: done.append(
            write_atomically(tmp_path, "demo", lambda staging: (staging / "x").touch())[0]
        )
    )
    thread.start()
    thread.join()
    assert done == [tmp_path / "demo"] and (tmp_path / "demo" / "x").is_file()
    assert signal.getsignal(signal.SIGINT) is handler
