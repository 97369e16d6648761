"""The report of ``run_load.py``: one JSON-ready dict, and the same figures as text."""

from __future__ import annotations

import os
import re
import statistics


def pct(values: list[float], q: float) -> float:
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]



def summarise(args, stats, elapsed: float, cpu: dict[str, float], stored: str, log_text: str, marker: str,
              load_before, load_after) -> dict:
    """Everything measured, as one JSON-ready dict (the printed report reads it too).

    ``stored`` is the output of run_load's COUNT step (the marked rows in the database),
    ``log_text`` the server's log.
    """
    routes = {}
    for route in sorted(stats.times):
        v = sorted(stats.times[route])
        routes[route] = {"n": len(v), "p50_ms": round(pct(v, 50) * 1e3, 1), "p95_ms": round(pct(v, 95) * 1e3, 1),
                         "p99_ms": round(pct(v, 99) * 1e3, 1), "max_ms": round(v[-1] * 1e3, 1)}
    # The night save's p95 per 10 s of the window, by when the save ended: shows whether
    # the tail is spread out or comes in waves (e.g. many analyses falling due at once).
    timeline = []
    ends = sorted(getattr(stats, "ends", {}).get("POST /nacht/", []))
    if ends:
        t0 = ends[0][0] - ends[0][1]
        slices: dict[int, list[float]] = {}
        for end, sec in ends:
            slices.setdefault(int((end - t0) // 10), []).append(sec)
        timeline = [{"from_s": k * 10, "n": len(v), "p95_ms": round(pct(sorted(v), 95) * 1e3, 1)}
                    for k, v in sorted(slices.items())]
    requests_n = sum(len(v) for r, v in stats.times.items() if "inloggen" not in r and "from schedule" not in r)
    nights = {tuple(ln.split()[1:3]) for ln in stored.splitlines() if ln.startswith("N ")}
    episodes = [tuple(ln.split()[1:3]) for ln in stored.splitlines() if ln.startswith("E ")]
    lost_n = stats.acked_nights - nights
    lost_e = stats.acked_episodes - set(episodes)
    hits = [ln for ln in log_text.splitlines() if marker in ln]
    req_s = requests_n / elapsed if elapsed else 0.0
    cores = cpu.get("server_s", 0.0) / cpu["wall_s"] if cpu.get("wall_s") else 0.0
    cores_db = (cpu.get("server_s", 0.0) + cpu.get("db_s", 0.0)) / cpu["wall_s"] if cpu.get("wall_s") else 0.0
    saves = len(stats.times.get("POST /nacht/", []))
    report = {
        "mode": args.mode, "database": args.database, "workers": args.workers, "users": args.users,
        "history_nights": args.history, "duration_s": args.duration, "elapsed_s": round(elapsed, 2),
        "offered": ({"nights_per_s": args.rate, "partner_reports_per_s": args.partner_rate,
                     "arrivals": args.arrivals, "scheduled_nights": stats.offered.get("saves", 0),
                     "scheduled_partner_reports": stats.offered.get("partner_saves", 0)}
                    if args.mode == "open" else None),
        "achieved": {"nights_per_s": round(saves / elapsed, 2) if elapsed else 0.0,
                     "requests_per_s": round(req_s, 2)},
        "requests": requests_n, "routes": routes, "night_save_p95_per_10s": timeline,
        "errors": len(stats.errors), "first_errors": sorted(set(stats.errors))[:10],
        "writes": {"nights_acknowledged": len(stats.acked_nights), "nights_stored": len(nights),
                   "episodes_acknowledged": len(stats.acked_episodes), "episodes_stored": len(episodes)},
        "lost_writes": len(lost_n) + len(lost_e),
        "cpu": {k: round(v, 2) for k, v in cpu.items()},
        "server_cores_busy": round(cores, 2),
        "requests_per_s_per_core": round(req_s / cores, 1) if cores else None,
        "server_cpu_ms_per_request": (round(cpu["server_s"] * 1e3 / requests_n, 1)
                                      if cpu.get("server_s") and requests_n else None),
        "requests_per_s_per_core_incl_db": (round(req_s / cores_db, 1) if cores_db and args.database == "postgres"
                                            else None),
        "peak_inflight": getattr(stats, "peak_inflight", None), "late_sends": getattr(stats, "late_sends", None),
        "privacy_marker_lines": len(hits), "log_lines": len(log_text.splitlines()),
        "tracebacks": len(re.findall(r"Traceback", log_text)),
        "loadavg_before": [round(x, 2) for x in load_before], "loadavg_after": [round(x, 2) for x in load_after],
        "cpu_count": os.cpu_count(),
        "reference_ms_before_after": getattr(stats, "reference_ms", None),
        "server_cpu_per_request_x_reference": (
            round(cpu["server_s"] * 1e3 / requests_n / statistics.mean(stats.reference_ms), 3)
            if cpu.get("server_s") and requests_n and getattr(stats, "reference_ms", None) else None),
    }
    report["ok"] = (not stats.errors and not lost_n and not lost_e and len(nights) == len(stats.acked_nights)
                    and len(episodes) == len(stats.acked_episodes) and not hits)
    return report


def print_report(r: dict, say, marker: str) -> None:
    if r["offered"]:
        o = r["offered"]
        say(f"\noffered {o['nights_per_s']:g} nights/s + {o['partner_reports_per_s']:g} partner reports/s "
            f"({o['arrivals']}; {o['scheduled_nights']} + {o['scheduled_partner_reports']} scheduled); "
            f"achieved {r['achieved']['nights_per_s']:.1f} nights/s; peak in flight {r['peak_inflight']}, "
            f"sent >50 ms late {r['late_sends']}")
    say(f"\nrequests after login {r['requests']} in {r['elapsed_s']:.1f} s = {r['achieved']['requests_per_s']:.1f} "
        f"req/s; errors {r['errors']}")
    c = r["cpu"]
    if c:
        db = f", PostgreSQL {c['db_s']:.1f} s" if r["database"] == "postgres" else ""
        say(f"CPU over {c['wall_s']:.1f} s: gunicorn {c['server_s']:.1f} s ({r['server_cores_busy']:.2f} cores){db}, "
            f"load generator {c['client_s']:.1f} s; {r['server_cpu_ms_per_request']} ms of gunicorn CPU per "
            f"request = {r['requests_per_s_per_core']} req/s per gunicorn core"
            + (f", {r['requests_per_s_per_core_incl_db']} incl. PostgreSQL" if r["requests_per_s_per_core_incl_db"]
               else ""))
    say(f"{'route':<34}{'n':>7}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'max ms':>9}")
    for route, v in r["routes"].items():
        say(f"{route:<34}{v['n']:>7}{v['p50_ms']:>9.0f}{v['p95_ms']:>9.0f}{v['p99_ms']:>9.0f}{v['max_ms']:>9.0f}")
    if r.get("night_save_p95_per_10s"):
        say("night save p95 per 10 s (ms): " + "  ".join(
            f"{x['from_s']}s:{x['p95_ms']:.0f}" for x in r["night_save_p95_per_10s"]))
    if r["first_errors"]:
        say("first errors:", r["first_errors"])
    w = r["writes"]
    say(f"\nnights:   acknowledged {w['nights_acknowledged']}, stored {w['nights_stored']}; "
        f"episodes: acknowledged {w['episodes_acknowledged']}, stored {w['episodes_stored']}; "
        f"lost writes {r['lost_writes']}")
    say(f"privacy:  marker {marker} found in {r['privacy_marker_lines']} of {r['log_lines']} log lines; "
        f"server log: {r['tracebacks']} tracebacks")
    say(f"load average before {r['loadavg_before']}, after {r['loadavg_after']} ({r['cpu_count']} CPUs)")
    if r.get("reference_ms_before_after"):
        say(f"machine speed: reference workload {r['reference_ms_before_after']} ms (before, after the window); "
            f"gunicorn CPU per request = {r['server_cpu_per_request_x_reference']} x reference")
    say("RESULT", "OK" if r["ok"] else "FAILED")
