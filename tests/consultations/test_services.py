"""Consultations as the board, the members and an auditor rely on them: the frozen roll, one
answer per member, the window, secrecy of anonymous answers, the frozen result, reminders."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from coop.consultations import services
from coop.consultations.models import (Consultation, ConsultationAnswer, ConsultationParticipation,
                                       ConsultationRoll, ConsultationStatus)
from coop.core.audit import AuditEntry
from coop.core.db import utcnow
from coop.core.errors import DomainError
from coop.extensions import db as _db
from coop.members.models import MemberStatus
from tests.consultations.helpers import data, draft, opened


def actions(coop) -> list[str]:
    return list(_db.session.scalars(select(AuditEntry.action).where(AuditEntry.cooperative_id == coop.id,
                                                                    AuditEntry.action.like("consultations.%"))
                                    .order_by(AuditEntry.seq)))


def test_a_draft_needs_a_question_two_options_and_a_window(world):
    for bad, field in ((data(title=" "), "title"), (data(question=""), "question"),
                       (data(options=["Ja"]), "options"), (data(options=["Ja", "Ja"]), "options"),
                       (data(closes_at=utcnow() - timedelta(days=2)), "closes_at"),
                       (data(closes_at=utcnow() - timedelta(hours=2), opens_at=utcnow() - timedelta(hours=1)),
                        "closes_at")):
        with pytest.raises(DomainError) as caught:
            services.create(world.coop_a, bad, actor=world.board_a)
        assert caught.value.field == field
    c = services.create(world.coop_a, data(options="Ja\n\nNee\n"), actor=world.board_a)
    assert c.options == ["Ja", "Nee"] and c.is_draft
    assert actions(world.coop_a) == ["consultations.create"]


def test_opening_freezes_the_roll_of_members_with_voting_rights(world, make_member):
    from coop.members import services as members

    applicant = make_member(world.coop_a, status=MemberStatus.APPLICANT)
    c = draft(world.coop_a, world.board_a)
    assert services.open_consultation(c, actor=world.board_a) == 2
    roll = set(_db.session.scalars(select(ConsultationRoll.member_id).where(ConsultationRoll.consultation_id == c.id)))
    assert roll == {world.record_a.id, world.record_board_a.id}
    assert applicant.id not in roll and world.record_b.id not in roll  # other cooperative
    # Membership changes after opening do not change the roll: a newly admitted member cannot answer
    late = make_member(world.coop_a)
    with pytest.raises(DomainError, match="not on the roll"):
        services.answer(c, late, "School", actor=None)
    # …and a member who gave notice since still can (the roll is frozen).
    members.give_notice(world.record_a, by_member=True, actor=None)
    assert services.answer(c, world.record_a, "School", actor=None)
    with pytest.raises(DomainError, match="already been opened"):
        services.open_consultation(c, actor=world.board_a)
    assert actions(world.coop_a)[-2:] == ["consultations.open", "consultations.answer"]


def test_one_answer_per_member_and_only_options_on_offer(world):
    c = opened(world.coop_a, world.board_a)
    with pytest.raises(DomainError, match="not one of the options"):
        services.answer(c, world.record_a, "Garage", actor=None)
    with pytest.raises(DomainError, match="not one of the options"):
        services.answer(c, world.record_a, ["School", "Loods"], actor=None)  # single choice
    services.answer(c, world.record_a, "School", actor=None)
    with pytest.raises(DomainError, match="already answered"):
        services.answer(c, world.record_a, "Loods", actor=None)
    assert _db.session.query(ConsultationParticipation).filter_by(consultation_id=c.id).count() == 1
    assert _db.session.query(ConsultationAnswer).filter_by(consultation_id=c.id).count() == 1


def test_the_database_refuses_a_second_participation(world):
    from sqlalchemy.exc import IntegrityError

    c = opened(world.coop_a)
    services.answer(c, world.record_a, "School", actor=None)
    with pytest.raises(IntegrityError), _db.session.begin_nested():
        _db.session.add(ConsultationParticipation(consultation_id=c.id, member_id=world.record_a.id,
                                                  answered_on=utcnow().date()))
        _db.session.flush()
    named = opened(world.coop_a, is_anonymous=False)
    services.answer(named, world.record_a, "School", actor=None)
    with pytest.raises(IntegrityError), _db.session.begin_nested():
        _db.session.add(ConsultationAnswer(id="f" * 32, consultation_id=named.id, member_id=world.record_a.id,
                                           choice="Loods", answered_on=utcnow().date()))
        _db.session.flush()


def test_nothing_is_accepted_outside_the_window(world):
    now = utcnow()
    c = opened(world.coop_a, opens_at=now + timedelta(days=1), closes_at=now + timedelta(days=3))
    with pytest.raises(DomainError, match="not open now"):
        services.answer(c, world.record_a, "School", actor=None)  # before it opens
    with pytest.raises(DomainError, match="not open now"):
        services.answer(c, world.record_a, "School", actor=None, now=now + timedelta(days=3))  # after
    assert services.answer(c, world.record_a, "School", actor=None, now=now + timedelta(days=2))
    services.close(c, actor=None, now=now + timedelta(days=4))
    with pytest.raises(DomainError, match="closed"):
        services.answer(c, world.record_board_a, "School", actor=None, now=now + timedelta(days=2))
    with pytest.raises(DomainError, match="not open now"):
        services.answer(draft(world.coop_a), world.record_a, "School", actor=None)  # a draft


def test_anonymous_answers_are_stored_apart_with_a_receipt(world):
    c = opened(world.coop_a)
    code = services.answer(c, world.record_a, "Loods", actor=world.member_a)
    assert code and len(code) == 14
    answer = _db.session.scalar(select(ConsultationAnswer).where(ConsultationAnswer.consultation_id == c.id))
    assert answer.member_id is None and answer.choice == "Loods" and len(answer.id) == 32
    assert code not in answer.receipt_hash and answer.receipt_hash == services.receipt_hash(code)
    # who answered is known; what they answered is not in the audit log either
    entry = _db.session.scalar(select(AuditEntry).where(AuditEntry.action == "consultations.answer"))
    assert "Loods" not in entry.details
    services.close(c, actor=world.board_a)
    assert services.receipts(c) == [(services.receipt_hash(code), "Loods")]
    assert services.named_answers(c) == []


def test_named_answers_are_shown_after_closing(world):
    c = opened(world.coop_a, is_anonymous=False, is_multiple_choice=True)
    assert services.answer(c, world.record_a, ["Wachten", "School"], actor=None) is None
    assert services.named_answers(c) == []  # not while open
    details = _db.session.scalars(select(AuditEntry.details).where(AuditEntry.action == "consultations.answer")).one()
    assert "Wachten" not in details and "School" not in details  # nor through the audit log
    services.close(c, actor=None)
    [a] = services.named_answers(c)
    assert a.member_id == world.record_a.id and a.choice == '["School", "Wachten"]'
    assert services.receipts(c) == []
    assert c.result["counts"] == {"School": 1, "Loods": 0, "Wachten": 1}


def test_an_answer_on_a_page_loaded_before_closing_is_refused(world):
    from sqlalchemy import update

    c = opened(world.coop_a)
    _db.session.execute(update(Consultation).where(Consultation.id == c.id)
                        .execution_options(synchronize_session=False)
                        .values(status="closed", result_hash="0" * 64, result_json="{}", closed_at=utcnow()))
    with pytest.raises(DomainError, match="closed"):
        services.answer(c, world.record_a, "School", actor=None)


def test_closing_freezes_the_result_with_a_hash_and_is_final(world):
    c = opened(world.coop_a, world.board_a)
    services.answer(c, world.record_a, "School", actor=None)
    closes_before = c.closes_at
    outcome = services.close(c, actor=world.board_a)
    assert c.status == ConsultationStatus.CLOSED and c.result == outcome
    assert outcome == {"counts": {"School": 1, "Loods": 0, "Wachten": 0}, "answered": 1, "eligible": 2,
                       "turnout_percent": 50.0}
    assert len(c.result_hash) == 64 and services.recount(c)
    assert c.closes_at < closes_before  # closed early: the window ended
    with pytest.raises(DomainError, match="already closed"):
        services.close(c, actor=world.board_a)
    with pytest.raises(DomainError):
        services.open_consultation(c, actor=world.board_a)  # never reopened
    # tampering with a stored answer shows in the recount
    _db.session.execute(ConsultationAnswer.__table__.update().values(choice="Loods"))
    assert not services.recount(c)
    assert actions(world.coop_a)[-1] == "consultations.close"


def test_a_draft_can_be_changed_and_deleted_an_open_one_cannot(world):
    c = draft(world.coop_a, world.board_a)
    services.update_draft(c, data(title="Ander dak", options=["A", "B"]), actor=world.board_a)
    assert c.title == "Ander dak" and c.options == ["A", "B"]
    services.delete_draft(c, actor=world.board_a)
    assert _db.session.get(Consultation, c.id) is None
    o = opened(world.coop_a)
    with pytest.raises(DomainError, match="Only a draft"):
        services.delete_draft(o, actor=world.board_a)
    with pytest.raises(DomainError, match="Only a draft"):
        services.update_draft(o, data(), actor=world.board_a)
    assert actions(world.coop_a)[:3] == ["consultations.create", "consultations.update", "consultations.delete"]


def test_close_due_closes_only_those_past_their_window(world):
    now = utcnow()
    running = opened(world.coop_a)
    ended = opened(world.coop_a, closes_at=now + timedelta(hours=1))
    assert services.close_due(now=now + timedelta(hours=2)) == 1
    assert ended.is_closed and running.is_open


def test_awaiting_lists_open_consultations_not_yet_answered(world):
    c = opened(world.coop_a)
    later = opened(world.coop_a, opens_at=utcnow() + timedelta(days=1))
    opened(world.coop_b)
    assert services.awaiting(world.record_a) == [c]
    assert later not in services.awaiting(world.record_a)
    services.answer(c, world.record_a, "School", actor=None)
    assert services.awaiting(world.record_a) == []


def test_reminders_go_once_to_members_on_the_roll_who_have_not_answered(app, world, make_member, mails):
    from coop.core.mail import OutboxMessage

    now = utcnow()
    silent = make_member(world.coop_a, email="stil@example.net")
    no_consent = make_member(world.coop_a)
    no_consent.email = "geen-toestemming@example.net"
    answered = make_member(world.coop_a, email="al-gedaan@example.net")
    world.member_a.locale = "en"
    world.record_board_a.email_consent_at = None  # withdrew consent to e-mail
    soon = opened(world.coop_a, closes_at=now + timedelta(hours=30))
    far = opened(world.coop_a, title="Later", closes_at=now + timedelta(days=10))
    services.answer(soon, answered, "School", actor=None)
    _db.session.flush()
    assert services.send_reminders(hours=48, now=now + timedelta(minutes=1)) == 2
    sent = {m.to_address: m for m in _db.session.scalars(select(OutboxMessage))}
    assert set(sent) == {"stil@example.net", "member-a@example.net"}
    assert "geen-toestemming@example.net" not in sent and "al-gedaan@example.net" not in sent
    assert sent["stil@example.net"].subject == "Herinnering: uw antwoord op “Welk dak?”"
    assert sent["member-a@example.net"].subject == "Reminder: your answer to “Welk dak?”"
    assert f"/me/c/coop-a/consultations/{soon.id}" in sent["stil@example.net"].body_text
    assert services.send_reminders(hours=48, now=now + timedelta(hours=1)) == 0  # idempotent
    reminded = _db.session.scalars(select(ConsultationRoll.member_id).where(
        ConsultationRoll.consultation_id == soon.id, ConsultationRoll.reminded_at.is_not(None))).all()
    assert set(reminded) == {silent.id, world.record_a.id}
    assert far.id not in {r.consultation_id for r in _db.session.scalars(
        select(ConsultationRoll).where(ConsultationRoll.reminded_at.is_not(None)))}
    assert actions(world.coop_a).count("consultations.remind") == 1


def test_the_reminder_command_closes_and_reminds(app, world):
    now = utcnow()
    opened(world.coop_a, closes_at=now + timedelta(minutes=30))
    _db.session.commit()
    result = app.test_cli_runner().invoke(args=["coop", "consultation-reminders", "--hours", "1"])
    assert result.exit_code == 0 and "consultation reminders queued" in result.output
