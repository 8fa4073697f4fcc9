// Every pass over text from outside is linear: each pass gets inputs of some 300,000 characters
// built to make a super-linear one run for minutes or hours (the old masking pattern took 30 s
// for 4,000 spaces and grows with the cube). One child process runs every pass on every input, at
// that size and at a quarter of it, and prints how long each took. The test asserts that the child
// finished each within a bound far too short for anything super-linear at this size, and that
// no pass grows from the quarter to the whole the way a cubic one does.
import { spawn } from 'node:child_process';
import assert from 'node:assert/strict';
import path from 'node:path';
import { before, describe, test } from 'node:test';
import { HOSTILE, N, NOISE_MS, PASSES, SIZES, type Timing } from '../support/linear-passes.js';

const SCRIPT = path.resolve('__tests__/support/linear-passes.ts');
/**
 * Seconds the child may spend on one pass over one input at one size: generous
 * for a linear pass while a dozen jobs share two cores (the slowest, the YAML parser, took up to
 * 40 s here then), far too short for a super-linear one at this size (the old masking pattern
 * needed 14 s for 2,000 spaces). The child is stopped when it prints nothing for this long.
 */
const BOUND_SECONDS = 120;
/**
 * Four times the text may take at most this many times as long: linear is 4, quadratic 16, cubic
 * (the old masking pattern) 64. Not lower: on two cores shared by a dozen jobs linear passes were
 * seen at 10 to 15, fastest of two runs (the child runs a full-size pass again when its first run
 * grew more than 8 times: linear-passes.ts).
 */
const MAX_GROWTH = 32;

interface ChildRun {
  readonly timings: Timing[];
  /** The pass and input the child was on when it stopped, if it did not finish them all. */
  readonly unfinished: string | undefined;
  readonly ending: string;
  readonly stderr: string;
}

/** Runs the child to its end or the bound; async, so that the test runner's own timers keep going. */
function runChild(): Promise<ChildRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', SCRIPT], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr = (stderr + chunk).slice(-4000)));
    let timer = setTimeout(() => child.kill('SIGKILL'), BOUND_SECONDS * 1000);
    // each line the child prints starts or ends one pass on one input: the bound starts again
    child.stdout.on('data', () => {
      clearTimeout(timer);
      timer = setTimeout(() => child.kill('SIGKILL'), BOUND_SECONDS * 1000);
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const lines = stdout.split('\n');
      const timings = lines.filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as Timing);
      const last = lines.filter((line) => line !== '').at(-1);
      const unfinished = last?.startsWith('start ') ? last.slice(6).replaceAll('\t', ', ') : undefined;
      resolve({ timings, unfinished, ending: signal ?? `exit code ${code}`, stderr });
    });
  });
}

describe('every pass over outside text is linear on inputs of 300,000 characters', () => {
  let run: ChildRun;
  before(async () => {
    run = await runChild();
  });

  test('the inputs are as large as promised', () => {
    for (const [name, make] of Object.entries(HOSTILE)) {
      const length = make(N).length;
      assert.ok(length >= 299_000, `${name}: ${length}`);
    }
  });

  test(`the child finished every pass on every input, none taking ${BOUND_SECONDS} s`, () => {
    assert.equal(run.unfinished, undefined, `stopped (${run.ending}) on ${run.unfinished}: ${run.stderr}`);
    assert.equal(run.ending, 'exit code 0', run.stderr);
    assert.equal(run.timings.length, Object.keys(PASSES).length * Object.keys(HOSTILE).length * SIZES.length);
  });

  for (const pass of Object.keys(PASSES)) {
    test(`${pass}: every input at most ${MAX_GROWTH} times as slow at four times the size (linear: 4, cubic: 64)`, () => {
      const timings = run.timings.filter((timing) => timing.pass === pass);
      assert.equal(timings.length, Object.keys(HOSTILE).length * SIZES.length, `the child did not time ${pass} on every input`);
      for (const input of Object.keys(HOSTILE)) {
        const [quarter, whole] = SIZES.map((size) => timings.find((timing) => timing.input === input && timing.size === size)!.ms);
        assert.ok(
          whole! <= MAX_GROWTH * Math.max(quarter!, NOISE_MS),
          `${pass} on '${input}': ${quarter!.toFixed(1)} ms, then ${whole!.toFixed(1)} ms at four times the size`,
        );
      }
    });
  }
});
