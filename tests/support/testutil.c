#include "support/testutil.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <grp.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "jouletrace/common.h"

const char *jt_test_srcdir(void)
{
    const char *s = getenv("JT_SRCDIR");
    return s && *s ? s : ".";
}

const char *jt_test_builddir(void)
{
    const char *s = getenv("JT_BUILDDIR");
    return s && *s ? s : "build";
}

const char *jt_test_binary(void)
{
    static char path[PATH_MAX];
    if (!path[0]) snprintf(path, sizeof path, "%s/jouletrace", jt_test_builddir());
    return path;
}

char *jt_test_tmpdir(void)
{
    const char *base = getenv("TMPDIR");
    char *tmpl = jt_xasprintf("%s/jt-test-XXXXXX", base && *base ? base : "/tmp");
    if (!mkdtemp(tmpl)) {
        perror("mkdtemp");
        abort();
    }
    return tmpl;
}

int jt_test_rmtree(const char *path)
{
    struct stat st;
    if (lstat(path, &st) != 0) return errno == ENOENT ? 0 : -1;
    if (S_ISDIR(st.st_mode)) {
        DIR *d = opendir(path);
        if (!d) return -1;
        struct dirent *e;
        while ((e = readdir(d))) {
            if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
            char *sub = jt_xasprintf("%s/%s", path, e->d_name);
            jt_test_rmtree(sub);
            free(sub);
        }
        closedir(d);
        return rmdir(path);
    }
    return unlink(path);
}

void jt_test_tmpdir_free(char *dir)
{
    if (!dir) return;
    jt_test_rmtree(dir);
    free(dir);
}

static void mkdirs_for(const char *path)
{
    char *p = jt_xstrdup(path);
    for (char *s = p + 1; *s; s++) {
        if (*s == '/') {
            *s = '\0';
            mkdir(p, 0755);
            *s = '/';
        }
    }
    free(p);
}

char *jt_test_write_file(const char *dir, const char *name, const char *content)
{
    char *path = jt_xasprintf("%s/%s", dir, name);
    mkdirs_for(path);
    FILE *f = fopen(path, "w");
    if (!f) {
        perror(path);
        abort();
    }
    fputs(content, f);
    fclose(f);
    return path;
}

char *jt_test_read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    jt_buf b = JT_BUF_INIT;
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) jt_buf_add(&b, chunk, n);
    fclose(f);
    return jt_buf_detach(&b);
}

char *jt_test_fixture(const char *name)
{
    char *path = jt_xasprintf("%s/tests/fixtures/%s", jt_test_srcdir(), name);
    char *text = jt_test_read_file(path);
    ck_assert_msg(text != NULL, "cannot read the fixture %s", path);
    free(path);
    return text;
}

int jt_test_run(const char *const *argv, const char *const *env, const char *input,
                char **out, char **err)
{
    int inp[2], outp[2], errp[2];
    if (pipe2(inp, O_CLOEXEC) || pipe2(outp, O_CLOEXEC) || pipe2(errp, O_CLOEXEC)) return -1;
    pid_t pid = fork();
    if (pid < 0) return -1;
    if (pid == 0) {
        dup2(inp[0], 0);
        dup2(outp[1], 1);
        dup2(errp[1], 2);
        for (size_t i = 0; env && env[i]; i++) putenv((char *)(uintptr_t)env[i]);
        jt_test_default_signals();
        execvp(argv[0], (char *const *)(uintptr_t)argv);
        _exit(127);
    }
    close(inp[0]);
    close(outp[1]);
    close(errp[1]);
    signal(SIGPIPE, SIG_IGN);
    if (input) {
        size_t len = strlen(input), off = 0;
        while (off < len) {
            ssize_t w = write(inp[1], input + off, len - off);
            if (w <= 0) break;
            off += (size_t)w;
        }
    }
    close(inp[1]);
    jt_buf bo = JT_BUF_INIT, be = JT_BUF_INIT;
    struct pollfd pf[2] = {{outp[0], POLLIN, 0}, {errp[0], POLLIN, 0}};
    int open_fds = 2;
    while (open_fds > 0) {
        if (poll(pf, 2, -1) < 0) {
            if (errno == EINTR) continue;
            break;
        }
        for (int i = 0; i < 2; i++) {
            if (pf[i].fd < 0 || !pf[i].revents) continue;
            char chunk[4096];
            ssize_t n = read(pf[i].fd, chunk, sizeof chunk);
            if (n <= 0) {
                close(pf[i].fd);
                pf[i].fd = -1;
                open_fds--;
            } else {
                jt_buf_add(i == 0 ? &bo : &be, chunk, (size_t)n);
            }
        }
    }
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (out) *out = jt_buf_detach(&bo); else jt_buf_release(&bo);
    if (err) *err = jt_buf_detach(&be); else jt_buf_release(&be);
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
    return -1;
}

/* One process of /proc: its parent, state and command line (NULs as
 * spaces). Returns false when it is gone or unreadable. */
static bool proc_info(long pid, long *ppid, char *state, char *cmd, size_t cap)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%ld/stat", pid);
    char *stat = jt_test_read_file(path);
    if (!stat) return false;
    /* field 4 (ppid) follows the ")" that closes comm */
    char *rp = strrchr(stat, ')');
    *ppid = -1;
    *state = '?';
    if (rp) sscanf(rp + 1, " %c %ld", state, ppid);
    free(stat);
    cmd[0] = '\0';
    snprintf(path, sizeof path, "/proc/%ld/cmdline", pid);
    FILE *f = fopen(path, "rb");
    if (f) {
        size_t n = fread(cmd, 1, cap - 1, f);
        fclose(f);
        for (size_t i = 0; i < n; i++)
            if (!cmd[i]) cmd[i] = ' ';
        cmd[n] = '\0';
    }
    return true;
}

int jt_test_procs_matching(long parent, const char *marker, bool or_child_of_parent)
{
    DIR *d = opendir("/proc");
    if (!d) return -1;
    int count = 0;
    pid_t self = getpid();
    struct dirent *e;
    while ((e = readdir(d))) {
        char *end;
        long pid = strtol(e->d_name, &end, 10);
        if (*end || pid <= 0 || pid == self) continue;
        long ppid;
        char state, cmd[8192];
        if (!proc_info(pid, &ppid, &state, cmd, sizeof cmd)) continue;
        bool child = ppid == parent;
        if (or_child_of_parent) {
            if (state == 'Z' && !child) continue;
            count += child || (marker && strstr(cmd, marker));
        } else {
            count += child && marker && strstr(cmd, marker);
        }
    }
    closedir(d);
    return count;
}

int jt_test_count_procs(const char *marker)
{
    return jt_test_procs_matching(getpid(), marker, true);
}

void jt_test_skip(const char *why)
{
    fprintf(stderr, "SKIP: %s\n", why);
    exit(77);
}

char *jt_test_corpora(void)
{
    char *p = jt_xasprintf("%s/../shared/corpora", jt_test_srcdir());
    struct stat st;
    if (stat(p, &st) != 0) {
        free(p);
        p = jt_xstrdup("/work/shared/corpora");
    }
    return p;
}

static char *sandbox_tmp; /* test-only state: one fixture per test process */
static int sandbox_fds;

static int open_fds(void)
{
    DIR *d = opendir("/proc/self/fd");
    int n = 0;
    while (d && readdir(d)) n++;
    if (d) closedir(d);
    return n;
}

void jt_test_sandbox_setup(void)
{
    sandbox_fds = open_fds();
    sandbox_tmp = jt_test_tmpdir();
    chmod(sandbox_tmp, 0711); /* the fallback's unprivileged child must traverse it */
    setenv("TMPDIR", sandbox_tmp, 1);
}

void jt_test_sandbox_teardown(void)
{
    unsetenv("TMPDIR"); /* with CK_FORK=no the next test's tmpdir comes from /tmp */
    jt_test_tmpdir_free(sandbox_tmp);
    sandbox_tmp = NULL;
}

void jt_test_sandbox_check_clean(void)
{
    ck_assert_int_eq(jt_test_count_procs(NULL), 0);
    DIR *d = opendir(sandbox_tmp);
    ck_assert_ptr_nonnull(d);
    struct dirent *e;
    int n = 0;
    while ((e = readdir(d))) n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
    closedir(d);
    ck_assert_int_eq(n, 0);
    ck_assert_int_eq(open_fds(), sandbox_fds);
}

double jt_test_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

char *jt_test_fork_capture(const struct passwd *pw, int (*fn)(void *arg, int fd), void *arg,
                           int *status)
{
    int p[2];
    if (pipe2(p, O_CLOEXEC) != 0) return NULL;
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        close(p[0]), close(p[1]);
        return NULL;
    }
    if (pid == 0) {
        close(p[0]);
        if (pw && (setgroups(0, NULL) != 0 || setgid(pw->pw_gid) != 0 || setuid(pw->pw_uid) != 0))
            _exit(126);
        _exit(fn(arg, p[1]));
    }
    close(p[1]);
    jt_buf b = JT_BUF_INIT;
    char chunk[4096];
    ssize_t n;
    while ((n = read(p[0], chunk, sizeof chunk)) != 0) {
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) break;
        jt_buf_add(&b, chunk, (size_t)n);
    }
    close(p[0]);
    *status = 0;
    while (waitpid(pid, status, 0) < 0 && errno == EINTR) {
    }
    return jt_buf_detach(&b);
}

static int run_true(void *arg, int fd)
{
    (void)arg, (void)fd;
    int null = open("/dev/null", O_RDWR);
    if (null >= 0) dup2(null, 1), dup2(null, 2);
    execl("/bin/true", "true", (char *)NULL);
    return 127;
}

const char *jt_test_nobody_blocked(void)
{
    static char why[256];
    static int state; /* 0 unknown, 1 fine, 2 blocked */
    if (state) return state == 1 ? NULL : why;
    struct passwd *pw = getpwnam("nobody");
    if (!pw) {
        snprintf(why, sizeof why, "there is no user nobody");
        state = 2;
        return why;
    }
    int st = 0;
    char *out = jt_test_fork_capture(pw, run_true, NULL, &st);
    if (!out) {
        snprintf(why, sizeof why, "cannot fork a process as nobody: %s", strerror(errno));
        state = 2;
        return why;
    }
    free(out);
    if (WIFEXITED(st) && WEXITSTATUS(st) == 0) {
        state = 1;
        return NULL;
    }
    struct stat root;
    if (stat("/", &root) == 0 && !(root.st_mode & S_IXOTH))
        snprintf(why, sizeof why,
                 "user nobody cannot run programs on this host: '/' is mode %04o (not searchable "
                 "by other users)",
                 (unsigned)(root.st_mode & 07777));
    else
        snprintf(why, sizeof why, "user nobody cannot run /bin/true on this host (status %d)",
                 WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
    state = 2;
    return why;
}

void jt_test_skip_case(const char *name, const char *why)
{
    printf("SKIP-CASE: %s: %s\n", name, why);
    fflush(stdout);
}

void jt_test_default_signals(void)
{
    static const int sigs[] = {SIGINT, SIGTERM, SIGHUP};
    sigset_t set;
    sigemptyset(&set);
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
        signal(sigs[i], SIG_DFL);
        sigaddset(&set, sigs[i]);
    }
    sigprocmask(SIG_UNBLOCK, &set, NULL);
}
