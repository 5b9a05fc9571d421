#!/usr/bin/env node
// Regenerates n8n-nodes-base-<version>-highlevel-params.json from an unpacked `npm pack n8n-nodes-base@<version>`:
//
//     cd /tmp && npm pack n8n-nodes-base@2.41.2 && tar xzf n8n-nodes-base-2.41.2.tgz
//     node tests/data/extract_n8n_highlevel_params.js /tmp/package > tests/data/n8n-nodes-base-2.41.2-highlevel-params.json
//
// Loads only dist/nodes/HighLevel/{v1,v2}/description/*Description.js (their package imports are stubbed) and
// records, per version and resource.operation, each parameter's name (collections as `collection.option`), type,
// option values and loadOptions method. The package itself is never committed.
const Module = require('module');
const orig = Module.prototype.require;
const stub = new Proxy(function () {}, {
  get: (t, k) => (k === '__esModule' ? false : k === Symbol.toPrimitive ? () => '' : stub),
  apply: () => stub,
  construct: () => stub,
});
Module.prototype.require = function (id) {
  if (!id.startsWith('.') && !id.startsWith('/')) {
    try { return orig.apply(this, arguments); } catch (e) { return stub; }
  }
  return orig.apply(this, arguments);
};
const root = process.argv[2];
const pkg = require(`${root}/package.json`);
const sig = (q) => {
  const s = { type: q.type };
  if ((q.type === 'options' || q.type === 'multiOptions') && Array.isArray(q.options)) s.options = q.options.map((x) => x.value);
  if (q.typeOptions && q.typeOptions.loadOptionsMethod) s.loadOptions = q.typeOptions.loadOptionsMethod;
  return s;
};
const facts = { package: pkg.name, version: pkg.version, source: 'dist/nodes/HighLevel/{v1,v2}/description/*Description.js', operations: {}, parameters: {} };
for (const ver of ['v1', 'v2']) {
  const ops = (facts.operations[ver] = {});
  const params = (facts.parameters[ver] = {});
  for (const [res, file] of [['contact', 'Contact'], ['opportunity', 'Opportunity'], ['task', 'Task'], ['calendar', 'Calendar']]) {
    let m;
    try { m = require(`${root}/dist/nodes/HighLevel/${ver}/description/${file}Description.js`); } catch (e) { continue; }
    for (const [k, v] of Object.entries(m)) {
      if (!Array.isArray(v)) continue;
      if (k.endsWith('Operations')) { ops[res] = v[0].options.map((o) => o.value); continue; }
      for (const p of v) {
        const show = (p.displayOptions && p.displayOptions.show) || {};
        for (const r of show.resource || [res]) for (const o of show.operation || ['*']) {
          const at = (params[`${r}.${o}`] ||= {});
          if (p.type === 'collection' || p.type === 'fixedCollection') for (const s of p.options || []) at[`${p.name}.${s.name}`] = sig(s);
          else at[p.name] = sig(p);
        }
      }
    }
  }
}
console.log(JSON.stringify(facts, null, 2));
