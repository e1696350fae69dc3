/* What each CSV column means (report.h jt_report_column_doc): the text the
 * README's and the man page's column lists are generated from
 * (`jouletrace columns`). The column tables (columns.c, rank.c, groups.c)
 * say which columns exist and in what order; this table only describes
 * them, and `jouletrace columns --check` (run by `make check`) fails on a
 * column without a description or a description without a column. Energies
 * and times are per iteration (one pass over the test set) unless the text
 * says otherwise. */
#include "jouletrace/report.h"

#include <string.h>

typedef struct coldoc {
    const char *file, *column, *text;
} coldoc;

#define R "results.csv"
#define T "trials.csv"
#define L "leaderboard.csv"
#define G "leaderboard_groups.csv"

static const coldoc docs[] = {
    {R, "csv_schema", "format version of the file (1); bumped only when a column is renamed, removed or re-meant"},
    {R, "suite", "the suite's name (run.json `suite.name`)"},
    {R, "run_started", "when the run started (UTC, ISO 8601)"},
    {R, "test_set", "the candidate's test set"},
    {R, "test_set_reference", "the test set's `reference:` candidate (run.json `suite.references`)"},
    {R, "candidate", "the candidate's id, exactly as the suite gives it"},
    {R, "group", "the candidate's `group` (e.g. the model that wrote it)"},
    {R, "status", "completed, unstable, incorrect, load_error, build_failed, timeout, memory_limit, crashed, no_code or failed"},
    {R, "error", "why the status is not completed (candidate text: written as a safe cell)"},
    {R, "is_correct", "every test passed (true/false)"},
    {R, "passed_tests", "tests passed in the first eval pass"},
    {R, "total_tests", "tests in the test set"},
    {R, "median_total_energy_joules", "median over trials of (package net + DRAM raw) / iterations, J"},
    {R, "ci95_low_total_energy_joules", "lower end of the 95 % CI of that median"},
    {R, "ci95_high_total_energy_joules", "upper end of the 95 % CI of that median"},
    {R, "ci_method", "how the CI was made (order_statistic; bootstrap in older runs)"},
    {R, "ci_coverage", "the CI's fixed-n coverage (exact for order_statistic; ≥ 0.975 but for n ≤ 6)"},
    {R, "ci_rel_half_width", "max(median − low, high − median) / median: the precision the stop rule tests"},
    {R, "mean_total_energy_joules", "mean of the per-iteration total energies"},
    {R, "sd_total_energy_joules", "their sample SD (n − 1)"},
    {R, "cv_total_energy", "SD / mean"},
    {R, "robust_cv_total_energy", "1.4826 · MAD / median"},
    {R, "min_total_energy_joules", "smallest per-iteration total energy"},
    {R, "max_total_energy_joules", "largest per-iteration total energy"},
    {R, "outliers_total_energy", "trials with a modified z-score above 3.5 (flagged, never dropped)"},
    {R, "median_total_net_energy_joules", "median of (package net + DRAM net) / iterations; empty without a DRAM baseline"},
    {R, "ci95_low_total_net_energy_joules", "lower end of its 95 % CI"},
    {R, "ci95_high_total_net_energy_joules", "upper end of its 95 % CI"},
    {R, "median_package_energy_joules", "median package energy net of the idle baseline"},
    {R, "median_package_raw_energy_joules", "median package energy as counted"},
    {R, "median_ram_energy_joules", "median DRAM energy as counted; empty without a DRAM domain (flag no_dram_domain)"},
    {R, "median_ram_net_energy_joules", "median DRAM energy net of its idle baseline"},
    {R, "median_execution_time_seconds", "median wall time per iteration (the harness's clock), s"},
    {R, "ci95_low_execution_time_seconds", "lower end of its 95 % CI"},
    {R, "ci95_high_execution_time_seconds", "upper end of its 95 % CI"},
    {R, "energy_per_test_case_joules", "median_total_energy_joules / total_tests"},
    {R, "power_consumption_watts", "median over trials of total energy / wall time, W"},
    {R, "floor_total_energy_joules", "median total energy per iteration of the paired harness floor's trials (same iterations and inputs, a null function; docs/design.md \"Floor\")"},
    {R, "median_total_energy_net_of_floor_joules", "median over pairs of (candidate trial − its paired floor trial) per iteration; flag `below_floor` when its CI reaches 0"},
    {R, "n_trials", "trials measured"},
    {R, "iterations_per_trial", "passes over the test set in each trial (loop calibration)"},
    {R, "stop_reason", "precision, cv_target or max_trials (then status unstable)"},
    {R, "flags", "`;`-joined: model_estimate, uncalibrated, no_dram_domain, partial_trials, below_baseline, within_noise, outliers, below_floor, floor_failed, memoization_suspected, child_clock_disagrees, child_cpu_disagrees"},
    {R, "retried_samples", "windows repeated because an energy read was unusable"},
    {R, "energy_source", "the backend that produced the numbers: perf, powercap, msr or model (an estimate)"},
    {R, "host", "the measuring host (the record's after `merge`, else the run's)"},
    {R, "cpu_model", "the run's CPU model"},
    {R, "calibration_created", "when the idle baseline was calibrated (UTC)"},
    {R, "calibration_age_days", "its age at run start, days"},
    {R, "seed", "the candidate's seed (FNV-1a of its id XOR --seed)"},
    {R, "started", "when the candidate's measurement started (UTC)"},
    {R, "finished", "when it finished (UTC)"},
    {R, "source_path", "the file the candidate's code came from"},
    {R, "trial_total_energy_joules", "each trial's total / iterations, `;`-joined in trial order (lets `leaderboard` compute ratio CIs)"},
    {R, "ranked", "false: left off the leaderboard (the cache check suspects it, unless allow_memoization)"},
    {R, "cache_check_evidence", "what the cache check saw, when it fired"},
    {R, "judged_in_process", "true: asserts ran inside the candidate's own process, which a hostile candidate can defeat"},
    {R, "isolation", "the candidate's confinement: cgroup-v2, cgroup-v1 (with \"; swap not limited\" where the kernel cannot limit swap), or \"rlimits: WHY\" where no cgroup could be made"},
    {R, "peak_memory_bytes", "the highest memory use of the candidate's whole process tree, from its cgroup (bytes); empty without one"},
    {R, "floor_key", "the test set and the options that shaped the paired floor (`name=value` fields separated by U+001F)"},
    {R, "floor_n_trials", "trials of the paired floor (one per candidate trial)"},
    {R, "floor_ci95_low_total_energy_joules", "lower end of the 95 % CI of the floor's median"},
    {R, "floor_ci95_high_total_energy_joules", "upper end of the 95 % CI of the floor's median"},
    {R, "ci95_low_total_energy_net_of_floor_joules", "lower end of the 95 % CI of the net-of-floor median (order statistics of the pair differences)"},
    {R, "ci95_high_total_energy_net_of_floor_joules", "upper end of that CI"},
    {R, "median_execution_time_net_of_floor_seconds", "median over pairs of (candidate − floor) time per iteration, s"},
    {R, "ci95_low_execution_time_net_of_floor_seconds", "lower end of its 95 % CI"},
    {R, "ci95_high_execution_time_net_of_floor_seconds", "upper end of its 95 % CI"},
    {R, "floor_error", "why the paired floor was lost (flag `floor_failed`: no net of floor)"},

    {T, "csv_schema", "format version of the file (1)"},
    {T, "suite", "the suite's name"},
    {T, "run_started", "when the run started (UTC)"},
    {T, "test_set", "the trial's test set"},
    {T, "candidate", "the candidate's id (floor:<test set> for a harness floor)"},
    {T, "record_type", "candidate (floor only in runs before the paired floor)"},
    {T, "status", "the record's status (a failed record keeps its partial trials here)"},
    {T, "energy_source", "the backend that produced the numbers"},
    {T, "host", "the measuring host"},
    {T, "trial", "trial number, from 1"},
    {T, "iterations", "passes over the test set in this trial"},
    {T, "wall_seconds", "the window's wall time (whole window, not per iteration), s"},
    {T, "child_seconds", "the child's own timing of the window (a cross-check)"},
    {T, "cpu_seconds", "CPU time of the child's whole process tree in the window (the harness's)"},
    {T, "package_raw_joules", "package energy of the window as counted"},
    {T, "package_net_joules", "package energy of the window net of idle power × wall time"},
    {T, "ram_raw_joules", "DRAM energy of the window as counted; empty without a DRAM domain"},
    {T, "ram_net_joules", "DRAM energy net of its idle baseline"},
    {T, "total_joules", "package net + DRAM raw for the window"},
    {T, "total_net_joules", "package net + DRAM net for the window"},
    {T, "total_energy_per_iteration_joules", "total_joules / iterations"},
    {T, "total_net_energy_per_iteration_joules", "total_net_joules / iterations"},
    {T, "time_per_iteration_seconds", "wall_seconds / iterations"},
    {T, "edge_aligned", "the window started on a counter update edge"},
    {T, "voluntary_context_switches", "the child's voluntary context switches in the window"},
    {T, "involuntary_context_switches", "its involuntary context switches"},
    {T, "interrupts", "interrupts on the measurement core in the window"},
    {T, "frequency_mhz", "the measurement core's frequency at the window's end"},
    {T, "temperature_celsius", "package temperature at the window's end"},
    {T, "kind", "candidate or floor: a floor trial's row names the candidate it is paired with (empty in runs before the paired floor, which have `record_type` floor rows)"},
    {T, "floor_key", "the paired floor's key (as in results.csv)"},
    {T, "pair", "the pair the trial belongs to (1-based): candidate and floor trial k are measured back to back"},
    {T, "first_in_pair", "true when this trial was measured first in its pair (the order alternates)"},

    {L, "csv_schema", "format version of the file (1)"},
    {L, "test_set", "the test set ranked"},
    {L, "rank", "1 = least median total energy; empty for unranked rows"},
    {L, "tie_group", "candidates indistinguishable from each other share a group (README \"Ties\")"},
    {L, "candidate", "the candidate's id"},
    {L, "group", "the candidate's group"},
    {L, "status", "completed or unstable for ranked rows; the status of unranked ones"},
    {L, "median_total_energy_joules", "median total energy per iteration"},
    {L, "ci95_low_total_energy_joules", "lower end of its 95 % CI"},
    {L, "ci95_high_total_energy_joules", "upper end of its 95 % CI"},
    {L, "n_trials", "trials measured"},
    {L, "ratio_to_best", "median / the rank-1 median"},
    {L, "ci95_low_ratio_to_best", "lower end of its bootstrap 95 % CI"},
    {L, "ci95_high_ratio_to_best", "upper end of its bootstrap 95 % CI"},
    {L, "mann_whitney_p_vs_best", "two-sided Mann–Whitney U p against rank 1"},
    {L, "ratio_to_above", "median / the median of the row above"},
    {L, "ci95_low_ratio_to_above", "lower end of its bootstrap 95 % CI"},
    {L, "ci95_high_ratio_to_above", "upper end of its bootstrap 95 % CI"},
    {L, "tie_method", "ratio_ci, or ci_overlap when results.csv has no trial samples"},
    {L, "reference", "the test set's reference candidate"},
    {L, "ratio_to_reference", "median / the reference's median"},
    {L, "ci95_low_ratio_to_reference", "lower end of its bootstrap 95 % CI"},
    {L, "ci95_high_ratio_to_reference", "upper end of its bootstrap 95 % CI"},
    {L, "p_better_than_reference", "one-sided Mann–Whitney p of \"uses less than the reference\""},
    {L, "bh_q_better_than_reference", "that p, Benjamini–Hochberg adjusted within the test set"},
    {L, "better_than_reference", "q < 0.05"},
    {L, "is_correct", "every test passed"},
    {L, "median_execution_time_seconds", "median wall time per iteration"},
    {L, "energy_source", "the backend that produced the numbers"},
    {L, "host", "the measuring host"},
    {L, "run_started", "when its run started (UTC)"},
    {L, "flags", "the results.csv flags"},
    {L, "error", "why an unranked row is not measured (candidate text: a safe cell)"},
    {L, "judged_in_process", "true: judged by asserts inside the candidate's process"},

    {G, "csv_schema", "format version of the file (1)"},
    {G, "rank", "1 = smallest geomean_energy_ratio"},
    {G, "group", "the group (e.g. a model)"},
    {G, "tasks", "test sets in the boards"},
    {G, "tasks_covered", "test sets where the group has a correct measured sample"},
    {G, "samples", "the group's candidates"},
    {G, "correct_samples", "of those, correct ones"},
    {G, "pass_at_1", "mean over tasks of correct / samples"},
    {G, "geomean_energy_ratio", "geometric mean over covered tasks of the group's median ÷ the task's baseline"},
    {G, "ci95_low_geomean_energy_ratio", "lower end of its bootstrap CI over tasks (empty below 2 tasks)"},
    {G, "ci95_high_geomean_energy_ratio", "upper end of that CI"},
    {G, "ratio_baseline", "reference, best (no reference measured) or mixed"},
};

const char *jt_report_column_doc(const char *file, const char *column)
{
    for (size_t i = 0; i < sizeof docs / sizeof docs[0]; i++)
        if (!strcmp(docs[i].file, file) && !strcmp(docs[i].column, column)) return docs[i].text;
    return NULL;
}

size_t jt_report_column_docs(const char *file, const char **columns, size_t max)
{
    size_t n = 0;
    for (size_t i = 0; i < sizeof docs / sizeof docs[0]; i++)
        if (!strcmp(docs[i].file, file)) {
            if (n < max) columns[n] = docs[i].column;
            n++;
        }
    return n;
}

int jt_report_file_columns(const char *file, jt_csv_table *out)
{
    json_t *none = json_array();
    jt_report_board empty = {0};
    int rc = 0;
    if (!strcmp(file, R)) jt_report_results_table(NULL, none, out);
    else if (!strcmp(file, T)) jt_report_trials_table(NULL, none, out);
    else if (!strcmp(file, L)) jt_report_board_table(&empty, out);
    else if (!strcmp(file, G)) jt_report_groups_table(&empty, 0, out);
    else rc = -1;
    json_decref(none);
    return rc;
}
