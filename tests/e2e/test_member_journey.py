"""An anonymous visitor signs in as a member, switches the language and signs out again."""
import re

import pytest

pytestmark = pytest.mark.e2e

MEMBER = "lid@zonnedak.example"


def html_lang(page) -> str:
    return page.locator("html").get_attribute("lang")


def test_home_and_login_pages_for_anonymous_visitors(page, visit, translate):
    visit("/")
    assert html_lang(page) == "en"  # the browser asks for en-GB
    sign_in = page.locator(".session-tools a[href$='/login']")
    assert sign_in.inner_text() == translate("en", "Sign in")

    visit("/login")
    assert page.locator("h1").inner_text() == translate("en", "Sign in")
    assert page.locator("#email").get_attribute("autocomplete") == "username"


def test_member_signs_in_switches_language_and_signs_out(page, visit, login, check_page,
                                                         translate):
    visit("/")
    login(page, MEMBER)

    # Lands on "My overview", in the member's own language: the demo member chose Dutch.
    assert re.search(r"/me/$", page.url), page.url
    assert html_lang(page) == "nl"
    assert page.title() == f"{translate('nl', 'My overview')} · coop"
    language_button = page.locator("form.lang-switch button")
    assert language_button.inner_text() == "English"

    with page.expect_navigation():
        language_button.click()
    check_page("switched to English")
    assert html_lang(page) == "en"
    assert re.search(r"/me/\??$", page.url), page.url
    assert page.title() == f"{translate('en', 'My overview')} · coop"
    current = page.locator(".main-nav a[aria-current=page]")
    assert current.inner_text() == translate("en", "My overview")
    assert language_button.inner_text() == "Nederlands"

    # Back to Dutch with the same button.
    with page.expect_navigation():
        language_button.click()
    check_page("switched to Dutch")
    assert html_lang(page) == "nl"
    assert language_button.inner_text() == "English"
    assert language_button.get_attribute("lang") == "en"
    assert page.title() == f"{translate('nl', 'My overview')} · coop"

    # Sign out with the header button.
    sign_out = page.locator(".session-tools form[action$='/logout'] button")
    assert sign_out.inner_text() == translate("nl", "Sign out")
    with page.expect_navigation():
        sign_out.click()
    check_page("signed out")
    lang = html_lang(page)
    sign_in = page.locator(".session-tools a[href$='/login']")
    assert sign_in.is_visible()
    assert sign_in.inner_text() == translate(lang, "Sign in")
    # (The message is translated while still signed in, the page after: allow either.)
    assert page.locator(".flashes").inner_text() in {
        translate(locale, "You have signed out.") for locale in ("nl", "en")}
    assert page.locator(".session-tools form[action$='/logout']").count() == 0

    # The session is really gone: a member page sends us to the login page.
    page.goto("/me/")
    assert "/login" in page.url
