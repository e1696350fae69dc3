/* Tests for SHA-256 (FIPS 180-4 vectors), atomic writes, rmtree, and the
 * journal's torn-tail handling (harness/util/, harness/report/journal.c). */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "jouletrace/fsutil.h"
#include "jouletrace/journal.h"
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

static Suite *fsutil_suite(void)
{
    Suite *s = suite_create("fsutil");
    TCase *tc = tcase_create("core");
    tcase_add_loop_test(tc, sha256_vectors, 0, sizeof vectors / sizeof vectors[0]);
    tcase_add_test(tc, atomic_write_replaces_and_leaves_no_temp);
    tcase_add_test(tc, rmtree_removes_unwritable_trees);
    tcase_add_test(tc, journal_appends_reads_and_cuts_torn_tail);
    suite_add_tcase(s, tc);
    return s;
}

JT_TEST_MAIN(fsutil_suite)
