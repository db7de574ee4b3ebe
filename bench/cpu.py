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


def server_snapshot(root: int, pg_database: str | None) -> dict[int, tuple[bool, float]]:
    """CPU seconds so far of each process of the server, in one pass over /proc: gunicorn's
    master and workers (True) and the backends of ``pg_database`` (False)."""
    out = {}
    for pid in pids_of(root, pg_database):
        st = _stat(pid)
        if st:
            out[pid] = (pid == root or int(st[1]) == root, (int(st[11]) + int(st[12])) / TICK)
    return out


def cpu_used(before: dict, after: dict) -> dict[int, tuple[bool, float]]:
    """What each process of ``after`` used since ``before`` (two :func:`server_snapshot`): one
    that started in between counts from its start; one that ended in between is left out
    rather than counted negative."""
    return {pid: (is_app, seconds - before.get(pid, (is_app, 0.0))[1])
            for pid, (is_app, seconds) in after.items()}
