/* The seccomp filter (harness/exec/seccomp.c) in a forked process, any user
 * (no_new_privs is all it needs): each refused call answers its errno, the
 * 32-bit ABIs are filtered alike, what honest code does still works; and
 * where the filter is off the sandbox level, its warning and `status` say
 * so with the fix. every_listed_call_is_refused goes through every call the
 * filter must refuse, by name. The end-to-end runs as root are in
 * test_seccomp_root.c. */
#include <errno.h>
#include <linux/keyctl.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "jouletrace/sandbox.h"
#include "jouletrace/seccomp.h"
#include "support/testutil.h"

static long clone_flags(unsigned long flags)
{
    long r = syscall(SYS_clone, flags | (unsigned long)SIGCHLD, 0UL, 0UL, 0UL, 0UL);
    if (r == 0) _exit(0);
    if (r > 0) waitpid((pid_t)r, NULL, 0);
    return r;
}

#if defined(__x86_64__)
/* unshare by the i386 ABI (int 0x80, number 310): -errno or the result. */
static long i386_unshare(long flags)
{
    long r;
    __asm__ volatile("int $0x80" : "=a"(r) : "a"(310L), "b"(flags) : "memory");
    return r;
}
#endif

/* One line on fd unless the call failed with `want` (errno read at once). */
static void expect(int fd, const char *what, long r, int want)
{
    int e = errno;
    if (r != -1 || e != want)
        dprintf(fd, "%s: %s, want %s\n", what, r == -1 ? strerror(e) : "succeeded",
                strerror(want));
}

/* In the child: installs the filter, tries each call, writes one line per
 * call that did not answer as it should, then what honest code does. */
static int probe(void *arg, int fd)
{
    (void)arg;
    jt_seccomp f;
    jt_err err = JT_ERR_INIT;
    if (jt_seccomp_build(&f, &err) != 0) {
        dprintf(fd, "build: %s\n", jt_err_msg(&err));
        return 1;
    }
    if (prctl(PR_SET_NO_NEW_PRIVS, 1L, 0L, 0L, 0L) != 0 || jt_seccomp_install(&f) != 0) {
        dprintf(fd, "install: %s\n", strerror(errno));
        return 1;
    }
    jt_seccomp_release(&f);
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(0, &set);
    expect(fd, "unshare(CLONE_NEWUSER)", unshare(CLONE_NEWUSER), EPERM);
    expect(fd, "unshare(CLONE_FILES)", unshare(CLONE_FILES), EPERM);
    expect(fd, "setns", syscall(SYS_setns, 0, 0), EPERM);
    expect(fd, "clone(CLONE_NEWUSER)", clone_flags(CLONE_NEWUSER), EPERM);
    expect(fd, "clone(CLONE_NEWNET)", clone_flags(CLONE_NEWNET), EPERM);
    expect(fd, "clone(CLONE_NEWCGROUP)", clone_flags(0x02000000UL), EPERM);
    expect(fd, "clone3", syscall(SYS_clone3, NULL, 0UL), ENOSYS);
    expect(fd, "mount", mount("none", "/", "tmpfs", 0, NULL), EPERM);
    expect(fd, "umount2", umount2("/", 0), EPERM);
    expect(fd, "pivot_root", syscall(SYS_pivot_root, "/", "/"), EPERM);
    expect(fd, "ptrace", syscall(SYS_ptrace, 16L, (long)getppid(), 0L, 0L), EPERM);
    expect(fd, "process_vm_readv", syscall(SYS_process_vm_readv, getpid(), NULL, 0, NULL, 0, 0),
           EPERM);
    expect(fd, "perf_event_open", syscall(SYS_perf_event_open, NULL, 0, -1, -1, 0UL), EPERM);
    expect(fd, "bpf", syscall(SYS_bpf, 0, NULL, 0), EPERM);
    expect(fd, "keyctl", syscall(SYS_keyctl, KEYCTL_GET_KEYRING_ID, KEY_SPEC_SESSION_KEYRING, 0),
           EPERM);
    expect(fd, "add_key", syscall(SYS_add_key, "user", "x", "y", 1, KEY_SPEC_SESSION_KEYRING),
           EPERM);
    expect(fd, "sched_setaffinity", sched_setaffinity(0, sizeof set, &set), EPERM);
    expect(fd, "set_mempolicy", syscall(SYS_set_mempolicy, 0, NULL, 0UL), EPERM);
    expect(fd, "clock_settime", syscall(SYS_clock_settime, 0, NULL), EPERM);
    expect(fd, "userfaultfd", syscall(SYS_userfaultfd, 0), EPERM);
    expect(fd, "io_uring_setup", syscall(SYS_io_uring_setup, 1, NULL), ENOSYS);
    expect(fd, "reboot", syscall(SYS_reboot, 0, 0, 0, NULL), EPERM);
    expect(fd, "init_module", syscall(SYS_init_module, NULL, 0UL, ""), EPERM);
    expect(fd, "swapoff", syscall(SYS_swapoff, "/"), EPERM);
#if defined(__x86_64__)
    pid_t i386 = fork(); /* a kernel without the i386 ABI kills it with SIGSEGV: no ABI, no hole */
    if (i386 == 0) _exit(i386_unshare(CLONE_NEWUSER) == -EPERM ? 0 : 1);
    int st = 0;
    if (i386 < 0 || waitpid(i386, &st, 0) != i386 || (WIFEXITED(st) && WEXITSTATUS(st) != 0))
        dprintf(fd, "i386 unshare: not refused (status %d)\n", st);
    long r = syscall(0x40000000L | SYS_unshare, (long)CLONE_NEWUSER); /* x32 */
    expect(fd, "x32 unshare", r, EPERM);
#endif
    /* what honest code does */
    if (clone_flags(0) <= 0) dprintf(fd, "fork: %s\n", strerror(errno));
    if (sched_getaffinity(0, sizeof set, &set) != 0) dprintf(fd, "sched_getaffinity failed\n");
    pid_t pid = fork();
    if (pid == 0) {
        execl("/bin/true", "true", (char *)NULL);
        _exit(127);
    }
    int status = -1;
    if (pid < 0 || waitpid(pid, &status, 0) != pid || status != 0)
        dprintf(fd, "fork + exec /bin/true: status %d\n", status);
    dprintf(fd, "done\n");
    return 0;
}

#if defined(__x86_64__)
/* Every call the filter must refuse, by name, with arguments that do
 * nothing: unfiltered, as root, each fails with EINVAL, EFAULT, EBADF,
 * ENOSYS ... or succeeds harmlessly (the control run below proves that the
 * arguments tell the filter's EPERM apart). The list is written out here on
 * purpose, not read from seccomp.c: a name dropped from the filter fails
 * this test. x86-64 only (the numbers differ elsewhere). */
#define BAD 1L /* an address nothing is mapped at */
#define NOFLAGS (~0L)
typedef struct {
    const char *name;
    long nr;
    long a[6];
    int want; /* filtered */
    bool control; /* safe to make unfiltered as root */
} refusal;

static const refusal refusals[] = {
    /* other processes' memory */
    {"ptrace", SYS_ptrace, {0x7fff, 0, 0, 0}, EPERM, true},
    {"process_vm_readv", SYS_process_vm_readv, {0, 0, 0, 0, 0, 1}, EPERM, true},
    {"process_vm_writev", SYS_process_vm_writev, {0, 0, 0, 0, 0, 1}, EPERM, true},
    {"kcmp", SYS_kcmp, {0, 0, 99, 0, 0}, EPERM, true},
    {"pidfd_getfd", SYS_pidfd_getfd, {-1, 0, 0}, EPERM, true},
    /* namespaces */
    {"unshare", SYS_unshare, {CLONE_FILES}, EPERM, true},
    {"setns", SYS_setns, {-1, 0}, EPERM, true},
    {"clone3", SYS_clone3, {0, 0}, ENOSYS, true},
    {"clone(CLONE_NEWNS)", SYS_clone, {CLONE_NEWNS | SIGCHLD}, EPERM, true},
    {"clone(CLONE_NEWCGROUP)", SYS_clone, {0x02000000L | SIGCHLD}, EPERM, true},
    {"clone(CLONE_NEWUTS)", SYS_clone, {CLONE_NEWUTS | SIGCHLD}, EPERM, true},
    {"clone(CLONE_NEWIPC)", SYS_clone, {CLONE_NEWIPC | SIGCHLD}, EPERM, true},
    {"clone(CLONE_NEWUSER)", SYS_clone, {CLONE_NEWUSER | SIGCHLD}, EPERM, true},
    {"clone(CLONE_NEWPID)", SYS_clone, {CLONE_NEWPID | SIGCHLD}, EPERM, true},
    {"clone(CLONE_NEWNET)", SYS_clone, {CLONE_NEWNET | SIGCHLD}, EPERM, true},
    /* mounts and file handles */
    {"mount", SYS_mount, {0, BAD, 0, 0, 0}, EPERM, true},
    {"umount2", SYS_umount2, {BAD, 0}, EPERM, true},
    {"pivot_root", SYS_pivot_root, {BAD, BAD}, EPERM, true},
    {"chroot", SYS_chroot, {BAD}, EPERM, true},
    {"move_mount", SYS_move_mount, {-1, BAD, -1, BAD, NOFLAGS}, EPERM, true},
    {"open_tree", SYS_open_tree, {-1, BAD, NOFLAGS}, EPERM, true},
    {"fsopen", SYS_fsopen, {BAD, NOFLAGS}, EPERM, true},
    {"fsconfig", SYS_fsconfig, {-1, 0, 0, 0, 0}, EPERM, true},
    {"fsmount", SYS_fsmount, {-1, NOFLAGS, 0}, EPERM, true},
    {"fspick", SYS_fspick, {-1, BAD, NOFLAGS}, EPERM, true},
    {"mount_setattr", SYS_mount_setattr, {-1, BAD, NOFLAGS, 0, 0}, EPERM, true},
    {"name_to_handle_at", SYS_name_to_handle_at, {-1, BAD, 0, 0, NOFLAGS}, EPERM, true},
    {"open_by_handle_at", SYS_open_by_handle_at, {-1, BAD, 0}, EPERM, true},
    {"quotactl", SYS_quotactl, {0, BAD, 0, 0}, EPERM, true},
    {"quotactl_fd", SYS_quotactl_fd, {-1, 0, 0, 0}, EPERM, true},
    /* counters and kernel programs */
    {"perf_event_open", SYS_perf_event_open, {BAD, 0, -1, -1, 0}, EPERM, true},
    {"bpf", SYS_bpf, {0, BAD, 1}, EPERM, true},
    {"io_uring_setup", SYS_io_uring_setup, {1, BAD}, ENOSYS, true},
    {"io_uring_enter", SYS_io_uring_enter, {-1, 0, 0, 0, 0, 0}, ENOSYS, true},
    {"io_uring_register", SYS_io_uring_register, {-1, 0, 0, 0}, ENOSYS, true},
    /* keys */
    {"keyctl", SYS_keyctl, {9999, 0, 0, 0, 0}, EPERM, true},
    {"add_key", SYS_add_key, {BAD, BAD, 0, 0, 0}, EPERM, true},
    {"request_key", SYS_request_key, {BAD, BAD, 0, 0}, EPERM, true},
    /* the kernel itself */
    {"init_module", SYS_init_module, {BAD, 0, BAD}, EPERM, true},
    {"finit_module", SYS_finit_module, {-1, BAD, NOFLAGS}, EPERM, true},
    {"delete_module", SYS_delete_module, {BAD, 0}, EPERM, true},
    {"create_module", SYS_create_module, {0}, EPERM, true},
    {"query_module", SYS_query_module, {0}, EPERM, true},
    {"get_kernel_syms", SYS_get_kernel_syms, {0}, EPERM, true},
    {"reboot", SYS_reboot, {0, 0, 0, 0}, EPERM, true},
    {"kexec_load", SYS_kexec_load, {0, 0, 0, NOFLAGS}, EPERM, true},
    {"kexec_file_load", SYS_kexec_file_load, {-1, -1, 0, 0, NOFLAGS}, EPERM, true},
    {"swapon", SYS_swapon, {BAD, NOFLAGS}, EPERM, true},
    {"swapoff", SYS_swapoff, {BAD}, EPERM, true},
    {"acct", SYS_acct, {BAD}, EPERM, true},
    {"syslog", SYS_syslog, {-1, 0, 0}, EPERM, true},
    {"vhangup", SYS_vhangup, {0}, EPERM, false}, /* unfiltered it hangs up a terminal */
    {"_sysctl", SYS__sysctl, {BAD}, EPERM, true},
    {"sysfs", SYS_sysfs, {99, 0, 0}, EPERM, true},
    {"ustat", SYS_ustat, {0, BAD}, EPERM, true},
    {"uselib", SYS_uselib, {BAD}, EPERM, true},
    {"nfsservctl", SYS_nfsservctl, {0}, EPERM, true},
    {"lookup_dcookie", SYS_lookup_dcookie, {0, BAD, 0}, EPERM, true},
    /* clocks */
    {"settimeofday", SYS_settimeofday, {BAD, 0}, EPERM, true},
    {"clock_settime", SYS_clock_settime, {0, BAD}, EPERM, true},
    {"clock_adjtime", SYS_clock_adjtime, {0, BAD}, EPERM, true},
    {"adjtimex", SYS_adjtimex, {BAD}, EPERM, true},
    /* placement */
    {"sched_setaffinity", SYS_sched_setaffinity, {0, 8, BAD}, EPERM, true},
    {"mbind", SYS_mbind, {0, 0, 0, 0, 0, NOFLAGS}, EPERM, true},
    {"set_mempolicy", SYS_set_mempolicy, {99, 0, 0}, EPERM, true},
    {"migrate_pages", SYS_migrate_pages, {0, 1, BAD, BAD}, EPERM, true},
    {"move_pages", SYS_move_pages, {0, 0, 0, 0, 0, NOFLAGS}, EPERM, true},
    {"set_mempolicy_home_node", SYS_set_mempolicy_home_node, {0, 0, 0, NOFLAGS}, EPERM, true},
    /* hardware and faults handled in user space */
    {"iopl", SYS_iopl, {99}, EPERM, true},
    {"ioperm", SYS_ioperm, {0x10000, 1, 1}, EPERM, true},
    {"userfaultfd", SYS_userfaultfd, {NOFLAGS}, EPERM, true},
};
#define N_REFUSALS (sizeof refusals / sizeof refusals[0])

/* In the child: each call of the table, filtered or not; one line per call
 * that answered otherwise than it should (filtered: its errno; unfiltered:
 * anything but EPERM, or the test could not tell the filter's answer). */
static int try_refusals(void *arg, int fd)
{
    bool filtered = arg != NULL;
    if (filtered) {
        jt_seccomp f;
        jt_err err = JT_ERR_INIT;
        if (jt_seccomp_build(&f, &err) != 0 || prctl(PR_SET_NO_NEW_PRIVS, 1L, 0L, 0L, 0L) != 0 ||
            jt_seccomp_install(&f) != 0) {
            dprintf(fd, "filter: %s %s\n", jt_err_msg(&err), strerror(errno));
            return 1;
        }
        jt_seccomp_release(&f);
    }
    for (size_t i = 0; i < N_REFUSALS; i++) {
        const refusal *t = &refusals[i];
        if (!filtered && !t->control) continue;
        errno = 0;
        long r = syscall(t->nr, t->a[0], t->a[1], t->a[2], t->a[3], t->a[4], t->a[5]);
        int e = errno;
        if (t->nr == SYS_clone && r == 0) _exit(0);
        if (t->nr == SYS_clone && r > 0) waitpid((pid_t)r, NULL, 0);
        if (filtered && (r != -1 || e != t->want))
            dprintf(fd, "%s: %s, want %s\n", t->name, r == -1 ? strerror(e) : "succeeded",
                    strerror(t->want));
        if (!filtered && r == -1 && e == t->want)
            dprintf(fd, "%s: %s without the filter too\n", t->name, strerror(e));
    }
    dprintf(fd, "done\n");
    return 0;
}

START_TEST(every_listed_call_is_refused)
{
    int status, filtered = 1;
    char *got = jt_test_fork_capture(NULL, try_refusals, &filtered, &status);
    ck_assert_ptr_nonnull(got);
    ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "status %d: %s", status, got);
    ck_assert_str_eq(got, "done\n");
    free(got);
    if (geteuid() != 0) return; /* unprivileged, most of them fail with EPERM anyway */
    got = jt_test_fork_capture(NULL, try_refusals, NULL, &status);
    ck_assert_ptr_nonnull(got);
    ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "status %d: %s", status, got);
    ck_assert_str_eq(got, "done\n");
    free(got);
}
END_TEST
#endif

START_TEST(filter_refuses_and_allows)
{
    int status;
    char *got = jt_test_fork_capture(NULL, probe, NULL, &status);
    ck_assert_ptr_nonnull(got);
    ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "status %d: %s", status, got);
    ck_assert_str_eq(got, "done\n");
    free(got);
}
END_TEST

/* Without the filter (the environment knob) the level is no-seccomp as root
 * (unprivileged otherwise, naming the filter too), the warning and `status`
 * name it, why and the fix; every child's description says so. */
START_TEST(missing_filter_is_named)
{
    setenv(JT_SECCOMP_OFF_ENV, "1", 1);
    jt_sandbox sb;
    jt_sandbox_probe(NULL, &sb);
    unsetenv(JT_SECCOMP_OFF_ENV);
    ck_assert_msg(strstr(sb.desc, "; no seccomp (" JT_SECCOMP_OFF_ENV " is set); rlimits"), "%s",
                  sb.desc);
    char *w = jt_sandbox_warning(&sb);
    ck_assert_ptr_nonnull(w);
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    jt_sandbox_print(&sb, f);
    fclose(f);
    if (geteuid() == 0 && sb.level != JT_SANDBOX_NO_SECCOMP) {
        /* root without namespaces here: the filter is named with the rest */
        ck_assert_msg(strstr(sb.missing, "no seccomp filter"), "%s", sb.missing);
    } else if (geteuid() == 0) {
        ck_assert_str_eq(jt_sandbox_level_name(sb.level), "no-seccomp");
        ck_assert_str_eq(w, "sandbox weakened: no seccomp filter: candidates may ptrace, create "
                            "namespaces and mount in them, open perf counters and leave their "
                            "CPU (" JT_SECCOMP_OFF_ENV " is set); unset " JT_SECCOMP_OFF_ENV);
        /* the cgroup's line (as root) may come first: the sandbox's follows */
        const char *sbline = strstr(buf, "sandbox: ");
        ck_assert_ptr_nonnull(sbline);
        ck_assert_str_eq(sbline, "sandbox: WEAKENED (no-seccomp): no seccomp filter: candidates may "
                              "ptrace, create namespaces and mount in them, open perf counters "
                              "and leave their CPU\n"
                              "      why: " JT_SECCOMP_OFF_ENV " is set\n"
                              "      fix: unset " JT_SECCOMP_OFF_ENV "\n");
        json_t *rec = json_object();
        ck_assert(!jt_sandbox_record_weakened(rec));
        json_object_set_new(rec, "sandbox_level", json_string("no-seccomp"));
        ck_assert(jt_sandbox_record_weakened(rec));
        json_decref(rec);
    } else {
        ck_assert_str_eq(jt_sandbox_level_name(sb.level), "unprivileged");
        ck_assert_msg(strstr(sb.missing, "; and no seccomp filter: ") &&
                          strstr(sb.missing, "(" JT_SECCOMP_OFF_ENV " is set: unset "),
                      "%s", sb.missing);
    }
    free(buf);
    free(w);
    jt_sandbox_release(&sb);

    jt_sandbox_probe(NULL, &sb); /* and with it: named in the description */
    ck_assert_msg(strstr(sb.desc, "; no_new_privs; seccomp; rlimits"), "%s", sb.desc);
    jt_sandbox_release(&sb);
}
END_TEST

static Suite *seccomp_suite(void)
{
    Suite *s = suite_create("seccomp");
    TCase *tc = tcase_create("filter");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, filter_refuses_and_allows);
    tcase_add_test(tc, missing_filter_is_named);
#if defined(__x86_64__)
    tcase_add_test(tc, every_listed_call_is_refused);
#endif
    suite_add_tcase(s, tc);
    return s;
}

JT_TEST_MAIN(seccomp_suite)
