/* Writing and version-checking JSON documents (jsonfile.h). */
#include "jouletrace/jsonfile.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "jouletrace/fsutil.h"

/* json_dump_callback into a 64 KiB buffer flushed to the file: a summary
 * of 10,000 records (150 MB) never exists as one string. */
typedef struct json_sink {
    int fd;
    int failed; /* errno of the first failed write; 0 */
    size_t used;
    char buf[65536];
} json_sink;

static int sink_flush(json_sink *s)
{
    for (size_t off = 0; off < s->used && !s->failed;) {
        ssize_t n = write(s->fd, s->buf + off, s->used - off);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) s->failed = n < 0 ? errno : EIO;
        else off += (size_t)n;
    }
    s->used = 0;
    return s->failed ? -1 : 0;
}

static int sink_add(const char *p, size_t len, void *ctx)
{
    json_sink *s = ctx;
    while (len) {
        if (s->used == sizeof s->buf && sink_flush(s) != 0) return -1;
        size_t k = sizeof s->buf - s->used < len ? sizeof s->buf - s->used : len;
        memcpy(s->buf + s->used, p, k);
        s->used += k, p += k, len -= k;
    }
    return 0;
}

typedef struct json_job {
    const json_t *doc;
    int encoded; /* json_dump_callback did not refuse the document */
} json_job;

static int fill_json(int fd, void *ctx)
{
    json_job *j = ctx;
    json_sink *s = jt_xcalloc(1, sizeof *s);
    s->fd = fd;
    /* a failed write also stops the dump: that is a write error, not a bad document */
    j->encoded = json_dump_callback(j->doc, sink_add, s, JSON_INDENT(2) | JSON_SORT_KEYS) == 0 ||
                 s->failed;
    int rc = j->encoded && sink_add("\n", 1, s) == 0 && sink_flush(s) == 0 ? 0 : -1;
    int e = s->failed ? s->failed : EINVAL;
    free(s);
    if (rc) errno = e;
    return rc;
}

int jt_json_write_atomic(const char *path, const json_t *doc, jt_err *err)
{
    json_job j = {doc, 0};
    int rc = jt_write_file_atomic_fn(path, fill_json, &j, err);
    if (rc != 0 && !j.encoded) {
        jt_err_clear(err);
        return jt_err_set(err, "%s: document cannot be encoded as JSON", path);
    }
    return rc;
}

int jt_json_check_schema(const json_t *doc, int max, const char *where, jt_err *err)
{
    const json_t *v = json_object_get(doc, "schema_version");
    if (!json_is_number(v) || json_number_value(v) <= max) return 0;
    return jt_err_set(err, "%s: schema_version %g, this jouletrace reads up to %d: upgrade "
                           "jouletrace to read it",
                      where, json_number_value(v), max);
}
