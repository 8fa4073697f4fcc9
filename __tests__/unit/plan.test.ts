import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseTargets } from '../../src/plan/targets.js';
import { archiveFormatFor, assetBaseName, defaultVersion, planBuild } from '../../src/plan/plan.js';
import { DEFAULT_TARGETS } from '../../src/shared/defaults.js';

const upstream = { tag: 'v0.3.7', commit: 'a'.repeat(40) };

test('upstream naming for every default target', () => {
  const plan = planBuild(
    { version: '', targets: parseTargets(DEFAULT_TARGETS), archiveFormat: 'auto', assetNameTemplate: 'ktctl_{version}_{Os}_{Arch}', upxEnabled: true },
    upstream,
  );
  assert.equal(plan.version, '0.3.7');
  assert.equal(plan.checksumsName, 'ktctl_0.3.7_checksums.txt');
  assert.deepEqual(
    plan.targets.map((t) => [t.archiveName, t.binaryName, t.upxSkipReason === undefined, t.wintunArch ?? '-']),
    [
      ['ktctl_0.3.7_Linux_x86_64.tar.gz', 'ktctl', true, '-'],
      ['ktctl_0.3.7_Linux_i386.tar.gz', 'ktctl', true, '-'],
      ['ktctl_0.3.7_Linux_arm_64.tar.gz', 'ktctl', true, '-'],
      ['ktctl_0.3.7_MacOS_x86_64.tar.gz', 'ktctl', false, '-'],
      ['ktctl_0.3.7_MacOS_arm_64.tar.gz', 'ktctl', false, '-'],
      ['ktctl_0.3.7_Windows_x86_64.zip', 'ktctl.exe', true, 'amd64'],
      ['ktctl_0.3.7_Windows_i386.zip', 'ktctl.exe', true, 'x86'],
      ['ktctl_0.3.7_Windows_arm_64.zip', 'ktctl.exe', false, 'arm64'],
    ],
  );
});

test('upx off skips every target with a reason', () => {
  const plan = planBuild(
    { version: '1.0.0-acme', targets: parseTargets('linux/amd64'), archiveFormat: 'zip', assetNameTemplate: '{tag}-{os}-{arch}', upxEnabled: false },
    upstream,
  );
  assert.equal(plan.targets[0]?.upxSkipReason, 'upx is turned off');
  assert.equal(plan.targets[0]?.archiveName, 'v0.3.7-linux-amd64.zip');
  assert.equal(plan.version, '1.0.0-acme');
});

test('formats, versions and names', () => {
  assert.equal(archiveFormatFor('auto', { os: 'windows', arch: '386' }), 'zip');
  assert.equal(archiveFormatFor('tar.gz', { os: 'windows', arch: '386' }), 'tar.gz');
  assert.equal(defaultVersion('v0.3.7'), '0.3.7');
  assert.equal(defaultVersion('release-1'), 'release-1');
  assert.equal(assetBaseName('{Os}-{Arch}-{os}-{arch}', '1', 'v1', { os: 'darwin', arch: 'arm64' }), 'MacOS-arm_64-darwin-arm64');
});
