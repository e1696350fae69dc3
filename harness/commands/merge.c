/* jouletrace merge RUN_DIR... -o DIR — joins shard runs (one per cluster
 * node, `run --shard K/N`) into one run directory: one journal with every
 * record (each tagged with the host that measured it), a run.json naming the
 * parts, and the summary. Refuses runs of different suites (content hash). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "commands/commands.h"
#include "jouletrace/fsutil.h"
#include "jouletrace/journal.h"
#include "jouletrace/report.h"
#include "jouletrace/summary.h"

#define MERGE_SCHEMA 1 /* run.json schema_version, as `run` writes it */

static const char merge_usage[] =
    "usage: jouletrace merge RUN_DIR... -o DIR\n"
    "\n"
    "Merges runs of the same suite — typically the shards of a cluster job, each\n"
    "measured on its own node's socket 0 with its own calibration — into one run\n"
    "directory DIR: journal.jsonl holds every record (tagged with the host that\n"
    "measured it), run.json lists the parts, and summary.json is regenerated.\n"
    "A candidate present in several parts keeps the record that finished last\n"
    "(a warning says so). Missing shards are reported, not invented.\n"
    "\n"
    "  -o, --output DIR   where to write (created; must not hold a journal)\n"
    "  -h, --help         this text\n"
    "\n"
    "Exit status: 0 merged, 1 I/O error or unreadable run, 2 usage, 3 the runs\n"
    "are of different suites.\n";

static json_t *load_run(const char *dir, jt_err *err)
{
    char *p = jt_xasprintf("%s/run.json", dir);
    json_error_t je;
    json_t *j = json_load_file(p, 0, &je);
    if (!j) jt_err_set(err, "%s: %s", p, je.text);
    free(p);
    return j;
}

static const char *suite_hash(const json_t *run)
{
    return json_string_value(json_object_get(json_object_get(run, "suite"), "content_hash"));
}

int jt_cmd_merge(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"output", required_argument, NULL, 'o'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *out = NULL;
    int ch;
    opterr = 0;
    optind = 1;
    while ((ch = getopt_long(argc, argv, "o:h", longopts, NULL)) != -1) {
        switch (ch) {
        case 'o': out = optarg; break;
        case 'h': fputs(merge_usage, stdout); return JT_EXIT_OK;
        default:
            fprintf(stderr, "jouletrace merge: unknown or incomplete option '%s'\n%s", argv[optind - 1],
                    merge_usage);
            return JT_EXIT_USAGE;
        }
    }
    if (!out || optind >= argc) {
        fprintf(stderr, "jouletrace merge: %s\n%s", out ? "no RUN_DIR given" : "-o DIR is required",
                merge_usage);
        return JT_EXIT_USAGE;
    }
    jt_err err = JT_ERR_INIT;
    int code = JT_EXIT_FAILURE;
    json_t *parts = json_array(), *warnings = json_array(), *by_id = json_object(),
           *order = json_array(), *floors = json_object(), *first = NULL;
    json_t *shards_seen = json_object();
    long shard_n = 0;
    for (int i = optind; i < argc; i++) {
        const char *dir = argv[i];
        json_t *run = load_run(dir, &err);
        if (!run) goto fail;
        if (!first) {
            first = json_incref(run);
        } else if (!suite_hash(run) || !suite_hash(first) || strcmp(suite_hash(run), suite_hash(first))) {
            fprintf(stderr, "jouletrace merge: %s is a run of another suite (content hash %.12s…, "
                            "not %.12s…)\n",
                    dir, suite_hash(run) ? suite_hash(run) : "?", suite_hash(first) ? suite_hash(first) : "?");
            json_decref(run);
            code = JT_EXIT_BAD_SUITE;
            goto out;
        }
        /* copied: `run` is released before the records that name the host */
        const char *host_ro = json_string_value(json_object_get(json_object_get(run, "host_start"), "hostname"));
        char *host = host_ro ? jt_xstrdup(host_ro) : NULL;
        const char *shard = json_string_value(json_object_get(json_object_get(run, "options"), "shard"));
        long k = 0, n = 0;
        if (shard && sscanf(shard, "%ld/%ld", &k, &n) == 2) {
            if (shard_n && n != shard_n)
                json_array_append_new(warnings, json_sprintf("%s is shard %s of another split (%ld shards)", dir, shard, shard_n));
            shard_n = n;
            if (json_object_get(shards_seen, shard))
                json_array_append_new(warnings, json_sprintf("shard %s appears twice (%s)", shard, dir));
            json_object_set_new(shards_seen, shard, json_true());
        }
        json_array_append_new(parts, json_pack("{s:s,s:s?,s:s?,s:O?,s:O?,s:O?,s:O?}", "dir", dir,
                                               "host", host, "shard", shard, "started",
                                               json_object_get(run, "started"), "finished",
                                               json_object_get(run, "finished"), "status",
                                               json_object_get(run, "status"), "energy_source",
                                               json_object_get(json_object_get(run, "backend"), "energy_source")));
        char *jp = jt_xasprintf("%s/journal.jsonl", dir);
        json_t *recs = NULL;
        jt_journal_info info;
        int rc = jt_journal_read(jp, &recs, &info, &err);
        free(jp);
        json_decref(run);
        if (rc != 0) {
            free(host);
            goto fail;
        }
        if (info.torn) json_array_append_new(warnings, json_sprintf("%s: torn last journal line ignored", dir));
        size_t j;
        json_t *rec;
        json_array_foreach(recs, j, rec) {
            if (host) json_object_set_new(rec, "host", json_string(host));
            const char *type = json_string_value(json_object_get(rec, "type"));
            const char *id = json_string_value(json_object_get(rec, "id"));
            if (!id) continue;
            /* floors are per host: keep each node's */
            if (type && !strcmp(type, "floor")) {
                char *fk = jt_xasprintf("%s@%s", id, host ? host : dir);
                json_object_set(floors, fk, rec);
                free(fk);
                continue;
            }
            json_t *prev = json_object_get(by_id, id);
            if (prev) {
                const char *a = json_string_value(json_object_get(prev, "finished"));
                const char *b = json_string_value(json_object_get(rec, "finished"));
                json_array_append_new(warnings, json_sprintf("candidate '%s' measured twice; kept the one "
                                                             "that finished last", id));
                if (a && b && strcmp(b, a) < 0) continue;
            } else {
                json_array_append_new(order, json_string(id));
            }
            json_object_set(by_id, id, rec);
        }
        json_decref(recs);
        free(host);
    }
    for (long k = 1; k <= shard_n; k++) {
        char key[64];
        snprintf(key, sizeof key, "%ld/%ld", k, shard_n);
        if (!json_object_get(shards_seen, key))
            json_array_append_new(warnings, json_sprintf("shard %s is missing: its candidates are not in this run", key));
    }

    char *jpath = jt_xasprintf("%s/journal.jsonl", out);
    if (access(jpath, F_OK) == 0) {
        fprintf(stderr, "jouletrace merge: %s already holds a journal\n", out);
        free(jpath);
        code = JT_EXIT_USAGE;
        goto out;
    }
    if (jt_mkdirs(out, 0755, &err) != 0) {
        free(jpath);
        goto fail;
    }
    jt_journal jr;
    if (jt_journal_open(jpath, &jr, &err) != 0) {
        free(jpath);
        goto fail;
    }
    free(jpath);
    const char *fk;
    json_t *rec;
    int wrc = 0;
    json_object_foreach(floors, fk, rec) if (wrc == 0) wrc = jt_journal_append(&jr, rec, &err);
    size_t i;
    json_t *idv;
    json_array_foreach(order, i, idv) if (wrc == 0)
        wrc = jt_journal_append(&jr, json_object_get(by_id, json_string_value(idv)), &err);
    jt_journal_close(&jr);
    if (wrc != 0) goto fail;

    char now[32];
    time_t t = time(NULL);
    struct tm tm;
    strftime(now, sizeof now, "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&t, &tm));
    json_t *run = json_deep_copy(first);
    json_object_set_new(run, "schema_version", json_integer(MERGE_SCHEMA));
    json_object_set_new(run, "merged", json_string(now));
    json_object_set_new(run, "merged_from", json_incref(parts));
    json_t *w = json_object_get(run, "warnings");
    if (!json_is_array(w)) json_object_set_new(run, "warnings", w = json_array());
    json_array_extend(w, warnings);
    json_object_del(json_object_get(run, "options"), "shard");
    char *rp = jt_xasprintf("%s/run.json", out);
    wrc = jt_json_write_atomic(rp, run, &err);
    free(rp);
    json_decref(run);
    if (wrc != 0 || jt_reports_write(out, &err) != 0) goto fail;
    json_array_foreach(warnings, i, idv) jt_warn("%s", json_string_value(idv));
    fprintf(stderr, "jouletrace merge: %zu candidates from %zu runs into %s\n", json_array_size(order),
            json_array_size(parts), out);
    code = JT_EXIT_OK;
    goto out;
fail:
    fprintf(stderr, "jouletrace merge: %s\n", jt_err_msg(&err));
    code = JT_EXIT_FAILURE;
out:
    json_decref(parts);
    json_decref(warnings);
    json_decref(by_id);
    json_decref(order);
    json_decref(floors);
    json_decref(first);
    json_decref(shards_seen);
    jt_err_clear(&err);
    return code;
}
