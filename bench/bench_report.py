"""How fast is the annual report PDF? Prints figures; asserts nothing.

Issue 7 target (printed, not asserted): the annual report PDF of a cooperative with 5,000
members, 10 meetings, 50 resolutions and 40 requests to the municipality in at most 5 s and
400 MB peak memory, printed beside WeasyPrint's time for a plain document of the same page
count made in the same run.

The database is seeded in this process; the measuring is done in a fresh child process
(``--measure``) so that its peak resident memory (ru_maxrss: imports, app, figures, PDF) is the
report's alone. Measured: the figures (:func:`coop.accountability.services.snapshot`) and the
PDF (:func:`coop.accountability.documents.report_pdf`), three times each, and a plain
WeasyPrint document with as many pages (paragraphs and page breaks, the same base CSS).

    .venv/bin/python bench/bench_report.py                          # temporary SQLite
    createdb coop_bench_report
    .venv/bin/python bench/bench_report.py --pg postgresql+psycopg:///coop_bench_report
"""
from __future__ import annotations

import argparse
import json
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from common import build_app, empty_postgresql  # noqa: E402 (bench/ is on the path)

YEAR = 2025


def _insert(model, rows):
    from sqlalchemy import insert

    from coop.extensions import db

    for i in range(0, len(rows), 5000):
        db.session.execute(insert(model), rows[i:i + 5000])


def seed(n_members: int, n_meetings: int, n_resolutions: int, n_requests: int, rng: random.Random) -> dict:
    from coop.accountability import services as acc
    from coop.assets import services as assets
    from coop.liaison.models import LiaisonRequest, Outcome, RequestStatus
    from coop.liaison.services import ensure_catalogue
    from coop.meetings.models import Attendance, GeneralMeeting, MeetingStatus, Proxy, ProxySource, Resolution
    from coop.members.models import Member, MemberEvent, MemberStatus
    from coop.orgs.models import Cooperative, Municipality, StatutesProfile
    from coop.extensions import db

    muni = Municipality(name="Benchstad", slug="benchstad", cbs_code="GM9990")
    coop = Cooperative(name="Bench Energie", slug="bench-energie", kvk_number="99887766", municipality=muni,
                       founded_on=date(2015, 1, 1))
    coop.domains = ["energy"]
    coop.statutes = StatutesProfile()
    db.session.add(coop)
    db.session.flush()
    rows = []
    for n in range(1, n_members + 1):
        admitted = date(2015, 1, 1) + timedelta(days=rng.randint(0, 365 * 11 - 1))
        left = n % 25 == 0 and admitted < date(YEAR, 6, 1)
        rows.append({"cooperative_id": coop.id, "number": n,
                     "status": MemberStatus.FORMER if left else MemberStatus.MEMBER,
                     "first_name": f"Lid{n}", "last_name": "Bench", "sort_name": f"bench, lid{n:06d}",
                     "admitted_on": admitted, "ended_on": date(YEAR, 6, 30) if left else None,
                     "has_energy": True, "has_care": n % 7 == 0})
    _insert(Member, rows)
    ids = db.session.execute(db.select(Member.id, Member.admitted_on, Member.ended_on)
                             .where(Member.cooperative_id == coop.id).order_by(Member.number)).all()
    events = [{"member_id": r.id, "kind": "admitted", "to_status": MemberStatus.MEMBER,
               "effective_on": r.admitted_on} for r in ids]
    events += [{"member_id": r.id, "kind": "left", "from_status": MemberStatus.MEMBER,
                "to_status": MemberStatus.FORMER, "effective_on": r.ended_on} for r in ids if r.ended_on]
    _insert(MemberEvent, events)
    member_ids = [r.id for r in ids]
    for k in range(n_meetings):
        on = datetime(YEAR, 1 + k % 12, 10, 18, tzinfo=timezone.utc)
        m = GeneralMeeting(cooperative_id=coop.id, title=f"Ledenvergadering {k + 1}", starts_at=on, place="Dorpshuis",
                           record_on=on.date() - timedelta(days=28), status=MeetingStatus.CLOSED,
                           convened_at=on - timedelta(days=21), opened_at=on, closed_at=on + timedelta(hours=2))
        db.session.add(m)
        db.session.flush()
        present = rng.sample(member_ids, len(member_ids) // 5)
        _insert(Attendance, [{"cooperative_id": coop.id, "meeting_id": m.id, "member_id": mid,
                              "checked_in_at": on} for mid in present])
        absent = list(set(member_ids) - set(present))
        _insert(Proxy, [{"cooperative_id": coop.id, "meeting_id": m.id, "grantor_id": g, "holder_id": h,
                         "source": ProxySource.ONLINE, "granted_at": on}
                        for g, h in zip(rng.sample(absent, min(100, len(present))), rng.sample(present, min(100, len(present))))])
        per = n_resolutions // n_meetings
        _insert(Resolution, [{"cooperative_id": coop.id, "meeting_id": m.id, "year": YEAR,
                              "seq": k * per + j + 1, "title": f"Besluit {k * per + j + 1} over het zonnedak",
                              "text": "Aangenomen.", "adopted_on": on.date()} for j in range(per)])
    rtype = ensure_catalogue(muni)[0]
    reqs = []
    for k in range(n_requests):
        received = date(YEAR, 1, 5) + timedelta(days=k * 8)
        decided = k % 3 != 0
        reqs.append({"cooperative_id": coop.id, "municipality_id": muni.id, "request_type_id": rtype.id,
                     "receipt_number": f"BENCH-{k:04d}", "subject": f"Verzoek {k}", "body": "Graag.",
                     "status": RequestStatus.DECIDED if decided else RequestStatus.IN_PROGRESS,
                     "outcome": rng.choice(list(Outcome)) if decided else None,
                     "answer_text": "Besloten." if decided else None,
                     "received_on": received, "due_on": received + timedelta(days=56),
                     "decided_on": received + timedelta(days=rng.randint(20, 70)) if decided else None,
                     "submitted_at": datetime.combine(received, datetime.min.time(), timezone.utc)})
    _insert(LiaisonRequest, reqs)
    for kind, name in (("solar", "Zonnedak Sporthal"), ("wind", "Windmolen De Wiek")):
        asset = assets.create_asset(coop, {"kind": kind, "name": name, "status": "in_operation",
                                           "capacity_watts": 250_000}, actor=None)
        for month in range(1, 13):
            assets.add_reading(asset, read_on=date(YEAR, month, 1), meter_kwh=month * 20_000, actor=None)
    acc.sync_items(coop)
    status = {s.phase.value: s for s in acc.statuses(coop)}
    for i, item in enumerate(acc.items(coop)):
        phase = ("done", "in_progress", "planned", "dropped", "done")[i % 5]
        acc.post_update(item, status_id=status[phase].id, text="Voortgang.", reason="Niet haalbaar.",
                        due_on=date(YEAR, 6, 1) + timedelta(days=i * 5), posted_on=date(YEAR, 7, 1), actor=None)
    report = acc.start_report(coop, YEAR, actor=None)
    acc.update_report(report, {"foreword": "Een jaar van groei.\n\n" * 20, "income_cents": 12_345_600,
                               "costs_cents": 11_000_000, "auditors_statement": "In orde bevonden."}, actor=None)
    db.session.commit()
    return {"report_id": report.id}


def plain_pdf(pages: int) -> tuple[bytes, float]:
    from coop.core.pdf import BASE_CSS
    import weasyprint

    body = "".join(f'<h2>Pagina {p}</h2>' + "<p>Gewone tekst zonder tabellen of grafieken.</p>" * 30
                   + ('<div style="break-after: page"></div>' if p < pages else "") for p in range(1, pages + 1))
    t = time.perf_counter()
    pdf = weasyprint.HTML(string=f"<html><body>{body}</body></html>").write_pdf(
        stylesheets=[weasyprint.CSS(string=BASE_CSS)])
    return pdf, time.perf_counter() - t


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--pg", help="PostgreSQL URL (the database is emptied first)")
    ap.add_argument("--members", type=int, default=5_000)
    ap.add_argument("--measure", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.measure:
        url, workdir, report_id = json.loads(args.measure)
        return measure_child(url, Path(workdir), report_id)
    workdir = Path(tempfile.mkdtemp(prefix="coop-bench-report-"))
    url = args.pg or f"sqlite:///{workdir / 'bench.sqlite'}"
    try:
        if args.pg:
            empty_postgresql(args.pg)
        app = build_app(url, workdir)
        with app.app_context(), app.test_request_context():
            from flask_migrate import upgrade

            upgrade()
            from coop.extensions import db

            t = time.perf_counter()
            info = seed(args.members, 10, 50, 40, random.Random(7))
            print(f"backend {db.engine.dialect.name}: seeded {args.members:,} members, 10 meetings, "
                  f"50 resolutions, 40 requests in {time.perf_counter() - t:.1f} s")
            if db.engine.dialect.name == "postgresql":
                with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
                    c.exec_driver_sql("VACUUM ANALYZE")
            db.engine.dispose()
        child = subprocess.run([sys.executable, __file__, "--measure",
                                json.dumps([url, str(workdir), info["report_id"]])],
                               capture_output=True, text=True)
        sys.stdout.write(child.stdout)
        sys.stderr.write(child.stderr[-3000:] if child.returncode else "")
        return child.returncode
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def page_count(pdf: bytes, workdir: Path) -> int:
    """Pages of a PDF (poppler's pdfinfo)."""
    path = workdir / "report.pdf"
    path.write_bytes(pdf)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return int(next(line.split()[1] for line in info.splitlines() if line.startswith("Pages:")))


def measure_child(url: str, workdir: Path, report_id: int) -> int:
    app = build_app(url, workdir)
    with app.app_context(), app.test_request_context():
        from coop.accountability import documents, services
        from coop.accountability.models import AnnualReport
        from coop.extensions import db

        report = db.session.get(AnnualReport, report_id)
        snaps, pdfs, pdf = [], [], b""
        for _ in range(3):
            t = time.perf_counter()
            data = services.snapshot(report)
            snaps.append(time.perf_counter() - t)
            t = time.perf_counter()
            pdf = documents.report_pdf(data, locale="nl")
            pdfs.append(time.perf_counter() - t)
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        pages = page_count(pdf, workdir)
        _plain, t_plain = plain_pdf(pages)
        _plain, t_plain2 = plain_pdf(pages)
    best = min(s + p for s, p in zip(snaps, pdfs))
    print(f"annual report: {pages} pages, {len(pdf) / 1024:.0f} KiB; figures {min(snaps):.2f} s (runs "
          + ", ".join(f"{s:.2f}" for s in snaps) + f"), PDF {min(pdfs):.2f} s (runs "
          + ", ".join(f"{p:.2f}" for p in pdfs) + f"); figures + PDF best {best:.2f} s  [target ≤ 5 s]")
    print(f"peak resident memory of the measuring process: {peak_mb:.0f} MB  [target ≤ 400 MB]")
    print(f"plain WeasyPrint document of {pages} pages, same run: {min(t_plain, t_plain2):.2f} s "
          f"(runs {t_plain:.2f}, {t_plain2:.2f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
