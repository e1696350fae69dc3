/* perf backend: the kernel's RAPL "power" PMU (arch/x86/events/rapl.c),
 * preferred because the kernel applies units, per-model DRAM/PSYS quirks,
 * die vs package scope and the 32-bit wrap itself; we get a 64-bit count
 * and a .scale to joules. Events are system-wide, opened on the CPU that the
 * PMU's cpumask names for package 0. Everything is parsed from sysfs (root
 * overridable with JOULETRACE_PERF_ROOT so tests can feed fake trees). */
#include "jouletrace/energy_backend.h"

#include <errno.h>
#include <linux/perf_event.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "jouletrace/sysfile.h"

#define DEFAULT_ROOT "/sys/bus/event_source/devices/power"

static const struct {
    const char *event;
    int domain;
    bool required;
} wanted[] = {
    {"energy-pkg", JT_ENERGY_PACKAGE, true},
    {"energy-ram", JT_ENERGY_DRAM, false},
};
#define N_WANTED (sizeof wanted / sizeof wanted[0])

typedef struct perf_priv {
    int fd[JT_ENERGY_MAX_SOURCES];
    size_t n;
} perf_priv;

static int slurp_or_err(const char *path, jt_buf *b, jt_err *err)
{
    int e = jt_energy_slurp(path, b);
    return e ? jt_err_set(err, "cannot read %s: %s", path, strerror(e)) : 0;
}

/* Places `value` into config through the PMU's format file for `term`
 * ("config:0-7"). Without a format directory only `event` is understood,
 * as the low bits, which is what every RAPL PMU has used. */
static int place_term(const char *pmu, const char *term, uint64_t value, uint64_t *config,
                      jt_err *err)
{
    int rc = -1;
    jt_buf f = JT_BUF_INIT;
    char *path = jt_xasprintf("%s/format/%s", pmu, term);
    int e = jt_energy_slurp(path, &f);
    if (e) {
        if (strcmp(term, "event")) {
            jt_err_set(err, "%s: no format for term '%s'", path, term);
            goto out;
        }
        *config |= value;
        rc = 0;
        goto out;
    }
    unsigned lo, hi;
    int used = 0;
    const char *s = jt_buf_str(&f);
    bool ok = sscanf(s, "config:%u-%u%n", &lo, &hi, &used) == 2 && !s[used] && lo <= hi &&
              hi < 64;
    if (!ok && sscanf(s, "config:%u%n", &lo, &used) == 1 && !s[used] && lo < 64) {
        hi = lo;
        ok = true;
    }
    if (!ok) {
        jt_err_set(err, "%s: unsupported format '%s' (only config bits)", path, s);
        goto out;
    }
    uint64_t width_mask = hi - lo == 63 ? UINT64_MAX : (UINT64_C(1) << (hi - lo + 1)) - 1;
    if (value & ~width_mask) {
        jt_err_set(err, "%s: value 0x%llx does not fit %s", path, (unsigned long long)value, s);
        goto out;
    }
    *config |= value << lo;
    rc = 0;
out:
    free(path);
    jt_buf_release(&f);
    return rc;
}

int jt_energy_perf_parse_event(const char *pmu, const char *name, jt_energy_perf_event *ev,
                               jt_err *err)
{
    int rc = -1;
    jt_buf b = JT_BUF_INIT;
    char *path = jt_xasprintf("%s/events/%s", pmu, name);
    char *spath = jt_xasprintf("%s/events/%s.scale", pmu, name);
    char *upath = jt_xasprintf("%s/events/%s.unit", pmu, name);
    *ev = (jt_energy_perf_event){0};
    if (slurp_or_err(path, &b, err)) goto out;
    /* "event=0x02" or "event=0x02,umask=0x1": comma-separated terms. */
    char *spec = jt_buf_detach(&b), *save = NULL;
    for (char *t = strtok_r(spec, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(t, '=');
        uint64_t value = 1;
        if (eq) {
            *eq = '\0';
            char *end;
            errno = 0;
            unsigned long long v = strtoull(eq + 1, &end, 0);
            if (end == eq + 1 || *end || errno || eq[1] == '-') {
                jt_err_set(err, "%s: bad value for '%s'", path, t);
                free(spec);
                goto out;
            }
            value = v;
        }
        if (place_term(pmu, t, value, &ev->config, err)) {
            free(spec);
            goto out;
        }
    }
    free(spec);
    if (slurp_or_err(spath, &b, err)) goto out;
    char *end;
    ev->scale = strtod(jt_buf_str(&b), &end);
    if (end == b.data || *end || !isfinite(ev->scale) || ev->scale <= 0) {
        jt_err_set(err, "%s: '%s' is not a positive scale", spath, jt_buf_str(&b));
        goto out;
    }
    if (slurp_or_err(upath, &b, err)) goto out;
    if (strcmp(jt_buf_str(&b), "Joules")) {
        jt_err_set(err, "%s: unit '%s', expected 'Joules'", upath, jt_buf_str(&b));
        goto out;
    }
    ev->unit = jt_buf_detach(&b);
    rc = 0;
out:
    if (rc) jt_energy_perf_event_release(ev);
    jt_buf_release(&b);
    free(path);
    free(spath);
    free(upath);
    return rc;
}

void jt_energy_perf_event_release(jt_energy_perf_event *ev)
{
    free(ev->unit);
    *ev = (jt_energy_perf_event){0};
}

int jt_energy_perf_parse_pmu(const char *pmu, const int *pkg0_cpus, int n_pkg0, int *type,
                             int *cpu, jt_err *err)
{
    int rc = -1;
    jt_buf b = JT_BUF_INIT;
    int *mask = jt_xcalloc(JT_MAX_CPUS, sizeof *mask);
    char *path = jt_xasprintf("%s/type", pmu);
    uint64_t v;
    if (slurp_or_err(path, &b, err)) goto out;
    if (jt_energy_parse_u64(jt_buf_str(&b), &v) || v > INT32_MAX) {
        jt_err_set(err, "%s: '%s' is not a PMU type", path, jt_buf_str(&b));
        goto out;
    }
    *type = (int)v;
    free(path);
    path = jt_xasprintf("%s/cpumask", pmu);
    if (slurp_or_err(path, &b, err)) goto out;
    int n = jt_cpulist_parse(jt_buf_str(&b), mask, JT_MAX_CPUS);
    if (n <= 0) {
        jt_err_set(err, "%s: '%s' is not a CPU list", path, jt_buf_str(&b));
        goto out;
    }
    /* One CPU per package (or die) is listed; take package 0's. Without
     * package 0's CPUs the kernel lists package 0 first. */
    *cpu = mask[0];
    for (int i = 0, found = 0; i < n && !found && pkg0_cpus; i++)
        for (int j = 0; j < n_pkg0 && !found; j++)
            if (pkg0_cpus[j] == mask[i]) *cpu = mask[i], found = 1;
    rc = 0;
out:
    free(path);
    free(mask);
    jt_buf_release(&b);
    return rc;
}

static int paranoid_level(void)
{
    jt_buf b = JT_BUF_INIT;
    int level = 99;
    if (jt_energy_slurp("/proc/sys/kernel/perf_event_paranoid", &b) == 0) {
        char *end;
        long v = strtol(jt_buf_str(&b), &end, 10);
        if (end != b.data && !*end) level = (int)v;
    }
    jt_buf_release(&b);
    return level;
}

static void perf_close(jt_energy_backend *b)
{
    perf_priv *p = b->priv;
    if (!p) return;
    for (size_t i = 0; i < p->n; i++) close(p->fd[i]);
    free(p);
    b->priv = NULL;
}

/* Parses and opens one event; adds it as a source. -1 with err. */
static int open_event(jt_energy_backend *b, perf_priv *p, const char *pmu, int type, int cpu,
                      size_t w, jt_err *err)
{
    jt_energy_perf_event ev;
    if (jt_energy_perf_parse_event(pmu, wanted[w].event, &ev, err)) return -1;
    struct perf_event_attr attr = {
        .type = (uint32_t)type,
        .size = sizeof attr,
        .config = ev.config,
    };
    int rc = -1;
    int fd = (int)syscall(SYS_perf_event_open, &attr, -1, cpu, -1, PERF_FLAG_FD_CLOEXEC);
    if (fd < 0) {
        int en = errno;
        if (en == EACCES || en == EPERM)
            jt_err_set(err, "perf_event_paranoid is %d; needs <= 0 or CAP_PERFMON (sysctl "
                            "kernel.perf_event_paranoid=0, or run as root)", paranoid_level());
        else
            jt_err_set(err, "perf_event_open(%s: type %d, config 0x%llx, CPU %d): %s",
                       wanted[w].event, type, (unsigned long long)ev.config, cpu, strerror(en));
        goto out;
    }
    char *where = jt_xasprintf("perf power/%s/ on CPU %d", wanted[w].event, cpu);
    char *units = jt_xasprintf("%.17g J per count (%s.scale), 64-bit, kernel-corrected "
                               "wrap and quirks", ev.scale, wanted[w].event);
    int idx = jt_energy_add_source(b, wanted[w].domain, 0, where, err);
    free(where);
    if (idx < 0) {
        close(fd);
        free(units);
        goto out;
    }
    p->fd[p->n++] = fd;
    jt_energy_set_domain(b, wanted[w].domain, ev.scale, units);
    free(units);
    rc = 0;
out:
    jt_energy_perf_event_release(&ev);
    return rc;
}

static int perf_open(jt_energy_backend *b, const jt_energy_opts *o, jt_err *err)
{
    const char *pmu = jt_energy_root(o->perf_root, "JOULETRACE_PERF_ROOT", DEFAULT_ROOT);
    int type, cpu;
    if (access(pmu, F_OK) != 0)
        return jt_err_set(err, "no RAPL power PMU (%s missing): this kernel or CPU has no perf "
                               "energy events (virtual machines expose none)", pmu);
    if (jt_energy_perf_parse_pmu(pmu, o->pkg0_cpus, o->n_pkg0, &type, &cpu, err)) return -1;
    perf_priv *p = jt_xcalloc(1, sizeof *p);
    b->priv = p;
    for (size_t w = 0; w < N_WANTED; w++) {
        jt_err e = JT_ERR_INIT;
        int rc = open_event(b, p, pmu, type, cpu, w, &e);
        /* the package is the point; a DRAM event that fails only disables DRAM */
        if (rc && wanted[w].required) {
            jt_err_set(err, "%s", jt_err_msg(&e));
            jt_err_clear(&e);
            perf_close(b);
            return -1;
        }
        if (rc) jt_energy_note(b, "DRAM disabled: %s", jt_err_msg(&e));
        jt_err_clear(&e);
    }
    jt_energy_powercap_limit(b, o); /* the kernel's RAPL limits, where powercap states them */
    return 0;
}

static void perf_read(jt_energy_backend *b, const jt_energy_input *in, uint64_t *raw, int *errs)
{
    (void)in;
    perf_priv *p = b->priv;
    for (size_t i = 0; i < p->n; i++) {
        ssize_t n;
        do n = read(p->fd[i], &raw[i], sizeof raw[i]);
        while (n < 0 && errno == EINTR);
        errs[i] = n == (ssize_t)sizeof raw[i] ? 0 : n < 0 ? errno : EIO;
    }
}

static int perf_probe(const jt_energy_opts *o, jt_err *why)
{
    return jt_energy_probe_by_open(&jt_energy_perf_ops, o, why);
}

const jt_energy_ops jt_energy_perf_ops = {
    .name = "perf",
    .kind = JT_ENERGY_PERF,
    .estimate = false,
    .has_edges = true,
    .probe = perf_probe,
    .open = perf_open,
    .read = perf_read,
    .close = perf_close,
};
