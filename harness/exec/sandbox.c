/* The sandbox probe and its levels (sandbox.h). */
#include "jouletrace/sandbox.h"

#include <errno.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "exec/sandbox_priv.h"
#include "jouletrace/common.h"
#include "jouletrace/seccomp.h"

#define PROBE_PROGRAM "/bin/true"
#define PROBE_TIMEOUT_S 10.0
#define PROBE_MEMORY_MB 64
#define DEFAULT_USER "nobody"

static const char *const level_names[] = {
    [JT_SANDBOX_FULL] = "full",
    [JT_SANDBOX_NO_SECCOMP] = "no-seccomp",
    [JT_SANDBOX_NO_PRIVATE_ROOT] = "no-private-root",
    [JT_SANDBOX_NO_NAMESPACES] = "no-namespaces",
    [JT_SANDBOX_UNPRIVILEGED] = "unprivileged",
    [JT_SANDBOX_UNUSABLE] = "unusable",
};

static const char allow_namespaces[] =
    "allow namespaces: run on the host, or in a container allowed to create pid, net, mount "
    "and ipc namespaces (CAP_SYS_ADMIN, e.g. docker run --privileged)";

/* The fix for each reason namespaces are off (JT_CHILD_NS_REFUSED: by errno
 * below). */
static const struct {
    jt_child_ns_off off;
    const char *fix;
} off_fixes[] = {
    {JT_CHILD_NS_DISABLED, "do not set no_namespaces (a test knob)"},
    {JT_CHILD_NS_ENV, "unset JOULETRACE_SANDBOX_NO_NAMESPACES"},
    {JT_CHILD_NS_CHROOT, "make '/' a mount point (bind-mount the chroot directory onto itself "
                         "before entering it: mount --bind DIR DIR) or run outside the chroot"},
};

static const struct {
    int err;
    const char *fix;
} errno_fixes[] = {
    {ENOSPC, "allow namespaces: raise the limits (sysctl user.max_pid_namespaces, "
             "user.max_net_namespaces, user.max_mnt_namespaces, user.max_ipc_namespaces)"},
    {EUSERS, "allow namespaces: raise the limits (sysctl user.max_pid_namespaces, "
             "user.max_net_namespaces, user.max_mnt_namespaces, user.max_ipc_namespaces)"},
};

/* The fix when the private root could not be built, by what failed. */
static const char allow_mounts[] =
    "allow mounts in the sandbox's mount namespace (tmpfs, read-only bind mounts, pivot_root): "
    "run on the host, or in a container with CAP_SYS_ADMIN (e.g. docker run --privileged)";
static const struct {
    const char *prefix; /* of root_why */
    int err;            /* 0: any */
    const char *fix;
} root_fixes[] = {
    {"disabled", 0, "do not set no_private_root (a test knob)"},
    {"pivot_root", EINVAL, "run from a real root file system: pivot_root is refused when '/' is "
                           "the initial ramfs (rootfs); boot with a root device or use switch_root"},
    {"cannot ", 0, "make the host's /proc/self/mountinfo and top-level directories readable"},
};

/* The fix when the seccomp filter is missing, by the start of seccomp_why. */
static const struct {
    const char *prefix;
    int err; /* 0: any */
    const char *fix;
} seccomp_fixes[] = {
    {"disabled", 0, "do not set no_seccomp (a test knob)"},
    {JT_SECCOMP_OFF_ENV, 0, "unset " JT_SECCOMP_OFF_ENV},
    {"seccomp: ", 0, "reinstall libseccomp (scripts/install-deps.sh; Debian: libseccomp2) and "
                     "rebuild"},
    {"install the filter", EINVAL, "use a kernel built with CONFIG_SECCOMP_FILTER (every "
                                   "distribution kernel is)"},
    {"install the filter", 0, "allow seccomp filters: in a container, use a seccomp profile "
                              "and security policy that permit seccomp(2) (Docker's default "
                              "does)"},
};

const char *jt_sandbox_level_name(jt_sandbox_level level)
{
    return (size_t)level < sizeof level_names / sizeof level_names[0] ? level_names[level] : "?";
}

jt_sandbox_level jt_sandbox_level_of(const jt_child *c)
{
    if (c->ns_off == JT_CHILD_NS_ON && c->root_off == JT_CHILD_ROOT_ON)
        return c->seccomp_why ? JT_SANDBOX_NO_SECCOMP : JT_SANDBOX_FULL;
    if (c->ns_off == JT_CHILD_NS_ON) return JT_SANDBOX_NO_PRIVATE_ROOT;
    return c->ns_off == JT_CHILD_NS_NOT_ROOT ? JT_SANDBOX_UNPRIVILEGED : JT_SANDBOX_NO_NAMESPACES;
}

static const char *ns_fix(const jt_child *c)
{
    for (size_t i = 0; i < sizeof off_fixes / sizeof off_fixes[0]; i++)
        if (off_fixes[i].off == c->ns_off) return off_fixes[i].fix;
    for (size_t i = 0; i < sizeof errno_fixes / sizeof errno_fixes[0]; i++)
        if (errno_fixes[i].err == c->ns_errno) return errno_fixes[i].fix;
    return allow_namespaces;
}

static const char *root_fix(const jt_child *c)
{
    const char *why = c->root_why ? c->root_why : "";
    for (size_t i = 0; i < sizeof root_fixes / sizeof root_fixes[0]; i++)
        if (!strncmp(why, root_fixes[i].prefix, strlen(root_fixes[i].prefix)) &&
            (!root_fixes[i].err || root_fixes[i].err == c->root_errno))
            return root_fixes[i].fix;
    return allow_mounts;
}

static const char *seccomp_fix(const jt_child *c)
{
    const char *why = c->seccomp_why ? c->seccomp_why : "";
    size_t n = sizeof seccomp_fixes / sizeof seccomp_fixes[0];
    for (size_t i = 0; i < n; i++)
        if (!strncmp(why, seccomp_fixes[i].prefix, strlen(seccomp_fixes[i].prefix)) &&
            (!seccomp_fixes[i].err || seccomp_fixes[i].err == c->seccomp_errno))
            return seccomp_fixes[i].fix;
    return seccomp_fixes[n - 1].fix;
}

static const char no_seccomp[] =
    "no seccomp filter: candidates may ptrace, create namespaces and mount in them, open perf "
    "counters and leave their CPU";

void jt_sandbox_of_child(const jt_child *c, const char *user, jt_sandbox *sb)
{
    const char *u = user ? user : DEFAULT_USER;
    memset(sb, 0, sizeof *sb);
    sb->level = jt_sandbox_level_of(c);
    sb->desc = jt_xstrdup(jt_child_sandbox_desc(c));
    jt_sandbox_cgroup_of_child_(c, sb);
    switch (sb->level) {
    case JT_SANDBOX_FULL:
        break;
    case JT_SANDBOX_NO_SECCOMP:
        sb->missing = jt_xstrdup(no_seccomp);
        sb->why = jt_xstrdup(c->seccomp_why);
        sb->fix = jt_xstrdup(seccomp_fix(c));
        break;
    case JT_SANDBOX_NO_PRIVATE_ROOT:
        sb->missing = jt_xasprintf("no private root: candidates see the host's files (other "
                                   "suites, earlier run directories, home directories) wherever "
                                   "file permissions let user '%s' read them",
                                   u);
        sb->why = jt_xstrdup(c->root_why ? c->root_why : "unknown");
        sb->fix = jt_xstrdup(root_fix(c));
        break;
    case JT_SANDBOX_NO_NAMESPACES:
        sb->missing = jt_xstrdup("no pid, net, mount and ipc namespaces: candidates see the "
                                 "host's processes, network and files");
        sb->why = jt_xstrdup(c->ns_why ? c->ns_why : "unknown");
        sb->fix = jt_xstrdup(ns_fix(c));
        break;
    case JT_SANDBOX_UNPRIVILEGED:
    case JT_SANDBOX_UNUSABLE:
        sb->missing = jt_xasprintf("no namespaces and no drop to user '%s': candidates run "
                                   "as uid %u with your own rights",
                                   u, (unsigned)geteuid());
        sb->why = jt_xstrdup("not root");
        sb->fix = jt_xstrdup("run as root (sudo)");
        break;
    }
    if (c->seccomp_why && sb->level != JT_SANDBOX_NO_SECCOMP) { /* named too, with its reason */
        char *m = jt_xasprintf("%s; and %s (%s: %s)", sb->missing, no_seccomp, c->seccomp_why,
                               seccomp_fix(c));
        free(sb->missing);
        sb->missing = m;
    }
}

/* No sandboxed child could start: why, and the fix. */
static void unusable(const char *user, const char *msg, jt_sandbox *sb)
{
    memset(sb, 0, sizeof *sb);
    sb->level = JT_SANDBOX_UNUSABLE;
    sb->desc = jt_xasprintf("no sandboxed child can start: %s", msg);
    sb->missing = jt_xstrdup("no sandboxed child can start, so every candidate fails");
    sb->why = jt_xstrdup(msg);
    if (geteuid() == 0 && !getpwnam(user))
        sb->fix = jt_xasprintf("create the sandbox user: useradd --system --no-create-home "
                               "--shell /usr/sbin/nologin %s",
                               user);
    else
        sb->fix = jt_xstrdup("fix the cause above, then check with `jouletrace status`");
}

void jt_sandbox_probe(const char *user, jt_sandbox *sb)
{
    const char *u = user ? user : DEFAULT_USER;
    const char *argv[] = {PROBE_PROGRAM, NULL};
    jt_child c;
    jt_child_init(&c);
    c.argv = argv;
    c.sandbox_user = u;
    c.memory_limit_mb = PROBE_MEMORY_MB; /* so the cgroup's swap limit is set, and described */
    jt_err err = JT_ERR_INIT;
    if (jt_child_start(&c, &err) != 0) {
        unusable(u, jt_err_msg(&err), sb);
    } else {
        jt_sandbox_of_child(&c, u, sb);
        jt_err werr = JT_ERR_INIT;
        jt_child_wait(&c, PROBE_TIMEOUT_S, &werr); /* how /bin/true ends says nothing more */
        jt_err_clear(&werr);
    }
    jt_child_release(&c);
    jt_err_clear(&err);
}

void jt_sandbox_release(jt_sandbox *sb)
{
    free(sb->desc);
    free(sb->missing);
    free(sb->why);
    free(sb->fix);
    jt_sandbox_cgroup_release_(sb);
    memset(sb, 0, sizeof *sb);
}

char *jt_sandbox_warning(const jt_sandbox *sb)
{
    if (sb->level == JT_SANDBOX_FULL) return NULL;
    return jt_xasprintf("sandbox %s: %s (%s); %s",
                        sb->level == JT_SANDBOX_UNUSABLE ? "unusable" : "weakened", sb->missing,
                        sb->why, sb->fix);
}

void jt_sandbox_warn(const jt_sandbox *sb, FILE *f)
{
    char *w = jt_sandbox_warning(sb);
    if (w) fprintf(f, "jouletrace: warning: %s\n", w);
    free(w);
    w = jt_sandbox_cgroup_warning(sb);
    if (w) fprintf(f, "jouletrace: warning: %s\n", w);
    free(w);
}

void jt_sandbox_print(const jt_sandbox *sb, FILE *f)
{
    jt_sandbox_cgroup_print_(sb, f);
    if (sb->level == JT_SANDBOX_FULL) {
        fprintf(f, "sandbox: full (%s)\n", sb->desc);
        return;
    }
    fprintf(f, "sandbox: %s (%s): %s\n", sb->level == JT_SANDBOX_UNUSABLE ? "UNUSABLE" : "WEAKENED",
            jt_sandbox_level_name(sb->level), sb->missing);
    fprintf(f, "      why: %s\n      fix: %s\n", sb->why, sb->fix);
}

json_t *jt_sandbox_json(const jt_sandbox *sb)
{
    return jt_sandbox_cgroup_json_(sb, json_pack("{s:s,s:b,s:s,s:s?,s:s?,s:s?}", "level", jt_sandbox_level_name(sb->level),
                     "weakened", sb->level != JT_SANDBOX_FULL, "description",
                     sb->desc ? sb->desc : "", "missing", sb->missing, "why", sb->why, "fix",
                     sb->fix));
}

void jt_sandbox_annotate(json_t *rec, const jt_child *c)
{
    if (!c || !jt_child_sandbox_desc(c)[0]) return;
    json_object_set_new(rec, "sandbox", json_string(jt_child_sandbox_desc(c)));
    json_object_set_new(rec, "sandbox_level",
                        json_string(jt_sandbox_level_name(jt_sandbox_level_of(c))));
    json_object_set_new(rec, "isolation", json_string(jt_child_isolation(c)));
    uint64_t peak = jt_child_peak_memory(c);
    if (peak) json_object_set_new(rec, "peak_memory_bytes", json_integer((json_int_t)peak));
}

bool jt_sandbox_record_weakened(const json_t *rec)
{
    const char *level = json_string_value(json_object_get(rec, "sandbox_level"));
    if (level) return strcmp(level, "full") != 0;
    /* older records: only the description */
    const char *desc = json_string_value(json_object_get(rec, "sandbox"));
    return desc && (!strncmp(desc, "no namespaces", 13) || !strncmp(desc, "not root", 8));
}
