/* The private root of a sandboxed child (child.h), bubblewrap style: the
 * parent writes the plan (every path, symlink text and mount flag), the
 * child in its new mount namespace only executes it, so that between clone
 * and exec nothing is allocated and only system calls run. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "exec/child_priv.h"
#include "jouletrace/fsutil.h"

/* The root itself and /dev hold only mount points, directories and links. */
#define ROOT_TMPFS_OPTS "mode=0755,size=1m"
#define DEV_TMPFS_OPTS "mode=0755,size=64k"
#define TMPFS_FLAGS (MS_NOSUID | MS_NODEV)
#define RO_FLAGS (MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV)

enum op { OP_TMPFS, OP_DIR, OP_SYMLINK, OP_BIND_RO, OP_REMOUNT_RO, OP_BIND_DEV, OP_PROC, OP_PIVOT,
          OP_CHDIR, OP_BIND_FILE_RO };
static const char *const op_verbs[] = {
    [OP_TMPFS] = "mount a tmpfs on",     [OP_DIR] = "mkdir",
    [OP_SYMLINK] = "symlink",            [OP_BIND_RO] = "bind-mount read-only",
    [OP_REMOUNT_RO] = "remount read-only", [OP_BIND_DEV] = "bind-mount",
    [OP_PROC] = "mount proc on",         [OP_PIVOT] = "pivot_root to the new root",
    [OP_CHDIR] = "chdir to",             [OP_BIND_FILE_RO] = "bind-mount read-only",
};

/* What programs need from the host, read-only; a symlink (merged /usr) is
 * recreated, not bound. Everything else of the host stays out of sight
 * (docs/design.md "Sandbox"). */
static const char *const host_dirs[] = {"/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"};
/* Of /etc only what programs read: users and groups, the dynamic linker's
 * configuration, name service and time zone, Debian's /usr/bin links
 * (alternatives), TLS certificates, MIME types; and the configuration
 * directories of interpreters that keep it there (python3*, java-*). */
static const char *const etc_names[] = {
    "passwd", "group", "nsswitch.conf", "host.conf", "hosts", "gai.conf", "services",
    "protocols", "ld.so.cache", "ld.so.conf", "ld.so.conf.d", "localtime", "timezone",
    "alternatives", "ssl", "ca-certificates", "mime.types", "os-release",
};
static const char *const etc_prefixes[] = {"python3", "java-"};
static const char *const dev_nodes[] = {"null", "zero", "full", "random", "urandom"};
static const struct {
    const char *name, *target;
} dev_links[] = {
    {"fd", "/proc/self/fd"},
    {"stdin", "/proc/self/fd/0"},
    {"stdout", "/proc/self/fd/1"},
    {"stderr", "/proc/self/fd/2"},
};
/* The writable rest, parents first: a directory, and the tmpfs on it. */
static const struct {
    const char *path;
    mode_t mode;
    const char *tmpfs; /* NULL: a plain directory of the (read-only) root */
} scratch[] = {
    {"/dev/shm", 01777, JT_CHILD_TMPFS_OPTS},
    {"/tmp", 01777, JT_CHILD_TMPFS_OPTS},
    {JT_CHILD_SANDBOX_HOME, 0755, JT_CHILD_WORK_TMPFS_OPTS},
    {"/var", 0755, NULL},
    {"/var/tmp", 01777, JT_CHILD_TMPFS_OPTS},
    {"/run", 01777, JT_CHILD_TMPFS_OPTS},
    {"/run/lock", 01777, NULL}, /* in /run's tmpfs */
};

static jt_root_item *add(jt_root_plan *rp, int op, const char *base, const char *path,
                         const char *arg, unsigned long flags)
{
    JT_GROW(rp->items, rp->n + 1, rp->cap);
    jt_root_item *it = &rp->items[rp->n++];
    memset(it, 0, sizeof *it);
    it->op = op;
    it->path = jt_xasprintf("%s%s", base, path);
    it->shown = strlen(base);
    it->arg = arg ? jt_xstrdup(arg) : NULL;
    it->flags = flags;
    return it;
}

/* The read-only remount flags for a bind of `path`, keeping its noexec and
 * atime flags (a bind remount replaces them all). */
static unsigned long ro_flags(const char *path)
{
    static const struct {
        unsigned long st, ms;
    } keep[] = {{ST_NOEXEC, MS_NOEXEC},
                {ST_NOATIME, MS_NOATIME},
                {ST_NODIRATIME, MS_NODIRATIME},
                {ST_RELATIME, MS_RELATIME}};
    unsigned long flags = RO_FLAGS;
    struct statvfs sv;
    if (statvfs(path, &sv) == 0)
        for (size_t i = 0; i < sizeof keep / sizeof keep[0]; i++)
            if (sv.f_flag & keep[i].st) flags |= keep[i].ms;
    return flags;
}

/* Field 5 of a mountinfo line (the mount point), unescaped ("\040" is a
 * space) into out[size]; false when the line has none or it is too long. */
static bool mount_point(const char *line, char *out, size_t size)
{
    const char *f = line;
    for (int i = 0; i < 4 && f; i++) {
        f += strcspn(f, " \n");
        f = *f == ' ' ? f + 1 : NULL;
    }
    if (!f) return false;
    size_t n = 0;
    for (; *f && *f != ' ' && *f != '\n'; f++) {
        char c = *f;
        if (c == '\\' && f[1] >= '0' && f[1] <= '3' && f[2] >= '0' && f[2] <= '7' &&
            f[3] >= '0' && f[3] <= '7') {
            c = (char)((f[1] - '0') * 64 + (f[2] - '0') * 8 + (f[3] - '0'));
            f += 3;
        }
        if (n + 1 >= size) return false;
        out[n++] = c;
    }
    out[n] = '\0';
    return n > 0;
}

/* A recursive bind keeps the mounts below `dir` writable: remount each. */
static void add_submounts(jt_root_plan *rp, const char *newroot, const char *dir,
                          const char *mountinfo)
{
    size_t len = strlen(dir);
    char mp[PATH_MAX];
    for (const char *l = mountinfo; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
        if (mount_point(l, mp, sizeof mp) && !strncmp(mp, dir, len) && mp[len] == '/')
            add(rp, OP_REMOUNT_RO, newroot, mp, NULL, ro_flags(mp));
}

/* The host's path `host` at the same place: a symlink recreated, a
 * directory or (files too) a file bound read-only; absent: nothing. */
static int add_host_path(jt_root_plan *rp, const char *newroot, const char *host, bool files,
                         const char *mountinfo, jt_err *err)
{
    char target[PATH_MAX];
    struct stat st;
    if (lstat(host, &st) != 0)
        return errno == ENOENT ? 0 : jt_err_set(err, "cannot stat '%s': %s", host, strerror(errno));
    if (S_ISLNK(st.st_mode)) {
        ssize_t n = readlink(host, target, sizeof target - 1);
        if (n < 0) return jt_err_set(err, "cannot read link '%s': %s", host, strerror(errno));
        target[n] = '\0';
        add(rp, OP_SYMLINK, newroot, host, target, 0);
    } else if (S_ISDIR(st.st_mode)) {
        add(rp, OP_BIND_RO, newroot, host, host, ro_flags(host));
        add_submounts(rp, newroot, host, mountinfo);
    } else if (files && S_ISREG(st.st_mode)) {
        add(rp, OP_BIND_FILE_RO, newroot, host, host, ro_flags(host));
    }
    return 0;
}

static bool etc_wanted(const char *name)
{
    for (size_t i = 0; i < sizeof etc_names / sizeof etc_names[0]; i++)
        if (!strcmp(name, etc_names[i])) return true;
    for (size_t i = 0; i < sizeof etc_prefixes / sizeof etc_prefixes[0]; i++)
        if (!strncmp(name, etc_prefixes[i], strlen(etc_prefixes[i]))) return true;
    return false;
}

static int add_etc(jt_root_plan *rp, const char *newroot, const char *mountinfo, jt_err *err)
{
    add(rp, OP_DIR, newroot, "/etc", NULL, 0)->mode = 0755;
    DIR *d = opendir("/etc");
    if (!d) return errno == ENOENT ? 0 : jt_err_set(err, "cannot read '/etc': %s", strerror(errno));
    int rc = 0;
    for (struct dirent *de; rc == 0 && (de = readdir(d));) {
        if (!etc_wanted(de->d_name)) continue;
        char *host = jt_xasprintf("/etc/%s", de->d_name);
        rc = add_host_path(rp, newroot, host, true, mountinfo, err);
        free(host);
    }
    closedir(d);
    return rc;
}

/* A directory the caller named (an interpreter's or a tool's), read-only at
 * its own path: its missing parents are made first. */
static int add_extra(jt_root_plan *rp, const char *newroot, const char *dir, const char *mountinfo,
                     jt_err *err)
{
    if (dir[0] != '/') return jt_err_set(err, "'%s' is not an absolute path", dir);
    for (const char *p = strchr(dir + 1, '/'); p; p = strchr(p + 1, '/')) {
        char *parent = jt_xasprintf("%.*s", (int)(p - dir), dir);
        jt_root_item *it = add(rp, OP_DIR, newroot, parent, NULL, 0);
        it->mode = 0755;
        it->optional = true; /* already there */
        free(parent);
    }
    return add_host_path(rp, newroot, dir, false, mountinfo, err);
}

char *jt_child_tool_dir(const char *program)
{
    char *real = program ? realpath(program, NULL) : NULL;
    if (!real) return NULL;
    char *slash = strrchr(real, '/');
    if (slash) *slash = '\0';
    slash = strrchr(real, '/');
    if (slash && slash != real && !strcmp(slash, "/bin")) *slash = '\0'; /* PREFIX/bin/python */
    for (size_t i = 0; i < sizeof host_dirs / sizeof host_dirs[0]; i++) {
        size_t l = strlen(host_dirs[i]);
        if (!strncmp(real, host_dirs[i], l) && (real[l] == '/' || !real[l])) {
            free(real); /* visible anyway */
            return NULL;
        }
    }
    if (!*real) {
        free(real);
        return NULL;
    }
    return real;
}

static void add_dev(jt_root_plan *rp, const char *newroot)
{
    add(rp, OP_DIR, newroot, "/dev", NULL, 0)->mode = 0755;
    add(rp, OP_TMPFS, newroot, "/dev", DEV_TMPFS_OPTS, TMPFS_FLAGS | MS_NOEXEC);
    for (size_t i = 0; i < sizeof dev_nodes / sizeof dev_nodes[0]; i++) {
        char host[32];
        snprintf(host, sizeof host, "/dev/%s", dev_nodes[i]);
        struct stat st;
        if (stat(host, &st) == 0 && S_ISCHR(st.st_mode))
            add(rp, OP_BIND_DEV, newroot, host, host, 0);
    }
    for (size_t i = 0; i < sizeof dev_links / sizeof dev_links[0]; i++) {
        char in[32];
        snprintf(in, sizeof in, "/dev/%s", dev_links[i].name);
        add(rp, OP_SYMLINK, newroot, in, dev_links[i].target, 0);
    }
}

int jt_child_root_plan_(jt_root_plan *rp, const char *newroot, const char *const *extra,
                        jt_err *err)
{
    memset(rp, 0, sizeof *rp);
    char *info = NULL;
    if (jt_read_file("/proc/self/mountinfo", &info, NULL, err) < 0) return -1;
    add(rp, OP_TMPFS, newroot, "", ROOT_TMPFS_OPTS, TMPFS_FLAGS);
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < sizeof host_dirs / sizeof host_dirs[0]; i++)
        rc = add_host_path(rp, newroot, host_dirs[i], false, info, err);
    if (rc == 0) rc = add_etc(rp, newroot, info, err);
    for (size_t i = 0; rc == 0 && extra && extra[i]; i++)
        rc = add_extra(rp, newroot, extra[i], info, err);
    free(info);
    if (rc < 0) {
        jt_child_root_plan_free_(rp);
        return -1;
    }
    add_dev(rp, newroot);
    for (size_t i = 0; i < sizeof scratch / sizeof scratch[0]; i++) {
        add(rp, OP_DIR, newroot, scratch[i].path, NULL, 0)->mode = scratch[i].mode;
        if (scratch[i].tmpfs) add(rp, OP_TMPFS, newroot, scratch[i].path, scratch[i].tmpfs, TMPFS_FLAGS);
    }
    /* Best effort: some containers refuse a new proc; then there is none
     * (binding the host's would show its processes and their roots). */
    add(rp, OP_DIR, newroot, "/proc", NULL, 0)->mode = 0555;
    add(rp, OP_PROC, newroot, "/proc", NULL, MS_NOSUID | MS_NODEV | MS_NOEXEC)->optional = true;
    add(rp, OP_PIVOT, newroot, "", NULL, 0);
    add(rp, OP_REMOUNT_RO, "", "/", NULL, RO_FLAGS);
    add(rp, OP_CHDIR, "", JT_CHILD_SANDBOX_HOME, NULL, 0);
    return 0;
}

void jt_child_root_plan_free_(jt_root_plan *rp)
{
    for (size_t i = 0; i < rp->n; i++) {
        free(rp->items[i].path);
        free(rp->items[i].arg);
    }
    free(rp->items);
    memset(rp, 0, sizeof *rp);
}

char *jt_child_root_item_desc_(const jt_root_plan *rp, size_t i)
{
    if (i >= rp->n) return jt_xstrdup("build the private root");
    const jt_root_item *it = &rp->items[i];
    const char *shown = it->path + it->shown;
    if (it->op == OP_PIVOT) return jt_xstrdup(op_verbs[OP_PIVOT]);
    if (it->op == OP_SYMLINK) return jt_xasprintf("symlink %s -> %s", shown, it->arg);
    return jt_xasprintf("%s %s", op_verbs[it->op], *shown ? shown : "/");
}

/* Async-signal-safe: system calls on the plan's strings only. */
static int run_item(const jt_root_item *it)
{
    int fd;
    switch (it->op) {
    case OP_TMPFS: return mount("tmpfs", it->path, "tmpfs", it->flags, it->arg);
    case OP_DIR: return mkdir(it->path, it->mode) == 0 ? chmod(it->path, it->mode) : -1;
    case OP_SYMLINK: return symlink(it->arg, it->path);
    case OP_BIND_RO:
        if (mkdir(it->path, 0755) != 0 || mount(it->arg, it->path, NULL, MS_BIND | MS_REC, NULL) != 0)
            return -1;
        return mount(NULL, it->path, NULL, it->flags, NULL);
    case OP_REMOUNT_RO: return mount(NULL, it->path, NULL, it->flags, NULL);
    case OP_BIND_DEV:
        fd = open(it->path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0444);
        if (fd < 0) return -1;
        close(fd);
        return mount(it->arg, it->path, NULL, MS_BIND, NULL);
    case OP_PROC: return mount("proc", it->path, "proc", it->flags, NULL);
    case OP_PIVOT:
        /* pivot_root(".", "."): the old root lands on top of the new one
         * and is detached at once (pivot_root(2)) */
        if (chdir(it->path) != 0 || syscall(SYS_pivot_root, ".", ".") != 0) return -1;
        return umount2(".", MNT_DETACH) == 0 ? chdir("/") : -1;
    case OP_CHDIR: return chdir(it->path);
    case OP_BIND_FILE_RO:
        fd = open(it->path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0444);
        if (fd < 0) return -1;
        close(fd);
        if (mount(it->arg, it->path, NULL, MS_BIND, NULL) != 0) return -1;
        return mount(NULL, it->path, NULL, it->flags, NULL);
    }
    errno = EINVAL;
    return -1;
}

int jt_child_root_enter_(const jt_root_plan *rp, size_t *failed)
{
    for (size_t i = 0; i < rp->n; i++)
        if (run_item(&rp->items[i]) != 0 && !rp->items[i].optional) {
            *failed = i;
            return -1;
        }
    return 0;
}
