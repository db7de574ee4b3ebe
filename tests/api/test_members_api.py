"""The JSON API: tokens, who may read which register, pagination and filters, the OpenAPI
document (validated, and fuzzed with schemathesis), and the board's token page."""
from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from coop.api import tokens
from coop.api.models import ApiToken
from coop.api.openapi import build_document
from coop.core.audit import AuditEntry
from coop.core.db import utcnow
from coop.members import privacy, services

URL = "/api/v1/coops/coop-a/members"
FIELDS = {"number", "status", "first_name", "name_prefix", "last_name", "postcode", "city", "email",
          "channel", "admitted_on", "ended_on", "updated_at"}


@pytest.fixture
def token_a(db, world):
    _token, secret = tokens.create_token("Boekhouding", actor=world.board_a, cooperative=world.coop_a)
    db.session.commit()
    return secret


def bearer(secret):
    return {"Authorization": f"Bearer {secret}"}


def _audit(db, action):
    return db.session.scalars(select(AuditEntry).where(AuditEntry.action == action)).all()


# --- authentication ------------------------------------------------------------------------------


def test_without_a_token_401_with_a_bearer_challenge(client, world):
    r = client.get(URL)
    assert r.status_code == 401 and r.is_json
    assert r.headers["WWW-Authenticate"] == 'Bearer realm="coop"'
    assert r.json["status"] == 401 and r.json["message"]


@pytest.mark.parametrize("header", ["Bearer coop_wrong", "Bearer ", "Basic dXNlcjpwdw==", "coop_x"])
def test_a_wrong_token_401(client, world, token_a, header):
    r = client.get(URL, headers={"Authorization": header})
    assert r.status_code == 401 and r.is_json
    assert r.headers["WWW-Authenticate"].startswith("Bearer")


def test_a_revoked_token_401(client, db, world, token_a):
    assert client.get(URL, headers=bearer(token_a)).status_code == 200
    token = db.session.scalar(select(ApiToken))
    tokens.revoke_token(token, actor=world.board_a)
    db.session.commit()
    r = client.get(URL, headers=bearer(token_a))
    assert r.status_code == 401
    assert 'error="invalid_token"' in r.headers["WWW-Authenticate"]


def test_the_session_cookie_is_not_accepted(client, world, login_as):
    login_as(client, world.board_a)
    assert client.get("/c/coop-a/api-tokens").status_code == 200  # signed in, as board
    r = client.get(URL)
    assert r.status_code == 401 and r.is_json


def test_a_token_of_another_cooperative_gets_404_json(client, db, world, token_a):
    _t, secret_b = tokens.create_token("B", actor=world.board_b, cooperative=world.coop_b)
    _t, secret_m = tokens.create_token("M", actor=world.liaison_m, municipality=world.muni_m)
    db.session.commit()
    for secret in (secret_b, secret_m):
        r = client.get(URL, headers=bearer(secret))
        assert r.status_code == 404 and r.is_json and r.json["status"] == 404
    # the same answer as for a cooperative that does not exist
    assert client.get("/api/v1/coops/no-such/members", headers=bearer(token_a)).status_code == 404
    assert client.get("/api/v1/coops/coop-b/members", headers=bearer(secret_b)).status_code == 200


def test_last_used_is_written_at_most_once_a_minute(client, db, world, token_a):
    client.get(URL, headers=bearer(token_a))
    token = db.session.scalar(select(ApiToken))
    first = token.last_used_at
    assert first is not None
    client.get(URL, headers=bearer(token_a))
    db.session.refresh(token)
    assert token.last_used_at == first
    token.last_used_at = first - timedelta(minutes=2)
    db.session.commit()
    client.get(URL, headers=bearer(token_a))
    db.session.refresh(token)
    assert token.last_used_at > first - timedelta(minutes=2)


def test_rate_limited_per_token(app, client, db, world, token_a, monkeypatch):
    monkeypatch.setitem(app.config, "API_RATE_LIMIT", "2 per minute")
    _t, other = tokens.create_token("Other", actor=world.board_a, cooperative=world.coop_a)
    db.session.commit()
    assert client.get(URL, headers=bearer(token_a)).status_code == 200
    assert client.get(URL, headers=bearer(token_a)).status_code == 200
    r = client.get(URL, headers=bearer(token_a))
    assert r.status_code == 429 and r.is_json
    assert client.get(URL, headers=bearer(other)).status_code == 200  # counted per token


# --- the members endpoint -----------------------------------------------------------------------


@pytest.fixture
def register(db, world, make_member):
    """Coop A: Anna and Bert (world) plus five members, one of them former and one erased."""
    extra = [make_member(world.coop_a, first_name=f"Lid{i}", last_name="Test", iban="NL91ABNA0417164300",
                         notes="secret board note", born_on=date(1980, 1, 1)) for i in range(5)]
    services.record_death(extra[3], died_on=date(2025, 1, 1), actor=None)
    services.record_death(extra[4], died_on=date(2025, 1, 1), actor=None)
    privacy.erase_member(extra[4], actor=None)
    db.session.commit()
    return [world.record_a, world.record_board_a] + extra


def test_fields_are_the_documented_ones_without_iban_notes_or_birth_date(client, world, token_a, register):
    r = client.get(URL, headers=bearer(token_a))
    assert r.status_code == 200
    assert r.headers["Cache-Control"] == "no-store"
    body = r.json
    assert body["total"] == 7 and body["page"] == 1 and body["per_page"] == 100 and body["next"] is None
    for item in body["items"]:
        assert set(item) == FIELDS
    text = r.get_data(as_text=True)
    assert "NL91" not in text and "secret board note" not in text and "1980-01-01" not in text
    anna = next(i for i in body["items"] if i["number"] == world.record_a.number)
    assert anna["first_name"] == "Anna" and anna["postcode"] == world.record_a.postcode and anna["status"] == "member"
    assert anna["admitted_on"] == "2024-01-01" and anna["updated_at"].endswith("+00:00")
    erased = next(i for i in body["items"] if i["number"] == register[-1].number)
    assert erased["first_name"] == "—" and erased["last_name"] == f"Gewist lid {register[-1].number}"
    assert erased["email"] is None and erased["postcode"] is None and erased["status"] == "former"


def test_only_the_tokens_own_cooperative(client, world, token_a, register):
    numbers = {i["last_name"] for i in client.get(URL, headers=bearer(token_a)).json["items"]}
    assert "de Vries" not in numbers and "Visser" not in numbers  # members of B


def test_pagination_walks_every_entry_once(client, token_a, register):
    seen, url, pages = [], URL + "?per_page=3", 0
    while url:
        body = client.get(url, headers=bearer(token_a)).json
        assert body["per_page"] == 3 and body["total"] == 7
        seen += [i["number"] for i in body["items"]]
        url = body["next"]
        pages += 1
    assert pages == 3
    assert sorted(seen) == sorted(m.number for m in register)
    last = client.get(URL + "?per_page=3&page=3", headers=bearer(token_a)).json
    assert len(last["items"]) == 1 and last["next"] is None
    beyond = client.get(URL + "?per_page=3&page=9", headers=bearer(token_a)).json
    assert beyond["items"] == [] and beyond["total"] == 7


def test_filters_status_and_updated_since(client, db, token_a, register):
    former = client.get(URL + "?status=former", headers=bearer(token_a)).json
    assert former["total"] == 2 and {i["status"] for i in former["items"]} == {"former"}
    r = client.get(URL + "?status=former&per_page=1", headers=bearer(token_a)).json
    assert "status=former" in r["next"] and "per_page=1" in r["next"]
    future = (utcnow() + timedelta(days=1)).isoformat()
    assert client.get(URL, query_string={"updated_since": future}, headers=bearer(token_a)).json["total"] == 0
    assert client.get(URL + "?updated_since=2000-01-01", headers=bearer(token_a)).json["total"] == 7
    # a change makes an entry show up in the next synchronisation
    services.update_member(register[0], {"city": "Haren"}, actor=None)
    db.session.commit()
    changed = client.get(URL, query_string={"updated_since": register[0].updated_at.isoformat()},
                         headers=bearer(token_a)).json
    assert [i["city"] for i in changed["items"]] == ["Haren"]


@pytest.mark.parametrize("query,parameter", [
    ("per_page=501", "per_page"), ("per_page=0", "per_page"), ("per_page=lots", "per_page"),
    ("page=0", "page"), ("page=1.5", "page"), ("page=100001", "page"),
    ("status=king", "status"), ("updated_since=yesterday", "updated_since"),
    ("updated_since=9999-12-31T23:59:59-14:00", "updated_since"),
])
def test_bad_parameters_answer_400_json_naming_the_parameter(client, token_a, query, parameter):
    r = client.get(f"{URL}?{query}", headers=bearer(token_a))
    assert r.status_code == 400 and r.is_json
    assert r.json["parameter"] == parameter and r.json["message"]


def test_per_page_is_capped_at_500(client, token_a, register):
    assert client.get(URL + "?per_page=500", headers=bearer(token_a)).json["per_page"] == 500
    assert client.get(URL + "?per_page=501", headers=bearer(token_a)).status_code == 400


def test_query_count_is_constant(client, db, world, token_a, count_queries, make_member):
    def queries():
        with count_queries() as q:
            assert client.get(URL + "?per_page=500", headers=bearer(token_a)).status_code == 200
        return q.count

    queries()  # notes last_used_at once
    small = queries()
    for i in range(40):
        make_member(world.coop_a)
    db.session.commit()
    assert queries() == small
    assert small <= 4


def test_other_api_errors_are_json(client, token_a):
    r = client.post(URL, headers=bearer(token_a))
    assert r.status_code == 405 and r.is_json
    r = client.get("/api/v1/nothing-here")
    assert r.status_code == 404 and r.is_json


# --- the OpenAPI document ------------------------------------------------------------------------


def test_openapi_document_is_valid_openapi_3_1(client):
    from openapi_spec_validator import validate

    doc = build_document()
    validate(doc)
    served = client.get("/api/v1/openapi.json")
    assert served.status_code == 200 and served.is_json
    assert served.json["openapi"] == "3.1.0"
    assert served.json["servers"] == [{"url": "http://localhost/api/v1"}]
    assert served.json["paths"] == json.loads(json.dumps(doc["paths"]))
    assert {"/openapi.json", "/coops/{coop}/members"} <= set(served.json["paths"])
    assert served.json["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"


def test_responses_match_the_documented_schemas(client, world, token_a, register):
    from jsonschema import Draft202012Validator

    doc = build_document()

    def validator(name):
        schema = {"$ref": f"#/components/schemas/{name}", "components": doc["components"]}
        return Draft202012Validator(schema)

    validator("MemberPage").validate(client.get(URL + "?per_page=2", headers=bearer(token_a)).json)
    validator("Error").validate(client.get(URL).json)
    validator("Error").validate(client.get(URL + "?per_page=0", headers=bearer(token_a)).json)
    assert set(doc["components"]["schemas"]["Member"]["properties"]) == FIELDS


def test_schemathesis_finds_no_server_error(app, client, world, token_a, register):
    """Generated requests (valid and invalid) against the members endpoint with a valid token:
    never a 5xx, and valid requests get answers that conform to the document."""
    import schemathesis
    from hypothesis import HealthCheck, given, settings
    from schemathesis.checks import not_a_server_error
    from schemathesis.generation import GenerationMode
    from schemathesis.specs.openapi.checks import (content_type_conformance, response_schema_conformance,
                                                   status_code_conformance)

    schema = schemathesis.openapi.from_dict(build_document())
    operation = schema["/coops/{coop}/members"]["GET"]
    headers = bearer(token_a)
    seen = []

    def run(mode, checks):
        @settings(max_examples=60, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy(generation_mode=mode, path_parameters={"coop": "coop-a"},
                                          headers=headers))
        def check(case):
            response = client.get("/api/v1" + case.formatted_path, query_string=case.query or {},
                                  headers={**(case.headers or {}), **headers})
            seen.append(response.status_code)
            assert response.status_code < 500, response.get_data(as_text=True)[:500]
            case.validate_response(response, checks=checks)

        check()

    run(GenerationMode.POSITIVE, [not_a_server_error, status_code_conformance, content_type_conformance,
                                  response_schema_conformance])
    run(GenerationMode.NEGATIVE, [not_a_server_error])
    assert 200 in seen and 400 in seen


# --- the board's token page -----------------------------------------------------------------------


def test_board_creates_a_token_that_is_shown_once_and_stored_hashed(client, db, world, login_as):
    login_as(client, world.board_a)
    r = client.post("/c/coop-a/api-tokens/new", data={"name": "Ledenadministratie"})
    assert r.status_code == 200
    page = r.get_data(as_text=True)
    import re

    secret = re.search(r'value="(coop_[A-Za-z0-9_-]{43})"', page).group(1)
    token = db.session.scalar(select(ApiToken).where(ApiToken.name == "Ledenadministratie"))
    assert token.cooperative_id == world.coop_a.id and token.created_by_id == world.board_a.id
    assert token.token_hash == tokens.hash_secret(secret) and secret not in (token.token_hash, token.prefix)
    assert token.prefix == secret[5:13]
    [entry] = _audit(db, "api.create_token")
    assert secret not in entry.details and entry.details_dict["prefix"] == token.prefix
    listing = client.get("/c/coop-a/api-tokens").get_data(as_text=True)
    assert "Ledenadministratie" in listing and f"coop_{token.prefix}…" in listing
    assert secret not in listing
    assert client.get(URL, headers=bearer(secret)).status_code == 200


def test_a_token_needs_a_name(client, db, world, login_as):
    login_as(client, world.board_a)
    r = client.post("/c/coop-a/api-tokens/new", data={"name": "  "})
    assert r.status_code == 400
    assert db.session.scalar(select(ApiToken)) is None


def test_board_revokes_a_token(client, db, world, login_as, token_a):
    token = db.session.scalar(select(ApiToken))
    login_as(client, world.board_a)
    r = client.post("/c/coop-a/api-tokens/revoke", data={"token_id": token.id}, follow_redirects=True)
    assert "has been revoked" in r.get_data(as_text=True)
    db.session.refresh(token)
    assert token.revoked_at is not None
    assert _audit(db, "api.revoke_token")[0].details_dict == {"name": "Boekhouding", "prefix": token.prefix}
    assert client.get(URL, headers=bearer(token_a)).status_code == 401
    r = client.post("/c/coop-a/api-tokens/revoke", data={"token_id": token.id}, follow_redirects=True)
    assert "already been revoked" in r.get_data(as_text=True)
    assert len(_audit(db, "api.revoke_token")) == 1


def test_another_cooperatives_board_cannot_revoke_or_see_the_token(client, db, world, login_as, token_a):
    token = db.session.scalar(select(ApiToken))
    login_as(client, world.board_b)
    assert client.post("/c/coop-b/api-tokens/revoke", data={"token_id": token.id}).status_code == 404
    assert "Boekhouding" not in client.get("/c/coop-b/api-tokens").get_data(as_text=True)
    db.session.refresh(token)
    assert token.revoked_at is None


def test_token_page_query_count_does_not_grow(client, db, world, login_as, count_queries, make_user):
    login_as(client, world.board_a)

    def queries():
        with count_queries() as q:
            assert client.get("/c/coop-a/api-tokens").status_code == 200
        return q.count

    for i in range(2):
        tokens.create_token(f"t{i}", actor=make_user(), cooperative=world.coop_a)
    db.session.commit()
    small = queries()
    for i in range(30):
        tokens.create_token(f"u{i}", actor=make_user(), cooperative=world.coop_a)
    db.session.commit()
    assert queries() == small and small <= 12
