"""Browser (end-to-end) tests: a live coop server driven by a real Chromium through Playwright.

What every e2e test gets for free:

* a live server (one per session) on a fresh SQLite file with the schema made by Alembic and
  the demo data loaded; each test has its own browser context (cookies, storage) and page;
* ``visit(path)`` and ``login(page, email)``, which check every page they land on with axe-core
  (WCAG 2.0/2.1, levels A and AA);
* a watch over the page: Content-Security-Policy violations reported on the console, uncaught
  JavaScript errors and server errors (5xx). Accessibility violations and these problems are
  collected while the test runs and fail the test at its end, listing every page — so one run
  shows all problems, not only the first;
* a screenshot per step in ``$COOP_E2E_SCREENSHOTS/<test name>/`` when that variable names a
  folder (nothing is written otherwise).

The folder is skipped, with the reason, when Chromium or the Playwright package is missing.
Playwright's own browser download cannot be used here: Debian's Chromium is launched instead.
axe-core comes from npm (``package.json``); ``npm ci`` installs it (``make install-test`` does).
"""
from __future__ import annotations

import json
import logging
import os
import re
import shutil
import threading
from dataclasses import dataclass, field
from pathlib import Path

import pytest

E2E_DIR = Path(__file__).resolve().parent
PROJECT_ROOT = E2E_DIR.parent.parent
AXE_JS = PROJECT_ROOT / "node_modules" / "axe-core" / "axe.min.js"

#: The WCAG rule sets every page must satisfy.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

#: Flags for Debian's Chromium: we run as root (no sandbox), headless, without any traffic to
#: Google's services (updates, sync, safe browsing lists).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _find_chromium() -> str | None:
    for candidate in ("/usr/bin/chromium", shutil.which("chromium")):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    return None


def _skip_reason() -> str | None:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return ("e2e: the Python package 'playwright' is not installed "
                "(pip install -e '.[test]')")
    if _find_chromium() is None:
        return ("e2e: no Chromium found (/usr/bin/chromium or `chromium` on PATH); "
                "install it, e.g. `apt-get install chromium`")
    return None


SKIP_REASON = _skip_reason()


def pytest_collection_modifyitems(config, items):
    if not SKIP_REASON:
        return
    skip = pytest.mark.skip(reason=SKIP_REASON)
    for item in items:
        if E2E_DIR in Path(str(item.path)).resolve().parents:
            item.add_marker(skip)


# --------------------------------------------------------------------------------------------
# The live server
# --------------------------------------------------------------------------------------------

@dataclass
class LiveServer:
    url: str
    app: object
    mail_dir: Path


class _DeferredApp:
    """A WSGI callable that forwards to the app once it exists.

    The server binds port 0 first (so the operating system picks a free port, without a race),
    and only then is the app created, with ``BASE_URL`` set to that port.
    """

    app = None

    def __call__(self, environ, start_response):
        return self.app(environ, start_response)


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    # Always SQLite, on a fresh file — also when the rest of the suite runs again on
    # PostgreSQL (COOP_TEST_BACKEND=postgresql): the browser tests check pages, not the
    # database, and a private file needs no clean-up and cannot disturb another run.
    from flask_migrate import upgrade
    from werkzeug.serving import make_server

    import coop
    from coop.cli.demo import load_demo

    tmp = tmp_path_factory.mktemp("e2e-server")
    # One line per request drowns the report; server errors are caught by the page watch.
    werkzeug_log = logging.getLogger("werkzeug")
    old_level = werkzeug_log.level
    werkzeug_log.setLevel(logging.WARNING)
    deferred = _DeferredApp()
    server = make_server("127.0.0.1", 0, deferred, threaded=True)
    url = f"http://127.0.0.1:{server.server_port}"
    app = coop.create_app(test_config={
        "SECRET_KEY": "e2e-secret-key-not-for-production-4f9c2a",  # 40 characters
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp / 'coop-e2e.sqlite'}",
        "MAIL_BACKEND": "file",
        "MAIL_DIR": str(tmp / "mail"),
        "UPLOAD_DIR": str(tmp / "uploads"),
        "RATELIMIT_STORAGE_URI": "memory://",
        "BASE_URL": url,
    })
    with app.app_context():
        upgrade()
        load_demo()
    # Alembic's env.py calls logging.config.fileConfig(), which disables every logger that
    # exists already, the app's own among them: switch it back on, so that the traceback of
    # a server error reaches the test report.
    app.logger.disabled = False
    deferred.app = app

    thread = threading.Thread(target=server.serve_forever, name="coop-e2e-server", daemon=True)
    thread.start()
    try:
        yield LiveServer(url=url, app=app, mail_dir=tmp / "mail")
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
        werkzeug_log.setLevel(old_level)
        with app.app_context():
            from coop.extensions import db

            db.engine.dispose()


@pytest.fixture(scope="session")
def translate(live_server):
    """``translate(locale, msgid)``: a message as the app's catalog shows it in ``locale``.

    Tests assert on what a user reads; this keeps them right while the catalogs fill up.
    """
    from flask_babel import force_locale, gettext

    def _translate(locale: str, msgid: str) -> str:
        with live_server.app.test_request_context("/"), force_locale(locale):
            return gettext(msgid)

    return _translate


# --------------------------------------------------------------------------------------------
# The browser, and a watch over each page
# --------------------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=_find_chromium(), args=CHROMIUM_ARGS,
                                     headless=True)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture(scope="session")
def axe_source() -> str:
    if not AXE_JS.is_file():
        pytest.fail(f"axe-core is missing ({AXE_JS}): run `npm ci` in {PROJECT_ROOT} "
                    "(`make install-test` does it too).", pytrace=False)
    return AXE_JS.read_text(encoding="utf-8")


@dataclass
class Watch:
    """What went wrong while a test ran; reported together at the end of the test."""

    a11y: dict[str, list[dict]] = field(default_factory=dict)  #: step → axe violations
    csp: list[str] = field(default_factory=list)
    js_errors: list[str] = field(default_factory=list)
    server_errors: list[str] = field(default_factory=list)

    def report(self) -> str:
        parts = []
        for step, violations in self.a11y.items():
            parts.append(f"Accessibility violations on {step}:")
            for v in violations:
                parts.append(f"  - [{v['impact']}] {v['id']}: {v['help']} ({v['helpUrl']})")
                for node in v["nodes"]:
                    target = " ".join(json.dumps(t) if not isinstance(t, str) else t
                                      for t in node["target"])
                    parts.append(f"      at {target}")
                    summary = (node.get("failureSummary") or "").strip().replace("\n", " ")
                    if summary:
                        parts.append(f"         {summary}")
        for title, items in (("Content-Security-Policy violations", self.csp),
                             ("JavaScript errors", self.js_errors),
                             ("Server errors", self.server_errors)):
            if items:
                parts.append(f"{title}:")
                parts.extend(f"  - {item}" for item in items)
        return "\n".join(parts)


WATCH_KEY = pytest.StashKey[Watch]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    """After the test body: fail with everything the watch collected (all pages at once)."""
    watch = item.stash.get(WATCH_KEY, None)
    try:
        result = yield
    except BaseException:
        if watch is not None and watch.report():
            item.add_report_section("call", "e2e watch", watch.report())
        raise
    if watch is not None and watch.report():
        pytest.fail("The browser saw problems:\n" + watch.report(), pytrace=False)
    return result


@pytest.fixture
def watch(request) -> Watch:
    w = Watch()
    request.node.stash[WATCH_KEY] = w
    return w


@pytest.fixture
def context(browser, live_server):
    ctx = browser.new_context(base_url=live_server.url, locale="en-GB",
                              viewport={"width": 1280, "height": 900})
    ctx.set_default_timeout(10_000)
    try:
        yield ctx
    finally:
        ctx.close()


@pytest.fixture
def page(context, watch):
    page = context.new_page()

    def on_console(msg):
        if msg.type == "error" and "Content Security Policy" in msg.text:
            watch.csp.append(f"{page.url}: {msg.text}")

    def on_response(response):
        if response.status >= 500:
            request = response.request
            watch.server_errors.append(f"{response.status} {request.method} {response.url}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: watch.js_errors.append(f"{page.url}: {error}"))
    page.on("response", on_response)
    return page


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-")[:80] or "page"


@pytest.fixture
def screenshot(request, page):
    """``screenshot(step)``: a full-page PNG when ``COOP_E2E_SCREENSHOTS`` names a folder."""
    folder = os.environ.get("COOP_E2E_SCREENSHOTS")
    counter = iter(range(1, 1000))

    def _shot(step: str) -> Path | None:
        if not folder:
            return None
        target = Path(folder) / _slug(request.node.name)
        target.mkdir(parents=True, exist_ok=True)
        path = target / f"{next(counter):02d}-{_slug(step)}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return _shot


def run_axe(page, axe_source: str) -> list[dict]:
    """Run axe-core on the page and return its violations.

    axe is evaluated through the DevTools protocol (``page.evaluate``), not added as a
    ``<script>`` tag: the app's Content-Security-Policy forbids inline scripts, and the test
    must see the page exactly as the policy leaves it.
    """
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(axe_source)
    return page.evaluate(
        "async (tags) => (await axe.run(document, {runOnly: {type: 'tag', values: tags},"
        " resultTypes: ['violations']}))"
        ".violations.map(v => ({id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,"
        " nodes: v.nodes.map(n => ({target: n.target, failureSummary: n.failureSummary}))}))",
        AXE_TAGS,
    )


@pytest.fixture
def check_page(page, axe_source, watch, screenshot):
    """``check_page(step=None)``: axe-check the current page (and screenshot it)."""

    def _check(step: str | None = None) -> list[dict]:
        page.wait_for_load_state("load")
        path = "/" + page.url.split("://", 1)[-1].split("/", 1)[-1]
        label = path + (f" ({step})" if step else "")
        screenshot(step or ("home" if path == "/" else path))
        violations = run_axe(page, axe_source)
        if violations:
            watch.a11y.setdefault(label, []).extend(violations)
        return violations

    return _check


@pytest.fixture
def visit(page, check_page):
    """``visit(path, status=200)``: open a page, check the status, axe-check it."""

    def _visit(path: str, status: int = 200, step: str | None = None):
        response = page.goto(path)
        assert response is not None, f"no response for {path}"
        assert response.status == status, f"{path}: HTTP {response.status}, expected {status}"
        check_page(step)
        return response

    return _visit


def login(page, email: str, password: str | None = None) -> None:
    """Sign in through the login form (with the demo password unless another is given)."""
    from coop.cli.demo import DEMO_PASSWORD

    page.goto("/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill(DEMO_PASSWORD if password is None else password)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()


@pytest.fixture(name="login")
def login_fixture(page, check_page):
    """``login(page, email)``: sign in via the form, insist it worked, axe-check both pages."""

    def _login(page_, email: str, password: str | None = None) -> None:
        assert page_ is page, "login() drives the test's own page"
        login(page_, email, password)
        if "/login" in page_.url:
            alerts = page_.locator(".alert").all_inner_texts()
            pytest.fail(f"signing in as {email} failed: {alerts}", pytrace=False)
        check_page(f"signed in as {email}")

    return _login
