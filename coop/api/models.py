"""API tokens: created by a cooperative's board or a municipality's liaison, stored hashed."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coop.core.db import utcnow
from coop.extensions import db


class ApiToken(db.Model):
    __tablename__ = "api_token"
    __table_args__ = (
        CheckConstraint("(cooperative_id IS NULL) <> (municipality_id IS NULL)", name="one_tenant"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cooperative_id: Mapped[int | None] = mapped_column(ForeignKey("cooperative.id", ondelete="CASCADE"), index=True)
    municipality_id: Mapped[int | None] = mapped_column(ForeignKey("municipality.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    #: SHA-256 of the token; the token itself is shown once, at creation.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: The first characters of the token, to tell tokens apart in lists.
    prefix: Mapped[str] = mapped_column(String(8))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    cooperative = relationship("Cooperative")
    municipality = relationship("Municipality")
    created_by = relationship("User")

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
