"""The board works with the register in a real browser; an applicant uses the join form."""
import re

import pytest

pytestmark = pytest.mark.e2e

BOARD = "bestuur@zonnedak.example"


def test_applicant_joins_and_board_admits(page, visit, login, check_page):
    visit("/c/zonnedak/join")
    page.fill("#first_name", "Wilma")
    page.fill("#last_name", "Zonneveld")
    page.fill("#street", "Korreweg")
    page.fill("#house_number", "12")
    page.fill("#postcode", "9714ab")
    page.fill("#city", "Groningen")
    page.fill("#email", "wilma.zonneveld@example.org")
    page.check("#privacy_consent")
    page.check("#email_consent")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    check_page("applied")
    assert "wilma.zonneveld@example.org" in page.locator("main").inner_text()

    login(page, BOARD)
    visit("/c/zonnedak/members/applications")
    row = page.locator("tr", has_text="Wilma Zonneveld")
    row.locator("input[type=checkbox]").check()
    with page.expect_navigation():
        page.locator("button[name=action][value=admit]").click()
    check_page("admitted")
    assert page.locator(".flashes").count() == 1
    visit("/c/zonnedak/members/?q=zonneveld")
    assert page.locator("tbody tr").count() == 1
    number = page.locator("tbody tr td").first.inner_text()
    assert re.fullmatch(r"\d+", number)


def test_board_searches_opens_and_edits_a_member(page, visit, login, check_page):
    login(page, BOARD)
    visit("/c/zonnedak/members/?q=van&sort=postcode")
    assert page.locator("tbody tr").count() > 1
    page.locator("tbody tr a").first.click()
    page.wait_for_load_state()
    check_page("member page")
    assert page.locator("h1").count() == 1
    page.locator("a.button[href$='/edit']").click()
    page.wait_for_load_state()
    check_page("edit form")
    page.fill("#postcode", "9999")
    with page.expect_navigation() as nav:
        page.locator("main form button[type=submit]").click()
    assert nav.value.status == 400
    check_page("invalid postcode")
    assert page.locator("#postcode-error").is_visible()


def test_board_registers_notice_and_sees_end_date(page, visit, login, check_page):
    login(page, BOARD)
    visit("/c/zonnedak/members/?q=veen&status=member")
    page.locator("tbody tr a").first.click()
    page.wait_for_load_state()
    page.fill("#reason-notice-member", "Brief van het lid, ontvangen op de ledenvergadering.")
    with page.expect_navigation():
        page.locator("form.step", has=page.locator("#reason-notice-member")).locator("button").click()
    check_page("notice registered")
    assert re.search(r"\d{2}-\d{2}-\d{4}", page.locator(".flashes").inner_text())
    assert page.locator("td", has_text=re.compile("planned|gepland")).count() == 1


def test_board_registers_a_new_member(page, visit, login, check_page):
    login(page, BOARD)
    visit("/c/zonnedak/members/new")
    page.fill("#first_name", "Kees")
    page.fill("#last_name", "Postma-Testlid")
    page.fill("#postcode", "9711 AA")
    page.fill("#city", "Groningen")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    check_page("registered")
    assert "Kees Postma-Testlid" in page.locator("h1").inner_text()
