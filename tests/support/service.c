#include "support/service.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "jouletrace/common.h"
#include "support/testutil.h"

unsigned jt_svc_free_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    ck_assert(fd >= 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = 0};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t n = sizeof a;
    ck_assert(bind(fd, (struct sockaddr *)&a, sizeof a) == 0);
    ck_assert(getsockname(fd, (struct sockaddr *)&a, &n) == 0);
    close(fd);
    return ntohs(a.sin_port);
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

pid_t jt_svc_start(const jt_runenv *e, unsigned port, const char *const *extra, const char *log)
{
    char listen[32];
    snprintf(listen, sizeof listen, "127.0.0.1:%u", port);
    const char *args[24] = {"serve", "--listen", listen};
    size_t n = 3;
    for (size_t i = 0; extra && extra[i]; i++) {
        ck_assert(n < 23);
        args[n++] = extra[i];
    }
    args[n] = NULL;
    pid_t pid = jt_runenv_spawn(e, args, log, NULL);
    for (int i = 0; i < 300; i++) {
        if (jt_svc_http(port, "GET", "/ping", NULL, NULL, NULL) == 200) return pid;
        int st;
        if (waitpid(pid, &st, WNOHANG) == pid) {
            char *l = jt_test_read_file(log);
            ck_abort_msg("serve exited (status %d) before answering: %s", st, l);
        }
        sleep_ms(100);
    }
    char *l = jt_test_read_file(log);
    ck_abort_msg("serve did not answer /ping within 30 s: %s", l);
    return -1;
}

void jt_svc_stop(pid_t pid)
{
    kill(pid, SIGTERM);
    for (int i = 0; i < 600; i++) {
        if (waitpid(pid, NULL, WNOHANG) == pid) return;
        sleep_ms(100);
    }
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
}

int jt_svc_http(unsigned port, const char *method, const char *path, const char *body,
                const char *token, json_t **resp)
{
    char url[256], auth[512];
    snprintf(url, sizeof url, "http://127.0.0.1:%u%s", port, path);
    const char *argv[20] = {"curl", "-sS", "-m", "120", "-o", "-", "-w", "\n%{http_code}", "-X",
                            method};
    size_t n = 10;
    if (body) {
        argv[n++] = "-H";
        argv[n++] = "Content-Type: application/json";
        argv[n++] = "--data-binary";
        argv[n++] = "@-";
    }
    if (token) {
        snprintf(auth, sizeof auth, "Authorization: Bearer %s", token);
        argv[n++] = "-H";
        argv[n++] = auth;
    }
    argv[n++] = url;
    argv[n] = NULL;
    char *out = NULL;
    int rc = jt_test_run(argv, NULL, body, &out, NULL);
    int code = 0;
    if (resp) *resp = NULL;
    char *nl = out ? strrchr(out, '\n') : NULL;
    if (rc == 0 && nl) {
        code = atoi(nl + 1);
        *nl = '\0';
        if (resp) *resp = json_loads(out, 0, NULL);
    }
    free(out);
    return code;
}

json_t *jt_svc_await(unsigned port, const char *id, double limit_s)
{
    char path[128];
    snprintf(path, sizeof path, "/api/v1/tasks/%s", id);
    double t0 = jt_test_now();
    for (;;) {
        json_t *t = NULL;
        int code = jt_svc_http(port, "GET", path, NULL, NULL, &t);
        ck_assert_msg(code == 200, "GET %s: %d", path, code);
        const char *st = json_string_value(json_object_get(t, "status"));
        if (st && (!strcmp(st, "completed") || !strcmp(st, "failed"))) return t;
        ck_assert_msg(jt_test_now() - t0 < limit_s, "task %s still %s after %.0f s", id, st,
                      limit_s);
        json_decref(t);
        sleep_ms(200);
    }
}

char *jt_svc_seed_request(const char *extra)
{
    return jt_xasprintf("{\"candidate_code\":\"def solve(x):\\n  return x * x\\n\","
                        "\"function_name\":\"solve\",\"test_cases\":[{\"test_id\":\"t1\","
                        "\"inputs\":[2],\"expected_output\":4},{\"test_id\":\"t2\","
                        "\"inputs\":[7],\"expected_output\":49}],"
                        "\"energy_measurement_trials\":3,\"timeout_seconds\":20%s%s}",
                        extra && *extra ? "," : "", extra ? extra : "");
}

pid_t jt_svc_redis_start(const char *dir, unsigned *port)
{
    const char *probe[] = {"sh", "-c", "command -v redis-server >/dev/null", NULL};
    if (jt_test_run(probe, NULL, NULL, NULL, NULL) != 0) return -1;
    *port = jt_svc_free_port();
    char ps[16];
    snprintf(ps, sizeof ps, "%u", *port);
    pid_t pid = fork();
    ck_assert(pid >= 0);
    if (pid == 0) {
        int null = open("/dev/null", O_RDWR);
        if (null >= 0) dup2(null, 0), dup2(null, 1), dup2(null, 2);
        execlp("redis-server", "redis-server", "--port", ps, "--bind", "127.0.0.1", "--save", "",
               "--appendonly", "no", "--dir", dir, "--daemonize", "no", (char *)NULL);
        _exit(127);
    }
    for (int i = 0; i < 100; i++) {
        const char *ping[] = {"redis-cli", "-p", ps, "PING", NULL};
        char *out = NULL;
        int rc = jt_test_run(ping, NULL, NULL, &out, NULL);
        int up = rc == 0 && out && strstr(out, "PONG");
        free(out);
        if (up) return pid;
        sleep_ms(100);
    }
    jt_svc_redis_stop(pid);
    ck_abort_msg("redis-server on port %u did not answer PING", *port);
    return -1;
}

void jt_svc_redis_stop(pid_t pid)
{
    kill(pid, SIGTERM);
    for (int i = 0; i < 100; i++) {
        if (waitpid(pid, NULL, WNOHANG) == pid) return;
        sleep_ms(50);
    }
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
}

int jt_svc_journal_records(const char *run_dir)
{
    char *path = jt_xasprintf("%s/journal.jsonl", run_dir);
    char *text = jt_test_read_file(path);
    free(path);
    int n = 0;
    for (const char *p = text; p && (p = strstr(p, "\"type\":\"candidate\"")); p++) n++;
    free(text);
    return n;
}

/* The README's seed block, with the port replaced. Caller frees. */
char *jt_svc_readme_quickstart(unsigned port)
{
    char *path = jt_xasprintf("%s/README.md", jt_test_srcdir());
    char *readme = jt_test_read_file(path);
    free(path);
    ck_assert(readme);
    const char *m = strstr(readme, "<!-- seed-quickstart");
    ck_assert_msg(m, "README.md has no seed-quickstart block");
    const char *start = strstr(m, "```sh\n");
    ck_assert(start);
    start += 6;
    const char *end = strstr(start, "\n```");
    ck_assert(end);
    jt_buf b = JT_BUF_INIT;
    char host[32];
    snprintf(host, sizeof host, "127.0.0.1:%u", port);
    for (const char *p = start; p < end;) {
        const char *hit = strstr(p, "127.0.0.1:8000");
        if (!hit || hit >= end) {
            jt_buf_add(&b, p, (size_t)(end - p));
            break;
        }
        jt_buf_add(&b, p, (size_t)(hit - p));
        jt_buf_adds(&b, host);
        p = hit + strlen("127.0.0.1:8000");
    }
    jt_buf_addc(&b, '\n');
    free(readme);
    return jt_buf_detach(&b);
}
