/* Host fingerprint (host.h). Everything comes from /proc and /sys. */
#include "jouletrace/host.h"

#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "jouletrace/sysfile.h"

static void set_file(json_t *o, const char *key, const char *path, const char *empty_as)
{
    char *v = jt_read_first_line(path);
    if (v && !*v && empty_as) {
        free(v);
        v = jt_xstrdup(empty_as);
    }
    json_object_set_new(o, key, json_string(v ? v : "unknown"));
    free(v);
}

/* "model name" and "microcode" of the first CPU in /proc/cpuinfo. */
static void cpuinfo(json_t *o)
{
    FILE *f = fopen("/proc/cpuinfo", "r");
    char line[1024];
    char *model = NULL, *micro = NULL;
    while (f && fgets(line, sizeof line, f) && (!model || !micro)) {
        char *colon = strchr(line, ':');
        if (!colon) continue;
        char *val = colon + 1;
        while (*val == ' ' || *val == '\t') val++;
        val[strcspn(val, "\n")] = '\0';
        if (!model && !strncmp(line, "model name", 10)) model = jt_xstrdup(val);
        if (!micro && !strncmp(line, "microcode", 9)) micro = jt_xstrdup(val);
    }
    if (f) fclose(f);
    json_object_set_new(o, "cpu_model", json_string(model ? model : "unknown"));
    json_object_set_new(o, "microcode", json_string(micro ? micro : "unknown"));
    free(model);
    free(micro);
}

static const char *turbo_state(void)
{
    char *v = jt_read_first_line("/sys/devices/system/cpu/intel_pstate/no_turbo");
    if (v) {
        const char *r = !strcmp(v, "1") ? "off" : "on";
        free(v);
        return r;
    }
    v = jt_read_first_line("/sys/devices/system/cpu/cpufreq/boost");
    if (v) {
        const char *r = !strcmp(v, "0") ? "off" : "on";
        free(v);
        return r;
    }
    return "unknown";
}

static int process_running(const char *comm)
{
    DIR *d = opendir("/proc");
    if (!d) return 0;
    struct dirent *e;
    int found = 0;
    while (!found && (e = readdir(d))) {
        if (e->d_name[0] < '0' || e->d_name[0] > '9') continue;
        char path[300];
        snprintf(path, sizeof path, "/proc/%s/comm", e->d_name);
        char *c = jt_read_first_line(path);
        found = c && !strcmp(c, comm);
        free(c);
    }
    closedir(d);
    return found;
}

json_t *jt_host_fingerprint(const jt_topology *t)
{
    json_t *o = json_object();
    char host[256] = "unknown";
    gethostname(host, sizeof host - 1);
    json_object_set_new(o, "hostname", json_string(host));
    cpuinfo(o);
    struct utsname u;
    if (uname(&u) == 0)
        json_object_set_new(o, "kernel", json_sprintf("%s %s %s", u.sysname, u.release, u.machine));
    int cpu = t ? t->measure_cpu : 0;
    char path[256];
    snprintf(path, sizeof path, "/sys/devices/system/cpu/cpu%d/cpufreq/scaling_governor", cpu < 0 ? 0 : cpu);
    set_file(o, "governor", path, NULL);
    json_object_set_new(o, "turbo", json_string(turbo_state()));
    char *smt = jt_read_first_line("/sys/devices/system/cpu/smt/active");
    json_object_set_new(o, "smt", json_string(!smt ? "unknown" : !strcmp(smt, "1") ? "on" : "off"));
    free(smt);
    set_file(o, "isolcpus", "/sys/devices/system/cpu/isolated", "none");
    set_file(o, "nohz_full", "/sys/devices/system/cpu/nohz_full", "none");
    json_object_set_new(o, "irqbalance", json_string(process_running("irqbalance") ? "running" : "not running"));
    set_file(o, "aslr", "/proc/sys/kernel/randomize_va_space", NULL);
    if (t) {
        json_object_set_new(o, "measurement_cpu", json_sprintf("%d", t->measure_cpu));
        json_object_set_new(o, "housekeeping_cpu", json_sprintf("%d", t->housekeeping_cpu));
    }
    return o;
}

json_t *jt_host_diff(const json_t *a, const json_t *b, const char *when)
{
    json_t *out = json_array();
    const char *key;
    json_t *va;
    json_object_foreach((json_t *)(uintptr_t)a, key, va) {
        json_t *vb = json_object_get(b, key);
        if (!vb || !json_equal(va, vb))
            json_array_append_new(out, json_sprintf("%s changed %s: %s -> %s", key, when,
                                                    json_string_value(va) ? json_string_value(va) : "?",
                                                    vb && json_string_value(vb) ? json_string_value(vb) : "(absent)"));
    }
    json_t *vb;
    json_object_foreach((json_t *)(uintptr_t)b, key, vb) {
        if (!json_object_get(a, key))
            json_array_append_new(out, json_sprintf("%s changed %s: (absent) -> %s", key, when,
                                                    json_string_value(vb) ? json_string_value(vb) : "?"));
    }
    return out;
}

json_t *jt_host_advice(const json_t *fp)
{
    json_t *out = json_array();
    const char *gov = json_string_value(json_object_get(fp, "governor"));
    if (gov && strcmp(gov, "performance") && strcmp(gov, "unknown"))
        json_array_append_new(out, json_sprintf("governor is '%s': frequency changes add variance "
                                                "(cpupower frequency-set -g performance)", gov));
    const char *turbo = json_string_value(json_object_get(fp, "turbo"));
    if (turbo && !strcmp(turbo, "on"))
        json_array_append_new(out, json_string("turbo is on: boost depends on temperature and adds "
                                               "variance (disable it for ranking runs)"));
    const char *aslr = json_string_value(json_object_get(fp, "aslr"));
    if (aslr && strcmp(aslr, "0") && strcmp(aslr, "unknown"))
        json_array_append_new(out, json_string("ASLR is on: memory layout differs run to run "
                                               "(sysctl kernel.randomize_va_space=0 while measuring)"));
    const char *irq = json_string_value(json_object_get(fp, "irqbalance"));
    if (irq && !strcmp(irq, "running"))
        json_array_append_new(out, json_string("irqbalance is running: it may move interrupts onto "
                                               "the measurement core"));
    return out;
}
