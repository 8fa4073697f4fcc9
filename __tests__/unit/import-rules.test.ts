// The cycle rules of `npm run lint` (.dependency-cruiser.cjs) fire (the floors are eslint/layers.js's,
// tested in layers.test.ts): the real dependency-cruiser,
// with the project's own config, on small trees made here, each breaking one rule. The real
// src/ passing them is `npm run lint`'s part.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';

const root = process.cwd();
const config = path.join(root, '.dependency-cruiser.cjs');
const cruiser = path.join(root, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruise.mjs');
const folders: string[] = [];

after(async () => {
  for (const folder of folders) await rm(folder, { recursive: true, force: true });
});

interface Cruise {
  readonly code: number;
  readonly output: string;
}

/** Runs the cruiser over `src/` of a tree made of `files` (path under src/ → text). */
async function cruise(files: Record<string, string>): Promise<Cruise> {
  const folder = await mkdtemp(path.join(os.tmpdir(), 'import-rules-'));
  folders.push(folder);
  for (const [name, text] of Object.entries(files)) {
    const file = path.join(folder, 'src', name);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, text);
  }
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [cruiser, 'src', '--config', config, '--output-type', 'err'], { cwd: folder }, (error, stdout, stderr) => {
      if (error !== null && typeof error.code !== 'number') reject(error);
      else resolve({ code: error === null ? 0 : Number(error.code), output: `${stdout}${stderr}` });
    });
  });
}

test('a tree that keeps the rules passes', async () => {
  const result = await cruise({
    'errors.ts': 'export class InputError extends Error {}\n',
    'model.ts': 'export interface Target { readonly os: string }\n',
    'targets.ts':
      "import type { Target } from './model.js';\nimport { InputError } from './errors.js';\nexport const parse = (os: string): Target => { if (os === '') throw new InputError(); return { os }; };\n",
    'pipeline.ts': "import { parse } from './targets.js';\nexport const run = (): unknown => parse('linux');\n",
    'main.ts': "import { run } from './pipeline.js';\nrun();\n",
  });
  assert.equal(result.code, 0, result.output);
  assert.match(result.output, /no dependency violations found/);
});

// One tree that breaks every rule, each in files of its own: one cruiser run (a few seconds each),
// started by the first test that needs it.
let brokenRun: Promise<Cruise> | undefined;
const broken = (): Promise<Cruise> =>
  (brokenRun ??= cruise({
    // a cycle of types only
    'a.ts': "import type { B } from './b.js';\nexport interface A { readonly b?: B }\n",
    'b.ts': "import type { A } from './a.js';\nexport interface B { readonly a?: A }\n",
    // a cycle through a folder's index, as model → sbom → verify/index → checks → model was
    'verify/index.ts': "export * from './checks.js';\n",
    'verify/checks.ts': "import type { SbomParts } from '../sbom.js';\nexport type Checked = SbomParts;\n",
    'sbom.ts': "import type { Checked } from './verify/index.js';\nexport interface SbomParts { readonly checked?: Checked }\n",
    // an import of a file that is not there
    'model.ts': "import type { Gone } from './gone.js';\nexport type Model = Gone;\n",
  }));

test('an import cycle fails, type-only imports included', async () => {
  const result = await broken();
  assert.notEqual(result.code, 0);
  assert.match(result.output, /error no-circular: src\/a\.ts/);
});

test('a cycle through a folder index fails', async () => {
  assert.match((await broken()).output, /error no-circular: src\/(sbom|verify\/index|verify\/checks)\.ts/);
});

test('a relative import of no file fails: the cruiser would not see that edge', async () => {
  assert.match((await broken()).output, /error not-to-unresolvable: src\/model\.ts → \.\/gone\.js/);
});
