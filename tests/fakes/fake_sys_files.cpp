// Owns FakeSys's in-memory file system (files, directories, socket nodes) and read/write on
// every kind of fake fd.
#include <dirent.h>
#include <gtest/gtest.h>
#include <sys/inotify.h>

#include <algorithm>
#include <cstring>

#include "fakes/fake_sys.h"

namespace fakes {

using detail::Channel;
using detail::fail;
using detail::FdKind;
using detail::Node;
using detail::normalize;
using detail::parent_of;

namespace {

// A directory's link count follows the classic rule, 2 + its subdirectories; for /proc/PID/task
// that is what the kernel reports too: 2 + the process's threads.
nlink_t link_count(const std::map<std::string, Node>& fs, const std::string& path, const Node& node) {
    if (node.type != Node::Type::Dir) {
        return 1;
    }
    nlink_t links = 2;
    std::string prefix = path == "/" ? "/" : path + "/";
    for (auto it = fs.lower_bound(prefix); it != fs.end() && it->first.starts_with(prefix); ++it) {
        if (it->second.type == Node::Type::Dir && it->first.find('/', prefix.size()) == std::string::npos) {
            ++links;
        }
    }
    return links;
}

struct stat stat_of(const Node& node, nlink_t links) {
    struct stat st {};
    switch (node.type) {
    case Node::Type::File:
        st.st_mode = S_IFREG;
        break;
    case Node::Type::Dir:
        st.st_mode = S_IFDIR;
        break;
    case Node::Type::Socket:
        st.st_mode = S_IFSOCK;
        break;
    case Node::Type::Fifo:
        st.st_mode = S_IFIFO;
        break;
    }
    st.st_mode |= node.mode & 07777;
    st.st_size = static_cast<off_t>(node.content.size());
    st.st_uid = node.uid;
    st.st_gid = node.gid;
    st.st_nlink = links;
    return st;
}

} // namespace

// --- files and directories -------------------------------------------------------------------

void FakeSys::ensure_parents(const std::string& path) {
    for (std::string dir = parent_of(path); !m_fs.count(dir); dir = parent_of(dir)) {
        m_fs[dir] = Node{Node::Type::Dir, {}, 0755, 0, 0};
    }
}

void FakeSys::add_file(const std::string& path, std::string content, mode_t mode) {
    std::string full = normalize(path);
    ensure_parents(full);
    m_fs[full] = Node{Node::Type::File, std::move(content), mode, 0, 0};
}

void FakeSys::add_dir(const std::string& path, mode_t mode) {
    std::string full = normalize(path);
    ensure_parents(full);
    m_fs[full] = Node{Node::Type::Dir, {}, mode, 0, 0};
}

void FakeSys::add_fifo(const std::string& path) {
    std::string full = normalize(path);
    ensure_parents(full);
    m_fs[full] = Node{Node::Type::Fifo, {}, 0644, 0, 0};
}

void FakeSys::set_owner(const std::string& path, uid_t uid) {
    auto it = m_fs.find(normalize(path));
    ASSERT_NE(it, m_fs.end()) << "FakeSys::set_owner: no such path " << path;
    it->second.uid = uid;
}

bool FakeSys::exists(const std::string& path) const {
    return m_fs.count(normalize(path)) != 0;
}

std::optional<std::string> FakeSys::file_content(const std::string& path) const {
    auto it = m_fs.find(normalize(path));
    if (it == m_fs.end() || it->second.type != Node::Type::File) {
        return std::nullopt;
    }
    return it->second.content;
}

std::optional<mode_t> FakeSys::file_mode(const std::string& path) const {
    auto it = m_fs.find(normalize(path));
    if (it == m_fs.end()) {
        return std::nullopt;
    }
    return it->second.mode;
}

std::string FakeSys::resolve(int dirfd, const char* path, const char* call) {
    if (path == nullptr || *path == '\0') {
        return {};
    }
    if (*path == '/' || dirfd == AT_FDCWD) {
        return normalize(path); // the fake's working directory is "/"
    }
    FakeFd* dir = find_kind(dirfd, FdKind::Dir, call);
    return dir ? normalize(dir->path + "/" + path) : std::string{};
}

sys::Result<base::UniqueFd> FakeSys::open_path(const std::string& full, int flags, mode_t mode, const char* call) {
    if (full.empty()) {
        return fail(call, ENOENT);
    }
    if (m_before_open) {
        m_before_open(full);
    }
    auto node = m_fs.find(full);
    if (node == m_fs.end()) {
        if (!(flags & O_CREAT)) {
            return fail(call, ENOENT, full);
        }
        auto parent = m_fs.find(parent_of(full));
        if (parent == m_fs.end()) {
            return fail(call, ENOENT, full);
        }
        if (parent->second.type != Node::Type::Dir) {
            return fail(call, ENOTDIR, full);
        }
        node = m_fs.emplace(full, Node{Node::Type::File, {}, mode & 07777, 0, 0}).first;
    } else if ((flags & O_CREAT) && (flags & O_EXCL)) {
        return fail(call, EEXIST, full);
    }
    int access = flags & O_ACCMODE;
    if ((flags & O_DIRECTORY) && node->second.type != Node::Type::Dir) {
        return fail(call, ENOTDIR, full);
    }
    if (node->second.type == Node::Type::Dir && access != O_RDONLY) {
        return fail(call, EISDIR, full);
    }
    if (node->second.type == Node::Type::Socket) {
        return fail(call, ENXIO, full);
    }
    if (node->second.type == Node::Type::Fifo && !(flags & O_NONBLOCK)) {
        ADD_FAILURE() << "FakeSys: a blocking open of the FIFO " << full << " would wait forever for a writer";
        return fail(call, EINTR, full);
    }
    if (node->second.type == Node::Type::Fifo && access != O_RDONLY) {
        return fail(call, ENXIO, full); // O_NONBLOCK for writing: no reader
    }
    if ((flags & O_TRUNC) && access != O_RDONLY) {
        node->second.content.clear();
    }
    FakeFd entry;
    entry.kind = node->second.type == Node::Type::Dir ? FdKind::Dir : FdKind::File;
    entry.path = full;
    entry.access = access;
    entry.append = (flags & O_APPEND) != 0;
    entry.nonblock = (flags & O_NONBLOCK) != 0;
    return base::UniqueFd(make_fd(std::move(entry)));
}

sys::Result<base::UniqueFd> FakeSys::open(const char* path, int flags, mode_t mode) {
    if (auto e = enter("open")) {
        return fail("open", *e, path);
    }
    return open_path(resolve(AT_FDCWD, path, "open"), flags, mode, "open");
}

sys::Result<base::UniqueFd> FakeSys::openat(int dirfd, const char* path, int flags, mode_t mode) {
    if (auto e = enter("openat")) {
        return fail("openat", *e, path);
    }
    return open_path(resolve(dirfd, path, "openat"), flags, mode, "openat");
}

sys::Result<struct stat> FakeSys::fstatat(int dirfd, const char* path, int) {
    if (auto e = enter("fstatat")) {
        return fail("fstatat", *e, path);
    }
    auto node = m_fs.find(resolve(dirfd, path, "fstatat"));
    if (node == m_fs.end()) {
        return fail("fstatat", ENOENT, path);
    }
    return stat_of(node->second, link_count(m_fs, node->first, node->second));
}

sys::Result<struct stat> FakeSys::fstat(int fd) {
    if (auto e = enter("fstat")) {
        return fail("fstat", *e);
    }
    FakeFd* entry = find(fd, "fstat");
    if (!entry) {
        return fail("fstat", EBADF);
    }
    if (entry->kind == FdKind::File || entry->kind == FdKind::Dir) {
        auto node = m_fs.find(entry->path);
        if (node != m_fs.end()) {
            return stat_of(node->second, link_count(m_fs, node->first, node->second));
        }
    }
    struct stat st {};
    st.st_mode = entry->kind == FdKind::Stream ? (entry->is_socket ? S_IFSOCK : S_IFIFO)
                 : entry->kind == FdKind::Console ? S_IFCHR
                                                   : 0;
    return st;
}

sys::Result<std::vector<sys::DirEntry>> FakeSys::read_dir(int dirfd) {
    if (auto e = enter("read_dir")) {
        return fail("getdents64", *e);
    }
    FakeFd* dir = find_kind(dirfd, FdKind::Dir, "read_dir");
    if (!dir) {
        return fail("getdents64", EBADF);
    }
    std::string prefix = dir->path == "/" ? "/" : dir->path + "/";
    std::vector<sys::DirEntry> entries;
    for (auto it = m_fs.lower_bound(prefix); it != m_fs.end() && it->first.starts_with(prefix); ++it) {
        std::string name = it->first.substr(prefix.size());
        if (name.empty() || name.find('/') != std::string::npos) {
            continue;
        }
        unsigned char type = it->second.type == Node::Type::Dir    ? DT_DIR
                             : it->second.type == Node::Type::File ? DT_REG
                             : it->second.type == Node::Type::Fifo ? DT_FIFO
                                                                   : DT_SOCK;
        entries.push_back(sys::DirEntry{std::move(name), m_dirent_unknown ? static_cast<unsigned char>(DT_UNKNOWN) : type});
    }
    return entries;
}

sys::Result<void> FakeSys::unlink(const char* path) {
    if (auto e = enter("unlink")) {
        return fail("unlink", *e, path);
    }
    auto node = m_fs.find(resolve(AT_FDCWD, path, "unlink"));
    if (node == m_fs.end()) {
        return fail("unlink", ENOENT, path);
    }
    if (node->second.type == Node::Type::Dir) {
        return fail("unlink", EISDIR, path);
    }
    m_fs.erase(node);
    return {};
}

sys::Result<void> FakeSys::rename(const char* from, const char* to) {
    if (auto e = enter("rename")) {
        return fail("rename", *e, to);
    }
    auto node = m_fs.find(resolve(AT_FDCWD, from, "rename"));
    if (node == m_fs.end()) {
        return fail("rename", ENOENT, from);
    }
    std::string target = resolve(AT_FDCWD, to, "rename");
    if (!m_fs.count(parent_of(target))) {
        return fail("rename", ENOENT, to);
    }
    if (node->second.type == Node::Type::Dir) {
        return fail("rename", EISDIR, from); // the fake renames files only
    }
    std::string source = node->first;
    detail::Node moved = std::move(node->second);
    m_fs.erase(node);
    m_fs[target] = std::move(moved);
    // Open files follow their inode: those open on `from` now write to `to`; those open on
    // the file `to` replaced hold an unlinked inode, whose bytes go nowhere (as after unlink).
    sweep();
    for (auto& [fd, entry] : m_fds) {
        if (entry.kind != FdKind::File) {
            continue;
        }
        if (entry.path == target) {
            entry.path = target + " (deleted)";
        } else if (entry.path == source) {
            entry.path = target;
        }
    }
    return {};
}

sys::Result<void> FakeSys::mkdir(const char* path, mode_t mode) {
    if (auto e = enter("mkdir")) {
        return fail("mkdir", *e, path);
    }
    std::string full = resolve(AT_FDCWD, path, "mkdir");
    if (m_fs.count(full)) {
        return fail("mkdir", EEXIST, path);
    }
    auto parent = m_fs.find(parent_of(full));
    if (parent == m_fs.end()) {
        return fail("mkdir", ENOENT, path);
    }
    if (parent->second.type != Node::Type::Dir) {
        return fail("mkdir", ENOTDIR, path);
    }
    m_fs[full] = Node{Node::Type::Dir, {}, mode & 07777, m_euid, 0};
    if (in_cgroup2(full)) {
        m_fs[full + "/cgroup.procs"] = Node{Node::Type::File, {}, 0644, 0, 0};
    }
    return {};
}

void FakeSys::add_cgroup2_mount(const std::string& mount) {
    add_dir(mount);
    m_cgroup2_mounts.push_back(normalize(mount));
}

bool FakeSys::in_cgroup2(const std::string& path) const {
    return std::any_of(m_cgroup2_mounts.begin(), m_cgroup2_mounts.end(),
                       [&](const std::string& mount) { return path.starts_with(mount + "/"); });
}

sys::Result<void> FakeSys::rmdir(const char* path) {
    if (auto e = enter("rmdir")) {
        return fail("rmdir", *e, path);
    }
    std::string full = resolve(AT_FDCWD, path, "rmdir");
    auto node = m_fs.find(full);
    if (node == m_fs.end()) {
        return fail("rmdir", ENOENT, path);
    }
    if (node->second.type != Node::Type::Dir) {
        return fail("rmdir", ENOTDIR, path);
    }
    bool cgroup = in_cgroup2(full);
    std::string prefix = full + "/";
    auto first = m_fs.lower_bound(prefix);
    auto last = first;
    for (; last != m_fs.end() && last->first.starts_with(prefix); ++last) {
        if (!cgroup) {
            return fail("rmdir", ENOTEMPTY, path);
        }
        bool procs = last->first == prefix + "cgroup.procs" &&
                     last->second.content.find_first_not_of(" \n") != std::string::npos;
        if (last->second.type == Node::Type::Dir || procs) {
            return fail("rmdir", EBUSY, path);
        }
    }
    m_fs.erase(first, last);
    m_fs.erase(full);
    return {};
}

sys::Result<void> FakeSys::chmod(const char* path, mode_t mode) {
    if (auto e = enter("chmod")) {
        return fail("chmod", *e, path);
    }
    auto node = m_fs.find(resolve(AT_FDCWD, path, "chmod"));
    if (node == m_fs.end()) {
        return fail("chmod", ENOENT, path);
    }
    node->second.mode = mode & 07777;
    return {};
}

sys::Result<void> FakeSys::fchmod(int fd, mode_t mode) {
    if (auto e = enter("fchmod")) {
        return fail("fchmod", *e);
    }
    FakeFd* entry = find(fd, "fchmod");
    auto node = entry ? m_fs.find(entry->path) : m_fs.end();
    if (node == m_fs.end()) {
        return fail("fchmod", EBADF);
    }
    node->second.mode = mode & 07777;
    return {};
}

sys::Result<void> FakeSys::fchown(int fd, uid_t uid, gid_t gid) {
    if (auto e = enter("fchown")) {
        return fail("fchown", *e);
    }
    FakeFd* entry = find(fd, "fchown");
    auto node = entry ? m_fs.find(entry->path) : m_fs.end();
    if (node == m_fs.end()) {
        return fail("fchown", EBADF);
    }
    node->second.uid = uid;
    node->second.gid = gid;
    return {};
}

// The fake's files live in memory: there is nothing to flush, only failures to inject.
sys::Result<void> FakeSys::fsync(int fd) {
    if (auto e = enter("fsync")) {
        return fail("fsync", *e);
    }
    if (find(fd, "fsync") == nullptr) {
        return fail("fsync", EBADF);
    }
    return {};
}

// --- reading and writing -----------------------------------------------------------------------

sys::Result<size_t> FakeSys::pread(int fd, void* buf, size_t len, off_t offset) {
    if (auto e = enter("pread")) {
        return fail("pread", *e);
    }
    FakeFd* entry = find(fd, "pread");
    if (!entry || entry->kind != FdKind::File || entry->access == O_WRONLY) {
        return fail("pread", entry ? ESPIPE : EBADF);
    }
    auto node = m_fs.find(entry->path);
    if (node == m_fs.end()) {
        return size_t{0};
    }
    const std::string& content = node->second.content;
    auto at = static_cast<size_t>(offset);
    size_t n = at < content.size() ? std::min(len, content.size() - at) : 0;
    std::memcpy(buf, content.data() + at, n);
    return n;
}

sys::Result<size_t> FakeSys::read(int fd, void* buf, size_t len) {
    if (auto e = enter("read")) {
        return fail("read", *e);
    }
    FakeFd* entry = find(fd, "read");
    if (!entry) {
        return fail("read", EBADF);
    }
    auto would_block = [&]() -> sys::Result<size_t> {
        if (!entry->nonblock) {
            ADD_FAILURE() << "FakeSys: a blocking read on fd " << fd << " would wait forever";
        }
        return fail("read", EAGAIN);
    };
    switch (entry->kind) {
    case FdKind::Console:
        return size_t{0};
    case FdKind::File: {
        if (entry->access == O_WRONLY) {
            return fail("read", EBADF);
        }
        auto node = m_fs.find(entry->path);
        if (node == m_fs.end()) {
            return size_t{0}; // unlinked while open: the fake keeps no orphaned contents
        }
        const std::string& content = node->second.content;
        size_t n = entry->offset < content.size() ? std::min(len, content.size() - entry->offset) : 0;
        std::memcpy(buf, content.data() + entry->offset, n);
        entry->offset += n;
        return n;
    }
    case FdKind::Dir:
        return fail("read", EISDIR);
    case FdKind::Stream: {
        if (!entry->in) {
            return fail("read", EBADF);
        }
        Channel& in = *entry->in;
        if (!in.data.empty()) {
            size_t n = std::min(len, in.data.size());
            std::memcpy(buf, in.data.data(), n);
            in.data.erase(0, n);
            return n;
        }
        if (in.writers == 0 || in.hung_up) {
            return size_t{0};
        }
        return would_block();
    }
    case FdKind::Signal: {
        if (len < sizeof(signalfd_siginfo)) {
            return fail("read", EINVAL);
        }
        size_t n = 0;
        auto* out = static_cast<signalfd_siginfo*>(buf);
        for (auto it = m_pending.begin(); it != m_pending.end() && (n + 1) * sizeof *out <= len;) {
            if (sigismember(&entry->mask, static_cast<int>(it->ssi_signo))) {
                out[n++] = *it;
                it = m_pending.erase(it);
            } else {
                ++it;
            }
        }
        return n > 0 ? sys::Result<size_t>(n * sizeof *out) : would_block();
    }
    case FdKind::Timer: {
        if (len < sizeof(std::uint64_t)) {
            return fail("read", EINVAL);
        }
        if (entry->expirations == 0) {
            return would_block();
        }
        std::memcpy(buf, &entry->expirations, sizeof entry->expirations);
        entry->expirations = 0;
        return sizeof(std::uint64_t);
    }
    case FdKind::Inotify: {
        std::string& queue = entry->inotify->queue;
        if (queue.empty()) {
            return would_block();
        }
        size_t n = 0;
        while (n < queue.size()) {
            inotify_event head{};
            std::memcpy(&head, queue.data() + n, sizeof head);
            size_t record = sizeof head + head.len;
            if (n + record > len) {
                break;
            }
            n += record;
        }
        if (n == 0) {
            return fail("read", EINVAL);
        }
        std::memcpy(buf, queue.data(), n);
        queue.erase(0, n);
        return n;
    }
    case FdKind::Pid:
    case FdKind::Epoll:
    case FdKind::Socket:
    case FdKind::Listener:
        return fail("read", EINVAL);
    }
    return fail("read", EINVAL);
}

sys::Result<size_t> FakeSys::write(int fd, const void* buf, size_t len) {
    if (auto e = enter("write")) {
        return fail("write", *e);
    }
    FakeFd* entry = find(fd, "write");
    if (!entry) {
        return fail("write", EBADF);
    }
    std::string_view bytes(static_cast<const char*>(buf), len);
    switch (entry->kind) {
    case FdKind::Console:
        entry->captured += bytes;
        return len;
    case FdKind::File: {
        if (entry->access == O_RDONLY) {
            return fail("write", EBADF);
        }
        auto node = m_fs.find(entry->path);
        if (node == m_fs.end()) {
            entry->captured += bytes;
            return len; // unlinked while open: the bytes go nowhere
        }
        std::string& content = node->second.content;
        if (entry->append) {
            entry->offset = content.size();
        }
        if (content.size() < entry->offset) {
            content.resize(entry->offset);
        }
        content.replace(entry->offset, std::min(len, content.size() - entry->offset), bytes);
        entry->offset += len;
        entry->captured += bytes;
        return len;
    }
    case FdKind::Stream:
        if (!entry->out) {
            return fail("write", EBADF);
        }
        if (entry->out->readers == 0) {
            return fail("write", EPIPE);
        }
        if (entry->out->data.size() >= entry->out->capacity) {
            if (!entry->nonblock) {
                ADD_FAILURE() << "FakeSys: a blocking write on fd " << fd << " to a full buffer would wait forever";
            }
            return fail("write", EAGAIN);
        }
        bytes = bytes.substr(0, std::min(bytes.size(), entry->out->capacity - entry->out->data.size()));
        entry->out->data += bytes;
        entry->captured += bytes;
        return bytes.size();
    default:
        return fail("write", EINVAL);
    }
}

void FakeSys::feed(int fd, std::string_view bytes) {
    sweep();
    FakeFd* entry = find(fd, "feed");
    if (!entry || !entry->in) {
        ADD_FAILURE() << "FakeSys: feed needs a readable stream fd";
        return;
    }
    entry->in->data += bytes;
}

void FakeSys::limit_buffer(int fd, std::size_t bytes) {
    sweep();
    FakeFd* entry = find(fd, "limit_buffer");
    if (!entry || !entry->in) {
        ADD_FAILURE() << "FakeSys: limit_buffer needs a readable stream fd";
        return;
    }
    entry->in->capacity = bytes;
}

void FakeSys::hang_up(int fd) {
    sweep();
    FakeFd* entry = find(fd, "hang_up");
    if (!entry || !entry->in) {
        ADD_FAILURE() << "FakeSys: hang_up needs a readable stream fd";
        return;
    }
    entry->in->hung_up = true;
}

std::string FakeSys::written(int fd) const {
    auto it = m_fds.find(fd);
    if (it == m_fds.end()) {
        ADD_FAILURE() << "FakeSys: written(" << fd << "): no such fd";
        return {};
    }
    return it->second.captured;
}

} // namespace fakes
