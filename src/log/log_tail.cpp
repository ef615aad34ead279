// Owns reading a log's last lines, backwards from its end.
#include "log/log_tail.h"

#include <algorithm>
#include <cerrno>
#include <fcntl.h>

namespace joblog {

namespace {

constexpr std::size_t chunk = 64U << 10;

} // namespace

base::Result<std::string> read_tail(sys::Sys& sys, const std::string& path, std::optional<std::size_t> lines,
                                    std::size_t max_bytes) {
    auto fd = sys.open(path.c_str(), O_RDONLY | O_NOCTTY | O_NONBLOCK);
    if (!fd) {
        if (fd.error().code() == ENOENT) {
            return std::string();
        }
        return fd.error();
    }
    auto st = sys.fstat(fd->get());
    if (!st) {
        return st.error();
    }
    // Read backwards, a chunk at a time, until enough line ends are seen or the byte bound is
    // reached. The last line may lack its newline (a writer between records): it counts too.
    auto size = static_cast<std::size_t>(std::max<off_t>(st->st_size, 0));
    std::size_t floor = size > max_bytes ? size - max_bytes : 0;
    std::string tail;
    std::size_t start = size;
    std::size_t newlines = 0;
    std::size_t wanted = lines.value_or(0); // newlines before the lines wanted, the file's last one aside
    while (start > floor && (!lines || newlines < wanted)) {
        std::size_t take = std::min(chunk, start - floor);
        std::string piece(take, '\0');
        std::size_t got = 0;
        while (got < take) {
            auto n =
                sys.pread(fd->get(), piece.data() + got, take - got, static_cast<off_t>(start - take + got));
            if (!n) {
                return n.error();
            }
            if (*n == 0) {
                break; // truncated meanwhile
            }
            got += *n;
        }
        piece.resize(got);
        if (lines) {
            // Count from the end of the file: a final newline ends the last line.
            for (std::size_t i = piece.size(); i-- > 0;) {
                if (piece[i] == '\n' && !(start == size && i + 1 == piece.size())) {
                    if (++newlines == wanted) {
                        piece.erase(0, i + 1);
                        break;
                    }
                }
            }
        }
        tail.insert(0, piece);
        start -= take;
    }
    if (start > 0 && (!lines || newlines < wanted)) {
        // Stopped by the byte bound inside a line: that partial line is left out.
        if (std::size_t nl = tail.find('\n'); nl != std::string::npos) {
            tail.erase(0, nl + 1);
        } else {
            tail.clear();
        }
    }
    return tail;
}

} // namespace joblog
