/* Private to harness/energy: the meter's state, shared by energy.c (reads,
 * wrap correction) and guard.c (wrap guard, edge alignment). */
#ifndef JT_ENERGY_INTERNAL_H
#define JT_ENERGY_INTERNAL_H

#include <pthread.h>

#include "jouletrace/energy.h"
#include "jouletrace/energy_backend.h"

struct jt_energy_src_state {
    uint64_t prev;  /* last good raw value */
    double t_prev;  /* when it was read */
    bool have_prev;
    uint64_t acc;   /* counts accumulated since open, wrap-corrected */
    uint64_t breaks, wraps;
    double wrap_s;  /* fastest possible wrap: range at its domain's bound; 0 = never */
};

struct jt_energy_meter {
    const jt_energy_ops *ops;
    jt_energy_backend b;
    bool opened;                   /* ops->close owed */
    double bound_w[JT_ENERGY_NDOMAINS];         /* jt_energy_power_ceiling */
    const char *bound_from[JT_ENERGY_NDOMAINS]; /* static text: where it comes from */
    pthread_mutex_t lock;          /* guards st[] and the backend's read */
    struct jt_energy_src_state st[JT_ENERGY_MAX_SOURCES];
    jt_energy_domain_info info[JT_ENERGY_NDOMAINS];
    char *where[JT_ENERGY_NDOMAINS];
    char *fallback;                /* why auto chose the model */
    /* wrap guard (guard.c); guard_stop and guard_failures under lock */
    pthread_cond_t cond;
    pthread_t guard;
    bool guard_running, guard_stop;
    int guard_cpu;
    uint64_t guard_failures;
};

/* jt_energy_read with m->lock held; reasons appended to why. */
int jt_energy_read_locked(jt_energy_meter *m, jt_energy_sample *s, jt_buf *why);

#endif
