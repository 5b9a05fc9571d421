#!/usr/bin/env bash
# Worst cases of `scan` cost (issue #19) against ripgrep searching the same literals, with peak RSS.
#
#   benches/worst.sh [DIR] [FILES]       (defaults: /tmp/ghl-worst, 25000 files per tree)
#   BIN=/path/to/ghl-migrate benches/worst.sh   compares another build (e.g. the one before a change)
#   LIMIT=60 …   stops a scan after that many seconds (default 120): a time of LIMIT means "at least".
#   CASES="large n8n" …   only the cases whose name starts with one of these words
#
# Needs python3, ripgrep (rg) and GNU time (/usr/bin/time). Each case runs 3 times after a warm-up; the
# best wall time is kept for both tools. Prints one RESULT line per case: ghl time, rg time, ratio, RSS.
set -euo pipefail
cd "$(dirname "$0")/.."
DIR=${1:-/tmp/ghl-worst}
FILES=${2:-25000}
if [ -z "${BIN:-}" ]; then
  cargo build --release --quiet
  BIN=target/release/ghl-migrate
fi
PATTERNS=(-e gohighlevel -e leadconnectorhq -e eyJ -e pit-)
mkdir -p "$DIR"

gen() { # name mode args...
  local out="$DIR/$1"; shift
  if [ ! -f "$out.json" ]; then
    rm -rf "$out"
    python3 benches/gen_worst.py "$1" "$out" "${@:2}" >"$out.json"
  fi
}

best() { # prints "seconds peak_kib" of the best run of the command: 3 runs after a warm-up, or the
  # warm-up alone when it took over 5 s (the slow cases of a build before a fix)
  /usr/bin/time -f "%e %M" -o /tmp/ghl-worst-time "$@" >/dev/null 2>&1 || true
  local first
  first=$(tail -1 /tmp/ghl-worst-time)
  if python3 -c "import sys; sys.exit(float(sys.argv[1].split()[0]) <= 5)" "$first"; then
    echo "$first"
    return
  fi
  for _ in 1 2 3; do
    /usr/bin/time -f "%e %M" -o /tmp/ghl-worst-time "$@" >/dev/null 2>&1 || true
    tail -1 /tmp/ghl-worst-time
  done | sort -n | head -1
}

want() { # whether case $1 is selected by $CASES
  [ -z "${CASES:-}" ] && return 0
  for c in $CASES; do [[ "$1" == "$c"* ]] && return 0; done
  return 1
}

run() { # name extra-args...
  local name=$1; shift
  want "$name" || return 0
  local tree="$DIR/$name"
  read -r g grss < <(best timeout "${LIMIT:-120}" "$BIN" scan -q --exit-zero --format json -o /tmp/ghl-worst-out.json "$@" "$tree")
  read -r r _ < <(best rg -c -i -F "${PATTERNS[@]}" "$tree")
  local found
  found=$(python3 -c "import json; s=json.load(open('/tmp/ghl-worst-out.json')); print(s['summary']['by_kind'], 'skipped', len(s['skipped']))")
  python3 -c "import sys; g,r=float(sys.argv[2]),float(sys.argv[3]); print(f'RESULT {sys.argv[1]:<22} ghl={g:.2f}s rg={r:.2f}s ratio={g/max(r,0.01):.1f}x rss={int(sys.argv[4])//1024}MiB')" \
    "$name${*:+ $*}" "$g" "$r" "$grss"
  echo "  found: $found"
}

echo "machine: $(nproc) cores; rg: $(rg --version | head -1); $("$BIN" --version)"
for mode in plain root-baseurl index-host sourcemap projects; do
  gen "$mode" "$mode" --files "$FILES"
  run "$mode"
done
for mb in 1 2 4 8 16; do
  gen "large-$mb" large --mb "$mb"
  run "large-$mb" --max-filesize 64M
done
run large-16 # the default --max-filesize (4M)
gen n8n-6 n8n --mb 6
run n8n-6
if want n8n-6; then
  python3 -c "import json; d=json.load(open('$DIR/n8n-6.json')); print('  expects node', repr(d['v1_node']), 'line', d['line'])"
  python3 -c "import json; d=json.load(open('/tmp/ghl-worst-out.json')); print('  found', [(f['path'], f.get('line'), f.get('note')) for f in d['findings'] if f['kind'] != 'mention'][:3])"
fi
# Start-up: a directory of three small files.
gen tiny plain --files 3 --avg-kb 1
run tiny
