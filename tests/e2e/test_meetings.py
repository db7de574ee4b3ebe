"""A whole general meeting in a real browser: the board plans and convenes it, a member answers
and gives a proxy, the secretary checks in at the door, the session opens, voting opens and
the meeting closes. Every page is checked with axe-core."""
import re
from datetime import date, timedelta

import pytest

pytestmark = pytest.mark.e2e

BOARD = "bestuur@zonnedak.example"
MEMBER = "lid@zonnedak.example"  # membership number 5 in the demo
TREASURER_NUMBER = "2"


def sign_out(page):
    with page.expect_navigation():
        page.locator(".session-tools form[action$='/logout'] button").click()


def submit(page, form="main form"):
    with page.expect_navigation() as nav:
        page.locator(f"{form} button[type=submit]").last.click()
    return nav.value


def post_button(page, action_suffix):
    """A button that asks for confirmation first (data-confirm): the board says yes."""
    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation():
        page.locator(f"form[action$='{action_suffix}'] button[type=submit]").click()


def test_a_whole_meeting(page, visit, login, check_page):
    login(page, BOARD)
    visit("/c/zonnedak/meetings/")
    visit("/c/zonnedak/meetings/new")
    day = date.today() + timedelta(days=30)
    page.fill("#title", "ALV proef")
    page.fill("#starts_at", f"{day.isoformat()}T19:30")
    page.fill("#place", "Dorpshuis De Molen")
    page.fill("#record_on", date.today().isoformat())
    assert submit(page).status == 200
    check_page("meeting created")
    meeting_url = page.url.split("#")[0]
    meeting_id = re.search(r"/meetings/(\d+)", meeting_url).group(1)
    assert "ALV proef" in page.locator("h1").inner_text()

    visit(f"/c/zonnedak/meetings/{meeting_id}/items/new")
    page.fill("#title", "Investering warmtenet")
    page.select_option("#kind", "decision")
    submit(page)
    check_page("item added")
    assert "Investering warmtenet" in page.locator("#agenda ~ ol, ol.agenda").first.inner_text()

    visit(f"/c/zonnedak/meetings/{meeting_id}/convene")
    submit(page)
    check_page("convened")
    assert page.locator(".alert-success").count() == 1
    visit(f"/c/zonnedak/meetings/{meeting_id}/convocations")
    sign_out(page)

    # The member answers, gives a proxy and sees it.
    login(page, MEMBER)
    visit("/me/c/zonnedak/meetings/")
    visit(f"/me/c/zonnedak/meetings/{meeting_id}")
    page.check("input[name=answer][value=yes]")
    submit(page, "form[action$='/rsvp']")
    check_page("answered")
    page.fill("#holder_number", "5")  # oneself: refused
    assert submit(page, "form[action$='/proxy']").status == 400
    check_page("proxy to oneself refused")
    assert page.locator("#holder_number-error").is_visible()
    page.fill("#holder_number", TREASURER_NUMBER)
    submit(page, "form[action$='/proxy']")
    check_page("proxy given")
    assert page.locator("form[action$='/proxy/revoke']").count() == 1
    sign_out(page)

    # At the door: the secretary finds the treasurer by number and checks them in.
    login(page, BOARD)
    visit(f"/c/zonnedak/meetings/{meeting_id}/check-in?q={TREASURER_NUMBER}")
    assert page.locator("tbody tr").count() == 1
    with page.expect_navigation():
        page.locator("tbody form button[type=submit]").click()
    check_page("checked in")
    visit(f"/c/zonnedak/meetings/{meeting_id}/check-in?q=molen")  # by name or street: a search
    visit(f"/c/zonnedak/meetings/{meeting_id}/proxies")
    assert page.locator("tbody tr").count() == 1

    visit(meeting_url)
    post_button(page, "/open-session")
    check_page("session open")
    visit(f"/c/zonnedak/meetings/{meeting_id}/live?screen=1")
    # one in the room, one represented by the treasurer's proxy
    assert page.locator("[data-live='counts.in_person']").inner_text() == "1"
    assert page.locator("[data-live='counts.by_proxy']").inner_text() == "1"
    # the page refreshes itself from the JSON endpoint
    with page.expect_response(lambda r: "live.json" in r.url, timeout=12000) as resp:
        pass
    assert resp.value.ok

    visit(meeting_url)
    post_button(page, "/open-voting")
    check_page("voting open")
    visit(meeting_url)
    post_button(page, "/close-meeting")
    check_page("closed")
    visit(f"/c/zonnedak/meetings/{meeting_id}/minutes")
    assert page.locator("#intro").input_value()
    sign_out(page)

    # The member finds the meeting among the held ones.
    login(page, MEMBER)
    visit("/me/c/zonnedak/meetings/")
    assert page.locator(f"a[href$='/meetings/{meeting_id}/minutes.pdf']").count() == 1


def test_the_demo_meetings_for_board_and_member(page, visit, login):
    login(page, BOARD)
    visit("/c/zonnedak/meetings/")
    links = page.locator("main table a")
    assert links.count() >= 3
    for href in [links.nth(i).get_attribute("href") for i in range(links.count())]:
        visit(href)
    sign_out(page)
    login(page, MEMBER)
    visit("/me/c/zonnedak/meetings/")
    for href in page.locator("main a[href*='/me/c/zonnedak/meetings/']").evaluate_all("els => els.map(e => e.getAttribute('href'))"):
        visit(href)
