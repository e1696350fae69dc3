/* The wrap guard (a thread that reads the meter often enough that no window
 * can lose a whole counter wrap) and window-edge alignment. */
#include "energy_internal.h"

#include <errno.h>
#include <math.h>
#include <sched.h>
#include <string.h>
#include <time.h>

#include "jouletrace/clock.h"

/* 60 s keeps the guard's own reads (each an IPI on the package) negligible;
 * a quarter of the fastest wrap leaves three missed guard reads of margin
 * before the gap check in energy.c would have to reject a window. */
#define GUARD_MAX_INTERVAL_S 60.0

double jt_energy_guard_interval(const jt_energy_meter *m)
{
    double shortest = jt_energy_shortest_wrap(m);
    return shortest > 0 ? fmin(GUARD_MAX_INTERVAL_S, shortest / 4) : 0;
}

static struct timespec to_timespec(double t)
{
    struct timespec ts;
    ts.tv_sec = (time_t)t;
    ts.tv_nsec = (long)((t - (double)ts.tv_sec) * 1e9);
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
    }
    return ts;
}

static void *guard_main(void *arg)
{
    jt_energy_meter *m = arg;
    double interval = jt_energy_guard_interval(m);
    pthread_mutex_lock(&m->lock);
    double next = jt_monotonic_s() + interval;
    while (!m->guard_stop) {
        struct timespec ts = to_timespec(next);
        int rc = pthread_cond_timedwait(&m->cond, &m->lock, &ts);
        if (m->guard_stop) break;
        if (rc != ETIMEDOUT && jt_monotonic_s() < next) continue; /* spurious */
        jt_energy_sample s = {0};
        jt_buf why = JT_BUF_INIT;
        if (jt_energy_read_locked(m, &s, &why)) m->guard_failures++;
        jt_buf_release(&why);
        next = jt_monotonic_s() + interval;
    }
    pthread_mutex_unlock(&m->lock);
    return NULL;
}

int jt_energy_guard_start(jt_energy_meter *m, int cpu, jt_err *err)
{
    if (m->guard_running) return 0;
    /* Counters that never wrap (perf's 64-bit count, the model) need no
     * guard; the model's reads need the child's CPU time, which a guard
     * thread does not have. */
    if (jt_energy_guard_interval(m) == 0) return 0;
    int rc = -1;
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    if (cpu >= 0) {
        if (cpu >= CPU_SETSIZE) {
            jt_err_set(err, "wrap guard: CPU %d out of range", cpu);
            goto out;
        }
        cpu_set_t set;
        CPU_ZERO(&set);
        CPU_SET(cpu, &set);
        pthread_attr_setaffinity_np(&attr, sizeof set, &set);
    }
    m->guard_stop = false;
    m->guard_cpu = cpu;
    int e = pthread_create(&m->guard, &attr, guard_main, m);
    if (e) {
        jt_err_set(err, "wrap guard: cannot start thread%s: %s", cpu >= 0 ? " on that CPU" : "",
                   strerror(e));
        goto out;
    }
    m->guard_running = true;
    rc = 0;
out:
    pthread_attr_destroy(&attr);
    return rc;
}

void jt_energy_guard_stop(jt_energy_meter *m)
{
    if (!m->guard_running) return;
    pthread_mutex_lock(&m->lock);
    m->guard_stop = true;
    pthread_cond_signal(&m->cond);
    pthread_mutex_unlock(&m->lock);
    pthread_join(m->guard, NULL);
    m->guard_running = false;
}

uint64_t jt_energy_guard_failures(jt_energy_meter *m)
{
    pthread_mutex_lock(&m->lock);
    uint64_t n = m->guard_failures;
    pthread_mutex_unlock(&m->lock);
    return n;
}

/* Counters step about once a millisecond; 2 ms always spans a step on a
 * working counter, and bounds what a dead one can cost a trial. Polling
 * every ~20 us keeps the edge error far below the step while not firing
 * an IPI storm at the package. */
#define EDGE_MAX_WAIT_S 0.002
#define EDGE_POLL_NS 20000L

int jt_energy_align_edge(jt_energy_meter *m, jt_energy_sample *s, jt_err *err)
{
    if (jt_energy_read(m, s, err)) return -1;
    if (!m->ops->has_edges) return 0;
    const uint64_t c0 = s->counts[JT_ENERGY_PACKAGE], b0 = s->breaks[JT_ENERGY_PACKAGE];
    const double deadline = s->t + EDGE_MAX_WAIT_S;
    for (;;) {
        struct timespec pause = {0, EDGE_POLL_NS};
        nanosleep(&pause, NULL);
        jt_energy_sample n = {.cpu_seconds = s->cpu_seconds};
        int rc = jt_energy_read(m, &n, err);
        bool moved = n.counts[JT_ENERGY_PACKAGE] != c0 || n.breaks[JT_ENERGY_PACKAGE] != b0;
        if (rc || moved || n.t >= deadline) {
            n.edge = !rc && moved && n.breaks[JT_ENERGY_PACKAGE] == b0;
            *s = n;
            return rc;
        }
    }
}
