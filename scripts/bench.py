#!/usr/bin/env python3
"""make bench: JouleTrace's throughput and scale, beside hyperfine and timeit.

Prints one markdown table: figure, value (median and spread over repeats
where a figure is cheap enough to repeat), target, met / not met, and the
command that produced it. Every ratio is measured side by side in this one
run. `--write FILE` also writes the table (bench/results.md is written only
when asked). Usage: scripts/bench.py BINARY [--write FILE] [--quick]
[--energy-helper build/tests/bench/energy_read] [--parse-helper build/tests/bench/json_parse]
"""
import json, os, platform, random, shutil, statistics, subprocess, sys, tempfile
import time, timeit

args = sys.argv[1:]
binary = os.path.abspath(args[0] if args and not args[0].startswith("-") else "build/jouletrace")
write_to = args[args.index("--write") + 1] if "--write" in args else None
quick = "--quick" in args
energy_helper = args[args.index("--energy-helper") + 1] if "--energy-helper" in args else None
parse_helper = args[args.index("--parse-helper") + 1] if "--parse-helper" in args else None
tmp = tempfile.mkdtemp(prefix="jtbench.")
rows = []


def row(figure, value, target, met, command):
    rows.append((figure, value, target, "—" if met is None else ("met" if met else "NOT met"), command))
    print("  %s: %s" % (figure, value), file=sys.stderr, flush=True)


def timed(cmd, env=None):
    """Wall seconds and the finished process of one child command."""
    t0 = time.perf_counter()
    p = subprocess.run(cmd, capture_output=True, text=True, env=env)
    dt = time.perf_counter() - t0
    if p.returncode != 0:
        sys.exit("bench: %s failed (%d): %s" % (" ".join(cmd), p.returncode, p.stderr.strip()[-500:]))
    return dt, p


def rss_of(cmd):
    """Peak RSS (MiB) and wall seconds of cmd, measured in a helper process of its own."""
    helper = ("import resource,subprocess,sys,time\n"
              "t=time.perf_counter();p=subprocess.run(sys.argv[1:],capture_output=True)\n"
              "d=time.perf_counter()-t\n"
              "print(d,resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss/1024,p.returncode)\n")
    out = subprocess.run([sys.executable, "-c", helper] + cmd, capture_output=True, text=True)
    d, rss, rc = out.stdout.split()
    if rc != "0":
        sys.exit("bench: %s failed" % " ".join(cmd))
    return float(d), float(rss)


def lag1(xs):
    """Lag-1 autocorrelation of a series in the order it was measured."""
    m = statistics.mean(xs)
    den = sum((x - m) ** 2 for x in xs)
    return sum((xs[i] - m) * (xs[i + 1] - m) for i in range(len(xs) - 1)) / den if den > 0 else 0.0


def num(v, fmt, scale=1):
    """v formatted, or "?" where the record has null."""
    return fmt % (scale * v) if isinstance(v, (int, float)) else "?"


def cpu_ticks():
    """(steal, total) jiffies over all CPUs from /proc/stat; None where unreadable."""
    try:
        f = [int(v) for v in open("/proc/stat").readline().split()[1:]]
    except (OSError, ValueError):
        return None
    return f[7] if len(f) > 7 else 0, sum(f[:8])


def steal_since(t0):
    """The share of CPU time the hypervisor took since cpu_ticks() gave t0."""
    t1 = cpu_ticks()
    if not t0 or not t1 or t1[1] <= t0[1]:
        return float("nan")
    return (t1[0] - t0[0]) / (t1[1] - t0[1])


def spread(xs):
    m = statistics.median(xs)
    return m, (max(xs) - min(xs)) / 2


env = dict(os.environ, JOULETRACE_STATE_DIR=os.path.join(tmp, "state"))
lock = os.path.join(tmp, "socket0.lock")
common = ["--backend", "model", "--allow-uncalibrated", "--lock-file", lock]

# ---- load + plan -----------------------------------------------------------
def gen_suite(n, path):
    with open(path, "w") as f:
        f.write("suite: bench\ntest_sets:\n  - id: s\n    function_name: f\n    test_cases:\n")
        for i in range(3):
            f.write("      - {test_id: t%d, inputs: [%d, [1, 2, 3]], expected_output: %d}\n" % (i, i, i))
        f.write("candidates:\n")
        for i in range(n):
            f.write("  - id: c%d\n    candidate_code: |\n      def f(x, y):\n          return x + %d * 0\n" % (i, i))


load = {}
for n in (1000, 10000) if quick else (1000, 10000, 100000):
    path = os.path.join(tmp, "gen%d.yaml" % n)
    gen_suite(n, path)
    load[n] = [rss_of([binary, "validate", "--parse-only", path]) for _ in range(3 if n <= 10000 else 1)]
    t, _ = spread([x[0] for x in load[n]])
    r = max(x[1] for x in load[n])
    row("load + plan, %d candidates" % n, "%.3f s, %.0f MiB" % (t, r),
        "≤ 0.5 s" if n == 10000 else "", (t <= 0.5) if n == 10000 else None,
        "jouletrace validate --parse-only gen%d.yaml" % n)
ns = sorted(load)
for a, b in zip(ns, ns[1:]):
    ta, tb = (statistics.median(x[0] for x in load[k]) for k in (a, b))
    row("load growth %d → %d" % (a, b), "×%.1f time" % (tb / ta), "×%d (linear)" % (b // a),
        tb / ta <= 1.3 * b / a, "ratio of the rows above")

# ---- one real run: a record to replicate, the runner's floor vs timeit ------
small = os.path.join(tmp, "small.yaml")
with open(small, "w") as f:
    f.write("suite: small\ndefaults: {energy_measurement_trials: 5, min_trials: 5, precision_target: 0,"
            " min_trial_seconds: 0.2}\ntest_sets:\n  - id: sq\n    function_name: f\n"
            "    test_cases:\n      - {test_id: a, inputs: [7], expected_output: 49}\n"
            "candidates:\n  - {id: mul, candidate_code: 'def f(x): return x * x'}\n")
run0 = os.path.join(tmp, "run0")
timed([binary, "run", small, "-o", run0, "-q"] + common, env)
rec = json.loads(open(os.path.join(run0, "journal.jsonl")).readline())
per_it = rec["timing"]["iteration_seconds"]
floor_it = statistics.median(t["wall_seconds"] / t["iterations"]
                             for t in (rec.get("floor") or {}).get("trials") or [])
f = lambda x: x * x
ti = timeit.Timer(lambda: f(7))
number, _ = ti.autorange()
t_timeit = min(ti.repeat(repeat=5, number=number)) / number
row("runner floor per call (1 test, null-ish function)", "%.0f ns vs timeit %.0f ns (×%.2f)" %
    (floor_it * 1e9, t_timeit * 1e9, floor_it / t_timeit), "≤ ×1.2", floor_it / t_timeit <= 1.2,
    "floor trials of run0 vs timeit autorange+repeat(5) of the same call")
row("candidate per iteration (x * x, output proof included)", "%.0f ns (×%.2f of the floor)" %
    (per_it * 1e9, per_it / floor_it), "", None, "timing.iteration_seconds of run0")

# ---- report + leaderboard from N journal records ---------------------------
def gen_run(n, out, rng):
    os.makedirs(out, exist_ok=True)
    shutil.copy(os.path.join(run0, "run.json"), out)
    with open(os.path.join(out, "journal.jsonl"), "w") as j:
        for i in range(n):
            r = json.loads(json.dumps(rec))
            r["id"] = "c%d" % i
            s = 1 + rng.random()
            for t in r["trials"] + ((r.get("floor") or {}).get("trials") or []):
                for k, v in t.items():
                    if k.endswith("joules") and isinstance(v, float):
                        t[k] = v * s * (1 + 0.02 * rng.random())
            for k, v in r["energy_metrics"].items():
                if isinstance(v, float):
                    r["energy_metrics"][k] = v * s
            j.write(json.dumps(r) + "\n")


rep = {}
for n in (1000, 10000):
    d = os.path.join(tmp, "rep%d" % n)
    gen_run(n, d, random.Random(n))
    rep[n] = rss_of([binary, "report", d, "-q"])
    lb = rss_of([binary, "leaderboard", os.path.join(d, "results.csv"), "-o", os.path.join(tmp, "lb.csv")])
    row("report, %d records" % n, "%.2f s, %.0f MiB" % rep[n], "≤ 1 s, ≤ 64 MiB" if n == 10000 else "",
        (rep[n][0] <= 1 and rep[n][1] <= 64) if n == 10000 else None, "jouletrace report rep%d" % n)
    row("leaderboard, %d rows" % n, "%.2f s, %.0f MiB" % lb, "≤ 1 s, ≤ 64 MiB" if n == 10000 else "",
        (lb[0] <= 1 and lb[1] <= 64) if n == 10000 else None, "jouletrace leaderboard rep%d/results.csv" % n)
if parse_helper:
    # the report's floor: jansson parsing every record, nothing written
    _, p = timed([parse_helper, os.path.join(tmp, "rep10000", "journal.jsonl")])
    jp = json.loads(p.stdout)
    row("jansson alone: parse 10,000 records (%.0f MB)" % (jp["bytes"] / 1e6),
        "%.2f s (%.0f MB/s; reading the lines %.2f s), %.0f %% of the report's time" %
        (jp["parse_seconds"], jp["bytes"] / 1e6 / jp["parse_seconds"], jp["read_seconds"],
         100 * jp["parse_seconds"] / rep[10000][0]), "", None,
        "tests/bench/json_parse.c rep10000/journal.jsonl (best of 3)")
g = rep[10000][1] / rep[1000][1]
row("report memory growth 1,000 → 10,000", "×%.1f" % g, "×10 (linear)", g <= 13, "ratio of the rows above")
if rep[10000][1] * 10 > 4096:
    row("report, 100,000 records", "not run: the 10,000 figure projects %.1f GiB, %.0f s" %
        (rep[10000][1] * 10 / 1024, rep[10000][0] * 10), "≤ 1 s per 10,000", False, "—")
if not quick:
    # 100,000 leaderboard rows: the 10,000 results.csv ten times over, ids made unique
    import csv
    src_rows = list(csv.reader(open(os.path.join(tmp, "rep10000", "results.csv"), newline="")))
    head, body = src_rows[0], src_rows[1:]
    ci = head.index("candidate")
    big = os.path.join(tmp, "results100k.csv")
    with open(big, "w", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(head)
        for k in range(10):
            for r in body:
                r = list(r)
                r[ci] = "%s-%d" % (r[ci], k)
                w.writerow(r)
    lb100 = rss_of([binary, "leaderboard", big, "-o", os.path.join(tmp, "lb100k.csv")])
    lb10 = rss_of([binary, "leaderboard", os.path.join(tmp, "rep10000", "results.csv"), "-o",
                   os.path.join(tmp, "lb.csv")])
    row("leaderboard, 100,000 rows", "%.2f s, %.0f MiB (×%.1f time, ×%.1f memory of 10,000)" %
        (lb100[0], lb100[1], lb100[0] / lb10[0], lb100[1] / lb10[1]), "linear growth",
        lb100[0] / lb10[0] <= 13 and lb100[1] / lb10[1] <= 13,
        "jouletrace leaderboard results100k.csv (rep10000's rows ×10)")

# ---- duty cycle and fixed cost per candidate --------------------------------
n_dc = 10 if quick else 50
duty = os.path.join(tmp, "duty.yaml")
with open(duty, "w") as f:
    f.write("suite: duty\ndefaults: {energy_measurement_trials: 5, min_trials: 5, precision_target: 0,"
            " cv_target: 0, min_trial_seconds: 0.2}\ntest_sets:\n  - id: sq\n    function_name: f\n"
            "    test_cases:\n      - {test_id: a, inputs: [7], expected_output: 49}\ncandidates:\n")
    for i in range(n_dc):
        f.write("  - {id: c%d, candidate_code: 'def f(x): return x * x + %d * 0'}\n" % (i, i))
wall, _ = timed([binary, "run", duty, "-o", os.path.join(tmp, "duty"), "-q"] + common, env)
windows = cand_windows = 0.0
for line in open(os.path.join(tmp, "duty", "journal.jsonl")):
    r = json.loads(line)
    for t in r.get("trials") or []:
        windows += t["wall_seconds"]
        cand_windows += t["wall_seconds"]
    for t in (r.get("floor") or {}).get("trials") or []:
        windows += t["wall_seconds"]
row("duty cycle, %d trivial candidates × 5 trials of 0.2 s" % n_dc,
    "%.2f (candidate windows %.2f, floor windows %.2f)" % (windows / wall, cand_windows / wall,
                                                          (windows - cand_windows) / wall),
    "≥ 0.95", windows / wall >= 0.95, "jouletrace run duty.yaml (fixed trials)")
row("fixed cost per candidate outside any window", "%.2f s" % ((wall - windows) / n_dc), "", None,
    "(run wall − Σ trial windows) / candidates")

# ---- time to a ±2 % CI of a command: JouleTrace vs hyperfine's default run --
def vs_hyperfine(label, name, src, build, command, hf_cmd, stdin):
    """JouleTrace (command mode, precision 0.02) and hyperfine -N on one program."""
    want = subprocess.run(hf_cmd, capture_output=True, text=True).stdout
    cs = os.path.join(tmp, name + ".yaml")
    with open(cs, "w") as f:
        f.write("suite: %s\ndefaults: {precision_target: 0.02, cv_target: 0, min_trials: 5,"
                " energy_measurement_trials: 200}\ntest_sets:\n  - id: w\n    mode: command\n"
                "    test_cases:\n      - {test_id: a, stdin: %s, expected_stdout: %s}\n"
                "candidates:\n  - {id: %s, test_set: w, language: command, source: %s,%s"
                " command: %s}\n" % (name, json.dumps(stdin), json.dumps(want), name, src,
                                     " build: %s," % json.dumps(build) if build else "",
                                     json.dumps(command)))
    ticks = cpu_ticks()
    t_jt, _ = timed([binary, "run", cs, "-o", os.path.join(tmp, name), "-q"] + common, env)
    steal_jt = steal_since(ticks)
    r = json.loads(open(os.path.join(tmp, name, "journal.jsonl")).readline())
    st = r.get("stats") or {}
    jt_w = (st.get("total_energy") or {}).get("rel_half_width")
    jt_tw = (st.get("time") or {}).get("rel_half_width")
    hf = shutil.which("hyperfine")
    if not hf:
        row(label, "JouleTrace %.1f s (%s); hyperfine not installed" % (t_jt, r.get("stop_reason")),
            "≤ ×0.5 of hyperfine", None, "apt-get install hyperfine")
        return
    js = os.path.join(tmp, name + "-hf.json")
    ticks = cpu_ticks()
    t_hf, _ = timed([hf, "-N", "--export-json", js, "--style", "none", " ".join(hf_cmd)])
    steal_hf = steal_since(ticks)
    res = json.load(open(js))["results"][0]
    hf_w = 1.96 * res["stddev"] / (len(res["times"]) ** 0.5) / res["mean"]
    pct = lambda w: "%.1f %%" % (100 * w) if w else "?"
    row(label, "JouleTrace %.1f s (%s after %d trials, CI ±%s energy, ±%s time) vs hyperfine -N %.1f s"
        " (%d runs, CI of its mean ±%.1f %%): ×%.2f" % (t_jt, r.get("stop_reason"),
                                                       (st.get("n_trials") or 0), pct(jt_w), pct(jt_tw),
                                                       t_hf, len(res["times"]), 100 * hf_w, t_jt / t_hf),
        "≤ ×0.5 of hyperfine, CI no wider", bool(jt_w and t_jt <= 0.5 * t_hf and jt_w <= hf_w),
        "jouletrace run %s.yaml; hyperfine -N '%s'" % (name, " ".join(os.path.basename(c) for c in hf_cmd)))
    # Why: the noise of one run, and how much of it is slow (neighbouring
    # runs alike). hyperfine's CI of the mean assumes independent runs; with
    # lag-1 autocorrelation rho its real half-width is about sqrt((1 + rho) /
    # (1 - rho)) times wider (AR(1)). Half hyperfine's time at its own CI
    # needs a per-iteration noise sqrt(2) below its per-run noise.
    times = res["times"]
    cv_run = statistics.stdev(times) / statistics.mean(times)
    rho = lag1(times)
    k = max(1, len(times) // 10)
    batches = [statistics.mean(times[i:i + k]) for i in range(0, len(times) - k + 1, k)]
    cv_b = statistics.stdev(batches) / statistics.mean(batches) if len(batches) > 2 else float("nan")
    inflate = ((1 + max(rho, 0)) / (1 - min(max(rho, 0), 0.9))) ** 0.5
    tr = [t["wall_seconds"] / t["iterations"] for t in r.get("trials") or []]
    it = (r.get("trials") or [{}])[0].get("iterations", 0)
    cv_tr = statistics.stdev(tr) / statistics.mean(tr) if len(tr) > 2 else float("nan")
    row(label + ": the noise that sets it",
        "hyperfine: per-run CV %.1f %%, lag-1 autocorrelation %.2f; means of %d runs vary %.1f %% "
        "(independent runs: %.1f %%), so its CI of the mean is about ±%.1f %%, not ±%.1f %%. "
        "JouleTrace: trials of %d iterations vary %.1f %% (independent iterations: %.1f %%), lag-1 %.2f. "
        "CPU time stolen by the hypervisor: %.1f %% during JouleTrace's run, %.1f %% during hyperfine's"
        % (100 * cv_run, rho, k, 100 * cv_b, 100 * cv_run / k ** 0.5, 100 * hf_w * inflate, 100 * hf_w,
           it, 100 * cv_tr, 100 * cv_run / max(it, 1) ** 0.5, lag1(tr) if len(tr) > 2 else float("nan"),
           100 * steal_jt, 100 * steal_hf),
        "", None, "run times of the two rows' runs, in order; steal from /proc/stat")


src = os.path.join(tmp, "work.c")
with open(src, "w") as f:
    # n from stdin (JouleTrace feeds it) or argv[1] (hyperfine 1.15 has no --input)
    f.write("#include <stdio.h>\n#include <stdlib.h>\nint main(int c,char**v){unsigned long n,s=0;"
            "if(c>1)n=strtoul(v[1],0,10);else if(scanf(\"%lu\",&n)!=1)return 1;"
            "for(unsigned long i=0;i<n;i++)s=(s+i*i)%1000000007UL;printf(\"%lu\\n\",s);return 0;}\n")
prog = os.path.join(tmp, "work")
subprocess.run(["cc", "-O2", "-o", prog, src], check=True)
vs_hyperfine("time to ±2 %: 20 ms C program", "c", src, "cc -O2 -o {bin} {src}", ["{bin}"],
             [prog, "6000000"], "6000000\n")
pysrc = os.path.join(tmp, "work.py")
with open(pysrc, "w") as f:
    f.write("import sys\nn = int(sys.argv[1]) if len(sys.argv) > 1 else int(sys.stdin.read())\n"
            "print(sum(i * i for i in range(n)) % 1000000007)\n")
vs_hyperfine("time to ±2 %: a 40 ms Python script", "py", pysrc, None, ["python3", "{src}"],
             ["python3", pysrc, "300000"], "300000\n")

# ---- time to ±2 %: Python functions of three sizes vs timeit ----------------
for label, n in (("small (sum of 100 squares)", 100), ("medium (10,000)", 10000),
                 ("large (1,000,000)", 1000000)):
    code = "def f(n):\n    return sum(i * i for i in range(n))\n"
    fs = os.path.join(tmp, "fn%d.yaml" % n)
    with open(fs, "w") as fh:
        fh.write("suite: fn\ndefaults: {precision_target: 0.02, cv_target: 0, min_trials: 5,"
                 " energy_measurement_trials: 200}\ntest_sets:\n  - id: s\n    function_name: f\n"
                 "    test_cases:\n      - {test_id: a, inputs: [%d], expected_output: %d}\n"
                 "candidates:\n  - id: f\n    candidate_code: |\n      def f(n):\n"
                 "          return sum(i * i for i in range(n))\n" % (n, sum(i * i for i in range(n))))
    ticks = cpu_ticks()
    t_jt, _ = timed([binary, "run", fs, "-o", os.path.join(tmp, "fn%d" % n), "-q"] + common, env)
    steal_jt = steal_since(ticks)
    r = json.loads(open(os.path.join(tmp, "fn%d" % n, "journal.jsonl")).readline())
    st = r.get("stats") or {}
    w = (st.get("total_energy") or {}).get("rel_half_width")
    ns = {}
    exec(code, ns)
    fn = ns["f"]
    t0 = time.perf_counter()
    tm = timeit.Timer(lambda: fn(n))
    number, _ = tm.autorange()
    best = min(tm.repeat(repeat=5, number=number)) / number
    t_ti = time.perf_counter() - t0
    per_it = (r.get("timing") or {}).get("iteration_seconds") or float("nan")
    row("time to ±2 %%: Python function, %s" % label,
        "JouleTrace %.1f s (%s after %s trials, CI ±%s, trials' CV %s, lag-1 %s, %.1f %% CPU stolen; "
        "%.3g s per call vs timeit's %.3g s) vs timeit %.1f s (autorange + repeat 5; no CI): ×%.1f"
        % (t_jt, r.get("stop_reason"), st.get("n_trials"), "%.1f %%" % (100 * w) if w else "?",
           num((st.get("total_energy") or {}).get("cv"), "%.1f %%", 100),
           num((st.get("total_energy") or {}).get("ci_lag1_autocorrelation"), "%.2f"),
           100 * steal_jt, per_it, best, t_ti, t_jt / t_ti),
        "", None, "jouletrace run fn%d.yaml; timeit autorange + repeat(5)" % n)

# ---- the output proof: encoding and hashing one output, beside a null call ---
import importlib.util, types
rdir = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "harness", "exec", "runners")
pkg = types.ModuleType("jtbench")
pkg.__path__ = [rdir]
sys.modules["jtbench"] = pkg
for name in ("replies", "codec", "proof"):
    spec = importlib.util.spec_from_file_location("jtbench." + name, os.path.join(rdir, name + ".py"))
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod
    spec.loader.exec_module(mod)
codec, proof = sys.modules["jtbench.codec"], sys.modules["jtbench.proof"]
for label, value in (("an int", 49), ("a list of 100 ints", list(range(100)))):
    pr = proof.Proof("00" * 16, [codec.encode_text(value)])
    null = lambda *a: value
    n = 20000
    t_null = min(timeit.repeat(lambda: null(3), number=n, repeat=5)) / n
    t_proof = min(timeit.repeat(lambda: pr.add(0, 0, codec.encode_text(null(3))), number=n,
                                repeat=5)) / n - t_null
    row("output proof per test and iteration, %s" % label, "%.0f ns (null call %.0f ns)" %
        (t_proof * 1e9, t_null * 1e9), "", None, "runner's codec + proof modules, timeit best of 5")

# ---- one energy read per backend; an edge-aligned window start --------------
row("time to ±2 %: pyperf's default run", "not available: Debian 12 packages no python3-pyperf", "",
    None, "apt-cache policy python3-pyperf")
if energy_helper:
    _, p = timed([energy_helper])
    e = json.loads(p.stdout)
    for k, v in e["backends"].items():
        row("one energy read, %s backend%s" % (k, "" if k == "model" else " (fake tree, 1 kHz writer)"),
            "%.0f ns (p95 %.0f ns, %d reads)" % (v["median_ns"], v["p95_ns"], e["reads"]), "", None,
            "tests/bench/energy_read.c")
    row("one energy read, perf backend", "not measurable here: " + e["perf"], "", None, "—")
    a = e["align"]
    row("edge-aligned window start (powercap, fake counter updating at 1 kHz)",
        "waits %.0f µs median, %.0f µs at most; an edge in %.0f %% of %d starts (the writer's largest gap"
        " %.0f µs)" % (a["median_wait_us"], a["max_wait_us"], 100 * a["edge_share"], a["starts"],
                       a["writer_max_gap_us"]), "", None, "tests/bench/energy_read.c")
else:
    row("one energy read per backend; edge-aligned window start", "not run: no --energy-helper", "",
        None, "make bench")

machine = "%s, %d CPUs, %s" % (platform.node(), os.cpu_count() or 0, platform.processor() or platform.machine())
try:
    for line in open("/proc/cpuinfo"):
        if line.startswith("model name"):
            machine = "%s, %d CPUs, %s" % (platform.node(), os.cpu_count() or 0, line.split(":", 1)[1].strip())
            break
except OSError:
    pass
table = ["Machine: %s; backend model (no RAPL on this host); %s." % (machine, time.strftime("%Y-%m-%d")), "",
         "| figure | value | target | met | command |", "|---|---|---|---|---|"]
table += ["| %s |" % " | ".join(c.replace("|", "\\|") for c in r) for r in rows]
print("\n".join(table))
if write_to:
    os.makedirs(os.path.dirname(write_to) or ".", exist_ok=True)
    open(write_to, "w").write("\n".join(table) + "\n")
shutil.rmtree(tmp, ignore_errors=True)
