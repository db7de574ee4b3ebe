"""Response-time figures, and how the slices of one phase add up. Plain Python: ``load.py``
(under gevent) and ``run.py`` (not) both use it."""
from __future__ import annotations


def percentile(sorted_values: list[float], q: float) -> float | None:
    """Nearest-rank percentile (q in 0..100) of an already sorted list."""
    if not sorted_values:
        return None
    k = max(0, min(len(sorted_values) - 1, -(-len(sorted_values) * q // 100) - 1))
    return sorted_values[int(k)]


def figures(times: list[float], failures: int, seconds: float, size: int) -> dict:
    times = sorted(times)
    n = len(times)
    return {
        "requests": n, "failures": failures, "rps": n / seconds if seconds else 0.0,
        "p50": percentile(times, 50), "p95": percentile(times, 95), "p99": percentile(times, 99),
        "mean": sum(times) / n if n else None, "max": times[-1] if n else None,
        "avg_bytes": size / n if n else 0,
    }


def merge(slices: list[dict]) -> dict:
    """One phase measured in several slices (alternating with the bare phase, see ``run.py
    --rounds``) as if it had been one window: the requests and seconds of all slices added up,
    percentiles over every response time, CPU shares weighted by each slice's length."""
    if len(slices) == 1:
        return slices[0]
    seconds = sum(s["seconds"] for s in slices)
    times: dict[str, list[float]] = {}
    failures: dict[str, int] = {}
    size: dict[str, float] = {}
    errors: dict[str, int] = {}
    for s in slices:
        for name, ts in s["times"].items():
            times.setdefault(name, []).extend(ts)
            failures[name] = failures.get(name, 0) + s["pages"][name]["failures"]
            size[name] = size.get(name, 0) + s["pages"][name]["avg_bytes"] * len(ts)
        for e, n in s.get("errors", {}).items():
            errors[e] = errors.get(e, 0) + n
    weighted = lambda key: sum((s.get(key) or 0) * s["seconds"] for s in slices) / seconds  # noqa: E731
    every = [t for ts in times.values() for t in ts]
    return {
        **{k: v for k, v in slices[0].items() if k not in ("times", "pages", "total")},
        "seconds": seconds, "slices": len(slices), "times": times,
        "total": figures(every, sum(failures.values()), seconds, sum(size.values())),
        "pages": {name: figures(ts, failures[name], seconds, size[name])
                  for name, ts in sorted(times.items())},
        "errors": dict(sorted(errors.items(), key=lambda kv: -kv[1])[:10]),
        "machine_cpu": weighted("machine_cpu"), "client_cpu": weighted("client_cpu"),
        "other_cpu": weighted("other_cpu"),
        "app_cpu_s": sum(s.get("app_cpu_s") or 0 for s in slices),
        "db_cpu_s": sum(s.get("db_cpu_s") or 0 for s in slices),
    }
