// Owns the jobs-directory walk and .conf/.override pairing.
#include "config/job_dir.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <map>
#include <thread>

#include "config/parser.h"
#include "sys/read_to_end.h"

namespace config {

namespace {

constexpr std::string_view conf_suffix = ".conf";
constexpr std::string_view override_suffix = ".override";

bool ends_with(std::string_view s, std::string_view suffix) {
    return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// "/etc/init/" → "/etc/init": the prefix of every path the loader reports.
std::string without_trailing_slashes(std::string dir) {
    while (dir.size() > 1 && dir.back() == '/') {
        dir.pop_back();
    }
    return dir;
}

struct Pair {
    std::string conf;     // relative path, or empty
    std::string override; // relative path, or empty
};

struct Walker {
    sys::Sys& sys;
    std::string root;
    std::map<std::string, Pair> found;
    std::vector<Diagnostic> warnings;
    std::vector<std::string> dirs; // entered, in walk order

    void walk(int dirfd, const std::string& rel, int depth) {
        dirs.push_back(rel);
        auto entries = sys.read_dir(dirfd);
        if (!entries) {
            warnings.push_back(Diagnostic{root + "/" + rel, 0, 0, ParseErrorCode::Io, entries.error().message()});
            return;
        }
        for (const sys::DirEntry& entry : *entries) {
            if (is_ignored_name(entry.name)) {
                continue;
            }
            std::string child = rel.empty() ? entry.name : rel + "/" + entry.name;
            unsigned char type = entry.type;
            if (type == DT_UNKNOWN || type == DT_LNK) {
                // Symlinks to files are followed; symlinks to directories are not (no loops).
                auto st = sys.fstatat(dirfd, entry.name.c_str(), type == DT_LNK ? 0 : AT_SYMLINK_NOFOLLOW);
                if (!st) {
                    continue; // dangling link or raced deletion: nothing to load
                }
                if (S_ISDIR(st->st_mode)) {
                    if (entry.type == DT_LNK) {
                        continue;
                    }
                    type = DT_DIR;
                } else {
                    type = DT_REG; // a FIFO or device is refused, with its job's error, when opened
                }
            } else if (type != DT_DIR) {
                type = DT_REG; // likewise: a .conf that is a FIFO is an error of that job, not skipped
            }
            if (type == DT_DIR) {
                if (depth >= max_job_dir_depth) {
                    warnings.push_back(Diagnostic{root + "/" + child, 0, 0, ParseErrorCode::Io,
                                                  "directory nesting deeper than " + std::to_string(max_job_dir_depth)});
                    continue;
                }
                auto sub = sys.openat(dirfd, entry.name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
                if (!sub) {
                    warnings.push_back(Diagnostic{root + "/" + child, 0, 0, ParseErrorCode::Io, sub.error().message()});
                    continue;
                }
                walk(sub->get(), child, depth + 1);
            } else if (type == DT_REG) {
                if (ends_with(entry.name, conf_suffix) && entry.name.size() > conf_suffix.size()) {
                    found[child.substr(0, child.size() - conf_suffix.size())].conf = child;
                } else if (ends_with(entry.name, override_suffix) && entry.name.size() > override_suffix.size()) {
                    found[child.substr(0, child.size() - override_suffix.size())].override = child;
                }
            }
        }
    }
};

const char* file_kind(mode_t mode) {
    switch (mode & S_IFMT) {
    case S_IFIFO:
        return "a FIFO";
    case S_IFSOCK:
        return "a socket";
    case S_IFCHR:
        return "a character device";
    case S_IFBLK:
        return "a block device";
    case S_IFDIR:
        return "a directory";
    default:
        return "not a file";
    }
}

Diagnostic io_diagnostic(const std::string& path, const base::Error& error) {
    return Diagnostic{path, 0, 0, ParseErrorCode::Io, error.message()};
}

// Parses conf (and override on top, if given) into `out`.
void load_pair(sys::Sys& sys, int dirfd, const std::string& conf_rel, const std::string& override_rel,
               JobFile& out) {
    auto conf_text = read_text_file(sys, dirfd, conf_rel.c_str());
    if (!conf_text) {
        out.diagnostics.push_back(io_diagnostic(out.conf_path, conf_text.error()));
        return;
    }
    auto job = parse_job(*conf_text, out.conf_path);
    if (!job) {
        out.diagnostics.push_back(std::move(job).error());
        return;
    }
    job->name = out.name;
    if (!override_rel.empty()) {
        auto override_text = read_text_file(sys, dirfd, override_rel.c_str());
        if (!override_text) {
            out.diagnostics.push_back(io_diagnostic(out.override_path, override_text.error()));
        } else {
            core::JobClass layered = *job;
            if (auto parsed = parse_job_text(*override_text, out.override_path, layered); parsed) {
                job = std::move(layered);
            } else {
                out.diagnostics.push_back(std::move(parsed).error());
            }
        }
    }
    out.job = std::move(job).value();
}

} // namespace

bool LoadReport::ok() const {
    return errors.empty() && std::all_of(jobs.begin(), jobs.end(), [](const JobFile& j) { return j.ok(); });
}

bool is_ignored_name(std::string_view name) {
    static constexpr std::array<std::string_view, 3> vcs_dirs = {"CVS", "RCS", "SCCS"};
    static constexpr std::array<std::string_view, 8> junk_suffixes = {"~",    ".bak",     ".BAK",     ".swp",
                                                                      ".swo", ".swn",     ".rpmsave", ".rpmnew"};
    if (name.empty() || name.front() == '.') {
        return true; // hidden files and dirs, ".#" lock files, .git/.svn/.bzr/.hg
    }
    if (name == "{arch}" || std::find(vcs_dirs.begin(), vcs_dirs.end(), name) != vcs_dirs.end()) {
        return true;
    }
    if (name.find(".dpkg-") != std::string_view::npos || ends_with(name, ".rpmorig")) {
        return true;
    }
    return std::any_of(junk_suffixes.begin(), junk_suffixes.end(),
                       [&](std::string_view s) { return ends_with(name, s); });
}

base::Result<std::string> read_text_file(sys::Sys& sys, int dirfd, const char* path) {
    // Never blocks: a FIFO (or a device) put where the walk saw a file would hang the open and
    // every read; O_NONBLOCK lets the open return, and fstat says what was really opened.
    auto fd = sys.openat(dirfd, path, O_RDONLY | O_NOCTTY | O_NONBLOCK);
    if (!fd) {
        return fd.error();
    }
    auto st = sys.fstat(fd->get());
    if (!st) {
        return st.error();
    }
    if (!S_ISREG(st->st_mode)) {
        return base::Error(std::string("not a regular file (") + file_kind(st->st_mode) + ")");
    }
    // One byte past the limit is enough for the parser to know the file is too large.
    return sys::read_to_end(sys, fd->get(), max_job_file_size + 1);
}

std::vector<std::string> list_job_dirs(sys::Sys& sys, const std::string& dir, const std::string& rel) {
    int depth = rel.empty() ? 0 : 1 + static_cast<int>(std::count(rel.begin(), rel.end(), '/'));
    if (depth > max_job_dir_depth) {
        return {};
    }
    std::string base = without_trailing_slashes(dir);
    // The jobs dir itself may be a symlink (/etc/init → elsewhere); nothing below it may.
    auto fd = rel.empty() ? sys.open(base.c_str(), O_RDONLY | O_DIRECTORY)
                          : sys.open((base + "/" + rel).c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
    if (!fd) {
        return {};
    }
    Walker walker{sys, base, {}, {}, {}};
    walker.walk(fd->get(), rel, depth);
    return std::move(walker.dirs);
}

unsigned default_load_workers() {
    unsigned n = std::thread::hardware_concurrency();
    return std::clamp(n, 1U, 8U);
}

base::Result<LoadReport> load_job_dir(sys::Sys& sys, const std::string& dir, unsigned workers) {
    auto root = sys.open(dir.c_str(), O_RDONLY | O_DIRECTORY);
    if (!root) {
        return root.error();
    }
    std::string base = without_trailing_slashes(dir);
    Walker walker{sys, base, {}, {}, {}};
    walker.walk(root->get(), {}, 0);

    LoadReport report;
    report.errors = std::move(walker.warnings);
    report.dirs = std::move(walker.dirs);
    report.jobs.reserve(walker.found.size());
    std::vector<const Pair*> pairs; // parallel to report.jobs
    pairs.reserve(walker.found.size());
    for (auto& [name, pair] : walker.found) {
        if (pair.conf.empty()) {
            // Upstart ignores an override without its .conf; say so, since it is usually a mistake.
            report.notices.push_back(Diagnostic{base + "/" + pair.override, 0, 0, ParseErrorCode::Io,
                                                 "override without a matching " + name + ".conf is ignored"});
            continue;
        }
        JobFile& job = report.jobs.emplace_back();
        job.name = name;
        job.conf_path = base + "/" + pair.conf;
        if (!pair.override.empty()) {
            job.override_path = base + "/" + pair.override;
        }
        pairs.push_back(&pair);
    }
    // Reading and parsing is independent per job: hand out chunks of the (already ordered)
    // list; each job's result lands in its own slot, so the order never depends on timing.
    constexpr std::size_t chunk = 64;
    constexpr std::size_t min_parallel = 512;
    std::atomic<std::size_t> next{0};
    int rootfd = root->get();
    auto work = [&] {
        for (;;) {
            std::size_t begin = next.fetch_add(chunk);
            if (begin >= pairs.size()) {
                return;
            }
            std::size_t end = std::min(begin + chunk, pairs.size());
            for (std::size_t i = begin; i < end; ++i) {
                load_pair(sys, rootfd, pairs[i]->conf, pairs[i]->override, report.jobs[i]);
            }
        }
    };
    std::vector<std::thread> helpers;
    if (workers > 1 && pairs.size() >= min_parallel) {
        for (unsigned i = 1; i < workers; ++i) {
            helpers.emplace_back(work);
        }
    }
    work();
    for (std::thread& t : helpers) {
        t.join();
    }
    return report;
}

JobFile load_job_file(sys::Sys& sys, const std::string& conf_path, std::string name) {
    JobFile job;
    job.name = std::move(name);
    job.conf_path = conf_path;
    std::string override_rel;
    if (ends_with(conf_path, conf_suffix)) {
        std::string candidate = conf_path.substr(0, conf_path.size() - conf_suffix.size()) + std::string(override_suffix);
        if (sys.fstatat(AT_FDCWD, candidate.c_str(), 0)) {
            override_rel = candidate;
            job.override_path = candidate;
        }
    }
    load_pair(sys, AT_FDCWD, conf_path, override_rel, job);
    return job;
}

} // namespace config
