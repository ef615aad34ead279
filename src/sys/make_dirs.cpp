// Owns `mkdir -p` over the Sys seam.
#include "sys/make_dirs.h"

#include <cerrno>

namespace sys {

Result<void> make_dirs(Sys& sys, const std::string& dir, mode_t mode) {
    for (std::size_t slash = dir.find('/', 1); slash != std::string::npos; slash = dir.find('/', slash + 1)) {
        std::string part = dir.substr(0, slash);
        if (auto made = sys.mkdir(part.c_str(), 0755); !made && made.error().code() != EEXIST) {
            return made;
        }
    }
    if (auto made = sys.mkdir(dir.c_str(), mode); !made && made.error().code() != EEXIST) {
        return made;
    }
    return {};
}

} // namespace sys
