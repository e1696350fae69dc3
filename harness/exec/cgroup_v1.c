/* cgroup: the v1 layout (cgroup.h), one leaf per controller hierarchy. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "exec/cgroup_priv.h"

/* How long a freeze may take before the kills go ahead anyway. */
#define FREEZE_ROUNDS 200
#define FREEZE_WAIT_NS 5000000L

static int set(const jt_cgroup *cg, int c, const char *file, const char *text, bool optional,
               jt_err *err)
{
    if (jt_cgroup_write_(cg->dir[c], file, text, cg->fake) == 0 || (optional && errno == ENOENT))
        return 0;
    return jt_err_set(err, "write %s to '%s/%s': %s", text, cg->dir[c], file, strerror(errno));
}

/* The parent's value of a cpuset file, without its newline ("0-3"). */
static char *parent_value(const char *base, const char *file)
{
    char *v = jt_cgroup_read_(base, file, NULL);
    if (v) v[strcspn(v, "\n")] = '\0';
    return v;
}

int jt_cgroup_v1_create_(jt_cgroup *cg, char *const bases[CG_COUNT], const jt_cgroup_spec *s,
                         jt_err *err)
{
    cg->version = JT_CGROUP_V1;
    for (int c = 0; c < CG_COUNT; c++) {
        for (int d = 0; d < c && !cg->dir[c]; d++) /* co-mounted (cpu,cpuacct): one leaf */
            if (!strcmp(bases[d], bases[c])) cg->dir[c] = jt_xstrdup(cg->dir[d]);
        if (cg->dir[c]) continue;
        cg->dir[c] = jt_cgroup_make_leaf_(bases[c], err);
        if (!cg->dir[c]) return jt_err_prefix(err, "cgroup v1 %s", jt_cgroup_v1_names_[c]);
        cg->made[c] = true;
    }
    /* cpuset first: v1 refuses tasks in a cpuset without CPUs and nodes */
    char num[32];
    char *cpus = NULL, *mems = jt_cgroup_node_of_(s->node_root, s->cpu);
    if (s->cpu >= 0) cpus = jt_xasprintf("%d", s->cpu);
    else cpus = parent_value(bases[CG_CPUSET], "cpuset.cpus");
    if (!mems) mems = parent_value(bases[CG_CPUSET], "cpuset.mems");
    int rc = set(cg, CG_CPUSET, "cpuset.cpus", cpus ? cpus : "0", false, err);
    if (rc == 0) rc = set(cg, CG_CPUSET, "cpuset.mems", mems && *mems ? mems : "0", false, err);
    free(cpus);
    free(mems);
    if (rc == 0 && s->memory_mb > 0) {
        snprintf(num, sizeof num, "%lld", (long long)s->memory_mb << 20);
        rc = set(cg, CG_MEMORY, "memory.limit_in_bytes", num, false, err);
        /* memory + swap at the same figure: no swap. Without swap accounting
         * (swapaccount=0, no CONFIG_MEMCG_SWAP) there is no such file; then
         * swappiness 0 stops reclaim at the candidate's own limit from
         * swapping its pages (the host's pressure still may). */
        bool memsw = jt_cgroup_offers_(cg, bases[CG_MEMORY], cg->dir[CG_MEMORY],
                                       "memory.memsw.limit_in_bytes");
        if (rc == 0 && memsw) rc = set(cg, CG_MEMORY, "memory.memsw.limit_in_bytes", num, false, err);
        if (rc == 0 && !memsw &&
            jt_cgroup_offers_(cg, bases[CG_MEMORY], cg->dir[CG_MEMORY], "memory.swappiness"))
            rc = set(cg, CG_MEMORY, "memory.swappiness", "0", false, err);
        if (rc == 0)
            jt_cgroup_swap_settle_(cg, memsw ? "memory.memsw.limit_in_bytes = the memory limit" : NULL,
                                   "the kernel does not account swap (no "
                                   "memory.memsw.limit_in_bytes): memory.swappiness 0 keeps the "
                                   "candidate's pages out of swap at its own limit, not under the "
                                   "host's memory pressure",
                                   s->swaps);
    }
    snprintf(num, sizeof num, "%ld", s->pids_max);
    if (rc == 0 && s->pids_max > 0) rc = set(cg, CG_PIDS, "pids.max", num, false, err);
    if (rc != 0) jt_err_prefix(err, "cgroup v1");
    return rc;
}

static bool frozen(const char *dir)
{
    char *state = jt_cgroup_read_(dir, "freezer.state", NULL);
    bool yes = state && !strncmp(state, "FROZEN", 6);
    free(state);
    return yes;
}

/* Frozen tasks cannot fork while they are being killed; SIGKILL is
 * delivered once they are thawed. */
void jt_cgroup_v1_kill_(jt_cgroup *cg)
{
    const char *fz = cg->dir[CG_FREEZER];
    if (!fz) return;
    bool can_freeze = jt_cgroup_write_(fz, "freezer.state", "FROZEN", cg->fake) == 0;
    for (int round = 0; can_freeze && !cg->fake && round < FREEZE_ROUNDS && !frozen(fz);
         round++) {
        struct timespec ts = {0, FREEZE_WAIT_NS};
        nanosleep(&ts, NULL);
    }
    jt_cgroup_kill_listed_(fz);
    if (can_freeze) jt_cgroup_write_(fz, "freezer.state", "THAWED", cg->fake);
    /* without a freezer, or tasks that were mid-fork: until none is listed */
    for (int round = 0; round < FREEZE_ROUNDS && jt_cgroup_kill_listed_(fz) > 0; round++) {
        struct timespec ts = {0, FREEZE_WAIT_NS};
        nanosleep(&ts, NULL);
    }
}
