/* The energy meter: the backend table, choosing a backend, and turning raw
 * counter values into cumulative joules that never go backwards and never
 * hide a lost wrap (see energy.h for the guarantees). The wrap guard and
 * edge alignment live in guard.c; backends in perf.c, powercap.c, msr.c and
 * model.c. */
#include "energy_internal.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "jouletrace/clock.h"

/* auto order: the kernel's perf PMU applies units, quirks and wrap itself;
 * powercap applies units; msr leaves everything to us; the model measures
 * nothing. One explicit table — no self-registration. */
static const jt_energy_ops *const backends[] = {
    &jt_energy_perf_ops,
    &jt_energy_powercap_ops,
    &jt_energy_msr_ops,
    &jt_energy_model_ops,
};
#define N_BACKENDS (sizeof backends / sizeof backends[0])

static const char *const kind_names[] = {
    [JT_ENERGY_AUTO] = "auto",   [JT_ENERGY_HARDWARE] = "hardware",
    [JT_ENERGY_PERF] = "perf",   [JT_ENERGY_POWERCAP] = "powercap",
    [JT_ENERGY_MSR] = "msr",     [JT_ENERGY_MODEL] = "model",
};
#define N_KINDS (sizeof kind_names / sizeof kind_names[0])

static const char *const domain_names[JT_ENERGY_NDOMAINS] = {"package", "dram"};

void jt_energy_opts_init(jt_energy_opts *o)
{
    *o = (jt_energy_opts){
        .cpu_family = -1,
        .cpu_model = -1,
        .cpu = -1,
        .model_idle_w = JT_ENERGY_MODEL_IDLE_W,
        .model_active_w = JT_ENERGY_MODEL_ACTIVE_W,
        .model_dram_w = JT_ENERGY_MODEL_DRAM_W,
    };
}

int jt_energy_kind_parse(const char *s, jt_energy_kind *out, jt_err *err)
{
    for (size_t i = 0; i < N_KINDS; i++) {
        if (!strcmp(s, kind_names[i])) {
            *out = (jt_energy_kind)i;
            return 0;
        }
    }
    const char *names[N_KINDS + 1];
    for (size_t i = 0; i < N_KINDS; i++) names[i] = kind_names[i];
    names[N_KINDS] = NULL;
    const char *near = jt_did_you_mean(s, names);
    return jt_err_set(err, "unknown backend '%s'%s%s%s (auto, hardware, perf, powercap, msr, model)",
                      s, near ? " (did you mean '" : "", near ? near : "", near ? "'?)" : "");
}

const char *jt_energy_kind_name(jt_energy_kind k)
{
    return (size_t)k < N_KINDS ? kind_names[k] : "?";
}

const char *jt_energy_domain_name(int domain)
{
    return domain >= 0 && domain < JT_ENERGY_NDOMAINS ? domain_names[domain] : "?";
}

static const jt_energy_ops *ops_for(jt_energy_kind k)
{
    for (size_t i = 0; i < N_BACKENDS; i++)
        if (backends[i]->kind == k) return backends[i];
    return NULL;
}

/* fio's check_engine_ops: a backend missing a hook is a programming error
 * we report instead of calling through NULL. */
static int check_ops(const jt_energy_ops *ops, jt_err *err)
{
    if (!ops->name || !ops->probe || !ops->open || !ops->read || !ops->close)
        return jt_err_set(err, "energy backend '%s' lacks a required hook",
                          ops->name ? ops->name : "?");
    return 0;
}

int jt_energy_probe(jt_energy_kind k, const jt_energy_opts *o, jt_err *why)
{
    const jt_energy_ops *ops = ops_for(k);
    if (!ops) return jt_err_set(why, "'%s' is a choice, not a backend", jt_energy_kind_name(k));
    if (check_ops(ops, why)) return -1;
    jt_energy_opts defaults;
    if (!o) {
        jt_energy_opts_init(&defaults);
        o = &defaults;
    }
    return ops->probe(o, why);
}

int jt_energy_probe_by_open(const jt_energy_ops *ops, const jt_energy_opts *o, jt_err *why)
{
    jt_energy_backend b = {.energy_filtering = -1};
    if (ops->open(&b, o, why)) {
        jt_energy_backend_release(&b);
        return -1;
    }
    ops->close(&b);
    jt_energy_backend_release(&b);
    return 0;
}

int jt_energy_add_source(jt_energy_backend *b, int domain, uint64_t modulus, const char *where,
                         jt_err *err)
{
    if (b->nsrc >= JT_ENERGY_MAX_SOURCES)
        return jt_err_set(err, "more than %d energy counters for package 0",
                          JT_ENERGY_MAX_SOURCES);
    b->src[b->nsrc] = (jt_energy_source){domain, modulus, jt_xstrdup(where)};
    return (int)b->nsrc++;
}

void jt_energy_set_domain(jt_energy_backend *b, int domain, double unit_joules,
                          const char *units)
{
    b->present[domain] = true;
    b->unit_joules[domain] = unit_joules;
    free(b->units[domain]);
    b->units[domain] = jt_xstrdup(units);
}

void jt_energy_note(jt_energy_backend *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *line = NULL;
    if (vasprintf(&line, fmt, ap) < 0) line = NULL;
    va_end(ap);
    if (!line) return;
    if (b->notes.len) jt_buf_addc(&b->notes, '\n');
    jt_buf_adds(&b->notes, line);
    free(line);
}

void jt_energy_backend_release(jt_energy_backend *b)
{
    for (size_t i = 0; i < b->nsrc; i++) free(b->src[i].where);
    for (int d = 0; d < JT_ENERGY_NDOMAINS; d++) free(b->units[d]);
    jt_buf_release(&b->notes);
    *b = (jt_energy_backend){.energy_filtering = -1};
}

/* The bound of each domain and where it comes from (energy.h
 * jt_energy_power_ceiling): --max-power-watts, else the hardware's stated
 * limit, else the default. */
static void set_bounds(jt_energy_meter *m, double option_w)
{
    for (int d = 0; d < JT_ENERGY_NDOMAINS; d++) {
        double hw = m->b.power_ceiling_w[d];
        if (option_w > 0) {
            m->bound_w[d] = option_w;
            m->bound_from[d] = "set by --max-power-watts";
        } else if (hw > 0) {
            m->bound_w[d] = hw;
            m->bound_from[d] = m->b.power_ceiling_from[d] ? m->b.power_ceiling_from[d]
                                                          : "the hardware's stated limit";
        } else {
            m->bound_w[d] = JT_ENERGY_MAX_POWER_W;
            m->bound_from[d] = "the default bound, the hardware states none; set "
                               "--max-power-watts to the part's maximum";
        }
    }
}

/* Builds what status and reports show for each domain, and each source's
 * conservative wrap period (its whole range at its domain's bound). */
static void describe(jt_energy_meter *m)
{
    jt_energy_backend *b = &m->b;
    for (int d = 0; d < JT_ENERGY_NDOMAINS; d++) {
        if (!b->present[d]) continue;
        jt_buf w = JT_BUF_INIT;
        double wrap = 0;
        for (size_t i = 0; i < b->nsrc; i++) {
            if (b->src[i].domain != d) continue;
            if (w.len) jt_buf_adds(&w, " + ");
            jt_buf_adds(&w, b->src[i].where);
            if (b->src[i].modulus) {
                double wj = (double)b->src[i].modulus * b->unit_joules[d];
                if (wrap == 0 || wj < wrap) wrap = wj;
            }
        }
        m->where[d] = jt_buf_detach(&w);
        m->info[d] = (jt_energy_domain_info){
            .name = domain_names[d],
            .unit_joules = b->unit_joules[d],
            .units = b->units[d] ? b->units[d] : "",
            .where = m->where[d],
            .wrap_joules = wrap,
        };
    }
    for (size_t i = 0; i < b->nsrc; i++) {
        const jt_energy_source *s = &b->src[i];
        m->st[i].wrap_s = s->modulus ? (double)s->modulus * b->unit_joules[s->domain] /
                                           m->bound_w[s->domain]
                                     : 0;
    }
}

double jt_energy_power_ceiling(const jt_energy_meter *m, int domain)
{
    return domain >= 0 && domain < JT_ENERGY_NDOMAINS ? m->bound_w[domain] : JT_ENERGY_MAX_POWER_W;
}

const char *jt_energy_power_ceiling_from(const jt_energy_meter *m, int domain)
{
    return domain >= 0 && domain < JT_ENERGY_NDOMAINS ? m->bound_from[domain] : "";
}

double jt_energy_shortest_wrap(const jt_energy_meter *m)
{
    double shortest = 0;
    for (size_t i = 0; i < m->b.nsrc; i++)
        if (m->st[i].wrap_s > 0 && (shortest == 0 || m->st[i].wrap_s < shortest))
            shortest = m->st[i].wrap_s;
    return shortest;
}

static int open_one(const jt_energy_ops *ops, const jt_energy_opts *o, jt_energy_meter **out,
                    jt_err *err)
{
    int rc = -1;
    jt_energy_meter *m = jt_xcalloc(1, sizeof *m);
    m->ops = ops;
    m->b.energy_filtering = -1;
    pthread_mutex_init(&m->lock, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC); /* the guard's deadlines */
    pthread_cond_init(&m->cond, &ca);
    pthread_condattr_destroy(&ca);
    if (check_ops(ops, err)) goto out;
    if (ops->open(&m->b, o, err)) goto out;
    m->opened = true;
    if (!m->b.present[JT_ENERGY_PACKAGE]) {
        jt_err_set(err, "%s: no package-0 energy counter", ops->name);
        goto out;
    }
    set_bounds(m, o->max_power_w);
    describe(m);
    /* The origin: every source's first value. A failure here means the
     * backend cannot deliver what its probe promised. */
    jt_energy_sample s = {0};
    if (jt_energy_read(m, &s, err)) {
        jt_err_prefix(err, "%s: first read", ops->name);
        goto out;
    }
    rc = 0;
out:
    if (rc) {
        jt_energy_close(m);
        m = NULL;
    }
    *out = m;
    return rc;
}

int jt_energy_open(jt_energy_kind k, const jt_energy_opts *o, jt_energy_meter **out,
                   jt_err *err)
{
    jt_energy_opts defaults;
    if (!o) {
        jt_energy_opts_init(&defaults);
        o = &defaults;
    }
    *out = NULL;
    if (k != JT_ENERGY_AUTO && k != JT_ENERGY_HARDWARE) {
        const jt_energy_ops *ops = ops_for(k);
        if (!ops) return jt_err_set(err, "no backend '%s'", jt_energy_kind_name(k));
        return open_one(ops, o, out, err);
    }
    /* auto/hardware: the first hardware backend that opens; every reason is
     * kept, because "why not perf?" is the question users ask next. */
    jt_buf why = JT_BUF_INIT;
    int rc = -1;
    for (size_t i = 0; i < N_BACKENDS; i++) {
        if (backends[i]->estimate) continue;
        jt_err e = JT_ERR_INIT;
        if (open_one(backends[i], o, out, &e) == 0) {
            jt_err_clear(&e);
            rc = 0;
            goto done;
        }
        jt_buf_addf(&why, "%s%s: %s", why.len ? "; " : "", backends[i]->name, jt_err_msg(&e));
        jt_err_clear(&e);
    }
    if (k == JT_ENERGY_HARDWARE) {
        jt_err_set(err, "no usable energy counters (%s)", jt_buf_str(&why));
        goto done;
    }
    if (open_one(&jt_energy_model_ops, o, out, err)) goto done;
    (*out)->fallback = jt_buf_detach(&why);
    rc = 0;
done:
    jt_buf_release(&why);
    return rc;
}

int jt_energy_open_ops(const jt_energy_ops *ops, const jt_energy_opts *o, jt_energy_meter **out,
                       jt_err *err)
{
    jt_energy_opts defaults;
    if (!o) {
        jt_energy_opts_init(&defaults);
        o = &defaults;
    }
    *out = NULL;
    return open_one(ops, o, out, err);
}

void jt_energy_close(jt_energy_meter *m)
{
    if (!m) return;
    jt_energy_guard_stop(m);
    if (m->opened) m->ops->close(&m->b);
    jt_energy_backend_release(&m->b);
    for (int d = 0; d < JT_ENERGY_NDOMAINS; d++) free(m->where[d]);
    free(m->fallback);
    pthread_cond_destroy(&m->cond);
    pthread_mutex_destroy(&m->lock);
    free(m);
}

const char *jt_energy_source_name(const jt_energy_meter *m) { return m->ops->name; }
jt_energy_kind jt_energy_source_kind(const jt_energy_meter *m) { return m->ops->kind; }
bool jt_energy_is_estimate(const jt_energy_meter *m) { return m->ops->estimate; }
const char *jt_energy_fallback_reason(const jt_energy_meter *m) { return m->fallback; }
const char *jt_energy_notes(const jt_energy_meter *m) { return jt_buf_str(&m->b.notes); }
int jt_energy_filtering(const jt_energy_meter *m) { return m->b.energy_filtering; }

const jt_energy_domain_info *jt_energy_domain(const jt_energy_meter *m, int domain)
{
    if (domain < 0 || domain >= JT_ENERGY_NDOMAINS || !m->b.present[domain]) return NULL;
    return &m->info[domain];
}

/* One source's new raw value against its last good one. Returns NULL when
 * the value extends the cumulative count, else why it cannot; *broken says
 * whether continuity is lost (the value becomes the new origin) rather than
 * the read merely being unusable. */
static const char *advance(jt_energy_meter *m, size_t i, uint64_t raw, double t, bool *broken,
                           char *buf, size_t len)
{
    struct jt_energy_src_state *st = &m->st[i];
    const jt_energy_source *s = &m->b.src[i];
    double unit = m->b.unit_joules[s->domain];
    *broken = false;
    if (s->modulus && raw >= s->modulus) return "value above the counter's range";
    if (!st->have_prev) {
        st->prev = raw;
        st->t_prev = t;
        st->have_prev = true;
        return NULL;
    }
    double elapsed = t - st->t_prev;
    uint64_t delta;
    bool wrapped = false;
    const char *why = NULL;
    if (raw >= st->prev) {
        delta = raw - st->prev;
    } else if (s->modulus) {
        delta = s->modulus - st->prev + raw;
        wrapped = true;
    } else {
        why = "counter went backwards and has no known range";
        goto broken;
    }
    /* Longer than the fastest possible wrap: any number of wraps may hide
     * in the gap (likwid#646 lost 262 144 J that way). */
    if (st->wrap_s > 0 && elapsed > st->wrap_s) {
        snprintf(buf, len, "gap between reads of %.3g s, longer than the counter's wrap period "
                 "(%.3g s: its range of %.4g J at %.4g W, %s)", elapsed, st->wrap_s,
                 (double)s->modulus * unit, m->bound_w[s->domain], m->bound_from[s->domain]);
        why = buf;
        goto broken;
    }
    /* A jump no real part can make (Scaphandre#147's 53 kW came from a diff
     * against a failed read). Counters step about every 1 ms, so a 10 ms
     * floor keeps two close reads across one step from looking fast. The
     * model is exempt: its CPU-time input has an arbitrary origin. */
    if (!m->ops->estimate &&
        (double)delta * unit > jt_energy_power_ceiling(m, s->domain) * fmax(elapsed, 0.01)) {
        snprintf(buf, len, "implausible jump: %.4g W over %.3g s, above the bound of %.4g W (%s)",
                 (double)delta * unit / fmax(elapsed, 0.01), elapsed, m->bound_w[s->domain],
                 m->bound_from[s->domain]);
        why = buf;
        goto broken;
    }
    st->acc += delta;
    st->wraps += wrapped;
    st->prev = raw;
    st->t_prev = t;
    return NULL;
broken:
    *broken = true;
    st->breaks++;
    st->prev = raw;
    st->t_prev = t;
    return why;
}

int jt_energy_read_locked(jt_energy_meter *m, jt_energy_sample *s, jt_buf *why)
{
    uint64_t raw[JT_ENERGY_MAX_SOURCES] = {0};
    int errs[JT_ENERGY_MAX_SOURCES] = {0};
    double t0 = jt_monotonic_s();
    jt_energy_input in = {.t = t0, .cpu_seconds = s->cpu_seconds};
    m->ops->read(&m->b, &in, raw, errs);
    /* A hardware read is stamped at its midpoint; the model computed its
     * value at exactly in.t, so that is its time. */
    double t = m->ops->estimate ? t0 : (t0 + jt_monotonic_s()) / 2;
    s->t = t;
    s->edge = false;
    bool ok[JT_ENERGY_NDOMAINS];
    for (int d = 0; d < JT_ENERGY_NDOMAINS; d++) {
        ok[d] = m->b.present[d];
        s->counts[d] = s->breaks[d] = s->wraps[d] = 0;
    }
    for (size_t i = 0; i < m->b.nsrc; i++) {
        int d = m->b.src[i].domain;
        const char *bad = NULL;
        bool broken = false;
        char reason[320];
        if (errs[i]) {
            bad = errs[i] == EIO ? "register not available (EIO)" : strerror(errs[i]);
        } else {
            bad = advance(m, i, raw[i], t, &broken, reason, sizeof reason);
        }
        if (bad) {
            ok[d] = false;
            jt_buf_addf(why, "%s%s: %s: %s%s", why->len ? "; " : "", domain_names[d],
                        m->b.src[i].where, bad, broken ? " (sample rejected)" : "");
        }
        s->counts[d] += m->st[i].acc;
        s->breaks[d] += m->st[i].breaks;
        s->wraps[d] += m->st[i].wraps;
    }
    int rc = 0;
    for (int d = 0; d < JT_ENERGY_NDOMAINS; d++) {
        s->valid[d] = ok[d];
        s->joules[d] = (double)s->counts[d] * m->b.unit_joules[d];
        if (m->b.present[d] && !ok[d]) rc = -1;
    }
    return rc;
}

int jt_energy_read(jt_energy_meter *m, jt_energy_sample *s, jt_err *err)
{
    jt_buf why = JT_BUF_INIT;
    pthread_mutex_lock(&m->lock);
    int rc = jt_energy_read_locked(m, s, &why);
    pthread_mutex_unlock(&m->lock);
    if (rc) jt_err_set(err, "%s: %s", m->ops->name, jt_buf_str(&why));
    jt_buf_release(&why);
    return rc;
}

int jt_energy_diff(const jt_energy_sample *a, const jt_energy_sample *b, jt_energy_delta *d,
                   jt_err *err)
{
    *d = (jt_energy_delta){.seconds = b->t - a->t};
    for (int i = 0; i < JT_ENERGY_NDOMAINS; i++) {
        d->valid[i] = a->valid[i] && b->valid[i] && a->breaks[i] == b->breaks[i] &&
                      b->counts[i] >= a->counts[i] && b->t >= a->t;
        if (d->valid[i]) d->joules[i] = b->joules[i] - a->joules[i];
    }
    if (d->valid[JT_ENERGY_PACKAGE]) return 0;
    if (!a->valid[JT_ENERGY_PACKAGE] || !b->valid[JT_ENERGY_PACKAGE])
        return jt_err_set(err, "package energy: a window edge has no valid read");
    if (a->breaks[JT_ENERGY_PACKAGE] != b->breaks[JT_ENERGY_PACKAGE])
        return jt_err_set(err, "package energy: counter continuity lost inside the window "
                               "(see the read errors); repeat the trial");
    return jt_err_set(err, "package energy: samples out of order");
}
