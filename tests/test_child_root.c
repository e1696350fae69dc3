/* The private root of harness/exec/child_root.c, as root (exit 77
 * otherwise): a sandboxed child sees nothing of the host's files but the
 * read-only /usr, bin/lib directories and the basics of /etc (not /opt,
 * /root, /home, /srv, /etc/shadow, the checkout, a marker in our own temp
 * directory, our TMPDIR); its
 * /, /dev and scratch directories are exactly what child.h lists; python3
 * and cc run; and it still works where the directory that is "/" has mode
 * 0700 (the acceptance machine's pristine tree, made by mktemp -d), which
 * the namespaces over the host's tree do not. Mounts happen only in a
 * private mount namespace of a forked process, so the host never sees one. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "jouletrace/child.h"
#include "support/jail.h"
#include "support/testutil.h"

#define PYTHON "/usr/bin/python3"

#define setup jt_test_sandbox_setup
#define teardown jt_test_sandbox_teardown
#define check_clean jt_test_sandbox_check_clean

/* Runs argv in a sandboxed child to its end; its stdout (caller frees). */
static char *run_child(const char *const *argv, bool no_private_root)
{
    jt_child c;
    jt_child_init(&c);
    c.argv = argv;
    c.no_private_root = no_private_root;
    jt_err err = JT_ERR_INIT;
    ck_assert_msg(jt_child_start(&c, &err) == 0, "start: %s", jt_err_msg(&err));
    ck_assert_int_eq(jt_child_wait(&c, 60, &err), 0);
    ck_assert_msg(c.end == JT_CHILD_EXITED && c.exit_status == 0, "end %d status %d: %s", c.end,
                  c.exit_status, jt_buf_str(&c.err.head));
    char *out = jt_xstrdup(jt_buf_str(&c.out.head));
    jt_child_release(&c);
    jt_err_clear(&err);
    return out;
}

/* What "/" must hold: the host's top-level directories that programs need
 * (those that exist here), plus the sandbox's own. */
static char *expected_root(void)
{
    static const char *const names[] = {"bin", "dev", "etc", "lib", "lib32", "lib64", "libx32",
                                        "proc", "run", "sbin", "tmp", "usr", "var"};
    static const char *const own[] = {"dev", "etc", "proc", "run", "tmp", "var"};
    jt_buf b = JT_BUF_INIT;
    jt_buf_adds(&b, "[");
    for (size_t i = 0, n = 0; i < sizeof names / sizeof names[0]; i++) {
        bool mine = false;
        for (size_t j = 0; j < sizeof own / sizeof own[0]; j++) mine |= !strcmp(own[j], names[i]);
        char host[32];
        snprintf(host, sizeof host, "/%s", names[i]);
        struct stat st;
        if (!mine && lstat(host, &st) != 0) continue;
        jt_buf_addf(&b, "%s'%s'", n++ ? ", " : "", names[i]);
    }
    jt_buf_adds(&b, "]");
    return jt_buf_detach(&b);
}

static const char hidden_script[] =
    "import os, sys\n"
    "print('uid', os.getuid())\n"
    "print('visible', [p for p in sys.argv[1:] if os.path.lexists(p)])\n"
    "print('root', sorted(os.listdir('/')))\n"
    "print('dev', sorted(os.listdir('/dev')))\n"
    "print('procs', [p for p in os.listdir('/proc') if p.isdigit()])\n"
    "ro = lambda p: bool(os.statvfs(p).f_flag & os.ST_RDONLY)\n"
    "print('read-only', [p for p in ('/', '/usr', '/etc', '/dev', '/tmp', '/var/tmp',\n"
    "      '/dev/shm', '/run/lock', os.getcwd()) if ro(p)])\n"
    "def writes(p):\n"
    "    try:\n"
    "        open(os.path.join(p, 'jt-probe'), 'w').write('x')\n"
    "        return True\n"
    "    except OSError:\n"
    "        return False\n"
    "print('writable', [p for p in ('/', '/usr', '/usr/bin', '/etc', '/dev', '/tmp', '/var/tmp',\n"
    "      '/dev/shm', '/run/lock', '/run', '/var', os.getcwd()) if writes(p)])\n"
    "print('cwd', os.getcwd(), open('/dev/null').read() == '', len(open('/dev/urandom', 'rb')"
    ".read(8)))\n";

/* Nothing of the host's data, exactly the promised tree, read-only where
 * it comes from the host. */
START_TEST(host_is_out_of_sight)
{
    char *mine = jt_test_tmpdir(); /* outside the sandbox, in our TMPDIR */
    char *marker = jt_test_write_file(mine, "marker", "secret\n");
    char *src = realpath(jt_test_srcdir(), NULL);
    ck_assert_ptr_nonnull(src);
    const char *tmpdir = getenv("TMPDIR");
    const char *argv[] = {PYTHON, "-c", hidden_script, "/root", "/home", "/srv", "/mnt", "/media",
                          "/boot", "/var/lib", "/var/log", "/run/systemd", "/opt", "/etc/shadow",
                          "/etc/ssh", "/etc/sudoers", src, marker, mine,
                          tmpdir, NULL};
    char *out = run_child(argv, false);
    char *root = expected_root();
    char *want = jt_xasprintf(
        "uid 65534\n"
        "visible []\n"
        "root %s\n"
        "dev ['fd', 'full', 'null', 'random', 'shm', 'stderr', 'stdin', 'stdout', 'urandom', "
        "'zero']\n"
        "procs ['1']\n"
        "read-only ['/', '/usr', '/etc']\n"
        "writable ['/tmp', '/var/tmp', '/dev/shm', '/run/lock', '/run', '" JT_CHILD_SANDBOX_HOME "']\n"
        "cwd " JT_CHILD_SANDBOX_HOME " True 8\n",
        root);
    ck_assert_str_eq(out, want);
    free(want), free(root), free(out), free(src), free(marker);
    jt_test_tmpdir_free(mine);
    check_clean();
}
END_TEST

/* Mode command's tools: a compiler under /usr writing to /tmp and the work
 * directory, then the program it built. */
START_TEST(compiler_and_python_run)
{
    const char *argv[] = {"/bin/sh", "-c",
                          "printf 'int main(void) { return 42; }\\n' > t.c && cc -O1 -o t t.c && "
                          "{ ./t; echo \"built $?\"; } && python3 -c 'print(6 * 7)'",
                          NULL};
    char *out = run_child(argv, false);
    ck_assert_str_eq(out, "built 42\n42\n");
    free(out);
    check_clean();
}
END_TEST

/* In a forked child: pivot_root into `arg` (a 0700 jail with the host's
 * binaries), then start python once over the host tree (no private root)
 * and once with the private root; what each said, one a line. */
static int start_in_0700_root(void *arg, int fd)
{
    const char *jail = arg;
    /* the bind onto itself first: it makes the jail a mount point, and
     * what is mounted inside afterwards lands on that mount */
    if (jt_jail_unshare() != 0 || mount(jail, jail, NULL, MS_BIND, NULL) != 0) return 3;
    int step = jt_jail_populate(jail);
    if (step) return 3 + step;
    if (chdir(jail) != 0 ||
        syscall(SYS_pivot_root, ".", ".") != 0 || umount2(".", MNT_DETACH) != 0 ||
        chdir("/") != 0)
        return 8;
    struct stat st;
    if (stat("/", &st) != 0 || (st.st_mode & 07777) != 0700) return 9;
    setenv("TMPDIR", "/tmp", 1);
    FILE *f = fdopen(fd, "w");
    const char *argv[] = {PYTHON, "-c", "import os; print(os.getuid())", NULL};
    for (int no_root = 1; no_root >= 0; no_root--) {
        jt_child c;
        jt_child_init(&c);
        c.argv = argv;
        c.no_private_root = no_root;
        jt_err err = JT_ERR_INIT;
        if (jt_child_start(&c, &err) != 0) {
            fprintf(f, "start: %s\n", jt_err_msg(&err));
        } else {
            jt_child_wait(&c, 60, &err);
            fprintf(f, "%s: %s", jt_child_sandbox_desc(&c), jt_buf_str(&c.out.head));
        }
        jt_child_release(&c);
        jt_err_clear(&err);
    }
    fclose(f);
    return 0;
}

/* In the pristine tree "/" is a 0700 directory: nobody cannot even resolve
 * /usr/bin/python3 there. Reproduced in a forked process: a private mount
 * namespace, a 0700 directory holding binds of the host's /usr, /etc, ...,
 * bound onto itself and pivot_root'ed into. There the namespaces over the
 * host's tree fail exactly as on that machine, the private root works. */
/* A tool outside /usr (an interpreter under /opt, say) is shown read-only
 * at its own path when the caller names its directory, and only then; the
 * tree above it stays out of sight. Made in the build directory: not in
 * TMPDIR, which the sandbox's /tmp covers. */
START_TEST(named_tool_dir_is_shown_read_only)
{
    char *build = realpath(jt_test_builddir(), NULL);
    ck_assert_ptr_nonnull(build);
    char *prefix = jt_xasprintf("%s/tests/tool-prefix-%ld", build, (long)getpid());
    char *script = jt_xasprintf("#!/bin/sh\n"
                                "echo ran\n"
                                "touch \"${0%%/*}/x\" 2>/dev/null || echo read-only\n"
                                "test -e '%s/jouletrace' || echo hidden-above\n",
                                build);
    char *tool = jt_test_write_file(prefix, "bin/tool", script);
    ck_assert_int_eq(chmod(tool, 0755), 0);
    char *dir = jt_child_tool_dir(tool);
    ck_assert_str_eq(dir, prefix); /* PREFIX/bin/tool: the prefix */
    ck_assert_ptr_null(jt_child_tool_dir(PYTHON)); /* under /usr: visible anyway */
    ck_assert_ptr_null(jt_child_tool_dir("/nonexistent/bin/tool"));

    const char *argv[] = {tool, NULL};
    const char *ro[] = {dir, NULL};
    jt_child c;
    jt_child_init(&c);
    c.argv = argv;
    c.ro_dirs = ro;
    jt_err err = JT_ERR_INIT;
    ck_assert_msg(jt_child_start(&c, &err) == 0, "start: %s", jt_err_msg(&err));
    ck_assert_int_eq(jt_child_wait(&c, 60, &err), 0);
    ck_assert_msg(c.end == JT_CHILD_EXITED && c.exit_status == 0, "%s", jt_buf_str(&c.err.head));
    ck_assert_str_eq(jt_buf_str(&c.out.head), "ran\nread-only\nhidden-above\n");
    jt_child_release(&c);
    /* without the name it cannot be started at all: the sandbox has no such path */
    jt_child_init(&c);
    c.argv = argv;
    ck_assert_int_eq(jt_child_start(&c, &err), -1);
    ck_assert_msg(strstr(jt_err_msg(&err), "execve"), "%s", jt_err_msg(&err));
    jt_child_release(&c);
    jt_err_clear(&err);
    free(script), free(dir), free(tool);
    jt_test_rmtree(prefix);
    free(prefix), free(build);
    check_clean();
}
END_TEST

START_TEST(root_dir_0700_works)
{
    char *jail = jt_test_tmpdir();
    ck_assert_int_eq(chmod(jail, 0700), 0);
    int status;
    char *got = jt_test_fork_capture(NULL, start_in_0700_root, jail, &status);
    ck_assert_ptr_nonnull(got);
    ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "jail setup failed (%d)", status);
    ck_assert_str_eq(got,
                     "start: cannot start '" PYTHON "': execve: Permission denied\n"
                     "pid,net,mount,ipc namespaces; private root; user nobody; no_new_privs; "
                     "seccomp; rlimits: 65534\n");
    free(got);
    jt_test_tmpdir_free(jail);
    check_clean();
}
END_TEST

static Suite *child_root_suite(void)
{
    if (geteuid() != 0) jt_test_skip("needs root: the private root is built in namespaces");
    Suite *s = suite_create("child_root");
    TCase *tc = tcase_create("root");
    tcase_set_timeout(tc, 120);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, host_is_out_of_sight);
    tcase_add_test(tc, compiler_and_python_run);
    tcase_add_test(tc, root_dir_0700_works);
    tcase_add_test(tc, named_tool_dir_is_shown_read_only);
    suite_add_tcase(s, tc);
    return s;
}

JT_TEST_MAIN(child_root_suite)
