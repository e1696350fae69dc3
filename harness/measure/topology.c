/* CPU topology of package 0 and the choice of measurement/housekeeping CPUs. */
#include "jouletrace/topology.h"

#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jouletrace/sysfile.h"

static const char *cpu_root(void)
{
    const char *r = getenv("JOULETRACE_SYSFS_CPU_ROOT");
    return r && *r ? r : "/sys/devices/system/cpu";
}

static int in_list(const char *path, int cpu)
{
    char *s = jt_read_first_line(path);
    if (!s || !*s) {
        free(s);
        return 0;
    }
    int *cpus = jt_xcalloc(JT_MAX_CPUS, sizeof *cpus);
    int n = jt_cpulist_parse(s, cpus, JT_MAX_CPUS);
    int hit = 0;
    for (int i = 0; i < n && !hit; i++) hit = cpus[i] == cpu;
    free(cpus);
    free(s);
    return hit;
}

static void warn(jt_topology *t, char *msg)
{
    t->warnings = jt_xreallocarray(t->warnings, t->n_warnings + 1, sizeof *t->warnings);
    t->warnings[t->n_warnings++] = msg;
}

static long package_of(int cpu)
{
    char *path = jt_xasprintf("%s/cpu%d/topology/physical_package_id", cpu_root(), cpu);
    char *s = jt_read_first_line(path);
    free(path);
    long id = s && *s ? strtol(s, NULL, 10) : 0; /* no topology dir: one package */
    free(s);
    return id;
}

int jt_topology_read(jt_topology *t, int requested_cpu, jt_err *err)
{
    memset(t, 0, sizeof *t);
    t->measure_cpu = t->housekeeping_cpu = t->measure_sibling = -1;
    char *path = jt_xasprintf("%s/online", cpu_root());
    char *online = jt_read_first_line(path);
    free(path);
    if (!online) return jt_err_set(err, "cannot read %s/online", cpu_root());
    int *cpus = jt_xcalloc(JT_MAX_CPUS, sizeof *cpus);
    int n = jt_cpulist_parse(online, cpus, JT_MAX_CPUS);
    int rc = -1;
    if (n <= 0) {
        jt_err_set(err, "%s/online: cannot parse '%s'", cpu_root(), online);
        goto out;
    }
    t->n_online = n;
    long pkgs[64];
    int n_pkgs = 0;
    for (int i = 0; i < n; i++) {
        long p = package_of(cpus[i]);
        int seen = 0;
        for (int j = 0; j < n_pkgs && !seen; j++) seen = pkgs[j] == p;
        if (!seen && n_pkgs < 64) pkgs[n_pkgs++] = p;
        if (p == 0) t->pkg0_cpus[t->n_pkg0++] = cpus[i];
    }
    t->n_packages = n_pkgs;
    if (t->n_pkg0 == 0) {
        jt_err_set(err, "no online CPU belongs to package 0");
        goto out;
    }
    if (requested_cpu >= 0) {
        int ok = 0;
        for (int i = 0; i < t->n_pkg0 && !ok; i++) ok = t->pkg0_cpus[i] == requested_cpu;
        if (!ok) {
            jt_err_set(err, "measurement core %d is not an online CPU of package 0", requested_cpu);
            goto out;
        }
        t->measure_cpu = requested_cpu;
    } else {
        t->measure_cpu = t->pkg0_cpus[t->n_pkg0 - 1];
        if (t->measure_cpu == 0 && t->n_pkg0 == 1)
            warn(t, jt_xstrdup("package 0 has only CPU 0: the harness and the candidate share it"));
    }
    for (int i = 0; i < t->n_pkg0; i++)
        if (t->pkg0_cpus[i] != t->measure_cpu) {
            t->housekeeping_cpu = t->pkg0_cpus[i];
            break;
        }

    path = jt_xasprintf("%s/cpu%d/topology/thread_siblings_list", cpu_root(), t->measure_cpu);
    char *sib = jt_read_first_line(path);
    free(path);
    if (sib) {
        int s[64];
        int ns = jt_cpulist_parse(sib, s, 64);
        for (int i = 0; i < ns; i++)
            for (int j = 0; j < n && s[i] != t->measure_cpu; j++)
                if (cpus[j] == s[i] && t->measure_sibling < 0) t->measure_sibling = s[i];
        free(sib);
    }
    if (t->measure_sibling >= 0)
        warn(t, jt_xasprintf("SMT sibling %d of measurement core %d is online: work there shares "
                             "the core (offline it: echo 0 > %s/cpu%d/online)",
                             t->measure_sibling, t->measure_cpu, cpu_root(), t->measure_sibling));
    path = jt_xasprintf("%s/isolated", cpu_root());
    t->measure_isolated = in_list(path, t->measure_cpu);
    free(path);
    path = jt_xasprintf("%s/nohz_full", cpu_root());
    t->measure_nohz_full = in_list(path, t->measure_cpu);
    free(path);
    if (!t->measure_isolated)
        warn(t, jt_xasprintf("measurement core %d is not in isolcpus: the scheduler may put other "
                             "tasks on it (boot with isolcpus=%d nohz_full=%d)",
                             t->measure_cpu, t->measure_cpu, t->measure_cpu));
    rc = 0;
out:
    free(cpus);
    free(online);
    if (rc) jt_topology_release(t);
    return rc;
}

void jt_topology_release(jt_topology *t)
{
    for (size_t i = 0; i < t->n_warnings; i++) free(t->warnings[i]);
    free(t->warnings);
    t->warnings = NULL;
    t->n_warnings = 0;
}

int jt_pin_self(int cpu, jt_err *err)
{
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    if (sched_setaffinity(0, sizeof set, &set) != 0)
        return jt_err_set(err, "cannot pin to CPU %d: %s", cpu, strerror(errno));
    return 0;
}
