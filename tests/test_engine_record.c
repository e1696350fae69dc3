/* How a record ends (measure/engine_record.c jt_engine_finish_record_): a
 * record that is not completed/unstable keeps every trial it measured but
 * no figure computed from them — no median of a partial run reaches a
 * report — and says so (`partial_trials`, docs/design.md "Journal"). */
#include <string.h>

#include <jansson.h>

#include "jouletrace/report.h"
#include "measure/engine_priv.h"
#include "support/testutil.h"

/* A record as the engine leaves it after two trials, before its status. */
static json_t *measured_record(void)
{
    json_t *rec;
    json_t *trials = json_array();
    for (int i = 1; i <= 2; i++)
        json_array_append_new(trials, json_pack("{s:i,s:i,s:f,s:f,s:f}", "trial", i, "iterations",
                                                100, "wall_seconds", 0.2, "total_joules", 2.0 + i,
                                                "total_net_joules", 1.0 + i));
    rec = json_pack("{s:i,s:s,s:s,s:s,s:{s:f,s:f},s:{s:i,s:{s:f,s:f,s:f}},s:f,s:f,s:[s],s:o}",
                     "schema_version", 1, "type", "candidate", "id", "c", "test_set", "ts",
                     "energy_metrics", "median_total_energy_joules", 0.025,
                     "median_execution_time_seconds", 0.002, "stats", "n_trials", 2,
                     "total_energy", "median", 0.025, "ci95_low", 0.02, "ci95_high", 0.03,
                     "floor_total_energy_joules", 0.001, "median_total_energy_net_of_floor_joules",
                     0.024, "flags", "model_estimate", "trials", trials);
    json_object_set_new(rec, "ranked", json_true()); /* the cache check passed it */
    /* its paired floor, two trials, and what was made of them */
    json_t *ftrials = json_deep_copy(trials);
    json_object_set_new(rec, "floor",
                        json_pack("{s:s,s:i,s:{s:f,s:f,s:f},s:{s:f},s:o}", "floor_key", "ts",
                                  "n_trials", 2, "total_energy", "median", 0.001, "ci95_low",
                                  0.0009, "ci95_high", 0.0011, "time", "median", 0.0001,
                                  "trials", ftrials));
    json_object_set_new(rec, "median_execution_time_net_of_floor_seconds", json_real(0.0019));
    json_array_append_new(json_object_get(rec, "flags"), json_string("below_floor"));
    return rec;
}

static bool has_flag(const json_t *rec, const char *flag)
{
    size_t i;
    json_t *f;
    json_array_foreach(json_object_get(rec, "flags"), i, f)
        if (!strcmp(json_string_value(f), flag)) return true;
    return false;
}

START_TEST(failed_after_trials_keeps_trials_not_medians)
{
    static const jt_status ends[] = {JT_STATUS_FAILED, JT_STATUS_INCORRECT, JT_STATUS_TIMEOUT,
                                     JT_STATUS_CRASHED, JT_STATUS_MEMORY_LIMIT};
    for (size_t k = 0; k < sizeof ends / sizeof ends[0]; k++) {
        json_t *rec = measured_record();
        jt_engine_finish_record_(rec, ends[k], "trial 3: energy counters gave no usable sample");
        ck_assert_msg(json_is_null(json_object_get(rec, "energy_metrics")), "%s",
                      jt_status_name(ends[k]));
        ck_assert(json_is_null(json_object_get(rec, "stats")));
        ck_assert(json_is_null(json_object_get(rec, "floor_total_energy_joules")));
        ck_assert(json_is_null(json_object_get(rec, "median_total_energy_net_of_floor_joules")));
        ck_assert(json_is_null(json_object_get(rec, "median_execution_time_net_of_floor_seconds")));
        const json_t *floor = json_object_get(rec, "floor");
        ck_assert(json_is_null(json_object_get(floor, "total_energy")));
        ck_assert(json_is_null(json_object_get(floor, "time")));
        ck_assert_uint_eq(json_array_size(json_object_get(floor, "trials")), 2); /* kept */
        ck_assert(!has_flag(rec, "below_floor")); /* a verdict on a dropped median */
        ck_assert(json_is_null(json_object_get(rec, "ranked"))); /* not measured: no rank either */
        ck_assert_uint_eq(json_array_size(json_object_get(rec, "trials")), 2);
        ck_assert_int_eq(json_integer_value(json_object_get(rec, "partial_trials")), 2);
        ck_assert(has_flag(rec, "partial_trials") && has_flag(rec, "model_estimate"));

        /* and so in the reports: no median, the flag, both trials in trials.csv */
        json_t *recs = json_pack("[O]", rec);
        jt_csv_table t;
        jt_report_results_table(NULL, recs, &t);
        ck_assert_uint_eq(t.nrows, 1);
        ck_assert_str_eq(jt_csv_get(&t, 0, (size_t)jt_csv_col(&t, "median_total_energy_joules")), "");
        ck_assert_str_eq(jt_csv_get(&t, 0, (size_t)jt_csv_col(&t, "ci95_low_total_energy_joules")), "");
        ck_assert_str_eq(jt_csv_get(&t, 0, (size_t)jt_csv_col(&t, "floor_ci95_low_total_energy_joules")), "");
        ck_assert(strstr(jt_csv_get(&t, 0, (size_t)jt_csv_col(&t, "flags")), "partial_trials"));
        jt_csv_free(&t);
        jt_report_trials_table(NULL, recs, &t);
        ck_assert_uint_eq(t.nrows, 4); /* its two trials and its floor's two */
        jt_csv_free(&t);
        json_decref(recs);
        json_decref(rec);
    }
}
END_TEST

START_TEST(measured_records_keep_their_figures)
{
    static const jt_status ends[] = {JT_STATUS_COMPLETED, JT_STATUS_UNSTABLE};
    for (size_t k = 0; k < 2; k++) {
        json_t *rec = measured_record();
        jt_engine_finish_record_(rec, ends[k], NULL);
        ck_assert_double_eq(json_number_value(json_object_get(json_object_get(rec, "energy_metrics"),
                                                              "median_total_energy_joules")),
                            0.025);
        ck_assert(json_is_object(json_object_get(rec, "stats")));
        ck_assert_ptr_null(json_object_get(rec, "partial_trials"));
        ck_assert(!has_flag(rec, "partial_trials"));
        json_decref(rec);
    }
}
END_TEST

/* A candidate that never got a trial (incorrect at validation) is not
 * "partial": nothing was measured. */
START_TEST(no_trials_no_partial_flag)
{
    json_t *rec = json_pack("{s:s,s:n,s:[]}", "id", "c", "energy_metrics", "flags");
    jt_engine_finish_record_(rec, JT_STATUS_INCORRECT, "wrong");
    ck_assert_ptr_null(json_object_get(rec, "partial_trials"));
    ck_assert(!has_flag(rec, "partial_trials"));
    json_decref(rec);
}
END_TEST

static Suite *engine_record_suite(void)
{
    Suite *s = suite_create("engine_record");
    TCase *tc = tcase_create("finish");
    tcase_add_test(tc, failed_after_trials_keeps_trials_not_medians);
    tcase_add_test(tc, measured_records_keep_their_figures);
    tcase_add_test(tc, no_trials_no_partial_flag);
    suite_add_tcase(s, tc);
    return s;
}

JT_TEST_MAIN(engine_record_suite)
