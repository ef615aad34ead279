/* timecmd REPS CMD [ARGS...]: run CMD REPS times (posix_spawnp, stdout/stderr to /dev/null,
 * waitpid) and print "median_us min_us max_us failures" of the wall time of each run.
 * Used for status-query latency, so the harness's own (Python) spawn cost is not counted. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char** environ;

static double now_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int cmp(const void* a, const void* b) {
    double x = *(const double*)a, y = *(const double*)b;
    return (x > y) - (x < y);
}

int main(int argc, char** argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: timecmd REPS CMD [ARGS...]\n");
        return 2;
    }
    int reps = atoi(argv[1]);
    if (reps < 1 || reps > 100000) {
        return 2;
    }
    double* t = calloc((size_t)reps, sizeof *t);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
    int failures = 0;
    for (int i = 0; i < reps; ++i) {
        pid_t pid;
        double t0 = now_us();
        if (posix_spawnp(&pid, argv[2], &fa, NULL, argv + 2, environ) != 0) {
            perror("posix_spawnp");
            return 1;
        }
        int status;
        while (waitpid(pid, &status, 0) < 0) {
        }
        t[i] = now_us() - t0;
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
            ++failures;
        }
    }
    qsort(t, (size_t)reps, sizeof *t, cmp);
    printf("%.1f %.1f %.1f %d\n", t[reps / 2], t[0], t[reps - 1], failures);
    return 0;
}
