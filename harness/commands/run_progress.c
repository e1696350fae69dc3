/* What `run` prints while it measures (run_progress.h). */
#include "commands/run_progress.h"

#include <math.h>
#include <stdbool.h>
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

static void count_status(jt_run_progress *p, const char *st)
{
    if (!st) st = "unknown";
    for (size_t i = 0; i < p->n_status; i++)
        if (!strcmp(p->status[i].name, st)) {
            p->status[i].n++;
            return;
        }
    if (p->n_status == JT_RUN_PROGRESS_STATUSES) {
        p->other++;
        return;
    }
    snprintf(p->status[p->n_status].name, sizeof p->status[0].name, "%s", st);
    p->status[p->n_status++].n = 1;
}

void jt_run_progress_counts(const jt_run_progress *p, char *buf, size_t n)
{
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; i <= p->n_status && used < n; i++) {
        const char *name = i < p->n_status ? p->status[i].name : "other";
        size_t k = i < p->n_status ? p->status[i].n : p->other;
        if (!k) continue;
        int w = snprintf(buf + used, n - used, "%s%s %zu", used ? ", " : "", name, k);
        if (w < 0) break;
        used += (size_t)w;
    }
    if (!used) snprintf(buf, n, "none finished yet");
}

/* Elapsed and ETA (from the rate so far: elapsed per finished candidate). */
static void times(const jt_run_progress *p, double now, char *el, char *eta, size_t n)
{
    double e = now - p->t0;
    fmt_duration(e, el, n);
    if (p->done) fmt_duration(e / (double)p->done * (double)(p->total - p->done), eta, n);
    else snprintf(eta, n, "?");
}

void jt_run_progress_line(jt_run_progress *p)
{
    if (p->quiet || p->tty) return;
    if (p->last_line > 0 && p->line_done == p->done && p->done == p->total) return; /* said */
    double now = jt_monotonic_s();
    char el[32], eta[32], counts[512];
    times(p, now, el, eta, sizeof el);
    jt_run_progress_counts(p, counts, sizeof counts);
    double pct = p->total ? 100.0 * (double)p->done / (double)p->total : 100.0;
    fprintf(stderr, "jouletrace: progress: %zu/%zu candidates (%.1f %%), elapsed %s, ETA %s; %s\n",
            p->done, p->total, pct, el, eta, counts);
    fflush(stderr);
    p->last_line = now;
    p->line_done = p->done;
}

/* The plain line for logs: every 0, after each candidate; else once
 * `every` seconds have passed since the last line (or the start). */
static void plain_line(jt_run_progress *p, bool at_end)
{
    if (p->quiet || p->tty) return;
    if (p->every <= 0) {
        if (at_end) jt_run_progress_line(p);
        return;
    }
    double since = p->last_line > 0 ? p->last_line : p->t0;
    if (jt_monotonic_s() - since >= p->every) jt_run_progress_line(p);
}

void jt_run_on_trial(void *ctx, const char *id, size_t trial, size_t max)
{
    jt_run_progress *p = ctx;
    if (p->quiet) return;
    if (!p->tty) {
        plain_line(p, false);
        return;
    }
    double now = jt_monotonic_s();
    char el[32], eta[32], counts[512];
    times(p, now, el, eta, sizeof el);
    jt_run_progress_counts(p, counts, sizeof counts);
    /* The id comes from the suite: print only its printable bytes. */
    fprintf(stderr, "\r\033[K[%zu/%zu] ", p->done + 1, p->total);
    for (const char *c = id; *c && c - id < 40; c++) fputc((unsigned char)*c < 0x20 ? '?' : *c, stderr);
    fprintf(stderr, " trial %zu/%zu  elapsed %s  ETA %s  (%s)", trial, max, el, eta, counts);
    fflush(stderr);
}

void jt_run_finished(void *ctx, const json_t *rec)
{
    jt_run_progress *p = ctx;
    p->done++;
    const char *st = json_string_value(json_object_get(rec, "status"));
    count_status(p, st);
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
    plain_line(p, true);
}

void jt_run_progress_release(jt_run_progress *p)
{
    free(p->first_failure);
    p->first_failure = NULL;
}
