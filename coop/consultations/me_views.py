"""The member's side of consultations (/me/c/<coop>/consultations/…): what awaits my answer,
the ballot page, the confirmation with a receipt (anonymous), and results after closing."""
from __future__ import annotations

from flask import abort, g, make_response, render_template, request
from flask_login import current_user
from sqlalchemy import select

from coop.consultations import bp, services
from coop.consultations.forms import answer_form
from coop.consultations.models import Consultation, ConsultationStatus
from coop.core import nav
from coop.core.db import scoped, utcnow
from coop.core.formatting import template_constants
from coop.core.forms import attempt, form_status
from coop.core.i18n import lazy_gettext as _l
from coop.core.permissions import require
from coop.extensions import db
from coop.members.privacy import own_member
from coop.voting.forms import ReceiptCheckForm, checked_receipt

nav.add("coop", "consultations.my_consultations", _l("Consultations"), "member", order=17,
        also=("consultations.my_", "consultations.answer", "consultations.consultation_result"))


template_constants(bp, consultations_awaiting=services.awaiting)


@bp.route("/me/c/<coop>/consultations/")
@require("member")
def my_consultations():
    member = own_member(g.coop, current_user)
    awaiting = services.awaiting(member) if member else []
    answered = services.answered_ids(member) if member else set()
    running = db.session.scalars(select(Consultation).where(
        Consultation.cooperative_id == g.coop.id, Consultation.status == ConsultationStatus.OPEN)
        .order_by(Consultation.closes_at)).all()
    closed = db.session.scalars(select(Consultation).where(
        Consultation.cooperative_id == g.coop.id, Consultation.status == ConsultationStatus.CLOSED)
        .order_by(Consultation.closed_at.desc()).limit(50)).all()
    return render_template("consultations/me/list.html", member=member, awaiting=awaiting, answered=answered,
                           running=[c for c in running if c not in awaiting], closed=closed)


@bp.route("/me/c/<coop>/consultations/<int:consultation_id>", methods=["GET", "POST"])
@require("member")
def answer(consultation_id: int):
    consultation = scoped(Consultation, consultation_id)
    member = own_member(g.coop, current_user)
    if member is None or consultation.is_draft:
        abort(404)
    may = services.on_roll(consultation, member)
    done = may and services.has_answered(consultation, member)
    form = answer_form(consultation)
    if may and not done and consultation.is_open and form.validate_on_submit():
        receipt = []
        if attempt(form, lambda: receipt.append(services.answer(consultation, member, form.choice.data,
                                                                actor=current_user))):
            response = make_response(render_template("consultations/me/answered.html", consultation=consultation,
                                                     receipt=receipt[0]))
            response.headers["Cache-Control"] = "no-store"  # the receipt is shown once
            return response
    return render_template("consultations/me/answer.html", consultation=consultation, form=form, may=may,
                           done=done, accepting=consultation.accepts_at(utcnow())), \
        form_status(form) if request.method == "POST" else 200


@bp.route("/me/c/<coop>/consultations/<int:consultation_id>/result", methods=["GET", "POST"])
@require("member")
def consultation_result(consultation_id: int):
    consultation = scoped(Consultation, consultation_id)
    if not consultation.is_closed:
        abort(404)
    receipts = services.receipts(consultation)
    form = ReceiptCheckForm()
    found = checked_receipt(receipts, form)
    return render_template("consultations/me/result.html", consultation=consultation,
                           named=services.named_answers(consultation), receipts=receipts, form=form, found=found)
