"""Spreadsheet-safe exports: cells that a spreadsheet would read as a formula are written as text.

Excel, LibreOffice and Google Sheets treat a cell that starts with ``=``, ``+``, ``-`` or ``@``
(and, after trimming, a tab or carriage return) as a formula, so a member who types
``=HYPERLINK(…)`` or ``=cmd|' /C calc'!A0`` as their name could make the board's spreadsheet
run it (CSV / formula injection, OWASP). Every exported text cell goes through
:func:`safe_cell`, which prefixes such a value with a single quote so it is shown as text.

Numbers that the program itself produces (``int``, ``float``, ``Decimal``) are left alone, so
``-12.50`` as an amount stays a number; a *string* ``"-12.50"`` is prefixed like any other
text. Use :func:`safe_row` for XLSX too (openpyxl writes a string that starts with ``=`` as a
formula).
"""
from __future__ import annotations

import csv
import io
from decimal import Decimal
from typing import Iterable

#: The first characters that make a spreadsheet read a cell as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")


def safe_cell(value) -> str | int | float | Decimal:
    """``value`` ready for a spreadsheet cell: None → ``""``, formula-like text → ``'…``."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, (int, float, Decimal)):
        return value
    text = str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def safe_row(values: Iterable) -> list:
    return [safe_cell(v) for v in values]


def write_csv(header: Iterable, rows: Iterable[Iterable], *, delimiter: str = ",") -> str:
    """A CSV document (header + rows) with every cell made safe; ``\\r\\n`` line ends (RFC 4180)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(safe_row(header))
    for row in rows:
        writer.writerow(safe_row(row))
    return out.getvalue()
