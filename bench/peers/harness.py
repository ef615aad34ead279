#!/usr/bin/env python3
"""Runs every supervisor's adapter through the same measurements and writes results JSON.

   harness.py --build DIR --out results.json [--quick] [--sizes 1,100,1000,10000] [--only a,b]

Per supervisor and N: bring-up (supervisor start -> N distinct sleepers have exec'd, from the
sleepers' own CLOCK_MONOTONIC stamps), memory (VmRSS and Pss from smaps_rollup over the
supervisor's own processes), idle cost (CPU, schedstat run time and context switches over the
idle window), status-query latency (timecmd: median of the CLI's wall time), respawn (SIGKILL a
service up for longer than the idle window -> its replacement's exec stamp), and stop-all (stop
request -> every service process has exited, watched with pidfds). Everything is bounded in
time; every process started is ended by pid (the harness is a child subreaper, so nothing
escapes it)."""

import argparse
import ctypes
import json
import os
import platform
import resource
import select
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import adapters  # noqa: E402

NOTE = struct.Struct("=iiq")
PR_SET_CHILD_SUBREAPER = 36


def now_ns():
    return time.monotonic_ns()


def median(xs):
    s = sorted(xs)
    return s[len(s) // 2] if s else None


# ---- /proc -------------------------------------------------------------------------------------

def read(path):
    try:
        with open(path) as f:
            return f.read()
    except OSError:
        return None


def exe_of(pid):
    try:
        return os.readlink("/proc/%d/exe" % pid)
    except OSError:
        return None


def ppid_map():
    m = {}
    for d in os.listdir("/proc"):
        if d.isdigit():
            st = read("/proc/%s/stat" % d)
            if st:
                m[int(d)] = int(st[st.rindex(")") + 2:].split()[1])
    return m


def descendants(root):
    pm = ppid_map()
    kids = {}
    for p, pp in pm.items():
        kids.setdefault(pp, []).append(p)
    out, todo = [], [root]
    while todo:
        p = todo.pop()
        if p in pm or p == root:
            out.append(p)
        todo.extend(kids.get(p, []))
    return out


def supervisor_pids(root, sleeper):
    return [p for p in descendants(root) if exe_of(p) != sleeper and read("/proc/%d/stat" % p)]


def memory(pids):
    rss = pss = 0
    for p in pids:
        txt = read("/proc/%d/smaps_rollup" % p)
        if not txt:
            continue
        for line in txt.splitlines():
            if line.startswith("Rss:"):
                rss += int(line.split()[1])
            elif line.startswith("Pss:"):
                pss += int(line.split()[1])
    return rss, pss


def cpu_counters(pids):
    """Sums over every task of every pid: utime+stime ticks, schedstat ns, vol and invol switches."""
    ticks = run_ns = vol = invol = 0
    for p in pids:
        try:
            tids = os.listdir("/proc/%d/task" % p)
        except OSError:
            continue
        for t in tids:
            base = "/proc/%d/task/%s/" % (p, t)
            st = read(base + "stat")
            ss = read(base + "schedstat")
            status = read(base + "status")
            if not st or not ss or not status:
                continue
            f = st[st.rindex(")") + 2:].split()
            ticks += int(f[11]) + int(f[12])
            run_ns += int(ss.split()[0])
            for line in status.splitlines():
                if line.startswith("voluntary_ctxt_switches:"):
                    vol += int(line.split()[1])
                elif line.startswith("nonvoluntary_ctxt_switches:"):
                    invol += int(line.split()[1])
    return ticks, run_ns, vol, invol


def reap_all():
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


# ---- one run -----------------------------------------------------------------------------------

class Run:
    def __init__(self, adapter, n, cfg):
        self.a, self.n, self.cfg = adapter, n, cfg
        self.sleeper = cfg["sleeper"]
        self.res = {"supervisor": adapter.name, "n": n}
        self.pids = {}  # service pid -> exec stamp

    def open_notify(self):
        # A FIFO that the sleepers write one 16-byte note to (see sleeper.c); O_RDWR so opening
        # never waits for a writer; 1 MiB of pipe so no sleeper's write can find it full.
        self.name = os.path.join(self.work, "notify.fifo")
        os.mkfifo(self.name, 0o600)
        self.fd = os.open(self.name, os.O_RDWR | os.O_NONBLOCK | os.O_CLOEXEC)
        try:
            import fcntl
            fcntl.fcntl(self.fd, 1031, 1 << 20)  # F_SETPIPE_SZ
        except OSError:
            pass
        self.buf = b""

    def recv_until(self, pred, deadline_ns):
        """Collects notes until pred() or the deadline; returns the notes received."""
        got = []
        while not pred():
            left = (deadline_ns - now_ns()) / 1e9
            if left <= 0:
                break
            r, _, _ = select.select([self.fd], [], [], left)
            if not r:
                break
            try:
                self.buf += os.read(self.fd, 1 << 16)
            except BlockingIOError:
                continue
            whole = len(self.buf) - len(self.buf) % NOTE.size
            for off in range(0, whole, NOTE.size):
                pid, _, ts = NOTE.unpack_from(self.buf, off)
                self.pids[pid] = ts
                got.append((pid, ts))
            self.buf = self.buf[whole:]
        return got

    def alive_services(self):
        return [p for p in self.pids if exe_of(p) == self.sleeper]

    def execute(self):
        a, n, cfg = self.a, self.n, self.cfg
        work = tempfile.mkdtemp(prefix="%s-%d-" % (a.name, n), dir=cfg["tmp"])
        self.work = work
        try:
            a.prepare(work, n)
            self.open_notify()
            # The same small environment for every supervisor, whatever the caller's shell has:
            # a user-mode supervisor hands its environment on to every service (startd keeps a
            # copy per job instance), so the caller's environment would otherwise change figures.
            env = {"PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "HOME": "/root",
                   "LANG": "C.UTF-8", "BENCH_NOTIFY": self.name}
            log = open(os.path.join(work, "supervisor.log"), "wb")
            self.bringup(env, log)
            if self.res.get("error"):
                return self.res
            time.sleep(cfg["settle"])
            sup = supervisor_pids(a.proc.pid, self.sleeper)
            rss, pss = memory(sup)
            self.res.update(procs=len(sup), rss_kib=rss, pss_kib=pss)
            self.idle(sup)
            self.status()
            self.respawn()
            # daemontools' supervise sleeps 1 s after every start and reads no command meanwhile:
            # let every supervisor settle after the last respawn before timing stop-all.
            time.sleep(1.2)
            self.stop_all()
        except Exception as e:  # a broken adapter is a result, not a crash of the whole run
            self.res["error"] = "%s: %s" % (type(e).__name__, e)
        finally:
            self.cleanup()
            shutil.rmtree(work, ignore_errors=True)
        return self.res

    def bringup(self, env, log):
        a, n = self.a, self.n
        timeout = self.cfg["timeout_base"] + n * self.cfg["timeout_per_svc"]
        t0 = now_ns()
        a.start(env, log)
        a.after_start()
        deadline = t0 + int(timeout * 1e9)
        self.recv_until(lambda: len(self.pids) >= n or a.proc.poll() is not None, deadline)
        if len(self.pids) < n:
            why = "exited with %s" % a.proc.returncode if a.proc.poll() is not None else "timed out after %.0f s" % timeout
            self.res["error"] = "bring-up: %d of %d services exec'd (%s)" % (len(self.pids), n, why)
            if getattr(a, "ctl_error", None):
                self.res["error"] += "; " + a.ctl_error
            return
        self.res["bringup_ms"] = (max(self.pids.values()) - t0) / 1e6
        if getattr(a, "ctl_error", None):
            self.res["error"] = a.ctl_error

    def idle(self, sup):
        c0 = cpu_counters(sup)
        time.sleep(self.cfg["idle_s"])
        c1 = cpu_counters(sup)
        d = [y - x for x, y in zip(c0, c1)]
        self.res.update(idle_s=self.cfg["idle_s"], idle_ticks=d[0], idle_run_ms=d[1] / 1e6, idle_vol_cs=d[2],
                        idle_invol_cs=d[3])

    def status(self):
        reps = self.cfg["status_reps"]
        out = subprocess.run([self.cfg["timecmd"], str(reps)] + self.a.status_cmd(0), capture_output=True,
                             text=True, timeout=60 + reps * 5)
        med, lo, hi, fails = out.stdout.split()
        self.res.update(status_ms=float(med) / 1e3, status_min_ms=float(lo) / 1e3, status_max_ms=float(hi) / 1e3)
        if int(fails):
            self.res["error"] = "status query failed %s of %d times: %s" % (fails, reps, " ".join(self.a.status_cmd(0)))

    def respawn(self):
        samples = []
        reps = min(self.cfg["respawn_reps"], max(self.n, self.cfg["respawn_reps_small"]))
        victims = sorted(self.alive_services(), key=lambda p: self.pids[p])
        for k in range(reps):
            if self.n >= reps:
                victim = victims[k]  # a different service each time, each up since bring-up
            else:
                victim = self.alive_services()[0]
                # The same service again: wait until it has been up > 1.1 s (s6 and dinit hold
                # back restarts of services that ran for less).
                up_s = (now_ns() - self.pids[victim]) / 1e9
                if up_s < 1.1:
                    time.sleep(1.1 - up_s)
            before = set(self.pids)
            t_kill = now_ns()
            os.kill(victim, signal.SIGKILL)
            del self.pids[victim]
            new = self.recv_until(lambda: any(p not in before for p in self.pids), t_kill + int(5e9))
            fresh = [ts for p, ts in new if p not in before]
            if not fresh:
                self.res["error"] = "respawn: no replacement within 5 s"
                break
            samples.append((fresh[0] - t_kill) / 1e6)
            reap_all()
        if samples:
            self.res.update(respawn_ms=median(samples), respawn_min_ms=min(samples), respawn_max_ms=max(samples),
                            respawn_samples=len(samples))

    def stop_all(self):
        services = self.alive_services()
        fds = []
        for p in services:
            try:
                fds.append(os.pidfd_open(p))
            except OSError:
                pass  # already gone
        ep = select.epoll()
        for fd in fds:
            ep.register(fd, select.EPOLLIN)
        t0 = now_ns()
        self.a.stop_all()
        left = len(fds)
        deadline = t0 + int(self.cfg["stop_timeout"] * 1e9)
        t_last = t0
        while left:
            wait = (deadline - now_ns()) / 1e9
            if wait <= 0:
                break
            for fd, _ in ep.poll(wait):
                ep.unregister(fd)
                left -= 1
                t_last = now_ns()
        ep.close()
        for fd in fds:
            os.close(fd)
        if left:
            self.res["error"] = "stop-all: %d of %d services still running after %.0f s" % (
                left, len(fds), self.cfg["stop_timeout"])
        else:
            self.res["stop_ms"] = (t_last - t0) / 1e6

    def cleanup(self):
        a = self.a
        if a.proc is not None:
            try:
                a.proc.wait(timeout=self.cfg["exit_timeout"])
            except subprocess.TimeoutExpired:
                self.res.setdefault("note", "supervisor did not exit after stop-all; killed")
        # Whatever is left (supervisor processes, services, orphans re-parented to us): by pid.
        for _ in range(3):
            left = []
            if a.proc is not None and a.proc.poll() is None:
                left += descendants(a.proc.pid)
            # The harness is a subreaper: whatever the supervisor left behind when it exited
            # (s6-supervise, runsv, services) is re-parented to us, and everything under us is ours.
            left += [p for p in descendants(os.getpid()) if p != os.getpid()]
            left += self.alive_services()
            if not left:
                break
            for p in set(left):
                try:
                    os.kill(p, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            time.sleep(0.05)
            reap_all()
        if a.proc is not None:
            try:
                a.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                pass
        reap_all()
        a.proc = None
        if hasattr(self, "fd"):
            os.close(self.fd)


# ---- floor -------------------------------------------------------------------------------------

def floor(cfg, sizes):
    f, sl = cfg["floor"], cfg["sleeper"]
    out = {}
    reps = cfg["floor_reps"]
    for mode in ("forkexec", "spawnwait"):
        r = subprocess.run([f, mode, str(reps), sl], capture_output=True, text=True, timeout=120)
        med, lo, hi = map(float, r.stdout.split())
        out[mode] = {"median_us": med, "min_us": lo, "max_us": hi}
    r = subprocess.run([cfg["timecmd"], "20", "/bin/true"], capture_output=True, text=True, timeout=60)
    out["timecmd_true_ms"] = float(r.stdout.split()[0]) / 1e3
    out["spawn"] = {}
    for n in sizes:
        runs = []
        for _ in range(cfg["reps"] if n < 10000 else 1):
            r = subprocess.run([f, "spawn", str(n), sl, os.path.join(cfg["tmp"], "startd-bench-floor-%d.fifo" % os.getpid())],
                               capture_output=True,
                               text=True, timeout=120 + n * 0.05)
            b, k = map(float, r.stdout.split())
            runs.append((b, k))
            reap_all()
        out["spawn"][str(n)] = {"bringup_ms": median([b for b, _ in runs]), "killreap_ms": median([k for _, k in runs]),
                                "bringup_all": [b for b, _ in runs]}
    return out


def machine():
    cpu = "?"
    for line in (read("/proc/cpuinfo") or "").splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem = (read("/proc/meminfo") or "MemTotal: 0 kB").splitlines()[0].split()[1]
    osr = "?"
    for line in (read("/etc/os-release") or "").splitlines():
        if line.startswith("PRETTY_NAME="):
            osr = line.split("=", 1)[1].strip('"')
    return {"cpu": cpu, "cores": os.cpu_count(), "mem_gib": round(int(mem) / 1048576, 1), "os": osr,
            "kernel": platform.release(), "load_before": os.getloadavg()}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", required=True, help="dir with sleeper, floor, timecmd")
    ap.add_argument("--startd-bin", required=True, help="dir with startd and startctl")
    ap.add_argument("--out", required=True)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--sizes")
    ap.add_argument("--only")
    ap.add_argument("--reps", type=int)
    ap.add_argument("--startd-mode", default=os.environ.get("STARTD_BRINGUP", "auto"))
    args = ap.parse_args()

    if os.geteuid() != 0:
        print("bench: run as root (the peers are installed system-wide and run as root)", file=sys.stderr)
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    try:
        resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, 65536), max(hard, 65536)))
    except (ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))

    args.build = os.path.abspath(args.build)
    args.startd_bin = os.path.abspath(args.startd_bin)
    quick = args.quick
    sizes = [int(s) for s in args.sizes.split(",")] if args.sizes else ([1, 100] if quick else [1, 100, 1000, 10000])
    if quick:
        sizes = [s for s in sizes if s <= 100]
    cfg = {
        "sleeper": os.path.join(args.build, "sleeper"), "floor": os.path.join(args.build, "floor"),
        "timecmd": os.path.join(args.build, "timecmd"),
        "startd": os.path.join(args.startd_bin, "startd"),
        "startctl": os.path.join(args.startd_bin, "startctl"),
        "dinit_dir": os.environ.get("DINIT_DIR"), "startd_mode": args.startd_mode,
        "tmp": os.environ.get("BENCH_TMP", "/tmp"),
        "reps": args.reps or (1 if quick else int(os.environ.get("BENCH_REPS", "1"))),
        "settle": 0.2 if quick else 1.0, "idle_s": float(os.environ.get("BENCH_IDLE_S", 1.0 if quick else 20.0)),
        "status_reps": 3 if quick else 20, "respawn_reps": 2 if quick else 20, "respawn_reps_small": 2 if quick else 5,
        "timeout_base": 15.0, "timeout_per_svc": 0.015 if not quick else 0.15,
        "stop_timeout": 30.0 if quick else 90.0, "exit_timeout": 10.0, "floor_reps": 200 if quick else 2000,
    }
    only = set(args.only.split(",")) if args.only else None
    ads, skipped = [], {}
    for cls in adapters.ALL:
        a = cls(cfg)
        if only and a.name not in only:
            continue
        why = a.missing()
        if why:
            skipped[a.name] = why
            print("bench: skipping %s: %s" % (a.name, why), flush=True)
        else:
            ads.append(a)
    versions = {a.name: a.version() for a in ads}

    # startd: `start on startup` once events exist; until then, one start request per job.
    for a in ads:
        if a.name == "startd" and a.mode == "auto":
            a.mode = "event"
            probe = Run(a, 1, dict(cfg, timeout_base=1.0, timeout_per_svc=0.0, idle_s=0, status_reps=1,
                                   respawn_reps=0, respawn_reps_small=0))
            r = probe.execute()
            a.mode = "event" if "bringup_ms" in r else "ctl"
            print("bench: startd bring-up by %s" % ("`start on startup`" if a.mode == "event" else
                                                    "one `start` request per job over the control socket"), flush=True)

    results = {"date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "quick": quick, "sizes": sizes,
               "machine": machine(), "versions": versions, "skipped": skipped, "runs": [],
               "startd_mode": next((a.mode for a in ads if a.name == "startd"), None), "cfg": cfg}
    t_start = time.monotonic()
    results["floor"] = floor(cfg, sizes)
    print("bench: floor done (%.0f s)" % (time.monotonic() - t_start), flush=True)
    for n in sizes:
        for rep in range(cfg["reps"] if n < 10000 else 1):
            for a in ads:
                if quick and a.logged and n > 1:
                    # Quick mode checks that each logged variant works, at N=1 only: the whole quick
                    # run stays within its time (the bare supervisors still run at every size).
                    continue
                if a.max_n and n > a.max_n:
                    if rep == 0:
                        results["runs"].append({"supervisor": a.name, "n": n, "skipped":
                                                "%s supervises at most %d services" % (a.name, a.max_n)})
                    continue
                t = time.monotonic()
                r = Run(a, n, cfg).execute()
                r["rep"] = r_rep = rep
                r["load"] = os.getloadavg()[0]
                results["runs"].append(r)
                print("bench: %-12s N=%-5d rep %d  %s  (%.1f s)" % (a.name, n, r_rep, summary(r), time.monotonic() - t),
                      flush=True)
    results["elapsed_s"] = time.monotonic() - t_start
    with open(args.out, "w") as f:
        json.dump(results, f, indent=1)
    bad = [r for r in results["runs"] if r.get("error")]
    for r in bad:
        print("bench: FAILED %s N=%d: %s" % (r["supervisor"], r["n"], r["error"]), file=sys.stderr)
    # A failure matters in quick mode (CI): any installed adapter that does not work.
    return 1 if (quick and bad) else 0


def summary(r):
    if r.get("error") and "bringup_ms" not in r:
        return "ERROR " + r["error"]
    parts = ["up %.1f ms" % r["bringup_ms"]]
    if "pss_kib" in r:
        parts.append("PSS %d KiB (%d procs)" % (r["pss_kib"], r["procs"]))
    if "respawn_ms" in r:
        parts.append("respawn %.2f ms" % r["respawn_ms"])
    if "status_ms" in r:
        parts.append("status %.2f ms" % r["status_ms"])
    if "idle_vol_cs" in r:
        parts.append("idle cs %d+%d" % (r["idle_vol_cs"], r["idle_invol_cs"]))
    if "stop_ms" in r:
        parts.append("stop %.1f ms" % r["stop_ms"])
    if r.get("error"):
        parts.append("ERROR " + r["error"])
    return ", ".join(parts)


if __name__ == "__main__":
    sys.exit(main())
