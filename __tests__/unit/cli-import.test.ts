// src/cli/cli.ts runs nothing when imported: its entry point (src/cli/index.ts, bundled as
// dist/cli/index.js) calls main(). Importing it here with the test runner's own arguments must
// neither run a command nor touch the exit code or stdout.
import assert from 'node:assert/strict';
import { test } from 'node:test';

test('importing the local command runs nothing; main() is the entry point’s to call', async () => {
  const exitCode = process.exitCode;
  const write = process.stdout.write;
  const cli = await import('../../src/cli/cli.js');
  assert.equal(typeof cli.main, 'function');
  assert.equal(process.exitCode, exitCode);
  assert.equal(process.stdout.write, write, 'stdout is not wrapped by an import');
});
