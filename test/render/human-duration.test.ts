import { test } from 'node:test';
import assert from 'node:assert/strict';
import { humanDuration, shortHumanDuration } from '../../src/render/human-duration';
import { formatBytes } from '../../src/render/format-bytes';

const S = 1000;
const M = 60 * S;
const H = 60 * M;
const D = 24 * H;
const Y = 365 * D;

test('humanDuration follows apimachinery HumanDuration at every boundary', () => {
  const cases: Array<[number, string]> = [
    [-2 * S, '<invalid>'],
    [-1999, '0s'], // int(-1.999s) = -1: within the 2 s tolerance
    [-1, '0s'],
    [0, '0s'],
    [45 * S, '45s'],
    [119 * S + 999, '119s'],
    [2 * M, '2m'],
    [5 * M + 30 * S, '5m30s'],
    [9 * M + 59 * S, '9m59s'],
    [10 * M + 30 * S, '10m'],
    [179 * M, '179m'],
    [3 * H, '3h'],
    [3 * H + 4 * M, '3h4m'],
    [7 * H + 59 * M, '7h59m'],
    [8 * H + 30 * M, '8h'],
    [47 * H, '47h'],
    [2 * D, '2d'],
    [2 * D + 5 * H, '2d5h'],
    [7 * D + 23 * H, '7d23h'],
    [8 * D + 5 * H, '8d'],
    [729 * D, '729d'],
    [2 * Y, '2y'],
    [3 * Y + 45 * D, '3y45d'],
    [8 * Y + 100 * D, '8y'],
  ];
  for (const [ms, want] of cases) assert.equal(humanDuration(ms), want, `humanDuration(${ms})`);
  assert.equal(humanDuration(Number.NaN), '<invalid>');
});

test('shortHumanDuration keeps one unit', () => {
  assert.equal(shortHumanDuration(59 * S), '59s');
  assert.equal(shortHumanDuration(90 * M), '1h');
  assert.equal(shortHumanDuration(3 * D + 5 * H), '3d');
  assert.equal(shortHumanDuration(400 * D), '1y');
  assert.equal(shortHumanDuration(-3 * S), '<invalid>');
});

test('formatBytes uses binary units with one decimal below 10', () => {
  assert.equal(formatBytes(0), '0 B');
  assert.equal(formatBytes(1023), '1023 B');
  assert.equal(formatBytes(1536), '1.5 KiB');
  assert.equal(formatBytes(15 * 1024), '15 KiB');
  assert.equal(formatBytes(1024 * 1024 - 1), '1 MiB');
  assert.equal(formatBytes(3.25 * 1024 ** 3), '3.3 GiB');
});
