/* The candidate's cgroup as part of the sandbox value (sandbox.h): what
 * `status` prints, the warning a run gives without one, run.json's fields. */
#include <stdlib.h>
#include <string.h>

#include "exec/sandbox_priv.h"
#include "jouletrace/cgroup.h"
#include "jouletrace/common.h"

/* What lets a host limit candidates' swap (cgroup.h "Swap"). */
static const char swap_fix[] =
    "boot with swapaccount=1 on the kernel command line (the kernel must be built with "
    "CONFIG_MEMCG_SWAP), or turn swap off while measuring (swapoff -a)";

void jt_sandbox_cgroup_of_child_(const jt_child *c, jt_sandbox *sb)
{
    sb->isolation = jt_xstrdup(jt_child_isolation(c));
    const jt_cgroup *cg = jt_child_cgroup(c);
    const char *swap = cg ? jt_cgroup_swap(cg, &sb->cgroup_swap_limited) : NULL;
    if (swap) sb->cgroup_swap = jt_xstrdup(swap);
    if (!c->cgroup_why) return;
    sb->cgroup_why = jt_xstrdup(c->cgroup_why);
    sb->cgroup_fix = jt_xstrdup(jt_cgroup_fix(c->cgroup_why));
}

void jt_sandbox_cgroup_release_(jt_sandbox *sb)
{
    free(sb->isolation);
    free(sb->cgroup_why);
    free(sb->cgroup_fix);
    free(sb->cgroup_swap);
}

static bool swap_open(const jt_sandbox *sb)
{
    return !sb->cgroup_why && sb->cgroup_swap && !sb->cgroup_swap_limited;
}

char *jt_sandbox_cgroup_warning(const jt_sandbox *sb)
{
    if (swap_open(sb))
        return jt_xasprintf("candidates' memory may be swapped out: swap is %s; %s",
                            sb->cgroup_swap, swap_fix);
    if (!sb->cgroup_why) return NULL;
    return jt_xasprintf("no cgroup for candidates: memory_limit_mb holds per process only "
                        "(RLIMIT_AS), not for a tree of processes, and a candidate may leave its "
                        "CPU (%s); %s",
                        sb->cgroup_why, sb->cgroup_fix);
}

void jt_sandbox_cgroup_print_(const jt_sandbox *sb, FILE *f)
{
    if (!sb->isolation || !*sb->isolation) return;
    if (swap_open(sb)) {
        fprintf(f, "cgroup: %s (memory, pids and cpuset limits per candidate)\n"
                   "      swap: %s\n      fix: %s\n",
                sb->isolation, sb->cgroup_swap, swap_fix);
        return;
    }
    if (!sb->cgroup_why) {
        fprintf(f, "cgroup: %s (memory, pids and cpuset limits per candidate; swap: %s)\n",
                sb->isolation, sb->cgroup_swap ? sb->cgroup_swap : "no memory limit");
        return;
    }
    fprintf(f, "cgroup: NONE (rlimits only): memory_limit_mb holds per process, candidates may "
               "leave their CPU\n      why: %s\n      fix: %s\n",
            sb->cgroup_why, sb->cgroup_fix);
}

json_t *jt_sandbox_cgroup_json_(const jt_sandbox *sb, json_t *o)
{
    if (!o || !sb->isolation) return o;
    json_object_set_new(o, "isolation", json_string(sb->isolation));
    if (sb->cgroup_swap) {
        json_object_set_new(o, "cgroup_swap", json_string(sb->cgroup_swap));
        json_object_set_new(o, "cgroup_swap_limited", json_boolean(sb->cgroup_swap_limited));
    }
    if (sb->cgroup_why) {
        json_object_set_new(o, "cgroup_why", json_string(sb->cgroup_why));
        json_object_set_new(o, "cgroup_fix", json_string(sb->cgroup_fix));
    }
    return o;
}
