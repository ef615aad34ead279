#!/usr/bin/env python3
"""Soak: a real startd with N jobs under random start/stop/emit/respawn churn for a long time,
sampling its fd count, RSS and zombie children; fails when any of them grows past a small bound
after the warm-up, when a quiesced startd holds more fds than before the churn, or when startd
(an ASan/LSan build, normally) reports an error or a leak at exit. See bench/README.md.

  bench/soak.py --startd build/asan/src/startd --jobs 60 --seconds 25          # short (CI)
  bench/soak.py --startd build/asan/src/startd --jobs 500 --exits 1000000      # long form

The job mix (fractions of --jobs): crashers that respawn without limit (a shell that sleeps
--crash-sleep and exits 1: the bulk of the child exits), services toggled at random (some chatty), tasks started by emitted
events, task instances named by a fresh value on every emit (a new log file each time), jobs with
pre-start/post-stop hooks, jobs that hit their respawn limit or cannot exec, and jobs tied to
others (`start on started` / `stop on stopping`). Requests go over the control socket directly
(pipelined, at most 64 unanswered), so the only processes in the run are the jobs' own.
Exits are counted from startd's own log (one line per process exit).
"""
import argparse
import json
import os
import random
import re
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

from startd_client import request, request_frame, take_payloads

# The longest a child may stay a zombie: its exit not yet reaped by startd, under any load.
ZOMBIE_AGE = 5.0
EXIT_LINE = re.compile(rb" process \(\d+\) (?:terminated with status|killed by|exited normally)")


def write_jobs(jobs_dir, n, crash_sleep):
    """Writes n jobs; returns the names the driver toggles, by kind."""
    kinds = {"crash": [], "svc": [], "hook": [], "failing": [], "tick": 10, "inst": 8}
    plan = [("crash", 0.04), ("tick", 0.20), ("inst", 0.08), ("hook", 0.10), ("failing", 0.04),
            ("rel", 0.14)]
    counts = {k: max(1, int(n * f)) for k, f in plan}
    counts["svc"] = max(1, n - sum(counts.values()))

    def job(name, text):
        with open(os.path.join(jobs_dir, name + ".conf"), "w") as f:
            f.write(text)

    for i in range(counts["crash"]):
        crash = f"/bin/sh -c 'sleep {crash_sleep}; exit 1'" if crash_sleep > 0 else "/bin/false"
        job(f"crash{i}", f"respawn\nrespawn limit unlimited\nexec {crash}\n")
        kinds["crash"].append(f"crash{i}")
    for i in range(counts["svc"]):
        chatty = i % 5 == 0
        job(f"svc{i}", "exec /bin/sh -c 'seq 1 2000; exec sleep 100000'\n" if chatty else "exec sleep 100000\n")
        kinds["svc"].append(f"svc{i}")
    for i in range(counts["tick"]):
        job(f"tick{i}", f"task\nstart on tick-{i % kinds['tick']}\nexec /bin/true\n")
    for i in range(counts["inst"]):
        job(f"inst{i}", f"task\ninstance $I\nstart on inst-{i % kinds['inst']}\nexec /bin/echo $I\n")
    for i in range(counts["hook"]):
        job(f"hook{i}", "pre-start exec /bin/true\npost-start exec /bin/true\n"
                        "pre-stop exec /bin/true\npost-stop exec /bin/true\nexec sleep 100000\n")
        kinds["hook"].append(f"hook{i}")
    for i in range(counts["failing"]):
        text = "exec /nonexistent/soak-binary\n" if i % 2 else "respawn\nrespawn limit 2 1\nexec /bin/false\n"
        job(f"failing{i}", text)
        kinds["failing"].append(f"failing{i}")
    for i in range(counts["rel"]):
        target = kinds["svc"][i % len(kinds["svc"])]
        job(f"rel{i}", f"start on started {target}\nstop on stopping {target}\nexec sleep 100000\n")
    return kinds


class Client:
    """One control connection; requests are pipelined and replies drained without blocking."""

    def __init__(self, path):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.connect(path)
        self.sock.setblocking(False)
        self.next_id = 1
        self.pending = b""
        self.inbuf = b""
        self.replies = 0
        self.errors = {}

    def send(self, cmd, args, window=64):
        """Queues a request; first waits (bounded) while `window` requests are unanswered: a
        polite client, so that the soak measures churn, not how a flooded connection is served."""
        deadline = time.monotonic() + 30
        while self.next_id - 1 - self.replies >= window and time.monotonic() < deadline:
            self.pump(0.05)
        self.pending += request_frame(self.next_id, cmd, args)
        self.next_id += 1
        self.pump(0)

    def pump(self, timeout):
        want = [self.sock] if self.pending else []
        r, w, _ = select.select([self.sock], want, [], timeout)
        if w and self.pending:
            try:
                n = self.sock.send(self.pending)
                self.pending = self.pending[n:]
            except BlockingIOError:
                pass
        if r:
            data = self.sock.recv(1 << 20)
            if not data:
                raise RuntimeError("startd closed the control connection")
            payloads, self.inbuf = take_payloads(self.inbuf + data)
            for payload in payloads:
                reply = json.loads(payload)
                self.replies += 1
                if not reply.get("ok"):
                    code = reply.get("error", {}).get("code", "?")
                    self.errors[code] = self.errors.get(code, 0) + 1

    def call(self, cmd, args, timeout=30):
        """Sends a request and waits for every reply so far (bounded)."""
        self.send(cmd, args)
        deadline = time.monotonic() + timeout
        while self.replies < self.next_id - 1 and time.monotonic() < deadline:
            self.pump(0.05)
        return self.replies == self.next_id - 1


def sample(pid):
    fds = len(os.listdir(f"/proc/{pid}/fd"))
    rss = 0
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                rss = int(line.split()[1])
    zombies = set()  # (pid, start time): a reused pid is another zombie
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as f:
                stat = f.read()
        except OSError:
            continue
        close = stat.rfind(b")")
        fields = stat[close + 2:].split()
        if len(fields) > 19 and fields[0] == b"Z" and int(fields[1]) == pid:
            zombies.add((int(entry), int(fields[19])))
    return fds, rss, zombies


def descendants(root):
    """Every live process below `root` (pid, by /proc)."""
    children = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", "rb") as f:
                    stat = f.read()
            except OSError:
                continue
            fields = stat[stat.rfind(b")") + 2:].split()
            children.setdefault(int(fields[1]), []).append(int(entry))
    found, frontier = [], [root]
    while frontier:
        for child in children.get(frontier.pop(), []):
            found.append(child)
            frontier.append(child)
    return found


def with_socket_in_environ(sock_path):
    """Every process whose environment names our control socket: the jobs' processes (startd
    gives each STARTD_SOCKET), wherever they were reparented."""
    needle = ("STARTD_SOCKET=" + sock_path).encode() + b"\0"
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/environ", "rb") as f:
                    if needle in f.read():
                        found.append(int(entry))
            except OSError:
                continue
    return found


def count_exits(log_path, state):
    """Counts exit lines appended to startd's log since the last call."""
    with open(log_path, "rb") as f:
        f.seek(state["offset"])
        data = state["tail"] + f.read()
        state["offset"] = f.tell()
    cut = data.rfind(b"\n") + 1
    state["tail"] = data[cut:]
    state["exits"] += len(EXIT_LINE.findall(data, 0, cut))
    return state["exits"]


def main():
    # A TERM (an operator ending a long soak) must still stop startd and its jobs: the finally
    # below runs on SystemExit, not on a signal's default action.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--startd", required=True, help="the startd binary (an ASan build for the leak check)")
    ap.add_argument("--jobs", type=int, default=500)
    ap.add_argument("--seconds", type=float, default=0, help="run this long (0: until --exits)")
    ap.add_argument("--exits", type=int, default=0, help="run until this many child exits (0: --seconds)")
    ap.add_argument("--warmup", type=float, default=0.25, help="fraction of the run before bounds apply")
    ap.add_argument("--rate", type=float, default=300, help="driver requests per second")
    ap.add_argument("--interval", type=float, default=1.0, help="seconds between samples")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--crash-sleep", type=float, default=0.05,
                    help="seconds a crasher lives before exit 1 (0: exec /bin/false, a tight respawn loop)")
    ap.add_argument("--csv", help="write every sample here")
    ap.add_argument("--keep", action="store_true", help="keep the work directory")
    a = ap.parse_args()
    if a.seconds <= 0 and a.exits <= 0:
        ap.error("give --seconds or --exits")
    rng = random.Random(a.seed)
    work = tempfile.mkdtemp(prefix="startd-soak-")
    jobs_dir, run_dir, log_dir = (os.path.join(work, d) for d in ("jobs", "run", "log"))
    for d in (jobs_dir, run_dir, log_dir):
        os.mkdir(d, 0o700)
    kinds = write_jobs(jobs_dir, a.jobs, a.crash_sleep)
    sock_path = os.path.join(run_dir, "control")
    err_path = os.path.join(work, "startd.err")
    env = dict(os.environ, XDG_RUNTIME_DIR=run_dir, XDG_STATE_HOME=os.path.join(work, "state"),
               XDG_CONFIG_HOME=os.path.join(work, "config"))
    # A small ASan quarantine, so that RSS reaches its plateau during the warm-up; leaks are
    # LSan's to report at exit.
    env["ASAN_OPTIONS"] = env.get("ASAN_OPTIONS", "") + ":quarantine_size_mb=16:detect_leaks=1"
    with open(err_path, "wb") as err:
        daemon = subprocess.Popen([a.startd, "--user", "--jobs-dir", jobs_dir, "--socket", sock_path,
                                   "--log-dir", log_dir], stdin=subprocess.DEVNULL, stdout=err, stderr=err,
                                  env=env)
    failures = []
    try:
        deadline = time.monotonic() + 30
        while not os.path.exists(sock_path) and time.monotonic() < deadline:
            time.sleep(0.05)
        client = Client(sock_path)
        if not client.call("version", {}):
            raise RuntimeError("startd does not answer")
        time.sleep(0.5)
        base_fds, base_rss, _ = sample(daemon.pid)
        print(f"soak: {a.jobs} jobs, startd pid {daemon.pid}, idle: {base_fds} fds, {base_rss} KiB RSS")

        for name in kinds["crash"]:
            client.send("start", {"job": name, "wait": False})
        toggled = kinds["svc"] + kinds["hook"] + kinds["failing"]
        exits = {"offset": 0, "tail": b"", "exits": 0}
        samples = []
        begun = time.monotonic()
        next_sample = begun
        serial = 0
        worst_latency = 0.0
        seen_since = {}  # zombie → when a sample first saw it
        oldest_zombie = 0.0
        while True:
            now = time.monotonic()
            elapsed = now - begun
            done = count_exits(err_path, exits) if now >= next_sample else exits["exits"]
            if now >= next_sample:
                fds, rss, zombie_set = sample(daemon.pid)
                zombies = len(zombie_set)
                for z in zombie_set:
                    first = seen_since.setdefault(z, elapsed)
                    oldest_zombie = max(oldest_zombie, elapsed - first)
                seen_since = {z: seen_since[z] for z in zombie_set}
                samples.append((elapsed, done, fds, rss, zombies))
                latency = request(sock_path, "version", {}, 10.0)
                if latency is None:
                    raise RuntimeError(f"startd did not answer `version` within 10 s at {elapsed:.0f} s "
                                       f"({done} exits, {fds} fds)")
                worst_latency = max(worst_latency, latency)
                next_sample = time.monotonic() + a.interval
                if len(samples) % max(1, int(10 / a.interval)) == 0:
                    print(f"soak: {elapsed:7.1f} s {done:9d} exits ({done / max(elapsed, 1e-9):7.0f}/s) "
                          f"fds {fds:5d} rss {rss // 1024:5d} MiB zombies {zombies:3d}", flush=True)
            if (a.seconds > 0 and elapsed >= a.seconds) or (a.exits > 0 and done >= a.exits):
                break
            if daemon.poll() is not None:
                raise RuntimeError(f"startd exited with status {daemon.returncode}")
            roll = rng.random()
            if roll < 0.45:
                client.send(rng.choice(["start", "stop"]), {"job": rng.choice(toggled), "wait": False})
            elif roll < 0.65:
                client.send("emit", {"name": f"tick-{rng.randrange(kinds['tick'])}", "wait": False})
            elif roll < 0.80:
                serial += 1
                client.send("emit", {"name": f"inst-{rng.randrange(kinds['inst'])}", "env": [f"I=i{serial}"],
                                     "wait": False})
            elif roll < 0.85:
                client.send(rng.choice(["stop", "start"]), {"job": rng.choice(kinds["crash"]), "wait": False})
            elif roll < 0.95:
                client.send("status", {"job": rng.choice(toggled)})
            else:
                client.send("list", {})
            client.pump(1.0 / a.rate)

        # Quiesce: stop everything the driver may have started, wait for the exits to settle.
        for name in kinds["crash"] + toggled:
            client.send("stop", {"job": name, "wait": False})
        if not client.call("version", {}, timeout=120):
            failures.append("startd did not answer within 120 s after the churn")
        time.sleep(3)
        end_fds, end_rss, end_zombie_set = sample(daemon.pid)
        end_zombies = len(end_zombie_set)
        total = count_exits(err_path, exits)
        elapsed = time.monotonic() - begun
        if a.csv:
            with open(a.csv, "w") as f:
                f.write("seconds,exits,fds,rss_kib,zombies\n")
                for s in samples:
                    f.write("%.1f,%d,%d,%d,%d\n" % s)

        warm = [s for s in samples if s[0] <= a.warmup * elapsed] or samples[:1]
        after = [s for s in samples if s[0] > a.warmup * elapsed]
        fd_bound = max(s[2] for s in warm) + a.jobs // 4 + 16
        rss_bound = int(max(s[3] for s in warm) * 1.25) + 16 * 1024
        worst_fds = max((s[2] for s in after), default=0)
        worst_rss = max((s[3] for s in after), default=0)
        worst_z = max((s[4] for s in samples), default=0)
        # Zombies are exits not yet reaped at the instant of a sample. How many there are follows
        # the machine's load (on a saturated machine they are where the queue of work sits), so
        # what must hold is that each is reaped soon (no zombie outlives ZOMBIE_AGE seconds of
        # samples) and that they do not pile up (the median of the last third of the run after
        # warm-up stays within 1.5x + 16 of the first third's).
        def median(values):
            return sorted(values)[len(values) // 2] if values else 0
        third = max(1, len(after) // 3)
        early_z, late_z = median([s[4] for s in after[:third]]), median([s[4] for s in after[-third:]])
        typical_z = median([s[4] for s in after])
        zombie_bound = int(early_z * 1.5) + 16
        print(f"soak: {total} child exits in {elapsed:.1f} s ({total / elapsed:.0f}/s); "
              f"requests answered {client.replies}, errors {client.errors}")
        print(f"soak: fds idle {base_fds} → quiesced {end_fds}; peak after warm-up {worst_fds} (bound {fd_bound})")
        print(f"soak: RSS idle {base_rss // 1024} MiB → quiesced {end_rss // 1024} MiB; peak after warm-up "
              f"{worst_rss // 1024} MiB (bound {rss_bound // 1024} MiB)")
        print(f"soak: slowest `version` on a fresh connection during the churn: {worst_latency * 1000:.0f} ms")
        print(f"soak: zombies peak {worst_z}, median after warm-up {typical_z} (first third {early_z}, "
              f"last third {late_z}, bound {zombie_bound}), oldest {oldest_zombie:.1f} s "
              f"(bound {ZOMBIE_AGE:.0f} s), quiesced {end_zombies}")
        if worst_fds > fd_bound:
            failures.append(f"fd count grew to {worst_fds} after the warm-up (bound {fd_bound})")
        if end_fds > base_fds + 4:
            failures.append(f"quiesced startd holds {end_fds} fds, {base_fds} before the churn")
        if worst_rss > rss_bound:
            failures.append(f"RSS grew to {worst_rss} KiB after the warm-up (bound {rss_bound})")
        if late_z > zombie_bound or end_zombies:
            failures.append(f"zombies piled up: median {early_z} → {late_z} after warm-up (bound {zombie_bound}), "
                            f"{end_zombies} left when quiesced")
        if oldest_zombie > ZOMBIE_AGE:
            failures.append(f"a child stayed unreaped for {oldest_zombie:.1f} s (bound {ZOMBIE_AGE:.0f} s)")
        if a.exits > 0 and total < a.exits:
            failures.append(f"only {total} exits")
    except (OSError, RuntimeError, ValueError) as e:
        failures.append(str(e))
    finally:
        # A second TERM (timeout(1), an impatient operator) must not cut the clean-up short:
        # SystemExit raised in here would leave the jobs running, no longer below startd.
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        left = descendants(daemon.pid)
        if daemon.poll() is None:
            daemon.send_signal(signal.SIGTERM)
            try:
                daemon.wait(timeout=60)
            except subprocess.TimeoutExpired:
                daemon.kill()
                daemon.wait()
                failures.append("startd did not exit within 60 s of SIGTERM")
    if daemon.returncode != 0:
        failures.append(f"startd exited with status {daemon.returncode}")
    time.sleep(0.5)
    survivors = sorted(set(p for p in left if os.path.exists(f"/proc/{p}")) | set(with_socket_in_environ(sock_path)))
    for pid in survivors:  # by pid, never by name
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    if survivors:
        failures.append(f"{len(survivors)} of the jobs' processes outlived startd")
    with open(err_path, "rb") as f:
        f.seek(max(0, os.path.getsize(err_path) - (4 << 20)))
        tail = f.read()
    for needle in (b"ERROR: AddressSanitizer", b"ERROR: LeakSanitizer", b"runtime error:"):
        at = tail.find(needle)
        if at >= 0:
            failures.append("sanitizer: " + tail[at:at + 2000].decode(errors="replace"))
    if failures:
        print("soak: FAILED (work directory kept: %s)" % work)
        for f in failures:
            print("  - " + f)
        return 1
    print("soak: passed")
    if not a.keep:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
