/* Shared by cpuacct.c (the API and the cgroup method) and cpuacct_proc.c
 * (the /proc walk); not part of the public API (cpuacct.h). */
#ifndef JT_EXEC_CPUACCT_PRIV_H
#define JT_EXEC_CPUACCT_PRIV_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "jouletrace/common.h"
#include "jouletrace/cpuacct.h"

/* One task of a /proc walk (a thread group: /proc lists leaders only). */
typedef struct jt_cpuacct_task_ {
    pid_t pid, ppid, pgrp, sid;
    unsigned long long start; /* start time in ticks since boot: with pid, its identity */
    uint64_t self_ns;         /* the thread group's own CPU */
    uint64_t reaped_ns;       /* cutime + cstime: its reaped descendants' */
    bool member;
} jt_cpuacct_task_;

typedef struct jt_cpuacct_snap_ {
    jt_cpuacct_task_ *t;
    size_t n, cap;
} jt_cpuacct_snap_;

struct jt_cpuacct {
    jt_cpuacct_method method;
    pid_t pid;
    bool namespaced;
    const struct jt_cgroup *cg; /* the child's own cgroup (borrowed), or NULL */
    char *cgroup;      /* cgroup: its directory */
    bool own_cgroup;   /* we created it (and remove it) */
    char *why;         /* why proc applies */
    uint64_t mark_usec;
    /* proc */
    dev_t ns_dev, self_ns_dev;
    ino_t ns_ino, self_ns_ino; /* the child's PID namespace, and ours */
    jt_cpuacct_snap_ mark;     /* members at the mark */
    jt_cpuacct_snap_ known;    /* members of the last walk (identities that stay members) */
};

int jt_cpuacct_proc_init_(jt_cpuacct *a, jt_err *err);
int jt_cpuacct_proc_mark_(jt_cpuacct *a, jt_err *err);
int jt_cpuacct_proc_since_(jt_cpuacct *a, uint64_t *ns, jt_err *err);
void jt_cpuacct_proc_release_(jt_cpuacct *a);

#endif
