"""Forms of the register import: the upload and the column mapping."""
from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import SelectField

from coop.core.i18n import lazy_gettext as _l
from coop.members.importing import MAX_UPLOAD_BYTES, REQUIRED_FIELDS, TARGET_FIELDS


class UploadForm(FlaskForm):
    file = FileField(
        _l("Register file (CSV or Excel .xlsx)"),
        validators=[FileRequired(_l("Choose a file."))],
        description=_l("At most %(mb)d MB. The first row holds the column names; every other row is "
                       "one member. CSV files may use semicolons, commas or tabs.",
                       mb=MAX_UPLOAD_BYTES // (1024 * 1024)),
    )


class ActionForm(FlaskForm):
    """A button that posts (start the import, cancel): only the CSRF token."""


class MappingFormBase(FlaskForm):
    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        used: dict[str, str] = {}
        for key in TARGET_FIELDS:
            f = getattr(self, key)
            if key in REQUIRED_FIELDS and not f.data:
                f.errors.append(_l("Choose the column that holds this field."))
                ok = False
            elif f.data:
                if f.data in used:
                    f.errors.append(_l("This column is already chosen for “%(other)s”.",
                                       other=TARGET_FIELDS[used[f.data]]))
                    ok = False
                else:
                    used[f.data] = key
        return ok

    def mapping(self) -> dict[str, int]:
        return {key: int(getattr(self, key).data) for key in TARGET_FIELDS if getattr(self, key).data}


def mapping_form(header: list[str], current: dict[str, int], *, submitted: bool = False):
    """A select per target field; the choices are the file's columns (by position)."""
    choices = [("", _l("— not imported —"))] + [
        (str(i), name or _l("Column %(n)d", n=i + 1)) for i, name in enumerate(header)
    ]

    class MappingForm(MappingFormBase):
        pass

    for key, label in TARGET_FIELDS.items():
        description = _l("Required.") if key in REQUIRED_FIELDS else None
        if key in ("born_on", "admitted_on"):
            description = _l("Dates as dd-mm-yyyy or yyyy-mm-dd.")
        if key == "admitted_on":
            description = _l("Dates as dd-mm-yyyy or yyyy-mm-dd. Without a date: admitted today.")
        if key == "number":
            description = _l("Rows without a number get the next free numbers.")
        setattr(MappingForm, key, SelectField(label, choices=choices, default="", description=description))
    data = {key: str(index) for key, index in current.items()}
    # Only the mapping's own POST fills the form from the request (not the other buttons' posts).
    # A field missing from a submitted form is "not imported" (not the guess).
    return MappingForm() if submitted else MappingForm(formdata=None, data=data)
