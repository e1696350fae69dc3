/* Run-directory paths, run.json reading and writing (rundir.h). */
#include "jouletrace/rundir.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "jouletrace/fsutil.h"
#include "jouletrace/jsonfile.h"

char *jt_rundir_run_json(const char *dir) { return jt_xasprintf("%s/run.json", dir); }
char *jt_rundir_journal(const char *dir) { return jt_xasprintf("%s/journal.jsonl", dir); }
char *jt_rundir_summary(const char *dir) { return jt_xasprintf("%s/summary.json", dir); }
char *jt_rundir_index(const char *dir) { return jt_xasprintf("%s/index.html", dir); }

bool jt_rundir_has_journal(const char *dir)
{
    char *j = jt_rundir_journal(dir);
    bool exists = access(j, F_OK) == 0;
    free(j);
    return exists;
}

char *jt_rundir_create(const char *suite_name, jt_err *err)
{
    char stamp[32];
    time_t t = time(NULL);
    struct tm tm;
    strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", gmtime_r(&t, &tm));
    if (jt_mkdirs("reports", 0755, err) != 0) return NULL;
    for (int i = 1; i < 1000; i++) {
        char *d = i == 1 ? jt_xasprintf("reports/%s-%s", suite_name, stamp)
                         : jt_xasprintf("reports/%s-%s-%d", suite_name, stamp, i);
        if (mkdir(d, 0755) == 0) return d;
        int e = errno;
        if (e != EEXIST) {
            jt_err_set(err, "cannot create run directory '%s': %s", d, strerror(e));
            free(d);
            return NULL;
        }
        free(d);
    }
    jt_err_set(err, "cannot find a free run directory name under reports/");
    return NULL;
}

json_t *jt_rundir_load(const char *dir, bool *newer, jt_err *err)
{
    if (newer) *newer = false;
    char *path = jt_rundir_run_json(dir);
    json_error_t je;
    json_t *run = json_load_file(path, 0, &je);
    if (run && !json_is_object(run)) {
        json_decref(run);
        run = NULL;
        snprintf(je.text, sizeof je.text, "not a JSON object");
    }
    if (!run) {
        jt_err_set(err, "%s: %s (is '%s' a run directory?)", path, je.text, dir);
    } else if (jt_json_check_schema(run, JT_RUN_SCHEMA, path, err) != 0) {
        json_decref(run);
        run = NULL;
        if (newer) *newer = true;
    }
    free(path);
    return run;
}

int jt_rundir_save(const char *dir, const json_t *run, jt_err *err)
{
    char *path = jt_rundir_run_json(dir);
    int rc = jt_json_write_atomic(path, run, err);
    free(path);
    return rc;
}

int jt_rundir_read_journal(const char *dir, json_t **records, jt_journal_info *info, jt_err *err)
{
    char *path = jt_rundir_journal(dir);
    int rc = jt_journal_read(path, records, info, err);
    free(path);
    return rc;
}

void jt_rundir_warn_skipped(const char *dir, const jt_journal_info *info)
{
    char *path = jt_rundir_journal(dir);
    char *note = jt_journal_skipped_note(path, info);
    if (note) jt_warn("%s", note);
    free(note);
    free(path);
}
