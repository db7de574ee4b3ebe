import json

import pytest

import sqlalchemy as sa

from coop.core import audit
from coop.core.audit import AuditEntry


def _entries(db, coop):
    return db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.tenant_key == f"coop:{coop.id}").order_by(AuditEntry.seq)
    ).all()


def test_entries_chain_per_tenant(db, world):
    for i in range(3):
        audit.record("test.thing", actor=world.board_a, cooperative=world.coop_a, n=i)
    audit.record("test.thing", actor=world.board_b, cooperative=world.coop_b)
    rows = _entries(db, world.coop_a)
    assert [r.seq for r in rows] == list(range(1, len(rows) + 1))
    assert rows[0].prev_hash == audit.GENESIS
    assert all(b.prev_hash == a.hash for a, b in zip(rows, rows[1:]))
    assert [r.details_dict.get("n") for r in rows[-3:]] == [0, 1, 2]
    assert _entries(db, world.coop_b)[0].seq == 1  # B has its own chain
    assert audit.verify() == []


def test_every_entry_hashes_as_the_verifier_does_whatever_its_details(db, world):
    """On PostgreSQL the database hashes the entry (``coop_audit_next``); the verifier hashes in
    Python. Text that JSON escapes, other scripts, nesting and empty values must give the same."""
    odd = {"naam": 'Zoë "de" Vries\\\n\tß 日本 😀 \u2028', "nested": {"b": [1, 2.5, None, True], "a": {}},
           "leeg": "", "getal": -0.0, "groot": 10 ** 20}
    audit.record("test.odd", actor=world.board_a, cooperative=world.coop_a, obj=world.coop_a, **odd)
    audit.record("test.nobody", cooperative=world.coop_a, object_type="Ding", object_id="ä/1")
    audit.record("test.platform")
    rows = _entries(db, world.coop_a)[-2:]
    for row in rows:
        assert row.hash == row.compute_hash()
    assert rows[0].details_dict["naam"] == odd["naam"] and rows[0].actor_id == world.board_a.id
    assert rows[1].actor_id is None and rows[1].object_id == "ä/1"
    assert rows[0].created_at <= rows[1].created_at
    assert audit.verify() == []


def test_editing_an_entry_is_detected(db, world):
    for i in range(3):
        audit.record("test.thing", actor=world.board_a, cooperative=world.coop_a, amount=i)
    second = _entries(db, world.coop_a)[1]
    db.session.execute(sa.update(AuditEntry).where(AuditEntry.id == second.id)
                       .values(details=json.dumps({"amount": 999})))
    breaks = audit.verify()
    assert len(breaks) == 1
    assert breaks[0].tenant_key == f"coop:{world.coop_a.id}" and breaks[0].seq == 2


def test_deleting_an_entry_is_detected(db, world):
    for i in range(3):
        audit.record("test.thing", cooperative=world.coop_a, n=i)
    second = _entries(db, world.coop_a)[1]
    db.session.execute(sa.delete(AuditEntry).where(AuditEntry.id == second.id))
    breaks = audit.verify()
    assert [(b.seq, b.reason) for b in breaks] == [(2, "entry 2 is missing")]


def test_rewriting_an_entry_with_a_fresh_hash_breaks_the_next_link(db, world):
    for i in range(3):
        audit.record("test.thing", cooperative=world.coop_a, n=i)
    first = _entries(db, world.coop_a)[0]
    first.details = json.dumps({"n": 42})
    first.hash = first.compute_hash()  # a forger recomputes this entry's own hash …
    db.session.flush()
    breaks = audit.verify()
    assert breaks and breaks[0].seq == 2  # … but the next entry still points at the old one


def test_chain_cannot_fork(db, world):
    import pytest

    audit.record("test.thing", cooperative=world.coop_a)
    row = _entries(db, world.coop_a)[-1]
    dup = AuditEntry(tenant_key=row.tenant_key, seq=row.seq, action="x", details="{}",
                     created_at=row.created_at, prev_hash=row.prev_hash, hash=row.hash)
    db.session.add(dup)
    with pytest.raises(sa.exc.IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_cli_audit_verify_exit_codes(app, db, world):
    audit.record("test.thing", cooperative=world.coop_a, n=1)
    audit.record("test.thing", cooperative=world.coop_a, n=2)
    db.session.commit()
    runner = app.test_cli_runner()
    ok = runner.invoke(args=["coop", "audit-verify"])
    assert ok.exit_code == 0 and "intact" in ok.output
    last = _entries(db, world.coop_a)[-1]
    db.session.execute(sa.update(AuditEntry).where(AuditEntry.id == last.id).values(action="forged"))
    db.session.commit()
    bad = runner.invoke(args=["coop", "audit-verify"])
    assert bad.exit_code == 1
    assert f"coop:{world.coop_a.id} at entry {last.seq}" in bad.output


def test_board_sees_log_paginated_and_filtered(client, db, world, login_as, app, monkeypatch,
                                               make_coop, make_user, grant):
    monkeypatch.setitem(app.config, "PER_PAGE", 10)
    coop = make_coop(slug="coop-c")
    board = make_user()
    grant(board, "board", coop)
    for i in range(25):
        audit.record("test.alpha" if i % 2 else "test.beta", actor=board, cooperative=coop, n=i)
    audit.record("test.secret", cooperative=world.coop_b)
    db.session.commit()
    login_as(client, board)
    import re

    def rows(html):
        return [int(n) for n in re.findall(r"<tr>\s*<td>(\d+)</td>", html)]

    def text(path):  # as read: an action may break after its dots (<wbr>)
        return client.get(path).get_data(as_text=True).replace("<wbr>", "")

    page1 = text("/c/coop-c/audit")
    assert "test.alpha" in page1 and "test.secret" not in page1
    assert rows(page1) == list(range(25, 15, -1))  # newest ten, newest first
    older = re.search(r'href="([^"]+)" rel="next"', page1).group(1).replace("&amp;", "&")
    page2 = client.get(older).get_data(as_text=True)
    assert rows(page2) == list(range(15, 5, -1))
    page3 = client.get(re.search(r'href="([^"]+)" rel="next"', page2).group(1).replace("&amp;", "&")).get_data(as_text=True)
    assert rows(page3) == [5, 4, 3, 2, 1] and 'rel="next"' not in page3
    newer = re.search(r'href="([^"]+)" rel="prev"', page3).group(1).replace("&amp;", "&")
    assert rows(client.get(newer).get_data(as_text=True)) == list(range(15, 5, -1))
    beta = text("/c/coop-c/audit?action=test.b")
    assert rows(beta) == list(range(25, 5, -2)) and "test.alpha</code>" not in beta
    by_actor = client.get("/c/coop-c/audit?actor=nobody@").get_data(as_text=True)
    assert "No entries match" in by_actor
    # Each row says who did it and what changed; by part of the actor's address.
    assert re.search(rf"<td>25</td>\s*<td class=\"when\">[^<]+</td>\s*<td>{re.escape(board.email)}</td>\s*"
                     r"<td><code class=\"action\">test.beta</code>"
                     r"</td>\s*<td></td>\s*<td class=\"details\"><span><b>n</b>: 24</span>", page1)
    assert rows(client.get(f"/c/coop-c/audit?actor={board.email.split('@')[0].upper()}").get_data(as_text=True)) \
        == list(range(25, 15, -1))


def test_log_names_the_system_when_nobody_acted(client, db, login_as, make_coop, make_user, grant):
    coop = make_coop(slug="coop-s")
    board = make_user()
    grant(board, "board", coop)
    audit.record("test.nightly", cooperative=coop, obj=coop, sent=3, skipped=None)
    db.session.commit()
    login_as(client, board)
    html = client.get("/c/coop-s/audit").get_data(as_text=True)
    assert "<td>system</td>" in html and f"<td>Cooperative {coop.id}</td>" in html
    assert "<b>sent</b>: 3" in html and "skipped" not in html


def test_members_do_not_see_the_log(client, world, login_as):
    login_as(client, world.member_a)
    assert client.get("/c/coop-a/audit").status_code == 403


@pytest.mark.real_commits
def test_concurrent_writers_of_one_tenant_extend_one_chain(app):
    """Twenty requests of one cooperative append to its log at the same instant, each in a
    connection of its own: every entry lands, in one unbroken chain (no fork, no gap)."""
    from coop.orgs.models import Cooperative
    from tests.storm import BUSY, storm, tenant_with_member

    writers = 20
    with tenant_with_member(app, "keten", cbs_code="GM9874", kvk_number="98765414") as (s, coop, _member, _cleanup):
        coop_id = coop.id
        s.commit()
        outcome = storm(app, writers, lambda session: (session.get(Cooperative, coop_id),),
                        lambda n, c: audit.record("test.storm", cooperative=c, n=n), done="written")
        written = outcome.count("written")
        if s.get_bind().dialect.name == "postgresql":
            assert written == writers, outcome
        else:  # SQLite has one writer at a time; a client tries again
            assert written >= 1 and set(outcome) <= {"written", BUSY}, outcome
        rows = s.execute(sa.select(AuditEntry.seq, AuditEntry.details)
                         .where(AuditEntry.tenant_key == f"coop:{coop_id}").order_by(AuditEntry.seq)).all()
        stormed = [r for r in rows if '"n"' in r.details]
        assert len(stormed) == written
        assert [r.seq for r in rows] == list(range(1, len(rows) + 1))
        with app.app_context():
            assert not [b for b in audit.verify() if b.tenant_key == f"coop:{coop_id}"]
