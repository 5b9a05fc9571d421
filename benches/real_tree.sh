#!/usr/bin/env bash
# Benchmark on a real tree (issue #19): published packages of ordinary code from the npm registry and PyPI
# (n8n-nodes-base, typescript, aws-sdk, googleapis, django, sympy; versions pinned below; ~610 MB, ~40 000 files unpacked),
# `ghl-migrate scan` against ripgrep 13 searching the same literals as benches/run.sh.
#
#   benches/real_tree.sh [DIR]            (default /tmp/ghl-real-tree; never inside the repo)
#   BIN=/path/to/ghl-migrate benches/real_tree.sh   measures another build instead of this one
#   BASE=/path/to/ghl-migrate …                      also measures that build (e.g. the one before a change)
#   RUNS=5 …                                         paired runs (default 5)
#
# Needs npm, pip, python3, ripgrep (rg) and GNU time (/usr/bin/time). Packages are fetched once (`npm pack`,
# `pip download` of wheels: nothing is installed, no install script runs) and unpacked; later runs reuse
# DIR. After a warm-up of each, the commands run in turn RUNS times (paired: a load change on a shared
# machine hits all alike), all threads and one thread; per command it prints the best and the median wall
# time, the median CPU time (user + system), the ratio of best wall times to rg and the peak RSS.
set -euo pipefail
cd "$(dirname "$0")/.."
DIR=${1:-/tmp/ghl-real-tree}
RUNS=${RUNS:-5}
NPM=(n8n-nodes-base@2.41.2 typescript@5.9.3 aws-sdk@2.1693.0 googleapis@188.0.0)
PYPI=(django==5.2.19 sympy==1.14.0)
PATTERNS=(-e gohighlevel -e leadconnectorhq -e eyJ -e pit-)
case "$(realpath -m "$DIR")" in "$(pwd)"/*) echo "DIR must be outside the repo" >&2; exit 2 ;; esac
if [ -z "${BIN:-}" ]; then
  cargo build --release --quiet
  BIN=target/release/ghl-migrate
fi

fetch() { # unpacks every package under $DIR/tree, once
  [ -f "$DIR/.complete" ] && return
  rm -rf "$DIR" && mkdir -p "$DIR/dl" "$DIR/tree"
  (cd "$DIR/dl" && npm pack --silent "${NPM[@]}" >/dev/null)
  for tgz in "$DIR"/dl/*.tgz; do
    name=$(basename "$tgz" .tgz)
    mkdir -p "$DIR/tree/npm/$name"
    tar -xzf "$tgz" -C "$DIR/tree/npm/$name" --strip-components=1
  done
  pip download --quiet --no-deps --only-binary :all: -d "$DIR/dl" "${PYPI[@]}"
  for whl in "$DIR"/dl/*.whl; do
    name=$(basename "$whl" .whl)
    python3 -m zipfile -e "$whl" "$DIR/tree/pypi/$name"
  done
  rm -rf "$DIR/dl"
  touch "$DIR/.complete"
}

fetch
TREE=$DIR/tree
echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); rg: $(rg --version 2>/dev/null | head -1); $("$BIN" --version)"
echo "tree: $(du -sh "$TREE" | cut -f1), $(find "$TREE" -type f | wc -l) files: ${NPM[*]} ${PYPI[*]}"
find "$TREE" -type f -exec cat {} + >/dev/null # warm the page cache for all alike
once() { # label command...: appends "label wall cpu rss" to $OUT
  local label=$1; shift
  /usr/bin/time -f "%e %U %S %M" -o /tmp/ghl-real-time "$@" >/dev/null 2>&1 || true
  echo "$label $(tail -1 /tmp/ghl-real-time)" >>"$OUT"
}
OUT=$(mktemp)
for threads in 0 1; do
  rgj=(); [ "$threads" = 1 ] && rgj=(-j1)
  for run in $(seq 0 "$RUNS"); do # run 0 is the warm-up
    label() { [ "$run" = 0 ] && echo warm || echo "$1 threads=$threads"; }
    once "$(label ghl)" "$BIN" scan -q --exit-zero --format json -o /dev/null --threads "$threads" "$TREE"
    [ -n "${BASE:-}" ] && once "$(label base)" "$BASE" scan -q --exit-zero --format json -o /dev/null --threads "$threads" "$TREE"
    once "$(label rg)" rg -c -i -F "${rgj[@]}" "${PATTERNS[@]}" "$TREE"
  done
done
python3 - "$OUT" <<'PY'
import statistics, sys
runs = {}
for line in open(sys.argv[1]):
    tool, threads, wall, user, sys_, rss = line.split() if not line.startswith("warm") else [None] * 6
    if tool:
        runs.setdefault((threads, tool), []).append((float(wall), float(user) + float(sys_), int(rss)))
for threads in ("threads=0", "threads=1"):
    rg = min(w for w, _, _ in runs[(threads, "rg")])
    for tool in ("base", "ghl", "rg"):
        r = runs.get((threads, tool))
        if not r:
            continue
        walls = [w for w, _, _ in r]
        print(f"RESULT {'all' if threads == 'threads=0' else '1':<3} thread(s) {tool:<4} best={min(walls):.2f}s "
              f"median={statistics.median(walls):.2f}s cpu={statistics.median(c for _, c, _ in r):.2f}s "
              f"ratio={min(walls) / rg:.2f}x rss={max(m for _, _, m in r) // 1024}MiB")
PY
rm -f "$OUT"
"$BIN" scan -q --exit-zero --format json -o /tmp/ghl-real-out.json "$TREE" || true
python3 -c "import json; d=json.load(open('/tmp/ghl-real-out.json')); print('found', d['summary']['by_kind'], 'skipped', len(d['skipped']))"
