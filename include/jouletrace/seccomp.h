/* seccomp — the system-call filter every candidate runs under (docs/design.md "Sandbox").
 *
 * Default allow; refused with EPERM, so honest code that probes gets an
 * ordinary error and is judged as usual: debugging other processes
 * (ptrace, process_vm_readv/writev, kcmp, pidfd_getfd), namespaces
 * (unshare, setns, clone with any CLONE_NEW* flag), the mount family and
 * file handles, perf_event_open, bpf, keys, kernel modules, reboot and
 * kexec, swap, setting clocks, leaving the measurement core or package 0's
 * memory (sched_setaffinity, mbind, set_mempolicy, migrate_pages,
 * move_pages), userfaultfd, port I/O and a few obsolete calls. clone3 and
 * io_uring answer ENOSYS, as on a kernel without them, so libc and
 * runtimes fall back to clone and plain system calls. The native
 * architecture's 32-bit ABIs (x86_64: i386 and x32) carry the same rules;
 * a system call of any other architecture answers ENOSYS.
 *
 * The filter is built in the parent (libseccomp, which allocates) and
 * exported as a BPF program; the child only installs it, with one system
 * call and no allocation, right before execve (jt_seccomp_install).
 *
 * Ownership: a jt_seccomp owns its program; jt_seccomp_release frees it. */
#ifndef JOULETRACE_SECCOMP_H
#define JOULETRACE_SECCOMP_H

#include <stdbool.h>
#include <stddef.h>

#include "jouletrace/common.h"

typedef struct jt_seccomp {
    void *insns; /* struct sock_filter[len] */
    size_t len;
} jt_seccomp;

/* Builds the filter for this architecture. 0, or -1 with err set (and f
 * empty). */
int jt_seccomp_build(jt_seccomp *f, jt_err *err);

/* Installs f in the calling thread (no_new_privs or CAP_SYS_ADMIN needed).
 * Async-signal-safe, allocates nothing. 0, or -1 with errno set. */
int jt_seccomp_install(const jt_seccomp *f);

void jt_seccomp_release(jt_seccomp *f);

/* Set (non-empty) to start candidates without the filter (tests); it can
 * only weaken the sandbox and is reported as the reason. */
#define JT_SECCOMP_OFF_ENV "JOULETRACE_SANDBOX_NO_SECCOMP"

/* The filter a child is to get: f built, or NULL with *why (malloc'd) set
 * to "disabled" (`disabled`), "JOULETRACE_SANDBOX_NO_SECCOMP is set" or the
 * build error. */
const jt_seccomp *jt_seccomp_prepare(jt_seccomp *f, bool disabled, char **why);

#endif
