/* Sandboxed child processes: how they end. Reaping (with the exit cause),
 * killing the group, cleanup (the workdir goes back to the session,
 * child_session.c), descriptions for reports. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "exec/child_priv.h"
#include "jouletrace/child.h"

#define DEFAULT_OUTPUT_CAP ((size_t)64 << 10)
/* rusage lags the kernel's own CPU accounting by up to a tick or so */
#define CPU_SLACK_SECONDS 0.1
/* How long release waits for a killed process group to be gone (fallback). */
#define GROUP_WAIT_ROUNDS 100
#define GROUP_WAIT_NS 10000000L

static void close_fd(int *fd)
{
    if (*fd >= 0) close(*fd);
    *fd = -1;
}

void jt_child_drain_all_(jt_child *c)
{
    jt_child_capture *caps[] = {&c->out, &c->err};
    for (int i = 0; i < 2; i++) {
        jt_child_capture *cap = caps[i];
        size_t limit = c->output_cap ? c->output_cap : DEFAULT_OUTPUT_CAP;
        char chunk[65536];
        for (int rounds = 0; cap->fd >= 0 && rounds < 64; rounds++) {
            ssize_t n = read(cap->fd, chunk, sizeof chunk);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) {
                if (n == 0 || errno != EAGAIN) close_fd(&cap->fd);
                break;
            }
            size_t keep = cap->head.len < limit ? limit - cap->head.len : 0;
            if (keep > (size_t)n) keep = (size_t)n;
            jt_buf_add(&cap->head, chunk, keep);
            cap->dropped += (size_t)n - keep;
        }
    }
}

double jt_child_cpu_seconds(const jt_child *c)
{
    const struct rusage *r = &c->rusage;
    return (double)r->ru_utime.tv_sec + (double)r->ru_utime.tv_usec / 1e6 +
           (double)r->ru_stime.tv_sec + (double)r->ru_stime.tv_usec / 1e6;
}

static bool over_cpu_limit(const jt_child *c)
{
    return c->cpu_limit_seconds > 0 &&
           jt_child_cpu_seconds(c) >= (double)c->cpu_limit_seconds - CPU_SLACK_SECONDS;
}

/* Is a member of process group `pgid`, other than its leader, still alive
 * (not a zombie)? */
static bool group_alive(pid_t pgid)
{
    DIR *d = opendir("/proc");
    if (!d) return false;
    bool alive = false;
    struct dirent *e;
    while (!alive && (e = readdir(d))) {
        char *end;
        long pid = strtol(e->d_name, &end, 10);
        if (*end || pid <= 0 || pid == pgid) continue;
        char path[64], buf[512];
        snprintf(path, sizeof path, "/proc/%ld/stat", pid);
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0) continue;
        ssize_t n = read(fd, buf, sizeof buf - 1);
        close(fd);
        if (n <= 0) continue;
        buf[n] = '\0';
        char *rp = strrchr(buf, ')'); /* comm may hold anything, even ')' */
        char state;
        long ppid, pgrp;
        if (rp && sscanf(rp + 1, " %c %ld %ld", &state, &ppid, &pgrp) == 3 && pgrp == pgid &&
            state != 'Z' && state != 'X')
            alive = true;
    }
    closedir(d);
    return alive;
}

void jt_child_reap_(jt_child *c, jt_child_end why)
{
    if (c->pid <= 0) return;
    /* The group first: without namespaces a grandchild may outlive the
     * child. The pid cannot be reused before we reap, so this is safe. */
    kill(-c->pid, SIGKILL);
    if (why != JT_CHILD_RUNNING) kill(c->pid, SIGKILL);
    /* SIGKILL is asynchronous. In namespaces wait4 on PID 1 returns only
     * once the whole namespace is gone; without them, wait (bounded) for the
     * group, still unreaped so its id cannot be reused, killing again in
     * case a member forked while the first kill was delivered. */
    for (int round = 0; !c->namespaced && round < GROUP_WAIT_ROUNDS && group_alive(c->pid);
         round++) {
        struct timespec ts = {0, GROUP_WAIT_NS};
        nanosleep(&ts, NULL);
        kill(-c->pid, SIGKILL);
    }
    int status = 0;
    struct rusage ru;
    memset(&ru, 0, sizeof ru);
    pid_t w;
    while ((w = wait4(c->pid, &status, 0, &ru)) < 0 && errno == EINTR) {
    }
    c->rusage = ru;
    c->pid = -1;
    close_fd(&c->pidfd);
    if (w < 0) {
        c->end = JT_CHILD_KILLED; /* someone else reaped it; nothing better to say */
    } else if (WIFEXITED(status)) {
        c->end = JT_CHILD_EXITED;
        c->exit_status = WEXITSTATUS(status);
    } else {
        int sig = WTERMSIG(status);
        c->term_signal = sig;
        if (why != JT_CHILD_RUNNING && sig == SIGKILL)
            c->end = why;
        else if (sig == SIGXCPU ||
                 (sig == SIGKILL && over_cpu_limit(c)))
            c->end = JT_CHILD_TIMED_OUT;
        else
            c->end = JT_CHILD_SIGNALED;
    }
    jt_child_cgroup_reaped_(c);
    jt_child_drain_all_(c);
}

void jt_child_kill(jt_child *c, jt_child_end why)
{
    jt_child_reap_(c, why == JT_CHILD_RUNNING ? JT_CHILD_KILLED : why);
}

void jt_child_release(jt_child *c)
{
    if (c->pid > 0) jt_child_reap_(c, JT_CHILD_KILLED);
    close_fd(&c->out.fd);
    close_fd(&c->err.fd);
    close_fd(&c->cmd_fd);
    close_fd(&c->reply_fd);
    close_fd(&c->pidfd);
    jt_child_session_put_(c->workdir); /* removes it, whatever the child chmod'ed */
    c->workdir = NULL;
    jt_buf_release(&c->out.head);
    jt_buf_release(&c->err.head);
    jt_buf_release(&c->reply);
    c->out.dropped = c->err.dropped = 0;
    free(c->desc);
    c->desc = NULL;
    free(c->ns_why);
    c->ns_why = NULL;
    free(c->root_why);
    c->root_why = NULL;
    free(c->seccomp_why);
    c->seccomp_why = NULL;
    jt_child_cgroup_release_(c);
}

const char *jt_child_sandbox_desc(const jt_child *c)
{
    return c->desc ? c->desc : "";
}

char *jt_child_describe_end(const jt_child *c)
{
    switch (c->end) {
    case JT_CHILD_RUNNING: return jt_xstrdup("still running");
    case JT_CHILD_EXITED: return jt_xasprintf("exited with status %d", c->exit_status);
    case JT_CHILD_SIGNALED: {
        const char *abbrev = sigabbrev_np(c->term_signal);
        return jt_xasprintf("killed by signal %d (SIG%s)", c->term_signal,
                            abbrev ? abbrev : "?");
    }
    case JT_CHILD_TIMED_OUT:
        if (c->term_signal == SIGXCPU || over_cpu_limit(c))
            return jt_xasprintf("hit the CPU time limit (%ld s)", c->cpu_limit_seconds);
        return jt_xstrdup("killed at its deadline");
    case JT_CHILD_KILLED: return jt_xstrdup("killed by the harness");
    }
    return jt_xstrdup("?");
}
