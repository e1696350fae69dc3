/* Tests for harness/measure/lock.c: contention between processes, the holder
 * description, and release by the kernel when the holder dies. */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "jouletrace/lock.h"
#include "support/testutil.h"

START_TEST(second_taker_is_refused_with_the_holder_named)
{
    char *dir = jt_test_tmpdir();
    char *path = jt_xasprintf("%s/socket0.lock", dir);
    int ready[2], go[2];
    ck_assert_int_eq(pipe(ready), 0);
    ck_assert_int_eq(pipe(go), 0);
    pid_t pid = fork();
    if (pid == 0) {
        jt_lock l;
        jt_err e = JT_ERR_INIT;
        if (jt_lock_acquire(&l, path, "run", "quickstart", false, NULL, &e) != 0) _exit(1);
        char c = 1;
        if (write(ready[1], &c, 1) != 1) _exit(2);
        if (read(go[0], &c, 1) != 1) _exit(3); /* hold until told; then die holding it */
        /* free the strings (not the lock: the fd stays open and locked) so a
         * leak checker following this fork has nothing to report */
        free(l.path);
        free(path);
        free(dir);
        _exit(0);
    }
    char c;
    ck_assert_int_eq(read(ready[0], &c, 1), 1);

    jt_lock l;
    bool busy = false;
    jt_err e = JT_ERR_INIT;
    ck_assert_int_eq(jt_lock_acquire(&l, path, "calibrate", NULL, false, &busy, &e), -1);
    ck_assert(busy);
    char *want = jt_xasprintf("socket 0 is busy: held by pid %d (run, suite quickstart, since ", (int)pid);
    ck_assert_msg(strstr(jt_err_msg(&e), want) != NULL, "%s", jt_err_msg(&e));
    char *holder = NULL;
    ck_assert_int_eq(jt_lock_holder(path, &holder, &e), 1);
    ck_assert(strstr(holder, want + strlen("socket 0 is busy: ")) != NULL);
    free(holder);

    /* The holder dies without releasing: the kernel frees the flock. */
    ck_assert_int_eq(write(go[1], &c, 1), 1);
    int st;
    waitpid(pid, &st, 0);
    ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    ck_assert_int_eq(jt_lock_acquire(&l, path, "calibrate", NULL, false, &busy, &e), 0);
    ck_assert(!busy);
    ck_assert_int_eq(jt_lock_holder(path, &holder, &e), 1); /* we hold it now */
    free(holder);
    jt_lock_release(&l);
    ck_assert_int_eq(jt_lock_holder(path, &holder, &e), 0);
    ck_assert_ptr_null(holder);
    jt_err_clear(&e);
    free(want);
    free(path);
    jt_test_tmpdir_free(dir);
}
END_TEST

START_TEST(missing_lock_file_means_free_and_env_overrides_path)
{
    char *holder = (char *)1;
    jt_err e = JT_ERR_INIT;
    ck_assert_int_eq(jt_lock_holder("/nonexistent-dir/x.lock", &holder, &e), 0);
    ck_assert_ptr_null(holder);
    setenv("JOULETRACE_LOCK_FILE", "/tmp/elsewhere.lock", 1);
    char *p = jt_lock_default_path();
    ck_assert_str_eq(p, "/tmp/elsewhere.lock");
    free(p);
    unsetenv("JOULETRACE_LOCK_FILE");
    p = jt_lock_default_path();
    ck_assert(strstr(p, "jouletrace-socket0") != NULL);
    free(p);
}
END_TEST

static Suite *lock_suite(void)
{
    Suite *s = suite_create("lock");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, second_taker_is_refused_with_the_holder_named);
    tcase_add_test(tc, missing_lock_file_means_free_and_env_overrides_path);
    suite_add_tcase(s, tc);
    return s;
}

JT_TEST_MAIN(lock_suite)
