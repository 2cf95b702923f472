#!/usr/bin/env bash
# Runs CI (.ci/run) several times in a row on fresh clones of a commit while a CPU-heavy job runs beside it, to
# show the suite does not depend on an idle machine (issue #17: "green three times in a row while another
# CPU-heavy job runs beside it"). The job beside it is the near-duplicate benchmark at 1,000,000 rows in a loop
# (one core of pure computation and a few GB of memory, like a user's data job on a shared box).
#
#   bash scripts/ci-under-load.sh [COMMIT] [RUNS]      (defaults: HEAD, 3)
#
# Prints one line per run: start time, load average at start and end, seconds, and CI's own summary line; ends
# with "N of M runs green". Logs: /tmp/ci-under-load/run-K.log. Needs what .ci/run needs (root for packages).
set -uo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
commit="$(git -C "$repo" rev-parse "${1:-HEAD}")"
runs="${2:-3}"
work=/tmp/ci-under-load
rm -rf "$work" && mkdir -p "$work"

# the job beside CI, from its own clone so CI's clones never share files with it
git clone -q "$repo" "$work/load" && git -C "$work/load" checkout -q "$commit"
(cd "$work/load" && npm ci --no-audit --no-fund >/dev/null 2>&1) || { echo "npm ci for the load job failed"; exit 1; }
# its own session, so the whole loop (and the benchmark it runs) stops with one kill at the end
setsid bash -c 'cd "$1" && while true; do node --max-old-space-size=8000 --import tsx bench/dedup/scale.ts --rows 1000000 --sample 20 >/dev/null 2>&1; done' _ "$work/load" &
load_pid=$!
trap 'kill -- -$load_pid 2>/dev/null' EXIT

green=0
for k in $(seq 1 "$runs"); do
  dir="$work/run-$k"
  git clone -q "$repo" "$dir" && git -C "$dir" checkout -q "$commit"
  start=$(date -u +%H:%M); l0=$(cut -d' ' -f1 /proc/loadavg); t0=$(date +%s)
  (cd "$dir" && bash .ci/run) > "$work/run-$k.log" 2>&1
  rc=$?
  summary=$(tail -n 1 "$work/run-$k.log")
  echo "run $k of $runs  commit ${commit:0:7}  start $start UTC  load ${l0} → $(cut -d' ' -f1 /proc/loadavg)  $(( $(date +%s) - t0 )) s  exit $rc  $summary"
  [ $rc -eq 0 ] && green=$((green + 1))
  rm -rf "$dir"
done
echo "$green of $runs runs green"
[ "$green" -eq "$runs" ]
