"""The access matrix: every endpoint, every kind of visitor, the expected answer.

The test walks ``app.url_map`` and fails for any endpoint without a declared expectation here,
so a new route cannot escape review. Later issues add rows; rows are never removed.

Outcomes: ``ok`` (served, or redirected elsewhere than the login page, or a form error),
``login`` (sent to the login page), ``403`` (known here, not allowed), ``404`` (another tenant:
the page does not exist for this visitor).
"""
import pytest

PERSONAS = ["anonymous", "member_a", "board_a", "member_b", "board_b", "liaison_m", "liaison_n", "admin"]


def row(anonymous, member_a, board_a, member_b, board_b, liaison_m, liaison_n, admin):
    return dict(zip(PERSONAS, [anonymous, member_a, board_a, member_b, board_b, liaison_m, liaison_n, admin]))


PUBLIC = row("ok", "ok", "ok", "ok", "ok", "ok", "ok", "ok")
SIGNED_IN = row("login", "ok", "ok", "ok", "ok", "ok", "ok", "ok")
#: pages of cooperative A (municipality M)
COOP_A_MEMBER = row("login", "ok", "ok", "404", "404", "404", "404", "404")
COOP_A_BOARD = row("login", "403", "ok", "404", "404", "404", "404", "404")
#: pages of municipality M
MUNI_M_LIAISON = row("login", "404", "404", "404", "404", "ok", "404", "404")
ADMIN = row("login", "403", "403", "403", "403", "403", "403", "ok")

#: endpoint → (URL arguments, expectation for each method)
MATRIX = {
    "static": ({"filename": "css/app.css"}, {"GET": PUBLIC}),
    "core.home": ({}, {"GET": PUBLIC}),
    "core.health": ({}, {"GET": PUBLIC}),
    "core.set_language": ({}, {"POST": PUBLIC}),
    "core.me": ({}, {"GET": SIGNED_IN}),
    "auth.login": ({}, {"GET": PUBLIC, "POST": PUBLIC}),
    "auth.logout": ({}, {"POST": SIGNED_IN}),
    "auth.forgot_password": ({}, {"GET": PUBLIC, "POST": PUBLIC}),
    "auth.reset_password": ({"token": "not-a-token"}, {"GET": PUBLIC, "POST": PUBLIC}),
    "auth.accept_invitation": ({"token": "not-a-token"}, {"GET": PUBLIC, "POST": PUBLIC}),
    "auth.account": ({}, {"GET": SIGNED_IN, "POST": SIGNED_IN}),
    "auth.change_password": ({}, {"POST": SIGNED_IN}),
    "orgs.coop_home": ({"coop": "coop-a"}, {"GET": COOP_A_MEMBER}),
    "orgs.coop_statutes": ({"coop": "coop-a"}, {"GET": COOP_A_MEMBER}),
    "orgs.edit_statutes": ({"coop": "coop-a"}, {"GET": COOP_A_BOARD, "POST": COOP_A_BOARD}),
    "orgs.coop_people": ({"coop": "coop-a"}, {"GET": COOP_A_BOARD, "POST": COOP_A_BOARD}),
    "orgs.coop_audit": ({"coop": "coop-a"}, {"GET": COOP_A_BOARD}),
    "orgs.municipality_home": ({"municipality": "gem-m"}, {"GET": MUNI_M_LIAISON}),
    "orgs.municipality_people": ({"municipality": "gem-m"}, {"GET": MUNI_M_LIAISON, "POST": MUNI_M_LIAISON}),
    "orgs.municipality_audit": ({"municipality": "gem-m"}, {"GET": MUNI_M_LIAISON}),
    "admin.index": ({}, {"GET": ADMIN}),
    "admin.new_municipality": ({}, {"GET": ADMIN, "POST": ADMIN}),
    "admin.new_cooperative": ({}, {"GET": ADMIN, "POST": ADMIN}),
    "admin.invite": ({}, {"GET": ADMIN, "POST": ADMIN}),
    "admin.audit": ({}, {"GET": ADMIN}),
}


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
            url = url_for(endpoint, **args)
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
