#!/usr/bin/env node
// Runs at `npm pack` and `npm publish` (package.json "prepack"): builds dist/ from scratch, compiles the
// Kubernetes schema from the installed sources into dist/schema/kubernetes.json, and writes NOTICE, so
// the package works with no proto/upstream, apt, Go or network. All three are build outputs: git-ignored,
// never committed.

const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const REPO = path.join(__dirname, '..');
const DIST = path.join(REPO, 'dist');

function fail(message) {
  process.stderr.write(`kubetcd prepack: ${message}\n`);
  process.exit(1);
}

fs.rmSync(DIST, { recursive: true, force: true });
const tsc = path.join(REPO, 'node_modules', 'typescript', 'bin', 'tsc');
if (!fs.existsSync(tsc)) fail(`TypeScript is not installed (${tsc}): run "npm ci" in ${REPO} first.`);
const built = spawnSync(process.execPath, [tsc, '-p', path.join(REPO, 'tsconfig.build.json')], { stdio: 'inherit' });
if (built.status !== 0) fail('the TypeScript build of src/ failed (see above).');

// The schema comes from the sources named by KUBETCD_K8S_SOURCES, else proto/upstream/<version> (npm run
// setup): every Kubernetes version at once, each kind from the newest that has it.
const { defaultSourcesDirs, INSTALLED_KUBERNETES_VERSIONS, loadSchema, SCHEMA_FORMAT_VERSION } = require(
  path.join(DIST, 'codec', 'schema.js'),
);
const sourcesDir = defaultSourcesDirs();
let schema;
try {
  schema = loadSchema({ sourcesDir });
} catch (e) {
  fail(`cannot compile the Kubernetes schema from ${sourcesDir.join(path.delimiter)}: ${e.message}`);
}
if (schema.formatVersion !== SCHEMA_FORMAT_VERSION)
  fail(`the schema has format ${schema.formatVersion}, expected ${SCHEMA_FORMAT_VERSION}.`);
// The build machine's folders mean nothing where the package is installed.
const atPack = '(compiled into the package at npm pack)';
const packaged = {
  ...schema,
  source: { ...schema.source, dir: atPack },
  sources: (schema.sources ?? []).map((s) => ({ ...s, dir: atPack })),
};
fs.mkdirSync(path.join(DIST, 'schema'), { recursive: true });
fs.writeFileSync(path.join(DIST, 'schema', 'kubernetes.json'), JSON.stringify(packaged));

// Which Debian packages the sources came from (proto/install.sh records them per version), for NOTICE.
const packages = [];
if (process.env.KUBETCD_K8S_SOURCES === undefined) {
  for (const version of INSTALLED_KUBERNETES_VERSIONS) {
    const installed = path.join(REPO, 'proto', 'upstream', version, 'installed.txt');
    if (!fs.existsSync(installed)) continue;
    for (const l of fs.readFileSync(installed, 'utf8').split('\n')) {
      if (l.startsWith('package '))
        packages.push(`${l.split(' ').slice(1, 3).join(' ')} (Debian; Kubernetes ${version})`);
    }
  }
}
const from = packages.length > 0 ? packages.map((p) => `  - ${p}`).join('\n') : `  - ${schema.source.description}`;
const notice = `kubetcd
Copyright the kubetcd authors. Licensed under the Apache License, Version 2.0.

This package includes dist/schema/kubernetes.json, a schema compiled when the package was built from
the Kubernetes API sources (k8s.io/api and k8s.io/apimachinery: their generated.proto files and Go type
definitions), which are Copyright The Kubernetes Authors and licensed under the Apache License,
Version 2.0 (https://www.apache.org/licenses/LICENSE-2.0). It holds message and field names, field
numbers, types and JSON names derived from them. Compiled from:
${from}
  (${schema.source.description}; ${Object.keys(schema.kinds).length} kinds)
`;
fs.writeFileSync(path.join(REPO, 'NOTICE'), notice);
process.stderr.write(
  `kubetcd prepack: dist/ built, schema of ${Object.keys(schema.kinds).length} kinds packaged (${schema.source.description})\n`,
);
