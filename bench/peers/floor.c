/* The floor: what spawning the benchmark's sleeper costs with no supervisor at all.
 *
 *   floor forkexec REPS SLEEPER      fork + execv(SLEEPER -x) + waitpid, REPS times
 *   floor spawnwait REPS SLEEPER     posix_spawn(SLEEPER -x) + waitpid, REPS times
 *       print "median_us min_us max_us" per operation
 *   floor spawn N SLEEPER FIFO       posix_spawn N long-running sleepers (BENCH_NOTIFY=FIFO) in a
 *                                    tight loop; print "bringup_ms killreap_ms": start of the loop
 *                                    -> the last sleeper's exec timestamp, then SIGKILL all ->
 *                                    all reaped
 * The same notification as under every supervisor (see sleeper.c), read on a thread. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char** environ;

struct note {
    int32_t pid;
    int32_t pad;
    int64_t mono_ns;
};

static int64_t mono_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int cmp(const void* a, const void* b) {
    double x = *(const double*)a, y = *(const double*)b;
    return (x > y) - (x < y);
}

static int run_wait(int reps, const char* bin, int use_fork) {
    double* t = calloc((size_t)reps, sizeof *t);
    char* args[] = {(char*)bin, "-x", NULL};
    for (int i = 0; i < reps; ++i) {
        int64_t t0 = mono_ns();
        pid_t pid;
        if (use_fork) {
            pid = fork();
            if (pid == 0) {
                execv(bin, args);
                _exit(127);
            }
        } else if (posix_spawn(&pid, bin, NULL, NULL, args, environ) != 0) {
            pid = -1;
        }
        if (pid < 0) {
            perror("spawn");
            return 1;
        }
        int status;
        while (waitpid(pid, &status, 0) < 0) {
        }
        t[i] = (double)(mono_ns() - t0) / 1e3;
    }
    qsort(t, (size_t)reps, sizeof *t, cmp);
    printf("%.1f %.1f %.1f\n", t[reps / 2], t[0], t[reps - 1]);
    return 0;
}

struct collector {
    int fd;
    int want;
    int got;
    int64_t last_ns;
};

static void* collect(void* arg) {
    struct collector* c = arg;
    struct note buf[256];
    while (c->got < c->want) {
        ssize_t r = read(c->fd, buf, sizeof buf); /* blocking read end: sleeps until notes come */
        if (r < 0 && errno == EINTR) {
            continue;
        }
        if (r <= 0) {
            break;
        }
        for (ssize_t i = 0; i < r / (ssize_t)sizeof(struct note); ++i) {
            if (buf[i].mono_ns > c->last_ns) {
                c->last_ns = buf[i].mono_ns;
            }
            c->got++;
        }
    }
    return NULL;
}

static int run_spawn(int n, const char* bin, const char* fifo) {
    unlink(fifo);
    if (mkfifo(fifo, 0600) < 0) {
        perror("mkfifo");
        return 1;
    }
    /* O_RDWR: the open does not wait for a writer, and the pipe never sees end-of-file. */
    int fd = open(fifo, O_RDWR | O_CLOEXEC);
    if (fd < 0) {
        perror("open fifo");
        return 1;
    }
    (void)fcntl(fd, F_SETPIPE_SZ, 1 << 20);
    if (setenv("BENCH_NOTIFY", fifo, 1) != 0) {
        return 1;
    }
    struct collector c = {fd, n, 0, 0};
    pthread_t th;
    pid_t* pids = calloc((size_t)n, sizeof *pids);
    char* args[] = {(char*)bin, NULL};
    pthread_create(&th, NULL, collect, &c);
    int64_t t0 = mono_ns();
    for (int i = 0; i < n; ++i) {
        if (posix_spawn(&pids[i], bin, NULL, NULL, args, environ) != 0) {
            perror("posix_spawn");
            return 1;
        }
    }
    pthread_join(th, NULL);
    int64_t t1 = mono_ns();
    for (int i = 0; i < n; ++i) {
        kill(pids[i], SIGKILL);
    }
    for (int i = 0; i < n; ++i) {
        while (waitpid(pids[i], NULL, 0) < 0) {
        }
    }
    int64_t t2 = mono_ns();
    unlink(fifo);
    printf("%.3f %.3f\n", (double)(c.last_ns - t0) / 1e6, (double)(t2 - t1) / 1e6);
    return 0;
}

int main(int argc, char** argv) {
    if (argc >= 4 && strcmp(argv[1], "forkexec") == 0) {
        return run_wait(atoi(argv[2]), argv[3], 1);
    }
    if (argc >= 4 && strcmp(argv[1], "spawnwait") == 0) {
        return run_wait(atoi(argv[2]), argv[3], 0);
    }
    if (argc >= 5 && strcmp(argv[1], "spawn") == 0) {
        return run_spawn(atoi(argv[2]), argv[3], argv[4]);
    }
    fprintf(stderr, "usage: floor forkexec|spawnwait REPS SLEEPER | floor spawn N SLEEPER FIFO\n");
    return 2;
}
