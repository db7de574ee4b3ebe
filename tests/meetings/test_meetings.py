"""General meetings through their services and pages: convocation and notice, the frozen agenda,
documents, proxies, check-in, the live count, minutes and the member's side."""
from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from coop.core.audit import AuditEntry
from coop.core.errors import DomainError
from coop.core.mail import OutboxMessage
from coop.meetings import services
from coop.meetings.models import (AgendaChange, Attendance, Convocation, ItemKind, MeetingStatus, Proxy,
                                  ProxySource)
from coop.members import services as member_services
from coop.members.models import MemberStatus
from tests.meetings.helpers import PDF, add_pdf, make_meeting, meeting_data


def pdf_text(data: bytes) -> str:
    import subprocess

    assert data.startswith(b"%PDF-")
    return subprocess.run(["pdftotext", "-layout", "-", "-"], input=data, capture_output=True,
                          check=True).stdout.decode()


def _count(db, model, *where):
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


# --- convocation and notice ---------------------------------------------------------------------


def test_a_late_convocation_is_refused_with_the_last_possible_day(db, world):
    meeting = make_meeting(world.coop_a, days_ahead=5)
    with pytest.raises(DomainError) as refused:
        services.convene(meeting, actor=world.board_a)
    assert "at least 7 days" in str(refused.value)
    assert meeting.status == MeetingStatus.DRAFT
    assert _count(db, Convocation) == 0


def test_a_statute_amendment_needs_the_longer_term_and_its_text(db, world):
    world.coop_a.statutes.amendment_convocation_days = 21
    meeting = make_meeting(world.coop_a, days_ahead=14)
    services.check_convocation(meeting)  # 14 days: fine for an ordinary meeting
    item = services.add_item(meeting, {"title": "Statutenwijziging", "kind": "decision",
                                       "is_statute_amendment": True}, actor=None)
    with pytest.raises(DomainError, match="statute amendment"):
        services.check_convocation(meeting)
    meeting.starts_at += timedelta(days=10)
    with pytest.raises(DomainError, match="proposed text"):
        services.check_convocation(meeting)
    add_pdf(meeting, item)
    services.check_convocation(meeting)


def test_convening_mails_the_consenting_members_with_an_invitation_and_letters_the_rest(
        db, app, world, make_member, mails):
    by_letter = make_member(world.coop_a, first_name="Lies", last_name="Brief", email=None)
    make_member(world.coop_a, status=MemberStatus.APPLICANT, first_name="Nog", last_name="Geen")
    meeting = make_meeting(world.coop_a)
    counts = services.convene(meeting, actor=world.board_a)
    db.session.commit()
    assert counts == {"email": 2, "letter": 1}  # Anna and Bert by e-mail; Lies by letter; no applicant
    rows = db.session.scalars(select(Convocation).where(Convocation.meeting_id == meeting.id)).all()
    assert {(r.member_id, r.channel) for r in rows} >= {(by_letter.id, "letter"), (world.record_a.id, "email")}
    assert all(r.sent_at is not None and r.token for r in rows)
    messages = db.session.scalars(select(OutboxMessage).where(OutboxMessage.to_address == "member-a@example.net")).all()
    assert len(messages) == 1
    msg = messages[0]
    assert meeting.title in msg.subject
    assert msg.attachment_type == "text/calendar" and "BEGIN:VEVENT" in msg.attachment_text
    assert "DTSTART" in msg.attachment_text and "Dorpshuis" in msg.attachment_text
    assert f"/me/c/coop-a/meetings/{meeting.id}" in msg.body_text
    mine = next(r for r in rows if r.member_id == world.record_a.id)
    assert "Anna," in msg.body_text and mine.token in msg.body_text and "\x00" not in msg.body_text
    import icalendar

    event = icalendar.Calendar.from_ical(msg.attachment_text).walk("VEVENT")[0]
    assert event.decoded("dtstart") == meeting.starts_at
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "meetings.convene"))
    assert entry.details_dict["emailed"] == 2 and entry.details_dict["letters"] == 1
    with pytest.raises(DomainError):
        services.convene(meeting, actor=world.board_a)  # once only


def test_the_letters_hold_one_page_per_member_with_address_and_qr(db, app, world, make_member):
    for n in range(3):
        make_member(world.coop_a, first_name=f"Brief{n}", last_name="Lezer", email=None, postcode=f"97{n}1 AB")
    meeting = make_meeting(world.coop_a, convene=True)
    from coop.meetings import letters

    with app.test_request_context():
        pdf = letters.render_part(meeting, 1)
    import os
    if os.environ.get("COOP_KEEP_PDF"):
        open(os.environ["COOP_KEEP_PDF"], "wb").write(pdf)
    text = pdf_text(pdf)
    pages = text.split("\f")
    assert len([p for p in pages if p.strip()]) == 3  # one letter per member without e-mail
    assert "Brief0 Lezer" in pages[0] and "9701 AB" in pages[0]  # postcode order
    assert "Show this code" in text
    assert "Algemene ledenvergadering" in text


# --- the agenda after convocation ---------------------------------------------------------------


def test_the_agenda_is_frozen_after_convocation_unless_the_change_is_announced(db, world, mails):
    meeting = make_meeting(world.coop_a, convene=True)
    db.session.commit()
    before = len(meeting.items)
    with pytest.raises(DomainError, match="announcement"):
        services.add_item(meeting, {"title": "Extra punt", "kind": "discussion"}, actor=world.board_a)
    with pytest.raises(DomainError, match="announcement"):
        services.remove_item(meeting.items[0], actor=world.board_a, announcement="  ")
    with pytest.raises(DomainError, match="announcement"):
        add_pdf(meeting, meeting.items[0])
    db.session.rollback()
    meeting = db.session.merge(meeting)
    assert len(meeting.items) == before
    services.add_item(meeting, {"title": "Zonnepark Noord", "kind": "decision"}, actor=world.board_a,
                      announcement="Op verzoek van leden is het zonnepark toegevoegd.")
    db.session.commit()
    assert meeting.agenda_version == 2
    change = db.session.scalar(select(AgendaChange).where(AgendaChange.meeting_id == meeting.id))
    assert "Zonnepark Noord" in change.what and change.version == 2
    sent = db.session.scalars(select(OutboxMessage).where(OutboxMessage.subject.contains("Agenda"))).all()
    assert {m.to_address for m in sent} == {"member-a@example.net", "board-a@example.net"}
    assert all("Zonnepark Noord" in m.body_text and "Op verzoek van leden" in m.body_text for m in sent)
    # "any other business and closing" stays last
    assert meeting.items[-1].title.startswith(("Any other", "Rondvraag"))


def test_nothing_changes_on_the_agenda_once_the_meeting_has_begun(db, world):
    meeting = make_meeting(world.coop_a, convene=True)
    services.open_session(meeting, actor=world.board_a)
    with pytest.raises(DomainError, match="begun"):
        services.add_item(meeting, {"title": "Te laat"}, actor=world.board_a, announcement="x")


# --- documents ----------------------------------------------------------------------------------


def test_a_document_that_claims_to_be_a_pdf_but_is_html_is_refused(db, world, app):
    meeting = make_meeting(world.coop_a)
    with pytest.raises(DomainError, match="not one of the accepted kinds"):
        services.add_document(meeting, None, io.BytesIO(b"<html><script>alert(1)</script></html>"),
                              "stukken.pdf", actor=None)
    from coop.meetings import documents

    assert list(documents.folder().glob("*")) == [] or all(
        p.read_bytes().startswith(b"%PDF") for p in documents.folder().glob("*"))


class Zeros:
    """A 200 MB upload that is never held in memory."""

    def __init__(self, size):
        self.left = size
        self.read_bytes = 0

    def read(self, n):
        n = min(n, self.left)
        self.left -= n
        self.read_bytes += n
        return b"%PDF-" + b"0" * (n - 5) if n >= 5 else b"0" * n


def test_a_200_mb_upload_is_refused_without_reading_it_all(db, world):
    meeting = make_meeting(world.coop_a)
    stream = Zeros(200 * 1024 * 1024)
    with pytest.raises(DomainError, match="larger than 20 MB"):
        services.add_document(meeting, None, stream, "groot.pdf", actor=None)
    assert stream.read_bytes <= 21 * 1024 * 1024


def test_office_documents_are_recognised_by_their_content(db, world, tmp_path):
    import openpyxl

    book = openpyxl.Workbook()
    path = tmp_path / "begroting.xlsx"
    book.save(path)
    meeting = make_meeting(world.coop_a)
    doc = services.add_document(meeting, None, open(path, "rb"), "begroting.pdf", actor=None)
    assert doc.file_type == "xlsx"


def test_members_get_documents_only_after_convocation_and_never_proxy_scans(db, client, world, login_as):
    meeting = make_meeting(world.coop_a)
    doc = add_pdf(meeting, meeting.items[0])
    db.session.commit()
    url = f"/c/coop-a/meetings/{meeting.id}/documents/{doc.id}"
    login_as(client, world.member_a)
    assert client.get(url).status_code == 403  # draft
    services.convene(meeting, actor=world.board_a)
    scan = services.add_document(meeting, None, io.BytesIO(PDF), "volmacht.pdf", actor=None,
                                 kind=services.DocumentKind.PROXY_SCAN)
    db.session.commit()
    r = client.get(url)
    assert r.status_code == 200 and r.data == PDF
    assert r.headers["Content-Type"] == "application/pdf" and "no-store" in r.headers["Cache-Control"]
    assert client.get(f"/c/coop-a/meetings/{meeting.id}/documents/{scan.id}").status_code == 403
    login_as(client, world.member_b)
    assert client.get(url).status_code == 404


# --- proxies ------------------------------------------------------------------------------------


@pytest.fixture
def convened(db, world, make_member):
    world.coop_a.statutes.max_proxies_per_holder = 1
    world.carla = make_member(world.coop_a, first_name="Carla", last_name="Smit")
    world.dirk = make_member(world.coop_a, first_name="Dirk", last_name="Mol")
    meeting = make_meeting(world.coop_a, convene=True)
    db.session.commit()
    return meeting


def test_proxy_refusals(db, world, convened, make_member, make_coop):
    a, b, c, d = world.record_a, world.record_board_a, world.carla, world.dirk
    give = lambda g, h: services.give_proxy(convened, g, h, actor=None)  # noqa: E731
    with pytest.raises(DomainError, match="own proxy"):
        give(a, a)
    with pytest.raises(DomainError, match="voting rights"):
        give(a, world.record_b)  # a member of another cooperative
    applicant = make_member(world.coop_a, status=MemberStatus.APPLICANT)
    with pytest.raises(DomainError, match="voting rights"):
        give(a, applicant)
    give(b, c)  # B → C
    with pytest.raises(DomainError, match="passed on"):
        give(a, b)  # A → B while B → C: a chain
    with pytest.raises(DomainError, match="most proxies"):
        give(d, c)  # C already holds one (cap 1)
    with pytest.raises(DomainError, match="holds proxies"):
        give(c, d)  # C holds B's proxy and cannot give their own
    world.coop_a.statutes.has_proxies = False
    with pytest.raises(DomainError, match="do not allow"):
        give(a, d)


def test_a_member_admitted_after_the_record_date_cannot_hold_a_proxy(db, world, convened, make_member):
    late = make_member(world.coop_a, on=date.today() + timedelta(days=1), first_name="Laat")
    with pytest.raises(DomainError, match="voting rights"):
        services.give_proxy(convened, world.record_a, late, actor=None)


def test_one_standing_proxy_per_grantor_is_a_database_rule(db, world, convened):
    services.give_proxy(convened, world.record_a, world.carla, actor=None)
    db.session.add(Proxy(cooperative_id=world.coop_a.id, meeting_id=convened.id, grantor_id=world.record_a.id,
                         holder_id=world.dirk.id, source=ProxySource.ONLINE))
    with pytest.raises(IntegrityError):
        db.session.flush()


def test_a_proxy_is_revocable_until_voting_opens_and_a_revoked_one_does_not_count(db, world, convened):
    proxy = services.give_proxy(convened, world.record_a, world.carla, actor=None)
    services.check_in(convened, world.carla, actor=world.board_a)
    assert services.live_counts(convened)["by_proxy"] == 1
    services.revoke_proxy(proxy, actor=None)
    assert services.live_counts(convened)["by_proxy"] == 0
    again = services.give_proxy(convened, world.record_a, world.carla, actor=None)
    services.open_session(convened, actor=world.board_a)
    services.open_voting(convened, actor=world.board_a)
    with pytest.raises(DomainError, match="Voting has opened"):
        services.revoke_proxy(again, actor=None)
    with pytest.raises(DomainError, match="Voting has opened"):
        services.give_proxy(convened, world.dirk, world.record_board_a, actor=None)
    assert services.live_counts(convened)["by_proxy"] == 1


def test_a_member_who_attends_takes_back_their_own_vote(db, world, convened):
    services.give_proxy(convened, world.record_a, world.carla, actor=None)
    services.check_in(convened, world.carla, actor=world.board_a)
    services.check_in(convened, world.record_a, actor=world.board_a)
    counts = services.live_counts(convened)
    assert counts == {"in_person": 2, "online": 0, "by_proxy": 0, "total": 2}


# --- attendance ---------------------------------------------------------------------------------


def test_suspended_and_former_members_are_not_checked_in(db, world, convened):
    member_services.expel(world.carla, actor=world.board_a, reasons="Wanbetaling")
    with pytest.raises(DomainError, match="suspended or former"):
        services.check_in(convened, world.carla, actor=world.board_a)
    member_services.record_death(world.dirk, died_on=date.today(), actor=world.board_a)
    with pytest.raises(DomainError, match="suspended or former"):
        services.check_in(convened, world.dirk, actor=world.board_a)
    assert _count(db, Attendance, Attendance.checked_in_at.is_not(None)) == 0


def test_checking_in_twice_leaves_one_row(db, world, convened):
    assert services.check_in(convened, world.carla, actor=world.board_a) is True
    assert services.check_in(convened, world.carla, actor=world.board_b) is False
    assert _count(db, Attendance, Attendance.member_id == world.carla.id) == 1
    db.session.add(Attendance(cooperative_id=world.coop_a.id, meeting_id=convened.id, member_id=world.carla.id))
    with pytest.raises(IntegrityError):
        db.session.flush()


def test_two_secretaries_at_the_same_moment_meet_the_unique_row(db, world, convened, monkeypatch):
    """The second secretary's request did not see the first one's row yet: it inserts, meets the
    unique constraint, and uses the existing row."""
    services.check_in(convened, world.carla, actor=world.board_a)
    real_scalar = db.session.scalar
    calls = []

    def stale_first_read(stmt, *args, **kw):
        if not calls and "attendance" in str(stmt):
            calls.append(stmt)
            return None  # as if the other transaction had not committed yet
        return real_scalar(stmt, *args, **kw)

    monkeypatch.setattr(db.session, "scalar", stale_first_read)
    assert services.check_in(convened, world.carla, actor=world.board_a) is False
    monkeypatch.undo()
    assert _count(db, Attendance, Attendance.member_id == world.carla.id) == 1


def test_check_in_search_finds_by_number_postcode_name_and_qr_token(db, world, convened):
    carla = world.carla
    token = db.session.scalar(select(Convocation.token).where(Convocation.member_id == carla.id))
    assert services.find_for_check_in(convened, str(carla.number)) == [carla]
    assert carla in services.find_for_check_in(convened, "smit carla")
    assert carla in services.find_for_check_in(convened, "1011aa")
    assert carla in services.find_for_check_in(convened, "1011")  # postcode digits, or a number
    assert services.find_for_check_in(convened, token) == [carla]
    assert services.find_for_check_in(convened, "") == []


def test_the_check_in_page_checks_in_and_counts(db, client, world, convened, login_as):
    login_as(client, world.board_a)
    page = client.get(f"/c/coop-a/meetings/{convened.id}/check-in?q=Smit").get_data(as_text=True)
    assert "Carla" in page
    r = client.post(f"/c/coop-a/meetings/{convened.id}/check-in", data={"member_id": world.carla.id})
    assert r.status_code == 302
    page = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "is checked in" in page or "ingecheckt" in page
    assert _count(db, Attendance, Attendance.checked_in_at.is_not(None)) == 1
    # a member of another cooperative cannot be reached through this page
    r = client.post(f"/c/coop-a/meetings/{convened.id}/check-in", data={"member_id": world.record_b.id})
    assert r.status_code == 404


# --- the session, live page and minutes ---------------------------------------------------------


def test_online_members_count_while_their_live_page_is_open(db, client, world, convened, login_as):
    services.open_session(convened, actor=world.board_a)
    db.session.commit()
    login_as(client, world.member_a)
    data = client.get(f"/c/coop-a/meetings/{convened.id}/live.json").get_json()
    assert data["counts"]["online"] == 1 and data["status"] == "in_session"
    assert data["current_item"]["position"] == 1
    later = services.utcnow() + services.ONLINE_WINDOW + timedelta(seconds=5)
    assert services.live_counts(convened, now=later)["online"] == 0
    # the room's screen does not count as a participant
    login_as(client, world.board_a)
    data = client.get(f"/c/coop-a/meetings/{convened.id}/live.json?screen=1").get_json()
    assert data["counts"]["online"] == 1


def test_the_live_page_works_without_javascript(db, client, world, convened, login_as):
    services.open_session(convened, actor=world.board_a)
    services.set_current_item(convened, 2, actor=world.board_a)
    db.session.commit()
    login_as(client, world.member_a)
    page = client.get(f"/c/coop-a/meetings/{convened.id}/live").get_data(as_text=True)
    assert convened.items[1].title in page
    assert "meetings_live.js" in page and "<script>" not in page


def test_closing_drafts_the_minutes_and_the_next_meeting_adopts_them(db, app, world, convened):
    services.open_session(convened, actor=world.board_a)
    services.check_in(convened, world.carla, actor=world.board_a)
    services.close_meeting(convened, actor=world.board_a)
    assert convened.status == MeetingStatus.CLOSED
    assert "Present in the room: 1" in convened.minutes_intro or "zaal: 1" in convened.minutes_intro
    services.update_minutes(convened, "Voorzitter: Bert Bakker", {convened.items[0].id: "De voorzitter opent."},
                            actor=world.board_a)
    with app.test_request_context():
        from coop.core.pdf import render_pdf
        from coop.meetings import letters

        text = pdf_text(render_pdf("pdf/meetings_minutes.html", extra_css=[letters.LIST_CSS],
                                   coop=world.coop_a, meeting=convened))
    assert "De voorzitter opent." in text and "Voorzitter: Bert Bakker" in text
    following = make_meeting(world.coop_a, title="Najaarsvergadering", days_ahead=60)
    adopt = [i for i in following.items if i.adopts_minutes_of_id == convened.id]
    assert len(adopt) == 1 and adopt[0].kind == ItemKind.DECISION
    with pytest.raises(DomainError):
        services.adopt_minutes(adopt[0], actor=world.board_a)  # not in session yet
    following.convened_at = services.utcnow()
    following.status = MeetingStatus.CONVENED
    services.open_session(following, actor=world.board_a)
    services.adopt_minutes(adopt[0], actor=world.board_a)
    assert convened.status == MeetingStatus.MINUTES_ADOPTED
    with pytest.raises(DomainError):
        services.update_minutes(convened, "x", {}, actor=world.board_a)


def test_a_second_meeting_follows_a_held_one_within_the_statutes_weeks(db, world, convened):
    with pytest.raises(DomainError, match="held"):
        services.create_meeting(world.coop_a, meeting_data(kind="second", first_meeting_id=convened.id), actor=None)
    services.open_session(convened, actor=None)
    services.close_meeting(convened, actor=None)
    with pytest.raises(DomainError, match="within 6 weeks"):
        services.create_meeting(world.coop_a, meeting_data(days_ahead=30 + 7 * 7, kind="second",
                                                           first_meeting_id=convened.id), actor=None)
    second = services.create_meeting(world.coop_a, meeting_data(days_ahead=40, kind="second",
                                                                first_meeting_id=convened.id), actor=None)
    assert second.first_meeting is convened


# --- the member's side --------------------------------------------------------------------------


def test_a_member_answers_gives_a_proxy_and_asks_a_question(db, client, world, convened, login_as):
    login_as(client, world.member_a)
    base = f"/me/c/coop-a/meetings/{convened.id}"
    page = client.get(base).get_data(as_text=True)
    assert convened.items[0].title in page
    assert client.post(base + "/rsvp", data={"answer": "online"}).status_code == 302
    r = client.post(base + "/proxy", data={"holder_number": world.record_a.number})
    assert r.status_code == 400 and ("own proxy" in r.get_data(as_text=True) or "eigen" in r.get_data(as_text=True))
    assert client.post(base + "/proxy", data={"holder_number": world.carla.number}).status_code == 302
    proxy = db.session.scalar(select(Proxy).where(Proxy.grantor_id == world.record_a.id))
    assert proxy.holder_id == world.carla.id and proxy.source == ProxySource.ONLINE
    assert "Carla Smit" in client.get(base).get_data(as_text=True)
    assert client.post(base + "/questions", data={"question": "Hoe staat het met de subsidie?"}).status_code == 302
    assert client.post(base + "/proxy/revoke").status_code == 302
    db.session.expire_all()
    assert db.session.get(Proxy, proxy.id).revoked_at is not None
    row = db.session.scalar(select(Attendance).where(Attendance.member_id == world.record_a.id))
    assert row.rsvp.value == "online"


def test_the_holder_sees_whom_they_represent(db, client, world, convened, login_as):
    services.give_proxy(convened, world.carla, world.record_a, actor=None)
    db.session.commit()
    login_as(client, world.member_a)
    page = client.get(f"/me/c/coop-a/meetings/{convened.id}").get_data(as_text=True)
    assert "Carla Smit" in page


def test_a_members_proposal_goes_on_the_agenda_when_enough_members_sign(db, client, world, make_member,
                                                                      login_as, make_user, grant):
    world.coop_a.statutes.proposal_min_members = 3
    world.coop_a.statutes.proposal_min_percent = 0
    meeting = make_meeting(world.coop_a)
    db.session.commit()
    login_as(client, world.member_a)
    base = f"/me/c/coop-a/meetings/{meeting.id}"
    assert client.post(base + "/proposals", data={"title": "Tweede zonnedak", "text": "Wij stellen voor…",
                                                  "kind": "decision"}).status_code == 302
    from coop.meetings.models import MemberProposal

    proposal = db.session.scalar(select(MemberProposal))
    assert len(proposal.signatures) == 1
    assert client.post(f"{base}/proposals/{proposal.id}/sign").status_code == 400  # signed already
    services.sign_proposal(proposal, world.record_board_a, actor=None)
    assert not any(i.proposal_id for i in meeting.items)
    carla = make_member(world.coop_a, first_name="Carla")
    services.sign_proposal(proposal, carla, actor=None)
    assert proposal.status.value == "on_agenda"
    assert any(i.proposal_id == proposal.id and i.title == "Tweede zonnedak" for i in meeting.items)


def test_board_publishes_an_answer_that_every_member_sees(db, client, world, convened, login_as):
    q = services.ask_question(convened, world.carla, "Wat kost het nieuwe dak?", actor=None)
    db.session.commit()
    login_as(client, world.board_a)
    r = client.post(f"/c/coop-a/meetings/{convened.id}/questions", data={"question_id": q.id,
                                                                          "answer": "Ongeveer € 40.000."})
    assert r.status_code == 302
    login_as(client, world.member_a)
    page = client.get(f"/me/c/coop-a/meetings/{convened.id}").get_data(as_text=True)
    assert "Wat kost het nieuwe dak?" in page and "Ongeveer € 40.000." in page
    assert "Carla" not in page.split("Wat kost")[0][-200:]  # the asker is not named


def test_drafts_are_shown_to_members_without_documents(db, client, world, login_as):
    meeting = make_meeting(world.coop_a)
    doc = add_pdf(meeting, meeting.items[0])
    db.session.commit()
    login_as(client, world.member_a)
    page = client.get(f"/me/c/coop-a/meetings/{meeting.id}").get_data(as_text=True)
    assert doc.original_name not in page


def test_board_pages_walk_through_a_meeting(db, client, world, login_as, mails):
    login_as(client, world.board_a)
    starts = (date.today() + timedelta(days=21)).isoformat() + "T19:30"
    r = client.post("/c/coop-a/meetings/new", data={
        "title": "ALV voorjaar", "kind": "regular", "first_meeting_id": 0, "starts_at": starts,
        "duration_minutes": 120, "place": "Buurthuis De Kern", "online_url": "",
        "record_on": date.today().isoformat()})
    assert r.status_code == 302, r.get_data(as_text=True)
    meeting_url = r.headers["Location"]
    page = client.get(meeting_url).get_data(as_text=True)
    assert "ALV voorjaar" in page and "19:30" in page
    meeting_id = int(meeting_url.rstrip("/").split("/")[-1].split("#")[0])
    r = client.post(f"/c/coop-a/meetings/{meeting_id}/items/new", data={"title": "Jaarrekening 2025",
                                                                       "kind": "decision"})
    assert r.status_code == 302
    r = client.post(f"/c/coop-a/meetings/{meeting_id}/documents/new", data={
        "file": (io.BytesIO(b"<html>nep</html>"), "jaarrekening.pdf")}, content_type="multipart/form-data")
    assert r.status_code == 400 and "accepted kinds" in r.get_data(as_text=True)
    assert client.post(f"/c/coop-a/meetings/{meeting_id}/convene").status_code == 302
    assert "Convened" in client.get(meeting_url).get_data(as_text=True)
    r = client.get(f"/c/coop-a/meetings/{meeting_id}/attendance.pdf")
    assert r.status_code == 200 and r.data.startswith(b"%PDF")
    r = client.get(f"/c/coop-a/meetings/{meeting_id}/convocations")
    assert "Anna Jansen" in r.get_data(as_text=True)


def test_the_board_registers_a_signed_paper_proxy_with_its_scan(db, client, world, convened, login_as, app):
    from coop.meetings import documents

    login_as(client, world.board_a)
    url = f"/c/coop-a/meetings/{convened.id}/proxies"
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
    r = client.post(url, data={"grantor_number": world.carla.number, "holder_number": world.carla.number,
                               "file": (io.BytesIO(png), "volmacht.png")}, content_type="multipart/form-data")
    assert r.status_code == 400 and "own proxy" in r.get_data(as_text=True)
    assert list(documents.folder().glob("*")) == []  # the refused scan is not kept
    r = client.post(url, data={"grantor_number": world.carla.number, "holder_number": world.dirk.number,
                               "file": (io.BytesIO(png), "volmacht.png")}, content_type="multipart/form-data")
    assert r.status_code == 302
    proxy = db.session.scalar(select(Proxy))
    assert proxy.source == ProxySource.PAPER and proxy.scan_id is not None
    scan = client.get(f"/c/coop-a/meetings/{convened.id}/documents/{proxy.scan_id}")
    assert scan.status_code == 200 and scan.data == png


def test_the_letters_command_writes_every_part_with_progress(db, app, world, make_member, tmp_path, monkeypatch):
    from coop.meetings import letters

    monkeypatch.setattr(letters, "PART_SIZE", 2)
    for n in range(3):
        make_member(world.coop_a, first_name=f"Post{n}", last_name="Bode", email=None)
    meeting = make_meeting(world.coop_a, convene=True)
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["meetings", "letters", str(meeting.id), "--out", str(tmp_path),
                                                "--jobs", "1"])
    assert result.exit_code == 0, result.output
    assert "3 letters in 2 parts" in result.output and "3/3 letters" in result.output
    files = sorted(tmp_path.glob("oproeping-*.pdf"))
    assert len(files) == 2
    assert pdf_text(files[0].read_bytes()).count("Bode") >= 2
