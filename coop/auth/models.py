"""Accounts, password-reset tokens and invitations."""
from __future__ import annotations

import hashlib
import secrets
from datetime import datetime
from functools import cache

from flask import g, has_app_context
from flask_login import UserMixin
from sqlalchemy import CheckConstraint, ForeignKey, String, bindparam, select
from sqlalchemy.orm import Mapped, joinedload, mapped_column, relationship, validates
from werkzeug.security import check_password_hash, generate_password_hash

from coop.core.db import utcnow
from coop.extensions import db
from coop.orgs.models import (BOARD_POSITION_RULE, ROLE_SCOPE_RULE, Cooperative, Municipality, Role,
                              RoleAssignment, RoleScope)


def new_token() -> str:
    return secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    """Tokens are stored hashed: a leaked database does not leak usable links."""
    return hashlib.sha256(token.encode()).hexdigest()


class User(UserMixin, db.Model):
    __tablename__ = "user"
    __table_args__ = (
        # Stored lower-cased, so the unique constraint is case-insensitive on every database.
        CheckConstraint("email = lower(email)", name="email_lower"),
        CheckConstraint("locale IS NULL OR locale IN ('nl', 'en')", name="locale"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(255))
    #: Preferred language; None means "follow the browser".
    locale: Mapped[str | None] = mapped_column(String(2))
    is_active: Mapped[bool] = mapped_column(default=True)
    #: Rotated on logout and password change: cookies carrying an old value are refused.
    session_token: Mapped[str] = mapped_column(String(64), unique=True, default=new_token)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]

    roles: Mapped[list[RoleAssignment]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )

    @validates("email")
    def _normalise_email(self, key, value: str) -> str:
        return value.strip().lower()

    # Flask-Login identifies the session by the rotating token, not the bare id.
    def get_id(self) -> str:
        return self.session_token

    def rotate_session(self) -> None:
        self.session_token = new_token()

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)
        self.rotate_session()

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    # Role questions, answered from the loaded assignments (one query per request).
    def has_role(self, role: Role, *, cooperative: Cooperative | None = None,
                 municipality: Municipality | None = None) -> bool:
        for r in self.roles:
            if r.role != role:
                continue
            if role in (Role.BOARD, Role.MEMBER, Role.AUDITOR):
                if cooperative is not None and r.cooperative_id == cooperative.id:
                    return True
            elif role == Role.LIAISON:
                if municipality is not None and r.municipality_id == municipality.id:
                    return True
            else:
                return True
        return False

    @property
    def is_admin(self) -> bool:
        return self.has_role(Role.ADMIN)

    def coop_roles(self, cooperative: Cooperative) -> set[Role]:
        return {r.role for r in self.roles if r.cooperative_id == cooperative.id}

    def __repr__(self) -> str:
        return f"<User {self.email}>"


@cache
def _user_by_token_statement():
    # Built once: the user and their role assignments in one query. Role checks compare
    # ids, so the organisations themselves are not loaded here (a page that shows their
    # names loads them; the current tenant is already in the session's identity map).
    return (
        select(User).options(joinedload(User.roles))
        .where(User.session_token == bindparam("token"), User.is_active.is_(True))
    )


@cache
def tenant_and_user_statement(model):
    """A tenant (``model``, by ``slug``) and, in the same query, the active user whose session
    carries ``token`` with their roles (None when there is none): the two reads of nearly every
    page, in one round trip. The user's join does not depend on the tenant's row."""
    return (
        select(model, User).outerjoin(User, (User.session_token == bindparam("token")) & User.is_active.is_(True))
        .options(joinedload(User.roles)).where(model.slug == bindparam("slug"))
    )


#: ``g`` attribute holding ``(token, user)`` read together with the tenant, for the user loader.
PRELOADED = "_coop_preloaded_user"


def user_by_session_token(token: str) -> User | None:
    """The active user whose session carries ``token`` (Flask-Login's user loader); read already
    when the request's tenant was loaded with this token (:func:`tenant_and_user_statement`)."""
    preloaded = g.pop(PRELOADED, None) if has_app_context() else None
    if preloaded is not None and preloaded[0] == token:
        return preloaded[1]
    return db.session.scalars(_user_by_token_statement(), {"token": token}).unique().first()


class PasswordResetToken(db.Model):
    __tablename__ = "password_reset_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    #: SHA-256 of the token sent by e-mail.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    #: Set when the token was used; a used token is refused.
    used_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()


class Invitation(RoleScope, db.Model):
    """An invitation to an e-mail address to take up a role (and create an account if needed)."""

    __tablename__ = "invitation"
    __table_args__ = (
        CheckConstraint(ROLE_SCOPE_RULE, name="scope"),
        CheckConstraint(BOARD_POSITION_RULE, name="board_position"),
        CheckConstraint("email = lower(email)", name="email_lower"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), index=True)
    #: SHA-256 of the token in the invitation link.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    accepted_at: Mapped[datetime | None]
    accepted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    cooperative: Mapped[Cooperative | None] = relationship()
    municipality: Mapped[Municipality | None] = relationship()
    invited_by: Mapped[User | None] = relationship(foreign_keys=[invited_by_id])

    @validates("email")
    def _normalise_email(self, key, value: str) -> str:
        return value.strip().lower()
