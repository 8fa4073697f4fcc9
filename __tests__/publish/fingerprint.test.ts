// computeFingerprint: one stable hash per build, moved by everything that decides the archives.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { BuildInputs } from '../../src/model.js';
import { canonicalJson, computeFingerprint, fingerprintParts, type FingerprintParts } from '../../src/publish/fingerprint.js';
import { baseParts } from './helpers.js';

test('the fingerprint is a stable SHA-256', () => {
  const fingerprint = computeFingerprint(baseParts());
  assert.match(fingerprint, /^[0-9a-f]{64}$/);
  assert.equal(computeFingerprint(baseParts()), fingerprint);
});

test('target order and repeats do not matter', () => {
  const forward = computeFingerprint(baseParts());
  const reversed = computeFingerprint(baseParts({ targets: [...baseParts().targets].reverse() }));
  const doubled = computeFingerprint(baseParts({ targets: [...baseParts().targets, ...baseParts().targets] }));
  assert.equal(reversed, forward);
  assert.equal(doubled, forward);
});

test('every part moves the fingerprint', () => {
  const base = computeFingerprint(baseParts());
  const changes: Array<[string, Partial<FingerprintParts>]> = [
    ['upstream commit', { upstreamCommit: 'f'.repeat(40) }],
    ['version', { version: '0.3.8' }],
    ['targets', { targets: [{ os: 'darwin', arch: 'arm64' }] }],
    ['go version', { goVersionRequest: '1.21' }],
    ['upx version', { upxVersion: '4.2.2' }],
    ['upx off', { upxVersion: null }],
    ['upx args', { upxArgs: ['--best', '--lzma'] }],
    ['more upx args', { upxArgs: ['-9', '--lzma'] }],
    ['archive format', { archiveFormat: 'tar.gz' }],
    ['name template', { assetNameTemplate: 'ktctl-{os}-{arch}' }],
    ['wintun', { wintunSha256: '0'.repeat(64) }],
    ['kubeconfig', { kubeconfig: `${baseParts().kubeconfig ?? ''}# rotated\n` }],
    ['no kubeconfig', { kubeconfig: undefined }],
    ['kt config', { ktConfig: 'global:\n  namespace: prod\n' }],
    ['no kt config', { ktConfig: undefined }],
    ['action version', { actionVersion: '1.0.1' }],
  ];
  const seen = new Set([base]);
  for (const [what, change] of changes) {
    const fingerprint = computeFingerprint(baseParts(change));
    assert.notEqual(fingerprint, base, `${what} changes it`);
    seen.add(fingerprint);
  }
  assert.equal(seen.size, changes.length + 1, 'no two changes collide');
  // An empty config is not the same as no config.
  assert.notEqual(computeFingerprint(baseParts({ kubeconfig: '' })), computeFingerprint(baseParts({ kubeconfig: undefined })));
});

test('canonical JSON sorts keys at every level', () => {
  assert.equal(canonicalJson({ b: 1, a: { d: [2, { f: null, e: 'x' }], c: true } }), '{"a":{"c":true,"d":[2,{"e":"x","f":null}]},"b":1}');
});

test("fingerprintParts reads a build's inputs; upx off drops its version and arguments", () => {
  const inputs = {
    configs: { kubeconfig: 'kube', ktConfig: undefined },
    upstream: { url: 'https://github.com/alibaba/kt-connect.git', version: 'latest' },
    version: '',
    go: { version: '1.20', downloadBaseUrl: 'https://go.dev/dl', sha256: undefined },
    upx: { enabled: false, version: '4.2.4', args: ['-9'], downloadBaseUrl: 'https://github.com/upx/upx/releases/download', sha256: undefined },
    wintun: { url: 'https://www.wintun.net/builds/wintun-0.14.1.zip', sha256: 'ab'.repeat(32) },
    targets: [{ os: 'linux', arch: 'amd64' }],
    archiveFormat: 'auto',
    assetNameTemplate: 'ktctl_{version}_{Os}_{Arch}',
    outputDir: '/tmp/out',
    strict: false,
    maxParallel: 2,
    cache: undefined,
  } satisfies BuildInputs;
  const parts = fingerprintParts(inputs, { tag: 'v0.3.7', commit: 'c'.repeat(40) }, '0.3.7', '1.2.3');
  assert.deepEqual(parts, {
    upstreamCommit: 'c'.repeat(40),
    version: '0.3.7',
    targets: [{ os: 'linux', arch: 'amd64' }],
    goVersionRequest: '1.20',
    upxVersion: null,
    upxArgs: [],
    archiveFormat: 'auto',
    assetNameTemplate: 'ktctl_{version}_{Os}_{Arch}',
    wintunSha256: 'ab'.repeat(32),
    kubeconfig: 'kube',
    ktConfig: undefined,
    actionVersion: '1.2.3',
  });
  // Output dir, parallelism and download mirrors do not change the archives' bytes.
  assert.equal(
    computeFingerprint(
      fingerprintParts(
        { ...inputs, outputDir: '/elsewhere', maxParallel: 8, go: { ...inputs.go, downloadBaseUrl: 'https://mirror' } },
        { tag: 'v0.3.7', commit: 'c'.repeat(40) },
        '0.3.7',
        '1.2.3',
      ),
    ),
    computeFingerprint(parts),
  );
});
