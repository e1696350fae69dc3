/* The embedded queue (queue.h): one SQLite database in WAL mode with
 * synchronous=FULL, so an accepted task is on disk before the answer goes
 * out. Workers are processes of this host; a running task whose worker
 * process is gone (jt_queue_worker_alive_here) is given back by recover.
 * Every state change is one IMMEDIATE transaction; busy waits are
 * SQLite's own (busy_timeout). */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "jouletrace/fsutil.h"
#include "serve/queue_priv.h"

#define BUSY_MS 10000

static const char schema[] =
    "CREATE TABLE IF NOT EXISTS tasks ("
    " seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, kind TEXT NOT NULL,"
    " state TEXT NOT NULL, request TEXT NOT NULL, result TEXT, attempts INTEGER NOT NULL DEFAULT 0,"
    " worker TEXT, note TEXT, first INTEGER NOT NULL DEFAULT 0,"
    " created REAL NOT NULL, started REAL, finished REAL);"
    "CREATE INDEX IF NOT EXISTS tasks_waiting ON tasks(state, kind, first, seq);"
    "CREATE TABLE IF NOT EXISTS workers (id TEXT PRIMARY KEY, status TEXT NOT NULL, updated REAL);";

static sqlite3 *db_of(jt_queue *q) { return q->impl; }

static int fail(jt_queue *q, jt_err *err, const char *what)
{
    return jt_err_set(err, "%s: %s", what, sqlite3_errmsg(db_of(q)));
}

static int exec_sql(jt_queue *q, const char *sql, jt_err *err)
{
    char *msg = NULL;
    if (sqlite3_exec(db_of(q), sql, NULL, NULL, &msg) == SQLITE_OK) return 0;
    jt_err_set(err, "%s: %s", sql, msg ? msg : sqlite3_errmsg(db_of(q)));
    sqlite3_free(msg);
    return -1;
}

static int q_open(jt_queue *q, const char *path, jt_err *err)
{
    if (!*path) return jt_err_set(err, "no database path after 'sqlite:'");
    char *dir = jt_xstrdup(path);
    char *slash = strrchr(dir, '/');
    if (slash && slash != dir) {
        *slash = '\0';
        if (jt_mkdirs(dir, 0755, err) != 0) {
            free(dir);
            return -1;
        }
    }
    free(dir);
    sqlite3 *db = NULL;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                        NULL) != SQLITE_OK) {
        jt_err_set(err, "%s: %s", path, db ? sqlite3_errmsg(db) : "cannot open");
        sqlite3_close(db);
        return -1;
    }
    q->impl = db;
    sqlite3_busy_timeout(db, BUSY_MS);
    if (exec_sql(q, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;", err) != 0 ||
        exec_sql(q, schema, err) != 0) {
        sqlite3_close(db);
        q->impl = NULL;
        return -1;
    }
    return 0;
}

static void q_close(jt_queue *q)
{
    sqlite3_close(db_of(q));
    q->impl = NULL;
}

static sqlite3_stmt *prep(jt_queue *q, const char *sql, jt_err *err)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db_of(q), sql, -1, &st, NULL) != SQLITE_OK) {
        fail(q, err, sql);
        return NULL;
    }
    return st;
}

/* Runs a statement that returns no rows; 0 or -1. */
static int step_done(jt_queue *q, sqlite3_stmt *st, const char *what, jt_err *err)
{
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : fail(q, err, what);
}

static int begin(jt_queue *q, jt_err *err) { return exec_sql(q, "BEGIN IMMEDIATE", err); }
static void rollback(jt_queue *q) { sqlite3_exec(db_of(q), "ROLLBACK", NULL, NULL, NULL); }
static int commit(jt_queue *q, jt_err *err)
{
    if (exec_sql(q, "COMMIT", err) == 0) return 0;
    rollback(q);
    return -1;
}

static long long count_waiting(jt_queue *q, jt_err *err)
{
    sqlite3_stmt *st = prep(q, "SELECT count(*) FROM tasks WHERE state='queued'", err);
    if (!st) return -1;
    long long n = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
    sqlite3_finalize(st);
    if (n < 0) fail(q, err, "count queued tasks");
    return n;
}

static int q_submit(jt_queue *q, jt_task_kind kind, const json_t *request, size_t max_queued,
                    const char *id, double now, jt_err *err)
{
    char *text = json_dumps(request, JSON_COMPACT | JSON_SORT_KEYS);
    if (!text) return jt_err_set(err, "request not serialisable");
    int rc = -1;
    if (begin(q, err) != 0) goto out;
    long long waiting = count_waiting(q, err);
    if (waiting < 0) goto undo;
    if (max_queued && (size_t)waiting >= max_queued) {
        rollback(q);
        rc = 1;
        goto out;
    }
    sqlite3_stmt *st = prep(q, "INSERT INTO tasks(id, kind, state, request, created) "
                               "VALUES (?, ?, 'queued', ?, ?)", err);
    if (!st) goto undo;
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, jt_task_kind_name(kind), -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, text, -1, SQLITE_STATIC);
    sqlite3_bind_double(st, 4, now);
    if (step_done(q, st, "insert task", err) != 0) goto undo;
    rc = commit(q, err);
    goto out;
undo:
    rollback(q);
out:
    free(text);
    return rc;
}

static char *col_text(sqlite3_stmt *st, int i)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    return t ? jt_xstrdup((const char *)t) : NULL;
}

static json_t *col_json(sqlite3_stmt *st, int i)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    return t ? json_loads((const char *)t, 0, NULL) : NULL;
}

#define TASK_COLS "id, kind, state, request, result, attempts, worker, note, created, started, finished"

/* A row of TASK_COLS into *t. */
static void fill_task(sqlite3_stmt *st, jt_task *t)
{
    const unsigned char *id = sqlite3_column_text(st, 0);
    snprintf(t->id, sizeof t->id, "%s", id ? (const char *)id : "");
    int k = jt_task_kind_parse((const char *)sqlite3_column_text(st, 1));
    int s = jt_task_state_parse((const char *)sqlite3_column_text(st, 2));
    t->kind = k < 0 ? JT_TASK_MEASURE : (jt_task_kind)k;
    t->state = s < 0 ? JT_TASK_FAILED : (jt_task_state)s;
    t->request = col_json(st, 3);
    t->result = col_json(st, 4);
    t->attempts = sqlite3_column_int(st, 5);
    t->worker = col_text(st, 6);
    t->note = col_text(st, 7);
    t->created = sqlite3_column_double(st, 8);
    t->started = sqlite3_column_double(st, 9);
    t->finished = sqlite3_column_double(st, 10);
}

static int q_get(jt_queue *q, const char *id, jt_task *t, jt_err *err)
{
    sqlite3_stmt *st = prep(q, "SELECT " TASK_COLS " FROM tasks WHERE id=?", err);
    if (!st) return -1;
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) fill_task(st, t);
    sqlite3_finalize(st);
    if (rc == SQLITE_ROW) return 0;
    return rc == SQLITE_DONE ? 1 : fail(q, err, "read task");
}

/* One claim attempt: 0 claimed, 1 nothing waiting, -1. */
static int claim_once(jt_queue *q, const char *worker, jt_task *t, jt_err *err)
{
    if (begin(q, err) != 0) return -1;
    /* validate before measure, a re-run first, then arrival order */
    sqlite3_stmt *st = prep(q, "SELECT id FROM tasks WHERE state='queued' "
                               "ORDER BY kind='validate' DESC, first DESC, seq LIMIT 1", err);
    if (!st) goto undo;
    int rc = sqlite3_step(st);
    char *id = rc == SQLITE_ROW ? col_text(st, 0) : NULL;
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW) {
        rollback(q);
        return rc == SQLITE_DONE ? 1 : fail(q, err, "find a queued task");
    }
    st = prep(q, "UPDATE tasks SET state='running', attempts=attempts+1, worker=?, started=? "
                 "WHERE id=?", err);
    if (!st) {
        free(id);
        goto undo;
    }
    sqlite3_bind_text(st, 1, worker, -1, SQLITE_STATIC);
    sqlite3_bind_double(st, 2, jt_queue_now());
    sqlite3_bind_text(st, 3, id, -1, SQLITE_TRANSIENT);
    if (step_done(q, st, "claim task", err) != 0 || commit(q, err) != 0) {
        free(id);
        goto undo;
    }
    int got = q_get(q, id, t, err);
    free(id);
    return got == 0 ? 0 : -1;
undo:
    rollback(q);
    return -1;
}

static int q_claim(jt_queue *q, const char *worker, double wait_s, jt_task *t, jt_err *err)
{
    struct timespec step = {0, 100 * 1000 * 1000};
    double until = jt_queue_now() + wait_s;
    for (;;) {
        int rc = claim_once(q, worker, t, err);
        if (rc != 1 || jt_queue_now() >= until) return rc;
        nanosleep(&step, NULL);
    }
}

static int q_finish(jt_queue *q, const jt_task *t, jt_task_state state, const char *result,
                    double now, jt_err *err)
{
    sqlite3_stmt *st = prep(q, "UPDATE tasks SET state=?, result=?, finished=? "
                               "WHERE id=? AND state='running' AND worker=? AND attempts=?", err);
    if (!st) return -1;
    sqlite3_bind_text(st, 1, jt_task_state_name(state), -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, result, -1, SQLITE_STATIC);
    sqlite3_bind_double(st, 3, now);
    sqlite3_bind_text(st, 4, t->id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, t->worker ? t->worker : "", -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 6, t->attempts);
    if (step_done(q, st, "finish task", err) != 0) return -1;
    return sqlite3_changes(db_of(q)) == 1 ? 0 : 1;
}

/* Gives one dead worker's task back (or fails it on its second death). */
static int give_back(jt_queue *q, const char *id, const char *worker, int attempts, jt_err *err)
{
    char *note = attempts >= 2 ? jt_xasprintf(JT_QUEUE_DIED_TWICE, worker)
                               : jt_xasprintf(JT_QUEUE_RERUN_NOTE, worker);
    json_t *res = json_pack("{s:s}", "error", note);
    char *rtext = json_dumps(res, JSON_COMPACT);
    json_decref(res);
    sqlite3_stmt *st =
        attempts >= 2
            ? prep(q, "UPDATE tasks SET state='failed', note=?, result=?, finished=? "
                      "WHERE id=? AND state='running' AND worker=?", err)
            : prep(q, "UPDATE tasks SET state='queued', note=?, first=1, started=NULL, "
                      "worker=NULL WHERE id=? AND state='running' AND worker=? ",
                   err);
    int rc = -1;
    if (st) {
        sqlite3_bind_text(st, 1, note, -1, SQLITE_STATIC);
        if (attempts >= 2) {
            sqlite3_bind_text(st, 2, rtext, -1, SQLITE_STATIC);
            sqlite3_bind_double(st, 3, jt_queue_now());
            sqlite3_bind_text(st, 4, id, -1, SQLITE_STATIC);
            sqlite3_bind_text(st, 5, worker, -1, SQLITE_STATIC);
        } else {
            sqlite3_bind_text(st, 2, id, -1, SQLITE_STATIC);
            sqlite3_bind_text(st, 3, worker, -1, SQLITE_STATIC);
        }
        rc = step_done(q, st, "give a task back", err);
    }
    free(note);
    free(rtext);
    return rc;
}

static int q_recover(jt_queue *q, size_t *given, jt_err *err)
{
    if (begin(q, err) != 0) return -1;
    sqlite3_stmt *st = prep(q, "SELECT id, worker, attempts FROM tasks WHERE state='running'", err);
    if (!st) goto undo;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *worker = (const char *)sqlite3_column_text(st, 1);
        if (jt_queue_worker_alive_here(worker) != 0) continue; /* alive, or another host's */
        if (give_back(q, (const char *)sqlite3_column_text(st, 0), worker ? worker : "?",
                      sqlite3_column_int(st, 2), err) != 0) {
            sqlite3_finalize(st);
            goto undo;
        }
        (*given)++;
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        fail(q, err, "list running tasks");
        goto undo;
    }
    /* workers that are gone leave the table with their tasks */
    st = prep(q, "SELECT id FROM workers", err);
    if (!st) goto undo;
    json_t *gone = json_array();
    while (sqlite3_step(st) == SQLITE_ROW) {
        const char *w = (const char *)sqlite3_column_text(st, 0);
        if (jt_queue_worker_alive_here(w) == 0) json_array_append_new(gone, json_string(w));
    }
    sqlite3_finalize(st);
    size_t i;
    json_t *w;
    json_array_foreach(gone, i, w) {
        sqlite3_stmt *d = prep(q, "DELETE FROM workers WHERE id=?", err);
        if (!d) break;
        sqlite3_bind_text(d, 1, json_string_value(w), -1, SQLITE_STATIC);
        if (step_done(q, d, "drop a dead worker", err) != 0) break;
    }
    int ok = i == json_array_size(gone);
    json_decref(gone);
    if (!ok) goto undo;
    return commit(q, err);
undo:
    rollback(q);
    return -1;
}

static int q_beat(jt_queue *q, const char *worker, const char *status, double now, jt_err *err)
{
    sqlite3_stmt *st = prep(q, "INSERT INTO workers(id, status, updated) VALUES (?, ?, ?) "
                               "ON CONFLICT(id) DO UPDATE SET status=excluded.status, "
                               "updated=excluded.updated", err);
    if (!st) return -1;
    sqlite3_bind_text(st, 1, worker, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, status, -1, SQLITE_STATIC);
    sqlite3_bind_double(st, 3, now);
    return step_done(q, st, "worker status", err);
}

static int q_keepalive(jt_queue *q, const char *worker, jt_err *err)
{
    (void)q, (void)worker, (void)err; /* the process is the liveness */
    return 0;
}

static int q_leave(jt_queue *q, const char *worker, jt_err *err)
{
    sqlite3_stmt *st = prep(q, "DELETE FROM workers WHERE id=?", err);
    if (!st) return -1;
    sqlite3_bind_text(st, 1, worker, -1, SQLITE_STATIC);
    return step_done(q, st, "worker leaves", err);
}

static int q_status(jt_queue *q, json_t *workers, size_t *queued, jt_err *err)
{
    long long n = count_waiting(q, err);
    if (n < 0) return -1;
    *queued = (size_t)n;
    sqlite3_stmt *st = prep(q, "SELECT id, status, updated FROM workers ORDER BY id", err);
    if (!st) return -1;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *w = (const char *)sqlite3_column_text(st, 0);
        if (jt_queue_worker_alive_here(w) == 0) continue;
        json_t *s = col_json(st, 1);
        if (!json_is_object(s)) {
            json_decref(s);
            s = json_object();
        }
        json_object_set_new(s, "worker", json_string(w));
        json_object_set_new(s, "updated", json_real(sqlite3_column_double(st, 2)));
        json_array_append_new(workers, s);
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : fail(q, err, "list workers");
}

const jt_queue_ops jt_queue_sqlite_ops = {
    "sqlite:", q_open, q_close, q_submit, q_get, q_claim, q_finish, q_recover,
    q_beat, q_keepalive, q_leave, q_status,
};
