"""Accounts: sign-in, sessions, password reset and invitations. Services flush; views commit."""
from __future__ import annotations

from datetime import timedelta

from flask import current_app, url_for
from sqlalchemy import select

from coop.auth.models import Invitation, PasswordResetToken, User, hash_token, new_token
from coop.core import audit, mail
from coop.core.db import utcnow
from coop.core.errors import DomainError
from coop.core.i18n import lazy_gettext as _l
from coop.core.passwords import password_problem
from coop.extensions import db
from coop.orgs.models import BoardPosition, Cooperative, Municipality, Role, RoleAssignment

#: Used to spend the same time on unknown e-mail addresses as on known ones.
_DUMMY_HASH = None


def find_user(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == email.strip().lower()))


def authenticate(email: str, password: str) -> User | None:
    """The active user with this e-mail and password, or None (without saying which was wrong)."""
    global _DUMMY_HASH
    user = find_user(email)
    if user is None or not user.is_active:
        from werkzeug.security import check_password_hash, generate_password_hash

        if _DUMMY_HASH is None:
            _DUMMY_HASH = generate_password_hash(new_token())
        check_password_hash(_DUMMY_HASH, password)  # same cost as a real check
        return None
    return user if user.check_password(password) else None


def record_login(user: User) -> None:
    user.last_login_at = utcnow()
    audit.record("auth.login", actor=user, obj=user)


def logout(user: User) -> None:
    """Rotate the session token: the old session and remember-me cookies stop working."""
    user.rotate_session()
    audit.record("auth.logout", actor=user, obj=user)


def check_new_password(password: str, user_email: str | None = None, name: str | None = None) -> None:
    problem = password_problem(password, email=user_email, name=name)
    if problem:
        raise DomainError(problem, field="password")


def change_password(user: User, current: str, new: str) -> None:
    if not user.check_password(current):
        raise DomainError(_l("The current password is not correct."), field="current_password")
    check_new_password(new, user.email, user.name)
    user.set_password(new)
    audit.record("auth.change_password", actor=user, obj=user)


def update_profile(user: User, *, name: str, locale: str | None) -> None:
    changed = {}
    if name != user.name:
        changed["name"] = [user.name, name]
        user.name = name
    if locale != user.locale:
        changed["locale"] = [user.locale, locale]
        user.locale = locale
    if changed:
        audit.record("auth.update_profile", actor=user, obj=user, **changed)


def request_password_reset(email: str) -> None:
    """Mail a single-use reset link when the address has an account; say nothing either way."""
    user = find_user(email)
    if user is None or not user.is_active:
        return
    token = new_token()
    hours = current_app.config["RESET_TOKEN_HOURS"]
    db.session.add(PasswordResetToken(
        user=user, token_hash=hash_token(token), expires_at=utcnow() + timedelta(hours=hours)
    ))
    audit.record("auth.request_password_reset", actor=user, obj=user)
    mail.queue(
        user.email, "password_reset", locale=user.locale,
        user=user, hours=hours,
        link=current_app.config["BASE_URL"].rstrip("/") + url_for("auth.reset_password", token=token),
    )


def valid_reset_token(token: str) -> PasswordResetToken:
    row = db.session.scalar(
        select(PasswordResetToken).where(PasswordResetToken.token_hash == hash_token(token))
    )
    if row is None or row.used_at is not None or row.expires_at <= utcnow() or not row.user.is_active:
        raise DomainError(_l("This link has expired or has already been used. Ask for a new one."))
    return row


def reset_password(token: str, password: str) -> User:
    row = valid_reset_token(token)
    user = row.user
    check_new_password(password, user.email, user.name)
    user.set_password(password)
    now = utcnow()
    # Every outstanding reset link of this user is spent, not only this one.
    for other in db.session.scalars(
        select(PasswordResetToken).where(PasswordResetToken.user_id == user.id,
                                         PasswordResetToken.used_at.is_(None))
    ):
        other.used_at = now
    audit.record("auth.reset_password", actor=user, obj=user)
    return user


# --- invitations -------------------------------------------------------------------------


def _role_exists(user: User, role: Role, cooperative, municipality) -> bool:
    return user.has_role(role, cooperative=cooperative, municipality=municipality)


def invite(*, email: str, role: Role, invited_by: User | None, cooperative: Cooperative | None = None,
           municipality: Municipality | None = None,
           board_position: BoardPosition | None = None, template: str = "invitation",
           context: dict | None = None) -> Invitation:
    """Invite an address to a role; ``template`` names the mail (e.g. a member's welcome)."""
    email = email.strip().lower()
    if role == Role.BOARD and board_position is None:
        board_position = BoardPosition.MEMBER
    if role != Role.BOARD:
        board_position = None
    existing = find_user(email)
    if existing is not None and _role_exists(existing, role, cooperative, municipality):
        raise DomainError(_l("This address already has that role."), field="email")
    pending = db.session.scalar(
        select(Invitation).where(
            Invitation.email == email, Invitation.role == role,
            Invitation.cooperative_id == (cooperative.id if cooperative else None),
            Invitation.municipality_id == (municipality.id if municipality else None),
            Invitation.accepted_at.is_(None), Invitation.expires_at > utcnow(),
        )
    )
    if pending is not None:
        raise DomainError(_l("This address has already been invited for that role."), field="email")
    token = new_token()
    days = current_app.config["INVITATION_DAYS"]
    inv = Invitation(
        email=email, role=role, cooperative=cooperative, municipality=municipality,
        board_position=board_position, token_hash=hash_token(token), invited_by=invited_by,
        expires_at=utcnow() + timedelta(days=days),
    )
    db.session.add(inv)
    db.session.flush()
    # The address is on the invitation row (which erasure can blank), not in the log.
    audit.record("auth.invite", actor=invited_by, cooperative=cooperative,
                 municipality=municipality, obj=inv, role=role.value, has_account=existing is not None)
    mail.queue(
        email, template, locale=existing.locale if existing else None, cooperative=cooperative,
        invitation=inv, days=days, has_account=existing is not None, **(context or {}),
        link=current_app.config["BASE_URL"].rstrip("/") + url_for("auth.accept_invitation", token=token),
    )
    return inv


def valid_invitation(token: str) -> Invitation:
    inv = db.session.scalar(select(Invitation).where(Invitation.token_hash == hash_token(token)))
    if inv is None or inv.accepted_at is not None or inv.expires_at <= utcnow():
        raise DomainError(_l("This invitation has expired or has already been used."))
    return inv


def accept_invitation(token: str, *, user: User | None = None, name: str | None = None,
                      password: str | None = None) -> User:
    """Give the invited role to the signed-in user, or to a new account for the invited address."""
    inv = valid_invitation(token)
    if user is None:
        if find_user(inv.email) is not None:
            raise DomainError(_l("An account with this address exists: sign in first to accept."))
        if not name or not name.strip():
            raise DomainError(_l("Please give your name."), field="name")
        check_new_password(password or "", inv.email, name)
        user = User(email=inv.email, name=name.strip())
        user.set_password(password or "")
        db.session.add(user)
        db.session.flush()
        audit.record("auth.create_account", actor=user, obj=user, via="invitation")
    elif user.email != inv.email:
        raise DomainError(_l("This invitation was sent to another e-mail address."))
    if not _role_exists(user, inv.role, inv.cooperative, inv.municipality):
        grant_role(user, inv.role, cooperative=inv.cooperative, municipality=inv.municipality,
                   board_position=inv.board_position, actor=user)
    if inv.role == Role.MEMBER and inv.cooperative is not None:
        from coop.members.services import link_account

        link_account(inv.cooperative, user)
    inv.accepted_at = utcnow()
    inv.accepted_by_id = user.id
    return user


def grant_role(user: User, role: Role, *, cooperative=None, municipality=None,
               board_position: BoardPosition | None = None, actor=None) -> RoleAssignment:
    ra = RoleAssignment(user=user, role=role, cooperative=cooperative, municipality=municipality,
                        board_position=board_position if role == Role.BOARD else None)
    db.session.add(ra)
    db.session.flush()
    audit.record("orgs.grant_role", actor=actor, cooperative=cooperative,
                 municipality=municipality, obj=ra, user_id=user.id, role=role.value,
                 board_position=board_position.value if board_position else None)
    return ra
