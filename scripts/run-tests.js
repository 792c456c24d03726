#!/usr/bin/env node
// Runs every compiled test file (build/test/**/*.test.js) with Node's own test runner.
// Extra arguments filter files by substring: `node scripts/run-tests.js codec/decode`.
'use strict';
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
const filters = process.argv.slice(2);
const chosen = filters.length ? files.filter((f) => filters.some((s) => f.includes(s))) : files;
if (chosen.length === 0) {
  console.error(`No test file matches ${filters.join(' ')}.`);
  process.exit(1);
}
const result = spawnSync(process.execPath, ['--test', ...chosen], {
  stdio: 'inherit',
  env: { ...process.env, TZ: 'UTC' },
});
process.exit(result.status === null ? 1 : result.status);
