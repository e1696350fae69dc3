/* The seccomp filter (harness/exec/seccomp.c) in a forked process, any user
 * (no_new_privs is all it needs): each refused call answers its errno, the
 * 32-bit ABIs are filtered alike, what honest code does still works; and
 * where the filter is off the sandbox level, its warning and `status` say
 * so with the fix. The end-to-end runs as root are in test_seccomp_root.c. */
#include <errno.h>
#include <linux/keyctl.h>
#include <sched.h>
#include <signal.h>
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
    suite_add_tcase(s, tc);
    return s;
}

JT_TEST_MAIN(seccomp_suite)
