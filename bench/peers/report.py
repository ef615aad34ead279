#!/usr/bin/env python3
"""results.json -> docs/benchmarks.md (tables, ratios against issue 7's bars) and an SVG plot of
bring-up time and supervision memory against N (log-log), one curve per supervisor.

   report.py results.json --md OUT.md --svg OUT.svg"""

import argparse
import json
import math
import os
import sys

ORDER = ["startd", "dinit", "runit", "s6", "daemontools", "supervisord",
         "startd+log", "dinit+log", "runit+svlogd", "s6+s6-log", "daemontools+multilog", "supervisord+log"]
COLORS = {"startd": "#d62728", "dinit": "#1f77b4", "runit": "#2ca02c", "s6": "#9467bd", "daemontools": "#8c564b",
          "supervisord": "#ff7f0e", "posix_spawn floor": "#555555"}
# The logged variants (the peer's own logger on) share their supervisor's colour.
for _bare, _logged in zip(ORDER[:6], ORDER[6:]):
    COLORS[_logged] = COLORS[_bare]


def runs_by(results):
    """(supervisor, n) -> list of runs."""
    out = {}
    for r in results["runs"]:
        out.setdefault((r["supervisor"], r["n"]), []).append(r)
    return out


def med(xs):
    xs = sorted(x for x in xs if x is not None)
    return xs[len(xs) // 2] if xs else None


def value(rs, key):
    return med([r.get(key) for r in rs]) if rs else None


def fmt(v, digits=1):
    if v is None:
        return "—"
    if abs(v) >= 1000:
        return "{:,.0f}".format(v)
    return "%.*f" % (digits, v)


def supervisors(results):
    seen = {r["supervisor"] for r in results["runs"]}
    return [s for s in ORDER if s in seen]


def cell(rs, key, digits=1, spread=None):
    if not rs:
        return "—"
    ok = [r for r in rs if r.get(key) is not None]
    if not ok:
        r = rs[0]
        if r.get("skipped"):
            return "n/a (%s)" % r["skipped"]
        return "failed: " + (r.get("error") or "no figure").replace("|", "/")
    v = value(ok, key)
    s = fmt(v, digits)
    if spread and len(ok) == 1 and ok[0].get(spread[0]) is not None:
        s += " (%s–%s)" % (fmt(ok[0][spread[0]], digits), fmt(ok[0][spread[1]], digits))
    elif len(ok) > 1:
        vals = [r[key] for r in ok]
        s += " (%s–%s)" % (fmt(min(vals), digits), fmt(max(vals), digits))
    return s


def table(results, title, key, digits=1, spread=None, note=None, extra_rows=()):
    by = runs_by(results)
    sizes = results["sizes"]
    lines = ["### " + title, ""]
    if note:
        lines += [note, ""]
    lines.append("| supervisor | " + " | ".join("N=%s" % "{:,}".format(n) for n in sizes) + " |")
    lines.append("|---|" + "---|" * len(sizes))
    for s in supervisors(results):
        lines.append("| %s | %s |" % (s, " | ".join(cell(by.get((s, n)), key, digits, spread) for n in sizes)))
    for label, vals in extra_rows:
        lines.append("| %s | %s |" % (label, " | ".join(vals)))
    return lines + [""]


def ratio(a, b):
    return a / b if a is not None and b not in (None, 0) else None


def logged_section(results):
    """Bring-up and memory with each supervisor's logging on, beside the bare figures, at the
    largest N where startd+log has a figure."""
    by = runs_by(results)
    sizes = [m for m in results["sizes"] if value(by.get(("startd+log", m)), "bringup_ms") is not None]
    if not sizes:
        return []
    n = max(sizes)
    rows = []
    times = lambda v: "—" if v is None else fmt(v, 2) + "×"  # noqa: E731
    for logged in [s for s in supervisors(results) if "+" in s]:
        bare = logged.split("+")[0]
        L = lambda k: value(by.get((logged, n)), k)  # noqa: E731
        B = lambda k: value(by.get((bare, n)), k)  # noqa: E731
        rows.append("| %s | %s | %s | %s | %s | %s | %s |" % (
            logged, fmt(L("bringup_ms")), times(ratio(L("bringup_ms"), B("bringup_ms"))),
            fmt(L("pss_kib"), 0), times(ratio(L("pss_kib"), B("pss_kib"))), fmt(L("procs"), 0),
            times(ratio(L("bringup_ms"), value(by.get(("startd+log", n)), "bringup_ms")))))
    return ["## With logging on (what users run), N=%d" % n, "",
            "Each supervisor with its usual logger (bench/README.md); the bare run of the same supervisor in "
            "the same run for comparison. The services write nothing: this is the cost of the logging set-up "
            "(pipes, logger processes, open files), not of log traffic.", "",
            "| supervisor | bring-up ms | vs bare | PSS KiB | vs bare | processes | bring-up vs startd+log |",
            "|---|---:|---:|---:|---:|---:|---:|"] + rows + [""]


def bars(results):
    by = runs_by(results)
    fl = results.get("floor", {}).get("spawn", {})
    n = 1000 if (("startd", 1000) in by) else max(results["sizes"])
    S = lambda k, m=n: value(by.get(("startd", m)), k)  # noqa: E731
    D = lambda k, m=n: value(by.get(("dinit", m)), k)  # noqa: E731
    floor_up = (fl.get(str(n)) or {}).get("bringup_ms")
    rows = []

    def add(name, got, bar, ok):
        rows.append("| %s | %s | %s | %s |" % (name, got, bar, "—" if ok is None else ("met" if ok else "**missed**")))

    r = ratio(S("bringup_ms"), D("bringup_ms"))
    add("bring-up N=%d vs dinit" % n, fmt(r, 2) + "×", "≤ 0.70×", None if r is None else r <= 0.7)
    r = ratio(S("bringup_ms"), floor_up)
    add("bring-up N=%d vs posix_spawn floor" % n, fmt(r, 2) + "×", "≤ 1.30×", None if r is None else r <= 1.3)
    r = ratio(S("pss_kib"), D("pss_kib"))
    add("PSS N=%d vs dinit" % n, fmt(r, 2) + "×", "≤ 1.00×", None if r is None else r <= 1.0)
    per = None
    if S("pss_kib") is not None and S("pss_kib", 1) is not None and n > 1:
        per = (S("pss_kib") - S("pss_kib", 1)) / (n - 1)
    add("PSS per extra job (N=1→%d)" % n, fmt(per, 2) + " KiB", "≤ 2 KiB", None if per is None else per <= 2.0)
    for key, label, bar in (("respawn_ms", "respawn", 1.0), ("status_ms", "status query", 0.8),
                            ("stop_ms", "stop-all", 1.0)):
        r = ratio(S(key), D(key))
        add("%s N=%d vs dinit" % (label, n), fmt(r, 2) + "×", "≤ %.2f×" % bar, None if r is None else r <= bar)
    cs = [(m, (value(by.get(("startd", m)), "idle_vol_cs") or 0) + (value(by.get(("startd", m)), "idle_invol_cs") or 0))
          for m in results["sizes"] if by.get(("startd", m)) and value(by.get(("startd", m)), "idle_vol_cs") is not None]
    worst = max((c for _, c in cs), default=None)
    add("idle wake-ups (context switches, all N)", fmt(worst, 0), "0", None if worst is None else worst == 0)
    if ("startd", 10000) in by and ("startd", 1000) in by:
        a = value(by[("startd", 1000)], "bringup_ms")
        b = value(by[("startd", 10000)], "bringup_ms")
        r = ratio(b / 10000 if b else None, a / 1000 if a else None)
        add("bring-up per job, 10k vs 1k", fmt(r, 2) + "×", "≤ 1.20×", None if r is None else r <= 1.2)
        a = value(by[("startd", 1000)], "pss_kib")
        b = value(by[("startd", 10000)], "pss_kib")
        s1 = S("pss_kib", 1)
        if a and b and s1:
            r = ratio((b - s1) / 9999, (a - s1) / 999)
            add("PSS per job, 10k vs 1k", fmt(r, 2) + "×", "≤ 1.20×", None if r is None else r <= 1.2)
    return ["| bar | startd | target | |", "|---|---|---|---|"] + rows + [""]


def markdown(results):
    m = results["machine"]
    v = results["versions"]
    by = runs_by(results)
    fl = results.get("floor", {})
    sizes = results["sizes"]
    out = ["# startd beside the other supervisors", "",
           "Generated by `bench/run`%s on %s. Do not edit by hand: re-run the harness (see "
           "`bench/README.md`)." % (" --quick" if results["quick"] else "", results["date"]), "",
           "- Machine: %s, %s cores, %s GiB, %s, kernel %s; load average before the run %s (other engineers "
           "build on the same 2 cores: read ratios taken in one run, not absolute figures)."
           % (m["cpu"], m["cores"], m["mem_gib"], m["os"], m["kernel"], " ".join("%.1f" % x for x in m["load_before"])),
           "- Versions: " + ", ".join("%s %s" % (k, v[k]) for k in ORDER if k in v) + ".",
           "- Skipped: " + ("; ".join("%s (%s)" % kv for kv in results["skipped"].items()) or "none") + ".",
           "- startd's jobs were started %s." % ("by `start on startup`" if results.get("startd_mode") == "event"
                                                 else "by one `start` request per job (no wait) over one control "
                                                      "connection, sent as soon as startd listened (the events work "
                                                      "was not merged yet)"),
           "- Every service is the same static C program that only `pause()`s, exec'd directly. Runs per size: "
           "%d (N=10,000: 1); the harness took %.0f s." % (results["cfg"]["reps"], results.get("elapsed_s", 0)), ""]
    out += ["## Bars (issue 7), startd against dinit and the floor, same run", ""] + bars(results)
    floor_row = [fmt((fl.get("spawn", {}).get(str(n)) or {}).get("bringup_ms")) for n in sizes]
    out += logged_section(results)
    out += ["## Figures", ""]
    out += table(results, "Bring-up: supervisor start → all N services exec'd (ms)", "bringup_ms",
                 note="From the supervisor's start to the exec stamp of the N-th sleeper (each sleeper writes its "
                      "CLOCK_MONOTONIC time to a FIFO right after exec). Spread: min–max over "
                      "runs.", extra_rows=[("posix_spawn floor", floor_row)])
    per_rows = []
    for s in supervisors(results):
        per_rows.append("| %s | %s |" % (s, " | ".join(
            fmt(value(by.get((s, n)), "bringup_ms") / n * 1000 if value(by.get((s, n)), "bringup_ms") else None, 0)
            for n in sizes)))
    fl_per = [fmt((fl.get("spawn", {}).get(str(n)) or {}).get("bringup_ms", 0) / n * 1000, 0) for n in sizes]
    out += ["### Bring-up per service (µs)", "",
            "| supervisor | " + " | ".join("N=%s" % "{:,}".format(n) for n in sizes) + " |",
            "|---|" + "---|" * len(sizes)] + per_rows + ["| posix_spawn floor | %s |" % " | ".join(fl_per), ""]
    out += table(results, "Supervision memory: PSS of the supervisor's own processes (KiB)", "pss_kib", 0,
                 note="Summed over every supervisor process (runsv, s6-supervise, supervise: one per service), "
                      "services excluded; from /proc/PID/smaps_rollup after bring-up.")
    out += table(results, "Supervision memory: RSS of the supervisor's own processes (KiB)", "rss_kib", 0)
    out += table(results, "Supervisor processes", "procs", 0)
    pe = []
    for s in supervisors(results):
        p1 = value(by.get((s, 1)), "pss_kib")
        pe.append("| %s | %s |" % (s, " | ".join(
            fmt((value(by.get((s, n)), "pss_kib") - p1) / (n - 1), 2)
            if n > 1 and p1 is not None and value(by.get((s, n)), "pss_kib") is not None else "—" for n in sizes)))
    out += ["### PSS per extra service, from N=1 (KiB)", "",
            "| supervisor | " + " | ".join("N=%s" % "{:,}".format(n) for n in sizes) + " |",
            "|---|" + "---|" * len(sizes)] + pe + [""]
    out += table(results, "Respawn: SIGKILL of a service → replacement exec'd (ms, median (min–max))", "respawn_ms",
                 2, spread=("respawn_min_ms", "respawn_max_ms"),
                 note="20 samples (N=1: 5, the same service again once it has been up for 1.1 s), each a "
                      "different service that had been up since bring-up (> the idle window).")
    out += table(results, "Status query: one CLI status call (ms, median (min–max) of 20)", "status_ms", 2,
                 spread=("status_min_ms", "status_max_ms"),
                 note="Wall time of `startctl status`, `dinitctl status`, `sv status`, `s6-svstat`, `svstat`, "
                      "`supervisorctl status` (posix_spawn + wait in C). Spawning /bin/true the same way: %s ms."
                      % fmt(fl.get("timecmd_true_ms"), 2))
    out += table(results, "Idle: context switches of the supervisor's processes over the idle window "
                          "(voluntary + involuntary)", "idle_cs", 0,
                 note="Window: %.0f s after bring-up, before any other request. 0 = no wake-up at all."
                      % results["cfg"]["idle_s"])
    out += table(results, "Idle: CPU run time over the idle window (ms, schedstat)", "idle_run_ms", 2)
    out += table(results, "Stop-all: stop request → every service process has exited (ms)", "stop_ms",
                 extra_rows=[("SIGKILL+reap floor", [fmt((fl.get("spawn", {}).get(str(n)) or {}).get("killreap_ms"))
                                                      for n in sizes])],
                 note="startd, dinit, supervisord: SIGTERM; runit: SIGHUP to runsvdir; s6: `s6-svscanctl -t`; "
                      "daemontools: SIGTERM to svscan and `svc -dx` on every service.")
    out += ["### Floor (no supervisor)", "", "| measure | median | min–max |", "|---|---|---|"]
    for k, label in (("forkexec", "fork + exec + wait of the sleeper (µs)"),
                     ("spawnwait", "posix_spawn + wait of the sleeper (µs)")):
        f = fl.get(k)
        if f:
            out.append("| %s | %s | %s–%s |" % (label, fmt(f["median_us"]), fmt(f["min_us"]), fmt(f["max_us"])))
    for n in sizes:
        f = (fl.get("spawn") or {}).get(str(n))
        if f:
            out.append("| posix_spawn %s long-running sleepers → all exec'd (ms) | %s | %s–%s |" % (
                "{:,}".format(n), fmt(f["bringup_ms"]), fmt(min(f["bringup_all"])), fmt(max(f["bringup_all"]))))
    out += ["", "Load average (1 min) at the end of each run: " + ", ".join(
        "%s N=%d %.1f" % (r["supervisor"], r["n"], r["load"]) for r in results["runs"] if "load" in r) + ".", ""]
    errs = [r for r in results["runs"] if r.get("error") or r.get("note")]
    if errs:
        out += ["### Failures and notes", ""] + ["- %s N=%d: %s" % (r["supervisor"], r["n"], r.get("error") or r.get("note"))
                                                 for r in errs] + [""]
    out += ["![bring-up and memory against N](benchmarks.svg)", ""]
    return "\n".join(out)


# ---- SVG ---------------------------------------------------------------------------------------

def svg(results):
    by = runs_by(results)
    sizes = results["sizes"]
    W, H = 1100, 560
    panels = [("Bring-up: start → all N exec'd", "ms", "bringup_ms"), ("Supervision memory (PSS)", "KiB", "pss_kib")]
    series = {}
    for s in supervisors(results):
        for _, _, key in panels:
            pts = [(n, value(by.get((s, n)), key)) for n in sizes]
            series[(s, key)] = [(n, v) for n, v in pts if v]
    fl = results.get("floor", {}).get("spawn", {})
    series[("posix_spawn floor", "bringup_ms")] = [(n, fl[str(n)]["bringup_ms"]) for n in sizes if str(n) in fl]
    o = ['<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" '
         'font-family="DejaVu Sans, Helvetica, Arial, sans-serif" font-size="13">' % (W, H, W, H),
         '<rect width="100%" height="100%" fill="white"/>',
         '<text x="%d" y="24" text-anchor="middle" font-size="16" font-weight="bold">startd and peers, %s (log-log)'
         '</text>' % (W // 2, results["date"])]
    pw, ph, top = 400, 330, 60
    names = [s for s in supervisors(results)] + ["posix_spawn floor"]
    for pi, (title, unit, key) in enumerate(panels):
        x0 = 80 + pi * 520
        vals = [v for (s, k), pts in series.items() if k == key for _, v in pts]
        if not vals:
            continue
        lo = 10 ** math.floor(math.log10(min(vals)))
        hi = 10 ** math.ceil(math.log10(max(vals)))
        if hi <= lo:
            hi = lo * 10
        nlo, nhi = min(sizes), max(sizes)
        nlo_l, nhi_l = math.log10(nlo), math.log10(nhi) if nhi > nlo else math.log10(nlo) + 1

        def X(n):
            return x0 + (math.log10(n) - nlo_l) / (nhi_l - nlo_l) * pw

        def Y(v):
            return top + ph - (math.log10(v) - math.log10(lo)) / (math.log10(hi) - math.log10(lo)) * ph

        o.append('<text x="%d" y="%d" text-anchor="middle" font-size="15">%s</text>' % (x0 + pw / 2, top - 14, title))
        o.append('<rect x="%d" y="%d" width="%d" height="%d" fill="none" stroke="#333"/>' % (x0, top, pw, ph))
        d = lo
        while d <= hi * 1.0001:
            y = Y(d)
            o.append('<line x1="%d" y1="%.1f" x2="%d" y2="%.1f" stroke="#ddd"/>' % (x0, y, x0 + pw, y))
            o.append('<text x="%d" y="%.1f" text-anchor="end">%s</text>' % (x0 - 6, y + 4, "{:,}".format(d)
                                                                               if d >= 1 else ("%g" % d)))
            d *= 10
        for n in sizes:
            x = X(n)
            o.append('<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#ddd"/>' % (x, top, x, top + ph))
            o.append('<text x="%.1f" y="%d" text-anchor="middle">%s</text>' % (x, top + ph + 18, "{:,}".format(n)))
        o.append('<text x="%d" y="%d" text-anchor="middle">N services</text>' % (x0 + pw / 2, top + ph + 38))
        o.append('<text x="%d" y="%d" text-anchor="middle" transform="rotate(-90 %d %d)">%s</text>' % (
            x0 - 58, top + ph / 2, x0 - 58, top + ph / 2, unit))
        for s in names:
            pts = series.get((s, key), [])
            if not pts:
                continue
            c = COLORS.get(s, "#000")
            dash = ' stroke-dasharray="6 4"' if s == "posix_spawn floor" else (
                ' stroke-dasharray="2 3"' if "+" in s else "")
            width = 3 if s.startswith("startd") else 2
            o.append('<polyline fill="none" stroke="%s" stroke-width="%d"%s points="%s"/>' % (
                c, width, dash, " ".join("%.1f,%.1f" % (X(n), Y(v)) for n, v in pts)))
            for n, v in pts:
                o.append('<circle cx="%.1f" cy="%.1f" r="4" fill="%s"/>' % (X(n), Y(v), c))
    # legend, below both panels
    lx = 80
    for i, s in enumerate(names):
        x, ly = lx + (i % 7) * 145, top + ph + 70 + (i // 7) * 24
        c = COLORS.get(s, "#000")
        dash = ' stroke-dasharray="6 4"' if s == "posix_spawn floor" else (' stroke-dasharray="2 3"' if "+" in s else "")
        o.append('<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="%s" stroke-width="3"%s/>' % (x, ly, x + 26, ly, c, dash))
        o.append('<text x="%d" y="%d">%s</text>' % (x + 32, ly + 5, s))
    o.append("</svg>")
    return "\n".join(o) + "\n"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("results")
    ap.add_argument("--md", required=True)
    ap.add_argument("--svg", required=True)
    a = ap.parse_args()
    with open(a.results) as f:
        results = json.load(f)
    for r in results["runs"]:
        if r.get("idle_vol_cs") is not None:
            r["idle_cs"] = r["idle_vol_cs"] + r["idle_invol_cs"]
    with open(a.md, "w") as f:
        f.write(markdown(results))
    with open(a.svg, "w") as f:
        f.write(svg(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
