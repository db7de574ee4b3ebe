from functools import cache

from flask import flash, g, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import bindparam, case, select, true

from coop.auth import services as auth_services
from coop.auth.models import Invitation, User
from coop.core import nav
from coop.core.audit import tenant_key
from coop.core.audit_views import render_log
from coop.core.db import utcnow
from coop.core.forms import attempt, form_status
from coop.core.i18n import lazy_gettext as _l
from coop.core.pagination import paginate
from coop.core.permissions import require
from coop.extensions import db
from coop.orgs import bp, services
from coop.orgs.forms import CoopInviteForm, LiaisonInviteForm, StatutesForm, statutes_settings
from coop.orgs.models import BoardPosition, Cooperative, Municipality, Role, RoleAssignment


#: Roles listed first on the people page: the few who run things, then the many members.
_ROLE_ORDER = case({Role.BOARD.value: 0, Role.AUDITOR.value: 1, Role.LIAISON.value: 2}, value=RoleAssignment.role,
                   else_=3)


#: More people than any collective has: counting stops here.
ROLE_HOLDERS_CAP = 100_000


def _role_holders(**scope):
    """A page of the people with a role here, board and auditors first: rows of name, e-mail
    address, role and position (not assignments with their accounts as objects). Counted from
    the assignments alone (every one has an account), through the index on the tenant."""
    where = [getattr(RoleAssignment, column) == value for column, value in scope.items()]
    return paginate(
        select(User.name, User.email, RoleAssignment.role, RoleAssignment.board_position)
        .join(User, RoleAssignment.user_id == User.id).where(*where)
        .order_by(_ROLE_ORDER, RoleAssignment.id), rows=True,
        cap=ROLE_HOLDERS_CAP, count_select=select(RoleAssignment.id).where(*where),
    )


def _pending_invitations(**scope):
    return db.session.scalars(
        select(Invitation).filter_by(**scope)
        .where(Invitation.accepted_at.is_(None), Invitation.expires_at > utcnow())
        .order_by(Invitation.created_at.desc())
    ).all()


def invited(form, endpoint: str):
    flash(_("The invitation has been sent to %(email)s.", email=form.email.data), "success")
    return redirect(url_for(endpoint))


def _people_page(form, endpoint: str, **scope):
    return render_template("orgs/people.html", form=form, holders=_role_holders(**scope),
                           pending=_pending_invitations(**scope),
                           invite_endpoint=endpoint), form_status(form)


nav.add("coop", "orgs.coop_home", _l("Overview"), "member", order=10)
nav.add("coop", "orgs.coop_statutes", _l("Statutes"), "member", order=80)
nav.add("coop", "orgs.coop_people", _l("People and roles"), "board", order=85)
nav.add("coop", "orgs.coop_audit", _l("Audit log"), "board", order=90)
nav.add("municipality", "orgs.municipality_home", _l("Collectives"), "liaison", order=10)
nav.add("municipality", "orgs.municipality_people", _l("Colleagues"), "liaison", order=85)
nav.add("municipality", "orgs.municipality_audit", _l("Audit log"), "liaison", order=90)


# --- cooperative ---------------------------------------------------------------------------


@cache
def _home_statement():
    # Built once. The municipality's name and the board (names and positions: rows, not
    # objects) in one query: the municipality row joined to each board member, or to none.
    board = (
        select(RoleAssignment.board_position, RoleAssignment.id, User.name)
        .join(User, RoleAssignment.user_id == User.id)
        .where(RoleAssignment.cooperative_id == bindparam("coop_id"),
               RoleAssignment.role == Role.BOARD)
        .subquery()
    )
    return (
        select(Municipality.name, board.c.name, board.c.board_position)
        .outerjoin(board, true())
        .where(Municipality.id == bindparam("municipality_id"))
        .order_by(board.c.board_position, board.c.id)
    )


@bp.route("/c/<coop>/")
@require("member")
def coop_home():
    rows = db.session.execute(_home_statement(), {
        "coop_id": g.coop.id, "municipality_id": g.coop.municipality_id}).all()
    board = [(name, position) for _, name, position in rows if name is not None]
    return render_template("orgs/coop_home.html", board=board, municipality_name=rows[0][0],
                           my_roles=current_user.coop_roles(g.coop))


@bp.route("/c/<coop>/statutes")
@require("member")
def coop_statutes():
    return render_template("orgs/statutes.html", settings=statutes_settings(g.coop.statutes))


@bp.route("/c/<coop>/statutes/edit", methods=["GET", "POST"])
@require("board")
def edit_statutes():
    form = StatutesForm(obj=g.coop.statutes)
    changed = {}
    values = {f.name: f.data for f in form if f.name != "csrf_token"}
    if form.validate_on_submit() and attempt(form, lambda: changed.update(
            services.update_statutes(g.coop, values, actor=current_user))):
        flash(_("The statutes settings have been saved.") if changed else _("Nothing was changed."),
              "success")
        return redirect(url_for("orgs.coop_statutes"))
    return render_template("orgs/statutes_edit.html", form=form), form_status(form)


@bp.route("/c/<coop>/people", methods=["GET", "POST"])
@require("board")
def coop_people():
    form = CoopInviteForm()
    if form.validate_on_submit() and attempt(form, lambda: auth_services.invite(
            email=form.email.data, role=Role(form.role.data),
            board_position=BoardPosition(form.board_position.data),
            cooperative=g.coop, invited_by=current_user)):
        return invited(form, "orgs.coop_people")
    return _people_page(form, "orgs.coop_people", cooperative_id=g.coop.id)


@bp.route("/c/<coop>/audit")
@require("board")
def coop_audit():
    return render_log(tenant_key(cooperative=g.coop), _("Audit log of %(name)s", name=g.coop.name))


# --- municipality --------------------------------------------------------------------------


@bp.route("/m/<municipality>/")
@require("liaison")
def municipality_home():
    coops = paginate(
        select(Cooperative).where(Cooperative.municipality_id == g.municipality.id)
        .order_by(Cooperative.name)
    )
    return render_template("orgs/municipality_home.html", coops=coops)


@bp.route("/m/<municipality>/people", methods=["GET", "POST"])
@require("liaison")
def municipality_people():
    form = LiaisonInviteForm()
    if form.validate_on_submit() and attempt(form, lambda: auth_services.invite(
            email=form.email.data, role=Role.LIAISON, municipality=g.municipality,
            invited_by=current_user)):
        return invited(form, "orgs.municipality_people")
    return _people_page(form, "orgs.municipality_people", municipality_id=g.municipality.id)


@bp.route("/m/<municipality>/audit")
@require("liaison")
def municipality_audit():
    return render_log(tenant_key(municipality=g.municipality),
                      _("Audit log of %(name)s", name=g.municipality.name))


