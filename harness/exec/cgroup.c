/* cgroup: a control group per candidate (cgroup.h). The API, the v2
 * layout and the search for the host's hierarchies are here; the v1 layout
 * is cgroup_v1.c. */
#include "jouletrace/cgroup.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "exec/cgroup_priv.h"
#include "jouletrace/fsutil.h"
#include "jouletrace/sysfile.h"

/* How long removal waits for killed members to leave (they must, first). */
#define RMDIR_ROUNDS 400
#define RMDIR_WAIT_NS 5000000L
#define NODE_ROOT "/sys/devices/system/node"
#define V2_CONTROLLERS "+memory +pids +cpuset"
#define HARNESS_LEAF "jouletrace-harness-"

const char *const jt_cgroup_v1_names_[CG_COUNT] = {
    [CG_MEMORY] = "memory", [CG_PIDS] = "pids", [CG_CPUSET] = "cpuset",
    [CG_CPUACCT] = "cpuacct", [CG_FREEZER] = "freezer",
};

/* ---- files ------------------------------------------------------------- */

int jt_cgroup_write_(const char *dir, const char *file, const char *text, bool create)
{
    char *path = jt_xasprintf("%s/%s", dir, file);
    int fd = open(path, O_WRONLY | O_CLOEXEC | (create ? O_CREAT | O_TRUNC : 0), 0644);
    free(path);
    if (fd < 0) return -1;
    size_t n = strlen(text);
    ssize_t w = write(fd, text, n);
    int saved = errno;
    close(fd);
    errno = saved;
    return w == (ssize_t)n ? 0 : -1;
}

char *jt_cgroup_read_(const char *dir, const char *file, jt_err *err)
{
    char *path = jt_xasprintf("%s/%s", dir, file), *text = NULL;
    size_t len = 0;
    if (jt_read_file(path, &text, &len, err) != 0) text = NULL;
    free(path);
    return text;
}

int jt_cgroup_keyed_(const char *dir, const char *file, const char *key, uint64_t *v, jt_err *err)
{
    char *text = jt_cgroup_read_(dir, file, err);
    if (!text) return -1;
    size_t kl = strlen(key);
    bool found = false;
    for (const char *p = text; p && *p && !found; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
        char *end = NULL;
        if (strncmp(p, key, kl) || p[kl] != ' ') continue;
        *v = strtoull(p + kl + 1, &end, 10);
        found = end != p + kl + 1;
        break;
    }
    free(text);
    return found ? 0 : jt_err_set(err, "'%s/%s' has no %s line", dir, file, key);
}

int jt_cgroup_number_(const char *dir, const char *file, uint64_t *v, jt_err *err)
{
    char *text = jt_cgroup_read_(dir, file, err);
    if (!text) return -1;
    char *end = NULL;
    *v = strtoull(text, &end, 10);
    int rc = end == text ? jt_err_set(err, "'%s/%s' holds no number", dir, file) : 0;
    free(text);
    return rc;
}

bool jt_cgroup_offers_(const jt_cgroup *cg, const char *base, const char *leaf, const char *file)
{
    char *path = jt_xasprintf("%s/%s", cg->fake ? base : leaf, file);
    bool yes = access(path, F_OK) == 0;
    free(path);
    return yes;
}

/* Whether the host has swap space in use: /proc/swaps lists a device or
 * file below its header line. */
static bool host_has_swap(const char *swaps_file)
{
    char *text = NULL;
    if (jt_read_file(swaps_file ? swaps_file : "/proc/swaps", &text, NULL, NULL) != 0)
        return true; /* unknown: assume the worst */
    const char *nl = strchr(text, '\n');
    bool yes = nl && nl[1] != '\0';
    free(text);
    return yes;
}

void jt_cgroup_swap_settle_(jt_cgroup *cg, const char *how, const char *without,
                            const char *swaps_file)
{
    cg->swap_limited = how != NULL || !host_has_swap(swaps_file);
    if (how) cg->swap = jt_xstrdup(how);
    else if (cg->swap_limited)
        cg->swap = jt_xstrdup("none: the host has no swap space (the kernel does not account "
                              "swap, so no limit is set)");
    else cg->swap = jt_xasprintf("NOT limited: %s", without);
}

/* ---- leaves ------------------------------------------------------------ */

/* Removes the leaves of harnesses that are gone (a harness killed by SIGKILL
 * cannot remove its own). rmdir only: a cgroup with tasks refuses. */
static void sweep_stale(const char *base)
{
    DIR *d = opendir(base);
    if (!d) return;
    for (struct dirent *de; (de = readdir(d));) {
        long harness = 0, n = 0;
        char tail;
        bool leaf = sscanf(de->d_name, "jouletrace-%ld-%ld%c", &harness, &n, &tail) == 2;
        if (!leaf && sscanf(de->d_name, HARNESS_LEAF "%ld%c", &harness, &tail) != 1) continue;
        if (harness <= 0 || harness == (long)getpid()) continue;
        if (kill((pid_t)harness, 0) == 0 || errno != ESRCH) continue;
        char *dir = jt_xasprintf("%s/%s", base, de->d_name);
        rmdir(dir);
        free(dir);
    }
    closedir(d);
}

char *jt_cgroup_make_leaf_(const char *base, jt_err *err)
{
    sweep_stale(base);
    for (long n = 0; n < 100000; n++) {
        char *dir = jt_xasprintf("%s/jouletrace-%ld-%ld", base, (long)getpid(), n);
        if (mkdir(dir, 0755) == 0) return dir;
        int e = errno;
        free(dir);
        if (e != EEXIST) {
            jt_err_set(err, "mkdir in '%s': %s", base, strerror(e));
            return NULL;
        }
    }
    jt_err_set(err, "mkdir in '%s': every name is taken", base);
    return NULL;
}

void jt_cgroup_rmdir_(const char *dir)
{
    for (int round = 0; rmdir(dir) != 0 && errno == EBUSY && round < RMDIR_ROUNDS; round++) {
        struct timespec ts = {0, RMDIR_WAIT_NS};
        nanosleep(&ts, NULL);
    }
}

int jt_cgroup_kill_listed_(const char *dir)
{
    char *text = jt_cgroup_read_(dir, "cgroup.procs", NULL);
    int n = 0;
    for (char *p = text, *end; p && *p; p = end) {
        long pid = strtol(p, &end, 10);
        if (end == p) break;
        if (pid > 0 && pid != (long)getpid()) {
            kill((pid_t)pid, SIGKILL);
            n++;
        }
    }
    free(text);
    return n;
}

char *jt_cgroup_node_of_(const char *node_root, int cpu)
{
    if (cpu < 0) return NULL;
    DIR *d = opendir(node_root ? node_root : NODE_ROOT);
    if (!d) return NULL;
    char *node = NULL;
    int *cpus = jt_xcalloc(JT_MAX_CPUS, sizeof *cpus);
    for (struct dirent *de; !node && (de = readdir(d));) {
        long id;
        char tail;
        if (sscanf(de->d_name, "node%ld%c", &id, &tail) != 1 || id < 0) continue;
        char *path = jt_xasprintf("%s/%s/cpulist", node_root ? node_root : NODE_ROOT, de->d_name);
        char *list = jt_read_first_line(path);
        free(path);
        int n = list ? jt_cpulist_parse(list, cpus, JT_MAX_CPUS) : 0;
        for (int i = 0; i < n && !node; i++)
            if (cpus[i] == cpu) node = jt_xasprintf("%ld", id);
        free(list);
    }
    free(cpus);
    closedir(d);
    return node;
}

/* ---- the host's hierarchies -------------------------------------------- */

typedef struct hosts {
    char *v2;             /* our v2 cgroup directory, or NULL */
    char *v1[CG_COUNT];   /* our cgroup directory per v1 controller, or NULL */
} hosts;

static bool has_word(const char *list, const char *word, const char *seps)
{
    size_t wl = strlen(word);
    for (const char *p = list; p && *p;) {
        size_t l = strcspn(p, seps);
        if (l == wl && !strncmp(p, word, wl)) return true;
        p += l;
        p += *p ? 1 : 0;
    }
    return false;
}

/* The path in /proc/self/cgroup for a hierarchy: v2 ("0::P") when ctrl is
 * NULL, else the v1 line naming controller ctrl. Points into cg. */
static const char *own_path(const char *cg, const char *ctrl, size_t *len)
{
    for (const char *l = cg; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
        const char *c1 = strchr(l, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
        const char *eol = l + strcspn(l, "\n");
        if (!c2 || c2 > eol) continue;
        char names[256];
        size_t nl = (size_t)(c2 - c1 - 1);
        if (nl >= sizeof names) continue;
        memcpy(names, c1 + 1, nl);
        names[nl] = '\0';
        if (ctrl ? !has_word(names, ctrl, ",") : (nl != 0 || strncmp(l, "0:", 2))) continue;
        *len = (size_t)(eol - c2 - 1);
        return c2 + 1;
    }
    return NULL;
}

/* MOUNT + (PATH below the mount's ROOT), or NULL when PATH is not below. */
static char *below(const char *mnt, const char *root, const char *path, size_t plen)
{
    size_t rlen = strcmp(root, "/") ? strlen(root) : 0;
    if (plen < rlen || strncmp(path, root, rlen) || (plen > rlen && path[rlen] != '/')) return NULL;
    if (plen == rlen || (plen == 1 && path[0] == '/')) return jt_xstrdup(mnt);
    return jt_xasprintf("%s%.*s", mnt, (int)(plen - rlen), path + rlen);
}

static void hosts_find(hosts *h)
{
    memset(h, 0, sizeof *h);
    char *mi = NULL, *cg = NULL;
    if (jt_read_file("/proc/self/mountinfo", &mi, NULL, NULL) != 0 ||
        jt_read_file("/proc/self/cgroup", &cg, NULL, NULL) != 0) {
        free(mi);
        free(cg);
        return;
    }
    for (char *save = NULL, *line = strtok_r(mi, "\n", &save); line;
         line = strtok_r(NULL, "\n", &save)) {
        const char *sep = strstr(line, " - ");
        char root[4096], mnt[4096], fstype[32], opts[1024];
        if (!sep || sscanf(line, "%*s %*s %*s %4095s %4095s", root, mnt) != 2 ||
            sscanf(sep + 3, "%31s %*s %1023s", fstype, opts) != 2 || strchr(root, '\\') ||
            strchr(mnt, '\\'))
            continue; /* octal escapes: odd characters, skipped */
        size_t plen = 0;
        const char *path;
        if (!strcmp(fstype, "cgroup2") && !h->v2 && (path = own_path(cg, NULL, &plen)))
            h->v2 = below(mnt, root, path, plen);
        if (strcmp(fstype, "cgroup")) continue;
        for (int c = 0; c < CG_COUNT; c++)
            if (!h->v1[c] && has_word(opts, jt_cgroup_v1_names_[c], ",") &&
                (path = own_path(cg, jt_cgroup_v1_names_[c], &plen)))
                h->v1[c] = below(mnt, root, path, plen);
    }
    free(mi);
    free(cg);
    /* Our own leaf from an earlier candidate: its parent is the base. */
    char *slash = h->v2 ? strrchr(h->v2, '/') : NULL;
    char tail;
    long pid;
    if (slash && sscanf(slash + 1, HARNESS_LEAF "%ld%c", &pid, &tail) == 1 && pid == (long)getpid())
        *slash = '\0';
}

static void hosts_release(hosts *h)
{
    free(h->v2);
    for (int c = 0; c < CG_COUNT; c++) free(h->v1[c]);
}

/* ---- v2 ---------------------------------------------------------------- */

/* Enables the controllers for our children; v2 lets a cgroup with tasks
 * have none, so when ours holds tasks the harness moves into a leaf. */
static int v2_delegate(const char *base, bool fake, jt_err *err)
{
    if (jt_cgroup_write_(base, "cgroup.subtree_control", V2_CONTROLLERS, fake) == 0) return 0;
    if (errno != EBUSY)
        return jt_err_set(err, "enable %s in '%s/cgroup.subtree_control': %s", V2_CONTROLLERS,
                          base, strerror(errno));
    char *leaf = jt_xasprintf("%s/" HARNESS_LEAF "%ld", base, (long)getpid());
    char pid[32];
    snprintf(pid, sizeof pid, "%ld", (long)getpid());
    int rc = 0;
    if ((mkdir(leaf, 0755) != 0 && errno != EEXIST) ||
        jt_cgroup_write_(leaf, "cgroup.procs", pid, false) != 0)
        rc = jt_err_set(err, "move the harness into '%s': %s", leaf, strerror(errno));
    else if (jt_cgroup_write_(base, "cgroup.subtree_control", V2_CONTROLLERS, false) != 0)
        rc = jt_err_set(err, "enable %s in '%s/cgroup.subtree_control': %s (our cgroup holds "
                        "other processes)", V2_CONTROLLERS, base, strerror(errno));
    free(leaf);
    return rc;
}

static int v2_set(const jt_cgroup *cg, const char *file, const char *text, bool optional,
                  jt_err *err)
{
    if (jt_cgroup_write_(cg->dir[0], file, text, cg->fake) == 0 || (optional && errno == ENOENT))
        return 0;
    return jt_err_set(err, "write %s to '%s/%s': %s", text, cg->dir[0], file, strerror(errno));
}

static int v2_create(jt_cgroup *cg, const char *base, const jt_cgroup_spec *s, jt_err *err)
{
    char *have = jt_cgroup_read_(base, "cgroup.controllers", err);
    if (!have) return jt_err_prefix(err, "cgroup v2");
    static const char *const need[] = {"memory", "pids", "cpuset"};
    int rc = 0;
    for (size_t i = 0; i < sizeof need / sizeof need[0] && rc == 0; i++)
        if (!has_word(have, need[i], " \n"))
            rc = jt_err_set(err, "cgroup v2: controller %s missing in '%s/cgroup.controllers'",
                            need[i], base);
    free(have);
    if (rc != 0 || v2_delegate(base, cg->fake, err) != 0) return -1;
    cg->version = JT_CGROUP_V2;
    cg->dir[0] = jt_cgroup_make_leaf_(base, err);
    if (!cg->dir[0]) return jt_err_prefix(err, "cgroup v2");
    cg->made[0] = true;
    char num[32], *node = jt_cgroup_node_of_(s->node_root, s->cpu);
    if (s->memory_mb > 0) {
        snprintf(num, sizeof num, "%lld", (long long)s->memory_mb << 20);
        rc = v2_set(cg, "memory.max", num, false, err);
        /* no memory.swap.max: the kernel does not account swap */
        bool swap = jt_cgroup_offers_(cg, base, cg->dir[0], "memory.swap.max");
        if (rc == 0 && swap) rc = v2_set(cg, "memory.swap.max", "0", false, err);
        if (rc == 0)
            jt_cgroup_swap_settle_(cg, swap ? "memory.swap.max = 0" : NULL,
                                   "the kernel does not account swap (no memory.swap.max): the "
                                   "candidate's pages may be swapped out",
                                   s->swaps);
    }
    snprintf(num, sizeof num, "%ld", s->pids_max);
    if (rc == 0 && s->pids_max > 0) rc = v2_set(cg, "pids.max", num, false, err);
    snprintf(num, sizeof num, "%d", s->cpu);
    if (rc == 0 && s->cpu >= 0) rc = v2_set(cg, "cpuset.cpus", num, false, err);
    if (rc == 0 && s->cpu >= 0) rc = v2_set(cg, "cpuset.mems", node ? node : "0", false, err);
    free(node);
    return rc;
}

/* ---- the API ----------------------------------------------------------- */

static void release(jt_cgroup *cg)
{
    for (int i = JT_CGROUP_MAX_DIRS - 1; i >= 0; i--) {
        if (cg->made[i] && cg->fake) rmdir(cg->dir[i]);
        else if (cg->made[i]) jt_cgroup_rmdir_(cg->dir[i]);
        free(cg->dir[i]);
    }
    free(cg->swap);
    free(cg);
}

/* A fake tree (spec.root): v2 is the root itself, v1 one directory per
 * controller, ANY a hybrid host's layout: ROOT/unified for v2 and the v1
 * controllers' directories that exist. */
static void fake_hosts(const jt_cgroup_spec *s, hosts *h)
{
    memset(h, 0, sizeof *h);
    struct stat st;
    char *unified = jt_xasprintf("%s/unified", s->root);
    if (s->version == JT_CGROUP_V2) h->v2 = jt_xstrdup(s->root);
    else if (s->version == JT_CGROUP_ANY && stat(unified, &st) == 0) h->v2 = jt_xstrdup(unified);
    free(unified);
    for (int c = 0; c < CG_COUNT && s->version != JT_CGROUP_V2; c++) {
        h->v1[c] = jt_xasprintf("%s/%s", s->root, jt_cgroup_v1_names_[c]);
        if (s->version == JT_CGROUP_ANY && stat(h->v1[c], &st) != 0) {
            free(h->v1[c]);
            h->v1[c] = NULL;
        }
    }
}

/* A v2 cgroup that offers no controller at all (a hybrid host's unified
 * tree); false when its cgroup.controllers cannot be read. */
static bool without_controllers(const char *dir)
{
    char *have = jt_cgroup_read_(dir, "cgroup.controllers", NULL);
    bool none = have && have[strspn(have, " \n")] == '\0';
    free(have);
    return none;
}

int jt_cgroup_create(const jt_cgroup_spec *s, jt_cgroup **out, jt_err *err)
{
    *out = NULL;
    if (!s->root && geteuid() != 0) return jt_err_set(err, "not root");
    jt_cgroup *cg = jt_xcalloc(1, sizeof *cg);
    cg->fake = s->root != NULL;
    hosts h;
    if (s->root) {
        fake_hosts(s, &h);
    } else {
        hosts_find(&h);
    }
    jt_err e2 = JT_ERR_INIT;
    int rc = -1;
    if (h.v2 && s->version != JT_CGROUP_V1) rc = v2_create(cg, h.v2, s, &e2);
    bool v1_all = true;
    for (int c = 0; c < CG_COUNT; c++) v1_all = v1_all && h.v1[c];
    if (rc != 0 && s->version != JT_CGROUP_V2 && v1_all) {
        if (cg->made[0]) jt_cgroup_rmdir_(cg->dir[0]);
        free(cg->dir[0]);
        free(cg->swap);
        memset(cg, 0, sizeof *cg);
        cg->fake = s->root != NULL;
        rc = jt_cgroup_v1_create_(cg, h.v1, s, err);
    } else if (rc != 0) {
        int missing = 0, mounted = 0;
        while (missing < CG_COUNT && h.v1[missing]) missing++;
        for (int c = 0; c < CG_COUNT; c++) mounted += h.v1[c] != NULL;
        /* hybrid: the v2 tree only groups; the v1 ones would do the work */
        bool hybrid = h.v2 && s->version == JT_CGROUP_ANY && mounted && without_controllers(h.v2);
        if (h.v2 && s->version != JT_CGROUP_V1 && !hybrid)
            jt_err_set(err, "%s", jt_err_msg(&e2));
        else if (hybrid)
            jt_err_set(err, "cgroup v1: controller %s is not mounted (a hybrid host: the cgroup2 "
                            "hierarchy at '%s' has no controllers)",
                       jt_cgroup_v1_names_[missing], h.v2);
        else
            jt_err_set(err, "no cgroup hierarchy: no cgroup2 mount holds our cgroup, and the v1 "
                            "controller %s is not mounted", jt_cgroup_v1_names_[missing]);
    }
    jt_err_clear(&e2);
    hosts_release(&h);
    if (rc != 0) {
        jt_cgroup_kill(cg);
        release(cg);
        return -1;
    }
    *out = cg;
    return 0;
}

int jt_cgroup_join_fds(const jt_cgroup *cg, int *fds, size_t max, jt_err *err)
{
    size_t n = 0;
    for (int i = 0; i < JT_CGROUP_MAX_DIRS; i++) {
        if (!cg->made[i]) continue;
        char *path = jt_xasprintf("%s/cgroup.procs", cg->dir[i]);
        int fd = n < max ? open(path, O_WRONLY | O_CLOEXEC | (cg->fake ? O_CREAT : 0), 0644) : -1;
        if (fd < 0) jt_err_set(err, "open '%s': %s", path, n < max ? strerror(errno) : "too many");
        free(path);
        if (fd < 0) {
            while (n > 0) close(fds[--n]);
            return -1;
        }
        fds[n++] = fd;
    }
    return (int)n;
}

int jt_cgroup_add(const jt_cgroup *cg, long pid, jt_err *err)
{
    char text[32];
    snprintf(text, sizeof text, "%ld", pid);
    for (int i = 0; i < JT_CGROUP_MAX_DIRS; i++)
        if (cg->made[i] && jt_cgroup_write_(cg->dir[i], "cgroup.procs", text, cg->fake) != 0)
            return jt_err_set(err, "move %ld into '%s': %s", pid, cg->dir[i], strerror(errno));
    return 0;
}

/* The directory holding control file FILE: v2's one, v1's by the file's
 * controller prefix ("pids.max": pids); NULL for a file of no controller. */
static const char *dir_of(const jt_cgroup *cg, const char *file)
{
    if (cg->version == JT_CGROUP_V2) return cg->dir[0];
    for (int c = 0; c < CG_COUNT; c++) {
        size_t n = strlen(jt_cgroup_v1_names_[c]);
        if (!strncmp(file, jt_cgroup_v1_names_[c], n) && file[n] == '.') return cg->dir[c];
    }
    return NULL;
}

char *jt_cgroup_read(const jt_cgroup *cg, const char *file, jt_err *err)
{
    const char *dir = dir_of(cg, file);
    if (!dir) {
        jt_err_set(err, "'%s' belongs to no controller of the cgroup", file);
        return NULL;
    }
    return jt_cgroup_read_(dir, file, err);
}

int jt_cgroup_cpu_usec(const jt_cgroup *cg, uint64_t *usec, jt_err *err)
{
    if (cg->version == JT_CGROUP_V2) return jt_cgroup_keyed_(cg->dir[0], "cpu.stat", "usage_usec", usec, err);
    uint64_t ns = 0;
    if (jt_cgroup_number_(dir_of(cg, "cpuacct.usage"), "cpuacct.usage", &ns, err) != 0) return -1;
    *usec = ns / 1000;
    return 0;
}

int jt_cgroup_peak_bytes(const jt_cgroup *cg, uint64_t *bytes, jt_err *err)
{
    const char *file = cg->version == JT_CGROUP_V2 ? "memory.peak" : "memory.max_usage_in_bytes";
    return jt_cgroup_number_(dir_of(cg, file), file, bytes, err);
}

int jt_cgroup_oom_kills(const jt_cgroup *cg, uint64_t *kills, jt_err *err)
{
    const char *file = cg->version == JT_CGROUP_V2 ? "memory.events" : "memory.oom_control";
    return jt_cgroup_keyed_(dir_of(cg, file), file, "oom_kill", kills, err);
}

const char *jt_cgroup_swap(const jt_cgroup *cg, bool *limited)
{
    if (limited) *limited = cg->swap_limited || !cg->swap;
    return cg->swap;
}

const char *jt_cgroup_kind(const jt_cgroup *cg)
{
    return cg->version == JT_CGROUP_V2 ? "cgroup-v2" : "cgroup-v1";
}

const char *jt_cgroup_dir(const jt_cgroup *cg)
{
    return cg->dir[0];
}

void jt_cgroup_kill(jt_cgroup *cg)
{
    if (!cg || !cg->made[0]) return;
    if (cg->version == JT_CGROUP_V1) {
        jt_cgroup_v1_kill_(cg);
    } else if (jt_cgroup_write_(cg->dir[0], "cgroup.kill", "1", cg->fake) != 0) {
        /* before Linux 5.14: one by one, until a round finds nobody */
        for (int round = 0; round < RMDIR_ROUNDS && jt_cgroup_kill_listed_(cg->dir[0]) > 0;
             round++) {
            struct timespec ts = {0, RMDIR_WAIT_NS};
            nanosleep(&ts, NULL);
        }
    }
}

void jt_cgroup_destroy(jt_cgroup *cg)
{
    if (!cg) return;
    jt_cgroup_kill(cg);
    release(cg);
}

static const struct {
    const char *part; /* of the reason */
    const char *fix;
} fixes[] = {
    {"not root", "run as root (sudo)"},
    {"JOULETRACE_SANDBOX_NO_CGROUP", "unset JOULETRACE_SANDBOX_NO_CGROUP"},
    {"disabled", "do not set no_cgroup (a test knob)"},
    {"no cgroup hierarchy", "mount cgroup v2 (mount -t cgroup2 none /sys/fs/cgroup) or the v1 "
                            "controllers memory, pids, cpuset, cpuacct and freezer"},
    {"a hybrid host", "mount the missing v1 controller (mount -t cgroup -o NAME cgroup "
                      "/sys/fs/cgroup/NAME, NAME as named), or boot with "
                      "systemd.unified_cgroup_hierarchy=1 to use cgroup v2"},
    {"controller", "enable the memory, pids and cpuset controllers for jouletrace's cgroup (its "
                   "parent's cgroup.subtree_control; systemd: Delegate=yes)"},
    {"other processes", "start jouletrace in a cgroup of its own (systemd-run --scope -p "
                        "Delegate=yes jouletrace ...)"},
};

const char *jt_cgroup_fix(const char *why)
{
    for (size_t i = 0; why && i < sizeof fixes / sizeof fixes[0]; i++)
        if (strstr(why, fixes[i].part)) return fixes[i].fix;
    return "let root create cgroups below /sys/fs/cgroup (a container needs a writable cgroup "
           "namespace, e.g. docker run --privileged --cgroupns=private)";
}
