// Conformance spot checks, part 2: Upstart's own jobs, cloud-init's, Ubuntu Touch's, and the
// .override files (alone and laid over their .conf, as Upstart loads them). The expected values were
// read off the job files by hand and agree with what Upstart 1.13.2's own parser produced for them.
#include "config/parser.h"
#include "core/event_expr.h"
#include "core/job_class.h"
#include "support/shared_corpus.h"

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
using Strings = std::vector<std::string>;

std::optional<std::string> corpus_text(const std::string& name) {
    std::ifstream in(test_support::conformance_dir() / name, std::ios::binary);
    if (!in) {
        ADD_FAILURE() << "cannot read " << name << " in " << test_support::conformance_dir().string();
        return std::nullopt;
    }
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

std::optional<core::JobClass> load(const std::string& name) {
    auto text = corpus_text(name);
    if (!text) {
        return std::nullopt;
    }
    auto job = config::parse_job(*text, name);
    if (!job) {
        ADD_FAILURE() << job.error().to_string();
        return std::nullopt;
    }
    return std::move(job).value();
}

// `override_name` parsed on top of `conf_name`, the way Upstart applies NAME.override to NAME.conf.
std::optional<core::JobClass> load_with_override(const std::string& conf_name,
                                                 const std::string& override_name) {
    auto job = load(conf_name);
    auto text = corpus_text(override_name);
    if (!job || !text) {
        return std::nullopt;
    }
    if (auto applied = config::parse_job_text(*text, override_name, *job); !applied) {
        ADD_FAILURE() << applied.error().to_string();
        return std::nullopt;
    }
    return job;
}

// The tree's shape: AND(l,r), OR(l,r), and matches as name[args] with positional arguments as
// pos:VALUE and named ones as KEY=VALUE or KEY!=VALUE.
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

std::vector<std::string> script_lines(const core::JobClass& job, ProcessType type) {
    const auto& process = job.process(type);
    if (!process) {
        ADD_FAILURE() << "no " << core::to_string(type) << " process";
        return {};
    }
    EXPECT_TRUE(process->script) << core::to_string(type) << " should be a script";
    EXPECT_TRUE(!process->command.empty() && process->command.view().back() == '\n') << process->command;
    std::vector<std::string> lines;
    std::istringstream in(process->command.str());
    for (std::string line; std::getline(in, line);) {
        lines.push_back(line);
    }
    return lines;
}

std::string exec_of(const core::JobClass& job, ProcessType type) {
    const auto& process = job.process(type);
    if (!process) {
        return "<none>";
    }
    EXPECT_FALSE(process->script) << core::to_string(type) << " should be an exec line";
    return process->command.str();
}

TEST_F(ConformanceSpotCheck, CloudInit) {
    auto job = load("canonical__cloud-init__cloud-init.conf");
    ASSERT_TRUE(job);
    EXPECT_EQ(job->description, "");
    EXPECT_EQ(text_of(job->start_on), "(mounted MOUNTPOINT=/ and stopped cloud-init-nonet)");
    EXPECT_EQ(shape(job->start_on), "AND(mounted[MOUNTPOINT=/],stopped[pos:cloud-init-nonet])");
    EXPECT_FALSE(job->stop_on.has_value());
    EXPECT_TRUE(job->task);
    EXPECT_EQ(job->console, ConsoleType::Output);
    EXPECT_EQ(exec_of(*job, ProcessType::Main), "/usr/bin/cloud-init init");
}

TEST_F(ConformanceSpotCheck, CloudConfig) {
    auto job = load("canonical__cloud-init__cloud-config.conf");
    ASSERT_TRUE(job);
    EXPECT_EQ(job->description, "Handle applying cloud-config");
    EXPECT_EQ(job->emits, (Strings{"cloud-config"}));
    EXPECT_EQ(shape(job->start_on), "AND(filesystem[],started[pos:rsyslog])");
    EXPECT_EQ(job->console, ConsoleType::Output);
    EXPECT_TRUE(job->task);
    EXPECT_EQ(exec_of(*job, ProcessType::Main), "cloud-init modules --mode=config");
}

TEST_F(ConformanceSpotCheck, CloudInitBlocknet) {
    auto job = load("canonical__cloud-init__cloud-init-blocknet.conf");
    ASSERT_TRUE(job);
    EXPECT_EQ(job->description, "block networking until cloud-init-local");
    EXPECT_EQ(text_of(job->start_on),
              "((starting network-interface or starting network-manager) or starting networking)");
    EXPECT_EQ(
        shape(job->start_on),
        "OR(OR(starting[pos:network-interface],starting[pos:network-manager]),starting[pos:networking])");
    EXPECT_EQ(shape(job->stop_on), "stopped[pos:cloud-init-local]");
    EXPECT_EQ(job->instance, "$JOB${INTERFACE:+/}${INTERFACE:-}");
    EXPECT_EQ(job->exports, (Strings{"INTERFACE"}));
    EXPECT_TRUE(job->task);
    Strings main = script_lines(*job, ProcessType::Main);
    ASSERT_EQ(main.size(), 67u);
    EXPECT_EQ(main.front(), "   set +e  # you cannot trap TERM reliably with 'set -e'"); // '#' is the shell's
    EXPECT_EQ(main.back(), "   exit 1");
}

TEST_F(ConformanceSpotCheck, Tty1) {
    auto job = load("ubports__upstart__debian_conf_tty1.conf");
    ASSERT_TRUE(job);
    // The parenthesis opened at the end of the first line carries the expression over three more.
    EXPECT_EQ(text_of(job->start_on),
              "(stopped rc RUNLEVEL=[2345] and ((not-container or container CONTAINER=lxc) "
              "or container CONTAINER=lxc-libvirt))");
    EXPECT_EQ(shape(job->start_on),
              "AND(stopped[pos:rc,RUNLEVEL=[2345]],OR(OR(not-container[],container[CONTAINER="
              "lxc]),container[CONTAINER=lxc-libvirt]))");
    EXPECT_EQ(text_of(job->stop_on), "runlevel [!2345]");
    EXPECT_TRUE(job->respawn);
    EXPECT_EQ(exec_of(*job, ProcessType::Main), "/sbin/getty -8 38400 tty1");
    EXPECT_EQ(job->console, ConsoleType::Log);
}

TEST_F(ConformanceSpotCheck, RcSysinit) {
    auto job = load("ubports__upstart__conf_rc-sysinit.conf");
    ASSERT_TRUE(job);
    EXPECT_EQ(job->description, "System V initialisation compatibility");
    EXPECT_EQ(job->author, "Scott James Remnant <scott@netsplit.com>");
    EXPECT_EQ(text_of(job->start_on), "((filesystem and static-network-up) or failsafe-boot)");
    EXPECT_EQ(shape(job->start_on), "OR(AND(filesystem[],static-network-up[]),failsafe-boot[])");
    EXPECT_EQ(shape(job->stop_on), "runlevel[]");
    // Empty values and a bare name (copied from init's environment) keep their places.
    EXPECT_EQ(job->env, (Strings{"DEFAULT_RUNLEVEL=2", "RUNLEVEL=", "PREVLEVEL=", "INIT_VERBOSE"}));
    EXPECT_EQ(job->emits, (Strings{"runlevel"}));
    EXPECT_EQ(job->console, ConsoleType::Output);
    EXPECT_TRUE(job->task);
    Strings main = script_lines(*job, ProcessType::Main);
    ASSERT_EQ(main.size(), 30u);
    EXPECT_EQ(main.front(), "    # Check for default runlevel in /etc/inittab");
    EXPECT_EQ(main[3],
              "\teval \"$(sed -nre 's/^[^#][^:]*:([0-6sS]):initdefault:.*/DEFAULT_RUNLEVEL=\"\\1\";/p' "
              "/etc/inittab || true)\"");
    EXPECT_EQ(main[10], "\t-b|emergency)");
    EXPECT_EQ(main.back(), "    telinit \"${DEFAULT_RUNLEVEL}\"");
}

TEST_F(ConformanceSpotCheck, RcExportsRunlevelAndKeepsUnindentedScript) {
    auto job = load("ubports__upstart__conf_rc.conf");
    ASSERT_TRUE(job);
    EXPECT_EQ(job->emits, (Strings{"deconfiguring-networking", "unmounted-remote-filesystems"}));
    EXPECT_EQ(shape(job->start_on), "runlevel[pos:[0123456]]");
    EXPECT_EQ(shape(job->stop_on), "runlevel[pos:[!$RUNLEVEL]]"); // $RUNLEVEL kept for match time
    EXPECT_EQ(job->exports, (Strings{"RUNLEVEL", "PREVLEVEL"}));
    EXPECT_EQ(job->env, (Strings{"INIT_VERBOSE"}));
    EXPECT_EQ(job->console, ConsoleType::Output);
    EXPECT_TRUE(job->task);
    const auto& main = job->process(ProcessType::Main);
    ASSERT_TRUE(main);
    EXPECT_TRUE(main->script);
    EXPECT_EQ(main->command,
              "if [ \"$RUNLEVEL\" = \"0\" -o \"$RUNLEVEL\" = \"1\" -o \"$RUNLEVEL\" = \"6\" ]; then\n"
              "    status plymouth-shutdown 2>/dev/null >/dev/null && start wait-for-state WAITER=rc "
              "WAIT_FOR=plymouth-shutdown || :\n"
              "fi\n"
              "/etc/init.d/rc $RUNLEVEL\n");
}

TEST_F(ConformanceSpotCheck, RcSSingleUser) {
    auto job = load("ubports__upstart__debian_conf_rcS.conf");
    ASSERT_TRUE(job);
    EXPECT_EQ(shape(job->start_on), "runlevel[pos:S]");
    EXPECT_EQ(shape(job->stop_on), "runlevel[pos:[!S]]");
    EXPECT_EQ(job->console, ConsoleType::Owner);
    EXPECT_EQ(script_lines(*job, ProcessType::Main),
              (Strings{"exec /sbin/sulogin"})); // one line, indentation off
    Strings post = script_lines(*job, ProcessType::PostStop);
    ASSERT_EQ(post.size(), 9u);
    EXPECT_EQ(post.front(), "    # Don't switch runlevels if we were stopped by an event, since that");
    EXPECT_EQ(post[4], "\texit 0");
    EXPECT_EQ(post.back(), "    start --no-wait rc-sysinit FROM_SINGLE_USER_MODE=y");
}

TEST_F(ConformanceSpotCheck, WaitForState) {
    auto job = load("ubports__upstart__debian_conf_wait-for-state.conf");
    ASSERT_TRUE(job);
    EXPECT_EQ(job->author, "Clint Byrum <clint.byrum@canonical.com>");
    EXPECT_EQ(job->description, "Waiting for state");
    EXPECT_TRUE(job->task);
    EXPECT_EQ(job->normal_exit, (std::vector<core::NormalExit>{{2, false}}));
    EXPECT_FALSE(job->start_on.has_value());
    EXPECT_EQ(text_of(job->stop_on), "(started $WAIT_FOR or stopped $WAIT_FOR)");
    EXPECT_EQ(shape(job->stop_on), "OR(started[pos:$WAIT_FOR],stopped[pos:$WAIT_FOR])");
    EXPECT_EQ(job->env, (Strings{"TIMEOUT=30", "MANUAL_OVERRIDE=N", "WAIT_FOREVER=N", "WAIT_STATE=started",
                                 "TARGET_GOAL=start"}));
    EXPECT_EQ(job->instance, "$WAITER$WAIT_FOR");
    Strings main = script_lines(*job, ProcessType::Main);
    ASSERT_EQ(main.size(), 38u);
    EXPECT_EQ(main.front(), "    test -n \"$WAIT_FOR\" || exit 1");
    EXPECT_EQ(main[7],
              "        if grep -q \"^\\s*manual\\s*$\" /etc/init/$WAIT_FOR.conf /etc/init/$WAIT_FOR.override "
              "2>/dev/null; then");
    EXPECT_EQ(main.back(), "    exit 1");
}

TEST_F(ConformanceSpotCheck, FlushEarlyJobLog) {
    auto job = load("ubports__upstart__debian_conf_flush-early-job-log.conf");
    ASSERT_TRUE(job);
    EXPECT_EQ(job->description, "flush early job output to logs");
    EXPECT_TRUE(job->task);
    EXPECT_EQ(shape(job->start_on), "filesystem[]");
    EXPECT_FALSE(job->stop_on.has_value());
    EXPECT_EQ(exec_of(*job, ProcessType::Main), "initctl notify-disk-writeable");
    EXPECT_FALSE(job->respawn);
}

TEST_F(ConformanceSpotCheck, FailsafeKeepsMixedIndentationAndQuotedPostStartExec) {
    auto job = load("ubports__upstart__debian_conf_failsafe.conf");
    ASSERT_TRUE(job);
    EXPECT_EQ(job->author, "Clint Byrum <clint@ubuntu.com>");
    EXPECT_EQ(shape(job->start_on), "AND(filesystem[],net-device-up[IFACE=lo])");
    EXPECT_EQ(shape(job->stop_on), "OR(static-network-up[],starting[pos:rc-sysinit])");
    EXPECT_EQ(job->emits, (Strings{"failsafe-boot"}));
    EXPECT_EQ(job->console, ConsoleType::Output);
    // A tab after `exec`; both kinds of quote reach the shell untouched.
    EXPECT_EQ(exec_of(*job, ProcessType::PostStart),
              "logger -t 'failsafe' -p daemon.warning \"Failsafe of 120 seconds reached.\"");
    Strings main = script_lines(*job, ProcessType::Main);
    ASSERT_EQ(main.size(), 28u);
    EXPECT_EQ(main.front(), "\t# Determine if plymouth is available");
    EXPECT_EQ(
        main[7],
        "    # The point here is to wait for 2 minutes before forcibly booting "); // trailing blank kept
    EXPECT_EQ(main.back(), "    exec initctl emit --no-wait failsafe-boot");
}

TEST_F(ConformanceSpotCheck, LogrotateScriptsBeginWithBlankLinesAndKeepHereDocument) {
    auto job = load("ubports__upstart__debian_user-conf_logrotate.conf");
    ASSERT_TRUE(job);
    EXPECT_EQ(job->description, "Rotate job log files");
    EXPECT_EQ(text_of(job->start_on), "((startup or :sys:rotate-logs) or rotate-logs)");
    EXPECT_TRUE(job->task);
    const auto& pre = job->process(ProcessType::PreStart);
    ASSERT_TRUE(pre);
    EXPECT_TRUE(pre->command.view().starts_with("\nlogrotate=$(command -v logrotate 2>/dev/null || :)\n\n"));
    EXPECT_TRUE(pre->command.view().ends_with("\ninitctl set-env FORCE=--force\n\n"));
    Strings main = script_lines(*job, ProcessType::Main);
    ASSERT_EQ(main.size(), 36u);
    EXPECT_EQ(main[0], "");
    EXPECT_EQ(main[23], "cat <<EOF >$conf");
    EXPECT_EQ(main[24], "\"$logdir/*.log\" {");
    EXPECT_EQ(main[25], "        hourly");
    EXPECT_EQ(main[32], "EOF");
    EXPECT_EQ(main.back(), "rm -f \"$conf\"");
}

TEST_F(ConformanceSpotCheck, AndroidJobsWithGroupedAndNamedMatches) {
    auto adbd = load("ubports__lxc-android-config__adbd-emergency-shell.conf");
    ASSERT_TRUE(adbd);
    EXPECT_EQ(adbd->description, "adbd emergency shell");
    EXPECT_EQ(shape(adbd->start_on),
              "OR(stopped[pos:lxc-android-config,RESULT=failed],stopped[pos:lightdm,RESULT="
              "failed])");
    EXPECT_TRUE(adbd->respawn);
    EXPECT_EQ(exec_of(*adbd, ProcessType::Main), "su - -c adbd");

    auto force_adb = load("ubports__lxc-android-config__force-adb.conf");
    ASSERT_TRUE(force_adb);
    EXPECT_EQ(shape(force_adb->start_on),
              "OR(file[FILE=/var/lib/extrausers/shadow,EVENT=modify],starting[pos:android-tools-adbd])");
    EXPECT_TRUE(force_adb->task);
    // Eight spaces of common indentation come off; deeper lines keep the rest.
    EXPECT_EQ(script_lines(*force_adb, ProcessType::PreStart),
              (Strings{"# in the emulator we always want to first have the gadget on",
                       "if grep -q qemu /proc/cmdline; then", "        android-gadget-service enable adb",
                       "        stop", "fi"}));

    auto watcher = load("ubports__lxc-android-config__ssh-property-watcher.conf");
    ASSERT_TRUE(watcher);
    ASSERT_TRUE(watcher->start_on);
    EXPECT_EQ(shape(watcher->start_on), "android-container[persist.service.ssh=*]"); // a glob value
    EXPECT_FALSE(watcher->start_on->nodes.back().args.at(0).positional());

    auto extrausers = load("ubports__lxc-android-config__extrausers.conf");
    ASSERT_TRUE(extrausers);
    EXPECT_EQ(shape(extrausers->start_on), "boot-hooks[WHEN=new-version]");
    Strings pre = script_lines(*extrausers, ProcessType::PreStart);
    ASSERT_EQ(pre.size(), 6u);
    EXPECT_EQ(pre[0], "if [ -z \"$(ls /var/lib/extrausers/)\" ] && \\"); // no line joining inside scripts
    EXPECT_EQ(pre[1], "   [ -n \"$(mount | grep ' /var/lib/extrausers ')\" ]; then");
}

TEST_F(ConformanceSpotCheck, SessionJobs) {
    auto agent = load("Azure__sonic-openssh__ssh-agent.user-session.upstart.conf");
    ASSERT_TRUE(agent);
    EXPECT_EQ(agent->author, "St\xC3\xA9phane Graber <stgraber@ubuntu.com>"); // UTF-8 bytes kept as they are
    EXPECT_EQ(shape(agent->start_on), "starting[pos:xsession-init]");
    EXPECT_EQ(exec_of(*agent, ProcessType::Main), "/usr/lib/openssh/agent-launch start");
    EXPECT_EQ(exec_of(*agent, ProcessType::PostStop), "/usr/lib/openssh/agent-launch stop");

    auto reexec = load("ubports__upstart__extra_conf-session_re-exec.conf");
    ASSERT_TRUE(reexec);
    EXPECT_EQ(shape(reexec->start_on), ":sys:restarted[]");
    EXPECT_EQ(exec_of(*reexec, ProcessType::Main), "dbus-send --type=method_call --address=$UPSTART_SESSION "
                                                   "/com/ubuntu/Upstart com.ubuntu.Upstart0_6.Restart");

    auto xsession = load("ubports__upstart__debian_user-conf_xsession-init.conf");
    ASSERT_TRUE(xsession);
    EXPECT_EQ(xsession->emits, (Strings{"xsession"}));
    EXPECT_EQ(
        script_lines(*xsession, ProcessType::Main),
        (Strings{"exec initctl emit --no-wait xsession SESSION=$DESKTOP_SESSION SESSIONTYPE=$SESSIONTYPE"}));
}

TEST_F(ConformanceSpotCheck, ControlAltDelete) {
    auto job = load("ubports__upstart__conf_control-alt-delete.conf");
    ASSERT_TRUE(job);
    EXPECT_EQ(job->description, "emergency keypress handling");
    EXPECT_EQ(job->author, "Scott James Remnant <scott@netsplit.com>"); // two tabs before the value
    EXPECT_EQ(shape(job->start_on), "control-alt-delete[]");
    EXPECT_TRUE(job->task);
    EXPECT_EQ(exec_of(*job, ProcessType::Main), "shutdown -r now \"Control-Alt-Delete pressed\"");
}

TEST_F(ConformanceSpotCheck, ManualOverrideAloneIsADefaultJobMarkedManual) {
    auto job = load("ubports__lxc-android-config__tty1.override.conf");
    ASSERT_TRUE(job);
    core::JobClass expected;
    expected.path = job->path;
    expected.manual = true;
    EXPECT_TRUE(*job == expected) << "tty1.override holds only `manual`";
}

TEST_F(ConformanceSpotCheck, EmptyOverrideIsADefaultJob) {
    auto job = load("ubports__lxc-android-config__whoopsie.override.conf");
    ASSERT_TRUE(job);
    core::JobClass expected;
    expected.path = job->path;
    EXPECT_TRUE(*job == expected) << "whoopsie.override is an empty file";
}

TEST_F(ConformanceSpotCheck, ManualOverrideOnTty1DropsStartOnAndKeepsTheRest) {
    auto job = load_with_override("ubports__upstart__debian_conf_tty1.conf",
                                  "ubports__lxc-android-config__tty1.override.conf");
    ASSERT_TRUE(job);
    EXPECT_TRUE(job->manual);
    EXPECT_FALSE(job->start_on.has_value());
    EXPECT_EQ(text_of(job->stop_on), "runlevel [!2345]");
    EXPECT_TRUE(job->respawn);
    EXPECT_EQ(exec_of(*job, ProcessType::Main), "/sbin/getty -8 38400 tty1");
}

TEST_F(ConformanceSpotCheck, SshOverrideReplacesExecAndDisablesAutostart) {
    auto job = load_with_override("Azure__sonic-openssh__openssh-server.ssh.upstart.conf",
                                  "ubports__lxc-android-config__ssh.override.conf");
    ASSERT_TRUE(job);
    EXPECT_TRUE(job->manual);
    EXPECT_FALSE(job->start_on.has_value());
    EXPECT_EQ(text_of(job->stop_on), "runlevel [!2345]");
    EXPECT_EQ(exec_of(*job, ProcessType::Main), "/usr/sbin/sshd -D -o PasswordAuthentication=no");
    EXPECT_TRUE(job->process(ProcessType::PreStart) != nullptr); // the .conf's pre-start stays
    EXPECT_EQ(job->expect, ExpectType::Stop);
    EXPECT_EQ(job->env, (Strings{"SSH_SIGSTOP=1"}));
}

TEST_F(ConformanceSpotCheck, CupsOverride) {
    auto job = load("ubports__lxc-android-config__cups.override.conf");
    ASSERT_TRUE(job);
    EXPECT_EQ(text_of(job->start_on), "socket PROTO=inet PORT=631 ADDR=127.0.0.1");
    EXPECT_EQ(shape(job->start_on), "socket[PROTO=inet,PORT=631,ADDR=127.0.0.1]");
    EXPECT_EQ(job->normal_exit, (std::vector<core::NormalExit>{{0, false}}));
    EXPECT_EQ(exec_of(*job, ProcessType::Main), "/usr/sbin/cupsd -f -l");

    // Laid over a .conf: start on and exec are replaced, normal exit accumulates.
    auto base = config::parse_job(
        "start on runlevel [2345]\nrespawn\nnormal exit 1 TERM\nexec /usr/sbin/cupsd -f\n", "cups.conf");
    ASSERT_TRUE(base) << base.error().to_string();
    auto text = corpus_text("ubports__lxc-android-config__cups.override.conf");
    ASSERT_TRUE(text);
    auto applied = config::parse_job_text(*text, "cups.override", *base);
    ASSERT_TRUE(applied) << applied.error().to_string();
    EXPECT_EQ(shape(base->start_on), "socket[PROTO=inet,PORT=631,ADDR=127.0.0.1]");
    EXPECT_EQ(base->normal_exit, (std::vector<core::NormalExit>{{1, false}, {15, true}, {0, false}}));
    EXPECT_TRUE(base->respawn);
    EXPECT_EQ(exec_of(*base, ProcessType::Main), "/usr/sbin/cupsd -f -l");
}

} // namespace
