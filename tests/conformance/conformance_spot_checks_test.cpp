// Conformance spot checks, part 1: daemon jobs from other projects (bitcoin, mongod, docker, salt,
// lxc, ceph, openssh, Upstart's socket bridge), checked field by field. The expected values were
// read off the job files by hand and agree with what Upstart 1.13.2's own parser produced for them.
// Part 2 (Upstart's and Ubuntu Touch's own jobs, overrides) is conformance_spot_checks_more_test.cpp.
#include "config/parser.h"
#include "core/event_expr.h"
#include "core/job_class.h"
#include "support/shared_corpus.h"

#include <csignal>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;
using core::ConsoleType;
using core::ExpectType;
using core::ProcessType;
// Every spot check reads the corpus: skipped (or failed, under STARTD_REQUIRE_SHARED=1) without it.
using ConformanceSpotCheck = test_support::SharedCorpusTest;

std::optional<core::JobClass> load(const std::string& name) {
    const fs::path path = test_support::conformance_dir() / name;
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        ADD_FAILURE() << "cannot read " << path.string();
        return std::nullopt;
    }
    std::ostringstream text;
    text << in.rdbuf();
    auto job = config::parse_job(text.str(), path.string());
    if (!job) {
        ADD_FAILURE() << job.error().to_string();
        return std::nullopt;
    }
    return std::move(job).value();
}

// The tree's shape, independent of show-config's rendering: AND(l,r), OR(l,r), and matches as
// name[args] with positional arguments as pos:VALUE and named ones as KEY=VALUE or KEY!=VALUE.
std::string shape(const core::EventExpr& expr, std::uint32_t index) {
    const core::EventExprNode& node = expr.nodes[index];
    if (node.kind != core::EventExprKind::Match) {
        return std::string(node.kind == core::EventExprKind::And ? "AND(" : "OR(") + shape(expr, node.lhs) +
               "," + shape(expr, node.rhs) + ")";
    }
    std::string out = node.name + "[";
    for (std::size_t i = 0; i < node.args.size(); ++i) {
        const core::EventArg& arg = node.args[i];
        out += i ? "," : "";
        out += arg.positional() ? "pos:" + arg.value : arg.key + (arg.negated ? "!=" : "=") + arg.value;
    }
    return out + "]";
}

std::string shape(const std::optional<core::EventExpr>& expr) {
    return expr && !expr->empty() ? shape(*expr, expr->root()) : "<none>";
}

std::string text_of(const std::optional<core::EventExpr>& expr) {
    return expr ? core::to_string(*expr) : "<none>";
}

std::vector<std::string> lines_of(const std::string& body) {
    std::vector<std::string> lines;
    std::istringstream in(body);
    for (std::string line; std::getline(in, line);) {
        lines.push_back(line);
    }
    return lines;
}

// A script's body: every line, and that it ends with a newline.
std::vector<std::string> script_lines(const core::JobClass& job, ProcessType type) {
    const auto& process = job.process(type);
    if (!process) {
        ADD_FAILURE() << "no " << core::to_string(type) << " process";
        return {};
    }
    EXPECT_TRUE(process->script) << core::to_string(type) << " should be a script";
    EXPECT_TRUE(!process->command.empty() && process->command.view().back() == '\n') << process->command;
    return lines_of(process->command.str());
}

std::string exec_of(const core::JobClass& job, ProcessType type) {
    const auto& process = job.process(type);
    if (!process) {
        return "<none>";
    }
    EXPECT_FALSE(process->script) << core::to_string(type) << " should be an exec line";
    return process->command.str();
}

std::optional<core::ResourceLimit> limit_of(const core::JobClass& job, int resource) {
    for (const auto& [res, limit] : job.limits) {
        if (res == resource) {
            return limit;
        }
    }
    return std::nullopt;
}

bool has_process(const core::JobClass& job, ProcessType type) {
    return job.process(type) != nullptr;
}

using Strings = std::vector<std::string>;

TEST_F(ConformanceSpotCheck, BitcoinCore) {
    auto job = load("bitcoin__bitcoin__bitcoind.conf");
    ASSERT_TRUE(job);
    EXPECT_EQ(job->description, "Bitcoin Core Daemon");
    EXPECT_EQ(text_of(job->start_on), "runlevel [2345]");
    EXPECT_EQ(shape(job->start_on), "runlevel[pos:[2345]]");
    EXPECT_EQ(text_of(job->stop_on), "starting rc RUNLEVEL=[016]");
    ASSERT_TRUE(job->stop_on && job->stop_on->nodes.size() == 1);
    const auto& stop_args = job->stop_on->nodes.back().args;
    ASSERT_EQ(stop_args.size(), 2u);
    EXPECT_TRUE(stop_args[0].positional());
    EXPECT_EQ(stop_args[0].value, "rc");
    EXPECT_EQ(stop_args[1].key, "RUNLEVEL");
    EXPECT_EQ(stop_args[1].value, "[016]");
    EXPECT_FALSE(stop_args[1].negated);
    // Quotes removed, in file order; the comment between two env lines changes nothing.
    EXPECT_EQ(
        job->env,
        (Strings{"BITCOIND_BIN=/usr/bin/bitcoind", "BITCOIND_USER=bitcoin", "BITCOIND_GROUP=bitcoin",
                 "BITCOIND_PIDDIR=/var/run/bitcoind", "BITCOIND_PIDFILE=/var/run/bitcoind/bitcoind.pid",
                 "BITCOIND_CONFIGFILE=/etc/bitcoin/bitcoin.conf", "BITCOIND_DATADIR=/var/lib/bitcoind"}));
    EXPECT_EQ(job->expect, ExpectType::Fork);
    EXPECT_TRUE(job->respawn);
    EXPECT_EQ(job->respawn_limit, 5u);
    EXPECT_EQ(job->respawn_interval, 120u);
    EXPECT_EQ(job->kill_timeout, 60u);
    EXPECT_EQ(job->kill_signal, SIGTERM);
    EXPECT_EQ(job->console, ConsoleType::Log);
    EXPECT_FALSE(job->task);
    // Eleven continuation lines collapse to one command line, quotes kept for the shell.
    EXPECT_EQ(
        exec_of(*job, ProcessType::Main),
        "start-stop-daemon --start --pidfile \"$BITCOIND_PIDFILE\" --chuid $BITCOIND_USER:$BITCOIND_GROUP "
        "--exec \"$BITCOIND_BIN\" -- -pid=\"$BITCOIND_PIDFILE\" -conf=\"$BITCOIND_CONFIGFILE\" "
        "-datadir=\"$BITCOIND_DATADIR\" -disablewallet -daemon");
    // The pre-start body has a blank line, so no indentation is stripped; backslashes stay as written.
    Strings pre = script_lines(*job, ProcessType::PreStart);
    ASSERT_EQ(pre.size(), 30u);
    EXPECT_EQ(pre.front(), "    # this will catch non-existent config files");
    EXPECT_EQ(pre[19], "        echo \"ie: alertnotify=echo %%s | mail -s \\\"Bitcoin Alert\\\"\" \\");
    EXPECT_EQ(pre[20], "            \"admin@foo.com\"");
    EXPECT_EQ(pre[24], "");
    EXPECT_EQ(pre.back(), "    chmod 0660 \"$BITCOIND_CONFIGFILE\"");
    EXPECT_FALSE(has_process(*job, ProcessType::PostStart));
    EXPECT_FALSE(has_process(*job, ProcessType::PreStop));
    EXPECT_FALSE(has_process(*job, ProcessType::PostStop));
}

TEST_F(ConformanceSpotCheck, MongoDb) {
    auto job = load("mongodb__mongo__mongod.upstart.conf");
    ASSERT_TRUE(job);
    EXPECT_EQ(job->description, "");
    EXPECT_EQ(job->limits.size(), 6u);
    const core::ResourceLimit unlimited{RLIM_INFINITY, RLIM_INFINITY};
    EXPECT_EQ(limit_of(*job, RLIMIT_FSIZE), unlimited);
    EXPECT_EQ(limit_of(*job, RLIMIT_CPU), unlimited);
    EXPECT_EQ(limit_of(*job, RLIMIT_AS), unlimited);
    EXPECT_EQ(limit_of(*job, RLIMIT_NOFILE), (core::ResourceLimit{64000, 64000}));
    EXPECT_EQ(limit_of(*job, RLIMIT_RSS), unlimited);
    EXPECT_EQ(limit_of(*job, RLIMIT_NPROC), (core::ResourceLimit{64000, 64000}));
    EXPECT_EQ(limit_of(*job, RLIMIT_CORE), std::nullopt);
    EXPECT_EQ(job->kill_timeout, 300u); // followed by a comment on the same line
    EXPECT_EQ(text_of(job->start_on), "runlevel [2345]");
    EXPECT_EQ(text_of(job->stop_on), "runlevel [06]");
    EXPECT_FALSE(job->respawn);
    EXPECT_EQ(job->expect, ExpectType::None);
    // pre-start has no blank line: its common two-space indentation is removed.
    Strings pre = script_lines(*job, ProcessType::PreStart);
    ASSERT_EQ(pre.size(), 9u);
    EXPECT_EQ(pre[0], "DAEMONUSER=${DAEMONUSER:-mongodb}");
    EXPECT_EQ(pre[2], "  mkdir -p /var/lib/mongodb && chown mongodb:mongodb /var/lib/mongodb");
    EXPECT_EQ(pre[8], "chown $DAEMONUSER /var/run/mongodb.pid");
    // The main script has blank lines, so it keeps its indentation; its `exec` is shell text.
    Strings main = script_lines(*job, ProcessType::Main);
    ASSERT_EQ(main.size(), 27u);
    EXPECT_EQ(main.front(), "  ENABLE_MONGOD=\"yes\"");
    EXPECT_EQ(main[21], "    exec start-stop-daemon --start \\");
    EXPECT_EQ(main[25], "        --exec $NUMACTL $DAEMON $DAEMON_OPTS");
    EXPECT_EQ(main.back(), "  fi");
}

TEST_F(ConformanceSpotCheck, Docker) {
    auto job = load("moby__moby__docker.conf");
    ASSERT_TRUE(job);
    EXPECT_EQ(job->description, "Docker daemon");
    EXPECT_EQ(shape(job->start_on), "filesystem[]");
    // `[!2345]` is a positional glob, not a negated named match.
    EXPECT_EQ(shape(job->stop_on), "runlevel[pos:[!2345]]");
    ASSERT_TRUE(job->stop_on);
    EXPECT_FALSE(job->stop_on->nodes.back().args.at(0).negated);
    EXPECT_EQ(limit_of(*job, RLIMIT_NOFILE), (core::ResourceLimit{524288, 1048576}));
    EXPECT_EQ(limit_of(*job, RLIMIT_NPROC), (core::ResourceLimit{524288, 1048576}));
    EXPECT_TRUE(job->respawn);
    EXPECT_EQ(job->respawn_limit, 10u); // the defaults: `respawn` alone sets no limit
    EXPECT_EQ(job->respawn_interval, 5u);
    // Both scripts are tab-indented without blank lines: one tab comes off every line.
    Strings pre = script_lines(*job, ProcessType::PreStart);
    ASSERT_EQ(pre.size(), 20u);
    EXPECT_EQ(pre[0], "# see also https://github.com/tianon/cgroupfs-mount/blob/master/cgroupfs-mount");
    EXPECT_EQ(pre[1], "if grep -v '^#' /etc/fstab | grep -q cgroup \\");
    EXPECT_EQ(pre[2], "\t|| [ ! -e /proc/cgroups ] \\");
    EXPECT_EQ(pre[11], "\tfor sys in $(awk '!/^#/ { if ($4 == 1) print $1 }' /proc/cgroups); do");
    EXPECT_EQ(pre.back(), ")");
    Strings main = script_lines(*job, ProcessType::Main);
    EXPECT_EQ(main, (Strings{"# modify these in /etc/default/$UPSTART_JOB (/etc/default/docker)",
                             "DOCKER=/usr/bin/$UPSTART_JOB",
                             "DOCKER_OPTS=", "if [ -f /etc/default/$UPSTART_JOB ]; then",
                             "\t. /etc/default/$UPSTART_JOB", "fi", "\"$DOCKER\" -d $DOCKER_OPTS"}));
}

TEST_F(ConformanceSpotCheck, SaltMinion) {
    auto job = load("saltstack__salt__salt-minion.upstart.conf");
    ASSERT_TRUE(job);
    EXPECT_EQ(job->description, "Salt Minion");
    // Three lines inside parentheses; `and` is left-associative.
    EXPECT_EQ(text_of(job->start_on), "((net-device-up and local-filesystems) and runlevel [2345])");
    EXPECT_EQ(shape(job->start_on), "AND(AND(net-device-up[],local-filesystems[]),runlevel[pos:[2345]])");
    EXPECT_EQ(text_of(job->stop_on), "runlevel [!2345]");
    EXPECT_TRUE(job->respawn);
    EXPECT_EQ(job->respawn_limit, 10u);
    EXPECT_EQ(job->respawn_interval, 5u);
    const auto& main = job->process(ProcessType::Main);
    ASSERT_TRUE(main);
    EXPECT_TRUE(main->script);
    EXPECT_EQ(main->command, "exec salt-minion\n");
}

TEST_F(ConformanceSpotCheck, LxcAutostart) {
    auto job = load("lxc__lxc__lxc.conf");
    ASSERT_TRUE(job);
    EXPECT_EQ(job->description, "lxc");
    EXPECT_EQ(job->author, "Serge Hallyn <serge.hallyn@canonical.com>");
    EXPECT_EQ(text_of(job->start_on), "runlevel [2345]");
    EXPECT_EQ(shape(job->stop_on), "starting[pos:rc,RUNLEVEL=[016]]");
    EXPECT_EQ(job->env, (Strings{"LXC_AUTO=false", "BOOTGROUPS=onboot,", "SHUTDOWNDELAY=5",
                                 "OPTIONS=", "STOPOPTS=-a -A -s"}));
    // Blank lines inside both scripts: the leading tabs stay.
    Strings pre = script_lines(*job, ProcessType::PreStart);
    ASSERT_EQ(pre.size(), 26u);
    EXPECT_EQ(pre.front(), "\t[ -f /etc/default/lxc ] && . /etc/default/lxc");
    EXPECT_EQ(pre[1], "");
    EXPECT_EQ(pre[6], "\t\t\t/lib/apparmor/profile-load usr.bin.lxc-start");
    EXPECT_EQ(pre[24], "\t\t(start lxc-instance NAME=$1 && sleep $2) || true");
    EXPECT_EQ(pre.back(), "\tdone");
    Strings post = script_lines(*job, ProcessType::PostStop);
    ASSERT_EQ(post.size(), 8u);
    EXPECT_EQ(post.front(), "\t[ -f /etc/default/lxc ] && . /etc/default/lxc");
    EXPECT_EQ(post.back(), "\tlxc-autostart $STOPOPTS $SHUTDOWNDELAY || true");
    EXPECT_FALSE(has_process(*job, ProcessType::Main));
}

TEST_F(ConformanceSpotCheck, LxcInstance) {
    auto job = load("lxc__lxc__lxc-instance.conf");
    ASSERT_TRUE(job);
    EXPECT_EQ(job->description, "lxc instance");
    EXPECT_EQ(job->author, "Christian Kampka <chris@emerge-life.de>");
    EXPECT_FALSE(job->start_on.has_value());
    EXPECT_FALSE(job->manual);
    EXPECT_EQ(shape(job->stop_on), "stopping[pos:lxc]");
    EXPECT_EQ(job->kill_timeout, 120u);
    EXPECT_EQ(job->kill_signal, SIGPWR); // written `SIGPWR`
    EXPECT_EQ(job->reload_signal, SIGHUP);
    EXPECT_EQ(job->instance, "$NAME");
    EXPECT_EQ(job->usage, "NAME=name of LXC instance");
    EXPECT_EQ(script_lines(*job, ProcessType::PreStart),
              (Strings{"lxc-wait -s RUNNING -n $NAME -t 0 && { stop; exit 0; } || true"}));
    EXPECT_EQ(exec_of(*job, ProcessType::Main), "lxc-start -F -n $NAME");
}

TEST_F(ConformanceSpotCheck, LxcNetHasOnlyPreStartAndPostStopExecs) {
    auto job = load("lxc__lxc__lxc-net.conf");
    ASSERT_TRUE(job);
    EXPECT_EQ(shape(job->start_on), "starting[pos:lxc]");
    EXPECT_EQ(shape(job->stop_on), "stopped[pos:lxc]");
    EXPECT_EQ(exec_of(*job, ProcessType::PreStart), "@LIBEXECDIR@/lxc/lxc-net start");
    EXPECT_EQ(exec_of(*job, ProcessType::PostStop), "@LIBEXECDIR@/lxc/lxc-net stop");
    EXPECT_FALSE(has_process(*job, ProcessType::Main));
    EXPECT_FALSE(has_process(*job, ProcessType::PostStart));
    EXPECT_FALSE(has_process(*job, ProcessType::PreStop));
}

TEST_F(ConformanceSpotCheck, CephOsd) {
    auto job = load("ceph__ceph__ceph-osd.conf");
    ASSERT_TRUE(job);
    EXPECT_EQ(job->description, "Ceph OSD");
    EXPECT_EQ(shape(job->start_on), "ceph-osd[]");
    EXPECT_EQ(shape(job->stop_on), "runlevel[pos:[!2345]]");
    EXPECT_TRUE(job->respawn);
    EXPECT_EQ(job->respawn_limit, 5u);
    EXPECT_EQ(job->respawn_interval, 30u);
    EXPECT_EQ(job->instance, "${cluster:-ceph}/$id");
    EXPECT_EQ(job->exports, (Strings{"cluster", "id"})); // two `export` stanzas accumulate
    EXPECT_EQ(exec_of(*job, ProcessType::Main),
              "/usr/bin/ceph-osd --cluster=\"${cluster:-ceph}\" -i \"$id\" -f");
    // Blank lines keep the indentation; the mix of tabs and spaces and the backslashes are untouched.
    Strings pre = script_lines(*job, ProcessType::PreStart);
    ASSERT_EQ(pre.size(), 22u);
    EXPECT_EQ(pre.front(), "    set -e");
    EXPECT_EQ(pre[10], "    ceph \\");
    EXPECT_EQ(pre[15], "\t-- \\");
    EXPECT_EQ(pre[19], "\thost=\"$(hostname -s)\" \\");
    EXPECT_EQ(pre.back(), "       || :");
}

TEST_F(ConformanceSpotCheck, OpensshServer) {
    auto job = load("Azure__sonic-openssh__openssh-server.ssh.upstart.conf");
    ASSERT_TRUE(job);
    EXPECT_EQ(job->description, "OpenSSH server"); // separated from the keyword by a tab
    EXPECT_EQ(text_of(job->start_on), "runlevel [2345]");
    EXPECT_EQ(text_of(job->stop_on), "runlevel [!2345]");
    EXPECT_TRUE(job->respawn);
    EXPECT_EQ(job->respawn_limit, 10u);
    EXPECT_EQ(job->respawn_interval, 5u);
    EXPECT_EQ(job->umask, static_cast<mode_t>(022));
    EXPECT_EQ(job->env, (Strings{"SSH_SIGSTOP=1"}));
    EXPECT_EQ(job->expect, ExpectType::Stop);
    EXPECT_EQ(job->console, ConsoleType::None);
    const auto& pre = job->process(ProcessType::PreStart);
    ASSERT_TRUE(pre);
    EXPECT_TRUE(pre->script);
    EXPECT_EQ(pre->command, "    test -x /usr/sbin/sshd || { stop; exit 0; }\n"
                            "    test -e /etc/ssh/sshd_not_to_be_run && { stop; exit 0; }\n"
                            "\n"
                            "    mkdir -p -m0755 /run/sshd\n");
    EXPECT_EQ(exec_of(*job, ProcessType::Main), "/usr/sbin/sshd -D");
}

TEST_F(ConformanceSpotCheck, UpstartSocketBridge) {
    auto job = load("ubports__upstart__extra_conf_upstart-socket-bridge.conf");
    ASSERT_TRUE(job);
    EXPECT_EQ(job->description, "Bridge socket events into upstart");
    EXPECT_EQ(job->emits, (Strings{"socket"}));
    EXPECT_EQ(text_of(job->start_on), "net-device-up IFACE=lo");
    ASSERT_TRUE(job->start_on);
    const auto& arg = job->start_on->nodes.back().args.at(0);
    EXPECT_FALSE(arg.positional());
    EXPECT_EQ(arg.key, "IFACE");
    EXPECT_EQ(arg.value, "lo");
    EXPECT_FALSE(arg.negated);
    EXPECT_EQ(text_of(job->stop_on), "runlevel [!2345]");
    EXPECT_EQ(job->expect, ExpectType::Daemon);
    EXPECT_TRUE(job->respawn);
    EXPECT_EQ(exec_of(*job, ProcessType::Main), "upstart-socket-bridge --daemon");
    EXPECT_FALSE(job->task);
}

} // namespace
