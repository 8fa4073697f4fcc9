// Every pass over text from outside is linear: each pass gets inputs of some 300,000 characters
// built to make a super-linear one run for minutes or hours (the old masking pattern took 30 s
// for 4,000 spaces and grows with the cube). Each pass runs in a child process with a bound
// that is generous for a linear pass on a machine shared by many jobs, and far too short for
// anything worse; the test asserts that the child finished every input, not how fast.
import { spawnSync } from 'node:child_process';
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, test } from 'node:test';
import { HOSTILE, PASSES } from '../support/linear-passes.js';

const SCRIPT = path.resolve('__tests__/support/linear-passes.ts');
/**
 * Seconds a child may take: generous for a linear pass while a dozen jobs share two cores (the
 * slowest, the YAML parser, takes up to 15 s on one input here then), far too short for a
 * super-linear one at this size (the old masking pattern needed 14 s for 2,000 spaces).
 */
const BOUND_SECONDS = 120;
/** The YAML validators get a fresh process per input: each builds a large document. */
const PER_INPUT = new Set(['validateKubeconfig', 'validateKtConfig']);

function runPass(pass: string, input: string): void {
  const child = spawnSync(process.execPath, ['--import', 'tsx', SCRIPT, pass, input], { encoding: 'utf8', timeout: BOUND_SECONDS * 1000, maxBuffer: 1 << 20 });
  const done = child.stdout
    .split('\n')
    .filter((line) => line.startsWith('done '))
    .map((line) => line.slice(5));
  const stuck = (input === 'all' ? Object.keys(HOSTILE) : [input]).find((name) => !done.includes(name));
  assert.equal(stuck, undefined, `${pass} did not finish '${stuck}' within ${BOUND_SECONDS} s (${child.signal ?? child.status}): ${child.stderr.slice(-2000)}`);
  assert.equal(child.status, 0, child.stderr.slice(-2000));
}

describe('every pass over outside text finishes on inputs of 300,000 characters', { concurrency: false }, () => {
  test('the inputs are as large as promised', () => {
    for (const [name, text] of Object.entries(HOSTILE)) assert.ok(text.length >= 299_000, `${name}: ${text.length}`);
  });

  for (const pass of Object.keys(PASSES)) {
    if (PER_INPUT.has(pass)) {
      for (const input of Object.keys(HOSTILE)) test(`${pass}: ${input}`, () => runPass(pass, input));
    } else {
      test(`${pass}: all ${Object.keys(HOSTILE).length} inputs`, () => runPass(pass, 'all'));
    }
  }
});
