"""The member's own pages (/me/…) and the board's privacy page (/c/<coop>/privacy).

Member pages under ``/me/c/<coop>/`` declare ``@require("member")`` (a role in that
cooperative) and then load only the ``Member`` whose ``user_id`` is the signed-in user's, in
``g.coop``: nobody can reach another member's record through these pages. A user with a role
there but no linked member record gets a friendly page.

The board's erasure pages live here too (on the register's blueprint) because they are the other
half of the same privacy process; their services are in :mod:`coop.members.privacy`.
"""
from __future__ import annotations

import importlib.util
import json
from datetime import date

from flask import Response, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from coop.core import nav
from coop.core.db import scoped
from coop.core.forms import attempt, form_status
from coop.core.i18n import lazy_gettext as _l
from coop.core.pagination import paginate
from coop.core.permissions import require
from coop.extensions import db
from coop.members import bp, me_bp, privacy
from coop.members.forms_me import (ContactDetailsForm, EraseMemberForm, ErasureRequestForm,
                                   NoticeRequestForm, StatementYearForm)
from coop.members.models import CHANNEL_LABELS, END_REASON_LABELS, STATUS_LABELS, FeeCharge, Member
from coop.members.services import SELF_SERVICE_FIELDS

nav.add("coop", "me.show_membership", _l("My membership"), "member", order=12)
nav.add("coop", "members.privacy_overview", _l("Privacy"), "board", order=87)

LABELS = {"STATUS_LABELS": STATUS_LABELS, "CHANNEL_LABELS": CHANNEL_LABELS,
          "END_REASON_LABELS": END_REASON_LABELS}


def _capital():
    """The capital module of the register, when it is installed (it is built alongside)."""
    if importlib.util.find_spec("coop.members.capital") is None:
        return None
    from coop.members import capital

    return capital


def _own():
    """The signed-in user's own record in g.coop, or None (never anyone else's)."""
    return privacy.own_member(g.coop, current_user)


def _not_linked():
    return render_template("members/me/not_linked.html", **LABELS)


def _private(response: Response) -> Response:
    """Downloads with personal data are never stored by caches."""
    response.headers["Cache-Control"] = "no-store"
    return response


# --- the user's memberships and exports -----------------------------------------------------


@me_bp.route("/memberships")
@require("login")
def list_memberships():
    return render_template("members/me/memberships.html",
                           members=privacy.memberships_of(current_user), **LABELS)


@me_bp.route("/export.json")
@require("login")
def export_json():
    user = current_user._get_current_object()
    data = privacy.export_data(user)
    privacy.record_export(user, fmt="json", data=data)
    db.session.commit()
    body = json.dumps(data, ensure_ascii=False, indent=2)
    return _private(Response(body, mimetype="application/json", headers={
        "Content-Disposition": f'attachment; filename="coop-my-data-{date.today().isoformat()}.json"'}))


@me_bp.route("/export.zip")
@require("login")
def export_zip():
    """All my data as a zip with one CSV file per kind of record (and the JSON too)."""
    user = current_user._get_current_object()
    data = privacy.export_data(user)
    content = privacy.export_zip(user, data)
    privacy.record_export(user, fmt="csv", data=data)
    db.session.commit()
    return _private(Response(content, mimetype="application/zip", headers={
        "Content-Disposition": f'attachment; filename="coop-my-data-{date.today().isoformat()}.zip"'}))


# --- one membership ---------------------------------------------------------------------------


@me_bp.route("/c/<coop>/")
@require("member")
def show_membership():
    member = _own()
    if member is None:
        return _not_linked()
    return render_template("members/me/membership.html", member=member,
                           notice_problem=privacy.notice_problem(member), **LABELS)


@me_bp.route("/c/<coop>/details", methods=["GET", "POST"])
@require("member")
def edit_details():
    member = _own()
    if member is None:
        return _not_linked()
    form = ContactDetailsForm(obj=member)
    if request.method == "GET":
        form.email_consent.data = member.email_consent_at is not None
    changed: dict = {}
    if form.validate_on_submit() and attempt(form, lambda: changed.update(privacy.update_own_details(
            member, {name: form[name].data for name in SELF_SERVICE_FIELDS},
            email_consent=bool(form.email_consent.data), actor=current_user))):
        flash(_("Your details have been saved.") if changed else _("Nothing was changed."), "success")
        return redirect(url_for("me.show_membership"))
    return render_template("members/me/details.html", member=member, form=form,
                           **LABELS), form_status(form)


@me_bp.route("/c/<coop>/capital")
@require("member")
def show_capital():
    member = _own()
    if member is None:
        return _not_linked()
    capital = _capital()
    holdings = lines = None
    if capital is not None and hasattr(capital, "holdings_for"):
        holdings = capital.holdings_for(member)
        if hasattr(capital, "member_ledger"):
            lines = capital.member_ledger(member)
    year_form = StatementYearForm(request.args, meta={"csrf": False})
    if not request.args.get("year"):
        year_form.year.data = date.today().year - 1
    return render_template(
        "members/me/capital.html", member=member, holdings=holdings, lines=lines,
        kind_labels=getattr(capital, "KIND_LABELS", {}), year_form=year_form,
        has_statement=capital is not None and hasattr(capital, "statement_pdf"), **LABELS)


@me_bp.route("/c/<coop>/statement.pdf")
@require("member")
def download_statement():
    """My capital statement: on 31 December of ``?year=`` (or today without a year)."""
    member = _own()
    if member is None:
        return _not_linked()
    capital = _capital()
    if capital is None or not hasattr(capital, "statement_pdf"):
        return render_template("members/me/not_available.html", member=member, **LABELS)
    today = date.today()
    year = request.args.get("year")
    if year:
        if not year.isdecimal() or len(year) > 4 or not 1900 <= int(year) <= today.year:
            flash(_("Choose a year up to this year."), "error")
            return redirect(url_for("me.show_capital"))
        as_of = min(date(int(year), 12, 31), today)
    else:
        as_of = today
    pdf = capital.statement_pdf(member, as_of)
    name = f"statement-{g.coop.slug}-{member.number or 'applicant'}-{as_of.isoformat()}.pdf"
    return _private(Response(pdf, mimetype="application/pdf",
                             headers={"Content-Disposition": f'attachment; filename="{name}"'}))


@me_bp.route("/c/<coop>/fees")
@require("member")
def list_fees():
    member = _own()
    if member is None:
        return _not_linked()
    charges = db.session.scalars(
        select(FeeCharge).where(FeeCharge.member_id == member.id, FeeCharge.cooperative_id == g.coop.id)
        .order_by(FeeCharge.year.desc())
    ).all()
    owed = sum(c.amount_cents for c in charges if c.paid_on is None)
    return render_template("members/me/fees.html", member=member, charges=charges, owed=owed, **LABELS)


@me_bp.route("/c/<coop>/notice", methods=["GET", "POST"])
@require("member")
def request_notice():
    """Ask to end my membership: the board confirms it (give_notice)."""
    member = _own()
    if member is None:
        return _not_linked()
    form = NoticeRequestForm()
    ends_on: list[date] = []
    if form.validate_on_submit() and attempt(form, lambda: ends_on.append(
            privacy.request_notice(member, actor=current_user))):
        flash(_("Your request has been sent to the board. If the board confirms it today, your "
                "membership ends on %(day)s.", day=_fmt(ends_on[0])), "success")
        return redirect(url_for("me.show_membership"))
    return render_template("members/me/notice.html", member=member, form=form,
                           problem=privacy.notice_problem(member),
                           expected_end=privacy.expected_leave_date(member),
                           statutes=g.coop.statutes, **LABELS), form_status(form)


@me_bp.route("/c/<coop>/erasure", methods=["GET", "POST"])
@require("member")
def request_erasure():
    """Ask for the erasure of my personal data (GDPR art. 17)."""
    member = _own()
    if member is None:
        return _not_linked()
    form = ErasureRequestForm()
    if form.validate_on_submit() and attempt(form, lambda: privacy.request_erasure(
            member, actor=current_user)):
        flash(_("Your request for erasure has been sent to the board."), "success")
        return redirect(url_for("me.show_membership"))
    return render_template("members/me/erasure.html", member=member, form=form,
                           problem=privacy.erasure_problem(member), **LABELS), form_status(form)


def _fmt(day: date) -> str:
    from coop.core.formatting import fmt_date

    return fmt_date(day, "long")


# --- the board: erasure requests and retention -----------------------------------------------


@bp.route("/c/<coop>/privacy")
@require("board")
def privacy_overview():
    requests_ = privacy.erasure_requests(g.coop)
    page = paginate(privacy.past_retention(g.coop))
    return render_template("members/privacy/overview.html", requests=requests_, page=page,
                           cutoff=privacy.retention_cutoff(g.coop), statutes=g.coop.statutes,
                           erasure_problem=privacy.erasure_problem, **LABELS)


@bp.route("/c/<coop>/privacy/erase", methods=["GET", "POST"])
@require("board")
def erase_member():
    """Confirm and execute the erasure of one member (``?member=<id>``; the form posts it back)."""
    form = EraseMemberForm()
    member_id = form.member_id.data if request.method == "POST" else request.args.get("member")
    if not (member_id or "").isdecimal() or len(member_id) > 12:
        flash(_("Choose the person to erase from the list."), "error")
        return redirect(url_for("members.privacy_overview"))
    member = scoped(Member, int(member_id))
    if request.method == "GET":
        form.member_id.data = str(member.id)
    number = member.number
    if form.validate_on_submit() and attempt(form, lambda: privacy.erase_member(
            member, actor=current_user)):
        flash(_("The personal data of member %(number)s has been erased.",
                number=number if number is not None else "—"), "success")
        return redirect(url_for("members.privacy_overview"))
    return render_template("members/privacy/erase.html", member=member, form=form,
                           problem=privacy.erasure_problem(member), **LABELS), form_status(form)
