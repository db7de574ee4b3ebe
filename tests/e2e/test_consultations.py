"""Member consultations in a real browser on the demo: the member answers the open consultation
waiting for them (multiple choice, named), reads a result with its chart; the board drafts, opens
and closes a consultation (confirming each step) and downloads the result; the liaison reads the
consultation a request rests on. Every page is checked with axe-core."""
from datetime import datetime, timedelta

import pytest

pytestmark = pytest.mark.e2e

BOARD = "bestuur@zonnedak.example"
MEMBER = "lid@zonnedak.example"
LIAISON = "liaison@gemeente-groningen.example"


def submit(page, form="main form"):
    with page.expect_navigation() as nav:
        page.locator(f"{form} button[type=submit]").last.click()
    return nav.value


def test_a_member_answers_a_consultation_and_reads_a_result(page, visit, login, check_page, translate):
    login(page, MEMBER)
    visit("/me/c/zonnedak/consultations/")
    main = page.locator("main")
    assert "Ledenavond: welke onderwerpen?" in main.inner_text()
    with page.expect_navigation():
        page.get_by_role("link", name="Ledenavond: welke onderwerpen?").first.click()
    check_page("ballot")
    assert translate("nl", "Tick every option you support. Each option you tick counts once for that option.") \
        in main.inner_text()
    page.locator("main form input[type=checkbox][value='Warmtenet in de wijk']").check()
    page.locator("main form input[type=checkbox][value='Energiearmoede']").check()
    assert submit(page).status == 200
    check_page("answered")
    assert "Ledenavond" in main.inner_text() and page.locator("main code.receipt").count() == 0  # named: no receipt
    visit("/me/c/zonnedak/consultations/")
    assert translate("nl", "Nothing is waiting for your answer.") in main.inner_text()
    with page.expect_navigation():
        page.get_by_role("link", name="Welk dak na de sporthal?").first.click()
    check_page("result")
    assert page.locator("main svg.consultation-chart rect").count() == 3
    assert "SHA-256" in main.inner_text()


def test_the_board_runs_a_consultation_from_draft_to_result(page, visit, login, check_page, translate):
    login(page, BOARD)
    visit("/c/zonnedak/consultations")
    assert "Welk dak na de sporthal?" in page.locator("main").inner_text()
    visit("/c/zonnedak/consultations/new")
    start = datetime.now() + timedelta(minutes=5)
    page.locator("#title").fill("Naam voor de nieuwe windmolen")
    page.locator("#question").fill("Hoe noemen we de windmolen aan de Eemskanaalzone?")
    page.locator("#options").fill("De Wiekslag\nGroninger Wind\nStroom van Stad")
    page.locator("#opens_at").fill(start.strftime("%Y-%m-%dT%H:%M"))
    page.locator("#closes_at").fill((start + timedelta(days=7)).strftime("%Y-%m-%dT%H:%M"))
    assert submit(page).status == 200
    check_page("draft")
    assert "/consultations/" in page.url and "De Wiekslag" in page.locator("main").inner_text()
    page.once("dialog", lambda dialog: dialog.accept())
    submit(page, "main form[action$='/open']")
    check_page("opened")
    assert translate("nl", "Close now") in page.locator("main").inner_text()
    page.once("dialog", lambda dialog: dialog.accept())
    submit(page, "main form[action$='/close']")
    check_page("closed")
    text = page.locator("main").inner_text()
    assert "SHA-256" in text and page.locator("main svg.consultation-chart").count() == 1
    with page.expect_download() as download:
        page.locator("main a[href$='result.csv']").click()
    assert download.value.suggested_filename.startswith("consultation-")


def test_the_liaison_reads_the_consultation_a_request_rests_on(page, visit, login, check_page):
    login(page, LIAISON)
    visit("/m/groningen/requests")
    with page.expect_navigation():
        page.get_by_role("link", name="Medewerking tweede zonnedak op basisschool De Wilg").first.click()
    check_page("request with consultation")
    text = page.locator("main").inner_text()
    assert "Welk dak na de sporthal?" in text and "Basisschool De Wilg" in text and "SHA-256" in text
