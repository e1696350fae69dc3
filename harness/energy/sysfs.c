/* Small file and number helpers shared by the energy backends. */
#include "jouletrace/energy_backend.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char *jt_energy_root(const char *opt, const char *env, const char *def)
{
    if (opt && *opt) return opt;
    const char *e = getenv(env);
    return e && *e ? e : def;
}

int jt_energy_slurp(const char *path, jt_buf *out)
{
    jt_buf_reset(out);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return errno;
    int rc = 0;
    char chunk[4096];
    for (;;) {
        ssize_t n = read(fd, chunk, sizeof chunk);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            rc = errno;
            break;
        }
        if (n == 0) break;
        jt_buf_add(out, chunk, (size_t)n);
    }
    close(fd);
    while (out->len && isspace((unsigned char)out->data[out->len - 1])) out->data[--out->len] = '\0';
    return rc;
}

int jt_energy_parse_u64(const char *s, uint64_t *v)
{
    while (*s == ' ' || *s == '\t') s++;
    if (!isdigit((unsigned char)*s)) return EINVAL; /* strtoull accepts "-1" */
    char *end;
    errno = 0;
    unsigned long long x = strtoull(s, &end, 10);
    if (errno) return errno;
    while (isspace((unsigned char)*end)) end++;
    if (*end) return EINVAL;
    *v = x;
    return 0;
}

int jt_energy_pread_u64(int fd, uint64_t *v)
{
    /* sysfs regenerates the value on every read at offset 0, so one open
     * fd serves every sample without reopening (stress-ng reopens). */
    char buf[64];
    ssize_t n;
    do n = pread(fd, buf, sizeof buf - 1, 0);
    while (n < 0 && errno == EINTR);
    if (n < 0) return errno;
    if (n == 0) return ENODATA;
    buf[n] = '\0';
    return jt_energy_parse_u64(buf, v);
}

int jt_energy_pkg0_cpu(const jt_energy_opts *o)
{
    if (o->cpu >= 0) return o->cpu;
    return o->pkg0_cpus && o->n_pkg0 > 0 ? o->pkg0_cpus[0] : 0;
}
