import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GoIndexError, readGoIndex } from '../../src/toolchain/go-index.js';
import { goSpecFor, pickGoRelease, type GoIndexRelease } from '../../src/toolchain/go-release.js';
import { hostPlatform } from '../../src/toolchain/platform.js';

const linux = hostPlatform('linux', 'x64');
const hash = (c: string) => c.repeat(64);

/** go.dev's shape: extra fields (version per file, size) are allowed and ignored. */
const goodFile = {
  filename: 'go1.19.13.linux-amd64.tar.gz',
  os: 'linux',
  arch: 'amd64',
  version: 'go1.19.13',
  sha256: hash('a'),
  size: 148_000_000,
  kind: 'archive',
};
const good = [
  {
    version: 'go1.19.13',
    stable: true,
    files: [goodFile, { ...goodFile, filename: 'go1.19.13.src.tar.gz', os: '', arch: '', kind: 'source', sha256: hash('b') }],
  },
  { version: 'go1.20rc1', stable: false, files: [] },
];

const problem = (index: unknown): string => {
  try {
    readGoIndex(JSON.stringify(index));
  } catch (error) {
    assert.ok(error instanceof GoIndexError, String(error));
    return error.problem;
  }
  return assert.fail('accepted');
};

test('a well-formed index is read whole', () => {
  const reading = readGoIndex(JSON.stringify(good));
  assert.equal(reading.kind, 'index');
  assert.deepEqual(reading.kind === 'index' && reading.releases.map((r) => [r.version, r.stable, r.files.length]), [
    ['go1.19.13', true, 2],
    ['go1.20rc1', false, 0],
  ]);
});

test('an answer that is not JSON means no index (a plain mirror), not an error', () => {
  for (const body of ['<html><body>Index of /go</body></html>', '', 'Not Found']) {
    assert.equal(readGoIndex(body).kind, 'none', body);
  }
});

test('each way an index can be malformed is named, with where it is', () => {
  const withFile = (change: Record<string, unknown>) => [{ ...good[0], files: [{ ...goodFile, ...change }] }];
  const cases: [unknown, string][] = [
    [{ releases: [] }, 'the index is an object, not a list of releases'],
    [null, 'the index is null, not a list of releases'],
    [[null], 'release 1 is null, not an object'],
    [[good[0], 'go1.19'], 'release 2 is text, not an object'],
    [[{ ...good[0], files: null }], 'release 1 (go1.19.13): files is null, not a list'],
    [[{ ...good[0], files: undefined }], 'release 1 (go1.19.13): files is missing'],
    [[{ ...good[0], stable: 'true' }], 'release 1 (go1.19.13): stable is text, not true or false'],
    [[{ ...good[0], version: 119 }], 'release 1: version is a number, not a version name'],
    [[{ ...good[0], version: '' }], 'release 1: version is empty, not a version name'],
    [[{ ...good[0], files: [null] }], 'release 1 (go1.19.13), file 1 is null, not an object'],
    [withFile({ sha256: undefined }), 'release 1 (go1.19.13), file 1: sha256 is missing'],
    [withFile({ sha256: 42 }), 'release 1 (go1.19.13), file 1: sha256 is a number, not text'],
    [withFile({ sha256: 'abc' }), 'release 1 (go1.19.13), file 1: sha256 is not 64 hexadecimal digits'],
    [withFile({ os: ['linux'] }), 'release 1 (go1.19.13), file 1: os is a list, not text'],
    [withFile({ kind: { archive: true } }), 'release 1 (go1.19.13), file 1: kind is an object, not text'],
    [withFile({ filename: '../../etc/passwd' }), 'release 1 (go1.19.13), file 1: filename is not a plain file name'],
    [withFile({ filename: 'go.tar.gz?x=/y' }), 'release 1 (go1.19.13), file 1: filename is not a plain file name'],
  ];
  for (const [index, expected] of cases) assert.equal(problem(index), expected);
});

test('a message never repeats a value from the index beyond a plain version name', () => {
  const hostile = 'go1.19\u001b[31m-token-aaaabbbbccccdddd';
  assert.equal(problem([{ version: hostile, stable: 'yes', files: [] }]), 'release 1: stable is text, not true or false');
  const long = `go1.${'9'.repeat(60)}`;
  assert.ok(!problem([{ version: long, stable: true, files: null }]).includes(long));
});

const release = (version: string, stable: boolean): GoIndexRelease => ({
  version,
  stable,
  files: [{ filename: `${version}.linux-amd64.tar.gz`, os: 'linux', arch: 'amd64', sha256: hash(version.length % 2 ? 'c' : 'd'), kind: 'archive' }],
});

test('a 1.19-style request never takes a release the index marks unstable', () => {
  // a mirror that marks its newest patch unstable (held back), and a prerelease
  const index = [release('go1.19.13', false), release('go1.19.12', true), release('go1.19rc2', false), release('go1.20', true)];
  const chosen = pickGoRelease(index, goSpecFor('', '1.19'), linux);
  assert.equal(chosen?.version, '1.19.12');
  assert.equal(chosen?.stable, true);
  assert.equal(pickGoRelease([release('go1.19.13', false)], goSpecFor('1.19', undefined), linux), undefined);
});

test('an exact request may take an unstable release, and says so', () => {
  const index = [release('go1.19.13', false), release('go1.19.12', true)];
  const chosen = pickGoRelease(index, goSpecFor('1.19.13', undefined), linux);
  assert.equal(chosen?.version, '1.19.13');
  assert.equal(chosen?.stable, false);
});

test('the newest patch wins by number, not by text', () => {
  const index = [release('go1.19.9', true), release('go1.19.13', true), release('go1.19', true)];
  assert.equal(pickGoRelease(index, goSpecFor('', '1.19'), linux)?.version, '1.19.13');
});
