// Owns the write-to-a-temporary-file-then-rename sequence and the removal that goes with it.
#include "sys/replace_file.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>

namespace sys {

namespace {

std::string dir_of(const std::string& path) {
    auto slash = path.rfind('/');
    if (slash == std::string::npos) {
        return ".";
    }
    return slash == 0 ? "/" : path.substr(0, slash);
}

Result<void> sync_dir(Sys& sys, const std::string& dir) {
    auto fd = sys.open(dir.c_str(), O_RDONLY | O_DIRECTORY);
    if (!fd) {
        return fd.error();
    }
    return sys.fsync(fd->get());
}

Result<void> write_all(Sys& sys, int fd, std::string_view text) {
    while (!text.empty()) {
        auto n = sys.write(fd, text.data(), text.size());
        if (!n) {
            return n.error();
        }
        text.remove_prefix(*n);
    }
    return {};
}

// Fills the new file: its text, the old file's mode and owner, then its data on disk.
Result<void> fill(Sys& sys, int fd, std::string_view text, const struct stat* old, mode_t new_mode) {
    if (auto w = write_all(sys, fd, text); !w) {
        return w;
    }
    if (old != nullptr) {
        auto mine = sys.fstat(fd);
        if (!mine) {
            return mine.error();
        }
        if (mine->st_uid != old->st_uid || mine->st_gid != old->st_gid) {
            if (auto own = sys.fchown(fd, old->st_uid, old->st_gid); !own) {
                return Error::with_errno(own.error().code(), "cannot keep its owner (uid " +
                                                                 std::to_string(old->st_uid) + ", gid " +
                                                                 std::to_string(old->st_gid) +
                                                                 "): " + own.error().message());
            }
        }
    }
    // After fchown, which clears set-id bits.
    if (auto mode = sys.fchmod(fd, old != nullptr ? old->st_mode & 07777 : new_mode); !mode) {
        return mode;
    }
    return sys.fsync(fd);
}

} // namespace

Result<void> replace_file(Sys& sys, const std::string& path, std::string_view text, mode_t new_mode) {
    auto fail = [&](const Error& why) {
        return Error::with_errno(why.code(), "cannot write " + path + ": " + why.message());
    };
    struct stat old {};
    bool existed = false;
    if (auto st = sys.fstatat(AT_FDCWD, path.c_str(), AT_SYMLINK_NOFOLLOW); st) {
        if (S_ISLNK(st->st_mode)) {
            return fail(Error("it is a symbolic link; change the file it points to instead"));
        }
        if (!S_ISREG(st->st_mode)) {
            return fail(Error("it is not a regular file"));
        }
        old = *st;
        existed = true;
    } else if (st.error().code() != ENOENT) {
        return fail(st.error());
    }
    std::string dir = dir_of(path);
    std::string base = path.substr(path.rfind('/') + 1);
    std::string tmp;
    Result<base::UniqueFd> fd = Error("no temporary name tried");
    for (int attempt = 0; attempt < 100; ++attempt) {
        tmp = dir + "/." + base + "." + std::to_string(sys.getpid()) + "-" + std::to_string(attempt);
        fd = sys.open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0600);
        if (fd || fd.error().code() != EEXIST) {
            break;
        }
    }
    if (!fd) {
        return fail(Error::with_errno(fd.error().code(), "cannot create a temporary file in " + dir + ": " +
                                                             std::strerror(fd.error().code())));
    }
    auto done = fill(sys, fd->get(), text, existed ? &old : nullptr, new_mode);
    if (done) {
        done = sys.rename(tmp.c_str(), path.c_str());
    }
    if (!done) {
        (void)sys.unlink(tmp.c_str());
        return fail(done.error());
    }
    if (auto synced = sync_dir(sys, dir); !synced) {
        return fail(synced.error()); // the new contents are in place; only their durability is unknown
    }
    return {};
}

Result<void> remove_file(Sys& sys, const std::string& path) {
    if (auto gone = sys.unlink(path.c_str()); !gone) {
        return Error::with_errno(gone.error().code(),
                                 "cannot remove " + path + ": " + gone.error().message());
    }
    if (auto synced = sync_dir(sys, dir_of(path)); !synced) {
        return Error::with_errno(synced.error().code(),
                                 "removed " + path + ", but " + synced.error().message());
    }
    return {};
}

} // namespace sys
