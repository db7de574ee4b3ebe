from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select

from coop.auth import services as auth_services
from coop.auth.models import User
from coop.core.audit_views import render_log
from coop.core.errors import DomainError
from coop.core.forms import apply_domain_error
from coop.core.pagination import paginate
from coop.core.permissions import require
from coop.extensions import db
from coop.orgs import admin_bp, services
from coop.orgs.forms import AdminInviteForm, CooperativeForm, MunicipalityForm
from coop.orgs.models import BoardPosition, Cooperative, Municipality, Role


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
    if form.validate_on_submit():
        try:
            muni = services.create_municipality(name=form.name.data, slug=form.slug.data.strip(),
                                                cbs_code=form.cbs_code.data, actor=current_user)
        except DomainError as e:
            db.session.rollback()
            apply_domain_error(form, e)
        else:
            db.session.commit()
            flash(_("Municipality %(name)s has been created.", name=muni.name), "success")
            return redirect(url_for("admin.invite"))
    return render_template("admin/form.html", form=form,
                           title=_("New municipality")), 400 if form.errors else 200


@admin_bp.route("/cooperatives/new", methods=["GET", "POST"])
@require("admin")
def new_cooperative():
    form = CooperativeForm()
    form.municipality_id.choices = [
        (m.id, m.name) for m in db.session.scalars(select(Municipality).order_by(Municipality.name))
    ]
    if form.validate_on_submit():
        muni = db.session.get(Municipality, form.municipality_id.data)
        try:
            coop = services.create_cooperative(
                name=form.name.data, slug=form.slug.data.strip(), kvk_number=form.kvk_number.data,
                municipality=muni, domains=form.domains.data, founded_on=form.founded_on.data,
                actor=current_user)
        except DomainError as e:
            db.session.rollback()
            apply_domain_error(form, e)
        else:
            db.session.commit()
            flash(_("Cooperative %(name)s has been created. Now invite its first board member.",
                    name=coop.name), "success")
            return redirect(url_for("admin.invite"))
    return render_template("admin/form.html", form=form,
                           title=_("New cooperative")), 400 if form.errors else 200


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
    if form.validate_on_submit():
        kind, _sep, ident = form.target.data.partition(":")
        try:
            if kind == "coop":
                auth_services.invite(email=form.email.data, role=Role.BOARD,
                                     cooperative=db.session.get(Cooperative, int(ident)),
                                     board_position=BoardPosition(form.board_position.data),
                                     invited_by=current_user)
            else:
                auth_services.invite(email=form.email.data, role=Role.LIAISON,
                                     municipality=db.session.get(Municipality, int(ident)),
                                     invited_by=current_user)
        except DomainError as e:
            db.session.rollback()
            apply_domain_error(form, e)
        else:
            db.session.commit()
            flash(_("The invitation has been sent to %(email)s.", email=form.email.data), "success")
            return redirect(url_for("admin.index"))
    return render_template("admin/form.html", form=form,
                           title=_("Invite a board member or liaison")), 400 if form.errors else 200


@admin_bp.route("/audit")
@require("admin")
def audit():
    return render_log("platform", _("Platform audit log"))
