// Owns LinuxSys: the real Sys, one forwarding call per method, errno turned into Error. Nothing else.
#pragma once

#include "sys/sys.h"

namespace sys {

class LinuxSys final : public Sys {
public:
    Result<UniqueFd> open(const char* path, int flags, mode_t mode = 0) override;
    Result<UniqueFd> openat(int dirfd, const char* path, int flags, mode_t mode = 0) override;
    Result<size_t> read(int fd, void* buf, size_t len) override;
    Result<size_t> write(int fd, const void* buf, size_t len) override;
    Result<struct stat> fstatat(int dirfd, const char* path, int flags) override;
    Result<struct stat> fstat(int fd) override;
    Result<std::vector<DirEntry>> read_dir(int dirfd) override;
};

} // namespace sys
