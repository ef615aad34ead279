// Owns ZoneGuard: sets TZ for a test's lifetime (local time is what cron timers count in) and
// whether a zone's tzdata is installed.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <optional>
#include <string>

namespace test_support {

class ZoneGuard {
  public:
    explicit ZoneGuard(const char* zone) {
        if (const char* old = std::getenv("TZ")) {
            m_old = old;
        }
        setenv("TZ", zone, 1);
        tzset();
    }
    ~ZoneGuard() {
        if (m_old) {
            setenv("TZ", m_old->c_str(), 1);
        } else {
            unsetenv("TZ");
        }
        tzset();
    }
    ZoneGuard(const ZoneGuard&) = delete;
    ZoneGuard& operator=(const ZoneGuard&) = delete;

  private:
    std::optional<std::string> m_old;
};

inline bool have_zone(const char* zone) {
    std::string path = std::string("/usr/share/zoneinfo/") + zone;
    std::FILE* f = std::fopen(path.c_str(), "r");
    if (f != nullptr) {
        std::fclose(f);
    }
    return f != nullptr;
}

} // namespace test_support
