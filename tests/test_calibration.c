/* Tests for harness/measure/calibration.c: round trip, every refusal a
 * run makes (missing, stale, future, other backend/core/host), and values
 * that cannot be a baseline (negative, huge, a CI without the median, DRAM
 * on a meter without it, above the hardware's stated power limit). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jouletrace/calibration.h"
#include "support/fake_rapl.h"
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

/* A saved sample with one field replaced, loaded: refused with the file and
 * the field, on one line. */
START_TEST(corrupt_values_are_refused_with_file_and_field)
{
    static const struct { const char *domain, *key; double v; const char *why; } cases[] = {
        {"package", "median_watts", -500, "negative"},
        {"package", "median_watts", 1e308, "above the power ceiling"},
        {"package", "sd_watts", -0.1, "negative"},
        {"package", "mad_watts", -1, "negative"},
        {"package", "cv", -0.5, "negative"},
        {"dram", "median_watts", -2, "negative"},
        {"dram", "ci95_high_watts", 5000, "above the power ceiling"},
        {"package", "ci95_low_watts", 13, "does not hold"},
        {"package", "ci95_high_watts", 12, "does not hold"},
        {NULL, "window_seconds", 0, "not a positive number"},
    };
    char *dir = jt_test_tmpdir();
    char *path = jt_xasprintf("%s/c.json", dir);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        jt_calibration c;
        sample(&c, 1790000000);
        jt_err e = JT_ERR_INIT;
        ck_assert_int_eq(jt_calibration_save(path, &c, &e), 0);
        jt_calibration_release(&c);
        json_t *j = json_load_file(path, 0, NULL);
        json_t *obj = cases[i].domain ? json_object_get(j, cases[i].domain) : j;
        json_object_set_new(obj, cases[i].key, json_real(cases[i].v));
        ck_assert_int_eq(json_dump_file(j, path, 0), 0);
        json_decref(j);
        ck_assert_msg(jt_calibration_load(path, &c, &e) == -1, "case %zu accepted", i);
        const char *m = jt_err_msg(&e);
        ck_assert_msg(strstr(m, path) && strstr(m, cases[i].key) && strstr(m, cases[i].why) &&
                          !strchr(m, '\n'),
                      "case %zu: %s", i, m);
        jt_err_clear(&e);
    }
    /* no position to name: just the file, never ":-1:-1:" */
    jt_calibration c;
    jt_err e = JT_ERR_INIT;
    ck_assert_int_eq(jt_calibration_load(dir, &c, &e), -1);
    ck_assert_msg(strstr(jt_err_msg(&e), dir) && !strstr(jt_err_msg(&e), ":-1"), "%s", jt_err_msg(&e));
    jt_err_clear(&e);
    free(path);
    jt_test_tmpdir_free(dir);
}
END_TEST

/* A loaded calibration against the meter it would be subtracted from: a
 * DRAM baseline where the meter has no DRAM, watts above the package's
 * stated limit (powercap constraint_*_max_power_uw) are refused. */
START_TEST(fits_the_meter_or_is_refused)
{
    jt_fake_rapl *f = jt_fake_rapl_new();
    jt_fake_zone_add(f, "intel-rapl:0", "package-0", 262143328850ULL, 0);
    char *lim = jt_xasprintf("%s/intel-rapl:0", jt_fake_powercap_root(f));
    free(jt_test_write_file(lim, "constraint_0_power_limit_uw", "65000000\n"));
    free(jt_test_write_file(lim, "constraint_1_max_power_uw", "120000000\n"));
    jt_energy_opts o;
    jt_energy_opts_init(&o);
    o.powercap_root = jt_fake_powercap_root(f);
    jt_energy_meter *m = NULL;
    jt_err e = JT_ERR_INIT;
    ck_assert_msg(jt_energy_open(JT_ENERGY_POWERCAP, &o, &m, &e) == 0, "%s", jt_err_msg(&e));
    ck_assert(jt_energy_power_ceiling(m, JT_ENERGY_PACKAGE) == 120.0);
    ck_assert(jt_energy_power_ceiling(m, JT_ENERGY_DRAM) == JT_ENERGY_MAX_POWER_W);
    jt_calibration c;
    sample(&c, 1790000000);
    ck_assert_int_eq(jt_calibration_fits(&c, "c.json", m, &e), -1); /* no DRAM zone */
    ck_assert_msg(strstr(jt_err_msg(&e), "c.json: 'dram'"), "%s", jt_err_msg(&e));
    c.dram.present = false;
    ck_assert_msg(jt_calibration_fits(&c, "c.json", m, &e) == 0, "%s", jt_err_msg(&e));
    c.package = (jt_calib_domain){true, 150, 0.1, 0.15, 0.001, 149, 151};
    ck_assert_int_eq(jt_calibration_fits(&c, "c.json", m, &e), -1);
    ck_assert_msg(strstr(jt_err_msg(&e), "c.json: 'package.median_watts' is above the power ceiling"),
                  "%s", jt_err_msg(&e));
    jt_err_clear(&e);
    jt_calibration_release(&c);
    jt_energy_close(m);
    free(lim);
    jt_fake_rapl_free(f);
}
END_TEST

static Suite *calibration_suite(void)
{
    Suite *s = suite_create("calibration");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, round_trip_keeps_every_number);
    tcase_add_test(tc, missing_and_garbage_files_name_the_fix);
    tcase_add_test(tc, check_refuses_stale_foreign_or_mismatched);
    tcase_add_test(tc, corrupt_values_are_refused_with_file_and_field);
    tcase_add_test(tc, fits_the_meter_or_is_refused);
    suite_add_tcase(s, tc);
    return s;
}

JT_TEST_MAIN(calibration_suite)
