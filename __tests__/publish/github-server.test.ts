// The local GitHub server checks what it is sent and what it answers against GitHub's OpenAPI
// description; these tests make sure those checks bite, so the publishing tests mean something.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { responseViolations } from '../support/github-server.js';
import { clientFor, memoryLog, withServer } from './helpers.js';

const auth = { authorization: 'token write-token', 'content-type': 'application/json' };

test('a request body with a property GitHub does not know is refused and recorded', async () => {
  await withServer({}, async (server) => {
    const response = await fetch(`${server.apiUrl}/repos/${server.owner}/${server.repo}/releases`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({ tag_name: 'v1', draft: true, make_it_fast: true }),
    });
    assert.equal(response.status, 422);
    assert.deepEqual(server.violations, ['repos/create-release request body.make_it_fast: not a property the schema knows']);
    assert.equal(server.releaseViews().length, 0);
  });
});

test('a request body missing a required field or with a wrong type is refused', async () => {
  await withServer({}, async (server) => {
    const post = (body: unknown) =>
      fetch(`${server.apiUrl}/repos/${server.owner}/${server.repo}/releases`, { method: 'POST', headers: auth, body: JSON.stringify(body) });
    assert.equal((await post({ name: 'no tag' })).status, 422);
    assert.equal((await post({ tag_name: 'v1', draft: 'yes' })).status, 422);
    assert.deepEqual(server.violations, [
      'repos/create-release request body.tag_name: required, missing',
      'repos/create-release request body.draft: should be a boolean',
    ]);
  });
});

test('routes it does not implement, unknown query parameters and requests outside GITHUB_API_URL are recorded', async () => {
  await withServer({ ghes: true }, async (server) => {
    assert.equal((await fetch(`${server.apiUrl}/repos/${server.owner}/${server.repo}/issues`, { headers: auth })).status, 404);
    assert.equal((await fetch(`${server.serverUrl}/repos/${server.owner}/${server.repo}`, { headers: auth })).status, 404);
    await fetch(`${server.apiUrl}/repos/${server.owner}/${server.repo}/releases?per_page=5&sort=asc`, { headers: auth });
    assert.deepEqual(server.violations, [
      'api: GET /repos/octo-org/ktctl-dist/issues is not a route this server implements',
      'api: GET /repos/octo-org/ktctl-dist is outside /api/v3 (the client did not follow the configured URL)',
      'repos/list-releases: query parameter sort is not one GitHub knows',
    ]);
  });
});

test('an upload without Content-Length is refused, as GitHub does', async () => {
  await withServer({}, async (server) => {
    const id = server.seedRelease({ tag: 'v1', draft: true });
    const chunks = (async function* () {
      yield Buffer.from('streamed without a length');
    })();
    const response = await fetch(`${server.uploadUrl}/repos/${server.owner}/${server.repo}/releases/${id}/assets?name=x.bin`, {
      method: 'POST',
      headers: { authorization: 'token write-token', 'content-type': 'application/octet-stream' },
      body: chunks,
      duplex: 'half',
    } as RequestInit);
    assert.equal(response.status, 411);
    assert.deepEqual(server.violations, ['upload without Content-Length (GitHub requires it)']);
  });
});

test('uploads are only served on the upload host', async () => {
  await withServer({}, async (server) => {
    const id = server.seedRelease({ tag: 'v1', draft: true });
    const response = await fetch(`${server.apiUrl}/repos/${server.owner}/${server.repo}/releases/${id}/assets?name=x.bin`, {
      method: 'POST',
      headers: { authorization: 'token write-token', 'content-type': 'application/octet-stream' },
      body: 'data',
    });
    assert.equal(response.status, 404);
    assert.match(server.violations[0] ?? '', /POST .*\/assets is not a route/);
  });
});

test('drafts are invisible to a read-only token; listings page with Link headers', async () => {
  await withServer({}, async (server) => {
    for (let index = 0; index < 230; index++) server.seedRelease({ tag: `v0.0.${index}` });
    server.seedRelease({ tag: 'draft-only', draft: true });
    const log = memoryLog();
    // Drafts come first, so the first page (which also holds published releases) is the last read.
    const writer = await clientFor(server, log).listRecentReleases();
    const reader = await clientFor(server, log, 'read-token').listRecentReleases();
    assert.equal(writer.length, 100);
    assert.equal(writer[0]?.tagName, 'draft-only');
    assert.equal(reader.length, 100);
    assert.ok(!reader.some((release) => release.tagName === 'draft-only'));
    assert.equal(server.calls('repos/list-releases').length, 2, 'one page each: the bounded lookup stops at a published release');
    // Full listings page with Link headers: 230 assets are three pages of 100.
    const releaseId = server.seedRelease({ tag: 'many-assets' });
    for (let index = 0; index < 230; index++) server.addAsset(releaseId, `a${index}.zip`, 'x');
    assert.equal((await clientFor(server, log).listAssets(releaseId)).length, 230);
    assert.equal(server.calls('repos/list-release-assets').length, 3, 'three pages of 100 each');
    assert.deepEqual(server.violations, []);
  });
});

test('the response check catches a missing required field, a wrong type and an unknown property', async () => {
  await withServer({}, async (server) => {
    const id = server.seedRelease({ tag: 'v1', assets: [{ name: 'a.zip', data: 'a' }] });
    const response = await fetch(`${server.apiUrl}/repos/${server.owner}/${server.repo}/releases/${id}`, { headers: auth });
    const release = (await response.json()) as Record<string, unknown>;
    assert.deepEqual(responseViolations('repos/get-release', 200, release), [], 'the server answers a release GitHub would');
    const { upload_url: _dropped, ...withoutUploadUrl } = release;
    assert.deepEqual(responseViolations('repos/get-release', 200, withoutUploadUrl), ['repos/get-release 200 response.upload_url: required, missing']);
    assert.deepEqual(responseViolations('repos/get-release', 200, { ...release, draft: 'no' }), ['repos/get-release 200 response.draft: should be a boolean']);
    const assets = release['assets'] as Array<Record<string, unknown>>;
    assert.deepEqual(responseViolations('repos/get-release', 200, { ...release, assets: [{ ...assets[0], digest: undefined, colour: 'red' }] }), [
      'repos/get-release 200 response.assets[0].digest: required, missing',
      'repos/get-release 200 response.assets[0].colour: not a property the schema knows',
    ]);
    const repository = await (await fetch(`${server.apiUrl}/repos/${server.owner}/${server.repo}`, { headers: auth })).json();
    assert.deepEqual(responseViolations('repos/get', 200, repository), [], 'the repository answer is a full-repository');
    assert.deepEqual(server.violations, []);
  });
});
