"""A request to the municipality can rest on a closed consultation of the cooperative's own
members; the liaison sees its question, result and turnout on the request page and in the API."""
import pytest
from sqlalchemy import select

from coop.core.errors import DomainError
from coop.liaison import services as liaison
from coop.liaison.models import LiaisonRequest, RequestKind
from tests.consultations.helpers import closed_consultation, opened
from tests.liaison.conftest import catalogue_type


def test_a_request_rests_on_a_closed_consultation_that_the_liaison_can_read(client, login_as, db, world):
    own = closed_consultation(world.coop_a, title="Dak van De Wilg", answers={world.record_a: "School"})
    running = opened(world.coop_a, title="Nog open vraag")
    foreign = closed_consultation(world.coop_b, title="Vraag van B")
    db.session.commit()
    decision = catalogue_type(world.muni_m, RequestKind.DECISION)
    login_as(client, world.board_a)
    form = client.get("/c/coop-a/requests/new").get_data(as_text=True)
    assert "Dak van De Wilg" in form and "Nog open vraag" not in form and "Vraag van B" not in form
    data = {"request_type": decision.id, "subject": "Dak De Wilg", "body": "Zie de raadpleging.", "resolution": 0}
    for bad in (foreign.id, running.id):
        r = client.post("/c/coop-a/requests/new", data=data | {"consultation": bad})
        assert r.status_code == 400  # not a choice offered: nothing written
    assert db.session.scalars(select(LiaisonRequest)).first() is None
    with pytest.raises(DomainError, match="own cooperative"):
        liaison.create_draft(world.coop_a, decision, subject="S", body="B", consultation_id=foreign.id,
                             actor=world.board_a)
    with pytest.raises(DomainError, match="Only a closed consultation"):
        liaison.create_draft(world.coop_a, decision, subject="S", body="B", consultation_id=running.id,
                             actor=world.board_a)
    r = client.post("/c/coop-a/requests/new", data=data | {"consultation": own.id})
    req = db.session.scalars(select(LiaisonRequest)).one()
    assert r.status_code == 302 and req.consultation_id == own.id
    with pytest.raises(DomainError, match="Only a closed consultation"):
        liaison.update_draft(req, decision, subject="S", body="B", consultation_id=running.id, actor=world.board_a)
    liaison.submit(req, actor=world.board_a)
    db.session.commit()
    login_as(client, world.liaison_m)
    page = client.get(f"/m/gem-m/requests/{req.id}").get_data(as_text=True)
    assert "Based on a consultation of the members: Dak van De Wilg" in page
    assert "Welk dak krijgt de volgende zonnepanelen?" in page
    assert "1 of 2 members with voting rights answered (50 %)" in page and own.result_hash in page
    # the liaison of another municipality sees neither the request nor the consultation
    login_as(client, world.liaison_n)
    assert client.get(f"/m/gem-m/requests/{req.id}").status_code == 404
    assert client.get(f"/me/c/coop-a/consultations/{own.id}/result").status_code == 404


def test_the_api_gives_the_consultation_of_a_request(client, db, world):
    from coop.api import tokens

    own = closed_consultation(world.coop_a, answers={world.record_a: "Loods"})
    decision = catalogue_type(world.muni_m, RequestKind.DECISION)
    req = liaison.create_draft(world.coop_a, decision, subject="Dak", body="Zie de raadpleging.",
                               consultation_id=own.id, actor=world.board_a)
    plain = liaison.create_draft(world.coop_a, decision, subject="Ander", body="Zonder.", actor=world.board_a)
    liaison.submit(req, actor=world.board_a)
    liaison.submit(plain, actor=world.board_a)
    _t, secret = tokens.create_token("Zaaksysteem", actor=world.liaison_m, municipality=world.muni_m)
    db.session.commit()
    headers = {"Authorization": f"Bearer {secret}"}
    body = client.get(f"/api/v1/municipalities/gem-m/requests/{req.id}", headers=headers).json
    assert body["consultation"] == {
        "title": "Welk dak?", "question": "Welk dak krijgt de volgende zonnepanelen?",
        "options": ["School", "Loods", "Wachten"], "is_anonymous": True, "is_multiple_choice": False,
        "counts": {"School": 0, "Loods": 1, "Wachten": 0}, "answered": 1, "eligible": 2, "turnout_percent": 50.0,
        "closed_at": own.closed_at.isoformat(), "result_hash": own.result_hash}
    assert client.get(f"/api/v1/municipalities/gem-m/requests/{plain.id}", headers=headers).json["consultation"] is None
