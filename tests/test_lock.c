/* Tests for harness/measure/lock.c: contention between processes and users,
 * the holder as the kernel names it, refusal of what is not a plain lock
 * file, and that `status`'s probe and a refused acquire say the same.
 *
 * Every lock lives in the test's own temporary directory, in a subdirectory
 * made like /run/lock (mode 1777) so that other users' files sit in a
 * sticky world-writable directory, as they do on a host. */
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "jouletrace/lock.h"
#include "support/testutil.h"

static char *tmp;     /* the test's directory, 0711 so another user may traverse it */
static char *lockdir; /* tmp/lock, 1777 like /run/lock */

static void setup(void)
{
    tmp = jt_test_tmpdir();
    ck_assert_int_eq(chmod(tmp, 0711), 0);
    lockdir = jt_xasprintf("%s/lock", tmp);
    ck_assert_int_eq(mkdir(lockdir, 0700), 0);
    ck_assert_int_eq(chmod(lockdir, 01777), 0);
}

static void teardown(void)
{
    free(lockdir);
    lockdir = NULL;
    jt_test_tmpdir_free(tmp);
    tmp = NULL;
}

static char *lock_path(const char *name)
{
    return jt_xasprintf("%s/%s", lockdir, name);
}

/* A process that takes the lock (as `uid` unless it is -1), says so on
 * `ready`, holds it until `go` has a byte, then dies holding it. Exit codes:
 * 0 fine, 10 + n where step n failed. */
typedef struct holder {
    pid_t pid;
    int ready, go;
} holder;

static holder start_holder(const char *path, const char *suite, const struct passwd *as)
{
    int ready[2], go[2];
    ck_assert_int_eq(pipe(ready), 0);
    ck_assert_int_eq(pipe(go), 0);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        close(ready[0]);
        close(go[1]);
        if (as && (setgroups(0, NULL) != 0 || setgid(as->pw_gid) != 0 || setuid(as->pw_uid) != 0))
            _exit(11);
        jt_lock l;
        jt_err e = JT_ERR_INIT;
        if (jt_lock_acquire(&l, path, "run", suite, false, NULL, &e) != 0) {
            /* into the test's log: why this user could not take it */
            fprintf(stderr, "holder (uid %u): %s\n", (unsigned)getuid(), jt_err_msg(&e));
            _exit(12);
        }
        char c = 1;
        if (write(ready[1], &c, 1) != 1) _exit(13);
        if (read(go[0], &c, 1) != 1) _exit(14);
        /* free the strings (not the lock: the fd stays open and locked) so a
         * leak checker following this fork has nothing to report */
        free(l.path);
        free(lockdir);
        free(tmp);
        _exit(0);
    }
    close(ready[1]);
    close(go[0]);
    holder h = {pid, ready[0], go[1]};
    char c;
    if (read(h.ready, &c, 1) != 1) {
        int st;
        waitpid(pid, &st, 0);
        ck_abort_msg("the holder did not take the lock (exit %d)", WEXITSTATUS(st));
    }
    return h;
}

static int stop_holder(holder *h)
{
    char c = 1;
    ck_assert_int_eq(write(h->go, &c, 1), 1);
    int st;
    ck_assert_int_eq(waitpid(h->pid, &st, 0), h->pid);
    close(h->ready);
    close(h->go);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* What `status` would print and what a refused acquire says, for the lock
 * at `path` as it is now: they must agree word for word. Returns the probe's
 * description (caller frees). */
static char *assert_probe_matches_refusal(const char *path, jt_lock_status want)
{
    jt_lock_state st;
    ck_assert_int_eq(jt_lock_probe(path, &st), want);
    char *what = jt_lock_describe(&st);
    jt_lock l;
    bool busy = false;
    jt_err e = JT_ERR_INIT;
    ck_assert_int_eq(jt_lock_acquire(&l, path, "calibrate", NULL, false, &busy, &e), -1);
    char *expect = want == JT_LOCK_HELD
                       ? jt_xasprintf("socket 0 is busy: %s (lock file %s)", what, path)
                       : jt_xasprintf("socket-0 lock file %s is unusable: %s", path, st.reason);
    ck_assert_str_eq(jt_err_msg(&e), expect);
    ck_assert(busy == (want == JT_LOCK_HELD));
    free(expect);
    jt_err_clear(&e);
    jt_lock_state_release(&st);
    return what;
}

START_TEST(second_taker_is_refused_with_the_holder_named)
{
    char *path = lock_path("socket0.lock");
    holder h = start_holder(path, "quickstart", NULL);
    char *what = assert_probe_matches_refusal(path, JT_LOCK_HELD);
    char *want = jt_xasprintf("held by pid %d (run, suite quickstart, since ", (int)h.pid);
    ck_assert_msg(!strncmp(what, want, strlen(want)), "%s", what);
    free(what);

    /* The holder dies without releasing: the kernel frees the flock. */
    ck_assert_int_eq(stop_holder(&h), 0);
    jt_lock_state st;
    ck_assert_int_eq(jt_lock_probe(path, &st), JT_LOCK_FREE);
    jt_lock l;
    jt_err e = JT_ERR_INIT;
    ck_assert_int_eq(jt_lock_acquire(&l, path, "calibrate", NULL, false, NULL, &e), 0);
    ck_assert_int_eq(jt_lock_probe(path, &st), JT_LOCK_HELD); /* we hold it now */
    ck_assert_int_eq(st.pid, getpid());
    ck_assert_str_eq(st.command, "calibrate");
    ck_assert_ptr_null(st.suite);
    jt_lock_state_release(&st);
    jt_lock_release(&l);
    ck_assert_int_eq(jt_lock_probe(path, &st), JT_LOCK_FREE);
    jt_err_clear(&e);
    free(want);
    free(path);
}
END_TEST

/* Two holders in one process (two open file descriptions) exclude each
 * other too, and the first's release lets the second in. */
START_TEST(two_holders_exclude_each_other)
{
    char *path = lock_path("socket0.lock");
    jt_lock a, b;
    bool busy = false;
    jt_err e = JT_ERR_INIT;
    ck_assert_int_eq(jt_lock_acquire(&a, path, "run", "one", false, &busy, &e), 0);
    ck_assert_int_eq(jt_lock_acquire(&b, path, "run", "two", false, &busy, &e), -1);
    ck_assert(busy);
    ck_assert_msg(strstr(jt_err_msg(&e), "suite one") && !strstr(jt_err_msg(&e), "suite two"), "%s",
                  jt_err_msg(&e));
    jt_lock_release(&a);
    ck_assert_int_eq(jt_lock_acquire(&b, path, "run", "two", false, &busy, &e), 0);
    jt_lock_state st;
    ck_assert_int_eq(jt_lock_probe(path, &st), JT_LOCK_HELD);
    ck_assert_str_eq(st.suite, "two");
    jt_lock_state_release(&st);
    jt_lock_release(&b);
    jt_err_clear(&e);
    free(path);
}
END_TEST

/* A missing lock file is created for every user: 0666 whatever the umask. */
START_TEST(created_lock_is_open_to_every_user)
{
    char *path = lock_path("socket0.lock");
    jt_lock_state st;
    ck_assert_int_eq(jt_lock_probe(path, &st), JT_LOCK_FREE);
    ck_assert_int_eq(access(path, F_OK), -1); /* the probe creates nothing */
    mode_t old = umask(077);
    jt_lock l;
    jt_err e = JT_ERR_INIT;
    ck_assert_int_eq(jt_lock_acquire(&l, path, "run", NULL, false, NULL, &e), 0);
    umask(old);
    struct stat sb;
    ck_assert_int_eq(lstat(path, &sb), 0);
    ck_assert(S_ISREG(sb.st_mode));
    ck_assert_int_eq(sb.st_mode & 07777, 0666);
    jt_lock_release(&l);
    free(path);
}
END_TEST

/* The holder line in the file is anyone's to write: it is believed only when
 * it names the PID the kernel shows as the holder. */
START_TEST(holder_line_is_believed_only_for_the_kernels_pid)
{
    char *path = lock_path("socket0.lock");
    jt_lock l;
    jt_err e = JT_ERR_INIT;
    ck_assert_int_eq(jt_lock_acquire(&l, path, "run", "real", false, NULL, &e), 0);
    int fd = open(path, O_WRONLY | O_TRUNC);
    ck_assert_int_ge(fd, 0);
    const char *fake = "{\"pid\": 1, \"command\": \"calibrate\", \"suite\": \"forged\", \"started\": \"x\"}";
    ck_assert_int_eq(write(fd, fake, strlen(fake)), (ssize_t)strlen(fake));
    close(fd);
    jt_lock_state st;
    ck_assert_int_eq(jt_lock_probe(path, &st), JT_LOCK_HELD);
    ck_assert_int_eq(st.pid, getpid());
    ck_assert_ptr_null(st.suite);
    ck_assert_ptr_nonnull(st.command); /* from /proc/PID/cmdline: this test binary */
    ck_assert_msg(strstr(st.command, "test_lock") != NULL, "%s", st.command);
    jt_lock_state_release(&st);
    jt_lock_release(&l);
    free(path);
}
END_TEST

/* A symlink at the path is refused, dangling or not: never followed, its
 * target never created or locked; status says the same as the refusal. */
START_TEST(symlink_at_the_path_is_refused)
{
    char *path = lock_path("socket0.lock");
    char *target = jt_xasprintf("%s/elsewhere", tmp);
    ck_assert_int_eq(symlink(target, path), 0);
    char *what = assert_probe_matches_refusal(path, JT_LOCK_UNUSABLE);
    ck_assert_msg(strstr(what, "symbolic link"), "%s", what);
    ck_assert_int_eq(access(target, F_OK), -1);
    free(what);
    /* pointing at a real lock file changes nothing */
    free(jt_test_write_file(tmp, "elsewhere", ""));
    what = assert_probe_matches_refusal(path, JT_LOCK_UNUSABLE);
    free(what);
    free(target);
    free(path);
}
END_TEST

START_TEST(fifo_or_missing_directory_is_unusable_and_said_alike)
{
    char *path = lock_path("socket0.lock");
    ck_assert_int_eq(mkfifo(path, 0666), 0);
    char *what = assert_probe_matches_refusal(path, JT_LOCK_UNUSABLE); /* and does not hang */
    ck_assert_msg(strstr(what, "not a regular file"), "%s", what);
    free(what);
    free(path);
    path = jt_xasprintf("%s/no-such-dir/socket0.lock", tmp);
    what = assert_probe_matches_refusal(path, JT_LOCK_UNUSABLE);
    ck_assert_msg(strstr(what, "does not exist"), "%s", what);
    free(what);
    free(path);
}
END_TEST

/* End to end: `status` and a refused `calibrate` name the same reason, and
 * both exit 4 (not ready), for a held lock and for an unusable one. */
START_TEST(status_and_calibrate_agree_on_the_command_line)
{
    char *path = lock_path("socket0.lock");
    char *state = jt_xasprintf("JOULETRACE_STATE_DIR=%s/state", tmp);
    const char *env[] = {state, "JOULETRACE_POWERCAP_ROOT=/nonexistent", NULL};
    for (int round = 0; round < 2; round++) {
        holder h = {0, -1, -1};
        if (round == 0) h = start_holder(path, "quickstart", NULL);
        else ck_assert(unlink(path) == 0 && symlink("/nonexistent-target", path) == 0);
        jt_lock_state st;
        jt_lock_probe(path, &st);
        char *what = jt_lock_describe(&st);
        const char *sargv[] = {jt_test_binary(), "status", "--backend", "model", "--lock-file", path, NULL};
        const char *cargv[] = {jt_test_binary(), "calibrate", "--backend", "model", "--windows", "3",
                               "--seconds", "0.01", "--lock-file", path, NULL};
        char *sout, *serr, *cout, *cerr;
        ck_assert_int_eq(jt_test_run(sargv, env, NULL, &sout, &serr), 4);
        ck_assert_int_eq(jt_test_run(cargv, env, NULL, &cout, &cerr), 4);
        char *sline = jt_xasprintf("lock: %s: %s", path, what);
        char *cline = round == 0 ? jt_xasprintf("socket 0 is busy: %s (lock file %s)", what, path)
                                 : jt_xasprintf("socket-0 lock file %s is unusable: %s", path, st.reason);
        ck_assert_msg(strstr(sout, sline), "status said:\n%s\nwanted: %s", sout, sline);
        ck_assert_msg(strstr(cerr, cline), "calibrate said:\n%s\nwanted: %s", cerr, cline);
        if (round == 0) ck_assert_int_eq(stop_holder(&h), 0);
        free(sline), free(cline), free(sout), free(serr), free(cout), free(cerr), free(what);
        jt_lock_state_release(&st);
    }
    free(state);
    free(path);
}
END_TEST

START_TEST(env_overrides_the_default_path)
{
    setenv("JOULETRACE_LOCK_FILE", "/elsewhere/x.lock", 1);
    char *p = jt_lock_default_path();
    ck_assert_str_eq(p, "/elsewhere/x.lock");
    free(p);
    unsetenv("JOULETRACE_LOCK_FILE");
    p = jt_lock_default_path();
    ck_assert_str_eq(p, "/run/lock/jouletrace-socket0.lock"); /* one per host, for every user */
    free(p);
}
END_TEST

/* The report's case: a 0644 lock file that another user created. Root takes
 * it; an unprivileged user takes it too (read-only: flock needs no write
 * access), and while they hold it root is refused with their PID named. */
START_TEST(another_users_0644_lock_works_for_everyone)
{
    struct passwd *pw = getpwnam("nobody");
    ck_assert_ptr_nonnull(pw);
    char *path = lock_path("socket0.lock");
    free(jt_test_write_file(lockdir, "socket0.lock", ""));
    ck_assert_int_eq(chmod(path, 0644), 0);
    ck_assert_int_eq(chown(path, pw->pw_uid, pw->pw_gid), 0);
    jt_lock l;
    jt_err e = JT_ERR_INIT;
    ck_assert_msg(jt_lock_acquire(&l, path, "run", NULL, false, NULL, &e) == 0, "%s", jt_err_msg(&e));
    jt_lock_release(&l);

    /* Now the file is root's, 0644, with a stale holder line nobody may
     * rewrite: the unprivileged holder must not be described by it. */
    ck_assert_int_eq(chown(path, 0, 0), 0);
    free(jt_test_write_file(lockdir, "socket0.lock",
                            "{\"pid\": 1, \"command\": \"run\", \"suite\": \"stale\", \"started\": \"x\"}"));
    holder h = start_holder(path, "theirs", pw);
    char *what = assert_probe_matches_refusal(path, JT_LOCK_HELD);
    char *want = jt_xasprintf("held by pid %d (", (int)h.pid);
    ck_assert_msg(!strncmp(what, want, strlen(want)) && !strstr(what, "stale"), "%s", what);
    free(what);
    free(want);
    ck_assert_int_eq(stop_holder(&h), 0);
    /* released by the kernel; the file is untouched (they could not write it) */
    jt_lock_state st;
    ck_assert_int_eq(jt_lock_probe(path, &st), JT_LOCK_FREE);
    struct stat sb;
    ck_assert_int_eq(stat(path, &sb), 0);
    ck_assert_int_eq(sb.st_uid, 0);
    ck_assert_int_eq(sb.st_mode & 07777, 0644);

    /* An unprivileged user can also create it (0666) when it is missing,
     * and root can then take it. */
    ck_assert_int_eq(unlink(path), 0);
    h = start_holder(path, "theirs", pw);
    ck_assert_int_eq(stop_holder(&h), 0);
    ck_assert_int_eq(stat(path, &sb), 0);
    ck_assert_int_eq(sb.st_uid, pw->pw_uid);
    ck_assert_int_eq(sb.st_mode & 07777, 0666);
    ck_assert_int_eq(jt_lock_acquire(&l, path, "run", NULL, false, NULL, &e), 0);
    jt_lock_release(&l);
    jt_err_clear(&e);
    free(path);
}
END_TEST

static Suite *lock_suite(void)
{
    Suite *s = suite_create("lock");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 30);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, second_taker_is_refused_with_the_holder_named);
    tcase_add_test(tc, two_holders_exclude_each_other);
    tcase_add_test(tc, created_lock_is_open_to_every_user);
    tcase_add_test(tc, holder_line_is_believed_only_for_the_kernels_pid);
    tcase_add_test(tc, symlink_at_the_path_is_refused);
    tcase_add_test(tc, fifo_or_missing_directory_is_unusable_and_said_alike);
    tcase_add_test(tc, status_and_calibrate_agree_on_the_command_line);
    tcase_add_test(tc, env_overrides_the_default_path);
    suite_add_tcase(s, tc);
    /* Other users need root to play them (chown, setuid). */
    const char *blocked = geteuid() == 0 ? jt_test_nobody_blocked() : NULL;
    if (blocked) jt_test_skip_case("users/another_users_0644_lock_works_for_everyone", blocked);
    if (geteuid() == 0 && !blocked) {
        TCase *users = tcase_create("users");
        tcase_add_checked_fixture(users, setup, teardown);
        tcase_add_test(users, another_users_0644_lock_works_for_everyone);
        suite_add_tcase(s, users);
    }
    return s;
}

JT_TEST_MAIN(lock_suite)
