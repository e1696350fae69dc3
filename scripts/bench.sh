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

# The output proof (docs/design.md "Output proof"): what encoding and
# hashing one output costs per test and iteration, beside the call of a
# null function, both timed in one process with the runner's own modules
# (timeit, best of 5); then a real run's harness floor (a null function that
# returns the expected outputs, proven like a candidate) per iteration.
import importlib.util, json, timeit, types
rdir = os.path.join(os.getcwd(), "harness", "exec", "runners")
pkg = types.ModuleType("jtbench"); pkg.__path__ = [rdir]; sys.modules["jtbench"] = pkg
def load(name):
    spec = importlib.util.spec_from_file_location("jtbench." + name, os.path.join(rdir, name + ".py"))
    m = importlib.util.module_from_spec(spec); sys.modules[spec.name] = m; spec.loader.exec_module(m)
    return m
for name in ("replies", "codec", "proof"):
    load(name)
codec, proof = sys.modules["jtbench.codec"], sys.modules["jtbench.proof"]
print()
print("%-34s %14s %14s %8s" % ("output proof, per test+iteration", "null call ns", "proof ns", "ratio"))
for label, value in (("int", 49), ("list of 100 ints", list(range(100))),
                     ("dict of 20 str->float", {"k%d" % i: i / 7 for i in range(20)})):
    p = proof.Proof("00" * 16, [codec.encode_text(value)])
    null = lambda *a: value
    n = 20000
    t_null = min(timeit.repeat(lambda: null(3), number=n, repeat=5)) / n
    t_proof = min(timeit.repeat(lambda: p.add(0, 0, codec.encode_text(null(3))), number=n,
                                repeat=5)) / n - t_null
    print("%-34s %14.0f %14.0f %8.1f" % (label, t_null * 1e9, t_proof * 1e9, t_proof / t_null))
suite = os.path.join(tmp, "proof.yaml")
with open(suite, "w") as f:
    f.write("suite: proof\ndefaults: {energy_measurement_trials: 5, min_trials: 3, min_trial_seconds: 0.2}\n"
            "test_sets:\n  - id: sq\n    function_name: f\n    test_cases:\n"
            "      - {test_id: a, inputs: [2], expected_output: 4}\n"
            "      - {test_id: b, inputs: [7], expected_output: 49}\n"
            "candidates:\n  - {id: mul, candidate_code: 'def f(x): return x * x'}\n")
out = subprocess.run([binary, "run", "--backend", "model", "--allow-uncalibrated", "-q", "-o",
                      os.path.join(tmp, "proofrun"), suite], capture_output=True, text=True)
if out.returncode != 0:
    sys.exit("bench: proof run failed: %s" % out.stderr.strip())
recs = [json.loads(l) for l in open(os.path.join(tmp, "proofrun", "journal.jsonl"))]
for r in recs:
    t = (r.get("timing") or {}).get("iteration_seconds")
    print("%-34s %14s" % ("%s per iteration (2 tests)" % r["id"],
                          "%.2f us" % (t * 1e6) if t else "-"))
PY
