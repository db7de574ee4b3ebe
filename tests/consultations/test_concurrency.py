"""30 submissions of one member at the same instant, in 30 connections: exactly one answer."""
import threading
from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from coop.core.db import utcnow
from coop.core.errors import DomainError

ATTEMPTS = 30


@pytest.mark.real_commits
@pytest.mark.parametrize("anonymous", [False, True], ids=["named", "anonymous"])
def test_concurrent_submissions_of_one_member_give_exactly_one_answer(app, anonymous):
    from coop.consultations import services
    from coop.consultations.models import Consultation, ConsultationRoll, ConsultationStatus
    from coop.extensions import db as _db
    from coop.members.models import Member, MemberStatus
    from coop.orgs.models import Cooperative, Municipality, StatutesProfile

    with app.app_context():
        engine = _db.engine
    ids = {}
    slug = f"raad-{'anoniem' if anonymous else 'naam'}"
    with app.app_context(), Session(engine) as s:
        muni = Municipality(name=f"Raadstad {slug}", slug=slug, cbs_code="GM9861" if anonymous else "GM9862")
        coop = Cooperative(name="Raad", slug=slug, kvk_number="98765421" if anonymous else "98765422",
                           municipality=muni)
        coop.domains = ["energy"]
        coop.statutes = StatutesProfile()
        s.add(coop)
        s.flush()
        member = Member(cooperative_id=coop.id, number=1, status=MemberStatus.MEMBER, first_name="Lid",
                        last_name="Een", sort_name="een")
        now = utcnow()
        consultation = Consultation(cooperative_id=coop.id, title="Kleur", question="Welke kleur?",
                                    options_json='["rood", "groen"]', is_anonymous=anonymous,
                                    status=ConsultationStatus.OPEN, opens_at=now - timedelta(minutes=1),
                                    closes_at=now + timedelta(hours=1), opened_at=now)
        s.add_all([member, consultation])
        s.flush()
        s.add(ConsultationRoll(consultation_id=consultation.id, member_id=member.id))
        ids.update(coop=coop.id, muni=muni.id, consultation=consultation.id, member=member.id)
        s.commit()

    barrier = threading.Barrier(ATTEMPTS)
    outcome = []

    def attempt(n):
        with app.test_request_context(headers={"Accept-Language": "en"}):
            session = _db.session
            try:
                consultation = session.get(Consultation, ids["consultation"])
                member = session.get(Member, ids["member"])
                session.commit()
            except Exception as error:  # noqa: BLE001 — reported by the assertion below
                outcome.append(repr(error))
                raise
            finally:
                barrier.wait(timeout=30)
            try:
                services.answer(consultation, member, "rood" if n % 2 else "groen", actor=None)
                session.commit()
                outcome.append("answered")
            except DomainError as error:
                session.rollback()
                outcome.append(str(error.message))
            except OperationalError:  # SQLite: "database is locked" — the client may try again
                session.rollback()
                outcome.append("busy")
            finally:
                _db.session.remove()

    try:
        threads = [threading.Thread(target=attempt, args=(n,)) for n in range(ATTEMPTS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        assert len(outcome) == ATTEMPTS, outcome
        assert outcome.count("answered") == 1, outcome
        assert {o for o in outcome if o != "answered"} <= {"You have already answered this consultation.", "busy"}
        if engine.dialect.name == "postgresql":
            assert "busy" not in outcome
        with engine.connect() as conn:
            for table in ("consultation_answer", "consultation_participation"):
                assert conn.execute(sa.text(f"SELECT count(*) FROM {table} WHERE consultation_id = :c"),
                                    {"c": ids["consultation"]}).scalar() == 1
    finally:
        with engine.begin() as conn:
            for table in ("consultation_answer", "consultation_participation", "consultation_roll"):
                conn.execute(sa.text(f"DELETE FROM {table} WHERE consultation_id = :c"), {"c": ids["consultation"]})
            conn.execute(sa.text("DELETE FROM consultation WHERE id = :c"), {"c": ids["consultation"]})
            for sql in ("DELETE FROM audit_entry WHERE cooperative_id = :c",
                        "DELETE FROM member WHERE cooperative_id = :c",
                        "DELETE FROM statutes_profile WHERE cooperative_id = :c",
                        "DELETE FROM cooperative WHERE id = :c"):
                conn.execute(sa.text(sql), {"c": ids["coop"]})
            conn.execute(sa.text("DELETE FROM audit_entry WHERE tenant_key = :k"), {"k": f"coop:{ids['coop']}"})
            conn.execute(sa.text("DELETE FROM municipality WHERE id = :m"), {"m": ids["muni"]})


