"""Benchmark coop under gunicorn on SQLite and PostgreSQL; print throughput and latency.

    .venv/bin/python bench/run.py [--backend sqlite|postgresql|both] [--size 10000]
                                  [--users 20] [--seconds 20] [--workers 2×CPUs]
                                  [--scenario foundation] [--json results.json]

For each backend: a fresh database (SQLite in a temporary folder; PostgreSQL database
``coop_bench`` dropped and created), ``flask db upgrade``, ``flask coop demo``, ``--size``
extra rows (``seed.py``) and ``flask coop audit-verify``; then gunicorn on 127.0.0.1 with the
production configuration (a real secret, rate limits in the database; the API's limit per token raised so that the
bench's single token is not refused) and two load phases of
``--seconds`` each with ``--users`` concurrent clients and no think time:

* pages: signed-in users (one demo account each) over the scenario's page mix;
* bare:  ``GET /health`` (``SELECT 1``), the same stack without session or template;

and a short third one, ``solo``: every page alone, one client, to show what each page costs
without queueing (where a slow page stands out).

Printed: requests/s, p50/p95/p99 and failures of both phases, the ratio of throughputs, and
whether the targets are met (pages ≥ 0.5 × bare, pages p95 ≤ 100 ms). The targets are printed,
never asserted: the exit code is non-zero only when the harness itself failed.
"""
from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
from common import interpreter  # noqa: E402
from cpu import children_cpu, cpu_used, machine_busy, server_snapshot  # noqa: E402
from figures import merge  # noqa: E402
from scenarios import BARE, SCENARIOS  # noqa: E402

PY = sys.executable
RATIO_TARGET = 0.5
P95_TARGET_MS = 100.0


class BenchError(RuntimeError):
    pass


def log(msg: str) -> None:
    print(f"[{datetime.now():%H:%M:%S}] {msg}", flush=True)


def sh(cmd: list[str], env: dict, what: str, timeout: float = 300) -> str:
    started = time.perf_counter()
    p = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)
    if p.returncode != 0:
        raise BenchError(f"{what} failed ({p.returncode}):\n{p.stdout[-2000:]}{p.stderr[-3000:]}")
    log(f"  {what}: {time.perf_counter() - started:.1f} s")
    return p.stdout


# --- databases ---------------------------------------------------------------------------


@contextmanager
def database(backend: str, pg_name: str, keep: bool):
    """A fresh, empty database; yields its URL."""
    if backend == "sqlite":
        folder = Path(tempfile.mkdtemp(prefix="coop-bench-"))
        try:
            yield f"sqlite:///{folder / 'bench.sqlite'}"
        finally:
            if keep:
                log(f"  kept {folder / 'bench.sqlite'}")
            else:
                shutil.rmtree(folder, ignore_errors=True)
    else:
        for cmd in (["dropdb", "--if-exists", "--force", pg_name], ["createdb", pg_name]):
            p = subprocess.run(cmd, capture_output=True, text=True)
            if p.returncode != 0:
                raise BenchError(f"{' '.join(cmd)} failed: {p.stderr.strip()}")
        yield f"postgresql+psycopg:///{pg_name}"
        # The database stays until the next run re-creates it, for a look at the data.


def app_env(url: str, secret: str) -> dict:
    """The environment of production: COOP_ENV unset, a real secret, the default
    (database-backed, ``coopsql://``) rate-limit storage. Only mail is switched off."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("COOP_")}
    env.update(COOP_SECRET_KEY=secret, COOP_DATABASE_URL=url, COOP_MAIL_BACKEND="null",
               FLASK_APP="coop", PYTHONUNBUFFERED="1",
               # The API limit still counts every call (its database write is measured); only its
               # ceiling is raised: the bench's one token sends far more than 600 calls a minute.
               COOP_API_RATE_LIMIT="1000000 per minute")
    return env


def seed(env: dict, size: int, scenario, workdir: Path) -> list[dict]:
    flask = [PY, "-m", "flask"]
    sh(flask + ["db", "upgrade"], env, "flask db upgrade")
    sh(flask + ["coop", "demo"], env, "flask coop demo")
    accounts_path = workdir / "accounts.json"
    out = sh([PY, str(HERE / "seed.py"), "--size", str(size), "--accounts-out", str(accounts_path),
              "--seeders", ",".join(scenario.seeders)], env, f"seed --size {size}")
    log("  " + out.strip().splitlines()[-1])
    out = sh(flask + ["coop", "audit-verify"], env, "flask coop audit-verify")
    if "intact" not in out:
        raise BenchError(f"audit chain broken after seeding: {out}")
    return json.loads(accounts_path.read_text(encoding="utf-8"))


def choose_accounts(accounts: list[dict], users: int, scenario) -> list[dict]:
    """``users`` distinct accounts: the scenario's share of each kind, the rest plain members
    spread over the cooperatives. Accounts with nothing to visit in the scenario are left out
    (e.g. a liaison of a municipality without an API token in ``liaison-api``): a simulated
    user without pages would spin without sending a request and take the server's CPU."""
    from scenarios import pages_for

    shares = scenario.user_shares
    by_kind: dict[str, list[dict]] = {}
    for a in accounts:
        if not pages_for(scenario, a):
            continue
        by_kind.setdefault(a["kind"], []).append(a)
    chosen: list[dict] = []
    for kind, share in shares.items():
        want = max(1, round(users * share)) if users >= len(shares) + 1 else 0
        chosen += by_kind.get(kind, [])[:want]
    members = by_kind.get("member", [])
    coops = sorted({c for a in members for c in a["coops"]})
    queues = {c: [a for a in members if a["coops"] == [c]] for c in coops}
    i = 0
    while len(chosen) < users and any(queues.values()):
        q = queues[coops[i % len(coops)]]
        if q:
            chosen.append(q.pop(0))
        i += 1
    if len(chosen) < users:
        raise BenchError(f"only {len(chosen)} accounts for {users} users: seed more (--size)")
    return chosen[:users]


# --- gunicorn ------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def gunicorn(env: dict, workers: int, worker_class: str, threads: int, workdir: Path):
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    cmd = [PY, "-m", "gunicorn", "coop:create_app()", "--bind", f"127.0.0.1:{port}",
           "--workers", str(workers), "--worker-class", worker_class, "--threads", str(threads),
           "--log-level", "warning", "--timeout", "60", "--graceful-timeout", "5"]
    log_path = workdir / "gunicorn.log"
    with open(log_path, "w") as logf:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=logf, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 30
        while True:
            if proc.poll() is not None:
                raise BenchError(f"gunicorn exited ({proc.returncode}):\n"
                                 f"{log_path.read_text()[-3000:]}")
            try:
                with urllib.request.urlopen(url + "/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise BenchError("gunicorn did not answer within 30 s:\n"
                                 f"{log_path.read_text()[-3000:]}")
            time.sleep(0.2)
        yield url, log_path, proc.pid
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)  # the master stops its workers
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def load_phase(server: dict, phase: str, args, accounts_path: Path, workdir: Path,
               seconds: float | None = None, tag: str = "") -> dict:
    """Run one phase (or one slice of it) in a load.py process; also account for the CPU the
    machine spent."""
    out = workdir / f"{phase}{tag}.json"
    seconds = args.seconds if seconds is None else seconds
    cmd = [PY, str(HERE / "load.py"), "--host", server["url"], "--phase", phase,
           "--users", str(args.users), "--seconds", str(seconds),
           "--warmup", str(args.warmup), "--accounts", str(accounts_path),
           "--scenario", args.scenario, "--out", str(out), "--server-pid", str(server["pid"])]
    if server["pg_database"]:
        cmd += ["--pg-database", server["pg_database"]]
    snapshot = lambda: server_snapshot(server["pid"], server["pg_database"])  # noqa: E731
    ours0, (busy0, _), t0 = snapshot(), machine_busy(), time.perf_counter()
    children0 = children_cpu()
    p = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True,
                       timeout=seconds + args.warmup + 180)
    client = children_cpu() - children0  # load.py, now that it has been waited for
    ours1, (busy1, _), wall = snapshot(), machine_busy(), time.perf_counter() - t0
    result = json.loads(out.read_text()) if out.exists() else {}
    if p.returncode != 0 or "error" in result:
        raise BenchError(f"load phase {phase} failed: {result.get('error', '')}\n"
                         f"{p.stderr[-3000:]}")
    cpus = os.cpu_count() or 1
    ours = sum(v for _app, v in cpu_used(ours0, ours1).values())
    other = max(0.0, (busy1 - busy0) - ours - client)
    #: CPU that other programs on the machine used meanwhile, as a share of all CPUs.
    result["other_cpu"] = other / (wall * cpus) if wall else 0.0
    if phase == "solo":
        slow = max(result["pages"].items(), key=lambda kv: kv[1]["p50"] or 0)
        log(f"  solo: each page alone, median {min(v['p50'] for v in result['pages'].values()):.1f}"
            f"–{slow[1]['p50']:.0f} ms (slowest {slow[0]})")
    return result


def pages_and_bare(server: dict, args, accounts_path: Path, workdir: Path) -> tuple[dict, dict]:
    """The pages and bare phases in ``--rounds`` alternating slices (pages, bare, bare, pages,
    …), added up per phase. The host's speed drifts from minute to minute; measured this way
    both phases see the same drift and their ratio does not depend on which came first."""
    slices: dict[str, list[dict]] = {"pages": [], "bare": []}
    part = args.seconds / args.rounds
    for i in range(args.rounds):
        for phase in (("pages", "bare") if i % 2 == 0 else ("bare", "pages")):
            slices[phase].append(load_phase(server, phase, args, accounts_path, workdir,
                                            seconds=part, tag=f"-{i + 1}"))
    if args.rounds > 1:
        log("  ratio per round: " + ", ".join(
            f"{p['total']['rps'] / b['total']['rps']:.2f}" if b["total"]["rps"] else "-"
            for p, b in zip(slices["pages"], slices["bare"])))
    pages, bare = merge(slices["pages"]), merge(slices["bare"])
    for phase, result in (("pages", pages), ("bare", bare)):
        t = result["total"]
        log(f"  {phase}: {t['rps']:.0f} req/s, p95 {t['p95']:.0f} ms, {t['failures']} failures "
            f"(machine CPU {100 * (result['machine_cpu'] or 0):.0f} %, load generator "
            f"{100 * result['client_cpu']:.0f} % of a core, other programs "
            f"{100 * result['other_cpu']:.0f} % of the machine)")
        log(f"    server CPU per request: {cpu_per_request(result, server['pg_database'] is not None)}")
    return pages, bare


def cpu_per_request(result: dict, postgresql: bool) -> str:
    """What gunicorn (and PostgreSQL) spent per answered request in a phase's windows."""
    n = result["total"]["requests"] or 1
    text = f"gunicorn {1000 * (result.get('app_cpu_s') or 0) / n:.2f} ms"
    return text + (f", PostgreSQL {1000 * (result.get('db_cpu_s') or 0) / n:.2f} ms" if postgresql else "")


# --- report --------------------------------------------------------------------------------


def ms(v) -> str:
    return "-" if v is None else (f"{v:.1f}" if v < 10 else f"{v:.0f}")


def print_report(results: list[dict], args, workers_note: str) -> None:
    cpus = os.cpu_count()
    print()
    print(f"coop bench — {datetime.now():%Y-%m-%d %H:%M}, {cpus} CPUs, scenario {args.scenario}, "
          f"size {args.size}, {args.users} users without think time, {args.seconds:g} s per phase")
    print(f"gunicorn: {workers_note}; load generator: locust (FastHttpUser) on the same machine; {interpreter()}")
    for r in results:
        print()
        users = ", ".join(f"{n} {k}" for k, n in r["users_by_kind"].items())
        print(f"{r['backend']} — per page under load ({users}), "
              "and alone (one client, idle server)")
        print(f"  {'page':<26} {'share':>6} {'req/s':>7} {'p50':>6} {'p95':>6} {'p99':>6} "
              f"{'fail':>5} {'KB':>6} {'alone p50':>10} {'mean':>6}")
        total = r["pages"]["total"]["requests"] or 1
        solo = r["solo"]["pages"]
        for name, f in r["pages"]["pages"].items():
            alone = solo.get(name, {})
            print(f"  {name:<26} {100 * f['requests'] / total:>5.0f}% {f['rps']:>7.1f} "
                  f"{ms(f['p50']):>6} {ms(f['p95']):>6} {ms(f['p99']):>6} {f['failures']:>5} "
                  f"{f['avg_bytes'] / 1024:>6.1f} {ms(alone.get('p50')):>10} "
                  f"{ms(alone.get('mean')):>6}")
        b = solo.get(BARE.name)
        if b:
            print(f"  {BARE.name + ' (bare)':<26} {'':>6} {'':>7} {'':>6} {'':>6} {'':>6} {'':>5} "
                  f"{'':>6} {ms(b['p50']):>10} {ms(b['mean']):>6}")
    print()
    head = (f"{'scenario':<11} {'backend':<11} {'phase':<6} {'req/s':>7} {'p50 ms':>7} "
            f"{'p95 ms':>7} {'p99 ms':>7} {'failures':>8}")
    print(head)
    print("-" * len(head))
    for r in results:
        for phase in ("pages", "bare"):
            t = r[phase]["total"]
            print(f"{args.scenario:<11} {r['backend']:<11} {phase:<6} {t['rps']:>7.1f} "
                  f"{ms(t['p50']):>7} {ms(t['p95']):>7} {ms(t['p99']):>7} {t['failures']:>8}")
    print()
    print("pages = the scenario's page mix, signed in; bare = GET /health (SELECT 1) on the same")
    print("server with the same users and duration; 'alone' = one client only (median, mean).")
    targets = SCENARIOS[args.scenario].targets
    wanted = {"ratio": f"pages ≥ {RATIO_TARGET} × bare throughput",
              "p95": f"pages p95 ≤ {P95_TARGET_MS:.0f} ms"}
    print(f"Targets of this scenario: {', '.join(wanted[t] for t in targets)} at {args.users} users"
          " (a figure without a target is shown for information).")
    for r in results:
        p, b = r["pages"]["total"], r["bare"]["total"]
        ratio = p["rps"] / b["rps"] if b["rps"] else 0.0
        r["ratio"] = ratio
        ok_ratio, ok_p95 = ratio >= RATIO_TARGET, (p["p95"] or 1e9) <= P95_TARGET_MS
        verdict = lambda t, ok: f" ({'met' if ok else 'NOT met'})" if t in targets else ""  # noqa: E731
        print(f"  {r['backend']:<11} ratio {ratio:.2f}{verdict('ratio', ok_ratio)}, "
              f"p95 {ms(p['p95'])} ms{verdict('p95', ok_p95)}"
              f"{'' if p['failures'] + b['failures'] == 0 else '  — with failures!'}")
        pg = r["backend"] == "postgresql"
        print(f"  {'':<11} server CPU per request: pages {cpu_per_request(r['pages'], pg)}; "
              f"bare {cpu_per_request(r['bare'], pg)}")
    busy = [(r["backend"], ph, r[ph]["other_cpu"]) for r in results for ph in ("pages", "bare")
            if r[ph].get("other_cpu", 0) > 0.10]
    if busy:
        print("Warning: other programs used the CPUs during the measurement ("
              + ", ".join(f"{b} {ph} {100 * o:.0f} %" for b, ph, o in busy)
              + " of the machine): the figures are lower than on an idle machine.")


def main() -> int:
    cpus = os.cpu_count() or 1
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog=__doc__.split("\n\n", 1)[1])
    ap.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    ap.add_argument("--size", type=int, default=10000,
                    help="extra audit entries per tenant; size/10 extra members per cooperative "
                         "(default %(default)s)")
    ap.add_argument("--users", type=int, default=20,
                    help="concurrent clients (default %(default)s)")
    ap.add_argument("--seconds", type=float, default=20, help="measured seconds per phase "
                    "(default %(default)s)")
    ap.add_argument("--warmup", type=float, default=2, help="unmeasured seconds before each phase")
    ap.add_argument("--rounds", type=int, default=3,
                    help="measure pages and bare in this many alternating slices of "
                         "seconds/rounds each (default %(default)s)")
    ap.add_argument("--workers", type=int, default=None,
                    help="gunicorn workers (default: 2 × CPUs, here %d)" % (2 * cpus))
    ap.add_argument("--worker-class", default="sync", choices=("sync", "gthread"))
    ap.add_argument("--threads", type=int, default=1, help="threads per worker (gthread)")
    ap.add_argument("--scenario", default="foundation", choices=sorted(SCENARIOS))
    ap.add_argument("--pg-database", default="coop_bench",
                    help="PostgreSQL database to DROP and re-create (name must contain 'bench')")
    ap.add_argument("--keep", action="store_true", help="keep the SQLite file and the logs")
    ap.add_argument("--json", help="also write the figures to this file")
    args = ap.parse_args()
    if args.rounds < 1:
        ap.error("--rounds must be at least 1")
    if "bench" not in args.pg_database:
        ap.error("--pg-database must contain 'bench': it is dropped and re-created")
    if args.workers is None:
        args.workers = 2 * cpus
    workers_note = (f"{args.workers} {args.worker_class} workers"
                    + (f" × {args.threads} threads" if args.worker_class == "gthread" else "")
                    + f" ({cpus} CPUs; default workers = 2 × CPUs)")
    scenario = SCENARIOS[args.scenario]
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    log(f"scenario {scenario.name}: {scenario.description}")
    log(f"gunicorn: {workers_note}")

    results = []
    started = time.perf_counter()
    try:
        for backend in backends:
            workdir = Path(tempfile.mkdtemp(prefix=f"coop-bench-{backend}-"))
            try:
                log(f"{backend}: seeding")
                with database(backend, args.pg_database, args.keep) as url:
                    env = app_env(url, secrets.token_urlsafe(48))
                    accounts = seed(env, args.size, scenario, workdir)
                    chosen = choose_accounts(accounts, args.users, scenario)
                    accounts_path = workdir / "users.json"
                    accounts_path.write_text(json.dumps(chosen), encoding="utf-8")
                    kinds = {}
                    for a in chosen:
                        kinds[a["kind"]] = kinds.get(a["kind"], 0) + 1
                    log("  users: " + ", ".join(f"{n} {k}" for k, n in kinds.items()))
                    with gunicorn(env, args.workers, args.worker_class, args.threads,
                                  workdir) as (url_, log_path, pid):
                        log(f"{backend}: serving on {url_}")
                        server = {"url": url_, "pid": pid, "pg_database":
                                  args.pg_database if backend == "postgresql" else None}
                        pages, bare = pages_and_bare(server, args, accounts_path, workdir)
                        solo = load_phase(server, "solo", args, accounts_path, workdir)
                    server_log = log_path.read_text()
                    if "Traceback" in server_log or "ERROR" in server_log:
                        log(f"  gunicorn logged errors:\n{server_log[-3000:]}")
                results.append({"backend": backend, "pages": pages, "bare": bare, "solo": solo,
                                "users_by_kind": kinds})
            finally:
                if args.keep:
                    log(f"  kept {workdir}")
                else:
                    shutil.rmtree(workdir, ignore_errors=True)
    except BenchError as e:
        print(f"\nbench failed: {e}", file=sys.stderr)
        if results:
            print_report(results, args, workers_note)
        return 2
    print_report(results, args, workers_note)
    print(f"\n(total run time {time.perf_counter() - started:.0f} s)")
    if args.json:
        Path(args.json).write_text(json.dumps({
            "date": datetime.now().isoformat(timespec="seconds"), "cpus": os.cpu_count(),
            "args": vars(args), "results": results}, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
