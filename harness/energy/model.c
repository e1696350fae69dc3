/* model backend: an ESTIMATE for hosts without energy counters (VMs, CI,
 * containers), never a measurement. It exists so the rest of the pipeline
 * runs everywhere; every output built on it says energy_source=model.
 *
 *   package = P_idle * wall + P_active * (CPU seconds of the measured child)
 *   dram    = P_dram * wall
 *
 * Default powers (jt_energy_opts, JT_ENERGY_MODEL_*), chosen as round,
 * typical numbers rather than any one part's:
 *   10 W idle package — a modern x86 server or desktop package with
 *      C-states enabled idles at roughly 5-20 W; a quiet measurement host
 *      sits near the low end.
 *   15 W per active core — package TDP (65-280 W) divided by its core count
 *      lands at 5-20 W per busy core at all-core turbo; single-core turbo,
 *      the case of one pinned child, is at the high end.
 *   2 W DRAM — a few DIMMs at light load draw 1-3 W each channel group;
 *      the model has no memory traffic input, so it stays flat.
 * Counts are nanojoules so the generic wrap/continuity code applies: the
 * count never wraps (modulus 0) and a child CPU time that goes backwards
 * is rejected like any backwards counter. */
#include "energy_internal.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>

#include "jouletrace/clock.h"

typedef struct model_priv {
    double idle_w, active_w, dram_w;
    double t0;
} model_priv;

static int model_open(jt_energy_backend *b, const jt_energy_opts *o, jt_err *err)
{
    const double w[3] = {o->model_idle_w, o->model_active_w, o->model_dram_w};
    for (int i = 0; i < 3; i++)
        if (!isfinite(w[i]) || w[i] < 0 || w[i] > 10000)
            return jt_err_set(err, "model: power %g W is not in [0, 10000]", w[i]);
    if (jt_energy_add_source(b, JT_ENERGY_PACKAGE, 0, "model: idle + active CPU time", err) < 0 ||
        jt_energy_add_source(b, JT_ENERGY_DRAM, 0, "model: constant", err) < 0)
        return -1;
    model_priv *p = jt_xcalloc(1, sizeof *p);
    *p = (model_priv){w[0], w[1], w[2], jt_monotonic_s()};
    b->priv = p;
    char *units = jt_xasprintf("model estimate, nJ: %.1f W idle + %.1f W per CPU-second of the "
                               "child", p->idle_w, p->active_w);
    jt_energy_set_domain(b, JT_ENERGY_PACKAGE, 1e-9, units);
    free(units);
    units = jt_xasprintf("model estimate, nJ: %.1f W constant", p->dram_w);
    jt_energy_set_domain(b, JT_ENERGY_DRAM, 1e-9, units);
    free(units);
    jt_energy_note(b, "model: an estimate, not a measurement (energy_source=model)");
    return 0;
}

static uint64_t nanojoules(double j)
{
    return j > 0 ? (uint64_t)llround(j * 1e9) : 0;
}

static void model_read(jt_energy_backend *b, const jt_energy_input *in, uint64_t *raw, int *errs)
{
    const model_priv *p = b->priv;
    double wall = in->t - p->t0;
    raw[0] = nanojoules(p->idle_w * wall + p->active_w * in->cpu_seconds);
    raw[1] = nanojoules(p->dram_w * wall);
    errs[0] = isfinite(in->cpu_seconds) && in->cpu_seconds >= 0 ? 0 : EINVAL;
    errs[1] = 0;
}

static void model_close(jt_energy_backend *b)
{
    free(b->priv);
    b->priv = NULL;
}

static int model_probe(const jt_energy_opts *o, jt_err *why)
{
    return jt_energy_probe_by_open(&jt_energy_model_ops, o, why);
}

const jt_energy_ops jt_energy_model_ops = {
    .name = "model",
    .kind = JT_ENERGY_MODEL,
    .estimate = true,
    .has_edges = false,
    .probe = model_probe,
    .open = model_open,
    .read = model_read,
    .close = model_close,
};
