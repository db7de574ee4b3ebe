"""How fast are revenue distributions and the booking calendar? Prints figures; asserts nothing.

Issue 6 targets (printed, not asserted):

* a revenue distribution over 20,000 participants in at most 2 s — the whole service
  (:func:`coop.assets.revenue.create_distribution`: read the participation ledger, split pro
  rata by days with the largest remainder, store one share per member, audit), and the pure
  split alone;
* the booking calendar page (``/c/<coop>/book/<asset>``) with 10,000 bookings on record:
  p95 at most 100 ms. Measured in this process with Flask's test client (no network, no
  gunicorn), signed in as a member, for weeks spread over the bookings.

    .venv/bin/python bench/bench_assets.py                          # temporary SQLite
    createdb coop_bench_assets
    .venv/bin/python bench/bench_assets.py --pg postgresql+psycopg:///coop_bench_assets
"""
from __future__ import annotations

import argparse
import random
import shutil
import statistics
import sys
import tempfile
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from common import build_app, empty_postgresql  # noqa: E402 (bench/ is on the path)


def seed(participants: int, n_bookings: int, rng: random.Random) -> dict:
    from sqlalchemy import insert
    from werkzeug.security import generate_password_hash

    from coop.assets import services
    from coop.assets.models import Booking, ParticipationMutation
    from coop.auth.models import User
    from coop.extensions import db
    from coop.members.models import Member, MemberStatus
    from coop.orgs.models import Cooperative, Municipality, Role, RoleAssignment, StatutesProfile

    muni = Municipality(name="Benchstad", slug="benchstad", cbs_code="GM9990")
    coop = Cooperative(name="Bench Energie", slug="bench-energie", kvk_number="99887766",
                       municipality=muni)
    coop.domains = ["energy"]
    coop.statutes = StatutesProfile()
    db.session.add(coop)
    db.session.flush()
    rows = [{"cooperative_id": coop.id, "number": n, "status": MemberStatus.MEMBER,
             "first_name": f"Lid{n}", "last_name": "Bench", "sort_name": f"bench, lid{n:06d}",
             "postcode": f"{9711 + n % 30} AB", "admitted_on": date(2020, 1, 1)}
            for n in range(1, participants + 1)]
    for i in range(0, len(rows), 5000):
        db.session.execute(insert(Member), rows[i:i + 5000])
    ids = [m for m in db.session.scalars(db.select(Member.id).where(Member.cooperative_id == coop.id)
                                         .order_by(Member.number))]
    roof = services.create_asset(coop, {"kind": "solar", "name": "Benchdak", "status": "in_operation",
                                        "unit_price_cents": 10000, "max_units_per_member": 50}, actor=None)
    car = services.create_asset(coop, {"kind": "vehicle", "name": "Benchauto", "status": "in_operation",
                                       "is_bookable": True}, actor=None)
    P = ParticipationMutation
    lines = [{"cooperative_id": coop.id, "asset_id": roof.id, "kind": "issue", "status": "approved",
              "member_id": mid, "quantity": rng.randint(1, 20), "effective_on": date(2024, 1, 1)
              + timedelta(days=rng.randint(-400, 200))} for mid in ids]
    # a tenth of the holders pass one unit to another member during the year
    for giver in rng.sample(ids, len(ids) // 10):
        taker = rng.choice(ids)
        if taker != giver:
            lines.append({"cooperative_id": coop.id, "asset_id": roof.id, "kind": "transfer",
                          "status": "approved", "member_id": giver, "counterparty_id": taker,
                          "quantity": 1, "effective_on": date(2024, 7, 1)})
    for i in range(0, len(lines), 5000):
        db.session.execute(insert(P), lines[i:i + 5000])
    user = User(email="lid@bench.example", name="Bench Lid",
                password_hash=generate_password_hash("bench-wachtwoord-2026"))
    db.session.add(user)
    db.session.flush()
    db.session.add(RoleAssignment(user_id=user.id, role=Role.MEMBER, cooperative_id=coop.id))
    db.session.execute(db.update(Member).where(Member.id == ids[0]).values(user_id=user.id))
    start = datetime.now(timezone.utc).replace(minute=0, second=0, microsecond=0) - timedelta(days=700)
    bookings = [{"cooperative_id": coop.id, "asset_id": car.id, "member_id": ids[i % len(ids)],
                 "starts_at": start + timedelta(hours=3 * i),
                 "ends_at": start + timedelta(hours=3 * i + 2), "status": "active"}
                for i in range(n_bookings)]
    for i in range(0, len(bookings), 5000):
        db.session.execute(insert(Booking), bookings[i:i + 5000])
    db.session.commit()
    return {"coop": coop.slug, "roof": roof.id, "car": car.id, "start": start}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--pg", help="PostgreSQL URL (the database is emptied first)")
    ap.add_argument("--participants", type=int, default=20_000)
    ap.add_argument("--bookings", type=int, default=10_000)
    ap.add_argument("--requests", type=int, default=200)
    args = ap.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="coop-bench-assets-"))
    url = args.pg or f"sqlite:///{workdir / 'bench.sqlite'}"
    try:
        if args.pg:
            empty_postgresql(args.pg)
        app = build_app(url, workdir)
        with app.app_context():
            from flask_migrate import upgrade

            upgrade()
            from coop.extensions import db

            t = time.perf_counter()
            info = seed(args.participants, args.bookings, random.Random(6))
            print(f"backend {db.engine.dialect.name}: seeded {args.participants:,} participants and "
                  f"{args.bookings:,} bookings in {time.perf_counter() - t:.1f} s")
            if db.engine.dialect.name == "postgresql":
                with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
                    c.exec_driver_sql("VACUUM ANALYZE")
            from coop.assets import distribution, revenue, services
            from coop.assets.models import Asset

            roof = db.session.get(Asset, info["roof"])
            t = time.perf_counter()
            changes = services.changes(roof, until=date(2024, 12, 31))
            t_read = time.perf_counter() - t
            t = time.perf_counter()
            parts = distribution.distribute(1_234_567_89, changes, date(2024, 1, 1), date(2024, 12, 31))
            t_pure = time.perf_counter() - t
            assert sum(parts.values()) == 1_234_567_89
            timings = []
            for _ in range(3):
                t = time.perf_counter()
                dist = revenue.create_distribution(roof, period_start_on=date(2024, 1, 1),
                                                   period_end_on=date(2024, 12, 31),
                                                   amount_cents=1_234_567_89, actor=None)
                db.session.flush()
                timings.append(time.perf_counter() - t)
                n = revenue.totals(dist).participants
                db.session.rollback()
            print(f"distribution over {n:,} participants ({len(changes):,} ledger changes):")
            print(f"  whole service (read ledger, split, store shares, audit): best "
                  f"{min(timings):.2f} s, worst {max(timings):.2f} s  (target <= 2 s)")
            print(f"  reading the ledger {t_read:.2f} s; the pure split alone {t_pure:.2f} s")

        client = app.test_client()
        r = client.post("/login", data={"email": "lid@bench.example", "password": "bench-wachtwoord-2026"})
        assert r.status_code == 302 and "/login" not in r.headers["Location"], r.status_code
        weeks = [(info["start"] + timedelta(days=7 * k)).date() for k in range(0, 100, 3)]
        path = f"/c/{info['coop']}/book/{info['car']}"
        for w in weeks[:5]:  # warm-up
            client.get(f"{path}?week={w.isoformat()}")
        samples = []
        for i in range(args.requests):
            w = weeks[i % len(weeks)]
            t = time.perf_counter()
            r = client.get(f"{path}?week={w.isoformat()}")
            samples.append((time.perf_counter() - t) * 1000)
            assert r.status_code == 200, r.status_code
        samples.sort()
        p95 = samples[int(len(samples) * 0.95) - 1]
        print(f"booking calendar page with {args.bookings:,} bookings, {args.requests} requests: "
              f"p50 {statistics.median(samples):.1f} ms, p95 {p95:.1f} ms, max {samples[-1]:.1f} ms"
              f"  (target p95 <= 100 ms)")
        with app.app_context():
            from coop.extensions import db

            db.engine.dispose()
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
