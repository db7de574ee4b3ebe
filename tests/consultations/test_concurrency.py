"""30 submissions of one member at the same instant, in 30 connections: exactly one answer."""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from coop.core.db import utcnow
from tests.storm import BUSY, storm, tenant_with_member

ATTEMPTS = 30


@pytest.mark.real_commits
@pytest.mark.parametrize("anonymous", [False, True], ids=["named", "anonymous"])
def test_concurrent_submissions_of_one_member_give_exactly_one_answer(app, anonymous):
    from coop.consultations import services
    from coop.consultations.models import Consultation, ConsultationRoll, ConsultationStatus
    from coop.members.models import Member

    slug = f"raad-{'anoniem' if anonymous else 'naam'}"
    with tenant_with_member(app, slug, cbs_code="GM9861" if anonymous else "GM9862",
                            kvk_number="98765421" if anonymous else "98765422") as (s, coop, member, cleanup):
        now = utcnow()
        consultation = Consultation(cooperative_id=coop.id, title="Kleur", question="Welke kleur?",
                                    options_json='["rood", "groen"]', is_anonymous=anonymous,
                                    status=ConsultationStatus.OPEN, opens_at=now - timedelta(minutes=1),
                                    closes_at=now + timedelta(hours=1), opened_at=now)
        s.add(consultation)
        s.flush()
        s.add(ConsultationRoll(consultation_id=consultation.id, member_id=member.id))
        c_id, m_id = consultation.id, member.id
        s.commit()  # (the ids are read before: no snapshot is held open during the storm)
        for table in ("consultation_answer", "consultation_participation", "consultation_roll"):
            cleanup.append((f"DELETE FROM {table} WHERE consultation_id = :c", {"c": c_id}))
        cleanup.append(("DELETE FROM consultation WHERE id = :c", {"c": c_id}))

        outcome = storm(app, ATTEMPTS,
                        lambda session: (session.get(Consultation, c_id), session.get(Member, m_id)),
                        lambda n, c, m: services.answer(c, m, "rood" if n % 2 else "groen", actor=None),
                        done="answered")
        assert len(outcome) == ATTEMPTS, outcome
        assert outcome.count("answered") == 1, outcome
        assert {o for o in outcome if o != "answered"} <= {"You have already answered this consultation.", BUSY}
        if s.get_bind().dialect.name == "postgresql":
            assert BUSY not in outcome
        for table in ("consultation_answer", "consultation_participation"):
            assert s.execute(sa.text(f"SELECT count(*) FROM {table} WHERE consultation_id = :c"),
                             {"c": c_id}).scalar() == 1
