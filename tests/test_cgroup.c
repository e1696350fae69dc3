/* cgroup.h: the v2 layout against a fake cgroup2 tree (every file the code
 * writes, and figures it reads that the test put there), the v1 layout
 * against a fake tree too, and, as root, against the host's own hierarchy:
 * the kernel holds the limits asked for, a member cannot leave its CPU, and
 * teardown leaves no task and no directory behind. The layouts beyond plain
 * v1 and v2 (no swap accounting, hybrid, the teardown's order) are in
 * test_cgroup_layouts.c. */
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "jouletrace/cgroup.h"
#include "jouletrace/fsutil.h"
#include "support/testutil.h"

static char *slurp(const char *dir, const char *name)
{
    char *p = jt_xasprintf("%s/%s", dir, name), *t = jt_test_read_file(p);
    free(p);
    return t;
}

static void assert_file(const char *dir, const char *name, const char *want)
{
    char *t = slurp(dir, name);
    ck_assert_msg(t != NULL, "%s/%s missing", dir, name);
    ck_assert_msg(!strcmp(t, want), "%s/%s holds '%s', not '%s'", dir, name, t, want);
    free(t);
}

/* A pid that belongs to no process: a reaped child's. */
static long dead_pid(void)
{
    pid_t p = fork();
    if (p == 0) _exit(0);
    waitpid(p, NULL, 0);
    return (long)p;
}

/* A fake NUMA layout: CPUs 0-1 on node 0, 2-3 on node 1. */
static char *fake_nodes(const char *tmp)
{
    free(jt_test_write_file(tmp, "node/node0/cpulist", "0-1\n"));
    free(jt_test_write_file(tmp, "node/node1/cpulist", "2-3\n"));
    free(jt_test_write_file(tmp, "node/online", "0-1\n"));
    return jt_xasprintf("%s/node", tmp);
}

START_TEST(v2_fake_tree_gets_every_limit)
{
    char *tmp = jt_test_tmpdir(), *nodes = fake_nodes(tmp);
    char *root = jt_xasprintf("%s/cg", tmp);
    free(jt_test_write_file(root, "cgroup.controllers", "cpuset cpu io memory hugetlb pids\n"));
    free(jt_test_write_file(root, "cgroup.subtree_control", ""));
    free(jt_test_write_file(root, "memory.swap.max", "max\n")); /* the kernel accounts swap */
    char *stale = jt_xasprintf("%s/jouletrace-%ld-0", root, dead_pid());
    char *stale_harness = jt_xasprintf("%s/jouletrace-harness-%ld", root, dead_pid());
    ck_assert_int_eq(mkdir(stale, 0755), 0);
    ck_assert_int_eq(mkdir(stale_harness, 0755), 0);
    jt_cgroup *cg = NULL;
    jt_err err = JT_ERR_INIT;
    jt_cgroup_spec spec = {.memory_mb = 400, .pids_max = 64, .cpu = 3, .root = root,
                           .version = JT_CGROUP_V2, .node_root = nodes};
    ck_assert_msg(jt_cgroup_create(&spec, &cg, &err) == 0, "%s", jt_err_msg(&err));
    ck_assert_str_eq(jt_cgroup_kind(cg), "cgroup-v2");
    struct stat st;
    ck_assert_msg(stat(stale, &st) != 0, "a dead harness's leaf was not swept");
    ck_assert_msg(stat(stale_harness, &st) != 0, "a dead harness's own leaf was not swept");
    const char *dir = jt_cgroup_dir(cg);
    char *want = jt_xasprintf("%s/jouletrace-%ld-0", root, (long)getpid());
    ck_assert_str_eq(dir, want);
    assert_file(root, "cgroup.subtree_control", "+memory +pids +cpuset");
    assert_file(dir, "memory.max", "419430400");
    assert_file(dir, "memory.swap.max", "0");
    assert_file(dir, "pids.max", "64");
    assert_file(dir, "cpuset.cpus", "3");
    assert_file(dir, "cpuset.mems", "1"); /* CPU 3's node */

    int fds[JT_CGROUP_MAX_DIRS];
    ck_assert_int_eq(jt_cgroup_join_fds(cg, fds, JT_CGROUP_MAX_DIRS, &err), 1);
    ck_assert_int_eq(write(fds[0], "0", 1), 1);
    close(fds[0]);
    assert_file(dir, "cgroup.procs", "0");

    /* what the kernel would report */
    free(jt_test_write_file(dir, "cpu.stat", "usage_usec 1234567\nuser_usec 1000000\n"));
    free(jt_test_write_file(dir, "memory.peak", "314572800\n"));
    free(jt_test_write_file(dir, "memory.events", "low 0\nhigh 0\nmax 9\noom 2\noom_kill 2\n"));
    uint64_t v = 0;
    ck_assert_int_eq(jt_cgroup_cpu_usec(cg, &v, &err), 0);
    ck_assert_uint_eq(v, 1234567);
    ck_assert_int_eq(jt_cgroup_peak_bytes(cg, &v, &err), 0);
    ck_assert_uint_eq(v, 314572800);
    ck_assert_int_eq(jt_cgroup_oom_kills(cg, &v, &err), 0);
    ck_assert_uint_eq(v, 2);
    jt_cgroup_kill(cg);
    assert_file(dir, "cgroup.kill", "1");
    jt_cgroup_destroy(cg);
    jt_err_clear(&err);
    free(want), free(stale), free(stale_harness), free(root), free(nodes);
    jt_test_tmpdir_free(tmp);
}
END_TEST

START_TEST(v2_missing_controller_is_refused_with_the_fix)
{
    char *tmp = jt_test_tmpdir();
    char *root = jt_xasprintf("%s/cg", tmp);
    free(jt_test_write_file(root, "cgroup.controllers", "cpu io memory\n"));
    jt_cgroup *cg = NULL;
    jt_err err = JT_ERR_INIT;
    jt_cgroup_spec spec = {.memory_mb = 100, .pids_max = 8, .cpu = -1, .root = root,
                           .version = JT_CGROUP_V2};
    ck_assert_int_eq(jt_cgroup_create(&spec, &cg, &err), -1);
    ck_assert_ptr_null(cg);
    ck_assert_msg(strstr(jt_err_msg(&err), "controller pids missing"), "%s", jt_err_msg(&err));
    ck_assert_ptr_nonnull(strstr(jt_cgroup_fix(jt_err_msg(&err)), "subtree_control"));
    char *leaf = jt_xasprintf("%s/jouletrace-%ld-0", root, (long)getpid());
    struct stat st;
    ck_assert_msg(stat(leaf, &st) != 0, "a refused cgroup left its directory");
    jt_err_clear(&err);
    free(leaf), free(root);
    jt_test_tmpdir_free(tmp);
}
END_TEST

START_TEST(v1_fake_tree_sets_cpuset_before_limits)
{
    char *tmp = jt_test_tmpdir(), *nodes = fake_nodes(tmp);
    char *root = jt_xasprintf("%s/v1", tmp);
    static const char *const ctl[] = {"memory", "pids", "cpuset", "cpuacct", "freezer"};
    for (size_t i = 0; i < 5; i++) {
        char *d = jt_xasprintf("%s/%s", root, ctl[i]);
        jt_err e = JT_ERR_INIT;
        ck_assert_int_eq(jt_mkdirs(d, 0755, &e), 0);
        free(d);
    }
    char *memory = jt_xasprintf("%s/memory", root); /* the kernel accounts swap */
    free(jt_test_write_file(memory, "memory.memsw.limit_in_bytes", "9223372036854771712\n"));
    free(memory);
    jt_cgroup *cg = NULL;
    jt_err err = JT_ERR_INIT;
    jt_cgroup_spec spec = {.memory_mb = 16, .pids_max = 5, .cpu = 1, .root = root,
                           .version = JT_CGROUP_V1, .node_root = nodes};
    ck_assert_msg(jt_cgroup_create(&spec, &cg, &err) == 0, "%s", jt_err_msg(&err));
    ck_assert_str_eq(jt_cgroup_kind(cg), "cgroup-v1");
    char *leaf[5];
    for (size_t i = 0; i < 5; i++)
        leaf[i] = jt_xasprintf("%s/%s/jouletrace-%ld-0", root, ctl[i], (long)getpid());
    assert_file(leaf[0], "memory.limit_in_bytes", "16777216");
    assert_file(leaf[0], "memory.memsw.limit_in_bytes", "16777216");
    assert_file(leaf[1], "pids.max", "5");
    assert_file(leaf[2], "cpuset.cpus", "1");
    assert_file(leaf[2], "cpuset.mems", "0");
    int fds[JT_CGROUP_MAX_DIRS];
    ck_assert_int_eq(jt_cgroup_join_fds(cg, fds, JT_CGROUP_MAX_DIRS, &err), 5);
    for (int i = 0; i < 5; i++) close(fds[i]);
    free(jt_test_write_file(leaf[3], "cpuacct.usage", "2500000000\n"));
    free(jt_test_write_file(leaf[0], "memory.max_usage_in_bytes", "4096\n"));
    free(jt_test_write_file(leaf[0], "memory.oom_control",
                            "oom_kill_disable 0\nunder_oom 0\noom_kill 3\n"));
    uint64_t v = 0;
    ck_assert_int_eq(jt_cgroup_cpu_usec(cg, &v, &err), 0);
    ck_assert_uint_eq(v, 2500000);
    ck_assert_int_eq(jt_cgroup_peak_bytes(cg, &v, &err), 0);
    ck_assert_uint_eq(v, 4096);
    ck_assert_int_eq(jt_cgroup_oom_kills(cg, &v, &err), 0);
    ck_assert_uint_eq(v, 3);
    jt_cgroup_kill(cg);
    assert_file(leaf[4], "freezer.state", "THAWED"); /* frozen, killed, thawed */
    jt_cgroup_destroy(cg);
    for (size_t i = 0; i < 5; i++) free(leaf[i]);
    jt_err_clear(&err);
    free(root), free(nodes);
    jt_test_tmpdir_free(tmp);
}
END_TEST

START_TEST(not_root_is_the_reason)
{
    if (geteuid() == 0) return; /* only meaningful unprivileged; as root the host test runs */
    jt_cgroup *cg = NULL;
    jt_err err = JT_ERR_INIT;
    ck_assert_int_eq(jt_cgroup_create(&(jt_cgroup_spec){.cpu = -1}, &cg, &err), -1);
    ck_assert_str_eq(jt_err_msg(&err), "not root");
    ck_assert_str_eq(jt_cgroup_fix("not root"), "run as root (sudo)");
    jt_err_clear(&err);
}
END_TEST

/* ---- the host's hierarchy, as root -------------------------------------- */

/* The kernel's own view of the limits the spec below asks for (64 MiB, 8
 * tasks, CPU 1, no swap), and the member's /proc/PID/cgroup names the leaf. */
static void assert_host_limits(const jt_cgroup *cg, pid_t member)
{
    bool v2 = !strcmp(jt_cgroup_kind(cg), "cgroup-v2"), limited = false;
    const char *swap = jt_cgroup_swap(cg, &limited);
    struct {
        const char *file, *want;
    } want[] = {
        {v2 ? "memory.max" : "memory.limit_in_bytes", "67108864\n"},
        {"pids.max", "8\n"},
        {"cpuset.cpus", "1\n"},
        /* swap: limited where the kernel accounts it (else swap says so) */
        {v2 ? "memory.swap.max" : "memory.memsw.limit_in_bytes",
         swap && strstr(swap, v2 ? "memory.swap.max" : "memory.memsw") ? (v2 ? "0\n" : "67108864\n")
                                                                     : NULL},
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        if (!want[i].want) {
            ck_assert_msg(swap && strstr(swap, "not account swap"), "swap: %s", swap ? swap : "?");
            continue;
        }
        jt_err err = JT_ERR_INIT;
        char *got = jt_cgroup_read(cg, want[i].file, &err);
        ck_assert_msg(got && !strcmp(got, want[i].want), "%s: '%s', want '%s' (%s)", want[i].file,
                      got ? got : "", want[i].want, jt_err_msg(&err));
        free(got);
        jt_err_clear(&err);
    }
    ck_assert(limited || strstr(swap, "NOT limited"));
    char path[64];
    snprintf(path, sizeof path, "/proc/%ld/cgroup", (long)member);
    char *lines = jt_test_read_file(path);
    const char *leaf = strrchr(jt_cgroup_dir(cg), '/');
    ck_assert_msg(lines && leaf, "%s", path);
    /* every hierarchy that has its controller: v2's one line, v1's memory and pids lines */
    static const char *const v1_keys[] = {":memory:", ":pids:", ":cpuset:", ":freezer:"};
    for (size_t i = 0; i < (v2 ? 1 : 4); i++) {
        const char *l = strstr(lines, v2 ? "0::" : v1_keys[i]);
        ck_assert_msg(l, "%s lacks %s:\n%s", path, v2 ? "0::" : v1_keys[i], lines);
        size_t n = strcspn(l, "\n"), ln = strlen(leaf);
        ck_assert_msg(n > ln && !strncmp(l + n - ln, leaf, ln), "%.*s is not the leaf %s", (int)n,
                      l, leaf);
    }
    free(lines);
}

START_TEST(host_cgroup_confines_and_leaves_nothing)
{
    jt_cgroup *cg = NULL;
    jt_err err = JT_ERR_INIT;
    jt_cgroup_spec spec = {.memory_mb = 64, .pids_max = 8, .cpu = 1};
    ck_assert_msg(jt_cgroup_create(&spec, &cg, &err) == 0, "%s", jt_err_msg(&err));
    char *dir = jt_xstrdup(jt_cgroup_dir(cg));
    /* a sleeper inside: teardown must kill it */
    pid_t sleeper = fork();
    if (sleeper == 0) {
        if (jt_cgroup_add(cg, (long)getpid(), NULL) != 0) _exit(3);
        for (;;) pause();
    }
    /* the member asks for CPU 0: refused, or confined to the cpuset */
    int fds[JT_CGROUP_MAX_DIRS];
    int n = jt_cgroup_join_fds(cg, fds, JT_CGROUP_MAX_DIRS, &err);
    ck_assert_msg(n > 0, "%s", jt_err_msg(&err));
    pid_t p = fork();
    if (p == 0) {
        for (int i = 0; i < n; i++)
            if (write(fds[i], "0", 1) != 1) _exit(4);
        cpu_set_t set;
        CPU_ZERO(&set);
        CPU_SET(0, &set);
        int rc = sched_setaffinity(0, sizeof set, &set);
        CPU_ZERO(&set);
        sched_getaffinity(0, sizeof set, &set);
        volatile unsigned long spin = 0; /* some CPU time for the cgroup to count */
        for (unsigned long i = 0; i < 20000000UL; i++) spin += i;
        _exit(rc == 0 && CPU_ISSET(0, &set) ? 1 : 0);
    }
    for (int i = 0; i < n; i++) close(fds[i]);
    int status = 0;
    waitpid(p, &status, 0);
    ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
                  "a member left its cpuset for CPU 0 (status %d)", status);
    uint64_t usec = 0, peak = 0;
    ck_assert_msg(jt_cgroup_cpu_usec(cg, &usec, &err) == 0, "%s", jt_err_msg(&err));
    ck_assert_msg(usec > 0, "the member's CPU time is not in its cgroup");
    ck_assert_msg(jt_cgroup_peak_bytes(cg, &peak, &err) == 0 && peak > 0, "peak %llu: %s",
                  (unsigned long long)peak, jt_err_msg(&err));
    /* the sleeper is a member (give it until it has joined) */
    char *procs = NULL;
    for (int round = 0; round < 1000; round++) {
        free(procs);
        char *pp = jt_xasprintf("%s/cgroup.procs", dir);
        procs = jt_test_read_file(pp);
        free(pp);
        if (procs && *procs) break;
        usleep(2000);
    }
    ck_assert_msg(procs && atol(procs) == (long)sleeper, "cgroup.procs: '%s'", procs ? procs : "");
    free(procs);
    assert_host_limits(cg, sleeper);
    jt_cgroup_destroy(cg);
    waitpid(sleeper, &status, 0);
    ck_assert_msg(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL, "the member was not killed");
    struct stat st;
    ck_assert_msg(stat(dir, &st) != 0, "'%s' is left behind", dir);
    jt_err_clear(&err);
    free(dir);
}
END_TEST

static Suite *cgroup_suite(void)
{
    Suite *s = suite_create("cgroup");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, v2_fake_tree_gets_every_limit);
    tcase_add_test(tc, v2_missing_controller_is_refused_with_the_fix);
    tcase_add_test(tc, v1_fake_tree_sets_cpuset_before_limits);
    tcase_add_test(tc, not_root_is_the_reason);
    jt_cgroup *probe = NULL;
    jt_err err = JT_ERR_INIT;
    char *host_blocked_why = NULL;
    if (geteuid() != 0) host_blocked_why = jt_xstrdup("not root: cannot create cgroups");
    else if (sysconf(_SC_NPROCESSORS_ONLN) < 2) host_blocked_why = jt_xstrdup("one CPU: no other CPU to leave for");
    else if (jt_cgroup_create(&(jt_cgroup_spec){.cpu = 1}, &probe, &err) != 0)
        host_blocked_why = jt_xasprintf("no usable cgroup hierarchy: %s", jt_err_msg(&err));
    jt_cgroup_destroy(probe);
    jt_err_clear(&err);
    if (host_blocked_why) jt_test_skip_case("host_cgroup_confines_and_leaves_nothing", host_blocked_why);
    else tcase_add_test(tc, host_cgroup_confines_and_leaves_nothing);
    free(host_blocked_why);
    suite_add_tcase(s, tc);
    return s;
}

JT_TEST_MAIN(cgroup_suite)
