/* The benchmark's service: a program that only sleeps.
 *
 * Every supervisor under test execs this binary directly (no shell, no logger). Right after
 * exec it reads CLOCK_MONOTONIC and, when BENCH_NOTIFY names an abstract Unix datagram socket,
 * sends {pid, monotonic ns} there once: that is how the harness learns "exec'd" without polling
 * /proc (the same cost, one socket + one sendto, for every supervisor and for the floor).
 * Then it pause()s until a signal ends it. "-x" exits at once (the fork+exec+wait floor). */
#define _GNU_SOURCE
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
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
    const char* name = getenv("BENCH_NOTIFY");
    if (name != NULL && *name != '\0') {
        struct note n = {(int32_t)getpid(), 0, (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec};
        struct sockaddr_un addr;
        memset(&addr, 0, sizeof addr);
        addr.sun_family = AF_UNIX;
        size_t len = strlen(name);
        if (len > sizeof addr.sun_path - 2) {
            len = sizeof addr.sun_path - 2;
        }
        memcpy(addr.sun_path + 1, name, len); /* abstract: leading NUL */
        int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (fd >= 0) {
            (void)sendto(fd, &n, sizeof n, 0, (struct sockaddr*)&addr,
                         (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + len));
            close(fd);
        }
    }
    for (;;) {
        pause();
    }
}
