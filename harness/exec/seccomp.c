/* The candidates' system-call filter (seccomp.h): built with libseccomp in
 * the parent, exported as BPF, installed in the child with one system call. */
#include "jouletrace/seccomp.h"

#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <seccomp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

#ifndef CLONE_NEWCGROUP
#define CLONE_NEWCGROUP 0x02000000
#endif

/* Refused by name: errno 0 means EPERM. A name this libseccomp does not know
 * is skipped; one the architecture lacks (iopl on arm64) is a no-op. */
static const struct {
    const char *name;
    int err;
} refused[] = {
    /* other processes' memory */
    {"ptrace", 0}, {"process_vm_readv", 0}, {"process_vm_writev", 0}, {"kcmp", 0},
    {"pidfd_getfd", 0},
    /* namespaces (clone: by flag below) */
    {"unshare", 0}, {"setns", 0},
    /* clone3's flags are in memory a filter cannot read: ENOSYS, and glibc
     * (2.34+) falls back to clone, whose flags it can */
    {"clone3", ENOSYS},
    /* mounts and file handles */
    {"mount", 0}, {"umount", 0}, {"umount2", 0}, {"pivot_root", 0}, {"chroot", 0},
    {"move_mount", 0}, {"open_tree", 0}, {"fsopen", 0}, {"fsconfig", 0}, {"fsmount", 0},
    {"fspick", 0}, {"mount_setattr", 0}, {"name_to_handle_at", 0}, {"open_by_handle_at", 0},
    {"quotactl", 0}, {"quotactl_fd", 0},
    /* counters and kernel programs */
    {"perf_event_open", 0}, {"bpf", 0},
    {"io_uring_setup", ENOSYS}, {"io_uring_enter", ENOSYS}, {"io_uring_register", ENOSYS},
    /* keys */
    {"keyctl", 0}, {"add_key", 0}, {"request_key", 0},
    /* the kernel itself */
    {"init_module", 0}, {"finit_module", 0}, {"delete_module", 0}, {"create_module", 0},
    {"query_module", 0}, {"get_kernel_syms", 0}, {"reboot", 0}, {"kexec_load", 0},
    {"kexec_file_load", 0}, {"swapon", 0}, {"swapoff", 0}, {"acct", 0}, {"syslog", 0},
    {"vhangup", 0}, {"_sysctl", 0}, {"sysfs", 0}, {"ustat", 0}, {"uselib", 0},
    {"nfsservctl", 0}, {"lookup_dcookie", 0},
    /* clocks */
    {"settimeofday", 0}, {"stime", 0}, {"clock_settime", 0}, {"clock_adjtime", 0},
    {"adjtimex", 0},
    /* placement: the measurement core and package 0's memory (the cpuset
     * confines them too where there is one) */
    {"sched_setaffinity", 0}, {"mbind", 0}, {"set_mempolicy", 0}, {"migrate_pages", 0},
    {"move_pages", 0}, {"set_mempolicy_home_node", 0},
    /* hardware and faults handled in user space */
    {"iopl", 0}, {"ioperm", 0}, {"vm86", 0}, {"vm86old", 0}, {"pciconfig_read", 0},
    {"pciconfig_write", 0}, {"pciconfig_iobase", 0}, {"userfaultfd", 0},
};

/* clone(2) with any of these makes a namespace (CLONE_NEWTIME is only
 * valid for unshare and clone3, refused whole above). */
static const unsigned long clone_ns_flags[] = {
    CLONE_NEWNS, CLONE_NEWCGROUP, CLONE_NEWUTS, CLONE_NEWIPC,
    CLONE_NEWUSER, CLONE_NEWPID, CLONE_NEWNET,
};

/* The 32-bit ABIs of the native architecture, filtered alike. */
static const struct {
    uint32_t native, compat;
} compat_archs[] = {
    {SCMP_ARCH_X86_64, SCMP_ARCH_X86},
    {SCMP_ARCH_X86_64, SCMP_ARCH_X32},
    {SCMP_ARCH_AARCH64, SCMP_ARCH_ARM},
    {SCMP_ARCH_PPC64LE, SCMP_ARCH_PPC},
    {SCMP_ARCH_S390X, SCMP_ARCH_S390},
};

/* clone's flags argument: s390 passes the stack first. */
static unsigned clone_flags_arg(uint32_t arch)
{
    return arch == SCMP_ARCH_S390X || arch == SCMP_ARCH_S390 ? 1 : 0;
}

static int add_rules(scmp_filter_ctx ctx, jt_err *err)
{
    uint32_t native = seccomp_arch_native();
    for (size_t i = 0; i < sizeof compat_archs / sizeof compat_archs[0]; i++) {
        if (compat_archs[i].native != native) continue;
        int rc = seccomp_arch_add(ctx, compat_archs[i].compat);
        if (rc < 0 && rc != -EEXIST)
            return jt_err_set(err, "seccomp: cannot add a 32-bit architecture: %s",
                              strerror(-rc));
    }
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
        int nr = seccomp_syscall_resolve_name(refused[i].name);
        if (nr == __NR_SCMP_ERROR) continue;
        int rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(refused[i].err ? refused[i].err : EPERM),
                                  nr, 0);
        /* a pseudo number (< 0) is a call no architecture of the filter has */
        if (rc < 0 && nr >= 0)
            return jt_err_set(err, "seccomp: cannot refuse %s: %s", refused[i].name,
                              strerror(-rc));
    }
    unsigned arg = clone_flags_arg(native);
    for (size_t i = 0; i < sizeof clone_ns_flags / sizeof clone_ns_flags[0]; i++) {
        struct scmp_arg_cmp cmp = {arg, SCMP_CMP_MASKED_EQ, clone_ns_flags[i], clone_ns_flags[i]};
        int rc = seccomp_rule_add_array(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(clone), 1, &cmp);
        if (rc < 0)
            return jt_err_set(err, "seccomp: cannot filter clone's flags: %s", strerror(-rc));
    }
    return 0;
}

/* The BPF program of ctx, read back from a memfd. */
static int export_bpf(scmp_filter_ctx ctx, jt_seccomp *f, jt_err *err)
{
    int fd = (int)syscall(SYS_memfd_create, "jouletrace-seccomp", (unsigned)MFD_CLOEXEC);
    if (fd < 0) return jt_err_set(err, "seccomp: memfd_create: %s", strerror(errno));
    int rc = seccomp_export_bpf(ctx, fd);
    off_t size = rc == 0 ? lseek(fd, 0, SEEK_END) : -1;
    if (rc < 0 || size <= 0 || size % (off_t)sizeof(struct sock_filter) ||
        size > (off_t)(BPF_MAXINSNS * sizeof(struct sock_filter))) {
        close(fd);
        return jt_err_set(err, "seccomp: cannot export the filter: %s",
                          rc < 0 ? strerror(-rc) : "bad size");
    }
    f->insns = jt_xmalloc((size_t)size);
    size_t got = 0;
    while (got < (size_t)size) {
        ssize_t n = pread(fd, (char *)f->insns + got, (size_t)size - got, (off_t)got);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        got += (size_t)n;
    }
    close(fd);
    if (got != (size_t)size) {
        jt_seccomp_release(f);
        return jt_err_set(err, "seccomp: cannot read the exported filter back");
    }
    f->len = (size_t)size / sizeof(struct sock_filter);
    return 0;
}

int jt_seccomp_build(jt_seccomp *f, jt_err *err)
{
    memset(f, 0, sizeof *f);
    scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
    if (!ctx) return jt_err_set(err, "seccomp: cannot create a filter (libseccomp)");
    int rc = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_ERRNO(ENOSYS));
    if (rc < 0) rc = jt_err_set(err, "seccomp: cannot set the foreign-architecture action: %s",
                                strerror(-rc));
    else rc = add_rules(ctx, err);
    if (rc == 0) rc = export_bpf(ctx, f, err);
    seccomp_release(ctx);
    return rc;
}

int jt_seccomp_install(const jt_seccomp *f)
{
    struct sock_fprog prog = {(unsigned short)f->len, (struct sock_filter *)f->insns};
    /* SPEC_ALLOW: no speculation mitigation forced on because of the filter
     * (older kernels did that), so a candidate runs as fast as without it */
    long rc = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_SPEC_ALLOW, &prog);
    if (rc != 0 && errno == EINVAL) /* a kernel older than the flag (4.17) */
        rc = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0U, &prog);
    if (rc != 0 && errno == ENOSYS) /* older than seccomp(2) (3.17) */
        rc = prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0L, 0L);
    return rc == 0 ? 0 : -1;
}

void jt_seccomp_release(jt_seccomp *f)
{
    free(f->insns);
    memset(f, 0, sizeof *f);
}

const jt_seccomp *jt_seccomp_prepare(jt_seccomp *f, bool disabled, char **why)
{
    const char *env = getenv(JT_SECCOMP_OFF_ENV);
    jt_err e = JT_ERR_INIT;
    memset(f, 0, sizeof *f);
    *why = NULL;
    if (disabled) *why = jt_xstrdup("disabled");
    else if (env && *env) *why = jt_xstrdup(JT_SECCOMP_OFF_ENV " is set");
    else if (jt_seccomp_build(f, &e) < 0) *why = jt_xstrdup(jt_err_msg(&e));
    jt_err_clear(&e);
    return *why ? NULL : f;
}
