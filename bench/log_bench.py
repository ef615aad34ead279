#!/usr/bin/env python3
"""Job logs under load (issue 15), in one run on one machine:

  (a) `status` latency of a root client (a fresh connection per request, as `startctl status`)
      while startd is idle and while 10 jobs flood their logs (`yes`), and the ratio (the bar:
      at most 2x idle);
  (b) log ingest: one job writing a fixed file of 100-byte lines (`cat FILE`) into its startd
      log, against `cat FILE > out`, `cat FILE | s6-log` and `cat FILE | svlogd` on the same
      disk, each timestamping every line as startd does; MB/s of input and the ratios.

  nice -n 10 bench/log_bench.py --startd build/release/src/startd [--mb 200] [--requests 400]

Use a release build (cmake --preset release). Say how loaded the machine was: the script prints
the load average before and after. See docs/benchmarks.md.
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from startd_client import exchange, request  # noqa: E402


def latencies(sock, job, n, timeout=5):
    got = []
    for _ in range(n):
        t = request(sock, "status", {"job": job}, timeout)
        if t is not None:
            got.append(t * 1000)
    got.sort()
    return {"median_ms": statistics.median(got), "p99_ms": got[int(len(got) * 0.99) - 1], "ok": len(got)}


def make_input(path, mb):
    line = b"x" * 99 + b"\n"
    block = line * 10000  # 1,000,000 bytes
    with open(path, "wb") as f:
        for _ in range(mb):
            f.write(block)
    return mb * 1000000


def timed(cmd):
    begun = time.monotonic()
    subprocess.run(cmd, shell=True, check=True)
    return time.monotonic() - begun


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--startd", required=True, help="the startd binary (a release build)")
    ap.add_argument("--mb", type=int, default=200, help="size of the ingest input, MB")
    ap.add_argument("--requests", type=int, default=400, help="status requests per phase")
    ap.add_argument("--floods", type=int, default=10, help="flooding jobs in phase (a)")
    ap.add_argument("--dir", help="work directory (default: a temporary one under /var/tmp)")
    a = ap.parse_args()
    work = a.dir or tempfile.mkdtemp(prefix="startd-log-bench-", dir="/var/tmp")
    jobs, logs, run = (os.path.join(work, d) for d in ("jobs", "log", "run"))
    for d in (jobs, logs, run):
        os.makedirs(d, exist_ok=True)
    data = os.path.join(work, "input")
    size = make_input(data, a.mb)
    for i in range(a.floods):
        with open(os.path.join(jobs, "flood%d.conf" % i), "w") as f:
            f.write("exec yes\n")
    with open(os.path.join(jobs, "ingest.conf"), "w") as f:
        f.write("task\nexec cat %s\n" % data)
    with open(os.path.join(jobs, "idle.conf"), "w") as f:
        f.write("exec sleep 100000\n")
    sock = os.path.join(run, "control")
    env = dict(os.environ, XDG_RUNTIME_DIR=run)
    daemon = subprocess.Popen([a.startd, "--user", "--jobs-dir", jobs, "--socket", sock, "--log-dir", logs],
                              env=env, stderr=subprocess.DEVNULL)
    out = {"load_before": os.getloadavg(), "input_mb": size / 1e6}
    try:
        deadline = time.monotonic() + 10
        while exchange(sock, "version", {}, 1)[0] is None:
            if time.monotonic() > deadline:
                sys.exit("startd did not answer")
            time.sleep(0.01)
        exchange(sock, "start", {"job": "idle"}, 10)
        out["idle"] = latencies(sock, "idle", a.requests)
        for i in range(a.floods):
            exchange(sock, "start", {"job": "flood%d" % i}, 10)
        time.sleep(1)
        out["flood"] = latencies(sock, "idle", a.requests)
        for i in range(a.floods):
            exchange(sock, "stop", {"job": "flood%d" % i}, 30)
        for i in range(a.floods):
            os.unlink(os.path.join(logs, "flood%d.log" % i))
        out["status_ratio"] = out["flood"]["median_ms"] / out["idle"]["median_ms"]

        rates = {}
        begun = time.monotonic()
        exchange(sock, "start", {"job": "ingest"}, 3600)  # a task: answered once it is done
        rates["startd"] = size / (time.monotonic() - begun) / 1e6
        os.unlink(os.path.join(logs, "ingest.log"))
        rates["cat"] = size / timed("cat %s > %s/cat.out" % (data, work)) / 1e6
        os.unlink(os.path.join(work, "cat.out"))
        if shutil.which("s6-log"):
            os.makedirs(os.path.join(work, "s6"), exist_ok=True)
            # T: an ISO 8601 timestamp on each line, as startd's; s: 100 MB files, n: keep 20.
            rates["s6-log"] = size / timed("cat %s | s6-log -b T s99999999 n20 %s/s6" % (data, work)) / 1e6
            shutil.rmtree(os.path.join(work, "s6"))
        if shutil.which("svlogd"):
            os.makedirs(os.path.join(work, "sv"), exist_ok=True)
            with open(os.path.join(work, "sv", "config"), "w") as f:
                f.write("s100000000\nn20\n")
            # -tt: a UTC timestamp on each line.
            rates["svlogd"] = size / timed("cat %s | svlogd -tt %s/sv" % (data, work)) / 1e6
            shutil.rmtree(os.path.join(work, "sv"))
        out["ingest_mb_s"] = rates
        out["ingest_ratio"] = {k: rates["startd"] / v for k, v in rates.items() if k != "startd"}
    finally:
        daemon.terminate()
        daemon.wait(30)
        out["load_after"] = os.getloadavg()
        if not a.dir:
            shutil.rmtree(work, ignore_errors=True)
    print(json.dumps(out, indent=2))
    print("\nstatus median: idle %.3f ms, %d jobs flooding %.3f ms: %.2fx (bar: <= 2x)" % (
        out["idle"]["median_ms"], a.floods, out["flood"]["median_ms"], out["status_ratio"]))
    print("ingest MB/s: " + ", ".join("%s %.0f" % kv for kv in out["ingest_mb_s"].items()))
    print("startd vs: " + ", ".join("%s %.2fx" % kv for kv in out["ingest_ratio"].items()))
    print("load average before %s, after %s" % (out["load_before"], out["load_after"]))


if __name__ == "__main__":
    main()
