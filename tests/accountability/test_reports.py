"""Annual reports: figures, narrative as text, frozen publication, PDF, open data, public page."""
import hashlib
import shutil
import subprocess
from datetime import date

import pytest

from coop.accountability import services
from coop.accountability.models import AnnualReport
from coop.core.errors import DomainError

YEAR = date.today().year
SCRIPT = "<script>alert('x')</script><b>vet</b>"


@pytest.fixture
def report(db, world, resolutions):
    r = services.start_report(world.coop_a, YEAR, actor=world.board_a)
    services.update_report(r, {"foreword": "Een goed jaar.\n\n" + SCRIPT, "income_cents": 1_250_000,
                               "costs_cents": 1_000_000, "member_capital_cents": 500_000,
                               "auditors_statement": "De kascommissie heeft de boeken gecontroleerd."},
                           actor=world.board_a)
    db.session.commit()
    return r


def test_a_report_for_a_year_before_the_cooperative_existed_is_refused(db, world):
    world.coop_a.founded_on = date(2019, 5, 1)
    with pytest.raises(DomainError) as e:
        services.start_report(world.coop_a, 2018, actor=world.board_a)
    assert "did not exist" in str(e.value.message)
    assert services.start_report(world.coop_a, 2019, actor=world.board_a).year == 2019
    with pytest.raises(DomainError):
        services.start_report(world.coop_a, 2019, actor=world.board_a)


def test_the_figures_come_from_the_data(db, world, report, resolutions):
    data = services.snapshot(report)
    assert data["members"]["at_end"] == 2  # the two register entries of A
    assert data["meetings"]["resolutions_adopted"] == 3
    assert data["followup"]["counts"] == {"on_time": 0, "late": 0, "open": 3, "dropped": 0}
    assert data["finances"]["result_cents"] == 250_000
    assert {r["number"] for r in data["followup"]["resolutions"]} == {r.number for r in resolutions}


def test_narrative_markup_is_shown_as_text_in_the_page(db, world, report, client, login_as):
    login_as(client, world.board_a)
    page = client.get(f"/c/coop-a/reports/{YEAR}").get_data(as_text=True)
    assert "<script>alert" not in page and "&lt;script&gt;alert" in page and "Een goed jaar." in page


def _pdf_text(pdf: bytes, tmp_path) -> str:
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext (poppler-utils) is not installed")
    path = tmp_path / "r.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True,
                          text=True).stdout


def test_the_pdf_has_the_sections_and_figures_and_shows_markup_as_text(app, db, world, report, tmp_path):
    from coop.accountability.documents import report_pdf

    with app.test_request_context():
        text = _pdf_text(report_pdf(services.snapshot(report), locale="nl"), tmp_path)
        english = _pdf_text(report_pdf(services.snapshot(report), locale="en"), tmp_path)
    for heading in ("Jaarverslag", "Inhoud", "Leden", "Ledenvergaderingen",
                    "Opvolging van besluiten", "Financiën", "Verzoeken aan de gemeente"):
        assert heading in text, heading
    assert "12.500,00" in text and "2.500,00" in text  # income and result
    assert "ALV-%d-01" % YEAR in text and "<script>alert('x')</script>" in text
    assert "pagina 2 van" in text
    assert "Annual report" in english and "Follow-up of resolutions" in english


def test_publishing_freezes_the_report(db, world, report, resolutions):
    services.publish(report, actor=world.board_a)
    db.session.commit()
    assert hashlib.sha256(report.pdf).hexdigest() == report.pdf_sha256
    frozen = services.snapshot(report)
    # later data changes never alter the published report
    from coop.accountability.models import Phase

    services.sync_items(world.coop_a)
    item = services.items(world.coop_a)[0]
    done = next(s for s in services.statuses(world.coop_a) if s.phase == Phase.DONE)
    services.post_update(item, status_id=done.id, text="Klaar", actor=world.board_a)
    db.session.commit()
    db.session.expire_all()
    again = db.session.get(AnnualReport, report.id)
    assert services.snapshot(again) == frozen and again.pdf_sha256 == report.pdf_sha256
    assert frozen["followup"]["counts"]["open"] == 3
    with pytest.raises(DomainError):
        services.update_report(again, {"foreword": "Anders"}, actor=world.board_a)


def test_an_attempt_to_edit_a_published_report_is_refused(db, world, report, client, login_as):
    services.publish(report, actor=world.board_a)
    db.session.commit()
    login_as(client, world.board_a)
    r = client.post(f"/c/coop-a/reports/{YEAR}/edit", data={"foreword": "Gewijzigd"})
    assert r.status_code == 303
    db.session.refresh(report)
    assert "Gewijzigd" not in report.snapshot_json and report.foreword.startswith("Een goed jaar")


def test_publishing_tells_the_members_by_email(db, world, report):
    from coop.core.mail import OutboxMessage
    from coop.members.models import Channel
    from coop.core.db import utcnow

    world.record_a.email, world.record_a.email_consent_at = "anna@example.net", utcnow()
    world.record_a.channel = Channel.EMAIL
    services.publish(report, actor=world.board_a)
    msgs = [m for m in db.session.scalars(db.select(OutboxMessage)) if "jaarverslag" in m.subject.lower()]
    assert [m.to_address for m in msgs] == ["anna@example.net"] and report.pdf_sha256 in msgs[0].body_text


def test_a_members_name_in_a_public_report_is_refused(db, world, report):
    services.update_report(report, {"outlook": "Met dank aan Anna Jansen."}, actor=world.board_a)
    with pytest.raises(DomainError) as e:
        services.publish(report, actor=world.board_a, make_public=True)
    assert "Anna Jansen" in str(e.value.message)
    services.publish(report, actor=world.board_a)  # for members only: allowed
    with pytest.raises(DomainError):
        services.set_public(report, True, actor=world.board_a)
    assert not report.is_public


def test_the_public_page_open_data_and_api(db, world, report, client, login_as):
    assert client.get("/transparency/coop-a").status_code == 200
    assert client.get(f"/api/v1/coops/coop-a/reports/{YEAR}").status_code == 404  # a draft
    services.publish(report, actor=world.board_a)
    db.session.commit()
    assert client.get(f"/api/v1/coops/coop-a/reports/{YEAR}").status_code == 404  # members only
    services.set_public(report, True, actor=world.board_a)
    db.session.commit()
    page = client.get("/transparency/coop-a").get_data(as_text=True)
    assert report.pdf_sha256 in page and "Anna" not in page and "Bakker" not in page
    pdf = client.get(f"/transparency/coop-a/{YEAR}.pdf")
    assert pdf.data == report.pdf and pdf.mimetype == "application/pdf"
    data = client.get(f"/transparency/coop-a/{YEAR}/figures.json").get_json()
    assert data["finances"]["result_cents"] == 250_000
    csv = client.get(f"/transparency/coop-a/{YEAR}/figures.csv").get_data(as_text=True)
    assert f"{YEAR},finances,result_cents,250000" in csv
    api = client.get(f"/api/v1/coops/coop-a/reports/{YEAR}").get_json()
    assert api["pdf_sha256"] == report.pdf_sha256
    assert {"section": "followup", "figure": "open", "value": 3} in api["figures"]
    assert client.get("/api/v1/coops/coop-b/reports/%d" % YEAR).status_code == 404


def test_members_see_published_reports_only(db, world, report, client, login_as):
    login_as(client, world.member_a)
    assert client.get(f"/c/coop-a/reports/{YEAR}").status_code == 404
    services.publish(report, actor=world.board_a)
    db.session.commit()
    assert client.get(f"/c/coop-a/reports/{YEAR}").status_code == 200
    r = client.get(f"/c/coop-a/reports/{YEAR}/report.pdf")
    assert r.data == report.pdf and r.headers["X-Content-SHA256"] == report.pdf_sha256


def test_the_board_starts_publishes_and_downloads(db, world, resolutions, client, login_as, tmp_path):
    login_as(client, world.board_a)
    assert client.post("/c/coop-a/reports", data={"year": 1900}).status_code == 400
    r = client.post("/c/coop-a/reports", data={"year": YEAR})
    assert r.status_code == 302
    r = client.post(f"/c/coop-a/reports/{YEAR}/edit", data={"foreword": "Hallo", "income_cents": "100,00",
                                                            "costs_cents": "40,00"})
    assert r.status_code == 302
    assert client.get(f"/c/coop-a/reports/{YEAR}/report.pdf").data.startswith(b"%PDF")
    r = client.post(f"/c/coop-a/reports/{YEAR}/publish", data={"is_public": "y", "locale": "en"})
    assert r.status_code == 302
    published = services.report_for(world.coop_a, YEAR)
    assert published.is_public
    # the one frozen PDF is in the language the board chose
    assert "Annual report" in _pdf_text(published.pdf, tmp_path)


def test_the_meetings_section_counts_how_the_motions_ended(db, world, report):
    from coop.voting import services as voting
    from tests.voting.helpers import meeting_in_session, motion_on

    meeting = meeting_in_session(world.coop_a, world.board_a)
    motion_on(meeting, world.board_a)
    voting.withdraw_motion(motion_on(meeting, world.board_a, title="Tweede dak"), actor=world.board_a)
    motions = services.snapshot(report)["meetings"]["motions"]
    # the motion still open is not decided yet; the withdrawn one is
    assert motions == {"adopted": 0, "rejected": 0, "no_quorum": 0, "withdrawn": 1}
