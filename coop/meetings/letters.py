"""The printed convocation: one letter per member who has no e-mail consent, with the address
in the window of a DL/C5 window envelope (NEN 1026: window at 20 mm from the left, 50 mm from
the top) and a QR code that finds the member at the door. Printed in parts of
:data:`PART_SIZE` letters so that memory stays bounded at any register size."""
from __future__ import annotations

import math

from sqlalchemy import func, select

from coop.extensions import db
from coop.meetings.models import Convocation, GeneralMeeting
from coop.members.models import Channel, Member

PART_SIZE = 500

LETTER_CSS = """
@page letter { margin: 0; @top-left { content: none; } @top-right { content: none; }
               @bottom-right { content: none; } }
.letter { page: letter; break-after: page; position: relative; width: 210mm; height: 296mm; }
.letter:last-child { break-after: auto; }
.letter .sender { position: absolute; left: 20mm; top: 15mm; font-size: 8pt; color: #444; }
.letter .window { position: absolute; left: 22mm; top: 52mm; width: 85mm; height: 30mm;
                  font-size: 10pt; line-height: 1.3; }
.letter .window p { margin: 0; }
.letter .qr { position: absolute; right: 20mm; top: 45mm; width: 30mm; text-align: center;
              font-size: 7pt; }
.letter .qr svg { width: 28mm; height: 28mm; }
.letter .body { position: absolute; left: 20mm; right: 20mm; top: 100mm; }
.letter .body h1 { font-size: 13pt; }
.letter .body ol { margin: 1mm 0 3mm 5mm; padding: 0; }
"""

LIST_CSS = """
.sign { width: 45mm; }
.minutes-item { margin-bottom: 4mm; }
.minutes-item p { white-space: pre-wrap; }
"""


def qr_svg(token: str) -> str:
    """The token as an inline SVG QR code (no file, no network)."""
    import segno

    return segno.make(token, error="m").svg_inline(scale=3, border=2)


def letter_select(meeting: GeneralMeeting):
    return (select(Convocation.token, Member).join(Member, Member.id == Convocation.member_id)
            .where(Convocation.meeting_id == meeting.id, Convocation.channel == Channel.LETTER.value))


def letter_count(meeting: GeneralMeeting) -> int:
    return db.session.scalar(select(func.count()).select_from(Convocation).where(
        Convocation.meeting_id == meeting.id, Convocation.channel == Channel.LETTER.value))


def part_count(meeting: GeneralMeeting) -> int:
    return math.ceil(letter_count(meeting) / PART_SIZE)


def render_part(meeting: GeneralMeeting, part: int, *, part_size: int = PART_SIZE) -> bytes:
    """Letters ``(part-1)*part_size+1`` … in postcode order (the order the post likes)."""
    from coop.core.pdf import render_pdf

    rows = db.session.execute(letter_select(meeting).order_by(Member.postcode, Member.sort_name, Member.id)
                              .offset((part - 1) * part_size).limit(part_size)).all()
    letters = [(member, qr_svg(token)) for token, member in rows]
    return render_pdf("pdf/meetings_letters.html", extra_css=[LETTER_CSS], coop=meeting.cooperative,
                      meeting=meeting, letters=letters)
