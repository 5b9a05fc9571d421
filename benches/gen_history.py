#!/usr/bin/env python3
"""Generates a git repository with a long history for benchmarking `ghl-migrate scan --history` (issue #17).

usage: gen_history.py OUT_DIR [--commits N] [--files F] [--keys K] [--branch-commits B] [--seed S]

The history is written with one `git fast-import` stream (seconds, not the minutes that N `git commit` calls
take). `main` gets N - B commits over F source files of ordinary code (JavaScript, Python, PHP: string literals
with other APIs' URLs, functions, comments); each commit edits one to three files, now and then adds one. A
few files call the V1 API with the key read from the environment, so that a scanner that understands V1
usage has blobs to read in every commit touching them. K commits on `main` paste a synthetic V1 location key
(a JWT whose payload says `"synthetic"`; its signature is a hash, not a signature) into a file, and a later
commit replaces it with an environment lookup: those keys live only in history. Branch `legacy-sync` forks
from `main` three fifths of the way along, gets B commits, and one of them adds another key that was never
merged. Edits never touch a key's line, so every later version of that file holds the key too. Ends with
`git gc`, as a clone would arrive: delta-packed, each file's versions in chains up to git's depth of 50.

Prints one JSON line: commits, files, the keys' fingerprints (`sha256:` + 12 hex digits of the key, the same
as `ghl-migrate`'s), never the keys themselves. Deterministic for a given seed.
"""
import argparse, base64, copy, hashlib, json, os, random, subprocess, sys

HOSTS = ["https://api.stripe.com/v1", "https://api.github.com", "https://example.com/api",
         "https://hooks.slack.com/services", "https://graph.microsoft.com/v1.0", "http://localhost:8080"]
PATHS = ["users", "orders", "items", "accounts", "invoices", "products", "reports", "events"]
WORDS = "user order item cart account invoice product report session token event job queue cache index".split()
LANGS = {
    ".js": ("// ", "const {v} = '{s}';",
            "export async function {f}(id) {{\n  const res = await fetch(`${{BASE}}/{p}/${{id}}`);\n"
            "  return res.json();\n}}"),
    ".py": ("# ", "{v} = \"{s}\"",
            "def {f}(self, id):\n    resp = self.session.get(f\"{{self.base}}/{p}/{{id}}\")\n"
            "    return resp.json()"),
    ".php": ("// ", "${v} = '{s}';",
             "function {f}($id) {{\n    return $this->client->get('/{p}/' . $id);\n}}"),
}
# A file that calls V1 with the key from the environment: what a key is later pasted over, or next to.
V1_USE = {
    ".js": ["const GHL = 'https://rest.gohighlevel.com/v1';",
            "export const getContact = (id) => fetch(`${GHL}/contacts/${id}`, {",
            "  method: 'GET', headers: { Authorization: `Bearer ${GHL_API_KEY}` },", "});"],
    ".py": ["GHL = \"https://rest.gohighlevel.com/v1\"", "def sync_contact(cid):",
            "    return requests.put(f\"{GHL}/contacts/{cid}\", headers={\"Authorization\": f\"Bearer {GHL_API_KEY}\"})"],
    ".php": ["$ghl = 'https://rest.gohighlevel.com/v1';", "$ch = curl_init($ghl . '/pipelines/');",
             "curl_setopt($ch, CURLOPT_HTTPHEADER, ['Authorization: Bearer ' . $ghlApiKey]);"],
}
KEY_FROM_ENV = {".js": "const GHL_API_KEY = process.env.GHL_API_KEY;",
                ".py": "GHL_API_KEY = os.environ[\"GHL_API_KEY\"]",
                ".php": "$ghlApiKey = getenv('GHL_API_KEY');"}
KEY_LITERAL = {".js": "const GHL_API_KEY = '{k}';", ".py": "GHL_API_KEY = \"{k}\"", ".php": "$ghlApiKey = '{k}';"}
MAX_LINES = 220
JWT_HEADER = b'{"alg":"HS256","typ":"JWT"}'


def b64(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


def synthetic_key(n):
    """A fake V1 location key, the same for the same n: JWT-shaped, never a real key."""
    payload = {"location_id": f"LOCsyntheticbench{n:03d}", "company_id": f"COMPsyntheticbnch{n:03d}",
               "version": 1, "iat": 1600000000000 + n, "sub": "synthetic-ghl-migrate-benchmark",
               "synthetic": "fake key for benches/gen_history.py, not a real HighLevel key"}
    p = json.dumps(payload, separators=(",", ":")).encode()
    sig = hashlib.sha256(b"synthetic-signature:" + p).digest()
    return f"{b64(JWT_HEADER)}.{b64(p)}.{b64(sig)}"


def fingerprint(secret):
    return "sha256:" + hashlib.sha256(secret.encode()).hexdigest()[:12]


def block(rng, ext):
    """A few lines of ordinary code."""
    com, decl, fn = LANGS[ext]
    r, w = rng.random(), rng.choice(WORDS)
    if r < 0.35:
        return [decl.format(v=f"{w.upper()}_{rng.randrange(999)}", s=f"{rng.choice(HOSTS)}/{rng.choice(PATHS)}")]
    if r < 0.7:
        return fn.format(f=f"{w}{rng.randrange(9999)}", p=rng.choice(PATHS)).split("\n")
    if r < 0.85:
        return [f"{com}TODO: refactor the {w} handling ({rng.randrange(10**6)})"]
    return [com + " ".join(rng.choice(WORDS) for _ in range(rng.randrange(4, 14)))]


def new_file(rng, ext, v1):
    lines = []
    while len(lines) < rng.randrange(40, 140):
        lines += block(rng, ext)
    if v1:
        at = rng.randrange(len(lines))
        lines[at:at] = [KEY_FROM_ENV[ext]] + V1_USE[ext]
    return lines


def edit(rng, lines, ext):
    """Replaces, inserts or deletes a few lines, never a line holding a key (`eyJ`) or V1 usage."""
    def free(i):
        return i < len(lines) and "eyJ" not in lines[i] and "GHL" not in lines[i] and "ghl" not in lines[i]
    for _ in range(rng.randrange(1, 4)):
        i = rng.randrange(len(lines) + 1)
        r = rng.random()
        if (r < 0.4 or len(lines) > MAX_LINES) and free(i):
            del lines[i]
        elif r < 0.7 and free(i):
            lines[i:i + 1] = block(rng, ext)
        else:
            lines[i:i] = block(rng, ext)


class Stream:
    """Writes a fast-import stream to git's stdin."""

    def __init__(self, out):
        self.p = subprocess.Popen(["git", "-C", out, "fast-import", "--quiet", "--done"], stdin=subprocess.PIPE)
        self.mark = 0
        self.t = 1600000000

    def data(self, b):
        self.p.stdin.write(b"data %d\n" % len(b) + b + b"\n")

    def commit(self, ref, msg, changes, rng, parent=None):
        self.mark += 1
        self.t += rng.randrange(600, 20000)
        who = rng.choice(["Ada Dev <ada@example.com>", "Bo Dev <bo@example.com>", "Cy Dev <cy@example.com>"])
        self.p.stdin.write(f"commit {ref}\nmark :{self.mark}\nauthor {who} {self.t} +0000\n"
                           f"committer {who} {self.t} +0000\n".encode())
        self.data(msg.encode())
        if parent:
            self.p.stdin.write(f"from :{parent}\n".encode())
        for path, lines in changes:
            self.p.stdin.write(f"M 100644 inline {path}\n".encode())
            self.data(("\n".join(lines) + "\n").encode())
        return self.mark

    def done(self):
        self.p.stdin.write(b"done\n")
        self.p.stdin.close()
        if self.p.wait() != 0:
            sys.exit("git fast-import failed")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--commits", type=int, default=10_000)
    ap.add_argument("--files", type=int, default=300)
    ap.add_argument("--keys", type=int, default=5)
    ap.add_argument("--branch-commits", type=int, default=200)
    ap.add_argument("--seed", type=int, default=17)
    a = ap.parse_args()
    rng = random.Random(a.seed)
    os.makedirs(a.out, exist_ok=True)
    subprocess.run(["git", "init", "--quiet", "--initial-branch=main", a.out], check=True)
    s = Stream(a.out)

    files = {}  # path -> lines

    def add_file(v1=False):
        ext = rng.choice(list(LANGS))
        d = rng.choice(["src", "lib", "app", "src/api", "src/models", "lib/util", "scripts", "services"])
        path = f"{d}/{rng.choice(WORDS)}_{len(files)}{ext}"
        files[path] = new_file(rng, ext, v1)
        return path

    first = [add_file(v1=(i % 30 == 0)) for i in range(a.files)]
    main_n = a.commits - a.branch_commits
    s.commit("refs/heads/main", "initial import", [(p, files[p]) for p in first], rng)
    # Key i is pasted at commit adds[i] into a V1-using file and replaced with the environment lookup
    # `life` commits later (a hot fix within hours, or a key that lived for weeks).
    v1_files = [p for p in files if any("gohighlevel" in l for l in files[p])]
    adds = [int(main_n * (i + 1) / (a.keys + 1)) for i in range(a.keys)]
    plan = {}
    for i, at in enumerate(adds):
        plan[at] = ("add", i)
        plan[at + [3, 40, 400, 1200, 15][i % 5]] = ("remove", i)
    key_path = {}  # key -> the file it was pasted into

    def env_file(start, ext_of=os.path.splitext):
        """The first V1-using file from `start` on that reads the key from the environment now."""
        for d in range(len(v1_files)):
            path = v1_files[(start + d) % len(v1_files)]
            if KEY_FROM_ENV[ext_of(path)[1]] in files[path]:
                return path
        sys.exit("every V1-using file holds a key: use more --files or fewer --keys")
    keys = [synthetic_key(i) for i in range(a.keys + 1)]
    fork_at = main_n * 3 // 5
    fork = None
    for n in range(1, main_n):
        act = plan.get(n)
        if act:
            kind, i = act
            if kind == "add":
                key_path[i] = env_file(i)
            path = key_path[i]
            ext = os.path.splitext(path)[1]
            lines = files[path]
            if kind == "add":
                j = lines.index(KEY_FROM_ENV[ext])
                lines[j] = KEY_LITERAL[ext].format(k=keys[i])
                msg = "quick fix: hard-code the API key for the sync job"
            else:
                j = next(j for j, l in enumerate(lines) if keys[i] in l)
                lines[j] = KEY_FROM_ENV[ext]
                msg = "read the API key from the environment"
            changed = [path]
        else:
            changed = [add_file()] if rng.random() < 0.01 else []
            for p in rng.sample(sorted(files), rng.randrange(1, 4)):
                edit(rng, files[p], os.path.splitext(p)[1])
                changed.append(p)
            msg = f"{rng.choice(['fix', 'refactor', 'add', 'update', 'tidy'])} {rng.choice(WORDS)} handling"
        mark = s.commit("refs/heads/main", msg, [(p, files[p]) for p in dict.fromkeys(changed)], rng)
        if n == fork_at:
            fork = (mark, copy.deepcopy(files))
    # The unmerged branch: ordinary commits, one of which pastes the last key into a V1-using file.
    head_files = len(files)
    mark, files = fork
    ref = "refs/heads/legacy-sync"
    for n in range(a.branch_commits):
        if n == a.branch_commits // 2:
            path = env_file(len(v1_files) - 1)
            ext = os.path.splitext(path)[1]
            lines = files[path]
            lines[lines.index(KEY_FROM_ENV[ext])] = KEY_LITERAL[ext].format(k=keys[a.keys])
            changed, msg = [path], "legacy sync: key for the old location"
        else:
            changed = rng.sample(sorted(files), rng.randrange(1, 3))
            for p in changed:
                edit(rng, files[p], os.path.splitext(p)[1])
            msg = f"legacy sync: {rng.choice(WORDS)}"
        s.commit(ref, msg, [(p, files[p]) for p in changed], rng, parent=mark if n == 0 else None)
    s.done()
    subprocess.run(["git", "-C", a.out, "checkout", "--quiet", "-f", "main"], check=True)
    subprocess.run(["git", "-C", a.out, "gc", "--quiet"], check=True)
    print(json.dumps({"commits": a.commits, "files_at_head": head_files, "branches": ["main", "legacy-sync"],
                      "keys": [fingerprint(k) for k in keys]}))


if __name__ == "__main__":
    main()
