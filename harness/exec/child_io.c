/* The child's line protocol and the one poll loop behind it. Every wait on
 * the child drains its stdout, stderr and reply pipe, so a child that floods
 * one of them never blocks and never deadlocks against us. */
#include <errno.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "exec/child_priv.h"
#include "jouletrace/child.h"
#include "jouletrace/clock.h"

/* Without a pidfd (kernel < 5.3) the child's exit is checked this often. */
#define EXIT_POLL_MS 20

/* Milliseconds to the deadline (rounded up), 0 once passed; -1 = none. */
static int ms_left(double deadline)
{
    if (deadline < 0) return -1;
    double left = (deadline - jt_monotonic_s()) * 1000.0;
    if (left <= 0) return 0;
    return left > 1e9 ? 1000000000 : (int)ceil(left);
}

static bool passed(double deadline)
{
    return deadline >= 0 && ms_left(deadline) == 0;
}

static void read_reply(jt_child *c)
{
    char chunk[65536];
    while (c->reply_fd >= 0 && c->reply.len <= JT_CHILD_MAX_REPLY) {
        ssize_t n = read(c->reply_fd, chunk, sizeof chunk);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && errno == EAGAIN) return;
        if (n <= 0) {
            close(c->reply_fd);
            c->reply_fd = -1;
            return;
        }
        jt_buf_add(&c->reply, chunk, (size_t)n);
    }
}

/* Waits up to timeout_ms (-1: forever) for `fd` to be ready for `events`,
 * meanwhile draining stdout/stderr/replies and noticing the child's exit
 * (*exited; the child is not reaped here). Returns fd's revents, 0 on
 * timeout, -1 when poll fails. */
static int pump(jt_child *c, int fd, short events, int timeout_ms, bool *exited)
{
    struct pollfd pf[5];
    int n = 0, i_fd = -1, i_pid = -1;
    if (fd >= 0) {
        i_fd = n;
        pf[n++] = (struct pollfd){fd, events, 0};
    }
    int drain[] = {c->out.fd, c->err.fd};
    for (int i = 0; i < 2; i++)
        if (drain[i] >= 0) pf[n++] = (struct pollfd){drain[i], POLLIN, 0};
    if (c->reply_fd >= 0 && fd != c->reply_fd && c->reply.len <= JT_CHILD_MAX_REPLY)
        pf[n++] = (struct pollfd){c->reply_fd, POLLIN, 0};
    if (c->pidfd >= 0) {
        i_pid = n;
        pf[n++] = (struct pollfd){c->pidfd, POLLIN, 0};
    } else if (timeout_ms < 0 || timeout_ms > EXIT_POLL_MS) {
        timeout_ms = EXIT_POLL_MS;
    }
    /* The stop flag is set by a signal handler: block the ending signals,
     * look at the flag, and let ppoll unblock them atomically, so a signal
     * that lands just before the wait ends it at once instead of after the
     * step's deadline (which may be the candidate's whole timeout). */
    sigset_t ending, old;
    sigemptyset(&ending);
    sigaddset(&ending, SIGINT);
    sigaddset(&ending, SIGTERM);
    sigaddset(&ending, SIGHUP);
    sigprocmask(SIG_BLOCK, &ending, &old);
    int r;
    if (c->stop && *c->stop) {
        r = -1;
        errno = EINTR;
    } else {
        struct timespec ts = {timeout_ms / 1000, (long)(timeout_ms % 1000) * 1000000L};
        r = ppoll(pf, (nfds_t)n, timeout_ms < 0 ? NULL : &ts, &old);
    }
    int saved = errno;
    sigprocmask(SIG_SETMASK, &old, NULL);
    errno = saved;
    if (r < 0 && errno == EINTR && c->stop && *c->stop) {
        jt_child_kill(c, JT_CHILD_KILLED); /* interrupted: do not wait out the step */
        errno = EINTR;
        return -1;
    }
    if (r < 0) return errno == EINTR ? 0 : -1;
    jt_child_drain_all_(c);
    read_reply(c);
    if (i_pid >= 0 && (pf[i_pid].revents & POLLIN)) *exited = true;
    if (c->pidfd < 0 && c->pid > 0) {
        siginfo_t si;
        memset(&si, 0, sizeof si);
        if (waitid(P_PID, (id_t)c->pid, &si, WEXITED | WNOHANG | WNOWAIT) == 0 &&
            si.si_pid == c->pid)
            *exited = true;
    }
    return i_fd >= 0 ? pf[i_fd].revents : 0;
}

/* Waits (draining its output) until the child exits by itself and reaps it,
 * or kills it at the deadline, recording `late` as the reason. */
static int wait_gone(jt_child *c, double deadline, jt_child_end late, jt_err *err)
{
    bool exited = false;
    while (c->pid > 0) {
        if (exited) {
            jt_child_reap_(c, JT_CHILD_RUNNING);
            break;
        }
        if (passed(deadline)) {
            jt_child_kill(c, late);
            break;
        }
        if (pump(c, -1, 0, ms_left(deadline), &exited) < 0)
            return jt_err_set(err, "poll: %s", strerror(errno));
        if (c->reply.len > JT_CHILD_MAX_REPLY) jt_buf_reset(&c->reply); /* nobody reads it */
    }
    return 0;
}

/* The child closed a channel: give it until the deadline to exit by itself
 * (its exit status says why), then kill it as a protocol breaker. */
static int await_exit(jt_child *c, double deadline, jt_err *err)
{
    return wait_gone(c, deadline, JT_CHILD_KILLED, err);
}

jt_child_io jt_child_send_line(jt_child *c, const char *line, double timeout_s, jt_err *err)
{
    jt_child_io rc = JT_CHILD_IO_ERROR;
    double deadline = timeout_s < 0 ? -1 : jt_monotonic_s() + timeout_s;
    /* Every reply answers the command before it. Bytes waiting before we
     * have asked anything were written out of turn — e.g. by candidate code
     * forging a reply on the protocol channel — and poison the exchange. */
    read_reply(c);
    if (c->reply.len) {
        size_t n = c->reply.len;
        jt_buf_reset(&c->reply);
        jt_err_set(err, "the child wrote %zu bytes on the reply channel unasked (the candidate "
                        "writing to the harness's channel?)", n);
        return JT_CHILD_IO_ERROR;
    }
    jt_buf msg = JT_BUF_INIT;
    jt_buf_adds(&msg, line);
    jt_buf_addc(&msg, '\n');
    size_t off = 0;
    bool exited = false;
    while (off < msg.len) {
        if (c->pid <= 0 || c->cmd_fd < 0) {
            rc = JT_CHILD_IO_CLOSED;
            goto out;
        }
        if (exited) {
            jt_child_reap_(c, JT_CHILD_RUNNING);
            rc = JT_CHILD_IO_CLOSED;
            goto out;
        }
        /* a socket, so that MSG_NOSIGNAL spares us SIGPIPE */
        ssize_t w = send(c->cmd_fd, msg.data + off, msg.len - off, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (w > 0) {
            off += (size_t)w;
        } else if (errno == EAGAIN || errno == EINTR) {
            if (passed(deadline)) {
                rc = JT_CHILD_IO_TIMEOUT;
                goto out;
            }
            if (pump(c, c->cmd_fd, POLLOUT, ms_left(deadline), &exited) < 0) {
                jt_err_set(err, "poll: %s", strerror(errno));
                goto out;
            }
        } else if (errno == EPIPE || errno == ECONNRESET) {
            rc = await_exit(c, deadline, err) < 0 ? JT_CHILD_IO_ERROR : JT_CHILD_IO_CLOSED;
            goto out;
        } else {
            jt_err_set(err, "cannot write to the child: %s", strerror(errno));
            goto out;
        }
    }
    rc = JT_CHILD_IO_OK;
out:
    jt_buf_release(&msg);
    return rc;
}

jt_child_io jt_child_recv_line(jt_child *c, double timeout_s, char **line, jt_err *err)
{
    double deadline = timeout_s < 0 ? -1 : jt_monotonic_s() + timeout_s;
    bool exited = false;
    *line = NULL;
    for (;;) {
        char *nl = c->reply.len ? memchr(c->reply.data, '\n', c->reply.len) : NULL;
        if (nl) {
            size_t n = (size_t)(nl - c->reply.data);
            *line = jt_xstrndup(c->reply.data, n);
            memmove(c->reply.data, nl + 1, c->reply.len - n - 1);
            c->reply.len -= n + 1;
            c->reply.data[c->reply.len] = '\0';
            /* What the child wrote to stdout/stderr before this reply is in
             * the pipes now: take it, so the counts that go with the reply
             * are complete however the reads and the poll interleaved. */
            jt_child_drain_all_(c);
            return JT_CHILD_IO_OK;
        }
        if (c->reply.len > JT_CHILD_MAX_REPLY) {
            jt_err_set(err, "the child's reply exceeds %zu MiB", JT_CHILD_MAX_REPLY >> 20);
            return JT_CHILD_IO_ERROR;
        }
        if (c->pid <= 0) return JT_CHILD_IO_CLOSED;
        if (exited) {
            read_reply(c); /* it may have answered just before exiting */
            if (c->reply.len && memchr(c->reply.data, '\n', c->reply.len)) continue;
            jt_child_reap_(c, JT_CHILD_RUNNING);
            return JT_CHILD_IO_CLOSED;
        }
        if (c->reply_fd < 0)
            return await_exit(c, deadline, err) < 0 ? JT_CHILD_IO_ERROR : JT_CHILD_IO_CLOSED;
        if (passed(deadline)) return JT_CHILD_IO_TIMEOUT;
        if (pump(c, c->reply_fd, POLLIN, ms_left(deadline), &exited) < 0) {
            jt_err_set(err, "poll: %s", strerror(errno));
            return JT_CHILD_IO_ERROR;
        }
        read_reply(c);
    }
}

int jt_child_wait(jt_child *c, double timeout_s, jt_err *err)
{
    double deadline = timeout_s < 0 ? -1 : jt_monotonic_s() + timeout_s;
    if (c->cmd_fd >= 0) {
        close(c->cmd_fd); /* EOF on the command channel: "please exit" */
        c->cmd_fd = -1;
    }
    return wait_gone(c, deadline, JT_CHILD_TIMED_OUT, err);
}
