// publishRelease and checkUnchanged, the real code over real HTTP against the local GitHub server.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { computeFingerprint } from '../../src/publish/fingerprint.js';
import { BUILD_INFO_NAME, TEMP_PREFIX } from '../../src/shared/reserved-names.js';
import { checkUnchanged } from '../../src/publish/unchanged.js';
import { checkVisibility, PublicRepositoryError } from '../../src/publish/visibility.js';
import { findRelease } from '../../src/publish/find-release.js';
import { LOCK_NAME } from '../../src/publish/lock.js';
import { MAX_RELEASE_PAGES } from '../../src/publish/github.js';
import { parseBuildInfo, parseChecksums } from '../../src/shared/release-files.js';
import { publishRelease } from '../../src/publish/publish-release.js';
import { withDownloadUrls } from '../../src/publish/request.js';
import { baseParts, clientFor, fastTiming, makeArchives, memoryLog, publishRequest, SHA, sha256Text, withServer } from './helpers.js';

const NAMES = ['ktctl_0.3.7_Linux_x86_64.zip', 'ktctl_0.3.7_Windows_x86_64.zip'];
const CHECKSUMS = 'ktctl_0.3.7_checksums.txt';

test('creates a draft, uploads every archive and the shared files, then publishes', async () => {
  await withServer({}, async (server, dir) => {
    const log = memoryLog();
    const fingerprint = computeFingerprint(baseParts());
    const archives = await makeArchives(dir, NAMES, fingerprint);
    const result = await publishRelease(clientFor(server, log), publishRequest(archives), log, fastTiming);

    const [release, ...others] = server.releaseViews();
    assert.equal(others.length, 0);
    if (release === undefined) throw new Error('no release');
    assert.equal(release.draft, false);
    assert.equal(release.name, 'v0.3.7');
    assert.equal(result.releaseId, release.id);
    assert.equal(result.draft, false);
    assert.match(result.htmlUrl, /\/releases\/tag\/v0\.3\.7$/);
    assert.deepEqual(release.assets.map((asset) => asset.name).sort(), [...NAMES, BUILD_INFO_NAME, CHECKSUMS].sort());
    for (const file of archives) {
      const uploaded: { readonly sha256: string; readonly contentType: string } | undefined = release.assets.find((item) => item.name === file.name);
      assert.equal(uploaded?.sha256, file.sha256, `${file.name} arrived whole`);
      assert.equal(uploaded?.contentType, 'application/zip');
    }
    const checksums = parseChecksums(release.assets.find((asset) => asset.name === CHECKSUMS)?.text ?? '');
    assert.deepEqual(Object.fromEntries(checksums), Object.fromEntries(archives.map((file) => [file.name, file.sha256])));
    const info = parseBuildInfo(release.assets.find((asset) => asset.name === BUILD_INFO_NAME)?.text);
    for (const file of archives) assert.equal(info.get(file.name)?.fingerprint, fingerprint);
    // No secret and no fingerprint input in clear on the release.
    for (const asset of release.assets) assert.ok(!asset.text.includes('s3cr3t-token'));

    // Draft first; published only once everything was in; tag created at GITHUB_SHA.
    const creates = server.calls('repos/create-release');
    assert.equal(creates.length, 1);
    assert.equal(server.events.length, 1);
    // Published with every asset in, and without its lock: with immutable releases on, whatever is
    // on a release when it is published stays for good, so the lock goes just before.
    assert.deepEqual([...(server.events[0]?.assets ?? [])].sort(), [...NAMES, BUILD_INFO_NAME, CHECKSUMS].sort());
    assert.ok(!server.events[0]?.assets.includes(LOCK_NAME));
    assert.equal(server.tagRef('v0.3.7'), SHA);
    const publishIndex = server.requests.findIndex((request) => request.op === 'repos/update-release');
    const lastUpload = server.requests.map((request) => request.op).lastIndexOf('repos/upload-release-asset');
    assert.ok(publishIndex > lastUpload, 'published after the last upload');

    // Final URLs are the published ones, not the draft's untagged-… ones.
    assert.equal(result.assets.length, 4);
    for (const asset of result.assets) assert.match(asset.url, /\/releases\/download\/v0\.3\.7\//);
    const withUrls = withDownloadUrls(archives, result);
    assert.ok(withUrls.every((item) => item.url.endsWith(`/${item.name}`)));
    assert.deepEqual(server.violations, []);
  });
});

test('updates an existing published release: changed archives are replaced without a gap, others stay', async () => {
  await withServer({}, async (server, dir) => {
    const releaseId = server.seedRelease({
      tag: 'v0.3.7',
      name: 'Hand-made name',
      assets: [
        { name: NAMES[0] ?? '', data: 'old build' },
        { name: 'NOTES.txt', data: 'kept by hand' },
      ],
    });
    const log = memoryLog();
    const archives = await makeArchives(dir, NAMES, computeFingerprint(baseParts()));
    const result = await publishRelease(clientFor(server, log), publishRequest(archives), log, fastTiming);
    assert.equal(result.releaseId, releaseId);
    const [release] = server.releaseViews();
    assert.ok(release);
    assert.equal(release.name, 'Hand-made name', 'an existing name is kept without release-name');
    assert.equal(release.assets.find((asset) => asset.name === NAMES[0])?.sha256, archives[0]?.sha256);
    assert.equal(release.assets.find((asset) => asset.name === 'NOTES.txt')?.text, 'kept by hand');
    assert.ok(!release.assets.some((asset) => asset.name.startsWith(TEMP_PREFIX)), 'no temporary asset left');
    // A published asset is swapped: upload under a temporary name, then a rename.
    assert.equal(server.calls('repos/update-release-asset', 200).length >= 1, true);
    const checksums = parseChecksums(release.assets.find((asset) => asset.name === CHECKSUMS)?.text ?? '');
    assert.equal(checksums.get('NOTES.txt'), sha256Text('kept by hand'));
    assert.equal(checksums.get(NAMES[1] ?? ''), archives[1]?.sha256);
    assert.match(log.text(), /Replaced ktctl_0\.3\.7_Linux_x86_64\.zip/);
    assert.deepEqual(server.violations, []);
  });
});

test('overwrite: false keeps an asset of the same name', async () => {
  await withServer({}, async (server, dir) => {
    server.seedRelease({ tag: 'v0.3.7', assets: [{ name: NAMES[0] ?? '', data: 'their build' }] });
    const log = memoryLog();
    const archives = await makeArchives(dir, NAMES, computeFingerprint(baseParts()));
    const result = await publishRelease(clientFor(server, log), publishRequest(archives, { overwrite: false }), log, fastTiming);
    const [release] = server.releaseViews();
    assert.equal(release?.assets.find((asset) => asset.name === NAMES[0])?.text, 'their build');
    assert.equal(release?.assets.find((asset) => asset.name === NAMES[1])?.sha256, archives[1]?.sha256);
    assert.match(log.text(), /Kept the existing \(overwrite: false\) ktctl_0\.3\.7_Linux_x86_64\.zip/);
    // The checksums file tells the truth about what is there.
    const checksums = parseChecksums(release?.assets.find((asset) => asset.name === CHECKSUMS)?.text ?? '');
    assert.equal(checksums.get(NAMES[0] ?? ''), sha256Text('their build'));
    // And build-info does not claim our fingerprint for their archive.
    const info = parseBuildInfo(release?.assets.find((asset) => asset.name === BUILD_INFO_NAME)?.text);
    assert.equal(info.get(NAMES[0] ?? '')?.fingerprint, undefined);
    assert.ok(result.assets.some((asset) => asset.name === NAMES[0]));
  });
});

test('identical archives are not uploaded twice (a re-run)', async () => {
  await withServer({}, async (server, dir) => {
    const log = memoryLog();
    const client = clientFor(server, log);
    const archives = await makeArchives(dir, NAMES, computeFingerprint(baseParts()));
    await publishRelease(client, publishRequest(archives), log, fastTiming);
    // Every run uploads its lock (lock.ts); nothing else.
    const assetUploads = (): number => server.calls('repos/upload-release-asset').filter((request) => request.query.get('name') !== LOCK_NAME).length;
    const uploadsBefore = assetUploads();
    await publishRelease(client, publishRequest(archives), log, fastTiming);
    assert.equal(assetUploads(), uploadsBefore, 'nothing uploaded again');
    assert.equal(server.releaseViews().length, 1);
  });
});

test('skip-unchanged: the same fingerprint with every asset is unchanged; a changed secret or upstream tag rebuilds', async () => {
  await withServer({}, async (server, dir) => {
    const log = memoryLog();
    const client = clientFor(server, log);
    const query = (fingerprint: string, archiveNames: readonly string[] = NAMES) => ({
      tag: 'v0.3.7',
      name: undefined,
      draft: false,
      prerelease: false,
      fingerprint,
      archiveNames,
      checksumsName: CHECKSUMS,
    });
    const fingerprint = computeFingerprint(baseParts());
    const before = await checkUnchanged(client, query(fingerprint), log);
    assert.equal(before.unchanged, false);
    assert.match(before.unchanged ? '' : before.reason, /no release v0\.3\.7/);

    const archives = await makeArchives(dir, NAMES, fingerprint);
    await publishRelease(client, publishRequest(archives), log, fastTiming);

    const writesBefore = server.requests.filter((request) => request.method !== 'GET').length;
    const same = await checkUnchanged(client, query(fingerprint), log);
    assert.equal(same.unchanged, true);
    assert.equal(server.requests.filter((request) => request.method !== 'GET').length, writesBefore, 'the check wrote nothing');
    if (same.unchanged) {
      assert.deepEqual(
        same.result.assets.map((asset) => asset.name),
        [...NAMES, CHECKSUMS, BUILD_INFO_NAME],
      );
      assert.ok(same.result.assets.every((asset) => asset.url.includes('/releases/download/v0.3.7/')));
    }

    // A changed kubeconfig changes the fingerprint: rebuild.
    const rotated = computeFingerprint(baseParts({ kubeconfig: 'apiVersion: v1\nkind: Config\nusers:\n- name: ci\n  user: {token: rotated}\n' }));
    assert.notEqual(rotated, fingerprint);
    const changed = await checkUnchanged(client, query(rotated), log);
    assert.equal(changed.unchanged, false);
    assert.match(changed.unchanged ? '' : changed.reason, /fingerprint changed/);

    // Publishing the rebuild records the new fingerprint; now it is unchanged again.
    const rebuilt = await makeArchives(dir, NAMES, rotated);
    await publishRelease(client, publishRequest(rebuilt), log, fastTiming);
    assert.equal((await checkUnchanged(client, query(rotated), log)).unchanged, true);
    assert.equal((await checkUnchanged(client, query(fingerprint), log)).unchanged, false);

    // A new upstream tag: new commit, new version, new names and a new release tag.
    const next = computeFingerprint(baseParts({ upstreamCommit: 'f'.repeat(40), version: '0.3.8' }));
    const nextCheck = await checkUnchanged(client, { ...query(next, ['ktctl_0.3.8_Linux_x86_64.zip']), tag: 'v0.3.8' }, log);
    assert.equal(nextCheck.unchanged, false);

    // A missing asset is not unchanged either.
    const release = server.releaseViews()[0];
    const checksums = release?.assets.find((asset) => asset.name === CHECKSUMS);
    assert.ok(checksums);
    await client.deleteAsset(checksums.id);
    const lacking = await checkUnchanged(client, query(rotated), log);
    assert.equal(lacking.unchanged, false);
    assert.match(lacking.unchanged ? '' : lacking.reason, /lacks ktctl_0\.3\.7_checksums\.txt/);
    assert.deepEqual(server.violations, []);
  });
});

test('skip-unchanged brings prerelease and name in line without a rebuild', async () => {
  await withServer({}, async (server, dir) => {
    const log = memoryLog();
    const client = clientFor(server, log);
    const fingerprint = computeFingerprint(baseParts());
    await publishRelease(client, publishRequest(await makeArchives(dir, NAMES, fingerprint)), log, fastTiming);
    const check = await checkUnchanged(
      client,
      { tag: 'v0.3.7', name: 'ktctl for prod', draft: false, prerelease: true, fingerprint, archiveNames: NAMES, checksumsName: CHECKSUMS },
      log,
    );
    assert.equal(check.unchanged, true);
    assert.equal(server.releaseViews()[0]?.prerelease, true);
    assert.equal(server.releaseViews()[0]?.name, 'ktctl for prod');
  });
});

test('an unfinished draft is not unchanged', async () => {
  await withServer({}, async (server, dir) => {
    const log = memoryLog();
    const client = clientFor(server, log);
    const fingerprint = computeFingerprint(baseParts());
    await publishRelease(client, publishRequest(await makeArchives(dir, NAMES, fingerprint), { draft: true }), log, fastTiming);
    const query = { tag: 'v0.3.7', name: undefined, prerelease: false, fingerprint, archiveNames: NAMES, checksumsName: CHECKSUMS };
    assert.equal((await checkUnchanged(client, { ...query, draft: true }, log)).unchanged, true);
    const publishing = await checkUnchanged(client, { ...query, draft: false }, log);
    assert.equal(publishing.unchanged, false);
    assert.match(publishing.unchanged ? '' : publishing.reason, /still a draft/);
  });
});

test('draft: true leaves the release a draft, with no tag', async () => {
  await withServer({}, async (server, dir) => {
    const log = memoryLog();
    const archives = await makeArchives(dir, NAMES, computeFingerprint(baseParts()));
    const result = await publishRelease(clientFor(server, log), publishRequest(archives, { draft: true, prerelease: true, name: 'Nightly' }), log, fastTiming);
    assert.equal(result.draft, true);
    const [release] = server.releaseViews();
    assert.equal(release?.draft, true);
    assert.equal(release?.prerelease, true);
    assert.equal(release?.name, 'Nightly');
    assert.equal(release?.assets.length, 4);
    assert.equal(server.events.length, 0);
    assert.equal(server.tagRef('v0.3.7'), undefined);
  });
});

test('a failure mid-way leaves a draft, never a published release', async () => {
  await withServer({}, async (server, dir) => {
    server.inject({
      op: 'repos/upload-release-asset',
      when: (request) => request.query.get('name') === NAMES[1],
      times: Infinity,
      fault: { kind: 'status', status: 502, message: 'Bad Gateway' },
    });
    const log = memoryLog();
    const archives = await makeArchives(dir, NAMES, computeFingerprint(baseParts()));
    await assert.rejects(publishRelease(clientFor(server, log), publishRequest(archives), log, fastTiming), (error: Error) => {
      assert.match(error.message, /did not manage to upload ktctl_0\.3\.7_Windows_x86_64\.zip after 4 retries \(502/);
      return true;
    });
    const [release, ...others] = server.releaseViews();
    assert.equal(others.length, 0);
    assert.equal(release?.draft, true, 'still a draft');
    assert.equal(server.events.length, 0, 'never published');
    assert.equal(server.tagRef('v0.3.7'), undefined, 'no tag created');
    assert.equal(server.calls('repos/upload-release-asset', 502).length, 5, 'one try and four retries');

    // The next run picks the draft up and finishes it.
    server.clearFaults();
    const result = await publishRelease(clientFor(server, log), publishRequest(archives), log, fastTiming);
    assert.equal(result.releaseId, release?.id);
    assert.equal(server.releaseViews()[0]?.draft, false);
  });
});

test('a read-only token gets an error naming permissions: contents: write', async () => {
  await withServer({}, async (server, dir) => {
    const log = memoryLog();
    const archives = await makeArchives(dir, NAMES, computeFingerprint(baseParts()));
    await assert.rejects(publishRelease(clientFor(server, log, 'read-token'), publishRequest(archives), log, fastTiming), (error: Error) => {
      assert.match(error.message, /403 Resource not accessible by integration/);
      assert.match(error.message, /permissions: contents: write/);
      return true;
    });
    // Also when the release exists and the first write is an upload.
    server.seedRelease({ tag: 'v0.3.7' });
    await assert.rejects(
      publishRelease(clientFor(server, log, 'read-token'), publishRequest(archives), log, fastTiming),
      /upload .*permissions: contents: write/s,
    );
    assert.equal(server.releaseViews()[0]?.assets.length, 0);
  });
});

test('a bad token says to check github-token', async () => {
  await withServer({}, async (server, dir) => {
    const log = memoryLog();
    const archives = await makeArchives(dir, NAMES, 'f'.repeat(64));
    await assert.rejects(publishRelease(clientFor(server, log, 'nonsense'), publishRequest(archives), log, fastTiming), /401 Bad credentials.*github-token/);
  });
});

test('a public repository is refused unless allow-public, and the error says why', async () => {
  await withServer({ visibility: 'public' }, async (server) => {
    const log = memoryLog();
    const client = clientFor(server, log, 'read-token');
    await assert.rejects(checkVisibility(client, false, log), (error: Error) => {
      assert.ok(error instanceof PublicRepositoryError);
      assert.match(error.message, /octo-org\/ktctl-dist: it is a public repository/);
      assert.match(error.message, /kubeconfig/);
      assert.match(error.message, /allow-public: true/);
      return true;
    });
    const allowed = await checkVisibility(client, true, log);
    assert.equal(allowed.visibility, 'public');
    assert.match(log.warnings.join('\n'), /public and allow-public is true/);

    server.visibility = 'private';
    assert.equal((await checkVisibility(client, false, log)).visibility, 'private');
    server.visibility = 'internal';
    assert.equal((await checkVisibility(client, false, log)).visibility, 'internal');
    assert.match(log.infos.join('\n'), /internal/);
    assert.deepEqual(server.violations, [], 'the repository answers match full-repository');
  });
});

test('GHES: everything follows GITHUB_API_URL (/api/v3) and upload_url (/api/uploads)', async () => {
  await withServer({ ghes: true }, async (server, dir) => {
    assert.match(server.apiUrl, /\/api\/v3$/);
    const log = memoryLog();
    const archives = await makeArchives(dir, NAMES, computeFingerprint(baseParts()));
    const result = await publishRelease(clientFor(server, log), publishRequest(archives), log, fastTiming);
    assert.equal(result.draft, false);
    assert.ok(server.requests.every((request) => request.path.startsWith(request.host === 'api' ? '/api/v3/' : '/api/uploads/')));
    assert.ok(server.calls('repos/upload-release-asset', 201).every((request) => request.host === 'uploads'));
    assert.deepEqual(server.violations, []);
  });
});

test('older GHES without asset digests: checksums are still complete and right', async () => {
  await withServer({ digests: false }, async (server, dir) => {
    const log = memoryLog();
    const first = await makeArchives(dir, [NAMES[0] ?? ''], 'a'.repeat(64));
    const second = await makeArchives(dir, [NAMES[1] ?? ''], 'b'.repeat(64));
    await publishRelease(clientFor(server, log), publishRequest(first), log, fastTiming);
    await publishRelease(clientFor(server, log), publishRequest(second), log, fastTiming);
    const [release] = server.releaseViews();
    const checksums = parseChecksums(release?.assets.find((asset) => asset.name === CHECKSUMS)?.text ?? '');
    assert.equal(checksums.get(NAMES[0] ?? ''), first[0]?.sha256);
    assert.equal(checksums.get(NAMES[1] ?? ''), second[0]?.sha256);
    const info = parseBuildInfo(release?.assets.find((asset) => asset.name === BUILD_INFO_NAME)?.text);
    assert.equal(info.get(NAMES[0] ?? '')?.fingerprint, 'a'.repeat(64));
    assert.equal(info.get(NAMES[1] ?? '')?.fingerprint, 'b'.repeat(64));
  });
});

test('an immutable release is refused with a clear message', async () => {
  await withServer({}, async (server, dir) => {
    server.seedRelease({ tag: 'v0.3.7', immutable: true });
    const log = memoryLog();
    const archives = await makeArchives(dir, NAMES, 'f'.repeat(64));
    await assert.rejects(publishRelease(clientFor(server, log), publishRequest(archives), log, fastTiming), /immutable.*choose another release-tag/);
  });
});

test('a broken upload left by an earlier run (state open) is replaced', async () => {
  await withServer({}, async (server, dir) => {
    const releaseId = server.seedRelease({ tag: 'v0.3.7', draft: true });
    server.addAsset(releaseId, NAMES[0] ?? '', 'half', 'open');
    const log = memoryLog();
    const archives = await makeArchives(dir, NAMES, 'f'.repeat(64));
    await publishRelease(clientFor(server, log), publishRequest(archives, { overwrite: false }), log, fastTiming);
    const [release] = server.releaseViews();
    assert.equal(release?.assets.find((asset) => asset.name === NAMES[0])?.sha256, archives[0]?.sha256);
    assert.equal(release?.draft, false);
  });
});

test('bad requests fail before touching GitHub', async () => {
  await withServer({}, async (server, dir) => {
    const log = memoryLog();
    const client = clientFor(server, log);
    await assert.rejects(publishRelease(client, publishRequest([]), log, fastTiming), /Nothing to publish/);
    const [archive] = await makeArchives(dir, [NAMES[0] ?? ''], 'f'.repeat(64));
    assert.ok(archive);
    await assert.rejects(publishRelease(client, publishRequest([archive, archive]), log, fastTiming), /Two archives/);
    await assert.rejects(publishRelease(client, publishRequest([{ ...archive, name: BUILD_INFO_NAME }]), log, fastTiming), /may not be named/);
    assert.equal(server.requests.length, 0);
  });
});

test('release lookups are bounded: drafts come first, so one page finds them however many releases there are', async () => {
  await withServer({}, async (server) => {
    for (let index = 0; index < 250; index++) server.seedRelease({ tag: `v0.0.${index}` });
    const draftId = server.seedRelease({ tag: 'v0.3.7', draft: true });
    const log = memoryLog();
    const client = clientFor(server, log);
    assert.equal((await findRelease(client, 'v0.3.7'))?.id, draftId);
    assert.equal(server.calls('repos/list-releases').length, 1, 'one page of 100 of 251 releases');
    assert.equal(await findRelease(client, 'v9.9.9'), undefined);
    assert.equal(server.calls('repos/list-releases').length, 2, 'no release for the tag: still one page');
    // Hundreds of drafts: at most MAX_RELEASE_PAGES pages.
    for (let index = 0; index < 350; index++) server.seedRelease({ tag: `nightly-${index}`, draft: true });
    assert.equal(await findRelease(client, 'v9.9.8'), undefined);
    assert.equal(server.calls('repos/list-releases').length, 2 + MAX_RELEASE_PAGES);
    // A published release is found by its tag whatever the list holds.
    assert.equal((await findRelease(client, 'v0.0.0'))?.tagName, 'v0.0.0');
    assert.deepEqual(server.violations, []);
  });
});
