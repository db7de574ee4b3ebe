import re
from pathlib import Path

import pytest
from flask import url_for

from tests.conftest import TEST_PASSWORD
from tests.security.matrix import MATRIX
from tests.security.test_access_matrix import resolve

#: The JSON API is left out: it never reads the session cookie (bearer tokens only), so a forged
#: cross-site request carries no credentials; tests/liaison/test_api.py checks that a signed-in
#: browser without a token gets 401 there.
POST_ENDPOINTS = [(ep, args) for ep, (args, methods) in MATRIX.items()
                  if "POST" in methods and not ep.startswith("api.")]


@pytest.fixture
def csrf_on(app, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)


@pytest.mark.parametrize("endpoint,args", POST_ENDPOINTS, ids=[e for e, _ in POST_ENDPOINTS])
def test_post_without_csrf_token_is_refused(app, client, world, login_as, csrf_on, endpoint, args):
    login_as(client, world.admin if endpoint.startswith("admin.") else world.board_a)
    with app.test_request_context():
        url = url_for(endpoint, **resolve(args, world))
    r = client.post(url, data={"email": "x@example.net"})
    assert r.status_code == 400
    assert "The form had expired or was not sent from this site" in r.get_data(as_text=True)


def test_form_with_token_works(client, world, csrf_on):
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    r = client.post("/login", data={"csrf_token": token, "email": "member-a@example.net",
                                    "password": TEST_PASSWORD})
    assert r.status_code == 302


def test_strict_csp_and_security_headers_on_pages(client, world, login_as):
    login_as(client, world.board_a)
    for url in ["/", "/c/coop-a/", "/login", "/does-not-exist"]:
        r = client.get(url)
        csp = r.headers["Content-Security-Policy"]
        assert "default-src 'self'" in csp and "script-src 'self'" in csp
        assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
        assert "frame-ancestors 'none'" in csp
        assert r.headers["X-Content-Type-Options"] == "nosniff"
        assert r.headers["X-Frame-Options"] == "DENY"


ROOT = Path(__file__).resolve().parents[2]


def test_templates_have_no_inline_script_or_style_and_no_other_hosts():
    for path in (ROOT / "templates").rglob("*.html"):
        text = path.read_text()
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text), f"inline <script> in {path}"
        assert "<style" not in text and ' style="' not in text, f"inline style in {path}"
        assert not re.search(r"\son[a-z]+=", text), f"inline event handler in {path}"
        for url in re.findall(r"""(?:src|href)=["'](https?:)?//[^"']+""", text):
            pytest.fail(f"{path} loads from another host: {url}")


def test_error_pages_in_both_languages(client):
    en = client.get("/nowhere", headers={"Accept-Language": "en"})
    assert en.status_code == 404 and "Page not found" in en.get_data(as_text=True)
    nl = client.get("/nowhere", headers={"Accept-Language": "nl"})
    assert nl.status_code == 404 and "Pagina niet gevonden" in nl.get_data(as_text=True)
