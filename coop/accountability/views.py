"""Follow-up pages (/c/<coop>/follow-up…), annual reports (/c/<coop>/reports…), the public
transparency page (/transparency/<coop>) and open data. Load → permission (declared) → form →
one service → commit → flash → redirect."""
from __future__ import annotations

import json

from flask import Response, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import get_locale
from flask_login import current_user

from coop.accountability import bp, documents, rules, services
from coop.accountability.forms import (PublicForm, PublishForm, ReportForm, StartReportForm, StatusForm,
                                      UpdateForm)
from coop.accountability.models import PHASE_LABELS, FollowUpItem, Phase
from coop.core import nav
from coop.core.db import scoped
from coop.core.errors import DomainError
from coop.core.forms import attempt, form_status
from coop.core.i18n import lazy_gettext as _l
from coop.core.permissions import can, public, require
from coop.extensions import db

nav.add("coop", "accountability.list_items", _l("Follow-up"), "member", order=30,
        also=("accountability.show_item", "accountability.statuses"))
nav.add("coop", "accountability.list_reports", _l("Annual reports"), "member", order=32,
        also=("accountability.show_report", "accountability.edit_report"))

SOURCES = {"resolution": _l("Resolutions"), "commitment": _l("Municipal commitments")}


def _year_arg() -> int | None:
    value = request.args.get("year", "")
    return int(value) if value.isdigit() and 1800 <= int(value) <= 9999 else None


# --- follow-up ---------------------------------------------------------------------------------


@bp.route("/c/<coop>/follow-up")
@require("member")
def list_items():
    if services.sync_items(g.coop):
        db.session.commit()
    phase = request.args.get("phase") if request.args.get("phase") in {p.value for p in Phase} else None
    source = request.args.get("source") if request.args.get("source") in SOURCES else None
    overdue = request.args.get("overdue") == "1"
    items = services.items(g.coop, phase=phase, source=source, year=_year_arg(), overdue=overdue)
    today = services.today()
    counts = services.figures.followup(g.coop, _year_arg() or today.year, today=today)
    return render_template("accountability/items.html", items=items, today=today, phase=phase, source=source,
                           year=_year_arg(), overdue=overdue, PHASE_LABELS=PHASE_LABELS, SOURCES=SOURCES,
                           is_overdue=rules.is_overdue, chart=documents.followup_chart(counts["by_year"])
                           if counts["by_year"] else None, rate=counts["by_year"],
                           OUTCOME_LABELS=documents.OUTCOME_LABELS, outcomes=rules.OUTCOMES)


@bp.route("/c/<coop>/follow-up/<int:item_id>", methods=["GET", "POST"])
@require("member")
def show_item(item_id: int):
    item = scoped(FollowUpItem, item_id, cooperative=g.coop)
    form = None
    if can("board"):
        form = UpdateForm(obj=None if request.method == "POST" else item,
                          data=None if request.method == "POST" else {"status_id": item.status_id,
                                                                       "owner": item.owner,
                                                                       "due_on": item.due_on})
        form.status_id.choices = [(s.id, f"{s.name} ({s.progress} %)") for s in services.statuses(g.coop)]
        if form.validate_on_submit() and attempt(form, lambda: services.post_update(
                item, status_id=form.status_id.data, text=form.text.data, progress=form.progress.data,
                reason=form.reason.data, owner=form.owner.data, due_on=form.due_on.data,
                posted_on=form.posted_on.data, actor=current_user)):
            flash(_("The update is saved."), "success")
            return redirect(url_for("accountability.show_item", item_id=item.id))
    elif request.method == "POST":
        abort(403)
    return render_template("accountability/item.html", item=item, form=form, today=services.today(),
                           PHASE_LABELS=PHASE_LABELS, is_overdue=rules.is_overdue), \
        form_status(form) if form else 200


@bp.route("/c/<coop>/follow-up/statuses", methods=["GET", "POST"])
@require("board")
def statuses():
    form = StatusForm()
    if form.validate_on_submit() and attempt(form, lambda: services.add_status(
            g.coop, name=form.name.data, phase=form.phase.data, progress=form.progress.data, actor=current_user)):
        flash(_("The status is added."), "success")
        return redirect(url_for("accountability.statuses"))
    return render_template("accountability/statuses.html", form=form, statuses=services.statuses(g.coop),
                           PHASE_LABELS=PHASE_LABELS), form_status(form)


# --- annual reports ----------------------------------------------------------------------------


def _report(year: int):
    report = services.report_for(g.coop, year)
    if report is None or (not report.is_published and not can("board")):
        abort(404)
    return report


@bp.route("/c/<coop>/reports", methods=["GET", "POST"])
@require("member")
def list_reports():
    form = StartReportForm() if can("board") else None
    if request.method == "POST":
        if form is None:
            abort(403)
        made = []
        if form.validate_on_submit() and attempt(form, lambda: made.append(
                services.start_report(g.coop, form.year.data, actor=current_user))):
            flash(_("The draft report is made."), "success")
            return redirect(url_for("accountability.edit_report", year=made[0].year))
    reports = services.reports(g.coop, published_only=not can("board"))
    return render_template("accountability/reports.html", reports=reports, form=form,
                           first_year=services.first_year(g.coop)), form_status(form) if form else 200


@bp.route("/c/<coop>/reports/<int:year>/edit", methods=["GET", "POST"])
@require("board")
def edit_report(year: int):
    report = _report(year)
    if report.is_published:
        flash(_("A published report is frozen: it cannot be changed."), "error")
        return redirect(url_for("accountability.show_report", year=year)), 303
    form = ReportForm(obj=report)
    if form.validate_on_submit() and attempt(form, lambda: services.update_report(
            report, {f: getattr(form, f).data for f in services.NARRATIVE_FIELDS + services.FINANCE_FIELDS},
            actor=current_user)):
        flash(_("The report is saved."), "success")
        return redirect(url_for("accountability.show_report", year=year))
    return render_template("accountability/edit.html", report=report, form=form), form_status(form)


@bp.route("/c/<coop>/reports/<int:year>")
@require("member")
def show_report(year: int):
    report = _report(year)
    data = services.snapshot(report)
    publish_form = PublishForm() if can("board") and not report.is_published else None
    public_form = PublicForm(is_public=report.is_public) if can("board") and report.is_published else None
    return render_template("accountability/report.html", report=report, public_form=public_form,
                           publish_form=publish_form, **documents.context(data))


@bp.route("/c/<coop>/reports/<int:year>/publish", methods=["POST"])
@require("board")
def publish_report(year: int):
    report = _report(year)
    form = PublishForm()
    if form.validate_on_submit():
        try:
            services.publish(report, actor=current_user, make_public=form.is_public.data,
                             locale=form.locale.data)
        except DomainError as error:
            db.session.rollback()
            flash(str(error.message), "error")
            return redirect(url_for("accountability.show_report", year=year))
        db.session.commit()
        flash(_("The report is published and the members are told."), "success")
    return redirect(url_for("accountability.show_report", year=year))


@bp.route("/c/<coop>/reports/<int:year>/public", methods=["POST"])
@require("board")
def set_public(year: int):
    report = _report(year)
    form = PublicForm()
    if form.validate_on_submit():
        try:
            services.set_public(report, form.is_public.data, actor=current_user)
        except DomainError as error:
            db.session.rollback()
            flash(str(error.message), "error")
            return redirect(url_for("accountability.show_report", year=year))
        db.session.commit()
        flash(_("Saved."), "success")
    return redirect(url_for("accountability.show_report", year=year))


def _pdf_response(report, coop) -> Response:
    if report.is_published:
        body = report.pdf
    else:
        body = documents.report_pdf(services.snapshot(report), locale=str(get_locale()))
    response = Response(body, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="jaarverslag-{coop.slug}-{report.year}.pdf"'
    if report.is_published:
        response.headers["X-Content-SHA256"] = report.pdf_sha256
    return response


def _figures_response(report, fmt: str) -> Response:
    data = services.snapshot(report)
    if fmt == "csv":
        response = Response(documents.figures_csv(data), mimetype="text/csv")
        response.headers["Content-Disposition"] = f'attachment; filename="figures-{report.year}.csv"'
        return response
    return Response(json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True),
                    mimetype="application/json")


@bp.route("/c/<coop>/reports/<int:year>/report.pdf")
@require("member")
def report_pdf(year: int):
    return _pdf_response(_report(year), g.coop)


@bp.route("/c/<coop>/reports/<int:year>/figures.<any(json, csv):fmt>")
@require("member")
def report_figures(year: int, fmt: str):
    return _figures_response(_report(year), fmt)


# --- the public transparency page ------------------------------------------------------------


def _public_report(year: int):
    report = services.report_for(g.coop, year)
    if report is None or not report.is_published or not report.is_public:
        abort(404)
    return report


@bp.route("/transparency/<coop>")
@public
def transparency():
    reports = services.reports(g.coop, public_only=True)
    latest = json.loads(reports[0].snapshot_json) if reports else None
    return render_template("accountability/transparency.html", reports=reports,
                           **(documents.context(latest) if latest else {"data": None}))


@bp.route("/transparency/<coop>/<int:year>.pdf")
@public
def public_pdf(year: int):
    return _pdf_response(_public_report(year), g.coop)


@bp.route("/transparency/<coop>/<int:year>/figures.<any(json, csv):fmt>")
@public
def public_figures(year: int, fmt: str):
    return _figures_response(_public_report(year), fmt)
