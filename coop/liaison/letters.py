"""Formal letters as PDF: the request itself (with receipt number and dates) and the notice of
default (ingebrekestelling, Awb 4:17). Both are rendered from what is recorded, so the same
letter comes out every time it is downloaded."""
from __future__ import annotations

from flask import make_response

from coop.core.pdf import render_pdf
from coop.liaison import services
from coop.liaison.deadlines import MAX_PENALTY_CENTS, PENALTY_BANDS, penalty_start
from coop.liaison.models import KIND_LABELS, OUTCOME_LABELS, STATUS_LABELS, UNIT_LABELS

LETTER_CSS = """
.sender { float: right; text-align: right; width: 45%; }
.address { margin-top: 14mm; }
.meta { clear: both; margin-top: 8mm; }
.body { white-space: pre-wrap; }
.signature { margin-top: 14mm; }
"""


def _pdf_response(pdf: bytes, filename: str):
    response = make_response(pdf)
    response.headers["Content-Type"] = "application/pdf"
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _context(req) -> dict:
    return dict(req=req, coop=req.cooperative, muni=req.municipality, state=services.term_state(req),
                KIND_LABELS=KIND_LABELS, STATUS_LABELS=STATUS_LABELS, OUTCOME_LABELS=OUTCOME_LABELS,
                UNIT_LABELS=UNIT_LABELS, today=services.today())


def request_letter(req):
    pdf = render_pdf("pdf/liaison_request.html", extra_css=[LETTER_CSS], **_context(req))
    return _pdf_response(pdf, f"{req.receipt_number or 'concept-' + str(req.id)}.pdf")


def notice_letter(req):
    ctx = _context(req)
    ctx.update(penalty_from=penalty_start(ctx["state"].due_on, req.notice_on), bands=PENALTY_BANDS,
               max_cents=MAX_PENALTY_CENTS)
    pdf = render_pdf("pdf/liaison_notice.html", extra_css=[LETTER_CSS], **ctx)
    return _pdf_response(pdf, f"ingebrekestelling-{req.receipt_number}.pdf")
