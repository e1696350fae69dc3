/* make bench's energy figures (scripts/bench.py runs this): the cost of one
 * jt_energy_read per backend against the fake RAPL of tests/support (a
 * powercap tree and MSR files whose counters a writer thread advances at
 * 1 kHz, as real RAPL updates), and what an edge-aligned window start
 * costs: how long jt_energy_align_edge waits for the package counter to
 * change. The perf backend needs the kernel's power PMU (perf_event_open),
 * which no file tree fakes; it is reported as not measurable here.
 *
 * Prints one JSON object on stdout: per backend the median and the 95th
 * percentile of a read (ns) over READS reads; for the alignment the median
 * and the largest wait (µs) and the share of starts that saw an edge. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "jouletrace/energy.h"
#include "support/fake_rapl.h"

#define READS 20000
#define ALIGNS 400

static double now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double quantile(double *x, size_t n, double q)
{
    qsort(x, n, sizeof *x, cmp);
    return x[(size_t)(q * (double)(n - 1))];
}

/* median and p95 of READS reads, ns; -1 with the reason on stderr */
static int time_reads(jt_energy_meter *m, double *median, double *p95)
{
    double *d = calloc(READS, sizeof *d);
    if (!d) return -1;
    for (size_t i = 0; i < READS; i++) {
        jt_energy_sample s;
        memset(&s, 0, sizeof s);
        jt_err err = JT_ERR_INIT;
        double t0 = now_ns();
        int rc = jt_energy_read(m, &s, &err);
        d[i] = now_ns() - t0;
        if (rc != 0) {
            fprintf(stderr, "energy_read: %s\n", jt_err_msg(&err));
            jt_err_clear(&err);
            free(d);
            return -1;
        }
    }
    *median = quantile(d, READS, 0.5);
    *p95 = quantile(d, READS, 0.95);
    free(d);
    return 0;
}

static jt_energy_meter *open_or_die(jt_energy_kind k, const jt_energy_opts *o)
{
    jt_energy_meter *m = NULL;
    jt_err err = JT_ERR_INIT;
    if (jt_energy_open(k, o, &m, &err) != 0) {
        fprintf(stderr, "energy_read: open %s: %s\n", jt_energy_kind_name(k), jt_err_msg(&err));
        exit(1);
    }
    return m;
}

int main(void)
{
    jt_fake_rapl *f = jt_fake_rapl_new();
    int pkg = jt_fake_zone_add(f, "intel-rapl:0", "package-0", UINT64_C(262143328850), 0);
    int dram = jt_fake_zone_add(f, "intel-rapl:0:0", "dram", UINT64_C(262143328850), 0);
    jt_fake_msr_set(f, 0, 0x606, UINT64_C(0x000A0E03));
    jt_fake_msr_set(f, 0, 0xBC, 0);
    int mpkg = jt_fake_msr_counter(f, 0, 0x611, 1.0 / 16384, 0);
    int mdram = jt_fake_msr_counter(f, 0, 0x619, 1.0 / 16384, 0);
    const int ids[] = {pkg, dram, mpkg, mdram};
    for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++) jt_fake_counter_power(f, ids[i], 20.0);
    jt_fake_rapl_start(f, 1000.0);

    jt_energy_opts o;
    jt_energy_opts_init(&o);
    o.powercap_root = jt_fake_powercap_root(f);
    o.msr_root = jt_fake_msr_root(f);
    o.perf_root = "/nonexistent/jt-perf";
    o.cpu = 0;
    o.cpu_vendor = "GenuineIntel";
    o.cpu_family = 6;
    o.cpu_model = 85;
    const jt_energy_kind kinds[] = {JT_ENERGY_POWERCAP, JT_ENERGY_MSR, JT_ENERGY_MODEL};
    printf("{\"reads\": %d, \"backends\": {", READS);
    jt_energy_meter *pm = NULL;
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        jt_energy_meter *m = open_or_die(kinds[i], &o);
        double med, p95;
        if (time_reads(m, &med, &p95) != 0) return 1;
        printf("%s\"%s\": {\"median_ns\": %.0f, \"p95_ns\": %.0f}", i ? ", " : "",
               jt_energy_kind_name(kinds[i]), med, p95);
        if (kinds[i] == JT_ENERGY_POWERCAP) pm = m;
        else jt_energy_close(m);
    }
    printf("}, \"perf\": \"needs the kernel's power PMU (perf_event_open); no file tree fakes it\"");

    /* Edge alignment on the powercap meter: each start waits for the next
     * counter update; a random offset first, as a trial's end would be. */
    double waits[ALIGNS];
    size_t edges = 0;
    srand(1);
    for (size_t i = 0; i < ALIGNS; i++) {
        struct timespec gap = {0, (long)(rand() % 1000) * 1000L};
        nanosleep(&gap, NULL);
        jt_energy_sample s;
        memset(&s, 0, sizeof s);
        jt_err err = JT_ERR_INIT;
        double t0 = now_ns();
        if (jt_energy_align_edge(pm, &s, &err) != 0) {
            fprintf(stderr, "energy_read: align: %s\n", jt_err_msg(&err));
            return 1;
        }
        waits[i] = (now_ns() - t0) / 1e3;
        edges += s.edge;
    }
    double wmax = 0;
    for (size_t i = 0; i < ALIGNS; i++) wmax = fmax(wmax, waits[i]);
    printf(", \"align\": {\"starts\": %d, \"median_wait_us\": %.0f, \"max_wait_us\": %.0f, "
           "\"edge_share\": %.3f, \"writer_max_gap_us\": %.0f}}\n",
           ALIGNS, quantile(waits, ALIGNS, 0.5), wmax, (double)edges / ALIGNS,
           jt_fake_rapl_max_gap(f) * 1e6);
    jt_energy_close(pm);
    jt_fake_rapl_free(f);
    return 0;
}
