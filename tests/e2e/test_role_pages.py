"""Each role's pages open without errors and are accessible (axe, WCAG 2.1 A/AA)."""
import pytest

pytestmark = pytest.mark.e2e


def test_board_pages(page, visit, login):
    login(page, "bestuur@zonnedak.example")
    for path in ("/c/zonnedak/", "/c/zonnedak/statutes", "/c/zonnedak/people",
                 "/c/zonnedak/audit"):
        visit(path)
        # The tenant navigation marks where we are.
        assert page.locator(".tenant-nav a[aria-current=page]").count() == 1, path


def test_liaison_pages(page, visit, login):
    login(page, "liaison@gemeente-groningen.example")
    for path in ("/m/groningen/", "/m/groningen/people", "/m/groningen/audit"):
        visit(path)
        assert page.locator(".tenant-nav a[aria-current=page]").count() == 1, path


def test_admin_pages(page, visit, login):
    login(page, "admin@example.org")
    for path in ("/admin/", "/admin/cooperatives/new", "/admin/municipalities/new",
                 "/admin/invitations", "/admin/audit"):
        visit(path)
        assert page.locator("h1").count() == 1, path


def test_admin_sees_field_error_for_an_invalid_cbs_code(page, visit, check_page, login,
                                                         translate):
    login(page, "admin@example.org")
    visit("/admin/municipalities/new")
    page.locator("#name").fill("Testgemeente")
    page.locator("#slug").fill("testgemeente")
    page.locator("#cbs_code").fill("GM14X")
    with page.expect_navigation() as navigation:
        page.locator("main form button[type=submit]").click()
    assert navigation.value.status == 400
    check_page("invalid CBS code")

    message = translate("en", "A CBS code is GM followed by four digits, e.g. GM0014.")
    error = page.locator("#cbs_code-error")
    assert error.inner_text() == message
    # The message sits in the field's own block, and the input points at it.
    assert page.locator(".field.has-error", has=page.locator("#cbs_code")).locator(
        "#cbs_code-error").count() == 1
    cbs = page.locator("#cbs_code")
    assert cbs.get_attribute("aria-invalid") == "true"
    assert "cbs_code-error" in cbs.get_attribute("aria-describedby").split()
    assert page.locator("#form-errors[role=alert]").is_visible()
    # What was typed is kept, and nothing was created.
    assert cbs.input_value() == "GM14X"
    assert page.locator("#name").input_value() == "Testgemeente"
    visit("/admin/")
    assert "Testgemeente" not in page.locator("main").inner_text()


def test_wide_pages_reflow_at_320_pixels(page, visit, login):
    """WCAG 1.4.10: at 320 CSS pixels nothing scrolls sideways but a wide table, inside its own
    box (a labelled region that takes keyboard focus), not the page with it."""
    page.set_viewport_size({"width": 320, "height": 800})

    def fits(path):
        visit(path)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 320, f"{path} is {width} px wide"

    login(page, "bestuur@zonnedak.example")
    fits("/c/zonnedak/members/")
    member = page.locator("main table a[href*='/members/']").first.get_attribute("href")
    for path in (member, "/c/zonnedak/people", "/c/zonnedak/audit", "/c/zonnedak/capital", "/c/zonnedak/api-tokens"):
        fits(path)
    region = page.locator(".table-scroll[role=region]").first
    assert region.get_attribute("tabindex") == "0" and region.get_attribute("aria-labelledby")
    page.context.clear_cookies()  # another person, another phone
    login(page, "liaison@gemeente-groningen.example")
    fits("/m/groningen/region")
    region_coop = page.locator("main a[href*='/m/groningen/region/']").first.get_attribute("href")
    for path in (region_coop, "/m/groningen/requests", "/m/groningen/catalogue"):
        fits(path)
