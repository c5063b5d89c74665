#!/usr/bin/env bash
# Runs every fuzz target in turn, one core, and keeps libFuzzer's log of each.
# Usage: fuzz/campaign.sh SECONDS_PER_TARGET [SCRATCH_DIR]
# New inputs go to SCRATCH_DIR/TARGET (default /tmp/fz); the committed seeds in corpus/ are read, not written.
# Crashing inputs land in artifacts/TARGET/. Summarize the logs with fuzz/summary.sh.
set -euo pipefail
cd "$(dirname "$0")"
secs=${1:?seconds per target}
scratch=${2:-/tmp/fz}
targets=(list_yaml tabl_export observations scan headers rev_path markdown terminal)
cargo +nightly fuzz build -O
for t in "${targets[@]}"; do
    mkdir -p "$scratch/$t" "artifacts/$t"
    # `scan` starts threads for every input: std frees a thread's channel context in its thread-local
    # destructor, after the scope has joined it, and libFuzzer's leak check between inputs reports it.
    leaks=1
    [ "$t" = scan ] && leaks=0
    cargo +nightly fuzz run -O "$t" "$scratch/$t" "corpus/$t" -- \
        -max_total_time="$secs" -max_len=65536 -detect_leaks="$leaks" -print_final_stats=1 \
        >"$scratch/$t.log" 2>&1 || echo "$t: stopped with a finding, see $scratch/$t.log"
done
