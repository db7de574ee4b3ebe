"""The consultation pages: the board drafts, opens, closes and exports; members answer once,
read what an answer means, get a receipt and see the result; tampered forms and other tenants."""
import csv
import io
from datetime import timedelta

from sqlalchemy import select

from coop.consultations import services
from coop.consultations.models import Consultation, ConsultationAnswer, ConsultationStatus
from coop.core.db import utcnow
from tests.consultations.helpers import closed_consultation, draft, opened


def _form(**overrides) -> dict:
    now = utcnow() + timedelta(hours=1)
    return {"title": "Ledenavond", "question": "Welk onderwerp bespreken we?", "options": "Batterijen\nWarmtenet",
            "is_anonymous": "y", "opens_at": now.strftime("%Y-%m-%dT%H:%M"),
            "closes_at": (now + timedelta(days=7)).strftime("%Y-%m-%dT%H:%M")} | overrides


def test_board_drafts_opens_closes_and_exports_a_consultation(client, login_as, world, db):
    login_as(client, world.board_a)
    page = client.get("/c/coop-a/consultations").get_data(as_text=True)
    assert "No consultations yet" in page
    r = client.post("/c/coop-a/consultations/new", data=_form(options="Alleen dit"))
    assert r.status_code == 400 and "different options, one per line" in r.get_data(as_text=True)
    r = client.post("/c/coop-a/consultations/new", data=_form())
    assert r.status_code == 302
    c = db.session.scalars(select(Consultation)).one()
    assert c.is_draft and c.options == ["Batterijen", "Warmtenet"] and c.is_anonymous
    r = client.post(f"/c/coop-a/consultations/{c.id}/edit", data=_form(title="Ledenavond voorjaar", is_anonymous=""))
    assert r.status_code == 302
    db.session.refresh(c)
    assert c.title == "Ledenavond voorjaar" and not c.is_anonymous
    assert "Ledenavond voorjaar" in client.get("/c/coop-a/consultations").get_data(as_text=True)
    assert client.post(f"/c/coop-a/consultations/{c.id}/open").status_code == 302
    db.session.refresh(c)
    assert c.is_open
    page = client.get(f"/c/coop-a/consultations/{c.id}").get_data(as_text=True)
    assert "0 of 2 on the roll" in page and "Close now" in page
    r = client.post(f"/c/coop-a/consultations/{c.id}/delete", follow_redirects=True)
    assert "Only a draft can be deleted" in r.get_data(as_text=True)
    assert db.session.get(Consultation, c.id) is not None
    assert client.get(f"/c/coop-a/consultations/{c.id}/result.csv").status_code == 404  # not before closing
    # not yet in the window (opens in an hour): close early anyway
    assert client.post(f"/c/coop-a/consultations/{c.id}/close").status_code == 302
    r = client.post(f"/c/coop-a/consultations/{c.id}/close", follow_redirects=True)
    assert "already closed" in r.get_data(as_text=True)
    db.session.refresh(c)
    assert c.status == ConsultationStatus.CLOSED
    rows = list(csv.reader(io.StringIO(client.get(f"/c/coop-a/consultations/{c.id}/result.csv")
                                       .get_data(as_text=True))))
    assert ["eligible", "2"] in rows and ["answered", "0"] in rows and ["hash", c.result_hash] in rows


def test_a_draft_is_deleted_with_confirmation(client, login_as, world, db):
    c = draft(world.coop_a)
    db.session.commit()
    login_as(client, world.board_a)
    page = client.get(f"/c/coop-a/consultations/{c.id}").get_data(as_text=True)
    assert 'data-confirm="Delete this draft for good?"' in page
    assert client.post(f"/c/coop-a/consultations/{c.id}/delete").status_code == 302
    assert db.session.scalars(select(Consultation.id)).all() == []


def test_the_board_list_is_paginated(client, login_as, world, db, app):
    per_page = app.config["PER_PAGE"]
    for n in range(per_page + 1):
        draft(world.coop_a, title=f"Vraag {n:03d}")
    db.session.commit()
    login_as(client, world.board_a)
    first = client.get("/c/coop-a/consultations").get_data(as_text=True)
    second = client.get("/c/coop-a/consultations?page=2").get_data(as_text=True)
    assert 'rel="next"' in first and "Vraag 000" not in first and "Vraag 000" in second


def test_member_answers_once_with_a_receipt_and_checks_it_after_closing(client, login_as, world, db):
    c = opened(world.coop_a, world.board_a)
    db.session.commit()
    login_as(client, world.member_a)
    assert "Welk dak?" in client.get("/me/c/coop-a/consultations/").get_data(as_text=True)
    assert "Consultations waiting for your answer" in client.get("/me/c/coop-a/").get_data(as_text=True)
    assert "Welk dak?" in client.get("/me/c/coop-a/votes/").get_data(as_text=True)  # beside "needs my vote"
    page = client.get(f"/me/c/coop-a/consultations/{c.id}").get_data(as_text=True)
    assert "Choose the one option you prefer" in page and "anonymous" in page
    r = client.post(f"/me/c/coop-a/consultations/{c.id}", data={"choice": "Garage"})
    assert r.status_code == 400  # an option not offered
    r = client.post(f"/me/c/coop-a/consultations/{c.id}", data={"choice": "Loods"})
    body = r.get_data(as_text=True)
    assert r.status_code == 200 and "has been counted" in body and r.headers["Cache-Control"] == "no-store"
    code = body.split('<code class="receipt">')[1].split("<")[0]
    r = client.post(f"/me/c/coop-a/consultations/{c.id}", data={"choice": "School"})
    assert "You have answered this consultation" in r.get_data(as_text=True)
    assert db.session.scalars(select(ConsultationAnswer)).one().choice == "Loods"
    assert "Nothing is waiting for your answer" in client.get("/me/c/coop-a/consultations/").get_data(as_text=True)
    assert client.get(f"/me/c/coop-a/consultations/{c.id}/result").status_code == 404  # not before closing
    services.close(c, actor=world.board_a)
    db.session.commit()
    page = client.post(f"/me/c/coop-a/consultations/{c.id}/result", data={"receipt": code}).get_data(as_text=True)
    assert "Your answer was counted as: Loods" in page
    assert "1 of 2 members with voting rights answered (50 %)" in page
    assert "<svg" in page and "Loods: 1</title>" in page  # the chart, drawn on the server
    page = client.post(f"/me/c/coop-a/consultations/{c.id}/result",
                       data={"receipt": "AAAA-BBBB-CCCC"}).get_data(as_text=True)
    assert "No answer has this receipt code" in page


def test_named_consultation_shows_who_chose_what_after_closing(client, login_as, world, db):
    c = closed_consultation(world.coop_a, is_anonymous=False, answers={world.record_board_a: "Wachten"})
    db.session.commit()
    login_as(client, world.member_a)
    page = client.get(f"/me/c/coop-a/consultations/{c.id}/result").get_data(as_text=True)
    assert "Who chose what" in page and "Bert Bakker: Wachten" in page


def test_multiple_choice_ballot_takes_several_options(client, login_as, world, db):
    c = opened(world.coop_a, is_multiple_choice=True)
    db.session.commit()
    login_as(client, world.member_a)
    assert "Tick every option you support" in client.get(f"/me/c/coop-a/consultations/{c.id}").get_data(as_text=True)
    assert client.post(f"/me/c/coop-a/consultations/{c.id}", data={}).status_code == 400
    r = client.post(f"/me/c/coop-a/consultations/{c.id}", data={"choice": ["School", "Wachten"]})
    assert r.status_code == 200
    assert db.session.scalars(select(ConsultationAnswer)).one().choice == '["School", "Wachten"]'


def test_not_on_the_roll_and_outside_the_window(client, login_as, world, db, make_member, make_user, grant):
    c = opened(world.coop_a)
    later = opened(world.coop_a, opens_at=utcnow() + timedelta(days=1))
    newcomer = make_user("nieuw@example.net", "Nieuw Lid")
    grant(newcomer, "member", world.coop_a)
    make_member(world.coop_a, user=newcomer)  # admitted after the roll froze
    db.session.commit()
    login_as(client, newcomer)
    page = client.get(f"/me/c/coop-a/consultations/{c.id}").get_data(as_text=True)
    assert "You are not on the roll" in page
    r = client.post(f"/me/c/coop-a/consultations/{c.id}", data={"choice": "School"})
    assert db.session.scalars(select(ConsultationAnswer)).first() is None and r.status_code == 200
    login_as(client, world.member_a)
    assert "does not accept answers now" in client.get(f"/me/c/coop-a/consultations/{later.id}").get_data(as_text=True)
    r = client.post(f"/me/c/coop-a/consultations/{later.id}", data={"choice": "School"})
    assert db.session.scalars(select(ConsultationAnswer)).first() is None


def test_members_do_not_see_drafts_and_other_cooperatives_get_404(client, login_as, world, db):
    d = draft(world.coop_a)
    other = opened(world.coop_b)
    db.session.commit()
    login_as(client, world.member_a)
    assert client.get(f"/me/c/coop-a/consultations/{d.id}").status_code == 404
    assert client.get(f"/me/c/coop-a/consultations/{other.id}").status_code == 404
    login_as(client, world.board_a)
    assert client.post(f"/c/coop-a/consultations/{other.id}/close").status_code == 404
    db.session.refresh(other)
    assert other.is_open
