#!/usr/bin/env bash
# Benchmark: `ghl-migrate scan` against ripgrep searching the same literals on the same tree.
#
#   benches/run.sh [TREE_DIR] [FILES]      (defaults: /tmp/ghl-bench-tree, 100000 files ≈ 1 GB)
#
# Needs: python3, ripgrep (rg), hyperfine, GNU time (/usr/bin/time) — `apt-get install ripgrep hyperfine time`.
# Prints wall times (1 thread and all threads), the ratio to rg, peak RSS, and how time grows at ¼, ½, 1×.
set -euo pipefail
cd "$(dirname "$0")/.."
TREE=${1:-/tmp/ghl-bench-tree}
FILES=${2:-100000}
cargo build --release --quiet
BIN=target/release/ghl-migrate
PATTERNS=(-e gohighlevel -e leadconnectorhq -e eyJ -e pit-)

gen() { # dir files
  if [ ! -f "$1/.generated-$2" ]; then
    rm -rf "$1" && mkdir -p "$1"
    python3 benches/gen_tree.py "$1" --files "$2" | tee "$1/.generated-$2"
  else
    cat "$1/.generated-$2"
  fi
}

echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(uname -sr)"
echo "rg: $(rg --version | head -1); ghl-migrate: $($BIN --version)"
for frac in 4 2 1; do
  n=$((FILES / frac)); dir="$TREE-$n"
  gen "$dir" "$n"
  du -sh "$dir" | sed 's/^/size: /'
  cat "$dir"/* >/dev/null 2>&1 || true # warm the page cache for both tools alike
  for threads in 1 0; do
    rgj=$([ "$threads" = 0 ] && echo "" || echo "-j1")
    hyperfine --warmup 1 --runs 3 --export-json "/tmp/ghl-bench-$n-$threads.json" \
      -n "ghl-migrate (threads=$threads)" "$BIN scan -q --exit-zero --format json -o /dev/null --threads $threads $dir" \
      -n "rg $rgj" "rg -c -i -F $rgj ${PATTERNS[*]} $dir >/dev/null || true" | grep -E "Time|±|faster|slower" || true
    python3 - "$n" "$threads" <<'PY'
import json, sys
r = json.load(open(f"/tmp/ghl-bench-{sys.argv[1]}-{sys.argv[2]}.json"))["results"]
g, rg = r[0]["mean"], r[1]["mean"]
print(f"RESULT files={sys.argv[1]} threads={sys.argv[2] if sys.argv[2] != '0' else 'all'} ghl={g:.3f}s rg={rg:.3f}s ratio={g/rg:.2f}x")
PY
  done
  /usr/bin/time -f "RSS files=$n ghl-migrate peak=%M KiB" $BIN scan -q --exit-zero --format json -o /tmp/ghl-bench-out.json "$dir"
  /usr/bin/time -f "RSS files=$n rg peak=%M KiB" rg -c -i -F "${PATTERNS[@]}" "$dir" >/dev/null || true
  python3 -c "import json; s=json.load(open('/tmp/ghl-bench-out.json'))['summary']; print('found', s['by_kind'], 'in', len({f['path'] for f in json.load(open('/tmp/ghl-bench-out.json'))['findings']}), 'files')"
done
