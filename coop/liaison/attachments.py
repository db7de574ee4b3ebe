"""Attachments of requests: the type is found from the content (magic bytes), never from the
name; the size is capped; files are stored under the upload folder with a random name and
served only through permission-checked views."""
from __future__ import annotations

import hashlib
import io
import secrets
import zipfile
from pathlib import Path

from flask import current_app

from coop.core.i18n import lazy_gettext as _l
from coop.core.errors import DomainError

MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024

#: Office documents are ZIP files; these members tell them from any other ZIP.
_OFFICE_TYPES = {
    "word/document.xml": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xl/workbook.xml": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
_ODF_MIMETYPES = {"application/vnd.oasis.opendocument.text", "application/vnd.oasis.opendocument.spreadsheet"}


def sniff(data: bytes) -> str | None:
    """The content type of an allowed document, or None: PDF, PNG, JPEG, DOCX/XLSX, ODT/ODS."""
    if data.startswith(b"%PDF-"):
        return "application/pdf"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as z:
                names = set(z.namelist())
                if "mimetype" in names:
                    kind = z.read("mimetype").decode("ascii", "replace").strip()
                    return kind if kind in _ODF_MIMETYPES else None
                for member, kind in _OFFICE_TYPES.items():
                    if member in names and "[Content_Types].xml" in names:
                        return kind
        except (zipfile.BadZipFile, OSError, ValueError):
            return None
    return None


def upload_dir() -> Path:
    path = Path(current_app.config["UPLOAD_DIR"]) / "liaison"
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def read_upload(storage) -> tuple[bytes, str, str]:
    """Read an uploaded file: (bytes, content type, clean file name); DomainError if refused."""
    data = storage.stream.read(MAX_ATTACHMENT_BYTES + 1)
    if len(data) > MAX_ATTACHMENT_BYTES:
        raise DomainError(_l("The file is larger than %(mb)d MB.", mb=MAX_ATTACHMENT_BYTES // (1024 * 1024)),
                          field="file")
    if not data:
        raise DomainError(_l("The file is empty."), field="file")
    kind = sniff(data)
    if kind is None:
        raise DomainError(_l("Only PDF, PNG, JPEG and Word, Excel or OpenDocument files are accepted."),
                          field="file")
    name = Path((storage.filename or "document").replace("\\", "/")).name
    name = "".join(c for c in name if c.isprintable() and c not in '"<>|:*?')[:200] or "document"
    return data, kind, name


def store(data: bytes) -> tuple[str, str]:
    """Write the bytes under a random name; returns (stored name, SHA-256)."""
    stored = secrets.token_hex(16)
    target = upload_dir() / stored
    with open(target, "xb") as out:
        target.chmod(0o600)
        out.write(data)
    return stored, hashlib.sha256(data).hexdigest()


def path_of(stored_name: str) -> Path:
    return upload_dir() / stored_name
