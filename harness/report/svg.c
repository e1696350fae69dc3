/* Inline SVG charts for index.html and the HTML leaderboard (report.h):
 * medians with CI whiskers and an energy-vs-time scatter. Plain SVG shapes,
 * no scripts, no external references; every label goes through
 * jt_report_html_escape. Hovering a mark shows its exact values (<title>). */
#include "jouletrace/report.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define LOG_RANGE 20.0   /* log scale when max/min exceeds this */
#define MAX_ROWS 40      /* medians chart: the best 40 (the table has the rest) */
#define LABEL_CHARS 30   /* candidate ids are cut to this many bytes in charts */

/* Two colours alternate between tie groups; the reference is orange. */
static const char *const tie_colours[] = {"#1f5fbf", "#7a3fb0"};
#define REF_COLOUR "#d9731a"

typedef struct scale {
    bool log;
    double d0, d1;   /* domain (log10 of it on a log scale) */
    double r0, r1;   /* pixels */
} scale;

static double map(const scale *s, double v)
{
    double x = s->log ? log10(v) : v;
    double t = s->d1 > s->d0 ? (x - s->d0) / (s->d1 - s->d0) : 0.5;
    return s->r0 + t * (s->r1 - s->r0);
}

/* Domain over the finite values of x[0..n); log when they are all positive
 * and span more than LOG_RANGE. A linear domain starts at 0 for positive
 * data so that distances read as ratios. */
static void fit(scale *s, const double *x, size_t n, double r0, double r1)
{
    double lo = INFINITY, hi = -INFINITY;
    for (size_t i = 0; i < n; i++)
        if (isfinite(x[i])) lo = fmin(lo, x[i]), hi = fmax(hi, x[i]);
    s->r0 = r0, s->r1 = r1;
    if (!(lo <= hi)) lo = 0, hi = 1;
    s->log = lo > 0 && hi / lo > LOG_RANGE;
    if (s->log) {
        s->d0 = floor(log10(lo));
        s->d1 = ceil(log10(hi));
        if (s->d1 <= s->d0) s->d1 = s->d0 + 1;
    } else {
        s->d0 = lo > 0 ? 0 : lo;
        s->d1 = hi > s->d0 ? hi * (hi > 0 ? 1.05 : 0.95) : s->d0 + 1;
        if (s->d1 <= s->d0) s->d1 = s->d0 + 1;
    }
}

/* Tick values: decades on a log scale, 1-2-5 steps on a linear one. */
static size_t ticks(const scale *s, double *t, size_t max)
{
    size_t n = 0;
    if (s->log) {
        for (double e = s->d0; e <= s->d1 + 1e-9 && n < max; e++) t[n++] = pow(10, e);
        return n;
    }
    double raw = (s->d1 - s->d0) / 5, mag = pow(10, floor(log10(raw))), step = mag;
    if (raw / mag > 5) step = 10 * mag;
    else if (raw / mag > 2) step = 5 * mag;
    else if (raw / mag > 1) step = 2 * mag;
    for (double v = ceil(s->d0 / step) * step; v <= s->d1 + step * 1e-9 && n < max; v += step)
        t[n++] = fabs(v) < step * 1e-9 ? 0 : v;
    return n;
}

/* max: bytes of s shown (0: all); candidate ids are cut, axis texts not. */
static void text(jt_buf *o, double x, double y, const char *anchor, const char *cls, const char *s,
                 size_t max)
{
    jt_buf_addf(o, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\"%s%s%s>", x, y, anchor,
                cls ? " class=\"" : "", cls ? cls : "", cls ? "\"" : "");
    jt_report_html_escape(o, s, max);
    jt_buf_adds(o, "</text>");
}

static void tick_label(jt_buf *o, double v, const char *unit, double x, double y, const char *anchor)
{
    jt_buf b = JT_BUF_INIT;
    jt_report_fmt_si(&b, v, unit);
    text(o, x, y, anchor, "tick", jt_buf_str(&b), 0);
    jt_buf_release(&b);
}

static bool is_reference(const jt_report_entry *e)
{
    return e->reference[0] && !strcmp(e->reference, e->candidate);
}

void jt_report_svg_medians(jt_buf *o, const jt_report_entry *const *entries, size_t n)
{
    const jt_report_entry *rows[MAX_ROWS];
    size_t nr = 0;
    for (size_t i = 0; i < n && nr < MAX_ROWS; i++)
        if (entries[i]->rank && isfinite(entries[i]->median)) rows[nr++] = entries[i];
    if (!nr) return;
    const double W = 600, L = 200, R = 24, T = 8, ROW = 20, B = 40;
    double H = T + ROW * (double)nr + B;
    double vals[3 * MAX_ROWS];
    for (size_t i = 0; i < nr; i++)
        vals[3 * i] = rows[i]->median, vals[3 * i + 1] = rows[i]->lo, vals[3 * i + 2] = rows[i]->hi;
    scale sx;
    fit(&sx, vals, 3 * nr, L, W - R);
    jt_buf_addf(o, "<svg class=\"chart\" width=\"%.0f\" "
                   "height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\" role=\"img\" aria-label=\"median "
                   "energy per iteration with 95%% confidence intervals\">",
                W, H, W, H);
    double t[16], y_axis = T + ROW * (double)nr;
    size_t nt = ticks(&sx, t, 16);
    for (size_t k = 0; k < nt; k++) {
        double x = map(&sx, t[k]);
        jt_buf_addf(o, "<line class=\"grid\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>", x,
                    T, x, y_axis);
        tick_label(o, t[k], "J", x, y_axis + 14, "middle");
    }
    jt_buf_addf(o, "<line class=\"axis\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>", L,
                y_axis, W - R, y_axis);
    text(o, (L + W - R) / 2, H - 6, "middle", "label",
         sx.log ? "energy per iteration (log scale)" : "energy per iteration", 0);
    for (size_t i = 0; i < nr; i++) {
        const jt_report_entry *e = rows[i];
        double y = T + ROW * ((double)i + 0.5);
        const char *col = is_reference(e) ? REF_COLOUR : tie_colours[(e->tie_group + 1) % 2];
        char label[32];
        snprintf(label, sizeof label, "%zu. ", e->rank);
        jt_buf lab = JT_BUF_INIT;
        jt_buf_adds(&lab, label);
        jt_buf_adds(&lab, e->candidate);
        text(o, L - 8, y + 4, "end", is_reference(e) ? "ref" : NULL, jt_buf_str(&lab), LABEL_CHARS);
        jt_buf_release(&lab);
        jt_buf_adds(o, "<g><title>");
        jt_report_html_escape(o, e->candidate, 0);
        jt_buf_adds(o, ": median ");
        jt_report_fmt_si(o, e->median, "J");
        jt_buf_adds(o, ", 95% CI ");
        jt_report_fmt_si(o, e->lo, "J");
        jt_buf_adds(o, " to ");
        jt_report_fmt_si(o, e->hi, "J");
        jt_buf_addf(o, ", tie group %zu</title>", e->tie_group);
        if (isfinite(e->lo) && isfinite(e->hi) && (!sx.log || (e->lo > 0 && e->hi > 0))) {
            double x0 = map(&sx, e->lo), x1 = map(&sx, e->hi);
            jt_buf_addf(o, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" "
                           "stroke-width=\"1.5\"/>", x0, y, x1, y, col);
            for (int k = 0; k < 2; k++)
                jt_buf_addf(o, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
                               "stroke=\"%s\" stroke-width=\"1.5\"/>",
                            k ? x1 : x0, y - 5, k ? x1 : x0, y + 5, col);
        }
        if (!sx.log || e->median > 0)
            jt_buf_addf(o, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4.5\" fill=\"%s\"/>",
                        map(&sx, e->median), y, col);
        jt_buf_adds(o, "</g>");
    }
    jt_buf_adds(o, "</svg>");
}

void jt_report_svg_scatter(jt_buf *o, const jt_report_entry *const *entries, size_t n)
{
    double *xs = jt_xcalloc(n + 1, sizeof *xs), *ys = jt_xcalloc(n + 1, sizeof *ys);
    size_t np = 0;
    for (size_t i = 0; i < n; i++)
        if (entries[i]->rank && isfinite(entries[i]->median) && isfinite(entries[i]->time))
            xs[np] = entries[i]->time, ys[np++] = entries[i]->median;
    if (np) {
        const double W = 400, H = 280, L = 78, R = 18, T = 12, B = 44;
        scale sx, sy;
        fit(&sx, xs, np, L, W - R);
        fit(&sy, ys, np, H - B, T);
        jt_buf_addf(o, "<svg class=\"chart\" width=\"%.0f\" "
                       "height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\" role=\"img\" aria-label=\"energy "
                       "against time per iteration\">", W, H, W, H);
        double t[16];
        size_t nt = ticks(&sx, t, 16);
        for (size_t k = 0; k < nt; k++) {
            double x = map(&sx, t[k]);
            jt_buf_addf(o, "<line class=\"grid\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>",
                        x, T, x, H - B);
            tick_label(o, t[k], "s", x, H - B + 14, "middle");
        }
        nt = ticks(&sy, t, 16);
        for (size_t k = 0; k < nt; k++) {
            double y = map(&sy, t[k]);
            jt_buf_addf(o, "<line class=\"grid\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>",
                        L, y, W - R, y);
            tick_label(o, t[k], "J", L - 6, y + 4, "end");
        }
        jt_buf_addf(o, "<rect class=\"frame\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\"/>",
                    L, T, W - R - L, H - B - T);
        text(o, (L + W - R) / 2, H - 8, "middle", "label",
             sx.log ? "time per iteration (log scale)" : "time per iteration", 0);
        jt_buf_addf(o, "<text class=\"label\" transform=\"translate(13 %.1f) rotate(-90)\" "
                       "text-anchor=\"middle\">%s</text>",
                    (T + H - B) / 2, sy.log ? "energy per iteration (log)" : "energy per iteration");
        for (size_t i = 0; i < n; i++) {
            const jt_report_entry *e = entries[i];
            if (!e->rank || !isfinite(e->median) || !isfinite(e->time)) continue;
            double x = map(&sx, e->time), y = map(&sy, e->median);
            jt_buf_adds(o, "<g><title>");
            jt_report_html_escape(o, e->candidate, 0);
            jt_buf_adds(o, ": ");
            jt_report_fmt_si(o, e->median, "J");
            jt_buf_adds(o, " in ");
            jt_report_fmt_si(o, e->time, "s");
            jt_buf_addf(o, "</title><circle cx=\"%.1f\" cy=\"%.1f\" r=\"4\" fill=\"%s\" "
                           "fill-opacity=\"0.8\"/><text class=\"pt\" x=\"%.1f\" y=\"%.1f\">%zu</text></g>",
                        x, y, is_reference(e) ? REF_COLOUR : tie_colours[(e->tie_group + 1) % 2],
                        x + 6, y - 5, e->rank);
        }
        jt_buf_adds(o, "</svg>");
    }
    free(xs);
    free(ys);
}
