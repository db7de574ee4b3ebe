"""The member's own asset pages (/me/c/<coop>/assets): my participations and their yield, my
bookings, my dwelling or place on the waiting list, and the yearly yield statement (PDF).
Only the signed-in user's own member record is ever shown."""
from __future__ import annotations

from datetime import date

from flask import Response, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from coop.assets import bookings, bp, revenue, services
from coop.assets.models import KIND_LABELS
from coop.core import nav
from coop.core.i18n import lazy_gettext as _l
from coop.core.permissions import require
from coop.members.privacy import own_member

nav.add("coop", "assets.my_assets", _l("My participations and bookings"), "member", order=13)


@bp.route("/me/c/<coop>/assets")
@require("member")
def my_assets():
    member = own_member(g.coop, current_user)
    if member is None:
        return render_template("members/me/not_linked.html")
    lines = revenue.yield_for(member)
    participations = services.participations_for(member)
    return render_template(
        "assets/me.html", member=member, participations=participations,
        lines=lines, total_yield=sum(line.share.amount_cents for line in lines),
        years=sorted({line.distribution.period_end_on.year for line in lines}, reverse=True),
        bookings=bookings.bookings_for(member), dwelling=services.dwelling_for(member),
        waiting=services.waiting_position(member), KIND_LABELS=KIND_LABELS,
        feed_url=url_for("assets.ical_feed", token=bookings.feed_token("member", member.id),
                         _external=True))


@bp.route("/me/c/<coop>/assets/yield.pdf")
@require("member")
def download_yield():
    """My yield statement of ``?year=`` (default last year) as PDF."""
    member = own_member(g.coop, current_user)
    if member is None:
        return render_template("members/me/not_linked.html")
    year = request.args.get("year", "")
    today = date.today()
    if year and (not year.isdecimal() or len(year) != 4 or not 1990 <= int(year) <= today.year):
        flash(_("Choose a year up to this year."), "error")
        return redirect(url_for("assets.my_assets"))
    year = int(year) if year else today.year - 1
    pdf = revenue.yield_pdf(member, year)
    name = f"yield-{g.coop.slug}-{member.number}-{year}.pdf"
    return Response(pdf, mimetype="application/pdf", headers={
        "Cache-Control": "no-store", "Content-Disposition": f'attachment; filename="{name}"'})
