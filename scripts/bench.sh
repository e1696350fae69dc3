#!/bin/sh
# make bench: loader and ranking scaling. Generates suites with N candidates (inline code,
# 3 test cases each) and times `jouletrace validate --parse-only` on them,
# with the peak RSS, so "memory and time grow linearly with candidates" is a
# printed figure, not a hope. Also loads HumanEval+ with all 122k inputs.
# Usage: scripts/bench.sh [BINARY]
set -eu
bin=${1:-build/jouletrace}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

python3 - "$bin" "$tmp" <<'PY'
import os, resource, subprocess, sys, time
binary, tmp = sys.argv[1], sys.argv[2]

def measure(path):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    out = subprocess.run([binary, "validate", "--parse-only", path], capture_output=True, text=True)
    dt = time.perf_counter() - t0
    if out.returncode != 0:
        sys.exit("bench: %s failed: %s" % (path, out.stderr.strip()))
    rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # KiB, max over children so far
    return dt, rss, out.stdout.strip()

print("%-34s %10s %10s %14s" % ("suite", "seconds", "peak MiB", "us/candidate"))
for n in (1000, 10000, 50000):
    path = os.path.join(tmp, "gen%d.yaml" % n)
    with open(path, "w") as f:
        f.write("suite: bench\ntest_sets:\n  - id: s\n    function_name: f\n    test_cases:\n")
        for i in range(3):
            f.write("      - {test_id: t%d, inputs: [%d, [1, 2, 3]], expected_output: %d}\n" % (i, i, i))
        f.write("candidates:\n")
        for i in range(n):
            f.write("  - id: c%d\n    candidate_code: |\n      def f(x, y):\n          return x + %d * 0\n" % (i, i))
    dt, rss, _ = measure(path)
    print("%-34s %10.3f %10.1f %14.2f" % ("generated, %d candidates" % n, dt, rss / 1024, dt / n * 1e6))

he = os.path.join(tmp, "he.yaml")
corpora = os.path.abspath(os.path.join(os.getcwd(), "..", "shared", "corpora"))
with open(he, "w") as f:
    f.write("suite: heplus\ntest_sets:\n  - problems: {format: evalplus, path: %s/HumanEvalPlus-v0.1.10.jsonl.gz, inputs: all, canonical_candidates: true}\ncandidates: []\n" % corpora)
if os.path.exists(os.path.join(corpora, "HumanEvalPlus-v0.1.10.jsonl.gz")):
    dt, rss, line = measure(he)
    print("%-34s %10.3f %10.1f   %s" % ("HumanEval+ all inputs", dt, rss / 1024, line.split(": ", 1)[1]))

# Ranking cost (leaderboard: bootstrap ratio CIs, Mann-Whitney, ties): the
# same 210,000 trials as 21 candidates x 10,000 and as 2,100 x 100. Linear
# in candidates and at most linear in trials per candidate means the two
# take about the same time (the old sort-per-resample bootstrap took ~6 min
# for the first).
import csv, random
def board(cands, trials):
    path = os.path.join(tmp, "rank_%d_%d.csv" % (cands, trials))
    rng = random.Random(cands * 100003 + trials)
    cols = ["csv_schema", "test_set", "candidate", "status", "is_correct", "median_total_energy_joules",
            "n_trials", "energy_source", "host", "cpu_model", "run_started", "finished",
            "test_set_reference", "trial_total_energy_joules"]
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(cols)
        for c in range(cands):
            base = 1.0 + 0.01 * c
            xs = sorted(base * (1 + 0.05 * rng.random()) for _ in range(trials))
            med = (xs[(trials - 1) // 2] + xs[trials // 2]) / 2
            w.writerow(["1", "s", "c%d" % c, "completed", "true", repr(med), trials, "model", "bench",
                        "cpu", "2026-01-01T00:00:00Z", "2026-01-01T00:00:00Z", "c0",
                        ";".join(repr(x) for x in xs)])
    t0 = time.perf_counter()
    out = subprocess.run([binary, "leaderboard", path, "-o", os.path.join(tmp, "board.csv")],
                         capture_output=True, text=True)
    dt = time.perf_counter() - t0
    if out.returncode != 0:
        sys.exit("bench: leaderboard failed: %s" % out.stderr.strip())
    return dt
print()
print("%-34s %10s %14s" % ("leaderboard (210,000 trials)", "seconds", "us/trial"))
half = board(1050, 100)
wide = board(2100, 100)
deep = board(21, 10000)
print("%-34s %10.3f %14.2f" % ("2,100 candidates x 100 trials", wide, wide / 210000 * 1e6))
print("%-34s %10.3f %14.2f" % ("21 candidates x 10,000 trials", deep, deep / 210000 * 1e6))
print("%-34s %10.3f %14.2f" % ("1,050 candidates x 100 trials", half, half / 105000 * 1e6))
print("%-34s %10.2f" % ("ratio 2,100 / 1,050 (2 = linear)", wide / half))
print("%-34s %10.2f" % ("ratio deep / wide (<= 1: linear)", deep / wide))
PY
