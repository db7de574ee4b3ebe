"""A request in a real browser: the board submits, the liaison asks for information, the board
answers, the liaison decides; every page axe-checked. Also the inbox, region and catalogue."""
import pytest

pytestmark = pytest.mark.e2e

BOARD = "bestuur@zonnedak.example"
LIAISON = "liaison@gemeente-groningen.example"


def test_board_submits_liaison_asks_board_answers_liaison_decides(page, visit, login, check_page):
    page.on("dialog", lambda dialog: dialog.accept())  # the confirmation before submitting
    login(page, BOARD)
    visit("/c/zonnedak/requests", step="board's requests")
    assert page.locator("text=Subsidie zonnepanelen op sporthal De Kolk").count() == 1
    visit("/c/zonnedak/requests/new", step="new request form")
    page.select_option("#request_type", label="Informatieverzoek (Woo)")
    page.fill("#subject", "Stukken over de warmtevisie")
    page.fill("#body", "Wij vragen alle stukken over de warmtevisie voor Paddepoel.")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    check_page("draft saved")
    with page.expect_navigation():
        page.locator("form[action$='/submit'] button").click()
    check_page("submitted")
    receipt = page.locator("p.lead").inner_text()
    assert "GM0014-" in receipt
    request_path = page.url.split("/c/zonnedak")[1]

    page.context.clear_cookies()  # sign out: another person at another desk
    login(page, LIAISON)
    visit("/m/groningen/requests", step="inbox")
    assert page.locator("tr.is-overdue").count() >= 1  # the overdue demo request stands out
    page.locator("a", has_text="Stukken over de warmtevisie").click()
    page.wait_for_load_state()
    check_page("liaison's request page")
    page.fill("#question", "Gaat het om de hele wijk of alleen om het Zernikecomplex?")
    with page.expect_navigation():
        page.locator("form[action$='/request-information'] button[type=submit]").click()
    check_page("information requested")
    assert "Informatie gevraagd" in page.locator("main").inner_text()

    page.context.clear_cookies()
    login(page, BOARD)
    visit("/c/zonnedak" + request_path, step="board sees the question")
    assert "Zernikecomplex" in page.locator("main").inner_text()
    page.fill("#information", "De hele wijk Paddepoel.")
    with page.expect_navigation():
        page.locator("form[action$='/information'] button[type=submit]").click()
    check_page("information sent")

    page.context.clear_cookies()
    login(page, LIAISON)
    visit("/m/groningen" + request_path, step="liaison decides")
    page.check("#outcome-1")  # partly granted
    with page.expect_navigation() as nav:
        page.locator("form[action$='/decide'] button[type=submit]").click()
    assert nav.value.status == 400  # the official answer is required
    check_page("decision without answer")
    assert page.locator("#answer-error").is_visible()
    page.check("#outcome-1")
    page.fill("#answer", "U ontvangt de stukken over Paddepoel; twee documenten blijven geheim.")
    with page.expect_navigation():
        page.locator("form[action$='/decide'] button[type=submit]").click()
    check_page("decided")
    page.fill("#what", "Geheime stukken opnieuw beoordelen")
    page.fill("#who", "Juridische zaken")
    page.fill("#due_on", "2027-01-31")
    with page.expect_navigation():
        page.locator("form[action$='/commitments'] button[type=submit]").click()
    check_page("commitment recorded")

    page.context.clear_cookies()
    login(page, BOARD)
    visit("/c/zonnedak" + request_path, step="board sees the decision")
    main = page.locator("main").inner_text()
    assert "twee documenten blijven geheim" in main and "Geheime stukken opnieuw beoordelen" in main


def test_liaison_pages(page, visit, login):
    login(page, LIAISON)
    visit("/m/groningen/requests?view=overdue", step="overdue")
    visit("/m/groningen/region", step="region")
    assert "Energiecoöperatie Zonnedak" in page.locator("main").inner_text()
    page.locator("a", has_text="Energiecoöperatie Zonnedak").click()
    page.wait_for_load_state()
    visit(page.url.split(page.url.split("/m/")[0])[1], step="one collective")
    visit("/m/groningen/catalogue", step="catalogue")
    page.locator("a", has_text="Uitdaagrecht").first.click()
    page.wait_for_load_state()
    visit(page.url.split(page.url.split("/m/")[0])[1], step="edit a kind of request")
    visit("/m/groningen/api-tokens", step="tokens")


def test_board_sees_penalty_on_overdue_request(page, visit, login):
    login(page, BOARD)
    visit("/c/zonnedak/requests")
    page.locator("a", has_text="Subsidie zonnepanelen op sporthal De Kolk").click()
    page.wait_for_load_state()
    visit(page.url.split(page.url.split("/c/")[0])[1], step="overdue request with penalty")
    assert page.locator(".penalty").count() == 1
