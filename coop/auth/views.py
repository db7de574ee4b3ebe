from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from coop.auth import bp, services
from coop.auth.forms import (ChangePasswordForm, ConfirmForm, CreateAccountForm,
                             ForgotPasswordForm, LoginForm, NewPasswordForm, ProfileForm)
from coop.core.errors import DomainError
from coop.core.forms import attempt, form_status, safe_next
from coop.core.permissions import public, require
from coop.extensions import db, limiter


def _account_key() -> str:
    return "login:" + (request.form.get("email") or "").strip().lower()[:254]


def _failed_login(response) -> bool:
    """Only failed sign-ins count against the limits."""
    return response.status_code != 302


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_ADDRESS"], methods=["POST"],
               deduct_when=_failed_login, scope="login-address")
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_ACCOUNT"], methods=["POST"],
               key_func=_account_key, deduct_when=_failed_login, scope="login-account")
@public
def login():
    if current_user.is_authenticated:
        return redirect(url_for("core.home"))
    form = LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user is not None:
            login_user(user, remember=form.remember.data)
            services.record_login(user)
            db.session.commit()
            return redirect(safe_next(request.args.get("next")) or url_for("core.home"))
        flash(_("The e-mail address or password is not correct."), "error")
        return render_template("auth/login.html", form=form), 200
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@require("login")
def logout():
    form = ConfirmForm()
    if form.validate_on_submit():
        services.logout(current_user._get_current_object())
        db.session.commit()
        logout_user()
        flash(_("You have signed out."), "success")
    return redirect(url_for("core.home"))


@bp.route("/password/forgot", methods=["GET", "POST"])
@limiter.limit("10 per hour", methods=["POST"], scope="password-forgot")
@public
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        services.request_password_reset(form.email.data)
        db.session.commit()
        flash(_("If this address has an account, we have sent it a link to choose a new password."),
              "success")
        return redirect(url_for("auth.login"))
    return render_template("auth/forgot_password.html", form=form)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@public
def reset_password(token):
    try:
        services.valid_reset_token(token)
    except DomainError as e:
        flash(str(e.message), "error")
        return redirect(url_for("auth.forgot_password"))
    form = NewPasswordForm()
    if form.validate_on_submit() and attempt(form, lambda: services.reset_password(
            token, form.password.data)):
        logout_user()
        flash(_("Your password has been changed. You can now sign in."), "success")
        return redirect(url_for("auth.login"))
    return render_template("auth/reset_password.html", form=form), form_status(form)


@bp.route("/invite/<token>", methods=["GET", "POST"])
@public
def accept_invitation(token):
    try:
        inv = services.valid_invitation(token)
    except DomainError as e:
        flash(str(e.message), "error")
        return redirect(url_for("core.home"))
    has_account = services.find_user(inv.email) is not None
    signed_in_as_invitee = current_user.is_authenticated and current_user.email == inv.email
    form = ConfirmForm() if signed_in_as_invitee else CreateAccountForm()
    if has_account and not signed_in_as_invitee:
        return render_template("auth/accept_invitation.html", inv=inv, form=None,
                               must_sign_in=True, token=token)
    accepted = []

    def accept():
        if signed_in_as_invitee:
            accepted.append(services.accept_invitation(token, user=current_user._get_current_object()))
        else:
            accepted.append(services.accept_invitation(token, name=form.name.data,
                                                       password=form.password.data))

    if form.validate_on_submit() and attempt(form, accept):
        if not signed_in_as_invitee:
            login_user(accepted[0])
        flash(_("Welcome! Your invitation has been accepted."), "success")
        return redirect(url_for("core.home"))
    return render_template("auth/accept_invitation.html", inv=inv, form=form,
                           must_sign_in=False, token=token), form_status(form)


@bp.route("/me/account", methods=["GET", "POST"])
@require("login")
def account():
    user = current_user._get_current_object()
    profile = ProfileForm(obj=user, prefix="profile")
    if request.method == "GET":
        profile.locale.data = user.locale or ""
    if profile.validate_on_submit():
        services.update_profile(user, name=profile.name.data.strip(),
                                locale=profile.locale.data or None)
        db.session.commit()
        flash(_("Your details have been saved."), "success")
        return redirect(url_for("auth.account"))
    return render_template("auth/account.html", profile=profile,
                           password_form=ChangePasswordForm(prefix="pw"))


@bp.route("/me/password", methods=["POST"])
@require("login")
def change_password():
    user = current_user._get_current_object()
    form = ChangePasswordForm(prefix="pw")
    if form.validate_on_submit() and attempt(form, lambda: services.change_password(
            user, form.current_password.data, form.password.data)):
        login_user(user)  # keep this session; every other one is now signed out
        flash(_("Your password has been changed. Other devices have been signed out."), "success")
        return redirect(url_for("auth.account"))
    profile = ProfileForm(obj=user, prefix="profile")
    profile.locale.data = user.locale or ""
    return render_template("auth/account.html", profile=profile, password_form=form), 400


