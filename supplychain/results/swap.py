"""Moving a filled result folder into place: the old folder or the new one, whole, at every
instant, whatever stops the process.

Names in the results root for the result folder ``<name>`` (a slug has no dot, so none of
these is a scenario's folder; ``<owner>`` is ``<pid>-<start time>`` of the process that made
the entry, the start time in clock ticks since boot as ``/proc`` gives it, so that a reused
pid is not taken for the owner):

``<name>``, ``<name>.previous``
    The result folder and the folder it replaced (one generation).
``.<name>.lock``
    Locked (``flock``) while a process writes ``<name>``, so two runs of one scenario take
    turns; the second says on ``progress`` that it waits. The holder removes it when done.
``.<name>.<owner>.<random>.tmp``
    A new folder being filled.
``.<name>.<owner>.<k|d><inode>.swap``
    The filled new folder, renamed to carry its own inode number, about to be exchanged with
    ``<name>`` by ``renameat2(RENAME_EXCHANGE)`` (Linux, atomic: ``<name>`` is never
    absent). After the exchange the same name holds the old folder; its inode, no longer the
    one in the name, tells which of the two it holds.
``.<name>.<owner>.<k|d><random>.aside``
    Without ``RENAME_EXCHANGE`` (another system, or a file system without it): the old folder
    renamed aside before the new one is renamed to ``<name>``.
``.<name>.<owner>.<random>.old``
    A folder being deleted, renamed first so that an interrupted deletion never leaves a
    half-deleted folder under a name that means something.

``k`` marks a replaced folder to be kept as ``<name>.previous`` (``supplychain run``), ``d`` one
to be deleted (``supplychain report``, whose replaced folder holds the same tables).

Each writer first takes the lock, then recovers what a killed writer of the same name left: a
``.tmp``, ``.old`` or not yet exchanged ``.swap`` folder is deleted; an old folder (``.aside``,
or an exchanged ``.swap``) is put back as ``<name>`` when that is missing, else kept as
``<name>.previous`` (or deleted, by its mark). Only entries whose owner process is gone (or is
this process, which holds the lock) are touched. SIGINT and SIGTERM are held off during the few
renames of a swap and delivered after it, so an interrupt leaves a finished swap, and says so.
A link or a file at ``<name>`` or ``<name>.previous`` is refused before anything is written.
"""

from __future__ import annotations

import ctypes
import errno
import fcntl
import os
import re
import secrets
import shutil
import signal
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import TypeVar

from supplychain.errors import ResultsNotWritten
from supplychain.results.folder import Entry, path_entry, reason

Filled = TypeVar("Filled")
PREVIOUS_SUFFIX = ".previous"
"""``<root>/<name>.previous`` keeps the folder a run replaced (a slug has no dot). Defined
here, not in :mod:`supplychain.results.files` (which imports the analysis tables), so that
the swap imports neither pandas nor the solver stack."""
HELD_SIGNALS = (signal.SIGINT, signal.SIGTERM)
AT_FDCWD = -100
RENAME_EXCHANGE = 2
KEEP, DISCARD = "k", "d"
LOCK_FLAGS = os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC


def ignore(_: str) -> None:
    """The default ``progress``: notes are dropped."""


def write_atomically(
    root: Path,
    name: str,
    fill: Callable[[Path], Filled],
    *,
    keep_previous: bool = True,
    progress: Callable[[str], None] = ignore,
) -> tuple[Path, Filled]:
    """Let ``fill`` write into a temporary folder, then swap it in as ``root / name``, keeping
    the folder it replaces as ``root / (name + ".previous")`` (or, without ``keep_previous``,
    deleting it); return the folder's path and what ``fill`` returned.

    Raise :class:`~supplychain.errors.ResultsNotWritten`, with a message that says whether any
    result folder changed, when the folder cannot be written or swapped in; an interrupt once
    the new folder is in place is raised as :func:`written_interrupt`.
    """
    final = root / name
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise ResultsNotWritten(f"cannot write results under {root}: {reason(error)}") from error
    published = False
    try:
        with locked(root, name, progress):
            with held_signals() as held:
                staging = prepare(root, name, progress)
            try:
                deliver(held)
                filled = fill(staging)
            except OSError as error:
                shutil.rmtree(staging, ignore_errors=True)
                raise ResultsNotWritten(
                    f"cannot write {final}: {reason(error)}; no result folder was changed"
                ) from error
            except BaseException:
                shutil.rmtree(staging, ignore_errors=True)
                raise
            with held_signals() as held:
                doomed = move_into_place(root, name, staging, keep_previous, progress)
                published = True
        if doomed is not None:
            shutil.rmtree(doomed, ignore_errors=True)
        deliver(held)
    except KeyboardInterrupt as interrupt:
        if published and not interrupt.args:
            raise written_interrupt(final) from None
        raise
    return final, filled


def written_interrupt(final: Path) -> KeyboardInterrupt:
    """The interrupt to raise once ``final`` holds the new results: its message says so, for
    the command line to print instead of "no result folder was changed"."""
    return KeyboardInterrupt(f"interrupted; {final} already holds the new results")


@contextmanager
def after_writing(final: Path) -> Iterator[None]:
    """Code that runs once ``final`` holds the new results (printing them, say): an interrupt
    in it is raised as :func:`written_interrupt`."""
    try:
        yield
    except KeyboardInterrupt as interrupt:
        if interrupt.args:
            raise
        raise written_interrupt(final) from None


def prepare(root: Path, name: str, progress: Callable[[str], None]) -> Path:
    """Under the lock (and with interrupts held off): refuse a link or file at ``<name>`` or
    ``<name>.previous``, recover what killed writers left, and make the temporary folder to
    fill."""
    final = root / name
    refuse_non_folders([final, root / f"{name}{PREVIOUS_SUFFIX}"])
    try:
        recover(root, name, progress)
        return Path(tempfile.mkdtemp(prefix=f".{name}.{owner()}.", suffix=".tmp", dir=root))
    except OSError as error:
        raise ResultsNotWritten(
            f"cannot write {final}: {reason(error)}; no result folder was changed"
        ) from error


def refuse_non_folders(paths: list[Path]) -> None:
    """Raise :class:`~supplychain.errors.ResultsNotWritten` when one of ``paths`` is a link,
    a file or anything but a folder (missing is fine): a swap would move it, not a result."""
    for path in paths:
        kind = path_entry(path)
        if kind not in (Entry.MISSING, Entry.FOLDER):
            raise ResultsNotWritten(
                f"cannot write {path}: it is {kind.value}, not a result folder "
                "(move it away); no result folder was changed"
            )


def move_into_place(
    root: Path, name: str, staging: Path, keep_previous: bool, progress: Callable[[str], None]
) -> Path | None:
    """Swap the filled ``staging`` folder in as ``root / name`` and retire the folder it
    replaces (the caller holds interrupts off); return the folder left to delete, if any."""
    final = root / name
    new_inode = os.lstat(staging).st_ino
    try:
        replaced = publish(root, name, staging, keep_previous, new_inode)
    except OSError as error:
        raise ResultsNotWritten(
            f"cannot write {final}: {reason(error)}; {rolled_back(root, name, new_inode, progress)}"
        ) from error
    if replaced is None:
        return None
    try:
        return retire(root, name, replaced, keep_previous)
    except OSError as error:
        kept = f"kept as {name}{PREVIOUS_SUFFIX}" if keep_previous else "deleted"
        progress(
            f"warning: {final} holds the new results, but the folder it replaced could not be "
            f"{kept} ({reason(error)}); it waits at {replaced} for the next run of {name}"
        )
        return None


def publish(
    root: Path, name: str, staging: Path, keep_previous: bool, new_inode: int
) -> Path | None:
    """Put the filled ``staging`` folder at ``root / name``; return where the folder it
    replaced now is (None when there was none)."""
    final = root / name
    if path_entry(final) is Entry.MISSING:
        os.rename(staging, final)
        return None
    mark = KEEP if keep_previous else DISCARD
    swapping = hidden(root, name, f"{mark}{new_inode}", "swap")
    os.rename(staging, swapping)
    if exchange(swapping, final):
        return swapping
    aside = hidden(root, name, f"{mark}{secrets.token_hex(4)}", "aside")
    os.rename(final, aside)
    os.rename(swapping, final)
    return aside


def retire(root: Path, name: str, replaced: Path, keep_previous: bool) -> Path | None:
    """Move the replaced folder to ``<name>.previous`` (or, without ``keep_previous``, out of
    the way); return the folder left to delete: the older ``.previous``, or the replaced one."""
    doomed = hidden(root, name, secrets.token_hex(4), "old")
    if not keep_previous:
        os.rename(replaced, doomed)
        return doomed
    previous = root / f"{name}{PREVIOUS_SUFFIX}"
    if path_entry(previous) is Entry.MISSING:
        os.rename(replaced, previous)
        return None
    os.rename(previous, doomed)
    try:
        os.rename(replaced, previous)
    except OSError:
        os.rename(doomed, previous)
        raise
    return doomed


def rolled_back(root: Path, name: str, new_inode: int, progress: Callable[[str], None]) -> str:
    """After a swap failed half-way: recover (the old folder back, the new one deleted) and
    say truthfully where that leaves ``root / name``."""
    final = root / name
    try:
        recover(root, name, progress)
    except OSError as error:
        return (
            f"recovering failed too ({reason(error)}); the next run of {name} puts "
            "the earlier folder back"
        )
    try:
        in_place = os.lstat(final).st_ino == new_inode
    except FileNotFoundError:
        in_place = False
    return (
        "the new results are in place nonetheless" if in_place else "no result folder was changed"
    )


@dataclass(frozen=True)
class Leftover:
    """A hidden folder of the results root that a writer of ``<name>`` left behind."""

    path: Path
    kind: str
    """``tmp``, ``swap``, ``aside`` or ``old`` (see the module docstring)."""
    tag: str

    @property
    def is_old_folder(self) -> bool:
        """Whether it holds the folder an interrupted swap replaced (else it is a new folder
        never swapped in, or a folder being deleted)."""
        if self.kind == "aside":
            return True
        return self.kind == "swap" and os.lstat(self.path).st_ino != int(self.tag[1:])

    @property
    def keep(self) -> bool:
        """Whether the replaced folder it holds is to be kept as ``<name>.previous``."""
        return self.tag.startswith(KEEP)


def leftovers(root: Path, name: str) -> list[Leftover]:
    """The hidden folders under ``root`` of writers of ``name`` whose process is gone (or is
    this one), sorted by name; links and files with such names are left alone."""
    pattern = re.compile(
        rf"\.{re.escape(name)}\.(\d+)-(\d+)\.([A-Za-z0-9_]+)\.(tmp|swap|aside|old)"
    )
    found = []
    for path in sorted(root.iterdir()):
        matched = pattern.fullmatch(path.name)
        if matched is None or path_entry(path) is not Entry.FOLDER:
            continue
        pid, start, tag, kind = matched.groups()
        if kind == "swap" and not re.fullmatch(r"[kd]\d+", tag):
            continue
        if abandoned(int(pid), int(start)):
            found.append(Leftover(path, kind, tag))
    return found


def recover(root: Path, name: str, progress: Callable[[str], None]) -> None:
    """Finish or undo what killed writers of ``name`` left (see the module docstring); the
    caller holds interrupts off. ``progress`` hears what was done."""
    final = root / name
    for leftover in leftovers(root, name):
        if not leftover.is_old_folder:
            shutil.rmtree(leftover.path)
            if leftover.kind != "old":
                progress(f"removed {leftover.path}, an unfinished result folder")
        elif path_entry(final) is Entry.MISSING:
            os.rename(leftover.path, final)
            progress(f"put back {final}, moved aside by an unfinished swap")
        else:
            doomed = retire(root, name, leftover.path, leftover.keep)
            if doomed is not None:
                shutil.rmtree(doomed)
            if leftover.keep:
                progress(
                    f"moved the folder an unfinished swap replaced to {final}{PREVIOUS_SUFFIX}"
                )


def hidden(root: Path, name: str, tag: str, kind: str) -> Path:
    """The path of a hidden folder of this process for ``name`` (see the module docstring)."""
    return root / f".{name}.{owner()}.{tag}.{kind}"


def owner() -> str:
    """``<pid>-<start time>`` of this process, as hidden names carry it."""
    pid = os.getpid()
    return f"{pid}-{process_start(pid) or 0}"


def process_start(pid: int) -> int | None:
    """When process ``pid`` started, in clock ticks since boot (``/proc/<pid>/stat`` field
    22); None when there is no such process or no ``/proc``."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
        return int(stat.rsplit(")", 1)[1].split()[19])
    except (OSError, ValueError, IndexError):
        return None


def abandoned(pid: int, start: int) -> bool:
    """Whether the process that made a hidden entry is gone (or is this one, which holds the
    lock and so is in no other swap of the name); a live process with that pid but another
    start time is a reused pid."""
    if pid == os.getpid():
        return True
    if Path("/proc/self/stat").exists():
        return process_start(pid) != start
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


@contextmanager
def locked(root: Path, name: str, progress: Callable[[str], None]) -> Iterator[None]:
    """Hold ``root/.<name>.lock`` (``flock``), waiting with a note on ``progress`` while
    another process holds it; the holder removes the file on release (see :func:`acquire`)."""
    path = root / f".{name}.lock"
    descriptor, held = acquire(path, name, progress)
    try:
        deliver(held)
        yield
    finally:
        with suppress(OSError):
            os.unlink(path)
        os.close(descriptor)


def acquire(path: Path, name: str, progress: Callable[[str], None]) -> tuple[int, list[int]]:
    """Open and lock the lock file ``path``; return its descriptor and the interrupts held
    off meanwhile (an uncontended lock is taken with interrupts held off throughout, so an
    interrupt cannot leave the file behind). A process that finds the file it locked removed
    or replaced by the previous holder locks the new one instead."""
    while True:
        with held_signals() as held:
            descriptor = open_lock(path)
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
                free = True
            except BlockingIOError:
                free = False
            if free and same_file(descriptor, path):
                return descriptor, held
        try:
            deliver(held)
            if not free:
                progress(f"waiting for another run of {name} (lock {path})")
                fcntl.flock(descriptor, fcntl.LOCK_EX)
                if same_file(descriptor, path):
                    return descriptor, []
        except BaseException:
            os.close(descriptor)
            raise
        os.close(descriptor)


def open_lock(path: Path) -> int:
    """The lock file ``path`` opened (created when missing), never through a link."""
    try:
        return os.open(path, LOCK_FLAGS, 0o644)
    except OSError as error:
        kind = path_entry(path)
        why = f"it is {kind.value}" if kind not in (Entry.FILE, Entry.MISSING) else reason(error)
        raise ResultsNotWritten(
            f"cannot lock {path}: {why}; no result folder was changed"
        ) from error


def same_file(descriptor: int, path: Path) -> bool:
    """Whether the open file ``descriptor`` is still the file at ``path``."""
    try:
        named = os.lstat(path)
    except FileNotFoundError:
        return False
    opened = os.fstat(descriptor)
    return (named.st_dev, named.st_ino) == (opened.st_dev, opened.st_ino)


@contextmanager
def held_signals() -> Iterator[list[int]]:
    """SIGINT and SIGTERM noted instead of acted on (in the main thread, the only one Python
    runs signal handlers in); the list of those noted is for the caller to raise again."""
    held: list[int] = []
    if threading.current_thread() is not threading.main_thread():
        yield held
        return

    def note(number: int, _: FrameType | None) -> None:
        held.append(number)

    previous = {number: signal.signal(number, note) for number in HELD_SIGNALS}
    try:
        yield held
    finally:
        for number, handler in previous.items():
            signal.signal(number, signal.SIG_DFL if handler is None else handler)


def deliver(held: list[int]) -> None:
    """Raise again the signals :func:`held_signals` noted, each once, in order."""
    for number in dict.fromkeys(held):
        signal.raise_signal(number)


def exchange(first: Path, second: Path) -> bool:
    """Swap the entries ``first`` and ``second`` atomically (``renameat2`` with
    ``RENAME_EXCHANGE``); False, with nothing changed, where the system or the file system
    cannot."""
    if RENAMEAT2 is None:
        return False
    if RENAMEAT2(AT_FDCWD, os.fsencode(first), AT_FDCWD, os.fsencode(second), RENAME_EXCHANGE):
        number = ctypes.get_errno()
        if number in (errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP):
            return False
        raise OSError(number, os.strerror(number), str(first))
    return True


def load_renameat2() -> Callable[..., int] | None:
    """The C library's ``renameat2`` (glibc 2.28 and later); None where there is none."""
    try:
        function = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return None
    function.argtypes = [
        ctypes.c_int,
        ctypes.c_char_p,
        ctypes.c_int,
        ctypes.c_char_p,
        ctypes.c_uint,
    ]
    function.restype = ctypes.c_int
    return function


RENAMEAT2 = load_renameat2()
