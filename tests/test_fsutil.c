/* Tests for SHA-256 (FIPS 180-4 vectors), atomic writes, rmtree, and the
 * journal's torn-tail handling, stale temp files (harness/util/,
 * harness/report/journal.c). */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "jouletrace/fsutil.h"
#include "jouletrace/journal.h"
#include "jouletrace/jsonfile.h"
#include "support/testutil.h"

/* Vectors from FIPS 180-4 examples / NIST CSRC "SHA256.pdf". */
static const struct {
    const char *msg;
    size_t repeat;
    const char *hex;
} vectors[] = {
    {"abc", 1, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
    {"", 1, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
    {"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 1,
     "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"},
    {"a", 1000000, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"},
};

START_TEST(sha256_vectors)
{
    jt_sha256 c;
    jt_sha256_init(&c);
    for (size_t i = 0; i < vectors[_i].repeat; i++)
        jt_sha256_update(&c, vectors[_i].msg, strlen(vectors[_i].msg));
    char hex[65];
    jt_sha256_hex(&c, hex);
    ck_assert_str_eq(hex, vectors[_i].hex);
}
END_TEST

START_TEST(atomic_write_replaces_and_leaves_no_temp)
{
    char *dir = jt_test_tmpdir();
    char *path = jt_xasprintf("%s/r.json", dir);
    jt_err e = JT_ERR_INIT;
    ck_assert_int_eq(jt_write_file_atomic(path, "old", 3, &e), 0);
    ck_assert_int_eq(jt_write_file_atomic(path, "new!", 4, &e), 0);
    char *got = NULL;
    size_t len = 0;
    ck_assert_int_eq(jt_read_file(path, &got, &len, &e), 0);
    ck_assert_uint_eq(len, 4);
    ck_assert_str_eq(got, "new!");
    free(got);
    char *bad = jt_xasprintf("%s/no/such/dir/x", dir);
    ck_assert_int_eq(jt_write_file_atomic(bad, "x", 1, &e), -1);
    ck_assert(strstr(jt_err_msg(&e), "cannot create") != NULL);
    /* only r.json remains */
    char *listing = NULL;
    const char *argv[] = {"ls", "-A", dir, NULL};
    jt_test_run(argv, NULL, NULL, &listing, NULL);
    ck_assert_str_eq(listing, "r.json\n");
    free(listing);
    free(bad);
    jt_err_clear(&e);
    free(path);
    jt_test_tmpdir_free(dir);
}
END_TEST

/* A JSON document larger than the 64 KiB write buffer streams to the file
 * byte for byte as json_dumps would give it, with one newline after. */
START_TEST(json_document_streams_exactly)
{
    char *dir = jt_test_tmpdir();
    char *path = jt_xasprintf("%s/big.json", dir);
    json_t *doc = json_object(), *arr = json_array();
    for (int i = 0; i < 6000; i++)
        json_array_append_new(arr, json_pack("{s:i, s:f, s:s}", "i", i, "x", i / 7.0, "s", "é\"\n"));
    json_object_set_new(doc, "rows", arr);
    json_object_set_new(doc, "a", json_true());
    jt_err e = JT_ERR_INIT;
    ck_assert_int_eq(jt_json_write_atomic(path, doc, &e), 0);
    char *want = json_dumps(doc, JSON_INDENT(2) | JSON_SORT_KEYS), *got = NULL;
    size_t len = 0;
    ck_assert_int_eq(jt_read_file(path, &got, &len, &e), 0);
    size_t wl = strlen(want);
    ck_assert_uint_gt(wl, 4 * 65536);
    ck_assert_uint_eq(len, wl + 1);
    ck_assert(memcmp(got, want, wl) == 0 && got[wl] == '\n');
    free(got), free(want), free(path);
    json_decref(doc);
    jt_test_tmpdir_free(dir);
}
END_TEST

START_TEST(rmtree_removes_unwritable_trees)
{
    char *dir = jt_test_tmpdir();
    free(jt_test_write_file(dir, "w/a/b/c.txt", "x"));
    char *a = jt_xasprintf("%s/w/a", dir);
    char *w = jt_xasprintf("%s/w", dir);
    chmod(a, 0);
    jt_err e = JT_ERR_INIT;
    ck_assert_int_eq(jt_rmtree(w, &e), 0);
    ck_assert_int_ne(access(w, F_OK), 0);
    ck_assert_int_eq(jt_rmtree(w, &e), 0); /* already gone is fine */
    free(a);
    free(w);
    jt_test_tmpdir_free(dir);
}
END_TEST

START_TEST(journal_appends_reads_and_cuts_torn_tail)
{
    char *dir = jt_test_tmpdir();
    char *path = jt_xasprintf("%s/journal.jsonl", dir);
    jt_err e = JT_ERR_INIT;
    jt_journal j;
    ck_assert_int_eq(jt_journal_open(path, &j, &e), 0);
    for (int i = 0; i < 3; i++) {
        json_t *r = json_pack("{s:i,s:s}", "n", i, "id", "a\"b\n<c>");
        ck_assert_int_eq(jt_journal_append(&j, r, &e), 0);
        json_decref(r);
    }
    jt_journal_close(&j);
    /* simulate a crash in the middle of the fourth write */
    int fd = open(path, O_WRONLY | O_APPEND);
    ck_assert_int_eq(write(fd, "{\"n\":3,\"id\":\"tor", 16), 16);
    close(fd);
    json_t *recs = NULL;
    jt_journal_info info;
    ck_assert_int_eq(jt_journal_read(path, &recs, &info, &e), 0);
    ck_assert_uint_eq(info.records, 3);
    ck_assert(info.torn);
    ck_assert_str_eq(json_string_value(json_object_get(json_array_get(recs, 2), "id")), "a\"b\n<c>");
    json_decref(recs);
    /* reopening cuts the tail; the next record is whole */
    ck_assert_int_eq(jt_journal_open(path, &j, &e), 0);
    json_t *r = json_pack("{s:i}", "n", 4);
    ck_assert_int_eq(jt_journal_append(&j, r, &e), 0);
    json_decref(r);
    jt_journal_close(&j);
    ck_assert_int_eq(jt_journal_read(path, &recs, &info, &e), 0);
    ck_assert_uint_eq(info.records, 4);
    ck_assert(!info.torn);
    ck_assert_uint_eq(info.skipped, 0);
    ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(recs, 3), "n")), 4);
    json_decref(recs);
    /* a corrupt interior line is skipped, not fatal */
    fd = open(path, O_WRONLY | O_APPEND);
    ck_assert_int_eq(write(fd, "garbage\n{\"n\":5}\n", 16), 16);
    close(fd);
    ck_assert_int_eq(jt_journal_read(path, &recs, &info, &e), 0);
    ck_assert_uint_eq(info.records, 5);
    ck_assert_uint_eq(info.skipped, 1);
    json_decref(recs);
    /* a missing journal is empty */
    char *none = jt_xasprintf("%s/none.jsonl", dir);
    ck_assert_int_eq(jt_journal_read(none, &recs, &info, &e), 0);
    ck_assert_uint_eq(json_array_size(recs), 0);
    json_decref(recs);
    free(none);
    jt_err_clear(&e);
    free(path);
    jt_test_tmpdir_free(dir);
}
END_TEST

/* Issue 16 item 1: a last record that only lacks its newline is kept, and
 * reopening ends it with one; a torn tail (no object) is still cut. */
START_TEST(journal_keeps_a_last_record_without_newline)
{
    char *dir = jt_test_tmpdir();
    char *path = jt_test_write_file(dir, "journal.jsonl", "{\"n\":0}\n{\"n\":1,\"id\":\"x\"}");
    jt_err e = JT_ERR_INIT;
    json_t *recs = NULL;
    jt_journal_info info;
    ck_assert_int_eq(jt_journal_read(path, &recs, &info, &e), 0);
    ck_assert_uint_eq(info.records, 2);
    ck_assert(!info.torn && info.unterminated);
    ck_assert_str_eq(json_string_value(json_object_get(json_array_get(recs, 1), "id")), "x");
    json_decref(recs);
    jt_journal j;
    ck_assert_int_eq(jt_journal_open(path, &j, &e), 0);
    json_t *r = json_pack("{s:i}", "n", 2);
    ck_assert_int_eq(jt_journal_append(&j, r, &e), 0);
    json_decref(r);
    jt_journal_close(&j);
    char *text = jt_test_read_file(path);
    ck_assert_str_eq(text, "{\"n\":0}\n{\"n\":1,\"id\":\"x\"}\n{\"n\":2}\n");
    free(text);
    /* a prefix of an object never parses: torn, cut on open */
    free(jt_test_write_file(dir, "journal.jsonl", "{\"n\":0}\n{\"n\":1,\"id\":\"x\""));
    ck_assert_int_eq(jt_journal_read(path, &recs, &info, &e), 0);
    ck_assert(info.torn && !info.unterminated);
    ck_assert_uint_eq(info.records, 1);
    json_decref(recs);
    ck_assert_int_eq(jt_journal_open(path, &j, &e), 0);
    jt_journal_close(&j);
    text = jt_test_read_file(path);
    ck_assert_str_eq(text, "{\"n\":0}\n");
    free(text);
    jt_err_clear(&e);
    free(path);
    jt_test_tmpdir_free(dir);
}
END_TEST

/* Issue 16 item 5: temp files of killed writers go; one a live writer holds
 * (its flock) stays, and so does anything not named NAME.tmp.DIGITS. */
START_TEST(stale_temps_removed_live_ones_kept)
{
    char *dir = jt_test_tmpdir();
    const char *const names[] = {"run.json", "index.html", NULL};
    static const char *const stale[] = {"run.json.tmp.123", "index.html.tmp.4", NULL};
    static const char *const kept[] = {"run.json", "index.html.tmp.", "index.html.tmp.12x",
                                       "other.csv.tmp.5", "run.json.tmp.77", NULL};
    for (size_t i = 0; stale[i]; i++) free(jt_test_write_file(dir, stale[i], "half"));
    for (size_t i = 0; kept[i]; i++) free(jt_test_write_file(dir, kept[i], "x"));
    char *live = jt_xasprintf("%s/run.json.tmp.77", dir);
    int fd = open(live, O_RDONLY);
    ck_assert_int_eq(flock(fd, LOCK_EX), 0); /* as jt_write_file_atomic holds it */
    jt_err e = JT_ERR_INIT;
    ck_assert_int_eq(jt_remove_stale_temps(dir, names, &e), 2);
    for (size_t i = 0; stale[i]; i++) {
        char *p = jt_xasprintf("%s/%s", dir, stale[i]);
        ck_assert_msg(access(p, F_OK) != 0, "%s kept", stale[i]);
        free(p);
    }
    for (size_t i = 0; kept[i]; i++) {
        char *p = jt_xasprintf("%s/%s", dir, kept[i]);
        ck_assert_msg(access(p, F_OK) == 0, "%s removed", kept[i]);
        free(p);
    }
    close(fd);
    ck_assert_int_eq(jt_remove_stale_temps(dir, names, &e), 1); /* its writer is gone now */
    ck_assert_int_ne(access(live, F_OK), 0);
    /* a writer replacing its file over and over while a remover runs is
     * never disturbed: every write succeeds (a temp file the remover takes
     * between the writer's open and flock is seen and created again) */
    char *path = jt_xasprintf("%s/index.html", dir);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        int failed = 0;
        for (int i = 0; i < 200; i++) failed += jt_write_file_atomic(path, "page", 4, &e) != 0;
        _exit(failed ? 1 : 0);
    }
    int st;
    while (waitpid(pid, &st, WNOHANG) == 0) ck_assert_int_ge(jt_remove_stale_temps(dir, names, &e), 0);
    ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0, "a write failed beside the remover");
    char *listing = NULL;
    jt_test_run((const char *const[]){"ls", "-A", dir, NULL}, NULL, NULL, &listing, NULL);
    ck_assert_str_eq(listing, "index.html\nindex.html.tmp.\nindex.html.tmp.12x\nother.csv.tmp.5\nrun.json\n");
    free(listing);
    char *page = jt_test_read_file(path);
    ck_assert_str_eq(page, "page");
    free(page), free(path), free(live);
    jt_err_clear(&e);
    jt_test_tmpdir_free(dir);
}
END_TEST

static Suite *fsutil_suite(void)
{
    Suite *s = suite_create("fsutil");
    TCase *tc = tcase_create("core");
    tcase_add_loop_test(tc, sha256_vectors, 0, sizeof vectors / sizeof vectors[0]);
    tcase_add_test(tc, atomic_write_replaces_and_leaves_no_temp);
    tcase_add_test(tc, json_document_streams_exactly);
    tcase_add_test(tc, rmtree_removes_unwritable_trees);
    tcase_add_test(tc, journal_appends_reads_and_cuts_torn_tail);
    tcase_add_test(tc, journal_keeps_a_last_record_without_newline);
    tcase_add_test(tc, stale_temps_removed_live_ones_kept);
    suite_add_tcase(s, tc);
    return s;
}

JT_TEST_MAIN(fsutil_suite)
