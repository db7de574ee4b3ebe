"""Voting: a burst of ballots over HTTP under gunicorn, and the tally of 100,000 ballots.
Prints figures; asserts nothing.

1. **burst**: ``--voters`` members, each with an account, on the frozen roll of one open vote
   of a meeting in session; gunicorn serves the app with the production configuration (as
   ``run.py`` does); ``--clients`` concurrent clients (``vote_clients.py``, gevent, in a
   process of their own) POST every member's ballot to the member's ballot page as fast as the
   server answers — ballots/s and p50/p95 until the confirmation page arrived. The clients are
   signed in beforehand (a session cookie and CSRF token made with the server's key, as after
   signing in and opening the ballot page); ``--with-page`` also GETs the ballot page first.
   Afterwards: exactly one ballot per voter? The vote is closed and recounted (equal to the
   frozen result?).
2. **tally**: tally and SHA-256 hash of ``--ballots`` ballots with the pure rules.

    .venv/bin/python bench/bench_voting.py                                  # temporary SQLite
    .venv/bin/python bench/bench_voting.py --pg postgresql+psycopg:///coop_bench_voting

Targets (issue 5): PostgreSQL ≥ 300 ballots/s with p95 ≤ 300 ms; SQLite ≥ 150 ballots/s;
tally + hash of 100,000 ballots ≤ 1 s.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import secrets
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench.bench_meetings import seed_members  # noqa: E402
from bench.common import empty_postgresql, interpreter  # noqa: E402


def tally_bench(n: int) -> None:
    from coop.voting import rules

    rng = random.Random(7)
    ballots = [(rng.choice(["for", "for", "against", "abstain", "blank"]), 1) for _ in range(n)]
    roll = [(i, 1) for i in range(n)]
    t = time.perf_counter()
    outcome = rules.tally_motion(ballots, roll_weight=n, rule=rules.MajorityRule(1, 2)).as_dict()
    digest = rules.result_hash(roll, ballots, outcome)
    took = time.perf_counter() - t
    print(f"tally + hash of {n:,} ballots: {took * 1000:.0f} ms ({outcome['outcome']}, {digest[:12]}…)")


def seed_history(meeting, user_of: dict[int, int], votes: int) -> None:
    """``votes`` earlier votes of the meeting, each with a ballot of every member and an audit
    entry for each ballot (continuing the cooperative's hash chain), closed by the app's own
    ``close_vote``: a cooperative that has voted before. Without them the burst would start on
    empty ballot and audit tables, whose first statements PostgreSQL plans (and prepared
    statements keep) as scans of tiny tables, which the burst then grows; see bench/README.md."""
    from sqlalchemy import insert

    from coop.core.db import utcnow
    from coop.extensions import db
    from coop.voting import services
    from coop.voting.models import Ballot, RollEntry, Vote, VoteKind
    from seed import Chains

    rng = random.Random(5)
    for k in range(votes):
        now = utcnow()
        vote = Vote(cooperative_id=meeting.cooperative_id, meeting_id=meeting.id, kind=VoteKind.POLL,
                    title=f"Eerdere stemming {k + 1}", options_json='["voor", "tegen"]', seed=f"history-{k}",
                    opens_at=now - timedelta(hours=1), closes_at=now + timedelta(hours=1))
        db.session.add(vote)
        db.session.flush()
        db.session.execute(insert(RollEntry), [{"vote_id": vote.id, "member_id": m, "weight": 1} for m in user_of])
        db.session.execute(insert(Ballot), [
            {"vote_id": vote.id, "member_id": m, "choice": rng.choice(["voor", "tegen"]), "weight": 1,
             "channel": "online", "cast_at": now} for m in user_of])
        chains = Chains()
        for m, u in user_of.items():
            chains.add("voting.vote.cast", actor_id=u, cooperative_id=meeting.cooperative_id, object_type="Vote",
                       object_id=vote.id, members=[m], by=m, channel="online")
        chains.flush()
        services.close_vote(vote, actor=None)
        db.session.commit()


#: The clients' browser (``vote_clients.py --user-agent``).
USER_AGENT = "coop-bench-voter/1"


def seed(app, voters: int, secret_ballot: bool, history: int = 0) -> tuple[int, str, list[dict]]:
    """A cooperative with ``voters`` members with accounts, a meeting in session and an open
    vote with its roll (after ``history`` earlier votes, :func:`seed_history`); returns (vote
    id, cooperative slug, the voters' cookies and tokens)."""
    from itsdangerous import URLSafeTimedSerializer
    from sqlalchemy import insert, select, update
    from werkzeug.security import generate_password_hash

    from coop.auth.models import User, new_token
    from coop.core.db import utcnow
    from coop.extensions import db
    from coop.meetings.models import GeneralMeeting, MeetingStatus
    from coop.members.models import Member
    from coop.orgs.models import Cooperative, Municipality, Role, RoleAssignment, StatutesProfile
    from coop.voting.models import RollEntry, Vote, VoteKind

    tag = f"{random.randrange(10**6):06d}"
    muni = Municipality(name=f"Bench {tag}", slug=f"bench-{tag}", cbs_code=f"GM{tag[:4]}")
    coop = Cooperative(name=f"Bench {tag}", slug=f"bench-stem-{tag}", kvk_number=f"7{tag}0", municipality=muni)
    coop.domains = ["energy"]
    coop.statutes = StatutesProfile()
    db.session.add_all([muni, coop])
    db.session.commit()
    seed_members(coop, voters, random.Random(2026))
    now = utcnow()
    pw_hash = generate_password_hash(secrets.token_urlsafe(12))
    members = db.session.execute(select(Member.id, Member.number).where(Member.cooperative_id == coop.id)
                                 .order_by(Member.id)).all()
    tokens = {m.id: new_token() for m in members}
    user_rows = [{"email": f"stemmer{m.number}@bench.example", "name": f"Stemmer {m.number}", "password_hash": pw_hash,
                  "locale": "nl", "session_token": tokens[m.id], "is_active": True, "created_at": now} for m in members]
    user_ids = []
    for start in range(0, len(user_rows), 5000):
        user_ids += db.session.scalars(insert(User).returning(User.id, sort_by_parameter_order=True),
                                       user_rows[start:start + 5000]).all()
    by_member = dict(zip([m.id for m in members], user_ids))
    db.session.execute(insert(RoleAssignment), [{"user_id": u, "role": Role.MEMBER, "cooperative_id": coop.id,
                                                 "created_at": now} for u in user_ids])
    db.session.execute(update(Member), [{"id": m, "user_id": u} for m, u in by_member.items()])
    meeting = GeneralMeeting(cooperative_id=coop.id, title="ALV", status=MeetingStatus.IN_SESSION,
                             starts_at=now, place="Zaal", record_on=date.today(), convened_at=now,
                             voting_opened_at=now)
    db.session.add(meeting)
    db.session.flush()
    if history:
        with app.test_request_context():
            seed_history(meeting, by_member, history)
    vote = Vote(cooperative_id=coop.id, meeting_id=meeting.id, kind=VoteKind.POLL, title="Begroting",
                options_json='["voor", "tegen"]', is_secret=secret_ballot, seed="bench",
                opens_at=now - timedelta(minutes=1), closes_at=now + timedelta(hours=2))
    db.session.add(vote)
    db.session.flush()
    db.session.execute(insert(RollEntry), [{"vote_id": vote.id, "member_id": m.id, "weight": 1} for m in members])
    db.session.commit()
    if db.engine.dialect.name == "postgresql":
        # What autovacuum would soon do after seeding (as seed.py does): otherwise it may
        # process the seeded tables during the burst, in some runs and not in others.
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE")

    cookies = app.session_interface.get_signing_serializer(app)
    csrf = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt="wtf-csrf-token")
    # The session as signing in from the clients' address and browser leaves it: with the
    # identifier of both (Flask-Login's session protection), which the server checks on every
    # request. Without it the server marked each session "not fresh" and sent a new cookie.
    from coop.extensions import login_manager

    with app.test_request_context(environ_base={"REMOTE_ADDR": "127.0.0.1"}, headers={"User-Agent": USER_AGENT}):
        identifier = login_manager._session_identifier_generator()
    out = []
    for m in members:
        raw = hashlib.sha1(os.urandom(64)).hexdigest()
        out.append({"path": f"/me/c/{coop.slug}/votes/{vote.id}", "field": f"m{m.id}", "csrf": csrf.dumps(raw),
                    "cookie": cookies.dumps({"_user_id": tokens[m.id], "_fresh": True, "_id": identifier,
                                             "csrf_token": raw})})
    return vote.id, coop.slug, out


def _is_autovacuum(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return b"autovacuum" in f.read()
    except OSError:
        return False


def _phase(cmd: list[str], pid: int, pg_name: str | None) -> dict | None:
    """Run the clients once; add the server's CPU seconds (gunicorn and its PostgreSQL backends)
    and the share of the machine other programs used meanwhile."""
    from cpu import cpu_used, machine_busy, server_snapshot

    before = server_snapshot(pid, pg_name)
    busy0, all0 = machine_busy()
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=1800)
    busy1, all1 = machine_busy()
    if done.returncode != 0:
        print(done.stderr[-3000:], file=sys.stderr)
        return None
    out = json.loads(done.stdout)
    used = cpu_used(before, server_snapshot(pid, pg_name))
    out["server_cpu"] = sum(v for _app, v in used.values())
    out["app_cpu"] = sum(v for is_app, v in used.values() if is_app)
    out["autovacuum_cpu"] = sum(v for p, (_app, v) in used.items() if _is_autovacuum(p))
    others = (busy1 - busy0) - out["server_cpu"] - out["cpu_seconds"]
    out["others"] = max(0.0, others) / max(all1 - all0, 1e-9) * 100
    return out


def main() -> int:
    from run import app_env, gunicorn

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--voters", type=int, default=5000)
    parser.add_argument("--clients", type=int, default=50, help="concurrent clients (default %(default)s)")
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1),
                        help="gunicorn workers (default 2 × CPUs)")
    parser.add_argument("--worker-class", default="sync", help="gunicorn worker class (default %(default)s)")
    parser.add_argument("--threads", type=int, default=1, help="threads per worker (gthread; default %(default)s)")
    parser.add_argument("--ballots", type=int, default=100_000)
    parser.add_argument("--secret", action="store_true", help="a secret vote (default: open, roll-call)")
    parser.add_argument("--with-page", action="store_true", help="each client GETs the ballot page first")
    parser.add_argument("--history", type=int, default=2, metavar="N",
                        help="earlier votes of the cooperative, each with a ballot of every voter (default %(default)s)")
    parser.add_argument("--pg", metavar="URL", help="PostgreSQL URL, emptied first (default: a temporary SQLite file)")
    args = parser.parse_args()

    tally_bench(args.ballots)
    tmp = Path(tempfile.mkdtemp(prefix="coop-bench-voting-"))
    url = args.pg or f"sqlite:///{tmp / 'bench.sqlite'}"
    if args.pg:
        empty_postgresql(url)
    secret = secrets.token_urlsafe(48)
    from coop import create_app
    from coop.extensions import db

    app = create_app({"SECRET_KEY": secret, "SQLALCHEMY_DATABASE_URI": url, "RATELIMIT_STORAGE_URI": "memory://",
                      "MAIL_BACKEND": "null"})
    with app.app_context():
        from flask_migrate import upgrade

        upgrade()
        print(f"database: {db.engine.url.render_as_string(hide_password=True)} ({db.engine.dialect.name}); "
              f"{interpreter()}")
        t = time.perf_counter()
        vote_id, _slug, voters = seed(app, args.voters, args.secret, args.history)
        print(f"seeded {len(voters):,} voters with accounts, and {args.history} earlier votes with a ballot of each, "
              f"in {time.perf_counter() - t:.1f} s")
        db.session.remove()
        db.engine.dispose()
    voters_path = tmp / "voters.json"
    voters_path.write_text(json.dumps(voters), encoding="utf-8")

    pg_name = url.rsplit("/", 1)[1].split("?")[0] if args.pg else None
    with gunicorn(app_env(url, secret), args.workers, args.worker_class, args.threads, tmp) as (host, log_path, pid):
        cmd = [sys.executable, str(ROOT / "bench" / "vote_clients.py"), "--host", host, "--voters", str(voters_path),
               "--clients", str(args.clients), "--user-agent", USER_AGENT] + (["--with-page"] if args.with_page else [])
        burst = _phase(cmd, pid, pg_name)
        bare = _phase(cmd + ["--bare", str(len(voters))], pid, pg_name)
        if burst is None or bare is None:
            return 2
    server_log = log_path.read_text()
    if "Traceback" in server_log:
        print(f"gunicorn logged errors:\n{server_log[-3000:]}")
    kind = "secret" if args.secret else "open"
    print(f"burst ({kind} vote, {args.workers} {args.worker_class} workers"
          f"{f' × {args.threads} threads' if args.threads > 1 else ''}, {args.clients} clients"
          f"{', GET + POST' if args.with_page else ', POST'}): {burst['ballots']:,} ballots in {burst['seconds']} s "
          f"= {burst['per_second']} ballots/s; p50 {burst['p50_ms']} ms, p95 {burst['p95_ms']} ms, "
          f"p99 {burst['p99_ms']} ms; failures {burst['failures'] or 0}")
    print(f"bare GET /health, same clients: {bare['per_second']} requests/s; p95 {bare['p95_ms']} ms")
    if burst["ballots"] and bare["ballots"]:
        per_ballot, per_bare = burst["server_cpu"] / burst["ballots"], bare["server_cpu"] / bare["ballots"]
        print(f"ballots/s over bare requests/s: {burst['per_second'] / bare['per_second']:.2f}; server CPU "
              f"(gunicorn{' + PostgreSQL' if pg_name else ''}) per ballot {per_ballot * 1000:.1f} ms, per bare request "
              f"{per_bare * 1000:.1f} ms (ratio {per_ballot / per_bare:.1f}); at that cost the server alone on "
              f"{os.cpu_count()} CPUs answers at most {os.cpu_count() / per_ballot:.0f} ballots/s; other programs used "
              f"{burst['others']:.0f} % of the machine during the burst")
        print(f"CPU per ballot: gunicorn {burst['app_cpu'] / burst['ballots'] * 1000:.1f} ms"
              + (f", PostgreSQL {(burst['server_cpu'] - burst['app_cpu']) / burst['ballots'] * 1000:.1f} ms "
                 f"(of which autovacuum {burst['autovacuum_cpu'] / burst['ballots'] * 1000:.1f} ms)" if pg_name else "")
              + f", the clients {burst['cpu_seconds'] / burst['ballots'] * 1000:.1f} ms")

    with app.app_context(), app.test_request_context():
        from sqlalchemy import func, select

        from coop.voting import services
        from coop.voting.models import Ballot, Participation, Vote

        vote = db.session.get(Vote, vote_id)
        table = Participation if vote.is_secret else Ballot
        n, distinct = db.session.execute(select(func.count(), func.count(table.member_id.distinct()))
                                         .where(table.vote_id == vote.id)).one()
        print(f"after the burst: {n:,} ballots for {distinct:,} distinct voters of {len(voters):,} on the roll")
        t = time.perf_counter()
        services.close_vote(vote, actor=None)
        db.session.commit()
        close_s = time.perf_counter() - t
        same, _frozen, again = services.recount(vote)
        print(f"close (tally + hash from the database): {close_s * 1000:.0f} ms; counts {again['counts']}; "
              f"recount equals the frozen result: {same}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
