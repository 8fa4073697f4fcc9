// The README is the user's manual: it must describe every input and output that action.yml
// declares, with the same defaults the code uses, and give the test command CI runs.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { parse } from 'yaml';
import { BUILD_DEFAULTS } from '../../src/shared/defaults.js';
import { PUBLISH_DEFAULTS } from '../../src/publish/inputs.js';

interface ActionYml {
  inputs: Record<string, { description: string; default?: string }>;
  outputs: Record<string, { description: string }>;
  runs: { using: string; main: string; post: string };
}

const action = parse(readFileSync('action.yml', 'utf8')) as ActionYml;
const readme = readFileSync('README.md', 'utf8');

test('every input and output in action.yml has a row in the README tables', () => {
  const missing = [...Object.keys(action.inputs), ...Object.keys(action.outputs)].filter((name) => !readme.includes(`| \`${name}\` |`));
  assert.deepEqual(missing, [], `README.md lacks rows for: ${missing.join(', ')}`);
});

test('the README rows name nothing action.yml lacks', () => {
  const rows = [...readme.matchAll(/^\| `([a-z0-9-]+)` \|/gm)].map((match) => match[1]!);
  const declared = new Set([...Object.keys(action.inputs), ...Object.keys(action.outputs)]);
  assert.deepEqual(
    rows.filter((row) => !declared.has(row)),
    [],
  );
});

test('action.yml defaults are the defaults the code applies', () => {
  const code: Record<string, string> = { ...BUILD_DEFAULTS, ...PUBLISH_DEFAULTS, 'github-token': '${{ github.token }}' };
  for (const [name, input] of Object.entries(action.inputs)) {
    assert.equal(String(input.default ?? ''), code[name], `default of ${name}`);
    assert.ok(input.description.length > 10, `${name} has a description`);
  }
  assert.deepEqual(Object.keys(action.inputs).sort(), Object.keys(code).sort());
});

test('the action runs dist/index.js on node24, with a post step for cleanup', () => {
  assert.deepEqual(action.runs, { using: 'node24', main: 'dist/index.js', post: 'dist/index.js' });
});

test('CI runs the test command the README gives for CI; both README commands are npm scripts', () => {
  const ci = readFileSync('.ci/run', 'utf8');
  assert.match(readme, /^npm test +# the developer loop/m, 'README gives `npm test` as the loop');
  assert.match(readme, /^npm run test:all +# .*what CI runs \(\.ci\/run\)$/m, 'README gives `npm run test:all` as what CI runs');
  assert.match(ci, /^npm run test:all$/m);
  const scripts = (JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> }).scripts;
  assert.match(scripts['test'] ?? '', /^node scripts\/check\.mjs && node scripts\/test\.mjs$/);
  assert.match(scripts['test:all'] ?? '', /^node scripts\/check\.mjs && node scripts\/test\.mjs --all$/);
  assert.match(ci, /^bash scripts\/setup-test-machine\.sh$/m);
  assert.ok(readme.includes('bash scripts/setup-test-machine.sh && npm ci'));
});
