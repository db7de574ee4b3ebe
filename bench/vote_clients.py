"""The clients of the vote burst (run by ``bench_voting.py`` in a process of its own: gevent
monkey-patches the standard library). Prints its figures as JSON on stdout.

    python bench/vote_clients.py --host http://127.0.0.1:8123 --voters voters.json --clients 50

``voters.json``: a list of {"path", "cookie", "csrf", "field"}: the ballot page of one member,
their session cookie and CSRF token (as after signing in and opening the ballot page) and the
form field of their own choice. ``--clients`` greenlets take voters from one queue; each POSTs
the ballot (``--with-page``: first GETs the ballot page, as a member who opens it when the chair
says "vote now") and records the time until the confirmation arrived.
"""
from __future__ import annotations

from gevent import monkey

monkey.patch_all()

import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import random  # noqa: E402
import re  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

import gevent  # noqa: E402
from gevent.queue import Empty, Queue  # noqa: E402
from geventhttpclient import HTTPClient, URL  # noqa: E402

CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--host", required=True)
    ap.add_argument("--voters", required=True)
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--with-page", action="store_true")
    ap.add_argument("--user-agent",
                    help="the browser the voters signed in with (their session cookies carry its identifier)")
    ap.add_argument("--choices", default="voor,tegen")
    ap.add_argument("--bare", type=int, default=0, metavar="N",
                    help="instead: N GET /health requests (the bare endpoint, the baseline of the same stack)")
    args = ap.parse_args()
    voters = json.load(open(args.voters, encoding="utf-8"))
    if args.bare:
        voters = [{"bare": True}] * args.bare
    choices = args.choices.split(",")
    work: Queue = Queue()
    for v in voters:
        work.put(v)
    url = URL(args.host)
    times: list[float] = []
    failures: dict[str, int] = {}
    rng = random.Random(5)

    def fail(why: str) -> None:
        failures[why] = failures.get(why, 0) + 1

    def client():
        http = HTTPClient(url.host, url.port, connection_timeout=30, network_timeout=60, concurrency=1,
                          headers={"User-Agent": args.user_agent} if args.user_agent else None)
        try:
            while True:
                try:
                    v = work.get_nowait()
                except Empty:
                    return
                t0 = time.perf_counter()
                if v.get("bare"):
                    r = http.get("/health")
                    r.read()
                    if r.status_code == 200:
                        times.append(time.perf_counter() - t0)
                    else:
                        fail(f"GET /health {r.status_code}")
                    continue
                headers = {"Cookie": f"session={v['cookie']}"}
                csrf = v["csrf"]
                if args.with_page:
                    r = http.get(v["path"], headers=headers)
                    page = r.read().decode()
                    m = CSRF_RE.search(page)
                    if r.status_code != 200 or not m:
                        fail(f"GET {r.status_code}")
                        continue
                    csrf = m.group(1)
                body = f"csrf_token={csrf}&{v['field']}={rng.choice(choices)}"
                r = http.post(v["path"], body=body, headers=headers | {
                    "Content-Type": "application/x-www-form-urlencoded"})
                r.read()
                if r.status_code == 200:
                    times.append(time.perf_counter() - t0)
                else:
                    fail(f"POST {r.status_code}")
        finally:
            http.close()

    started = time.perf_counter()
    gevent.joinall([gevent.spawn(client) for _ in range(args.clients)])
    took = time.perf_counter() - started
    times.sort()

    def pct(q: float) -> float | None:
        return round(times[min(len(times) - 1, int(q * len(times)))] * 1000, 1) if times else None

    json.dump({"ballots": len(times), "seconds": round(took, 2), "per_second": round(len(times) / took, 1),
               "p50_ms": pct(0.5), "p95_ms": pct(0.95), "p99_ms": pct(0.99), "failures": failures,
               "cpu_seconds": round(sum(os.times()[:2]), 2)},
              sys.stdout)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
