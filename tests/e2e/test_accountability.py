"""Accountability in a real browser: members see the follow-up with progress bars; the board
fills in and publishes this year's annual report and downloads its PDF; the public
transparency page. Every page passes axe-core."""
from datetime import date

import pytest

pytestmark = pytest.mark.e2e

MEMBER = "lid@zonnedak.example"
BOARD = "bestuur@zonnedak.example"


def test_member_sees_the_follow_up_with_progress_and_overdue_items(page, visit, login):
    login(page, MEMBER)
    visit("/c/zonnedak/follow-up")
    main = page.locator("main")
    assert main.locator("progress").count() >= 4
    assert main.locator("tr.overdue").count() >= 1
    assert main.locator("svg[role=img]").count() == 1  # the follow-up rate chart
    visit("/c/zonnedak/follow-up?overdue=1")
    assert page.locator("main table.followup tbody tr").count() == page.locator("main tr.overdue").count() >= 1
    page.locator("main table.followup tbody a", has_text="ALV-").first.click()
    page.wait_for_load_state()
    assert page.locator("main ol.timeline li").count() >= 1


def test_board_publishes_the_report_and_downloads_the_pdf(page, visit, login, check_page):
    year = date.today().year
    login(page, BOARD)
    visit(f"/c/zonnedak/reports/{year}/edit")
    page.fill("#income_cents", "1.234,00")
    page.fill("#costs_cents", "1.000,00")
    page.fill("#foreword", "<script>alert(1)</script> Een goed jaar.")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").first.click()
    check_page("draft preview")
    assert "<script>alert(1)</script> Een goed jaar." in page.locator("main").inner_text()
    with page.expect_navigation():
        page.locator("main form:has(#is_public) button[type=submit]").click()
    check_page("published")
    sha = page.locator("main .sha").first.inner_text()
    assert len(sha) == 64
    with page.expect_download() as download:
        page.locator("main a[href$='report.pdf']").click()
    path = download.value.path()
    import hashlib

    assert hashlib.sha256(open(path, "rb").read()).hexdigest() == sha


def test_public_transparency_page(page, visit):
    visit("/transparency/zonnedak")
    main = page.locator("main")
    assert main.locator("a[href$='.pdf']").count() >= 1
    assert main.locator(".sha").count() >= 1
