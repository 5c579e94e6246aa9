"""The report as a document: inline markup, blocks, and their two renderings.

A document is a list of blocks (headings, paragraphs, tables, figures) whose text is a small
inline subset of Markdown — ```code```, ``**strong**`` and backslash escapes, with every name
from the inputs escaped — rendered verbatim as Markdown, and as HTML with every character
escaped and the figures embedded as base64 PNG.
"""

from __future__ import annotations

import base64
import html
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib.resources import files
from string import Template

import pandas as pd

from supplychain.analysis.tradeoffs import NOISE

# Inline text: escaping for Markdown, rendering to HTML.

MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~!])")
INLINE = re.compile(r"\\(.)|`([^`]*)`|\*\*")


def text(value: object) -> str:
    """Free text (names from the inputs) escaped for the inline markup, on one line."""
    return MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(str(value).split()))


def code(value: object) -> str:
    """An identifier (item, lever, country) as a code span."""
    value = str(value)
    return f"`{value}`" if value and not set(value) & set("`|\n") else text(value)


def strong(markup: str) -> str:
    """Inline markup set in bold."""
    return f"**{markup}**"


def inline_html(markup: str) -> str:
    """The inline markup as escaped HTML: code spans, bold, backslash escapes."""
    parts, position, bold = [], 0, False
    for match in INLINE.finditer(markup):
        parts.append(html.escape(markup[position : match.start()]))
        escaped, span = match.group(1), match.group(2)
        if escaped is not None:
            parts.append(html.escape(escaped))
        elif span is not None:
            parts.append(f"<code>{html.escape(span)}</code>")
        else:
            parts.append("</strong>" if bold else "<strong>")
            bold = not bold
        position = match.end()
    parts.append(html.escape(markup[position:]))
    if bold:
        parts.append("</strong>")
    return "".join(parts)


def plain(markup: str) -> str:
    """The inline markup as plain text (for image descriptions)."""
    return INLINE.sub(lambda match: match.group(1) or match.group(2) or "", markup)


# Numbers in words.


def percent(share: float) -> str:
    """A share as a percentage, rounded to whole percent unless that would hide it."""
    if pd.isna(share):
        return "—"
    shown = f"{share:.0%}"
    if shown in ("0%", "100%") and share not in (0.0, 1.0):
        shown = f"{share:.1%}"
    return shown


def number(value: float | None) -> str:
    """A quantity with three significant digits; unlimited where there is no figure."""
    return "unlimited" if value is None or pd.isna(value) else f"{value:.3g}"


def money(usd: float) -> str:
    """US dollars in millions or billions."""
    if abs(usd) >= 1e9:
        return f"{usd / 1e9:.3g} billion USD"
    if abs(usd) >= 1e6:
        return f"{usd / 1e6:.3g} million USD"
    return f"{usd:.3g} USD"


def points(delta: float | None, signed: bool = False) -> str:
    """A capability difference in percentage points (with its sign when ``signed``)."""
    if delta is None or pd.isna(delta):
        return "—"
    if abs(delta) < NOISE:
        delta = 0.0
    return f"{delta * 100:{'+' if signed else ''}.3g} pp".replace("-", "−")


def humane(identifier: str) -> str:
    """An identifier as words: ``light_sources`` → ``light sources``."""
    return identifier.replace("_", " ")


def listing(parts: Sequence[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


# Blocks of the document.


@dataclass(frozen=True)
class Heading:
    """A section heading (level 1 is the title)."""

    level: int
    markup: str


@dataclass(frozen=True)
class Paragraph:
    """A paragraph; ``style`` is ``lead`` (the summary), ``warning`` or ``note``."""

    markup: str
    style: str = ""


@dataclass(frozen=True)
class Table:
    """A table of inline-markup cells; numeric columns are right-aligned."""

    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    numeric: tuple[bool, ...]


@dataclass(frozen=True)
class Image:
    """A PNG figure, by its path relative to the report, with its caption."""

    path: str
    caption: str


Block = Heading | Paragraph | Table | Image


def table(columns: Sequence[tuple[str, bool]], rows: Iterable[Sequence[str]]) -> Table:
    """A :class:`Table` from ``(header, numeric)`` pairs and rows of cells."""
    return Table(
        tuple(header for header, _ in columns),
        tuple(tuple(row) for row in rows),
        tuple(numeric for _, numeric in columns),
    )


# Rendering.


def markdown(blocks: Sequence[Block]) -> str:
    """The document as Markdown (GitHub tables), figures linked by their paths."""
    parts = []
    for block in blocks:
        if isinstance(block, Heading):
            parts.append(f"{'#' * block.level} {block.markup}")
        elif isinstance(block, Paragraph):
            parts.append(f"> {block.markup}" if block.style == "warning" else block.markup)
        elif isinstance(block, Table):
            lines = [
                "| " + " | ".join(block.header) + " |",
                "|" + "|".join("---:" if numeric else "---" for numeric in block.numeric) + "|",
            ]
            lines += ["| " + " | ".join(row) + " |" for row in block.rows]
            parts.append("\n".join(lines))
        else:
            parts.append(f"![{block.caption}]({block.path})")
    return "\n\n".join(parts) + "\n"


def html_table(block: Table) -> str:
    """A table as HTML; an all-empty header row is left out."""

    def cells(tag: str, row: Sequence[str]) -> str:
        return "".join(
            f"<{tag}{' class=num' if numeric else ''}>{inline_html(cell)}</{tag}>"
            for cell, numeric in zip(row, block.numeric, strict=True)
        )

    head = f"<thead><tr>{cells('th', block.header)}</tr></thead>" if any(block.header) else ""
    body = "".join(f"<tr>{cells('td', row)}</tr>" for row in block.rows)
    return f'<div class="table"><table>{head}<tbody>{body}</tbody></table></div>'


def html_body(blocks: Sequence[Block], images: dict[str, bytes]) -> str:
    """The blocks as HTML, figures embedded as base64 PNG (``images``: bytes by path)."""
    parts = []
    for block in blocks:
        if isinstance(block, Heading):
            parts.append(f"<h{block.level}>{inline_html(block.markup)}</h{block.level}>")
        elif isinstance(block, Paragraph):
            style = f' class="{block.style}"' if block.style else ""
            parts.append(f"<p{style}>{inline_html(block.markup)}</p>")
        elif isinstance(block, Table):
            parts.append(html_table(block))
        else:
            data = base64.b64encode(images[block.path]).decode("ascii")
            parts.append(
                f'<figure><img src="data:image/png;base64,{data}" '
                f'alt="{html.escape(plain(block.caption))}">'
                f"<figcaption>{inline_html(block.caption)}</figcaption></figure>"
            )
    return "\n".join(parts)


def html_page(blocks: Sequence[Block], images: dict[str, bytes], title: str) -> str:
    """A self-contained HTML page (styles inline, no external resources)."""
    page = Template(
        files("supplychain.report").joinpath("templates", "report.html").read_text(encoding="utf-8")
    )
    return page.substitute(title=html.escape(title), body=html_body(blocks, images))
