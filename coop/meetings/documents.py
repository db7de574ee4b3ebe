"""Meeting documents and proxy scans: type checked by content (never by the name), size capped
while the upload streams in, stored under ``instance/`` with a random name."""
from __future__ import annotations

import hashlib
import secrets
import zipfile
from pathlib import Path

from flask import current_app

from coop.core.i18n import lazy_gettext as _l
from coop.core.errors import DomainError

#: Largest document accepted (checked while copying, so a 200 MB upload stops at 20 MB).
MAX_BYTES = 20 * 1024 * 1024
DOCUMENT_TYPES = ("pdf", "odt", "docx", "xlsx")
SCAN_TYPES = ("pdf", "png", "jpeg")
MIME = {"pdf": "application/pdf", "odt": "application/vnd.oasis.opendocument.text",
        "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "png": "image/png", "jpeg": "image/jpeg"}
#: Zip containers: too many entries or a huge unpacked size is refused before reading.
MAX_ZIP_ENTRIES = 5000
MAX_ZIP_UNPACKED = 200 * 1024 * 1024


def folder() -> Path:
    path = Path(current_app.config["UPLOAD_DIR"]) / "meetings"
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def path_of(stored_name: str) -> Path:
    return folder() / stored_name


def detect(path: Path) -> str | None:
    """The file's type from its bytes: pdf, odt, docx, xlsx, png, jpeg, or None."""
    with open(path, "rb") as f:
        head = f.read(8)
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if not head.startswith(b"PK\x03\x04"):
        return None
    try:
        with zipfile.ZipFile(path) as z:
            infos = z.infolist()
            if len(infos) > MAX_ZIP_ENTRIES or sum(i.file_size for i in infos) > MAX_ZIP_UNPACKED:
                return None
            names = {i.filename for i in infos}
            if "mimetype" in names and z.read("mimetype").strip() == b"application/vnd.oasis.opendocument.text":
                return "odt"
            if "word/document.xml" in names and "[Content_Types].xml" in names:
                return "docx"
            if "xl/workbook.xml" in names and "[Content_Types].xml" in names:
                return "xlsx"
    except (zipfile.BadZipFile, OSError, KeyError):
        return None
    return None


def store(stream, *, allowed: tuple[str, ...], limit: int = MAX_BYTES) -> tuple[str, str, int, str]:
    """Copy an upload to a random name; returns (stored name, type, size, sha256)."""
    name = secrets.token_hex(16)
    target = path_of(name)
    digest, size = hashlib.sha256(), 0
    try:
        with open(target, "xb") as out:
            target.chmod(0o600)
            while chunk := stream.read(64 * 1024):
                size += len(chunk)
                if size > limit:
                    raise DomainError(_l("The file is larger than %(mb)d MB.", mb=limit // (1024 * 1024)),
                                      field="file")
                digest.update(chunk)
                out.write(chunk)
        if size == 0:
            raise DomainError(_l("The file is empty."), field="file")
        kind = detect(target)
        if kind not in allowed:
            raise DomainError(_l("This file is not one of the accepted kinds (%(kinds)s), whatever its name says.",
                                 kinds=", ".join(k.upper() for k in allowed)), field="file")
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    return name, kind, size, digest.hexdigest()
