// The SBOM of a release that several `mode: all` jobs publish to at once (each with an SBOM of its
// own target) describes every archive on it in the end: each job merges the release's SBOM with its
// own while it holds the lock. Run through publishRelease against the GitHub stand-in.
import assert from 'node:assert/strict';
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { computeFingerprint } from '../../src/publish/fingerprint.js';
import { publishRelease } from '../../src/publish/publish-release.js';
import { TEMP_PREFIX } from '../../src/shared/reserved-names.js';
import type { PublishRequest } from '../../src/publish/request.js';
import { extraReleaseFile } from '../../src/publish/release-extras.js';
import { sbomNameFor, writeSbom, type SpdxDocument } from '../../src/package/sbom.js';
import { sbomLockedMerge } from '../../src/publish/sbom-merge.js';
import { SUPPORTED_TARGETS } from '../../src/plan/targets.js';
import type { GitHubServer } from '../support/github-server.js';
import { spdxSchemaErrors, spdxViolations } from '../support/spdx.js';
import { baseParts, clientFor, fastTiming, makeArchives, memoryLog, publishRequest, withServer } from './helpers.js';

const SBOM = sbomNameFor('0.3.7');
const COBRA = { path: 'github.com/spf13/cobra', version: 'v1.4.0', sum: 'h1:y+wJpx64xcgO1V+RcnwW0LEHxTKRi2ZDPSBjWnrg88Q=' };

/** One `mode: all` job for one target: its archive, its own SBOM, and the request with the SBOM to merge. */
async function job(dir: string, index: number, goVersion = '1.19.13'): Promise<{ request: PublishRequest; archive: string }> {
  const target = SUPPORTED_TARGETS[index];
  assert.ok(target);
  const folder = path.join(dir, `job-${index}-${goVersion}`);
  await mkdir(folder, { recursive: true });
  const fingerprint = computeFingerprint(baseParts({ targets: [target] }));
  const name = `ktctl_0.3.7_${target.os}_${target.arch}.${target.os === 'windows' ? 'zip' : 'tar.gz'}`;
  const [archive] = await makeArchives(folder, [name], fingerprint);
  assert.ok(archive);
  const sbomFile = await writeSbom(folder, {
    version: '0.3.7',
    upstream: { tag: 'v0.3.7', commit: 'f064f771aa7ba03a0e6bc92f712306e9bcd8a6f5' },
    upstreamUrl: 'https://github.com/alibaba/kt-connect',
    module: 'github.com/alibaba/kt-connect',
    goVersion,
    actionVersion: '1.0.0',
    created: new Date(),
    targets: [{ target, archiveName: name, archiveSha256: archive.sha256, buildInfo: { deps: [COBRA] } }],
  });
  const log = memoryLog();
  return {
    archive: name,
    request: publishRequest([archive, await extraReleaseFile(sbomFile, fingerprint)], { merges: [sbomLockedMerge(sbomFile, fingerprint, log)] }),
  };
}

function releaseSbom(server: GitHubServer): SpdxDocument {
  const text = server.releaseViews('v0.3.7')[0]?.assets.find((asset) => asset.name === SBOM)?.text;
  assert.ok(text, 'the release has its SBOM');
  return JSON.parse(text) as SpdxDocument;
}

/** Every archive on the release is in the SBOM, with its hash, and nothing else is. */
function assertDescribesEveryArchive(server: GitHubServer, archives: readonly string[]): SpdxDocument {
  const doc = releaseSbom(server);
  assert.deepEqual(spdxSchemaErrors(doc), []);
  assert.deepEqual(spdxViolations(doc), []);
  const assets = server.releaseViews('v0.3.7')[0]?.assets ?? [];
  const described = doc.packages.filter((p) => p.packageFileName !== undefined);
  assert.deepEqual(described.map((p) => p.packageFileName).sort(), [...archives].sort());
  for (const binary of described) {
    assert.equal(binary.checksums?.[0]?.checksumValue, assets.find((asset) => asset.name === binary.packageFileName)?.sha256, `${binary.packageFileName}`);
  }
  assert.ok(!assets.some((asset) => asset.name.startsWith(TEMP_PREFIX)));
  return doc;
}

test('eight mode: all jobs publishing to one tag at once end with one SBOM describing all eight archives', async () => {
  await withServer({ latency: () => Math.random() * 5 }, async (server, dir) => {
    const jobs = await Promise.all(SUPPORTED_TARGETS.map((_, index) => job(dir, index)));
    const results = await Promise.allSettled(
      jobs.map(async ({ request }) => {
        const log = memoryLog();
        return publishRelease(clientFor(server, log), request, log, fastTiming);
      }),
    );
    for (const result of results) if (result.status === 'rejected') throw result.reason;
    assertDescribesEveryArchive(
      server,
      jobs.map((item) => item.archive),
    );
    assert.deepEqual(server.violations, []);
  });
});

test('a later job on another Go keeps the earlier archives in the SBOM, each with its own Go; a rebuilt target replaces its entry', async () => {
  await withServer({ digests: false }, async (server, dir) => {
    const first = await job(dir, 0, '1.19.12');
    const second = await job(dir, 1, '1.19.13');
    const log = memoryLog();
    await publishRelease(clientFor(server, log), first.request, log, fastTiming);
    await publishRelease(clientFor(server, log), second.request, log, fastTiming);
    let doc = assertDescribesEveryArchive(server, [first.archive, second.archive]);
    assert.deepEqual(
      doc.packages
        .filter((p) => p.name === 'go')
        .map((p) => p.versionInfo)
        .sort(),
      ['go1.19.12', 'go1.19.13'],
    );
    // the first target rebuilt: its new hash in the SBOM, the second one kept
    const rebuilt = await job(dir, 0, '1.19.13');
    await publishRelease(clientFor(server, log), rebuilt.request, log, fastTiming);
    doc = assertDescribesEveryArchive(server, [first.archive, second.archive]);
    assert.deepEqual(
      doc.packages.filter((p) => p.name === 'go').map((p) => p.versionInfo),
      ['go1.19.13'],
    );
  });
});

test('an SBOM on the release that this action did not write is refused, naming it, and nothing is changed', async () => {
  await withServer({}, async (server, dir) => {
    const first = await job(dir, 0);
    const log = memoryLog();
    await publishRelease(clientFor(server, log), first.request, log, fastTiming);
    const releaseId = server.releaseViews('v0.3.7')[0]?.id ?? 0;
    const client = clientFor(server, log);
    const sbom = (await client.listAssets(releaseId)).find((asset) => asset.name === SBOM);
    assert.ok(sbom);
    await client.deleteAsset(sbom.id);
    server.addAsset(releaseId, SBOM, JSON.stringify({ spdxVersion: 'SPDX-2.3', name: 'made by hand' }));
    const before = server.releaseViews('v0.3.7')[0]?.assets.map((asset) => `${asset.name} ${asset.sha256}`);
    const second = await job(dir, 1);
    await assert.rejects(
      publishRelease(client, second.request, log, fastTiming),
      /ktctl_0\.3\.7_sbom\.spdx\.json on the release .*is not an SBOM this action wrote/,
    );
    assert.deepEqual(
      server.releaseViews('v0.3.7')[0]?.assets.map((asset) => `${asset.name} ${asset.sha256}`),
      before,
      'the release is as it was, lock gone',
    );
    assert.equal(await readFile(path.join(dir, 'job-1-1.19.13', SBOM), 'utf8').then((text) => text.includes('ktctl_0.3.7_linux_amd64')), false);
  });
});
