// dist/ is what runners execute. Here, in a second: its stamp (scripts/dist-stamp.mjs) names the
// sources of this tree and the files dist/ holds now, so a change to src/ without `npm run build`,
// or a hand edit of dist/, fails. dist-bundle.test.ts (npm run test:all) bundles src/ again and
// compares every byte.
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { bundleInputs, digestOf, STAMP_NAME, stampOf, type Stamp } from '../../scripts/dist-stamp.mjs';

test('dist/ is stamped with the sources of this tree and holds what its stamp says (run `npm run build` and commit dist/)', () => {
  const recorded = JSON.parse(readFileSync(path.join('dist', STAMP_NAME), 'utf8')) as Stamp;
  const now = stampOf('.', 'dist');
  assert.equal(now.inputs, recorded.inputs, 'src/ (or the lockfile, tsconfig.json, scripts/build.mjs) changed since dist/ was built: run `npm run build`');
  assert.equal(now.outputs, recorded.outputs, 'dist/ is not what scripts/build.mjs wrote: run `npm run build`');
});

test('the stamp changes with any byte or name of the sources, and covers every source file', (t) => {
  const files = bundleInputs('.');
  assert.ok(files.includes('src/index.ts') && files.includes('src/cli/index.ts') && files.includes('package-lock.json'), files.join(' '));
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'ktctl-stamp-'));
  t.after(() => rmSync(scratch, { recursive: true, force: true }));
  cpSync('src', path.join(scratch, 'src'), { recursive: true });
  const digest = (): string => digestOf(scratch, ['src/main.ts', 'src/model.ts']);
  const before = digest();
  writeFileSync(path.join(scratch, 'src/main.ts'), `${readFileSync('src/main.ts', 'utf8')} `);
  assert.notEqual(digest(), before, 'one byte more');
  writeFileSync(path.join(scratch, 'src/main.ts'), readFileSync('src/main.ts'));
  assert.equal(digest(), before, 'the same bytes again');
  assert.notEqual(digestOf(scratch, ['src/model.ts', 'src/main.ts']), before, 'another order of names');
});

test("each bundle's licenses.txt names every dependency, whichever chunk holds it", () => {
  // The bundle is split: @actions/artifact and @actions/cache sit in chunks loaded on first use,
  // and ncc writes one license list per chunk (scripts/build.mjs merges them). A list that lost a
  // chunk's packages lost @actions/core and the rest of the main chunk once.
  const dependencies = Object.keys((JSON.parse(readFileSync('package.json', 'utf8')) as { dependencies: Record<string, string> }).dependencies);
  // the local command publishes nothing: it bundles no throttling plugin
  const bundles: Array<[string, string[]]> = [
    ['dist', dependencies],
    ['dist/cli', ['@actions/core', '@actions/github', '@actions/tool-cache', 'yaml', '@actions/artifact', '@actions/cache']],
  ];
  for (const [bundle, expected] of bundles) {
    const named = new Set(readFileSync(path.join(bundle, 'licenses.txt'), 'utf8').split('\n'));
    const missing = expected.filter((name) => !named.has(name));
    assert.deepEqual(missing, [], `${bundle}/licenses.txt does not name ${missing.join(', ')}: run \`npm run build\``);
  }
});
