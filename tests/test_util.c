/* Tests for the one-copy helpers of harness/util/: FNV-1a and JouleTrace's
 * id hash (fnv.h), the monotonic clock (clock.h) and the first-line reader
 * of small kernel files (sysfile.h). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#include "jouletrace/clock.h"
#include "jouletrace/common.h"
#include "jouletrace/fnv.h"
#include "jouletrace/sysfile.h"
#include "support/testutil.h"

/* The published FNV-1a 64-bit test vectors (Landon Curt Noll's test suite,
 * isthe.com/chongo/tech/comp/fnv). Shard assignment and seeds depend on
 * these exact values. */
static const struct {
    const char *in;
    uint64_t hash;
} fnv_vectors[] = {
    {"", UINT64_C(0xcbf29ce484222325)},      {"a", UINT64_C(0xaf63dc4c8601ec8c)},
    {"b", UINT64_C(0xaf63df4c8601f1a5)},     {"c", UINT64_C(0xaf63de4c8601eff2)},
    {"fo", UINT64_C(0x08985907b541d342)},    {"foo", UINT64_C(0xdcb27518fed9d577)},
    {"foob", UINT64_C(0xdd120e790c2512af)},  {"fooba", UINT64_C(0xcac165afa2fef40a)},
    {"foobar", UINT64_C(0x85944171f73967e8)},
};

START_TEST(fnv1a_matches_the_published_vectors)
{
    uint64_t h = jt_fnv1a(fnv_vectors[_i].in);
    ck_assert_msg(h == fnv_vectors[_i].hash, "FNV-1a(\"%s\") = %016llx, want %016llx",
                  fnv_vectors[_i].in, (unsigned long long)h,
                  (unsigned long long)fnv_vectors[_i].hash);
    ck_assert(jt_fnv1a_add(JT_FNV1A_OFFSET, fnv_vectors[_i].in, strlen(fnv_vectors[_i].in)) == h);
}
END_TEST

START_TEST(fnv1a_continues_and_hashes_every_byte)
{
    /* hashing in pieces is hashing the concatenation */
    ck_assert(jt_fnv1a_adds(jt_fnv1a_adds(JT_FNV1A_OFFSET, "foo"), "bar") ==
              UINT64_C(0x85944171f73967e8));
    /* a NUL byte counts (published vector for one 0x00 byte) */
    ck_assert(jt_fnv1a_add(JT_FNV1A_OFFSET, "", 1) == UINT64_C(0xaf63bd4c8601b7df));
    /* bytes >= 0x80 are unsigned: a sign-extended 0xff would flip the high bits */
    ck_assert(jt_fnv1a("\xff") == UINT64_C(0xaf64724c8602eb6e));
    ck_assert(jt_fnv1a("\xff") == ((JT_FNV1A_OFFSET ^ 0xffu) * JT_FNV1A_PRIME));
}
END_TEST

/* The hash behind shards and seeds keeps the values every earlier release
 * computed (the FNV-1a steps from JouleTrace's historic start value): a
 * candidate's shard and its seeds must not move between versions. */
START_TEST(id_hash_keeps_the_historic_values)
{
    ck_assert(jt_id_hash("") == UINT64_C(0x14650fb0739d0383));
    ck_assert(jt_id_hash("a") == UINT64_C(0x44bd8ad473cd9906));
    ck_assert(jt_id_hash("foobar") == UINT64_C(0x88fad7c0a8ff07f2));
    ck_assert(jt_id_hash("HumanEval/0#1") == UINT64_C(0x937d59ab307267cd));
    ck_assert(jt_id_hash("HumanEval/0#1") % 4 == 1); /* --shard 2/4 */
    /* the same steps as the standard function, from another start */
    ck_assert(jt_fnv1a_adds(JT_ID_HASH_BASIS, "foobar") == jt_id_hash("foobar"));
}
END_TEST

static double clock_monotonic(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

START_TEST(monotonic_clock_is_clock_monotonic)
{
    /* bracketed by CLOCK_MONOTONIC reads (CLOCK_REALTIME is ~1.7e9 s away,
     * a coarse or boot-time clock would fall outside on a running system) */
    double prev = jt_monotonic_s();
    for (int i = 0; i < 1000; i++) {
        double a = clock_monotonic();
        double t = jt_monotonic_s();
        double b = clock_monotonic();
        ck_assert_msg(a <= t && t <= b, "%.9f not within [%.9f, %.9f]", t, a, b);
        ck_assert(t >= prev);
        prev = t;
    }
}
END_TEST

START_TEST(first_line_of_small_files)
{
    char *dir = jt_test_tmpdir();
    struct {
        const char *name, *content, *want;
    } cases[] = {
        {"two", "abc\ndef\n", "abc"},
        {"unterminated", "no newline", "no newline"},
        {"newline", "\n", ""},
        {"empty", "", ""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *path = jt_test_write_file(dir, cases[i].name, cases[i].content);
        char *line = jt_read_first_line(path);
        ck_assert_msg(line, "%s: NULL", cases[i].name);
        ck_assert_str_eq(line, cases[i].want);
        free(line);
        free(path);
    }
    /* no length limit: a CPU list of a big machine is longer than any buffer */
    jt_buf big = JT_BUF_INIT;
    for (int c = 0; c < 4000; c++) jt_buf_addf(&big, "%s%d", c ? "," : "", c * 2);
    size_t want = big.len;
    jt_buf_adds(&big, "\nsecond\n");
    char *path = jt_test_write_file(dir, "long", jt_buf_str(&big));
    char *line = jt_read_first_line(path);
    ck_assert_ptr_nonnull(line);
    ck_assert_uint_eq(strlen(line), want);
    ck_assert(!strncmp(line, big.data, want));
    free(line);
    free(path);
    jt_buf_release(&big);
    /* unreadable: missing, or a read that fails (a directory: EISDIR) */
    path = jt_xasprintf("%s/missing", dir);
    ck_assert_ptr_null(jt_read_first_line(path));
    free(path);
    ck_assert_ptr_null(jt_read_first_line(dir));
    jt_test_tmpdir_free(dir);
}
END_TEST

START_TEST(first_line_of_a_proc_file)
{
    /* /proc files report size 0: the reader must not trust st_size; the
     * kernel's name of this thread through the other interface (prctl) */
    char want[17] = "";
    ck_assert_int_eq(prctl(PR_GET_NAME, want, 0, 0, 0), 0);
    char *comm = jt_read_first_line("/proc/thread-self/comm");
    ck_assert_ptr_nonnull(comm);
    ck_assert_str_eq(comm, want);
    free(comm);
}
END_TEST

/* A command name may hold ") (": the fields start after the LAST ")". */
START_TEST(proc_stat_fields_after_a_tricky_name)
{
    char old[17] = {0}, buf[1024];
    ck_assert_int_eq(prctl(PR_GET_NAME, old, 0, 0, 0), 0);
    ck_assert_int_eq(prctl(PR_SET_NAME, "a) (b) 1 2", 0, 0, 0), 0);
    const char *f = jt_proc_stat_fields((long)getpid(), buf, sizeof buf);
    prctl(PR_SET_NAME, old, 0, 0, 0);
    ck_assert_ptr_nonnull(f);
    char state;
    long ppid;
    ck_assert_int_eq(sscanf(f, " %c %ld", &state, &ppid), 2);
    ck_assert_int_eq(ppid, (long)getppid());
    ck_assert_ptr_null(jt_proc_stat_fields(-1, buf, sizeof buf));
}
END_TEST

static Suite *util_suite(void)
{
    Suite *s = suite_create("util");
    TCase *tc = tcase_create("core");
    tcase_add_loop_test(tc, fnv1a_matches_the_published_vectors, 0,
                        sizeof fnv_vectors / sizeof fnv_vectors[0]);
    tcase_add_test(tc, fnv1a_continues_and_hashes_every_byte);
    tcase_add_test(tc, id_hash_keeps_the_historic_values);
    tcase_add_test(tc, monotonic_clock_is_clock_monotonic);
    tcase_add_test(tc, first_line_of_small_files);
    tcase_add_test(tc, first_line_of_a_proc_file);
    tcase_add_test(tc, proc_stat_fields_after_a_tricky_name);
    suite_add_tcase(s, tc);
    return s;
}

JT_TEST_MAIN(util_suite)
