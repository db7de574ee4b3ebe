"""Voting: a burst of ballots and the tally of 100,000 ballots. Prints figures; asserts nothing.

1. **burst**: ``--voters`` members on the frozen roll of one open vote; ``--threads`` client
   threads cast every member's ballot as fast as they can, each cast in its own database
   session and transaction through ``coop.voting.services.cast`` (the service the ballot page
   calls) — ballots/s and p50/p95 latency. Afterwards: exactly one ballot per voter, the vote is
   closed and recounted (equal to the frozen result?).
   NOTE: this runs in-process with threads, not over HTTP under gunicorn (not built yet).
2. **tally**: tally and SHA-256 hash of ``--ballots`` ballots with the pure rules.

    .venv/bin/python bench/bench_voting.py                               # temporary SQLite
    .venv/bin/python bench/bench_voting.py --pg postgresql+psycopg:///coop_voting_bench
"""
from __future__ import annotations

import argparse
import queue
import random
import statistics
import sys
import tempfile
import threading
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bench_meetings import seed_members  # noqa: E402


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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--voters", type=int, default=5000)
    parser.add_argument("--threads", type=int, default=16)
    parser.add_argument("--ballots", type=int, default=100_000)
    parser.add_argument("--secret", action="store_true")
    parser.add_argument("--pg", metavar="URL", help="PostgreSQL URL (default: a temporary SQLite file)")
    args = parser.parse_args()

    tally_bench(args.ballots)
    tmp = Path(tempfile.mkdtemp(prefix="coop-bench-voting-"))
    url = args.pg or f"sqlite:///{tmp / 'bench.sqlite'}"
    from coop import create_app
    from coop.extensions import db

    app = create_app({"SECRET_KEY": "bench-" * 8, "SQLALCHEMY_DATABASE_URI": url,
                      "SQLALCHEMY_ENGINE_OPTIONS": {"pool_size": args.threads, "max_overflow": 4},
                      "RATELIMIT_STORAGE_URI": "memory://", "MAIL_BACKEND": "null"})
    ids = {}
    with app.app_context():
        from flask_migrate import upgrade
        from sqlalchemy import func, insert, select

        from coop.core.db import utcnow
        from coop.meetings.models import GeneralMeeting, MeetingStatus
        from coop.members.models import Member
        from coop.orgs.models import Cooperative, Municipality, StatutesProfile
        from coop.voting.models import RollEntry, Vote, VoteKind

        upgrade()
        tag = f"{random.randrange(10**6):06d}"
        muni = Municipality(name=f"Bench {tag}", slug=f"bench-{tag}", cbs_code=f"GM{tag[:4]}")
        coop = Cooperative(name=f"Bench {tag}", slug=f"bench-stem-{tag}", kvk_number=f"7{tag}0", municipality=muni)
        coop.domains = ["energy"]
        coop.statutes = StatutesProfile()
        db.session.add_all([muni, coop])
        db.session.commit()
        print(f"database: {db.engine.url.render_as_string(hide_password=True)} ({db.engine.dialect.name})")
        seed_members(coop, args.voters, random.Random(2026))
        now = utcnow()
        meeting = GeneralMeeting(cooperative_id=coop.id, title="ALV", status=MeetingStatus.IN_SESSION,
                                 starts_at=now, place="Zaal", record_on=date.today(), convened_at=now,
                                 voting_opened_at=now)
        db.session.add(meeting)
        db.session.flush()
        vote = Vote(cooperative_id=coop.id, meeting_id=meeting.id, kind=VoteKind.POLL, title="Begroting",
                    options_json='["voor", "tegen"]', is_secret=args.secret, seed="bench",
                    opens_at=now - timedelta(minutes=1), closes_at=now + timedelta(hours=2))
        db.session.add(vote)
        db.session.flush()
        member_ids = list(db.session.scalars(select(Member.id).where(Member.cooperative_id == coop.id)))
        db.session.execute(insert(RollEntry), [{"vote_id": vote.id, "member_id": m, "weight": 1} for m in member_ids])
        db.session.commit()
        ids.update(vote=vote.id)

    work: queue.Queue = queue.Queue()
    for m in member_ids:
        work.put(m)
    times, failures = [], []
    lock = threading.Lock()

    def client():
        from coop.core.errors import DomainError
        from coop.voting import services
        from coop.voting.models import Vote
        from coop.members.models import Member

        with app.app_context():
            while True:
                try:
                    m = work.get_nowait()
                except queue.Empty:
                    return
                t0 = time.perf_counter()
                for attempt in range(20):
                    try:
                        vote = db.session.get(Vote, ids["vote"])
                        member = db.session.get(Member, m)
                        services.cast(vote, member, {m: random.choice(["voor", "tegen"])}, actor=None)
                        db.session.commit()
                        break
                    except DomainError as error:
                        db.session.rollback()
                        with lock:
                            failures.append(str(error))
                        break
                    except Exception:  # noqa: BLE001 — SQLite busy: try again, as a client would
                        db.session.rollback()
                        time.sleep(0.01 * (attempt + 1))
                else:
                    with lock:
                        failures.append("gave up")
                with lock:
                    times.append(time.perf_counter() - t0)
                db.session.remove()

    t = time.perf_counter()
    threads = [threading.Thread(target=client) for _ in range(args.threads)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    took = time.perf_counter() - t
    times.sort()
    print(f"burst: {len(times):,} ballots by {args.threads} threads in {took:.1f} s = {len(times) / took:.0f} ballots/s; "
          f"p50 {statistics.median(times) * 1000:.0f} ms, p95 {times[int(len(times) * 0.95)] * 1000:.0f} ms, "
          f"failures {len(failures)}")
    with app.app_context(), app.test_request_context():
        from sqlalchemy import func, select

        from coop.voting import services
        from coop.voting.models import Ballot, Participation, Vote

        vote = db.session.get(Vote, ids["vote"])
        table = Participation if vote.is_secret else Ballot
        n, distinct = db.session.execute(select(func.count(), func.count(table.member_id.distinct()))
                                         .where(table.vote_id == vote.id)).one()
        print(f"after the burst: {n:,} ballots for {distinct:,} distinct voters of {len(member_ids):,} on the roll")
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
