/* What `run` prints while it measures (run_progress.h). */
#include "commands/run_progress.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jouletrace/clock.h"
#include "jouletrace/common.h"

static void fmt_duration(double s, char *buf, size_t n)
{
    if (!isfinite(s) || s < 0) snprintf(buf, n, "?");
    else if (s < 60) snprintf(buf, n, "%.0fs", s);
    else if (s < 3600) snprintf(buf, n, "%.0fm%02.0fs", floor(s / 60), fmod(s, 60));
    else snprintf(buf, n, "%.0fh%02.0fm", floor(s / 3600), floor(fmod(s, 3600) / 60));
}

void jt_run_on_trial(void *ctx, const char *id, size_t trial, size_t max)
{
    jt_run_progress *p = ctx;
    if (p->quiet || !p->tty) return;
    double el = jt_monotonic_s() - p->t0;
    char eta[32] = "?";
    if (p->done) fmt_duration(el / (double)p->done * (double)(p->total - p->done), eta, sizeof eta);
    /* The id comes from the suite: print only its printable bytes. */
    fprintf(stderr, "\r\033[K[%zu/%zu] ", p->done + 1, p->total);
    for (const char *c = id; *c && c - id < 40; c++) fputc((unsigned char)*c < 0x20 ? '?' : *c, stderr);
    fprintf(stderr, " trial %zu/%zu  ETA %s", trial, max, eta);
    fflush(stderr);
}

void jt_run_finished(void *ctx, const json_t *rec)
{
    jt_run_progress *p = ctx;
    p->done++;
    const char *st = json_string_value(json_object_get(rec, "status"));
    if (st && !strcmp(st, "failed") && p->failed++ == 0) {
        const char *why = json_string_value(json_object_get(rec, "error"));
        p->first_failure = jt_xasprintf("%s: %s", json_string_value(json_object_get(rec, "id")),
                                        why ? why : "no reason recorded");
    }
    if (p->quiet) return;
    json_t *m = json_object_get(json_object_get(rec, "energy_metrics"), "median_total_energy_joules");
    if (p->tty) fputs("\r\033[K", stderr);
    fprintf(stderr, "[%zu/%zu] ", p->done, p->total);
    const char *id = json_string_value(json_object_get(rec, "id"));
    for (const char *c = id; c && *c && c - id < 60; c++) fputc((unsigned char)*c < 0x20 ? '?' : *c, stderr);
    if (json_is_number(m))
        fprintf(stderr, " %s  %.4g J/iteration\n", st, json_number_value(m));
    else
        fprintf(stderr, " %s\n", st);
}

void jt_run_progress_release(jt_run_progress *p)
{
    free(p->first_failure);
    p->first_failure = NULL;
}
