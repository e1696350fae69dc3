/* The candidate's cgroup and private file view end to end, as root (exit 77
 * otherwise, or where no cgroup hierarchy is usable): a run with
 * memory_limit_mb 400 where one candidate forks three children that touch
 * 300 MiB each (memory_limit, its peak within the limit: the limit holds for
 * the tree, not per process), one is a fork bomb (contained; the run goes
 * on), one writes files to every writable place and looks for host
 * directories (none visible, none of its files left on the host), and an
 * honest one (completed), and one whose child burns CPU that nobody waits
 * for (counted in trials.csv: the cgroup's figure). Every row of results.csv names its isolation and
 * peak memory; afterwards no cgroup directory of the run is left. Without
 * a cgroup (forced) the run warns once, records "rlimits: WHY" and status
 * names why and the fix. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "jouletrace/cgroup.h"
#include "jouletrace/report.h"
#include "support/runenv.h"
#include "support/testutil.h"

#define LIMIT_MB 400

/* The suite; %1$s: the marker file's name, %2$s: the suite's directory. */
/* Measured: completed, or unstable (the stop rule not met on a loaded host). */
static bool measured(const char *status)
{
    return !strcmp(status, "completed") || !strcmp(status, "unstable");
}

static const char suite_fmt[] =
    "suite: cgroups\n"
    "defaults: {min_trial_seconds: 0.02, min_trials: 3, energy_measurement_trials: 3,\n"
    "           precision_target: 0, cv_target: 10, timeout_seconds: 30, memory_limit_mb: 400}\n"
    "test_sets:\n"
    "  - id: sq\n"
    "    function_name: f\n"
    "    test_cases:\n"
    "      - {test_id: a, inputs: [3], expected_output: 9}\n"
    "  - id: view\n"
    "    function_name: f\n"
    "    test_cases:\n"
    "      - {test_id: none, inputs: [0], expected_output: []}\n"
    "candidates:\n"
    "  - {id: honest, test_set: sq, candidate_code: 'def f(x): return x * x'}\n"
    "  - id: fork-alloc\n"
    "    test_set: sq\n"
    "    candidate_code: |\n"
    "      import os\n"
    "      def f(x):\n"
    "          kids = []\n"
    "          for _ in range(3):\n"
    "              pid = os.fork()\n"
    "              if pid == 0:\n"
    "                  b = bytearray(300 << 20)\n"
    "                  for i in range(0, len(b), 4096): b[i] = 1\n"
    "                  os._exit(0)\n"
    "              kids.append(pid)\n"
    "          for pid in kids: os.waitpid(pid, 0)\n"
    "          return x * x\n"
    "  - id: fork-bomb\n"
    "    test_set: sq\n"
    "    candidate_code: |\n"
    "      import os, time\n"
    "      def f(x):\n"
    "          n = 0\n"
    "          try:\n"
    "              while n < 100000:\n"
    "                  if os.fork() == 0:\n"
    "                      time.sleep(1000)\n"
    "                      os._exit(0)\n"
    "                  n += 1\n"
    "          except OSError:\n"
    "              pass\n"
    "          return x * x if n < 64 else -n\n"
    "  - id: auto-reaped\n"
    "    test_set: sq\n"
    "    candidate_code: |\n"
    "      import os, signal, time\n"
    "      def f(x):\n"
    "          old = signal.signal(signal.SIGCHLD, signal.SIG_IGN)\n"
    "          r, w = os.pipe()\n"
    "          if os.fork() == 0:\n"
    "              os.close(r)\n"
    "              t = time.process_time()\n"
    "              while time.process_time() - t < 0.1: pass\n"
    "              os._exit(0)\n"
    "          os.close(w)\n"
    "          os.read(r, 1)\n"
    "          os.close(r)\n"
    "          signal.signal(signal.SIGCHLD, old)\n"
    "          return x * x\n"
    "  - id: file-view\n"
    "    test_set: view\n"
    "    candidate_code: |\n"
    "      import os\n"
    "      def f(x):\n"
    "          bad = []\n"
    "          for d in ['/tmp', '/var/tmp', '/dev/shm', '/run', '/run/lock', os.getcwd()]:\n"
    "              try:\n"
    "                  with open(os.path.join(d, '%1$s'), 'w') as fh: fh.write('x' * 4096)\n"
    "              except OSError as e:\n"
    "                  bad.append('unwritable ' + d + ': ' + e.strerror)\n"
    "          for d in ['/home', '/root', '/srv', '/var/lib', '/opt', '/mnt', '/media',\n"
    "                    '%2$s']:\n"
    "              if os.path.exists(d): bad.append('visible ' + d)\n"
    "          return bad\n";

static const char *cell(const jt_csv_table *t, const char *cand, const char *col)
{
    long cc = jt_csv_col(t, "candidate"), c = jt_csv_col(t, col);
    ck_assert_msg(cc >= 0 && c >= 0, "results.csv has no column %s", col);
    for (size_t r = 0; r < t->nrows; r++)
        if (!strcmp(jt_csv_get(t, r, (size_t)cc), cand)) return jt_csv_get(t, r, (size_t)c);
    ck_abort_msg("results.csv has no row for %s", cand);
    return NULL;
}

/* Directories named jouletrace-<pid>-* below `dir` (depth-limited walk). */
static int leaves_of(const char *dir, long pid, int depth)
{
    DIR *d = opendir(dir);
    if (!d) return 0;
    char prefix[64];
    snprintf(prefix, sizeof prefix, "jouletrace-%ld-", pid);
    int n = 0;
    for (struct dirent *de; (de = readdir(d));) {
        if (de->d_type != DT_DIR || de->d_name[0] == '.') continue;
        if (!strncmp(de->d_name, prefix, strlen(prefix))) n++;
        char *sub = jt_xasprintf("%s/%s", dir, de->d_name);
        if (depth > 0) n += leaves_of(sub, pid, depth - 1);
        free(sub);
    }
    closedir(d);
    return n;
}

/* Every cgroup (v1 or v2) mount point's leftovers of harness `pid`. */
static int cgroup_leftovers(long pid)
{
    FILE *f = fopen("/proc/self/mounts", "r");
    ck_assert_ptr_nonnull(f);
    char dev[256], mnt[1024], type[64];
    int n = 0;
    while (fscanf(f, "%255s %1023s %63s %*[^\n]", dev, mnt, type) == 3)
        if (!strcmp(type, "cgroup") || !strcmp(type, "cgroup2")) n += leaves_of(mnt, pid, 4);
    fclose(f);
    return n;
}

/* Every measured trial of `cand` in trials.csv has at least `per_call`
 * CPU seconds per iteration (the floor's trials run no candidate code). */
static void trials_cpu_counted(const char *out, const char *cand, double per_call)
{
    char *path = jt_xasprintf("%s/trials.csv", out);
    jt_csv_table t;
    jt_err err = JT_ERR_INIT;
    ck_assert_msg(jt_csv_read_file(path, &t, &err) == 0, "%s", jt_err_msg(&err));
    long cc = jt_csv_col(&t, "candidate"), kc = jt_csv_col(&t, "kind"),
         ic = jt_csv_col(&t, "iterations"), pc = jt_csv_col(&t, "cpu_seconds");
    ck_assert(cc >= 0 && kc >= 0 && ic >= 0 && pc >= 0);
    size_t n = 0;
    for (size_t r = 0; r < t.nrows; r++) {
        if (strcmp(jt_csv_get(&t, r, (size_t)cc), cand) ||
            strcmp(jt_csv_get(&t, r, (size_t)kc), "candidate"))
            continue;
        double cpu = atof(jt_csv_get(&t, r, (size_t)pc)), it = atof(jt_csv_get(&t, r, (size_t)ic));
        ck_assert_msg(it >= 1 && cpu / it >= per_call, "%s: trial %zu: cpu_seconds %s over %s "
                      "iterations, want >= %g per call", cand, r, jt_csv_get(&t, r, (size_t)pc),
                      jt_csv_get(&t, r, (size_t)ic), per_call);
        n++;
    }
    ck_assert_msg(n >= 3, "%s: %zu measured trials in trials.csv", cand, n);
    jt_csv_free(&t);
    jt_err_clear(&err);
    free(path);
}

START_TEST(candidates_are_confined_and_leave_nothing)
{
    char marker[64];
    snprintf(marker, sizeof marker, "jt-cgroup-test-%ld", (long)getpid());
    jt_runenv e;
    jt_runenv_init(&e, NULL, NULL, NULL);
    char *yaml = jt_xasprintf(suite_fmt, marker, e.dir);
    char *suite = jt_test_write_file(e.dir, "cgroups.yaml", yaml);
    jt_runenv_calibrate(&e);
    char *log = jt_xasprintf("%s/run.log", e.dir);
    const char *a[] = {"run", suite, "-o", e.out, "--backend", "model", "--quiet", NULL};
    pid_t pid = jt_runenv_spawn(&e, a, log, NULL);
    int status = 0;
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    char *text = jt_test_read_file(log);
    ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "run: %d\n%s", status, text);
    ck_assert_msg(!strstr(text, "no cgroup"), "the run warned:\n%s", text);

    char *path = jt_xasprintf("%s/results.csv", e.out);
    jt_csv_table t;
    jt_err err = JT_ERR_INIT;
    ck_assert_msg(jt_csv_read_file(path, &t, &err) == 0, "%s", jt_err_msg(&err));
    ck_assert_msg(measured(cell(&t, "honest", "status")), "honest: %s", cell(&t, "honest", "status"));
    ck_assert_str_eq(cell(&t, "fork-alloc", "status"), "memory_limit");
    ck_assert_msg(measured(cell(&t, "fork-bomb", "status")), "fork-bomb: %s",
                  cell(&t, "fork-bomb", "status"));
    ck_assert_msg(measured(cell(&t, "file-view", "status")), "file-view: %s: %s",
                  cell(&t, "file-view", "status"), cell(&t, "file-view", "error"));
    /* CPU time is the cgroup's: the auto-reaped child's 0.1 s per call is
     * counted, which no walk of /proc sees (it lived between two samples,
     * and nobody waited for it: cpuacct.h) */
    ck_assert_msg(measured(cell(&t, "auto-reaped", "status")), "auto-reaped: %s: %s",
                  cell(&t, "auto-reaped", "status"), cell(&t, "auto-reaped", "error"));
    trials_cpu_counted(e.out, "auto-reaped", 0.05);
    ck_assert_msg(strstr(cell(&t, "auto-reaped", "flags"), "child_cpu_disagrees"), "flags '%s'",
                  cell(&t, "auto-reaped", "flags"));
    static const char *const ids[] = {"honest", "fork-alloc", "fork-bomb", "auto-reaped",
                                      "file-view"};
    for (size_t i = 0; i < 5; i++) {
        const char *iso = cell(&t, ids[i], "isolation");
        ck_assert_msg(!strcmp(iso, "cgroup-v1") || !strcmp(iso, "cgroup-v2"), "%s: isolation '%s'",
                      ids[i], iso);
        long long peak = atoll(cell(&t, ids[i], "peak_memory_bytes"));
        ck_assert_msg(peak > 0 && peak <= (long long)LIMIT_MB << 20, "%s: peak_memory_bytes '%s'",
                      ids[i], cell(&t, ids[i], "peak_memory_bytes"));
    }
    /* the three children did reach the limit together before one was killed */
    ck_assert_msg(atoll(cell(&t, "fork-alloc", "peak_memory_bytes")) > 300LL << 20, "peak %s",
                  cell(&t, "fork-alloc", "peak_memory_bytes"));
    jt_csv_free(&t);

    /* nothing of the run is left: no cgroup (so no task in one), no file */
    ck_assert_int_eq(cgroup_leftovers((long)pid), 0);
    static const char *const places[] = {"/tmp", "/var/tmp", "/dev/shm", "/run", "/run/lock"};
    for (size_t i = 0; i < 5; i++) {
        char *p = jt_xasprintf("%s/%s", places[i], marker);
        struct stat st;
        ck_assert_msg(stat(p, &st) != 0, "'%s' was left on the host", p);
        free(p);
    }
    jt_err_clear(&err);
    free(path), free(text), free(log), free(suite), free(yaml);
    jt_runenv_free(&e);
}
END_TEST

static size_t count(const char *hay, const char *needle)
{
    size_t n = 0;
    for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle)) n++;
    return n;
}

/* Where the cgroup cannot be made (forced here) the run says so once, the
 * records say which isolation applied, and status names why and the fix. */
START_TEST(without_a_cgroup_every_layer_says_so)
{
    static const char tiny[] = "suite: nocg\n"
                               "defaults: {min_trial_seconds: 0.02, min_trials: 3,\n"
                               "           energy_measurement_trials: 3, timeout_seconds: 10}\n"
                               "test_sets:\n"
                               "  - id: sq\n"
                               "    function_name: f\n"
                               "    test_cases:\n"
                               "      - {test_id: a, inputs: [3], expected_output: 9}\n"
                               "candidates:\n"
                               "  - {id: honest, candidate_code: 'def f(x): return x * x'}\n";
    jt_runenv e;
    jt_runenv_init(&e, "nocg.yaml", tiny, NULL);
    jt_runenv_add(&e, jt_xstrdup("JOULETRACE_SANDBOX_NO_CGROUP=1"));
    jt_runenv_calibrate(&e);
    char *out = NULL, *err = NULL;
    const char *a[] = {"run", e.suite, "-o", e.out, "--backend", "model", "--quiet", NULL};
    ck_assert_msg(jt_runenv_run(&e, a, &out, &err) == 0, "%s", err);
    ck_assert_msg(count(err, "jouletrace: warning: no cgroup for candidates: ") == 1, "%s", err);
    ck_assert_ptr_nonnull(strstr(err, "(JOULETRACE_SANDBOX_NO_CGROUP is set); unset "
                                      "JOULETRACE_SANDBOX_NO_CGROUP\n"));
    char *path = jt_xasprintf("%s/results.csv", e.out);
    jt_csv_table t;
    jt_err cerr = JT_ERR_INIT;
    ck_assert_msg(jt_csv_read_file(path, &t, &cerr) == 0, "%s", jt_err_msg(&cerr));
    ck_assert_msg(measured(cell(&t, "honest", "status")), "honest: %s", cell(&t, "honest", "status"));
    ck_assert_str_eq(cell(&t, "honest", "isolation"), "rlimits: JOULETRACE_SANDBOX_NO_CGROUP is set");
    ck_assert_str_eq(cell(&t, "honest", "peak_memory_bytes"), "");
    jt_csv_free(&t);
    free(out), free(err), free(path);
    const char *st[] = {"status", "--backend", "model", NULL};
    jt_runenv_run(&e, st, &out, &err); /* readiness is not the point here */
    ck_assert_msg(strstr(out, "cgroup: NONE (rlimits only)") &&
                      strstr(out, "      why: JOULETRACE_SANDBOX_NO_CGROUP is set\n"
                                  "      fix: unset JOULETRACE_SANDBOX_NO_CGROUP\n"),
                  "status:\n%s", out);
    free(out), free(err);
    jt_runenv_free(&e);
}
END_TEST

static Suite *sandbox_cgroup_suite(void)
{
    if (geteuid() != 0) jt_test_skip("not root: candidates get no cgroup and no private root");
    jt_cgroup *probe = NULL;
    jt_err err = JT_ERR_INIT;
    if (jt_cgroup_create(&(jt_cgroup_spec){.cpu = -1}, &probe, &err) != 0) {
        static char why[512];
        snprintf(why, sizeof why, "no usable cgroup hierarchy: %s", jt_err_msg(&err));
        jt_test_skip(why);
    }
    jt_cgroup_destroy(probe);
    Suite *s = suite_create("sandbox_cgroup");
    TCase *tc = tcase_create("root");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, candidates_are_confined_and_leave_nothing);
    tcase_add_test(tc, without_a_cgroup_every_layer_says_so);
    suite_add_tcase(s, tc);
    return s;
}

JT_TEST_MAIN(sandbox_cgroup_suite)
