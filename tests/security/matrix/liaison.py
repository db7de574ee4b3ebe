"""Access-matrix rows of the liaison pages: the board's requests (cooperative A) and the
liaison's inbox, catalogue, region and tokens (municipality M). The request, attachment and
commitment in the URLs belong to A and M; B's board and N's liaison get 404."""
from datetime import date, timedelta

from tests.security.matrix.common import COOP_A_BOARD, MUNI_M_LIAISON, PUBLIC


def _request(w):
    """A submitted request of A to M, with an attachment, a commitment and a notice of default."""
    if getattr(w, "_liaison", None) is None:
        import io

        from werkzeug.datastructures import FileStorage

        from coop.extensions import db
        from coop.liaison import services
        from coop.liaison.models import RequestKind

        rtype = next(t for t in services.ensure_catalogue(w.muni_m) if t.kind is RequestKind.DECISION)
        req = services.create_draft(w.coop_a, rtype, subject="Matrix", body="B", actor=w.board_a)
        services.submit(req, actor=w.board_a, on=date(2026, 1, 5))
        att = services.add_attachment(req, FileStorage(io.BytesIO(b"%PDF-1.4 matrix"), "a.pdf"),
                                      actor=w.board_a, side=services.Side.COOPERATIVE)
        c = services.add_commitment(req, actor=w.liaison_m, what="W", who="X", due_on=date(2026, 9, 1))
        req.notice_on = req.due_on + timedelta(days=1)
        db.session.commit()
        w._liaison = (req.id, att.id, c.id, rtype.id)
    return w._liaison


A = {"coop": "coop-a"}
M = {"municipality": "gem-m"}
RA = {"coop": "coop-a", "request_id": lambda w: _request(w)[0]}
RM = {"municipality": "gem-m", "request_id": lambda w: _request(w)[0]}
ATT_A = {**RA, "attachment_id": lambda w: _request(w)[1]}
ATT_M = {**RM, "attachment_id": lambda w: _request(w)[1]}
COM_A = {**RA, "commitment_id": lambda w: _request(w)[2]}
COM_M = {**RM, "commitment_id": lambda w: _request(w)[2]}

ROWS = {
    # the board's side
    "liaison.coop_requests": (A, {"GET": COOP_A_BOARD}),
    "liaison.new_request": (A, {"GET": COOP_A_BOARD, "POST": COOP_A_BOARD}),
    "liaison.coop_request": (RA, {"GET": COOP_A_BOARD}),
    "liaison.edit_request": (RA, {"GET": COOP_A_BOARD, "POST": COOP_A_BOARD}),
    "liaison.delete_request": (RA, {"POST": COOP_A_BOARD}),
    "liaison.submit_request": (RA, {"POST": COOP_A_BOARD}),
    "liaison.withdraw_request": (RA, {"POST": COOP_A_BOARD}),
    "liaison.provide_information": (RA, {"POST": COOP_A_BOARD}),
    "liaison.send_notice": (RA, {"POST": COOP_A_BOARD}),
    "liaison.post_message": (RA, {"POST": COOP_A_BOARD}),
    "liaison.upload_attachment": (RA, {"POST": COOP_A_BOARD}),
    "liaison.download_attachment": (ATT_A, {"GET": COOP_A_BOARD}),
    "liaison.letter_pdf": (RA, {"GET": COOP_A_BOARD}),
    "liaison.notice_pdf": (RA, {"GET": COOP_A_BOARD}),
    "liaison.update_commitment": (COM_A, {"POST": COOP_A_BOARD}),
    # the municipality's side
    "liaison.inbox": (M, {"GET": MUNI_M_LIAISON}),
    "liaison.muni_request": (RM, {"GET": MUNI_M_LIAISON}),
    "liaison.move_request": ({**RM, "move": "acknowledge"}, {"POST": MUNI_M_LIAISON}),
    "liaison.request_information": (RM, {"POST": MUNI_M_LIAISON}),
    "liaison.extend_term": (RM, {"POST": MUNI_M_LIAISON}),
    "liaison.decide": (RM, {"POST": MUNI_M_LIAISON}),
    "liaison.reopen": (RM, {"POST": MUNI_M_LIAISON}),
    "liaison.assign": (RM, {"POST": MUNI_M_LIAISON}),
    "liaison.add_note": (RM, {"POST": MUNI_M_LIAISON}),
    "liaison.add_commitment": (RM, {"POST": MUNI_M_LIAISON}),
    "liaison.muni_post_message": (RM, {"POST": MUNI_M_LIAISON}),
    "liaison.muni_attachment": (ATT_M, {"GET": MUNI_M_LIAISON}),
    "liaison.muni_letter_pdf": (RM, {"GET": MUNI_M_LIAISON}),
    "liaison.muni_notice_pdf": (RM, {"GET": MUNI_M_LIAISON}),
    "liaison.muni_update_commitment": (COM_M, {"POST": MUNI_M_LIAISON}),
    "liaison.catalogue": (M, {"GET": MUNI_M_LIAISON}),
    "liaison.edit_type": ({**M, "type_id": lambda w: _request(w)[3]}, {"GET": MUNI_M_LIAISON, "POST": MUNI_M_LIAISON}),
    "liaison.region": (M, {"GET": MUNI_M_LIAISON}),
    "liaison.region_coop": ({**M, "coop_id": lambda w: w.coop_a.id}, {"GET": MUNI_M_LIAISON}),
    "liaison.muni_api_tokens": (M, {"GET": MUNI_M_LIAISON}),
    "liaison.create_muni_api_token": (M, {"POST": MUNI_M_LIAISON}),
    "liaison.revoke_muni_api_token": (M, {"POST": MUNI_M_LIAISON}),
    # the API for case systems: the bearer token is the gate (401 without one: "ok" here, see
    # matrix/api.py); who may read and change what is tested with real tokens in tests/liaison/test_api.py
    "api.list_requests": ({"muni_slug": "gem-m"}, {"GET": PUBLIC}),
    "api.get_request": ({"muni_slug": "gem-m", "request_id": lambda w: _request(w)[0]}, {"GET": PUBLIC}),
    "api.post_status": ({"muni_slug": "gem-m", "request_id": lambda w: _request(w)[0]}, {"POST": PUBLIC}),
    "api.post_request_message": ({"muni_slug": "gem-m", "request_id": lambda w: _request(w)[0]}, {"POST": PUBLIC}),
    "api.post_decision": ({"muni_slug": "gem-m", "request_id": lambda w: _request(w)[0]}, {"POST": PUBLIC}),
    # Open311 GeoReport v2: public by design (only the public part of requests)
    "open311.services": ({}, {"GET": PUBLIC}),
    "open311.requests": ({}, {"GET": PUBLIC}),
}
