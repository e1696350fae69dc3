/* Small /proc and /sys files (sysfile.h). */
#include "jouletrace/sysfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "jouletrace/common.h"

char *jt_read_first_line(const char *path)
{
    FILE *f = fopen(path, "re");
    if (!f) return NULL;
    char *line = NULL;
    size_t cap = 0;
    ssize_t n = getline(&line, &cap, f);
    int bad = n < 0 && ferror(f);
    fclose(f);
    if (bad) {
        free(line);
        return NULL;
    }
    if (n < 0) { /* empty file */
        free(line);
        return jt_xstrdup("");
    }
    line[strcspn(line, "\n")] = '\0';
    return line;
}

static int cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

int jt_cpulist_parse(const char *s, int *cpus, int max)
{
    int n = 0;
    const char *p = s;
    while (*p) {
        char *end;
        errno = 0;
        long lo = strtol(p, &end, 10);
        if (end == p || errno || lo < 0) return -1;
        long hi = lo;
        p = end;
        if (*p == '-') {
            hi = strtol(p + 1, &end, 10);
            if (end == p + 1 || hi < lo) return -1;
            p = end;
        }
        for (long c = lo; c <= hi; c++) {
            if (n >= max || c >= JT_MAX_CPUS) return -1;
            cpus[n++] = (int)c;
        }
        if (*p == ',') p++;
        else if (*p && *p != '\n') return -1;
        else break;
    }
    qsort(cpus, (size_t)n, sizeof *cpus, cmp_int);
    int m = 0;
    for (int i = 0; i < n; i++)
        if (m == 0 || cpus[m - 1] != cpus[i]) cpus[m++] = cpus[i];
    return m;
}

const char *jt_proc_stat_fields(long pid, char *buf, size_t cap)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%ld/stat", pid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0 || cap < 2) {
        if (fd >= 0) close(fd);
        return NULL;
    }
    ssize_t n = read(fd, buf, cap - 1);
    close(fd);
    if (n <= 0) return NULL;
    buf[n] = '\0';
    const char *p = strrchr(buf, ')');
    return p ? p + 1 : NULL;
}
