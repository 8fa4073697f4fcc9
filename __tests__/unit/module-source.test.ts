// The pure decisions of kt-connect-source: the source auto picks, GOPROXY lists, module path
// escaping, latest from a proxy's list, the go command's patterns for GONOSUMDB/GOPRIVATE, when
// checksum checks are off, how a go mod download failure reads, and the SBOM's creation time.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseCommit, parseGoProxy, parseGoSumdb, parseSourceChoice, parseUpstreamSource } from '../../src/inputs/inputs.js';
import { BUILD_DEFAULTS, type BuildInputName } from '../../src/shared/defaults.js';
import {
  checkPinnedCommit,
  checksumOffReason,
  classifyDownloadError,
  coveringPattern,
  escapeModulePath,
  globMatch,
  parseGoProxyList,
  parseModuleInfo,
  pickLatestFromList,
  sourceFor,
} from '../../src/plan/source-policy.js';
import { computeFingerprint, fingerprintParts } from '../../src/publish/fingerprint.js';
import { releaseFiles } from '../../src/publish/request.js';
import { parseBuildInfo, renderBuildInfo } from '../../src/shared/release-files.js';
import { sbomCreated } from '../../src/package/sbom.js';
import { sourceLine } from '../../src/source/source-record.js';
import type { ModuleSource } from '../../src/model.js';

const reader =
  (values: Partial<Record<BuildInputName, string>>) =>
  (name: BuildInputName): string =>
    values[name] ?? BUILD_DEFAULTS[name];

test('auto: the module proxy for upstream, git for any other repository', () => {
  assert.equal(sourceFor('auto', true), 'go-proxy');
  assert.equal(sourceFor('auto', false), 'git');
  assert.equal(sourceFor('git', true), 'git');
  assert.equal(parseUpstreamSource(reader({}), 'https://github.com').source, 'go-proxy');
  assert.equal(parseUpstreamSource(reader({ 'kt-connect-repository': 'someone/kt-connect' }), 'https://github.com').source, 'git');
  assert.throws(
    () => parseUpstreamSource(reader({ 'kt-connect-repository': 'someone/kt-connect', 'kt-connect-source': 'go-proxy' }), 'https://github.com'),
    /Input 'kt-connect-source': go-proxy fetches upstream's module/,
  );
  assert.throws(() => parseSourceChoice('proxy'), /Input 'kt-connect-source': 'proxy' is not a source; use auto, go-proxy/);
});

test('kt-connect-commit, go-proxy and go-sumdb are checked as inputs', () => {
  assert.equal(parseCommit(''), undefined);
  assert.equal(parseCommit('F064F771AA7BA03A0E6BC92F712306E9BCD8A6F5'), 'f064f771aa7ba03a0e6bc92f712306e9bcd8a6f5');
  assert.throws(() => parseCommit('f064f77'), /Input 'kt-connect-commit': must be a full commit id/);
  assert.equal(parseGoProxy('https://athens.example.com|https://proxy.golang.org,direct'), 'https://athens.example.com|https://proxy.golang.org,direct');
  assert.throws(() => parseGoProxy('athens.example.com'), /Input 'go-proxy': 'athens\.example\.com' is not a module proxy/);
  assert.throws(
    () => parseGoProxy('https://bot:s3cret-token@proxy.example.com,ftp://x'),
    (error: Error) => !error.message.includes('s3cret'),
  );
  assert.equal(parseGoSumdb('off'), 'off');
  assert.equal(
    parseGoSumdb('sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8 https://sum.example.com'),
    'sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8 https://sum.example.com',
  );
  assert.throws(() => parseGoSumdb('a b c'), /Input 'go-sumdb': 'a b c' is not a GOSUMDB value/);
});

test('a moved tag fails naming both inputs; the pinned commit passes', () => {
  assert.doesNotThrow(() => checkPinnedCommit({ commit: 'a'.repeat(40) }, 'v0.3.7', 'a'.repeat(40)));
  assert.doesNotThrow(() => checkPinnedCommit({}, 'v0.3.7', 'a'.repeat(40)));
  assert.throws(
    () => checkPinnedCommit({ commit: 'a'.repeat(40) }, 'v0.3.7', 'b'.repeat(40)),
    /Input 'kt-connect-commit': kt-connect v0\.3\.7 \(input 'kt-connect-version'\) now names commit b{40}, not the pinned a{40}/,
  );
});

test('GOPROXY lists as the go command walks them', () => {
  assert.deepEqual(parseGoProxyList(''), [
    { proxy: 'https://proxy.golang.org', fallThroughOnAnyError: false },
    { proxy: 'direct', fallThroughOnAnyError: false },
  ]);
  assert.deepEqual(parseGoProxyList('https://a.example|https://b.example,off'), [
    { proxy: 'https://a.example', fallThroughOnAnyError: true },
    { proxy: 'https://b.example', fallThroughOnAnyError: false },
    { proxy: 'off', fallThroughOnAnyError: false },
  ]);
  assert.equal(escapeModulePath('github.com/Azure/Go-Sdk'), 'github.com/!azure/!go-!sdk');
});

test('latest from a version list: the highest release, never a prerelease', () => {
  assert.equal(pickLatestFromList('v0.3.6\nv0.3.7\nv0.3.6-beta1\nv0.4.0-beta1\nv0.3.10-rc1\n'), 'v0.3.7');
  assert.equal(pickLatestFromList('v0.3.9\nv0.3.10\n'), 'v0.3.10');
  assert.equal(pickLatestFromList('v1.0.0-beta1\nnot-a-version\n'), undefined);
});

test('the .info record: version, time, the commit Origin names', () => {
  const info = parseModuleInfo(
    '{"Version":"v0.3.7","Time":"2022-11-28T17:07:12Z","Origin":{"VCS":"git","URL":"https://github.com/alibaba/kt-connect","Ref":"refs/tags/v0.3.7","Hash":"f064f771aa7ba03a0e6bc92f712306e9bcd8a6f5"}}',
  );
  assert.deepEqual(info, { version: 'v0.3.7', time: 1669655232, commit: 'f064f771aa7ba03a0e6bc92f712306e9bcd8a6f5', ref: 'refs/tags/v0.3.7' });
  assert.equal(parseModuleInfo('{"Version":"v0.3.7"}')?.commit, undefined);
  assert.equal(parseModuleInfo('<html>'), undefined);
});

test("patterns match like the go command's GOPRIVATE: a glob per leading path elements", () => {
  const module = 'github.com/alibaba/kt-connect';
  assert.equal(coveringPattern('github.com/alibaba', module), 'github.com/alibaba');
  assert.equal(coveringPattern('*.corp.example,github.com/*/kt-*', module), 'github.com/*/kt-*');
  assert.equal(coveringPattern('github.com', module), 'github.com');
  assert.equal(coveringPattern('github.com/ali', module), undefined);
  assert.equal(coveringPattern('github.com/alibaba/kt-connect/sub', module), undefined);
  assert.equal(coveringPattern('git?ub.com/[a-c]libaba', module), 'git?ub.com/[a-c]libaba');
  assert.equal(coveringPattern('github.com/[^a]libaba', module), undefined);
  assert.equal(globMatch('*', 'a/b'), false);
  assert.equal(globMatch('a*b*c', 'aXbYc'), true);
  // linear in practice: a long run of stars against a long text that does not match
  const started = performance.now();
  assert.equal(globMatch(`${'*a'.repeat(2000)}b`, 'a'.repeat(5000)), false);
  assert.ok(performance.now() - started < 2000);
});

test('checksum checks off: GOSUMDB=off, GONOSUMDB, GOPRIVATE, GOINSECURE, GOFLAGS=-insecure', () => {
  const none = { GOSUMDB: 'sum.golang.org', GONOSUMDB: '', GOPRIVATE: '', GOINSECURE: '', GOFLAGS: '-buildvcs=false' };
  const module = 'github.com/alibaba/kt-connect';
  assert.equal(checksumOffReason(none, module), undefined);
  assert.equal(checksumOffReason({ ...none, GOSUMDB: 'off' }, module), 'GOSUMDB is off');
  assert.equal(checksumOffReason({ ...none, GONOSUMDB: 'github.com/alibaba' }, module), 'GONOSUMDB covers it (pattern github.com/alibaba)');
  assert.equal(checksumOffReason({ ...none, GOPRIVATE: 'github.com' }, module), 'GOPRIVATE covers it (pattern github.com)');
  assert.equal(checksumOffReason({ ...none, GOINSECURE: 'github.com/alibaba/*' }, module), 'GOINSECURE covers it (pattern github.com/alibaba/*)');
  assert.equal(checksumOffReason({ ...none, GOFLAGS: '-mod=mod -insecure' }, module), 'GOFLAGS has -insecure');
  assert.equal(checksumOffReason({ ...none, GONOSUMDB: 'gitlab.corp.example' }, module), undefined);
});

test("go mod download's failures: a mismatch, the checksum database, a missing version", () => {
  assert.equal(classifyDownloadError('verifying module: checksum mismatch\n\tdownloaded: h1:x\n\tsum.golang.org: h1:y\n\nSECURITY ERROR'), 'checksum-mismatch');
  assert.equal(
    classifyDownloadError('verifying go.mod: github.com/alibaba/kt-connect@v0.3.7/go.mod: Get "https://sum.example/lookup/x": dial tcp: refused'),
    'checksum-database',
  );
  assert.equal(classifyDownloadError('github.com/alibaba/kt-connect@v9.9.9: reading https://proxy.golang.org/...: 404 Not Found'), 'not-found');
  assert.equal(classifyDownloadError('something else'), 'other');
});

test('the source hash is in the fingerprint: a changed module rebuilds, a git build keeps its fingerprint', () => {
  const source: ModuleSource = {
    kind: 'go-proxy',
    module: 'github.com/alibaba/kt-connect',
    version: 'v0.3.7',
    hash: 'h1:wQbzzvts5qoEnlDdRVfk3KJ/8tcjz3Rc6Tn887FUp3g=',
    goModHash: 'h1:ygqFH7SCj1JXU7//B9RGw1zJogU4qbITwFrxEDbn9VE=',
    checksumDatabase: 'sum.golang.org',
    verified: true,
  };
  const inputs = {
    configs: { kubeconfig: undefined, ktConfig: undefined },
    go: { version: '', downloadBaseUrl: '', sha256: undefined },
    upx: { enabled: false, version: '4.2.4', args: [], downloadBaseUrl: '', sha256: undefined },
    wintun: { url: '', sha256: 'a'.repeat(64) },
    targets: [{ os: 'linux', arch: 'amd64' }],
    archiveFormat: 'zip',
    assetNameTemplate: 'ktctl_{version}_{Os}_{Arch}',
  } as unknown as Parameters<typeof fingerprintParts>[0];
  const git = computeFingerprint(fingerprintParts(inputs, { tag: 'v0.3.7', commit: 'f'.repeat(40) }, '0.3.7', '1.0.0'));
  const proxy = computeFingerprint(fingerprintParts(inputs, { tag: 'v0.3.7', commit: 'f'.repeat(40), source }, '0.3.7', '1.0.0'));
  const changed = computeFingerprint(
    fingerprintParts(inputs, { tag: 'v0.3.7', commit: 'f'.repeat(40), source: { ...source, hash: 'h1:other=' } }, '0.3.7', '1.0.0'),
  );
  assert.notEqual(git, proxy);
  assert.notEqual(proxy, changed);
  assert.match(sourceLine(source), /checked against the checksum database sum\.golang\.org\.$/);
  assert.match(sourceLine({ ...source, verified: false, checksumDatabase: 'off' }), /UNVERIFIED: not checked against a checksum database \(go-sumdb: off\)/);
});

test('the SBOM creation time follows SOURCE_DATE_EPOCH', () => {
  assert.equal(sbomCreated({ SOURCE_DATE_EPOCH: '1669655232' }).toISOString(), '2022-11-28T17:07:12.000Z');
  const now = new Date('2026-01-01T00:00:00Z');
  assert.equal(
    sbomCreated({}, () => now),
    now,
  );
  assert.throws(() => sbomCreated({ SOURCE_DATE_EPOCH: 'yesterday' }), /SOURCE_DATE_EPOCH is 'yesterday', not a whole number of seconds/);
});

test("build-info.json records each archive's source hash, and reads it back", () => {
  const hash = 'h1:wQbzzvts5qoEnlDdRVfk3KJ/8tcjz3Rc6Tn887FUp3g=';
  const entries = new Map([
    ['a.zip', { sha256: 'a'.repeat(64), fingerprint: 'f'.repeat(64), source: hash }],
    ['b.zip', { sha256: 'b'.repeat(64), fingerprint: undefined }],
  ]);
  const text = renderBuildInfo(entries);
  assert.deepEqual((JSON.parse(text) as { archives: unknown }).archives, {
    'a.zip': { fingerprint: 'f'.repeat(64), sha256: 'a'.repeat(64), source: hash },
    'b.zip': { sha256: 'b'.repeat(64) },
  });
  assert.deepEqual(parseBuildInfo(text), entries);
  assert.equal(parseBuildInfo(text.replace(hash, 'h1:not a hash')).get('a.zip')?.source, undefined);
  const files = releaseFiles(
    {
      assets: [{ name: 'a.zip', path: '/x', os: 'linux', arch: 'amd64', size: 1, sha256: 'a'.repeat(64) }],
      upstream: {
        tag: 'v0.3.7',
        commit: 'c'.repeat(40),
        source: { kind: 'go-proxy', module: 'm', version: 'v0.3.7', hash, goModHash: hash, checksumDatabase: 'sum.golang.org', verified: true },
      },
    },
    'f'.repeat(64),
  );
  assert.equal(files[0]?.source, hash);
});
