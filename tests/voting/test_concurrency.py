"""50 submissions of one member at the same instant, in 50 connections: exactly one ballot."""
import threading
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from coop.core.db import utcnow
from coop.core.errors import DomainError

ATTEMPTS = 50


@pytest.mark.real_commits
@pytest.mark.parametrize("secret", [False, True], ids=["open", "secret"])
def test_fifty_concurrent_submissions_of_one_member_give_exactly_one_ballot(app, secret):
    from coop.extensions import db as _db
    from coop.meetings.models import GeneralMeeting, MeetingStatus
    from coop.members.models import Member, MemberStatus
    from coop.orgs.models import Cooperative, Municipality, StatutesProfile
    from coop.voting import services
    from coop.voting.models import RollEntry, Vote, VoteKind

    with app.app_context():
        engine = _db.engine
    ids = {}
    slug = f"stem-{'geheim' if secret else 'open'}"
    with app.app_context(), Session(engine) as s:
        muni = Municipality(name=f"Stemstad {slug}", slug=slug, cbs_code="GM9871" if secret else "GM9872")
        coop = Cooperative(name="Stem", slug=slug, kvk_number="98765411" if secret else "98765412", municipality=muni)
        coop.domains = ["energy"]
        coop.statutes = StatutesProfile()
        s.add(coop)
        s.flush()
        member = Member(cooperative_id=coop.id, number=1, status=MemberStatus.MEMBER, first_name="Lid",
                        last_name="Een", sort_name="een")
        now = utcnow()
        meeting = GeneralMeeting(cooperative_id=coop.id, title="ALV", status=MeetingStatus.IN_SESSION,
                                 starts_at=now, place="Zaal", record_on=date.today(), convened_at=now,
                                 voting_opened_at=now)
        s.add_all([member, meeting])
        s.flush()
        vote = Vote(cooperative_id=coop.id, meeting_id=meeting.id, kind=VoteKind.POLL, title="Kleur",
                    options_json='["rood", "groen"]', is_secret=secret, seed="s", opens_at=now - timedelta(minutes=1),
                    closes_at=now + timedelta(hours=1))
        s.add(vote)
        s.flush()
        s.add(RollEntry(vote_id=vote.id, member_id=member.id, weight=1))
        ids.update(coop=coop.id, muni=muni.id, vote=vote.id, member=member.id, meeting=meeting.id)
        s.commit()

    barrier = threading.Barrier(ATTEMPTS)
    outcome = []

    def attempt(n):
        with app.test_request_context(headers={"Accept-Language": "en"}):
            session = _db.session
            try:
                vote = session.get(Vote, ids["vote"])
                member = session.get(Member, ids["member"])
                session.commit()
            except Exception as error:  # noqa: BLE001 — reported by the assertion below
                outcome.append(repr(error))
                raise
            finally:
                barrier.wait(timeout=30)
            try:
                services.cast(vote, member, {member.id: "rood" if n % 2 else "groen"}, actor=None)
                session.commit()
                outcome.append("cast")
            except DomainError as error:
                session.rollback()
                outcome.append(str(error.message))
            except OperationalError:  # SQLite: "database is locked" — the client may try again
                session.rollback()
                outcome.append("busy")
            finally:
                _db.session.remove()

    table = "secret_ballot" if secret else "ballot"
    try:
        threads = [threading.Thread(target=attempt, args=(n,)) for n in range(ATTEMPTS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        assert len(outcome) == ATTEMPTS, outcome
        assert outcome.count("cast") == 1, outcome
        others = {o for o in outcome if o != "cast"}
        assert others <= {"A ballot has already been cast for this member.", "busy"}
        if engine.dialect.name == "postgresql":
            assert "busy" not in others
        with engine.connect() as conn:
            assert conn.execute(sa.text(f"SELECT count(*) FROM {table} WHERE vote_id = :v"),
                                {"v": ids["vote"]}).scalar() == 1
            if secret:
                assert conn.execute(sa.text("SELECT count(*) FROM vote_participation WHERE vote_id = :v"),
                                    {"v": ids["vote"]}).scalar() == 1
    finally:
        with engine.begin() as conn:
            for sql in ("DELETE FROM ballot WHERE vote_id = :v", "DELETE FROM secret_ballot WHERE vote_id = :v",
                        "DELETE FROM vote_participation WHERE vote_id = :v", "DELETE FROM vote_roll WHERE vote_id = :v",
                        "DELETE FROM vote WHERE id = :v"):
                conn.execute(sa.text(sql), {"v": ids["vote"]})
            for sql in ("DELETE FROM general_meeting WHERE cooperative_id = :c",
                        "DELETE FROM audit_entry WHERE cooperative_id = :c",
                        "DELETE FROM member WHERE cooperative_id = :c",
                        "DELETE FROM statutes_profile WHERE cooperative_id = :c",
                        "DELETE FROM cooperative WHERE id = :c"):
                conn.execute(sa.text(sql), {"c": ids["coop"]})
            conn.execute(sa.text("DELETE FROM audit_entry WHERE tenant_key = :k"), {"k": f"coop:{ids['coop']}"})
            conn.execute(sa.text("DELETE FROM municipality WHERE id = :m"), {"m": ids["muni"]})
