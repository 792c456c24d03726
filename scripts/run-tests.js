#!/usr/bin/env node
// Runs every compiled test file (build/test/**/*.test.js) with Node's own test runner.
// Extra arguments filter files by substring: `node scripts/run-tests.js codec/decode`.
// `--quick` keeps only the tests that need no service: no etcd, kubectl, Go reference, Jupyter, browser
// or child process, found by following each test's own requires inside build/test.

const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..', 'build', 'test');
if (!fs.existsSync(root)) {
  console.error(`No compiled tests in ${root}. Run "npm run build" first (npm test does it for you).`);
  process.exit(1);
}
const files = [];
(function walk(dir) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) walk(full);
    else if (entry.name.endsWith('.test.js')) files.push(full);
  }
})(root);

/** Modules whose use means a test starts or calls something outside this process. */
const SERVICE_MODULES = /^(node:)?(child_process|worker_threads|net|http|https)$|^playwright-core$|^tslab$/;

/** True when the file, or a test helper it requires (transitively, inside build/test), uses a service. */
function needsService(file, seen = new Set()) {
  if (seen.has(file)) return false;
  seen.add(file);
  const text = fs.readFileSync(file, 'utf8');
  for (const m of text.matchAll(/require\("([^"]+)"\)/g)) {
    const spec = m[1];
    if (SERVICE_MODULES.test(spec)) return true;
    if (!spec.startsWith('.')) continue;
    const target = path.resolve(path.dirname(file), spec.endsWith('.js') ? spec : `${spec}.js`);
    if (target.startsWith(root + path.sep) && fs.existsSync(target) && needsService(target, seen)) return true;
  }
  return false;
}

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const filters = args.filter((a) => a !== '--quick');
let chosen = filters.length ? files.filter((f) => filters.some((s) => f.includes(s))) : files;
if (quick) chosen = chosen.filter((f) => !needsService(f));
if (chosen.length === 0) {
  console.error(`No test file matches ${filters.join(' ') || '--quick'}.`);
  process.exit(1);
}
if (quick) console.error(`--quick: ${chosen.length} of ${files.length} test files need no service.`);
const result = spawnSync(process.execPath, ['--test', ...chosen], {
  stdio: 'inherit',
  env: { ...process.env, TZ: 'UTC' },
});
process.exit(result.status === null ? 1 : result.status);
