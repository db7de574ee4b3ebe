"""Small builders for meeting tests (and the access matrix)."""
from __future__ import annotations

import io
from datetime import date, timedelta

from coop.core.db import utcnow

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def meeting_data(days_ahead: int = 30, **overrides) -> dict:
    starts = (utcnow() + timedelta(days=days_ahead)).replace(hour=18, minute=0, second=0, microsecond=0)
    data = {"title": "Algemene ledenvergadering", "kind": "regular", "starts_at": starts,
            "duration_minutes": 120, "place": "Dorpshuis, Dorpsstraat 1, Ons Dorp", "online_url": None,
            "record_on": date.today()}
    data.update(overrides)
    return data


def make_meeting(coop, actor=None, *, convene: bool = False, **overrides):
    from coop.meetings import services

    meeting = services.create_meeting(coop, meeting_data(**overrides), actor=actor)
    if convene:
        services.convene(meeting, actor=actor)
    return meeting


def add_pdf(meeting, item=None, actor=None, **kw):
    from coop.meetings import services

    return services.add_document(meeting, item, io.BytesIO(PDF), "stukken.pdf", actor=actor, **kw)
