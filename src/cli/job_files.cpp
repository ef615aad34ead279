// Owns the jobs-dir choice, job-name checks and file reads of enable, disable and is-enabled.
#include "cli/job_files.h"

#include "build_config.h"
#include "config/job_dir.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>

namespace cli {

namespace {

std::string without_trailing_slashes(std::string dir) {
    while (dir.size() > 1 && dir.back() == '/') {
        dir.pop_back();
    }
    return dir;
}

// Why `name` cannot name a job under a jobs dir, or nullopt when it can.
std::optional<std::string> bad_name(const std::string& name) {
    if (name.empty()) {
        return "missing job name";
    }
    if (name.front() == '/') {
        return "'" + name +
               "' is a path: name the job relative to the jobs dir (net/apache for JOBS/net/apache.conf)";
    }
    std::size_t start = 0;
    for (;;) {
        std::size_t slash = name.find('/', start);
        std::string part = name.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
        if (part.empty() || part == "." || part == "..") {
            return "'" + name + "' is not a job name: it has an empty, '.' or '..' component";
        }
        if (config::is_ignored_name(part)) {
            return "'" + name + "' is not a job name: startd skips '" + part +
                   "' (hidden, backup or package files)";
        }
        if (slash == std::string::npos) {
            return std::nullopt;
        }
        start = slash + 1;
    }
}

base::Error unreadable(const std::string& path, const base::Error& why) {
    return base::Error::with_errno(why.code(), "cannot read " + path + ": " + why.message());
}

} // namespace

std::string jobs_dir_for(const Options& o, const std::string& instance_jobs_dir) {
    if (o.root) {
        return without_trailing_slashes(*o.root) + STARTD_SYSTEM_JOBS_DIR;
    }
    if (o.jobs_dir) {
        return without_trailing_slashes(*o.jobs_dir);
    }
    return instance_jobs_dir;
}

base::Result<JobFiles> find_job_files(sys::Sys& sys, const std::string& jobs_dir, const std::string& name) {
    if (auto why = bad_name(name)) {
        return base::Error::with_errno(EINVAL, *why);
    }
    auto dir = sys.fstatat(AT_FDCWD, jobs_dir.c_str(), 0);
    if (!dir) {
        return base::Error::with_errno(dir.error().code(), "jobs directory " + jobs_dir + ": " +
                                                               std::strerror(dir.error().code()));
    }
    if (!S_ISDIR(dir->st_mode)) {
        return base::Error::with_errno(ENOTDIR, "jobs directory " + jobs_dir + " is not a directory");
    }
    JobFiles files{jobs_dir, name, jobs_dir + "/" + name + ".conf", jobs_dir + "/" + name + ".override"};
    auto conf = sys.fstatat(AT_FDCWD, files.conf.c_str(), 0);
    if (!conf && conf.error().code() != ENOENT && conf.error().code() != ENOTDIR) {
        return unreadable(files.conf, conf.error());
    }
    if (!conf || !S_ISREG(conf->st_mode)) {
        return base::Error::with_errno(ENOENT, "Unknown job: " + name + " (no " + name + ".conf in " +
                                                   jobs_dir + ")");
    }
    return files;
}

base::Result<std::string> read_conf(sys::Sys& sys, const JobFiles& files) {
    auto text = config::read_text_file(sys, AT_FDCWD, files.conf.c_str());
    if (!text) {
        return unreadable(files.conf, text.error());
    }
    return text;
}

base::Result<std::optional<std::string>> read_override(sys::Sys& sys, const JobFiles& files) {
    auto text = config::read_text_file(sys, AT_FDCWD, files.override_path.c_str());
    if (!text) {
        if (text.error().code() == ENOENT) {
            return std::optional<std::string>();
        }
        return unreadable(files.override_path, text.error());
    }
    return std::optional<std::string>(std::move(text).value());
}

} // namespace cli
