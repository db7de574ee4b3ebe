"""Access-matrix rows of general meetings: the board's pages under /c/<coop>/meetings/ and the
member's side under /me/c/<coop>/meetings/ (any role in the cooperative; own record only)."""
from tests.security.matrix.common import COOP_A_BOARD, COOP_A_MEMBER, row


def _fixture(w):
    """One convened meeting of cooperative A with a document and a proxy (made once per world)."""
    if not hasattr(w, "meeting_a"):
        from coop.extensions import db
        from coop.meetings import services
        from tests.meetings.helpers import add_pdf, make_meeting

        w.meeting_a = make_meeting(w.coop_a, convene=True)
        w.document_a = add_pdf(w.meeting_a, w.meeting_a.items[0], announcement="Stukken toegevoegd")
        w.proxy_a = services.give_proxy(w.meeting_a, w.record_a, w.record_board_a, actor=None)
        db.session.commit()
    return w


def _m(**extra):
    return {"coop": "coop-a", "meeting_id": lambda w: _fixture(w).meeting_a.id, **extra}


ITEM = lambda w: _fixture(w).meeting_a.items[0].id  # noqa: E731
A = {"coop": "coop-a"}
#: Members read the minutes once the meeting has closed; the board any time.
BOARD_BEFORE_CLOSE = row("login", "404", "ok", "404", "404", "404", "404", "404")

ROWS = {
    "meetings.list_meetings": (A, {"GET": COOP_A_BOARD}),
    "meetings.new_meeting": (A, {"GET": COOP_A_BOARD, "POST": COOP_A_BOARD}),
    "meetings.show_meeting": (_m(), {"GET": COOP_A_BOARD}),
    "meetings.edit_meeting": (_m(), {"GET": COOP_A_BOARD, "POST": COOP_A_BOARD}),
    "meetings.new_item": (_m(), {"GET": COOP_A_BOARD, "POST": COOP_A_BOARD}),
    "meetings.edit_item": (_m(item_id=ITEM), {"GET": COOP_A_BOARD, "POST": COOP_A_BOARD}),
    "meetings.remove_item": (_m(item_id=ITEM), {"POST": COOP_A_BOARD}),
    "meetings.move_item": (_m(item_id=ITEM), {"POST": COOP_A_BOARD}),
    "meetings.add_document": (_m(), {"GET": COOP_A_BOARD, "POST": COOP_A_BOARD}),
    "meetings.download_document": (_m(document_id=lambda w: _fixture(w).document_a.id), {"GET": COOP_A_MEMBER}),
    "meetings.convene": (_m(), {"GET": COOP_A_BOARD, "POST": COOP_A_BOARD}),
    "meetings.convocations": (_m(), {"GET": COOP_A_BOARD}),
    "meetings.letters_pdf": (_m(), {"GET": COOP_A_BOARD}),
    "meetings.check_in": (_m(), {"GET": COOP_A_BOARD, "POST": COOP_A_BOARD}),
    "meetings.attendance_pdf": (_m(), {"GET": COOP_A_BOARD}),
    "meetings.proxies": (_m(), {"GET": COOP_A_BOARD, "POST": COOP_A_BOARD}),
    "meetings.revoke_proxy": (_m(proxy_id=lambda w: _fixture(w).proxy_a.id), {"POST": COOP_A_BOARD}),
    "meetings.open_session": (_m(), {"POST": COOP_A_BOARD}),
    "meetings.open_voting": (_m(), {"POST": COOP_A_BOARD}),
    "meetings.close_meeting": (_m(), {"POST": COOP_A_BOARD}),
    "meetings.set_current_item": (_m(), {"POST": COOP_A_BOARD}),
    "meetings.adopt_minutes": (_m(item_id=ITEM), {"POST": COOP_A_BOARD}),
    "meetings.live": (_m(), {"GET": COOP_A_MEMBER}),
    "meetings.live_json": (_m(), {"GET": COOP_A_MEMBER}),
    "meetings.minutes": (_m(), {"GET": COOP_A_BOARD, "POST": COOP_A_BOARD}),
    "meetings.minutes_pdf": (_m(), {"GET": BOARD_BEFORE_CLOSE}),
    "meetings.questions": (_m(), {"GET": COOP_A_BOARD, "POST": COOP_A_BOARD}),
    "meetings.my_meetings": (A, {"GET": COOP_A_MEMBER}),
    "meetings.my_meeting": (_m(), {"GET": COOP_A_MEMBER}),
    "meetings.my_rsvp": (_m(), {"POST": COOP_A_MEMBER}),
    "meetings.my_proxy": (_m(), {"POST": COOP_A_MEMBER}),
    "meetings.my_revoke_proxy": (_m(), {"POST": COOP_A_MEMBER}),
    "meetings.my_question": (_m(), {"POST": COOP_A_MEMBER}),
    "meetings.my_proposal": (_m(), {"POST": COOP_A_MEMBER}),
    "meetings.sign_proposal": (_m(proposal_id=0), {"POST": row("login", "404", "404", "404", "404", "404", "404", "404")}),
}
