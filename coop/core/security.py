"""Security headers, with a strict Content-Security-Policy: nothing inline, nothing from elsewhere."""
from __future__ import annotations

from flask import abort, request

CSP = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])


def init_app(app) -> None:
    @app.after_request
    def security_headers(response):
        h = response.headers
        h.setdefault("Content-Security-Policy", CSP)
        h.setdefault("X-Content-Type-Options", "nosniff")
        h.setdefault("X-Frame-Options", "DENY")
        h.setdefault("Referrer-Policy", "same-origin")
        h.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        h.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=(), interest-cohort=()")
        if app.config["IS_PRODUCTION"]:
            h.setdefault("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
        if response.mimetype == "text/html":
            # Pages can hold personal data: never stored by shared caches.
            h.setdefault("Cache-Control", "no-store")
        return response


def refuse_nul_in_url(endpoint, values) -> None:
    """A NUL character in the path or query string gets a 400 before any lookup: PostgreSQL
    cannot compare text with it and would answer with a server error."""
    if b"%00" in request.query_string or b"\x00" in request.query_string or any(
            isinstance(v, str) and "\x00" in v for v in (values or {}).values()):
        abort(400)
