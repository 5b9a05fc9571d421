#!/usr/bin/env bash
# Benchmark on a real tree (issue #19): published packages of ordinary code from the npm registry and PyPI
# (n8n-nodes-base, typescript, aws-sdk, googleapis, django, sympy; versions pinned below, ~470 MB unpacked),
# `ghl-migrate scan` against ripgrep 13 searching the same literals as benches/run.sh.
#
#   benches/real_tree.sh [DIR]            (default /tmp/ghl-real-tree; never inside the repo)
#   BIN=/path/to/ghl-migrate benches/real_tree.sh   compares another build (e.g. the one before a change)
#   RUNS=5 …                                         runs per command (default 3, after one warm-up)
#
# Needs npm, pip, python3, ripgrep (rg), hyperfine and GNU time (/usr/bin/time). Packages are fetched once
# (`npm pack`, `pip download` of wheels: nothing is installed, no install script runs) and unpacked; later
# runs reuse DIR. Prints, for all threads and for one thread, the mean wall and user time of both tools
# (hyperfine, one warm-up each, page cache warm), the ratio, and the peak RSS of both (GNU time).
set -euo pipefail
cd "$(dirname "$0")/.."
DIR=${1:-/tmp/ghl-real-tree}
RUNS=${RUNS:-3}
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
echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); rg: $(rg --version | head -1); $("$BIN" --version)"
echo "tree: $(du -sh "$TREE" | cut -f1), $(find "$TREE" -type f | wc -l) files: ${NPM[*]} ${PYPI[*]}"
find "$TREE" -type f -exec cat {} + >/dev/null # warm the page cache for both tools alike
for threads in 0 1; do
  rgj=$([ "$threads" = 0 ] && echo "" || echo "-j1")
  hyperfine --warmup 1 --runs "$RUNS" --export-json "/tmp/ghl-real-$threads.json" \
    -n "ghl-migrate (threads=$threads)" "$BIN scan -q --exit-zero --format json -o /dev/null --threads $threads $TREE" \
    -n "rg $rgj" "rg -c -i -F $rgj ${PATTERNS[*]} $TREE >/dev/null || true" >/dev/null
  python3 - "$threads" <<'PY'
import json, sys
r = json.load(open(f"/tmp/ghl-real-{sys.argv[1]}.json"))["results"]
g, rg = r[0], r[1]
t = "all" if sys.argv[1] == "0" else sys.argv[1]
print(f"RESULT threads={t:<3} ghl={g['mean']:.3f}s ±{g['stddev']:.3f} (user {g['user']:.2f}s) "
      f"rg={rg['mean']:.3f}s ±{rg['stddev']:.3f} (user {rg['user']:.2f}s) ratio={g['mean']/rg['mean']:.2f}x")
PY
done
/usr/bin/time -f "RSS ghl-migrate peak=%M KiB" "$BIN" scan -q --exit-zero --format json -o /tmp/ghl-real-out.json "$TREE"
/usr/bin/time -f "RSS rg peak=%M KiB" rg -c -i -F "${PATTERNS[@]}" "$TREE" >/dev/null || true
python3 -c "import json; d=json.load(open('/tmp/ghl-real-out.json')); print('found', d['summary']['by_kind'], 'skipped', len(d['skipped']))"
