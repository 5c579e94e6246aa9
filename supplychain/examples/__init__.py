"""The example world model and scenario of the README's tour, shipped with the package.

``models/example.yaml`` is a small world a person can check by hand (China's 7 nm-class logic by
EUV or by ArF multipatterning; scanners, light sources and etch tools from six makers) and
``scenarios/example.yaml`` asks which US controls and Dutch or Japanese alignments deny the most
for four diplomatic units. They are the same files as ``models/example.yaml`` and
``scenarios/example.yaml`` of the repository (a test keeps them equal); tests and docs read them
from here, and ``supplychain new DIR`` copies them into a fresh project folder.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

WORLD = Path("models", "example.yaml")
"""The example world model, relative to an example folder."""
SCENARIO = Path("scenarios", "example.yaml")
"""The example scenario (its ``model:`` is ``../models/example.yaml``)."""
EXAMPLE_FILES = (WORLD, SCENARIO)


def example_folder() -> Path:
    """The installed folder that holds :data:`WORLD` and :data:`SCENARIO`."""
    return Path(str(files(__name__)))


def copy_example(target: Path) -> list[Path]:
    """Copy the example world and scenario into ``target`` (made if absent), keeping their
    relative layout; return the paths written. Refuses, writing nothing, when any of them
    already exists there (``FileExistsError`` naming it)."""
    source = example_folder()
    written = [target / relative for relative in EXAMPLE_FILES]
    for path in written:
        if path.exists() or path.is_symlink():
            raise FileExistsError(path)
    for relative, path in zip(EXAMPLE_FILES, written, strict=True):
        path.parent.mkdir(parents=True, exist_ok=True)
        with (source / relative).open("rb") as original, path.open("xb") as copy:
            copy.write(original.read())
    return written
