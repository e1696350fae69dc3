/* powercap backend: /sys/class/powercap (intel_rapl_msr, also used for AMD).
 *
 * Zones are chosen by their `name`, never by index (pyJoules#14): package 0
 * is the zone named "package-0", or the sum of "package-0-die-M" on
 * multi-die parts; its DRAM is the subzone named "dram". psys (which
 * contains the package), core and uncore (contained in it) never enter the
 * total, and intel-rapl-mmio:* zones mirror the MSR zones, so they are only
 * used when no MSR zone names package 0 — summing both doubled readings in
 * other tools. The kernel converts to microjoules but leaves the wrap at
 * max_energy_range_uj to us; that value differs between kernels, so it is
 * read, never assumed. fds stay open and every sample is one pread. */
#include "jouletrace/energy_backend.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DEFAULT_ROOT "/sys/class/powercap"
#define MSR_PREFIX "intel-rapl:"
#define MMIO_PREFIX "intel-rapl-mmio:"

typedef struct zone {
    char *dir;   /* directory entry, e.g. "intel-rapl:0:1" */
    char *name;  /* contents of its `name` */
    bool mmio;
    bool sub;    /* "P:N:M" rather than "P:N" */
    char *parent; /* for subzones, the parent's entry name */
} zone;

typedef struct pc_priv {
    int fd[JT_ENERGY_MAX_SOURCES];
    size_t n;
} pc_priv;

static int cmp_zone(const void *a, const void *b)
{
    return strcmp(((const zone *)a)->dir, ((const zone *)b)->dir);
}

static void free_zones(zone *z, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(z[i].dir);
        free(z[i].name);
        free(z[i].parent);
    }
    free(z);
}

/* Every directory that looks like a RAPL zone and has a readable name. */
static int list_zones(const char *root, zone **out, size_t *nout, jt_err *err)
{
    DIR *d = opendir(root);
    if (!d) {
        if (errno == ENOENT)
            return jt_err_set(err, "no %s (no powercap RAPL driver: modprobe intel_rapl_msr; "
                                   "virtual machines expose none)", root);
        return jt_err_set(err, "cannot list %s: %s", root, strerror(errno));
    }
    zone *z = NULL;
    size_t n = 0, cap = 0;
    jt_buf text = JT_BUF_INIT;
    struct dirent *e;
    while ((e = readdir(d))) {
        bool mmio = !strncmp(e->d_name, MMIO_PREFIX, strlen(MMIO_PREFIX));
        if (!mmio && strncmp(e->d_name, MSR_PREFIX, strlen(MSR_PREFIX))) continue;
        char *path = jt_xasprintf("%s/%s/name", root, e->d_name);
        int rc = jt_energy_slurp(path, &text);
        free(path);
        if (rc) continue; /* "intel-rapl" itself is a control type, not a zone */
        const char *id = e->d_name + strlen(mmio ? MMIO_PREFIX : MSR_PREFIX);
        const char *colon = strchr(id, ':');
        JT_GROW(z, n + 1, cap);
        z[n] = (zone){
            .dir = jt_xstrdup(e->d_name),
            .name = jt_xstrdup(jt_buf_str(&text)),
            .mmio = mmio,
            .sub = colon != NULL,
            .parent = colon ? jt_xstrndup(e->d_name, (size_t)(colon - e->d_name)) : NULL,
        };
        n++;
    }
    closedir(d);
    jt_buf_release(&text);
    if (n) qsort(z, n, sizeof *z, cmp_zone);
    *out = z;
    *nout = n;
    return 0;
}

static bool is_pkg0(const zone *z, bool exact)
{
    if (z->sub) return false;
    if (exact) return !strcmp(z->name, "package-0");
    return !strncmp(z->name, "package-0-die-", strlen("package-0-die-"));
}

static int permission_error(jt_err *err, const char *path)
{
    return jt_err_set(err, "%s: permission denied: energy_uj is readable by root only since "
                           "Linux 5.10 (CVE-2020-8694) — run as root or add a udev rule "
                           "(chmod 0444 on the energy_uj files)", path);
}

/* The zone's stated power ceiling in W: the highest of its constraints'
 * max_power_uw and power_limit_uw (PL1, PL2, ...); 0 when it states none. */
static double zone_ceiling_w(const char *root, const zone *z)
{
    static const char *const kinds[] = {"max_power_uw", "power_limit_uw"};
    uint64_t best = 0;
    for (int c = 0; c < 8; c++)
        for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
            char *path = jt_xasprintf("%s/%s/constraint_%d_%s", root, z->dir, c, kinds[k]);
            jt_buf text = JT_BUF_INIT;
            uint64_t v = 0;
            if (jt_energy_slurp(path, &text) == 0 && jt_energy_parse_u64(jt_buf_str(&text), &v) == 0 &&
                v > best && v < UINT64_MAX)
                best = v;
            jt_buf_release(&text);
            free(path);
        }
    return (double)best * 1e-6;
}

static const char pkg_limit_from[] =
    "the package's powercap limit: its highest constraint_*_max_power_uw / "
    "constraint_*_power_limit_uw";

/* Package 0's stated ceiling: the sum over its zones (dies) of each one's
 * ceiling; 0 when a zone states none. */
static double pkg0_ceiling(const char *root, const zone *z, size_t n, bool use_mmio, bool exact)
{
    double ceiling = 0;
    for (size_t i = 0; i < n; i++) {
        if (z[i].mmio != use_mmio || !is_pkg0(&z[i], exact)) continue;
        double c = zone_ceiling_w(root, &z[i]);
        if (c <= 0) return 0; /* a die without a stated ceiling leaves the package's unknown */
        ceiling += c;
    }
    return ceiling;
}

void jt_energy_powercap_limit(jt_energy_backend *b, const jt_energy_opts *o)
{
    const char *root = jt_energy_root(o->powercap_root, "JOULETRACE_POWERCAP_ROOT", DEFAULT_ROOT);
    zone *z = NULL;
    size_t n = 0;
    jt_err err = JT_ERR_INIT;
    if (list_zones(root, &z, &n, &err) == 0) {
        double c = 0;
        for (int pass = 0; pass < 2 && c <= 0; pass++) c = pkg0_ceiling(root, z, n, false, pass == 0);
        if (c > 0) {
            b->power_ceiling_w[JT_ENERGY_PACKAGE] = c;
            b->power_ceiling_from[JT_ENERGY_PACKAGE] = pkg_limit_from;
        }
        free_zones(z, n);
    }
    jt_err_clear(&err);
}

/* Opens one zone's energy_uj and reads its range; adds it as a source. */
static int add_zone(jt_energy_backend *b, pc_priv *p, const char *root, const zone *z,
                    int domain, jt_err *err)
{
    int rc = -1;
    char *path = jt_xasprintf("%s/%s/energy_uj", root, z->dir);
    char *rpath = jt_xasprintf("%s/%s/max_energy_range_uj", root, z->dir);
    char *where = jt_xasprintf("%s/energy_uj (%s)", z->dir, z->name);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        if (errno == EACCES || errno == EPERM) permission_error(err, path);
        else jt_err_set(err, "cannot open %s: %s", path, strerror(errno));
        goto out;
    }
    uint64_t v;
    int e = jt_energy_pread_u64(fd, &v);
    if (e) {
        if (e == EACCES || e == EPERM) permission_error(err, path);
        else jt_err_set(err, "cannot read %s: %s", path, strerror(e));
        goto out;
    }
    jt_buf text = JT_BUF_INIT;
    uint64_t range = 0;
    e = jt_energy_slurp(rpath, &text);
    if (e == 0) e = jt_energy_parse_u64(jt_buf_str(&text), &range);
    jt_buf_release(&text);
    if (e == EACCES || e == EPERM) {
        permission_error(err, rpath);
        goto out;
    }
    if (e || range == 0 || range == UINT64_MAX) {
        jt_energy_note(b, "%s: max_energy_range_uj unusable (%s): wraps cannot be corrected, "
                          "a counter going backwards rejects the sample",
                       z->dir, e ? strerror(e) : "not a range");
        range = 0;
    }
    if (jt_energy_add_source(b, domain, range ? range + 1 : 0, where, err) < 0) goto out;
    p->fd[p->n++] = fd;
    fd = -1;
    rc = 0;
out:
    if (fd >= 0) close(fd);
    free(path);
    free(rpath);
    free(where);
    return rc;
}

static void powercap_close(jt_energy_backend *b)
{
    pc_priv *p = b->priv;
    if (!p) return;
    for (size_t i = 0; i < p->n; i++) close(p->fd[i]);
    free(p);
    b->priv = NULL;
}

static void describe_domain(jt_energy_backend *b, int domain, size_t nzones)
{
    uint64_t range = 0;
    for (size_t i = 0; i < b->nsrc; i++)
        if (b->src[i].domain == domain) range = b->src[i].modulus ? b->src[i].modulus - 1 : 0;
    char *units = nzones > 1
                      ? jt_xasprintf("microjoules (energy_uj), %zu zones summed, each wrapping "
                                     "at its max_energy_range_uj", nzones)
                  : range ? jt_xasprintf("microjoules (energy_uj), wraps after "
                                         "max_energy_range_uj = %llu",
                                         (unsigned long long)range)
                          : jt_xstrdup("microjoules (energy_uj), range unknown");
    jt_energy_set_domain(b, domain, 1e-6, units);
    free(units);
}

static int powercap_open(jt_energy_backend *b, const jt_energy_opts *o, jt_err *err)
{
    const char *root = jt_energy_root(o->powercap_root, "JOULETRACE_POWERCAP_ROOT", DEFAULT_ROOT);
    zone *z = NULL;
    size_t n = 0, *dram = NULL;
    int rc = -1;
    if (list_zones(root, &z, &n, err)) return -1;
    pc_priv *p = jt_xcalloc(1, sizeof *p);
    b->priv = p;
    /* Package 0: MSR zones first; mmio only when they name no package 0. */
    bool use_mmio = false, exact = false;
    size_t npkg = 0;
    for (int pass = 0; pass < 4 && !npkg; pass++) {
        use_mmio = pass >= 2;
        exact = pass % 2 == 0;
        for (size_t i = 0; i < n; i++) npkg += z[i].mmio == use_mmio && is_pkg0(&z[i], exact);
    }
    if (!npkg) {
        jt_err_set(err, "%s has no zone named package-0 (%zu RAPL zones found)", root, n);
        goto out;
    }
    size_t ndram = 0;
    dram = jt_xcalloc(n, sizeof *dram);
    for (size_t i = 0; i < n; i++) {
        const zone *zi = &z[i];
        if (zi->mmio != use_mmio) {
            if (!zi->sub) jt_energy_note(b, "ignored %s (%s): intel-rapl-mmio mirrors the MSR "
                                            "zone, counting both would double it", zi->dir, zi->name);
            continue;
        }
        if (is_pkg0(zi, exact)) {
            if (add_zone(b, p, root, zi, JT_ENERGY_PACKAGE, err)) goto out;
            continue;
        }
        if (!zi->sub) {
            jt_energy_note(b, "ignored %s (%s): %s", zi->dir, zi->name,
                           !strcmp(zi->name, "psys") ? "platform energy contains the package"
                                                     : "not package 0");
            continue;
        }
        bool under_pkg0 = false;
        for (size_t j = 0; j < n; j++)
            under_pkg0 |= z[j].mmio == use_mmio && is_pkg0(&z[j], exact) &&
                          !strcmp(z[j].dir, zi->parent);
        if (!under_pkg0) continue;
        if (!strcmp(zi->name, "dram")) {
            dram[ndram++] = i;
        } else {
            jt_energy_note(b, "ignored %s (%s): part of the package, never added to it",
                           zi->dir, zi->name);
        }
    }
    describe_domain(b, JT_ENERGY_PACKAGE, npkg);
    b->power_ceiling_w[JT_ENERGY_PACKAGE] = pkg0_ceiling(root, z, n, use_mmio, exact);
    b->power_ceiling_from[JT_ENERGY_PACKAGE] = pkg_limit_from;
    /* DRAM is optional: a zone that will not open disables the domain (all
     * of it: a partial sum over dies would be silently low), not the
     * backend. Its sources are the last ones added, so they roll back. */
    size_t first_dram = b->nsrc;
    for (size_t k = 0; k < ndram; k++) {
        jt_err e = JT_ERR_INIT;
        if (add_zone(b, p, root, &z[dram[k]], JT_ENERGY_DRAM, &e)) {
            jt_energy_note(b, "DRAM disabled: %s", jt_err_msg(&e));
            jt_err_clear(&e);
            while (b->nsrc > first_dram) {
                close(p->fd[--p->n]);
                free(b->src[--b->nsrc].where);
            }
            break;
        }
    }
    if (b->nsrc > first_dram) describe_domain(b, JT_ENERGY_DRAM, ndram);
    else if (!ndram)
        jt_energy_note(b, "no dram subzone under package 0: DRAM energy not available");
    rc = 0;
out:
    if (rc) powercap_close(b);
    free(dram);
    free_zones(z, n);
    return rc;
}

static void powercap_read(jt_energy_backend *b, const jt_energy_input *in, uint64_t *raw,
                          int *errs)
{
    (void)in;
    pc_priv *p = b->priv;
    for (size_t i = 0; i < p->n; i++) errs[i] = jt_energy_pread_u64(p->fd[i], &raw[i]);
}

static int powercap_probe(const jt_energy_opts *o, jt_err *why)
{
    return jt_energy_probe_by_open(&jt_energy_powercap_ops, o, why);
}

const jt_energy_ops jt_energy_powercap_ops = {
    .name = "powercap",
    .kind = JT_ENERGY_POWERCAP,
    .estimate = false,
    .has_edges = true,
    .probe = powercap_probe,
    .open = powercap_open,
    .read = powercap_read,
    .close = powercap_close,
};
