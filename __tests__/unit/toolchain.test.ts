import assert from 'node:assert/strict';
import { test } from 'node:test';
import { goArchiveName, goReleaseName, goReleaseSemver, goSpecFor, pickGoRelease, type GoIndexRelease } from '../../src/toolchain/go-release.js';
import { hostPlatform } from '../../src/toolchain/platform.js';
import { upxReleaseName } from '../../src/toolchain/upx.js';

const linux = hostPlatform('linux', 'x64');

const file = (version: string, os = 'linux', arch = 'amd64') => ({
  filename: `${version}.${os}-${arch}.tar.gz`,
  os,
  arch,
  sha256: version.length.toString(16).padStart(64, 'A'),
  kind: 'archive',
});
const index: GoIndexRelease[] = [
  { version: 'go1.20.1', stable: true, files: [file('go1.20.1')] },
  { version: 'go1.18.10', stable: true, files: [file('go1.18.10')] },
  { version: 'go1.18.2', stable: true, files: [file('go1.18.2')] },
  { version: 'go1.18', stable: true, files: [file('go1.18')] },
  { version: 'go1.19rc1', stable: false, files: [file('go1.19rc1')] },
  { version: 'go1.19', stable: true, files: [file('go1.19', 'darwin')] },
];

test('go.mod 1.18 means the newest 1.18.x, never 1.20', () => {
  const chosen = pickGoRelease(index, goSpecFor('', '1.18'), linux);
  assert.equal(chosen?.version, '1.18.10');
  assert.equal(chosen?.sha256, file('go1.18.10').sha256.toLowerCase());
});

test('an exact request, and a request with no file for the host', () => {
  assert.equal(pickGoRelease(index, goSpecFor('1.18.0', '1.18'), linux)?.filename, 'go1.18.linux-amd64.tar.gz');
  assert.equal(pickGoRelease(index, goSpecFor('1.19', undefined), linux), undefined);
});

test('go.dev release names', () => {
  assert.equal(goReleaseSemver('go1.18'), '1.18.0');
  assert.equal(goReleaseSemver('go1.22rc1'), undefined);
  assert.equal(goReleaseName('1.18.0'), 'go1.18');
  assert.equal(goReleaseName('1.21.0'), 'go1.21.0');
  assert.equal(goArchiveName('1.19.8', hostPlatform('win32', 'x64')), 'go1.19.8.windows-amd64.zip');
  assert.throws(() => goSpecFor('', undefined), /go-version/);
});

test('hosts and upx files', () => {
  assert.deepEqual(hostPlatform('darwin', 'arm64'), { os: 'darwin', arch: 'arm64', cacheArch: 'arm64' });
  assert.throws(() => hostPlatform('aix', 'ppc64'), /Linux, macOS and Windows/);
  assert.equal(upxReleaseName('4.2.4', linux), 'upx-4.2.4-amd64_linux.tar.xz');
  assert.equal(upxReleaseName('4.2.4', hostPlatform('linux', 'arm64')), 'upx-4.2.4-arm64_linux.tar.xz');
  assert.equal(upxReleaseName('4.2.4', hostPlatform('win32', 'arm64')), 'upx-4.2.4-win64.zip');
  assert.equal(upxReleaseName('4.2.4', hostPlatform('darwin', 'arm64')), undefined, 'upx publishes no macOS build');
});
