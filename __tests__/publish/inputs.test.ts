// parsePublishInputs: pure, and every bad value is an InputError naming its input.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InputError } from '../../src/shared/errors.js';
import { isGhesUrl, parsePublishInputs, PUBLISH_DEFAULTS, releaseTagFor } from '../../src/publish/inputs.js';

const ENV = {
  GITHUB_REPOSITORY: 'octo-org/ktctl-dist',
  GITHUB_API_URL: 'https://api.github.com',
  GITHUB_SERVER_URL: 'https://github.com',
  GITHUB_SHA: 'c0ffee'.padEnd(40, '0'),
  GITHUB_REF: 'refs/heads/main',
} satisfies NodeJS.ProcessEnv;

function reader(values: Record<string, string> = {}): (name: string) => string {
  const all: Record<string, string> = { 'github-token': 'ghs_token', ...values };
  return (name) => all[name] ?? '';
}

function rejectsInput(input: string, work: () => unknown, pattern?: RegExp): void {
  assert.throws(work, (error: unknown) => {
    assert.ok(error instanceof InputError, `an InputError, got ${String(error)}`);
    assert.equal(error.input, input);
    if (pattern !== undefined) assert.match(error.message, pattern);
    return true;
  });
}

test('defaults: publish a release named after the upstream tag, overwrite, skip unchanged, no artifact', () => {
  const inputs = parsePublishInputs(reader(), ENV);
  assert.equal(inputs.mode, 'all');
  assert.equal(inputs.publish, true);
  assert.equal(inputs.releaseTag, undefined);
  assert.equal(releaseTagFor(inputs, 'v0.3.7'), 'v0.3.7');
  assert.equal(inputs.releaseName, undefined);
  assert.equal(inputs.draft, false);
  assert.equal(inputs.prerelease, false);
  assert.equal(inputs.overwrite, true);
  assert.equal(inputs.skipUnchanged, true);
  assert.equal(inputs.uploadArtifact, false);
  assert.equal(inputs.artifactName, 'ktctl-archives');
  assert.equal(inputs.retentionDays, undefined);
  assert.equal(inputs.allowPublic, false);
  assert.equal(inputs.token, 'ghs_token');
  assert.deepEqual(inputs.github, {
    owner: 'octo-org',
    repo: 'ktctl-dist',
    apiUrl: 'https://api.github.com',
    serverUrl: 'https://github.com',
    sha: ENV.GITHUB_SHA,
    ghes: false,
  });
  assert.equal(Object.keys(PUBLISH_DEFAULTS).length, 16);
});

test('release-tag: the input, else the tag that triggered the run, else the upstream tag', () => {
  assert.equal(parsePublishInputs(reader({ 'release-tag': 'refs/tags/ktctl-prod' }), ENV).releaseTag, 'ktctl-prod');
  const tagged = parsePublishInputs(reader(), { ...ENV, GITHUB_REF: 'refs/tags/v2024.06' });
  assert.equal(releaseTagFor(tagged, 'v0.3.7'), 'v2024.06');
  assert.equal(parsePublishInputs(reader({ 'release-tag': 'mine' }), { ...ENV, GITHUB_REF: 'refs/tags/v1' }).releaseTag, 'mine');
  for (const bad of ['has space', 'a..b', '-lead', 'x.lock', 'trail/', 'a~1', 'a:b', '.hidden', 'x@{y']) {
    rejectsInput('release-tag', () => parsePublishInputs(reader({ 'release-tag': bad }), ENV), /not a valid git tag name/);
  }
});

test('booleans are true or false only, and name their input', () => {
  for (const name of ['publish', 'draft', 'prerelease', 'overwrite', 'skip-unchanged', 'upload-artifact', 'allow-public']) {
    rejectsInput(name, () => parsePublishInputs(reader({ [name]: 'yes' }), ENV), /'yes' is not a boolean; use true or false/);
  }
  const inputs = parsePublishInputs(reader({ draft: 'true', prerelease: 'TRUE', overwrite: 'false', 'skip-unchanged': 'False', 'allow-public': 'true' }), ENV);
  assert.deepEqual([inputs.draft, inputs.prerelease, inputs.overwrite, inputs.skipUnchanged, inputs.allowPublic], [true, true, false, false, true]);
});

test('retention-days is 1 to 90', () => {
  assert.equal(parsePublishInputs(reader({ 'retention-days': '1' }), ENV).retentionDays, 1);
  assert.equal(parsePublishInputs(reader({ 'retention-days': ' 90 ' }), ENV).retentionDays, 90);
  for (const bad of ['0', '91', '-1', '7d', '1.5', '1000']) {
    rejectsInput('retention-days', () => parsePublishInputs(reader({ 'retention-days': bad }), ENV), /1 to 90/);
  }
});

test('mode: all, build or publish', () => {
  const build = parsePublishInputs(reader({ mode: 'build' }), ENV);
  assert.equal(build.publish, false, 'a build job never publishes');
  assert.equal(build.uploadArtifact, true, 'a build job always uploads its artifact');
  const publish = parsePublishInputs(reader({ mode: 'publish' }), ENV);
  assert.equal(publish.publish, true);
  assert.equal(publish.uploadArtifact, false);
  rejectsInput('mode', () => parsePublishInputs(reader({ mode: 'matrix' }), ENV), /use all .*build .*publish/);
  rejectsInput('publish', () => parsePublishInputs(reader({ mode: 'publish', publish: 'false' }), ENV), /mode: publish only publishes/);
});

test('artifact-name refuses characters the artifact service refuses', () => {
  assert.equal(parsePublishInputs(reader({ 'artifact-name': 'ktctl-prod' }), ENV).artifactName, 'ktctl-prod');
  for (const bad of ['a/b', 'a:b', 'a*b', 'a"b', 'a\\b']) {
    rejectsInput('artifact-name', () => parsePublishInputs(reader({ 'artifact-name': bad }), ENV));
  }
});

test('release-name is one line', () => {
  assert.equal(parsePublishInputs(reader({ 'release-name': ' ktctl for prod ' }), ENV).releaseName, 'ktctl for prod');
  rejectsInput('release-name', () => parsePublishInputs(reader({ 'release-name': 'a\nb' }), ENV), /single line/);
});

test('a token and GITHUB_REPOSITORY are needed only when something talks to GitHub', () => {
  rejectsInput('github-token', () => parsePublishInputs(reader({ 'github-token': '' }), ENV), /contents: write/);
  rejectsInput('publish', () => parsePublishInputs(reader(), { ...ENV, GITHUB_REPOSITORY: '' }), /GITHUB_REPOSITORY/);
  const local = parsePublishInputs(reader({ 'github-token': '', publish: 'false' }), {});
  assert.equal(local.publish, false);
  assert.equal(local.token, '');
  assert.equal(local.github.owner, undefined);
  rejectsInput('github-token', () => parsePublishInputs(reader({ 'github-token': '', publish: 'false', 'upload-artifact': 'true' }), ENV));
});

test('GHES: URLs come from the environment; artifact modes are refused before any build', () => {
  const env = { ...ENV, GITHUB_SERVER_URL: 'https://ghes.example.com/', GITHUB_API_URL: 'https://ghes.example.com/api/v3/' };
  const inputs = parsePublishInputs(reader(), env);
  assert.equal(inputs.github.apiUrl, 'https://ghes.example.com/api/v3');
  assert.equal(inputs.github.serverUrl, 'https://ghes.example.com');
  assert.equal(inputs.github.ghes, true);
  rejectsInput('mode', () => parsePublishInputs(reader({ mode: 'build' }), env), /does not work on GitHub Enterprise Server.*use mode: all/);
  rejectsInput('mode', () => parsePublishInputs(reader({ mode: 'publish' }), env), /GitHub Enterprise Server/);
  // upload-artifact in mode all is allowed: it warns and goes on with the release.
  assert.equal(parsePublishInputs(reader({ 'upload-artifact': 'true' }), env).uploadArtifact, true);
  assert.equal(isGhesUrl('https://github.com'), false);
  assert.equal(isGhesUrl('https://octo.ghe.com'), false);
  assert.equal(isGhesUrl('https://git.corp.example'), true);
});

test('a GITHUB_SHA that is not a commit id is not used to create tags', () => {
  assert.equal(parsePublishInputs(reader(), { ...ENV, GITHUB_SHA: 'main' }).github.sha, undefined);
});
