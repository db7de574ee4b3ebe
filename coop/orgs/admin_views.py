from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select

from coop.auth import services as auth_services
from coop.auth.models import User
from coop.core.audit_views import render_log
from coop.core.forms import attempt, form_status
from coop.core.pagination import paginate
from coop.core.permissions import require
from coop.extensions import db
from coop.orgs import admin_bp, services
from coop.orgs.forms import AdminInviteForm, CooperativeForm, MunicipalityForm
from coop.orgs.models import BoardPosition, Cooperative, Municipality, Role
from coop.orgs.views import invited


@admin_bp.route("/")
@require("admin")
def index():
    coops = paginate(select(Cooperative).join(Cooperative.municipality).order_by(Cooperative.name))
    munis = db.session.scalars(select(Municipality).order_by(Municipality.name)).all()
    users = db.session.scalar(select(func.count()).select_from(User))
    return render_template("admin/index.html", coops=coops, munis=munis, user_count=users)


@admin_bp.route("/municipalities/new", methods=["GET", "POST"])
@require("admin")
def new_municipality():
    form = MunicipalityForm()
    if form.validate_on_submit() and attempt(form, lambda: services.create_municipality(
            name=form.name.data, slug=form.slug.data.strip(), cbs_code=form.cbs_code.data,
            actor=current_user)):
        flash(_("Municipality %(name)s has been created.", name=form.name.data.strip()), "success")
        return redirect(url_for("admin.invite"))
    return render_template("admin/form.html", form=form, title=_("New municipality")), form_status(form)


@admin_bp.route("/cooperatives/new", methods=["GET", "POST"])
@require("admin")
def new_cooperative():
    form = CooperativeForm()
    form.municipality_id.choices = [
        (m.id, m.name) for m in db.session.scalars(select(Municipality).order_by(Municipality.name))
    ]
    if form.validate_on_submit() and attempt(form, lambda: services.create_cooperative(
            name=form.name.data, slug=form.slug.data.strip(), kvk_number=form.kvk_number.data,
            municipality=db.session.get(Municipality, form.municipality_id.data),
            domains=form.domains.data, founded_on=form.founded_on.data, actor=current_user)):
        flash(_("Cooperative %(name)s has been created. Now invite its first board member.",
                name=form.name.data.strip()), "success")
        return redirect(url_for("admin.invite"))
    return render_template("admin/form.html", form=form, title=_("New cooperative")), form_status(form)


@admin_bp.route("/invitations", methods=["GET", "POST"])
@require("admin")
def invite():
    form = AdminInviteForm()
    coops = db.session.scalars(select(Cooperative).order_by(Cooperative.name)).all()
    munis = db.session.scalars(select(Municipality).order_by(Municipality.name)).all()
    form.target.choices = (
        [(f"coop:{c.id}", _("Board member of %(name)s", name=c.name)) for c in coops]
        + [(f"muni:{m.id}", _("Liaison of %(name)s", name=m.name)) for m in munis]
    )
    kind, _sep, ident = (form.target.data or "").partition(":")

    def send():
        if kind == "coop":
            auth_services.invite(email=form.email.data, role=Role.BOARD,
                                 cooperative=db.session.get(Cooperative, int(ident)),
                                 board_position=BoardPosition(form.board_position.data),
                                 invited_by=current_user)
        else:
            auth_services.invite(email=form.email.data, role=Role.LIAISON,
                                 municipality=db.session.get(Municipality, int(ident)),
                                 invited_by=current_user)

    if form.validate_on_submit() and attempt(form, send):
        return invited(form, "admin.index")
    return render_template("admin/form.html", form=form,
                           title=_("Invite a board member or liaison")), form_status(form)


@admin_bp.route("/audit")
@require("admin")
def audit():
    return render_log("platform", _("Platform audit log"))
