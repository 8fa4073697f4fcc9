// The calls main.ts makes, in its order, through the src/publish/index.ts facade: parse inputs,
// check visibility, skip an unchanged build, else build and publish; a scheduled re-run skips.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { BuildPlan, Target } from '../../src/model.js';
import {
  checkUnchanged,
  checkVisibility,
  computeFingerprint,
  parsePublishInputs,
  publishRelease,
  publishRequestFor,
  releaseClientFor,
  releaseTagFor,
  unchangedQueryFor,
  withDownloadUrls,
} from '../../src/publish/index.js';
import { baseParts, fastTiming, makeArchives, memoryLog, SHA, withServer } from './helpers.js';

const TARGETS: Target[] = [
  { os: 'linux', arch: 'amd64' },
  { os: 'windows', arch: 'amd64' },
];

function planFor(version: string, upstream: { tag: string; commit: string }): BuildPlan {
  return {
    version,
    upstream,
    targets: TARGETS.map((target) => ({
      target,
      binaryName: target.os === 'windows' ? 'ktctl.exe' : 'ktctl',
      upxSkipReason: undefined,
      wintunArch: target.os === 'windows' ? 'amd64' : undefined,
      archiveFormat: 'zip',
      archiveName: `ktctl_${version}_${target.os === 'windows' ? 'Windows' : 'Linux'}_x86_64.zip`,
    })),
    checksumsName: `ktctl_${version}_checksums.txt`,
  };
}

test('main.ts flow: first run builds and publishes, the scheduled re-run skips, a rotated secret rebuilds', async () => {
  await withServer({}, async (server, dir) => {
    const env = {
      GITHUB_REPOSITORY: `${server.owner}/${server.repo}`,
      GITHUB_API_URL: server.apiUrl,
      GITHUB_SERVER_URL: 'https://github.com',
      GITHUB_SHA: SHA,
      GITHUB_REF: 'refs/heads/main',
    };
    const read = (name: string): string => ({ 'github-token': 'write-token', 'release-name': 'ktctl (prod cluster)' })[name] ?? '';
    const inputs = parsePublishInputs(read, env);
    const upstream = { tag: 'v0.3.7', commit: '4c8e9d2f1a3b5c7d9e0f1a2b3c4d5e6f7a8b9c0d' };
    const plan = planFor('0.3.7', upstream);
    const tag = releaseTagFor(inputs, upstream.tag);

    const run = async (kubeconfig: string) => {
      const log = memoryLog();
      const client = releaseClientFor(inputs, log, { retryBaseMs: 1, paceWrites: false });
      await checkVisibility(client, inputs.allowPublic, log);
      const fingerprint = computeFingerprint(baseParts({ targets: TARGETS, upstreamCommit: upstream.commit, kubeconfig }));
      const check = await checkUnchanged(client, unchangedQueryFor(inputs, tag, plan, fingerprint), log);
      if (check.unchanged) return { skipped: true, result: check.result, fingerprint };
      // ... main.ts builds here ...
      const archives = await makeArchives(
        dir,
        plan.targets.map((target) => target.archiveName),
        fingerprint,
      );
      const result = await publishRelease(
        client,
        publishRequestFor(inputs, tag, { version: plan.version, upstream }, archives, plan.checksumsName),
        log,
        fastTiming,
      );
      const assets = withDownloadUrls(archives, result);
      assert.ok(assets.every((asset) => asset.url.endsWith(`/releases/download/v0.3.7/${asset.name}`)));
      return { skipped: false, result, fingerprint };
    };

    const first = await run('kubeconfig: one');
    assert.equal(first.skipped, false);
    assert.equal(server.releaseViews()[0]?.name, 'ktctl (prod cluster)');
    assert.match(server.releaseViews()[0]?.body ?? '', /built by ktctl-customize from kt-connect v0\.3\.7 \(4c8e9d2f/);

    const uploads = server.calls('repos/upload-release-asset').length;
    const second = await run('kubeconfig: one');
    assert.equal(second.skipped, true);
    assert.equal(second.result.releaseId, first.result.releaseId);
    assert.equal(second.result.htmlUrl, first.result.htmlUrl);
    assert.equal(server.calls('repos/upload-release-asset').length, uploads, 'the skipped run uploaded nothing');

    const third = await run('kubeconfig: rotated');
    assert.equal(third.skipped, false);
    assert.notEqual(third.fingerprint, first.fingerprint);
    assert.equal(server.releaseViews().length, 1);
    assert.deepEqual(server.violations, []);
  });
});
