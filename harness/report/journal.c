/* journal.jsonl: append + fsync, torn-tail tolerant reading (journal.h). */
#include "jouletrace/journal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "jouletrace/fsutil.h"
#include "jouletrace/jsonfile.h"

int jt_journal_each(const char *path, jt_journal_fn fn, void *ctx, jt_journal_info *info,
                    jt_err *err)
{
    memset(info, 0, sizeof *info);
    FILE *f = fopen(path, "re");
    if (!f && errno == ENOENT) return 0;
    if (!f) return jt_err_set(err, "cannot read '%s': %s", path, strerror(errno));
    char *data = NULL;
    size_t cap = 0, line = 0;
    ssize_t got;
    int rc = 0;
    while (rc == 0 && (got = getline(&data, &cap, f)) > 0) {
        line++;
        bool nl = data[got - 1] == '\n';
        size_t line_len = (size_t)got - (nl ? 1 : 0);
        json_t *rec = line_len ? json_loadb(data, line_len, 0, NULL) : NULL;
        if (!nl && !json_is_object(rec)) {
            json_decref(rec);
            info->torn = true; /* the last write never completed */
            info->torn_line = line;
            break;
        }
        /* A last line without its newline that parses as a whole object is
         * a record (a copy or an editor dropped the newline; a torn write
         * never parses: no strict prefix of an object is an object). */
        if (!nl) info->unterminated = true;
        if (json_is_object(rec)) {
            char *where = jt_xasprintf("%s:%zu", path, line);
            rc = jt_json_check_schema(rec, JT_RECORD_SCHEMA, where, err);
            free(where);
            info->records++;
            if (rc == 0) rc = fn(rec, data, line_len, ctx, err);
        } else if (line_len) {
            if (info->skipped < JT_JOURNAL_SKIPPED_SHOWN) info->skipped_line[info->skipped] = line;
            info->skipped++;
        }
        json_decref(rec);
        info->good_bytes += (size_t)got;
    }
    if (rc == 0 && ferror(f)) rc = jt_err_set(err, "cannot read '%s': %s", path, strerror(errno));
    free(data);
    fclose(f);
    return rc;
}

static int append_record(json_t *rec, const char *line, size_t len, void *ctx, jt_err *err)
{
    (void)line, (void)len, (void)err;
    return json_array_append(ctx, rec);
}

int jt_journal_read(const char *path, json_t **records, jt_journal_info *info, jt_err *err)
{
    *records = json_array();
    int rc = jt_journal_each(path, append_record, *records, info, err);
    if (rc != 0) {
        json_decref(*records);
        *records = NULL;
    }
    return rc;
}

char *jt_journal_skipped_note(const char *path, const jt_journal_info *info)
{
    if (!info->skipped && !info->torn) return NULL;
    jt_buf b = JT_BUF_INIT;
    jt_buf_addf(&b, "%s: skipped", path);
    if (info->skipped) {
        jt_buf_addf(&b, " %zu unreadable line%s (", info->skipped, info->skipped == 1 ? "" : "s");
        size_t shown = info->skipped < JT_JOURNAL_SKIPPED_SHOWN ? info->skipped : JT_JOURNAL_SKIPPED_SHOWN;
        for (size_t i = 0; i < shown; i++) jt_buf_addf(&b, "%s%zu", i ? ", " : "", info->skipped_line[i]);
        if (info->skipped > shown) jt_buf_addf(&b, " and %zu more", info->skipped - shown);
        jt_buf_adds(&b, ")");
    }
    if (info->torn) jt_buf_addf(&b, "%s a torn last line (%zu)", info->skipped ? " and" : "", info->torn_line);
    jt_buf_adds(&b, ": what they held is not a record of this run");
    return jt_buf_detach(&b);
}

int jt_journal_open(const char *path, jt_journal *j, jt_err *err)
{
    j->fd = -1;
    j->path = NULL;
    json_t *recs = NULL;
    jt_journal_info info;
    if (jt_journal_read(path, &recs, &info, err) != 0) return -1;
    json_decref(recs);
    int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0) return jt_err_set(err, "cannot open journal '%s': %s", path, strerror(errno));
    if (info.torn && (ftruncate(fd, (off_t)info.good_bytes) != 0 || fsync(fd) != 0)) {
        int e = errno;
        close(fd);
        return jt_err_set(err, "cannot cut the torn tail of '%s': %s", path, strerror(e));
    }
    if (info.unterminated && (write(fd, "\n", 1) != 1 || fsync(fd) != 0)) {
        int e = errno;
        close(fd);
        return jt_err_set(err, "cannot end the last record of '%s' with a newline: %s", path,
                          strerror(e ? e : EIO));
    }
    j->fd = fd;
    j->path = jt_xstrdup(path);
    return 0;
}

int jt_journal_append(jt_journal *j, const json_t *record, jt_err *err)
{
    char *line = json_dumps(record, JSON_COMPACT | JSON_ENSURE_ASCII);
    if (!line) return jt_err_set(err, "journal: record cannot be encoded as JSON");
    size_t len = strlen(line);
    line = jt_xrealloc(line, len + 2);
    line[len++] = '\n';
    line[len] = '\0';
    /* One write() so concurrent readers never see half a record of ours;
     * loop only for the (regular-file) short-write corner case. */
    size_t off = 0;
    int rc = 0;
    while (off < len) {
        ssize_t w = write(j->fd, line + off, len - off);
        if (w < 0 && errno == EINTR) continue;
        if (w < 0) {
            rc = jt_err_set(err, "cannot append to '%s': %s", j->path, strerror(errno));
            break;
        }
        off += (size_t)w;
    }
    if (rc == 0 && fsync(j->fd) != 0)
        rc = jt_err_set(err, "cannot fsync '%s': %s", j->path, strerror(errno));
    free(line);
    return rc;
}

void jt_journal_close(jt_journal *j)
{
    if (j->fd >= 0) close(j->fd);
    j->fd = -1;
    free(j->path);
    j->path = NULL;
}
