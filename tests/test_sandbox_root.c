/* Sandbox tests that need root (exit 77 otherwise): `validate` run as the
 * unprivileged user nobody warns with the exact line; as root the sandbox
 * is full and nothing warns (records "full", no banner); without the
 * sandbox user nothing can start, and the fix is named; a real chroot
 * into a plain directory is named as such; a sandboxed candidate can
 * neither see nor create files in the host's /run/lock (where the socket-0
 * lock lives). Mounts happen only in a private mount namespace of a forked
 * process, so the host never sees them. */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "jouletrace/common.h"
#include "jouletrace/fsutil.h"
#include "jouletrace/sandbox.h"
#include "support/jail.h"
#include "support/testutil.h"

#define PYTHON "/usr/bin/python3"

static char *copy_file(const char *src, const char *dir, const char *name, mode_t mode)
{
    size_t len = 0;
    char *data = NULL;
    jt_err err = JT_ERR_INIT;
    ck_assert_msg(jt_read_file(src, &data, &len, &err) == 0, "%s", jt_err_msg(&err));
    char *dst = jt_xasprintf("%s/%s", dir, name);
    int fd = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(write(fd, data, len), (ssize_t)len);
    ck_assert_int_eq(fchmod(fd, mode), 0);
    close(fd);
    free(data);
    return dst;
}

/* What fn wrote in a forked child (as `pw`'s user when non-NULL), which
 * must exit 0. Caller frees. */
static char *fork_ok(const struct passwd *pw, int (*fn)(void *arg, int fd), void *arg)
{
    int status;
    char *got = jt_test_fork_capture(pw, fn, arg, &status);
    ck_assert_ptr_nonnull(got);
    ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "helper process failed (%d)",
                  status);
    return got;
}

typedef struct validate_job {
    const char *bin, *suite, *tmpenv;
} validate_job;

static int validate_child(void *arg, int fd)
{
    const validate_job *job = arg;
    const char *argv[] = {job->bin, "validate", job->suite, NULL};
    const char *env[] = {job->tmpenv, "JOULETRACE_SANDBOX_NO_NAMESPACES=", NULL};
    char *out = NULL, *err = NULL;
    int rc = jt_test_run(argv, env, NULL, &out, &err);
    FILE *f = fdopen(fd, "w");
    fprintf(f, "%d\n%s\n--\n%s", rc, out ? out : "", err ? err : "");
    fclose(f);
    free(out), free(err);
    return 0;
}

/* `validate` as nobody: the binary and the suite copied where nobody can
 * read them, its TMPDIR inside our directory. */
START_TEST(validate_as_nobody_warns)
{
    struct passwd *pw = getpwnam("nobody");
    ck_assert_msg(pw != NULL, "no user nobody");
    uid_t uid = pw->pw_uid;
    gid_t gid = pw->pw_gid;
    char *dir = jt_test_tmpdir();
    ck_assert_int_eq(chmod(dir, 0755), 0);
    char *bin = copy_file(jt_test_binary(), dir, "jouletrace", 0755);
    char *tiny = jt_test_fixture("suites/tiny.yaml");
    char *suite = jt_test_write_file(dir, "tiny.yaml", tiny);
    free(tiny);
    ck_assert_int_eq(chmod(suite, 0644), 0);
    char *tmp = jt_xasprintf("%s/tmp", dir);
    ck_assert_int_eq(mkdir(tmp, 0700), 0);
    ck_assert_int_eq(chown(tmp, uid, gid), 0);
    char *tmpenv = jt_xasprintf("TMPDIR=%s", tmp);
    char *got = fork_ok(pw, validate_child, &(validate_job){bin, suite, tmpenv});
    char *want = jt_xasprintf("\n--\njouletrace: warning: sandbox weakened: no namespaces and no "
                              "drop to user 'nobody': candidates run as uid %u with your own "
                              "rights (not root); run as root (sudo)\n",
                              (unsigned)uid);
    ck_assert_msg(!strncmp(got, "0\n", 2), "validate as nobody:\n%s", got);
    ck_assert_msg(strstr(got, want), "validate as nobody:\n%s\nwant stderr to start with:%s", got,
                  want + 3);
    ck_assert_msg(strstr(got, "1 correct, 1 incorrect"), "%s", got);
    free(want), free(got), free(tmpenv), free(tmp), free(suite), free(bin);
    jt_test_tmpdir_free(dir);
}
END_TEST

/* As root where namespaces work: full, no warning, every record "full",
 * and no banner. */
START_TEST(root_is_full_and_silent)
{
    jt_sandbox sb;
    jt_sandbox_probe(NULL, &sb);
    ck_assert_msg(sb.level == JT_SANDBOX_FULL, "root without namespaces here: %s (%s)",
                  sb.missing ? sb.missing : "", sb.why ? sb.why : "");
    ck_assert_str_eq(sb.desc, "pid,net,mount,ipc namespaces; private root; user nobody; "
                              "no_new_privs; seccomp; rlimits");
    ck_assert_ptr_null(jt_sandbox_warning(&sb));
    jt_sandbox_release(&sb);

    char *dir = jt_test_tmpdir();
    char *tiny = jt_test_fixture("suites/tiny.yaml");
    char *suite = jt_test_write_file(dir, "tiny.yaml", tiny);
    free(tiny);
    char *run = jt_xasprintf("%s/run", dir), *lock = jt_xasprintf("%s/lock", dir);
    char *state = jt_xasprintf("JOULETRACE_STATE_DIR=%s/state", dir);
    const char *env[] = {"JOULETRACE_SANDBOX_NO_NAMESPACES=", "JOULETRACE_POWERCAP_ROOT=/nonexistent",
                         state, NULL};
    const char *argv[] = {jt_test_binary(), "run", suite, "-o", run, "--backend", "model",
                          "--allow-uncalibrated", "--lock-file", lock, "-q", NULL};
    char *out = NULL, *err = NULL;
    int rc = jt_test_run(argv, env, NULL, &out, &err);
    ck_assert_msg(rc == 0, "run: %d\n%s", rc, err);
    ck_assert_msg(!strstr(err, "sandbox"), "%s", err);
    char *p = jt_xasprintf("%s/journal.jsonl", run);
    char *journal = jt_test_read_file(p);
    free(p);
    ck_assert_ptr_nonnull(journal);
    size_t n = 0;
    for (char *l = strtok(journal, "\n"); l; l = strtok(NULL, "\n"), n++) {
        json_t *rec = json_loads(l, 0, NULL);
        ck_assert_str_eq(json_string_value(json_object_get(rec, "sandbox_level")), "full");
        json_decref(rec);
    }
    ck_assert_uint_eq(n, 2); /* the candidates' records; each holds its floor */
    p = jt_xasprintf("%s/index.html", run);
    char *page = jt_test_read_file(p);
    free(p);
    ck_assert_msg(page && !strstr(page, "Weakened sandbox"), "banner on a full run");
    free(page), free(journal), free(out), free(err), free(state), free(lock), free(run), free(suite);
    jt_test_tmpdir_free(dir);
}
END_TEST

/* As root without the sandbox user, nothing can start: said, with the fix. */
START_TEST(missing_user_is_unusable_with_the_fix)
{
    const char *user = "jt-no-such-user-0";
    ck_assert_ptr_null(getpwnam(user));
    jt_sandbox sb;
    jt_sandbox_probe(user, &sb);
    char *w = jt_sandbox_warning(&sb);
    ck_assert_str_eq(jt_sandbox_level_name(sb.level), "unusable");
    ck_assert_str_eq(w, "sandbox unusable: no sandboxed child can start, so every candidate fails "
                        "(sandbox user 'jt-no-such-user-0' does not exist); create the sandbox "
                        "user: useradd --system --no-create-home --shell /usr/sbin/nologin "
                        "jt-no-such-user-0");
    free(w);
    jt_sandbox_release(&sb);
}
END_TEST

/* In a forked child: the sandbox's probe chrooted into `arg` (a jail);
 * level, description and warning, one a line. */
static int probe_in_chroot(void *arg, int fd)
{
    const char *jail = arg;
    /* private first: nothing below may reach the host */
    if (jt_jail_unshare() != 0) return 3;
    int step = jt_jail_populate(jail);
    if (step) return 3 + step;
    if (chroot(jail) != 0 || chdir("/") != 0) return 7;
    unsetenv("TMPDIR");
    unsetenv("JOULETRACE_SANDBOX_NO_NAMESPACES");
    jt_sandbox sb;
    jt_sandbox_probe(NULL, &sb);
    char *w = jt_sandbox_warning(&sb);
    FILE *f = fdopen(fd, "w");
    fprintf(f, "%s\n%s\n%s\n", jt_sandbox_level_name(sb.level), sb.desc, w ? w : "(none)");
    fclose(f);
    free(w);
    jt_sandbox_release(&sb);
    return 0;
}

/* In a chroot whose root is a plain directory, making "/" private fails
 * with EINVAL: the fallback must say that in those words. */
START_TEST(chroot_is_named)
{
    char *jail = jt_test_tmpdir();
    ck_assert_int_eq(chmod(jail, 0755), 0); /* the jail's root, for nobody too */
    char *got = fork_ok(NULL, probe_in_chroot, jail);
    ck_assert_str_eq(got,
                     "no-namespaces\n"
                     "no namespaces (make / private: Invalid argument: '/' is not a mount point (a "
                     "chroot?)); user nobody; no_new_privs; seccomp; rlimits\n"
                     "sandbox weakened: no pid, net, mount and ipc namespaces: candidates see the "
                     "host's processes, network and files (make / private: Invalid argument: '/' "
                     "is not a mount point (a chroot?)); make '/' a mount point (bind-mount the "
                     "chroot directory onto itself before entering it: mount --bind DIR DIR) or "
                     "run outside the chroot\n");
    free(got);
    jt_test_tmpdir_free(jail);
}
END_TEST

/* Sorted names in dir, one per line. Caller frees. */
static char *listing(const char *dir)
{
    char *q = jt_xasprintf("import os; print('\\n'.join(sorted(os.listdir('%s'))))", dir);
    const char *argv[] = {PYTHON, "-c", q, NULL};
    char *out = NULL;
    ck_assert_int_eq(jt_test_run(argv, NULL, NULL, &out, NULL), 0);
    free(q);
    return out;
}

/* /run/lock is a private tmpfs in the namespaces: the host's lock files can
 * be neither seen nor created, replaced or held. */
START_TEST(run_lock_is_private)
{
    char name[64];
    snprintf(name, sizeof name, "jt-sandbox-test-%ld-%ld", (long)getpid(), (long)time(NULL));
    char *host = jt_xasprintf("/run/lock/%s", name);
    ck_assert_int_ne(access(host, F_OK), 0);
    char *before = listing("/run/lock");
    struct stat lock_before;
    bool had_lock = stat("/run/lock/jouletrace-socket0.lock", &lock_before) == 0;
    const char *script =
        "import fcntl, os, sys\n"
        "print(sorted(os.listdir('/run/lock')))\n"
        "open('/run/lock/' + sys.argv[1], 'w').write('x')\n"
        "f = open('/run/lock/jouletrace-socket0.lock', 'w')\n"
        "fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)\n"
        "print(sorted(os.listdir('/run/lock')))\n";
    const char *argv[] = {PYTHON, "-c", script, name, NULL};
    jt_child c;
    jt_child_init(&c);
    c.argv = argv;
    jt_err err = JT_ERR_INIT;
    setenv("JOULETRACE_SANDBOX_NO_NAMESPACES", "", 1);
    ck_assert_msg(jt_child_start(&c, &err) == 0, "%s", jt_err_msg(&err));
    ck_assert_msg(c.ns_off == JT_CHILD_NS_ON, "no namespaces: %s", c.ns_why);
    ck_assert_int_eq(jt_child_wait(&c, 20, &err), 0);
    /* a file that got through is removed before any assertion can fail */
    bool leaked = unlink(host) == 0;
    ck_assert_msg(!leaked, "%s appeared on the host", host);
    ck_assert_msg(c.end == JT_CHILD_EXITED && c.exit_status == 0, "%s", jt_buf_str(&c.err.head));
    char *want = jt_xasprintf("[]\n['jouletrace-socket0.lock', '%s']\n", name); /* sorted */
    ck_assert_str_eq(jt_buf_str(&c.out.head), want);
    jt_child_release(&c);
    char *after = listing("/run/lock");
    ck_assert_str_eq(after, before);
    struct stat lock_after;
    if (had_lock) {
        ck_assert_int_eq(stat("/run/lock/jouletrace-socket0.lock", &lock_after), 0);
        ck_assert(lock_after.st_ino == lock_before.st_ino && lock_after.st_size == lock_before.st_size);
    }
    free(want), free(after), free(before), free(host);
}
END_TEST

static Suite *sandbox_root_suite(void)
{
    if (geteuid() != 0)
        jt_test_skip("needs root: drops to nobody, chroots, and checks namespaces and /run/lock");
    Suite *s = suite_create("sandbox_root");
    TCase *tc = tcase_create("root");
    tcase_set_timeout(tc, 120);
    const char *blocked = jt_test_nobody_blocked();
    if (blocked) jt_test_skip_case("validate_as_nobody_warns", blocked);
    else tcase_add_test(tc, validate_as_nobody_warns);
    tcase_add_test(tc, root_is_full_and_silent);
    tcase_add_test(tc, chroot_is_named);
    tcase_add_test(tc, missing_user_is_unusable_with_the_fix);
    if (access("/run/lock", F_OK) == 0) tcase_add_test(tc, run_lock_is_private);
    else fprintf(stderr, "note: no /run/lock on this host: run_lock_is_private not run\n");
    suite_add_tcase(s, tc);
    return s;
}

JT_TEST_MAIN(sandbox_root_suite)
