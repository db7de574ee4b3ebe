"""Home, health, language and the signed-in person's overview."""
from flask import Blueprint, jsonify, redirect, render_template, request, session, url_for
from flask_login import current_user
from sqlalchemy import select, text
from sqlalchemy.orm import joinedload

from coop.auth.forms import ConfirmForm
from coop.core import audit
from coop.core.forms import safe_next
from coop.core.permissions import public, require
from coop.extensions import csrf, db
from coop.orgs.models import RoleAssignment

bp = Blueprint("core", __name__)


@bp.route("/")
@public
def home():
    if not current_user.is_authenticated:
        return render_template("core/welcome.html")
    return redirect(url_for("core.me"))


@bp.route("/me/")
@require("login")
def me():
    # One query: the user's roles with the organisation each is in.
    roles = db.session.scalars(
        select(RoleAssignment)
        .options(joinedload(RoleAssignment.cooperative), joinedload(RoleAssignment.municipality))
        .where(RoleAssignment.user_id == current_user.id).order_by(RoleAssignment.id)
    ).all()
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
