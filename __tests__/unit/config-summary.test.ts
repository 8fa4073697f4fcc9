// Both configs are read once, by the input checks (config-checks.ts), into the ConfigSummary that
// travels in BuildInputs: what the release notes, the binary checks and the images list need,
// and nothing of a credential.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { checkConfigs, configSummaryOf, withConfigsChecked } from '../../src/inputs/config-checks.js';
import { InputError } from '../../src/shared/errors.js';
import { consoleLog } from '../../src/shared/log.js';
import { secretFragments } from '../../src/shared/secrets.js';
import { checkSettingsForTag } from '../../src/inputs/kt-config.js';
import { makeJwt } from '../support/credentials.js';

const KUBECONFIG = readFileSync(path.resolve('__tests__/fixtures/kubeconfig.yaml'), 'utf8');
const KT_CONFIG = readFileSync(path.resolve('__tests__/fixtures/kt-config.yaml'), 'utf8');
const quiet = consoleLog(() => undefined);
const NOW = new Date('2026-06-01T00:00:00Z');

test('the summary holds what the stages need of both configs', () => {
  const summary = checkConfigs({ configs: { kubeconfig: KUBECONFIG, ktConfig: KT_CONFIG }, strict: true }, quiet, NOW);
  assert.deepEqual(summary.kube, { embedded: true, context: 'test-context', namespace: 'default' });
  assert.deepEqual(
    [...summary.ktSettings],
    [
      ['global.image', 'registry.example.com/kt/kt-connect-shadow:v0.3.7'],
      ['global.pod-quota', '0.5c,512m'],
      ['global.node-selector', 'kubernetes.io/os=linux'],
      ['mesh.router-image', 'registry.example.com/kt/kt-connect-router:v0.3.7'],
    ],
  );
  assert.equal(summary.overridesImages, true);
});

test("the credential's expiry comes from the same reading", () => {
  const expires = Math.floor(NOW.getTime() / 1000) + 90 * 24 * 3600;
  const kubeconfig = KUBECONFIG.replace(/token: .*/, `token: ${makeJwt(expires)}`);
  const summary = checkConfigs({ configs: { kubeconfig, ktConfig: undefined }, strict: true, minCredentialDays: 30 }, quiet, NOW);
  assert.equal(summary.credentialsExpire?.getTime(), expires * 1000);
  assert.equal(summary.ktSettings.size, 0);
  assert.equal(summary.overridesImages, false);
});

test('upstream placeholders: nothing embedded, nothing read', () => {
  const summary = checkConfigs({ configs: { kubeconfig: undefined, ktConfig: undefined }, strict: true }, quiet, NOW);
  assert.deepEqual(summary, { kube: { embedded: false }, credentialsExpire: undefined, ktSettings: new Map(), overridesImages: false });
});

test('what is printed of the summary holds no piece of the kubeconfig but the names shown on purpose', () => {
  const summary = checkConfigs({ configs: { kubeconfig: KUBECONFIG, ktConfig: KT_CONFIG }, strict: true }, quiet, NOW);
  // printed: the kube part (release notes, job summary) and the settings' names; never the settings' values
  const printed = JSON.stringify([summary.kube, [...summary.ktSettings.keys()]]);
  const shown = new Set([summary.kube.context, summary.kube.namespace]);
  const leaked = secretFragments(KUBECONFIG).filter((fragment) => !shown.has(fragment) && printed.includes(fragment));
  assert.deepEqual(leaked, []);
  for (const value of summary.ktSettings.values()) assert.ok(!printed.includes(value));
});

test('the summary travels in the inputs; a stage that runs before the checks is a bug, said so', () => {
  const inputs = withConfigsChecked(
    { configs: { kubeconfig: KUBECONFIG, ktConfig: undefined }, strict: false } as Parameters<typeof withConfigsChecked>[0],
    quiet,
    NOW,
  );
  assert.equal(configSummaryOf(inputs).kube.context, 'test-context');
  assert.throws(() => configSummaryOf({}), /Internal error: the configs were used before checkConfigs read them/);
});

test("the upstream tag's check runs on the settings read, without the text", () => {
  assert.doesNotThrow(() => checkSettingsForTag(['global.ip-version'], 'v0.3.8'));
  assert.doesNotThrow(() => checkSettingsForTag(['global.image'], 'v0.3.7'));
  assert.throws(
    () => checkSettingsForTag(['global.image', 'global.ip-version'], 'v0.3.7'),
    (error: unknown) => error instanceof InputError && /global\.ip-version: is not read by kt-connect v0\.3\.7/.test(error.message),
  );
});
