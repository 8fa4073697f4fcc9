// scripts/test.mjs, the runner behind `npm test`: a test that leaves a folder in the temp folder
// fails the run, named with its size; temp files that Go and the like keep are reported, not
// counted; the run's temp folder is gone afterwards either way; and no file can hang the run (a
// timer left running: the run limit; a test that never ends: the test timeout).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';

function runTests(
  t: { after(fn: () => void): void },
  body: string,
  nodeOptions: string[] = [],
  runnerOptions: string[] = [],
  moreEnv: NodeJS.ProcessEnv = {},
): { code: number | null; output: string; leftInParent: string[] } {
  const parent = mkdtempSync(path.join(os.tmpdir(), 'ktctl-runner-test-'));
  t.after(() => rmSync(parent, { recursive: true, force: true }));
  const file = path.join(parent, 'sample.test.mjs');
  writeFileSync(
    file,
    `import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';\nimport os from 'node:os';\nimport path from 'node:path';\nimport test from 'node:test';\ntest('sample', async () => {\n${body}\n});\n`,
  );
  // without the variable that tells node it runs inside a test file, which would skip the files
  const { NODE_TEST_CONTEXT: _context, ...env } = process.env;
  const result = spawnSync(process.execPath, ['scripts/test.mjs', ...runnerOptions, file, '--', ...nodeOptions], {
    encoding: 'utf8',
    env: { ...env, TMPDIR: parent, ...moreEnv },
    // the runner's own limits end these runs; this one only keeps a broken runner from hanging here
    timeout: 120_000,
  });
  return { code: result.status, output: result.stdout + result.stderr, leftInParent: readdirSync(parent).filter((name) => name !== 'sample.test.mjs') };
}

test('a test that leaves a folder fails the run, which names it with its size and removes it', (t) => {
  const run = runTests(
    t,
    `  const dir = mkdtempSync(path.join(os.tmpdir(), 'forgotten-'));\n  writeFileSync(path.join(dir, 'data'), Buffer.alloc(3 * 1024 * 1024));`,
  );
  assert.equal(run.code, 1, run.output);
  assert.match(run.output, /✔ sample/);
  assert.match(run.output, /Tests left 1 temp folder\(s\) behind/);
  assert.match(run.output, /^ {2}forgotten-\w{6} \(3\.0 MB\)$/m);
  assert.deepEqual(run.leftInParent, [], 'the run’s temp folder is removed');
});

test('a test that removes what it makes passes; what Go leaves is reported, not counted', (t) => {
  const run = runTests(
    t,
    `  const dir = mkdtempSync(path.join(os.tmpdir(), 'tidy-'));\n  rmSync(dir, { recursive: true });\n  mkdirSync(path.join(os.tmpdir(), 'go-build123456'));`,
  );
  assert.equal(run.code, 0, run.output);
  assert.match(run.output, /not counted\): go-build123456 \(0\.0 MB\)/);
  assert.doesNotMatch(run.output, /Tests left/);
  assert.deepEqual(run.leftInParent, []);
});

test('a failing test fails the run with its own exit code, and the temp folder is still removed', (t) => {
  const run = runTests(t, `  throw new Error('deliberate');`);
  assert.equal(run.code, 1, run.output);
  assert.match(run.output, /deliberate/);
  assert.deepEqual(run.leftInParent, []);
});

test('a file that never exits is stopped at the run limit, which says so; every test before it is reported', (t) => {
  const started = Date.now();
  const run = runTests(t, `  setInterval(() => {}, 1000);`, [], [], { KTCTL_TEST_RUN_LIMIT_SECONDS: '10' });
  assert.equal(run.code, 1, run.output);
  assert.match(run.output, /✔ sample/);
  assert.match(run.output, /The test run passed its limit of 10 s and was stopped/);
  assert.ok(Date.now() - started < 60_000, 'stopped at the limit');
  assert.deepEqual(run.leftInParent, []);
});

test('a test that never ends fails at the test timeout', (t) => {
  // the runner's 15 minutes, shortened here: a later --test-timeout wins
  const run = runTests(t, `  await new Promise((resolve) => setTimeout(resolve, 8000));`, ['--test-timeout=2000']);
  assert.equal(run.code, 1, run.output);
  assert.match(run.output, /test timed out after 2000ms/);
  assert.deepEqual(run.leftInParent, []);
});

test('--all tells the tests to run their matrices whole; the loop does not', (t) => {
  const probe = `  console.log('scope: ' + (process.env.KTCTL_TEST_ALL ?? 'loop'));`;
  assert.match(runTests(t, probe, [], ['--all']).output, /scope: 1/);
  assert.match(runTests(t, probe).output, /scope: 0/);
});

test('a run limit that is not a number of seconds is refused before any test starts', (t) => {
  const run = runTests(t, `  console.log('started');`, [], [], { KTCTL_TEST_RUN_LIMIT_SECONDS: '10m' });
  assert.equal(run.code, 2, run.output);
  assert.match(run.output, /KTCTL_TEST_RUN_LIMIT_SECONDS must be a whole number of seconds/);
  assert.doesNotMatch(run.output, /started/);
  assert.deepEqual(run.leftInParent, []);
});
