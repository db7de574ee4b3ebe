"""General meetings at 100,000 members: check-in search, convocation, letters. Prints figures;
asserts nothing.

Creates a cooperative with ``--members`` register entries (60 % with e-mail consent) on the
given database, then in this process, with the services the pages use:

1. **check-in search**: ``--searches`` look-ups at the door (membership number, postcode,
   part of a name, the QR token) — p50/p95/max in ms;
2. **convocation** of every member (e-mails with the .ics invitation queued in the outbox,
   a convocation row per member), with progress per batch and the peak memory of the process;
3. **letters**: one part of the letter batch (``--letters`` letters, one A4 page each, with
   the QR code) rendered with WeasyPrint — pages per second and memory.

    .venv/bin/python bench/bench_meetings.py                          # temporary SQLite
    createdb coop_bench_meetings
    .venv/bin/python bench/bench_meetings.py --pg postgresql+psycopg:///coop_bench_meetings

Targets (issue 4): search p95 <= 50 ms; convocation of 100,000 with progress and at most a few
hundred MB; letters >= 20 pages/s.
"""
from __future__ import annotations

import argparse
import random
import resource
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bench_import import CITIES, FIRST, LAST, PREFIX, STREETS  # noqa: E402


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def seed_members(coop, n: int, rng: random.Random) -> None:
    from sqlalchemy import insert

    from coop.core.db import utcnow
    from coop.extensions import db
    from coop.members.models import Member, make_sort_name

    now = utcnow()
    rows = []
    for i in range(n):
        first, prefix, last = rng.choice(FIRST), rng.choice(PREFIX) or None, rng.choice(LAST)
        mail = rng.random() < 0.6
        rows.append({
            "cooperative_id": coop.id, "number": i + 1, "status": "member", "first_name": first,
            "name_prefix": prefix, "last_name": last, "sort_name": make_sort_name(first, last, prefix),
            "street": rng.choice(STREETS), "house_number": str(rng.randrange(1, 300)),
            "postcode": f"{rng.randrange(1000, 9999)} {rng.choice('ABCDEFGHJKLMNPRTVWXZ')}{rng.choice('ABCDEFGHJKLMNPRTVWXZ')}",
            "city": rng.choice(CITIES), "email": f"lid{i}@voorbeeld.nl" if mail else None,
            "channel": "email" if mail else "letter", "email_consent_at": now if mail else None,
            "admitted_on": now.date(), "applied_on": now.date(), "has_appealed": False,
            "has_energy": True, "has_care": False, "has_housing": False, "has_other": False,
            "created_at": now, "updated_at": now})
        if len(rows) == 5000:
            db.session.execute(insert(Member), rows)
            rows = []
    if rows:
        db.session.execute(insert(Member), rows)
    coop.last_member_number = n
    db.session.commit()
    if db.engine.dialect.name == "postgresql":
        db.session.execute(__import__("sqlalchemy").text("ANALYZE member"))
        db.session.commit()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--searches", type=int, default=300)
    parser.add_argument("--letters", type=int, default=500)
    parser.add_argument("--parallel-parts", type=int, default=2, help="parts rendered by two processes (0: skip)")
    parser.add_argument("--pg", metavar="URL", help="PostgreSQL URL (default: a temporary SQLite file)")
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="coop-bench-meetings-"))
    url = args.pg or f"sqlite:///{tmp / 'bench.sqlite'}"
    from coop import create_app
    from coop.extensions import db

    app = create_app({"SECRET_KEY": "bench-" * 8, "SQLALCHEMY_DATABASE_URI": url,
                      "RATELIMIT_STORAGE_URI": "memory://", "MAIL_BACKEND": "null",
                      "UPLOAD_DIR": str(tmp / "uploads")})
    with app.app_context(), app.test_request_context(headers={"Accept-Language": "nl"}):
        from flask_migrate import upgrade
        from sqlalchemy import func, select

        from coop.core.db import utcnow
        from coop.core.mail import OutboxMessage
        from coop.meetings import letters, services
        from coop.meetings.models import Convocation
        from coop.members.models import Member
        from coop.orgs.models import Cooperative, Municipality, StatutesProfile

        upgrade()
        rng = random.Random(2026)
        tag = f"{random.randrange(10**6):06d}"
        muni = Municipality(name=f"Bench {tag}", slug=f"bench-{tag}", cbs_code=f"GM{tag[:4]}")
        coop = Cooperative(name=f"Energiecoöperatie Bench {tag}", slug=f"bench-alv-{tag}",
                           kvk_number=f"8{tag}0", municipality=muni)
        coop.domains = ["energy"]
        coop.statutes = StatutesProfile()
        db.session.add_all([muni, coop])
        db.session.commit()
        print(f"database: {db.engine.url.render_as_string(hide_password=True)} ({db.engine.dialect.name})")
        t = time.perf_counter()
        seed_members(coop, args.members, rng)
        print(f"seeded {args.members:,} members in {time.perf_counter() - t:.1f} s")

        meeting = services.create_meeting(coop, {
            "title": "Algemene ledenvergadering", "kind": "regular",
            "starts_at": utcnow() + timedelta(days=30), "duration_minutes": 120,
            "place": "Sporthal De Bongerd, Groningen", "online_url": "https://vergaderen.example/alv",
            "record_on": utcnow().date()}, actor=None)
        for title in ("Jaarrekening 2025", "Begroting 2027", "Investering windpark", "Verkiezing bestuur"):
            services.add_item(meeting, {"title": title, "kind": "decision"}, actor=None)
        db.session.commit()

        # 2. convocation (before the search, which also looks up QR tokens)
        rss0 = peak_mb()
        t = time.perf_counter()
        last = [0.0]

        def progress(done, total):
            if time.perf_counter() - last[0] > 5 or done == total:
                last[0] = time.perf_counter()
                print(f"  convened {done:>7,} of {total:,}  ({time.perf_counter() - t:5.1f} s, "
                      f"peak RSS {peak_mb():.0f} MB)", flush=True)

        counts = services.convene(meeting, actor=None, progress=progress)
        db.session.commit()
        seconds = time.perf_counter() - t
        queued = db.session.scalar(select(func.count()).select_from(OutboxMessage))
        print(f"convocation: {counts['email']:,} e-mails queued ({queued:,} in the outbox), "
              f"{counts['letter']:,} letters, in {seconds:.1f} s ({args.members / seconds:,.0f} members/s); "
              f"peak RSS {peak_mb():.0f} MB (was {rss0:.0f} MB before)")

        # 1. check-in search
        tokens = db.session.scalars(select(Convocation.token).where(Convocation.meeting_id == meeting.id)
                                    .limit(50)).all()
        sample = db.session.execute(select(Member.number, Member.postcode, Member.last_name)
                                    .where(Member.cooperative_id == coop.id).limit(2000)).all()
        queries = []
        for i in range(args.searches):
            number, postcode, last_name = rng.choice(sample)
            kind = i % 4
            queries.append(str(number) if kind == 0 else postcode.replace(" ", "").lower() if kind == 1
                           else last_name.split()[-1][:5].lower() + " " + rng.choice(FIRST)[:3].lower()
                           if kind == 2 else rng.choice(tokens))
        timings = []
        for q in queries:
            t0 = time.perf_counter()
            found = services.find_for_check_in(meeting, q)
            timings.append((time.perf_counter() - t0) * 1000)
            db.session.expunge_all() if len(db.session.identity_map) > 5000 else None
            assert found is not None
        timings.sort()
        p95 = timings[int(len(timings) * 0.95) - 1]
        print(f"check-in search: {len(timings)} look-ups (number, postcode, name, QR token): "
              f"p50 {statistics.median(timings):.1f} ms, p95 {p95:.1f} ms, max {timings[-1]:.1f} ms")

        # 3. letters
        meeting = db.session.merge(meeting)
        rss0 = peak_mb()
        parts = letters.part_count(meeting)
        letters.render_part(meeting, 1, part_size=1)  # warm-up: WeasyPrint's first document loads fonts
        t, cpu = time.perf_counter(), time.process_time()
        pdf = letters.render_part(meeting, 1, part_size=args.letters)
        seconds, cpu = time.perf_counter() - t, time.process_time() - cpu
        pages = min(args.letters, counts["letter"])
        print(f"letters: {pages} letters ({len(pdf) / 1e6:.1f} MB PDF) in {seconds:.1f} s = "
              f"{pages / seconds:.1f} pages/s ({pages / cpu:.1f} pages per CPU second, one core); "
              f"{parts} parts of {letters.PART_SIZE} for all {counts['letter']:,} letters; "
              f"peak RSS {peak_mb():.0f} MB (was {rss0:.0f} MB)")
        # 4. the letter batch through `flask meetings letters --jobs 2` (two processes)
        if args.parallel_parts:
            db.session.commit()
            out = tmp / "letters"
            t = time.perf_counter()
            result = app.test_cli_runner().invoke(args=["meetings", "letters", str(meeting.id), "--out", str(out),
                                                        "--jobs", "2", "--parts", str(args.parallel_parts)])
            seconds = time.perf_counter() - t
            pages = min(args.parallel_parts * letters.PART_SIZE, counts["letter"])
            print(result.output.rstrip())
            print(f"letters, 2 processes: {pages} letters in {seconds:.1f} s = {pages / seconds:.1f} pages/s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
