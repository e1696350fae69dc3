/* index.html and the HTML leaderboard (report.h): one self-contained page —
 * CSS in a <style> block, charts as inline SVG, no scripts, no fonts or
 * images from anywhere, no absolute URLs (links are #anchors only). Every
 * string that came from a suite, a candidate, the host or a CSV file goes
 * through jt_report_html_escape; numbers are formatted here. The page holds
 * no generation time, so the same inputs give the same bytes. */
#include "jouletrace/report.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jouletrace/sandbox.h"

#define MAX_TABLE_ROWS 100     /* per test set; leaderboard.csv has them all */
#define MAX_FAILURE_ROWS 200
#define MAX_TEXT 300           /* bytes of an error or output shown */
/* After the candidate of a row judged by scripts in its own process. */
#define IN_PROCESS " <span class=\"jip\" title=\"its asserts ran in its own process\">judged in process</span>"

void jt_report_html_escape(jt_buf *out, const char *s, size_t max)
{
    char *u = jt_utf8_sanitize(s ? s : "", s ? strlen(s) : 0);
    size_t len = strlen(u);
    bool cut = max > 0 && len > max;
    if (cut) {
        len = max;
        while (len > 0 && ((unsigned char)u[len] & 0xC0) == 0x80) len--; /* not mid-character */
    }
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)u[i];
        switch (c) {
        case '&': jt_buf_adds(out, "&amp;"); break;
        case '<': jt_buf_adds(out, "&lt;"); break;
        case '>': jt_buf_adds(out, "&gt;"); break;
        case '"': jt_buf_adds(out, "&quot;"); break;
        case '\'': jt_buf_adds(out, "&#39;"); break;
        default:
            /* C0 controls other than tab/newline are not allowed in HTML text. */
            if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f)
                jt_buf_adds(out, "\xEF\xBF\xBD");
            else
                jt_buf_addc(out, (char)c);
        }
    }
    if (cut) jt_buf_adds(out, "\xE2\x80\xA6");
    free(u);
}

void jt_report_fmt_si(jt_buf *out, double v, const char *unit)
{
    static const char *const prefix[] = {"p", "n", "\xC2\xB5", "m", "", "k", "M", "G"};
    if (!isfinite(v)) {
        jt_buf_adds(out, "\xE2\x80\x93");
        return;
    }
    int e = v == 0 ? 0 : (int)floor(log10(fabs(v)) / 3) * 3;
    if (e < -12) e = -12;
    if (e > 9) e = 9;
    double s = v / pow(10, e);
    if (fabs(s) >= 999.95 && e < 9) e += 3, s /= 1000;
    jt_buf_addf(out, "%.4g %s%s", s, prefix[(e + 12) / 3], unit);
}

static void esc(jt_buf *o, const char *s) { jt_report_html_escape(o, s, 0); }

static void ratio_cell(jt_buf *o, double r, double lo, double hi)
{
    jt_buf_adds(o, "<td class=\"num\">");
    if (isfinite(r)) jt_buf_addf(o, "%.3f\xC3\x97", r);
    if (isfinite(lo) && isfinite(hi))
        jt_buf_addf(o, " <span class=\"ci\">[%.3f, %.3f]</span>", lo, hi);
    if (!isfinite(r)) jt_buf_adds(o, "\xE2\x80\x93");
    jt_buf_adds(o, "</td>");
}

static void p_cell(jt_buf *o, double p)
{
    if (!isfinite(p)) jt_buf_adds(o, "<td class=\"num\">\xE2\x80\x93</td>");
    else if (p < 1e-4) jt_buf_adds(o, "<td class=\"num\">&lt;0.0001</td>");
    else jt_buf_addf(o, "<td class=\"num\">%.2g</td>", p);
}

static const char style[] =
    "body{margin:0;background:#f5f6f8;color:#1c2230;font:15px/1.45 system-ui,-apple-system,"
    "'Segoe UI',Roboto,'Helvetica Neue',Arial,sans-serif}"
    "main{max-width:1240px;margin:0 auto;padding:18px 28px 40px}"
    "h1{font-size:1.6em;margin:.2em 0}h2{font-size:1.25em;margin:1.6em 0 .4em;"
    "border-bottom:2px solid #d5d9e2;padding-bottom:.2em}h3{font-size:1.05em;margin:1.1em 0 .3em}"
    ".sub{color:#586174;margin:0 0 .8em}"
    ".banner{padding:10px 14px;margin:8px 0;border-radius:4px;border-left:6px solid}"
    ".banner.alert{background:#fde4e1;border-color:#c62828}"
    ".banner.warn{background:#fff3d1;border-color:#d9a300}"
    "nav{margin:.6em 0}nav a{margin-right:1em}"
    "table{border-collapse:collapse;background:#fff;margin:.4em 0 1em;font-size:.92em}"
    "th,td{padding:4px 9px;border-bottom:1px solid #e3e6ec;text-align:left;vertical-align:top}"
    "th{background:#eceff4;font-weight:600}td.num,th.num{text-align:right;"
    "font-variant-numeric:tabular-nums;white-space:nowrap}"
    "tr.tg1 td{background:#f4f1fa}tr.ref td{font-weight:600}.jip{color:#9a3b00;font-size:.85em}"
    ".ci{color:#5b6475;font-size:.9em}.id{font-family:ui-monospace,SFMono-Regular,Menlo,"
    "Consolas,monospace;overflow-wrap:anywhere}td.id{min-width:9em;max-width:28em}"
    ".facts{display:grid;grid-template-columns:max-content 1fr;gap:2px 16px;background:#fff;"
    "padding:10px 14px;border-radius:4px}.facts dt{color:#586174}.facts dd{margin:0}"
    ".charts{display:flex;flex-wrap:wrap;gap:18px;align-items:flex-start}"
    "svg.chart{background:#fff;border-radius:4px}"
    "svg text{font:11px system-ui,sans-serif;fill:#1c2230}svg text.tick{fill:#586174}"
    "svg text.label{font-size:12px}svg text.ref{fill:#b35400;font-weight:600}"
    "svg text.pt{font-size:10px;fill:#39404f}"
    "svg .grid{stroke:#e6e9ef}svg .axis{stroke:#8a93a5}svg .frame{fill:none;stroke:#c4cad6}"
    "pre{white-space:pre-wrap;margin:0;font:12px ui-monospace,Menlo,Consolas,monospace}"
    "footer{color:#6b7384;font-size:.85em;margin-top:2em}";

static const char *str(const json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

static bool any_entry(const jt_report_board *b, bool (*pred)(const jt_report_entry *))
{
    for (size_t i = 0; i < b->n; i++)
        if (pred(&b->e[i])) return true;
    return false;
}

static bool is_model(const jt_report_entry *e) { return !strcmp(e->energy_source, "model"); }

static bool has_flag(const char *flags, const char *flag)
{
    size_t n = strlen(flag);
    for (const char *p = flags; (p = strstr(p, flag)); p += n)
        if ((p == flags || p[-1] == ';') && (p[n] == ';' || !p[n])) return true;
    return false;
}

static bool is_uncalibrated(const jt_report_entry *e) { return has_flag(e->flags, "uncalibrated"); }

static void banner(jt_buf *o, const char *cls, const char *html)
{
    jt_buf_addf(o, "<div class=\"banner %s\">%s</div>\n", cls, html);
}

/* Records (or a run) with less than the README's sandbox (sandbox.h). */
static void sandbox_banner(jt_buf *o, const jt_report_html_input *in)
{
    const json_t *rsb = json_object_get(in->run, "sandbox");
    size_t ran = in->notes ? in->notes->ran : 0, weak = in->notes ? in->notes->weak : 0;
    const char *first = weak ? in->notes->first_weak : NULL;
    if (!weak && !json_is_true(json_object_get(rsb, "weakened"))) return;
    jt_buf b = JT_BUF_INIT;
    jt_buf_adds(&b, "<strong>Weakened sandbox:</strong> ");
    if (weak) jt_buf_addf(&b, "%zu of %zu records ran with", weak, ran);
    else jt_buf_adds(&b, "this run had");
    jt_buf_adds(&b, " less isolation than the README describes (");
    esc(&b, first ? first : str(rsb, "description"));
    jt_buf_adds(&b, "): a hostile candidate could reach this host's files, processes or "
                    "network. Fix: ");
    esc(&b, str(rsb, "fix") ? str(rsb, "fix") : "see jouletrace status");
    banner(o, "alert", jt_buf_str(&b));
    jt_buf_release(&b);
}

static void banners(jt_buf *o, const jt_report_html_input *in)
{
    const json_t *run = in->run;
    sandbox_banner(o, in);
    const json_t *backend = json_object_get(run, "backend");
    if ((str(backend, "energy_source") && !strcmp(str(backend, "energy_source"), "model")) ||
        any_entry(in->board, is_model))
        banner(o, "alert", "<strong>Model estimates, not measurements.</strong> The energy "
                           "backend was <code>model</code> (energy_source=model): energy is "
                           "estimated from wall and CPU time with fixed powers. Do not compare "
                           "these figures with hardware measurements.");
    if (json_is_true(json_object_get(json_object_get(run, "options"), "allow_uncalibrated")) ||
        any_entry(in->board, is_uncalibrated))
        banner(o, "alert", "<strong>Calibration bypassed</strong> (--allow-uncalibrated): the "
                           "idle baseline is 0, so every energy is raw, not net of idle power.");
    double age = jt_report_calibration_age_days(run);
    const json_t *max = json_object_get(json_object_get(run, "options"), "max_age_days");
    double limit = json_is_number(max) ? json_number_value(max) : 7;
    if (isfinite(age) && age > limit) {
        jt_buf b = JT_BUF_INIT;
        jt_buf_addf(&b, "<strong>Stale calibration:</strong> the idle baseline was %.1f days "
                        "old when the run started (limit %.1f days). Recalibrate with "
                        "<code>jouletrace calibrate</code>.", age, limit);
        banner(o, "warn", jt_buf_str(&b));
        jt_buf_release(&b);
    }
    const char *status = str(run, "status");
    if (run && (!status || strcmp(status, "completed"))) {
        jt_buf b = JT_BUF_INIT;
        jt_buf_adds(&b, "<strong>This run did not finish</strong> (status: ");
        esc(&b, status ? status : "unknown");
        jt_buf_addf(&b, "). The report covers the %zu candidates journaled so far; continue it "
                        "with <code>jouletrace run SUITE --resume RUN_DIR</code>.", in->board->n);
        banner(o, "warn", jt_buf_str(&b));
        jt_buf_release(&b);
    }
    for (size_t i = 0; in->warnings && in->warnings[i]; i++) {
        jt_buf b = JT_BUF_INIT;
        esc(&b, in->warnings[i]);
        banner(o, "warn", jt_buf_str(&b));
        jt_buf_release(&b);
    }
}

static void fact(jt_buf *o, const char *name, const char *value)
{
    if (!value || !*value) return;
    jt_buf_addf(o, "<dt>%s</dt><dd>", name);
    esc(o, value);
    jt_buf_adds(o, "</dd>");
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* json_t * because jansson iterates only non-const objects; nothing is changed. */
static void host_table(jt_buf *o, json_t *start, const json_t *end)
{
    size_t n = json_object_size(start), k = 0;
    if (!n) return;
    const char **keys = jt_xcalloc(n, sizeof *keys);
    const char *key;
    const json_t *v;
    json_object_foreach(start, key, v) keys[k++] = key;
    qsort(keys, k, sizeof *keys, cmp_str);
    jt_buf_adds(o, "<h3>Host fingerprint</h3><table><tr><th>setting</th><th>at start</th>"
                   "<th>at end</th></tr>\n");
    for (size_t i = 0; i < k; i++) {
        const char *a = str(start, keys[i]), *b = str(end, keys[i]);
        bool changed = b && a && strcmp(a, b);
        jt_buf_adds(o, changed ? "<tr class=\"tg1\"><td>" : "<tr><td>");
        esc(o, keys[i]);
        jt_buf_adds(o, "</td><td class=\"id\">");
        esc(o, a ? a : "");
        jt_buf_adds(o, "</td><td class=\"id\">");
        esc(o, !end ? "(run did not finish)" : b ? (changed ? b : "same") : "");
        jt_buf_adds(o, "</td></tr>\n");
    }
    jt_buf_adds(o, "</table>\n");
    free(keys);
}

static void run_facts(jt_buf *o, const json_t *run)
{
    const json_t *suite = json_object_get(run, "suite"), *opts = json_object_get(run, "options");
    const json_t *backend = json_object_get(run, "backend"), *cal = json_object_get(run, "calibration");
    jt_buf_adds(o, "<section id=\"run\"><h2>Run</h2><dl class=\"facts\">");
    fact(o, "suite", str(suite, "name"));
    fact(o, "suite file", str(suite, "path"));
    fact(o, "suite content hash", str(suite, "content_hash"));
    fact(o, "status", str(run, "status"));
    fact(o, "started (UTC)", str(run, "started"));
    fact(o, "finished (UTC)", str(run, "finished"));
    fact(o, "jouletrace", str(run, "jouletrace_version"));
    fact(o, "energy source", str(backend, "energy_source"));
    fact(o, "backend requested", str(opts, "backend_requested"));
    fact(o, "backend notes", str(backend, "notes"));
    fact(o, "fallback reason", str(backend, "fallback_reason"));
    jt_buf b = JT_BUF_INIT;
    if (cal) {
        jt_buf_addf(&b, "%s, %.1f days before the run; idle package %.4g W",
                    str(cal, "created") ? str(cal, "created") : "?", jt_report_calibration_age_days(run),
                    json_number_value(json_object_get(json_object_get(cal, "package"), "median_watts")));
        const json_t *dram = json_object_get(json_object_get(cal, "dram"), "median_watts");
        if (json_is_number(dram)) jt_buf_addf(&b, ", DRAM %.4g W", json_number_value(dram));
    } else {
        jt_buf_adds(&b, "none (idle baseline 0)");
    }
    fact(o, "calibration", jt_buf_str(&b));
    jt_buf_reset(&b);
    jt_buf_addf(&b, "measurement %lld, housekeeping %lld",
                (long long)json_integer_value(json_object_get(opts, "measurement_cpu")),
                (long long)json_integer_value(json_object_get(opts, "housekeeping_cpu")));
    fact(o, "CPUs", jt_buf_str(&b));
    jt_buf_reset(&b);
    jt_buf_addf(&b, "%lld", (long long)json_integer_value(json_object_get(opts, "seed")));
    fact(o, "bootstrap seed", jt_buf_str(&b));
    fact(o, "shard", str(opts, "shard"));
    if (json_array_size(json_object_get(run, "resumes"))) {
        jt_buf_reset(&b);
        jt_buf_addf(&b, "%zu times", json_array_size(json_object_get(run, "resumes")));
        fact(o, "resumed", jt_buf_str(&b));
    }
    jt_buf_release(&b);
    jt_buf_adds(o, "</dl>\n");
    host_table(o, json_object_get(run, "host_start"), json_object_get(run, "host_end"));
    jt_buf_adds(o, "</section>\n");
}

/* Without run.json (leaderboard across files): where the rows came from. */
static void sources(jt_buf *o, const jt_report_board *b)
{
    jt_buf_adds(o, "<section id=\"run\"><h2>Measurements</h2><table><tr><th>host</th><th>CPU</th>"
                   "<th>energy source</th><th>run started</th><th>file</th></tr>\n");
    for (size_t i = 0; i < b->n; i++) {
        const jt_report_entry *e = &b->e[i];
        bool seen = false;
        for (size_t j = 0; j < i && !seen; j++)
            seen = !strcmp(b->e[j].host, e->host) && !strcmp(b->e[j].cpu_model, e->cpu_model) &&
                   !strcmp(b->e[j].energy_source, e->energy_source) &&
                   !strcmp(b->e[j].run_started, e->run_started) && !strcmp(b->e[j].source, e->source);
        if (seen) continue;
        const char *cells[] = {e->host, e->cpu_model, e->energy_source, e->run_started, e->source};
        jt_buf_adds(o, "<tr>");
        for (size_t k = 0; k < 5; k++) {
            jt_buf_adds(o, "<td class=\"id\">");
            esc(o, cells[k]);
            jt_buf_adds(o, "</td>");
        }
        jt_buf_adds(o, "</tr>\n");
    }
    jt_buf_adds(o, "</table></section>\n");
}

static void ranked_row(jt_buf *o, const jt_report_entry *e, bool show_run)
{
    bool ref = e->reference[0] && !strcmp(e->reference, e->candidate);
    jt_buf_addf(o, "<tr class=\"tg%zu%s\"><td class=\"num\">%zu</td><td class=\"num\">%zu</td>"
                   "<td class=\"id\">", (e->tie_group + 1) % 2, ref ? " ref" : "", e->rank,
                e->tie_group);
    esc(o, e->candidate);
    if (ref) jt_buf_adds(o, " (reference)");
    if (e->judged_in_process == 1) jt_buf_adds(o, IN_PROCESS);
    if (show_run && e->run_started[0]) {
        jt_buf_adds(o, "<br><span class=\"ci\">");
        esc(o, e->run_started);
        jt_buf_adds(o, "</span>");
    }
    jt_buf_adds(o, "</td><td class=\"num\">");
    jt_report_fmt_si(o, e->median, "J");
    jt_buf_adds(o, " <span class=\"ci\">[");
    jt_report_fmt_si(o, e->lo, "J");
    jt_buf_adds(o, ", ");
    jt_report_fmt_si(o, e->hi, "J");
    jt_buf_adds(o, "]</span></td>");
    ratio_cell(o, e->ratio_best, e->ratio_best_lo, e->ratio_best_hi);
    p_cell(o, e->p_best);
    ratio_cell(o, e->ratio_ref, e->ratio_ref_lo, e->ratio_ref_hi);
    jt_buf_addf(o, "<td>%s</td><td class=\"num\">",
                e->better_ref < 0 ? "\xE2\x80\x93" : e->better_ref ? "yes" : "no");
    jt_report_fmt_si(o, e->time, "s");
    jt_buf_adds(o, "</td><td>");
    esc(o, e->status);
    jt_buf_adds(o, "</td><td>");
    char *flags = jt_xstrdup(e->flags), *save = NULL; /* "a;b" shown as "a, b" so it wraps */
    for (char *f = strtok_r(flags, ";", &save); f; f = strtok_r(NULL, ";", &save)) {
        if (f != flags) jt_buf_adds(o, ", ");
        esc(o, f);
        if (!strcmp(f, "below_floor")) jt_buf_adds(o, " (indistinguishable from the harness)");
    }
    free(flags);
    jt_buf_adds(o, "</td></tr>\n");
}

static void test_set_section(jt_buf *o, size_t k, const jt_report_entry *e, size_t n,
                             bool show_run)
{
    const jt_report_entry **ptr = jt_xcalloc(n + 1, sizeof *ptr);
    size_t nr = 0;
    for (size_t i = 0; i < n; i++)
        if (e[i].rank) ptr[nr++] = &e[i];
    jt_buf_addf(o, "<section id=\"ts-%zu\"><h2>Test set <span class=\"id\">", k);
    esc(o, e[0].test_set);
    jt_buf_addf(o, "</span></h2><p class=\"sub\">%zu candidates, %zu ranked", n, nr);
    if (e[0].reference[0]) {
        jt_buf_adds(o, "; reference <span class=\"id\">");
        esc(o, e[0].reference);
        jt_buf_adds(o, "</span>");
    }
    jt_buf_adds(o, ". Energy is per iteration (one pass over the test set); brackets are 95% "
                   "confidence intervals; candidates in the same tie group are not "
                   "distinguishable.</p>\n");
    if (!nr) {
        jt_buf_adds(o, "<p>No candidate of this test set was measured.</p></section>\n");
        free(ptr);
        return;
    }
    jt_buf_adds(o, "<div class=\"charts\">");
    jt_report_svg_medians(o, ptr, nr);
    jt_report_svg_scatter(o, ptr, nr);
    jt_buf_adds(o, "</div>\n<table><tr><th class=\"num\">rank</th><th class=\"num\">tie</th>"
                   "<th>candidate</th><th class=\"num\">median energy [CI]</th>"
                   "<th class=\"num\">\xC3\x97 best [CI]</th><th class=\"num\">p vs best</th>"
                   "<th class=\"num\">\xC3\x97 reference [CI]</th><th>better than ref.</th>"
                   "<th class=\"num\">time</th><th>status</th><th>flags</th></tr>\n");
    for (size_t i = 0; i < nr && i < MAX_TABLE_ROWS; i++) ranked_row(o, ptr[i], show_run);
    jt_buf_adds(o, "</table>\n");
    if (nr > MAX_TABLE_ROWS)
        jt_buf_addf(o, "<p class=\"sub\">%zu more ranked candidates in leaderboard.csv.</p>\n",
                    nr - MAX_TABLE_ROWS);
    if (nr < n) jt_buf_addf(o, "<p class=\"sub\">%zu not ranked: see <a href=\"#failures\">"
                               "failures</a>.</p>\n", n - nr);
    jt_buf_adds(o, "</section>\n");
    free(ptr);
}

static void groups_section(jt_buf *o, const jt_csv_table *g)
{
    if (!g || !g->nrows) return;
    static const char *const cols[] = {"rank", "group", "pass_at_1", "geomean_energy_ratio",
                                       "ci95_low_geomean_energy_ratio",
                                       "ci95_high_geomean_energy_ratio", "tasks_covered", "tasks",
                                       "samples", "correct_samples", "ratio_baseline"};
    long c[sizeof cols / sizeof cols[0]];
    for (size_t i = 0; i < sizeof cols / sizeof cols[0]; i++) c[i] = jt_csv_col(g, cols[i]);
    jt_buf_adds(o, "<section id=\"groups\"><h2>Groups</h2><p class=\"sub\">pass@1 is the mean "
                   "share of correct samples per task; the energy ratio is the geometric mean "
                   "over covered tasks of the group's median energy (correct samples only) "
                   "divided by the task's baseline.</p><table><tr><th class=\"num\">rank</th>"
                   "<th>group</th><th class=\"num\">pass@1</th><th class=\"num\">energy ratio "
                   "[CI]</th><th class=\"num\">tasks covered</th><th class=\"num\">samples "
                   "(correct)</th><th>baseline</th></tr>\n");
    for (size_t r = 0; r < g->nrows; r++) {
        const char *v[sizeof cols / sizeof cols[0]];
        for (size_t i = 0; i < sizeof cols / sizeof cols[0]; i++)
            v[i] = c[i] < 0 ? "" : jt_csv_get(g, r, (size_t)c[i]);
        double pass, geo, lo, hi;
        jt_csv_parse_num(v[2], &pass);
        jt_csv_parse_num(v[3], &geo);
        jt_csv_parse_num(v[4], &lo);
        jt_csv_parse_num(v[5], &hi);
        jt_buf_adds(o, "<tr><td class=\"num\">");
        esc(o, v[0]);
        jt_buf_adds(o, "</td><td class=\"id\">");
        esc(o, v[1]);
        if (isfinite(pass)) jt_buf_addf(o, "</td><td class=\"num\">%.1f%%</td>", 100 * pass);
        else jt_buf_adds(o, "</td><td class=\"num\">\xE2\x80\x93</td>");
        ratio_cell(o, geo, lo, hi);
        jt_buf_adds(o, "<td class=\"num\">");
        esc(o, v[6]);
        jt_buf_adds(o, " / ");
        esc(o, v[7]);
        jt_buf_adds(o, "</td><td class=\"num\">");
        esc(o, v[8]);
        jt_buf_adds(o, " (");
        esc(o, v[9]);
        jt_buf_adds(o, ")</td><td>");
        esc(o, v[10]);
        jt_buf_adds(o, "</td></tr>\n");
    }
    jt_buf_adds(o, "</table></section>\n");
}

static void failure_details(jt_buf *o, const json_t *failures)
{
    size_t i;
    const json_t *f;
    json_array_foreach(failures, i, f) {
        if (i == 3) {
            jt_buf_addf(o, "\n(+%zu more)", json_array_size(failures) - 3);
            break;
        }
        static const char *const keys[] = {"test_id", "expected", "got", "error_type",
                                           "error_message"};
        static const char *const label[] = {"test ", "\n  expected: ", "\n  got: ", "\n  ", ": "};
        jt_buf_adds(o, i ? "\n" : "");
        for (size_t k = 0; k < 5; k++) {
            const char *v = str(f, keys[k]);
            if (!v) continue;
            jt_buf_adds(o, label[k]);
            jt_report_html_escape(o, v, MAX_TEXT);
        }
    }
}

static void failures_section(jt_buf *o, const jt_report_board *b,
                             const jt_report_journal_notes *notes)
{
    size_t n = 0;
    for (size_t i = 0; i < b->n; i++) n += !b->e[i].rank;
    jt_buf_addf(o, "<section id=\"failures\"><h2>Not ranked (%zu)</h2>\n", n);
    if (!n) {
        jt_buf_adds(o, "<p>Every candidate was correct and measured.</p></section>\n");
        return;
    }
    jt_buf_adds(o, "<table><tr><th>test set</th><th>candidate</th><th>status</th><th>reason</th>"
                   "</tr>\n");
    size_t shown = 0;
    for (size_t i = 0; i < b->n && shown < MAX_FAILURE_ROWS; i++) {
        const jt_report_entry *e = &b->e[i];
        if (e->rank) continue;
        shown++;
        jt_buf_adds(o, "<tr><td class=\"id\">");
        esc(o, e->test_set);
        jt_buf_adds(o, "</td><td class=\"id\">");
        esc(o, e->candidate);
        if (e->judged_in_process == 1) jt_buf_adds(o, IN_PROCESS);
        jt_buf_adds(o, "</td><td>");
        esc(o, e->status);
        jt_buf_adds(o, "</td><td><pre>");
        jt_report_html_escape(o, e->error[0] ? e->error : "(no reason recorded)", MAX_TEXT);
        char *key = jt_report_key(e->test_set, e->candidate);
        const json_t *failures = notes ? json_object_get(notes->failures, key) : NULL;
        free(key);
        if (json_array_size(failures)) {
            jt_buf_adds(o, "\n");
            failure_details(o, failures);
        }
        jt_buf_adds(o, "</pre></td></tr>\n");
    }
    jt_buf_adds(o, "</table>\n");
    if (n > shown)
        jt_buf_addf(o, "<p class=\"sub\">%zu more in results.csv.</p>\n", n - shown);
    jt_buf_adds(o, "</section>\n");
}

static void warnings_section(jt_buf *o, const jt_report_html_input *in)
{
    jt_buf items = JT_BUF_INIT;
    size_t i;
    const json_t *w;
    json_array_foreach(json_object_get(in->run, "warnings"), i, w) {
        jt_buf_adds(&items, "<li>");
        esc(&items, json_string_value(w));
        jt_buf_adds(&items, "</li>\n");
    }
    json_int_t guard = json_integer_value(json_object_get(in->run, "guard_failures"));
    if (guard > 0)
        jt_buf_addf(&items, "<li>Wrap-guard reads of the energy counters failed %lld time%s "
                            "during the run.</li>\n", (long long)guard, guard == 1 ? "" : "s");
    if (in->journal && in->journal->skipped)
        jt_buf_addf(&items, "<li>%zu journal line%s could not be read and %s skipped.</li>\n",
                    in->journal->skipped, in->journal->skipped == 1 ? "" : "s",
                    in->journal->skipped == 1 ? "was" : "were");
    if (in->journal && in->journal->torn)
        jt_buf_adds(&items, "<li>The journal's last line was incomplete (the run was cut off "
                            "mid-write) and was ignored.</li>\n");
    jt_buf_adds(o, "<section id=\"warnings\"><h2>Warnings</h2>\n");
    if (items.len) {
        jt_buf_adds(o, "<ul>\n");
        jt_buf_add(o, items.data, items.len);
        jt_buf_adds(o, "</ul>\n");
    } else {
        jt_buf_adds(o, "<p>None.</p>\n");
    }
    jt_buf_adds(o, "</section>\n");
    jt_buf_release(&items);
}

void jt_report_html(const jt_report_html_input *in, jt_buf *o)
{
    const jt_report_board *b = in->board;
    jt_buf_adds(o, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                   "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                   "<title>");
    esc(o, in->title);
    jt_buf_addf(o, "</title>\n<style>%s</style>\n</head>\n<body>\n<main>\n<h1>", style);
    esc(o, in->title);
    jt_buf_adds(o, "</h1>\n");
    if (in->run) {
        jt_buf_adds(o, "<p class=\"sub\">");
        esc(o, str(json_object_get(in->run, "suite"), "name"));
        jt_buf_adds(o, " \xC2\xB7 ");
        esc(o, str(in->run, "started"));
        jt_buf_adds(o, " \xC2\xB7 energy source ");
        esc(o, str(json_object_get(in->run, "backend"), "energy_source"));
        jt_buf_adds(o, "</p>\n");
    }
    banners(o, in);
    jt_buf_adds(o, "<nav>");
    size_t k = 0;
    for (size_t i = 0; i < b->n; i++) {
        if (i && !strcmp(b->e[i].test_set, b->e[i - 1].test_set)) continue;
        jt_buf_addf(o, "<a href=\"#ts-%zu\">", ++k);
        esc(o, b->e[i].test_set);
        jt_buf_adds(o, "</a> ");
    }
    if (in->groups && in->groups->nrows) jt_buf_adds(o, "<a href=\"#groups\">groups</a> ");
    jt_buf_adds(o, "<a href=\"#failures\">not ranked</a> <a href=\"#warnings\">warnings</a> "
                   "<a href=\"#run\">run</a></nav>\n");
    k = 0;
    for (size_t i = 0, j; i < b->n; i = j) {
        for (j = i + 1; j < b->n && !strcmp(b->e[j].test_set, b->e[i].test_set); j++) {}
        test_set_section(o, ++k, &b->e[i], j - i, in->run == NULL);
    }
    groups_section(o, in->groups);
    failures_section(o, b, in->notes);
    warnings_section(o, in);
    if (in->run) run_facts(o, in->run);
    else sources(o, b);
    jt_buf_addf(o, "<footer>JouleTrace report \xC2\xB7 CSV schema %d \xC2\xB7 results.csv, "
                   "trials.csv and leaderboard.csv hold every number shown here.</footer>\n"
                   "</main>\n</body>\n</html>\n", JT_CSV_SCHEMA);
}
