#!/usr/bin/env bash
# Runs fuzz targets for SECONDS each, two at a time, logging to fuzz/logs/<target>.log.
# Usage: fuzz/run.sh SECONDS [TARGET…]   (default: every target; seeds from fuzz/seed.py)
# Needs: cargo install cargo-fuzz; rustup toolchain install nightly.
set -u
cd "$(dirname "$0")"
secs=${1:-300}; shift || true
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=($(cargo +nightly fuzz list))
[ -d corpus ] || python3 seed.py
mkdir -p logs
cargo +nightly fuzz build || exit 2
run() {
  local t=$1
  mkdir -p "corpus/$t" "artifacts/$t"
  cargo +nightly fuzz run "$t" "corpus/$t" -- -max_total_time="$secs" -dict=fuzz.dict \
    -timeout=10 -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1 >"logs/$t.log" 2>&1
  echo "$t exit $? $(grep -E '^(Done|stat::number_of_executed_units)' "logs/$t.log" | tr '\n' ' ')"
}
for t in "${targets[@]}"; do
  while [ "$(jobs -rp | wc -l)" -ge 2 ]; do wait -n; done
  run "$t" &
done
wait
