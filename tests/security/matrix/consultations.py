"""Access-matrix rows of consultations: the board's pages under /c/<coop>/consultations and the
member's under /me/c/<coop>/consultations/."""
from tests.security.matrix.common import COOP_A_BOARD, COOP_A_MEMBER


def _fixture(w):
    """Cooperative A with a draft, an open and a closed consultation."""
    if not hasattr(w, "consultation_draft_a"):
        from coop.extensions import db
        from tests.consultations.helpers import closed_consultation, draft, opened

        w.consultation_draft_a = draft(w.coop_a)
        w.consultation_open_a = opened(w.coop_a)
        w.consultation_closed_a = closed_consultation(w.coop_a)
        db.session.commit()
    return w


A = {"coop": "coop-a"}
DRAFT = {"coop": "coop-a", "consultation_id": lambda w: _fixture(w).consultation_draft_a.id}
OPEN = {"coop": "coop-a", "consultation_id": lambda w: _fixture(w).consultation_open_a.id}
CLOSED = {"coop": "coop-a", "consultation_id": lambda w: _fixture(w).consultation_closed_a.id}

ROWS = {
    "consultations.list_consultations": (A, {"GET": COOP_A_BOARD}),
    "consultations.new_consultation": (A, {"GET": COOP_A_BOARD, "POST": COOP_A_BOARD}),
    "consultations.show_consultation": (OPEN, {"GET": COOP_A_BOARD}),
    "consultations.edit_consultation": (DRAFT, {"GET": COOP_A_BOARD, "POST": COOP_A_BOARD}),
    "consultations.open_consultation": (DRAFT, {"POST": COOP_A_BOARD}),
    "consultations.close_consultation": (OPEN, {"POST": COOP_A_BOARD}),
    "consultations.delete_consultation": (DRAFT, {"POST": COOP_A_BOARD}),
    "consultations.export_consultation": (CLOSED, {"GET": COOP_A_BOARD}),
    "consultations.my_consultations": (A, {"GET": COOP_A_MEMBER}),
    "consultations.answer": (OPEN, {"GET": COOP_A_MEMBER, "POST": COOP_A_MEMBER}),
    "consultations.consultation_result": (CLOSED, {"GET": COOP_A_MEMBER, "POST": COOP_A_MEMBER}),
}
