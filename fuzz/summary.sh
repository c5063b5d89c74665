#!/usr/bin/env bash
# Summarizes the logs written by fuzz/campaign.sh: executions, seconds, coverage halfway and at the end (to
# see whether it is still growing), and crashes.
# Usage: fuzz/summary.sh [SCRATCH_DIR]
set -euo pipefail
scratch=${1:-/tmp/fz}
shopt -s nullglob
logs=("$scratch"/*.log)
if [ ${#logs[@]} -eq 0 ]; then
    echo "no fuzz logs in $scratch (run fuzz/campaign.sh first)" >&2
    exit 1
fi
printf '| target | executions | seconds | cov / ft halfway | cov / ft at the end | crashes |\n'
printf '| --- | ---: | ---: | --- | --- | --- |\n'
for log in "${logs[@]}"; do
    t=$(basename "$log" .log)
    runs=$(sed -n 's/^Done \([0-9]*\) runs in \([0-9]*\) second.*/\1/p' "$log")
    # An interrupted run (Ctrl-C) prints no `Done` line, only the final stats.
    runs=${runs:-$(sed -n 's/^stat::number_of_executed_units: *\([0-9]*\)/\1/p' "$log")}
    secs=$(sed -n 's/^Done \([0-9]*\) runs in \([0-9]*\) second.*/\2/p' "$log")
    stats=$(grep -E '^#[0-9]+' "$log" || true)
    last=$(tail -1 <<<"$stats" | grep -oE 'cov: [0-9]+ ft: [0-9]+' || echo '?')
    half=$(awk -v total="${runs:-0}" '{ n = substr($1, 2) + 0; if (n <= total / 2) line = $0 } END { print line }' <<<"$stats" |
        grep -oE 'cov: [0-9]+ ft: [0-9]+' || echo '?')
    crashes=$(grep -c -E '^==[0-9]+== ERROR|panicked at|deadly signal' "$log" || true)
    printf '| `%s` | %s | %s | %s | %s | %s |\n' "$t" "${runs:-running}" "${secs:-?}" "$half" "$last" "$crashes"
done
