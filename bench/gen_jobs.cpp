// Writes N realistic job files into a directory, deterministically, for the load benchmark.
//
//   gen_jobs DIR N [SEED]
//
// The mix follows real /etc/init directories: a licence/comment header, description and author,
// start on / stop on with and/or, parentheses (some over several lines) and KEY=VALUE matches, env
// and export lines, respawn and respawn limit, expect, exec lines with arguments, pre-start /
// post-stop (and some main) script blocks of 5-20 lines, instance jobs, a few subdirectories and
// .override files. Files are 0.5-2 KiB. Every generated file is valid; the benchmark checks that.
// The same N and SEED always give byte-identical files (own PRNG, no std:: distributions).
#include <sys/stat.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace {

// splitmix64: tiny, fast, and the same on every platform.
class Rng {
public:
    explicit Rng(std::uint64_t seed) : m_state(seed) {}
    std::uint64_t next() {
        std::uint64_t z = (m_state += 0x9e3779b97f4a7c15ULL);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        return z ^ (z >> 31);
    }
    // Uniform in [lo, hi].
    int range(int lo, int hi) { return lo + static_cast<int>(next() % static_cast<std::uint64_t>(hi - lo + 1)); }
    bool chance(int percent) { return range(1, 100) <= percent; }
    template <typename T, std::size_t K> const T& pick(const T (&items)[K]) { return items[next() % K]; }

private:
    std::uint64_t m_state;
};

constexpr const char* words[] = {"network", "daemon",  "storage", "cache",   "mail",    "print",   "audio",
                                 "backup",  "monitor", "log",     "sync",    "proxy",   "queue",   "metrics",
                                 "index",   "search",  "auth",    "session", "device",  "power",   "time",
                                 "update",  "report",  "archive", "stream",  "gateway", "console", "cron"};
constexpr const char* events[] = {"local-filesystems", "remote-filesystems", "net-device-up", "started dbus",
                                  "started udev",      "filesystem",         "static-network-up",
                                  "started networking", "starting rc",        "stopped udevtrigger",
                                  "mounted MOUNTPOINT=/var", "started syslog", "startup", "virtual-filesystems"};
constexpr const char* stop_events[] = {"runlevel [!2345]", "runlevel [016]", "stopping dbus",
                                       "deconfiguring-networking", "starting shutdown", "stopped udev"};
constexpr const char* dirs[] = {"net", "sys", "desktop", "storage/lvm", "storage/md", "vendor/acme"};
constexpr const char* shell_lines[] = {
    "mkdir -p /run/{n}",
    "chown {n}:{n} /run/{n}",
    "chmod 0755 /run/{n}",
    "[ -r /etc/default/{n} ] && . /etc/default/{n}",
    "if [ \"$ENABLED\" != \"yes\" ]; then",
    "    logger -t {n} \"disabled in /etc/default/{n}\"",
    "    stop; exit 0",
    "fi",
    "test -x /usr/sbin/{n} || { stop; exit 0; }",
    "rm -f /run/{n}/{n}.pid /run/{n}/{n}.sock",
    "for f in /etc/{n}/conf.d/*.conf; do",
    "    [ -e \"$f\" ] || continue",
    "    /usr/sbin/{n} --check-config \"$f\" || exit 1",
    "done",
    "echo \"$(date +%s) starting {n}\" >> /var/log/{n}/boot.log",
    "ulimit -n 65536",
    "export LANG=C.UTF-8",
    "case \"$MODE\" in",
    "    fast) ARGS=\"--fast\" ;;",
    "    *) ARGS=\"\" ;;",
    "esac",
    "while ! [ -S /run/dbus/system_bus_socket ]; do sleep 0.1; done",
};

std::string replace_name(std::string_view line, const std::string& name) {
    std::string out;
    for (std::size_t i = 0; i < line.size(); ++i) {
        if (line.substr(i, 3) == "{n}") {
            out += name;
            i += 2;
        } else {
            out += line[i];
        }
    }
    return out;
}

std::string start_on(Rng& rng) {
    switch (rng.range(0, 5)) {
    case 0:
        return "start on runlevel [2345]\n";
    case 1:
        return std::string("start on ") + rng.pick(events) + "\n";
    case 2:
        return std::string("start on (") + rng.pick(events) + " and " + rng.pick(events) + ")\n";
    case 3:
        return std::string("start on (local-filesystems\n          and net-device-up IFACE!=lo\n          and (") +
               rng.pick(events) + " or " + rng.pick(events) + "))\n";
    case 4:
        return std::string("start on started ") + rng.pick(words) + " and (" + rng.pick(events) +
               " or stopped rc RUNLEVEL=[2345] RESULT=ok)\n";
    default:
        return std::string("start on filesystem and ") + rng.pick(events) + " or runlevel [2345]\n";
    }
}

std::string script_block(Rng& rng, const std::string& keyword, const std::string& name) {
    std::string out = keyword + " script\n";
    // A run of consecutive lines from the pool, so blocks read roughly like shell.
    constexpr std::size_t pool = sizeof shell_lines / sizeof shell_lines[0];
    std::size_t first = rng.next() % pool;
    int lines = rng.range(5, 20);
    for (int i = 0; i < lines; ++i) {
        out += "    " + replace_name(shell_lines[(first + static_cast<std::size_t>(i)) % pool], name) + "\n";
    }
    out += "end script\n";
    return out;
}

std::string job_text(Rng& rng, const std::string& name, bool instance) {
    std::string body;
    body += "description \"" + name + " " + rng.pick(words) + " service\"\n";
    if (rng.chance(60)) {
        body += "author \"Maintainers <" + name + "@example.org>\"\n";
    }
    body += "\n" + start_on(rng);
    body += std::string("stop on ") + rng.pick(stop_events) + "\n\n";
    if (instance) {
        body += "instance $TTY\nusage \"start " + name + " TTY=<tty>\"\n";
    }
    for (int i = rng.range(0, 5); i > 0; --i) {
        switch (rng.range(0, 2)) {
        case 0:
            body += "env " + std::string(rng.pick(words)) + "_DIR=/var/lib/" + name + "\n";
            break;
        case 1:
            body += "env OPTS=\"--" + std::string(rng.pick(words)) + " --verbose --port=" +
                    std::to_string(rng.range(1024, 65535)) + "\"\n";
            break;
        default:
            body += "env MODE=fast\n";
            break;
        }
    }
    if (rng.chance(20)) {
        body += "export MODE\n";
    }
    bool task = rng.chance(15);
    if (task) {
        body += "task\n";
    } else if (rng.chance(80)) {
        body += "respawn\n";
        if (rng.chance(60)) {
            body += "respawn limit " + std::to_string(rng.range(2, 20)) + " " + std::to_string(rng.range(5, 60)) + "\n";
        }
    }
    if (rng.chance(30)) {
        body += rng.chance(50) ? "expect fork\n" : "expect daemon\n";
    }
    if (rng.chance(25)) {
        body += "normal exit 0 1 TERM SIGHUP\n";
    }
    if (rng.chance(30)) {
        body += "kill timeout " + std::to_string(rng.range(5, 120)) + "\n";
    }
    if (rng.chance(30)) {
        body += rng.chance(50) ? "console log\n" : "console none\n";
    }
    if (rng.chance(20)) {
        body += "limit nofile " + std::to_string(rng.range(1, 64) * 1024) + " 65536\n";
    }
    if (rng.chance(15)) {
        body += "umask 022\nnice " + std::to_string(rng.range(-5, 10)) + "\n";
    }
    if (rng.chance(10)) {
        body += "setuid " + name + "\nsetgid " + name + "\nchdir /var/lib/" + name + "\n";
    }
    body += "\n";
    if (rng.chance(35)) {
        body += script_block(rng, "pre-start", name);
    }
    if (rng.chance(15) && !task) {
        body += "post-start exec /usr/bin/" + name + "-ready --timeout " + std::to_string(rng.range(1, 30)) + "\n";
    }
    if (rng.chance(15)) {
        body += script_block(rng, "", name).substr(1); // a main `script … end script`
    } else {
        body += "exec /usr/sbin/" + name + " --foreground --config /etc/" + name + "/" + name +
                ".conf $OPTS";
        if (instance) {
            body += " --tty /dev/$TTY";
        }
        if (rng.chance(20)) {
            body += " \\\n    --log-level=info";
        }
        body += "\n";
    }
    if (rng.chance(20)) {
        body += script_block(rng, "post-stop", name);
    }

    // A comment header like real files' (licence, purpose), sized so the file lands in 0.5-2 KiB.
    std::size_t target = static_cast<std::size_t>(rng.range(512, 2048));
    std::string header = "# " + name + " - " + rng.pick(words) + " " + rng.pick(words) + " job\n#\n";
    constexpr std::string_view filler[] = {
        "# This service is started by the init daemon when its start condition holds.",
        "# Edit /etc/default/NAME rather than this file; local changes belong in an override.",
        "# Licensed under the terms found in /usr/share/common-licenses.",
        "# See init(5) for the meaning of every stanza used below.",
    };
    for (std::size_t i = 0; header.size() + body.size() + 1 < target; ++i) {
        std::string_view line = filler[i % 4];
        if (header.size() + body.size() + line.size() + 2 > 2048) {
            break;
        }
        header += line;
        header += '\n';
    }
    return header + "\n" + body;
}

std::string override_text(Rng& rng) {
    switch (rng.range(0, 3)) {
    case 0:
        return "manual\n";
    case 1:
        return "# local tuning\nenv OPTS=\"--quiet\"\nnice 5\n";
    case 2:
        return std::string("start on ") + rng.pick(events) + " and runlevel [2345]\n";
    default:
        return "respawn limit unlimited\nkill timeout 30\n";
    }
}

bool make_dirs(const std::string& path) {
    for (std::size_t slash = path.find('/', 1);; slash = path.find('/', slash + 1)) {
        std::string prefix = path.substr(0, slash);
        if (::mkdir(prefix.c_str(), 0755) != 0 && errno != EEXIST) {
            std::fprintf(stderr, "gen_jobs: mkdir %s: %s\n", prefix.c_str(), std::strerror(errno));
            return false;
        }
        if (slash == std::string::npos) {
            return true;
        }
    }
}

bool write_file(const std::string& path, const std::string& text) {
    std::FILE* f = std::fopen(path.c_str(), "wb");
    if (f == nullptr) {
        std::fprintf(stderr, "gen_jobs: %s: %s\n", path.c_str(), std::strerror(errno));
        return false;
    }
    bool ok = std::fwrite(text.data(), 1, text.size(), f) == text.size();
    ok = std::fclose(f) == 0 && ok;
    if (!ok) {
        std::fprintf(stderr, "gen_jobs: writing %s failed\n", path.c_str());
    }
    return ok;
}

} // namespace

int main(int argc, char** argv) {
    if (argc < 3 || argc > 4) {
        std::fprintf(stderr, "usage: gen_jobs DIR N [SEED]\n");
        return 2;
    }
    std::string root = argv[1];
    long n = std::strtol(argv[2], nullptr, 10);
    std::uint64_t seed = argc == 4 ? std::strtoull(argv[3], nullptr, 10) : 20240601;
    if (n <= 0) {
        std::fprintf(stderr, "gen_jobs: N must be a positive number\n");
        return 2;
    }
    Rng rng(seed);
    if (!make_dirs(root)) {
        return 1;
    }
    std::size_t bytes = 0;
    long overrides = 0;
    for (long i = 0; i < n; ++i) {
        // ~10% of jobs live in subdirectories, as vendor and network jobs often do.
        std::string dir = root;
        if (rng.chance(10)) {
            dir += "/";
            dir += rng.pick(dirs);
            if (!make_dirs(dir)) {
                return 1;
            }
        }
        char number[24];
        std::snprintf(number, sizeof number, "%06ld", i);
        std::string name = std::string(rng.pick(words)) + "-" + number;
        bool instance = rng.chance(8);
        std::string text = job_text(rng, name, instance);
        bytes += text.size();
        if (!write_file(dir + "/" + name + ".conf", text)) {
            return 1;
        }
        if (rng.chance(5)) {
            ++overrides;
            if (!write_file(dir + "/" + name + ".override", override_text(rng))) {
                return 1;
            }
        }
    }
    std::printf("gen_jobs: %ld jobs (%ld with an override), %zu bytes of .conf (%.0f B/job) in %s\n", n, overrides,
                bytes, static_cast<double>(bytes) / static_cast<double>(n), root.c_str());
    return 0;
}
