#!/bin/sh
# slurm-shards.sh — measure a suite on a cluster: one Slurm array task per
# node measures one shard on that node's socket 0 (with that node's own
# calibration), then one dependent job merges the shards.
#
#   scripts/slurm-shards.sh suites/humaneval.yaml 8        # 8 shards on 8 nodes
#
# Nodes are taken exclusively (nothing else may share socket 0). Shard runs
# land in reports/<suite>-shards-<jobid>/shard-K; the merge in .../merged.
# Environment: JOULETRACE (binary on the shared filesystem, default
# build/jouletrace), SBATCH_EXTRA (more sbatch flags, e.g. -p energy).
set -eu
[ $# -eq 2 ] || { echo "usage: slurm-shards.sh SUITE N" >&2; exit 2; }
suite=$1
n=$2
bin=${JOULETRACE:-build/jouletrace}
command -v sbatch >/dev/null 2>&1 || { echo "slurm-shards.sh: sbatch not found" >&2; exit 1; }
"$bin" validate --parse-only "$suite" >/dev/null   # a broken suite fails here, not on 8 nodes
name=$(basename "$suite" .yaml)
base="reports/$name-shards-$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$base"

# shellcheck disable=SC2086
array=$(sbatch --parsable ${SBATCH_EXTRA:-} --exclusive --nodes=1 --array="1-$n" \
  --job-name="jt-$name" --output="$base/shard-%a.log" --wrap="
    set -u
    k=\$SLURM_ARRAY_TASK_ID
    $bin status --backend hardware >/dev/null 2>&1 || $bin calibrate --backend hardware --wait --quiet || exit 4
    $bin run '$suite' --backend hardware --shard \$k/$n -o '$base/shard-'\$k --wait --quiet
  ")
# shellcheck disable=SC2086
sbatch --parsable ${SBATCH_EXTRA:-} --dependency="afterany:$array" --job-name="jt-$name-merge" \
  --output="$base/merge.log" --wrap="$bin merge $base/shard-* -o $base/merged" >/dev/null
echo "submitted array $array ($n shards) and its merge; results in $base/merged"
