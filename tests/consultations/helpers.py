"""Small builders for consultation tests (and the access matrix and e2e)."""
from __future__ import annotations

from datetime import timedelta


def data(**overrides) -> dict:
    from coop.core.db import utcnow

    now = utcnow()
    return {"title": "Welk dak?", "question": "Welk dak krijgt de volgende zonnepanelen?",
            "options": ["School", "Loods", "Wachten"], "is_anonymous": True,
            "opens_at": now - timedelta(hours=1), "closes_at": now + timedelta(days=7)} | overrides


def draft(coop, actor=None, **overrides):
    from coop.consultations import services

    return services.create(coop, data(**overrides), actor=actor)


def opened(coop, actor=None, **overrides):
    from coop.consultations import services

    consultation = draft(coop, actor, **overrides)
    services.open_consultation(consultation, actor=actor)
    return consultation


def closed_consultation(coop, actor=None, answers: dict | None = None, **overrides):
    """Open, answered by ``answers`` (member → choice), closed."""
    from coop.consultations import services

    consultation = opened(coop, actor, **overrides)
    for member, choice in (answers or {}).items():
        services.answer(consultation, member, choice, actor=None)
    services.close(consultation, actor=actor)
    return consultation
