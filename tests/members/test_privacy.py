"""Erasure by the board (GDPR art. 17), retention of former members' data, and the CLI."""
from __future__ import annotations

from datetime import date

import pytest
from flask.cli import AppGroup
from sqlalchemy import select

from coop.core.audit import AuditEntry
from coop.members import privacy, services
from coop.members.models import (FeeCharge, Member, MemberStatus, ShareTransaction,
                                  ShareTransactionKind, ShareTransactionStatus, ShareType)


def _reload(db, member):
    db.session.expire_all()
    return db.session.get(Member, member.id)


def _audit(db, action):
    return db.session.scalars(select(AuditEntry).where(AuditEntry.action == action)
                              .order_by(AuditEntry.id)).all()


@pytest.fixture
def former(db, world):
    """Anna (member A, with an account) left: a former member with history, shares and fees."""
    m = world.record_a
    services.update_member(m, {"phone": "06-12345678", "iban": "NL91ABNA0417164300",
                               "notes": "Prefers calls in the evening", "born_on": date(1970, 5, 1)},
                           actor=None)
    services.record_event(m, "note", reason="Anna Jansen phoned about her roof", actor=world.board_a)
    st = ShareType(cooperative_id=world.coop_a.id, name="Zonnedeel", nominal_cents=5000)
    db.session.add(st)
    db.session.flush()
    db.session.add(ShareTransaction(cooperative_id=world.coop_a.id, share_type_id=st.id,
                                    kind=ShareTransactionKind.ISSUE, status=ShareTransactionStatus.APPROVED,
                                    member_id=m.id, quantity=2, effective_on=date(2024, 2, 1)))
    db.session.add(FeeCharge(cooperative_id=world.coop_a.id, member_id=m.id, year=2024, amount_cents=2500,
                             paid_on=date(2024, 3, 1)))
    services.record_death(m, died_on=date(2025, 6, 30), actor=world.board_a)
    m.erasure_requested_at = services.utcnow()
    db.session.commit()
    return m


def _erase(client, member, **extra):
    return client.post("/c/coop-a/privacy/erase", data={"member_id": member.id, "confirm": "y", **extra})


def test_erasure_blanks_personal_data_and_keeps_number_dates_and_records(client, db, world, login_as, former):
    number, applied, admitted, ended = former.number, former.applied_on, former.admitted_on, former.ended_on
    events_before = len(former.history)
    login_as(client, world.board_a)
    page = client.get(f"/c/coop-a/privacy/erase?member={former.id}").get_data(as_text=True)
    assert "Anna" in page and "This cannot be undone" in page
    r = _erase(client, former)
    assert r.status_code == 302
    m = _reload(db, former)
    for field in services.PERSONAL_FIELDS:
        assert getattr(m, field) is None, field
    assert (m.first_name, m.last_name) == ("—", f"Gewist lid {number}")
    assert m.sort_name == f"gewist lid {number}, —"
    assert m.email_consent_at is None and m.user_id is None and m.erased_at is not None
    # kept: number, status, dates, history (without free text), shares and fees
    assert (m.number, m.status, m.applied_on, m.admitted_on, m.ended_on) == (
        number, MemberStatus.FORMER, applied, admitted, ended)
    assert len(m.history) == events_before + 1 and m.history[-1].kind == "erased"
    assert all(e.reason is None for e in m.history)
    assert db.session.scalar(select(ShareTransaction.quantity).where(ShareTransaction.member_id == m.id)) == 2
    assert db.session.scalar(select(FeeCharge.amount_cents).where(FeeCharge.member_id == m.id)) == 2500


def test_erasure_is_audited_with_the_number_only(client, db, world, login_as, former):
    login_as(client, world.board_a)
    _erase(client, former)
    [entry] = _audit(db, "members.erase")
    assert entry.actor_id == world.board_a.id and entry.cooperative_id == world.coop_a.id
    assert entry.details_dict == {"number": former.number, "on_request": True, "account_deactivated": True}
    for secret in ("Anna", "Jansen", "member-a@example.net", "NL91", "06-12345678", "roof"):
        assert secret not in entry.details


def test_a_second_erasure_is_refused(client, db, world, login_as, former):
    login_as(client, world.board_a)
    assert _erase(client, former).status_code == 302
    r = _erase(client, former)
    assert r.status_code == 400
    assert "already been erased" in r.get_data(as_text=True)
    assert len(_audit(db, "members.erase")) == 1


def test_the_data_of_a_current_member_cannot_be_erased(client, db, world, login_as):
    login_as(client, world.board_a)
    page = client.get(f"/c/coop-a/privacy/erase?member={world.record_a.id}").get_data(as_text=True)
    assert "end the membership" in page
    r = _erase(client, world.record_a)
    assert r.status_code == 400
    assert _reload(db, world.record_a).first_name == "Anna"
    assert not _audit(db, "members.erase")


def test_erasure_needs_the_confirmation(client, db, world, login_as, former):
    login_as(client, world.board_a)
    r = client.post("/c/coop-a/privacy/erase", data={"member_id": former.id})
    assert r.status_code == 400
    assert _reload(db, former).erased_at is None


def test_a_member_of_another_cooperative_cannot_be_erased_through_this_one(client, db, world, login_as):
    services.record_death(world.record_b, died_on=date(2025, 1, 1), actor=None)
    db.session.commit()
    login_as(client, world.board_a)
    assert client.get(f"/c/coop-a/privacy/erase?member={world.record_b.id}").status_code == 404
    assert _erase(client, world.record_b).status_code == 404
    assert _reload(db, world.record_b).erased_at is None


def test_account_with_no_other_role_is_deactivated_and_blanked(db, world, former):
    user = world.member_a
    privacy.erase_member(former, actor=world.board_a)
    db.session.commit()
    db.session.refresh(user)
    assert not user.is_active and user.name == "—"
    assert user.email == f"erased-{user.id}@erased.invalid"
    assert user.roles == []


def test_account_with_roles_elsewhere_stays_but_loses_the_member_role_here(db, world, make_coop, grant, former):
    other = make_coop()
    grant(world.member_a, "member", other)
    privacy.erase_member(former, actor=world.board_a)
    db.session.commit()
    user = world.member_a
    db.session.refresh(user)
    assert user.is_active and user.name == "Member A" and user.email == "member-a@example.net"
    assert [(r.role.value, r.cooperative_id) for r in user.roles] == [("member", other.id)]
    assert _audit(db, "members.erase")[-1].details_dict["account_deactivated"] is False


def test_mail_sent_to_the_member_is_redacted(db, world, former):
    from coop.core import mail
    from coop.core.mail import MailStatus, OutboxMessage

    msg = mail.queue("member-a@example.net", "member_applied", cooperative=world.coop_a, member=former)
    privacy.erase_member(former, actor=None)
    db.session.flush()
    db.session.refresh(msg)
    assert msg.to_address == "erased@erased.invalid" and msg.body_text == ""
    assert msg.status == MailStatus.FAILED
    assert db.session.scalar(select(OutboxMessage).where(OutboxMessage.to_address == "member-a@example.net")) is None


def test_refused_applicant_without_number_gets_a_pseudonym_with_its_id(db, world, make_member):
    applicant = make_member(world.coop_a, status=MemberStatus.APPLICANT, first_name="Piet", last_name="Puk")
    services.refuse(applicant, actor=world.board_a, reason="Lives elsewhere")
    privacy.erase_member(applicant, actor=world.board_a)
    assert applicant.last_name == f"Gewist lid (aanmelding {applicant.id})"
    assert applicant.history[-2].reason is None


# --- the privacy page and retention ----------------------------------------------------------------


@pytest.fixture
def left_long_ago(db, world, make_member):
    """Former members of A: one left 3 years ago, one 1 year ago (retention 2 years)."""
    world.coop_a.statutes.member_retention_years = 2
    today = date.today()
    old = make_member(world.coop_a, first_name="Oud", last_name="Lid", on=date(2010, 1, 1))
    services.record_death(old, died_on=date(today.year - 3, 1, 15), actor=None)
    recent = make_member(world.coop_a, first_name="Recent", last_name="Vertrokken", on=date(2010, 1, 1))
    services.record_death(recent, died_on=date(today.year - 1, 1, 15), actor=None)
    db.session.commit()
    return old, recent


def test_retention_lists_former_members_past_the_period(db, world, left_long_ago):
    old, recent = left_long_ago
    due = db.session.scalars(privacy.past_retention(world.coop_a)).all()
    assert due == [old]
    privacy.erase_member(old, actor=None)
    assert db.session.scalars(privacy.past_retention(world.coop_a)).all() == []


def test_privacy_page_shows_requests_and_members_past_retention(client, db, world, login_as,
                                                                 left_long_ago, former):
    old, recent = left_long_ago
    login_as(client, world.board_a)
    page = client.get("/c/coop-a/privacy").get_data(as_text=True)
    assert "Anna Jansen" in page  # the request
    assert "Oud Lid" in page and "Recent Vertrokken" not in page
    assert f"/c/coop-a/privacy/erase?member={old.id}" in page


def test_privacy_page_query_count_does_not_grow(client, db, world, login_as, count_queries, make_member):
    world.coop_a.statutes.member_retention_years = 0
    login_as(client, world.board_a)

    def grow(n):
        for _ in range(n):
            m = make_member(world.coop_a, on=date(2010, 1, 1))
            services.record_death(m, died_on=date(2020, 1, 1), actor=None)
            m.erasure_requested_at = services.utcnow()
        db.session.commit()

    grow(2)
    with count_queries() as q:
        assert client.get("/c/coop-a/privacy").status_code == 200
    small = q.count
    grow(30)
    with count_queries() as q:
        assert client.get("/c/coop-a/privacy").status_code == 200
    assert q.count == small and small <= 12


def _cli(app):
    group = AppGroup("coop")
    privacy.register_retention_command(group)
    return lambda *args: app.test_cli_runner().invoke(group, ["retention", *args])


def test_cli_lists_and_erases_past_retention(app, db, world, left_long_ago):
    old, recent = left_long_ago
    run = _cli(app)
    result = run("--coop", "coop-a")
    assert result.exit_code == 0, result.output
    assert f"number {old.number}" in result.output and f"number {recent.number}" not in result.output
    assert "1 former member(s)" in result.output
    assert _reload(db, old).erased_at is None  # listing only
    result = run("--coop", "coop-a", "--erase")
    assert result.exit_code == 0, result.output
    assert "1 erased" in result.output
    assert _reload(db, old).last_name == f"Gewist lid {old.number}"
    [entry] = _audit(db, "members.erase")
    assert entry.actor_id is None and entry.details_dict["number"] == old.number
    assert run().exit_code == 0  # all cooperatives: nothing left to erase
    assert run("--coop", "no-such-coop").exit_code != 0
