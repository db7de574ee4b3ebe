"""The board's pages of consultations: list, draft, open, close early, delete a draft, result
and CSV."""
from __future__ import annotations

from datetime import timedelta

from flask import Response, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup, escape
from sqlalchemy import select

from coop.consultations import bp, rules, services
from coop.consultations.forms import ConfirmForm, ConsultationForm
from coop.consultations.models import STATUS_LABELS, Consultation
from coop.core import nav
from coop.core.csvsafe import write_csv
from coop.core.db import scoped, utcnow
from coop.core.errors import DomainError
from coop.core.formatting import template_constants
from coop.core.forms import attempt, form_status
from coop.core.i18n import lazy_gettext as _l
from coop.core.pagination import paginate
from coop.core.permissions import require
from coop.extensions import db
from coop.meetings.services import LOCAL_TZ, to_utc

nav.add("coop", "consultations.list_consultations", _l("Manage consultations"), "board", order=31,
        also=("consultations.list_", "consultations.new_", "consultations.show_", "consultations.edit_"))

BAR = "#1d5e8c"  # 7.0:1 on white
TEXT = "#333333"


def answer_text(consultation: Consultation, choice: str) -> str:
    """An answer as members read it (the ticked options of a multiple-choice answer joined)."""
    return ", ".join(rules.chosen_options(choice, multiple=consultation.is_multiple_choice))


def result_chart(consultation: Consultation) -> Markup:
    """Horizontal bars, one per option, drawn on the server as SVG (no JavaScript, no styles);
    the figures are also given as text next to the chart."""
    result = consultation.result or {}
    counts = result.get("counts") or {}
    answered = result.get("answered") or 0
    peak = max([*counts.values(), 1])
    row, label_w, bar_w, width = 30, 0, 360, 560
    height = row * len(counts) + 8
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" '
           f'height="{height}" role="img" aria-label="{escape(_("Answers per option"))}" '
           'class="bar-chart consultation-chart">']
    for i, (option, n) in enumerate(counts.items()):
        y = 4 + i * row
        w = round(bar_w * n / peak, 1)
        share = round(100 * n / answered) if answered else 0
        out.append(f'<text x="{label_w}" y="{y + 11}" font-size="12" fill="{TEXT}">{escape(option[:70])}</text>')
        out.append(f'<rect x="{label_w}" y="{y + 15}" width="{w}" height="10" fill="{BAR}">'
                   f'<title>{escape(option)}: {n}</title></rect>')
        out.append(f'<text x="{label_w + w + 6}" y="{y + 24}" font-size="12" fill="{TEXT}">{n} ({share} %)</text>')
    out.append("</svg>")
    return Markup("".join(out))


def _consultation(consultation_id: int) -> Consultation:
    return scoped(Consultation, consultation_id)


def _data(form: ConsultationForm) -> dict:
    return {"title": form.title.data, "question": form.question.data, "options": form.options.data,
            "is_multiple_choice": form.is_multiple_choice.data, "is_anonymous": form.is_anonymous.data,
            "opens_at": to_utc(form.opens_at.data) if form.opens_at.data else None,
            "closes_at": to_utc(form.closes_at.data) if form.closes_at.data else None}


@bp.route("/c/<coop>/consultations")
@require("board")
def list_consultations():
    page = paginate(select(Consultation).where(Consultation.cooperative_id == g.coop.id)
                    .order_by(Consultation.created_at.desc(), Consultation.id.desc()))
    return render_template("consultations/list.html", page=page)


@bp.route("/c/<coop>/consultations/new", methods=["GET", "POST"])
@require("board")
def new_consultation():
    form = ConsultationForm()
    if request.method == "GET":  # a week from the next full hour, as a start
        start = (utcnow() + timedelta(hours=1)).astimezone(LOCAL_TZ).replace(minute=0, second=0, microsecond=0,
                                                                           tzinfo=None)
        form.opens_at.data, form.closes_at.data = start, start + timedelta(days=7)
    created = []
    if form.validate_on_submit() and attempt(form, lambda: created.append(
            services.create(g.coop, _data(form), actor=current_user))):
        flash(_("The consultation has been saved as a draft. Check it, then open it."), "success")
        return redirect(url_for("consultations.show_consultation", consultation_id=created[0].id))
    return render_template("consultations/edit.html", form=form, consultation=None), form_status(form)


@bp.route("/c/<coop>/consultations/<int:consultation_id>/edit", methods=["GET", "POST"])
@require("board")
def edit_consultation(consultation_id: int):
    consultation = _consultation(consultation_id)
    if not consultation.is_draft:
        flash(_("Only a draft can be changed."), "error")
        return redirect(url_for("consultations.show_consultation", consultation_id=consultation.id))
    form = ConsultationForm(obj=consultation)
    if request.method == "GET":
        form.options.data = "\n".join(consultation.options)
        form.opens_at.data = consultation.opens_at.astimezone(LOCAL_TZ).replace(tzinfo=None)
        form.closes_at.data = consultation.closes_at.astimezone(LOCAL_TZ).replace(tzinfo=None)
    if form.validate_on_submit() and attempt(form, lambda: services.update_draft(
            consultation, _data(form), actor=current_user)):
        flash(_("The changes have been saved."), "success")
        return redirect(url_for("consultations.show_consultation", consultation_id=consultation.id))
    return render_template("consultations/edit.html", form=form, consultation=consultation), form_status(form)


@bp.route("/c/<coop>/consultations/<int:consultation_id>")
@require("board")
def show_consultation(consultation_id: int):
    consultation = _consultation(consultation_id)
    answered, roll = services.live_count(consultation)
    return render_template("consultations/show.html", consultation=consultation, answered=answered, roll=roll,
                           named=services.named_answers(consultation), receipts=services.receipts(consultation))


def _act(consultation: Consultation, action, success: str, target: str | None = None):
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        action()
    except DomainError as error:
        db.session.rollback()
        flash(str(error.message), "error")
        return redirect(url_for("consultations.show_consultation", consultation_id=consultation.id))
    db.session.commit()
    flash(success, "success")
    return redirect(target or url_for("consultations.show_consultation", consultation_id=consultation.id))


@bp.route("/c/<coop>/consultations/<int:consultation_id>/open", methods=["POST"])
@require("board")
def open_consultation(consultation_id: int):
    consultation = _consultation(consultation_id)
    return _act(consultation, lambda: services.open_consultation(consultation, actor=current_user),
                _("The consultation is open; its roll has been frozen."))


@bp.route("/c/<coop>/consultations/<int:consultation_id>/close", methods=["POST"])
@require("board")
def close_consultation(consultation_id: int):
    consultation = _consultation(consultation_id)
    return _act(consultation, lambda: services.close(consultation, actor=current_user),
                _("The consultation is closed and its result frozen."))


@bp.route("/c/<coop>/consultations/<int:consultation_id>/delete", methods=["POST"])
@require("board")
def delete_consultation(consultation_id: int):
    consultation = _consultation(consultation_id)
    return _act(consultation, lambda: services.delete_draft(consultation, actor=current_user),
                _("The draft has been deleted."), url_for("consultations.list_consultations"))


@bp.route("/c/<coop>/consultations/<int:consultation_id>/result.csv")
@require("board")
def export_consultation(consultation_id: int):
    consultation = _consultation(consultation_id)
    if not consultation.is_closed:
        abort(404)
    result = consultation.result
    rows = [[_("consultation"), consultation.title], [_("question"), consultation.question],
            [_("anonymous"), _("yes") if consultation.is_anonymous else _("no")],
            [_("opened"), consultation.opens_at.isoformat()], [_("closed"), consultation.closed_at.isoformat()],
            [_("eligible"), result["eligible"]], [_("answered"), result["answered"]],
            [_("turnout (percent)"), result["turnout_percent"]], [_("hash"), consultation.result_hash]]
    rows += [[_("answers for %(option)s", option=option), n] for option, n in result["counts"].items()]
    rows.append([])
    if consultation.is_anonymous:
        rows += [[_("receipt"), _("answer")]] + [list(r) for r in services.receipts(consultation)]
    else:
        rows += [[_("membership number"), _("name"), _("answer")]] + [
            [a.member.number, a.member.full_name, answer_text(consultation, a.choice)]
            for a in services.named_answers(consultation)]
    body = write_csv([_("field"), _("value")], rows)
    return Response(body, mimetype="text/csv", headers={
        "Content-Disposition": f"attachment; filename=consultation-{consultation.id}.csv"})


template_constants(bp, CONSULTATION_STATUS_LABELS=STATUS_LABELS, consultation_chart=result_chart,
                   consultation_answer=answer_text)
