// A failed re-publish never leaves the published release broken. A published release is rebuilt
// (rotated credentials: every archive changes, and the release is renamed); a fault is injected at
// each write call of that run in turn, and:
// - after EVERY write that takes effect, in every scenario, the checksums file lists no hash that
//   the asset of that name does not have (what a downloader fetching both at that moment sees);
// - when the fault ends (a call failing for good, or one whose answers are lost), the failed run
//   leaves one whole set: every archive, all old or all new, each matching the checksums file and
//   build-info.json;
// - when GitHub stays down from that call on (so the roll-back cannot finish either), the rule
//   above about the checksums file still holds;
// - the next good run repairs the release to the whole new set, with no working copies left.
import assert from 'node:assert/strict';
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { BUILD_INFO_NAME, TEMP_PREFIX } from '../../src/shared/reserved-names.js';
import { parseBuildInfo, parseChecksums } from '../../src/shared/release-files.js';
import { publishRelease } from '../../src/publish/publish-release.js';
import { renderBuildInfo, renderChecksums } from '../../src/shared/release-files.js';
import type { Fault, GitHubServer } from '../support/github-server.js';
import { clientFor, fastTiming, makeArchives, memoryLog, publishRequest, withServer } from './helpers.js';
import type { ReleaseFile } from '../../src/model.js';
import { inSample, RUN_EVERYTHING } from '../support/test-scope.js';

const NAMES = ['ktctl_0.3.7_Linux_x86_64.zip', 'ktctl_0.3.7_Windows_x86_64.zip'];
const CHECKSUMS = 'ktctl_0.3.7_checksums.txt';
const OLD_FINGERPRINT = 'a'.repeat(64);
const NEW_FINGERPRINT = 'b'.repeat(64);

function published(server: GitHubServer) {
  const release = server.releaseViews('v0.3.7').find((item) => !item.draft);
  assert.ok(release, 'the release stays published');
  return release;
}

/** What the checksums file says that is not so, right now. */
function checksumsLies(server: GitHubServer): string[] {
  const release = server.releaseViews('v0.3.7').find((item) => !item.draft);
  if (release === undefined) return ['the release is not published'];
  const checksums = release.assets.find((asset) => asset.name === CHECKSUMS);
  if (checksums === undefined) return [];
  const lies: string[] = [];
  for (const [name, sha] of parseChecksums(checksums.text)) {
    const asset = release.assets.find((item) => item.name === name);
    if (asset === undefined) lies.push(`${name} is listed but missing`);
    else if (asset.sha256 !== sha) lies.push(`${name} is listed with another hash`);
  }
  return lies;
}

/** 'old' or 'new' when the release holds that whole set, consistent; else throws. */
function wholeSet(server: GitHubServer, old: readonly ReleaseFile[], next: readonly ReleaseFile[]): 'old' | 'new' {
  const release = published(server);
  const visible = release.assets.filter((asset) => !asset.name.startsWith(TEMP_PREFIX));
  assert.deepEqual(visible.map((asset) => asset.name).sort(), [...NAMES, CHECKSUMS, BUILD_INFO_NAME].sort(), 'every name present');
  const checksums = parseChecksums(release.assets.find((asset) => asset.name === CHECKSUMS)?.text ?? '');
  const info = parseBuildInfo(release.assets.find((asset) => asset.name === BUILD_INFO_NAME)?.text);
  assert.deepEqual([...checksums.keys()].sort(), [...NAMES].sort(), 'the checksums file lists every archive and nothing else');
  for (const name of NAMES) {
    const sha = visible.find((asset) => asset.name === name)?.sha256;
    assert.equal(checksums.get(name), sha, `${name} matches the checksums file`);
    assert.equal(info.get(name)?.sha256, sha, `${name} matches build-info.json`);
  }
  const shas = NAMES.map((name) => visible.find((asset) => asset.name === name)?.sha256);
  if (shas.every((sha, index) => sha === old[index]?.sha256)) {
    for (const name of NAMES) assert.equal(info.get(name)?.fingerprint, OLD_FINGERPRINT);
    return 'old';
  }
  if (shas.every((sha, index) => sha === next[index]?.sha256)) {
    for (const name of NAMES) assert.equal(info.get(name)?.fingerprint, NEW_FINGERPRINT);
    return 'new';
  }
  throw new assert.AssertionError({ message: 'the archives are a mix of the old and the new build' });
}

interface Setup {
  readonly old: ReleaseFile[];
  readonly next: ReleaseFile[];
}

async function publishOld(server: GitHubServer, dir: string): Promise<Setup> {
  await mkdir(path.join(dir, 'old'));
  await mkdir(path.join(dir, 'new'));
  const old = await makeArchives(path.join(dir, 'old'), NAMES, OLD_FINGERPRINT);
  const next = await makeArchives(path.join(dir, 'new'), NAMES, NEW_FINGERPRINT);
  // As an earlier run of the action left it (seeded directly: this runs once per scenario).
  const entries = new Map(old.map((file) => [file.name, { sha256: file.sha256, fingerprint: file.fingerprint }]));
  server.seedRelease({
    tag: 'v0.3.7',
    assets: [
      ...(await Promise.all(old.map(async (file) => ({ name: file.name, data: await readFile(file.path) })))),
      { name: CHECKSUMS, data: renderChecksums(entries) },
      { name: BUILD_INFO_NAME, data: renderBuildInfo(entries) },
    ],
  });
  return { old, next };
}

const rebuild = (next: readonly ReleaseFile[]) => publishRequest(next, { name: 'ktctl (rotated)' });
const writes = (server: GitHubServer): number => server.requests.filter((request) => request.method !== 'GET').length;

/** How many write calls the good re-publish makes: the steps to break in turn. */
async function writeSteps(): Promise<number> {
  return withServer({}, async (server, dir) => {
    const { next } = await publishOld(server, dir);
    const before = writes(server);
    // In a good run each name is missing for at most one call (between its two renames).
    const streaks = new Map<string, number>();
    const longest = new Map<string, number>();
    server.observe(() => {
      const names = new Set(published(server).assets.map((asset) => asset.name));
      for (const name of [...NAMES, CHECKSUMS, BUILD_INFO_NAME]) {
        const streak = names.has(name) ? 0 : (streaks.get(name) ?? 0) + 1;
        streaks.set(name, streak);
        longest.set(name, Math.max(streak, longest.get(name) ?? 0));
      }
    });
    const log = memoryLog();
    await publishRelease(clientFor(server, log), rebuild(next), log, fastTiming);
    assert.equal(wholeSet(server, [], next), 'new');
    assert.deepEqual(Object.fromEntries(longest), Object.fromEntries([...NAMES, CHECKSUMS, BUILD_INFO_NAME].map((name) => [name, 1])));
    return writes(server) - before;
  });
}

const VARIANTS: ReadonlyArray<{ readonly label: string; readonly fault: Fault; readonly times: number; readonly whole: boolean }> = [
  { label: 'fails for good (500, every retry)', fault: { kind: 'status', status: 500 }, times: 5, whole: true },
  { label: 'takes effect but every answer is lost', fault: { kind: 'reset', after: true }, times: 5, whole: true },
  { label: 'GitHub is down from here on', fault: { kind: 'status', status: 503 }, times: Infinity, whole: false },
];

test('a fault at every step of replacing a published release never leaves it broken, and the next run repairs it', async () => {
  const steps = await writeSteps();
  assert.ok(steps >= 20, `the re-publish makes ${steps} writes: lock, staging uploads, renames, rename of the release, deletes`);
  const endings = { old: 0, new: 0, partial: 0 };
  let cases = 0;
  for (const [row, variant] of VARIANTS.entries()) {
    for (let step = 0; step < steps; step++) {
      // npm test: a third of the cases, every step under one of the faults; test:all: every case
      if (!inSample(row, step, VARIANTS.length)) continue;
      cases += 1;
      const started = Date.now();
      await withServer({}, async (server, dir) => {
        const where = `${variant.label}, at write ${step + 1} of ${steps}`;
        const { old, next } = await publishOld(server, dir);
        const lies: string[] = [];
        server.observe((op) => lies.push(...checksumsLies(server).map((lie) => `after ${op}: ${lie}`)));
        server.inject({ when: (request) => request.method !== 'GET', skip: step, times: variant.times, fault: variant.fault });
        const log = memoryLog();
        const outcome = await publishRelease(clientFor(server, log), rebuild(next), log, fastTiming).then(
          () => undefined,
          (error: unknown) => error as Error,
        );
        assert.deepEqual(lies, [], `${where}: the checksums file never lied`);
        if (variant.whole) {
          const set = wholeSet(server, old, next);
          endings[set] += 1;
          if (set === 'old') {
            assert.ok(outcome !== undefined, `${where}: a run that left the old set failed`);
            assert.match(outcome.message, /put back to its previous assets|did not manage|GitHub/, where);
          }
        } else if (outcome === undefined) {
          // Only the lock's removal, the very last call, failed: that is a warning.
          assert.equal(wholeSet(server, old, next), 'new', where);
          assert.match(log.warnings.join('\n'), /Could not remove the lock/);
        } else {
          endings.partial += 1;
        }

        // The next good run repairs the release to the whole new set.
        server.clearFaults();
        const repairLog = memoryLog();
        // staleMs 0: a lock the broken run could not remove is taken over at once.
        await publishRelease(clientFor(server, repairLog), rebuild(next), repairLog, { ...fastTiming, staleMs: 0 });
        assert.deepEqual(lies, [], `${where}: the repair never lied either`);
        assert.equal(wholeSet(server, old, next), 'new', where);
        assert.deepEqual(
          published(server)
            .assets.filter((asset) => asset.name.startsWith(TEMP_PREFIX))
            .map((asset) => asset.name),
          [],
          `${where}: no working copies left`,
        );
        assert.equal(published(server).name, 'ktctl (rotated)');
        assert.equal(server.releaseViews().length, 1);
        assert.deepEqual(server.violations, []);
      });
      if (process.env['DEBUG_STEPS']) console.log(variant.label, step, Date.now() - started);
    }
  }
  assert.equal(cases, RUN_EVERYTHING ? VARIANTS.length * steps : steps, 'each step is faulted at least once');
  // Both endings occur: early faults roll back to the old set, faults after the swap keep the new one.
  assert.ok(endings.old > 0 && endings.new > 0, JSON.stringify(endings));
});

test('a failed swap puts the old assets back and says so', async () => {
  await withServer({}, async (server, dir) => {
    const { old, next } = await publishOld(server, dir);
    const before = published(server)
      .assets.map((asset) => `${asset.name} ${asset.sha256}`)
      .sort();
    // Renames 1-4 put the interim checksums file and build-info.json in place, 5 sets the first
    // archive aside; the 6th, its new copy taking its name, fails: the name is missing right then.
    server.inject({ op: 'repos/update-release-asset', skip: 5, fault: { kind: 'status', status: 422, message: 'Validation Failed' } });
    const log = memoryLog();
    await assert.rejects(publishRelease(clientFor(server, log), rebuild(next), log, fastTiming), (error: Error) => {
      assert.match(error.message, /could not rename asset .*422 Validation Failed.*Release v0\.3\.7 was put back to its previous assets\./s);
      return true;
    });
    assert.equal(wholeSet(server, old, next), 'old');
    assert.deepEqual(
      published(server)
        .assets.map((asset) => `${asset.name} ${asset.sha256}`)
        .sort(),
      before,
      'exactly the old assets, nothing left over',
    );
  });
});

test('an interrupted run that set an archive aside: the next run puts it back before it starts', async () => {
  await withServer({}, async (server, dir) => {
    const { old, next } = await publishOld(server, dir);
    const release = published(server);
    const archive = release.assets.find((asset) => asset.name === NAMES[0]);
    assert.ok(archive);
    // As a run killed between its two renames leaves it: the old copy set aside, the new one staged.
    const client = clientFor(server, memoryLog());
    await client.renameAsset(archive.id, `${TEMP_PREFIX}0badc0de-old-${NAMES[0]}`);
    server.addAsset(release.id, `${TEMP_PREFIX}0badc0de-new-${NAMES[0]}`, 'half a new build');
    assert.deepEqual(checksumsLies(server), [`${NAMES[0]} is listed but missing`], 'this is the broken state a killed run can leave');
    const log = memoryLog();
    // A run that fails before its swap (every upload refused) still puts the old archive back.
    server.inject({
      op: 'repos/upload-release-asset',
      when: (request) => request.query.get('name') !== `${TEMP_PREFIX}lock`,
      times: Infinity,
      fault: { kind: 'status', status: 422, message: 'Validation Failed' },
    });
    await assert.rejects(publishRelease(client, rebuild(next), log, fastTiming));
    assert.match(log.text(), new RegExp(`Restoring ${NAMES[0]?.replace(/\./g, '\\.')}, which an interrupted run had set aside`));
    assert.equal(wholeSet(server, old, next), 'old');
    server.clearFaults();
    await publishRelease(client, rebuild(next), log, fastTiming);
    assert.equal(wholeSet(server, old, next), 'new');
  });
});
