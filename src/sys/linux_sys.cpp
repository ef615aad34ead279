// Owns the real system calls behind sys::Sys. Each method forwards to libc and maps errno to Error.
#include "sys/linux_sys.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>

namespace sys {

Sys& real_sys() {
    static LinuxSys instance;
    return instance;
}

Result<UniqueFd> LinuxSys::open(const char* path, int flags, mode_t mode) {
    int fd = ::open(path, flags | O_CLOEXEC, mode);
    if (fd < 0) {
        return Error::from_errno("open", errno, path);
    }
    return UniqueFd(fd);
}

Result<UniqueFd> LinuxSys::openat(int dirfd, const char* path, int flags, mode_t mode) {
    int fd = ::openat(dirfd, path, flags | O_CLOEXEC, mode);
    if (fd < 0) {
        return Error::from_errno("openat", errno, path);
    }
    return UniqueFd(fd);
}

Result<size_t> LinuxSys::read(int fd, void* buf, size_t len) {
    for (;;) {
        ssize_t n = ::read(fd, buf, len);
        if (n >= 0) {
            return static_cast<size_t>(n);
        }
        if (errno != EINTR) {
            return Error::from_errno("read", errno);
        }
    }
}

Result<size_t> LinuxSys::write(int fd, const void* buf, size_t len) {
    for (;;) {
        ssize_t n = ::write(fd, buf, len);
        if (n >= 0) {
            return static_cast<size_t>(n);
        }
        if (errno != EINTR) {
            return Error::from_errno("write", errno);
        }
    }
}

Result<struct stat> LinuxSys::fstatat(int dirfd, const char* path, int flags) {
    struct stat st {};
    if (::fstatat(dirfd, path, &st, flags) < 0) {
        return Error::from_errno("fstatat", errno, path);
    }
    return st;
}

Result<struct stat> LinuxSys::fstat(int fd) {
    struct stat st {};
    if (::fstat(fd, &st) < 0) {
        return Error::from_errno("fstat", errno);
    }
    return st;
}

namespace {
// The fixed head of the kernel's struct linux_dirent64; the NUL-terminated name follows it.
struct LinuxDirent64Head {
    ino64_t d_ino;
    off64_t d_off;
    unsigned short d_reclen;
    unsigned char d_type;
};
constexpr std::size_t dirent_name_offset = offsetof(LinuxDirent64Head, d_type) + 1;
} // namespace

Result<std::vector<DirEntry>> LinuxSys::read_dir(int dirfd) {
    std::vector<DirEntry> entries;
    alignas(8) char buf[32768];
    for (;;) {
        long n = ::syscall(SYS_getdents64, dirfd, buf, sizeof buf);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            return Error::from_errno("getdents64", errno);
        }
        if (n == 0) {
            return entries;
        }
        for (long off = 0; off < n;) {
            auto* d = reinterpret_cast<LinuxDirent64Head*>(buf + off);
            off += d->d_reclen;
            std::string_view name(reinterpret_cast<const char*>(d) + dirent_name_offset);
            if (name == "." || name == "..") {
                continue;
            }
            entries.push_back(DirEntry{std::string(name), d->d_type});
        }
    }
}

} // namespace sys
