"""Add benchmark volume to a database that has the schema and the demo data.

Run by ``run.py`` after ``flask db upgrade`` and ``flask coop demo``, with the same
``COOP_*`` environment as the server::

    python bench/seed.py --size 10000 --accounts-out accounts.json [--seeders members,audit]

``--size N`` adds N//10 member accounts (with their role and the audit entry that granting it
writes) to every cooperative, and tops up the audit log of every tenant (each cooperative,
each municipality and the platform) to N extra entries. Rows are inserted in bulk; the audit
entries continue each tenant's hash chain with :func:`coop.core.audit.entry_hash`, so
``flask coop audit-verify`` still passes (``run.py`` runs it afterwards). Every account,
demo or bench, has the password ``coop.cli.demo.DEMO_PASSWORD``.

On PostgreSQL the database is then vacuumed and analysed, as autovacuum would soon do.

Writes the accounts that can sign in, with their roles, to ``--accounts-out`` (JSON).
"""
from __future__ import annotations

import argparse
import json
import random
import sys
import time
import unicodedata
from datetime import timedelta
from pathlib import Path

# The app of this checkout (not whichever one the environment installed): an A/B run from a
# second worktree seeds with that worktree's code, for the database its migrations made.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import func, insert, select, text  # noqa: E402

from coop import create_app  # noqa: E402
from coop.auth.models import User, new_token  # noqa: E402
from coop.cli.demo import DEMO_PASSWORD, person  # noqa: E402
from coop.core.audit import GENESIS, AuditEntry, entry_hash  # noqa: E402
from coop.core.db import utcnow  # noqa: E402
from coop.extensions import db  # noqa: E402
from coop.orgs.models import BoardPosition, Cooperative, Municipality, Role, RoleAssignment  # noqa: E402

BATCH = 2000


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()


def _bulk(stmt, rows: list[dict], returning: bool = False) -> list:
    """Insert ``rows`` in batches; with ``returning``, the ids in parameter order."""
    out = []
    for i in range(0, len(rows), BATCH):
        chunk = rows[i:i + BATCH]
        if returning:
            out.extend(db.session.scalars(stmt, chunk).all())
        else:
            db.session.execute(stmt, chunk)
    return out


class Chains:
    """Appends entries to the tenants' hash chains, exactly as ``audit.record`` would."""

    def __init__(self):
        self.heads: dict[str, tuple[int, str]] = {}
        self.rows: list[dict] = []
        self.clock = utcnow()

    def _head(self, key: str) -> tuple[int, str]:
        if key not in self.heads:
            last = db.session.execute(
                select(AuditEntry.seq, AuditEntry.hash).where(AuditEntry.tenant_key == key)
                .order_by(AuditEntry.seq.desc()).limit(1)
            ).first()
            self.heads[key] = (last.seq, last.hash) if last else (0, GENESIS)
        return self.heads[key]

    def add(self, action: str, *, actor_id=None, cooperative_id=None, municipality_id=None,
            object_type=None, object_id=None, **details) -> None:
        key = (f"coop:{cooperative_id}" if cooperative_id else
               f"muni:{municipality_id}" if municipality_id else "platform")
        seq, prev = self._head(key)
        seq += 1
        self.clock += timedelta(microseconds=1)
        details_json = json.dumps(details, sort_keys=True, default=str, ensure_ascii=False)
        object_id = str(object_id) if object_id is not None else None
        digest = entry_hash(prev, key, seq, actor_id, action, object_type, object_id,
                            details_json, self.clock)
        self.rows.append({
            "tenant_key": key, "seq": seq, "cooperative_id": cooperative_id,
            "municipality_id": municipality_id, "actor_id": actor_id, "action": action,
            "object_type": object_type, "object_id": object_id, "details": details_json,
            "created_at": self.clock, "prev_hash": prev, "hash": digest,
        })
        self.heads[key] = (seq, digest)

    def count(self, key: str) -> int:
        return sum(1 for r in self.rows if r["tenant_key"] == key)

    def flush(self) -> int:
        _bulk(AuditEntry.__table__.insert(), self.rows)  # Core: one executemany per batch
        n = len(self.rows)
        self.rows = []
        return n


def _board(coop: Cooperative) -> list[RoleAssignment]:
    return db.session.scalars(
        select(RoleAssignment).where(RoleAssignment.cooperative_id == coop.id,
                                     RoleAssignment.role == Role.BOARD)
        .order_by(RoleAssignment.id)
    ).all()


def seed_members(size: int, rng: random.Random, chains: Chains) -> dict:
    """N//10 extra member accounts per cooperative, with role and grant_role audit entry."""
    per_coop = size // 10
    pw_hash = db.session.scalar(
        select(User.password_hash).where(User.email == "admin@example.org"))
    if pw_hash is None:
        sys.exit("seed: the demo data is missing (run `flask coop demo` first)")
    now = utcnow()
    added = 0
    for coop in db.session.scalars(select(Cooperative).order_by(Cooperative.id)):
        board = _board(coop)
        chair = next(r for r in board if r.board_position == BoardPosition.CHAIR)
        domain = chair.user.email.split("@", 1)[1]
        users = []
        for i in range(per_coop):
            p = person(rng, coop.municipality.name)
            local = _ascii(f"{p['first']}.{p['surname']}").replace(" ", "")
            users.append({
                "email": f"{local}.b{i + 1}@{domain}", "name": p["name"],
                "password_hash": pw_hash, "locale": rng.choice(["nl", "nl", "nl", "en", None]),
                "is_active": True, "session_token": new_token(), "created_at": now,
            })
        user_ids = _bulk(insert(User).returning(User.id, sort_by_parameter_order=True), users,
                         returning=True)
        ra_ids = _bulk(
            insert(RoleAssignment).returning(RoleAssignment.id, sort_by_parameter_order=True),
            [{"user_id": uid, "role": Role.MEMBER, "cooperative_id": coop.id, "created_at": now}
             for uid in user_ids], returning=True)
        for uid, ra_id in zip(user_ids, ra_ids):
            chains.add("orgs.grant_role", actor_id=chair.user_id, cooperative_id=coop.id,
                       object_type="RoleAssignment", object_id=ra_id, user_id=uid,
                       role="member", board_position=None)
        added += len(user_ids)
    return {"member accounts": added}


def seed_audit(size: int, rng: random.Random, chains: Chains) -> dict:
    """Top up every tenant's chain to ``size`` extra entries with plausible actions."""
    user_ids = db.session.scalars(select(User.id).order_by(User.id)).all()
    for coop in db.session.scalars(select(Cooperative).order_by(Cooperative.id)):
        board = _board(coop)
        for i in range(size - chains.count(f"coop:{coop.id}")):
            actor = rng.choice(board).user_id
            if i % 3:
                days = rng.choice([7, 10, 14, 21, 28])
                chains.add("orgs.update_statutes", actor_id=actor, cooperative_id=coop.id,
                           object_type="StatutesProfile", object_id=coop.id,
                           convocation_days=[14, days])
            else:
                chains.add("auth.invite", actor_id=actor, cooperative_id=coop.id,
                           object_type="Invitation", object_id=None,
                           email=f"kandidaat{i}@example.net", role="member")
    for muni in db.session.scalars(select(Municipality).order_by(Municipality.id)):
        liaison = db.session.scalar(
            select(RoleAssignment.user_id).where(RoleAssignment.municipality_id == muni.id)
            .order_by(RoleAssignment.id).limit(1))
        for i in range(size - chains.count(f"muni:{muni.id}")):
            chains.add("auth.invite", actor_id=liaison, municipality_id=muni.id,
                       object_type="Invitation", object_id=None,
                       email=f"ambtenaar{i}@gemeente.example", role="liaison")
    for i in range(size - chains.count("platform")):
        uid = rng.choice(user_ids)
        if i % 10 == 9:
            chains.add("auth.logout", actor_id=uid, object_type="User", object_id=uid)
        else:
            chains.add("auth.login", actor_id=uid, object_type="User", object_id=uid)
    return {}


def seed_register(size: int, rng: random.Random, chains: Chains) -> dict:
    """``size`` register entries in the first cooperative (addresses, some e-mail), numbered
    on from its counter, and 24 extra board accounts there to load the board's pages."""
    from coop.members.models import Member, make_sort_name

    coop = db.session.scalars(select(Cooperative).order_by(Cooperative.id)).first()
    chair = next(r for r in _board(coop) if r.board_position == BoardPosition.CHAIR)
    pw_hash = chair.user.password_hash
    now = utcnow()
    start = coop.last_member_number
    rows = []
    for i in range(size):
        p = person(rng, coop.municipality.name)
        has_mail = rng.random() < 0.6
        local = _ascii(f"{p['first']}.{p['surname']}").replace(" ", "")
        rows.append({
            "cooperative_id": coop.id, "number": start + i + 1, "status": "member",
            "first_name": p["first"], "name_prefix": p["prefix"] or None, "last_name": p["surname"],
            "sort_name": make_sort_name(p["first"], p["surname"], p["prefix"] or None),
            "street": p["street"], "house_number": p["house_number"], "postcode": p["postcode"],
            "city": p["city"], "email": f"{local}.r{i}@example.org" if has_mail else None,
            "channel": "email" if has_mail else "letter", "email_consent_at": now if has_mail else None,
            "admitted_on": now.date(), "applied_on": now.date(), "has_appealed": False,
            "has_energy": False, "has_care": False, "has_housing": False, "has_other": False,
            "created_at": now, "updated_at": now,
        })
    _bulk(insert(Member), rows)
    coop.last_member_number = start + size
    domain = chair.user.email.split("@", 1)[1]
    users = [{"email": f"bestuurslid{i}@{domain}", "name": f"Bestuurslid {i}", "password_hash": pw_hash,
              "locale": "nl", "is_active": True, "session_token": new_token(), "created_at": now}
             for i in range(24)]
    user_ids = _bulk(insert(User).returning(User.id, sort_by_parameter_order=True), users, returning=True)
    ra_ids = _bulk(insert(RoleAssignment).returning(RoleAssignment.id, sort_by_parameter_order=True),
                   [{"user_id": uid, "role": Role.BOARD, "board_position": BoardPosition.MEMBER,
                     "cooperative_id": coop.id, "created_at": now} for uid in user_ids], returning=True)
    for uid, ra_id in zip(user_ids, ra_ids):
        chains.add("orgs.grant_role", actor_id=chair.user_id, cooperative_id=coop.id,
                   object_type="RoleAssignment", object_id=ra_id, user_id=uid, role="board",
                   board_position="member")
    return {"register entries": size, "board accounts": len(user_ids)}


#: API tokens made by seeders, by municipality slug (written with the liaisons' accounts).
API_TOKENS: dict[str, str] = {}


def seed_liaison(size: int, rng: random.Random, chains: Chains) -> dict:
    """Issue 8: 400 cooperatives in the first municipality and ``size`` requests to it spread over
    them (every kind and status; about one in six still open, some overdue), 24 extra liaison
    accounts there, and one API token of the municipality for the case-system client."""
    from coop.api import tokens
    from coop.liaison import services
    from coop.liaison.models import RequestStatus, RequestType
    from coop.orgs.models import StatutesProfile

    muni = db.session.scalars(select(Municipality).order_by(Municipality.id)).first()
    liaison = db.session.scalars(select(RoleAssignment).where(RoleAssignment.municipality_id == muni.id,
                                                              RoleAssignment.role == Role.LIAISON)).first()
    pw_hash = liaison.user.password_hash
    _token, API_TOKENS[muni.slug] = tokens.create_token("Bench zaaksysteem", actor=liaison.user, municipality=muni)
    types = services.ensure_catalogue(muni)
    now = utcnow()
    today = services.today()
    kvk0 = 40000000
    coop_ids = _bulk(insert(Cooperative).returning(Cooperative.id, sort_by_parameter_order=True), [
        {"name": f"Buurtcoöperatie {i + 1}", "slug": f"bench-coop-{i + 1}", "kvk_number": str(kvk0 + i),
         "municipality_id": muni.id, "founded_on": today - timedelta(days=rng.randint(100, 4000)),
         "last_member_number": 0, "created_at": now, "has_energy": i % 3 == 0, "has_care": i % 3 == 1,
         "has_housing": i % 3 == 2, "has_other": False} for i in range(400)], returning=True)
    _bulk(insert(StatutesProfile), [{"cooperative_id": cid} for cid in coop_ids])
    closed = [RequestStatus.DECIDED, RequestStatus.CLOSED, RequestStatus.WITHDRAWN]
    running = [RequestStatus.SUBMITTED, RequestStatus.ACKNOWLEDGED, RequestStatus.IN_PROGRESS,
               RequestStatus.INFO_REQUESTED]
    rows = []
    for i in range(size):
        rtype: RequestType = rng.choice(types)
        received = today - timedelta(days=rng.randint(0, 3 * 365))
        status = rng.choice(running) if rng.random() < 0.16 else rng.choice(closed)
        due = received + timedelta(weeks=rtype.term_amount) if rtype.term_unit.value == "weeks" else \
            received + timedelta(days=rtype.term_amount * 7 // 5)
        decided = status is RequestStatus.DECIDED or (status is RequestStatus.CLOSED and rng.random() < 0.9)
        moment = now - timedelta(days=(today - received).days)
        rows.append({
            "cooperative_id": rng.choice(coop_ids), "municipality_id": muni.id, "request_type_id": rtype.id,
            "receipt_number": f"{muni.cbs_code}-B-{i + 1:07d}", "subject": f"Verzoek {i + 1} over {rtype.kind.value}",
            "body": "Tekst van het verzoek.", "status": status.value, "received_on": received, "due_on": due,
            "outcome": "granted" if decided else None, "answer_text": "Toegekend." if decided else None,
            "decided_on": min(due, today) if decided else None, "created_at": moment, "submitted_at": moment,
            "updated_at": moment,
        })
    from coop.liaison.models import LiaisonRequest

    _bulk(insert(LiaisonRequest), rows)
    domain = liaison.user.email.split("@", 1)[1]
    users = [{"email": f"collega{i}@{domain}", "name": f"Collega {i}", "password_hash": pw_hash, "locale": "nl",
              "is_active": True, "session_token": new_token(), "created_at": now} for i in range(24)]
    user_ids = _bulk(insert(User).returning(User.id, sort_by_parameter_order=True), users, returning=True)
    ra_ids = _bulk(insert(RoleAssignment).returning(RoleAssignment.id, sort_by_parameter_order=True),
                   [{"user_id": uid, "role": Role.LIAISON, "municipality_id": muni.id, "created_at": now}
                    for uid in user_ids], returning=True)
    for uid, ra_id in zip(user_ids, ra_ids):
        chains.add("orgs.grant_role", actor_id=liaison.user_id, municipality_id=muni.id,
                   object_type="RoleAssignment", object_id=ra_id, user_id=uid, role="liaison", board_position=None)
    return {"cooperatives": len(coop_ids), "requests": size, "liaison accounts": len(user_ids)}


SEEDERS = {"members": seed_members, "audit": seed_audit, "register": seed_register, "liaison": seed_liaison}


def accounts() -> list[dict]:
    """Every account with a role, and what it may see (for the load generator)."""
    rows = db.session.execute(
        select(User.id, User.email, RoleAssignment.role, Cooperative.slug, Municipality.slug)
        .join(RoleAssignment, RoleAssignment.user_id == User.id)
        .outerjoin(Cooperative, Cooperative.id == RoleAssignment.cooperative_id)
        .outerjoin(Municipality, Municipality.id == RoleAssignment.municipality_id)
        .where(User.is_active.is_(True))
        .order_by(User.id, RoleAssignment.id)
    ).all()
    by_user: dict[int, dict] = {}
    for uid, email, role, coop_slug, muni_slug in rows:
        a = by_user.setdefault(uid, {"email": email, "roles": [], "coops": [], "board_coops": [],
                                     "municipalities": [], "is_admin": False})
        a["roles"].append(role.value)
        if coop_slug and coop_slug not in a["coops"]:
            a["coops"].append(coop_slug)
        if role == Role.BOARD:
            a["board_coops"].append(coop_slug)
        if role == Role.LIAISON:
            a["municipalities"].append(muni_slug)
        if role == Role.ADMIN:
            a["is_admin"] = True
    for a in by_user.values():
        a["kind"] = ("admin" if a["is_admin"] else "liaison" if a["municipalities"] else
                     "board" if a["board_coops"] else "auditor" if "auditor" in a["roles"] else
                     "member")
        a["password"] = DEMO_PASSWORD
        a["api_tokens"] = {m: API_TOKENS[m] for m in a["municipalities"] if m in API_TOKENS}
    return list(by_user.values())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--size", type=int, default=10000)
    ap.add_argument("--seeders", default="members,audit")
    ap.add_argument("--accounts-out", required=True)
    args = ap.parse_args()

    app = create_app()
    started = time.perf_counter()
    with app.app_context():
        rng = random.Random(4242)
        chains = Chains()
        summary: dict[str, int] = {}
        for name in [s for s in args.seeders.split(",") if s]:
            summary.update(SEEDERS[name](args.size, rng, chains))
        summary["audit entries"] = chains.flush()
        db.session.commit()
        if db.engine.dialect.name == "postgresql":
            # What autovacuum does within a minute in production: planner statistics and the
            # visibility map (index-only scans). Without it, the first minute of the run would
            # be measured with an unanalysed database and autovacuum competing for the CPUs.
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text("VACUUM ANALYZE"))
        accts = accounts()
        totals = {
            "users": db.session.scalar(select(func.count()).select_from(User)),
            "role assignments": db.session.scalar(select(func.count()).select_from(RoleAssignment)),
            "audit entries (total)": db.session.scalar(
                select(func.count()).select_from(AuditEntry)),
        }
    with open(args.accounts_out, "w", encoding="utf-8") as f:
        json.dump(accts, f)
    added = ", ".join(f"{v} {k}" for k, v in summary.items())
    total = ", ".join(f"{v} {k}" for k, v in totals.items())
    print(f"seed: added {added} in {time.perf_counter() - started:.1f} s; now {total}")


if __name__ == "__main__":
    main()
