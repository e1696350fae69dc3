/* Tests for harness/measure/host.c: fingerprint fields, diffs, advice. */
#include <string.h>

#include "jouletrace/host.h"
#include "support/testutil.h"

START_TEST(fingerprint_has_every_field)
{
    jt_topology t;
    jt_err e = JT_ERR_INIT;
    ck_assert_int_eq(jt_topology_read(&t, -1, &e), 0);
    json_t *fp = jt_host_fingerprint(&t);
    static const char *const keys[] = {"hostname", "cpu_model", "microcode", "kernel", "governor",
                                       "turbo", "smt", "isolcpus", "nohz_full", "irqbalance",
                                       "aslr", "measurement_cpu", "housekeeping_cpu", NULL};
    for (size_t i = 0; keys[i]; i++)
        ck_assert_msg(json_is_string(json_object_get(fp, keys[i])), "missing %s", keys[i]);
    ck_assert_str_ne(json_string_value(json_object_get(fp, "cpu_model")), "unknown");
    /* the same host twice: nothing differs */
    json_t *fp2 = jt_host_fingerprint(&t);
    json_t *d = jt_host_diff(fp, fp2, "during the run");
    ck_assert_uint_eq(json_array_size(d), 0);
    json_decref(d);
    json_decref(fp2);
    json_decref(fp);
    jt_topology_release(&t);
}
END_TEST

START_TEST(diff_and_advice_name_what_changed)
{
    json_t *a = json_pack("{s:s,s:s,s:s}", "governor", "performance", "turbo", "off", "aslr", "0");
    json_t *b = json_pack("{s:s,s:s,s:s}", "governor", "powersave", "turbo", "off", "smt", "on");
    json_t *d = jt_host_diff(a, b, "during the run");
    ck_assert_uint_eq(json_array_size(d), 3);
    ck_assert_str_eq(json_string_value(json_array_get(d, 0)),
                     "governor changed during the run: performance -> powersave");
    json_decref(d);
    json_t *adv = jt_host_advice(a);
    ck_assert_uint_eq(json_array_size(adv), 0);
    json_decref(adv);
    json_t *noisy = json_pack("{s:s,s:s,s:s,s:s}", "governor", "powersave", "turbo", "on", "aslr",
                              "2", "irqbalance", "running");
    adv = jt_host_advice(noisy);
    ck_assert_uint_eq(json_array_size(adv), 4);
    ck_assert(strstr(json_string_value(json_array_get(adv, 0)), "governor is 'powersave'"));
    json_decref(adv);
    json_decref(noisy);
    json_decref(a);
    json_decref(b);
}
END_TEST

static Suite *host_suite(void)
{
    Suite *s = suite_create("host");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, fingerprint_has_every_field);
    tcase_add_test(tc, diff_and_advice_name_what_changed);
    suite_add_tcase(s, tc);
    return s;
}

JT_TEST_MAIN(host_suite)
