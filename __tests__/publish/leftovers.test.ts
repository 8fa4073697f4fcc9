// Everything an interrupted run of the action can leave on a release is repaired or removed by the
// next run, and a lock that is still being uploaded is never taken for a dead one. The names come
// from the three modules that write to a release:
// - lock.ts: `ktctl-tmp-lock`, finished or not (an upload cut off), fresh or stale;
// - replace.ts: `ktctl-tmp-<run>-new-<name>` (staged), `-mid-<shared>` (interim shared files),
//   `-old-<name>` (set aside by the swap), for archives and shared files alike; and, since a
//   rename can act on whatever holds a name, `-old-` of one of the action's own names;
// - put-assets.ts: uploads under final names that never finished (archives, checksums, build-info).
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { BUILD_INFO_NAME, TEMP_PREFIX } from '../../src/shared/reserved-names.js';
import { ConcurrentPublishError, LOCK_NAME } from '../../src/publish/lock.js';
import { parseBuildInfo, parseChecksums } from '../../src/shared/release-files.js';
import { publishRelease } from '../../src/publish/publish-release.js';
import { renderBuildInfo, renderChecksums } from '../../src/shared/release-files.js';
import type { GitHubServer } from '../support/github-server.js';
import { clientFor, fastTiming, makeArchives, memoryLog, publishRequest, withServer } from './helpers.js';
import type { ReleaseFile } from '../../src/model.js';

const CHECKSUMS = 'ktctl_0.3.7_checksums.txt';
const LINUX = 'ktctl_0.3.7_Linux_x86_64.zip';
const WINDOWS = 'ktctl_0.3.7_Windows_x86_64.zip';
const DARWIN = 'ktctl_0.3.7_Darwin_arm64.zip';
const LINUX_ARM = 'ktctl_0.3.7_Linux_arm64.zip';
const RUN = `${TEMP_PREFIX}0badc0de`;

/** The release holds exactly `names` (plus the shared files), and its checksums file and build-info.json match every asset. */
function assertWhole(server: GitHubServer, names: readonly string[]): void {
  const [release, ...others] = server.releaseViews('v0.3.7');
  assert.equal(others.length, 0);
  assert.ok(release);
  assert.deepEqual(release.assets.map((asset) => asset.name).sort(), [...names, CHECKSUMS, BUILD_INFO_NAME].sort());
  const checksums = parseChecksums(release.assets.find((asset) => asset.name === CHECKSUMS)?.text ?? '');
  const info = parseBuildInfo(release.assets.find((asset) => asset.name === BUILD_INFO_NAME)?.text);
  assert.deepEqual([...checksums.keys()].sort(), [...names].sort());
  for (const name of names) {
    const sha: string | undefined = release.assets.find((asset) => asset.name === name)?.sha256;
    assert.equal(checksums.get(name), sha, `${name} matches its checksums line`);
    assert.equal(info.get(name)?.sha256, sha, `${name} matches build-info.json`);
  }
}

async function seedPublished(server: GitHubServer, files: readonly ReleaseFile[]): Promise<number> {
  const entries = new Map(files.map((file) => [file.name, { sha256: file.sha256, fingerprint: file.fingerprint }]));
  return server.seedRelease({
    tag: 'v0.3.7',
    assets: [
      ...(await Promise.all(files.map(async (file) => ({ name: file.name, data: await readFile(file.path) })))),
      { name: CHECKSUMS, data: renderChecksums(entries) },
      { name: BUILD_INFO_NAME, data: renderBuildInfo(entries) },
    ],
  });
}

test('every name an interrupted run can leave is repaired or removed by the next run, and later runs go on', async () => {
  await withServer({}, async (server, dir) => {
    const old = await makeArchives(dir, [LINUX, WINDOWS, DARWIN, LINUX_ARM], 'a'.repeat(64));
    const releaseId = await seedPublished(
      server,
      old.filter((file) => file.name === LINUX || file.name === WINDOWS),
    );
    const data = async (name: string): Promise<Buffer> => readFile(old.find((file) => file.name === name)?.path ?? '');
    // replace.ts: a set-aside archive whose name is missing (restored), one whose name is taken (removed),
    // one whose name an unfinished upload blocks (the upload goes, the archive comes back)
    server.addAsset(releaseId, `${RUN}-old-${DARWIN}`, await data(DARWIN));
    server.addAsset(releaseId, `${RUN}-old-${WINDOWS}`, 'an older windows build');
    server.addAsset(releaseId, `${RUN}-old-${LINUX_ARM}`, await data(LINUX_ARM));
    server.addAsset(releaseId, LINUX_ARM, 'half an upl', 'open');
    // replace.ts: staged and interim copies, finished or not, and set-aside shared files
    server.addAsset(releaseId, `${RUN}-new-${LINUX}`, 'a new build never swapped in');
    server.addAsset(releaseId, `${RUN}-new-${WINDOWS}`, 'half', 'open');
    server.addAsset(releaseId, `${RUN}-mid-${CHECKSUMS}`, 'interim');
    server.addAsset(releaseId, `${RUN}-old-${CHECKSUMS}`, 'an old checksums file');
    server.addAsset(releaseId, `${RUN}-old-${BUILD_INFO_NAME}`, '{}');
    // a set-aside copy of the action's own working names: restoring it would take the lock's name (422 on every run)
    server.addAsset(releaseId, `${RUN}-old-${LOCK_NAME}`, 'a lock set aside');
    server.addAsset(releaseId, `${TEMP_PREFIX}00000000-old-${TEMP_PREFIX}0badc0de-new-${LINUX}`, 'nested');
    server.addAsset(releaseId, `${TEMP_PREFIX}something-else`, 'unknown working copy');

    const next = await makeArchives(dir, [LINUX], 'b'.repeat(64));
    const log = memoryLog();
    const client = clientFor(server, log);
    await publishRelease(client, publishRequest(next), log, fastTiming);
    assertWhole(server, [LINUX, WINDOWS, DARWIN, LINUX_ARM]);
    const [release] = server.releaseViews('v0.3.7');
    assert.equal(release?.assets.find((asset) => asset.name === DARWIN)?.sha256, old.find((file) => file.name === DARWIN)?.sha256, 'put back as it was');
    assert.equal(release?.assets.find((asset) => asset.name === LINUX_ARM)?.sha256, old.find((file) => file.name === LINUX_ARM)?.sha256);
    assert.equal(release?.assets.find((asset) => asset.name === LINUX)?.sha256, next[0]?.sha256);
    assert.match(log.text(), /Removing ktctl-tmp-0badc0de-old-ktctl-tmp-lock, left over by an interrupted run/);
    assert.deepEqual(server.violations, []);

    // and the runs after it are ordinary runs
    const again = await makeArchives(dir, [WINDOWS], 'c'.repeat(64));
    await publishRelease(client, publishRequest(again), log, fastTiming);
    assertWhole(server, [LINUX, WINDOWS, DARWIN, LINUX_ARM]);
  });
});

test('a stray …-old-ktctl-tmp-lock alone no longer fails every later run with a 422 rename', async () => {
  await withServer({}, async (server, dir) => {
    const old = await makeArchives(dir, [LINUX], 'a'.repeat(64));
    const releaseId = await seedPublished(server, old);
    server.addAsset(releaseId, `${TEMP_PREFIX}1234abcd-old-${LOCK_NAME}`, 'ktctl-customize is publishing to this release');
    for (const fingerprint of ['b', 'c']) {
      const log = memoryLog();
      await publishRelease(clientFor(server, log), publishRequest(await makeArchives(dir, [LINUX], fingerprint.repeat(64))), log, fastTiming);
    }
    assertWhole(server, [LINUX]);
  });
});

test('a lock still being uploaded (not yet uploaded, seconds old) is held: a waiter waits and never deletes it', async () => {
  await withServer({}, async (server, dir) => {
    const old = await makeArchives(dir, [LINUX], 'a'.repeat(64));
    const releaseId = await seedPublished(server, old);
    const lockId = server.addAsset(releaseId, LOCK_NAME, 'ktctl-customize is publishing', 'open');
    const next = await makeArchives(dir, [WINDOWS], 'b'.repeat(64));
    const log = memoryLog();
    await assert.rejects(
      publishRelease(clientFor(server, log), publishRequest(next), log, { ...fastTiming, waitMs: 300 }),
      (error: unknown) => error instanceof ConcurrentPublishError && /holds the asset ktctl-tmp-lock/.test(error.message),
    );
    const assets = server.releaseViews('v0.3.7')[0]?.assets ?? [];
    assert.ok(
      assets.some((asset) => asset.id === lockId),
      'the other job’s lock is still there',
    );
    assert.ok(!assets.some((asset) => asset.name === WINDOWS), 'and nothing was written without it');
    assert.doesNotMatch(log.text(), /Removing ktctl-tmp-lock/);

    // once its holder is done (here: its upload finishes and it lets go), the waiter goes on
    const waiter = publishRelease(clientFor(server, log), publishRequest(next), log, { ...fastTiming, waitMs: 60_000 });
    setTimeout(() => void clientFor(server, memoryLog()).deleteAsset(lockId), 200);
    await waiter;
    assertWhole(server, [LINUX, WINDOWS]);
  });
});

test('an unfinished lock is removed once stale, or once this job has watched it stay unfinished (a cut-off upload, maybe its own)', async () => {
  await withServer({}, async (server, dir) => {
    const old = await makeArchives(dir, [LINUX], 'a'.repeat(64));
    const releaseId = await seedPublished(server, old);
    server.addAsset(releaseId, LOCK_NAME, 'cut off', 'open');
    const log = memoryLog();
    await publishRelease(clientFor(server, log), publishRequest(await makeArchives(dir, [WINDOWS], 'b'.repeat(64))), log, { ...fastTiming, staleMs: 0 });
    assert.match(log.text(), /Removing ktctl-tmp-lock \(taken [^)]*\), left by a job/);

    server.addAsset(releaseId, LOCK_NAME, 'cut off', 'open');
    const watcher = memoryLog();
    const started = Date.now();
    await publishRelease(clientFor(server, watcher), publishRequest(await makeArchives(dir, [DARWIN], 'c'.repeat(64))), watcher, {
      ...fastTiming,
      unfinishedMs: 250,
    });
    assert.ok(Date.now() - started >= 250, 'it waited before it removed the lock');
    assert.match(watcher.text(), /Removing ktctl-tmp-lock \(taken .*, an upload that never finished\)/);
    assertWhole(server, [LINUX, WINDOWS, DARWIN]);
  });
});
