"""Domain errors and the HTTP error pages."""
from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from flask_wtf.csrf import CSRFError

from coop.core.i18n import lazy_gettext as _l


class DomainError(Exception):
    """A rule of the domain refused a change. ``message`` is translatable and shown to users."""

    def __init__(self, message, field: str | None = None):
        # Keep the (lazy) message as it is: it is translated when shown, in the reader's
        # language, and raising it needs no request (CLI, background jobs).
        super().__init__(message)
        self.message = message
        self.field = field

    def __str__(self) -> str:
        try:
            return str(self.message)
        except RuntimeError:  # no app or request context to translate in
            args = self.message.__dict__.get("_args") if hasattr(self.message, "__dict__") else None
            return args[0] if args else object.__repr__(self.message)


ERROR_TITLES = {
    400: _l("Bad request"),
    403: _l("Not allowed"),
    404: _l("Page not found"),
    405: _l("Method not allowed"),
    413: _l("Upload too large"),
    429: _l("Too many attempts"),
    500: _l("Something went wrong"),
    503: _l("Service unavailable"),
}

ERROR_TEXTS = {
    400: _l("The request could not be understood. Please go back and try again."),
    403: _l("You do not have permission to see this page."),
    404: _l("There is no page at this address, or you may not see it."),
    405: _l("This address does not accept that kind of request."),
    413: _l("The file you sent is larger than allowed."),
    429: _l("Too many attempts in a short time. Please wait a few minutes and try again."),
    500: _l("An unexpected error occurred. It has been logged; please try again later."),
    503: _l("The service is temporarily unavailable. Please try again later."),
}


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.path == "/health"


def render_error(code: int, detail=None):
    if _wants_json():
        return jsonify({"error": str(ERROR_TITLES.get(code, code)), "status": code}), code
    return (
        render_template(
            "errors/error.html",
            code=code,
            title=ERROR_TITLES.get(code, ERROR_TITLES[500]),
            text=detail or ERROR_TEXTS.get(code, ERROR_TEXTS[500]),
        ),
        code,
    )


def register_error_handlers(app: Flask) -> None:
    for code in (400, 403, 404, 405, 413, 429, 500):
        app.register_error_handler(code, lambda e, code=code: render_error(code))

    @app.errorhandler(CSRFError)
    def csrf_error(e):
        return render_error(
            400, _l("The form had expired or was not sent from this site. Please try again.")
        )
