"""The append-only audit log, hash-chained per tenant.

Every state change calls :func:`record` from its service. Each entry carries the hash of the
previous entry of the same tenant (a cooperative, a municipality or the platform), so editing
or deleting a row breaks the chain and ``flask coop audit-verify`` finds it.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from functools import cache

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint, bindparam, select, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coop.core.db import utcnow
from coop.extensions import db

GENESIS = "0" * 64


def tenant_key(cooperative=None, municipality=None) -> str:
    if cooperative is not None:
        return f"coop:{cooperative.id}"
    if municipality is not None:
        return f"muni:{municipality.id}"
    return "platform"


class AuditEntry(db.Model):
    __tablename__ = "audit_entry"
    __table_args__ = (UniqueConstraint("tenant_key", "seq", name="uq_audit_entry_tenant_seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: ``coop:<id>``, ``muni:<id>`` or ``platform``: one hash chain per tenant.
    tenant_key: Mapped[str] = mapped_column(String(32))
    #: Position in the tenant's chain, 1, 2, 3, … (unique per tenant: the chain cannot fork).
    seq: Mapped[int] = mapped_column(Integer)
    cooperative_id: Mapped[int | None] = mapped_column(ForeignKey("cooperative.id"), index=True)
    municipality_id: Mapped[int | None] = mapped_column(ForeignKey("municipality.id"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    #: What happened, ``area.verb`` e.g. ``auth.login``, ``orgs.create_cooperative``.
    action: Mapped[str] = mapped_column(String(64), index=True)
    object_type: Mapped[str | None] = mapped_column(String(64))
    object_id: Mapped[str | None] = mapped_column(String(64))
    #: JSON object with what changed; never passwords or tokens.
    details: Mapped[str] = mapped_column(Text, default="{}")
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))

    actor = relationship("User", foreign_keys=[actor_id])

    @property
    def details_dict(self) -> dict:
        return json.loads(self.details or "{}")

    def compute_hash(self) -> str:
        return entry_hash(self.prev_hash, self.tenant_key, self.seq, self.actor_id, self.action,
                          self.object_type, self.object_id, self.details, self.created_at)


def _canonical(value) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def entry_hash(prev_hash, tenant, seq, actor_id, action, object_type, object_id, details,
               created_at) -> str:
    payload = _canonical([prev_hash, tenant, seq, actor_id, action, object_type, object_id,
                          json.loads(details or "{}"), created_at.isoformat(timespec="microseconds")])
    return hashlib.sha256(payload.encode()).hexdigest()


#: PostgreSQL: the entry in one statement. ``coop_audit_next`` (migration 0019) takes the tenant's
#: lock, then reads the chain's head and the time and hashes; the hashed text is the one of
#: :func:`entry_hash`, with ``middle`` (actor, action, object, details) written by the app.
INSERT_NEXT = text("""
INSERT INTO audit_entry (tenant_key, cooperative_id, municipality_id, actor_id, action, object_type,
                         object_id, details, seq, prev_hash, created_at, hash)
SELECT :key, CAST(:cooperative_id AS integer), CAST(:municipality_id AS integer), CAST(:actor_id AS integer),
       :action, CAST(:object_type AS varchar), CAST(:object_id AS varchar), :details,
       n.seq, n.prev_hash, n.created_at, n.hash
  FROM coop_audit_next(:key, :key_json, :middle) AS n""")


@cache
def _chain_head_statement():
    # Built once: every state change of the app appends an entry after this one.
    return (select(AuditEntry.seq, AuditEntry.hash).where(AuditEntry.tenant_key == bindparam("key"))
            .order_by(AuditEntry.seq.desc()).limit(1))


def record(action: str, *, actor=None, cooperative=None, municipality=None, obj=None,
           object_type: str | None = None, object_id=None, **details) -> None:
    """Append an entry to the tenant's chain (the caller commits).

    The caller's pending changes are flushed first, outside the tenant's lock; then the chain's
    head is read under the lock and the entry is written. On PostgreSQL that is one statement,
    and the lock is held until the transaction ends, so the less happens after it, the more
    writers of one tenant (a voting burst) get through."""
    session = db.session
    session.flush()
    key = tenant_key(cooperative, municipality)
    if obj is not None:
        object_type = object_type or type(obj).__name__
        object_id = object_id if object_id is not None else getattr(obj, "id", None)
    values = {
        "key": key,
        "cooperative_id": cooperative.id if cooperative is not None else None,
        "municipality_id": municipality.id if municipality is not None else None,
        "actor_id": actor.id if actor is not None and getattr(actor, "id", None) else None,
        "action": action,
        "object_type": object_type,
        "object_id": str(object_id) if object_id is not None else None,
        "details": json.dumps(details, sort_keys=True, default=str, ensure_ascii=False),
    }
    if session.get_bind().dialect.name == "postgresql":
        # The hashed list without its first three items (head, tenant, sequence number) and its
        # last (the time): those the function fills in under the lock.
        middle = _canonical([values["actor_id"], action, values["object_type"], values["object_id"],
                             json.loads(values["details"])])[1:-1]
        session.execute(INSERT_NEXT, {**values, "key_json": _canonical(key), "middle": middle})
        return
    last = session.execute(_chain_head_statement(), {"key": key}).first()
    seq, prev_hash = (last.seq + 1, last.hash) if last else (1, GENESIS)
    created_at = utcnow()
    values.update(seq=seq, prev_hash=prev_hash, created_at=created_at,
                  hash=entry_hash(prev_hash, key, seq, values["actor_id"], action, values["object_type"],
                                  values["object_id"], values["details"], created_at))
    values["tenant_key"] = values.pop("key")
    session.execute(AuditEntry.__table__.insert(), values)


@dataclass
class Break:
    tenant_key: str
    seq: int
    entry_id: int | None
    reason: str


def verify(batch: int = 5000) -> list[Break]:
    """Walk every tenant's chain; return the first break of each broken chain.

    Reads plain rows (not ORM objects), so a long log does not fill the session.
    """
    breaks: list[Break] = []
    cols = (AuditEntry.id, AuditEntry.seq, AuditEntry.prev_hash, AuditEntry.hash,
            AuditEntry.tenant_key, AuditEntry.actor_id, AuditEntry.action,
            AuditEntry.object_type, AuditEntry.object_id, AuditEntry.details,
            AuditEntry.created_at)
    keys = db.session.scalars(
        select(AuditEntry.tenant_key).distinct().order_by(AuditEntry.tenant_key)
    ).all()
    for key in keys:
        expected_prev, expected_seq = GENESIS, 1
        broken = None
        while broken is None:
            rows = db.session.execute(
                select(*cols).where(AuditEntry.tenant_key == key, AuditEntry.seq >= expected_seq)
                .order_by(AuditEntry.seq).limit(batch)
            ).all()
            if not rows:
                break
            for r in rows:
                if r.seq != expected_seq:
                    broken = Break(key, expected_seq, None, f"entry {expected_seq} is missing")
                elif r.prev_hash != expected_prev:
                    broken = Break(key, r.seq, r.id, "does not follow the previous entry")
                elif entry_hash(r.prev_hash, r.tenant_key, r.seq, r.actor_id, r.action,
                                r.object_type, r.object_id, r.details, r.created_at) != r.hash:
                    broken = Break(key, r.seq, r.id, "content does not match its hash")
                if broken:
                    break
                expected_prev, expected_seq = r.hash, r.seq + 1
        if broken:
            breaks.append(broken)
    return breaks
