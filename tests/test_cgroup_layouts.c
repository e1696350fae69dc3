/* cgroup.h against fake trees of the layouts a host may have beyond the
 * plain v1 and v2 of test_cgroup.c: a kernel that does not account swap (v1
 * falls back to memory.swappiness 0, v2 has nothing; either way the swap
 * description says "NOT limited", or "none" where the host has no swap
 * space), a hybrid host whose v1 controller is missing (named as such, with
 * the v1 fix, not as an empty v2 tree), and the order of the v1 teardown:
 * the group is frozen before its members are killed, then thawed. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "jouletrace/cgroup.h"
#include "jouletrace/fsutil.h"
#include "support/testutil.h"

static const char *const v1_names[] = {"memory", "pids", "cpuset", "cpuacct", "freezer"};

static bool exists(const char *dir, const char *name)
{
    char *p = jt_xasprintf("%s/%s", dir, name);
    struct stat st;
    bool yes = stat(p, &st) == 0;
    free(p);
    return yes;
}

static void assert_file(const char *dir, const char *name, const char *want)
{
    char *p = jt_xasprintf("%s/%s", dir, name), *t = jt_test_read_file(p);
    ck_assert_msg(t && !strcmp(t, want), "%s holds '%s', not '%s'", p, t ? t : "(missing)", want);
    free(t);
    free(p);
}

/* ROOT/<controller> for each of the first n v1 controllers (our cgroup in
 * each); the memory one offers `memory_files` (a kernel's optional files). */
static char *v1_tree(const char *tmp, size_t n, const char *const *memory_files)
{
    char *root = jt_xasprintf("%s/cg", tmp);
    for (size_t i = 0; i < n; i++) {
        char *d = jt_xasprintf("%s/%s", root, v1_names[i]);
        jt_err e = JT_ERR_INIT;
        ck_assert_int_eq(jt_mkdirs(d, 0755, &e), 0);
        for (size_t f = 0; i == 0 && memory_files && memory_files[f]; f++)
            free(jt_test_write_file(d, memory_files[f], "9223372036854771712\n"));
        free(d);
    }
    return root;
}

static char *swaps_file(const char *tmp, bool with_swap)
{
    return jt_test_write_file(tmp, "swaps",
                              with_swap ? "Filename\tType\tSize\tUsed\tPriority\n"
                                          "/swapfile\tfile\t1048572\t0\t-2\n"
                                        : "Filename\tType\tSize\tUsed\tPriority\n");
}

START_TEST(v1_swap_accounted_is_limited)
{
    char *tmp = jt_test_tmpdir(), *swaps = swaps_file(tmp, true);
    static const char *const files[] = {"memory.memsw.limit_in_bytes", "memory.swappiness", NULL};
    char *root = v1_tree(tmp, 5, files);
    jt_cgroup *cg = NULL;
    jt_err err = JT_ERR_INIT;
    jt_cgroup_spec spec = {.memory_mb = 16, .pids_max = 5, .cpu = -1, .root = root,
                           .version = JT_CGROUP_V1, .swaps = swaps};
    ck_assert_msg(jt_cgroup_create(&spec, &cg, &err) == 0, "%s", jt_err_msg(&err));
    const char *leaf = jt_cgroup_dir(cg);
    assert_file(leaf, "memory.memsw.limit_in_bytes", "16777216");
    ck_assert_msg(!exists(leaf, "memory.swappiness"), "swappiness set though swap is limited");
    bool limited = false;
    ck_assert_str_eq(jt_cgroup_swap(cg, &limited), "memory.memsw.limit_in_bytes = the memory limit");
    ck_assert(limited);
    jt_cgroup_destroy(cg);
    jt_err_clear(&err);
    free(root), free(swaps);
    jt_test_tmpdir_free(tmp);
}
END_TEST

/* No memsw: swappiness 0, and the description says swap is not limited
 * (the host has swap) or that there is none (it has none). */
START_TEST(v1_swap_not_accounted_says_so)
{
    for (int with_swap = 0; with_swap < 2; with_swap++) {
        char *tmp = jt_test_tmpdir(), *swaps = swaps_file(tmp, with_swap);
        static const char *const files[] = {"memory.swappiness", NULL};
        char *root = v1_tree(tmp, 5, files);
        jt_cgroup *cg = NULL;
        jt_err err = JT_ERR_INIT;
        jt_cgroup_spec spec = {.memory_mb = 16, .pids_max = 5, .cpu = -1, .root = root,
                               .version = JT_CGROUP_V1, .swaps = swaps};
        ck_assert_msg(jt_cgroup_create(&spec, &cg, &err) == 0, "%s", jt_err_msg(&err));
        const char *leaf = jt_cgroup_dir(cg);
        assert_file(leaf, "memory.limit_in_bytes", "16777216");
        assert_file(leaf, "memory.swappiness", "0");
        ck_assert_msg(!exists(leaf, "memory.memsw.limit_in_bytes"),
                      "a memsw limit written where the kernel has none");
        bool limited = true;
        const char *swap = jt_cgroup_swap(cg, &limited);
        if (with_swap) {
            ck_assert(!limited);
            ck_assert_msg(!strncmp(swap, "NOT limited: the kernel does not account swap (no "
                                         "memory.memsw.limit_in_bytes): memory.swappiness 0",
                                   67),
                          "%s", swap);
        } else {
            ck_assert(limited);
            ck_assert_msg(!strncmp(swap, "none: the host has no swap space", 32), "%s", swap);
        }
        jt_cgroup_destroy(cg);
        jt_err_clear(&err);
        free(root), free(swaps);
        jt_test_tmpdir_free(tmp);
    }
}
END_TEST

START_TEST(v2_swap_not_accounted_says_so)
{
    char *tmp = jt_test_tmpdir(), *swaps = swaps_file(tmp, true);
    char *root = jt_xasprintf("%s/cg", tmp);
    free(jt_test_write_file(root, "cgroup.controllers", "cpuset cpu memory pids\n"));
    free(jt_test_write_file(root, "cgroup.subtree_control", ""));
    jt_cgroup *cg = NULL;
    jt_err err = JT_ERR_INIT;
    jt_cgroup_spec spec = {.memory_mb = 32, .pids_max = 8, .cpu = -1, .root = root,
                           .version = JT_CGROUP_V2, .swaps = swaps};
    ck_assert_msg(jt_cgroup_create(&spec, &cg, &err) == 0, "%s", jt_err_msg(&err));
    assert_file(jt_cgroup_dir(cg), "memory.max", "33554432");
    ck_assert_msg(!exists(jt_cgroup_dir(cg), "memory.swap.max"),
                  "memory.swap.max written where the kernel has none");
    bool limited = true;
    const char *swap = jt_cgroup_swap(cg, &limited);
    ck_assert(!limited);
    ck_assert_str_eq(swap, "NOT limited: the kernel does not account swap (no memory.swap.max): "
                           "the candidate's pages may be swapped out");
    jt_cgroup_destroy(cg);
    /* and where it does: swap.max 0 */
    free(jt_test_write_file(root, "memory.swap.max", "max\n"));
    ck_assert_msg(jt_cgroup_create(&spec, &cg, &err) == 0, "%s", jt_err_msg(&err));
    assert_file(jt_cgroup_dir(cg), "memory.swap.max", "0");
    ck_assert_str_eq(jt_cgroup_swap(cg, &limited), "memory.swap.max = 0");
    ck_assert(limited);
    jt_cgroup_destroy(cg);
    jt_err_clear(&err);
    free(root), free(swaps);
    jt_test_tmpdir_free(tmp);
}
END_TEST

/* A hybrid host: ROOT/unified has no controllers, v1 has all but freezer.
 * The error names the missing v1 controller and the v1 fix. With all five
 * the v1 layout is used. */
START_TEST(hybrid_missing_v1_controller_is_named)
{
    char *tmp = jt_test_tmpdir();
    char *root = v1_tree(tmp, 4, NULL);
    free(jt_test_write_file(root, "unified/cgroup.controllers", ""));
    jt_cgroup *cg = NULL;
    jt_err err = JT_ERR_INIT;
    jt_cgroup_spec spec = {.memory_mb = 16, .pids_max = 5, .cpu = -1, .root = root};
    ck_assert_int_eq(jt_cgroup_create(&spec, &cg, &err), -1);
    char *want = jt_xasprintf("cgroup v1: controller freezer is not mounted (a hybrid host: the "
                              "cgroup2 hierarchy at '%s/unified' has no controllers)",
                              root);
    ck_assert_str_eq(jt_err_msg(&err), want);
    const char *fix = jt_cgroup_fix(jt_err_msg(&err));
    ck_assert_msg(strstr(fix, "mount -t cgroup -o NAME") && !strstr(fix, "subtree_control"), "%s",
                  fix);
    char *leaf = jt_xasprintf("unified/jouletrace-%ld-0", (long)getpid());
    ck_assert_msg(!exists(root, leaf), "a refused cgroup left '%s'", leaf);
    free(leaf);
    jt_err_clear(&err);
    /* the freezer mounted: v1 */
    char *fz = jt_xasprintf("%s/freezer", root);
    ck_assert_int_eq(jt_mkdirs(fz, 0755, &err), 0);
    ck_assert_msg(jt_cgroup_create(&spec, &cg, &err) == 0, "%s", jt_err_msg(&err));
    ck_assert_str_eq(jt_cgroup_kind(cg), "cgroup-v1");
    jt_cgroup_destroy(cg);
    /* a v2 tree with controllers but not the ones needed stays a v2 error */
    char *tmp2 = jt_test_tmpdir(), *root2 = v1_tree(tmp2, 4, NULL);
    free(jt_test_write_file(root2, "unified/cgroup.controllers", "cpu io\n"));
    spec.root = root2;
    ck_assert_int_eq(jt_cgroup_create(&spec, &cg, &err), -1);
    ck_assert_msg(strstr(jt_err_msg(&err), "cgroup v2: controller memory missing"), "%s",
                  jt_err_msg(&err));
    jt_err_clear(&err);
    free(want), free(fz), free(root), free(root2);
    jt_test_tmpdir_free(tmp);
    jt_test_tmpdir_free(tmp2);
}
END_TEST

/* The v1 teardown's order, seen from outside: freezer.state is a FIFO that
 * a reader process holds open and drains, watching the member through a
 * pidfd. The member's death must find FROZEN already written (the write
 * completed before any SIGKILL was sent); THAWED follows. */
static void watch(const char *fifo, pid_t member, int report)
{
    int fd = open(fifo, O_RDWR | O_NONBLOCK); /* never EOF, never blocks the writer's open */
    int pfd = (int)syscall(SYS_pidfd_open, member, 0);
    if (fd < 0 || pfd < 0) _exit(2);
    dprintf(report, "ready\n");
    char acc[256] = "";
    size_t len = 0;
    bool dead = false;
    const char *note = "";
    while (!strstr(acc, "END")) {
        struct pollfd p[2] = {{fd, POLLIN, 0}, {pfd, POLLIN, 0}};
        if (poll(p, dead ? 1 : 2, -1) < 0) continue;
        ssize_t n;
        while (len < sizeof acc - 1 && (n = read(fd, acc + len, sizeof acc - 1 - len)) > 0)
            len += (size_t)n;
        acc[len] = '\0';
        if (!dead && (p[1].revents & POLLIN)) {
            dead = true;
            if (!strstr(acc, "FROZEN")) note = " (the member was killed before FROZEN)";
        }
    }
    dprintf(report, "%.*s%s\n", (int)(strstr(acc, "END") - acc), acc, dead ? note : " (alive)");
    _exit(0);
}

START_TEST(v1_teardown_freezes_then_kills_then_thaws)
{
    char *tmp = jt_test_tmpdir();
    char *root = v1_tree(tmp, 5, NULL);
    jt_cgroup *cg = NULL;
    jt_err err = JT_ERR_INIT;
    jt_cgroup_spec spec = {.cpu = -1, .root = root, .version = JT_CGROUP_V1};
    ck_assert_msg(jt_cgroup_create(&spec, &cg, &err) == 0, "%s", jt_err_msg(&err));
    char *leaf = jt_xasprintf("%s/freezer/jouletrace-%ld-0", root, (long)getpid());
    char *fifo = jt_xasprintf("%s/freezer.state", leaf);
    ck_assert_int_eq(mkfifo(fifo, 0600), 0);
    pid_t member = fork();
    if (member == 0)
        for (;;) pause();
    char pidtext[32];
    snprintf(pidtext, sizeof pidtext, "%ld\n", (long)member);
    free(jt_test_write_file(leaf, "cgroup.procs", pidtext));
    int pipefd[2];
    ck_assert_int_eq(pipe(pipefd), 0);
    pid_t reader = fork();
    if (reader == 0) {
        close(pipefd[0]);
        watch(fifo, member, pipefd[1]);
    }
    close(pipefd[1]);
    FILE *rf = fdopen(pipefd[0], "r");
    char line[256] = "";
    ck_assert_ptr_nonnull(fgets(line, sizeof line, rf));
    ck_assert_str_eq(line, "ready\n");
    jt_cgroup_kill(cg);
    int fd = open(fifo, O_WRONLY);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(write(fd, "END", 3), 3);
    close(fd);
    int status = 0;
    ck_assert_int_eq(waitpid(reader, &status, 0), reader);
    ck_assert_ptr_nonnull(fgets(line, sizeof line, rf));
    fclose(rf);
    ck_assert_str_eq(line, "FROZENTHAWED\n");
    /* teardown again must not block on the FIFO or hit a reused pid */
    ck_assert_int_eq(unlink(fifo), 0);
    free(jt_test_write_file(leaf, "cgroup.procs", ""));
    jt_cgroup_destroy(cg);
    ck_assert_int_eq(waitpid(member, &status, 0), member);
    ck_assert_msg(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL, "member status %d", status);
    jt_err_clear(&err);
    free(fifo), free(leaf), free(root);
    jt_test_tmpdir_free(tmp);
}
END_TEST

static Suite *cgroup_layouts_suite(void)
{
    Suite *s = suite_create("cgroup_layouts");
    TCase *tc = tcase_create("fake");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, v1_swap_accounted_is_limited);
    tcase_add_test(tc, v1_swap_not_accounted_says_so);
    tcase_add_test(tc, v2_swap_not_accounted_says_so);
    tcase_add_test(tc, hybrid_missing_v1_controller_is_named);
    tcase_add_test(tc, v1_teardown_freezes_then_kills_then_thaws);
    suite_add_tcase(s, tc);
    return s;
}

JT_TEST_MAIN(cgroup_layouts_suite)
