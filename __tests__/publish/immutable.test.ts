// GitHub's immutable releases: the stand-in enforces them as GitHub does, and publishing puts a
// rebuild into a new release of the series (<tag>-build.<n>) instead of touching a locked one.
import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { GitHubError, type ReleaseClient } from '../../src/publish/github.js';
import { BUILD_INFO_NAME, TEMP_PREFIX } from '../../src/shared/reserved-names.js';
import { buildDigests, digestsMarker, type BuildDigests } from '../../src/publish/supersede.js';
import { checkUnchanged } from '../../src/publish/unchanged.js';
import { computeFingerprint, type FingerprintParts } from '../../src/publish/fingerprint.js';
import { downloadBuildArtifacts, uploadBuildArtifact, type ArtifactStore } from '../../src/publish/artifact.js';
import { findSeries, publishSeries } from '../../src/publish/publish-series.js';
import { parseBuildInfo } from '../../src/shared/release-files.js';
import type { PublishRequest } from '../../src/publish/request.js';
import { IMMUTABLE_MESSAGES } from '../support/github-server.js';
import { baseParts, clientFor, fastTiming, makeArchives, memoryLog, publishRequest, SHA, tempDir, withServer } from './helpers.js';

const NAMES = ['ktctl_0.3.7_Linux_x86_64.tar.gz', 'ktctl_0.3.7_Windows_x86_64.zip'];
const CHECKSUMS = 'ktctl_0.3.7_checksums.txt';
const ROTATED = baseParts().kubeconfig!.replace('s3cr3t-token', 'rotated-token-0123456789');

let builds = 0;

/** One build: its archives (fresh random bytes), fingerprint, digests and the request with notes. */
async function build(dir: string, parts: FingerprintParts, overrides: Partial<PublishRequest> = {}) {
  const fingerprint = computeFingerprint(parts);
  const digests = buildDigests(parts);
  builds += 1;
  const folder = path.join(dir, `build-${builds}`);
  await mkdir(folder, { recursive: true });
  const archives = await makeArchives(folder, NAMES, fingerprint);
  const request = publishRequest(archives, { body: `ktctl ${parts.version} notes\n${digestsMarker(digests)}\n`, ...overrides });
  return { fingerprint, digests, archives, request };
}

async function publishBuild(client: ReleaseClient, built: { request: PublishRequest; digests: BuildDigests }, log = memoryLog()) {
  return publishSeries(client, built.request, log, { timing: fastTiming, digests: built.digests });
}

test('the stand-in locks a release published while immutable releases are on, as GitHub does', async () => {
  await withServer({}, async (server, dir) => {
    const log = memoryLog();
    const client = clientFor(server, log);
    const repo = `/repos/${server.owner}/${server.repo}`;
    // the switch, as GitHub's API has it (admin only there)
    const check = await fetch(`${server.apiUrl}${repo}/immutable-releases`, { headers: { authorization: 'token write-token' } });
    assert.equal(check.status, 404, 'off: 404');
    const on = await fetch(`${server.apiUrl}${repo}/immutable-releases`, { method: 'PUT', headers: { authorization: 'token write-token' } });
    assert.equal(on.status, 204);
    assert.equal(server.immutableReleases, true);

    const draft = await client.createRelease({ tag: 'v1', name: 'v1', body: '', draft: true, prerelease: false, targetCommitish: SHA });
    assert.equal(draft.immutable, false);
    const [archive] = await makeArchives(dir, ['a.zip'], 'f'.repeat(64));
    const source = { name: 'a.zip', contentType: 'application/zip', path: archive!.path, size: archive!.size };
    // a draft stays fully changeable
    const uploaded = await client.uploadAsset(draft, source);
    const renamed = await client.renameAsset(uploaded.id, 'b.zip');
    await client.deleteAsset(renamed.id);
    const kept = await client.uploadAsset(draft, source);

    const published = await client.updateRelease(draft.id, { draft: false });
    assert.equal(published.immutable, true);
    const refused = async (work: Promise<unknown>, message: string): Promise<void> => {
      await assert.rejects(work, (error: unknown) => {
        assert.ok(error instanceof GitHubError);
        assert.equal(error.status, 422);
        assert.ok(error.reasons.includes(message), `${error.reasons.join(' | ')} should include ${message}`);
        return true;
      });
    };
    await refused(client.uploadAsset(published, { ...source, name: 'c.zip' }), IMMUTABLE_MESSAGES.upload);
    await refused(client.deleteAsset(kept.id), IMMUTABLE_MESSAGES.delete);
    await refused(client.renameAsset(kept.id, 'd.zip'), IMMUTABLE_MESSAGES.rename);
    await refused(client.updateRelease(published.id, { draft: true }), IMMUTABLE_MESSAGES.draft);
    // title, notes and flags stay editable
    const retitled = await client.updateRelease(published.id, { name: 'v1 (final)', body: 'notes' });
    assert.equal(retitled.name, 'v1 (final)');
    assert.deepEqual(
      server.releaseViews('v1')[0]?.assets.map((asset) => asset.name),
      ['a.zip'],
    );
    // the tag is burned, even once the release is gone; turning the switch off changes nothing for it
    await client.deleteRelease(published.id);
    server.immutableReleases = false;
    await refused(
      client.createRelease({ tag: 'v1', name: 'v1', body: '', draft: true, prerelease: false, targetCommitish: SHA }),
      IMMUTABLE_MESSAGES.burnedTag,
    );
    assert.deepEqual(server.violations, []);
  });
});

test('first release on an immutable repository: one draft, completed, published last, without its lock', async () => {
  await withServer({}, async (server, dir) => {
    server.immutableReleases = true;
    const log = memoryLog();
    const first = await build(dir, baseParts());
    const result = await publishBuild(clientFor(server, log), first, log);
    assert.equal(result.tag, 'v0.3.7');
    assert.equal(result.supersedes, undefined);
    const [release, ...others] = server.releaseViews();
    assert.equal(others.length, 0);
    assert.equal(release?.immutable, true);
    assert.equal(release?.latest, true);
    assert.deepEqual(release?.assets.map((asset) => asset.name).sort(), [...NAMES, BUILD_INFO_NAME, CHECKSUMS].sort());
    assert.deepEqual(
      server.events.map((event) => event.assets.length),
      [4],
      'published once, complete, no working copies or lock',
    );
    assert.deepEqual(server.calls('repos/upload-release-asset', 422), []);
    assert.deepEqual(server.calls('repos/delete-release-asset', 422), [], 'the lock was not left to delete after publishing');
    assert.equal(server.tagRef('v0.3.7'), SHA);
    assert.deepEqual(server.violations, []);
  });
});

test('rotation: a new kubeconfig publishes <tag>-build.2, superseding the immutable release, which stays as it was', async () => {
  await withServer({}, async (server, dir) => {
    server.immutableReleases = true;
    const log = memoryLog();
    const client = clientFor(server, log);
    await publishBuild(client, await build(dir, baseParts()), log);
    const before = server.releaseViews('v0.3.7')[0]!;
    const requestsBefore = server.requests.length;

    const rotated = await build(dir, baseParts({ kubeconfig: ROTATED }));
    const result = await publishBuild(client, rotated, log);
    assert.equal(result.tag, 'v0.3.7-build.2');
    assert.equal(result.supersedes, 'v0.3.7');
    const after = server.releaseViews('v0.3.7')[0]!;
    assert.deepEqual(after, { ...before, latest: false }, 'the old release is untouched; only the latest flag moved');
    const next = server.releaseViews('v0.3.7-build.2')[0]!;
    assert.equal(next.immutable, true);
    assert.equal(next.latest, true, 'latest moves to the rebuild, as the old one was latest');
    assert.equal(next.targetCommitish, SHA);
    assert.equal(server.tagRef('v0.3.7'), SHA, 'the old tag is not moved');
    assert.equal(server.tagRef('v0.3.7-build.2'), SHA);
    assert.match(next.body ?? '', /^This release supersedes `v0\.3\.7` \(http[^)]+\), rebuilt for rotated credentials \(a new kubeconfig or kt config\)\./);
    assert.ok(!(next.body ?? '').includes('rotated-token') && !(next.body ?? '').includes('s3cr3t'), 'no config text in the notes');
    const info = parseBuildInfo(next.assets.find((asset) => asset.name === BUILD_INFO_NAME)?.text);
    for (const file of rotated.archives) assert.equal(info.get(file.name)?.fingerprint, rotated.fingerprint);
    // nothing was even tried on the immutable release: no lock, no upload, no rename, no delete
    const touched = server.requests
      .slice(requestsBefore)
      .filter(
        (request) =>
          request.method !== 'GET' &&
          (request.params['release_id'] === String(before.id) || before.assets.some((a) => String(a.id) === request.params['asset_id'])),
      );
    assert.deepEqual(
      touched.map((request) => `${request.method} ${request.path}`),
      [],
    );
    assert.deepEqual(
      server.requests.filter((request) => request.status === 422).map((request) => request.path),
      [],
    );

    // and again: -build.3, superseding -build.2
    const third = await publishBuild(client, await build(dir, baseParts({ kubeconfig: `${ROTATED}# again\n` })), log);
    assert.equal(third.tag, 'v0.3.7-build.3');
    assert.equal(third.supersedes, 'v0.3.7-build.2');
    assert.deepEqual(
      server.releaseViews().map((release) => [release.tag, release.latest]),
      [
        ['v0.3.7', false],
        ['v0.3.7-build.2', false],
        ['v0.3.7-build.3', true],
      ],
    );
    assert.deepEqual(server.violations, []);
  });
});

test('a new upstream under a fixed release-tag says so; a rebuild of a release that is not the latest does not take the latest over', async () => {
  await withServer({}, async (server, dir) => {
    server.immutableReleases = true;
    const log = memoryLog();
    const client = clientFor(server, log);
    await publishBuild(client, await build(dir, baseParts()), log);
    server.seedRelease({ tag: 'other-team-1', body: 'another series' }); // now the latest
    const upstream = await publishBuild(client, await build(dir, baseParts({ upstreamCommit: 'f064f771aa7ba03a0e6bc92f712306e9bcd8a6f5' })), log);
    assert.equal(upstream.tag, 'v0.3.7-build.2');
    const next = server.releaseViews('v0.3.7-build.2')[0]!;
    assert.match(next.body ?? '', /rebuilt for a new upstream: kt-connect 0\.3\.7 \(commit f064f771aa7b\)\./);
    assert.equal(next.latest, false, 'make_latest false: the old release was not the latest');
    assert.equal(server.releaseViews('other-team-1')[0]?.latest, true);
    assert.deepEqual(server.violations, []);
  });
});

test('a run stopped between draft and publish: the next run finishes the draft (same tag), nothing is burned that has no release', async () => {
  await withServer({}, async (server, dir) => {
    server.immutableReleases = true;
    const log = memoryLog();
    const client = clientFor(server, log);
    await publishBuild(client, await build(dir, baseParts()), log);

    // the publishing call never reaches GitHub: the job is gone at that point
    server.inject({ op: 'repos/update-release', times: Infinity, fault: { kind: 'reset' } });
    const stopped = await build(dir, baseParts({ kubeconfig: ROTATED }));
    await assert.rejects(publishBuild(client, stopped, log));
    server.clearFaults();
    const draft = server.releaseViews('v0.3.7-build.2')[0]!;
    assert.equal(draft.draft, true);
    assert.ok(!draft.assets.some((asset) => asset.name.startsWith(TEMP_PREFIX)), 'the lock was released');

    // the next run has a newer build still (another rotation): it replaces the draft's assets and publishes it
    const next = await build(dir, baseParts({ kubeconfig: `${ROTATED}# next\n` }));
    const result = await publishBuild(client, next, log);
    assert.equal(result.tag, 'v0.3.7-build.2', 'the draft is finished, not skipped over');
    const published = server.releaseViews('v0.3.7-build.2');
    assert.equal(published.length, 1);
    assert.equal(published[0]?.draft, false);
    assert.equal(published[0]?.latest, true);
    assert.match(published[0]?.body ?? '', /^This release supersedes `v0\.3\.7`/);
    for (const file of next.archives) assert.equal(published[0]?.assets.find((asset) => asset.name === file.name)?.sha256, file.sha256);
    // every burned tag has its published release
    for (const tag of server.burnedTags) assert.equal(server.releaseViews(tag).filter((release) => !release.draft).length, 1, tag);
    assert.deepEqual([...server.burnedTags].sort(), ['v0.3.7', 'v0.3.7-build.2']);
    assert.deepEqual(server.violations, []);
  });
});

test('a lock that cannot be removed keeps the release a draft: it is never published with the lock in it', async () => {
  await withServer({}, async (server, dir) => {
    server.immutableReleases = true;
    const log = memoryLog();
    const client = clientFor(server, log);
    server.inject({ op: 'repos/delete-release-asset', times: Infinity, fault: { kind: 'status', status: 500 } });
    const first = await build(dir, baseParts());
    await assert.rejects(publishBuild(client, first, log), /Could not remove the lock .* the draft is left for the next run/);
    server.clearFaults();
    assert.equal(server.events.length, 0, 'not published');
    assert.equal(server.releaseViews('v0.3.7')[0]?.draft, true);
    // the next run takes over the lock the failed one left, and publishes the draft without it
    const result = await publishSeries(client, first.request, log, { timing: { ...fastTiming, staleMs: 0 }, digests: first.digests });
    assert.equal(result.tag, 'v0.3.7');
    assert.deepEqual(
      server.events.map((event) => event.assets.some((name) => name.startsWith(TEMP_PREFIX))),
      [false],
    );
    assert.deepEqual(server.violations, []);
  });
});

test('a tag burned by a deleted immutable release is skipped for the next number', async () => {
  await withServer({}, async (server, dir) => {
    server.immutableReleases = true;
    const log = memoryLog();
    const client = clientFor(server, log);
    server.seedRelease({ tag: 'v0.3.7', assets: [{ name: NAMES[0]!, data: 'old' }] });
    const gone = server.seedRelease({ tag: 'v0.3.7-build.2' });
    await client.deleteRelease(gone);
    server.deleteTagRef('v0.3.7-build.2'); // someone tidied the tags too: nothing shows the name was used
    const result = await publishBuild(client, await build(dir, baseParts({ kubeconfig: ROTATED })), log);
    assert.equal(result.tag, 'v0.3.7-build.3');
    assert.match(log.text(), /GitHub refuses tag v0\.3\.7-build\.2: an immutable release used it once/);
    assert.equal(server.calls('repos/create-release', 422).length, 1);
    assert.deepEqual(server.violations, []);
  });
});

test('skip-unchanged compares with the newest release of the series, so a run with nothing new still skips', async () => {
  await withServer({}, async (server, dir) => {
    server.immutableReleases = true;
    const log = memoryLog();
    const client = clientFor(server, log);
    await publishBuild(client, await build(dir, baseParts()), log);
    const rotated = await build(dir, baseParts({ kubeconfig: ROTATED }));
    await publishBuild(client, rotated, log);
    const series = await findSeries(client, 'v0.3.7');
    assert.equal(series.newest?.tagName, 'v0.3.7-build.2');
    const query = {
      tag: series.newest!.tagName,
      name: undefined,
      draft: false,
      prerelease: false,
      fingerprint: rotated.fingerprint,
      archiveNames: NAMES,
      checksumsName: CHECKSUMS,
    };
    const check = await checkUnchanged(client, query, log);
    assert.equal(check.unchanged, true);
    // and the same build published again (a re-run) makes no new release
    const again = await publishBuild(client, { ...rotated }, log);
    assert.equal(again.tag, 'v0.3.7-build.2');
    assert.equal(server.releaseViews().length, 2);
    assert.deepEqual(server.violations, []);
  });
});

test('mode: publish on an immutable repository: the collected matrix goes into a new release of the series', async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const store = folderStore();
    const parts = baseParts({ kubeconfig: ROTATED });
    const job = await build(dir, parts);
    const fingerprint = job.fingerprint;
    const assets = job.archives.map((file, index) => ({
      name: file.name,
      path: file.path,
      os: index === 0 ? ('linux' as const) : ('windows' as const),
      arch: 'amd64' as const,
      size: file.size,
      sha256: file.sha256,
    }));
    await uploadBuildArtifact(
      store,
      {
        prefix: 'ktctl-archives',
        build: {
          version: '0.3.7',
          upstream: { tag: 'v0.3.7', commit: parts.upstreamCommit },
          goVersion: '1.19.13',
          checksumsFile: path.join(dir, CHECKSUMS),
          assets,
        },
        fingerprint,
        checksumsName: CHECKSUMS,
        retentionDays: 1,
        serverUrl: 'https://github.com',
        ghes: false,
      },
      memoryLog(),
    );
    const collected = await downloadBuildArtifacts(store, { prefix: 'ktctl-archives', destination: path.join(dir, 'download') }, memoryLog());
    assert.ok(collected);
    await withServer({}, async (server) => {
      server.immutableReleases = true;
      const log = memoryLog();
      const client = clientFor(server, log);
      // the previous release: built from another upstream commit
      await publishBuild(client, await build(dir, baseParts({ upstreamCommit: 'e'.repeat(40) })), log);
      const digests = { upstream: collected.upstream.commit, version: collected.version };
      const request = publishRequest(collected.files, { checksumsName: collected.checksumsName, body: `notes\n${digestsMarker(digests)}\n` });
      const result = await publishSeries(client, request, log, { timing: fastTiming, digests });
      assert.equal(result.tag, 'v0.3.7-build.2');
      const release = server.releaseViews('v0.3.7-build.2')[0]!;
      assert.equal(release.immutable, true);
      assert.match(release.body ?? '', /rebuilt for a new upstream: kt-connect 0\.3\.7 \(commit 4c8e9d2f1a3b\)/);
      assert.deepEqual(release.assets.map((asset) => asset.name).sort(), [...NAMES, BUILD_INFO_NAME, CHECKSUMS].sort());
      // a second publish job (a re-run of the workflow) finds the same build and publishes nothing new
      const rerun = await publishSeries(client, request, log, { timing: fastTiming, digests });
      assert.equal(rerun.tag, 'v0.3.7-build.2');
      assert.equal(server.releaseViews().length, 2);
      assert.deepEqual(server.violations, []);
    });
  } finally {
    await cleanup();
  }
});

test('a repository without immutable releases: rebuilds change the one release in place, as before', async () => {
  await withServer({}, async (server, dir) => {
    const log = memoryLog();
    const client = clientFor(server, log);
    await publishBuild(client, await build(dir, baseParts()), log);
    const rotated = await build(dir, baseParts({ kubeconfig: ROTATED }));
    const result = await publishBuild(client, rotated, log);
    assert.equal(result.tag, 'v0.3.7');
    const releases = server.releaseViews();
    assert.equal(releases.length, 1);
    assert.equal(releases[0]?.immutable, false);
    for (const file of rotated.archives) assert.equal(releases[0]?.assets.find((asset) => asset.name === file.name)?.sha256, file.sha256);
    assert.deepEqual(server.violations, []);
  });
});

/** The Actions artifact service as memory. */
function folderStore(): ArtifactStore {
  const artifacts: Array<{ id: number; name: string; files: Map<string, Buffer> }> = [];
  return {
    upload: async (name, files, root) => {
      const stored = new Map<string, Buffer>();
      for (const file of files) stored.set(path.relative(root, file), await readFile(file));
      artifacts.push({ id: artifacts.length + 1, name, files: stored });
    },
    list: async () => artifacts.map(({ id, name }) => ({ id, name })),
    download: async (id, destination) => {
      const artifact = artifacts.find((item) => item.id === id);
      if (artifact === undefined) throw new Error(`no artifact ${id}`);
      for (const [name, data] of artifact.files) {
        await mkdir(path.dirname(path.join(destination, name)), { recursive: true });
        await writeFile(path.join(destination, name), data);
      }
    },
    delete: async (name) => {
      const index = artifacts.findIndex((artifact) => artifact.name === name);
      if (index >= 0) artifacts.splice(index, 1);
    },
  };
}
