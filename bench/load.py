"""One load phase, driven with locust's library API; prints its figures as JSON.

Run by ``run.py`` in a process of its own (locust monkey-patches the standard library with
gevent, which ``run.py`` must not be)::

    python bench/load.py --host http://127.0.0.1:8123 --phase pages --users 20 --seconds 20 \\
        --accounts accounts.json --scenario foundation --out result.json

A ``pages`` or ``bare`` phase: start all users at once; wait until every one has signed in
(``pages``); let
``--warmup`` seconds pass (templates compile, connection pools fill); then record every
request for ``--seconds`` seconds. Only the recorded window counts: requests/s is the number
of requests answered in the window divided by its length; p50/p95/p99 are exact percentiles
of the recorded response times (locust's own statistics round them).

The ``solo`` phase is one client on an otherwise idle server: every page of the scenario
(and the bare endpoint) requested ``--repeat`` times in a row after a few unmeasured ones,
by an account that may see it. Its median is what a page costs without any queueing, which
is where a slow page shows up (under saturation every page waits in the same queue).
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time
from collections import defaultdict
from pathlib import Path

import gevent
from locust.contrib.fasthttp import FastHttpSession
from locust.env import Environment
from locust.log import setup_logging

sys.path.insert(0, str(Path(__file__).resolve().parent))
import locustfile  # noqa: E402
from cpu import cpu_used, server_snapshot  # noqa: E402
from figures import figures  # noqa: E402
from scenarios import BARE, SCENARIOS, api_headers, pages_for  # noqa: E402


class Recorder:
    def __init__(self):
        self.on = False
        self.times: dict[str, list[float]] = defaultdict(list)
        self.failures: dict[str, int] = defaultdict(int)
        self.bytes: dict[str, int] = defaultdict(int)
        self.errors: dict[str, int] = defaultdict(int)

    def __call__(self, request_type, name, response_time, response_length, exception=None, **_kw):
        if not self.on:
            return
        self.times[name].append(response_time)
        self.bytes[name] += response_length or 0
        if exception is not None:
            self.failures[name] += 1
            self.errors[f"{name}: {exception}"[:200]] += 1


def cpu_busy() -> tuple[float, float]:
    """(busy, total) jiffies of the whole machine, from /proc/stat (0, 0 elsewhere)."""
    try:
        with open("/proc/stat") as f:
            parts = [float(x) for x in f.readline().split()[1:]]
    except OSError:
        return 0.0, 0.0
    idle = parts[3] + (parts[4] if len(parts) > 4 else 0)
    return sum(parts) - idle, sum(parts)


def self_cpu() -> float:
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return ru.ru_utime + ru.ru_stime


def solo(host: str, accounts: list[dict], scenario_name: str, repeat: int) -> dict:
    """Each page alone, one request at a time: the median is the page's own cost."""
    env = Environment()
    targets: dict[str, tuple[dict | None, str]] = {BARE.name: (None, BARE.path)}
    for a in accounts:
        for name, path, _w in pages_for(SCENARIOS[scenario_name], a):
            targets.setdefault(name, (a, path))
    sessions: dict[str, FastHttpSession] = {}
    out = {}
    for name, (account, path) in sorted(targets.items()):
        key = account["email"] if account else ""
        if key not in sessions:
            sessions[key] = FastHttpSession(host, env.events.request, user=None)
            if account and SCENARIOS[scenario_name].sign_in:
                locustfile.sign_in(sessions[key], account)
        client = sessions[key]
        times, failures = [], 0
        for i in range(repeat + 4):  # 4 unmeasured: every worker compiles its templates
            t0 = time.perf_counter()
            r = client.get(path, allow_redirects=False, headers=api_headers(account or {}, path))
            elapsed = (time.perf_counter() - t0) * 1000
            if i >= 4:
                times.append(elapsed)
                failures += r.status_code != 200
        out[name] = {**figures(times, failures, sum(times) / 1000, 0), "path": path}
    return out


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--host", required=True)
    ap.add_argument("--phase", choices=("pages", "bare", "solo"), required=True)
    ap.add_argument("--repeat", type=int, default=20, help="solo: requests per page")
    ap.add_argument("--users", type=int, default=20)
    ap.add_argument("--seconds", type=float, default=20)
    ap.add_argument("--warmup", type=float, default=2)
    ap.add_argument("--accounts")
    ap.add_argument("--scenario", default="foundation")
    ap.add_argument("--out", required=True)
    ap.add_argument("--server-pid", type=int, help="gunicorn's master: its CPU (and its workers') in the window")
    ap.add_argument("--pg-database", help="with --server-pid: also the CPU of this database's backends")
    args = ap.parse_args()
    if args.accounts:
        os.environ["BENCH_ACCOUNTS"] = args.accounts
    os.environ["BENCH_SCENARIO"] = args.scenario
    setup_logging("WARNING")
    if args.phase == "solo":
        accounts = json.loads(Path(args.accounts).read_text(encoding="utf-8"))
        result = {"phase": "solo", "pages": solo(args.host, accounts, args.scenario, args.repeat)}
        Path(args.out).write_text(json.dumps(result, indent=1), encoding="utf-8")
        return 0

    user_class = locustfile.PageUser if args.phase == "pages" else locustfile.BareUser
    env = Environment(user_classes=[user_class], host=args.host)
    recorder = Recorder()
    env.events.request.add_listener(recorder)
    runner = env.create_local_runner()
    result: dict = {"phase": args.phase, "users": args.users}
    try:
        runner.start(args.users, spawn_rate=max(args.users, 1000))
        deadline = time.monotonic() + 60
        signed = locustfile.SIGNED_IN
        while signed["ok"] + signed["failed"] < args.users:
            if time.monotonic() > deadline:
                result["error"] = f"only {signed['ok']} of {args.users} users signed in within 60 s"
                break
            gevent.sleep(0.1)
        if signed["failed"]:
            result["error"] = (f"{signed['failed']} of {args.users} users could not sign in: "
                               + "; ".join(signed["errors"][:3]))
        if "error" not in result:
            gevent.sleep(args.warmup)
            server0 = server_snapshot(args.server_pid, args.pg_database) if args.server_pid else {}
            busy0, total0, cpu0 = *cpu_busy(), self_cpu()
            recorder.on, t0 = True, time.perf_counter()
            gevent.sleep(args.seconds)
            recorder.on, elapsed = False, time.perf_counter() - t0
            busy1, total1, cpu1 = *cpu_busy(), self_cpu()
            server1 = server_snapshot(args.server_pid, args.pg_database) if args.server_pid else {}
            used = cpu_used(server0, server1).values()
            all_times = [t for ts in recorder.times.values() for t in ts]
            result.update(
                seconds=elapsed,
                total=figures(all_times, sum(recorder.failures.values()), elapsed,
                              sum(recorder.bytes.values())),
                pages={name: figures(ts, recorder.failures[name], elapsed, recorder.bytes[name])
                       for name, ts in sorted(recorder.times.items())},
                errors=dict(sorted(recorder.errors.items(), key=lambda kv: -kv[1])[:10]),
                #: Every response time, so that run.py can add up the slices of a phase.
                times={name: [round(t, 2) for t in ts] for name, ts in sorted(recorder.times.items())},
                #: Share of the machine's CPU in use during the window, and the load generator's.
                machine_cpu=(busy1 - busy0) / (total1 - total0) if total1 > total0 else None,
                client_cpu=(cpu1 - cpu0) / elapsed,
                #: CPU seconds of gunicorn (master and workers) and of the database's backends
                #: in the window.
                app_cpu_s=sum(v for is_app, v in used if is_app),
                db_cpu_s=sum(v for is_app, v in used if not is_app),
            )
    finally:
        runner.quit()
    Path(args.out).write_text(json.dumps(result, indent=1), encoding="utf-8")
    return 1 if "error" in result else 0


if __name__ == "__main__":
    sys.exit(main())
