#!/usr/bin/env python3
"""Builds fuzz/corpus/<target>/ seed inputs from the repository's fixtures (run from anywhere).

The first byte of a `source` / `export_json` / `pathmatch` input selects a file name or method (see
src/lib.rs); seeds carry the byte matching the fixture they come from.
"""
import pathlib, re

FUZZ = pathlib.Path(__file__).resolve().parent
ROOT = FUZZ.parent
CORPUS = FUZZ / "corpus"
LIB = (FUZZ / "src" / "lib.rs").read_text()
names_block = LIB.split("pub const SOURCE_NAMES: &[&str] = &[", 1)[1].split("];", 1)[0]
SOURCE_NAMES = re.findall(r'"([^"]+)"', names_block)
EXPORT_DIRS = {
    "export_n8n": ["n8n"], "export_make": ["make"], "export_postman": ["postman"],
    "export_insomnia": ["insomnia"], "export_highlevel": ["highlevel"], "export_zapier": ["zapier"],
}


def put(target, name, data):
    d = CORPUS / target
    d.mkdir(parents=True, exist_ok=True)
    (d / name).write_bytes(data)


def ext_index(path):
    name = path.name.lower()
    for i, n in enumerate(SOURCE_NAMES):
        if name == n.lower() or (n.startswith("a.") and name.endswith(n[1:])):
            return i
    return None


n = 0
for p in sorted((ROOT / "fixtures").rglob("*")):
    if not p.is_file() or p.name == "expected.json" or p.stat().st_size > 200_000:
        continue
    data = p.read_bytes()
    i = ext_index(p)
    if i is not None:
        put("source", f"f{n}", bytes([i]) + data)
        n += 1
    if b"eyJ" in data or b"pit-" in data:
        for line in data.splitlines():
            if b"eyJ" in line or b"pit-" in line:
                put("credential", f"f{n}", line.strip())
                n += 1
    rel = p.relative_to(ROOT / "fixtures").parts
    if rel[0] == "exports":
        for target, dirs in EXPORT_DIRS.items():
            if rel[1] in dirs:
                put(target, f"f{n}", data)
        if p.suffix == ".json":
            put("export_json", f"f{n}", b"\x00" + data)
        if p.suffix in (".yaml", ".yml"):
            put("export_yaml", f"f{n}", data)
        n += 1
for k, line in enumerate((ROOT / "tests" / "data" / "v1-endpoints.txt").read_text().splitlines()):
    if line.startswith("#") or " " not in line:
        continue
    method, path = line.split(" ", 1)
    sel = ["", "GET", "POST", "PUT", "PATCH", "DELETE"].index(method) if method in ("GET", "POST", "PUT", "PATCH", "DELETE") else 0
    put("pathmatch", f"e{k}", bytes([sel]) + ("https://rest.gohighlevel.com" + path).encode())
    put("pathmatch", f"t{k}", bytes([0]) + path.replace("{", "${").encode())
# program: the first byte picks the language (PROGRAM_NAMES in src/lib.rs), then up to three files of it
# joined by NUL. Seeds: each fixtures/program/<lang>/<shape>/ project, and every other fixture source file.
PROGRAM_EXT = {
    "js": 0, "mjs": 0, "cjs": 0, "jsx": 0, "ts": 1, "tsx": 2, "py": 3, "php": 4, "rb": 5, "rake": 5,
    "sh": 6, "bash": 6, "ps1": 7, "psm1": 7, "go": 8, "java": 9, "kt": 10, "cs": 11, "dart": 12,
    "html": 13, "htm": 13, "vue": 13,
}
groups = {}
for p in sorted((ROOT / "fixtures").rglob("*")):
    ext = p.suffix.lstrip(".").lower()
    if not p.is_file() or ext not in PROGRAM_EXT or p.stat().st_size > 60_000:
        continue
    key = (str(p.parent), PROGRAM_EXT[ext]) if "program" in p.parts else (str(p), PROGRAM_EXT[ext])
    groups.setdefault(key, []).append(p.read_bytes())
for k, ((_, sel), files) in enumerate(sorted(groups.items())):
    put("program", f"p{k}", bytes([sel]) + b"\0".join(files[:3]))
for d in sorted(CORPUS.iterdir()):
    print(d.name, len(list(d.iterdir())))
