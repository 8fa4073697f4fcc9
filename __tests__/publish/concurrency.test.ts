// Eight `mode: all` jobs publishing to one tag at once take turns through the release's lock
// (src/publish/lock.ts) and must end with one release holding every asset: no duplicate drafts,
// no clobbered checksums, no temporary assets left behind. A job that cannot get the lock in time
// fails with an error pointing at the matrix workflow.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { computeFingerprint } from '../../src/publish/fingerprint.js';
import { BUILD_INFO_NAME, TEMP_PREFIX } from '../../src/shared/reserved-names.js';
import { checkUnchanged } from '../../src/publish/unchanged.js';
import { LOCK_NAME } from '../../src/publish/lock.js';
import { parseBuildInfo, parseChecksums } from '../../src/shared/release-files.js';
import { publishRelease } from '../../src/publish/publish-release.js';
import { SUPPORTED_TARGETS } from '../../src/plan/targets.js';
import type { GitHubServer, GitHubServerOptions } from '../support/github-server.js';
import { baseParts, clientFor, fastTiming, makeArchives, memoryLog, publishRequest, withServer } from './helpers.js';
import type { ReleaseFile } from '../../src/model.js';
import { allOnly } from '../support/test-scope.js';

const CHECKSUMS = 'ktctl_0.3.7_checksums.txt';

interface Job {
  readonly name: string;
  readonly fingerprint: string;
  readonly archives: ReleaseFile[];
}

/** One job per supported target, as an eight-way matrix would run them. */
async function matrix(dir: string, kubeconfig = 'apiVersion: v1\nkind: Config\n# first\n'): Promise<Job[]> {
  const jobs: Job[] = [];
  for (const target of SUPPORTED_TARGETS) {
    const fingerprint = computeFingerprint(baseParts({ targets: [target], kubeconfig }));
    const name = `ktctl_0.3.7_${target.os}_${target.arch}.${target.os === 'windows' ? 'zip' : 'tar.gz'}`;
    jobs.push({ name, fingerprint, archives: await makeArchives(dir, [name], fingerprint) });
  }
  return jobs;
}

async function runAll(server: GitHubServer, jobs: readonly Job[]): Promise<void> {
  const results = await Promise.allSettled(
    jobs.map(async (job) => {
      const log = memoryLog();
      return publishRelease(clientFor(server, log), publishRequest(job.archives), log, fastTiming);
    }),
  );
  for (const result of results) {
    if (result.status === 'rejected') throw result.reason;
  }
}

function assertWhole(server: GitHubServer, jobs: readonly Job[]): void {
  const releases = server.releaseViews();
  assert.equal(releases.length, 1, `exactly one release, got ${releases.map((release) => `${release.id}${release.draft ? ' (draft)' : ''}`).join(', ')}`);
  const [release] = releases;
  assert.equal(release?.draft, false);
  const names = release?.assets.map((asset) => asset.name).sort();
  assert.deepEqual(names, [...jobs.map((job) => job.name), CHECKSUMS, BUILD_INFO_NAME].sort());
  assert.ok(!release?.assets.some((asset) => asset.name.startsWith(TEMP_PREFIX)));
  const checksums = parseChecksums(release?.assets.find((asset) => asset.name === CHECKSUMS)?.text ?? '');
  const info = parseBuildInfo(release?.assets.find((asset) => asset.name === BUILD_INFO_NAME)?.text);
  for (const job of jobs) {
    const archive = job.archives[0];
    assert.equal(release?.assets.find((asset) => asset.name === job.name)?.sha256, archive?.sha256, `${job.name} is this job's build`);
    assert.equal(checksums.get(job.name), archive?.sha256, `checksum line for ${job.name}`);
    assert.equal(info.get(job.name)?.sha256, archive?.sha256);
  }
  assert.equal(checksums.size, jobs.length, 'nothing but the archives in the checksums file');
  assert.deepEqual(server.violations, []);
}

const jittery: GitHubServerOptions = { latency: () => Math.floor(Math.random() * 6) };

for (const round of [1, 2]) {
  test(
    `eight concurrent publishers to one tag end with one release holding every asset (round ${round})`,
    round > 1 ? allOnly('round 1 (a second round looks for a race again)') : {},
    async () => {
      await withServer(jittery, async (server, dir) => {
        const jobs = await matrix(dir);
        await runAll(server, jobs);
        assertWhole(server, jobs);
        // Every job that created a draft but was not first removed its own.
        const created = server.calls('repos/create-release', 201).length;
        assert.ok(created >= 1);
        assert.equal(server.calls('repos/delete-release', 204).length, created - 1, 'duplicate drafts removed');
        // Each job's fingerprint was recorded, so a scheduled re-run of the matrix skips every job.
        const log = memoryLog();
        for (const job of jobs) {
          const check = await checkUnchanged(
            clientFor(server, log),
            {
              tag: 'v0.3.7',
              name: undefined,
              draft: false,
              prerelease: false,
              fingerprint: job.fingerprint,
              archiveNames: [job.name],
              checksumsName: CHECKSUMS,
            },
            log,
          );
          assert.equal(check.unchanged, true, check.unchanged ? '' : check.reason);
        }
      });
    },
  );
}

test('eight concurrent publishers without GitHub digests (older GHES) still agree on the checksums', async () => {
  await withServer({ ...jittery, digests: false }, async (server, dir) => {
    const jobs = await matrix(dir);
    await runAll(server, jobs);
    assertWhole(server, jobs);
  });
});

test('eight concurrent rebuilds onto the published release replace every archive and fingerprint', async () => {
  await withServer(jittery, async (server, dir) => {
    await runAll(server, await matrix(dir));
    const rebuilt = await matrix(dir, 'apiVersion: v1\nkind: Config\n# rotated credentials\n');
    await runAll(server, rebuilt);
    assertWhole(server, rebuilt);
    const info = parseBuildInfo(server.releaseViews()[0]?.assets.find((asset) => asset.name === BUILD_INFO_NAME)?.text);
    for (const job of rebuilt) assert.equal(info.get(job.name)?.fingerprint, job.fingerprint);
  });
});

test('concurrent publishers with faults on the way still converge', async () => {
  await withServer(jittery, async (server, dir) => {
    server.inject({ op: 'repos/upload-release-asset', skip: 3, times: 4, fault: { kind: 'status', status: 500 } });
    server.inject({ op: 'repos/upload-release-asset', skip: 10, times: 2, fault: { kind: 'reset', after: true } });
    server.inject({ op: 'repos/create-release', skip: 2, times: 1, fault: { kind: 'secondary-rate-limit', status: 429, retryAfter: 1 } });
    server.inject({ op: 'repos/delete-release-asset', times: 2, fault: { kind: 'status', status: 502 } });
    const jobs = await matrix(dir);
    await runAll(server, jobs);
    assertWhole(server, jobs);
  });
});

test('only one job writes at a time: every write of a job happens while it holds the lock', async () => {
  await withServer(jittery, async (server, dir) => {
    const jobs = await matrix(dir);
    // The lock is on the release whenever an archive or a shared file is written.
    const unlocked: string[] = [];
    server.observe((op) => {
      if (op !== 'repos/upload-release-asset' && op !== 'repos/update-release-asset') return;
      for (const release of server.releaseViews('v0.3.7')) {
        const names = release.assets.map((asset) => asset.name);
        if (names.some((name) => name !== LOCK_NAME) && !names.includes(LOCK_NAME)) unlocked.push(`${op} on ${release.id}: ${names.join(', ')}`);
      }
    });
    await runAll(server, jobs);
    assertWhole(server, jobs);
    assert.deepEqual(unlocked, []);
  });
});

test('a job that cannot get the lock in time fails clearly, pointing at the matrix workflow, and writes nothing', async () => {
  await withServer({}, async (server, dir) => {
    const releaseId = server.seedRelease({ tag: 'v0.3.7', assets: [{ name: LOCK_NAME, data: 'another job, alive' }] });
    const [job] = await matrix(dir);
    assert.ok(job);
    const log = memoryLog();
    await assert.rejects(publishRelease(clientFor(server, log), publishRequest(job.archives), log, { pollMs: 2, waitMs: 40 }), (error: Error) => {
      assert.match(error.message, /Another job has been publishing release v0\.3\.7 since .* \(it holds the asset ktctl-tmp-lock\)/);
      assert.match(error.message, /matrix workflow \(mode: build jobs and one mode: publish job\)/);
      assert.match(error.message, /concurrency:/);
      return true;
    });
    assert.match(log.text(), /Another job is publishing release v0\.3\.7 .*waiting for it to finish/);
    assert.deepEqual(
      server.releaseViews()[0]?.assets.map((asset) => asset.name),
      [LOCK_NAME],
      "nothing written, the other job's lock untouched",
    );
    assert.equal(server.releaseViews()[0]?.id, releaseId);
  });
});

test('a lock left by a killed job is taken over once stale, and a failing job lets go of its lock', async () => {
  await withServer({}, async (server, dir) => {
    server.seedRelease({ tag: 'v0.3.7', assets: [{ name: LOCK_NAME, data: 'a killed job' }] });
    const [first, second] = await matrix(dir);
    assert.ok(first && second);
    const log = memoryLog();
    await publishRelease(clientFor(server, log), publishRequest(first.archives), log, { ...fastTiming, staleMs: 0 });
    assert.match(log.text(), /Removing ktctl-tmp-lock .*left by a job that ended without removing it/);
    assert.ok(!server.releaseViews()[0]?.assets.some((asset) => asset.name === LOCK_NAME));

    server.inject({
      op: 'repos/upload-release-asset',
      when: (request) => request.query.get('name') !== LOCK_NAME,
      times: Infinity,
      fault: { kind: 'status', status: 422, message: 'Validation Failed' },
    });
    await assert.rejects(publishRelease(clientFor(server, log), publishRequest(second.archives), log, fastTiming), /422 Validation Failed/);
    assert.ok(!server.releaseViews()[0]?.assets.some((asset) => asset.name === LOCK_NAME), 'the lock is gone after a failed run');
  });
});
