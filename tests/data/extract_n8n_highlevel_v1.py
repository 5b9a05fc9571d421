#!/usr/bin/env python3
"""Regenerates n8n-nodes-base-<version>-highlevel-v1.json from an unpacked `npm pack n8n-nodes-base@<version>`.

    cd /tmp && npm pack n8n-nodes-base@2.41.2 && tar xzf n8n-nodes-base-2.41.2.tgz
    python3 tests/data/extract_n8n_highlevel_v1.py /tmp/package > tests/data/n8n-nodes-base-2.41.2-highlevel-v1.json

Reads only the `<resource>Operations` option lists (value + routing.request.method/url) of the v1 node's
descriptions, plus the node's baseURL and the resource default. The package itself is never committed.
"""
import json, re, sys

root = sys.argv[1]
pkg = json.load(open(f"{root}/package.json"))
base = f"{root}/dist/nodes/HighLevel/v1"
node = open(f"{base}/HighLevelV1.node.js").read()
facts = {
    "package": pkg["name"],
    "version": pkg["version"],
    "source": "dist/nodes/HighLevel/v1/description/{Contact,Opportunity,Task}Description.js",
    "base_url": re.search(r"baseURL: '([^']+)'", node).group(1),
    "default_resource": re.search(r"name: 'resource',[\s\S]*?default: '([^']+)'", node).group(1),
    "operations": {},
}
for res, file in [("contact", "Contact"), ("opportunity", "Opportunity"), ("task", "Task")]:
    js = open(f"{base}/description/{file}Description.js").read()
    block = js[js.index(f"exports.{res}Operations = ["):]
    block = block[: block.index("\n];")]
    default = re.search(r"\n        default: '([^']+)'", block)
    facts.setdefault("default_operation", {})[res] = default.group(1) if default else None
    for m in re.finditer(
        r"value: '(\w+)',\s*routing: \{(?:\s*send: \{[^}]*\},)?\s*request: \{\s*method: '(\w+)',\s*url: '([^']+)'", block
    ):
        facts["operations"][f"{res}.{m.group(1)}"] = {"method": m.group(2), "url": m.group(3)}
json.dump(facts, sys.stdout, indent=2)
print()
