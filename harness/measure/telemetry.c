/* Per-trial telemetry from /proc and /sys (telemetry.h). */
#include "jouletrace/telemetry.h"

#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jouletrace/common.h"

static void ctx_switches(pid_t pid, jt_telemetry *t)
{
    t->voluntary_cs = t->involuntary_cs = -1;
    if (pid <= 0) return;
    char path[64];
    snprintf(path, sizeof path, "/proc/%ld/status", (long)pid);
    FILE *f = fopen(path, "r");
    if (!f) return;
    char line[256];
    while (fgets(line, sizeof line, f)) {
        long long v;
        if (sscanf(line, "voluntary_ctxt_switches: %lld", &v) == 1) t->voluntary_cs = v;
        else if (sscanf(line, "nonvoluntary_ctxt_switches: %lld", &v) == 1) t->involuntary_cs = v;
    }
    fclose(f);
}

/* /proc/interrupts: a header of "CPUn" names, then one row per source with
 * one count per online CPU. Sum the column of `cpu`. */
static long long cpu_interrupts(int cpu)
{
    FILE *f = fopen("/proc/interrupts", "r");
    if (!f) return -1;
    jt_buf line = JT_BUF_INIT;
    long long total = -1;
    int col = -1;
    int c;
    int first = 1;
    for (;;) {
        jt_buf_reset(&line);
        while ((c = fgetc(f)) != EOF && c != '\n') jt_buf_addc(&line, (char)c);
        if (c == EOF && line.len == 0) break;
        if (!line.data) jt_buf_adds(&line, "");
        char *s = line.data;
        if (first) {
            first = 0;
            char name[32];
            snprintf(name, sizeof name, "CPU%d", cpu);
            int idx = 0;
            for (char *tok = strtok(s, " \t"); tok; tok = strtok(NULL, " \t"), idx++)
                if (!strcmp(tok, name)) col = idx;
            if (col < 0) break;
            total = 0;
            continue;
        }
        char *colon = strchr(s, ':');
        if (!colon) continue;
        char *p = colon + 1;
        for (int i = 0; i <= col; i++) {
            char *end;
            long long v = strtoll(p, &end, 10);
            if (end == p) break; /* row with fewer columns (e.g. ERR:) */
            if (i == col) total += v;
            p = end;
        }
        if (c == EOF) break;
    }
    jt_buf_release(&line);
    fclose(f);
    return total;
}

static double read_number(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f) return NAN;
    double v;
    int ok = fscanf(f, "%lf", &v) == 1;
    fclose(f);
    return ok ? v : NAN;
}

/* Package temperature: the thermal zone typed x86_pkg_temp (Intel), else a
 * hwmon named k10temp/zenpower (AMD, Tctl) or coretemp (Intel, package). */
static double package_temp(void)
{
    char path[512];
    for (int i = 0; i < 64; i++) {
        snprintf(path, sizeof path, "/sys/class/thermal/thermal_zone%d/type", i);
        FILE *f = fopen(path, "r");
        if (!f) break;
        char type[64] = "";
        int ok = fscanf(f, "%63s", type) == 1;
        fclose(f);
        if (ok && !strcmp(type, "x86_pkg_temp")) {
            snprintf(path, sizeof path, "/sys/class/thermal/thermal_zone%d/temp", i);
            double v = read_number(path);
            return isnan(v) ? NAN : v / 1000.0;
        }
    }
    for (int i = 0; i < 32; i++) {
        snprintf(path, sizeof path, "/sys/class/hwmon/hwmon%d/name", i);
        FILE *f = fopen(path, "r");
        if (!f) continue;
        char name[64] = "";
        int ok = fscanf(f, "%63s", name) == 1;
        fclose(f);
        if (ok && (!strcmp(name, "k10temp") || !strcmp(name, "zenpower") || !strcmp(name, "coretemp"))) {
            snprintf(path, sizeof path, "/sys/class/hwmon/hwmon%d/temp1_input", i);
            double v = read_number(path);
            return isnan(v) ? NAN : v / 1000.0;
        }
    }
    return NAN;
}

void jt_telemetry_read(pid_t pid, int cpu, jt_telemetry *t)
{
    ctx_switches(pid, t);
    t->cpu_interrupts = cpu >= 0 ? cpu_interrupts(cpu) : -1;
    char path[128];
    snprintf(path, sizeof path, "/sys/devices/system/cpu/cpu%d/cpufreq/scaling_cur_freq", cpu < 0 ? 0 : cpu);
    double khz = read_number(path);
    t->freq_mhz = isnan(khz) ? NAN : khz / 1000.0;
    t->temp_c = package_temp();
}

static long long diff(long long a, long long b)
{
    return a < 0 || b < 0 || b < a ? -1 : b - a;
}

void jt_telemetry_delta(const jt_telemetry *a, const jt_telemetry *b, jt_telemetry *d)
{
    d->voluntary_cs = diff(a->voluntary_cs, b->voluntary_cs);
    d->involuntary_cs = diff(a->involuntary_cs, b->involuntary_cs);
    d->cpu_interrupts = diff(a->cpu_interrupts, b->cpu_interrupts);
    d->freq_mhz = b->freq_mhz;
    d->temp_c = b->temp_c;
}
