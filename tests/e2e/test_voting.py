"""Voting in a real browser on the demo: the member sees what needs their vote, reads what a
choice means, casts online and gets a confirmation; results of a closed vote, the board's vote
page and the resolutions register. Every page is checked with axe-core."""
import pytest

pytestmark = pytest.mark.e2e

BOARD = "bestuur@zonnedak.example"
MEMBER = "lid@zonnedak.example"


def submit(page, form="main form"):
    with page.expect_navigation() as nav:
        page.locator(f"{form} button[type=submit]").last.click()
    return nav.value


def test_a_member_votes_online_and_reads_results(page, visit, login, check_page):
    login(page, MEMBER)
    visit("/me/c/zonnedak/votes/")
    check_page("votes list")
    assert "Vaststelling begroting 2027" in page.locator("main").inner_text()
    with page.expect_navigation():
        page.get_by_role("link", name="Vaststelling begroting 2027").click()
    check_page("ballot")
    text = page.locator("main").inner_text()
    assert "Onthouding" in text or "Abstain" in text
    page.locator("main form input[type=radio][value=for]").check()
    assert submit(page).status == 200
    check_page("cast")
    assert "geteld als uitgebracht" in page.locator("main").inner_text() or "counted as cast" in page.locator("main").inner_text()
    visit("/me/c/zonnedak/votes/")
    with page.expect_navigation():
        page.get_by_role("link", name="Vaststelling jaarrekening 2025").first.click()
    check_page("result")
    assert "SHA-256" in page.locator("main").inner_text()
    visit("/c/zonnedak/resolutions")
    check_page("resolutions register")
    assert "ALV-" in page.locator("main").inner_text()


def test_the_board_sees_motions_and_a_vote(page, visit, login, check_page):
    login(page, BOARD)
    visit("/c/zonnedak/meetings/")
    with page.expect_navigation():
        page.get_by_role("link", name="Algemene ledenvergadering najaar").first.click()
    with page.expect_navigation():
        page.locator("a[href$='/voting']").first.click()
    check_page("motions and votes")
    with page.expect_navigation():
        page.locator("main ul a[href*='/votes/']").first.click()
    check_page("vote page")
    assert "SHA-256" not in page.locator("main").inner_text()  # still open
