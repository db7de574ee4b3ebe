"""Importing a member register from a CSV or XLSX file: reading, column mapping, validation and
an all-or-nothing bulk import, tracked by an :class:`ImportJob`.

The steps, as the board sees them:

1. **Upload** (:func:`create_job`): the file is stored under ``instance/uploads/imports/`` with a
   random name. Its *content* decides what it is: an XLSX is a zip holding ``xl/workbook.xml``
   (entry sizes are checked before anything is unpacked, so a zip bomb is refused); anything
   else must be text: UTF-8 (with or without BOM), UTF-16 with BOM, or else Windows-1252, the
   encoding Dutch Excel writes. The separator (``;``, ``,`` or tab) is sniffed from the first
   lines; rows with a different number of fields than the header ("mixed separators") are
   refused with their row numbers.
2. **Mapping**: a target field per column, guessed from Dutch and English header names.
3. **Validation** (:func:`validate_job`): every row goes through the service's own
   :func:`coop.members.services.clean_member_data` (the everyday row through
   :class:`RowChecker`, which decides as it does, quicker); errors are listed by row and field
   and nothing is written. Rows that match a member already registered (same e-mail, or same name +
   postcode + date of birth, as :func:`~coop.members.services.possible_duplicates` does) or an
   earlier row of the file are skipped, so importing a file twice creates no duplicates.
4. **Import** (:func:`import_job`): all rows in ONE transaction, written in bulk (on
   PostgreSQL, when the register did not change since the check, one ``COPY`` of all members and
   one of their "imported" history events; otherwise each batch of a few thousand rows is
   checked again and written with one ``COPY`` or executemany), and one audit entry for the
   whole import.

Validation and import run in a background thread (:func:`launch`) with their own app context
and session, so large files do not hold a request; the job page shows the progress. With
``IMPORT_SYNC = True`` (tests, benchmarks) they run in the calling thread.

Row numbers are those of the spreadsheet: the header is row 1, the first member row 2.
"""
from __future__ import annotations

import csv
import enum
import hashlib
import io
import json
import logging
import re
import secrets
import threading
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Iterable, Iterator

from flask import current_app
from flask_babel import force_locale, gettext as _
from sqlalchemy import (ForeignKey, Integer, String, Text, and_, any_, bindparam, func, insert,
                        select, union_all, update)
from sqlalchemy import text as sql_text
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from coop.core import audit
from coop.core.csvsafe import FORMULA_STARTS
from coop.core.db import str_enum, utcnow
from coop.core.errors import DomainError
from coop.core.i18n import lazy_gettext as _l
from coop.extensions import db
from coop.members import rules
from coop.members.models import Channel, Member, MemberEvent, MemberStatus, make_sort_name
from coop.members.services import clean_member_data, is_plain_email, today

log = logging.getLogger(__name__)

#: Largest file accepted (checked before the upload is read, and again while it is stored).
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
#: XLSX: most bytes all entries of the zip may unpack to, and the highest ratio of one entry.
MAX_XLSX_UNPACKED_BYTES = 500 * 1024 * 1024
MAX_XLSX_RATIO = 200
MAX_XLSX_ENTRIES = 10_000
#: Most columns a file may have (guards against a sheet padded to 16,384 columns).
MAX_COLUMNS = 200
#: Rows validated or inserted per batch (one duplicate query and one INSERT per batch).
BATCH_SIZE = 2000
#: How many errors / skipped rows are kept for display (the counts are always complete).
MAX_STORED_ERRORS = 1000
MAX_STORED_SKIPPED = 1000
#: A running job that has not reported progress for this long was interrupted (restart).
STALLED_AFTER = timedelta(minutes=10)

ENCODING_LABELS = {
    "utf-8-sig": "UTF-8 (BOM)",
    "utf-8": "UTF-8",
    "utf-16": "UTF-16",
    "cp1252": "Windows-1252",
}
DELIMITER_LABELS = {";": _l("semicolon (;)"), ",": _l("comma (,)"), "\t": _l("tab")}


class ImportStatus(enum.Enum):
    UPLOADED = "uploaded"  # stored; the board chooses the column mapping
    VALIDATING = "validating"  # every row is being checked
    INVALID = "invalid"  # some rows have errors: nothing can be imported
    READY = "ready"  # every row is valid; the board confirms the import
    IMPORTING = "importing"  # the members are being written (one transaction)
    DONE = "done"  # imported
    FAILED = "failed"  # something went wrong: nothing of the members was written


IMPORT_STATUS_LABELS = {
    ImportStatus.UPLOADED: _l("Uploaded: choose the columns"),
    ImportStatus.VALIDATING: _l("Checking the rows"),
    ImportStatus.INVALID: _l("Rows with errors"),
    ImportStatus.READY: _l("Checked: ready to import"),
    ImportStatus.IMPORTING: _l("Importing"),
    ImportStatus.DONE: _l("Imported"),
    ImportStatus.FAILED: _l("Failed"),
}

RUNNING = (ImportStatus.VALIDATING, ImportStatus.IMPORTING)
#: Statuses in which the board may (re)submit the column mapping.
MAPPABLE = (ImportStatus.UPLOADED, ImportStatus.INVALID, ImportStatus.READY, ImportStatus.FAILED)


class ImportJob(db.Model):
    """One uploaded register file on its way into the register."""

    __tablename__ = "import_job"

    id: Mapped[int] = mapped_column(primary_key=True)
    cooperative_id: Mapped[int] = mapped_column(ForeignKey("cooperative.id", ondelete="CASCADE"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    status: Mapped[ImportStatus] = mapped_column(str_enum(ImportStatus, 16), default=ImportStatus.UPLOADED)
    #: The name the file had on the board member's computer (shown to the board only).
    original_name: Mapped[str] = mapped_column(String(255))
    #: The random name under instance/uploads/imports/ (never the user's name).
    stored_name: Mapped[str] = mapped_column(String(64))
    #: SHA-256 of the uploaded bytes: which file was imported, without its contents.
    file_sha256: Mapped[str] = mapped_column(String(64))
    #: ``csv`` or ``xlsx``, decided from the content.
    kind: Mapped[str] = mapped_column(String(8))
    #: CSV only: the Python codec used (utf-8-sig, utf-8, utf-16, cp1252) and the separator.
    encoding: Mapped[str | None] = mapped_column(String(16))
    delimiter: Mapped[str | None] = mapped_column(String(2))
    #: JSON list of the column names of the header row.
    header: Mapped[str] = mapped_column(Text, default="[]")
    #: JSON list of the first rows ([row number, values…]), shown while choosing the columns;
    #: emptied once imported.
    preview: Mapped[str] = mapped_column(Text, default="[]")
    #: JSON object target field → column index, chosen by the board.
    mapping: Mapped[str | None] = mapped_column(Text)
    #: Data rows in the file (an estimate for XLSX until the rows are checked).
    total_rows: Mapped[int] = mapped_column(Integer, default=0)
    processed_rows: Mapped[int] = mapped_column(Integer, default=0)
    error_count: Mapped[int] = mapped_column(Integer, default=0)
    #: JSON list of {row, field, column, value, message}, the first MAX_STORED_ERRORS.
    errors: Mapped[str] = mapped_column(Text, default="[]")
    skipped_count: Mapped[int] = mapped_column(Integer, default=0)
    #: JSON list of {row, other, reason} of rows skipped (other: the registered number or the earlier row), the first MAX_STORED_SKIPPED.
    skipped: Mapped[str] = mapped_column(Text, default="[]")
    imported_count: Mapped[int] = mapped_column(Integer, default=0)
    #: The board member's language, for messages written by the background job.
    locale: Mapped[str] = mapped_column(String(8), default="nl")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: Last progress report; a running job silent for STALLED_AFTER was interrupted.
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]

    cooperative = relationship("Cooperative")
    created_by = relationship("User")

    # --- JSON columns as Python values ---

    @property
    def header_list(self) -> list[str]:
        return json.loads(self.header or "[]")

    @property
    def mapping_dict(self) -> dict[str, int]:
        return {k: int(v) for k, v in json.loads(self.mapping or "{}").items()}

    @property
    def error_list(self) -> list[dict]:
        return json.loads(self.errors or "[]")

    @property
    def skipped_list(self) -> list[dict]:
        return json.loads(self.skipped or "[]")

    # --- for the templates ---

    @property
    def status_label(self):
        return IMPORT_STATUS_LABELS[self.status]

    @property
    def is_running(self) -> bool:
        return self.status in RUNNING and not self.is_stalled

    @property
    def is_stalled(self) -> bool:
        return self.status in RUNNING and utcnow() - self.updated_at > STALLED_AFTER

    @property
    def encoding_label(self) -> str | None:
        return ENCODING_LABELS.get(self.encoding or "", self.encoding)

    @property
    def delimiter_label(self):
        return DELIMITER_LABELS.get(self.delimiter or "", self.delimiter)

    @property
    def file_path(self) -> Path:
        return upload_dir() / self.stored_name

    @property
    def rows_path(self) -> Path:
        """The checked rows, kept between validation and import (deleted afterwards): a line
        of JSON (what the import needs to know), then one CSV line per row (CHECKED_FIELDS)."""
        return upload_dir() / (Path(self.stored_name).stem + ".rows.csv")


# --- target fields and header names ----------------------------------------------------------

#: The fields an import can fill, in the order of the mapping form, with their labels.
TARGET_FIELDS: dict[str, object] = {
    "number": _l("Membership number"),
    "first_name": _l("First name"),
    "name_prefix": _l("Prefix (tussenvoegsel)"),
    "last_name": _l("Last name"),
    "street": _l("Street"),
    "house_number": _l("House number"),
    "postcode": _l("Postcode"),
    "city": _l("City"),
    "email": _l("E-mail address"),
    "phone": _l("Phone"),
    "born_on": _l("Date of birth"),
    "admitted_on": _l("Member since"),
    "iban": _l("IBAN"),
}
REQUIRED_FIELDS = ("first_name", "last_name")
DATE_FIELDS = ("born_on", "admitted_on")

#: Header names (normalised: lower case, letters and digits only) recognised per field, Dutch
#: and English, including the column names of our own export.
HEADER_NAMES: dict[str, set[str]] = {
    "number": {"lidnummer", "lidnr", "lidno", "number", "membernumber", "membershipnumber",
               "memberno"},
    "first_name": {"voornaam", "voornamen", "roepnaam", "firstname", "givenname", "forename"},
    "name_prefix": {"tussenvoegsel", "tussenvoegsels", "voorvoegsel", "prefix", "nameprefix",
                    "prefixtussenvoegsel"},
    "last_name": {"achternaam", "familienaam", "geslachtsnaam", "lastname", "surname", "familyname"},
    "street": {"straat", "straatnaam", "street", "streetname"},
    "house_number": {"huisnummer", "huisnr", "nr", "housenumber", "houseno", "huisnummertoevoeging"},
    "postcode": {"postcode", "postalcode", "zip", "zipcode", "postcodeplaats"},
    "city": {"woonplaats", "plaats", "city", "town", "stad"},
    "email": {"email", "emailadres", "emailaddress", "mail", "eadres"},
    "phone": {"telefoon", "telefoonnummer", "tel", "telnr", "mobiel", "phone", "phonenumber",
              "telephone", "mobile"},
    "born_on": {"geboortedatum", "geborenop", "dateofbirth", "birthdate", "borndate", "bornon",
                "birthday", "dob"},
    "admitted_on": {"lidsinds", "lidvanaf", "datumtoetreding", "toetredingsdatum", "toegelatenop",
                    "admittedon", "membersince", "joined", "joinedon", "startdate"},
    "iban": {"iban", "rekeningnummer", "bankrekening", "bankrekeningnummer", "bankaccount",
             "accountnumber"},
}


def normalise_header(name: str) -> str:
    return re.sub(r"[^0-9a-z]", "", (name or "").lower())


def guess_mapping(header: list[str]) -> dict[str, int]:
    """Target field → column index for the columns whose name we recognise."""
    from flask_babel import force_locale as _force

    names = {k: set(v) for k, v in HEADER_NAMES.items()}
    # our own labels in both languages (the export writes them)
    for locale in ("nl", "en"):
        with _force(locale):
            for key, label in TARGET_FIELDS.items():
                names[key].add(normalise_header(str(label)))
    guessed: dict[str, int] = {}
    for index, name in enumerate(header):
        norm = normalise_header(name)
        for key, known in names.items():
            if norm and norm in known and key not in guessed:
                guessed[key] = index
                break
    return guessed


# --- storage ---------------------------------------------------------------------------------


def upload_dir(folder: str = "imports") -> Path:
    path = Path(current_app.config["UPLOAD_DIR"]) / folder
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def _refuse(message) -> DomainError:
    return DomainError(message, field="file")


def too_large_message():
    return _l("The file is larger than %(mb)d MB. Split the register into smaller files.",
              mb=MAX_UPLOAD_BYTES // (1024 * 1024))


def store_upload(stream, *, limit: int = MAX_UPLOAD_BYTES, folder: str = "imports",
                 too_large=None) -> tuple[Path, str, int]:
    """Copy an upload to a random file name under ``UPLOAD_DIR/<folder>``, refusing it as soon
    as it passes ``limit`` (with ``too_large`` as the message, if given).

    Returns the path, the SHA-256 of the bytes and their number.
    """
    target = upload_dir(folder) / (secrets.token_hex(16) + ".upload")
    digest = hashlib.sha256()
    size = 0
    try:
        with open(target, "xb") as out:
            target.chmod(0o600)
            while chunk := stream.read(64 * 1024):
                size += len(chunk)
                if size > limit:
                    raise _refuse(too_large or too_large_message())
                digest.update(chunk)
                out.write(chunk)
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    return target, digest.hexdigest(), size


# --- reading files ---------------------------------------------------------------------------


@dataclass
class FileInfo:
    kind: str  # csv | xlsx
    header: list[str]
    total_rows: int
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None
    preview: list[list] = field(default_factory=list)


NOT_A_REGISTER = _l("This is not a CSV or XLSX file. Save the register from your spreadsheet as "
                    "“CSV” or as an Excel workbook (.xlsx) and try again.")


def is_xlsx(path: Path) -> bool:
    """Whether the file is a zip holding an Excel workbook; refuse zip bombs before unpacking."""
    if not zipfile.is_zipfile(path):
        return False
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise _refuse(NOT_A_REGISTER) from None
    names = {i.filename for i in infos}
    if "xl/workbook.xml" not in names:
        raise _refuse(NOT_A_REGISTER)
    unpacked = sum(i.file_size for i in infos)
    bomb = (len(infos) > MAX_XLSX_ENTRIES or unpacked > MAX_XLSX_UNPACKED_BYTES
            or any(i.file_size > 1024 * 1024 and i.file_size > MAX_XLSX_RATIO * max(i.compress_size, 1)
                   for i in infos))
    if bomb:
        raise _refuse(_l("This Excel file unpacks to far more data than a member register holds; "
                         "it was not opened."))
    return True


def decode_text(raw: bytes) -> tuple[str, str]:
    """Decode a CSV file: UTF-8 (with or without BOM), UTF-16 with BOM, else Windows-1252."""
    text = encoding = None
    if raw.startswith(b"\xef\xbb\xbf"):
        candidates = ["utf-8-sig"]
    elif raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        candidates = ["utf-16"]
    else:
        candidates = ["utf-8", "cp1252"]
    for candidate in candidates:
        try:
            text, encoding = raw.decode(candidate), candidate
            break
        except UnicodeDecodeError:
            continue
    # Binary files (and random bytes) hold NUL and other control characters; text does not.
    if text is None or re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", text):
        raise _refuse(NOT_A_REGISTER)
    return text, encoding


def sniff_delimiter(text: str) -> str:
    """``;``, ``,`` or tab, from the first lines (csv.Sniffer, with a plain count as fallback)."""
    lines = text[:64 * 1024].splitlines()[:20]
    sample = "\n".join(lines)
    first = lines[0] if lines else ""
    try:
        delimiter = csv.Sniffer().sniff(sample, delimiters=";,\t").delimiter
    except csv.Error:
        delimiter = None
    if delimiter is None or first.count(delimiter) == 0:
        counts = {d: first.count(d) for d in (";", ",", "\t")}
        delimiter = max(counts, key=counts.get)
        if counts[delimiter] == 0:
            raise _refuse(_l("The first row must hold the column names, separated by semicolons, "
                             "commas or tabs."))
    return delimiter


def _is_empty(values) -> bool:
    return all(v is None or (isinstance(v, str) and not v.strip()) for v in values)


def _csv_rows(text: str, delimiter: str) -> Iterator[tuple[int, list[str]]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    number = 0
    try:
        for row in reader:
            number += 1
            yield number, row
    except csv.Error:
        raise _refuse(_l("The file could not be read as CSV (near row %(row)d).",
                         row=number + 1)) from None


def read_csv_info(raw: bytes) -> FileInfo:
    text, encoding = decode_text(raw)
    delimiter = sniff_delimiter(text)
    rows = _csv_rows(text, delimiter)
    header = [h.strip() for h in next(rows, (1, []))[1]]
    width = len(header)
    if width < 2:
        raise _refuse(_l("The first row must hold the column names, separated by semicolons, "
                         "commas or tabs."))
    if width > MAX_COLUMNS:
        raise _refuse(_l("The file has more than %(n)d columns.", n=MAX_COLUMNS))
    bad: list[int] = []
    total = 0
    preview = []
    for number, row in rows:
        if _is_empty(row):
            continue
        if len(row) != width and not (len(row) > width and _is_empty(row[width:])):
            bad.append(number)
            continue
        total += 1
        if len(preview) < 10:
            preview.append([number] + row[:width])
    if bad:
        shown = ", ".join(str(n) for n in bad[:20])
        if len(bad) > 20:
            message = _l("Rows %(rows)s and %(more)d more have a different number of fields than the "
                         "header row: the file mixes separators or has stray separators in a value. "
                         "The separator found in the header is %(sep)s.",
                         rows=shown, more=len(bad) - 20, sep=DELIMITER_LABELS[delimiter])
        else:
            message = _l("Rows %(rows)s have a different number of fields than the header row: the "
                         "file mixes separators or has stray separators in a value. The separator "
                         "found in the header is %(sep)s.", rows=shown, sep=DELIMITER_LABELS[delimiter])
        raise _refuse(message)
    return FileInfo("csv", header, total, encoding=encoding, delimiter=delimiter, preview=preview)


def _xlsx_cell(value):
    """A cell value as text, or a date for date cells; formulas arrive as their cached values."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date() if value.time() == datetime.min.time() else value
    if isinstance(value, date):
        return value
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


class _Workbook:
    """The first sheet of an XLSX, read-only and with cached formula values (never evaluated)."""

    def __init__(self, path: Path):
        from openpyxl import load_workbook

        # A file object: openpyxl would judge a path by its name, and ours ends in .upload.
        self.handle = open(path, "rb")
        try:
            self.wb = load_workbook(self.handle, read_only=True, data_only=True, keep_links=False)
            self.ws = self.wb.worksheets[0]
        except Exception:  # openpyxl raises many kinds for a broken workbook
            self.handle.close()
            raise _refuse(_l("The Excel file could not be read. Open it in your spreadsheet and save "
                             "it again as .xlsx or as CSV.")) from None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.wb.close()
        self.handle.close()

    def rows(self, width: int | None = None) -> Iterator[tuple[int, list]]:
        try:
            for number, row in enumerate(self.ws.iter_rows(values_only=True,
                                                            max_col=width or MAX_COLUMNS + 1), start=1):
                yield number, [_xlsx_cell(v) for v in row]
        except DomainError:
            raise
        except Exception:
            raise _refuse(_l("The Excel file could not be read. Open it in your spreadsheet and save "
                             "it again as .xlsx or as CSV.")) from None


def read_xlsx_info(path: Path) -> FileInfo:
    with _Workbook(path) as book:
        rows = book.rows()
        header_row = next(rows, (1, []))[1]
        while header_row and header_row[-1] == "":
            header_row.pop()
        if len(header_row) > MAX_COLUMNS:
            raise _refuse(_l("The file has more than %(n)d columns.", n=MAX_COLUMNS))
        header = [str(h).strip() if not isinstance(h, date) else h.isoformat() for h in header_row]
        if len(header) < 2:
            raise _refuse(_l("The first row of the first sheet must hold the column names."))
        preview = []
        for number, row in rows:
            if _is_empty(row):
                continue
            preview.append([number] + (row + [""] * len(header))[:len(header)])
            if len(preview) == 10:
                break
        if not preview:
            total = 0
        else:
            # The sheet's own dimension is an estimate (corrected when the rows are checked).
            total = max((book.ws.max_row or 1) - 1, len(preview))
        return FileInfo("xlsx", header, total, sheet=book.ws.title, preview=preview)


def inspect_file(path: Path) -> FileInfo:
    """What the stored upload is, from its content; refuses anything but a readable register."""
    if is_xlsx(path):
        info = read_xlsx_info(path)
    else:
        info = read_csv_info(path.read_bytes())
    if info.total_rows == 0:
        raise _refuse(_l("The file has no rows below the column names."))
    return info


def iter_rows(job: ImportJob, *, width: int | None = None) -> Iterator[tuple[int, list]]:
    """The non-empty data rows of the job's file as (row number, values), header skipped."""
    width = width or len(job.header_list)
    if job.kind == "xlsx":
        with _Workbook(job.file_path) as book:
            rows = book.rows(width)
            next(rows, None)
            for number, row in rows:
                if not _is_empty(row):
                    yield number, (row + [""] * width)[:width]
    else:
        text = job.file_path.read_bytes().decode(job.encoding)
        rows = _csv_rows(text, job.delimiter)
        next(rows, None)
        for number, row in rows:
            # (CSV cells are all text: a row is empty when its cells joined are blank)
            if "".join(row).strip():
                yield number, row if len(row) == width else (row + [""] * width)[:width]


def preview_rows(job: ImportJob, limit: int = 10) -> list[list]:
    out = []
    for number, row in iter_rows(job):
        out.append([number] + row)
        if len(out) == limit:
            break
    return out


# --- creating and steering jobs (services: flush and audit, the view commits) -----------------


def create_job(coop, upload, *, actor, locale: str) -> ImportJob:
    """Store an uploaded file and start an import job for it (refuses what is not a register)."""
    filename = (getattr(upload, "filename", None) or "").strip()
    if not filename:
        raise _refuse(_l("Choose a file."))
    path, sha, size = store_upload(upload.stream)
    try:
        info = inspect_file(path)
        suffix = ".xlsx" if info.kind == "xlsx" else ".csv"
        final = path.with_suffix(suffix)
        path.rename(final)
        path = final
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    try:
        job = ImportJob(cooperative_id=coop.id, created_by_id=getattr(actor, "id", None),
                        status=ImportStatus.UPLOADED, original_name=filename[:255],
                        stored_name=path.name, file_sha256=sha, kind=info.kind,
                        encoding=info.encoding, delimiter=info.delimiter,
                        header=json.dumps(info.header, ensure_ascii=False),
                        total_rows=info.total_rows,
                        preview=json.dumps(info.preview, ensure_ascii=False, default=str),
                        mapping=json.dumps(guess_mapping(info.header)), locale=locale or "nl")
        db.session.add(job)
        db.session.flush()
        audit.record("members.import_upload", actor=actor, cooperative=coop, obj=job, kind=info.kind,
                     bytes=size, rows=info.total_rows, file_sha256=sha)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return job


def _claim(job: ImportJob, allowed, to: ImportStatus, message) -> None:
    """Move the job to ``to`` only if it is still in one of the ``allowed`` statuses — checked
    by the UPDATE itself, so that a double click cannot start a step twice."""
    stalled = utcnow() - STALLED_AFTER
    allowed_now = (ImportJob.status.in_(allowed)
                   | (ImportJob.status.in_(RUNNING) & (ImportJob.updated_at < stalled)))
    done = db.session.execute(
        update(ImportJob).where(ImportJob.id == job.id, allowed_now)
        .values(status=to, processed_rows=0, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.expire(job, ["status", "processed_rows", "updated_at"])
    if done != 1:
        raise DomainError(message)


def set_mapping(job: ImportJob, mapping: dict[str, int | None], *, actor) -> None:
    """Save the board's column mapping; the rows are then checked (see :func:`launch`)."""
    width = len(job.header_list)
    clean = {k: int(v) for k, v in mapping.items() if k in TARGET_FIELDS and v is not None and v != ""}
    if any(not 0 <= v < width for v in clean.values()):
        raise DomainError(_l("Choose one of the file's columns."))
    missing = [str(TARGET_FIELDS[f]) for f in REQUIRED_FIELDS if f not in clean]
    if missing:
        raise DomainError(_l("The register needs a column for: %(fields)s.", fields=", ".join(missing)))
    _claim(job, MAPPABLE, ImportStatus.VALIDATING, _l("The columns cannot be changed now."))
    job.mapping = json.dumps(clean)
    job.error_count = job.skipped_count = 0
    job.errors = job.skipped = "[]"
    job.rows_path.unlink(missing_ok=True)
    db.session.flush()


def begin_import(job: ImportJob, *, actor) -> None:
    """The board confirms: the checked rows are imported (see :func:`launch`)."""
    message = _l("Only a file whose rows have all been checked can be imported.")
    if not job.rows_path.exists():
        raise DomainError(message)
    _claim(job, (ImportStatus.READY,), ImportStatus.IMPORTING, message)
    if not job.imported_count:
        raise DomainError(_l("Everyone in this file is already registered: there is nothing to import."))
    db.session.flush()


def cancel_job(job: ImportJob, *, actor) -> None:
    """Forget an upload that will not be imported: its file and checked rows are deleted."""
    if job.is_running:
        raise DomainError(_l("Wait until the job has finished."))
    audit.record("members.import_cancel", actor=actor, cooperative=job.cooperative, obj=job,
                 status=job.status.value)
    _delete_files(job)
    if job.status == ImportStatus.DONE:
        return  # the record of a finished import stays
    db.session.delete(job)
    db.session.flush()


def _delete_files(job: ImportJob) -> None:
    """The upload and its checked rows hold personal data: gone once no longer needed."""
    job.preview = "[]"
    job.file_path.unlink(missing_ok=True)
    job.rows_path.unlink(missing_ok=True)


def purge_stale_uploads(max_age: timedelta = timedelta(days=7)) -> int:
    """Delete the files of jobs not touched for ``max_age`` (they hold personal data).

    For a daily maintenance command; returns how many jobs had files removed.
    """
    cutoff = utcnow() - max_age
    jobs = db.session.scalars(select(ImportJob).where(ImportJob.updated_at < cutoff)).all()
    n = 0
    for job in jobs:
        had_files = job.file_path.exists() or job.rows_path.exists()
        if had_files:
            _delete_files(job)
            n += 1
        if had_files or job.status != ImportStatus.DONE:
            audit.record("members.import_purge", cooperative=job.cooperative, obj=job,
                         status=job.status.value)
        if job.status != ImportStatus.DONE:
            db.session.delete(job)
    db.session.flush()
    return n


# --- one row ---------------------------------------------------------------------------------

_DMY = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})$")
_YMD = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T]00:00(?::00)?)?$")
_MAX_LENGTHS = {c.name: c.type.length for c in Member.__table__.columns
                if getattr(c.type, "length", None) and c.name in TARGET_FIELDS}


def parse_date(value) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = value.strip()
    m = _DMY.match(text)
    if m:
        day, month, year = m.groups()
        return date(int(year), int(month), int(day))
    m = _YMD.match(text)
    if m:
        year, month, day = m.groups()
        return date(int(year), int(month), int(day))
    raise ValueError(text)


def _unescape(value):
    """Undo the quote our export puts before a cell that would read as a formula."""
    if isinstance(value, str):
        value = value.strip()
        if len(value) > 1 and value[0] == "'" and value[1] in FORMULA_STARTS:
            return value[1:]
    return value


class RowError(Exception):
    def __init__(self, errors: list[tuple[str, str]]):
        self.errors = errors


def clean_row(values: list, mapping: dict[str, int], coop, *, on: date | None = None) -> dict:
    """One row → the member's cleaned values, plus ``number`` and ``admitted_on``.

    Field rules are the service's (:func:`clean_member_data`); what only an import has (dates in
    text, the membership number, lengths of free text) is checked here. Raises RowError with
    every (field, message) found. (Runs 100,000 times per large file: kept lean.)
    """
    on = on or today()
    data: dict = {}
    for key, index in mapping.items():
        value = values[index]
        if value.__class__ is str:
            if value[:1] == "'":
                value = _unescape(value)
        elif value is not None and not isinstance(value, date):
            value = str(value)
        data[key] = value
    errors: list[tuple[str, str]] = []
    admitted_on = None
    for key in DATE_FIELDS:
        value = data.pop(key, None)
        if value is None or (value.__class__ is str and not value.strip()):
            continue
        try:
            parsed = parse_date(value)
        except ValueError:
            errors.append((key, _("Write the date as dd-mm-yyyy or yyyy-mm-dd.")))
            continue
        if key == "born_on":
            data["born_on"] = parsed
        elif parsed > on:
            errors.append((key, _("The date of admission cannot be in the future.")))
        else:
            admitted_on = parsed
    number = data.pop("number", None)
    number = str(number).strip() if number else None
    if number:
        if number.isdecimal() and 0 < int(number) < 2**31:  # (isdigit: "²", which int() refuses)
            number = int(number)
        else:
            errors.append(("number", _("A membership number is a whole number above zero.")))
            number = None
    else:
        number = None
    # The service stops at the first error; take that field out and check the rest again, so
    # that the board sees every error of the row at once.
    cleaned = None
    while cleaned is None:
        try:
            cleaned = clean_member_data(data, coop=coop)
        except DomainError as error:
            errors.append((error.field or "", str(error.message)))
            if not error.field or error.field not in data:
                break
            data.pop(error.field)
    if cleaned:
        for key, limit in _MAX_LENGTHS.items():
            value = cleaned.get(key)
            if value is not None and len(value) > limit:
                errors.append((key, _("At most %(n)d characters.", n=limit)))
    if errors:
        raise RowError(errors)
    cleaned["number"] = number
    cleaned["admitted_on"] = admitted_on
    return cleaned


class RowChecker:
    """:func:`clean_row` for every row of one file, quicker for the everyday row.

    The everyday row — text cells, a valid Dutch postcode, an e-mail address of the plain shape
    (:func:`~coop.members.services.is_plain_email`), a Dutch IBAN, dates as written in the
    file's usual way — is checked here with the same rule functions the service uses, without
    building the service's intermediate values (about five times faster: it runs 100,000 times
    per large file). Any row with anything else — an error, a foreign IBAN, an unusual e-mail
    address, a cell with a leading quote, a non-text cell — goes through :func:`clean_row`
    itself, which decides and words the errors. So the result for a row is always what
    :func:`clean_row` returns (a property test checks this on generated rows).
    """

    def __init__(self, mapping: dict[str, int], coop, *, on: date | None = None):
        from coop.members.services import MEMBER_FIELDS, _column_lengths

        self.mapping = mapping
        self.coop = coop
        self.on = on or today()
        self.today = today()
        lengths = _column_lengths()
        special = ("number", "postcode", "email", "iban") + DATE_FIELDS
        # plain text fields in the service's order, with their column and the column's width
        self.text = [(key, mapping[key], lengths.get(key) or 10**9) for key in MEMBER_FIELDS
                     if key in mapping and key not in special]
        self.required = [key for key in REQUIRED_FIELDS if key in mapping]
        self.number = mapping.get("number")
        self.postcode = mapping.get("postcode")
        self.email = mapping.get("email")
        self.iban = mapping.get("iban")
        self.born_on = mapping.get("born_on")
        self.admitted_on = mapping.get("admitted_on")
        self.limits = {key: lengths[key] for key in ("email", "iban")}

    def __call__(self, values: list) -> dict:
        """The row's cleaned values (as :func:`clean_row`); raises RowError."""
        cleaned = self._everyday(values)
        if cleaned is None:
            cleaned = clean_row(values, self.mapping, self.coop, on=self.on)
        return cleaned

    def _everyday(self, values: list) -> dict | None:
        """The cleaned row, or None when the row is not an everyday one (clean_row decides)."""
        out: dict = {}
        for key, index, limit in self.text:
            value = values[index]
            if value.__class__ is not str or value[:1] == "'":
                return None
            value = value.strip() or None
            if value is not None and len(value) > limit:
                return None
            out[key] = value
        for key in self.required:
            if not out[key]:
                return None
        if self.postcode is not None:
            value = self._text(values[self.postcode])
            if value is False:
                return None
            if value:
                try:
                    value = rules.normalise_postcode(value)
                except ValueError:
                    return None
            out["postcode"] = value
        if self.email is not None:
            value = self._text(values[self.email])
            if value is False:
                return None
            if value:
                value = value.lower()
                if len(value) > self.limits["email"] or not is_plain_email(value):
                    return None
            out["email"] = value
        if self.iban is not None:
            value = self._text(values[self.iban])
            if value is False:
                return None
            if value:
                value = rules.dutch_iban(value)
                if value is None or len(value) > self.limits["iban"]:
                    return None
            out["iban"] = value
        if self.born_on is not None:
            value = self._date(values[self.born_on])
            if value is False or value and value > self.today:
                return None
            if value:
                out["born_on"] = value
        admitted_on = None
        if self.admitted_on is not None:
            admitted_on = self._date(values[self.admitted_on])
            if admitted_on is False or admitted_on and admitted_on > self.on:
                return None
        number = None
        if self.number is not None:
            value = self._text(values[self.number])
            if value is False:
                return None
            if value:
                if not (value.isascii() and value.isdigit() and 0 < int(value) < 2**31):
                    return None
                number = int(value)
        out["number"] = number
        out["admitted_on"] = admitted_on
        return out

    @staticmethod
    def _text(value) -> str | None | bool:
        """A text cell stripped (None when empty); False when clean_row must decide."""
        if value.__class__ is not str or value[:1] == "'":
            return False
        return value.strip() or None

    @staticmethod
    def _date(value) -> date | None | bool:
        """A date cell parsed (None when empty); False when clean_row must decide."""
        if value.__class__ is not str or value[:1] == "'":
            return False
        value = value.strip()
        if not value:
            return None
        try:
            return parse_date(value)
        except ValueError:
            return False


def _name_key(first_name, last_name, postcode, born_on) -> tuple | None:
    """Name + postcode + date of birth, compared as services.possible_duplicates does (first and
    last name without case; the prefix plays no part: "de Vries" and "Vries, de" are one name)."""
    if not (postcode and born_on):
        return None
    return ((first_name or "").strip().lower(), (last_name or "").strip().lower(), postcode, born_on)


def _identity(values: dict) -> tuple[str | None, tuple | None]:
    """The keys by which a row is recognised as a member already registered."""
    return values.get("email"), _name_key(values.get("first_name"), values.get("last_name"),
                                          values.get("postcode"), values.get("born_on"))


def _in(column, values):
    """``column IN (…)``; on PostgreSQL ``column = ANY(:array)``: one parameter instead of
    thousands, which the server plans (and the driver converts) far faster."""
    values = list(values)
    if db.session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import ARRAY

        return column == any_(bindparam(None, values, type_=ARRAY(column.type)))
    return column.in_(values)


def _custom_plans() -> None:
    """PostgreSQL: have the batch queries of this transaction use the indexes.

    Two traps, both seen with 100,000 rows: the statistics do not know the rows this very
    import adds (the table "is empty", so a sequential scan looks cheap, and each batch then
    reads the whole growing register: quadratic); and the driver prepares a statement that
    runs often, after which the server may use one generic plan that compares every row with
    every value of the array (seconds per batch). Each query here has an index that answers it
    (cooperative + e-mail, + postcode, + number), so for this transaction only: no sequential
    scans, and plans made for the actual arrays.

    Not while rows are written (:func:`_generic_plans`): the server checks each foreign key of
    each new row with a prepared query, which ``force_custom_plan`` would plan anew for every
    row (seen: 4 s of the database's CPU for 100,000 history events)."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(sql_text("SET LOCAL enable_seqscan = off"))
        db.session.execute(sql_text("SET LOCAL plan_cache_mode = force_custom_plan"))


def _generic_plans() -> None:
    """PostgreSQL: back to the server's own choice of plans (after :func:`_custom_plans`),
    for the foreign-key checks of the rows about to be written."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(sql_text("SET LOCAL plan_cache_mode = auto"))


def _existing(coop_id: int, rows: list[dict]) -> tuple[dict, dict]:
    """ONE query: members of the cooperative matching any row of the batch by e-mail or by
    name + postcode + date of birth (as services.possible_duplicates).

    Two branches of a UNION, so that each uses its own index (cooperative + e-mail,
    cooperative + postcode) even while the statistics do not yet know the rows this very
    import has added. The name is compared here, not in SQL: a common name matches many rows
    of the register, a postcode and a birth date few."""
    emails = {r["email"] for r in rows if r.get("email")}
    keyed = [r for r in rows if r.get("postcode") and r.get("born_on")]
    cols = (Member.number, Member.email, Member.first_name, Member.last_name, Member.postcode, Member.born_on)
    live = and_(Member.cooperative_id == coop_id, Member.erased_at.is_(None))
    branches = []
    if emails:
        branches.append(select(*cols).where(live, _in(Member.email, emails)))
    if keyed:
        branches.append(select(*cols).where(
            live, _in(Member.postcode, {r["postcode"] for r in keyed}),
            _in(Member.born_on, {r["born_on"] for r in keyed}),
        ))
    if not branches:
        return {}, {}
    found = db.session.execute(branches[0] if len(branches) == 1 else union_all(*branches)).all()
    by_email = {m.email: m.number for m in found if m.email}
    by_key = {_name_key(m.first_name, m.last_name, m.postcode, m.born_on): m.number for m in found
              if m.postcode and m.born_on}
    return by_email, by_key


def _taken_numbers(coop_id: int, numbers: set[int]) -> set[int]:
    if not numbers:
        return set()
    return set(db.session.scalars(
        select(Member.number).where(Member.cooperative_id == coop_id, _in(Member.number, numbers))))


#: Validation reads the register of a cooperative of at most this many members once, in one
#: query, rather than asking for each batch of the file which of its rows are registered.
PREFETCH_MEMBERS = 250_000


class _Registered:
    """Who is registered in a cooperative, as the checks of one file ask it batch by batch:
    :meth:`matches` (as :func:`_existing`) and :meth:`taken` (as :func:`_taken_numbers`).

    For a register of up to PREFETCH_MEMBERS it is read once (at 100,000 members a fraction of
    a second, against 50 queries of 2,000 values each); each batch then gets the whole register,
    which answers every look-up of the batch as those queries would. A larger register is
    asked batch by batch."""

    def __init__(self, coop_id: int):
        self.coop_id = coop_id
        count = db.session.scalar(select(func.count()).select_from(Member)
                                  .where(Member.cooperative_id == coop_id))
        self.prefetched = count <= PREFETCH_MEMBERS
        if not self.prefetched:
            return
        self.by_email: dict[str, int] = {}
        self.by_key: dict[tuple, int] = {}
        self.numbers: set[int] = set()
        found = db.session.execute(select(Member.number, Member.email, Member.first_name, Member.last_name,
                                          Member.postcode, Member.born_on, Member.erased_at.is_(None))
                                   .where(Member.cooperative_id == coop_id))
        for number, email, first_name, last_name, postcode, born_on, live in found:
            if number:
                self.numbers.add(number)  # numbers are never reused, not even an erased member's
            if not live:
                continue
            if email:
                self.by_email[email] = number
            if postcode and born_on:
                self.by_key[_name_key(first_name, last_name, postcode, born_on)] = number

    def matches(self, rows: list[dict]) -> tuple[dict, dict]:
        if self.prefetched:
            return self.by_email, self.by_key
        return _existing(self.coop_id, rows)

    def taken(self, numbers: set[int]):
        if self.prefetched:
            return self.numbers
        return _taken_numbers(self.coop_id, numbers)


def _batches(iterable, size: int | None = None):
    size = size or BATCH_SIZE
    batch = []
    for item in iterable:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


# --- progress --------------------------------------------------------------------------------


class Progress:
    """Reports how far a job is. ``live``: committed at once in a separate short transaction
    (a background thread, so the job page sees it); otherwise only set on the job."""

    def __init__(self, job: ImportJob, *, live: bool):
        self.job = job
        self.live = live

    def __call__(self, processed: int, total: int | None = None) -> None:
        now = utcnow()
        if not self.live:
            self.job.processed_rows = processed
            if total is not None:
                self.job.total_rows = total
            return
        values = {"processed_rows": processed, "updated_at": now}
        if total is not None:
            values["total_rows"] = total
        with Session(db.engine) as side:
            if side.get_bind().dialect.name == "postgresql":
                # a progress figure is not worth waiting for the disk
                side.execute(sql_text("SET LOCAL synchronous_commit = off"))
            side.execute(update(ImportJob).where(ImportJob.id == self.job.id).values(**values))
            side.commit()


# --- step 3: validation ----------------------------------------------------------------------


def _error(row: int, key: str, message: str, columns: dict, values: list, mapping: dict) -> dict:
    index = mapping.get(key)
    value = values[index] if index is not None and index < len(values) else None
    if isinstance(value, date):
        value = value.isoformat()
    return {"row": row, "field": key, "column": columns.get(key),
            "value": (str(value)[:60] if value not in (None, "") else None), "message": message}


def validate_job(job: ImportJob, progress: Progress | None = None) -> None:
    """Check every row; the job ends INVALID (with errors by row and field) or READY (with the
    checked rows saved beside the upload for the import)."""
    progress = progress or Progress(job, live=False)
    coop = job.cooperative
    mapping = job.mapping_dict
    header = job.header_list
    columns = {key: (header[i] or _("Column %(n)d", n=i + 1)) for key, i in mapping.items()}
    errors: list[dict] = []
    error_count = 0
    skipped: list[dict] = []
    skipped_count = 0
    seen_emails: dict[str, int] = {}
    seen_keys: dict[tuple, int] = {}
    seen_numbers: dict[int, int] = {}
    processed = 0
    max_number = 0
    to_import = 0
    tmp = job.rows_path.with_suffix(".tmp")
    day = today()
    check = RowChecker(mapping, coop, on=day)
    checked_from = utcnow()
    _custom_plans()
    registered = _Registered(coop.id)

    def add_error(entry):
        nonlocal error_count
        error_count += 1
        if len(errors) < MAX_STORED_ERRORS:
            errors.append(entry)

    def add_skip(row, other, reason):
        nonlocal skipped_count
        skipped_count += 1
        if len(skipped) < MAX_STORED_SKIPPED:
            skipped.append({"row": row, "other": other, "reason": reason})

    with open(tmp, "w", encoding="utf-8", newline="") as out:
        tmp.chmod(0o600)
        # (CSV writes None as an empty cell, a date as yyyy-mm-dd; no checked value is "")
        write = csv.writer(out, lineterminator="\n").writerow
        for batch in _batches(iter_rows(job)):
            good: list[tuple[int, dict]] = []
            for row, values in batch:
                try:
                    good.append((row, check(values)))
                except RowError as e:
                    # in the order of the file's columns, as the board reads the row
                    for key, message in sorted(e.errors, key=lambda err: mapping.get(err[0], -1)):
                        add_error(_error(row, key, message, columns, values, mapping))
            by_email, by_key = registered.matches([v for _r, v in good])
            keep: list[tuple[int, dict]] = []
            for row, values in good:
                email, key = _identity(values)
                if email and email in by_email or key and key in by_key:
                    add_skip(row, by_email.get(email) if email in by_email else by_key.get(key),
                             "registered")
                    continue
                earlier = seen_emails.get(email) if email else None
                earlier = earlier or (seen_keys.get(key) if key else None)
                if earlier:
                    add_skip(row, earlier, "in_file")
                    continue
                if email:
                    seen_emails[email] = row
                if key:
                    seen_keys[key] = row
                keep.append((row, values))
            taken = registered.taken({v["number"] for _r, v in keep if v["number"]})
            values_by_row = dict(batch)
            for row, values in keep:
                n = values["number"]
                if n:
                    if n in taken:
                        add_error(_error(row, "number", _("Number %(n)d already belongs to another "
                                                           "member.", n=n), columns,
                                         values_by_row[row], mapping))
                        continue
                    if n in seen_numbers:
                        add_error(_error(row, "number", _("Number %(n)d is also in row %(row)d.",
                                                           n=n, row=seen_numbers[n]), columns,
                                         values_by_row[row], mapping))
                        continue
                    seen_numbers[n] = row
                    max_number = max(max_number, n)
                if not error_count:
                    write([row, *map(values.get, CHECKED_FIELDS)])
                to_import += 1
            processed += len(batch)
            progress(processed)
    job.total_rows = processed
    job.processed_rows = processed
    job.error_count = error_count
    job.errors = json.dumps(errors, ensure_ascii=False)
    job.skipped_count = skipped_count
    job.skipped = json.dumps(skipped, ensure_ascii=False)
    job.updated_at = utcnow()
    if error_count:
        job.status = ImportStatus.INVALID
        tmp.unlink(missing_ok=True)
    else:
        job.status = ImportStatus.READY
        job.imported_count = to_import  # to be imported
        # the highest number the file brings, on the first line, for numbering the rest
        with open(job.rows_path, "w", encoding="utf-8", newline="") as final, \
                open(tmp, encoding="utf-8", newline="") as rows:
            job.rows_path.chmod(0o600)
            final.write(json.dumps({"max_number": max_number, "rows": to_import,
                                    "checked_from": checked_from.isoformat()}) + "\n")
            for line in rows:
                final.write(line)
        tmp.unlink(missing_ok=True)
    db.session.flush()


# --- step 4: the import ----------------------------------------------------------------------


class ImportClash(Exception):
    """The register changed between checking and importing (e.g. a number was given meanwhile)."""

    def __init__(self, errors: list[dict]):
        self.errors = errors


#: The columns of the checked rows file, after the row number.
CHECKED_FIELDS = ("number", "admitted_on", "first_name", "name_prefix", "last_name", "street",
                  "house_number", "postcode", "city", "email", "phone", "born_on", "iban")


def _read_checked(job: ImportJob) -> tuple[dict, Iterator[list[str]]]:
    """The first line of the checked rows (JSON) and a reader of the rest: lists of strings,
    the row number first, then CHECKED_FIELDS ("" for none)."""
    handle = open(job.rows_path, encoding="utf-8", newline="")
    meta = json.loads(handle.readline())

    def records():
        with handle:
            yield from csv.reader(handle)

    return meta, records()


def _checked_values(records: Iterator[list[str]]) -> Iterator[tuple[int, dict]]:
    """The checked rows as (row number, values) with Python values, as validation kept them."""
    for record in records:
        values = dict(zip(CHECKED_FIELDS, (v or None for v in record[1:])))
        values["number"] = int(values["number"]) if values["number"] else None
        for key in ("born_on", "admitted_on"):
            if values[key]:
                values[key] = date.fromisoformat(values[key])
        yield int(record[0]), values


def import_job(job: ImportJob, progress: Progress | None = None) -> int:
    """Write the checked rows as admitted members with an "imported" history event, in the
    caller's transaction (all or nothing), and ONE audit entry. Returns how many were added.

    Rows that meanwhile match a registered member are skipped; a number that meanwhile belongs
    to another member raises :class:`ImportClash`.
    """
    from coop.orgs.models import Cooperative

    progress = progress or Progress(job, live=False)
    coop = job.cooperative
    actor_id = job.created_by_id
    meta, records = _read_checked(job)
    # Lock the cooperative's row for the numbers (concurrent admissions wait until we commit).
    last = db.session.execute(
        update(Cooperative).where(Cooperative.id == coop.id)
        .values(last_member_number=Cooperative.last_member_number)
        .returning(Cooperative.last_member_number)
    ).scalar_one()
    next_number = max(last, int(meta["max_number"] or 0))
    day = today()
    now = utcnow()
    added = 0
    processed = 0
    skipped = json.loads(job.skipped or "[]")
    skipped_count = job.skipped_count
    clashes: list[dict] = []
    # Nobody registered or changed since the rows were checked (the usual case): the checks of
    # the validation still hold and need not be repeated batch by batch.
    recheck = db.session.scalar(
        select(Member.id).where(Member.cooperative_id == coop.id,
                                Member.updated_at >= datetime.fromisoformat(meta["checked_from"])
                                - timedelta(minutes=1)).limit(1)) is not None
    postgres = db.session.get_bind().dialect.name == "postgresql"
    number_index = job.mapping_dict.get("number")
    number_column = job.header_list[number_index] if number_index is not None else None
    if postgres and not recheck:
        # The usual case on PostgreSQL: nothing to look up between rows, so every member goes
        # in one COPY that the database works through while the next rows are prepared.
        added, next_number = _stream_members(coop.id, records, int(meta["rows"]), next_number, day,
                                             now, actor_id, progress)
        processed = added
    else:
        for batch in _batches(_checked_values(records)):
            if recheck:
                _custom_plans()
            by_email, by_key = _existing(coop.id, [v for _r, v in batch]) if recheck else ({}, {})
            keep = []
            for row, values in batch:
                email, key = _identity(values)
                if email and email in by_email or key and key in by_key:
                    skipped_count += 1
                    if len(skipped) < MAX_STORED_SKIPPED:
                        skipped.append({"row": row, "other": by_email.get(email) or by_key.get(key),
                                        "reason": "registered"})
                    continue
                keep.append((row, values))
            taken = _taken_numbers(coop.id, {v["number"] for _r, v in keep if v["number"]}) if recheck else ()
            members = []
            for row, values in keep:
                number = values.pop("number")
                admitted_on = values.pop("admitted_on") or day
                if number in taken:
                    clashes.append({"row": row, "field": "number", "column": number_column, "value": str(number),
                                    "message": _("Number %(n)d already belongs to another member.", n=number)})
                    continue
                if not number:
                    next_number += 1
                    number = next_number
                members.append(_member_values(coop.id, values, number, admitted_on, now))
            processed += len(batch)
            if clashes or not members:
                progress(processed)
                continue
            if recheck:
                _generic_plans()
            if postgres:
                # ids from the table's own sequence, so that the events need no read-back
                for m, new_id in zip(members, _sequence_values("member", "id", len(members))):
                    m["id"] = new_id
                ids = {m["number"]: m["id"] for m in members}
                bulk_insert(Member.__table__, members)
            else:
                bulk_insert(Member.__table__, members)
                # the new ids, by number (unique in the cooperative)
                ids = dict(db.session.execute(
                    select(Member.number, Member.id).where(
                        Member.cooperative_id == coop.id, _in(Member.number, [m["number"] for m in members]))
                ).all())
            bulk_insert(MemberEvent.__table__,
                        [_imported_event(ids[m["number"]], m["admitted_on"], actor_id, now) for m in members])
            added += len(members)
            progress(processed)
    if clashes:
        raise ImportClash(clashes[:MAX_STORED_ERRORS])
    db.session.execute(update(Cooperative).where(Cooperative.id == coop.id)
                       .values(last_member_number=next_number))
    db.session.expire(coop, ["last_member_number"])
    audit.record("members.import", actor=job.created_by, cooperative=coop, obj=job, count=added,
                 skipped=skipped_count, kind=job.kind, file_sha256=job.file_sha256,
                 file_name_sha256=hashlib.sha256(job.original_name.encode()).hexdigest())
    job.imported_count = added
    job.skipped_count = skipped_count
    job.skipped = json.dumps(skipped, ensure_ascii=False)
    job.processed_rows = processed
    return added


def _sequence_values(table: str, column: str, n: int) -> list[int]:
    """PostgreSQL: ``n`` fresh values of the sequence behind ``table.column``, in one query."""
    return list(db.session.scalars(
        sql_text("SELECT nextval(pg_get_serial_sequence(:t, :c)) FROM generate_series(1, :n)"),
        {"t": table, "c": column, "n": n}))


def bulk_insert(table, rows: Iterable[dict]) -> None:
    """Insert many rows (all with the same keys) in the session's transaction.

    PostgreSQL: ``COPY … FROM STDIN`` on the session's own connection, about ten times faster
    than INSERTs for 100,000 members (each row updates the member table's indexes either way,
    but COPY has no per-statement round trip or parsing); ``rows`` may be a generator, which
    the database consumes while it produces. Elsewhere one executemany of the table's Core
    INSERT — not the ORM's ``insert(Member)``, which leaves out None values and so splits a
    batch into one statement per run of rows with the same empty fields.
    """
    rows = iter(rows)
    first = next(rows, None)
    if first is None:
        return
    connection = db.session.connection()
    if connection.dialect.name != "postgresql":
        db.session.execute(insert(table), [first, *rows])
        return
    columns = list(first)
    raw = connection.connection.driver_connection  # psycopg 3, in the session's transaction
    names = ", ".join(connection.dialect.identifier_preparer.quote(c) for c in columns)
    # Values must already be what the column stores: enum *values*, UTC datetimes.
    with raw.cursor() as cursor, cursor.copy(f"COPY {table.name} ({names}) FROM STDIN") as copy:
        copy.write_row([first[c] for c in columns])
        for row in rows:
            copy.write_row([row[c] for c in columns])


def _imported_event(member_id: int, admitted_on: date, actor_id: int | None, now: datetime) -> dict:
    return {"member_id": member_id, "kind": "imported", "from_status": None,
            "to_status": MemberStatus.MEMBER.value, "effective_on": admitted_on, "reason": None,
            "actor_id": actor_id, "is_applied": True, "created_at": now}


#: The columns a new member gets from an import, in the order of :func:`_member_values`.
MEMBER_COLUMNS = ("cooperative_id", "number", "status", "first_name", "name_prefix", "last_name",
                  "street", "house_number", "postcode", "city", "email", "phone", "born_on", "iban",
                  "sort_name", "channel", "email_consent_at", "privacy_consent_at", "admitted_on",
                  "applied_on", "has_appealed", "created_at", "updated_at")
EVENT_COLUMNS = ("member_id", "kind", "from_status", "to_status", "effective_on", "reason",
                 "actor_id", "is_applied", "created_at")


def _stream_members(coop_id: int, records: Iterator[list[str]], expected: int, next_number: int,
                    day: date, now: datetime, actor_id: int | None, progress: Progress) -> tuple[int, int]:
    """PostgreSQL, nothing to recheck: all members in one COPY, then all their events.
    Returns (members added, last membership number given).

    The checked rows are already text, so they go to the server as CSV text without becoming
    Python values on the way (the server parses them as it would the values of an INSERT; a
    value it cannot store fails the whole import). The same columns and values as
    :func:`_member_values`; the ids come from the table's own sequence, so the events need no
    read-back."""
    ids = iter(_sequence_values("member", "id", expected))
    stamp = now.isoformat()
    admitted_today = day.isoformat()
    actor = "" if actor_id is None else str(actor_id)
    member = MemberStatus.MEMBER.value
    events: list[str] = []
    connection = db.session.connection()
    raw = connection.connection.driver_connection  # psycopg 3, in the session's transaction
    buffer = io.StringIO()
    write = csv.writer(buffer, lineterminator="\n").writerow
    with raw.cursor() as cursor:
        with cursor.copy(f"COPY member ({', '.join(MEMBER_COLUMNS)}, id) FROM STDIN WITH (FORMAT csv)") as copy:
            for record in records:  # row, number, admitted_on, then the member's fields
                number = record[1]
                if not number:
                    next_number += 1
                    number = next_number
                admitted_on = record[2] or admitted_today
                member_id = next(ids)
                write((*_member_row(coop_id, number, admitted_on, *record[3:], stamp), member_id))
                # as _imported_event, in EVENT_COLUMNS order
                events.append(f"{member_id},imported,,{member},{admitted_on},,{actor},t,{stamp}\n")
                if len(events) % BATCH_SIZE == 0:
                    copy.write(buffer.getvalue())
                    buffer.seek(0)
                    buffer.truncate()
                    progress(len(events))
            copy.write(buffer.getvalue())
        with cursor.copy(f"COPY member_event ({', '.join(EVENT_COLUMNS)}) FROM STDIN WITH (FORMAT csv)") as copy:
            for start in range(0, len(events), BATCH_SIZE):
                copy.write("".join(events[start:start + BATCH_SIZE]))
    progress(len(events))
    return len(events), next_number


def _member_row(coop_id: int, number, admitted_on, first_name, name_prefix, last_name, street,
                house_number, postcode, city, email, phone, born_on, iban, now) -> tuple:
    """The values of MEMBER_COLUMNS for a new member (enums as their stored values)."""
    return (coop_id, number, MemberStatus.MEMBER.value, first_name, name_prefix, last_name, street,
            house_number, postcode, city, email, phone, born_on, iban,
            make_sort_name(first_name, last_name, name_prefix),
            # No consent to e-mail is known from a file: letters until the member says otherwise.
            Channel.LETTER.value, None, None, admitted_on, None, False, now, now)


def _member_values(coop_id: int, values: dict, number: int, admitted_on: date, now: datetime) -> dict:
    """Every column of a new member (the same keys for every row: one executemany or COPY)."""
    return dict(zip(MEMBER_COLUMNS, _member_row(coop_id, number, admitted_on,
                                                *map(values.get, CHECKED_FIELDS[2:]), now)))


# --- running the steps -----------------------------------------------------------------------


def run_step(job_id: int, step: str, *, live: bool) -> None:
    """Run validation (``step="validate"``) or the import (``"import"``) of a job.

    Owns its transactions like a CLI command: with ``live`` (a background thread) it commits;
    otherwise it only flushes and the caller commits. Members are written in one savepoint:
    on any failure none of them remain, and the job says FAILED.
    """
    job = db.session.get(ImportJob, job_id)
    expected = ImportStatus.VALIDATING if step == "validate" else ImportStatus.IMPORTING
    if job is None or job.status != expected:
        return
    with force_locale(job.locale or "nl"):
        if step == "validate":
            _run_validation(job, live=live)
        else:
            _run_import(job, live=live)
    if live:
        db.session.commit()
    else:
        db.session.flush()


def _fail(job: ImportJob, message: str, errors: list[dict] | None = None) -> None:
    job.status = ImportStatus.FAILED
    entries = errors or [{"row": None, "field": None, "column": None, "value": None, "message": message}]
    job.errors = json.dumps(entries, ensure_ascii=False)
    job.error_count = len(entries)
    job.finished_at = job.updated_at = utcnow()


def _run_validation(job: ImportJob, *, live: bool) -> None:
    try:
        try:
            validate_job(job, Progress(job, live=live))
        except BaseException:
            job.rows_path.with_suffix(".tmp").unlink(missing_ok=True)
            raise
    except DomainError as error:
        if live:
            db.session.rollback()
        _fail(job, str(error.message))
    except Exception:
        log.exception("import job %s: validation failed", job.id)
        if live:
            db.session.rollback()
        _fail(job, _("The file could not be checked because of an unexpected error."))


def _run_import(job: ImportJob, *, live: bool) -> None:
    # While the members' transaction is open, SQLite lets no other connection write, so the
    # progress of the import is only reported live on PostgreSQL.
    progress = Progress(job, live=live and db.engine.dialect.name != "sqlite")
    job_id = job.id
    try:
        with db.session.begin_nested():
            import_job(job, progress)
            job.status = ImportStatus.DONE
            job.finished_at = job.updated_at = utcnow()
            job.errors = "[]"
            job.error_count = 0
            job.preview = "[]"
    except ImportClash as clash:
        job = db.session.get(ImportJob, job_id)
        _fail(job, "", clash.errors)
        audit.record("members.import_failed", actor=job.created_by, cooperative=job.cooperative,
                     obj=job, reason="number_clash", rows=len(clash.errors))
        return
    except Exception:
        log.exception("import job %s: import failed", job_id)
        job = db.session.get(ImportJob, job_id)
        _fail(job, _("The import failed because of an unexpected error. Nothing was written."))
        audit.record("members.import_failed", actor=job.created_by, cooperative=job.cooperative,
                     obj=job, reason="error")
        return
    # imported: the upload (personal data) is no longer needed
    if live:
        db.session.commit()
    _delete_files(job)


def launch(job: ImportJob, step: str) -> None:
    """Start a step of a job whose status the view has just committed.

    In a background thread with its own app context and session; with ``IMPORT_SYNC`` in the
    calling thread, committing at the end (tests and benchmarks: deterministic).
    """
    app = current_app._get_current_object()
    if app.config.get("IMPORT_SYNC"):
        run_step(job.id, step, live=False)
        db.session.commit()
        return
    thread = threading.Thread(target=_thread_main, args=(app, job.id, step),
                              name=f"member-import-{job.id}", daemon=True)
    thread.start()


def _thread_main(app, job_id: int, step: str) -> None:
    with app.app_context():
        try:
            run_step(job_id, step, live=True)
        except Exception:
            log.exception("import job %s: %s crashed", job_id, step)
            db.session.rollback()
            job = db.session.get(ImportJob, job_id)
            if job is not None:
                with force_locale(job.locale or "nl"):
                    _fail(job, _("The job stopped because of an unexpected error."))
                db.session.commit()
        finally:
            db.session.remove()
