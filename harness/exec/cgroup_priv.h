/* Shared by cgroup.c (the API, v2, the host's hierarchies) and cgroup_v1.c;
 * not part of the public API (cgroup.h). */
#ifndef JT_EXEC_CGROUP_PRIV_H
#define JT_EXEC_CGROUP_PRIV_H

#include <stdbool.h>
#include <stdint.h>

#include "jouletrace/cgroup.h"

/* The v1 controllers, in the order of jt_cgroup.dir. */
enum { CG_MEMORY, CG_PIDS, CG_CPUSET, CG_CPUACCT, CG_FREEZER, CG_COUNT };
extern const char *const jt_cgroup_v1_names_[CG_COUNT];

struct jt_cgroup {
    jt_cgroup_version version;
    bool fake;                   /* spec.root: create control files when missing */
    char *dir[JT_CGROUP_MAX_DIRS]; /* v2: dir[0]; v1: by controller (shared when co-mounted) */
    bool made[JT_CGROUP_MAX_DIRS]; /* we mkdir'ed dir[i] (and remove it); false for a duplicate */
    char *swap;        /* how swap is kept out (cgroup.h jt_cgroup_swap), NULL: no memory limit */
    bool swap_limited; /* false: the candidate's memory can be swapped out */
};

/* Writes `text` to DIR/FILE; -1 with errno. `create`: a fake tree's file. */
int jt_cgroup_write_(const char *dir, const char *file, const char *text, bool create);
/* Reads DIR/FILE whole (caller frees); NULL with err. */
char *jt_cgroup_read_(const char *dir, const char *file, jt_err *err);
/* The number after "KEY " on a line of DIR/FILE; -1 with err. */
int jt_cgroup_keyed_(const char *dir, const char *file, const char *key, uint64_t *v, jt_err *err);
/* The first line of DIR/FILE as a number. */
int jt_cgroup_number_(const char *dir, const char *file, uint64_t *v, jt_err *err);
/* mkdir BASE/jouletrace-<our pid>-<n> for the first free n (after removing
 * dead harnesses' empty leaves); the path or NULL with err. */
char *jt_cgroup_make_leaf_(const char *base, jt_err *err);
/* rmdir, waiting while its killed tasks are still leaving (EBUSY). */
void jt_cgroup_rmdir_(const char *dir);
/* The NUMA node of `cpu` ("0"), from node_root; NULL when unknown. */
char *jt_cgroup_node_of_(const char *node_root, int cpu);
/* SIGKILLs every pid listed in DIR/cgroup.procs; how many were listed. */
int jt_cgroup_kill_listed_(const char *dir);

/* Whether the kernel offers the optional control file FILE in a leaf: the
 * leaf's own (the host's), or its base's (a fake tree: files the code
 * writes are created, so a fake kernel shows what it has in the base). */
bool jt_cgroup_offers_(const jt_cgroup *cg, const char *base, const char *leaf, const char *file);
/* Sets cg->swap once the memory limit is in place: `how` when the kernel
 * limits swap, else what holds without that (swaps_file: NULL = /proc/swaps). */
void jt_cgroup_swap_settle_(jt_cgroup *cg, const char *how, const char *without,
                            const char *swaps_file);

/* v1 (cgroup_v1.c): bases[i] is our cgroup of controller i. */
int jt_cgroup_v1_create_(jt_cgroup *cg, char *const bases[CG_COUNT], const jt_cgroup_spec *s,
                         jt_err *err);
void jt_cgroup_v1_kill_(jt_cgroup *cg);

#endif
