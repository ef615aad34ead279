// Owns read_to_end (see read_to_end.h).
#include "sys/read_to_end.h"

#include <algorithm>
#include <cerrno>

namespace sys {

Result<std::string> read_to_end(Sys& sys, int fd, std::size_t max) {
    std::string text;
    std::size_t used = 0;
    text.resize(std::min<std::size_t>(4096, max));
    while (used < max) {
        if (used == text.size()) {
            text.resize(std::min(text.size() * 2, max));
        }
        auto n = sys.read(fd, text.data() + used, text.size() - used);
        if (!n) {
            if (n.error().code() == EINTR) {
                continue;
            }
            return n.error();
        }
        if (*n == 0) {
            break;
        }
        used += *n;
    }
    text.resize(used);
    return text;
}

} // namespace sys
