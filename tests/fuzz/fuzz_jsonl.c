/* libFuzzer target: what reads JSON Lines back — the journal reader
 * (journal.jsonl on resume and report), the journal's reopen (cuts a torn
 * tail) and append, and the JSONL importer of corpora and datasets
 * (jt_lines, plain or gzip, with jt_json_loads_exact per line). The input is
 * the file, written into the target's confined tree (fuzz.h).
 *
 * Checked per input: no crash, leak or UB; the journal reads unless a record
 * is of a newer schema_version; the reader's counts add up; after
 * a reopen the journal reads the same records with no torn tail, and one
 * appended record reads back last; jt_json_loads_exact accepts whatever
 * jansson accepts, with an equal value. */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "jouletrace/journal.h"
#include "jouletrace/jsonl.h"

static const jt_fuzz_file tree[] = {{NULL, NULL, 0}};

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    jt_fuzz_setup("jsonl", tree);
    return 0;
}

static void journal(const char *path, size_t size)
{
    json_t *recs = NULL, *again = NULL;
    jt_journal_info info, info2;
    jt_err err = JT_ERR_INIT;
    if (jt_journal_read(path, &recs, &info, &err) != 0) {
        /* the one refusal: a record of a newer schema (jsonfile.h) */
        jt_fuzz_require(strstr(jt_err_msg(&err), "this jouletrace reads up to") != NULL,
                        "a written journal reads unless a record is of a newer schema");
        jt_err_clear(&err);
        return;
    }
    jt_fuzz_require(json_array_size(recs) == info.records, "records counted");
    jt_fuzz_require(info.good_bytes <= size && (info.torn || info.good_bytes == size),
                    "good_bytes is the complete lines");
    jt_journal j;
    jt_fuzz_require(jt_journal_open(path, &j, &err) == 0, "the journal reopens");
    json_t *rec = json_pack("{s:s,s:i}", "candidate", "fuzz", "n", 1);
    jt_fuzz_require(jt_journal_append(&j, rec, &err) == 0, "a record appends");
    jt_journal_close(&j);
    jt_fuzz_require(jt_journal_read(path, &again, &info2, &err) == 0, "the journal reads again");
    jt_fuzz_require(!info2.torn && info2.records == info.records + 1 &&
                        info2.skipped == info.skipped,
                    "a reopened journal has no torn tail and keeps every record");
    json_array_append(recs, rec);
    jt_fuzz_require(json_equal(recs, again), "the records read back unchanged");
    json_decref(rec);
    json_decref(recs);
    json_decref(again);
    jt_err_clear(&err);
}

static void lines(const char *path)
{
    jt_lines *l = NULL;
    jt_err err = JT_ERR_INIT;
    jt_fuzz_require(jt_lines_open(path, &l, &err) == 0, "a written file opens");
    const char *line;
    size_t len, lineno, count = 0;
    int rc;
    while ((rc = jt_lines_next(l, &line, &len, &lineno, &err)) == 1) {
        jt_fuzz_require(lineno == ++count && strlen(line) <= len, "lines are numbered");
        json_error_t je;
        json_decref(jt_json_loads_exact(line, len, &je));
    }
    jt_fuzz_require(rc == 0 || jt_err_msg(&err)[0], "a read error says why");
    jt_lines_close(l);
    jt_err_clear(&err);
}

static void exact(const uint8_t *data, size_t size)
{
    json_error_t je;
    json_t *plain = json_loadb((const char *)data, size, 0, &je);
    json_t *ex = jt_json_loads_exact((const char *)data, size, &je);
    jt_fuzz_require(!plain || (ex && json_equal(plain, ex)),
                    "jt_json_loads_exact reads what jansson reads, unchanged");
    json_decref(plain);
    json_decref(ex);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    exact(data, size);
    lines(jt_fuzz_put("corpus.jsonl", data, size));
    journal(jt_fuzz_put("journal.jsonl", data, size), size);
    return 0;
}
