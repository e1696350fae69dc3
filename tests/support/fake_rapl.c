/* Fake RAPL hardware (see fake_rapl.h). */
#include "support/fake_rapl.h"

#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "jouletrace/clock.h"
#include "jouletrace/common.h"
#include "support/testutil.h"

#include "support/fake_rapl_priv.h"

static void die(const char *what, const char *path)
{
    fprintf(stderr, "fake_rapl: %s %s: %s\n", what, path, strerror(errno));
    abort();
}


/* Creates the missing components of `path`. Only a directory made here gets
 * its mode set (0755 whatever the umask, so a test dropped to nobody reaches
 * the files): the components that already exist (/tmp, the test's TMPDIR)
 * belong to the host and are never touched. */
static void mkdir_p(const char *path)
{
    char *p = jt_xstrdup(path);
    for (char *s = p + 1;; s++) {
        if (*s == '/' || !*s) {
            char c = *s;
            *s = '\0';
            if (mkdir(p, 0755) == 0) {
                if (chmod(p, 0755) != 0) die("chmod", p);
            } else if (errno != EEXIST) {
                die("mkdir", p);
            }
            if (!c) break;
            *s = c;
        }
    }
    free(p);
}

static void write_text(const char *path, const char *text)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) die("open", path);
    size_t len = strlen(text);
    if (write(fd, text, len) != (ssize_t)len) die("write", path);
    close(fd);
}

jt_fake_rapl *jt_fake_rapl_new(void)
{
    jt_fake_rapl *f = jt_xcalloc(1, sizeof *f);
    f->dir = jt_test_tmpdir();
    chmod(f->dir, 0755); /* so a test dropped to nobody reaches the files */
    f->powercap = jt_xasprintf("%s/powercap", f->dir);
    f->msr = jt_xasprintf("%s/msr", f->dir);
    f->perf = jt_xasprintf("%s/power", f->dir);
    mkdir_p(f->powercap);
    /* the control-type directory real sysfs has: no `name`, not a zone */
    char *ctl = jt_xasprintf("%s/intel-rapl", f->powercap);
    mkdir_p(ctl);
    char *en = jt_xasprintf("%s/enabled", ctl);
    write_text(en, "1\n");
    free(en);
    free(ctl);
    /* Priority inheritance: a thread holding the lock (the scanner, a
     * test) cannot keep the real-time writer waiting behind other work. */
    pthread_mutexattr_t ma;
    pthread_mutexattr_init(&ma);
    pthread_mutexattr_setprotocol(&ma, PTHREAD_PRIO_INHERIT);
    pthread_mutex_init(&f->lock, &ma);
    pthread_mutexattr_destroy(&ma);
    return f;
}

void jt_fake_rapl_free(jt_fake_rapl *f)
{
    if (!f) return;
    jt_fake_rapl_stop(f);
    for (int i = 0; i < f->n; i++) {
        if (f->c[i].fd >= 0) close(f->c[i].fd);
        free(f->c[i].path);
        free(f->c[i].marker);
        free(f->c[i].procs);
    }
    pthread_mutex_destroy(&f->lock);
    free(f->powercap);
    free(f->msr);
    free(f->perf);
    jt_test_tmpdir_free(f->dir);
    free(f);
}

const char *jt_fake_rapl_dir(const jt_fake_rapl *f) { return f->dir; }
const char *jt_fake_powercap_root(const jt_fake_rapl *f) { return f->powercap; }
const char *jt_fake_msr_root(const jt_fake_rapl *f) { return f->msr; }
const char *jt_fake_perf_root(const jt_fake_rapl *f) { return f->perf; }
const char *jt_fake_zone_path(const jt_fake_rapl *f, int id) { return f->c[id].path; }

/* Powercap values are written as a fixed-width zero-padded decimal so a
 * concurrent pread never sees a half-shortened number (real sysfs makes
 * each read a fresh snapshot; a regular file cannot). The reader parses
 * both forms the same. MSR values are one 8-byte pwrite. */
static void put(counter *c, uint64_t raw)
{
    c->raw = raw;
    ssize_t n;
    if (c->msr) {
        n = pwrite(c->fd, &raw, sizeof raw, (off_t)c->reg);
        if (n != (ssize_t)sizeof raw) die("pwrite", c->path);
        return;
    }
    char buf[32];
    int len = snprintf(buf, sizeof buf, "%020" PRIu64 "\n", raw);
    n = pwrite(c->fd, buf, (size_t)len, 0);
    if (n != len) die("pwrite", c->path);
}

static int add_counter(jt_fake_rapl *f, counter c)
{
    if (f->n >= MAX_COUNTERS) abort();
    pthread_mutex_lock(&f->lock);
    f->c[f->n] = c;
    put(&f->c[f->n], c.raw);
    int id = f->n++;
    pthread_mutex_unlock(&f->lock);
    return id;
}

int jt_fake_zone_add(jt_fake_rapl *f, const char *dir, const char *name, uint64_t max_range_uj,
                     uint64_t energy_uj)
{
    char *zdir = jt_xasprintf("%s/%s", f->powercap, dir);
    mkdir_p(zdir);
    char *p = jt_xasprintf("%s/name", zdir);
    char *text = jt_xasprintf("%s\n", name);
    write_text(p, text);
    free(p);
    free(text);
    if (max_range_uj) {
        p = jt_xasprintf("%s/max_energy_range_uj", zdir);
        text = jt_xasprintf("%" PRIu64 "\n", max_range_uj);
        write_text(p, text);
        free(p);
        free(text);
    }
    counter c = {.path = jt_xasprintf("%s/energy_uj", zdir),
                 .modulus = max_range_uj ? max_range_uj + 1 : 0,
                 .unit_j = 1e-6,
                 .raw = energy_uj};
    free(zdir);
    c.fd = open(c.path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (c.fd < 0) die("open", c.path);
    return add_counter(f, c);
}

static int msr_fd(jt_fake_rapl *f, int cpu, char **path_out)
{
    char *d = jt_xasprintf("%s/%d", f->msr, cpu);
    mkdir_p(d);
    char *path = jt_xasprintf("%s/msr", d);
    free(d);
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) die("open", path);
    if (path_out) *path_out = path;
    else free(path);
    return fd;
}

int jt_fake_msr_counter(jt_fake_rapl *f, int cpu, uint32_t reg, double unit_joules,
                        uint64_t value)
{
    counter c = {.msr = true, .reg = reg, .modulus = UINT64_C(1) << 32, .unit_j = unit_joules,
                 .raw = value};
    c.fd = msr_fd(f, cpu, &c.path);
    return add_counter(f, c);
}

void jt_fake_msr_set(jt_fake_rapl *f, int cpu, uint32_t reg, uint64_t value)
{
    char *path;
    int fd = msr_fd(f, cpu, &path);
    if (pwrite(fd, &value, sizeof value, (off_t)reg) != (ssize_t)sizeof value) die("pwrite", path);
    close(fd);
    free(path);
}

void jt_fake_msr_truncate(jt_fake_rapl *f, int cpu, off_t size)
{
    char *path;
    int fd = msr_fd(f, cpu, &path);
    if (ftruncate(fd, size) != 0) die("ftruncate", path);
    close(fd);
    free(path);
}

void jt_fake_counter_set(jt_fake_rapl *f, int id, uint64_t raw)
{
    pthread_mutex_lock(&f->lock);
    f->c[id].residue_j = 0;
    put(&f->c[id], raw);
    pthread_mutex_unlock(&f->lock);
}

void jt_fake_counter_power(jt_fake_rapl *f, int id, double watts)
{
    pthread_mutex_lock(&f->lock);
    f->c[id].watts = watts;
    pthread_mutex_unlock(&f->lock);
}

uint64_t jt_fake_counter_get(jt_fake_rapl *f, int id)
{
    pthread_mutex_lock(&f->lock);
    uint64_t raw = f->c[id].raw;
    pthread_mutex_unlock(&f->lock);
    return raw;
}

/* Each tick adds watts * elapsed (plus active watts * the CPU time its
 * marker processes used since the last tick) to every counter, in whole
 * counts (the remainder carries over, as the hardware accumulates
 * internally), and wraps at the counter's modulus. Energy is integrated
 * from the real clock, not from the tick count, so a late tick never loses
 * energy. The writer never touches /proc: a tick is a few clock reads and
 * pwrites. */
static void *advance_main(void *arg)
{
    jt_fake_rapl *f = arg;
    pthread_mutex_lock(&f->lock);
    double last = jt_monotonic_s();
    while (!f->stop) {
        pthread_mutex_unlock(&f->lock);
        struct timespec pause = {0, (long)(1e9 / f->hz)};
        nanosleep(&pause, NULL);
        pthread_mutex_lock(&f->lock);
        double t = jt_monotonic_s(), dt = t - last;
        last = t;
        if (dt > f->max_gap) f->max_gap = dt;
        for (int i = 0; i < f->n; i++) {
            counter *c = &f->c[i];
            if (c->watts <= 0 && !c->procs) continue;
            if (c->watts > 0) c->residue_j += c->watts * dt;
            if (c->procs) c->residue_j += c->active_w * (double)jt_fake_credit_active_(c) * 1e-9;
            double counts = floor(c->residue_j / c->unit_j);
            c->residue_j -= counts * c->unit_j;
            uint64_t raw = c->raw + (uint64_t)counts;
            if (c->modulus) raw %= c->modulus;
            put(c, raw);
        }
    }
    pthread_mutex_unlock(&f->lock);
    return NULL;
}

void jt_fake_rapl_start(jt_fake_rapl *f, double hz)
{
    if (f->running) return;
    f->hz = hz > 0 ? hz : 1000;
    f->stop = false;
    if (pthread_create(&f->thread, NULL, advance_main, f) != 0) abort();
    /* Real counters update whatever the CPUs are doing; a real-time writer
     * keeps the fake that way on a loaded test machine. Without the
     * privilege it stays an ordinary thread. */
    struct sched_param sp = {.sched_priority = 1};
    pthread_setschedparam(f->thread, SCHED_FIFO, &sp);
    if (pthread_create(&f->scanner, NULL, jt_fake_scan_main_, f) != 0) abort(); /* an ordinary thread */
    f->running = true;
}

void jt_fake_rapl_stop(jt_fake_rapl *f)
{
    if (!f->running) return;
    pthread_mutex_lock(&f->lock);
    f->stop = true;
    pthread_mutex_unlock(&f->lock);
    pthread_join(f->thread, NULL);
    pthread_join(f->scanner, NULL);
    f->running = false;
}

void jt_fake_perf_pmu(jt_fake_rapl *f, const char *type, const char *cpumask, int with_ram)
{
    static const char *const files[][2] = {
        {"format/event", "config:0-7\n"},
        {"events/energy-pkg", "event=0x02\n"},
        {"events/energy-pkg.scale", "2.3283064365386962890625e-10\n"},
        {"events/energy-pkg.unit", "Joules\n"},
        {"events/energy-ram", "event=0x03\n"},
        {"events/energy-ram.scale", "2.3283064365386962890625e-10\n"},
        {"events/energy-ram.unit", "Joules\n"},
    };
    char *t = jt_xasprintf("%s\n", type), *m = jt_xasprintf("%s\n", cpumask);
    free(jt_test_write_file(f->perf, "type", t));
    free(jt_test_write_file(f->perf, "cpumask", m));
    free(t);
    free(m);
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        if (!with_ram && strstr(files[i][0], "energy-ram")) continue;
        free(jt_test_write_file(f->perf, files[i][0], files[i][1]));
    }
}

jt_energy_meter *jt_fake_open_ok(jt_energy_kind kind, const jt_energy_opts *o)
{
    jt_energy_meter *m = NULL;
    jt_err e = JT_ERR_INIT;
    int rc = jt_energy_open(kind, o, &m, &e);
    ck_assert_msg(rc == 0, "open: %s", jt_err_msg(&e));
    jt_err_clear(&e);
    return m;
}

void jt_fake_read_ok(jt_energy_meter *m, jt_energy_sample *s)
{
    jt_err e = JT_ERR_INIT;
    int rc = jt_energy_read(m, s, &e);
    ck_assert_msg(rc == 0, "read: %s", jt_err_msg(&e));
    jt_err_clear(&e);
}
