"""Home, health, language and the signed-in person's overview."""
from functools import cache

from flask import Blueprint, jsonify, redirect, render_template, request, session, url_for
from flask_login import current_user
from sqlalchemy import bindparam, select, text

from coop.auth.forms import ConfirmForm
from coop.core import audit
from coop.core.forms import safe_next
from coop.core.permissions import public, require
from coop.extensions import csrf, db
from coop.orgs.models import Cooperative, Municipality, RoleAssignment

bp = Blueprint("core", __name__)


@bp.route("/")
@public
def home():
    if not current_user.is_authenticated:
        return render_template("core/welcome.html")
    return redirect(url_for("core.me"))


@cache
def _my_roles_statement():
    # Built once. Rows, not objects: each role with the name and address of its organisation.
    return (
        select(RoleAssignment.role, RoleAssignment.board_position,
               Cooperative.slug.label("coop_slug"), Cooperative.name.label("coop_name"),
               Municipality.slug.label("municipality_slug"),
               Municipality.name.label("municipality_name"))
        .outerjoin(Cooperative, RoleAssignment.cooperative_id == Cooperative.id)
        .outerjoin(Municipality, RoleAssignment.municipality_id == Municipality.id)
        .where(RoleAssignment.user_id == bindparam("user_id")).order_by(RoleAssignment.id)
    )


@bp.route("/me/")
@require("login")
def me():
    roles = db.session.execute(_my_roles_statement(), {"user_id": current_user.id}).all()
    return render_template("core/me.html", roles=roles)


@bp.route("/health")
@public
@csrf.exempt
def health():
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:  # noqa: BLE001 — any failure means the database is not usable
        db.session.rollback()
        return jsonify({"status": "error", "database": "unreachable"}), 503
    return jsonify({"status": "ok", "database": "ok"})


@bp.route("/language", methods=["POST"])
@public
def set_language():
    lang = request.form.get("lang")
    if ConfirmForm().validate_on_submit() and lang in ("nl", "en"):
        session["locale"] = lang
        if current_user.is_authenticated and current_user.locale != lang:
            old = current_user.locale
            current_user.locale = lang
            audit.record("auth.update_profile", actor=current_user, obj=current_user,
                         locale=[old, lang])
            db.session.commit()
    return redirect(safe_next(request.form.get("next")) or url_for("core.home"))
