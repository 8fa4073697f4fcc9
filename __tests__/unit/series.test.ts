// The release series rule (<tag>, <tag>-build.2, ...) and what a superseding release says: pure logic.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import type { ReleaseInfo } from '../../src/publish/github.js';
import { seriesNumber, seriesTag, targetOf, type Series } from '../../src/publish/series.js';
import { buildDigests, digestsMarker, parseDigests, supersedeNote, supersedeReasons } from '../../src/publish/supersede.js';
import { baseParts } from '../publish/helpers.js';

function release(tagName: string, fields: Partial<ReleaseInfo> = {}): ReleaseInfo {
  return {
    id: 1,
    tagName,
    name: tagName,
    draft: false,
    prerelease: false,
    immutable: false,
    htmlUrl: `https://github.example/o/r/releases/tag/${tagName}`,
    uploadUrl: 'https://uploads.example/assets{?name,label}',
    createdAt: '2026-12-01T00:00:00Z',
    ...fields,
  };
}

const series = (fields: Partial<Series>): Series => ({ base: 'v0.3.7', newest: undefined, previous: undefined, highestUsed: 0, ...fields });

test('series tags: the base, then -build.<n> from 2; anything else is not of the series', () => {
  assert.equal(seriesTag('v0.3.7', 1), 'v0.3.7');
  assert.equal(seriesTag('v0.3.7', 2), 'v0.3.7-build.2');
  assert.equal(seriesTag('ktctl-prod', 12), 'ktctl-prod-build.12');
  assert.equal(seriesNumber('v0.3.7', 'v0.3.7'), 1);
  assert.equal(seriesNumber('v0.3.7', 'v0.3.7-build.2'), 2);
  assert.equal(seriesNumber('v0.3.7', 'v0.3.7-build.10'), 10);
  for (const other of [
    'v0.3.7-build.1',
    'v0.3.7-build.02',
    'v0.3.7-build.',
    'v0.3.7-build.2x',
    'v0.3.7-2',
    'v0.3.70',
    'v0.3.7-build.2-build.3',
    'v0.3.7-build.1000000',
  ]) {
    assert.equal(seriesNumber('v0.3.7', other), undefined, other);
  }
  // a base with characters that mean something in a regular expression
  assert.equal(seriesNumber('v1.0+x', 'v1.0+x-build.3'), 3);
  assert.equal(seriesNumber('v1.0+x', 'v1.0xx-build.3'), undefined);
});

test('the series order is the number order for sort -V and for a person', () => {
  const tags = [2, 10, 1, 9, 3].map((n) => seriesTag('v0.3.7', n));
  const byNumber = [...tags].sort((a, b) => (seriesNumber('v0.3.7', a) ?? 0) - (seriesNumber('v0.3.7', b) ?? 0));
  assert.deepEqual(byNumber, ['v0.3.7', 'v0.3.7-build.2', 'v0.3.7-build.3', 'v0.3.7-build.9', 'v0.3.7-build.10']);
});

test('where a run publishes', () => {
  // nothing yet: the base tag, even when a tag of that name exists (a tag push started the run)
  assert.deepEqual(targetOf(series({})), { tag: 'v0.3.7', supersedes: undefined, fresh: true });
  // the base refused as burned: the next free number
  assert.equal(targetOf(series({ highestUsed: 4 }), new Set([1])).tag, 'v0.3.7-build.5');
  assert.equal(targetOf(series({}), new Set([1, 2])).tag, 'v0.3.7-build.3');
  // a mutable release: in place, as always
  assert.deepEqual(targetOf(series({ newest: release('v0.3.7'), highestUsed: 1 })), { tag: 'v0.3.7', supersedes: undefined, fresh: false });
  // an immutable one: the next number, superseding it; tags in use are never reused
  const locked = release('v0.3.7-build.2', { immutable: true });
  assert.deepEqual(targetOf(series({ newest: locked, highestUsed: 2 })), { tag: 'v0.3.7-build.3', supersedes: locked, fresh: true });
  assert.equal(targetOf(series({ newest: locked, highestUsed: 7 })).tag, 'v0.3.7-build.8');
  assert.equal(targetOf(series({ newest: locked, highestUsed: 7 }), new Set([8, 9])).tag, 'v0.3.7-build.10');
  // a draft left by a stopped run is finished, superseding the immutable release before it
  const draft = release('v0.3.7-build.3', { draft: true });
  assert.deepEqual(targetOf(series({ newest: draft, previous: locked, highestUsed: 3 })), { tag: 'v0.3.7-build.3', supersedes: locked, fresh: false });
  assert.equal(targetOf(series({ newest: draft, previous: release('v0.3.7'), highestUsed: 3 })).supersedes, undefined);
});

test('the build digests say what changed, and hold no config text', () => {
  const before = buildDigests(baseParts());
  const rotated = buildDigests(baseParts({ kubeconfig: baseParts().kubeconfig!.replace('s3cr3t-token', 'new-token') }));
  const ktConfig = buildDigests(baseParts({ ktConfig: 'global:\n  namespace: prod\n' }));
  const upstream = buildDigests(baseParts({ upstreamCommit: 'F064F771AA7BA03A0E6BC92F712306E9BCD8A6F5', version: '0.3.8' }));
  const patches = buildDigests(baseParts({ patches: [{ name: 'fix.patch', sha256: 'a'.repeat(64) }] }));
  const toolchain = buildDigests(baseParts({ upxArgs: ['--best'] }));
  const action = buildDigests(baseParts({ actionVersion: '1.1.0' }));
  const registry = buildDigests(baseParts({ imageRegistry: 'registry.example.com' }));
  assert.deepEqual(supersedeReasons(before, before), ['its inputs changed']);
  assert.deepEqual(supersedeReasons(before, rotated), ['rotated credentials (a new kubeconfig or kt config)']);
  assert.deepEqual(supersedeReasons(before, ktConfig), ['rotated credentials (a new kubeconfig or kt config)']);
  assert.deepEqual(supersedeReasons(before, upstream), ['a new upstream: kt-connect 0.3.8 (commit f064f771aa7b)']);
  assert.deepEqual(supersedeReasons(before, patches), ['new patches']);
  assert.deepEqual(supersedeReasons(before, toolchain), ['new build settings (targets, Go, upx, wintun or archive names)']);
  assert.deepEqual(supersedeReasons(before, action), ['a new version of ktctl-customize (1.1.0)']);
  assert.deepEqual(supersedeReasons(before, registry), ['a new image-registry']);
  // nothing recorded (a body the user wrote), or a job that knows only the upstream (mode: publish)
  assert.deepEqual(supersedeReasons(undefined, rotated), ['its inputs changed']);
  assert.deepEqual(supersedeReasons(before, { upstream: before.upstream!, version: '0.3.7' }), ['its inputs changed']);
  // no secret in any form a reader could use: not the text, not a plain hash of it
  const marker = digestsMarker(rotated);
  for (const secret of ['s3cr3t', 'new-token', 'namespace: dev']) assert.ok(!marker.includes(secret));
  assert.ok(!marker.includes(createHash('sha256').update(baseParts().ktConfig!).digest('hex')));
  // without a kubeconfig there is no key: no digest of the configs at all
  assert.equal(buildDigests(baseParts({ kubeconfig: undefined })).credentials, undefined);
});

test('the digests travel in an HTML comment of the notes and are read back from it', () => {
  const digests = buildDigests(baseParts({ version: '0.3.7-->beta' }));
  const body = `Notes\n\n${digestsMarker(digests)}\n`;
  assert.ok(!digestsMarker(digests).slice(4, -4).includes('--'), 'the comment cannot be closed early');
  assert.deepEqual(parseDigests(body), digests);
  assert.equal(parseDigests('no marker here'), undefined);
  assert.equal(parseDigests(null), undefined);
  assert.equal(parseDigests('<!-- ktctl-customize-build {not json} -->'), undefined);
  assert.equal(parseDigests(`<!-- ktctl-customize-build {"upstream":"${'a'.repeat(3000)}"} -->`), undefined, 'too long: not ours');
  assert.deepEqual(parseDigests('<!-- ktctl-customize-build {"upstream":7,"version":"0.3.7"} -->'), { version: '0.3.7' });
  // a long hostile body is read in one pass
  const started = Date.now();
  parseDigests(`${'<!-- ktctl-customize-build '.repeat(20_000)}`);
  assert.ok(Date.now() - started < 1000);
});

test('the superseding note names the old release and why, on one line', () => {
  const note = supersedeNote(release('v0.3.7'), ['rotated credentials (a new kubeconfig or kt config)', 'new patches']);
  assert.equal(
    note,
    'This release supersedes `v0.3.7` (https://github.example/o/r/releases/tag/v0.3.7), rebuilt for rotated credentials (a new kubeconfig or kt config), new patches. `v0.3.7` is immutable (this repository locks published releases), so the rebuild is a new release; use this one.',
  );
  assert.ok(!supersedeNote(release('a`b\nc'), ['x']).includes('\n'));
});
