"""The API for municipal case systems (municipality tokens), its OpenAPI description (fuzzed with
schemathesis) and the read-only Open311 GeoReport v2 view."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from coop.api import tokens
from coop.api.models import ApiToken
from coop.api.openapi import build_document
from coop.core.audit import AuditEntry
from coop.liaison import services
from coop.liaison.models import RequestKind, RequestMessage, RequestStatus
from tests.liaison.conftest import catalogue_type

BASE = "/api/v1/municipalities/gem-m/requests"


def bearer(secret):
    return {"Authorization": f"Bearer {secret}"}


@pytest.fixture
def token_m(db, world):
    _t, secret = tokens.create_token("Zaaksysteem", actor=world.liaison_m, municipality=world.muni_m)
    db.session.commit()
    return secret


def test_list_and_read_with_a_municipality_token(client, db, world, submitted, token_m):
    r = client.get(BASE, headers=bearer(token_m))
    assert r.status_code == 200 and r.headers["Cache-Control"] == "no-store"
    [item] = r.json["items"]
    assert item["receipt_number"] == submitted.receipt_number and item["cooperative"]["slug"] == "coop-a"
    assert item["due_on"] == "2026-04-28" and item["kind"] == "decision"
    one = client.get(f"{BASE}/{submitted.id}", headers=bearer(token_m)).json
    assert one["body"] == "Wij vragen subsidie aan." and one["events"][0]["kind"] == "submitted"


def test_filters(client, db, world, submitted, token_m):
    woo = services.create_draft(world.coop_a, catalogue_type(world.muni_m, RequestKind.WOO), subject="Woo",
                                body="B", actor=world.board_a)
    services.submit(woo, actor=world.board_a)
    db.session.commit()
    kinds = lambda q: {i["kind"] for i in client.get(BASE + q, headers=bearer(token_m)).json["items"]}  # noqa: E731
    assert kinds("") == {"decision", "woo"}
    assert kinds("?kind=woo") == {"woo"}
    assert kinds("?overdue=true") == {"decision"}  # received 2 March 2026, long ago
    assert kinds("?cooperative=coop-b") == set()
    # Every filter, alone and together (each combination is a statement of its own, built once).
    services.acknowledge(woo, actor=world.liaison_m)
    db.session.commit()
    assert kinds("?status=acknowledged") == {"woo"} and kinds("?status=submitted") == {"decision"}
    assert kinds("?overdue=false") == {"woo"}
    assert kinds("?cooperative=coop-a&kind=decision&overdue=true&status=submitted") == {"decision"}
    assert kinds("?cooperative=coop-a&kind=woo&overdue=true") == set()
    assert kinds("?updated_since=2000-01-01T00:00:00Z") == {"decision", "woo"}
    assert kinds("?updated_since=2999-01-01T00:00:00Z&kind=woo") == set()
    assert client.get(BASE + "?kind=nonsense", headers=bearer(token_m)).status_code == 400
    assert client.get(BASE + "?overdue=maybe", headers=bearer(token_m)).json["parameter"] == "overdue"


def test_next_links_continue_after_the_last_id_and_counts_stop_at_the_cap(client, db, world, token_m, monkeypatch):
    from coop.api import requests as api_requests

    woo = catalogue_type(world.muni_m, RequestKind.WOO)
    ids = []
    for i in range(5):
        req = services.create_draft(world.coop_a, woo, subject=f"Verzoek {i}", body="B", actor=world.board_a)
        services.submit(req, actor=world.board_a)
        ids.append(req.id)
    db.session.commit()
    seen, url = [], BASE + "?per_page=2&kind=woo"
    while url:
        body = client.get(url, headers=bearer(token_m)).json
        assert body["total"] == 5 and body["total_is_capped"] is False and len(body["items"]) <= 2
        seen += [i["id"] for i in body["items"]]
        url = body["next"]
        assert url is None or ("after=" in url and "kind=woo" in url and "per_page=2" in url)
    assert seen == ids
    after = client.get(f"{BASE}?after={ids[2]}", headers=bearer(token_m)).json
    assert [i["id"] for i in after["items"]] == ids[3:] and after["next"] is None
    assert client.get(BASE + "?page=3&per_page=2", headers=bearer(token_m)).json["items"][0]["id"] == ids[4]
    # Past the end: no rows to carry the count, which is then counted on its own.
    for past in ("?page=4&per_page=2", f"?after={ids[4]}"):
        body = client.get(BASE + past, headers=bearer(token_m)).json
        assert body["items"] == [] and body["total"] == 5 and body["next"] is None
    assert client.get(BASE + "?after=-1", headers=bearer(token_m)).json["parameter"] == "after"
    monkeypatch.setattr(api_requests, "COUNT_CAP", 3)
    capped = client.get(BASE, headers=bearer(token_m)).json
    assert capped["total"] == 3 and capped["total_is_capped"] is True and len(capped["items"]) == 5


def test_drafts_and_other_municipalities_are_invisible(client, db, world, draft, token_m):
    assert client.get(BASE, headers=bearer(token_m)).json["total"] == 0
    assert client.get(f"{BASE}/{draft.id}", headers=bearer(token_m)).status_code == 404
    _t, secret_n = tokens.create_token("N", actor=world.liaison_n, municipality=world.muni_n)
    _t, secret_a = tokens.create_token("A", actor=world.board_a, cooperative=world.coop_a)
    db.session.commit()
    for secret in (secret_n, secret_a):
        assert client.get(BASE, headers=bearer(secret)).status_code == 404


def test_forged_and_revoked_tokens_get_401(client, db, world, submitted, token_m):
    assert client.get(BASE, headers=bearer("coop_forged" + "x" * 32)).status_code == 401
    token = db.session.scalar(select(ApiToken).where(ApiToken.municipality_id == world.muni_m.id))
    tokens.revoke_token(token, actor=world.liaison_m)
    db.session.commit()
    r = client.post(f"{BASE}/{submitted.id}/status", json={"status": "acknowledged"}, headers=bearer(token_m))
    assert r.status_code == 401
    db.session.refresh(submitted)
    assert submitted.status is RequestStatus.SUBMITTED


def test_a_signed_in_browser_without_a_token_cannot_post(client, db, world, submitted, login_as):
    """No CSRF protection is needed on the API because it ignores the session cookie."""
    login_as(client, world.liaison_m)
    assert client.get(f"/m/gem-m/requests/{submitted.id}").status_code == 200  # signed in
    for path, body in [("status", {"status": "acknowledged"}), ("messages", {"body": "x"}),
                       ("decision", {"outcome": "granted", "answer": "Ja"})]:
        assert client.post(f"{BASE}/{submitted.id}/{path}", json=body).status_code == 401
    db.session.refresh(submitted)
    assert submitted.status is RequestStatus.SUBMITTED and len(submitted.events) == 1


def test_status_messages_and_decision_follow_the_workflow(client, db, world, submitted, token_m):
    h = bearer(token_m)
    r = client.post(f"{BASE}/{submitted.id}/status", json={"status": "acknowledged", "text": "Ontvangen"}, headers=h)
    assert r.status_code == 200 and r.json["status"] == "acknowledged"
    r = client.post(f"{BASE}/{submitted.id}/status", json={"status": "information_requested"}, headers=h)
    assert r.status_code == 400 and r.json["parameter"] == "text"
    r = client.post(f"{BASE}/{submitted.id}/status", json={"status": "information_requested", "text": "Welk dak?"},
                    headers=h)
    assert r.json["status"] == "information_requested" and r.json["is_suspended"] is True
    r = client.post(f"{BASE}/{submitted.id}/messages", json={"body": "Graag binnen twee weken."}, headers=h)
    assert r.json["messages"][-1] == {"at": r.json["messages"][-1]["at"], "side": "municipality",
                                      "body": "Graag binnen twee weken."}
    r = client.post(f"{BASE}/{submitted.id}/decision", json={"outcome": "granted", "answer": ""}, headers=h)
    assert r.status_code == 409 and r.json["parameter"] == "answer"  # an answer text is required
    r = client.post(f"{BASE}/{submitted.id}/decision", json={"outcome": "granted", "answer": "Toegekend."}, headers=h)
    assert r.status_code == 200 and r.json["status"] == "decided" and r.json["outcome"] == "granted"
    # deciding again, or a decided request acknowledged: refused by the workflow
    assert client.post(f"{BASE}/{submitted.id}/decision", json={"outcome": "refused", "answer": "Nee"},
                       headers=h).status_code == 409
    assert client.post(f"{BASE}/{submitted.id}/status", json={"status": "acknowledged"}, headers=h).status_code == 409
    entries = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "liaison.decided")).all()
    assert entries[0].municipality_id == world.muni_m.id and entries[0].details_dict["via"] == "api"
    # the board sees the decision made through the API
    assert [e.kind for e in submitted.events][-1] == "decided"


def test_a_withdrawn_request_cannot_be_decided_through_the_api(client, db, world, submitted, token_m):
    services.withdraw(submitted, actor=world.board_a)
    db.session.commit()
    r = client.post(f"{BASE}/{submitted.id}/decision", json={"outcome": "granted", "answer": "Ja"},
                    headers=bearer(token_m))
    assert r.status_code == 409 and r.is_json


def test_malformed_bodies_get_400(client, db, world, submitted, token_m):
    h = bearer(token_m)
    for body in (None, "[]", '{"status": 5}', '{"status": "decided"}'):
        r = client.post(f"{BASE}/{submitted.id}/status", data=body, content_type="application/json", headers=h)
        assert r.status_code == 400, body
    r = client.post(f"{BASE}/{submitted.id}/messages", json={"body": "x" * (5 * 1024 * 1024)}, headers=h)
    assert r.status_code in (409, 413)
    # A NUL character fits no text column (PostgreSQL refuses it): a clear 400, nothing stored.
    r = client.post(f"{BASE}/{submitted.id}/messages", json={"body": "a\x00b"}, headers=h)
    assert r.status_code == 400 and "NUL" in r.get_json()["message"]
    assert all("\x00" not in body for body in db.session.scalars(
        select(RequestMessage.body).where(RequestMessage.request_id == submitted.id)))


def test_liaison_creates_and_revokes_municipality_tokens(client, db, world, login_as):
    import re

    login_as(client, world.liaison_m)
    r = client.post("/m/gem-m/api-tokens/new", data={"name": "Zaaksysteem"})
    secret = re.search(r'value="(coop_[A-Za-z0-9_-]{43})"', r.get_data(as_text=True)).group(1)
    token = db.session.scalar(select(ApiToken).where(ApiToken.name == "Zaaksysteem"))
    assert token.municipality_id == world.muni_m.id and token.token_hash == tokens.hash_secret(secret)
    assert secret not in client.get("/m/gem-m/api-tokens").get_data(as_text=True)
    assert client.get(BASE, headers=bearer(secret)).status_code == 200
    login_as(client, world.liaison_n)
    assert client.post("/m/gem-n/api-tokens/revoke", data={"token_id": token.id}).status_code == 404
    login_as(client, world.liaison_m)
    client.post("/m/gem-m/api-tokens/revoke", data={"token_id": token.id})
    assert client.get(BASE, headers=bearer(secret)).status_code == 401


def test_the_openapi_document_describes_the_request_endpoints(client):
    paths = client.get("/api/v1/openapi.json").json["paths"]
    assert {"/municipalities/{municipality}/requests", "/municipalities/{municipality}/requests/{request_id}",
            "/municipalities/{municipality}/requests/{request_id}/status",
            "/municipalities/{municipality}/requests/{request_id}/messages",
            "/municipalities/{municipality}/requests/{request_id}/decision"} <= set(paths)


def test_schemathesis_finds_no_server_error(app, client, db, world, submitted, token_m):
    """Generated requests (valid and invalid) against every request endpoint: never a 5xx, and
    valid requests get answers that conform to the document."""
    import schemathesis
    from hypothesis import HealthCheck, given, settings
    from schemathesis.checks import not_a_server_error
    from schemathesis.generation import GenerationMode
    from schemathesis.specs.openapi.checks import (content_type_conformance, response_schema_conformance,
                                                   status_code_conformance)

    schema = schemathesis.openapi.from_dict(build_document())
    headers = bearer(token_m)
    seen = []
    for path, method in [("/municipalities/{municipality}/requests", "GET"),
                         ("/municipalities/{municipality}/requests/{request_id}", "GET"),
                         ("/municipalities/{municipality}/requests/{request_id}/status", "POST"),
                         ("/municipalities/{municipality}/requests/{request_id}/messages", "POST"),
                         ("/municipalities/{municipality}/requests/{request_id}/decision", "POST")]:
        operation = schema[path][method]
        params = {"municipality": "gem-m"}
        if "{request_id}" in path:
            params["request_id"] = submitted.id

        def run(operation, mode, checks, params):
            @settings(max_examples=25, deadline=None, database=None, suppress_health_check=list(HealthCheck))
            @given(case=operation.as_strategy(generation_mode=mode, path_parameters=params, headers=headers))
            def check(case):
                kwargs = {"query_string": case.query or {}, "headers": {**(case.headers or {}), **headers}}
                if method == "POST" and isinstance(case.body, (bytes, str)):
                    kwargs.update(data=case.body, content_type=case.media_type or "application/json")
                elif method == "POST" and case.body is not None:
                    kwargs["json"] = case.body
                response = client.open("/api/v1" + case.formatted_path, method=method, **kwargs)
                seen.append(response.status_code)
                assert response.status_code < 500, response.get_data(as_text=True)[:500]
                case.validate_response(response, checks=checks)

            check()

        run(operation, GenerationMode.POSITIVE, [not_a_server_error, status_code_conformance,
                                                 content_type_conformance, response_schema_conformance], params)
        if not (method == "GET" and "{request_id}" in path):  # (nothing left to make invalid there)
            run(operation, GenerationMode.NEGATIVE, [not_a_server_error], params)
    assert 200 in seen and 400 in seen


# --- Open311 ------------------------------------------------------------------------------------


def test_open311_services_and_requests_show_only_the_public_part(client, db, world, submitted, monkeypatch):
    services_ = client.get("/open311/v2/services.json?jurisdiction_id=gem-m").json
    assert {s["service_code"] for s in services_} == {k.value for k in RequestKind}
    assert all(s["metadata"] is False and s["type"] == "realtime" for s in services_)
    monkeypatch.setattr(submitted, "submitted_at", submitted.submitted_at)
    items = client.get("/open311/v2/requests.json?jurisdiction_id=gem-m&start_date=2000-01-01T00:00:00Z").json
    [item] = items
    assert item["service_request_id"] == submitted.receipt_number and item["status"] == "open"
    assert item["service_code"] == "decision" and item["agency_responsible"] == "Gemeente M"
    assert item["expected_datetime"].startswith("2026-04-28T23:59:59")
    text = str(items)
    assert "Subsidie" not in text and "Coöperatie A" not in text and "Wij vragen" not in text
    assert client.get("/open311/v2/requests.json?jurisdiction_id=gem-n&start_date=2000-01-01").json == []
    assert client.get("/open311/v2/requests.json?status=closed&start_date=2000-01-01").json == []
    assert client.get("/open311/v2/requests.json?service_code=woo&start_date=2000-01-01").json == []


@pytest.mark.parametrize("query, code", [("status=pending", 400), ("start_date=yesterday", 400),
                                         ("service_code=x", 400), ("jurisdiction_id=nowhere", 400)])
def test_open311_refuses_bad_parameters_as_georeport_does(client, db, world, query, code):
    r = client.get("/open311/v2/requests.json?" + query)
    assert r.status_code == code and r.json[0]["code"] == code
