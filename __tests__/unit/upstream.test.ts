import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compareSemver, newestFirst, parseGoDirective, parseLsRemoteTags, parseSemverTag, pickLatestTag } from '../../src/shared/upstream.js';

const sha = (c: string) => c.repeat(40);

test('annotated tags are peeled to their commits', () => {
  const tags = parseLsRemoteTags(`${sha('1')}\trefs/tags/v0.3.7\n${sha('2')}\trefs/tags/v0.3.7^{}\n${sha('3')}\trefs/tags/light\n`);
  assert.deepEqual(tags, [
    { tag: 'v0.3.7', commit: sha('2') },
    { tag: 'light', commit: sha('3') },
  ]);
});

test('latest is the highest release, not a prerelease or a later-sorting string', () => {
  const refs = ['v0.3.5', 'v0.3.10', 'v0.3.6-beta1', 'v0.3.7', 'v0.4.0-rc1', 'nightly', 'v0.3.9'].map((tag, i) => ({ tag, commit: sha(String(i)) }));
  assert.equal(pickLatestTag(refs)?.tag, 'v0.3.10');
  assert.equal(pickLatestTag([{ tag: 'v1.0.0-beta', commit: sha('a') }]), undefined);
});

test('go directive', () => {
  assert.equal(parseGoDirective('module x\n\ngo 1.18\n\nrequire (\n)\n'), '1.18');
  assert.equal(parseGoDirective('module x\ngo 1.21.0 // toolchain below\ntoolchain go1.22.1\n'), '1.21.0');
  assert.equal(parseGoDirective('module x\n'), undefined);
});

test('semver tags', () => {
  assert.deepEqual(parseSemverTag('v0.3.7'), { major: 0, minor: 3, patch: 7, prerelease: '' });
  assert.deepEqual(parseSemverTag('0.3.5-beta3'), { major: 0, minor: 3, patch: 5, prerelease: 'beta3' });
  assert.deepEqual(parseSemverTag('v1.10.0+build.1'), { major: 1, minor: 10, patch: 0, prerelease: '' });
  for (const ref of ['master', 'v0.3', 'v01.2.3', 'vv0.3.7', 'release-0.3.7', '']) assert.equal(parseSemverTag(ref), undefined, ref);
  const at = (tag: string) => parseSemverTag(tag) ?? assert.fail(tag);
  assert.ok(compareSemver(at('v0.3.6'), at('v0.3.7')) < 0);
  assert.ok(compareSemver(at('v0.3.7-rc1'), at('v0.3.7')) < 0, 'a prerelease comes before its release');
  assert.ok(compareSemver(at('v1.0.0'), at('v0.9.9')) > 0);
});

test('prereleases in order: beta10 after beta2, rc after beta, all before the release', () => {
  const at = (tag: string) => parseSemverTag(tag) ?? assert.fail(tag);
  assert.ok(compareSemver(at('v0.3.6-beta10'), at('v0.3.6-beta2')) > 0, 'beta10 > beta2');
  assert.ok(compareSemver(at('v0.3.6-beta.10'), at('v0.3.6-beta.2')) > 0);
  assert.ok(compareSemver(at('v0.3.6-rc1'), at('v0.3.6-beta10')) > 0);
  assert.ok(compareSemver(at('v0.3.6-beta10'), at('v0.3.6')) < 0);
  assert.equal(compareSemver(at('v0.3.6-beta2'), at('0.3.6-beta2')), 0, 'a leading v changes nothing');
  assert.deepEqual(newestFirst(['v0.3.5-beta3', 'v0.3.6-beta10', 'nightly', 'v0.3.6-beta2', 'v0.3.10', 'v0.3.9', 'main']), [
    'v0.3.10',
    'v0.3.9',
    'v0.3.6-beta10',
    'v0.3.6-beta2',
    'v0.3.5-beta3',
    'nightly',
    'main',
  ]);
});

test('latest ignores prereleases however high, and refs that only look like versions', () => {
  const refs = ['v0.3.7', 'v0.4.0-beta10', 'v0.4.0-beta2', 'v1.0.0-rc1', ' v9.9.9', 'v0.3.8 ', 'vv2.0.0', '0.3.6'].map((tag, i) => ({
    tag,
    commit: sha(String(i)),
  }));
  assert.equal(pickLatestTag(refs)?.tag, 'v0.3.7');
});
