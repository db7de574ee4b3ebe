"""Routes of the member register (capital and fees); see coop/members/__init__.py for the blueprints.

Board pages only: share types, the share ledger (propose, approve, reject), holdings, the
share statement PDF, member categories and yearly fees. Members see their own capital and
fees on /me (built on :mod:`coop.members.capital`).
"""
from __future__ import annotations

from datetime import date

from flask import abort, flash, g, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from coop.core import nav
from coop.core.db import scoped
from coop.core.errors import DomainError
from coop.core.forms import attempt, form_status, safe_next
from coop.core.i18n import lazy_gettext as _l
from coop.core.pagination import paginate
from coop.core.permissions import require
from coop.extensions import db
from coop.members import bp, capital
from coop.members.forms_capital import (ChargeYearForm, MarkPaidForm, MemberCategoryForm, NextForm,
                                        ProposeTransactionForm, ShareTypeForm)
from coop.members.models import (STATUS_LABELS, FeeCharge, Member, MemberCategory, ShareTransaction,
                                 ShareTransactionKind, ShareTransactionStatus, ShareType)

nav.add("coop", "members.list_share_transactions", _l("Capital"), "board", order=30,
        also=("members.list_share_types", "members.new_share_type", "members.edit_share_type",
              "members.propose_share_transaction", "members.list_holdings"))
nav.add("coop", "members.list_fees", _l("Fees"), "board", order=35,
        also=("members.list_member_categories", "members.new_member_category",
              "members.edit_member_category", "members.list_fee_debtors"))


# --- helpers ---------------------------------------------------------------------------------------


def _date_arg(name: str) -> date | None:
    value = request.args.get(name, "").strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        abort(400)


def _as_of() -> date:
    """``?as_of=YYYY-MM-DD`` or ``?year=YYYY`` (31 December of that year); default today."""
    year = request.args.get("year", type=int)
    if year:
        if not 1900 <= year <= 2200:
            abort(400)
        return date(year, 12, 31)
    return _date_arg("as_of") or capital.today()


def _back(default: str):
    return redirect(safe_next(request.form.get("next")) or default)


def _flash_refusal(form) -> None:
    for message in form.form_errors or [e for errors in form.errors.values() for e in errors]:
        flash(message, "error")


def _int_arg(name: str) -> int | None:
    return request.args.get(name, type=int)


@bp.app_template_global("capital_for_member")
def capital_for_member(member: Member) -> dict:
    """For the member detail page (``members/_capital_section.html``): two queries."""
    pending = db.session.scalars(
        capital.ledger_statement(member.cooperative, status="proposed", member=member)
        .limit(20)).all()
    return {"holdings": capital.holdings_for(member), "pending": pending}


@bp.app_template_global("fees_for_member")
def fees_for_member(member: Member) -> list[FeeCharge]:
    """For the member detail page (``members/_fees_section.html``): one query."""
    return capital.fees_for(member)


@bp.app_template_global("capital_today")
def capital_today() -> date:
    return capital.today()


TEMPLATE_LABELS = {
    "KIND_LABELS": capital.KIND_LABELS,
    "TX_STATUS_LABELS": capital.TX_STATUS_LABELS,
    "STATUS_LABELS": STATUS_LABELS,
}


def _render(template: str, status: int = 200, **context):
    return render_template(template, **TEMPLATE_LABELS, **context), status


# --- share types -----------------------------------------------------------------------------------


@bp.route("/c/<coop>/capital/share-types")
@require("board")
def list_share_types():
    return _render("members/capital/share_types.html", share_types=capital.share_types(g.coop))


@bp.route("/c/<coop>/capital/share-types/new", methods=["GET", "POST"])
@require("board")
def new_share_type():
    form = ShareTypeForm()
    if form.validate_on_submit() and attempt(form, lambda: capital.create_share_type(
            g.coop, _share_type_values(form), actor=current_user)):
        flash(_("The share type has been added."), "success")
        return redirect(url_for("members.list_share_types"))
    return _render("members/capital/share_type_form.html", form_status(form), form=form,
                   share_type=None)


@bp.route("/c/<coop>/capital/share-types/<int:share_type_id>/edit", methods=["GET", "POST"])
@require("board")
def edit_share_type(share_type_id: int):
    share_type = scoped(ShareType, share_type_id)
    form = ShareTypeForm(obj=share_type)
    changed = {}
    if form.validate_on_submit() and attempt(form, lambda: changed.update(capital.update_share_type(
            share_type, _share_type_values(form), actor=current_user))):
        flash(_("The share type has been saved.") if changed else _("Nothing was changed."),
              "success")
        return redirect(url_for("members.list_share_types"))
    return _render("members/capital/share_type_form.html", form_status(form), form=form,
                   share_type=share_type)


def _share_type_values(form) -> dict:
    return {"name": form.name.data, "nominal_cents": form.nominal_cents.data,
            "min_per_member": form.min_per_member.data, "max_per_member": form.max_per_member.data}


# --- the ledger ------------------------------------------------------------------------------------


def _ledger_filters() -> dict:
    filters = {
        "status": request.args.get("status", ""),
        "kind": request.args.get("kind", ""),
        "share_type": _int_arg("share_type"),
        "member": _int_arg("member"),
    }
    if filters["status"] not in ("", *(s.value for s in ShareTransactionStatus)):
        filters["status"] = ""
    if filters["kind"] not in ("", *(k.value for k in ShareTransactionKind)):
        filters["kind"] = ""
    return filters


@bp.route("/c/<coop>/capital")
@require("board")
def list_share_transactions():
    filters = _ledger_filters()
    member = None
    if filters["member"]:
        try:
            member = capital.member_by_number(g.coop, filters["member"], field="member")
        except DomainError:
            member = None
    stmt = capital.ledger_statement(g.coop, status=filters["status"] or None,
                                    kind=filters["kind"] or None,
                                    share_type_id=filters["share_type"], member=member)
    if filters["member"] and member is None:
        stmt = stmt.where(ShareTransaction.id.is_(None))
    page = paginate(stmt)
    return _render("members/capital/ledger.html", page=page, filters=filters, member=member,
                   summary=capital.capital_summary(g.coop),
                   share_types=capital.share_types(g.coop))


@bp.route("/c/<coop>/capital/new", methods=["GET", "POST"])
@require("board")
def propose_share_transaction():
    types = capital.share_types(g.coop)
    form = ProposeTransactionForm()
    form.share_type_id.choices = [(t.id, t.name) for t in types]
    if request.method == "GET":
        form.member_number.data = _int_arg("member") or form.member_number.data
        if request.args.get("kind") in {k.value for k in ShareTransactionKind}:
            form.kind.data = request.args["kind"]
    if form.validate_on_submit() and attempt(form, lambda: capital.propose_by_numbers(
            g.coop, kind=form.kind.data, share_type_id=form.share_type_id.data,
            member_number=form.member_number.data,
            counterparty_number=form.counterparty_number.data, quantity=form.quantity.data,
            effective_on=form.effective_on.data, note=form.note.data, actor=current_user)):
        flash(_("The transaction has been proposed; it counts once the board approves it."),
              "success")
        return redirect(url_for("members.list_share_transactions", status="proposed"))
    return _render("members/capital/propose.html", form_status(form), form=form, share_types=types)


@bp.route("/c/<coop>/capital/<int:transaction_id>/approve", methods=["POST"])
@require("board")
def approve_share_transaction(transaction_id: int):
    tx = scoped(ShareTransaction, transaction_id)
    form = NextForm()
    if form.validate_on_submit() and attempt(form, lambda: capital.approve_transaction(
            tx, actor=current_user)):
        flash(_("The transaction has been approved."), "success")
    else:
        _flash_refusal(form)
    return _back(url_for("members.list_share_transactions"))


@bp.route("/c/<coop>/capital/<int:transaction_id>/reject", methods=["POST"])
@require("board")
def reject_share_transaction(transaction_id: int):
    tx = scoped(ShareTransaction, transaction_id)
    form = NextForm()
    if form.validate_on_submit() and attempt(form, lambda: capital.reject_transaction(
            tx, actor=current_user)):
        flash(_("The transaction has been rejected."), "success")
    else:
        _flash_refusal(form)
    return _back(url_for("members.list_share_transactions"))


@bp.route("/c/<coop>/capital/holdings")
@require("board")
def list_holdings():
    as_of = _as_of()
    types = capital.share_types(g.coop)
    page = paginate(capital.holders_statement(g.coop, as_of, types), rows=True)
    return _render("members/capital/holdings.html", page=page, types=types, as_of=as_of,
                   summary=capital.capital_summary(g.coop, as_of),
                   year=request.args.get("year", type=int), this_year=capital.today().year)


@bp.route("/c/<coop>/members/<int:member_id>/statement.pdf")
@require("board")
def share_statement(member_id: int):
    member = scoped(Member, member_id)
    as_of = _as_of()
    pdf = capital.statement_pdf(member, as_of)
    response = make_response(pdf)
    response.headers["Content-Type"] = "application/pdf"
    filename = f"statement-{member.number or member.id}-{as_of.isoformat()}.pdf"
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response


# --- member categories and fees --------------------------------------------------------------------


@bp.route("/c/<coop>/fees/categories")
@require("board")
def list_member_categories():
    return _render("members/capital/categories.html", categories=capital.categories(g.coop),
                   without=capital.members_without_category(g.coop))


@bp.route("/c/<coop>/fees/categories/new", methods=["GET", "POST"])
@require("board")
def new_member_category():
    form = MemberCategoryForm()
    if form.validate_on_submit() and attempt(form, lambda: capital.create_category(
            g.coop, _category_values(form), actor=current_user)):
        flash(_("The category has been added."), "success")
        return redirect(url_for("members.list_member_categories"))
    return _render("members/capital/category_form.html", form_status(form), form=form, category=None)


@bp.route("/c/<coop>/fees/categories/<int:category_id>/edit", methods=["GET", "POST"])
@require("board")
def edit_member_category(category_id: int):
    category = scoped(MemberCategory, category_id)
    form = MemberCategoryForm(obj=category)
    changed = {}
    if form.validate_on_submit() and attempt(form, lambda: changed.update(capital.update_category(
            category, _category_values(form), actor=current_user))):
        flash(_("The category has been saved.") if changed else _("Nothing was changed."), "success")
        return redirect(url_for("members.list_member_categories"))
    return _render("members/capital/category_form.html", form_status(form), form=form,
                   category=category)


def _category_values(form) -> dict:
    return {"name": form.name.data, "yearly_fee_cents": form.yearly_fee_cents.data,
            "vote_weight": form.vote_weight.data}


def _year_arg() -> int:
    year = request.args.get("year", type=int) or capital.today().year
    if not 1900 <= year <= 2200:
        abort(400)
    return year


@bp.route("/c/<coop>/fees")
@require("board")
def list_fees():
    year = _year_arg()
    paid = request.args.get("paid", "")
    if paid not in ("", "paid", "unpaid"):
        paid = ""
    page = paginate(capital.fees_statement(g.coop, year, paid=paid or None))
    charge_form = ChargeYearForm(year=year, formdata=None)
    return _render("members/capital/fees.html", page=page, year=year, paid=paid,
                   totals=capital.fee_totals(g.coop, year), years=capital.fee_years(g.coop),
                   charge_form=charge_form, paid_form=MarkPaidForm(formdata=None),
                   today=capital.today())


@bp.route("/c/<coop>/fees/charge", methods=["POST"])
@require("board")
def charge_fees():
    form = ChargeYearForm()
    created = []
    if form.validate_on_submit() and attempt(form, lambda: created.append(capital.charge_year(
            g.coop, form.year.data, actor=current_user))):
        if created[0]:
            flash(_("%(count)s fees charged for %(year)s.", count=created[0], year=form.year.data),
                  "success")
        else:
            flash(_("Nothing new to charge for %(year)s: every current member with a category "
                    "has been charged already.", year=form.year.data), "info")
        return redirect(url_for("members.list_fees", year=form.year.data))
    _flash_refusal(form)
    return redirect(url_for("members.list_fees"))


@bp.route("/c/<coop>/fees/<int:charge_id>/paid", methods=["POST"])
@require("board")
def mark_fee_paid(charge_id: int):
    charge = scoped(FeeCharge, charge_id)
    form = MarkPaidForm()
    if form.validate_on_submit() and attempt(form, lambda: capital.mark_paid(
            charge, paid_on=form.paid_on.data, actor=current_user)):
        flash(_("Marked as paid."), "success")
    else:
        _flash_refusal(form)
    return _back(url_for("members.list_fees", year=charge.year))


@bp.route("/c/<coop>/fees/<int:charge_id>/unpaid", methods=["POST"])
@require("board")
def mark_fee_unpaid(charge_id: int):
    charge = scoped(FeeCharge, charge_id)
    form = NextForm()
    if form.validate_on_submit() and attempt(form, lambda: capital.mark_unpaid(
            charge, actor=current_user)):
        flash(_("Marked as unpaid."), "success")
    else:
        _flash_refusal(form)
    return _back(url_for("members.list_fees", year=charge.year))


@bp.route("/c/<coop>/fees/owing")
@require("board")
def list_fee_debtors():
    page = paginate(capital.debtors_statement(g.coop), rows=True)
    return _render("members/capital/debtors.html", page=page, totals=capital.fee_totals(g.coop))


@bp.route("/c/<coop>/fees/<int:year>/export.csv")
@require("board")
def export_fees(year: int):
    if not 1900 <= year <= 2200:
        abort(404)
    body = "\ufeff" + capital.fees_csv(g.coop, year)  # the BOM makes Excel read UTF-8
    response = make_response(body.encode("utf-8"))
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="fees-{g.coop.slug}-{year}.csv"'
    response.headers["Cache-Control"] = "no-store"
    return response
