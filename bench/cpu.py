"""CPU accounting from Linux's /proc (zeros elsewhere): the gunicorn master and its workers,
the PostgreSQL backends of the bench database, and the whole machine. Plain Python: ``run.py``,
``load.py`` (under gevent) and ``bench_voting.py`` all use it."""
from __future__ import annotations

import os

TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _stat(pid: int) -> list[str] | None:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()
    except OSError:
        return None


def pids_of(root: int, pg_database: str | None) -> list[int]:
    """The gunicorn master and its workers, and the PostgreSQL backends of our database."""
    out = [root]
    try:
        entries = [int(p) for p in os.listdir("/proc") if p.isdigit()]
    except OSError:
        return out
    for pid in entries:
        st = _stat(pid)
        if st and int(st[1]) == root:
            out.append(pid)
        elif pg_database:
            try:
                with open(f"/proc/{pid}/cmdline", "rb") as f:
                    cmd = f.read().decode(errors="replace")
            except OSError:
                continue
            if cmd.startswith("postgres: ") and f" {pg_database} " in cmd:
                out.append(pid)
    return out


def cpu_seconds(pids: list[int]) -> float:
    total = 0.0
    for pid in pids:
        st = _stat(pid)
        if st:
            total += (int(st[11]) + int(st[12])) / TICK
    return total


def children_cpu() -> float:
    t = os.times()
    return t.children_user + t.children_system


def machine_busy() -> tuple[float, float]:
    """(busy, all) CPU seconds of the machine since boot, summed over CPUs.

    Busy is user, nice, system and steal time (another VM on the host counts as another
    program). Interrupt time is left out: the kernel's loopback networking of our own
    requests lands there and cannot be attributed to a process.
    """
    try:
        with open("/proc/stat") as f:
            p = [int(x) for x in f.readline().split()[1:9]]
    except OSError:
        return 0.0, 0.0
    p += [0] * (8 - len(p))
    user, nice, system, idle, iowait, irq, softirq, steal = p
    return (user + nice + system + steal) / TICK, sum(p) / TICK


def server_cpu(root: int, pg_database: str | None) -> tuple[float, float]:
    """(gunicorn, PostgreSQL) CPU seconds so far: the master with its workers, and the backends
    of ``pg_database`` (0 without one)."""
    app = set(pids_of(root, None))
    every = pids_of(root, pg_database)
    return cpu_seconds(sorted(app)), cpu_seconds([p for p in every if p not in app])
