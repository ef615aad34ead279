#!/usr/bin/env python3
"""Restart-and-adopt after SIGKILL and live re-exec (issue 13): a release startd brings up N
jobs; then either (--mode kill) it is killed with SIGKILL and a new startd is started on the
same jobs, or (--mode reexec) it is asked to re-exec itself. Measured per N:

  - bring-up: `startup` to every job running (startd's own journal writes included);
  - kill: exec of the new startd to its first answer on the control socket (it adopts before it
    serves) and to `list` showing every job running with its old pid;
  - reexec: the pause, from the reply to `reexec` (sent right before the exec) to the first
    answer of the re-executed process, and to `list` showing every job with its old pid; also
    the whole request (the new program's check on the state included);
  - the journal's size at N, and that no job was started twice (each job's process counted).

  bench/restart_bench.py --startd build/release/src/startd --sizes 1000,10000 [--mode reexec]

No peer adopts a single-process supervisor's jobs after its death (runit and s6 have one
supervise process per service, which would have to die too), so there is nothing to put beside
these figures; the bar is issue 13's: linear growth, and far below a bring-up. See bench/README.md.
"""
import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

from startd_client import exchange


def wait_answer(sock, bound):
    deadline = time.monotonic() + bound
    while time.monotonic() < deadline:
        took, _ = exchange(sock, "version", {}, 5)
        if took is not None:
            return True
        time.sleep(0.001)
    return False


def running(sock):
    """{job: pid} of the jobs in start/running."""
    _, reply = exchange(sock, "list", {}, 60)
    if not reply:
        return {}
    jobs = {}
    for entry in json.loads(reply).get("result", {}).get("jobs", []):
        for st in entry.get("statuses", []):
            procs = st.get("processes") or []
            if st.get("state") == "running" and procs:
                jobs[st["job"]] = procs[0].get("pid")
    return jobs


def count_processes(argument):
    """Processes whose command line has `argument` (the run's own sleep duration)."""
    count = 0
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/cmdline", "rb") as f:
                    if argument.encode() in f.read().split(b"\0"):
                        count += 1
            except OSError:
                pass
    return count


def start_daemon(args, work, name):
    log = open(os.path.join(work, name + ".log"), "w")
    return subprocess.Popen(
        [args.startd, "--system", "--log-stderr", "--no-cgroups", "--jobs-dir", os.path.join(work, "jobs"),
         "--socket", os.path.join(work, "control"), "--log-dir", os.path.join(work, "log")],
        stdout=log, stderr=log, start_new_session=True)


def one_size(args, n):
    work = tempfile.mkdtemp(prefix="startd-restart-")
    jobs = os.path.join(work, "jobs")
    os.makedirs(jobs)
    # A duration of this run's own, to count its sleeps in /proc.
    duration = f"{100000 + os.getpid() % 1000}.{time.monotonic_ns() % 1000000}"
    for i in range(n):
        with open(os.path.join(jobs, f"j{i}.conf"), "w") as f:
            f.write(f"start on startup\nconsole {args.console}\nexec sleep {duration}\n")
    sock = os.path.join(work, "control")
    pids = []
    first = second = None
    try:
        begun = time.monotonic()
        first = start_daemon(args, work, "first")
        if not wait_answer(sock, 60):
            raise RuntimeError("the first startd did not answer")
        while len(before := running(sock)) < n:
            if time.monotonic() - begun > 300:
                raise RuntimeError(f"only {len(before)} of {n} jobs running")
            time.sleep(0.05)
        bringup = time.monotonic() - begun
        pids = list(before.values())
        journal = os.path.getsize(sock + ".journal")

        whole = None
        if args.mode == "kill":
            first.send_signal(signal.SIGKILL)
            first.wait()
            begun = time.monotonic()
            second = start_daemon(args, work, "second")
        else:
            asked = time.monotonic()
            took, reply = exchange(sock, "reexec", {}, 120)
            if took is None or not json.loads(reply).get("ok"):
                raise RuntimeError(f"reexec refused: {reply!r}")
            begun = time.monotonic()
            whole = begun - asked
        if not wait_answer(sock, 120):
            raise RuntimeError("the adopting startd did not answer")
        answered = time.monotonic() - begun
        after = running(sock)
        listed = time.monotonic() - begun
        same = sum(1 for job, pid in before.items() if after.get(job) == pid)
        if same != n:
            raise RuntimeError(f"{n - same} of {n} jobs not adopted with their pid")
        # Nothing started twice: exactly N sleeps carry the jobs (those of the first startd).
        if (sleeps := count_processes(duration)) != n:
            raise RuntimeError(f"{sleeps} job processes for {n} jobs")
        return {"n": n, "mode": args.mode, "bringup_s": bringup, "adopt_answer_s": answered,
                "adopt_list_s": listed, "reexec_request_s": whole, "journal_bytes": journal}
    finally:
        for proc in (first, second):
            if proc and proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                try:
                    proc.wait(timeout=120)
                except subprocess.TimeoutExpired:
                    proc.kill()
        for pid in pids:  # by pid, whatever happened
            try:
                os.kill(pid, signal.SIGKILL)
            except (ProcessLookupError, TypeError):
                pass
        shutil.rmtree(work, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--startd", required=True)
    ap.add_argument("--sizes", default="1000,10000")
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--console", default="none", choices=["none", "log"])
    ap.add_argument("--mode", default="kill", choices=["kill", "reexec"])
    args = ap.parse_args()
    rows = []
    for n in (int(x) for x in args.sizes.split(",")):
        for rep in range(args.reps):
            row = one_size(args, n)
            rows.append(row)
            print(json.dumps(row), flush=True)
    print(f"\n{args.mode}: | N | bring-up | first answer | list shows all | journal |")
    print("|---:|---:|---:|---:|---:|")
    for n in sorted({r["n"] for r in rows}):
        mine = [r for r in rows if r["n"] == n]
        med = lambda key: sorted(r[key] for r in mine)[len(mine) // 2]
        print(f"| {n} | {med('bringup_s') * 1000:.0f} ms | {med('adopt_answer_s') * 1000:.0f} ms | "
              f"{med('adopt_list_s') * 1000:.0f} ms | {med('journal_bytes') / 1024:.0f} KiB |")


if __name__ == "__main__":
    sys.exit(main())
