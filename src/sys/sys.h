// Owns the system-call seam: the abstract Sys interface listing every kernel call startd makes.
// Not here: any policy. Real calls live in linux_sys.cpp; tests substitute a fake (tests/fakes/).
#pragma once

#include <sys/stat.h>
#include <sys/types.h>

#include <cstddef>
#include <string>
#include <vector>

#include "base/result.h"
#include "base/unique_fd.h"

namespace sys {

using base::Error;
using base::Result;
using base::UniqueFd;

// One entry of a directory listing, as getdents64 reports it.
struct DirEntry {
    std::string name;
    unsigned char type = 0; // DT_* value; DT_UNKNOWN means "ask fstatat".
};

// Every kernel call of the daemon goes through this interface so tests can fake the kernel.
// Each method is a thin forward to the call of the same name and turns errno into an Error.
class Sys {
public:
    virtual ~Sys() = default;

    // --- files -------------------------------------------------------------------------------
    virtual Result<UniqueFd> open(const char* path, int flags, mode_t mode = 0) = 0;
    virtual Result<UniqueFd> openat(int dirfd, const char* path, int flags, mode_t mode = 0) = 0;
    // Reads at most len bytes; 0 means end of file. EINTR is retried.
    virtual Result<size_t> read(int fd, void* buf, size_t len) = 0;
    // Writes at most len bytes (a short write is not an error). EINTR is retried.
    virtual Result<size_t> write(int fd, const void* buf, size_t len) = 0;
    virtual Result<struct stat> fstatat(int dirfd, const char* path, int flags) = 0;
    virtual Result<struct stat> fstat(int fd) = 0;
    // All entries of an open directory (without "." and ".."), in kernel order.
    virtual Result<std::vector<DirEntry>> read_dir(int dirfd) = 0;
};

// The process-wide real implementation.
Sys& real_sys();

} // namespace sys
