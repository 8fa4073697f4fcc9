// The lint keeps the floors of src/ (eslint/layers.js): these cases show it fails on an import
// that goes up a floor, or into another folder past its index, and passes the allowed shapes.
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { Linter } from 'eslint';
import tseslint from 'typescript-eslint';
import layers from '../../eslint/layers.js';

const cwd = path.resolve('.');

function problems(file: string, code: string): string[] {
  const linter = new Linter({ cwd });
  const config = [
    {
      files: ['**/*.ts'],
      plugins: { layers },
      languageOptions: { parser: tseslint.parser as Linter.Parser },
      rules: { 'layers/import-direction': 'error' as const },
    },
  ];
  return linter.verify(code, config, { filename: path.join(cwd, file) }).map((message) => message.message);
}

test('an import from a higher floor fails, naming both files and their floors', () => {
  const found = problems('src/shared/log.ts', "import { publishRelease } from '../publish/index.js';\n");
  assert.equal(found.length, 1);
  assert.match(found[0]!, /'shared\/log\.ts' \(floor 0\) imports 'publish\/index\.js' \(floor 9\), a higher floor/);
});

test('the model imports no stage', () => {
  const found = problems('src/model.ts', "import type { MirrorImage } from './plan/index.js';\n");
  assert.match(found.join('\n'), /'model\.ts' \(floor 1\) imports 'plan\/index\.js' \(floor 2\)/);
});

test("another folder's file past its index fails; its index passes", () => {
  assert.match(problems('src/publish/x.ts', "import { sha256 } from '../shared/hash.js';\n").join('\n'), /through shared\/index\.js/);
  assert.deepEqual(problems('src/publish/x.ts', "import { sha256 } from '../shared/index.js';\n"), []);
});

test('inside a folder, files import each other directly', () => {
  assert.deepEqual(problems('src/publish/x.ts', "import { findRelease } from './find-release.js';\n"), []);
});

test('re-exports and dynamic imports are held to the same rule', () => {
  assert.equal(problems('src/plan/x.ts', "export { publishRelease } from '../publish/index.js';\n").length, 1);
  assert.equal(problems('src/plan/x.ts', "const m = await import('../report/index.js');\n").length, 1);
});

test('a folder or file on no floor is reported, so a new stage gets a place', () => {
  assert.match(problems('src/extras/x.ts', "import { sha256 } from '../shared/index.js';\n").join('\n'), /'extras' is on no floor/);
});

test('tests and scripts outside src/ may import any file', () => {
  assert.deepEqual(problems('__tests__/unit/x.test.ts', "import { sha256 } from '../../src/shared/hash.js';\n"), []);
});
