#!/usr/bin/env python3
"""Generates the worst cases of `ghl-migrate scan` cost (issue #19), deterministically.

usage: gen_worst.py MODE OUT [--files N] [--avg-kb K] [--mb M] [--seed S]

MODE:
  plain        N ordinary code files (JS/TS/Python/PHP/Go/Java/Ruby/C#) calling API paths such as `/users/`
               and `/contacts/`, with other APIs' URL constants; no HighLevel anywhere. The baseline.
  root-baseurl plain + one root file configuring a V1 client (`baseURL: 'https://rest.gohighlevel.com/v1'`):
               before #19 every file of the tree sat "below a V1 client" and was analysed.
  index-host   plain + `lib/index.js` defining `HOST` as the V1 base: before #19 `index` became a linking
               word and every file mentioning it was analysed.
  sourcemap    plain, every file ending in an inline source map (`data:…;base64,eyJ…`): before #19 every
               file passed the `eyJ` prefilter and was analysed.
  projects     plain, as 13 projects of 2 000 files (each with a `package.json`), every file using
               `HighLevelRoot`, which one project's `config.js` defines as the V1 base: before #19 every file
               of every project was linked to it and parsed; now only the JavaScript/TypeScript files of
               that project.
  large        one minified JS file of M MB on one line: URL constants, calls on them, one V1 base.
  n8n          one n8n workflow export of about M MB (pretty-printed) with one V1 HTTP Request node among
               thousands of ordinary ones.

Prints a JSON line describing what was written (what the scan must find).
"""
import argparse, base64, json, os, random, sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gen_tree  # noqa: E402

CODE = [".js", ".ts", ".py", ".php", ".go", ".java", ".rb", ".cs"]
V1 = "https://rest.gohighlevel.com/v1"


def plain(out, files, avg_kb, rng, tail=None):
    total = 0
    for i in range(files):
        proj = f"project{i // 2000:03d}"
        sub = "/".join(rng.choice(["src", "lib", "app", "pkg", "internal"]) for _ in range(rng.randrange(1, 4)))
        ext = rng.choice(CODE)
        d = os.path.join(out, proj, sub)
        os.makedirs(d, exist_ok=True)
        lines = gen_tree.filler(rng, ext, int(rng.expovariate(1 / (avg_kb * 1024))) + 200)
        # Ordinary calls on paths V1 also has: what makes a file a weak (path-only) candidate.
        lines.append(f"{gen_tree.LANGS[ext][0]}GET /contacts/{{id}} and /users/ are proxied to the backend")
        if tail:
            lines.append(tail(rng, ext))
        text = "\n".join(lines) + "\n"
        total += len(text)
        with open(os.path.join(d, f"f{i}{ext}"), "w") as f:
            f.write(text)
    return total


def uses_root(rng, ext):
    # Code, not a comment: a use of the name in whatever language the file is in.
    return "report(HighLevelRoot);"


def source_map(rng, ext):
    sm = {"version": 3, "file": f"f{rng.randrange(10**6)}.js", "sources": [f"src/m{rng.randrange(999)}.ts"],
          "names": [], "mappings": ";".join("AAAA,SAAS" * rng.randrange(4, 40) for _ in range(20))}
    b = base64.b64encode(json.dumps(sm).encode()).decode()
    return f"{gen_tree.LANGS[ext][0]}# sourceMappingURL=data:application/json;charset=utf-8;base64,{b}"


def large(path, mb, rng):
    parts, size, i = [f"var GHL_BASE=\"{V1}\";"], 0, 0
    while size < mb * 1024 * 1024:
        i += 1
        host = rng.choice(gen_tree.HOSTS)
        p = rng.choice(gen_tree.PATHS)
        s = (f"var u{i}=\"{host}/{p}\";function f{i}(e){{return fetch(u{i}+\"/\"+e,{{method:\"GET\"}})}}"
             f"var c{i}=fetch(\"/contacts/\"+e{i});")
        parts.append(s)
        size += len(s)
    parts.append("function g(id){return fetch(GHL_BASE+\"/contacts/\"+id,{method:\"DELETE\"})}")
    with open(path, "w") as f:
        f.write("".join(parts))
    return {"bytes": os.path.getsize(path), "v1_calls": 1}


def n8n(path, mb, rng):
    nodes, size, i = [], 0, 0
    while size < mb * 1024 * 1024:
        i += 1
        n = {"parameters": {"url": f"{rng.choice(gen_tree.HOSTS)}/{rng.choice(gen_tree.PATHS)}/{i}",
                            "options": {}, "jsonBody": "{\"note\": \"" + "x" * rng.randrange(50, 400) + "\"}"},
             "id": f"00000000-0000-4000-8000-{i:012d}", "name": f"HTTP Request {i}",
             "type": "n8n-nodes-base.httpRequest", "typeVersion": 4.2, "position": [i * 20 % 4000, i * 7 % 900]}
        nodes.append(n)
        size += len(json.dumps(n, indent=2))
    mid = len(nodes) // 2
    nodes.insert(mid, {"parameters": {"method": "PUT", "url": f"{V1}/contacts/{{{{$json.id}}}}", "options": {}},
                       "id": "00000000-0000-4000-8000-ffffffffffff", "name": "Update GHL contact",
                       "type": "n8n-nodes-base.httpRequest", "typeVersion": 4.2, "position": [0, 0]})
    wf = {"name": "Big export", "nodes": nodes, "connections": {}, "settings": {}, "active": False}
    text = json.dumps(wf, indent=2)
    with open(path, "w") as f:
        f.write(text)
    line = text[: text.index(f"{V1}/contacts/")].count("\n") + 1
    return {"bytes": len(text), "v1_node": "Update GHL contact", "line": line}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("mode", choices=["plain", "root-baseurl", "index-host", "sourcemap", "projects", "large", "n8n"])
    ap.add_argument("out")
    ap.add_argument("--files", type=int, default=25_000)
    ap.add_argument("--avg-kb", type=float, default=10.0)
    ap.add_argument("--mb", type=float, default=16)
    ap.add_argument("--seed", type=int, default=19)
    a = ap.parse_args()
    rng = random.Random(a.seed)
    if a.mode == "large":
        os.makedirs(a.out, exist_ok=True)
        print(json.dumps(large(os.path.join(a.out, "bundle.min.js"), a.mb, rng)))
        return
    if a.mode == "n8n":
        os.makedirs(a.out, exist_ok=True)
        print(json.dumps(n8n(os.path.join(a.out, "workflows.json"), a.mb, rng)))
        return
    tail = {"sourcemap": source_map, "projects": uses_root}.get(a.mode)
    total = plain(a.out, a.files, a.avg_kb, rng, tail)
    if a.mode == "projects":
        for proj in sorted(os.listdir(a.out)):
            with open(os.path.join(a.out, proj, "package.json"), "w") as f:
                f.write(json.dumps({"name": proj, "private": True}) + "\n")
        with open(os.path.join(a.out, "project000", "config.js"), "w") as f:
            f.write(f"export const HighLevelRoot = '{V1}';\n"
                    "export const getContact = (id) => fetch(`${HighLevelRoot}/contacts/${id}`, { method: 'GET' });\n")
    if a.mode == "root-baseurl":
        with open(os.path.join(a.out, "api.js"), "w") as f:
            f.write(f"import axios from 'axios';\nexport const api = axios.create({{ baseURL: '{V1}' }});\n"
                    "export const getContact = (id) => api.get(`/contacts/${id}`);\n")
    elif a.mode == "index-host":
        os.makedirs(os.path.join(a.out, "lib"), exist_ok=True)
        with open(os.path.join(a.out, "lib", "index.js"), "w") as f:
            f.write(f"const HOST = '{V1}';\nmodule.exports = {{ HOST }};\n"
                    "exports.getContact = (id) => fetch(`${HOST}/contacts/${id}`, { method: 'GET' });\n")
    print(json.dumps({"mode": a.mode, "files": a.files, "bytes": total, "v1_calls": 0 if a.mode in ("plain", "sourcemap") else 1}))


if __name__ == "__main__":
    main()
