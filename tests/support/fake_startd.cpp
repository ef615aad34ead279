// Owns the fake startd's accept loop and its one-request-per-connection answers.
#include "support/fake_startd.h"

#include "control/framing.h"

#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

namespace test_support {

FakeStartd::FakeStartd(const std::string& path, Answer answer) : m_answer(std::move(answer)) {
    m_fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    path.copy(addr.sun_path, sizeof addr.sun_path - 1);
    EXPECT_EQ(::bind(m_fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    EXPECT_EQ(::listen(m_fd, 8), 0);
    m_thread = std::thread([this] { serve(); });
}

FakeStartd::~FakeStartd() {
    m_stop = true;
    m_thread.join();
    ::close(m_fd);
}

std::vector<control::Request> FakeStartd::requests() {
    std::lock_guard lock(m_mutex);
    return m_requests;
}

void FakeStartd::serve() {
    while (!m_stop) {
        pollfd p{m_fd, POLLIN, 0};
        if (::poll(&p, 1, 20) <= 0) {
            continue;
        }
        int conn = ::accept4(m_fd, nullptr, nullptr, SOCK_CLOEXEC);
        if (conn >= 0) {
            answer(conn);
            ::close(conn);
        }
    }
}

// Answers every request of one connection until the client closes it.
void FakeStartd::answer(int conn) {
    control::FrameDecoder decoder(control::max_request_payload);
    char buf[4096];
    for (;;) {
        while (auto payload = decoder.next()) {
            auto request = control::decode_request(*payload);
            ASSERT_TRUE(request.has_value()) << *payload;
            control::Response response;
            response.id = request->id;
            response.result = m_answer ? m_answer(*request) : nlohmann::json{{"ok", true}};
            {
                std::lock_guard lock(m_mutex); // kept before the reply lets startctl go on
                m_requests.push_back(std::move(request).value());
            }
            std::string frame = control::encode_frame(control::encode_response(response));
            ASSERT_EQ(::write(conn, frame.data(), frame.size()), static_cast<ssize_t>(frame.size()));
        }
        ssize_t n = ::read(conn, buf, sizeof buf);
        if (n <= 0) {
            return;
        }
        decoder.feed(std::string_view(buf, static_cast<std::size_t>(n)));
    }
}

} // namespace test_support
