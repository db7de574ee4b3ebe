"""Ballots in connections of their own with real commits: 50 submissions of one member at the same
instant give exactly one ballot; a ballot arriving while the chair closes the vote waits and is refused."""
import threading
import time
from contextlib import contextmanager
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from coop.core.db import utcnow
from tests.storm import BUSY, storm, tenant_with_member

ATTEMPTS = 50


def open_poll(s, coop, member, cleanup, *, secret: bool = False) -> int:
    """A meeting in session with an open poll (rood/groen) whose roll holds ``member``; committed,
    and deleted again afterwards (``cleanup``). Returns the vote's id."""
    from coop.meetings.models import GeneralMeeting, MeetingStatus
    from coop.voting.models import RollEntry, Vote, VoteKind

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
    v_id = vote.id
    s.commit()  # (the id is read before: no snapshot is held open afterwards)
    for table in ("ballot", "secret_ballot", "vote_participation", "vote_roll"):
        cleanup.append((f"DELETE FROM {table} WHERE vote_id = :v", {"v": v_id}))
    cleanup.append(("DELETE FROM vote WHERE id = :v", {"v": v_id}))
    return v_id


@pytest.mark.real_commits
@pytest.mark.parametrize("secret", [False, True], ids=["open", "secret"])
def test_fifty_concurrent_submissions_of_one_member_give_exactly_one_ballot(app, secret):
    from coop.members.models import Member
    from coop.voting import services
    from coop.voting.models import Vote

    slug = f"stem-{'geheim' if secret else 'open'}"
    with tenant_with_member(app, slug, cbs_code="GM9871" if secret else "GM9872",
                            kvk_number="98765411" if secret else "98765412") as (s, coop, member, cleanup):
        m_id = member.id
        v_id = open_poll(s, coop, member, cleanup, secret=secret)
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


@contextmanager
def closing_by_the_chair(engine, vote_id: int):
    """The chair's close, half done: the vote's row held and set to closed, not committed yet;
    committed when the block ends."""
    from sqlalchemy.orm import Session

    from coop.voting.models import Vote, VoteStatus

    with Session(engine) as chair:
        if engine.dialect.name == "postgresql":
            chair.execute(sa.select(Vote.id).where(Vote.id == vote_id).with_for_update())
        chair.execute(sa.update(Vote).where(Vote.id == vote_id).values(
            status=VoteStatus.CLOSED, closed_at=utcnow(), result_hash="0" * 64, result_json="{}"))
        yield
        chair.commit()


def started(target) -> threading.Thread:
    thread = threading.Thread(target=target)
    thread.start()
    time.sleep(0.5)
    return thread


@pytest.mark.real_commits
def test_a_ballot_cast_while_the_vote_is_being_closed_waits_and_is_refused(app):
    """The chair's close holds the vote's row (not yet committed) when a member's ballot arrives:
    the ballot waits for the close to commit, then sees the vote closed and stores nothing
    (PostgreSQL; SQLite has one writer at a time anyway)."""
    from coop.core.errors import DomainError
    from coop.extensions import db
    from coop.members.models import Member
    from coop.voting import services
    from coop.voting.models import Vote

    with tenant_with_member(app, "stem-sluit", cbs_code="GM9873", kvk_number="98765413") as (s, coop, member, cleanup):
        m_id = member.id
        v_id = open_poll(s, coop, member, cleanup)
        with app.app_context():
            engine = db.engine
        is_postgresql = engine.dialect.name == "postgresql"
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

        with closing_by_the_chair(engine, v_id):
            caster = started(member_casts)
            if is_postgresql:
                assert caster.is_alive(), outcome  # waiting for the chair's close
        caster.join(30)
        # SQLite may refuse at once that the database is busy (a client tries again).
        assert outcome == ["This vote is closed."] or (not is_postgresql and outcome == [BUSY]), outcome
        assert s.execute(sa.text("SELECT count(*) FROM ballot WHERE vote_id = :v"), {"v": v_id}).scalar() == 0


@pytest.mark.real_commits
def test_a_ballot_posted_while_the_vote_is_being_closed_waits_and_is_refused(app):
    """The same through the ballot page (the path of every online ballot): its one read holds
    the vote's row, so the POST waits for the chair's close and then shows the vote closed."""
    from coop.auth.models import User
    from coop.extensions import db
    from coop.orgs.models import Role, RoleAssignment

    with app.app_context():
        engine = db.engine
    if engine.dialect.name != "postgresql":
        pytest.skip("row locks are a PostgreSQL matter; SQLite has one writer at a time")
    with tenant_with_member(app, "stem-pagina", cbs_code="GM9875", kvk_number="98765415") as (s, coop, member, cleanup):
        user = User(email="stemmer@stem-pagina.example", name="Stemmer", password_hash="x", locale="en")
        s.add(user)
        s.flush()
        member.user_id = user.id
        s.add(RoleAssignment(user_id=user.id, role=Role.MEMBER, cooperative_id=coop.id))
        m_id, u_id, token, slug = member.id, user.id, user.session_token, coop.slug
        v_id = open_poll(s, coop, member, cleanup)
        cleanup.append(("DELETE FROM role_assignment WHERE user_id = :u", {"u": u_id}))
        cleanup.append(("UPDATE member SET user_id = NULL WHERE id = :m", {"m": m_id}))
        cleanup.append(('DELETE FROM "user" WHERE id = :u', {"u": u_id}))

        client = app.test_client()
        with client.session_transaction() as session:
            session["_user_id"], session["_fresh"] = token, True
        page = f"/me/c/{slug}/votes/{v_id}"
        assert "rood" in client.get(page).get_data(as_text=True)  # the ballot, while the vote is open
        answers = []
        with closing_by_the_chair(engine, v_id):
            poster = started(lambda: answers.append(client.post(page, data={f"m{m_id}": "rood"})))
            assert poster.is_alive(), answers  # waiting for the chair's close
        poster.join(30)
        assert answers and "This vote is not open." in answers[0].get_data(as_text=True)
        assert s.execute(sa.text("SELECT count(*) FROM ballot WHERE vote_id = :v"), {"v": v_id}).scalar() == 0
