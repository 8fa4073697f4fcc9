import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { InputError } from '../../src/shared/errors.js';
import { editDistance, KT_CONFIG_KEYS, toDashCase, validateKtConfig } from '../../src/inputs/kt-config.js';

const FIXTURE = readFileSync(new URL('../fixtures/kt-config.yaml', import.meta.url), 'utf8');

/** Values in a kt config can name secrets; no fragment of one may reach a message. */
function assertNoSecret(message: string): void {
  for (const fragment of ['sEcReT', 'aaaa1111', '1111bbbb', 'ghp_']) {
    assert.ok(!message.includes(fragment), `message leaks '${fragment}': ${message}`);
  }
}

function rejects(text: string, pattern: RegExp, tag = 'v0.3.7'): void {
  assert.throws(
    () => validateKtConfig(text, tag),
    (error: unknown) => {
      assert.ok(error instanceof InputError, `not an InputError: ${String(error)}`);
      assert.equal(error.input, 'kt-config');
      assert.match(error.message, /^Input 'kt-config': /);
      assert.match(error.message, pattern);
      assertNoSecret(error.message);
      return true;
    },
  );
}

describe('validateKtConfig rejects', () => {
  const cases: readonly (readonly [string, string, RegExp])[] = [
    ['text without a colon', 'global image sEcReT-aaaa1111bbbb', /has no key: value pair, and ktctl ignores/],
    ['only comments', '# global:\n#   image: sEcReT-aaaa1111bbbb\n', /sets nothing \(it holds only comments\)/],
    [
      'an unclosed quote on a secret line',
      'global:\n  image-pull-secret: "sEcReT-aaaa1111bbbb\nmesh:\n  mode: auto\n',
      /is not valid YAML: line \d+, column \d+: .*\(YAML error MISSING_CHAR; the line is not shown because it may hold a secret\)/,
    ],
    ['a tab indenting a secret line', 'global:\n\timage-pull-secret: sEcReT-aaaa1111bbbb\n', /is not valid YAML: line 2, column 1: a tab used for indentation/],
    [
      'a key given twice',
      'global:\n  image-pull-secret: sEcReT-aaaa1111bbbb\n  image-pull-secret: sEcReT-cccc\n',
      /line 3, column 3: a key that appears twice/,
    ],
    [
      'a nested mapping on one line',
      'global:\n  image-pull-secret: sEcReT-aaaa: 1111bbbb\n',
      /is not valid YAML: line 2, column \d+: a key that spans several lines/,
    ],
    [
      'a reserved first character',
      'global:\n  image-pull-secret: @sEcReT-aaaa1111bbbb\n',
      /line 2, column 22: a plain value that starts with a reserved character; quote it/,
    ],
    [
      'a top-level list',
      '- global:\n    image: sEcReT-aaaa1111bbbb\n',
      /line 1, the top level: must be a mapping of groups \(global, connect, exchange, mesh, preview, clean, birdseye, forward, recover, config\)/,
    ],
    ['a top-level scalar', '"sEcReT-aaaa1111bbbb: not a mapping"\n', /line 1, the top level: must be a mapping of groups/],
    [
      'an unknown group',
      'global:\n  image: x\nmessh:\n  mode: auto\n',
      /line 3, messh: is not a group ktctl reads, so ktctl would ignore it\. Did you mean 'mesh'\?/,
    ],
    ['a capitalized group', 'Global:\n  image: x\n', /line 1, Global: is not a group ktctl reads.*Did you mean 'global'\?/],
    [
      'a group far from any known one',
      'kubernetes:\n  image: x\n',
      /line 1, a group: is not a group ktctl reads, so ktctl would ignore it\. \(Its name is not shown: .*\) Groups: global, connect/,
    ],
    ['a group named like an Object property', 'constructor:\n  image: x\n', /line 1, a group: is not a group ktctl reads/],
    ['a key named like an Object property', 'global:\n  toString: x\n', /line 2, a key of global: is not a key ktctl reads/],
    ['a group that is a value', 'global: sEcReT-aaaa1111bbbb\n', /line 1, global: must be a mapping of key: value settings/],
    ['a group that is a list', 'connect:\n  - mode: tun2socks\n', /line 1, connect: must be a mapping/],
    [
      'a camelCase key',
      'mesh:\n  routerImage: registry.example.com/router:v0.3.7\n',
      /line 2, mesh\.routerImage: is not a key ktctl reads, so ktctl would ignore it\. Config file keys are dash-case .*did you mean 'router-image'\?/,
    ],
    ['a snake_case key', 'global:\n  image: x\n  pod_quota: 0.5c,512m\n', /line 3, global\.pod_quota: .*did you mean 'pod-quota'\?/],
    ['a misspelt key', 'global:\n  node-selecter: disk=ssd\n', /line 2, global\.node-selecter: is not a key ktctl reads.*Did you mean 'node-selector'\?/],
    [
      'a key of another group',
      'mesh:\n  image: registry.example.com/shadow:v0.3.7\n',
      /line 2, mesh\.image: .*ktctl reads image only as global\.image; move it there/,
    ],
    ['a camelCase key of another group', 'global:\n  routerImage: x\n', /global\.routerImage: .*ktctl reads router-image only as mesh\.router-image/],
    ['an unrelated key', 'global:\n  frobnicate: 1\n', /line 2, a key of global: is not a key ktctl reads.*Keys of global: as-worker, kubeconfig/],
    ['a key in a group without keys', 'forward:\n  port: 8080\n', /line 2, a key of forward: .*Group forward has no settings ktctl reads from its config file/],
    [
      'a near spelling in a group without keys',
      'forward:\n  mode: x\n',
      /line 2, forward\.mode: is not a key ktctl reads.*ktctl reads mode only as connect\.mode or exchange\.mode or mesh\.mode/,
    ],
    ['a key that looks like a pasted value', 'global:\n  "sEcReT aaaa1111bbbb": x\n', /line 2, a key of global: is not a key ktctl reads/],
    ['a group that looks like a pasted value', 'sEcReT/aaaa1111bbbb==:\n  image: x\n', /line 1, a group: is not a group/],
    [
      'a token pasted as a key, in the shape of a setting name',
      'global:\n  ghp_sEcReTaaaa1111bbbb2222cccc3333dddd44:  x\n',
      /line 2, a key of global: is not a key ktctl reads/,
    ],
    ['a token pasted as a group', 'sEcReTaaaa1111bbbb:\n  image: x\n', /line 1, a group: is not a group/],
    ['a key with a quote', 'global:\n  "sEcReT\\"x": x\n', /line 2, a key of global: is not a key ktctl reads/],
    [
      'a mapping value',
      'global:\n  node-selector:\n    disk: ssd\n',
      /line 2, global\.node-selector: must be a single value, not a mapping; .*comma-separated/,
    ],
    ['a list value', 'connect:\n  include-ips: [10.0.0.0/8, 172.16.0.0/12]\n', /line 2, connect\.include-ips: must be a single value, not a list/],
    ['a key without a value', 'global:\n  image:\n  namespace: dev\n', /line 2, global\.image: has no value, and ktctl would set it to an empty string/],
    ['global.ip-version for v0.3.7', 'global:\n  ip-version: 6\n', /line 2, global\.ip-version: is not read by kt-connect v0\.3\.7, only by newer code/],
  ];
  for (const [name, text, pattern] of cases) {
    test(name, () => rejects(text, pattern));
  }

  for (const tag of ['v0.3.5', 'v0.3.6-beta1', '0.3.7', 'v0.2.0']) {
    test(`global.ip-version for ${tag}`, () => rejects('global:\n  ip-version: 4\n', /global\.ip-version: is not read by kt-connect/, tag));
  }
});

describe('validateKtConfig accepts', () => {
  test('the fixture, which overrides both images', () => {
    assert.deepEqual(validateKtConfig(FIXTURE, 'v0.3.7'), { overridesImages: true });
  });

  const cases: readonly (readonly [string, string, string, boolean])[] = [
    ['only global.image', 'global:\n  image: registry.example.com/shadow:v1\n', 'v0.3.7', false],
    ['only mesh.router-image', 'mesh:\n  router-image: registry.example.com/router:v1\n', 'v0.3.7', false],
    ['an empty global.image', "global:\n  image: ''\nmesh:\n  router-image: registry.example.com/router:v1\n", 'v0.3.7', false],
    ['a blank mesh.router-image', "global:\n  image: r/shadow:v1\nmesh:\n  router-image: '  '\n", 'v0.3.7', false],
    ['both images in flow style', '{global: {image: r/shadow:v1}, mesh: {router-image: r/router:v1}}', 'v0.3.7', true],
    ['numbers and booleans', 'connect:\n  dns-port: 53\n  share-shadow: true\nclean:\n  threshold-in-minus: 30\n', 'v0.3.7', false],
    ['empty groups', 'global:\n  namespace: dev\nforward:\nrecover: {}\n', 'v0.3.7', false],
    ['aliases', 'global:\n  namespace: &ns dev\nmesh:\n  version-mark: *ns\n', 'v0.3.7', false],
    ['global.ip-version for v0.3.8', 'global:\n  ip-version: 6\n', 'v0.3.8', false],
    ['global.ip-version for v0.4.0-beta1', 'global:\n  ip-version: 6\n', 'v0.4.0-beta1', false],
    ['global.ip-version for a branch', 'global:\n  ip-version: 6\n', 'master', false],
    ['a comment with a colon after settings', '# note: test\nglobal:\n  debug: true # why: tracing\n', 'v0.3.7', false],
  ];
  for (const [name, text, tag, overridesImages] of cases) {
    test(name, () => {
      assert.deepEqual(validateKtConfig(text, tag), { overridesImages });
    });
  }

  test('every documented group and key', () => {
    const text = Object.entries(KT_CONFIG_KEYS)
      .map(([group, keys]) => `${group}:${keys.length === 0 ? ' {}' : ''}\n${keys.map((key) => `  ${key}: x\n`).join('')}`)
      .join('');
    assert.deepEqual(validateKtConfig(text, 'master'), { overridesImages: true });
  });

  test('the fixture uses the keys the enterprise needs', () => {
    for (const key of ['image', 'pod-quota', 'node-selector', 'router-image']) assert.match(FIXTURE, new RegExp(`^  ${key}: \\S`, 'm'));
  });
});

describe('key spelling helpers', () => {
  test('toDashCase', () => {
    assert.equal(toDashCase('routerImage'), 'router-image');
    assert.equal(toDashCase('pod_quota'), 'pod-quota');
    assert.equal(toDashCase('useShadowDeployment'), 'use-shadow-deployment');
    assert.equal(toDashCase('Global'), 'global');
    assert.equal(toDashCase('image'), 'image');
  });

  test('editDistance', () => {
    assert.equal(editDistance('', ''), 0);
    assert.equal(editDistance('image', 'image'), 0);
    assert.equal(editDistance('imag', 'image'), 1);
    assert.equal(editDistance('messh', 'mesh'), 1);
    assert.equal(editDistance('kitten', 'sitting'), 3);
    assert.equal(editDistance('', 'abc'), 3);
  });
});
