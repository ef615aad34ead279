// Tests startd's own readiness over the fake kernel: the NOTIFY_SOCKET address forms, the
// READY=1 datagram, the --ready-fd argument and its line, and that one failure never skips the
// other target.
#include "daemon/ready_signal.h"
#include "fakes/fake_sys.h"

#include <gtest/gtest.h>

namespace {

using fakes::FakeSys;

TEST(NotifySocketAddress, APathIsUsedAsItIsWithItsNul) {
    auto a = daemon_main::notify_socket_address("/run/systemd/notify");
    ASSERT_TRUE(a.has_value()) << a.error().message();
    EXPECT_EQ(std::string(a->addr.sun_path), "/run/systemd/notify");
    EXPECT_EQ(a->len, offsetof(sockaddr_un, sun_path) + sizeof "/run/systemd/notify");
}

TEST(NotifySocketAddress, AnAtSignNamesTheAbstractNamespaceWithoutANul) {
    auto a = daemon_main::notify_socket_address("@sd-notify/7");
    ASSERT_TRUE(a.has_value()) << a.error().message();
    EXPECT_EQ(a->addr.sun_path[0], '\0');
    EXPECT_EQ(std::string(a->addr.sun_path + 1, 11), "sd-notify/7");
    EXPECT_EQ(a->len, offsetof(sockaddr_un, sun_path) + 1 + 11);
}

TEST(NotifySocketAddress, RelativeEmptyAndOverlongValuesAreRefused) {
    EXPECT_FALSE(daemon_main::notify_socket_address("").has_value());
    EXPECT_FALSE(daemon_main::notify_socket_address("@").has_value());
    EXPECT_FALSE(daemon_main::notify_socket_address("run/notify").has_value());
    EXPECT_FALSE(daemon_main::notify_socket_address("/" + std::string(200, 'x')).has_value());
    EXPECT_FALSE(daemon_main::notify_socket_address("@" + std::string(200, 'x')).has_value());
}

TEST(SendNotifyReady, OneDatagramWithReadyAndTheMainPid) {
    FakeSys sys;
    sys.set_self_pid(4242);
    auto sent = daemon_main::send_notify_ready(sys, "@host-init/notify");
    ASSERT_TRUE(sent.has_value()) << sent.error().message();
    ASSERT_EQ(sys.sent_datagrams().size(), 1u);
    EXPECT_EQ(sys.sent_datagrams()[0].to, "@host-init/notify");
    EXPECT_EQ(sys.sent_datagrams()[0].bytes, "READY=1\nMAINPID=4242\n");
    EXPECT_TRUE(sys.open_fds().empty()) << "the sending socket is closed again";
}

TEST(SendNotifyReady, AFailedSendIsReportedWithTheSocketNamed) {
    FakeSys sys;
    sys.fail_next("send_datagram", ECONNREFUSED);
    auto sent = daemon_main::send_notify_ready(sys, "/run/systemd/notify");
    ASSERT_FALSE(sent.has_value());
    EXPECT_NE(sent.error().message().find("/run/systemd/notify"), std::string::npos)
        << sent.error().message();
    EXPECT_NE(sent.error().message().find("refused"), std::string::npos) << sent.error().message();
    EXPECT_TRUE(sys.open_fds().empty());
}

TEST(SendNotifyReady, ABadValueSendsNothing) {
    FakeSys sys;
    EXPECT_FALSE(daemon_main::send_notify_ready(sys, "notify").has_value());
    EXPECT_EQ(sys.call_count("socket"), 0);
    EXPECT_TRUE(sys.sent_datagrams().empty());
}

TEST(ReadyFdFromArgument, TakesAnOpenDescriptorAboveTwo) {
    FakeSys sys;
    auto pipe = sys.pipe2(0);
    ASSERT_TRUE(pipe.has_value());
    int n = pipe->second.get();
    auto fd = daemon_main::ready_fd_from_argument(sys, std::to_string(n));
    ASSERT_TRUE(fd.has_value()) << fd.error().message();
    EXPECT_EQ(fd->get(), n);
    pipe->second.release(); // owned by `fd` now
}

TEST(ReadyFdFromArgument, RefusesNonNumbersStandardStreamsAndClosedDescriptors) {
    FakeSys sys;
    for (const char* bad : {"", "x", "3x", "-4", "0", "1", "2", "99999999999"}) {
        EXPECT_FALSE(daemon_main::ready_fd_from_argument(sys, bad).has_value()) << bad;
    }
    sys.fail_next("fstat", EBADF);
    auto closed = daemon_main::ready_fd_from_argument(sys, "9");
    ASSERT_FALSE(closed.has_value());
    EXPECT_NE(closed.error().message().find("--ready-fd 9"), std::string::npos) << closed.error().message();
}

TEST(WriteReadyLine, ANewlineThenEndOfFile) {
    FakeSys sys;
    auto pipe = sys.pipe2(O_NONBLOCK);
    ASSERT_TRUE(pipe.has_value());
    auto wrote = daemon_main::write_ready_line(sys, std::move(pipe->second));
    ASSERT_TRUE(wrote.has_value()) << wrote.error().message();
    char buf[8];
    auto got = sys.read(pipe->first.get(), buf, sizeof buf);
    ASSERT_TRUE(got.has_value()) << got.error().message();
    EXPECT_EQ(std::string(buf, *got), "\n");
    auto eof = sys.read(pipe->first.get(), buf, sizeof buf);
    ASSERT_TRUE(eof.has_value()) << "the descriptor was closed: " << eof.error().message();
    EXPECT_EQ(*eof, 0u);
}

TEST(SignalReady, BothTargetsAndOneFailureDoesNotSkipTheOther) {
    FakeSys sys;
    auto pipe = sys.pipe2(O_NONBLOCK);
    ASSERT_TRUE(pipe.has_value());
    sys.fail_next("send_datagram", ENOENT);
    daemon_main::ReadyTargets targets;
    targets.notify_socket = "/run/systemd/notify";
    targets.ready_fd = std::move(pipe->second);
    auto failures = daemon_main::signal_ready(sys, std::move(targets));
    ASSERT_EQ(failures.size(), 1u);
    EXPECT_NE(failures[0].find("NOTIFY_SOCKET"), std::string::npos) << failures[0];
    char buf[8];
    auto got = sys.read(pipe->first.get(), buf, sizeof buf);
    ASSERT_TRUE(got.has_value());
    EXPECT_EQ(std::string(buf, *got), "\n");
}

TEST(SignalReady, NothingToDoWithoutTargets) {
    FakeSys sys;
    EXPECT_TRUE(daemon_main::signal_ready(sys, {}).empty());
    EXPECT_TRUE(sys.calls().empty());
}

} // namespace
