/**
 * Every committed notebook (the lessons in notebooks/ and the test fixtures) is nbformat 4.5 with an id on
 * every cell, valid and unique within the notebook: Jupyter adds missing ids when it opens a notebook, so
 * without them every open is a diff, and nbformat warns (and will refuse) on 4.5 files without them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { FIXTURES, REPO } from './notebook-fixture';

/** nbformat 4.5's cell id: 1 to 64 of letters, digits, "-" and "_". */
const CELL_ID = /^[a-zA-Z0-9_-]{1,64}$/;

function notebooksIn(dir: string): string[] {
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.ipynb'))
    .sort()
    .map((f) => path.join(dir, f));
}

test('every cell of every notebook has an id, valid and unique in its notebook (nbformat 4.5)', () => {
  const files = [...notebooksIn(path.join(REPO, 'notebooks')), ...notebooksIn(FIXTURES)];
  assert.ok(
    files.filter((f) => f.includes(`${path.sep}notebooks${path.sep}`)).length >= 6,
    `the lessons are missing: ${files.join(', ')}`,
  );
  const problems: string[] = [];
  for (const file of files) {
    const name = path.relative(REPO, file);
    const nb = JSON.parse(fs.readFileSync(file, 'utf8')) as {
      nbformat: number;
      nbformat_minor: number;
      cells: Array<{ id?: unknown; cell_type: string }>;
    };
    if (nb.nbformat !== 4 || nb.nbformat_minor < 5)
      problems.push(`${name}: nbformat ${nb.nbformat}.${nb.nbformat_minor}, cell ids need 4.5`);
    const seen = new Map<string, number>();
    nb.cells.forEach((cell, i) => {
      if (typeof cell.id !== 'string') problems.push(`${name}: cell ${i} (${cell.cell_type}) has no id`);
      else if (!CELL_ID.test(cell.id))
        problems.push(`${name}: cell ${i} has an invalid id ${JSON.stringify(cell.id)} (1-64 of a-z A-Z 0-9 - _)`);
      else if (seen.has(cell.id))
        problems.push(`${name}: cells ${seen.get(cell.id)} and ${i} share the id ${JSON.stringify(cell.id)}`);
      else seen.set(cell.id, i);
    });
  }
  assert.deepEqual(problems, [], `give each cell its own id:\n${problems.join('\n')}`);
});
