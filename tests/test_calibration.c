/* Tests for harness/measure/calibration.c: round trip, and every refusal a
 * run makes (missing, stale, future, other backend/core/host). */
#include <stdlib.h>
#include <string.h>

#include "jouletrace/calibration.h"
#include "support/testutil.h"

static void sample(jt_calibration *c, time_t created)
{
    memset(c, 0, sizeof *c);
    c->created = created;
    c->backend = jt_xstrdup("powercap");
    c->measurement_cpu = 3;
    c->host = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "hostname", "h", "cpu_model", "X",
                        "microcode", "0x1", "kernel", "Linux 6.1", "governor", "performance",
                        "turbo", "off", "smt", "off");
    c->windows = 30;
    c->window_seconds = 1.0;
    c->package = (jt_calib_domain){true, 12.5, 0.1, 0.15, 0.012, 12.4, 12.6};
    c->dram = (jt_calib_domain){true, 2.25, 0.01, 0.02, 0.009, 2.24, 2.26};
    c->warnings = json_array();
}

START_TEST(round_trip_keeps_every_number)
{
    char *dir = jt_test_tmpdir();
    char *path = jt_xasprintf("%s/not/yet/there/c.json", dir); /* created on save */
    jt_calibration c, d;
    sample(&c, 1790000000);
    jt_err e = JT_ERR_INIT;
    ck_assert_int_eq(jt_calibration_save(path, &c, &e), 0);
    ck_assert_msg(jt_calibration_load(path, &d, &e) == 0, "%s", jt_err_msg(&e));
    ck_assert_int_eq(d.created, c.created);
    ck_assert_str_eq(d.backend, "powercap");
    ck_assert_int_eq(d.measurement_cpu, 3);
    ck_assert(d.package.present && d.dram.present);
    ck_assert(d.package.median_w == 12.5 && d.package.ci_high_w == 12.6);
    ck_assert(d.dram.sd_w == 0.02);
    ck_assert(json_equal(c.host, d.host));
    char *text = jt_test_read_file(path);
    ck_assert(strstr(text, "\"schema_version\": 1") != NULL);
    free(text);
    jt_calibration_release(&c);
    jt_calibration_release(&d);
    free(path);
    jt_test_tmpdir_free(dir);
}
END_TEST

START_TEST(missing_and_garbage_files_name_the_fix)
{
    char *dir = jt_test_tmpdir();
    char *path = jt_xasprintf("%s/none.json", dir);
    jt_calibration c;
    jt_err e = JT_ERR_INIT;
    ck_assert_int_eq(jt_calibration_load(path, &c, &e), -1);
    ck_assert(strstr(jt_err_msg(&e), "Socket 0 not calibrated") &&
              strstr(jt_err_msg(&e), "jouletrace calibrate"));
    char *bad = jt_test_write_file(dir, "bad.json", "{\"schema_version\": 1}");
    ck_assert_int_eq(jt_calibration_load(bad, &c, &e), -1);
    ck_assert(strstr(jt_err_msg(&e), "jouletrace calibrate") != NULL);
    jt_err_clear(&e);
    free(bad);
    free(path);
    jt_test_tmpdir_free(dir);
}
END_TEST

START_TEST(check_refuses_stale_foreign_or_mismatched)
{
    jt_calibration c;
    time_t t0 = 1790000000;
    sample(&c, t0);
    json_t *host = json_deep_copy(c.host);
    jt_err e = JT_ERR_INIT;
    ck_assert_int_eq(jt_calibration_check(&c, "powercap", 3, host, 7, t0 + 86400, &e), 0);
    ck_assert_int_eq(jt_calibration_check(&c, "powercap", 3, host, 7, t0 + 8 * 86400, &e), -1);
    ck_assert_str_eq(jt_err_msg(&e), "calibration is 8.0 days old (limit 7): run `jouletrace calibrate`");
    ck_assert_int_eq(jt_calibration_check(&c, "powercap", 3, host, 7, t0 - 86400, &e), -1);
    ck_assert(strstr(jt_err_msg(&e), "future") != NULL);
    ck_assert_int_eq(jt_calibration_check(&c, "msr", 3, host, 7, t0, &e), -1);
    ck_assert(strstr(jt_err_msg(&e), "backend 'powercap', this run uses 'msr'") != NULL);
    ck_assert_int_eq(jt_calibration_check(&c, "powercap", 5, host, 7, t0, &e), -1);
    ck_assert(strstr(jt_err_msg(&e), "measurement core 3, this run uses 5") != NULL);
    json_object_set_new(host, "governor", json_string("powersave"));
    ck_assert_int_eq(jt_calibration_check(&c, "powercap", 3, host, 7, t0, &e), -1);
    ck_assert(strstr(jt_err_msg(&e), "governor 'performance', the host now has 'powersave'") != NULL);
    json_object_set_new(host, "governor", json_string("performance"));
    json_object_set_new(host, "hostname", json_string("other"));
    ck_assert_int_eq(jt_calibration_check(&c, "powercap", 3, host, 7, t0, &e), -1);
    ck_assert(strstr(jt_err_msg(&e), "hostname") != NULL);
    jt_err_clear(&e);
    json_decref(host);
    jt_calibration_release(&c);
}
END_TEST

static Suite *calibration_suite(void)
{
    Suite *s = suite_create("calibration");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, round_trip_keeps_every_number);
    tcase_add_test(tc, missing_and_garbage_files_name_the_fix);
    tcase_add_test(tc, check_refuses_stale_foreign_or_mismatched);
    suite_add_tcase(s, tc);
    return s;
}

JT_TEST_MAIN(calibration_suite)
