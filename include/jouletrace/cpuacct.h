/* cpuacct — the CPU time of a sandboxed child and ALL its descendants,
 * measured by the harness from outside (docs/design.md "Measurement"). The
 * child's own figures (getrusage, clocks inside its process) can be patched
 * by the code it runs and miss work forked to other processes; these cannot.
 *
 *   jt_cpuacct *a;
 *   jt_cpuacct_open(&(jt_cpuacct_target){.pid = pid, .namespaced = ns}, &a, &err);
 *   jt_cpuacct_mark(a, &err);             start of a window
 *   ... the child works ...
 *   jt_cpuacct_since_mark(a, &cpu, &err); CPU seconds of the whole tree since
 *   jt_cpuacct_free(a);                   after the child and its tree are reaped
 *
 * Two methods, the first that works:
 *
 * cgroup  The child is in a cgroup of its own and the harness reads that
 *         cgroup's CPU figure. First choice: the candidate's cgroup that
 *         jt_child made (target.cgroup, v2 cpu.stat or v1 cpuacct.usage).
 *         Else a cgroup v2 for accounting only: cpu.stat (usage_usec). Either the caller
 *         names an existing cgroup directory (target.cgroup_dir: the hook for
 *         an isolation layer that creates one per candidate) or, when the
 *         harness may (root, a writable cgroup2 mount — also the unnamed v2
 *         hierarchy of a cgroup-v1 host), jt_cpuacct_open creates
 *         <our v2 cgroup>/jouletrace-<harness pid>-<child pid> and moves the
 *         child there. That must happen before the child runs candidate code
 *         (pyrun opens it before sending the candidate): every process the
 *         candidate forks starts in it. COUNTED: user + system time of every
 *         task that ran in the cgroup, also after it exited, whoever reaped
 *         it or whether anyone did (auto-reaped children of a parent that
 *         ignores SIGCHLD, orphans, daemons that called setsid(), threads,
 *         nested PID namespaces). NOT COUNTED: the harness's own work; time a
 *         running task accrued since the scheduler last charged it (at most a
 *         tick, only for tasks running at the very moment of the read).
 *         Unprivileged code cannot leave the cgroup: its cgroup.procs files
 *         belong to root (and the private root has no /sys). jt_cpuacct_free
 *         kills whatever is left in a cgroup it created (cgroup.kill) and
 *         removes it; a harness killed by SIGKILL leaves an empty cgroup,
 *         which the next jt_cpuacct_open beside it removes (rmdir only).
 *
 * proc    Otherwise: every task of the child's tree, from the host's /proc,
 *         at each mark and sample. Members: with namespaces (the child is
 *         init of its own PID namespace, see child.c CLONE_NEWPID) every
 *         task whose PID namespace is the child's or nested below it; without
 *         them, the child's session and process group; in both cases every
 *         descendant by PPid of a member and every task already seen as a
 *         member (pid + start time), so a zombie or a task that changed its
 *         session stays one. A member's figure is its thread group's CPU
 *         (CLOCK_PROCESS_CPUTIME_ID, nanoseconds; all its threads, live and
 *         exited) plus cutime + cstime from /proc/PID/stat (clock ticks: what
 *         its reaped descendants used). A window's CPU is, per member seen at
 *         the sample, its figure less its figure at the mark (0 for a task
 *         born since), minus the mark-time figures of members that vanished
 *         (a waited-for task's whole life moves into its reaper's cutime; the
 *         subtraction is capped by the cutime/cstime growth actually seen, so
 *         it never removes more than arrived). COUNTED: waited-for
 *         descendants, also ones never seen alive (through their reaper's
 *         cutime), orphans in the namespace (PID 1 is a member), zombies,
 *         threads. NOT COUNTED, the documented gaps of this method: a
 *         descendant reaped by nobody (its parent ignores SIGCHLD or set
 *         SA_NOCLDWAIT) loses what it ran after the last sample that saw it
 *         (everything, when it lived between two samples); without
 *         namespaces an orphan reaped by a foreign init loses the same, and a
 *         descendant that setsid()s and is reparented away between two
 *         samples escapes (it also escapes the group kill, child.h). Clock
 *         ticks make the cutime part coarse (10 ms on most hosts); a task
 *         that exits while a sample walks /proc may be counted in neither or
 *         both of its own entry and its reaper's.
 * Neither method charges the child for other processes' work, and both are
 * monotonic: a window's figure is never negative.
 *
 * JOULETRACE_CPUACCT_NO_CGROUP (any non-empty value) forces the proc method
 * (tests, hosts where creating cgroups is unwelcome).
 *
 * Ownership: the target's strings are borrowed during jt_cpuacct_open only;
 * the jt_cpuacct is the caller's, freed with jt_cpuacct_free (NULL is fine).
 * Not thread-safe. */
#ifndef JOULETRACE_CPUACCT_H
#define JOULETRACE_CPUACCT_H

#include <stdbool.h>
#include <sys/types.h>

#include "jouletrace/common.h"

typedef enum jt_cpuacct_method {
    JT_CPUACCT_CGROUP = 0, /* cpu.stat of the child's own cgroup v2 */
    JT_CPUACCT_PROC,       /* the host's /proc, task by task */
} jt_cpuacct_method;

typedef struct jt_cpuacct_target {
    pid_t pid;              /* the child, in our PID namespace */
    bool namespaced;        /* it is init of its own PID namespace */
    const char *cgroup_dir; /* an existing cgroup v2 directory holding the child
                               (the caller's; never removed), or NULL */
    bool no_cgroup;         /* do not create a cgroup: proc unless cgroup_dir */
    const struct jt_cgroup *cgroup; /* the child's cgroup (cgroup.h, v1 or v2; borrowed
                                       until jt_cpuacct_free, which leaves it), or NULL */
} jt_cpuacct_target;

typedef struct jt_cpuacct jt_cpuacct;

/* Sets up accounting for the target. A cgroup that cannot be created or used
 * is not an error (the proc method applies; jt_cpuacct_why says why); -1 only
 * when the child cannot be found in /proc (gone, or not ours to read). */
int jt_cpuacct_open(const jt_cpuacct_target *t, jt_cpuacct **out, jt_err *err);

/* Starts a window: remembers the tree's CPU now. */
int jt_cpuacct_mark(jt_cpuacct *a, jt_err *err);

/* CPU seconds the tree used since the last mark (>= 0). -1 when the sample
 * could not be read (cpu.stat unreadable, /proc unreadable); no mark yet:
 * since open. */
int jt_cpuacct_since_mark(jt_cpuacct *a, double *seconds, jt_err *err);

jt_cpuacct_method jt_cpuacct_method_of(const jt_cpuacct *a);
const char *jt_cpuacct_method_name(jt_cpuacct_method m); /* "cgroup", "proc" */
/* Why the proc method applies ("disabled by JOULETRACE_CPUACCT_NO_CGROUP",
 * "mkdir /sys/fs/cgroup/...: Permission denied", ...); NULL with a cgroup. */
const char *jt_cpuacct_why(const jt_cpuacct *a);

/* Kills what is left in a cgroup jt_cpuacct_open created and removes it;
 * frees. Call it after the child has been reaped. */
void jt_cpuacct_free(jt_cpuacct *a);

#endif
