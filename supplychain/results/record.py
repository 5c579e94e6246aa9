"""The ``files`` record of ``summary.json``: what each table and figure was when the run wrote it.

``summary.json`` gains a key ``files`` that DESIGN §6 does not list: for every CSV table of the
folder (the seven analysis tables and, when present, ``compare.csv`` and ``frontier.csv``) its
number of data rows and the SHA-256 of its bytes, and for ``compare.png`` and ``frontier.png``
their SHA-256::

    "files": {"targets.csv": {"rows": 1, "sha256": "9f2c…"}, …, "compare.png": {"sha256": "…"}}

The run records them after carrying compare and sweep files over from the folder it replaces
(the carried bytes are checked against that folder's record first), so the record always
describes the files beside it. ``supplychain report`` checks every file against it before
drawing anything, so a report never tells a different story than the run that made the folder:
a table edited, truncated or swapped afterwards is refused, naming the file.

Rows are counted by :func:`parse_csv`, the same parser the reader uses, so both sides agree on
what a row is (a quoted name may span lines).
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from supplychain.results.folder import Entry, entry, open_folder, read_bytes

CSV_ENDING = ".csv"


def parse_csv(data: bytes) -> tuple[list[str], list[list[str]]]:
    """The header and data rows of a CSV table as a run writes it (UTF-8, a header line, every
    row as many fields as the header); raise ValueError saying what is wrong otherwise."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ValueError(f"not UTF-8 text (byte {error.start})") from error
    try:
        lines = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as error:
        raise ValueError(f"not a CSV table ({error})") from error
    if not lines or not lines[0]:
        raise ValueError("no header line")
    header, rows = lines[0], lines[1:]
    duplicated = sorted({column for column in header if header.count(column) > 1})
    if duplicated:
        raise ValueError(f"the header repeats {', '.join(map(repr, duplicated))}")
    for number, row in enumerate(rows, 1):
        if len(row) != len(header):
            raise ValueError(f"row {number} has {len(row)} fields, the header {len(header)}")
    return header, rows


def file_entry(name: str, data: bytes) -> dict[str, Any]:
    """The record of one file: its SHA-256, and for a CSV table its number of data rows."""
    digest = {"sha256": hashlib.sha256(data).hexdigest()}
    if name.endswith(CSV_ENDING):
        return {"rows": len(parse_csv(data)[1]), **digest}
    return digest


def record_files(folder: Path, names: Iterable[str]) -> dict[str, dict[str, Any]]:
    """The ``files`` record of the files ``names`` that ``folder`` (being filled by this
    process) holds, in the order of ``names``."""
    with open_folder(folder) as directory:
        return {
            name: file_entry(name, read_bytes(directory, name))
            for name in names
            if entry(directory, name) is Entry.FILE
        }


def changed_since_run(name: str, data: bytes, recorded: dict[str, Any]) -> str | None:
    """Why the file ``name`` holding ``data`` is not the one its run recorded (``recorded``,
    its ``files`` entry), or None when it is."""
    actual = hashlib.sha256(data).hexdigest()
    if actual == recorded["sha256"]:
        return None
    if name.endswith(CSV_ENDING):
        try:
            rows = len(parse_csv(data)[1])
        except ValueError:
            rows = None
        if rows is not None and rows != recorded["rows"]:
            written = recorded["rows"]
            return f"{name} was changed after the run: {rows} rows, the run wrote {written}"
    return f"{name} was changed after the run: its SHA-256 differs"
