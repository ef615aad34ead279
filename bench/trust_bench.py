#!/usr/bin/env python3
"""Figures for issue 12 (bench/run_trust_bench.sh runs this on the release build; see
bench/README.md): status latency of a root client while startd is idle, while one job floods its
log at full speed (`exec yes`, console log), and while an unprivileged client (uid 65534) attacks
the socket; the log ingest rate of the flooding job against `yes | cat > file` on the same disk.

A status request is what `startctl status J` sends: a fresh connection, one frame, one reply
(timed here without startctl's own process start-up, which would hide startd's share). Run as
root: startd runs in system mode (its socket is open to every local user for reads, the threat
the attack phase models).
"""
import argparse
import json
import os
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

from startd_client import LENGTH, exchange, request, request_frame

NOBODY = 65534


def latencies(path, job, count, timeout):
    got, failed = [], 0
    for _ in range(count):
        t = request(path, "status", {"job": job}, timeout)
        if t is None:
            failed += 1
        else:
            got.append(t * 1000)
    got.sort()
    pick = lambda q: got[min(len(got) - 1, int(q * len(got)))] if got else None  # noqa: E731
    return {"median_ms": pick(0.5), "p99_ms": pick(0.99), "failed": failed, "n": count}


def proc_figures(pid):
    fds = len(os.listdir("/proc/%d/fd" % pid))
    rss = 0
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                rss = int(line.split()[1])
    cpu = 0
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
        cpu = int(fields[11]) + int(fields[12])
    return fds, rss, cpu


def attacker(path, idle, pipeliners, partials, ready_w):
    """The child: drops to uid/gid 65534 and holds its attack open until killed."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    os.setgroups([])
    os.setgid(NOBODY)
    os.setuid(NOBODY)
    held, refused = [], 0

    def connect():
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(2)
        s.connect(path)
        return s

    for _ in range(idle):
        try:
            held.append(connect())
        except OSError:
            refused += 1
    burst = b"".join(request_frame(i, "list", {}) for i in range(1000))
    for _ in range(pipeliners):
        try:
            s = connect()
            s.setblocking(False)
            for _ in range(50):  # up to 50,000 requests per connection, replies never read
                try:
                    s.send(burst)
                except BlockingIOError:
                    break
            held.append(s)
        except OSError:
            refused += 1
    half = LENGTH.pack((1 << 20) - 1) + b"x" * (512 << 10)  # a 1 MiB frame, half of it sent
    for _ in range(partials):
        try:
            s = connect()
            s.setblocking(False)
            try:
                s.send(half)
            except BlockingIOError:
                pass
            held.append(s)
        except OSError:
            refused += 1
    os.write(ready_w, json.dumps({"held": len(held), "refused": refused}).encode())
    os.close(ready_w)
    while True:
        # Keep the pipelines full: every reply startd manages to send is left unread.
        for s in held:
            try:
                s.send(b"")
            except OSError:
                pass
        time.sleep(1)


def file_rate(cmd, path, seconds):
    """MB/s written to `path` by shell command `cmd` in `seconds` (the command is then stopped)."""
    p = subprocess.Popen(["/bin/sh", "-c", cmd], start_new_session=True)
    time.sleep(seconds)
    size = os.path.getsize(path)
    os.killpg(p.pid, signal.SIGKILL)
    p.wait()
    os.unlink(path)
    return size / seconds / 1e6


def ingest(sock, work, job, line_bytes, seconds, out, during):
    """Starts `job` (a `yes` under console log), measures its log's growth over `seconds` (running
    `during` meanwhile, if given), stops it; records MB/s of log and of the job's own output in
    out[job]. Returns whether the job was still running at the end."""
    log = os.path.join(work, "log", job + ".log")
    request(sock, "start", {"job": job, "wait": False}, 10)
    time.sleep(1)
    size0, t0 = (os.path.getsize(log) if os.path.exists(log) else 0), time.monotonic()
    if during:
        during()
    time.sleep(max(0.0, seconds - (time.monotonic() - t0)))
    size1, t1 = (os.path.getsize(log) if os.path.exists(log) else 0), time.monotonic()
    with open(log, "rb") as f:
        record = len(f.readline()) or 1  # "TIMESTAMP LINE\n": the job wrote line_bytes of it
    alive = b'"running"' in exchange(sock, "status", {"job": job}, 5)[1]
    log_mb_s = (size1 - size0) / (t1 - t0) / 1e6
    out[job] = {"line_bytes": line_bytes, "log_file_mb_s": log_mb_s,
                "job_output_mb_s": log_mb_s * line_bytes / record, "log_bytes": size1, "still_running": alive}
    request(sock, "stop", {"job": job}, 10)
    os.sync()
    return alive


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--startd", required=True)
    ap.add_argument("--requests", type=int, default=400, help="status requests per phase")
    ap.add_argument("--seconds", type=float, default=5, help="the ingest windows")
    ap.add_argument("--idle-conns", type=int, default=1100)
    ap.add_argument("--pipeliners", type=int, default=20)
    ap.add_argument("--partials", type=int, default=300)
    ap.add_argument("--timeout", type=float, default=5, help="a status request failing past this")
    ap.add_argument("--long-line", type=int, default=128,
                    help="line length (bytes) of the second ingest window; the first is `yes`: 2-byte lines")
    ap.add_argument("--json", help="write the figures here too")
    a = ap.parse_args()
    if os.geteuid() != 0:
        sys.exit("trust_bench: run as root (startd in system mode; the attacker drops to uid 65534)")

    work = tempfile.mkdtemp(prefix="startd-trust-", dir=os.environ.get("BENCH_TMP", "/var/tmp"))
    os.chmod(work, 0o755)
    jobs = os.path.join(work, "jobs")
    os.mkdir(jobs)
    for d in ("run", "log"):
        os.mkdir(os.path.join(work, d), 0o755)
    sock = os.path.join(work, "run", "control")
    with open(os.path.join(jobs, "web.conf"), "w") as f:
        f.write("exec sleep 100000\n")
    with open(os.path.join(jobs, "flood.conf"), "w") as f:
        f.write("exec yes\n")
    long_line = "x" * (a.long_line - 1)  # `yes WORD` writes WORD and a newline
    with open(os.path.join(jobs, "flood-long.conf"), "w") as f:
        f.write("exec yes %s\n" % long_line)
    for i in range(200):  # so that `list` has something to say
        with open(os.path.join(jobs, "idle%d.conf" % i), "w") as f:
            f.write("exec sleep 100000\n")
    err = open(os.path.join(work, "startd.err"), "wb")
    daemon = subprocess.Popen([a.startd, "--log-stderr", "--jobs-dir", jobs, "--socket", sock, "--log-dir", os.path.join(work, "log")],
                              stdin=subprocess.DEVNULL, stdout=err, stderr=err)
    out = {"machine_load": os.getloadavg()[0], "phases": {}}
    attack = None
    try:
        deadline = time.monotonic() + 20
        while request(sock, "version", {}, 1) is None:
            if time.monotonic() > deadline or daemon.poll() is not None:
                raise RuntimeError("startd does not answer")
            time.sleep(0.05)
        request(sock, "start", {"job": "web"}, 10)

        def phase(name, **extra):
            before = proc_figures(daemon.pid)
            r = latencies(sock, "web", a.requests, a.timeout)
            after = proc_figures(daemon.pid)
            r.update(fds=after[0], rss_kib=after[1], cpu_ticks=after[2] - before[2], **extra)
            out["phases"][name] = r
            print("trust: %-6s median %s ms, p99 %s ms, %d failed; startd %d fds, %d MiB" % (
                name, "%.3f" % r["median_ms"] if r["median_ms"] else "-", "%.3f" % r["p99_ms"] if r["p99_ms"] else "-",
                r["failed"], r["fds"], r["rss_kib"] // 1024), flush=True)

        phase("idle")

        # Flood: `exec yes` under console log (2-byte lines: startd's worst case, one timestamped
        # record per 2 bytes), status latency measured meanwhile.
        out["ingest"] = {}
        flood_alive = ingest(sock, work, "flood", 2, a.seconds, out["ingest"], lambda: phase("flood"))
        # The same with long lines, which is what logging daemons print; `cat` gets the same input.
        ingest(sock, work, "flood-long", a.long_line, a.seconds, out["ingest"], None)
        target = os.path.join(work, "cat.out")
        out["ingest"]["yes_cat_mb_s"] = file_rate("yes | cat > %s" % target, target, a.seconds)
        out["ingest"]["yes_long_cat_mb_s"] = file_rate("yes %s | cat > %s" % (long_line, target), target, a.seconds)
        i = out["ingest"]
        print("trust: ingest, 2-byte lines: log file %.1f MB/s (the job's own output %.1f MB/s); "
              "`yes | cat > file` %.1f MB/s; flood job %s" % (
                  i["flood"]["log_file_mb_s"], i["flood"]["job_output_mb_s"], i["yes_cat_mb_s"],
                  "still running" if flood_alive else "NOT running any more (killed?)"), flush=True)
        print("trust: ingest, %d-byte lines: log file %.1f MB/s (the job's own output %.1f MB/s); "
              "`yes LINE | cat > file` %.1f MB/s" % (
                  a.long_line, i["flood-long"]["log_file_mb_s"], i["flood-long"]["job_output_mb_s"],
                  i["yes_long_cat_mb_s"]), flush=True)

        # Attack: an unprivileged local user.
        r_fd, w_fd = os.pipe()
        attack = os.fork()
        if attack == 0:
            os.close(r_fd)
            try:
                attacker(sock, a.idle_conns, a.pipeliners, a.partials, w_fd)
            finally:
                os._exit(1)
        os.close(w_fd)
        ready = b""
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            chunk = os.read(r_fd, 4096)
            if not chunk:
                break
            ready += chunk
        os.close(r_fd)
        held = json.loads(ready) if ready else {"held": 0, "refused": "attacker failed"}
        time.sleep(1)
        phase("attack", attacker=held)
        st = request(sock, "start", {"job": "idle0"}, a.timeout)
        out["phases"]["attack"]["root_start_ms"] = None if st is None else st * 1000
        print("trust: attack: attacker holds %s connections (%s refused); root's `start` %s" % (
            held["held"], held["refused"], "timed out" if st is None else "%.1f ms" % (st * 1000)), flush=True)
    except (OSError, RuntimeError, ValueError) as e:
        out["error"] = str(e)
        print("trust: ERROR %s" % e, flush=True)
    finally:
        if attack:
            os.kill(attack, signal.SIGKILL)
            os.waitpid(attack, 0)
        if daemon.poll() is None:
            daemon.send_signal(signal.SIGTERM)
            try:
                daemon.wait(timeout=30)
            except subprocess.TimeoutExpired:
                daemon.kill()
                daemon.wait()
    idle = out["phases"].get("idle", {}).get("median_ms")
    print("\n| phase | status median ms | p99 ms | median vs idle | failed | startd fds | startd RSS MiB |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name, r in out["phases"].items():
        med = r.get("median_ms")
        print("| %s | %s | %s | %s | %d/%d | %d | %.1f |" % (
            name, "%.3f" % med if med else "—", "%.3f" % r["p99_ms"] if r.get("p99_ms") else "—",
            "%.2f×" % (med / idle) if med and idle else "—", r["failed"], r["n"], r["fds"], r["rss_kib"] / 1024))
    print("\nmachine load average at the start: %.1f" % out["machine_load"])
    if a.json:
        with open(a.json, "w") as f:
            json.dump(out, f, indent=1)
    shutil.rmtree(work, ignore_errors=True)
    return 1 if "error" in out else 0


if __name__ == "__main__":
    sys.exit(main())
