/* Sandboxed child processes: the cgroup of each child and its descendants
 * (docs/design.md "Sandbox"; cgroup.h does the work). */
#include <stdlib.h>
#include <string.h>

#include "exec/child_priv.h"
#include "jouletrace/cgroup.h"

/* Set (non-empty) to do without the cgroup (tests): only ever weaker, and
 * itself the reason reported. */
#define NO_CGROUP_ENV "JOULETRACE_SANDBOX_NO_CGROUP"
/* As many tasks as RLIMIT_NPROC allows the sandbox user (child.c). */
#define PIDS_MAX 64
/* With the cgroup's memory limit in force, the address-space limit only
 * stops a runaway mapping: runtimes that reserve address space (JVMs, Go)
 * need far more of it than they ever touch. */
#define AS_BACKSTOP(bytes) ((bytes) * 4 > (bytes) + (1ULL << 30) ? (bytes) * 4 : (bytes) + (1ULL << 30))

size_t jt_child_cgroup_open_(jt_child *c, bool root, int *fds, size_t max,
                             unsigned long long *as_bytes)
{
    unsigned long long limit = c->memory_limit_mb > 0 ? (unsigned long long)c->memory_limit_mb << 20 : 0;
    *as_bytes = limit;
    jt_err err = JT_ERR_INIT;
    if (!root) jt_err_set(&err, "not root");
    else if (c->no_cgroup) jt_err_set(&err, "disabled");
    else if (getenv(NO_CGROUP_ENV) && *getenv(NO_CGROUP_ENV)) jt_err_set(&err, NO_CGROUP_ENV " is set");
    else if (jt_cgroup_create(&(jt_cgroup_spec){.memory_mb = c->memory_limit_mb,
                                                .pids_max = PIDS_MAX,
                                                .cpu = c->cpu},
                              &c->cgroup, &err) == 0) {
        int n = jt_cgroup_join_fds(c->cgroup, fds, max, &err);
        if (n < 0) {
            jt_cgroup_destroy(c->cgroup);
            c->cgroup = NULL;
        } else {
            bool swap_limited = true;
            jt_cgroup_swap(c->cgroup, &swap_limited);
            c->isolation = jt_xasprintf("%s%s", jt_cgroup_kind(c->cgroup),
                                        swap_limited ? "" : "; swap not limited");
            *as_bytes = AS_BACKSTOP(limit);
            return (size_t)n;
        }
    }
    c->cgroup_why = jt_xstrdup(jt_err_msg(&err));
    c->isolation = jt_xasprintf("rlimits: %s", c->cgroup_why);
    jt_err_clear(&err);
    return 0;
}

void jt_child_cgroup_reaped_(jt_child *c)
{
    if (!c->cgroup) return;
    uint64_t v = 0;
    if (jt_cgroup_peak_bytes(c->cgroup, &v, NULL) == 0) c->peak_memory_bytes = v;
    if (jt_cgroup_oom_kills(c->cgroup, &v, NULL) == 0) c->oom_kills = v;
    jt_cgroup_kill(c->cgroup); /* without namespaces: what left the process group */
}

void jt_child_cgroup_release_(jt_child *c)
{
    jt_cgroup_destroy(c->cgroup);
    c->cgroup = NULL;
    free(c->isolation);
    c->isolation = NULL;
    free(c->cgroup_why);
    c->cgroup_why = NULL;
}

const char *jt_child_isolation(const jt_child *c)
{
    return c->isolation ? c->isolation : "";
}

const struct jt_cgroup *jt_child_cgroup(const jt_child *c)
{
    return c->cgroup;
}

uint64_t jt_child_peak_memory(const jt_child *c)
{
    uint64_t v = 0;
    if (c->cgroup && c->pid > 0 && jt_cgroup_peak_bytes(c->cgroup, &v, NULL) == 0) return v;
    return c->peak_memory_bytes;
}

uint64_t jt_child_oom_kills(const jt_child *c)
{
    uint64_t v = 0;
    if (c->cgroup && c->pid > 0 && jt_cgroup_oom_kills(c->cgroup, &v, NULL) == 0) return v;
    return c->oom_kills;
}
