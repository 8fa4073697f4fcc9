// A server that reports no digest for assets (older GHES: `digest: null`, or no such field at
// all) still gets a checksums file that matches every asset it names: an asset another run put on
// the release is downloaded and hashed, never taken from the checksums line it had, which may be
// stale (someone replaced the asset by hand, or a run of an older version wrote a wrong line); and
// skip-unchanged does not skip over such a line.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { BUILD_INFO_NAME } from '../../src/shared/reserved-names.js';
import { checkUnchanged } from '../../src/publish/unchanged.js';
import { parseBuildInfo, parseChecksums } from '../../src/shared/release-files.js';
import { publishRelease } from '../../src/publish/publish-release.js';
import { renderBuildInfo, renderChecksums } from '../../src/shared/release-files.js';
import type { GitHubServer } from '../support/github-server.js';
import { clientFor, fastTiming, makeArchives, memoryLog, publishRequest, withServer } from './helpers.js';
import type { ReleaseFile } from '../../src/model.js';

const CHECKSUMS = 'ktctl_0.3.7_checksums.txt';
const LINUX = 'ktctl_0.3.7_Linux_x86_64.zip';
const WINDOWS = 'ktctl_0.3.7_Windows_x86_64.zip';
const SBOM = 'ktctl_0.3.7_sbom.spdx.json';

/** Lines of the checksums file on the release that do not match the asset of that name. */
function wrongLines(server: GitHubServer): string[] {
  const release = server.releaseViews('v0.3.7')[0];
  const lines = parseChecksums(release?.assets.find((asset) => asset.name === CHECKSUMS)?.text ?? '');
  return [...lines].filter(([name, sha]) => release?.assets.find((asset) => asset.name === name)?.sha256 !== sha).map(([name]) => name);
}

/** A published release whose checksums file and build-info.json were right for `files`, and whose LINUX asset was then replaced by hand. */
async function seedStale(server: GitHubServer, files: readonly ReleaseFile[]): Promise<void> {
  const entries = new Map(files.map((file) => [file.name, { sha256: file.sha256, fingerprint: file.fingerprint }]));
  server.seedRelease({
    tag: 'v0.3.7',
    assets: [
      ...(await Promise.all(
        files.map(async (file) => ({ name: file.name, data: file.name === LINUX ? Buffer.from('replaced by hand') : await readFile(file.path) })),
      )),
      { name: CHECKSUMS, data: renderChecksums(entries) },
      { name: BUILD_INFO_NAME, data: renderBuildInfo(entries) },
    ],
  });
}

for (const digests of [false, 'omitted'] as const) {
  const server = digests === false ? 'digest: null' : 'no digest field';
  test(`${server}: a stale checksums line of another run's asset is corrected, not kept`, async () => {
    await withServer({ digests }, async (github, dir) => {
      const old = await makeArchives(dir, [LINUX, WINDOWS, SBOM], 'a'.repeat(64));
      await seedStale(github, old);
      assert.deepEqual(wrongLines(github), [LINUX], 'the broken state');
      const log = memoryLog();
      // this run publishes only the windows archive and the SBOM
      const next = await makeArchives(dir, [WINDOWS, SBOM], 'b'.repeat(64));
      await publishRelease(clientFor(github, log), publishRequest(next), log, fastTiming);
      assert.deepEqual(wrongLines(github), [], 'every line matches its asset');
      const release = github.releaseViews('v0.3.7')[0];
      const info = parseBuildInfo(release?.assets.find((asset) => asset.name === BUILD_INFO_NAME)?.text);
      assert.equal(info.get(LINUX)?.fingerprint, undefined, 'an asset replaced by hand keeps no fingerprint of a build');
      assert.equal(info.get(WINDOWS)?.fingerprint, 'b'.repeat(64));
      assert.deepEqual(github.violations, [], 'the responses are what such a server sends');
      // the stand-in answers as such a server does
      const answer = await fetch(`${github.apiUrl}/repos/${github.owner}/${github.repo}/releases/${release?.id}/assets`, {
        headers: { authorization: 'token write-token' },
      });
      const listed = (await answer.json()) as Array<Record<string, unknown>>;
      assert.ok(listed.length > 0);
      for (const asset of listed) assert.equal(digests === false ? asset['digest'] : 'digest' in asset, digests === false ? null : false);
    });
  });

  test(`${server}: skip-unchanged does not skip over a checksums line that does not match its asset`, async () => {
    await withServer({ digests }, async (github, dir) => {
      const fingerprint = 'f'.repeat(64);
      const files = await makeArchives(dir, [LINUX, WINDOWS], fingerprint);
      const query = { tag: 'v0.3.7', name: undefined, draft: false, prerelease: false, fingerprint, archiveNames: [WINDOWS], checksumsName: CHECKSUMS };
      await seedStale(github, files);
      const log = memoryLog();
      const check = await checkUnchanged(clientFor(github, log), query, log);
      assert.equal(check.unchanged, false);
      assert.match(
        check.unchanged ? '' : check.reason,
        /ktctl_0\.3\.7_Linux_x86_64\.zip on the release does not match its line in ktctl_0\.3\.7_checksums\.txt/,
      );
      // once the release is right, the same query skips (the assets were downloaded and hashed to know)
      await publishRelease(clientFor(github, log), publishRequest(files.filter((file) => file.name === WINDOWS)), log, fastTiming);
      assert.deepEqual(wrongLines(github), []);
      const again = await checkUnchanged(clientFor(github, log), query, log);
      assert.equal(again.unchanged, true, again.unchanged ? '' : again.reason);
    });
  });
}
