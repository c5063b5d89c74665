#!/usr/bin/env bash
# Summarizes the logs written by fuzz/campaign.sh: executions, final coverage, and when coverage last grew.
# Usage: fuzz/summary.sh [SCRATCH_DIR]
set -euo pipefail
scratch=${1:-/tmp/fz}
printf '| target | executions | seconds | cov / ft at the end | last new coverage at | crashes |\n'
printf '| --- | ---: | ---: | --- | --- | --- |\n'
for log in "$scratch"/*.log; do
    t=$(basename "$log" .log)
    runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo '?')
    secs=$(grep -o 'stat::total_run_time: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo '?')
    last=$(grep -E '^#[0-9]+' "$log" | tail -1 | grep -oE 'cov: [0-9]+ ft: [0-9]+' || echo '?')
    grew=$(grep -E '^#[0-9]+.*(NEW|REDUCE)' "$log" | grep NEW | tail -1 | grep -oE '^#[0-9]+' || echo 'never')
    crashes=$(grep -c -E '^==[0-9]+== ERROR|panicked at' "$log" || true)
    printf '| `%s` | %s | %s | %s | execution %s | %s |\n' "$t" "$runs" "$secs" "$last" "$grew" "$crashes"
done
