/* The fuzz targets' file-system jail (fuzz.h): the library copy the targets
 * link calls these instead of the libc functions named in confine.syms.
 * A path is allowed when it is absolute, starts with the root, and has no
 * ".." component; anything else fails with EACCES, as an unreadable file
 * would. Symbolic links are not followed out because the tree holds none. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "fuzz.h"

int jt_fuzz_access(const char *p, int mode);
int jt_fuzz_chmod(const char *p, mode_t mode);
FILE *jt_fuzz_fopen(const char *p, const char *mode);
int jt_fuzz_glob(const char *pat, int flags, int (*errfunc)(const char *, int), glob_t *g);
gzFile jt_fuzz_gzopen(const char *p, const char *mode);
int jt_fuzz_lstat(const char *p, struct stat *st);
int jt_fuzz_mkdir(const char *p, mode_t mode);
int jt_fuzz_open(const char *p, int flags, ...);
DIR *jt_fuzz_opendir(const char *p);
int jt_fuzz_rename(const char *from, const char *to);
int jt_fuzz_rmdir(const char *p);
int jt_fuzz_scandir(const char *p, struct dirent ***list, int (*filter)(const struct dirent *),
                    int (*cmp)(const struct dirent **, const struct dirent **));
int jt_fuzz_stat(const char *p, struct stat *st);
int jt_fuzz_unlink(const char *p);

/* Set once, before the first input; read-only afterwards. */
static char jail[4096];
static size_t jail_len;

void jt_fuzz_confine(const char *root)
{
    size_t n = strlen(root);
    if (root[0] != '/' || n >= sizeof jail) abort();
    memcpy(jail, root, n + 1);
    jail_len = n;
}

/* Is `p` inside the jail? `glob_pattern` also refuses components that
 * start with '.' (".?" matches "..") and backslashes (escapes). */
static int inside(const char *p, int glob_pattern)
{
    if (!jail_len || !p || strncmp(p, jail, jail_len) || (p[jail_len] && p[jail_len] != '/'))
        return 0;
    if (glob_pattern && strchr(p, '\\')) return 0;
    for (const char *c = p + jail_len; *c;) {
        while (*c == '/') c++;
        size_t len = strcspn(c, "/");
        if (len == 2 && c[0] == '.' && c[1] == '.') return 0;
        if (glob_pattern && len && c[0] == '.') return 0;
        c += len;
    }
    return 1;
}

#define REFUSE(p, fail)                                                                            \
    do {                                                                                           \
        if (!inside((p), 0)) {                                                                     \
            errno = EACCES;                                                                        \
            return fail;                                                                           \
        }                                                                                          \
    } while (0)

int jt_fuzz_access(const char *p, int mode)
{
    REFUSE(p, -1);
    return access(p, mode);
}

int jt_fuzz_chmod(const char *p, mode_t mode)
{
    REFUSE(p, -1);
    return chmod(p, mode);
}

FILE *jt_fuzz_fopen(const char *p, const char *mode)
{
    REFUSE(p, NULL);
    return fopen(p, mode);
}

int jt_fuzz_glob(const char *pat, int flags, int (*errfunc)(const char *, int), glob_t *g)
{
    if (!inside(pat, 1)) return GLOB_NOMATCH;
    return glob(pat, flags, errfunc, g);
}

gzFile jt_fuzz_gzopen(const char *p, const char *mode)
{
    REFUSE(p, NULL);
    return gzopen(p, mode);
}

int jt_fuzz_lstat(const char *p, struct stat *st)
{
    REFUSE(p, -1);
    return lstat(p, st);
}

int jt_fuzz_mkdir(const char *p, mode_t mode)
{
    REFUSE(p, -1);
    return mkdir(p, mode);
}

int jt_fuzz_open(const char *p, int flags, ...)
{
    mode_t mode = 0;
    if (flags & (O_CREAT | O_TMPFILE)) {
        va_list ap;
        va_start(ap, flags);
        mode = (mode_t)va_arg(ap, int);
        va_end(ap);
    }
    REFUSE(p, -1);
    return open(p, flags, mode);
}

DIR *jt_fuzz_opendir(const char *p)
{
    REFUSE(p, NULL);
    return opendir(p);
}

int jt_fuzz_rename(const char *from, const char *to)
{
    REFUSE(from, -1);
    REFUSE(to, -1);
    return rename(from, to);
}

int jt_fuzz_rmdir(const char *p)
{
    REFUSE(p, -1);
    return rmdir(p);
}

int jt_fuzz_scandir(const char *p, struct dirent ***list, int (*filter)(const struct dirent *),
                    int (*cmp)(const struct dirent **, const struct dirent **))
{
    REFUSE(p, -1);
    return scandir(p, list, filter, cmp);
}

int jt_fuzz_stat(const char *p, struct stat *st)
{
    REFUSE(p, -1);
    return stat(p, st);
}

int jt_fuzz_unlink(const char *p)
{
    REFUSE(p, -1);
    return unlink(p);
}
