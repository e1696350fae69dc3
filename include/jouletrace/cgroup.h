/* cgroup — one control group per candidate, on cgroup v2 or v1
 * (docs/design.md "Sandbox").
 *
 *   jt_cgroup *cg;
 *   jt_cgroup_create(&(jt_cgroup_spec){.memory_mb = 400, .pids_max = 64, .cpu = 1}, &cg, &err);
 *   n = jt_cgroup_join_fds(cg, fds, JT_CGROUP_MAX_DIRS, &err);  before cloning
 *   ... the child writes "0" to each fd before it execs: it and every
 *       process it forks are members, and only root can move them out ...
 *   jt_cgroup_cpu_usec / jt_cgroup_peak_bytes / jt_cgroup_oom_kills
 *   jt_cgroup_destroy(cg);    kills every member, removes the directories
 *
 * v2 (one hierarchy with the memory, pids and cpuset controllers): the
 * leaf <our cgroup>/jouletrace-<harness pid>-<n> gets memory.max,
 * memory.swap.max 0, pids.max, cpuset.cpus (the measurement CPU) and
 * cpuset.mems (that CPU's NUMA node); the controllers are enabled in our
 * cgroup's cgroup.subtree_control first, after moving the harness itself into
 * a leaf <our cgroup>/jouletrace-harness-<pid> when our cgroup holds processes
 * (v2 allows processes only in leaves, as BenchExec's cgroupsv2.py does).
 * CPU from cpu.stat usage_usec, peak from memory.peak, OOM kills from
 * memory.events oom_kill, teardown by cgroup.kill.
 * v1 (one hierarchy per controller): the same leaf name in each of memory,
 * pids, cpuset, cpuacct and freezer, below our cgroup of that controller;
 * memory.limit_in_bytes and memory.memsw.limit_in_bytes (when the kernel
 * accounts swap: the same value, so no swap), pids.max, cpuset.cpus/.mems
 * (before any task joins, as v1 requires); CPU from cpuacct.usage, peak from
 * memory.max_usage_in_bytes, OOM kills from memory.oom_control oom_kill;
 * teardown freezes the group (freezer.state FROZEN), SIGKILLs every member,
 * thaws it.
 * Swap: where the kernel does not account it (no memory.swap.max, no
 * memsw; swapaccount=0 or a kernel without CONFIG_MEMCG_SWAP) no swap limit
 * can be set; v1 sets memory.swappiness 0 instead, and jt_cgroup_swap says
 * so honestly (harmless when the host has no swap space at all).
 * v2 is used when its hierarchy offers memory, pids and cpuset, else v1 when
 * its five controllers are mounted, else jt_cgroup_create fails and err says
 * why (jt_cgroup_fix: what to do). A hybrid host (a cgroup2 tree without
 * controllers beside v1 ones, systemd's "hybrid" mode) is told by the v1
 * controller that is missing, not by the v2 tree's empty list.
 *
 * spec.root names a fake tree for tests (as the energy backends take a fake
 * sysfs): with v2 set it is our v2 cgroup directory itself, with v1 it holds
 * one directory per v1 controller (ROOT/memory, ...), each our cgroup there,
 * and with ANY it is a hybrid host's: ROOT/unified (v2) and the v1
 * controllers' directories that exist. Files the code writes are created
 * when missing; an optional file (memory.swap.max, memory.memsw.*,
 * memory.swappiness) is written only where the base cgroup has it, as a
 * kernel offers it in every cgroup or in none. NULL: the host's own,
 * from /proc/self/mountinfo and /proc/self/cgroup.
 *
 * Ownership: the jt_cgroup is the caller's (jt_cgroup_destroy frees it, NULL
 * is fine); the spec is borrowed during jt_cgroup_create. Fds from
 * jt_cgroup_join_fds are the caller's. Not thread-safe. */
#ifndef JOULETRACE_CGROUP_H
#define JOULETRACE_CGROUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "jouletrace/common.h"

/* v1: memory, pids, cpuset, cpuacct, freezer. */
#define JT_CGROUP_MAX_DIRS 5

typedef enum jt_cgroup_version {
    JT_CGROUP_ANY = 0, /* v2 when usable, else v1 */
    JT_CGROUP_V2,
    JT_CGROUP_V1,
} jt_cgroup_version;

typedef struct jt_cgroup_spec {
    long memory_mb;            /* memory limit; 0 = none */
    long pids_max;             /* 0 = none */
    int cpu;                   /* the only CPU; -1 = the parent's CPUs */
    const char *root;          /* a fake tree (tests), or NULL: the host's */
    jt_cgroup_version version; /* with root: which layout it has */
    const char *node_root;     /* NUMA nodes; NULL: /sys/devices/system/node */
    const char *swaps;         /* the host's swap list; NULL: /proc/swaps */
} jt_cgroup_spec;

typedef struct jt_cgroup jt_cgroup;

/* Makes the candidate's cgroup with the spec's limits. 0, or -1 with err
 * saying why (not root, no hierarchy, a controller missing, a write refused);
 * nothing is left behind then. */
int jt_cgroup_create(const jt_cgroup_spec *spec, jt_cgroup **out, jt_err *err);

/* Opens (O_WRONLY, O_CLOEXEC) each of its cgroup.procs files into fds (at
 * most max); a process that writes "0" to every one is a member. The count,
 * or -1 with err. */
int jt_cgroup_join_fds(const jt_cgroup *cg, int *fds, size_t max, jt_err *err);

/* Moves process `pid` (whole thread group) in. 0 or -1 with err. */
int jt_cgroup_add(const jt_cgroup *cg, long pid, jt_err *err);

/* CPU time of every task that ran in it, in microseconds. */
int jt_cgroup_cpu_usec(const jt_cgroup *cg, uint64_t *usec, jt_err *err);
/* The highest memory use its members reached together, in bytes. */
int jt_cgroup_peak_bytes(const jt_cgroup *cg, uint64_t *bytes, jt_err *err);
/* How many of its members the OOM killer killed at its memory limit. */
int jt_cgroup_oom_kills(const jt_cgroup *cg, uint64_t *kills, jt_err *err);

/* A control file of it, whole (caller frees): v1 reads it in the hierarchy
 * of the file's controller ("pids.max": pids). NULL with err. */
char *jt_cgroup_read(const jt_cgroup *cg, const char *file, jt_err *err);

/* How swap is kept from the candidate, for status and run.json: e.g.
 * "memory.swap.max = 0", "none: the host has no swap space (...)" or
 * "NOT limited: the kernel does not account swap (...)"; NULL without a
 * memory limit. *limited (may be NULL): false only in the last case. */
const char *jt_cgroup_swap(const jt_cgroup *cg, bool *limited);

/* "cgroup-v2" or "cgroup-v1". */
const char *jt_cgroup_kind(const jt_cgroup *cg);
/* Its directory (v1: the memory controller's). */
const char *jt_cgroup_dir(const jt_cgroup *cg);

/* SIGKILLs every member (cgroup.kill; v1 freeze, kill, thaw). */
void jt_cgroup_kill(jt_cgroup *cg);
/* Kills every member, removes its directories (waiting for the kills to be
 * delivered), frees. */
void jt_cgroup_destroy(jt_cgroup *cg);

/* What to do about a jt_cgroup_create error message `why`. */
const char *jt_cgroup_fix(const char *why);

#endif
