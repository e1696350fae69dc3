/* msr backend: RAPL registers through /dev/cpu/C/msr (msr driver, root or
 * CAP_SYS_RAWIO). Everything the kernel's perf PMU would do is ours here:
 * the unit (2^-ESU J, ESU = bits 12:8 of the power-unit register — the mask
 * is 0x1F00; 0xF000 made EnergiBridge 15-61x off), the fixed DRAM unit of
 * some servers, and the 32-bit wrap (modulus 2^32, corrected by the meter).
 * A register the part lacks reads as EIO; a fake MSR file shorter than the
 * register offset reads 0 bytes — both mean "not available" and disable
 * that domain rather than the backend (unless it is the package). */
#include "jouletrace/energy_backend.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#define DEFAULT_ROOT "/dev/cpu"

enum {
    INTEL_POWER_UNIT = 0x606,
    INTEL_PKG_ENERGY = 0x611,
    INTEL_DRAM_ENERGY = 0x619,
    INTEL_ENERGY_FILTERING = 0xBC, /* bit 0: PLATYPUS mitigation noises RAPL */
};
#define AMD_POWER_UNIT 0xC0010299u
#define AMD_PKG_ENERGY 0xC001029Bu

#define COUNTER_MODULUS (UINT64_C(1) << 32)

typedef struct msr_priv {
    int fd;
    uint32_t reg[JT_ENERGY_MAX_SOURCES];
} msr_priv;

/* 0, or an errno; a short read (register past the end of a fake file, or
 * anything the driver does not deliver whole) is EIO like a missing MSR. */
static int read_msr(int fd, uint32_t reg, uint64_t *v)
{
    ssize_t n;
    do n = pread(fd, v, sizeof *v, (off_t)reg);
    while (n < 0 && errno == EINTR);
    if (n < 0) return errno;
    return n == (ssize_t)sizeof *v ? 0 : EIO;
}

double jt_energy_msr_energy_unit(uint64_t power_unit_reg)
{
    return ldexp(1.0, -(int)((power_unit_reg & 0x1F00) >> 8));
}

/* The kernel's RAPL_UNIT_QUIRK_INTEL_HSW list (arch/x86/events/rapl.c):
 * DRAM counts in 2^-16 J on these, whatever ESU says. Sapphire Rapids had
 * its own quirk until Linux 6.1 removed it, so it is not listed. */
bool jt_energy_msr_dram_fixed_unit(const char *vendor, int family, int model)
{
    static const int models[] = {
        0x3F, /* Haswell-EP */
        0x4F, /* Broadwell-EP */
        0x56, /* Broadwell-DE */
        0x55, /* Skylake-SP, Cascade Lake, Cooper Lake */
        0x6A, /* Ice Lake-SP */
        0x6C, /* Ice Lake-D */
        0x57, /* Knights Landing */
        0x85, /* Knights Mill */
    };
    if (strcmp(vendor, "GenuineIntel") || family != 6) return false;
    for (size_t i = 0; i < sizeof models / sizeof models[0]; i++)
        if (models[i] == model) return true;
    return false;
}

/* Accepts the cpuinfo vendor strings and the short names people type. */
static const char *normalise_vendor(const char *v)
{
    if (!strcasecmp(v, "GenuineIntel") || !strcasecmp(v, "intel")) return "GenuineIntel";
    if (!strcasecmp(v, "AuthenticAMD") || !strcasecmp(v, "amd")) return "AuthenticAMD";
    if (!strcasecmp(v, "HygonGenuine") || !strcasecmp(v, "hygon")) return "HygonGenuine";
    return NULL;
}

static int parse_int(const char *s, int *out, const char *what, jt_err *err)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 0); /* "25" and "0x19" both */
    if (end == s || *end || errno || v < 0 || v > 0xFFFF)
        return jt_err_set(err, "%s: '%s' is not a CPU family/model number", what, s);
    *out = (int)v;
    return 0;
}

/* Vendor, family and model: opts, then environment, then /proc/cpuinfo. */
static int cpu_ident(const jt_energy_opts *o, const char **vendor, int *family, int *model,
                     jt_err *err)
{
    const char *v = jt_energy_root(o->cpu_vendor, "JOULETRACE_CPU_VENDOR", NULL);
    const char *f = getenv("JOULETRACE_CPU_FAMILY"), *m = getenv("JOULETRACE_CPU_MODEL");
    *family = o->cpu_family;
    *model = o->cpu_model;
    if (*family < 0 && f && *f && parse_int(f, family, "JOULETRACE_CPU_FAMILY", err)) return -1;
    if (*model < 0 && m && *m && parse_int(m, model, "JOULETRACE_CPU_MODEL", err)) return -1;
    char vbuf[64] = "";
    if (!v || *family < 0 || *model < 0) {
        FILE *fp = fopen("/proc/cpuinfo", "r");
        char line[512];
        int cf = -1, cm = -1;
        while (fp && fgets(line, sizeof line, fp)) {
            char *colon = strchr(line, ':');
            if (!colon) continue;
            char *val = colon + 1 + strspn(colon + 1, " \t");
            val[strcspn(val, "\n")] = '\0';
            if (!strncmp(line, "vendor_id", 9) && !vbuf[0]) snprintf(vbuf, sizeof vbuf, "%s", val);
            else if (!strncmp(line, "cpu family", 10) && cf < 0) parse_int(val, &cf, "", NULL);
            else if (!strncmp(line, "model\t", 6) && cm < 0) parse_int(val, &cm, "", NULL);
            if (!strncmp(line, "processor", 9) && vbuf[0] && cf >= 0 && cm >= 0) break;
        }
        if (fp) fclose(fp);
        if (!v) v = vbuf;
        if (*family < 0) *family = cf;
        if (*model < 0) *model = cm;
    }
    *vendor = v ? normalise_vendor(v) : NULL;
    if (!*vendor || *family < 0 || *model < 0)
        return jt_err_set(err, "cannot tell the CPU (vendor '%s', family %d, model %d); set "
                               "JOULETRACE_CPU_VENDOR/FAMILY/MODEL", v ? v : "", *family, *model);
    return 0;
}

static void msr_close(jt_energy_backend *b)
{
    msr_priv *p = b->priv;
    if (!p) return;
    if (p->fd >= 0) close(p->fd);
    free(p);
    b->priv = NULL;
}

static int msr_open(jt_energy_backend *b, const jt_energy_opts *o, jt_err *err)
{
    const char *root = jt_energy_root(o->msr_root, "JOULETRACE_MSR_ROOT", DEFAULT_ROOT);
    int cpu = jt_energy_pkg0_cpu(o);
    char *path = jt_xasprintf("%s/%d/msr", root, cpu);
    msr_priv *p = jt_xcalloc(1, sizeof *p);
    p->fd = -1;
    b->priv = p;
    int rc = -1, e;
    const char *vendor;
    int family, model;
    uint64_t unit_reg, v;
    p->fd = open(path, O_RDONLY | O_CLOEXEC);
    if (p->fd < 0) {
        if (errno == ENOENT || errno == ENXIO || errno == ENODEV)
            jt_err_set(err, "no %s — modprobe msr", path);
        else if (errno == EACCES || errno == EPERM)
            jt_err_set(err, "%s: permission denied — run as root (needs CAP_SYS_RAWIO)", path);
        else jt_err_set(err, "cannot open %s: %s", path, strerror(errno));
        goto out;
    }
    if (cpu_ident(o, &vendor, &family, &model, err)) goto out;
    bool intel = !strcmp(vendor, "GenuineIntel");
    if (!intel && family < 0x17) {
        jt_err_set(err, "%s family 0x%x has no RAPL energy MSRs (AMD needs family 17h+)", vendor,
                   family);
        goto out;
    }
    uint32_t unit_msr = intel ? INTEL_POWER_UNIT : AMD_POWER_UNIT;
    uint32_t pkg_msr = intel ? INTEL_PKG_ENERGY : AMD_PKG_ENERGY;
    uint32_t failed = unit_msr;
    e = read_msr(p->fd, unit_msr, &unit_reg);
    if (!e) {
        failed = pkg_msr;
        e = read_msr(p->fd, pkg_msr, &v);
    }
    if (e) {
        jt_err_set(err, "%s: RAPL MSR 0x%x not readable (%s): this CPU or its hypervisor does "
                        "not expose RAPL (virtual machines usually do not)",
                   path, (unsigned)failed, e == EIO ? "EIO" : strerror(e));
        goto out;
    }
    double unit = jt_energy_msr_energy_unit(unit_reg);
    int esu = (int)((unit_reg & 0x1F00) >> 8);
    char *where = jt_xasprintf("%s/%d/msr 0x%x", root, cpu, pkg_msr);
    char *units = jt_xasprintf("2^-%d J (%.2f uJ) per count, 32-bit counter (MSR 0x%x ESU %d)",
                               esu, unit * 1e6, unit_msr, esu);
    int idx = jt_energy_add_source(b, JT_ENERGY_PACKAGE, COUNTER_MODULUS, where, err);
    jt_energy_set_domain(b, JT_ENERGY_PACKAGE, unit, units);
    free(where);
    free(units);
    if (idx < 0) goto out;
    p->reg[idx] = pkg_msr;
    /* The package's RAPL limits as the kernel states them (MSR_PKG_POWER_LIMIT
     * 0x610 and MSR_PKG_POWER_INFO 0x614 would overlap the 8-byte registers
     * beside them in a fake MSR file, so the bound is read from powercap,
     * whose constraint files are world-readable). */
    jt_energy_powercap_limit(b, o);
    if (!intel) {
        jt_energy_note(b, "AMD RAPL has no DRAM domain");
    } else if ((e = read_msr(p->fd, INTEL_DRAM_ENERGY, &v))) {
        jt_energy_note(b, "DRAM disabled: MSR 0x%x not available (%s)", INTEL_DRAM_ENERGY,
                       e == EIO ? "EIO" : strerror(e));
    } else {
        bool fixed = jt_energy_msr_dram_fixed_unit(vendor, family, model);
        double dunit = fixed ? ldexp(1.0, -16) : unit;
        where = jt_xasprintf("%s/%d/msr 0x%x", root, cpu, INTEL_DRAM_ENERGY);
        units = fixed ? jt_xasprintf("2^-16 J (15.26 uJ) per count, fixed for family 6 model "
                                     "0x%X (server DRAM quirk), 32-bit counter", model)
                      : jt_xasprintf("2^-%d J (%.2f uJ) per count, 32-bit counter", esu,
                                     unit * 1e6);
        idx = jt_energy_add_source(b, JT_ENERGY_DRAM, COUNTER_MODULUS, where, err);
        jt_energy_set_domain(b, JT_ENERGY_DRAM, dunit, units);
        free(where);
        free(units);
        if (idx < 0) goto out;
        p->reg[idx] = INTEL_DRAM_ENERGY;
    }
    if (intel && read_msr(p->fd, INTEL_ENERGY_FILTERING, &v) == 0) {
        b->energy_filtering = (int)(v & 1);
        if (v & 1)
            jt_energy_note(b, "energy filtering is ON (MSR 0xBC bit 0): RAPL readings are "
                              "deliberately noised, up to 50%% on short windows");
    }
    rc = 0;
out:
    if (rc) msr_close(b);
    free(path);
    return rc;
}

static void msr_read(jt_energy_backend *b, const jt_energy_input *in, uint64_t *raw, int *errs)
{
    (void)in;
    msr_priv *p = b->priv;
    for (size_t i = 0; i < b->nsrc; i++) {
        errs[i] = read_msr(p->fd, p->reg[i], &raw[i]);
        raw[i] &= COUNTER_MODULUS - 1; /* bits 63:32 are reserved */
    }
}

static int msr_probe(const jt_energy_opts *o, jt_err *why)
{
    return jt_energy_probe_by_open(&jt_energy_msr_ops, o, why);
}

const jt_energy_ops jt_energy_msr_ops = {
    .name = "msr",
    .kind = JT_ENERGY_MSR,
    .estimate = false,
    .has_edges = true,
    .probe = msr_probe,
    .open = msr_open,
    .read = msr_read,
    .close = msr_close,
};
