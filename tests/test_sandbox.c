/* Tests for harness/exec/sandbox.c: the isolation level is never silently
 * weaker. The chroot detection against fake mountinfo, each reason's warning
 * line and fix, and, through the built binary with
 * JOULETRACE_SANDBOX_NO_NAMESPACES=1 (as root: namespaces forced off; as
 * another user there are none anyway): the warning line of `validate` and
 * `run`, `status`, the isolation of every journal record, run.json and the
 * index.html banner. Runs as any user; test_sandbox_root.c holds what needs
 * root (a real chroot, the drop to nobody, /run/lock). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "jouletrace/common.h"
#include "jouletrace/sandbox.h"
#include "support/runenv.h"
#include "support/testutil.h"

static const char no_ns_missing[] =
    "no pid, net, mount and ipc namespaces: candidates see the host's processes, network and "
    "files";

/* The warning line the binary must print with namespaces forced off:
 * as root the fallback, as anyone else the unprivileged sandbox. */
static char *forced_warning(void)
{
    if (geteuid() == 0)
        return jt_xasprintf("jouletrace: warning: sandbox weakened: %s "
                            "(JOULETRACE_SANDBOX_NO_NAMESPACES is set); unset "
                            "JOULETRACE_SANDBOX_NO_NAMESPACES\n",
                            no_ns_missing);
    return jt_xasprintf("jouletrace: warning: sandbox weakened: no namespaces and no drop to user "
                        "'nobody': candidates run as uid %u with your own rights (not root); "
                        "run as root (sudo)\n",
                        (unsigned)geteuid());
}

static const char *forced_level(void)
{
    return geteuid() == 0 ? "no-namespaces" : "unprivileged";
}

/* The binary's private environment around the tiny suite; `force_weak`
 * turns the namespaces off. */
static void env_init(jt_runenv *e, bool force_weak)
{
    char *tiny = jt_test_fixture("suites/tiny.yaml");
    jt_runenv_init(e, "tiny.yaml", tiny, NULL);
    free(tiny);
    if (force_weak) jt_runenv_add(e, jt_xstrdup("JOULETRACE_SANDBOX_NO_NAMESPACES=1"));
}

static size_t count(const char *hay, const char *needle)
{
    size_t n = 0;
    for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle)) n++;
    return n;
}

/* ---- chroot detection -------------------------------------------------- */

static const struct {
    const char *mountinfo;
    bool root_mounted;
} mountinfos[] = {
    /* a booted host */
    {"22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw,errors=remount-ro\n"
     "23 22 0:21 / /proc rw,nosuid,nodev,noexec shared:12 - proc proc rw\n",
     true},
    /* the root line last, without a final newline */
    {"23 22 0:21 / /proc rw - proc proc rw\n1 0 8:1 / /", true},
    /* a chroot into a plain directory: only what was mounted inside shows */
    {"40 39 0:30 / /proc rw,nosuid - proc proc rw\n"
     "41 39 0:5 / /dev rw,nosuid - devtmpfs udev rw\n",
     false},
    /* "/" as the mount's ROOT field, not as its mount point */
    {"50 1 8:1 / /srv/jail rw - ext4 /dev/sda1 rw\n", false},
    /* an escaped space: "/\040x" is not "/" */
    {"51 1 8:1 / /\\040x rw - ext4 /dev/sda1 rw\n", false},
    /* a bind mount of the jail onto itself makes "/" a mount point there */
    {"60 59 8:1 /srv/jail / rw - ext4 /dev/sda1 rw\n", true},
    {"", false},
    {"garbage\n1 2\n", false},
};

START_TEST(chroot_detected_from_mountinfo)
{
    ck_assert_msg(jt_child_root_is_mountpoint(mountinfos[_i].mountinfo) ==
                      mountinfos[_i].root_mounted,
                  "mountinfo #%d", _i);
}
END_TEST

/* ---- levels, warning lines and fixes ----------------------------------- */

static const struct {
    jt_child_ns_off off;
    int err;
    const char *why, *level, *warning;
} cases[] = {
    {JT_CHILD_NS_ON, 0, NULL, "full", NULL},
    {JT_CHILD_NS_CHROOT, EINVAL, "make / private: Invalid argument: '/' is not a mount point (a chroot?)",
     "no-namespaces",
     "sandbox weakened: no pid, net, mount and ipc namespaces: candidates see the host's "
     "processes, network and files (make / private: Invalid argument: '/' is not a mount point "
     "(a chroot?)); make '/' a mount point (bind-mount the chroot directory onto itself before "
     "entering it: mount --bind DIR DIR) or run outside the chroot"},
    {JT_CHILD_NS_REFUSED, EPERM, "clone: Operation not permitted", "no-namespaces",
     "sandbox weakened: no pid, net, mount and ipc namespaces: candidates see the host's "
     "processes, network and files (clone: Operation not permitted); allow namespaces: run on "
     "the host, or in a container allowed to create pid, net, mount and ipc namespaces "
     "(CAP_SYS_ADMIN, e.g. docker run --privileged)"},
    {JT_CHILD_NS_REFUSED, ENOSPC, "clone: No space left on device", "no-namespaces",
     "sandbox weakened: no pid, net, mount and ipc namespaces: candidates see the host's "
     "processes, network and files (clone: No space left on device); allow namespaces: raise the "
     "limits (sysctl user.max_pid_namespaces, user.max_net_namespaces, user.max_mnt_namespaces, "
     "user.max_ipc_namespaces)"},
    {JT_CHILD_NS_ENV, 0, "JOULETRACE_SANDBOX_NO_NAMESPACES is set", "no-namespaces",
     "sandbox weakened: no pid, net, mount and ipc namespaces: candidates see the host's "
     "processes, network and files (JOULETRACE_SANDBOX_NO_NAMESPACES is set); unset "
     "JOULETRACE_SANDBOX_NO_NAMESPACES"},
    {JT_CHILD_NS_NOT_ROOT, 0, NULL, "unprivileged", NULL /* depends on the uid: below */},
};

START_TEST(each_reason_has_its_warning_and_fix)
{
    jt_child c;
    jt_child_init(&c);
    c.ns_off = cases[_i].off;
    c.ns_errno = cases[_i].err;
    c.ns_why = cases[_i].why ? jt_xstrdup(cases[_i].why) : NULL;
    jt_sandbox sb;
    jt_sandbox_of_child(&c, "nobody", &sb);
    ck_assert_str_eq(jt_sandbox_level_name(sb.level), cases[_i].level);
    ck_assert_str_eq(jt_sandbox_level_name(jt_sandbox_level_of(&c)), cases[_i].level);
    char *w = jt_sandbox_warning(&sb);
    char *want = cases[_i].off == JT_CHILD_NS_NOT_ROOT
                     ? jt_xasprintf("sandbox weakened: no namespaces and no drop to user 'nobody': "
                                    "candidates run as uid %u with your own rights (not root); "
                                    "run as root (sudo)",
                                    (unsigned)geteuid())
                     : cases[_i].warning ? jt_xstrdup(cases[_i].warning) : NULL;
    if (want) ck_assert_str_eq(w, want);
    else ck_assert_ptr_null(w);
    json_t *j = jt_sandbox_json(&sb);
    ck_assert_str_eq(json_string_value(json_object_get(j, "level")), cases[_i].level);
    ck_assert(json_is_true(json_object_get(j, "weakened")) == (cases[_i].off != JT_CHILD_NS_ON));
    ck_assert(json_is_null(json_object_get(j, "fix")) == (cases[_i].off == JT_CHILD_NS_ON));
    json_decref(j);
    free(w), free(want);
    jt_sandbox_release(&sb);
    jt_child_release(&c);
}
END_TEST

/* Namespaces without the private root: its own level, what it costs, why
 * (the failed item) and the fix for that failure. */
static const char no_root_missing[] =
    "sandbox weakened: no private root: candidates see the host's files (other suites, earlier "
    "run directories, home directories) wherever file permissions let user 'nobody' read them";
static const char allow_mounts[] =
    "allow mounts in the sandbox's mount namespace (tmpfs, read-only bind mounts, pivot_root): "
    "run on the host, or in a container with CAP_SYS_ADMIN (e.g. docker run --privileged)";

static const struct {
    jt_child_root_off off;
    int err;
    const char *why, *fix;
} root_cases[] = {
    {JT_CHILD_ROOT_REFUSED, EPERM, "bind-mount read-only /usr: Operation not permitted",
     allow_mounts},
    {JT_CHILD_ROOT_REFUSED, EACCES, "mount a tmpfs on /: Permission denied", allow_mounts},
    {JT_CHILD_ROOT_REFUSED, EINVAL, "pivot_root to the new root: Invalid argument",
     "run from a real root file system: pivot_root is refused when '/' is the initial ramfs "
     "(rootfs); boot with a root device or use switch_root"},
    {JT_CHILD_ROOT_REFUSED, 0, "cannot read '/proc/self/mountinfo': No such file or directory",
     "make the host's /proc/self/mountinfo and top-level directories readable"},
    {JT_CHILD_ROOT_DISABLED, 0, "disabled", "do not set no_private_root (a test knob)"},
};

START_TEST(no_private_root_is_named)
{
    jt_child c;
    jt_child_init(&c);
    c.root_off = root_cases[_i].off;
    c.root_errno = root_cases[_i].err;
    c.root_why = jt_xstrdup(root_cases[_i].why);
    jt_sandbox sb;
    jt_sandbox_of_child(&c, "nobody", &sb);
    ck_assert_str_eq(jt_sandbox_level_name(sb.level), "no-private-root");
    char *w = jt_sandbox_warning(&sb);
    char *want = jt_xasprintf("%s (%s); %s", no_root_missing, root_cases[_i].why,
                              root_cases[_i].fix);
    ck_assert_str_eq(w, want);
    json_t *j = jt_sandbox_json(&sb);
    ck_assert(json_is_true(json_object_get(j, "weakened")));
    json_decref(j);
    json_t *rec = json_object();
    json_object_set_new(rec, "sandbox_level", json_string("no-private-root"));
    ck_assert(jt_sandbox_record_weakened(rec));
    json_decref(rec);
    free(w), free(want);
    jt_sandbox_release(&sb);
    jt_child_release(&c);
}
END_TEST

/* What a record says about its isolation, old records included. */
START_TEST(record_weakened_reads_level_or_old_description)
{
    static const struct {
        const char *json;
        bool weak;
    } recs[] = {
        {"{\"sandbox_level\": \"full\", \"sandbox\": \"pid,net,mount,ipc namespaces\"}", false},
        {"{\"sandbox_level\": \"no-namespaces\", \"sandbox\": \"no namespaces (x)\"}", true},
        {"{\"sandbox_level\": \"unprivileged\"}", true},
        {"{\"sandbox\": \"no namespaces (Operation not permitted); user nobody\"}", true},
        {"{\"sandbox\": \"not root: no namespaces, no user drop; no_new_privs; rlimits\"}", true},
        {"{\"sandbox\": \"pid,net,mount,ipc namespaces; user nobody\"}", false},
        {"{\"status\": \"no_code\"}", false},
    };
    for (size_t i = 0; i < sizeof recs / sizeof recs[0]; i++) {
        json_t *r = json_loads(recs[i].json, 0, NULL);
        ck_assert_msg(jt_sandbox_record_weakened(r) == recs[i].weak, "%s", recs[i].json);
        json_decref(r);
    }
}
END_TEST

/* ---- through the binary ------------------------------------------------ */

/* validate: the exact line, once, first on stderr; --json carries it too. */
START_TEST(validate_warns_when_weakened)
{
    jt_runenv e;
    env_init(&e, true);
    char *out = NULL, *err = NULL, *want = forced_warning();
    const char *a[] = {"validate", e.suite, NULL};
    ck_assert_int_eq(jt_runenv_run(&e, a, &out, &err), 0);
    ck_assert_msg(!strncmp(err, want, strlen(want)), "stderr:\n%s\nwant first:\n%s", err, want);
    ck_assert_uint_eq(count(err, "sandbox weakened"), 1);
    ck_assert_msg(strstr(out, "1 correct, 1 incorrect"), "%s", out);
    free(out), free(err);
    const char *aj[] = {"validate", "--json", e.suite, NULL};
    ck_assert_int_eq(jt_runenv_run(&e, aj, &out, &err), 0);
    json_t *doc = json_loads(out, 0, NULL);
    ck_assert_ptr_nonnull(doc);
    json_t *sb = json_object_get(doc, "sandbox");
    ck_assert_str_eq(json_string_value(json_object_get(sb, "level")), forced_level());
    ck_assert(json_is_true(json_object_get(sb, "weakened")));
    ck_assert_ptr_nonnull(strstr(err, "sandbox weakened"));
    json_decref(doc);
    free(out), free(err), free(want);
    jt_runenv_free(&e);
}
END_TEST

/* status shows the level, what is missing and the fix, in text and JSON. */
START_TEST(status_shows_the_sandbox)
{
    jt_runenv e;
    env_init(&e, true);
    char *out = NULL, *err = NULL;
    const char *a[] = {"status", "--backend", "model", NULL};
    jt_runenv_run(&e, a, &out, &err); /* NOT READY (no calibration) is fine here */
    char *line = jt_xasprintf("sandbox: WEAKENED (%s): ", forced_level());
    ck_assert_msg(strstr(out, line), "status:\n%s", out);
    ck_assert_msg(strstr(out, "      fix: "), "status:\n%s", out);
    free(line), free(out), free(err);
    const char *aj[] = {"status", "--json", "--backend", "model", NULL};
    jt_runenv_run(&e, aj, &out, &err);
    json_t *doc = json_loads(out, 0, NULL);
    ck_assert_msg(doc != NULL, "%s", out);
    json_t *sb = json_object_get(doc, "sandbox");
    ck_assert_str_eq(json_string_value(json_object_get(sb, "level")), forced_level());
    ck_assert_ptr_nonnull(json_string_value(json_object_get(sb, "missing")));
    ck_assert_ptr_nonnull(json_string_value(json_object_get(sb, "why")));
    ck_assert_ptr_nonnull(json_string_value(json_object_get(sb, "fix")));
    json_decref(doc);
    free(out), free(err);
    jt_runenv_free(&e);
}
END_TEST

/* run: the warning before any candidate, run.json, every record that ran
 * something (floor and candidates), and the index.html banner. */
START_TEST(run_records_its_isolation)
{
    jt_runenv e;
    env_init(&e, true);
    char *out = NULL, *err = NULL, *want = forced_warning();
    const char *dir = e.out;
    const char *a[] = {"run", e.suite, "-o", dir, "--backend", "model", "--allow-uncalibrated",
                       "--lock-file", e.lock, NULL};
    int rc = jt_runenv_run(&e, a, &out, &err);
    ck_assert_msg(rc == 0, "run: %d\n%s", rc, err);
    ck_assert_msg(!strncmp(err, want, strlen(want)), "stderr:\n%s", err);
    ck_assert_uint_eq(count(err, "sandbox weakened"), 1);
    char *p = jt_xasprintf("%s/run.json", dir);
    json_t *run = json_load_file(p, 0, NULL);
    free(p);
    ck_assert_ptr_nonnull(run);
    ck_assert_str_eq(json_string_value(json_object_get(json_object_get(run, "sandbox"), "level")),
                     forced_level());
    json_decref(run);
    p = jt_xasprintf("%s/journal.jsonl", dir);
    char *journal = jt_test_read_file(p);
    free(p);
    ck_assert_ptr_nonnull(journal);
    size_t n = 0;
    for (char *l = strtok(journal, "\n"); l; l = strtok(NULL, "\n"), n++) {
        json_t *rec = json_loads(l, 0, NULL);
        ck_assert_ptr_nonnull(rec);
        ck_assert_str_eq(json_string_value(json_object_get(rec, "sandbox_level")), forced_level());
        const char *desc = json_string_value(json_object_get(rec, "sandbox"));
        ck_assert_msg(desc && (geteuid() ? !strncmp(desc, "not root", 8)
                                         : strstr(desc, "JOULETRACE_SANDBOX_NO_NAMESPACES is set") != NULL),
                      "%s", l);
        json_decref(rec);
    }
    ck_assert_uint_eq(n, 2); /* good, bad (the floor ran inside good's record) */
    p = jt_xasprintf("%s/index.html", dir);
    char *page = jt_test_read_file(p);
    free(p);
    ck_assert_msg(page && strstr(page, "<strong>Weakened sandbox:</strong> 2 of 2 records ran with "
                                       "less isolation than the README describes ("),
                  "no sandbox banner");
    free(page), free(journal), free(out), free(err), free(want);
    jt_runenv_free(&e);
}
END_TEST

/* A cgroup whose swap the kernel cannot limit (cgroup.h "Swap"): status
 * says NOT limited with the fix, the run's warning says so, run.json has
 * it; a limited one is one status line, no warning. */
START_TEST(unlimited_swap_is_named_with_the_fix)
{
    char swap_open[] = "NOT limited: the kernel does not account swap (no memory.swap.max): the "
                       "candidate's pages may be swapped out";
    char swap_shut[] = "memory.swap.max = 0";
    char iso_open[] = "cgroup-v2; swap not limited", iso_shut[] = "cgroup-v2";
    char desc[] = "pid,net,mount,ipc namespaces";
    jt_sandbox sb = {.level = JT_SANDBOX_FULL, .desc = desc, .isolation = iso_open,
                     .cgroup_swap = swap_open, .cgroup_swap_limited = false};
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    jt_sandbox_print(&sb, f);
    fclose(f);
    ck_assert_str_eq(buf, "cgroup: cgroup-v2; swap not limited (memory, pids and cpuset limits "
                          "per candidate)\n      swap: NOT limited: the kernel does not account "
                          "swap (no memory.swap.max): the candidate's pages may be swapped out\n"
                          "      fix: boot with swapaccount=1 on the kernel command line (the "
                          "kernel must be built with CONFIG_MEMCG_SWAP), or turn swap off while "
                          "measuring (swapoff -a)\n"
                          "sandbox: full (pid,net,mount,ipc namespaces)\n");
    free(buf);
    char *w = jt_sandbox_cgroup_warning(&sb);
    ck_assert_msg(w && !strncmp(w, "candidates' memory may be swapped out: swap is NOT limited: ", 60)
                      && strstr(w, "; boot with swapaccount=1"), "%s", w ? w : "(none)");
    free(w);
    json_t *o = jt_sandbox_json(&sb);
    ck_assert_str_eq(json_string_value(json_object_get(o, "cgroup_swap")), swap_open);
    ck_assert(json_is_false(json_object_get(o, "cgroup_swap_limited")));
    json_decref(o);

    sb.isolation = iso_shut;
    sb.cgroup_swap = swap_shut;
    sb.cgroup_swap_limited = true;
    f = open_memstream(&buf, &len);
    jt_sandbox_print(&sb, f);
    fclose(f);
    ck_assert_str_eq(buf, "cgroup: cgroup-v2 (memory, pids and cpuset limits per candidate; swap: "
                          "memory.swap.max = 0)\n"
                          "sandbox: full (pid,net,mount,ipc namespaces)\n");
    free(buf);
    ck_assert_ptr_null(jt_sandbox_cgroup_warning(&sb));
}
END_TEST

static Suite *sandbox_suite(void)
{
    Suite *s = suite_create("sandbox");
    TCase *tc = tcase_create("levels");
    tcase_add_loop_test(tc, chroot_detected_from_mountinfo, 0,
                        (int)(sizeof mountinfos / sizeof mountinfos[0]));
    tcase_add_loop_test(tc, each_reason_has_its_warning_and_fix, 0,
                        (int)(sizeof cases / sizeof cases[0]));
    tcase_add_loop_test(tc, no_private_root_is_named, 0,
                        (int)(sizeof root_cases / sizeof root_cases[0]));
    tcase_add_test(tc, record_weakened_reads_level_or_old_description);
    tcase_add_test(tc, unlimited_swap_is_named_with_the_fix);
    suite_add_tcase(s, tc);
    TCase *cli = tcase_create("cli");
    tcase_set_timeout(cli, 120);
    /* as root the forced fallback runs candidates as nobody on the host's tree */
    const char *blocked = geteuid() == 0 ? jt_test_nobody_blocked() : NULL;
    if (blocked) {
        jt_test_skip_case("cli/validate_warns_when_weakened", blocked);
        jt_test_skip_case("cli/status_shows_the_sandbox", blocked);
        jt_test_skip_case("cli/run_records_its_isolation", blocked);
    } else {
        tcase_add_test(cli, validate_warns_when_weakened);
        tcase_add_test(cli, status_shows_the_sandbox);
        tcase_add_test(cli, run_records_its_isolation);
    }
    suite_add_tcase(s, cli);
    return s;
}

JT_TEST_MAIN(sandbox_suite)
