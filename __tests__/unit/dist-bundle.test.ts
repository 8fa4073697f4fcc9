// dist/ is what runners execute: it must be exactly what src/ bundles to. A minute of ncc, so in
// npm run test:all (CI) only; npm test checks dist/'s stamp (dist.test.ts).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';

function files(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(dir, path.join(entry.parentPath, entry.name)))
    .sort();
}

test('dist/ matches a fresh bundle of src/ (run `npm run build` and commit dist/)', (t) => {
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'ktctl-dist-'));
  t.after(() => rmSync(scratch, { recursive: true, force: true }));
  const fresh = path.join(scratch, 'dist');
  execFileSync(process.execPath, ['scripts/build.mjs', fresh], { stdio: 'pipe' });
  assert.deepEqual(files('dist'), files(fresh), 'dist/ has other files than a fresh build: run `npm run build`');
  for (const file of files(fresh)) {
    assert.ok(readFileSync(path.join('dist', file)).equals(readFileSync(path.join(fresh, file))), `dist/${file} is stale: run \`npm run build\``);
  }
});
