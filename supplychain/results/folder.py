"""A result folder as untrusted input: its files read and copied without following a link.

A folder handed to ``supplychain report`` (or left by an earlier run) may hold symbolic links
where files or ``figures/`` should be. Everything here works on an open descriptor of the
folder and opens each entry with ``O_NOFOLLOW``, checking it is a regular file before reading,
so a planted link is seen as what it is and never read or written through; a FIFO planted in
its place does not block either (``O_NONBLOCK``). Files this process writes are opened with
``O_NOFOLLOW`` too, so a link that appeared in a folder being filled fails the write instead of
overwriting a file elsewhere.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from enum import Enum
from pathlib import Path

READ_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
WRITE_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW | os.O_CLOEXEC
FOLDER_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC


class Entry(Enum):
    """What a name in a folder is, links not followed."""

    MISSING = "missing"
    FILE = "a regular file"
    FOLDER = "a folder"
    LINK = "a symbolic link"
    OTHER = "a special file"


class UnsafeEntry(OSError):
    """An entry that is not the regular file or folder it should be (a link, a FIFO)."""


def reason(error: OSError) -> str:
    """An operating-system error in a few words, with the file concerned."""
    text = error.strerror or str(error) or type(error).__name__
    return f"{text} ({error.filename})" if error.filename else text


def entry_kind(mode: int) -> Entry:
    """The kind of an entry from its ``lstat`` mode."""
    if stat.S_ISLNK(mode):
        return Entry.LINK
    if stat.S_ISREG(mode):
        return Entry.FILE
    if stat.S_ISDIR(mode):
        return Entry.FOLDER
    return Entry.OTHER


def entry(directory: int, name: str) -> Entry:
    """What ``name`` is inside the open folder ``directory``, a link not followed."""
    try:
        mode = os.stat(name, dir_fd=directory, follow_symlinks=False).st_mode
    except FileNotFoundError:
        return Entry.MISSING
    return entry_kind(mode)


def path_entry(path: Path) -> Entry:
    """What ``path`` is, its last component not followed."""
    try:
        return entry_kind(os.lstat(path).st_mode)
    except FileNotFoundError:
        return Entry.MISSING


@contextmanager
def open_folder(path: Path | str, directory: int | None = None) -> Iterator[int]:
    """An open descriptor of the folder ``path`` (relative to the open folder ``directory``
    when given); raise :class:`UnsafeEntry` when ``path`` is a link or not a folder."""
    try:
        descriptor = os.open(path, FOLDER_FLAGS, dir_fd=directory)
    except OSError as error:
        kind = entry(directory, str(path)) if directory is not None else path_entry(Path(path))
        if kind in (Entry.LINK, Entry.FILE, Entry.OTHER):
            raise UnsafeEntry(f"{path} is {kind.value}, not a folder") from error
        raise
    try:
        yield descriptor
    finally:
        os.close(descriptor)


def read_bytes(directory: int, name: str) -> bytes:
    """The bytes of the regular file ``name`` in the open folder ``directory``; raise
    :class:`UnsafeEntry` when it is a link or not a regular file."""
    try:
        descriptor = os.open(name, READ_FLAGS, dir_fd=directory)
    except OSError as error:
        kind = entry(directory, name)
        if kind in (Entry.LINK, Entry.FOLDER, Entry.OTHER):
            raise UnsafeEntry(f"{name} is {kind.value}, not a regular file") from error
        raise
    with os.fdopen(descriptor, "rb") as handle:
        kind = entry_kind(os.fstat(handle.fileno()).st_mode)
        if kind is not Entry.FILE:
            raise UnsafeEntry(f"{name} is {kind.value}, not a regular file")
        return handle.read()


def write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to the file ``path`` in a folder this process fills, refusing to write
    through a link; an error (a full disk) names the file."""
    try:
        with os.fdopen(os.open(path, WRITE_FLAGS, 0o644), "wb") as handle:
            handle.write(data)
    except OSError as error:
        if error.filename is not None:
            raise
        raise OSError(error.errno, error.strerror, str(path)) from error


def copy_regular_files(source: Path, target: Path) -> list[str]:
    """Copy every regular file and folder under ``source`` into the existing empty folder
    ``target``, never following a link; return the relative paths of what was left out
    (links, FIFOs, devices), in walk order."""
    left_out: list[str] = []
    with open_folder(source) as directory:
        copy_folder(directory, target, "", left_out)
    return left_out


def copy_folder(directory: int, target: Path, prefix: str, left_out: list[str]) -> None:
    """Copy the open folder ``directory`` into ``target`` (see :func:`copy_regular_files`);
    ``prefix`` is its path relative to the folder being copied."""
    for name in sorted(os.listdir(directory)):
        kind = entry(directory, name)
        if kind is Entry.FILE:
            write_bytes(target / name, read_bytes(directory, name))
        elif kind is Entry.FOLDER:
            (target / name).mkdir()
            with open_folder(name, directory) as inner:
                copy_folder(inner, target / name, f"{prefix}{name}/", left_out)
        elif kind is not Entry.MISSING:
            left_out.append(f"{prefix}{name}")
