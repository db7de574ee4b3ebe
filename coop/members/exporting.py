"""Exports of the member register: CSV and XLSX with the list's own search and filters, and the
address labels and letter list (PDF) for the members who receive their mail by post.

**CSV for Dutch Excel.** The file is UTF-8 with a byte-order mark and ``;`` between fields.
Excel guesses a CSV's encoding: without the BOM it reads the bytes as the Windows code page
(Windows-1252), and "Hélène" becomes "HÃ©lÃ¨ne". And Excel splits fields on the *list
separator* of the computer's regional settings, which in the Netherlands (where the decimal
separator is a comma) is the semicolon: a comma-separated file opens as one column. With BOM
and ``;`` a double click opens the file correctly in Dutch Excel; LibreOffice and every CSV
library read it as well (our own import reads it back).

**Formula injection.** A cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return is read by spreadsheets as a formula (``=cmd|' /C calc'!A0``). CSV cells go through
:func:`coop.core.csvsafe.safe_cell` (a leading single quote makes them text); in the XLSX such
a cell is a string cell (never a formula) with Excel's *quote prefix* style, so the value is
kept exactly and shown as text even when the cell is edited.

**Memory.** Rows are read with ``yield_per`` (a server-side cursor on PostgreSQL) in batches;
the CSV is streamed to the client as it is read, and the XLSX is written by openpyxl's
write-only mode into a temporary file: the memory used does not grow with the register.

Every export is audited: who, which filters and how many rows — no personal data.
"""
from __future__ import annotations

import csv
import io
import tempfile
from datetime import date
from typing import Iterator

from flask_babel import gettext as _
from sqlalchemy import func, select

from coop.core import audit
from coop.core.csvsafe import FORMULA_STARTS, safe_cell
from coop.core.i18n import lazy_gettext as _l
from coop.extensions import db
from coop.members.models import (CHANNEL_LABELS, STATUS_LABELS, Channel, Member, MemberCategory,
                                  MemberStatus)
from coop.members.queries import MemberFilter, member_select

#: Rows fetched from the database at a time.
YIELD_PER = 1000
#: CSV: Dutch Excel's list separator (see the module's docstring).
CSV_DELIMITER = ";"

#: The exported columns: (label, column). Labels match what the import recognises.
COLUMNS = [
    (_l("Membership number"), Member.number),
    (_l("Status"), Member.status),
    (_l("First name"), Member.first_name),
    (_l("Prefix (tussenvoegsel)"), Member.name_prefix),
    (_l("Last name"), Member.last_name),
    (_l("Street"), Member.street),
    (_l("House number"), Member.house_number),
    (_l("Postcode"), Member.postcode),
    (_l("City"), Member.city),
    (_l("E-mail address"), Member.email),
    (_l("Phone"), Member.phone),
    (_l("Date of birth"), Member.born_on),
    (_l("Channel"), Member.channel),
    (_l("Category"), MemberCategory.name),
    (_l("Member since"), Member.admitted_on),
    (_l("Household"), Member.household),
]


def export_select(coop_id: int, f: MemberFilter):
    """The list's select (same search, filters and order) with only the exported columns."""
    return (member_select(coop_id, f)
            .with_only_columns(*(c for _label, c in COLUMNS), maintain_column_froms=False)
            .select_from(Member)
            .outerjoin(MemberCategory, Member.category_id == MemberCategory.id))


def count_rows(coop_id: int, f: MemberFilter) -> int:
    inner = member_select(coop_id, f).order_by(None).with_only_columns(Member.id).subquery()
    return db.session.scalar(select(func.count()).select_from(inner))


def header() -> list[str]:
    return [str(label) for label, _col in COLUMNS]


def _labels() -> dict:
    """Enum values as the board reads them, translated once per export (not once per cell)."""
    return {**{k: str(v) for k, v in STATUS_LABELS.items()},
            **{k: str(v) for k, v in CHANNEL_LABELS.items()}}


def iter_rows(coop_id: int, f: MemberFilter) -> Iterator[tuple]:
    """The export's rows, fetched YIELD_PER at a time (server-side cursor on PostgreSQL)."""
    result = db.session.execute(export_select(coop_id, f).execution_options(yield_per=YIELD_PER))
    for partition in result.partitions():
        yield from partition


def audit_export(coop, f: MemberFilter, *, actor, kind: str, rows: int) -> None:
    """One entry per export: who, which filters and how many rows (no personal data: the search
    text may be a name, so only whether there was one is recorded)."""
    audit.record("members.export", actor=actor, cooperative=coop, kind=kind, rows=rows,
                 status=f.status, channel=f.channel or None, sort=f.sort,
                 descending=f.descending, searched=bool(f.q))


# --- CSV ---------------------------------------------------------------------------------------


def csv_cell(value, labels: dict):
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    if value.__class__ in (MemberStatus, Channel):
        return labels[value]
    return safe_cell(value)


def csv_stream(coop_id: int, f: MemberFilter, batch: int = 500) -> Iterator[bytes]:
    """The CSV as UTF-8 bytes with a BOM, a batch of rows at a time."""
    labels = _labels()
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=CSV_DELIMITER, lineterminator="\r\n")
    writer.writerow([safe_cell(h) for h in header()])
    yield ("\ufeff" + buffer.getvalue()).encode("utf-8")
    buffer.seek(0)
    buffer.truncate()
    n = 0
    for row in iter_rows(coop_id, f):
        writer.writerow([csv_cell(v, labels) for v in row])
        n += 1
        if n % batch == 0:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue().encode("utf-8")


# --- XLSX --------------------------------------------------------------------------------------


def write_xlsx(coop_id: int, f: MemberFilter, target) -> None:
    """Write the register to ``target`` (a path or binary file) with openpyxl's write-only mode."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title=_("Members")[:31])
    ws.freeze_panes = "A2"
    bold = Font(bold=True)
    widths = [10, 14, 16, 12, 20, 24, 10, 10, 18, 30, 16, 14, 10, 16, 14, 18]
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width

    labels = _labels()
    from openpyxl.cell.cell import ERROR_CODES

    def cell(value):
        """A plain value where openpyxl writes it as it is (numbers, dates, ordinary text: the
        fast path of write-only mode); a cell of its own for text that openpyxl would take for
        a formula ("=…") or an error code ("#N/A"), or that a spreadsheet reads as a formula."""
        if value.__class__ in (MemberStatus, Channel):
            return labels[value]
        if value.__class__ is str and (value.startswith(FORMULA_STARTS) or value in ERROR_CODES):
            c = WriteOnlyCell(ws, value=value)
            # A string is a string: never a formula nor an error code; Excel's quote prefix
            # keeps formula-like text text when the cell is edited.
            c.data_type = "s"
            c.quotePrefix = True
            return c
        return value

    head = []
    for label in header():
        c = WriteOnlyCell(ws, value=label)
        c.data_type = "s"
        c.font = bold
        head.append(c)
    ws.append(head)
    for row in iter_rows(coop_id, f):
        ws.append([cell(v) if v is not None else None for v in row])
    wb.save(target)


def xlsx_file(coop_id: int, f: MemberFilter):
    """The XLSX in an anonymous temporary file (deleted when closed), positioned at the start."""
    handle = tempfile.TemporaryFile(suffix=".xlsx")
    write_xlsx(coop_id, f, handle)
    handle.seek(0)
    return handle


# --- letters: labels and letter list -----------------------------------------------------------


def letter_members(coop_id: int) -> list[Member]:
    """Current members (admitted, or suspended while their appeal is open: they are invited to
    the meeting that decides it) who get their mail by post, in postcode order (one query)."""
    return list(db.session.scalars(
        select(Member)
        .where(Member.cooperative_id == coop_id,
               Member.status.in_([MemberStatus.MEMBER, MemberStatus.SUSPENDED]),
               Member.channel == Channel.LETTER, Member.erased_at.is_(None))
        .order_by(Member.postcode.is_(None), Member.postcode, Member.street, Member.house_number,
                  Member.sort_name, Member.id)
    ))


#: A4 with 3 × 8 labels of 70 × 37 mm (e.g. Avery/Herma 3475): 3 × 70 = 210 mm wide and
#: 8 × 37 = 296 mm high, so the sheet has half a millimetre left at top and bottom.
LABELS_PER_SHEET = 24
LABELS_CSS = """
@page { size: A4; margin: 0.5mm 0;
        @top-left { content: none; } @top-right { content: none; }
        @bottom-right { content: none; } }
.running-header, .running-footer { display: none; }
.sheet { width: 210mm; height: 296mm; break-after: page; overflow: hidden; }
.sheet:last-child { break-after: auto; }
/* 69.99 mm: three times 70 mm would round past the page width and wrap the third label */
.label { float: left; width: 69.99mm; height: 37mm; box-sizing: border-box; padding: 6mm 5mm 3mm 7mm;
         overflow: hidden; font-size: 10pt; line-height: 1.25; overflow-wrap: anywhere; }
.label p { margin: 0; }
"""


def labels_pdf(coop, members: list[Member]) -> bytes:
    from coop.core.pdf import render_pdf

    members = [m for m in members if m.address_lines]  # a label without an address is no use
    sheets = [members[i:i + LABELS_PER_SHEET] for i in range(0, len(members), LABELS_PER_SHEET)]
    return render_pdf("pdf/labels.html", extra_css=[LABELS_CSS], coop=coop, sheets=sheets)


def letter_list_pdf(coop, members: list[Member], on: date) -> bytes:
    from coop.core.pdf import render_pdf

    return render_pdf("pdf/letter_list.html", coop=coop, members=members, on=on)
