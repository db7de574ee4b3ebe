"""Shared assets in a real browser: a member books the car and sees their yield; the board's
asset pages pass axe-core."""
from datetime import date, timedelta

import pytest

pytestmark = pytest.mark.e2e

MEMBER = "lid@zonnedak.example"
BOARD = "bestuur@zonnedak.example"


def test_member_books_the_car_and_cannot_double_book(page, visit, login, check_page):
    login(page, MEMBER)
    visit("/c/zonnedak/book")
    page.locator("main a", has_text="Deelauto").first.click()
    page.wait_for_load_state()
    check_page("car calendar")
    day = (date.today() + timedelta(days=9)).isoformat()
    page.fill("#day", day)
    page.fill("#start", "10:00")
    page.fill("#end", "12:30")
    with page.expect_navigation():
        page.locator("main form:has(#day) button[type=submit]").click()
    check_page("booked")
    assert page.locator(".flashes").count() == 1
    assert "10:00" in page.locator("table.calendar").inner_text()
    # the same slot, one minute into it: refused with a clear message
    page.fill("#day", day)
    page.fill("#start", "12:29")
    page.fill("#end", "13:00")
    with page.expect_navigation() as nav:
        page.locator("main form:has(#day) button[type=submit]").click()
    assert nav.value.status == 400
    check_page("overlap refused")
    assert page.locator("#form-errors, .error").count() >= 1
    # cancel it (confirmation dialog accepted)
    page.on("dialog", lambda d: d.accept())
    visit("/c/zonnedak/book")
    before = page.locator("main table form").count()
    with page.expect_navigation():
        page.locator("main table form button").first.click()
    check_page("cancelled")
    assert page.locator("main table form").count() == before - 1


def test_member_sees_participations_and_yield(page, visit, login):
    login(page, MEMBER)
    visit("/me/c/zonnedak/assets")
    main = page.locator("main")
    assert "Zonnedak Sporthal De Helpermaar" in main.inner_text()
    assert main.locator("table").count() >= 2  # participations and yield
    assert "2025" in main.inner_text()
    link = main.locator("a[href*='yield.pdf']").first
    with page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename.endswith(".pdf")


@pytest.mark.parametrize("path", [
    "/c/zonnedak/assets", "/c/zonnedak/assets/emission-factors", "/c/zonnedak/distributions",
])
def test_board_asset_pages_pass_axe(page, visit, login, path):
    login(page, BOARD)
    visit(path)


def test_board_walks_an_asset(page, visit, login, check_page):
    login(page, BOARD)
    visit("/c/zonnedak/assets")
    page.locator("main table a", has_text="Helpermaar").click()
    page.wait_for_load_state()
    check_page("asset overview with chart")
    assert page.locator("main svg[role=img]").count() == 1
    for link in page.locator("nav[aria-label*='Helpermaar'] a").all()[1:]:
        href = link.get_attribute("href")
        visit(href)
    visit("/c/zonnedak/distributions")
    page.locator("main table a").first.click()
    page.wait_for_load_state()
    check_page("distribution")
    assert page.locator("main table tbody tr").count() > 10


def test_housing_board_sees_residents_and_waiting_list(page, visit, login, check_page):
    login(page, "bestuur@dehof.example")
    visit("/c/dehof/waiting-list")
    assert page.locator("main tbody tr").count() == 5
    visit("/c/dehof/assets")
    page.locator("main table a", has_text="Hofwoning 1").click()
    page.wait_for_load_state()
    page.locator("nav a[href$='/dwelling']").click()
    page.wait_for_load_state()
    check_page("residents")
    assert page.locator("main tbody tr").count() == 1
