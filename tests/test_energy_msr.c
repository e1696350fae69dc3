/* Tests for harness/energy/msr.c against fake /dev/cpu/C/msr files: unit
 * decoding, Intel and AMD registers, the server DRAM unit quirk, 32-bit
 * wrap, missing registers and the energy-filtering bit. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "jouletrace/energy.h"
#include "jouletrace/energy_backend.h"
#include "support/fake_rapl.h"
#include "support/testutil.h"

/* Power-unit register values as parts report them: power units in 3:0,
 * ESU in 12:8, time units in 19:16 (0xA). 0xF000-masking tools read ESU 0
 * from both. */
#define UNIT_ESU14 UINT64_C(0x000A0E03)
#define UNIT_ESU16 UINT64_C(0x000A1003)
#define AMD_UNIT 0xC0010299u
#define AMD_PKG 0xC001029Bu

static jt_energy_opts opts_for(const jt_fake_rapl *f, const char *vendor, int family, int model)
{
    jt_energy_opts o;
    jt_energy_opts_init(&o);
    o.msr_root = jt_fake_msr_root(f);
    o.powercap_root = "/nonexistent"; /* the host's limits stay out of these tests */
    o.cpu = 0;
    o.cpu_vendor = vendor;
    o.cpu_family = family;
    o.cpu_model = model;
    return o;
}

static jt_energy_meter *open_msr(const jt_energy_opts *o)
{
    return jt_fake_open_ok(JT_ENERGY_MSR, o);
}

#define read_ok jt_fake_read_ok

static const struct {
    uint64_t reg;
    double joules;
} unit_cases[] = {
    {UNIT_ESU14, 0x1p-14},         /* 61.04 uJ, Intel since Haswell */
    {UNIT_ESU16, 0x1p-16},         /* 15.26 uJ, Sandy Bridge, AMD Zen */
    {UINT64_C(0xFFFFE0FF), 1.0},   /* ESU 0; every other bit set */
    {UINT64_C(0x1F00), 0x1p-31},   /* all five ESU bits */
};

START_TEST(energy_unit_uses_bits_12_to_8)
{
    ck_assert_double_eq(jt_energy_msr_energy_unit(unit_cases[_i].reg), unit_cases[_i].joules);
}
END_TEST

START_TEST(dram_fixed_unit_models)
{
    static const int quirk[] = {0x3F, 0x4F, 0x56, 0x55, 0x6A, 0x6C, 0x57, 0x85};
    for (size_t i = 0; i < sizeof quirk / sizeof quirk[0]; i++)
        ck_assert_msg(jt_energy_msr_dram_fixed_unit("GenuineIntel", 6, quirk[i]), "model 0x%X",
                      quirk[i]);
    ck_assert(!jt_energy_msr_dram_fixed_unit("GenuineIntel", 6, 0x8F)); /* Sapphire Rapids */
    ck_assert(!jt_energy_msr_dram_fixed_unit("GenuineIntel", 6, 0x2D)); /* Sandy Bridge-EP */
    ck_assert(!jt_energy_msr_dram_fixed_unit("GenuineIntel", 15, 0x55));
    ck_assert(!jt_energy_msr_dram_fixed_unit("AuthenticAMD", 6, 0x55));
}
END_TEST

/* ESU 14 and 16 through the whole backend: one joule is 2^ESU counts. */
START_TEST(intel_package_and_dram_in_esu_units)
{
    const uint64_t reg = _i == 0 ? UNIT_ESU14 : UNIT_ESU16;
    const uint64_t per_joule = _i == 0 ? 16384 : 65536;
    jt_fake_rapl *f = jt_fake_rapl_new();
    jt_fake_msr_set(f, 0, 0x606, reg);
    jt_fake_msr_set(f, 0, 0xBC, 0);
    int pkg = jt_fake_msr_counter(f, 0, 0x611, 1, 1000);
    int dram = jt_fake_msr_counter(f, 0, 0x619, 1, 2000);
    jt_energy_opts o = opts_for(f, "GenuineIntel", 6, 0x8C); /* Tiger Lake: no quirk */
    jt_energy_meter *m = open_msr(&o);
    ck_assert_str_eq(jt_energy_source_name(m), "msr");
    ck_assert_double_eq(jt_energy_domain(m, JT_ENERGY_PACKAGE)->unit_joules, 1.0 / (double)per_joule);
    ck_assert_double_eq(jt_energy_domain(m, JT_ENERGY_DRAM)->unit_joules, 1.0 / (double)per_joule);
    ck_assert(strstr(jt_energy_domain(m, JT_ENERGY_PACKAGE)->where, "msr 0x611"));
    ck_assert_int_eq(jt_energy_filtering(m), 0);
    jt_energy_sample a = {0}, b = {0};
    read_ok(m, &a);
    jt_fake_counter_set(f, pkg, 1000 + per_joule);
    jt_fake_counter_set(f, dram, 2000 + 2 * per_joule);
    read_ok(m, &b);
    jt_energy_delta d;
    ck_assert_int_eq(jt_energy_diff(&a, &b, &d, NULL), 0);
    ck_assert_double_eq(d.joules[JT_ENERGY_PACKAGE], 1.0);
    ck_assert_double_eq(d.joules[JT_ENERGY_DRAM], 2.0);
    jt_energy_close(m);
    jt_fake_rapl_free(f);
}
END_TEST

/* Skylake-SP: ESU says 61 uJ but DRAM counts 15.3 uJ. Using the package
 * unit would report 4x the DRAM energy. */
START_TEST(dram_quirk_model_uses_fixed_unit)
{
    jt_fake_rapl *f = jt_fake_rapl_new();
    jt_fake_msr_set(f, 0, 0x606, UNIT_ESU14);
    jt_fake_msr_counter(f, 0, 0x611, 1, 0);
    int dram = jt_fake_msr_counter(f, 0, 0x619, 1, 0);
    jt_energy_opts o = opts_for(f, "GenuineIntel", 6, 0x55);
    jt_energy_meter *m = open_msr(&o);
    ck_assert_double_eq(jt_energy_domain(m, JT_ENERGY_PACKAGE)->unit_joules, 0x1p-14);
    ck_assert_double_eq(jt_energy_domain(m, JT_ENERGY_DRAM)->unit_joules, 0x1p-16);
    ck_assert(strstr(jt_energy_domain(m, JT_ENERGY_DRAM)->units, "0x55"));
    jt_energy_sample a = {0}, b = {0};
    read_ok(m, &a);
    jt_fake_counter_set(f, dram, 65536);
    read_ok(m, &b);
    ck_assert_double_eq(b.joules[JT_ENERGY_DRAM] - a.joules[JT_ENERGY_DRAM], 1.0);
    jt_energy_close(m);
    jt_fake_rapl_free(f);
}
END_TEST

START_TEST(amd_family_19h_registers)
{
    jt_fake_rapl *f = jt_fake_rapl_new();
    jt_fake_msr_set(f, 0, AMD_UNIT, UNIT_ESU16);
    int pkg = jt_fake_msr_counter(f, 0, AMD_PKG, 1, 5);
    /* Intel registers hold decoys: an AMD reader must never use them */
    jt_fake_msr_set(f, 0, 0x606, UNIT_ESU14);
    int decoy = jt_fake_msr_counter(f, 0, 0x611, 1, 0);
    jt_fake_msr_set(f, 0, 0x619, 77);
    jt_energy_opts o = opts_for(f, "AuthenticAMD", 0x19, 0x01);
    jt_energy_meter *m = open_msr(&o);
    ck_assert_double_eq(jt_energy_domain(m, JT_ENERGY_PACKAGE)->unit_joules, 0x1p-16);
    ck_assert(strstr(jt_energy_domain(m, JT_ENERGY_PACKAGE)->where, "0xc001029b"));
    ck_assert_ptr_null(jt_energy_domain(m, JT_ENERGY_DRAM));
    ck_assert(strstr(jt_energy_notes(m), "no DRAM"));
    ck_assert_int_eq(jt_energy_filtering(m), -1);
    jt_energy_sample a = {0}, b = {0};
    read_ok(m, &a);
    jt_fake_counter_set(f, pkg, 5 + 3 * 65536);
    jt_fake_counter_set(f, decoy, 999999);
    read_ok(m, &b);
    ck_assert_double_eq(b.joules[JT_ENERGY_PACKAGE] - a.joules[JT_ENERGY_PACKAGE], 3.0);
    jt_energy_close(m);
    jt_fake_rapl_free(f);
}
END_TEST

/* Without an explicit cpu the backend reads through the lowest of package
 * 0's CPUs its options name (never a topology of its own), else CPU 0. */
START_TEST(reads_through_package_0s_cpu_from_the_options)
{
    jt_fake_rapl *f = jt_fake_rapl_new();
    jt_fake_msr_set(f, 0, 0x606, UNIT_ESU14);
    jt_fake_msr_counter(f, 0, 0x611, 1, 0);
    jt_fake_msr_set(f, 3, 0x606, UNIT_ESU16);
    jt_fake_msr_counter(f, 3, 0x611, 1, 0);
    const int pkg0[] = {3, 4};
    jt_energy_opts o = opts_for(f, "GenuineIntel", 6, 0x8C);
    o.cpu = -1;
    o.pkg0_cpus = pkg0;
    o.n_pkg0 = 2;
    ck_assert_int_eq(jt_energy_pkg0_cpu(&o), 3);
    jt_energy_meter *m = open_msr(&o);
    ck_assert_msg(strstr(jt_energy_domain(m, JT_ENERGY_PACKAGE)->where, "/3/msr"), "%s",
                  jt_energy_domain(m, JT_ENERGY_PACKAGE)->where);
    ck_assert_double_eq(jt_energy_domain(m, JT_ENERGY_PACKAGE)->unit_joules, 0x1p-16);
    jt_energy_close(m);
    o.cpu = 4; /* an explicit cpu wins */
    ck_assert_int_eq(jt_energy_pkg0_cpu(&o), 4);
    o.cpu = -1;
    o.pkg0_cpus = NULL;
    o.n_pkg0 = 0;
    ck_assert_int_eq(jt_energy_pkg0_cpu(&o), 0);
    m = open_msr(&o);
    ck_assert_double_eq(jt_energy_domain(m, JT_ENERGY_PACKAGE)->unit_joules, 0x1p-14);
    jt_energy_close(m);
    jt_fake_rapl_free(f);
}
END_TEST

START_TEST(vendor_from_environment)
{
    jt_fake_rapl *f = jt_fake_rapl_new();
    jt_fake_msr_set(f, 0, AMD_UNIT, UNIT_ESU16);
    jt_fake_msr_counter(f, 0, AMD_PKG, 1, 5);
    jt_energy_opts o = opts_for(f, NULL, -1, -1);
    setenv("JOULETRACE_CPU_VENDOR", "amd", 1);
    setenv("JOULETRACE_CPU_FAMILY", "0x19", 1);
    setenv("JOULETRACE_CPU_MODEL", "1", 1);
    jt_energy_meter *m = open_msr(&o);
    ck_assert(strstr(jt_energy_domain(m, JT_ENERGY_PACKAGE)->where, "0xc001029b"));
    jt_energy_close(m);
    setenv("JOULETRACE_CPU_FAMILY", "0x16", 1); /* pre-Zen: no RAPL */
    jt_err e = JT_ERR_INIT;
    ck_assert_int_eq(jt_energy_probe(JT_ENERGY_MSR, &o, &e), -1);
    ck_assert(strstr(jt_err_msg(&e), "family 17h+"));
    setenv("JOULETRACE_CPU_FAMILY", "twenty", 1);
    ck_assert_int_eq(jt_energy_probe(JT_ENERGY_MSR, &o, &e), -1);
    ck_assert(strstr(jt_err_msg(&e), "JOULETRACE_CPU_FAMILY"));
    jt_err_clear(&e);
    unsetenv("JOULETRACE_CPU_VENDOR");
    unsetenv("JOULETRACE_CPU_FAMILY");
    unsetenv("JOULETRACE_CPU_MODEL");
    jt_fake_rapl_free(f);
}
END_TEST

START_TEST(wrap_at_32_bits_ignoring_reserved_bits)
{
    jt_fake_rapl *f = jt_fake_rapl_new();
    jt_fake_msr_set(f, 0, 0x606, UNIT_ESU14);
    int pkg = jt_fake_msr_counter(f, 0, 0x611, 1, 0);
    jt_fake_msr_set(f, 0, 0x611, UINT64_C(0xABCD0000FFFFFF00)); /* 63:32 reserved */
    jt_energy_opts o = opts_for(f, "GenuineIntel", 6, 0x8C);
    jt_energy_meter *m = open_msr(&o);
    ck_assert_double_eq(jt_energy_domain(m, JT_ENERGY_PACKAGE)->wrap_joules, 262144.0);
    jt_energy_sample a = {0}, b = {0};
    read_ok(m, &a);
    jt_fake_counter_set(f, pkg, UINT64_C(0x1234000000000100));
    read_ok(m, &b);
    ck_assert_uint_eq(b.counts[JT_ENERGY_PACKAGE] - a.counts[JT_ENERGY_PACKAGE], 0x200);
    ck_assert_uint_eq(b.wraps[JT_ENERGY_PACKAGE], 1);
    jt_energy_close(m);
    jt_fake_rapl_free(f);
}
END_TEST

/* A fake MSR file that ends before 0x619 reads 0 bytes there: the same
 * "register not available" path as EIO from the real driver. */
START_TEST(missing_dram_register_disables_dram)
{
    jt_fake_rapl *f = jt_fake_rapl_new();
    jt_fake_msr_set(f, 0, 0x606, UNIT_ESU14);
    int pkg = jt_fake_msr_counter(f, 0, 0x611, 1, 0);
    jt_fake_msr_truncate(f, 0, 0x619);
    jt_energy_opts o = opts_for(f, "GenuineIntel", 6, 0x8C);
    jt_energy_meter *m = open_msr(&o);
    ck_assert_ptr_null(jt_energy_domain(m, JT_ENERGY_DRAM));
    ck_assert(strstr(jt_energy_notes(m), "DRAM disabled: MSR 0x619 not available (EIO)"));
    jt_energy_sample s = {0};
    jt_fake_counter_set(f, pkg, 10);
    read_ok(m, &s);
    ck_assert_uint_eq(s.counts[JT_ENERGY_PACKAGE], 10);
    /* the package register vanishing later is a failed read, not a zero */
    jt_fake_msr_truncate(f, 0, 0x610);
    jt_err e = JT_ERR_INIT;
    ck_assert_int_eq(jt_energy_read(m, &s, &e), -1);
    ck_assert(!s.valid[JT_ENERGY_PACKAGE]);
    ck_assert(strstr(jt_err_msg(&e), "register not available"));
    jt_err_clear(&e);
    jt_energy_close(m);
    jt_fake_rapl_free(f);
}
END_TEST

START_TEST(unusable_msr_says_why)
{
    jt_fake_rapl *f = jt_fake_rapl_new();
    jt_energy_opts o = opts_for(f, "GenuineIntel", 6, 0x8C);
    jt_err e = JT_ERR_INIT;
    ck_assert_int_eq(jt_energy_probe(JT_ENERGY_MSR, &o, &e), -1);
    ck_assert(strstr(jt_err_msg(&e), "/0/msr — modprobe msr"));
    jt_fake_msr_set(f, 0, 0x606, UNIT_ESU14);
    jt_fake_msr_truncate(f, 0, 0x610); /* unit readable, package not */
    ck_assert_int_eq(jt_energy_probe(JT_ENERGY_MSR, &o, &e), -1);
    ck_assert(strstr(jt_err_msg(&e), "MSR 0x611 not readable (EIO)"));
    jt_fake_msr_truncate(f, 0, 0);
    ck_assert_int_eq(jt_energy_probe(JT_ENERGY_MSR, &o, &e), -1);
    ck_assert(strstr(jt_err_msg(&e), "MSR 0x606 not readable (EIO)"));
    jt_err_clear(&e);
    jt_fake_rapl_free(f);
}
END_TEST

START_TEST(energy_filtering_bit_recorded)
{
    jt_fake_rapl *f = jt_fake_rapl_new();
    jt_fake_msr_set(f, 0, 0x606, UNIT_ESU14);
    jt_fake_msr_set(f, 0, 0xBC, UINT64_C(0xFFFFFFFFFFFFFFFE) | 1);
    jt_fake_msr_counter(f, 0, 0x611, 1, 0);
    jt_energy_opts o = opts_for(f, "GenuineIntel", 6, 0x8F);
    jt_energy_meter *m = open_msr(&o);
    ck_assert_int_eq(jt_energy_filtering(m), 1);
    ck_assert(strstr(jt_energy_notes(m), "energy filtering is ON"));
    jt_energy_close(m);
    jt_fake_rapl_free(f);
}
END_TEST

/* The fixture advancing an MSR counter at a set power: what the trial
 * engine's end-to-end tests will rely on. */
START_TEST(advancing_msr_counter_reads_its_power)
{
    jt_fake_rapl *f = jt_fake_rapl_new();
    jt_fake_msr_set(f, 0, 0x606, UNIT_ESU14);
    int pkg = jt_fake_msr_counter(f, 0, 0x611, 0x1p-14, UINT64_C(0xFFFF0000));
    jt_fake_counter_power(f, pkg, 50.0); /* 65536 counts (4 J) to the wrap: 80 ms in */
    jt_fake_rapl_start(f, 1000);
    jt_energy_opts o = opts_for(f, "GenuineIntel", 6, 0x8C);
    jt_energy_meter *m = open_msr(&o);
    jt_energy_sample a = {0}, b = {0};
    ck_assert_int_eq(jt_energy_align_edge(m, &a, NULL), 0);
    struct timespec pause = {0, 500 * 1000 * 1000};
    while (nanosleep(&pause, &pause) != 0) {
    }
    read_ok(m, &b);
    jt_energy_delta d;
    ck_assert_int_eq(jt_energy_diff(&a, &b, &d, NULL), 0);
    ck_assert_uint_eq(b.wraps[JT_ENERGY_PACKAGE], 1);
    double w = d.joules[JT_ENERGY_PACKAGE] / d.seconds;
    ck_assert_msg(fabs(w / 50.0 - 1) <= 0.01, "%.3f W", w);
    jt_energy_close(m);
    jt_fake_rapl_free(f);
}
END_TEST

/* The bound beside the msr backend: the powercap tree's package limit when
 * it states one (its constraint files are world-readable), else the
 * default; --max-power-watts wins over both. */
START_TEST(power_bound_from_powercap_limits)
{
    jt_fake_rapl *f = jt_fake_rapl_new();
    jt_fake_msr_set(f, 0, 0x606, UNIT_ESU14);
    jt_fake_msr_counter(f, 0, 0x611, 1, 0);
    jt_fake_zone_add(f, "intel-rapl:0", "package-0", 262143328850ULL, 0);
    char *z = jt_xasprintf("%s/intel-rapl:0", jt_fake_powercap_root(f));
    free(jt_test_write_file(z, "constraint_0_power_limit_uw", "65000000\n"));
    free(jt_test_write_file(z, "constraint_1_power_limit_uw", "90000000\n"));
    free(z);
    jt_energy_opts o = opts_for(f, "GenuineIntel", 6, 0x8C);
    o.powercap_root = jt_fake_powercap_root(f);
    jt_energy_meter *m = open_msr(&o);
    ck_assert_double_eq(jt_energy_power_ceiling(m, JT_ENERGY_PACKAGE), 90.0);
    ck_assert(strstr(jt_energy_power_ceiling_from(m, JT_ENERGY_PACKAGE), "powercap limit"));
    /* the wrap period follows the bound: 2^32 counts of 2^-14 J at 90 W */
    ck_assert_double_eq_tol(jt_energy_shortest_wrap(m), 4294967296.0 / 16384 / 90.0, 1e-6);
    jt_energy_close(m);
    o.max_power_w = 40;
    m = open_msr(&o);
    ck_assert_double_eq(jt_energy_power_ceiling(m, JT_ENERGY_PACKAGE), 40.0);
    ck_assert(strstr(jt_energy_power_ceiling_from(m, JT_ENERGY_PACKAGE), "--max-power-watts"));
    jt_energy_close(m);
    o.max_power_w = 0;
    o.powercap_root = "/nonexistent";
    m = open_msr(&o);
    ck_assert_double_eq(jt_energy_power_ceiling(m, JT_ENERGY_PACKAGE), JT_ENERGY_MAX_POWER_W);
    ck_assert(strstr(jt_energy_power_ceiling_from(m, JT_ENERGY_PACKAGE), "default"));
    jt_energy_close(m);
    jt_fake_rapl_free(f);
}
END_TEST

static Suite *msr_suite(void)
{
    Suite *s = suite_create("energy_msr");
    TCase *tc = tcase_create("msr");
    tcase_set_timeout(tc, 30);
    tcase_add_loop_test(tc, energy_unit_uses_bits_12_to_8, 0,
                        (int)(sizeof unit_cases / sizeof unit_cases[0]));
    tcase_add_test(tc, dram_fixed_unit_models);
    tcase_add_loop_test(tc, intel_package_and_dram_in_esu_units, 0, 2);
    tcase_add_test(tc, dram_quirk_model_uses_fixed_unit);
    tcase_add_test(tc, amd_family_19h_registers);
    tcase_add_test(tc, reads_through_package_0s_cpu_from_the_options);
    tcase_add_test(tc, vendor_from_environment);
    tcase_add_test(tc, wrap_at_32_bits_ignoring_reserved_bits);
    tcase_add_test(tc, missing_dram_register_disables_dram);
    tcase_add_test(tc, unusable_msr_says_why);
    tcase_add_test(tc, energy_filtering_bit_recorded);
    tcase_add_test(tc, advancing_msr_counter_reads_its_power);
    tcase_add_test(tc, power_bound_from_powercap_limits);
    suite_add_tcase(s, tc);
    return s;
}

JT_TEST_MAIN(msr_suite)
