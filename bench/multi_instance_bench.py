#!/usr/bin/env python3
"""What `startctl instance start` of many instances costs (issue 16).

Builds a private home in a temp dir (XDG_CONFIG_HOME, XDG_RUNTIME_DIR, XDG_STATE_HOME), runs
`startctl --user instance init`, creates INSTANCES-1 more instances (the default one counts),
enables them, gives each JOBS jobs (`start on startup`, `exec sleep 1000`), then times
`startctl --user instance start` (it returns once every startd answers on its socket), waits
until every job runs, sums the startd daemons' RSS (VmRSS) and the jobs', and times
`instance stop`. Everything it starts is stopped; anything left is SIGKILLed by pid.

Usage: bench/multi_instance_bench.py [--bin DIR] [--instances 10] [--jobs 100] [--reps 3]
DIR holds startd and startctl (default: build/release/src, else build/debug/src).
"""
import argparse
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def find_bin(given):
    if given:
        return given
    for preset in ("release", "debug"):
        d = os.path.join(HERE, "..", "build", preset, "src")
        if os.path.exists(os.path.join(d, "startctl")):
            return os.path.abspath(d)
    raise SystemExit("no build found: pass --bin DIR")


def rss_kib(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def ours(mark):
    """Every live process whose environment holds `mark` (this run's XDG_STATE_HOME)."""
    found = []
    for name in os.listdir("/proc"):
        if not name.isdigit() or int(name) == os.getpid():
            continue
        try:
            with open(f"/proc/{name}/environ", "rb") as f:
                env = f.read().split(b"\0")
            with open(f"/proc/{name}/stat") as f:
                state = f.read().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if mark.encode() in env and state != "Z":
            found.append(int(name))
    return found


def one_run(startctl, instances, jobs):
    home = tempfile.mkdtemp(prefix="smb.", dir="/tmp")  # short: sockets are under it twice (108-byte limit)
    os.chmod(home, 0o755)
    os.makedirs(os.path.join(home, "run"), mode=0o700)
    env = dict(os.environ, XDG_CONFIG_HOME=f"{home}/config", XDG_RUNTIME_DIR=f"{home}/run",
               XDG_STATE_HOME=f"{home}/state", HOME=home)
    env.pop("STARTD_CONFIG", None)
    mark = f"XDG_STATE_HOME={home}/state"

    def ctl(*args, check=True):
        r = subprocess.run([startctl, "--user", *args], env=env, capture_output=True, text=True, timeout=600)
        if check and r.returncode != 0:
            raise SystemExit(f"startctl {' '.join(args)} failed: {r.stdout}{r.stderr}")
        return r

    try:
        ctl("instance", "init")
        dirs = [f"{home}/config/startd"]
        for i in range(1, instances):
            ctl("instance", "create", "-I", f"i{i}", "-G", "bench")
            dirs.append(f"{home}/config/startd-i{i}")
        ctl("instance", "enable", "-g", "bench")
        for d in dirs:
            os.makedirs(f"{d}/jobs", exist_ok=True)
            for j in range(jobs):
                with open(f"{d}/jobs/j{j}.conf", "w") as f:
                    f.write("start on startup\nexec sleep 1000\n")
        t0 = time.monotonic()
        ctl("instance", "start")
        start_s = time.monotonic() - t0
        rows = json.loads(ctl("instance", "list", "--json").stdout)["instances"]
        daemons = [row["pid"] for row in rows if row.get("running")]
        deadline = time.monotonic() + 120
        while len(ours(mark)) < len(daemons) * (jobs + 1) and time.monotonic() < deadline:
            time.sleep(0.05)
        all_running_s = time.monotonic() - t0
        everything = ours(mark)
        daemon_rss = sum(rss_kib(p) for p in daemons)
        job_rss = sum(rss_kib(p) for p in everything if p not in daemons)
        t1 = time.monotonic()
        ctl("instance", "stop")
        stop_s = time.monotonic() - t1
        left = ours(mark)
        return {"instances": len(daemons), "jobs_per_instance": jobs, "start_s": start_s,
                "all_jobs_running_s": all_running_s, "processes": len(everything),
                "startd_rss_kib_total": daemon_rss, "startd_rss_kib_each": daemon_rss // max(len(daemons), 1),
                "jobs_rss_kib_total": job_rss, "stop_s": stop_s, "left_after_stop": len(left)}
    finally:
        for pid in ours(mark):
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        shutil.rmtree(home, ignore_errors=True)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--bin")
    p.add_argument("--instances", type=int, default=10)
    p.add_argument("--jobs", type=int, default=100)
    p.add_argument("--reps", type=int, default=3)
    a = p.parse_args()
    startctl = os.path.join(find_bin(a.bin), "startctl")
    runs = [one_run(startctl, a.instances, a.jobs) for _ in range(a.reps)]
    for r in runs:
        print(json.dumps(r))
    best = min(runs, key=lambda r: r["start_s"])
    print(f"startctl instance start, {a.instances} instances x {a.jobs} jobs ({startctl}): "
          f"best {best['start_s'] * 1000:.0f} ms to every startd ready, "
          f"{best['all_jobs_running_s'] * 1000:.0f} ms to every job running; "
          f"startd RSS {best['startd_rss_kib_total'] / 1024:.1f} MiB total "
          f"({best['startd_rss_kib_each'] / 1024:.2f} MiB each); stop {best['stop_s'] * 1000:.0f} ms; "
          f"{best['left_after_stop']} processes left")


if __name__ == "__main__":
    main()
