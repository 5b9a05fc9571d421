#!/usr/bin/env python3
"""Generates a large, realistic-looking source tree for benchmarking `ghl-migrate scan` against ripgrep.

usage: gen_tree.py OUT_DIR [--files N] [--avg-kb K] [--rate R] [--seed S]

Files are spread over nested project directories in many languages; each is built from code-like lines
(imports, functions, string literals with ordinary URLs, comments). A fraction RATE of files (default 1 in
500) gets real V1 usage: a base URL constant, calls with methods, sometimes a synthetic key. The count of
seeded files is printed so a run can check the scanner found them. Deterministic for a given seed.
"""
import argparse, base64, hashlib, json, os, random

LANGS = {
    ".js": ("// ", "const {v} = '{s}';", "export async function {f}(id) {{ return fetch(`${{BASE}}/{p}/${{id}}`); }}"),
    ".ts": ("// ", "export const {v}: string = \"{s}\";", "async {f}(id: string): Promise<void> {{ await this.http.get(`/{p}/${{id}}`); }}"),
    ".py": ("# ", "{v} = \"{s}\"", "def {f}(self, id):\n    return self.session.get(f\"{{self.base}}/{p}/{{id}}\")"),
    ".php": ("// ", "$${v} = '{s}';", "function {f}($id) {{ return $this->client->get('/{p}/' . $id); }}"),
    ".go": ("// ", "var {v} = \"{s}\"", "func {f}(id string) error {{ _, err := http.Get(base + \"/{p}/\" + id); return err }}"),
    ".java": ("// ", "static final String {v} = \"{s}\";", "public Response {f}(String id) {{ return client.get(base + \"/{p}/\" + id); }}"),
    ".rb": ("# ", "{v} = '{s}'", "def {f}(id)\n  HTTParty.get(\"#{{BASE}}/{p}/#{{id}}\")\nend"),
    ".cs": ("// ", "private const string {v} = \"{s}\";", "public Task {f}(string id) => _http.GetAsync($\"{{Base}}/{p}/{{id}}\");"),
    ".md": ("", "See {s} for details.", "## {f}\n\nCall `/{p}/:id` to fetch one."),
    ".json": ("", "{{\"{v}\": \"{s}\"}}", "{{\"name\": \"{f}\", \"path\": \"/{p}\"}}"),
}
WORDS = "user order item cart account invoice product report session token event job queue cache index".split()
HOSTS = ["https://api.stripe.com/v1", "https://api.github.com", "https://example.com/api", "https://hooks.slack.com/services",
         "https://graph.microsoft.com/v1.0", "https://www.googleapis.com/drive/v3", "http://localhost:8080"]
PATHS = ["users", "orders", "items", "accounts", "invoices", "products", "reports", "events"]


def b64(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


def synthetic_key(rng):
    payload = {"location_id": "".join(rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789") for _ in range(20)),
               "version": 1, "iat": 1600000000000 + rng.randrange(10**11)}
    h = b64(b'{"alg":"HS256","typ":"JWT"}')
    p = b64(json.dumps(payload, separators=(",", ":")).encode())
    return f"{h}.{p}.{b64(hashlib.sha256(p.encode()).digest())}"


def filler(rng, ext, target):
    com, decl, fn = LANGS[ext]
    out, size = [], 0
    while size < target:
        r = rng.random()
        w = rng.choice(WORDS)
        if r < 0.35:
            line = decl.format(v=f"{w.upper()}_{rng.randrange(999)}", s=f"{rng.choice(HOSTS)}/{rng.choice(PATHS)}")
        elif r < 0.6:
            line = fn.format(f=f"{w}{rng.randrange(9999)}", p=rng.choice(PATHS))
        elif r < 0.75:
            line = f"{com}TODO: refactor the {w} handling ({rng.randrange(10**6)})"
        else:
            line = f"{com}" + " ".join(rng.choice(WORDS) for _ in range(rng.randrange(4, 14)))
        out.append(line)
        size += len(line) + 1
    return out


def v1_usage(rng, ext):
    key = synthetic_key(rng) if rng.random() < 0.3 else "process.env.GHL_API_KEY"
    lines = {
        ".py": [f'GHL_BASE = "https://rest.gohighlevel.com/v1"', f'KEY = "{key}"',
                'def sync(cid):', '    return requests.put(f"{GHL_BASE}/contacts/{cid}", headers={"Authorization": f"Bearer {KEY}"})'],
        ".php": ["$base = 'https://rest.gohighlevel.com/v1';", "$ch = curl_init($base . '/pipelines/');",
                 "curl_setopt($ch, CURLOPT_CUSTOMREQUEST, 'GET');"],
    }
    return lines.get(ext, ["const GHL = 'https://rest.gohighlevel.com/v1';", f"const KEY = '{key}';",
                           "export const getContact = (id) => fetch(`${GHL}/contacts/${id}`, { method: 'GET' });"])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--files", type=int, default=100_000)
    ap.add_argument("--avg-kb", type=float, default=10.0)
    ap.add_argument("--rate", type=float, default=1 / 500)
    ap.add_argument("--seed", type=int, default=7)
    a = ap.parse_args()
    rng = random.Random(a.seed)
    exts = list(LANGS)
    seeded = total = 0
    for i in range(a.files):
        proj = f"project{i // 2000:03d}"
        sub = "/".join(rng.choice(["src", "lib", "app", "pkg", "internal", "docs", "config"]) for _ in range(rng.randrange(1, 4)))
        ext = rng.choice(exts)
        d = os.path.join(a.out, proj, sub)
        os.makedirs(d, exist_ok=True)
        lines = filler(rng, ext, int(rng.expovariate(1 / (a.avg_kb * 1024))) + 200)
        if rng.random() < a.rate and ext in (".js", ".ts", ".py", ".php"):
            pos = rng.randrange(len(lines) + 1)
            lines[pos:pos] = v1_usage(rng, ext)
            seeded += 1
        text = "\n".join(lines) + "\n"
        total += len(text)
        with open(os.path.join(d, f"f{i}{ext}"), "w") as f:
            f.write(text)
    print(json.dumps({"files": a.files, "bytes": total, "seeded_files": seeded}))


if __name__ == "__main__":
    main()
