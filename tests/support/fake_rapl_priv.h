/* fake_rapl internals shared by fake_rapl.c (the files and the writer thread)
 * and fake_rapl_active.c (the /proc scanner that credits marker processes' CPU
 * time as active power). Private to tests/support. */
#ifndef JT_FAKE_RAPL_PRIV_H
#define JT_FAKE_RAPL_PRIV_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "support/fake_rapl.h"

#define MAX_COUNTERS 32
#define MAX_TRACKED 64      /* live marker processes per counter */
#define CMDLINE_MAX 8192    /* bytes of /proc/PID/cmdline searched for a marker */
#define RESCAN_SECONDS 0.02 /* how often the scanner looks for new marker processes */

/* A process whose CPU time feeds a counter's active power. */
typedef struct tracked {
    pid_t pid;
    unsigned long long start; /* /proc/PID/stat starttime: tells a reused pid */
    clockid_t clk;
    uint64_t last_ns;         /* its CPU clock when last credited */
} tracked;

typedef struct counter {
    bool msr;
    char *path;
    int fd;
    uint32_t reg;
    uint64_t modulus;   /* powercap: max_range + 1 (0: none given); msr: 2^32 */
    double unit_j;      /* joules per raw count */
    uint64_t raw;       /* last value written */
    double residue_j;   /* energy not yet a whole count */
    double watts;
    /* active power (jt_fake_counter_active); procs NULL when off */
    double active_w;
    char *marker;
    tracked *procs;
    size_t nprocs;
    pid_t owner;          /* only its descendants count */
    uint64_t credited_ns; /* CPU credited so far */
    unsigned seen;        /* distinct processes that matched */
} counter;

struct jt_fake_rapl {
    char *dir, *powercap, *msr, *perf;
    counter c[MAX_COUNTERS];
    int n;
    pthread_mutex_t lock;
    pthread_t thread;
    bool running, stop;
    double hz;
    pthread_t scanner;   /* finds active-power processes (not real-time) */
    unsigned gen;        /* bumped when a counter's marker changes */
    double max_gap;      /* longest interval between two ticks */
};

/* Active CPU nanoseconds of c's marker processes since the last call (lock held). */
uint64_t jt_fake_credit_active_(counter *c);
/* The scanner thread (arg: the jt_fake_rapl). */
void *jt_fake_scan_main_(void *arg);

#endif
