"""One adapter per supervisor: how to lay out N sleeper services, start it, query one service's
status, and stop everything. Every adapter runs the same binary (sleeper) exec'd directly, with
no shell; the work-arounds for each peer's quirks are commented where they are applied and listed
in bench/README.md. Each supervisor comes twice: without any logger (its name), and with the
logging its users run (`LOGGED`, named NAME+LOGGER: startd's default `console log`, svlogd,
s6-log, multilog, supervisord's and dinit's log files), so that both the bare supervision cost
and what users pay are measured."""

import os
import shutil
import signal
import subprocess
import threading
import time
import json
import socket
import struct


def _which(name, extra_dir=None):
    if extra_dir:
        p = os.path.join(extra_dir, name)
        if os.access(p, os.X_OK):
            return p
    return shutil.which(name)


def _deb_version(pkg):
    try:
        out = subprocess.run(["dpkg-query", "-W", "-f", "${Version}", pkg], capture_output=True, text=True,
                             timeout=10)
        return out.stdout.strip() or "?"
    except (OSError, subprocess.TimeoutExpired):
        return "?"


def _write(path, text, mode=0o644):
    with open(path, "w") as f:
        f.write(text)
    os.chmod(path, mode)


class Adapter:
    name = "?"
    # With the logging users run (a logger per service, or the supervisor's own log files).
    logged = False
    # Largest N the supervisor is documented to handle (None: no documented cap).
    max_n = None

    def __init__(self, ctx):
        self.ctx = ctx  # sleeper path, build paths, env
        self.proc = None
        self.work = None
        self.n = 0

    def missing(self):
        """None if installed, else why it is skipped."""
        return None

    def version(self):
        return "?"

    def prepare(self, work, n):
        self.work, self.n = work, n

    def start(self, env, log):
        raise NotImplementedError

    def after_start(self):
        """Anything that must happen after start for the services to come up (startd ctl mode)."""

    def status_cmd(self, i):
        raise NotImplementedError

    def stop_all(self):
        raise NotImplementedError

    def service(self, i):
        return "s%d" % i

    def _popen(self, argv, env, log, cwd=None):
        self.proc = subprocess.Popen(argv, env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=log, cwd=cwd,
                                     close_fds=True)
        return self.proc


# ---- startd -----------------------------------------------------------------------------------

class Startd(Adapter):
    name = "startd"

    def __init__(self, ctx):
        super().__init__(ctx)
        self.startd = ctx["startd"]
        self.startctl = ctx["startctl"]
        # "event": jobs say `start on startup`; "ctl": the harness sends one start request per
        # job (no wait) over one control connection right after startd listens. "auto" probes.
        self.mode = ctx.get("startd_mode", "auto")
        self.ctl_error = None

    def missing(self):
        if not (os.access(self.startd, os.X_OK) and os.access(self.startctl, os.X_OK)):
            return "startd not built at " + self.startd
        return None

    def version(self):
        out = subprocess.run([self.startd, "--version"], capture_output=True, text=True, timeout=10)
        return out.stdout.strip().replace("startd ", "")

    def prepare(self, work, n):
        super().prepare(work, n)
        self.jobs = os.path.join(work, "jobs")
        os.makedirs(self.jobs)
        self.sock = os.path.join(work, "control")
        # console none: no log pipe; the logged variant keeps the default, console log (a pipe per
        # job, read by startd into LOGDIR/JOB.log).
        body = "start on startup\nrespawn\n%sexec %s\n" % ("" if self.logged else "console none\n",
                                                           self.ctx["sleeper"])
        for i in range(n):
            _write(os.path.join(self.jobs, "s%d.conf" % i), body)

    def start(self, env, log):
        return self._popen([self.startd, "--user", "--jobs-dir", self.jobs, "--socket", self.sock, "--log-dir",
                            os.path.join(self.work, "log")], env, log)

    def after_start(self):
        if self.mode != "ctl":
            return
        # Wait for the socket (startd listens before it loads jobs), then pipeline N starts.
        deadline = time.monotonic() + 30
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        while True:
            try:
                s.connect(self.sock)
                break
            except OSError:
                if time.monotonic() > deadline or self.proc.poll() is not None:
                    self.ctl_error = "control socket never appeared"
                    return
                time.sleep(0.0005)
        n = self.n

        def read_replies():
            buf = b""
            got = 0
            try:
                while got < n:
                    chunk = s.recv(1 << 16)
                    if not chunk:
                        break
                    buf += chunk
                    while len(buf) >= 4:
                        ln = struct.unpack(">I", buf[:4])[0]
                        if len(buf) < 4 + ln:
                            break
                        reply = json.loads(buf[4:4 + ln])
                        buf = buf[4 + ln:]
                        got += 1
                        if not reply.get("ok") and self.ctl_error is None:
                            self.ctl_error = "start refused: %s" % reply.get("error")
            finally:
                s.close()

        reader = threading.Thread(target=read_replies, daemon=True)
        reader.start()
        frames = []
        for i in range(n):
            payload = json.dumps({"v": 1, "id": i, "cmd": "start",
                                  "args": {"job": "s%d" % i, "wait": False}}).encode()
            frames.append(struct.pack(">I", len(payload)) + payload)
        s.sendall(b"".join(frames))
        self.reader = reader

    def status_cmd(self, i):
        return [self.startctl, "--socket", self.sock, "status", "s%d" % i]

    def stop_all(self):
        self.proc.send_signal(signal.SIGTERM)


# ---- dinit ------------------------------------------------------------------------------------

class Dinit(Adapter):
    name = "dinit"

    def __init__(self, ctx):
        super().__init__(ctx)
        d = ctx.get("dinit_dir")
        self.dinit = _which("dinit", d)
        self.dinitctl = _which("dinitctl", d)

    def missing(self):
        if not self.dinit or not self.dinitctl:
            return "dinit not found (not in Debian 12: build it by hand and set DINIT_DIR to the directory " \
                   "holding dinit and dinitctl)"
        return None

    def version(self):
        out = subprocess.run([self.dinit, "--version"], capture_output=True, text=True, timeout=10)
        first = (out.stdout or out.stderr).splitlines()
        return first[0].replace("Dinit version ", "").rstrip(".") if first else "?"

    def prepare(self, work, n):
        super().prepare(work, n)
        self.dir = os.path.join(work, "dinit.d")
        os.makedirs(self.dir)
        self.sock = os.path.join(work, "dinit.sock")
        # restart-limit-count = 0: no restart limit (the N=1 respawn samples kill the same service
        # 5 times; dinit's default, 3 in 10 s, would stop it). restart-delay stays at its default
        # (0.2 s between starts): every killed service has been up for longer.
        body = "type = process\ncommand = %s\nrestart = yes\nrestart-limit-count = 0\n" % self.ctx["sleeper"]
        logs = os.path.join(work, "logs")
        if self.logged:
            os.makedirs(logs)
        for i in range(n):
            # logfile: dinit sends the service's output to this file itself (no logger process).
            extra = "logfile = %s/s%d.log\n" % (logs, i) if self.logged else ""
            _write(os.path.join(self.dir, "s%d" % i), body + extra)
        _write(os.path.join(self.dir, "boot"),
               "type = internal\n" + "".join("waits-for = s%d\n" % i for i in range(n)))

    def start(self, env, log):
        return self._popen([self.dinit, "--user", "--quiet", "--services-dir", self.dir, "--socket-path", self.sock,
                            "boot"], env, log)

    def status_cmd(self, i):
        return [self.dinitctl, "--user", "--socket-path", self.sock, "status", "s%d" % i]

    def stop_all(self):
        # As a user instance, SIGTERM stops every service and then dinit exits.
        self.proc.send_signal(signal.SIGTERM)


# ---- runit ------------------------------------------------------------------------------------

class _ScanDir(Adapter):
    """runit, s6 and daemontools: a scan directory with one service directory each, whose `run`
    is a symlink to the sleeper (the supervisor execs ./run: the sleeper, directly). Logged: each
    service also has `log/run`, a symlink to one script that execs the peer's logger on
    `log/main` (the supervisor pipes the service's output into it, as on a real system)."""
    logger = None  # the logged variant's command line, run in SERVICE/log

    def prepare(self, work, n):
        super().prepare(work, n)
        self.dir = os.path.join(work, "service")
        os.makedirs(self.dir)
        for i in range(n):
            d = os.path.join(self.dir, "s%d" % i)
            os.mkdir(d)
            os.symlink(self.ctx["sleeper"], os.path.join(d, "run"))
        if self.logged:
            script = os.path.join(work, "log-run")
            _write(script, "#!/bin/sh\nexec %s\n" % self.logger, 0o755)
            for i in range(n):
                d = os.path.join(self.dir, "s%d" % i, "log")
                os.makedirs(os.path.join(d, "main"))
                os.symlink(script, os.path.join(d, "run"))
        # runsvdir does not scan a directory whose mtime is the current second (it waits for the
        # next one so that no change is missed): date the scan directory 10 s back, as a
        # long-standing /etc/service would be. Harmless for s6 and daemontools.
        past = time.time() - 10
        os.utime(self.dir, (past, past))

    def svc_path(self, i):
        return os.path.join(self.dir, "s%d" % i)


class Runit(_ScanDir):
    name = "runit"
    max_n = 1000  # runsvdir starts at most 1000 runsv processes (full run: exactly 1000 of 10,000 came up)

    def missing(self):
        if not shutil.which("runsvdir") or not shutil.which("sv"):
            return "runit not installed (apt-get install runit)"
        return None

    def version(self):
        return _deb_version("runit")

    def start(self, env, log):
        # runsvdir -P would put each runsv in its own process group; not needed here.
        return self._popen(["runsvdir", self.dir], env, log)

    def status_cmd(self, i):
        return ["sv", "status", self.svc_path(i)]

    def stop_all(self):
        # runsvdir: HUP = send TERM to every runsv and exit; runsv on TERM stops its service and exits.
        self.proc.send_signal(signal.SIGHUP)


class S6(_ScanDir):
    name = "s6"

    def missing(self):
        if not shutil.which("s6-svscan") or not shutil.which("s6-svstat"):
            return "s6 not installed (apt-get install s6)"
        return None

    def version(self):
        return _deb_version("s6")

    def start(self, env, log):
        # -c: s6-svscan keeps at most 1000 services by default; raise it for N = 10,000.
        return self._popen(["s6-svscan", "-c", str(max(1000, 2 * self.n + 10)), self.dir], env, log)

    def status_cmd(self, i):
        return ["s6-svstat", self.svc_path(i)]

    def stop_all(self):
        # -t: SIGTERM to every s6-supervise (each brings its service down), then s6-svscan exits.
        subprocess.Popen(["s6-svscanctl", "-t", self.dir], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL)


class Daemontools(_ScanDir):
    name = "daemontools"
    max_n = 1000  # svscan starts at most 1000 supervise processes (compiled-in limit)

    def missing(self):
        if not shutil.which("svscan") or not shutil.which("svstat"):
            return "daemontools not installed (apt-get install daemontools)"
        return None

    def version(self):
        return _deb_version("daemontools")

    def start(self, env, log):
        return self._popen(["svscan", self.dir], env, log)

    def status_cmd(self, i):
        return ["svstat", self.svc_path(i)]

    def stop_all(self):
        # svscan has no stop-all: end svscan (so it does not restart supervise on its 5 s rescan),
        # then `svc -dx` every service: down, and supervise exits once it is down.
        self.proc.send_signal(signal.SIGTERM)
        subprocess.Popen(["svc", "-dx"] + [self.svc_path(i) for i in range(self.n)], stdin=subprocess.DEVNULL,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


# ---- supervisord ------------------------------------------------------------------------------

class Supervisord(Adapter):
    name = "supervisord"

    def missing(self):
        if not shutil.which("supervisord") or not shutil.which("supervisorctl"):
            return "supervisor not installed (apt-get install supervisor)"
        return None

    def version(self):
        return _deb_version("supervisor")

    def prepare(self, work, n):
        super().prepare(work, n)
        self.conf = os.path.join(work, "supervisord.conf")
        sock = os.path.join(work, "supervisor.sock")
        # minfds/minprocs: supervisord keeps three pipes per child even with logs off; it raises
        # its own limits to these. startsecs=0: a process counts as RUNNING at once (the default,
        # 1 s, only delays the state, not the exec). No stdout/stderr log files (no logger), or,
        # logged, one log file per process (stderr into it), rotated by supervisord itself.
        lines = ["[supervisord]", "nodaemon=true", "logfile=%s/supervisord.log" % work, "loglevel=warn",
                 "pidfile=%s/supervisord.pid" % work, "minfds=%d" % (4 * n + 1024),
                 "minprocs=%d" % (2 * n + 1024), "",
                 "[unix_http_server]", "file=%s" % sock, "",
                 "[rpcinterface:supervisor]",
                 "supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface", "",
                 "[supervisorctl]", "serverurl=unix://%s" % sock, ""]
        # One [program] with numprocs=N: all N processes in one group. With N programs, each is a
        # group of its own and supervisord stops groups one after another, one per turn of its
        # main loop (26 s for N=100 here); numprocs is how supervisord users run N copies.
        lines += ["[program:s]", "command=%s" % self.ctx["sleeper"], "process_name=%(program_name)s%(process_num)d",
                  "numprocs=%d" % n, "autostart=true", "autorestart=true", "startsecs=0"]
        if self.logged:
            os.makedirs(os.path.join(work, "logs"))
            lines += ["stdout_logfile=%s/logs/%%(program_name)s%%(process_num)d.log" % work, "redirect_stderr=true",
                      ""]
        else:
            lines += ["stdout_logfile=NONE", "stderr_logfile=NONE", ""]
        _write(self.conf, "\n".join(lines))

    def start(self, env, log):
        return self._popen(["supervisord", "-c", self.conf], env, log)

    def status_cmd(self, i):
        return ["supervisorctl", "-c", self.conf, "status", "s:s%d" % i]

    def stop_all(self):
        self.proc.send_signal(signal.SIGTERM)


# ---- with logging on ---------------------------------------------------------------------------

class StartdLog(Startd):
    name, logged = "startd+log", True


class DinitLog(Dinit):
    name, logged = "dinit+log", True


class RunitLog(Runit):
    name, logged, logger = "runit+svlogd", True, "svlogd -tt main"


class S6Log(S6):
    name, logged, logger = "s6+s6-log", True, "s6-log T ./main"


class DaemontoolsLog(Daemontools):
    name, logged, logger = "daemontools+multilog", True, "multilog t ./main"
    max_n = 500  # svscan's 1000 supervise processes: two per service (the service and its logger)


class SupervisordLog(Supervisord):
    name, logged = "supervisord+log", True


BARE = [Startd, Dinit, Runit, S6, Daemontools, Supervisord]
LOGGED = [StartdLog, DinitLog, RunitLog, S6Log, DaemontoolsLog, SupervisordLog]
ALL = BARE + LOGGED
