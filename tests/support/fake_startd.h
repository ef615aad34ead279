// Owns FakeStartd: a thread answering startctl's requests on a real Unix socket, keeping what was
// asked, for the tests of startctl's commands (tests/cli).
#pragma once

#include "control/protocol.h"

#include <atomic>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace test_support {

class FakeStartd {
  public:
    // The result of a request (ok); by default {"ok": true}, which is check-config's clean
    // result and nothing any other command prints a status from.
    using Answer = std::function<nlohmann::json(const control::Request&)>;

    explicit FakeStartd(const std::string& path, Answer answer = {});
    ~FakeStartd();
    FakeStartd(const FakeStartd&) = delete;
    FakeStartd& operator=(const FakeStartd&) = delete;

    std::vector<control::Request> requests();

  private:
    void serve();
    void answer(int conn);

    int m_fd = -1;
    Answer m_answer;
    std::atomic<bool> m_stop{false};
    std::mutex m_mutex;
    std::vector<control::Request> m_requests;
    std::thread m_thread;
};

} // namespace test_support
