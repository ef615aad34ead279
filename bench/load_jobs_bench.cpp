// Times config::load_job_dir over generated job directories and prints a markdown table.
//
//   load_jobs_bench [--reps R] [--cold] N:DIR [N:DIR...]
//
// For each DIR (expected to hold N jobs, all valid): one untimed warm-up load (fills the page
// cache), then R timed loads; reports median and min wall time, µs per job, and the per-job cost
// relative to the first DIR (so list the smallest first: a ratio near 1.0 means linear growth).
// With --cold, and when running as root, one more load after `sync; echo 3 > drop_caches` is timed
// and reported on its own labelled line: it is "cold-ish" (the directory and inode caches are
// dropped, but the device's own cache is not). The CPU column (user + system time of the process)
// helps read wall times taken on a busy machine.
// With --once, each DIR is loaded a single time without warm-up (see run_once).
// Exits 1 if any load fails, finds a job with diagnostics, or finds a different number of jobs.
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "config/job_dir.h"
#include "sys/sys.h"

namespace {

using Clock = std::chrono::steady_clock;

struct Case {
    long expected = 0;
    std::string dir;
};

double cpu_ms_now() {
    timespec ts{};
    ::clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) / 1e6;
}

struct Timing {
    double wall_ms = -1; // negative: the load failed (already reported)
    double cpu_ms = 0;   // user + system time of this process during the load
};

double median_of(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    std::size_t n = v.size();
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

// Reader/parser threads for a load; what the daemon uses unless --workers says otherwise.
unsigned g_workers = config::default_load_workers();

// One timed load.
Timing timed_load(const Case& c) {
    double cpu_start = cpu_ms_now();
    auto start = Clock::now();
    auto report = config::load_job_dir(sys::real_sys(), c.dir, g_workers);
    auto stop = Clock::now();
    double cpu = cpu_ms_now() - cpu_start;
    if (!report) {
        std::fprintf(stderr, "load_jobs_bench: %s: %s\n", c.dir.c_str(), report.error().message().c_str());
        return {};
    }
    // Checked outside the timed region: every job parsed, with no diagnostic, and none missing.
    long bad = 0;
    for (const config::JobFile& job : report->jobs) {
        if (!job.ok()) {
            if (bad++ < 5) {
                for (const config::Diagnostic& d : job.diagnostics) {
                    std::fprintf(stderr, "load_jobs_bench: %s\n", d.to_string().c_str());
                }
            }
        }
    }
    for (const config::Diagnostic& d : report->errors) {
        std::fprintf(stderr, "load_jobs_bench: error: %s\n", d.to_string().c_str());
    }
    if (bad != 0 || !report->errors.empty() || static_cast<long>(report->jobs.size()) != c.expected) {
        std::fprintf(stderr, "load_jobs_bench: %s: %zu jobs loaded (expected %ld), %ld with errors\n", c.dir.c_str(),
                     report->jobs.size(), c.expected, bad);
        return {};
    }
    return {std::chrono::duration<double, std::milli>(stop - start).count(), cpu};
}

bool drop_caches() {
    ::sync();
    std::FILE* f = std::fopen("/proc/sys/vm/drop_caches", "w");
    if (f == nullptr) {
        return false;
    }
    bool ok = std::fputs("3\n", f) >= 0;
    return std::fclose(f) == 0 && ok;
}

void usage() { std::fprintf(stderr, "usage: load_jobs_bench [--reps R] [--workers W] [--cold | --once] N:DIR [N:DIR...]\n"); }

// --once: a single load per DIR with no warm-up, as a daemon starting up pays it (fresh heap, so
// every page of the result is faulted in). Meant to be run in a new process per DIR.
int run_once(const std::vector<Case>& cases) {
    for (const Case& c : cases) {
        Timing t = timed_load(c);
        if (t.wall_ms < 0) {
            return 1;
        }
        std::printf("| %ld | %.1f | %.2f | %.1f |\n", c.expected, t.wall_ms,
                    t.wall_ms * 1000.0 / static_cast<double>(c.expected), t.cpu_ms);
    }
    return 0;
}

} // namespace

int main(int argc, char** argv) {
    int reps = 15;
    bool cold = false;
    bool once = false;
    std::vector<Case> cases;
    for (int i = 1; i < argc; ++i) {
        std::string arg = argv[i];
        if (arg == "--reps" && i + 1 < argc) {
            reps = std::atoi(argv[++i]);
        } else if (arg == "--cold") {
            cold = true;
        } else if (arg == "--once") {
            once = true;
        } else if (arg == "--workers" && i + 1 < argc) {
            g_workers = static_cast<unsigned>(std::max(1, std::atoi(argv[++i])));
        } else if (auto colon = arg.find(':'); colon != std::string::npos && colon > 0) {
            cases.push_back({std::atol(arg.substr(0, colon).c_str()), arg.substr(colon + 1)});
        } else {
            usage();
            return 2;
        }
    }
    if (cases.empty() || reps < 1) {
        usage();
        return 2;
    }
    if (once) {
        return run_once(cases);
    }

    std::printf("| jobs | median ms | min ms | µs/job (median) | per-job cost vs %ld | CPU ms (median) |\n",
                cases.front().expected);
    std::printf("|-----:|----------:|-------:|----------------:|------:|------:|\n");
    std::fflush(stdout);
    double base_us_per_job = 0;
    std::vector<std::string> cold_rows;
    for (const Case& c : cases) {
        if (timed_load(c).wall_ms < 0) { // warm-up: page cache, allocator
            return 1;
        }
        std::vector<double> wall;
        std::vector<double> cpu;
        for (int r = 0; r < reps; ++r) {
            Timing t = timed_load(c);
            if (t.wall_ms < 0) {
                return 1;
            }
            wall.push_back(t.wall_ms);
            cpu.push_back(t.cpu_ms);
        }
        double median = median_of(wall);
        double us_per_job = median * 1000.0 / static_cast<double>(c.expected);
        if (base_us_per_job == 0) {
            base_us_per_job = us_per_job;
        }
        std::printf("| %ld | %.1f | %.1f | %.2f | %.2f | %.1f |\n", c.expected, median,
                    *std::min_element(wall.begin(), wall.end()), us_per_job, us_per_job / base_us_per_job,
                    median_of(cpu));
        std::fflush(stdout);

        if (cold) {
            char row[256];
            if (::geteuid() != 0 || !drop_caches()) {
                std::snprintf(row, sizeof row, "| %ld | cold-ish run skipped (needs root and a writable drop_caches) |",
                              c.expected);
            } else {
                Timing t = timed_load(c);
                if (t.wall_ms < 0) {
                    return 1;
                }
                std::snprintf(row, sizeof row,
                              "| %ld | %.1f ms after `echo 3 > /proc/sys/vm/drop_caches` (%.2f µs/job, CPU %.1f ms) |",
                              c.expected, t.wall_ms, t.wall_ms * 1000.0 / static_cast<double>(c.expected), t.cpu_ms);
            }
            cold_rows.emplace_back(row);
        }
    }
    if (!cold_rows.empty()) {
        std::printf("\nCold-ish (one run each, page/dentry/inode caches dropped first):\n\n");
        std::printf("| jobs | cold-ish load |\n|-----:|:------|\n");
        for (const std::string& row : cold_rows) {
            std::printf("%s\n", row.c_str());
        }
    }
    return 0;
}
