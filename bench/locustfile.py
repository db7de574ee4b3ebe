"""The simulated clients: signed-in users walking a scenario's page mix, and bare clients.

``load.py`` drives these with locust's library API; the file also works on its own::

    BENCH_ACCOUNTS=accounts.json BENCH_SCENARIO=foundation \\
        locust -f bench/locustfile.py --host http://127.0.0.1:8000 PageUser

``BENCH_ACCOUNTS`` is a JSON list of accounts as written by ``seed.py`` (email, password and
what the account may see); each simulated user takes the next one, so every user signs in
once, with its own account, and stays signed in.

There is no think time: each user sends its next request as soon as the last one answered,
so the figures are those of a saturated server with N requests in flight at most.
"""
from __future__ import annotations

import itertools
import json
import os
import random
import re
import sys
from http.cookiejar import DefaultCookiePolicy
from pathlib import Path
from urllib.parse import urlsplit

from locust import constant, task
from locust.contrib.fasthttp import FastHttpUser
from locust.exception import StopUser

sys.path.insert(0, str(Path(__file__).resolve().parent))
from scenarios import BARE, SCENARIOS, api_headers, pages_for  # noqa: E402

CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')

#: How many users signed in, and how many failed to (``load.py`` waits for all of them).
SIGNED_IN = {"ok": 0, "failed": 0, "errors": []}

_accounts: list[dict] | None = None
_next_account = itertools.count()


class LoopbackSecureCookies(DefaultCookiePolicy):
    """Send ``Secure`` cookies to 127.0.0.1 over plain HTTP, as browsers do for localhost.

    The server runs with the production configuration, whose session cookie is ``Secure``;
    in production TLS ends at the proxy in front of gunicorn, here there is no TLS at all.
    """

    def return_ok_secure(self, cookie, request):
        host = urlsplit(request.get_full_url()).hostname
        if host in ("127.0.0.1", "localhost", "::1"):
            return True
        return super().return_ok_secure(cookie, request)


def _account() -> dict:
    global _accounts
    if _accounts is None:
        path = os.environ.get("BENCH_ACCOUNTS")
        if not path:
            raise RuntimeError("set BENCH_ACCOUNTS to the accounts JSON written by seed.py")
        _accounts = json.loads(Path(path).read_text(encoding="utf-8"))
    return _accounts[next(_next_account) % len(_accounts)]


def sign_in(client, account: dict) -> None:
    """Sign in as a browser does: GET /login for the CSRF token, then POST the form."""
    client.cookiejar.set_policy(LoopbackSecureCookies())
    r = client.get("/login", name="(sign in)")
    m = CSRF_RE.search(r.text or "")
    if r.status_code != 200 or not m:
        raise RuntimeError(f"GET /login answered {r.status_code} without a csrf_token")
    r = client.post("/login", name="(sign in)", allow_redirects=False, data={
        "csrf_token": m.group(1) or m.group(2), "email": account["email"],
        "password": account["password"],
    })
    if r.status_code != 302 or "/login" in (r.headers.get("Location") or ""):
        raise RuntimeError(f"POST /login answered {r.status_code}, not a redirect")


class PageUser(FastHttpUser):
    """A signed-in user who visits the pages its roles allow, weighted by the scenario."""

    wait_time = constant(0)
    #: A sync gunicorn worker answers one request at a time; requests wait in the backlog.
    network_timeout = 30.0
    connection_timeout = 30.0

    def on_start(self):
        account = _account()
        scenario = SCENARIOS[os.environ.get("BENCH_SCENARIO", "foundation")]
        try:
            if scenario.sign_in:
                sign_in(self.client, account)
        except Exception as e:  # noqa: BLE001 — reported by load.py, which then aborts
            SIGNED_IN["failed"] += 1
            SIGNED_IN["errors"].append(f"{account['email']}: {e}")
            raise StopUser() from None
        SIGNED_IN["ok"] += 1
        mix = pages_for(scenario, account)
        self.rng = random.Random(account["email"])
        self.mix_names = [(name, path) for name, path, _w in mix]
        self.mix_weights = [w for _n, _p, w in mix]
        self.account = account

    @task
    def visit(self):
        name, path = self.rng.choices(self.mix_names, self.mix_weights)[0]
        # No redirects followed: a 302 here means the session was lost, which is a failure.
        with self.client.get(path, name=name, allow_redirects=False, catch_response=True,
                             headers=api_headers(self.account, path)) as r:
            if r.status_code != 200:
                r.failure(f"{r.status_code} for {path}")


class BareUser(FastHttpUser):
    """The bare endpoint: same stack, one trivial query, no session and no template."""

    wait_time = constant(0)
    network_timeout = 30.0
    connection_timeout = 30.0

    def on_start(self):
        SIGNED_IN["ok"] += 1

    @task
    def health(self):
        with self.client.get(BARE.path, name=BARE.name, catch_response=True) as r:
            if r.status_code != 200:
                r.failure(f"{r.status_code} for {BARE.path}")
