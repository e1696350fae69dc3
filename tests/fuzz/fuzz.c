/* Shared set-up of the libFuzzer targets (fuzz.h). This file is not
 * confined: it makes and removes the tree the library is confined to. */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz.h"

/* Set once by jt_fuzz_setup; the path buffer is rewritten per input. */
static char root[PATH_MAX];
static char put_path[PATH_MAX + 64];

static void die(const char *what, const char *path)
{
    fprintf(stderr, "fuzz: %s '%s': %s\n", what, path, strerror(errno));
    exit(2);
}

static int remove_one(const char *p, const struct stat *st, int flag, struct FTW *f)
{
    (void)st, (void)flag, (void)f;
    return remove(p);
}

static void remove_root(void)
{
    if (root[0]) nftw(root, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

static void write_all(const char *path, const char *data, size_t len)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) die("cannot create", path);
    for (size_t off = 0; off < len;) {
        ssize_t w = write(fd, data + off, len - off);
        if (w <= 0) die("cannot write", path);
        off += (size_t)w;
    }
    if (close(fd) != 0) die("cannot close", path);
}

/* Parent directories of root/rel, then the file (or FIFO). */
static void make_file(const jt_fuzz_file *f)
{
    char path[PATH_MAX + 256];
    if ((size_t)snprintf(path, sizeof path, "%s/%s", root, f->path) >= sizeof path) abort();
    for (char *s = path + strlen(root) + 1; (s = strchr(s, '/')); s++) {
        *s = '\0';
        if (mkdir(path, 0755) != 0 && errno != EEXIST) die("cannot make", path);
        *s = '/';
    }
    if (!f->data) {
        if (mkfifo(path, 0644) != 0) die("cannot make the FIFO", path);
        return;
    }
    write_all(path, f->data, f->len ? f->len : strlen(f->data));
}

const char *jt_fuzz_setup(const char *target, const jt_fuzz_file *files)
{
    const char *base = getenv("JT_FUZZ_TMPDIR");
    if (!base || !*base) base = getenv("TMPDIR");
    if (!base || !*base) base = "/tmp";
    char tmpl[PATH_MAX];
    if ((size_t)snprintf(tmpl, sizeof tmpl, "%s/jt-fuzz-%s-XXXXXX", base, target) >= sizeof tmpl)
        abort();
    if (!mkdtemp(tmpl)) die("cannot make a directory like", tmpl);
    if (!realpath(tmpl, root)) die("cannot resolve", tmpl);
    atexit(remove_root);
    for (const jt_fuzz_file *f = files; f->path; f++) make_file(f);
    jt_fuzz_confine(root);
    return root;
}

const char *jt_fuzz_put(const char *name, const uint8_t *data, size_t size)
{
    snprintf(put_path, sizeof put_path, "%s/%s", root, name);
    write_all(put_path, (const char *)data, size);
    return put_path;
}

void jt_fuzz_require(int ok, const char *what)
{
    if (ok) return;
    fprintf(stderr, "fuzz: invariant broken: %s\n", what);
    abort();
}
