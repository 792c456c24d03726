/**
 * Golden files for the render tests: compared byte for byte; `UPDATE_GOLDEN=1` rewrites them (review
 * the diff like code).
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** test/render/golden in the source tree (tests run from build/test/render). */
export const GOLDEN_DIR = path.join(__dirname, '..', '..', '..', 'test', 'render', 'golden');

/** Compares `actual` with golden file `name`, or rewrites it when UPDATE_GOLDEN=1. */
export function assertGolden(name: string, actual: string): void {
  const file = path.join(GOLDEN_DIR, name);
  if (process.env['UPDATE_GOLDEN'] === '1') {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, actual);
    return;
  }
  assert.ok(fs.existsSync(file), `golden file ${name} is missing: run the tests with UPDATE_GOLDEN=1 and review it`);
  const expected = fs.readFileSync(file, 'utf8');
  assert.equal(actual, expected, `output differs from golden file ${name} (UPDATE_GOLDEN=1 rewrites it)`);
}

/** The shared test data (/work/shared/data), found from the repo root. */
export const SHARED_DATA = path.join(__dirname, '..', '..', '..', '..', 'shared', 'data');
