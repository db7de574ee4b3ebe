"""Many submissions of one member at the same instant, each in a connection of its own, with
real commits: the concurrency tests of voting and consultations share this."""
from __future__ import annotations

import threading
from contextlib import contextmanager

import sqlalchemy as sa
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

BUSY = "busy"


@contextmanager
def tenant_with_member(app, slug: str, *, cbs_code: str, kvk_number: str):
    """A committed municipality, cooperative and one voting member, in a session of its own;
    yields (session, cooperative, member) to add what the test needs (and commit it). Afterwards
    the tenant and everything of it that ``cleanup`` names is deleted again."""
    from coop.extensions import db
    from coop.members.models import Member, MemberStatus
    from coop.orgs.models import Cooperative, Municipality, StatutesProfile

    with app.app_context():
        engine = db.engine
    with app.app_context(), Session(engine) as s:
        muni = Municipality(name=f"Stad {slug}", slug=slug, cbs_code=cbs_code)
        coop = Cooperative(name=f"Coöperatie {slug}", slug=slug, kvk_number=kvk_number, municipality=muni)
        coop.domains = ["energy"]
        coop.statutes = StatutesProfile()
        s.add(coop)
        s.flush()
        member = Member(cooperative_id=coop.id, number=1, status=MemberStatus.MEMBER, first_name="Lid",
                        last_name="Een", sort_name="een")
        s.add(member)
        s.flush()
        ids = {"coop": coop.id, "muni": muni.id}
        cleanup: list[tuple[str, dict]] = []
        try:
            yield s, coop, member, cleanup
        finally:
            s.rollback()
            with engine.begin() as conn:
                for sql, params in cleanup:
                    conn.execute(sa.text(sql), params)
                for sql in ("DELETE FROM general_meeting WHERE cooperative_id = :c",
                            "DELETE FROM audit_entry WHERE cooperative_id = :c",
                            "DELETE FROM member WHERE cooperative_id = :c",
                            "DELETE FROM statutes_profile WHERE cooperative_id = :c",
                            "DELETE FROM cooperative WHERE id = :c"):
                    conn.execute(sa.text(sql), {"c": ids["coop"]})
                conn.execute(sa.text("DELETE FROM audit_entry WHERE tenant_key = :k"), {"k": f"coop:{ids['coop']}"})
                conn.execute(sa.text("DELETE FROM municipality WHERE id = :m"), {"m": ids["muni"]})


def storm(app, attempts: int, load, act, done: str) -> list[str]:
    """``attempts`` threads each ``load(session)`` their objects (and commit, so every thread
    holds a connection), wait for each other, then ``act(n, *objects)`` and commit at once.
    Returns what each thread saw: ``done``, the refusal's message, or ``BUSY`` (SQLite: the
    database was locked; a client would try again)."""
    from coop.core.errors import DomainError
    from coop.extensions import db

    barrier = threading.Barrier(attempts)
    outcome: list[str] = []

    def attempt(n):
        with app.test_request_context(headers={"Accept-Language": "en"}):
            session = db.session
            try:
                objects = load(session)
                session.commit()
            except Exception as error:  # noqa: BLE001 — reported by the caller's assertions
                outcome.append(repr(error))
                raise
            finally:
                barrier.wait(timeout=30)
            try:
                act(n, *objects)
                session.commit()
                outcome.append(done)
            except DomainError as error:
                session.rollback()
                outcome.append(str(error.message))
            except OperationalError:
                session.rollback()
                outcome.append(BUSY)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=attempt, args=(n,)) for n in range(attempts)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return outcome
