"""The access matrix: every endpoint, every kind of visitor, the expected answer.

The test walks ``app.url_map`` and fails for any endpoint without a declared expectation here,
so a new route cannot escape review. Later issues add rows; rows are never removed.

Outcomes: ``ok`` (served, or redirected elsewhere than the login page, or a form error),
``login`` (sent to the login page), ``403`` (known here, not allowed), ``404`` (another tenant:
the page does not exist for this visitor).
"""
import pytest

from tests.security.matrix import MATRIX, PERSONAS  # noqa: E402


def resolve(args: dict, world) -> dict:
    """URL arguments may be callables of the test world, e.g. ``lambda w: w.record_a.id``."""
    return {k: (v(world) if callable(v) else v) for k, v in args.items()}


def classify(response) -> str:
    if response.status_code == 404:
        return "404"
    if response.status_code == 403:
        return "403"
    if response.status_code in (301, 302, 303) and "/login" in response.headers.get("Location", ""):
        return "login"
    assert response.status_code < 500, response.get_data(as_text=True)[:500]
    return "ok"


def test_every_endpoint_has_a_declared_expectation(app):
    endpoints = {r.endpoint for r in app.url_map.iter_rules()}
    missing = endpoints - MATRIX.keys()
    assert not missing, f"endpoints without an access-matrix row: {sorted(missing)}"
    stale = MATRIX.keys() - endpoints
    assert not stale, f"matrix rows for endpoints that no longer exist: {sorted(stale)}"
    for rule in app.url_map.iter_rules():
        methods = rule.methods - {"HEAD", "OPTIONS"}
        assert methods == set(MATRIX[rule.endpoint][1]), f"{rule.endpoint}: methods {methods}"


def test_every_view_declares_a_permission(app):
    for endpoint, view in app.view_functions.items():
        assert getattr(view, "access", None), f"{endpoint} declares no permission"


@pytest.mark.parametrize("persona", PERSONAS)
def test_access_matrix(app, client, db, world, login_as, persona):
    from flask import url_for

    if persona != "anonymous":
        login_as(client, getattr(world, persona))
    failures = []
    for endpoint, (args, expectations) in MATRIX.items():
        with app.test_request_context():
            url = url_for(endpoint, **resolve(args, world))
        for method, expected in expectations.items():
            response = client.open(url, method=method, data={})
            got = classify(response)
            if got != expected[persona]:
                failures.append(f"{method} {url}: expected {expected[persona]}, got {got} ({response.status_code})")
        if persona != "anonymous" and endpoint == "auth.logout":
            user = getattr(world, persona)
            db.session.refresh(user)  # logging out rotated the session token
            login_as(client, user)
    assert not failures, "\n".join(failures)
