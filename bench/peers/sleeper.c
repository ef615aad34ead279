/* The benchmark's service: a program that only sleeps.
 *
 * Every supervisor under test execs this binary directly (no shell, no logger). Right after
 * exec it reads CLOCK_MONOTONIC and, when BENCH_NOTIFY names a FIFO, writes {pid, monotonic ns}
 * (16 bytes: atomic, and non-blocking) to it once: that is how the harness learns "exec'd"
 * without polling /proc, at the same cost (open, write, close) under every supervisor and for
 * the floor. (A datagram socket was tried first: its queue holds 10 messages, and every
 * receive wakes every blocked sender, which made bring-up of 1000 services quadratic.)
 * Then it pause()s until a signal ends it. "-x" exits at once (the fork+exec+wait floor). */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct note {
    int32_t pid;
    int32_t pad;
    int64_t mono_ns;
};

int main(int argc, char** argv) {
    if (argc > 1 && strcmp(argv[1], "-x") == 0) {
        return 0;
    }
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    const char* path = getenv("BENCH_NOTIFY");
    if (path != NULL && *path != '\0') {
        struct note n = {(int32_t)getpid(), 0, (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec};
        int fd = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
        if (fd >= 0) {
            (void)write(fd, &n, sizeof n);
            close(fd);
        }
    }
    for (;;) {
        pause();
    }
}
