/* Sandboxed child processes: spawning and the in-child sandbox setup.
 * The guarantees are listed in child.h; reaping and cleanup live in
 * child_end.c, the line protocol and the poll loop in child_io.c, the
 * private root in child_root.c, the session directory in child_session.c. */
#include "jouletrace/child.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pwd.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "exec/child_priv.h"
#include "jouletrace/cgroup.h"
#include "jouletrace/fsutil.h"
#include "jouletrace/seccomp.h"

#define FSIZE_LIMIT ((rlim_t)64 << 20)
#define NOFILE_LIMIT 64
#define NPROC_LIMIT 64
/* Our pipe ends are moved to fds >= HIGH_FD before cloning, so the child's
 * dup2() onto 0..4 can never overwrite a source it still needs. */
#define HIGH_FD 10
/* Set (non-empty) to force the fallback without namespaces (tests). */
#define NO_NS_ENV "JOULETRACE_SANDBOX_NO_NAMESPACES"

static const char *const base_env[] = {
    "PATH=/usr/local/bin:/usr/bin:/bin", "LANG=C.UTF-8",           "PYTHONHASHSEED=0",
    "PYTHONDONTWRITEBYTECODE=1",         "PYTHONIOENCODING=utf-8", NULL,
};

/* What the child reports on its exec-error pipe when a setup step fails. */
enum step {
    STEP_MOUNT_PRIVATE, STEP_TMPFS, STEP_BIND_HOME, STEP_ROOT, STEP_CHDIR, STEP_DUP2,
    STEP_SETSID, STEP_RLIMIT, STEP_AFFINITY, STEP_SETGROUPS, STEP_SETGID, STEP_SETUID,
    STEP_PRCTL, STEP_CGROUP, STEP_SECCOMP, STEP_EXEC,
};
static const char *const step_names[] = {
    "make / private", "mount tmpfs", "mount the workdir", "private root", "chdir to the workdir",
    "dup2", "setsid", "setrlimit", "sched_setaffinity", "setgroups", "setgid", "setuid", "prctl",
    "join the cgroup", "install the filter", "execve",
};
/* A failure at one of these steps means the namespaces themselves are
 * unusable here: retry without them. At STEP_ROOT (an item of the private
 * root's plan) retry in the namespaces without a private root. */
#define NS_STEP(s) ((s) <= STEP_BIND_HOME)

/* Everything the child needs, prepared before cloning: between clone and
 * exec only async-signal-safe calls are made and nothing is allocated. */
struct plan {
    char *const *argv;
    char *const *envp;
    const char *workdir;
    const jt_root_plan *root; /* namespaces with a private root; NULL: without */
    const jt_seccomp *filter; /* NULL: none */
    int src[5];       /* what becomes fds 0..4 in the child; -1 = nothing */
    int errfd;        /* write end of the exec-error pipe (CLOEXEC) */
    int life_r, life_w;
    bool namespaces, drop;
    uid_t uid;
    gid_t gid;
    rlim_t as_bytes, cpu_seconds;
    int cpu;
    int cg_fds[JT_CGROUP_MAX_DIRS]; /* its cgroup.procs files (child_cgroup.c) */
    size_t n_cg;
};

struct child_msg {
    int step, err; /* step -1: the clone itself */
    size_t item;   /* STEP_ROOT: the plan's item */
};

static void child_fail_item(const struct plan *p, enum step step, size_t item)
{
    struct child_msg m = {(int)step, errno, item};
    ssize_t w = write(p->errfd, &m, sizeof m);
    (void)w;
    _exit(127);
}

static void child_fail(const struct plan *p, enum step step)
{
    child_fail_item(p, step, 0);
}

/* Namespaces without a private root: the host's tree with fresh tmpfs on
 * the shared scratch directories. */
static void cover_scratch(const struct plan *p)
{
    /* /run (and its lock dir): the host's socket-0 lock must be out of reach */
    static const char *const tmpfs_dirs[] = {"/tmp", "/var/tmp", "/dev/shm", "/run"};
    /* cwd keeps the workdir reachable once /tmp is covered */
    if (chdir(p->workdir) != 0) child_fail(p, STEP_CHDIR);
    for (size_t i = 0; i < sizeof tmpfs_dirs / sizeof tmpfs_dirs[0]; i++)
        if (mount("tmpfs", tmpfs_dirs[i], "tmpfs", MS_NOSUID | MS_NODEV, JT_CHILD_TMPFS_OPTS) != 0 &&
            errno != ENOENT)
            child_fail(p, STEP_TMPFS);
    if (mkdir("/run/lock", 01777) == 0) chmod("/run/lock", 01777); /* best effort */
    /* The work directory is a size-capped tmpfs of its own, not the host
     * directory: RLIMIT_FSIZE caps each file, not how many, and a candidate
     * must not be able to fill the disk the journal is on. */
    if (mkdir(JT_CHILD_SANDBOX_HOME, 0755) != 0 ||
        mount("tmpfs", JT_CHILD_SANDBOX_HOME, "tmpfs", MS_NOSUID | MS_NODEV,
              JT_CHILD_WORK_TMPFS_OPTS) != 0 ||
        chdir(JT_CHILD_SANDBOX_HOME) != 0)
        child_fail(p, STEP_BIND_HOME);
    /* Best effort: a /proc of our PID namespace hides the host's processes;
     * some containers refuse it, and nothing depends on it. */
    mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
}

static void set_limit(const struct plan *p, int res, rlim_t soft, rlim_t hard)
{
    struct rlimit rl = {soft, hard};
    if (setrlimit(res, &rl) != 0) child_fail(p, STEP_RLIMIT);
}

/* Runs in the child only. Order matters: mounts need root; rlimits and
 * affinity before the user drop; PR_SET_PDEATHSIG after it (changing
 * credentials clears it); the parent-death check after PDEATHSIG closes the
 * race with a parent that died before it was set. */
static __attribute__((noreturn)) void child_main(const struct plan *p)
{
    close(p->life_w);
    struct sigaction dfl;
    memset(&dfl, 0, sizeof dfl);
    dfl.sa_handler = SIG_DFL;
    for (int s = 1; s < NSIG; s++) /* SIG_IGN would survive exec */
        if (s != SIGKILL && s != SIGSTOP) sigaction(s, &dfl, NULL);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    /* First, while it is root and nothing of the candidate runs: everything
     * it starts is born in its cgroup. */
    for (size_t i = 0; i < p->n_cg; i++)
        if (write(p->cg_fds[i], "0", 1) != 1) child_fail(p, STEP_CGROUP);

    if (p->namespaces) {
        if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0)
            child_fail(p, STEP_MOUNT_PRIVATE);
        size_t item = 0;
        if (!p->root) cover_scratch(p);
        else if (jt_child_root_enter_(p->root, &item) != 0) child_fail_item(p, STEP_ROOT, item);
    } else if (chdir(p->workdir) != 0) {
        child_fail(p, STEP_CHDIR);
    }
    for (int fd = 0; fd < 5; fd++) {
        if (p->src[fd] >= 0) {
            if (dup2(p->src[fd], fd) < 0) child_fail(p, STEP_DUP2);
        } else if (fd >= 3) {
            close(fd); /* no protocol channel: do not inherit whatever the harness had there */
        }
    }
    if (setsid() < 0) child_fail(p, STEP_SETSID);

    set_limit(p, RLIMIT_CORE, 0, 0);
    set_limit(p, RLIMIT_FSIZE, FSIZE_LIMIT, FSIZE_LIMIT);
    set_limit(p, RLIMIT_NOFILE, NOFILE_LIMIT, NOFILE_LIMIT);
    if (p->as_bytes) set_limit(p, RLIMIT_AS, p->as_bytes, p->as_bytes);
    /* SIGXCPU at the soft limit, SIGKILL one second later (PID 1 of a
     * namespace ignores SIGXCPU) */
    if (p->cpu_seconds) set_limit(p, RLIMIT_CPU, p->cpu_seconds, p->cpu_seconds + 1);
    if (p->drop) set_limit(p, RLIMIT_NPROC, NPROC_LIMIT, NPROC_LIMIT);
    if (p->cpu >= 0) {
        cpu_set_t set;
        CPU_ZERO(&set);
        CPU_SET(p->cpu, &set);
        if (sched_setaffinity(0, sizeof set, &set) != 0) child_fail(p, STEP_AFFINITY);
    }
    if (p->drop) {
        /* Raw syscalls: glibc's wrappers would try to signal the parent's
         * other threads, which do not exist in this copy. */
        if (syscall(SYS_setgroups, 0L, NULL) != 0) child_fail(p, STEP_SETGROUPS);
        if (syscall(SYS_setresgid, (long)p->gid, (long)p->gid, (long)p->gid) != 0)
            child_fail(p, STEP_SETGID);
        if (syscall(SYS_setresuid, (long)p->uid, (long)p->uid, (long)p->uid) != 0)
            child_fail(p, STEP_SETUID);
    }
    if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0L, 0L, 0L) != 0) child_fail(p, STEP_PRCTL);
    /* getppid() is 0 in a new PID namespace, so the lifeline pipe tells
     * instead: POLLHUP once the parent (its only writer) is gone. */
    struct pollfd life = {p->life_r, POLLIN, 0};
    if (poll(&life, 1, 0) > 0 && (life.revents & POLLHUP)) _exit(126);
    if (prctl(PR_SET_NO_NEW_PRIVS, 1L, 0L, 0L, 0L) != 0) child_fail(p, STEP_PRCTL);
    /* Only 0..4 survive; the error pipe closes itself at exec (CLOEXEC). */
    if (syscall(SYS_close_range, 5U, (unsigned)p->errfd - 1, 0U) != 0 ||
        syscall(SYS_close_range, (unsigned)p->errfd + 1, ~0U, 0U) != 0) {
        for (int fd = 5; fd < 65536; fd++)
            if (fd != p->errfd) close(fd);
    }
    /* Last: everything above needs calls the filter refuses. */
    if (p->filter && jt_seccomp_install(p->filter) != 0) child_fail(p, STEP_SECCOMP);
    execve(p->argv[0], p->argv, p->envp);
    child_fail(p, STEP_EXEC);
    _exit(127); /* not reached */
}

/* fork semantics (no CLONE_VM, no new stack) plus namespace flags. Every
 * pointer argument is 0, so the architecture's argument order is moot. */
static pid_t clone_child(unsigned long ns_flags)
{
    return (pid_t)syscall(SYS_clone, ns_flags | (unsigned long)SIGCHLD, 0UL, 0UL, 0UL, 0UL);
}

static int move_high(int *fd)
{
    if (*fd < 0 || *fd >= HIGH_FD) return 0;
    int nfd = fcntl(*fd, F_DUPFD_CLOEXEC, HIGH_FD);
    if (nfd < 0) return -1;
    close(*fd);
    *fd = nfd;
    return 0;
}

static void close_fd(int *fd)
{
    if (*fd >= 0) close(*fd);
    *fd = -1;
}

enum { F_NULL, F_OUT_R, F_OUT_W, F_ERR_R, F_ERR_W, F_CMD_P, F_CMD_C, F_REP_R, F_REP_W,
       F_X_R, F_X_W, F_LIFE_R, F_LIFE_W, F_COUNT };

/* One attempt at starting the child. Returns 0, -1 (err set), 1 when a
 * namespace step failed inside the child and a retry without them may work,
 * 2 when building the private root failed and a retry in the namespaces
 * without it may work, or 3 when the seccomp filter was refused (*ns says
 * which step, errno and item). */
static int spawn(jt_child *c, struct plan *p, struct child_msg *ns, jt_err *err)
{
    int fd[F_COUNT];
    int rc = -1;
    for (int i = 0; i < F_COUNT; i++) fd[i] = -1;
    sigset_t all, old;
    sigfillset(&all);

    fd[F_NULL] = open("/dev/null", O_RDWR | O_CLOEXEC);
    if (fd[F_NULL] < 0 || pipe2(&fd[F_OUT_R], O_CLOEXEC) || pipe2(&fd[F_ERR_R], O_CLOEXEC) ||
        pipe2(&fd[F_X_R], O_CLOEXEC) || pipe2(&fd[F_LIFE_R], O_CLOEXEC)) {
        jt_err_set(err, "cannot create the child's pipes: %s", strerror(errno));
        goto out;
    }
    if (c->protocol && (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, &fd[F_CMD_P]) ||
                        pipe2(&fd[F_REP_R], O_CLOEXEC))) {
        jt_err_set(err, "cannot create the protocol channel: %s", strerror(errno));
        goto out;
    }
    for (int i = 0; i < F_COUNT; i++)
        if (move_high(&fd[i]) < 0) {
            jt_err_set(err, "cannot move a pipe fd: %s", strerror(errno));
            goto out;
        }
    p->src[0] = fd[F_NULL];
    p->src[1] = fd[F_OUT_W];
    p->src[2] = fd[F_ERR_W];
    p->src[JT_CHILD_CMD_FD] = fd[F_CMD_C];
    p->src[JT_CHILD_REPLY_FD] = fd[F_REP_W];
    p->errfd = fd[F_X_W];
    p->life_r = fd[F_LIFE_R];
    p->life_w = fd[F_LIFE_W];

    /* Blocked across the clone so no handler of ours runs in the child before
     * it resets dispositions; the child unblocks. */
    pthread_sigmask(SIG_SETMASK, &all, &old);
    pid_t pid = clone_child(p->namespaces ? CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWNS |
                                                CLONE_NEWIPC
                                          : 0);
    if (pid == 0) child_main(p);
    int clone_errno = errno;
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (pid < 0) {
        if (p->namespaces && (clone_errno == EPERM || clone_errno == EINVAL ||
                              clone_errno == ENOSPC || clone_errno == EUSERS)) {
            *ns = (struct child_msg){-1, clone_errno, 0};
            rc = 1;
        } else {
            jt_err_set(err, "cannot start '%s': clone: %s", p->argv[0], strerror(clone_errno));
        }
        goto out;
    }
    close_fd(&fd[F_X_W]);
    close_fd(&fd[F_LIFE_R]);
    struct child_msg m;
    size_t got = 0;
    while (got < sizeof m) {
        ssize_t n = read(fd[F_X_R], (char *)&m + got, sizeof m - got);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        got += (size_t)n;
    }
    if (got == sizeof m) { /* a setup step failed; the child _exit()s */
        int status;
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
        }
        if (p->namespaces && NS_STEP(m.step)) {
            *ns = m;
            rc = 1;
        } else if (p->root && m.step == STEP_ROOT) {
            *ns = m;
            rc = 2;
        } else if (p->filter && m.step == STEP_SECCOMP) {
            *ns = m;
            rc = 3;
        } else {
            jt_err_set(err, "cannot start '%s': %s: %s", p->argv[0],
                       m.step >= 0 && m.step <= STEP_EXEC ? step_names[m.step] : "setup",
                       strerror(m.err));
        }
        goto out;
    }
    c->pid = pid;
#ifdef SYS_pidfd_open
    c->pidfd = (int)syscall(SYS_pidfd_open, pid, 0U); /* -1: child_io polls instead */
#endif
    c->out.fd = fd[F_OUT_R];
    c->err.fd = fd[F_ERR_R];
    c->cmd_fd = fd[F_CMD_P];
    c->reply_fd = fd[F_REP_R];
    fd[F_OUT_R] = fd[F_ERR_R] = fd[F_CMD_P] = fd[F_REP_R] = -1;
    int nb[] = {c->out.fd, c->err.fd, c->cmd_fd, c->reply_fd};
    for (size_t i = 0; i < sizeof nb / sizeof nb[0]; i++)
        if (nb[i] >= 0) fcntl(nb[i], F_SETFL, fcntl(nb[i], F_GETFL) | O_NONBLOCK);
    rc = 0;
out:
    for (int i = 0; i < F_COUNT; i++) close_fd(&fd[i]);
    return rc;
}

/* minimal env + HOME + protocol fds + the caller's entries (which replace a
 * minimal entry of the same name). NULL-terminated; free with free_strv. */
static char **build_env(const jt_child *c, const char *home)
{
    char **env = NULL;
    size_t n = 0, cap = 0;
    for (size_t i = 0; base_env[i]; i++) {
        JT_GROW(env, n + 1, cap);
        env[n++] = jt_xstrdup(base_env[i]);
    }
    JT_GROW(env, n + 3, cap);
    env[n++] = jt_xasprintf("HOME=%s", home);
    if (c->protocol) {
        env[n++] = jt_xasprintf("JOULETRACE_CMD_FD=%d", JT_CHILD_CMD_FD);
        env[n++] = jt_xasprintf("JOULETRACE_REPLY_FD=%d", JT_CHILD_REPLY_FD);
    }
    for (size_t i = 0; c->env && c->env[i]; i++) {
        const char *eq = strchr(c->env[i], '=');
        size_t klen = eq ? (size_t)(eq - c->env[i]) + 1 : strlen(c->env[i]);
        size_t j = 0;
        while (j < n && strncmp(env[j], c->env[i], klen) != 0) j++;
        if (j == n) {
            JT_GROW(env, n + 1, cap);
            n++;
        } else {
            free(env[j]);
        }
        env[j] = jt_xstrdup(c->env[i]);
    }
    JT_GROW(env, n + 1, cap);
    env[n] = NULL;
    return env;
}

static void free_strv(char **v)
{
    for (size_t i = 0; v && v[i]; i++) free(v[i]);
    free(v);
}

static int lookup_user(const char *name, uid_t *uid, gid_t *gid, jt_err *err)
{
    struct passwd pw, *res = NULL;
    char buf[16384];
    int e = getpwnam_r(name, &pw, buf, sizeof buf, &res);
    if (!res)
        return jt_err_set(err, "sandbox user '%s' %s", name, e ? strerror(e) : "does not exist");
    if (pw.pw_uid == 0) return jt_err_set(err, "sandbox user '%s' is root", name);
    *uid = pw.pw_uid;
    *gid = pw.pw_gid;
    return 0;
}

bool jt_child_root_is_mountpoint(const char *mountinfo)
{
    /* "ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS ...": field 5 is "/" */
    for (const char *l = mountinfo; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
        const char *f = l;
        for (int i = 0; i < 4 && f; i++) {
            f += strcspn(f, " \n");
            f = *f == ' ' ? f + 1 : NULL;
        }
        if (f && f[0] == '/' && (f[1] == ' ' || f[1] == '\n' || !f[1])) return true;
    }
    return false;
}

/* Why namespaces are off after a refused step, as one line (caller frees). */
static char *ns_reason(const struct child_msg *ns, jt_child_ns_off *off)
{
    const char *step = ns->step >= 0 && ns->step <= STEP_EXEC ? step_names[ns->step] : "clone";
    *off = JT_CHILD_NS_REFUSED;
    if (ns->step == STEP_MOUNT_PRIVATE && ns->err == EINVAL) {
        char *info = NULL;
        if (jt_read_file("/proc/self/mountinfo", &info, NULL, NULL) == 0 &&
            !jt_child_root_is_mountpoint(info))
            *off = JT_CHILD_NS_CHROOT;
        free(info);
    }
    return jt_xasprintf("%s: %s%s", step, strerror(ns->err),
                        *off == JT_CHILD_NS_CHROOT ? ": '/' is not a mount point (a chroot?)" : "");
}

void jt_child_init(jt_child *c)
{
    memset(c, 0, sizeof *c);
    c->cpu = -1;
    c->pid = -1;
    c->out.fd = c->err.fd = c->cmd_fd = c->reply_fd = c->pidfd = -1;
}

/* What the child got, as one line for reports (caller frees). */
static char *describe(const jt_child *c, bool root, const char *user)
{
    char *sc = c->seccomp_why ? jt_xasprintf("no seccomp (%s)", c->seccomp_why)
                              : jt_xstrdup("seccomp");
    char *d;
    if (!root)
        d = jt_xasprintf("not root: no namespaces, no user drop; no_new_privs; %s; rlimits", sc);
    else if (!c->namespaced)
        d = jt_xasprintf("no namespaces (%s); user %s; no_new_privs; %s; rlimits", c->ns_why, user,
                         sc);
    else if (c->root_off == JT_CHILD_ROOT_ON)
        d = jt_xasprintf("pid,net,mount,ipc namespaces; private root; user %s; no_new_privs; %s; "
                         "rlimits",
                         user, sc);
    else
        d = jt_xasprintf("pid,net,mount,ipc namespaces; no private root (%s); user %s; "
                         "no_new_privs; %s; rlimits",
                         c->root_why, user, sc);
    free(sc);
    return d;
}

/* spawn(), and once more without the filter when the kernel refuses it. */
static int spawn_filtered(jt_child *c, struct plan *p, struct child_msg *ns, jt_err *err)
{
    int r = spawn(c, p, ns, err);
    if (r != 3) return r;
    c->seccomp_errno = ns->err;
    c->seccomp_why = jt_xasprintf("%s: %s", step_names[STEP_SECCOMP], strerror(ns->err));
    p->filter = NULL;
    return spawn(c, p, ns, err);
}

/* Starts the child: in the namespaces with a private root, without the
 * private root when building it fails, without namespaces when they fail;
 * says on c why each is off. 0 or -1 (err set). */
static int start_cascade(jt_child *c, struct plan *p, const jt_root_plan *rp, jt_err *err)
{
    struct child_msg ns = {0, 0, 0};
    char **envp = build_env(c, p->namespaces ? JT_CHILD_SANDBOX_HOME : c->workdir);
    p->envp = envp;
    int r = spawn_filtered(c, p, &ns, err);
    if (r == 2) { /* no private root: the namespaces over the host's tree */
        char *item = jt_child_root_item_desc_(rp, ns.item);
        c->root_off = JT_CHILD_ROOT_REFUSED;
        c->root_errno = ns.err;
        c->root_why = jt_xasprintf("%s: %s", item, strerror(ns.err));
        free(item);
        p->root = NULL;
        r = spawn_filtered(c, p, &ns, err);
        if (r < 0) jt_err_prefix(err, "no private root (%s)", c->root_why);
    }
    if (r == 1) { /* namespaces refused: rlimits + user drop only */
        c->ns_why = ns_reason(&ns, &c->ns_off);
        c->ns_errno = ns.err;
        free_strv(envp);
        envp = build_env(c, c->workdir);
        p->envp = envp;
        p->namespaces = false;
        p->root = NULL;
        r = spawn_filtered(c, p, &ns, err);
    }
    free_strv(envp);
    if (r != 0) return -1;
    c->namespaced = p->namespaces;
    if (!p->namespaces) {
        c->root_off = JT_CHILD_ROOT_NO_NS;
        c->root_errno = 0;
        free(c->root_why);
        c->root_why = NULL;
    }
    return 0;
}

int jt_child_start(jt_child *c, jt_err *err)
{
    const char *user = c->sandbox_user ? c->sandbox_user : "nobody";
    struct plan p;
    memset(&p, 0, sizeof p);
    jt_root_plan rp = {NULL, 0, 0};

    if (c->pid > 0 || c->workdir) return jt_err_set(err, "child already started");
    if (!c->argv || !c->argv[0] || !strchr(c->argv[0], '/'))
        return jt_err_set(err, "child argv[0] must be a path");
    if (c->cpu >= CPU_SETSIZE) return jt_err_set(err, "CPU %d is out of range", c->cpu);
    bool root = geteuid() == 0;
    if (root && lookup_user(user, &p.uid, &p.gid, err) < 0) return -1;

    c->workdir = jt_child_session_get_(err);
    if (!c->workdir) return -1;
    if (root && chown(c->workdir, p.uid, p.gid) != 0) {
        jt_err_set(err, "cannot chown '%s' to '%s': %s", c->workdir, user, strerror(errno));
        jt_child_release(c);
        return -1;
    }
    p.argv = (char *const *)(uintptr_t)c->argv; /* execve's historical prototype */
    p.workdir = c->workdir;
    p.drop = root;
    unsigned long long as_bytes = 0;
    p.n_cg = jt_child_cgroup_open_(c, root, p.cg_fds, JT_CGROUP_MAX_DIRS, &as_bytes);
    p.as_bytes = (rlim_t)as_bytes;
    p.cpu_seconds = c->cpu_limit_seconds > 0 ? (rlim_t)c->cpu_limit_seconds : 0;
    p.cpu = c->cpu;
    const char *no_ns_env = getenv(NO_NS_ENV);
    c->ns_off = JT_CHILD_NS_ON;
    c->ns_errno = c->root_errno = 0;
    if (!root) c->ns_off = JT_CHILD_NS_NOT_ROOT;
    else if (c->no_namespaces) c->ns_off = JT_CHILD_NS_DISABLED;
    else if (no_ns_env && *no_ns_env) c->ns_off = JT_CHILD_NS_ENV; /* only ever weaker */
    p.namespaces = c->ns_off == JT_CHILD_NS_ON;
    if (c->ns_off == JT_CHILD_NS_DISABLED) c->ns_why = jt_xstrdup("disabled");
    else if (c->ns_off == JT_CHILD_NS_ENV) c->ns_why = jt_xstrdup(NO_NS_ENV " is set");

    c->root_off = JT_CHILD_ROOT_ON;
    jt_err perr = JT_ERR_INIT;
    if (!p.namespaces) {
        c->root_off = JT_CHILD_ROOT_NO_NS;
    } else if (c->no_private_root) {
        c->root_off = JT_CHILD_ROOT_DISABLED;
        c->root_why = jt_xstrdup("disabled");
    } else if (jt_child_root_plan_(&rp, c->workdir, c->ro_dirs, &perr) < 0) {
        c->root_off = JT_CHILD_ROOT_REFUSED;
        c->root_why = jt_xstrdup(jt_err_msg(&perr));
    } else {
        p.root = &rp;
    }
    jt_err_clear(&perr);
    jt_seccomp filter = {NULL, 0};
    p.filter = jt_seccomp_prepare(&filter, c->no_seccomp, &c->seccomp_why);
    int rc = start_cascade(c, &p, &rp, err);
    for (size_t i = 0; i < p.n_cg; i++) close(p.cg_fds[i]);
    jt_child_root_plan_free_(&rp);
    jt_seccomp_release(&filter);
    if (rc < 0) {
        jt_child_release(c);
        return -1;
    }
    c->desc = describe(c, root, user);
    return 0;
}
