"""50 submissions of one member at the same instant, in 50 connections: exactly one ballot."""
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from coop.core.db import utcnow
from tests.storm import BUSY, storm, tenant_with_member

ATTEMPTS = 50


@pytest.mark.real_commits
@pytest.mark.parametrize("secret", [False, True], ids=["open", "secret"])
def test_fifty_concurrent_submissions_of_one_member_give_exactly_one_ballot(app, secret):
    from coop.meetings.models import GeneralMeeting, MeetingStatus
    from coop.members.models import Member
    from coop.voting import services
    from coop.voting.models import RollEntry, Vote, VoteKind

    slug = f"stem-{'geheim' if secret else 'open'}"
    with tenant_with_member(app, slug, cbs_code="GM9871" if secret else "GM9872",
                            kvk_number="98765411" if secret else "98765412") as (s, coop, member, cleanup):
        now = utcnow()
        meeting = GeneralMeeting(cooperative_id=coop.id, title="ALV", status=MeetingStatus.IN_SESSION,
                                 starts_at=now, place="Zaal", record_on=date.today(), convened_at=now,
                                 voting_opened_at=now)
        s.add(meeting)
        s.flush()
        vote = Vote(cooperative_id=coop.id, meeting_id=meeting.id, kind=VoteKind.POLL, title="Kleur",
                    options_json='["rood", "groen"]', is_secret=secret, seed="s", opens_at=now - timedelta(minutes=1),
                    closes_at=now + timedelta(hours=1))
        s.add(vote)
        s.flush()
        s.add(RollEntry(vote_id=vote.id, member_id=member.id, weight=1))
        v_id, m_id = vote.id, member.id
        s.commit()  # (the ids are read before: no snapshot is held open during the storm)
        for table in ("ballot", "secret_ballot", "vote_participation", "vote_roll"):
            cleanup.append((f"DELETE FROM {table} WHERE vote_id = :v", {"v": v_id}))
        cleanup.append(("DELETE FROM vote WHERE id = :v", {"v": v_id}))

        outcome = storm(app, ATTEMPTS,
                        lambda session: (session.get(Vote, v_id), session.get(Member, m_id)),
                        lambda n, v, m: services.cast(v, m, {m.id: "rood" if n % 2 else "groen"}, actor=None),
                        done="cast")
        assert len(outcome) == ATTEMPTS, outcome
        assert outcome.count("cast") == 1, outcome
        assert {o for o in outcome if o != "cast"} <= {"A ballot has already been cast for this member.", BUSY}
        if s.get_bind().dialect.name == "postgresql":
            assert BUSY not in outcome
        table = "secret_ballot" if secret else "ballot"
        assert s.execute(sa.text(f"SELECT count(*) FROM {table} WHERE vote_id = :v"), {"v": v_id}).scalar() == 1
        if secret:
            assert s.execute(sa.text("SELECT count(*) FROM vote_participation WHERE vote_id = :v"),
                             {"v": v_id}).scalar() == 1


@pytest.mark.real_commits
def test_a_ballot_cast_while_the_vote_is_being_closed_waits_and_is_refused(app):
    """The chair's close holds the vote's row (not yet committed) when a member's ballot arrives:
    the ballot waits for the close to commit, then sees the vote closed and stores nothing
    (PostgreSQL; SQLite has one writer at a time anyway)."""
    import threading
    import time

    from sqlalchemy.orm import Session

    from coop.core.errors import DomainError
    from coop.extensions import db
    from coop.meetings.models import GeneralMeeting, MeetingStatus
    from coop.members.models import Member
    from coop.voting import services
    from coop.voting.models import RollEntry, Vote, VoteKind, VoteStatus

    with tenant_with_member(app, "stem-sluit", cbs_code="GM9873", kvk_number="98765413") as (s, coop, member, cleanup):
        now = utcnow()
        meeting = GeneralMeeting(cooperative_id=coop.id, title="ALV", status=MeetingStatus.IN_SESSION,
                                 starts_at=now, place="Zaal", record_on=date.today(), convened_at=now,
                                 voting_opened_at=now)
        s.add(meeting)
        s.flush()
        vote = Vote(cooperative_id=coop.id, meeting_id=meeting.id, kind=VoteKind.POLL, title="Kleur",
                    options_json='["rood", "groen"]', is_secret=False, seed="s",
                    opens_at=now - timedelta(minutes=1), closes_at=now + timedelta(hours=1))
        s.add(vote)
        s.flush()
        s.add(RollEntry(vote_id=vote.id, member_id=member.id, weight=1))
        v_id, m_id = vote.id, member.id
        s.commit()
        for table in ("ballot", "vote_roll"):
            cleanup.append((f"DELETE FROM {table} WHERE vote_id = :v", {"v": v_id}))
        cleanup.append(("DELETE FROM vote WHERE id = :v", {"v": v_id}))

        with app.app_context():
            engine = db.engine
        is_postgresql = engine.dialect.name == "postgresql"
        with Session(engine) as chair:
            # The close's first steps: hold the row and change it, not committed yet.
            if is_postgresql:
                chair.execute(sa.select(Vote.id).where(Vote.id == v_id).with_for_update())
            chair.execute(sa.update(Vote).where(Vote.id == v_id).values(
                status=VoteStatus.CLOSED, closed_at=now, result_hash="0" * 64, result_json="{}"))
            outcome = []

            def member_casts():
                with app.test_request_context(headers={"Accept-Language": "en"}):
                    session = db.session
                    try:
                        v, m = session.get(Vote, v_id), session.get(Member, m_id)
                        services.cast(v, m, {m.id: "rood"}, actor=None)
                        session.commit()
                        outcome.append("cast")
                    except DomainError as error:
                        session.rollback()
                        outcome.append(str(error.message))
                    except sa.exc.OperationalError:
                        session.rollback()
                        outcome.append(BUSY)
                    finally:
                        db.session.remove()

            caster = threading.Thread(target=member_casts)
            caster.start()
            time.sleep(0.5)
            if is_postgresql:
                assert caster.is_alive(), outcome  # waiting for the chair's close
            chair.commit()
            caster.join(30)
        # SQLite may refuse at once that the database is busy (a client tries again).
        assert outcome == ["This vote is closed."] or (not is_postgresql and outcome == [BUSY]), outcome
        assert s.execute(sa.text("SELECT count(*) FROM ballot WHERE vote_id = :v"), {"v": v_id}).scalar() == 0


@pytest.mark.real_commits
def test_a_ballot_posted_while_the_vote_is_being_closed_waits_and_is_refused(app):
    """The same through the ballot page (the path of every online ballot): its one read holds
    the vote's row, so the POST waits for the chair's close and then shows the vote closed."""
    import threading
    import time

    from sqlalchemy.orm import Session

    from coop.auth.models import User
    from coop.extensions import db
    from coop.meetings.models import GeneralMeeting, MeetingStatus
    from coop.orgs.models import Role, RoleAssignment
    from coop.voting.models import RollEntry, Vote, VoteKind, VoteStatus

    with app.app_context():
        engine = db.engine
    if engine.dialect.name != "postgresql":
        pytest.skip("row locks are a PostgreSQL matter; SQLite has one writer at a time")
    with tenant_with_member(app, "stem-pagina", cbs_code="GM9875", kvk_number="98765415") as (s, coop, member, cleanup):
        now = utcnow()
        user = User(email="stemmer@stem-pagina.example", name="Stemmer", password_hash="x", locale="en")
        s.add(user)
        s.flush()
        member.user_id = user.id
        s.add(RoleAssignment(user_id=user.id, role=Role.MEMBER, cooperative_id=coop.id))
        meeting = GeneralMeeting(cooperative_id=coop.id, title="ALV", status=MeetingStatus.IN_SESSION,
                                 starts_at=now, place="Zaal", record_on=date.today(), convened_at=now,
                                 voting_opened_at=now)
        s.add(meeting)
        s.flush()
        vote = Vote(cooperative_id=coop.id, meeting_id=meeting.id, kind=VoteKind.POLL, title="Kleur",
                    options_json='["rood", "groen"]', is_secret=False, seed="s",
                    opens_at=now - timedelta(minutes=1), closes_at=now + timedelta(hours=1))
        s.add(vote)
        s.flush()
        s.add(RollEntry(vote_id=vote.id, member_id=member.id, weight=1))
        v_id, m_id, u_id, token, slug = vote.id, member.id, user.id, user.session_token, coop.slug
        s.commit()
        for table in ("ballot", "vote_roll"):
            cleanup.append((f"DELETE FROM {table} WHERE vote_id = :v", {"v": v_id}))
        cleanup.append(("DELETE FROM vote WHERE id = :v", {"v": v_id}))
        cleanup.append(("DELETE FROM role_assignment WHERE user_id = :u", {"u": u_id}))
        cleanup.append(("UPDATE member SET user_id = NULL WHERE id = :m", {"m": m_id}))
        cleanup.append(('DELETE FROM "user" WHERE id = :u', {"u": u_id}))

        client = app.test_client()
        with client.session_transaction() as session:
            session["_user_id"], session["_fresh"] = token, True
        page = f"/me/c/{slug}/votes/{v_id}"
        assert "rood" in client.get(page).get_data(as_text=True)  # the ballot, while the vote is open

        with Session(engine) as chair:
            chair.execute(sa.select(Vote.id).where(Vote.id == v_id).with_for_update())
            chair.execute(sa.update(Vote).where(Vote.id == v_id).values(
                status=VoteStatus.CLOSED, closed_at=now, result_hash="0" * 64, result_json="{}"))
            answers = []
            poster = threading.Thread(target=lambda: answers.append(client.post(page, data={f"m{m_id}": "rood"})))
            poster.start()
            time.sleep(0.5)
            assert poster.is_alive(), answers  # waiting for the chair's close
            chair.commit()
            poster.join(30)
        assert answers and "This vote is not open." in answers[0].get_data(as_text=True)
        assert s.execute(sa.text("SELECT count(*) FROM ballot WHERE vote_id = :v"), {"v": v_id}).scalar() == 0
