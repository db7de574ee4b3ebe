"""Small helpers that every area's views use with their forms."""
from __future__ import annotations

from urllib.parse import urlsplit

from coop.core.errors import DomainError


def apply_domain_error(form, error: DomainError) -> None:
    """Show a service's refusal on the field it concerns, or on the form as a whole."""
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = list(field.errors) + [str(error.message)]
    else:
        form.form_errors.append(str(error.message))


def safe_next(target: str | None) -> str | None:
    """Only local paths are followed after sign-in (no open redirects)."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


def attempt(form, action) -> bool:
    """Run one service call for a submitted form: commit when it succeeds, or roll back and
    show the service's refusal on the form. Returns whether it succeeded."""
    from coop.extensions import db

    try:
        action()
    except DomainError as error:
        db.session.rollback()
        apply_domain_error(form, error)
        return False
    db.session.commit()
    return True


def form_status(form) -> int:
    """The status for re-showing a form: 400 when it was refused, 200 when first shown."""
    return 400 if form.errors or form.form_errors else 200
