"""Requests from a cooperative's board to its municipality: the guarded workflow, the terms
it keeps, the views of both sides, and what each side may (not) see or do."""
from __future__ import annotations

import io
import shutil
import subprocess
from datetime import date

import pytest
from sqlalchemy import select

from coop.core.audit import AuditEntry
from coop.core.errors import DomainError
from coop.liaison import services
from coop.liaison.models import (Commitment, CommitmentStatus, LiaisonRequest, Outcome, RequestKind,
                                 RequestNote, RequestStatus, RequestType, Side)
from tests.liaison.conftest import PDF, catalogue_type

S = RequestStatus


def pdf_text(data: bytes) -> str:
    if shutil.which("pdftotext") is None:
        pytest.skip("needs poppler-utils")
    return subprocess.run(["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True).stdout.decode()


def _actions(db):
    return [e.action for e in db.session.scalars(select(AuditEntry).order_by(AuditEntry.id))]


# --- catalogue -------------------------------------------------------------------------------------


def test_every_municipality_gets_the_default_catalogue_once(db, world):
    types = services.ensure_catalogue(world.muni_m)
    assert [t.kind for t in types] == list(RequestKind)
    by_kind = {t.kind: t for t in types}
    assert (by_kind[RequestKind.DECISION].term_amount, by_kind[RequestKind.DECISION].term_unit.value) == (8, "weeks")
    woo = by_kind[RequestKind.WOO]
    assert (woo.term_amount, woo.max_extensions, woo.max_extension_amount, woo.has_penalty) == (4, 1, 2, False)
    permit = by_kind[RequestKind.PERMIT]
    assert (permit.term_amount, permit.max_extension_amount, permit.needs_location) == (8, 6, True)
    question = by_kind[RequestKind.QUESTION]
    assert not question.is_legal_term and question.term_unit.value == "working_days"
    services.ensure_catalogue(world.muni_m)
    assert db.session.scalar(select(RequestType).where(RequestType.municipality_id == world.muni_m.id)
                             .with_only_columns(RequestType.id.is_not(None)).limit(1))
    assert len(db.session.scalars(select(RequestType).where(RequestType.municipality_id == world.muni_m.id)).all()) == 7


def test_liaison_edits_a_type_of_the_catalogue(client, db, world, login_as):
    challenge = catalogue_type(world.muni_m, RequestKind.CHALLENGE)
    db.session.commit()
    login_as(client, world.liaison_m)
    assert "Right-to-challenge bid" in client.get("/m/gem-m/catalogue").get_data(as_text=True)
    r = client.post(f"/m/gem-m/catalogue/{challenge.id}", data={
        "legal_basis": "Participatieverordening M art. 5", "term_amount": "10", "term_unit": "weeks",
        "is_legal_term": "y", "max_extensions": "1", "max_extension_amount": "4", "has_suspension": "y",
        "is_active": "y", "needs_attachment": "y", "attachment_hint": "Plan"})
    assert r.status_code == 302
    db.session.refresh(challenge)
    assert challenge.term_amount == 10 and challenge.legal_basis.endswith("art. 5")
    # another municipality's type does not exist here
    other = catalogue_type(world.muni_n, RequestKind.CHALLENGE)
    db.session.commit()
    assert client.get(f"/m/gem-m/catalogue/{other.id}").status_code == 404
    # a penalty needs a legal term
    r = client.post(f"/m/gem-m/catalogue/{challenge.id}", data={
        "legal_basis": "x", "term_amount": "10", "term_unit": "weeks", "max_extensions": "0",
        "max_extension_amount": "0", "has_penalty": "y"})
    assert r.status_code == 400 and "Only a legal term" in r.get_data(as_text=True)


# --- the workflow --------------------------------------------------------------------------------


def test_submit_gives_receipt_number_due_date_history_and_mail(db, world, draft):
    from coop.core.mail import OutboxMessage

    services.submit(draft, actor=world.board_a, on=date(2026, 3, 2))
    db.session.commit()
    assert draft.status is S.SUBMITTED
    assert draft.receipt_number == f"{world.muni_m.cbs_code}-2026-{draft.id:06d}"
    assert draft.received_on == date(2026, 3, 2) and draft.due_on == date(2026, 4, 28)  # King's Day
    [event] = draft.events
    assert (event.from_status, event.to_status, event.actor_id, event.side) == (S.DRAFT, S.SUBMITTED, world.board_a.id, Side.COOPERATIVE)
    sent = db.session.scalars(select(OutboxMessage)).all()
    receipt = next(m for m in sent if m.to_address == world.board_a.email)
    assert draft.receipt_number in receipt.subject and "28" in receipt.body_text
    assert f"/c/coop-a/requests/{draft.id}" in receipt.body_text
    assert any(m.to_address == world.liaison_m.email for m in sent)  # the municipality is told
    assert "liaison.submitted" in _actions(db)


def test_the_full_round_with_suspension_extension_and_decision(db, world, submitted):
    services.acknowledge(submitted, actor=world.liaison_m)
    services.request_information(submitted, actor=world.liaison_m, question="Welk dak?", on=date(2026, 3, 10))
    assert submitted.status is S.INFO_REQUESTED
    services.provide_information(submitted, actor=world.board_a, body="Het dak van de sporthal.",
                                 on=date(2026, 3, 19))
    assert submitted.status is S.IN_PROGRESS
    assert submitted.due_on == date(2026, 5, 6)  # 8 days suspended: 5 May → 6 May
    services.extend_term(submitted, actor=world.liaison_m, amount=4, reason="Advies nodig", on=date(2026, 4, 20))
    assert submitted.due_on == date(2026, 6, 2)  # 27 April + 8 days + 4 weeks
    services.decide(submitted, actor=world.liaison_m, outcome=Outcome.PARTLY_GRANTED,
                    answer="Deels toegekend.", on=date(2026, 5, 20))
    services.close(submitted, actor=world.liaison_m)
    db.session.commit()
    kinds = [e.kind for e in submitted.events]
    assert kinds == ["submitted", "acknowledged", "information_requested", "information_provided", "extended",
                     "decided", "closed"]
    assert submitted.outcome is Outcome.PARTLY_GRANTED and submitted.decided_on == date(2026, 5, 20)
    services.reopen(submitted, actor=world.liaison_m, reason="Bezwaar gegrond")
    assert submitted.status is S.IN_PROGRESS and submitted.outcome is None
    with pytest.raises(DomainError):
        services.reopen(submitted, actor=world.liaison_m, reason="x")


def test_illegal_moves_are_refused(db, world, submitted):
    services.withdraw(submitted, actor=world.board_a, reason="Niet meer nodig")
    with pytest.raises(DomainError, match="not possible"):
        services.decide(submitted, actor=world.liaison_m, outcome=Outcome.GRANTED, answer="Ja")
    with pytest.raises(DomainError):
        services.acknowledge(submitted, actor=world.liaison_m)
    with pytest.raises(DomainError):
        services.submit(submitted, actor=world.board_a)


def test_a_decision_needs_an_answer_text(db, world, submitted):
    with pytest.raises(DomainError) as err:
        services.decide(submitted, actor=world.liaison_m, outcome=Outcome.REFUSED, answer="   ")
    assert err.value.field == "answer"
    assert submitted.status is S.SUBMITTED


@pytest.mark.parametrize("kind, amount, on, message", [
    (RequestKind.WOO, 3, date(2026, 3, 20), "at most 2 weeks"),      # Woo: at most two weeks
    (RequestKind.WOO, 2, date(2026, 3, 31), "already ended"),        # the term ended on 30 March
    (RequestKind.DECISION, 9, date(2026, 3, 20), "at most 8 weeks"),
    (RequestKind.QUESTION, 1, date(2026, 3, 3), "cannot be extended"),
])
def test_refused_extensions(app, db, world, kind, amount, on, message):
    req = services.create_draft(world.coop_a, catalogue_type(world.muni_m, kind), subject="S", body="B",
                                actor=world.board_a)
    services.submit(req, actor=world.board_a, on=date(2026, 3, 2))
    with app.test_request_context(), pytest.raises(DomainError) as err:
        services.extend_term(req, actor=world.liaison_m, amount=amount, reason="r", on=on)
    with app.test_request_context():
        assert message in str(err.value)


def test_a_woo_extension_only_once(db, world):
    req = services.create_draft(world.coop_a, catalogue_type(world.muni_m, RequestKind.WOO), subject="S",
                                body="B", actor=world.board_a)
    services.submit(req, actor=world.board_a, on=date(2026, 3, 2))
    services.extend_term(req, actor=world.liaison_m, amount=1, reason="r", on=date(2026, 3, 20))
    with pytest.raises(DomainError):
        services.extend_term(req, actor=world.liaison_m, amount=1, reason="r", on=date(2026, 3, 21))


def test_permit_needs_location_and_attachment(db, world):
    req = services.create_draft(world.coop_a, catalogue_type(world.muni_m, RequestKind.PERMIT), subject="S",
                                body="B", actor=world.board_a)
    with pytest.raises(DomainError, match="location"):
        services.submit(req, actor=world.board_a)
    req.location = "Dorpsstraat 1"
    with pytest.raises(DomainError, match="attachment"):
        services.submit(req, actor=world.board_a)


# --- notice of default and penalty -----------------------------------------------------------------


def test_notice_of_default_only_after_the_term_and_then_the_penalty_runs(db, world, submitted):
    with pytest.raises(DomainError, match="not passed"):
        services.send_notice_of_default(submitted, actor=world.board_a, on=date(2026, 4, 28))
    services.send_notice_of_default(submitted, actor=world.board_a, on=date(2026, 4, 29))
    assert submitted.notice_on == date(2026, 4, 29)
    with pytest.raises(DomainError, match="already sent"):
        services.send_notice_of_default(submitted, actor=world.board_a, on=date(2026, 4, 30))
    state = services.term_state(submitted, date(2026, 5, 30))
    assert state.penalty_starts_on == date(2026, 5, 14) and state.penalty_days == 17
    assert state.penalty_cents == 14 * 2300 + 3 * 3500
    services.decide(submitted, actor=world.liaison_m, outcome=Outcome.GRANTED, answer="Ja", on=date(2026, 5, 20))
    assert services.term_state(submitted, date(2026, 7, 1)).penalty_cents == 6 * 2300


def test_no_notice_of_default_for_a_woo_request(db, world):
    req = services.create_draft(world.coop_a, catalogue_type(world.muni_m, RequestKind.WOO), subject="S",
                                body="B", actor=world.board_a)
    services.submit(req, actor=world.board_a, on=date(2026, 1, 5))
    with pytest.raises(DomainError, match="only possible"):
        services.send_notice_of_default(req, actor=world.board_a, on=date(2026, 6, 1))


def test_board_sends_the_notice_and_both_see_the_penalty_and_the_pdf(client, db, world, submitted, login_as,
                                                                     monkeypatch):
    monkeypatch.setattr(services, "today", lambda: date(2026, 6, 1))
    login_as(client, world.board_a)
    page = client.get(f"/c/coop-a/requests/{submitted.id}").get_data(as_text=True)
    assert "Send a notice of default" in page and "overdue" in page
    r = client.post(f"/c/coop-a/requests/{submitted.id}/notice-of-default", follow_redirects=True)
    assert r.status_code == 200 and "Penalty so far" in r.get_data(as_text=True)
    pdf = client.get(f"/c/coop-a/requests/{submitted.id}/notice-of-default.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    text = pdf_text(pdf.data)
    assert "4:17" in text and submitted.receipt_number in text and "1,442.00" in text
    assert "June 16, 2026" in text  # two weeks after the notice of 1 June
    login_as(client, world.liaison_m)
    page = client.get(f"/m/gem-m/requests/{submitted.id}").get_data(as_text=True)
    assert "Penalty so far" in page
    assert client.get(f"/m/gem-m/requests/{submitted.id}/notice-of-default.pdf").status_code == 200


# --- views of both sides ---------------------------------------------------------------------------


def test_board_creates_and_submits_a_request_through_the_pages(client, db, world, login_as, mails):
    login_as(client, world.board_a)
    page = client.get("/c/coop-a/requests/new")
    assert page.status_code == 200 and "Information request (Woo)" in page.get_data(as_text=True)
    woo = catalogue_type(world.muni_m, RequestKind.WOO)
    r = client.post("/c/coop-a/requests/new", data={"request_type": woo.id, "subject": "Stukken windpark",
                                                    "body": "Graag alle stukken.", "location": ""})
    assert r.status_code == 302
    req = db.session.scalar(select(LiaisonRequest).where(LiaisonRequest.subject == "Stukken windpark"))
    assert req.status is S.DRAFT and req.municipality_id == world.muni_m.id
    # the municipality does not see drafts
    login_as(client, world.liaison_m)
    assert client.get(f"/m/gem-m/requests/{req.id}").status_code == 404
    login_as(client, world.board_a)
    r = client.post(f"/c/coop-a/requests/{req.id}/submit", follow_redirects=True)
    assert "receipt has been sent" in r.get_data(as_text=True)
    db.session.refresh(req)
    assert req.status is S.SUBMITTED and req.receipt_number
    listing = client.get("/c/coop-a/requests").get_data(as_text=True)
    assert "Stukken windpark" in listing and req.receipt_number in listing


def test_a_body_of_5_mb_is_refused(client, db, world, login_as):
    login_as(client, world.board_a)
    woo = catalogue_type(world.muni_m, RequestKind.WOO)
    db.session.commit()
    r = client.post("/c/coop-a/requests/new", data={"request_type": woo.id, "subject": "Groot",
                                                    "body": "x" * (5 * 1024 * 1024)})
    assert r.status_code in (400, 413)
    assert db.session.scalar(select(LiaisonRequest).where(LiaisonRequest.subject == "Groot")) is None


def test_a_type_of_another_municipality_is_not_a_choice(client, db, world, login_as):
    login_as(client, world.board_a)
    other = catalogue_type(world.muni_n, RequestKind.WOO)
    db.session.commit()
    r = client.post("/c/coop-a/requests/new", data={"request_type": other.id, "subject": "S", "body": "B"})
    assert r.status_code == 400
    with pytest.raises(DomainError):
        services.create_draft(world.coop_a, other, subject="S", body="B", actor=world.board_a)


def test_the_other_tenants_get_404(client, db, world, submitted, login_as):
    login_as(client, world.liaison_n)
    assert client.get(f"/m/gem-n/requests/{submitted.id}").status_code == 404  # sent to M, not N
    assert client.get(f"/m/gem-m/requests/{submitted.id}").status_code == 404  # not N's municipality
    login_as(client, world.board_b)
    assert client.get(f"/c/coop-b/requests/{submitted.id}").status_code == 404
    assert client.get(f"/c/coop-a/requests/{submitted.id}").status_code == 404
    assert "Subsidie" not in client.get("/c/coop-b/requests").get_data(as_text=True)
    r = client.post(f"/c/coop-b/requests/{submitted.id}/withdraw")
    assert r.status_code == 404
    db.session.refresh(submitted)
    assert submitted.status is S.SUBMITTED


def test_liaison_asks_for_information_and_the_board_answers(client, db, world, submitted, login_as):
    login_as(client, world.liaison_m)
    r = client.post(f"/m/gem-m/requests/{submitted.id}/request-information", data={"question": "Welk dak precies?"})
    assert r.status_code == 302
    login_as(client, world.board_a)
    page = client.get(f"/c/coop-a/requests/{submitted.id}").get_data(as_text=True)
    assert "Welk dak precies?" in page and "Send the information" in page
    r = client.post(f"/c/coop-a/requests/{submitted.id}/information", data={"information": "Sporthal De Kolk"})
    assert r.status_code == 302
    db.session.refresh(submitted)
    assert submitted.status is S.IN_PROGRESS and submitted.suspensions[0].resumed_on is not None
    login_as(client, world.liaison_m)
    assert "Sporthal De Kolk" in client.get(f"/m/gem-m/requests/{submitted.id}").get_data(as_text=True)


def test_decide_without_answer_shows_the_error(client, db, world, submitted, login_as):
    login_as(client, world.liaison_m)
    r = client.post(f"/m/gem-m/requests/{submitted.id}/decide", data={"outcome": "refused", "answer": ""})
    assert r.status_code == 400
    db.session.refresh(submitted)
    assert submitted.status is S.SUBMITTED
    r = client.post(f"/m/gem-m/requests/{submitted.id}/decide",
                    data={"outcome": "refused", "answer": "Past niet in het beleid.",
                          "document": (io.BytesIO(PDF), "besluit.pdf")},
                    content_type="multipart/form-data")
    assert r.status_code == 302
    db.session.refresh(submitted)
    assert submitted.status is S.DECIDED and submitted.outcome is Outcome.REFUSED
    login_as(client, world.board_a)
    page = client.get(f"/c/coop-a/requests/{submitted.id}").get_data(as_text=True)
    assert "Past niet in het beleid." in page and "besluit.pdf" in page


def test_internal_notes_are_never_shown_to_the_cooperative(client, db, world, submitted, login_as):
    login_as(client, world.liaison_m)
    client.post(f"/m/gem-m/requests/{submitted.id}/notes", data={"note": "Wethouder is tegen"})
    assert db.session.scalar(select(RequestNote)).body == "Wethouder is tegen"
    assert "Wethouder is tegen" in client.get(f"/m/gem-m/requests/{submitted.id}").get_data(as_text=True)
    login_as(client, world.board_a)
    assert "Wethouder is tegen" not in client.get(f"/c/coop-a/requests/{submitted.id}").get_data(as_text=True)
    assert "Wethouder is tegen" not in pdf_text(client.get(f"/c/coop-a/requests/{submitted.id}/letter.pdf").data)


def test_thread_messages_are_seen_by_both_sides(client, db, world, submitted, login_as):
    login_as(client, world.board_a)
    client.post(f"/c/coop-a/requests/{submitted.id}/messages", data={"body": "Is er al nieuws?"})
    login_as(client, world.liaison_m)
    assert "Is er al nieuws?" in client.get(f"/m/gem-m/requests/{submitted.id}").get_data(as_text=True)
    client.post(f"/m/gem-m/requests/{submitted.id}/messages", data={"body": "Volgende week."})
    login_as(client, world.board_a)
    assert "Volgende week." in client.get(f"/c/coop-a/requests/{submitted.id}").get_data(as_text=True)


def test_assignment_only_to_a_colleague(client, db, world, submitted, login_as, make_user, grant):
    colleague = make_user("collega@gem-m.example", "Collega M")
    grant(colleague, "liaison", municipality=world.muni_m)
    db.session.commit()
    login_as(client, world.liaison_m)
    assert client.post(f"/m/gem-m/requests/{submitted.id}/assign", data={"assignee": colleague.id}).status_code == 302
    db.session.refresh(submitted)
    assert submitted.assignee_id == colleague.id
    r = client.post(f"/m/gem-m/requests/{submitted.id}/assign", data={"assignee": world.liaison_n.id})
    assert r.status_code == 400
    page = client.get("/m/gem-m/requests?view=mine").get_data(as_text=True)
    assert "Subsidie" not in page


# --- attachments -----------------------------------------------------------------------------------


def test_attachments_checked_by_content(client, db, world, draft, login_as, tmp_path, app, monkeypatch):
    monkeypatch.setitem(app.config, "UPLOAD_DIR", str(tmp_path))
    login_as(client, world.board_a)
    url = f"/c/coop-a/requests/{draft.id}/attachments"
    exe = b"MZ\x90\x00\x03" + b"\x00" * 200
    r = client.post(url, data={"file": (io.BytesIO(exe), "offerte.pdf")}, content_type="multipart/form-data")
    assert r.status_code == 400 and "Only PDF" in r.get_data(as_text=True)
    r = client.post(url, data={"file": (io.BytesIO(PDF), "offerte.pdf")}, content_type="multipart/form-data")
    assert r.status_code == 302
    [att] = services.attachments_of(draft)
    assert att.content_type == "application/pdf" and att.filename == "offerte.pdf"
    got = client.get(f"/c/coop-a/requests/{draft.id}/attachments/{att.id}")
    assert got.status_code == 200 and got.data == PDF and "attachment" in got.headers["Content-Disposition"]
    big = b"%PDF-" + b"0" * (10 * 1024 * 1024)
    r = client.post(url, data={"file": (io.BytesIO(big), "groot.pdf")}, content_type="multipart/form-data")
    assert r.status_code == 400 and "larger than" in r.get_data(as_text=True)
    login_as(client, world.board_b)
    assert client.get(f"/c/coop-b/requests/{draft.id}/attachments/{att.id}").status_code == 404


# --- commitments -----------------------------------------------------------------------------------


def test_commitments_recorded_by_the_municipality_tracked_by_both(client, db, world, submitted, login_as):
    login_as(client, world.liaison_m)
    r = client.post(f"/m/gem-m/requests/{submitted.id}/commitments",
                    data={"what": "Dak laten keuren", "who": "Team Vastgoed", "due_on": "2026-09-01"})
    assert r.status_code == 302
    c = db.session.scalar(select(Commitment))
    assert (c.cooperative_id, c.municipality_id, c.status) == (world.coop_a.id, world.muni_m.id, CommitmentStatus.OPEN)
    login_as(client, world.board_a)
    assert "Dak laten keuren" in client.get("/c/coop-a/requests").get_data(as_text=True)
    r = client.post(f"/c/coop-a/requests/{submitted.id}/commitments/{c.id}", data={"status": "done", "progress": "40"})
    assert r.status_code == 302
    db.session.refresh(c)
    assert c.status is CommitmentStatus.DONE and c.progress == 100 and c.completed_on
    r = client.post(f"/c/coop-a/requests/{submitted.id}/commitments/{c.id}", data={"status": "open", "progress": "140"})
    assert r.status_code == 400
    login_as(client, world.liaison_m)
    assert "Dak laten keuren" in client.get(f"/m/gem-m/region/{world.coop_a.id}").get_data(as_text=True)


# --- inbox and region ------------------------------------------------------------------------------


def test_inbox_filters_and_overdue_stand_out(client, db, world, login_as, monkeypatch):
    monkeypatch.setattr(services, "today", lambda: date(2026, 6, 1))
    woo = catalogue_type(world.muni_m, RequestKind.WOO)
    old = services.create_draft(world.coop_a, woo, subject="Oud verzoek", body="B", actor=world.board_a)
    services.submit(old, actor=world.board_a, on=date(2026, 3, 2))
    new = services.create_draft(world.coop_a, catalogue_type(world.muni_m, RequestKind.QUESTION),
                                subject="Nieuwe vraag", body="B", actor=world.board_a)
    services.submit(new, actor=world.board_a, on=date(2026, 5, 29))
    db.session.commit()
    login_as(client, world.liaison_m)
    page = client.get("/m/gem-m/requests").get_data(as_text=True)
    assert "Oud verzoek" in page and "Nieuwe vraag" in page and "overdue by" in page and "is-overdue" in page
    overdue = client.get("/m/gem-m/requests?view=overdue").get_data(as_text=True)
    assert "Oud verzoek" in overdue and "Nieuwe vraag" not in overdue
    soon = client.get("/m/gem-m/requests?view=soon").get_data(as_text=True)
    assert "Nieuwe vraag" in soon and "Oud verzoek" not in soon
    by_kind = client.get("/m/gem-m/requests?kind=question").get_data(as_text=True)
    assert "Nieuwe vraag" in by_kind and "Oud verzoek" not in by_kind
    by_status = client.get("/m/gem-m/requests?view=all&status=decided").get_data(as_text=True)
    assert "Oud verzoek" not in by_status
    assert "Oud verzoek" in client.get(f"/m/gem-m/requests?coop_id={world.coop_a.id}").get_data(as_text=True)
    assert "Oud verzoek" not in client.get(f"/m/gem-m/requests?coop_id={world.coop_b.id}").get_data(as_text=True)


def test_inbox_queries_stay_constant(client, db, world, login_as, queries_stay_constant):
    woo = catalogue_type(world.muni_m, RequestKind.WOO)
    db.session.commit()
    login_as(client, world.liaison_m)

    def grow(n):
        for i in range(n):
            req = services.create_draft(world.coop_a, woo, subject=f"Verzoek {i}", body="B", actor=world.board_a)
            services.submit(req, actor=world.board_a)
        db.session.commit()

    queries_stay_constant(client, "/m/gem-m/requests", grow, 2, 10)


def test_a_large_inbox_counts_up_to_a_cap_and_still_pages_on(client, db, world, login_as, monkeypatch):
    from coop.liaison import views

    monkeypatch.setattr(views, "INBOX_COUNT_CAP", 3)
    woo = catalogue_type(world.muni_m, RequestKind.WOO)
    for i in range(5):
        req = services.create_draft(world.coop_a, woo, subject=f"Verzoek {i}", body="B", actor=world.board_a)
        services.submit(req, actor=world.board_a)
    db.session.commit()
    login_as(client, world.liaison_m)
    page = client.get("/m/gem-m/requests").get_data(as_text=True)
    assert "More than 3 found" in page and all(f"Verzoek {i}<" in page for i in range(5))
    assert "More than" not in client.get("/m/gem-m/requests?kind=question").get_data(as_text=True)
    monkeypatch.setattr(views, "INBOX_COUNT_CAP", 10)
    assert "5 requests" in client.get("/m/gem-m/requests").get_data(as_text=True)


def test_region_lists_the_collectives_with_size_and_contact(client, db, world, login_as):
    login_as(client, world.liaison_m)
    page = client.get("/m/gem-m/region").get_data(as_text=True)
    assert "Coöperatie A" in page and "Coöperatie B" not in page and world.board_a.email in page
    assert client.get(f"/m/gem-m/region/{world.coop_b.id}").status_code == 404
    assert "Coöperatie A" in client.get(f"/m/gem-m/region/{world.coop_a.id}").get_data(as_text=True)


def test_letter_pdf_has_the_receipt_number_and_dates(client, db, world, submitted, login_as):
    login_as(client, world.board_a)
    r = client.get(f"/c/coop-a/requests/{submitted.id}/letter.pdf")
    assert r.status_code == 200 and r.data.startswith(b"%PDF")
    assert submitted.receipt_number in r.headers["Content-Disposition"]
    text = pdf_text(r.data)
    assert submitted.receipt_number in text and "Subsidie zonnedak sporthal" in text
    assert "March 2, 2026" in text or "2 maart 2026" in text
    assert "April 28, 2026" in text or "28 april 2026" in text


# --- the daily digest ------------------------------------------------------------------------------


def test_daily_digest_lists_overdue_and_soon_due_requests(app, db, world, submitted):
    from coop.core.mail import OutboxMessage
    from coop.liaison.digest import send_digests

    woo = services.create_draft(world.coop_a, catalogue_type(world.muni_m, RequestKind.WOO), subject="Bijna",
                                body="B", actor=world.board_a)
    services.submit(woo, actor=world.board_a, on=date(2026, 4, 1))  # due 29 April
    quiet = services.create_draft(world.coop_b, catalogue_type(world.muni_n, RequestKind.WOO), subject="Later",
                                  body="B", actor=world.board_b)
    services.submit(quiet, actor=world.board_b, on=date(2026, 4, 27))
    db.session.query(OutboxMessage).delete()
    assert send_digests(on=date(2026, 4, 29)) == 2  # liaison M and board A; nothing for N or B
    msgs = {m.to_address: m for m in db.session.scalars(select(OutboxMessage))}
    assert set(msgs) == {world.liaison_m.email, world.board_a.email}
    body = msgs[world.liaison_m.email].body_text
    assert "Subsidie zonnedak sporthal" in body.split("Bijna")[0]  # overdue listed before soon-due
    assert "/m/gem-m/requests" in body and "Later" not in body


def test_digest_command_runs(app, db, world, submitted):
    result = app.test_cli_runner().invoke(args=["coop", "liaison-digest"])
    assert result.exit_code == 0 and "queued" in result.output


# --- member input: a request rests on a resolution of the general meeting -----------------------


def test_a_request_rests_on_a_resolution_that_the_liaison_can_read(db, world, client, login_as):
    from coop.meetings import services as meetings
    from tests.meetings.helpers import make_meeting

    def held(coop, board):
        meeting = make_meeting(coop, board, convene=True)
        meetings.open_session(meeting, actor=board)
        return meeting

    own = meetings.record_resolution(held(world.coop_a, world.board_a), title="Zonnedak sporthal",
                                     text="De ALV vraagt de gemeente om het dak van de sporthal.",
                                     actor=world.board_a)
    foreign = meetings.record_resolution(held(world.coop_b, world.board_b), title="Ander besluit",
                                         text="Niet van A.", actor=world.board_b)
    db.session.commit()
    decision = catalogue_type(world.muni_m, RequestKind.DECISION)
    login_as(client, world.board_a)
    form = client.get("/c/coop-a/requests/new").get_data(as_text=True)
    # both are ALV-<year>-01: numbers are per cooperative
    assert "Zonnedak sporthal" in form and "Ander besluit" not in form
    data = {"request_type": decision.id, "subject": "Dak sporthal", "body": "Zie het besluit."}
    r = client.post("/c/coop-a/requests/new", data=data | {"resolution": foreign.id})
    assert r.status_code == 400  # not a choice offered: nothing written
    assert db.session.query(LiaisonRequest).count() == 0
    with pytest.raises(DomainError, match="own cooperative"):
        services.create_draft(world.coop_a, decision, subject="S", body="B", resolution_id=foreign.id,
                              actor=world.board_a)
    r = client.post("/c/coop-a/requests/new", data=data | {"resolution": own.id})
    req = db.session.query(LiaisonRequest).one()
    assert r.status_code == 302 and req.resolution_id == own.id
    services.submit(req, actor=world.board_a)
    db.session.commit()
    login_as(client, world.liaison_m)
    page = client.get(f"/m/gem-m/requests/{req.id}").get_data(as_text=True)
    assert own.number in page and "het dak van de sporthal" in page
