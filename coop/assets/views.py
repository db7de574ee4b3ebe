"""Board pages of shared assets (/c/<coop>/assets/…), the members' booking pages and the
iCalendar feeds. Load → permission (declared) → form → one service → commit → flash → redirect.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

from flask import Response, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from coop.assets import bookings, bp, revenue, services
from coop.assets.chart import bar_chart, monthly_chart
from coop.assets.forms import (AssetForm, BookingForm, DistributionForm, DocumentForm, DwellingForm,
                               EmissionFactorForm, MutationForm, NextForm, ReadingForm,
                               ReadingImportForm, SepaForm, TaskForm, WaitingListForm)
from coop.assets.models import (DISTRIBUTION_STATUS_LABELS, KIND_LABELS,
                                PARTICIPATION_KIND_LABELS, STATUS_LABELS, Asset, AssetDocument,
                                AssetKind,
                                Booking, Distribution, MaintenanceTask, ParticipationMutation)
from coop.core import nav
from coop.core.db import scoped
from coop.core.errors import DomainError
from coop.core.formatting import local_time
from coop.core.forms import attempt, form_status, safe_next
from coop.core.i18n import lazy_gettext as _l
from coop.core.pagination import paginate
from coop.core.permissions import can, public, require
from coop.extensions import db
from coop.members.capital import TX_STATUS_LABELS
from coop.members.privacy import own_member

nav.add("coop", "assets.list_assets", _l("Assets"), "board", order=40,
        also=("assets.new_asset", "assets.show_asset", "assets.edit_asset", "assets.list_participations",
              "assets.propose_participation", "assets.list_readings", "assets.import_readings",
              "assets.emission_factors", "assets.list_tasks", "assets.dwelling", "assets.waiting_list"))
nav.add("coop", "assets.list_distributions", _l("Distributions"), "board", order=42,
        also=("assets.new_distribution", "assets.show_distribution", "assets.sepa_export"))
nav.add("coop", "assets.list_bookable", _l("Book"), "member", order=14,
        also=("assets.asset_calendar",))

#: Holders listed on the participations page (the CSV of a distribution has them all).
HOLDERS_SHOWN = 200
#: Readings imported from one file: at most this many bytes.
MAX_IMPORT_BYTES = 2_000_000

LABELS = {"KIND_LABELS": KIND_LABELS, "STATUS_LABELS": STATUS_LABELS,
          "PARTICIPATION_KIND_LABELS": PARTICIPATION_KIND_LABELS,
          "TX_STATUS_LABELS": TX_STATUS_LABELS,
          "DISTRIBUTION_STATUS_LABELS": DISTRIBUTION_STATUS_LABELS}


def _render(template: str, status: int = 200, **context):
    return render_template(f"assets/{template}", **LABELS, **context), status


def _back(default: str):
    return redirect(safe_next(request.form.get("next")) or default)


def _flash_refusal(error: DomainError) -> None:
    db.session.rollback()
    flash(str(error.message), "error")


@bp.app_template_filter("kw")
def kw(watts: int | None) -> str:
    from coop.core.formatting import number

    return "" if watts is None else number(watts / 1000)


def _user_choices(form_field) -> None:
    form_field.choices = [(0, "—")] + [(u.id, u.name) for u in services.board_users(g.coop)]


# --- the register ---------------------------------------------------------------------------------


@bp.route("/c/<coop>/assets")
@require("board")
def list_assets():
    kind = request.args.get("kind") or None
    if kind and kind not in {k.value for k in AssetKind}:
        abort(400)
    assets = db.session.scalars(services.assets_statement(g.coop, kind=kind)).all()
    return _render("list.html", assets=assets, kind=kind)


@bp.route("/c/<coop>/assets/new", methods=["GET", "POST"])
@require("board")
def new_asset():
    form = AssetForm()
    _user_choices(form.responsible_user_id)
    created = []
    if form.validate_on_submit() and attempt(form, lambda: created.append(
            services.create_asset(g.coop, form.values(), actor=current_user))):
        flash(_("The asset has been added to the register."), "success")
        return redirect(url_for("assets.show_asset", asset_id=created[0].id))
    return _render("form.html", form_status(form), form=form, asset=None)


@bp.route("/c/<coop>/assets/<int:asset_id>/edit", methods=["GET", "POST"])
@require("board")
def edit_asset(asset_id: int):
    asset = scoped(Asset, asset_id)
    form = AssetForm(obj=asset)
    _user_choices(form.responsible_user_id)
    if request.method == "GET":
        form.kind.data, form.status.data = asset.kind.value, asset.status.value
        form.capacity_kw.data = (None if asset.capacity_watts is None else
                                 Decimal(asset.capacity_watts) / 1000)
        form.responsible_user_id.data = asset.responsible_user_id or 0
    changed: dict = {}
    if form.validate_on_submit() and attempt(form, lambda: changed.update(
            services.update_asset(asset, form.values(), actor=current_user))):
        flash(_("The asset has been saved.") if changed else _("Nothing was changed."), "success")
        return redirect(url_for("assets.show_asset", asset_id=asset.id))
    return _render("form.html", form_status(form), form=form, asset=asset)


@bp.route("/c/<coop>/assets/<int:asset_id>")
@require("board")
def show_asset(asset_id: int):
    asset = scoped(Asset, asset_id)
    production = services.production(asset) if asset.is_energy else None
    chart = None
    if production and production.by_month:
        year = max(production.by_year)
        chart = (year, monthly_chart(production.by_month, year))
    return _render("show.html", asset=asset, production=production, chart=chart,
                   units=services.units_outstanding(asset) if asset.has_participations else None,
                   holders=services.holder_count(asset) if asset.has_participations else None,
                   open_tasks=[t for t in services.tasks(asset) if t.done_on is None][:5],
                   documents=services.documents(asset), document_form=DocumentForm())


@bp.route("/c/<coop>/assets/<int:asset_id>/documents", methods=["POST"])
@require("board")
def add_document(asset_id: int):
    asset = scoped(Asset, asset_id)
    form = DocumentForm()
    if form.validate_on_submit():
        try:
            services.add_document(asset, form.file.data.stream, filename=form.file.data.filename,
                                  title=form.title.data, actor=current_user)
            db.session.commit()
            flash(_("The document has been kept with the asset."), "success")
        except DomainError as error:
            _flash_refusal(error)
    else:
        for errors in form.errors.values():
            for message in errors:
                flash(message, "error")
    return redirect(url_for("assets.show_asset", asset_id=asset.id) + "#documents")


@bp.route("/c/<coop>/assets/documents/<int:document_id>")
@require("board")
def download_document(document_id: int):
    from flask import send_file

    document = scoped(AssetDocument, document_id)
    path = services.document_path(document)
    if not path.is_file():
        abort(404)
    response = send_file(path, mimetype=document.content_type, as_attachment=True,
                         download_name=document.filename, max_age=0)
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


# --- participations ---------------------------------------------------------------------------------


@bp.route("/c/<coop>/assets/<int:asset_id>/participations")
@require("board")
def list_participations(asset_id: int):
    asset = scoped(Asset, asset_id)
    status = request.args.get("status") or None
    if status and status not in {"proposed", "approved", "rejected"}:
        abort(400)
    page = paginate(services.ledger_statement(asset, status=status))
    return _render("participations.html", asset=asset, page=page, status=status,
                   holders=services.holders(asset, limit=HOLDERS_SHOWN),
                   holder_count=services.holder_count(asset),
                   outstanding=services.units_outstanding(asset))


@bp.route("/c/<coop>/assets/<int:asset_id>/participations/new", methods=["GET", "POST"])
@require("board")
def propose_participation(asset_id: int):
    asset = scoped(Asset, asset_id)
    form = MutationForm()
    if form.validate_on_submit() and attempt(form, lambda: services.propose_by_numbers(
            asset, kind=form.kind.data, member_number=form.member_number.data,
            counterparty_number=form.counterparty_number.data, quantity=form.quantity.data,
            effective_on=form.effective_on.data, note=form.note.data, actor=current_user)):
        flash(_("The mutation has been proposed; approve it in the ledger."), "success")
        return redirect(url_for("assets.list_participations", asset_id=asset.id))
    return _render("propose.html", form_status(form), form=form, asset=asset)


def _decide(mutation_id: int, decide, done: str):
    mutation = scoped(ParticipationMutation, mutation_id)
    try:
        decide(mutation, actor=current_user)
        db.session.commit()
        flash(done, "success")
    except DomainError as error:
        _flash_refusal(error)
    return _back(url_for("assets.list_participations", asset_id=mutation.asset_id))


@bp.route("/c/<coop>/participations/<int:mutation_id>/approve", methods=["POST"])
@require("board")
def approve_participation(mutation_id: int):
    NextForm().validate_on_submit() or abort(400)
    return _decide(mutation_id, services.approve_mutation, _("The mutation has been approved."))


@bp.route("/c/<coop>/participations/<int:mutation_id>/reject", methods=["POST"])
@require("board")
def reject_participation(mutation_id: int):
    NextForm().validate_on_submit() or abort(400)
    return _decide(mutation_id, services.reject_mutation, _("The mutation has been rejected."))


# --- readings, production, CO₂ -------------------------------------------------------------------------


@bp.route("/c/<coop>/assets/<int:asset_id>/readings", methods=["GET", "POST"])
@require("board")
def list_readings(asset_id: int):
    asset = scoped(Asset, asset_id)
    if not asset.is_energy:
        abort(404)
    form = ReadingForm()
    if form.validate_on_submit() and attempt(form, lambda: services.add_reading(
            asset, read_on=form.read_on.data, meter_kwh=form.meter_kwh.data,
            is_meter_replacement=form.is_meter_replacement.data, actor=current_user)):
        flash(_("The reading has been saved."), "success")
        return redirect(url_for("assets.list_readings", asset_id=asset.id))
    production = services.production(asset)
    year = request.args.get("year", type=int) or (max(production.by_year) if production.by_year
                                                   else date.today().year)
    yearly = bar_chart([(str(y), kwh) for y, kwh in production.by_year.items()],
                       label=_("Production per year (kWh)")) if production.by_year else None
    return _render("readings.html", form_status(form), asset=asset, form=form,
                   readings=list(reversed(services.readings(asset)))[:200], production=production,
                   year=year, chart=monthly_chart(production.by_month, year), yearly=yearly)


@bp.route("/c/<coop>/assets/<int:asset_id>/readings/import", methods=["GET", "POST"])
@require("board")
def import_readings(asset_id: int):
    asset = scoped(Asset, asset_id)
    if not asset.is_energy:
        abort(404)
    form = ReadingImportForm()
    added = []
    if form.validate_on_submit():
        raw = form.file.data.read(MAX_IMPORT_BYTES + 1)
        text = None
        if len(raw) > MAX_IMPORT_BYTES:
            form.file.errors = [_("The file is too large (at most 2 MB).")]
        elif b"\x00" in raw[:4096]:  # by content: a text file has no NUL bytes
            form.file.errors = [_("This is not a CSV file.")]
        else:
            try:
                text = raw.decode("utf-8-sig")
            except UnicodeDecodeError:
                text = raw.decode("cp1252", errors="replace")
        if text is not None and attempt(form, lambda: added.append(
                services.import_readings(asset, text, actor=current_user))):
            flash(_("%(n)s readings have been imported.", n=added[0]), "success")
            return redirect(url_for("assets.list_readings", asset_id=asset.id))
    return _render("import.html", form_status(form), asset=asset, form=form)


@bp.route("/c/<coop>/assets/emission-factors", methods=["GET", "POST"])
@require("board")
def emission_factors():
    form = EmissionFactorForm()
    if request.method == "GET" and not form.year.data:
        form.year.data = date.today().year
    if form.validate_on_submit() and attempt(form, lambda: services.set_emission_factor(
            g.coop, year=form.year.data, grams_per_kwh=form.grams_per_kwh.data,
            source=form.source.data, actor=current_user)):
        flash(_("The emission factor has been saved."), "success")
        return redirect(url_for("assets.emission_factors"))
    return _render("emission_factors.html", form_status(form), form=form,
                   factors=services.emission_factors(g.coop))


# --- distributions ----------------------------------------------------------------------------------------


@bp.route("/c/<coop>/distributions")
@require("board")
def list_distributions():
    page = paginate(revenue.distributions_statement(g.coop))
    assets = [a for a in db.session.scalars(services.assets_statement(g.coop)) if a.has_participations]
    return _render("distributions.html", page=page, assets=assets)


@bp.route("/c/<coop>/assets/<int:asset_id>/distributions/new", methods=["GET", "POST"])
@require("board")
def new_distribution(asset_id: int):
    asset = scoped(Asset, asset_id)
    form = DistributionForm()
    made = []
    if form.validate_on_submit():
        price = form.price_per_kwh.data
        millis = int(price * 1000) if price is not None and form.amount_cents.data is None else None
        if attempt(form, lambda: made.append(revenue.create_distribution(
                asset, period_start_on=form.period_start_on.data,
                period_end_on=form.period_end_on.data, amount_cents=form.amount_cents.data,
                price_per_kwh_millis=millis, description=form.description.data,
                actor=current_user))):
            flash(_("The distribution has been computed. Review it, then approve it."), "success")
            return redirect(url_for("assets.show_distribution", distribution_id=made[0].id))
    return _render("distribution_form.html", form_status(form), form=form, asset=asset)


@bp.route("/c/<coop>/distributions/<int:distribution_id>")
@require("board")
def show_distribution(distribution_id: int):
    dist = scoped(Distribution, distribution_id)
    page = paginate(revenue.shares_statement(dist), per_page=100)
    return _render("distribution.html", dist=dist, page=page, totals=revenue.totals(dist))


@bp.route("/c/<coop>/distributions/<int:distribution_id>/approve", methods=["POST"])
@require("board")
def approve_distribution(distribution_id: int):
    NextForm().validate_on_submit() or abort(400)
    dist = scoped(Distribution, distribution_id)
    try:
        revenue.approve_distribution(dist, actor=current_user)
        db.session.commit()
        flash(_("The distribution has been approved and is now frozen."), "success")
    except DomainError as error:
        _flash_refusal(error)
    return redirect(url_for("assets.show_distribution", distribution_id=distribution_id))


@bp.route("/c/<coop>/distributions/<int:distribution_id>/discard", methods=["POST"])
@require("board")
def discard_distribution(distribution_id: int):
    NextForm().validate_on_submit() or abort(400)
    dist = scoped(Distribution, distribution_id)
    try:
        revenue.discard_distribution(dist, actor=current_user)
        db.session.commit()
        flash(_("The draft distribution has been removed."), "success")
    except DomainError as error:
        _flash_refusal(error)
        return redirect(url_for("assets.show_distribution", distribution_id=distribution_id))
    return redirect(url_for("assets.list_distributions"))


@bp.route("/c/<coop>/distributions/<int:distribution_id>/export.csv")
@require("board")
def export_distribution_csv(distribution_id: int):
    dist = scoped(Distribution, distribution_id)
    body = "\ufeff" + revenue.distribution_csv(dist)
    return Response(body, mimetype="text/csv", headers={
        "Content-Type": "text/csv; charset=utf-8", "Cache-Control": "no-store",
        "Content-Disposition": f'attachment; filename="distribution-{g.coop.slug}-{dist.id}.csv"'})


@bp.route("/c/<coop>/distributions/<int:distribution_id>/sepa", methods=["GET", "POST"])
@require("board")
def sepa_export(distribution_id: int):
    dist = scoped(Distribution, distribution_id)
    form = SepaForm()
    if request.method == "GET":
        form.debtor_name.data = g.coop.name
    if form.validate_on_submit():
        try:
            export = revenue.sepa_transfer(
                dist, debtor_name=form.debtor_name.data, debtor_iban=form.debtor_iban.data,
                debtor_bic=form.debtor_bic.data, execution_on=form.execution_on.data,
                skip_invalid=form.skip_invalid.data, actor=current_user)
        except DomainError as error:
            db.session.rollback()
            from coop.core.forms import apply_domain_error

            apply_domain_error(form, error)
        else:
            db.session.commit()
            return Response(export.xml, mimetype="application/xml", headers={
                "Cache-Control": "no-store",
                "Content-Disposition": f'attachment; filename="sepa-{g.coop.slug}-{dist.id}.xml"'})
    return _render("sepa.html", form_status(form), dist=dist, form=form)


# --- upkeep -------------------------------------------------------------------------------------------------


@bp.route("/c/<coop>/assets/<int:asset_id>/upkeep", methods=["GET", "POST"])
@require("board")
def list_tasks(asset_id: int):
    asset = scoped(Asset, asset_id)
    form = TaskForm()
    _user_choices(form.responsible_user_id)
    if form.validate_on_submit() and attempt(form, lambda: services.add_task(
            asset, title=form.title.data, notes=form.notes.data, due_on=form.due_on.data,
            done_on=form.done_on.data, responsible_user_id=form.responsible_user_id.data or None,
            actor=current_user)):
        flash(_("The work has been saved."), "success")
        return redirect(url_for("assets.list_tasks", asset_id=asset.id))
    return _render("tasks.html", form_status(form), asset=asset, form=form,
                   tasks=services.tasks(asset), today=date.today())


@bp.route("/c/<coop>/upkeep/<int:task_id>/done", methods=["POST"])
@require("board")
def complete_task(task_id: int):
    NextForm().validate_on_submit() or abort(400)
    task = scoped(MaintenanceTask, task_id)
    try:
        services.complete_task(task, done_on=None, actor=current_user)
        db.session.commit()
        flash(_("The work is marked as done."), "success")
    except DomainError as error:
        _flash_refusal(error)
    return redirect(url_for("assets.list_tasks", asset_id=task.asset_id))


# --- dwellings --------------------------------------------------------------------------------------------


@bp.route("/c/<coop>/assets/<int:asset_id>/dwelling", methods=["GET", "POST"])
@require("board")
def dwelling(asset_id: int):
    asset = scoped(Asset, asset_id)
    if asset.kind != AssetKind.DWELLING:
        abort(404)
    form = DwellingForm()
    if form.validate_on_submit() and attempt(form, lambda: services.allocate_dwelling(
            asset, member_number=form.member_number.data, starts_on=form.starts_on.data,
            ends_on=form.ends_on.data, household=form.household.data, actor=current_user)):
        flash(_("The dwelling has been allocated."), "success")
        return redirect(url_for("assets.dwelling", asset_id=asset.id))
    return _render("dwelling.html", form_status(form), asset=asset, form=form,
                   allocations=services.allocations(asset))


@bp.route("/c/<coop>/waiting-list", methods=["GET", "POST"])
@require("board")
def waiting_list():
    form = WaitingListForm()
    if form.validate_on_submit() and attempt(form, lambda: services.add_to_waiting_list(
            g.coop, member_number=form.member_number.data, registered_on=form.registered_on.data,
            preferences=form.preferences.data, actor=current_user)):
        flash(_("The member has been put on the waiting list."), "success")
        return redirect(url_for("assets.waiting_list"))
    return _render("waiting_list.html", form_status(form), form=form,
                   entries=services.waiting_list(g.coop))


# --- bookings (members) -----------------------------------------------------------------------------------


@bp.route("/c/<coop>/book")
@require("member")
def list_bookable():
    member = own_member(g.coop, current_user)
    assets = db.session.scalars(services.assets_statement(g.coop, bookable=True)).all()
    mine = bookings.bookings_for(member) if member else []
    return _render("bookable.html", assets=assets, member=member, mine=mine)


def _week() -> date:
    value = request.args.get("week", "")
    try:
        day = date.fromisoformat(value) if value else date.today()
    except ValueError:
        abort(400)
    return bookings.week_start(day)


@bp.route("/c/<coop>/book/<int:asset_id>", methods=["GET", "POST"])
@require("member")
def asset_calendar(asset_id: int):
    asset = scoped(Asset, asset_id)
    if not asset.is_bookable:
        abort(404)
    member = own_member(g.coop, current_user)
    form = BookingForm()
    if request.method == "GET" and form.day.data is None:
        form.day.data = date.today()
    if member is not None and form.validate_on_submit():
        starts_at = bookings.from_local(form.day.data, form.start.data)
        ends_at = bookings.from_local(form.end_day.data or form.day.data, form.end.data)
        made = []
        if attempt(form, lambda: made.append(bookings.book(
                asset, member, starts_at=starts_at, ends_at=ends_at, note=form.note.data,
                actor=current_user))):
            flash(_("Booked: %(asset)s from %(start)s to %(end)s.", asset=asset.name,
                    start=local_time(starts_at), end=local_time(ends_at)), "success")
            return redirect(url_for("assets.asset_calendar", asset_id=asset.id,
                                    week=bookings.week_start(form.day.data).isoformat()))
    week = _week() if request.method == "GET" else bookings.week_start(form.day.data or date.today())
    start = bookings.from_local(week, datetime.min.time())
    items = bookings.bookings_between(asset, start, start + timedelta(days=7))
    days = []
    for offset in range(7):
        day = week + timedelta(days=offset)
        day_start = bookings.from_local(day, datetime.min.time())
        day_end = bookings.from_local(day + timedelta(days=1), datetime.min.time())
        days.append((day, [b for b in items if b.starts_at < day_end and b.ends_at > day_start]))
    return _render("calendar.html", form_status(form), asset=asset, form=form, member=member,
                   week=week, days=days, prev_week=week - timedelta(days=7),
                   next_week=week + timedelta(days=7),
                   feed_url=url_for("assets.ical_feed", token=bookings.feed_token("asset", asset.id),
                                    _external=True))


@bp.route("/c/<coop>/bookings/<int:booking_id>/cancel", methods=["POST"])
@require("member")
def cancel_booking(booking_id: int):
    NextForm().validate_on_submit() or abort(400)
    booking = scoped(Booking, booking_id)
    member = own_member(g.coop, current_user)
    if not can("board") and (member is None or booking.member_id != member.id):
        abort(403)
    try:
        bookings.cancel(booking, actor=current_user)
        db.session.commit()
        flash(_("The booking has been cancelled."), "success")
    except DomainError as error:
        _flash_refusal(error)
    return _back(url_for("assets.asset_calendar", asset_id=booking.asset_id))


@bp.route("/feeds/<token>.ics")
@public
def ical_feed(token: str):
    """An asset's or a member's bookings for calendar apps; the signed token is the key."""
    from coop.members.models import Member

    found = bookings.feed_object(token)
    if found is None:
        abort(404)
    kind, object_id = found
    if kind == "asset":
        asset = db.session.get(Asset, object_id) or abort(404)
        body = bookings.ical(bookings.feed_bookings_asset(asset), name=asset.name, show_member=False)
    elif kind == "member":
        member = db.session.get(Member, object_id) or abort(404)
        body = bookings.ical(bookings.bookings_for(member, upcoming_only=False, limit=2000),
                             name=_("My bookings"), show_member=False)
    else:
        abort(404)
    return Response(body, mimetype="text/calendar", headers={"Cache-Control": "no-store"})
