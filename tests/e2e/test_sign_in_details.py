"""Keyboard use and failure paths of the sign-in page, and the watch over CSP violations."""
import pytest

pytestmark = pytest.mark.e2e


def test_first_tab_focuses_the_skip_link(page, visit, check_page, translate):
    visit("/login")
    page.keyboard.press("Tab")
    focused = page.locator(":focus")
    assert focused.get_attribute("class") == "skip-link"
    assert focused.inner_text() == translate("en", "Skip to main content")
    assert focused.get_attribute("href") == "#main"
    # Off-screen until focused; on-screen now, so a sighted keyboard user sees it.
    box = focused.bounding_box()
    assert box is not None and box["x"] >= 0 and box["y"] >= 0
    check_page("skip link focused")

    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


@pytest.mark.parametrize("email", ["lid@zonnedak.example", "nobody@zonnedak.example"])
def test_wrong_password_shows_the_generic_error(page, visit, check_page, translate, email):
    visit("/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill("not-the-password-at-all")
    with page.expect_navigation() as navigation:
        page.locator("main form button[type=submit]").click()
    assert navigation.value.status == 200
    check_page("wrong password")

    assert page.url.endswith("/login")
    alert = page.locator(".flashes .alert-error")
    # The same words whether the account exists or not.
    assert alert.inner_text() == translate("en", "The e-mail address or password is not correct.")
    assert page.locator("#email").input_value() == email
    assert page.locator("#password").input_value() == ""  # a password is never sent back
    assert page.locator(".session-tools a[href$='/login']").is_visible()


def test_csp_violations_are_noticed(page, visit, watch):
    """The CSP watch is not blind: an inline script is refused, and the console says so."""
    visit("/login")
    with page.expect_console_message(lambda m: "Content Security Policy" in m.text):
        page.evaluate("""() => {
            const s = document.createElement('script');
            s.textContent = 'window.inlineRan = true';
            document.body.appendChild(s);
        }""")
    assert page.evaluate("window.inlineRan === undefined")
    assert watch.csp and "script-src" in watch.csp[0]
    watch.csp.clear()  # expected here; any other CSP violation fails its test
