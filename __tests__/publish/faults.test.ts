// Injected faults: the retry and throttling plugins carry the run through 5xx, dropped
// connections and rate limits; a concurrent upload's 422 already_exists is settled.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BUILD_INFO_NAME, TEMP_PREFIX } from '../../src/shared/reserved-names.js';
import { parseChecksums } from '../../src/shared/release-files.js';
import { publishRelease } from '../../src/publish/publish-release.js';
import { clientFor, fastTiming, makeArchives, memoryLog, publishRequest, withServer } from './helpers.js';

const NAMES = ['ktctl_0.3.7_Linux_x86_64.tar.gz', 'ktctl_0.3.7_MacOS_arm_64.tar.gz'];
const CHECKSUMS = 'ktctl_0.3.7_checksums.txt';

test('5xx answers on every kind of call are retried', async () => {
  await withServer({}, async (server, dir) => {
    for (const op of ['repos/get-release-by-tag', 'repos/list-releases', 'repos/create-release', 'repos/list-release-assets', 'repos/update-release']) {
      server.inject({ op, times: 2, fault: { kind: 'status', status: 500 } });
    }
    server.inject({ op: 'repos/upload-release-asset', times: 3, fault: { kind: 'status', status: 503, message: 'Service Unavailable' } });
    server.inject({ op: 'repos/get-release-asset', times: 1, fault: { kind: 'status', status: 502 } });
    const log = memoryLog();
    const archives = await makeArchives(dir, NAMES, 'f'.repeat(64));
    const result = await publishRelease(clientFor(server, log), publishRequest(archives), log, fastTiming);
    assert.equal(result.draft, false);
    assert.equal(server.calls('repos/upload-release-asset', 503).length, 3);
    assert.equal(server.calls('repos/create-release', 500).length, 2);
    assert.equal(server.calls('repos/create-release', 201).length, 1, 'a 500 before the create took effect makes no duplicate');
    const [release, ...others] = server.releaseViews();
    assert.equal(others.length, 0);
    for (const file of archives) assert.equal(release?.assets.find((asset) => asset.name === file.name)?.sha256, file.sha256);
    assert.deepEqual(server.violations, []);
  });
});

test('a connection reset in the middle of an upload is retried with the file streamed again', async () => {
  await withServer({}, async (server, dir) => {
    server.inject({ op: 'repos/upload-release-asset', times: 2, fault: { kind: 'reset' } });
    const log = memoryLog();
    const archives = await makeArchives(dir, NAMES, 'f'.repeat(64), (name) => Buffer.alloc(3 * 1024 * 1024, name));
    await publishRelease(clientFor(server, log), publishRequest(archives), log, fastTiming);
    const uploads = server.calls('repos/upload-release-asset');
    assert.equal(uploads.filter((request) => request.status === 0).length, 2, 'two uploads were cut off');
    const [release] = server.releaseViews();
    for (const file of archives) {
      const asset = release?.assets.find((item) => item.name === file.name);
      assert.equal(asset?.size, file.size, `${file.name} complete`);
      assert.equal(asset?.sha256, file.sha256);
    }
    assert.deepEqual(server.violations, [], 'every retry sent Content-Length and the whole file');
  });
});

test('an upload whose answer was lost (reset after it took effect) is not duplicated', async () => {
  await withServer({}, async (server, dir) => {
    server.inject({
      op: 'repos/upload-release-asset',
      when: (request) => request.query.get('name') === NAMES[0],
      fault: { kind: 'reset', after: true },
    });
    const log = memoryLog();
    const archives = await makeArchives(dir, NAMES, 'f'.repeat(64));
    await publishRelease(clientFor(server, log), publishRequest(archives), log, fastTiming);
    const [release] = server.releaseViews();
    assert.equal(release?.assets.filter((asset) => asset.name === NAMES[0]).length, 1);
    assert.equal(release?.assets.find((asset) => asset.name === NAMES[0])?.sha256, archives[0]?.sha256);
    assert.equal(server.calls('repos/upload-release-asset', 422).length, 1, 'the retry met our own upload');
    assert.match(log.text(), /Already on the release, identical: ktctl_0\.3\.7_Linux_x86_64\.tar\.gz/);
  });
});

// Found by the concurrency test in CI's order: a lost answer on the checksums file's upload to a
// draft ended the publish with GitHub's 422, and so would one on a working copy's.
for (const digests of [true, false]) {
  test(`a shared file's upload whose answer was lost is taken as our own, onto a draft and as a working copy (${digests ? 'by its digest' : 'no digests: by its bytes'})`, async () => {
    await withServer({ digests }, async (server, dir) => {
      const named = (matches: (name: string) => boolean) => (request: { query: URLSearchParams }) => matches(request.query.get('name') ?? '');
      // the first publish puts the checksums file on the draft under its own name
      server.inject({ op: 'repos/upload-release-asset', when: named((name) => name === CHECKSUMS), fault: { kind: 'reset', after: true } });
      const log = memoryLog();
      await publishRelease(clientFor(server, log), publishRequest(await makeArchives(dir, NAMES, 'f'.repeat(64))), log, fastTiming);
      // a rebuild stages the new checksums file on the published release as a working copy
      server.inject({
        op: 'repos/upload-release-asset',
        when: named((name) => name.startsWith(TEMP_PREFIX) && name.endsWith(`-new-${CHECKSUMS}`)),
        fault: { kind: 'reset', after: true },
      });
      const rebuilt = await makeArchives(dir, NAMES, 'e'.repeat(64));
      await publishRelease(clientFor(server, log), publishRequest(rebuilt), log, fastTiming);
      assert.equal(server.calls('repos/upload-release-asset', 422).length, 2, 'both retries met our own upload');
      const [release, ...others] = server.releaseViews();
      assert.equal(others.length, 0);
      assert.equal(release?.draft, false);
      const checksums = parseChecksums(release?.assets.find((asset) => asset.name === CHECKSUMS)?.text ?? '');
      for (const file of rebuilt) assert.equal(checksums.get(file.name), file.sha256);
      assert.deepEqual(
        release?.assets.filter((asset) => asset.name.startsWith(TEMP_PREFIX)),
        [],
      );
      assert.deepEqual(server.violations, []);
    });
  });
}

test('a release created but whose answer was lost leaves one release, not two', async () => {
  await withServer({}, async (server, dir) => {
    server.inject({ op: 'repos/create-release', fault: { kind: 'reset', after: true } });
    const log = memoryLog();
    const archives = await makeArchives(dir, NAMES, 'f'.repeat(64));
    const result = await publishRelease(clientFor(server, log), publishRequest(archives), log, fastTiming);
    assert.equal(server.calls('repos/create-release').length, 2);
    const releases = server.releaseViews();
    assert.equal(releases.length, 1, 'the duplicate draft was deleted');
    assert.equal(releases[0]?.id, result.releaseId);
    assert.equal(releases[0]?.draft, false);
    assert.match(log.text(), /removing the duplicate draft/);
  });
});

for (const status of [429, 403] as const) {
  test(`a secondary rate limit (${status}, retry-after) is waited out and retried`, async () => {
    await withServer({}, async (server, dir) => {
      server.inject({ op: 'repos/create-release', fault: { kind: 'secondary-rate-limit', status, retryAfter: 3 } });
      server.inject({ op: 'repos/upload-release-asset', times: 2, fault: { kind: 'secondary-rate-limit', status, retryAfter: 2 } });
      const log = memoryLog();
      const archives = await makeArchives(dir, NAMES, 'f'.repeat(64));
      const result = await publishRelease(clientFor(server, log), publishRequest(archives), log, fastTiming);
      assert.equal(result.draft, false);
      assert.equal(server.calls('repos/create-release', status).length, 1);
      assert.equal(server.calls('repos/upload-release-asset', status).length, 2);
      assert.equal(server.releaseViews().length, 1);
      assert.match(log.warnings.join('\n'), /secondary rate limit hit \(POST .*\/releases\); waiting 3 s before retry 1 of 4/);
    });
  });
}

test('a primary rate limit (x-ratelimit-remaining: 0) waits for the reset', async () => {
  await withServer({}, async (server, dir) => {
    server.inject({ op: 'repos/list-releases', fault: { kind: 'rate-limit' } });
    const log = memoryLog();
    const archives = await makeArchives(dir, NAMES, 'f'.repeat(64));
    await publishRelease(clientFor(server, log), publishRequest(archives), log, fastTiming);
    assert.match(log.warnings.join('\n'), /rate limit is used up/);
    assert.equal(server.releaseViews()[0]?.draft, false);
  });
});

test('a rate limit that does not lift ends with a clear error', async () => {
  await withServer({}, async (server, dir) => {
    server.inject({ op: 'repos/create-release', times: Infinity, fault: { kind: 'secondary-rate-limit', status: 429, retryAfter: 1 } });
    const log = memoryLog();
    const archives = await makeArchives(dir, NAMES, 'f'.repeat(64));
    await assert.rejects(
      publishRelease(clientFor(server, log), publishRequest(archives), log, fastTiming),
      /kept rate-limiting us while trying to create release v0\.3\.7 \(429 You have exceeded a secondary rate limit/,
    );
    assert.equal(server.calls('repos/create-release', 429).length, 5);
  });
});

test('422 already_exists from a concurrent upload: overwrite replaces theirs', async () => {
  await withServer({}, async (server, dir) => {
    server.inject({ op: 'repos/upload-release-asset', when: (request) => request.query.get('name') === NAMES[1], fault: { kind: 'concurrent-upload' } });
    const log = memoryLog();
    const archives = await makeArchives(dir, NAMES, 'f'.repeat(64));
    await publishRelease(clientFor(server, log), publishRequest(archives), log, fastTiming);
    const [release] = server.releaseViews();
    assert.equal(release?.assets.filter((asset) => asset.name === NAMES[1]).length, 1);
    assert.equal(release?.assets.find((asset) => asset.name === NAMES[1])?.sha256, archives[1]?.sha256);
    assert.match(log.text(), /appeared on the release while uploading it/);
    const checksums = parseChecksums(release?.assets.find((asset) => asset.name === CHECKSUMS)?.text ?? '');
    assert.equal(checksums.get(NAMES[1] ?? ''), archives[1]?.sha256);
  });
});

test('422 already_exists from a concurrent upload: overwrite: false keeps theirs and reports it', async () => {
  await withServer({}, async (server, dir) => {
    const theirs = Buffer.from('the other job built this\n');
    server.inject({
      op: 'repos/upload-release-asset',
      when: (request) => request.query.get('name') === NAMES[1],
      fault: { kind: 'concurrent-upload', data: theirs },
    });
    const log = memoryLog();
    const archives = await makeArchives(dir, NAMES, 'f'.repeat(64));
    const result = await publishRelease(clientFor(server, log), publishRequest(archives, { overwrite: false }), log, fastTiming);
    const [release] = server.releaseViews();
    assert.equal(release?.assets.find((asset) => asset.name === NAMES[1])?.text, theirs.toString());
    assert.ok(result.assets.some((asset) => asset.name === NAMES[1] && asset.url.endsWith(NAMES[1] ?? '')));
    assert.ok(release?.assets.some((asset) => asset.name === BUILD_INFO_NAME));
  });
});

test('a dropped answer on the publish call still ends published', async () => {
  await withServer({}, async (server, dir) => {
    server.inject({ op: 'repos/update-release', fault: { kind: 'reset', after: true } });
    server.inject({ op: 'git/create-ref', fault: { kind: 'reset', after: true } });
    const log = memoryLog();
    const archives = await makeArchives(dir, NAMES, 'f'.repeat(64));
    const result = await publishRelease(clientFor(server, log), publishRequest(archives), log, fastTiming);
    assert.equal(result.draft, false);
    assert.equal(server.releaseViews()[0]?.draft, false);
    assert.equal(server.events.length, 1);
  });
});

test('a publish call that fails for good leaves a complete draft, never a published release, and no lock', async () => {
  await withServer({}, async (server, dir) => {
    server.inject({ op: 'repos/update-release', times: 5, fault: { kind: 'status', status: 500 } });
    const log = memoryLog();
    const archives = await makeArchives(dir, NAMES, 'f'.repeat(64));
    await assert.rejects(
      publishRelease(clientFor(server, log), publishRequest(archives), log, fastTiming),
      /did not manage to update release .* after 4 retries/,
    );
    const [release] = server.releaseViews();
    assert.equal(release?.draft, true);
    assert.equal(server.events.length, 0, 'never published');
    assert.deepEqual(release?.assets.map((asset) => asset.name).sort(), [...NAMES, BUILD_INFO_NAME, CHECKSUMS].sort(), 'complete, and the lock is gone');
    const result = await publishRelease(clientFor(server, log), publishRequest(archives), log, fastTiming);
    assert.equal(result.draft, false);
    assert.equal(result.releaseId, release?.id);
  });
});
