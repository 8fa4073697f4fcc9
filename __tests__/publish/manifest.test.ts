// mode: publish trusts nothing in the build jobs' artifacts: a hostile or damaged manifest fails
// with an error naming the artifact before anything is written, on GitHub or on the release.
import assert from 'node:assert/strict';
import { cp, mkdir, rename, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { downloadBuildArtifacts, MANIFEST_NAME, publishRelease, type ArtifactStore, type BuildManifest } from '../../src/publish/index.js';
import { clientFor, fastTiming, makeArchives, memoryLog, publishRequest, withServer } from './helpers.js';

const ARTIFACT = 'ktctl-archives-linux-amd64';
const NAME = 'ktctl_0.3.7_Linux_x86_64.zip';

/** The artifact service as a folder holding one artifact; downloads copy links as links. */
function oneArtifact(folder: string): ArtifactStore {
  return {
    upload: async () => undefined,
    list: async () => [{ id: 1, name: ARTIFACT }],
    download: async (_id, destination) => {
      await cp(folder, destination, { recursive: true, verbatimSymlinks: true });
    },
    delete: async () => undefined,
  };
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] extends object ? Mutable<T[K]> : T[K] };

async function goodArtifact(dir: string): Promise<{ folder: string; manifest: Mutable<BuildManifest> }> {
  const folder = path.join(dir, 'artifact');
  await mkdir(folder, { recursive: true });
  const [file] = await makeArchives(folder, [NAME], 'f'.repeat(64));
  assert.ok(file);
  const manifest: Mutable<BuildManifest> = {
    generator: 'ktctl-customize',
    schema: 1,
    version: '0.3.7',
    upstream: { tag: 'v0.3.7', commit: 'c'.repeat(40) },
    goVersion: '1.19.13',
    fingerprint: 'f'.repeat(64),
    checksumsName: 'ktctl_0.3.7_checksums.txt',
    assets: [{ name: NAME, os: 'linux', arch: 'amd64', size: file.size, sha256: file.sha256 }],
  };
  return { folder, manifest };
}

const CASES: ReadonlyArray<{
  readonly label: string;
  readonly change: (manifest: Mutable<BuildManifest>, folder: string) => Promise<void> | void;
  readonly error: RegExp;
}> = [
  {
    label: 'a path separator in an archive name',
    change: (m) => void (m.assets[0]!.name = `sub/${NAME}`),
    error: /archive 1 with something that is not a plain file name/,
  },
  { label: 'a backslash in an archive name', change: (m) => void (m.assets[0]!.name = `..\\${NAME}`), error: /not a plain file name/ },
  { label: "'..' as an archive name", change: (m) => void (m.assets[0]!.name = '..'), error: /not a plain file name/ },
  { label: "'..' inside an archive name", change: (m) => void (m.assets[0]!.name = `x..${NAME}`), error: /not a plain file name/ },
  { label: 'a hidden file name', change: (m) => void (m.assets[0]!.name = `.${NAME}`), error: /not a plain file name/ },
  { label: 'the same archive twice', change: (m) => void m.assets.push({ ...m.assets[0]! }), error: /lists ktctl_0\.3\.7_Linux_x86_64\.zip twice/ },
  {
    label: 'a size that does not match the file',
    change: (m) => void (m.assets[0]!.size += 1),
    error: /ktctl_0\.3\.7_Linux_x86_64\.zip in artifact ktctl-archives-linux-amd64 is missing or does not match its manifest/,
  },
  { label: 'a negative size', change: (m) => void (m.assets[0]!.size = -1), error: /size that is not a positive whole number/ },
  { label: 'a hash that does not match the file', change: (m) => void (m.assets[0]!.sha256 = '0'.repeat(64)), error: /does not match its manifest/ },
  { label: 'a hash of the wrong shape', change: (m) => void (m.assets[0]!.sha256 = 'A'.repeat(64)), error: /SHA-256 that is not 64 lowercase hex digits/ },
  { label: 'an archive named like the checksums file', change: (m) => void (m.assets[0]!.name = m.checksumsName), error: /a name the action uses itself/ },
  { label: 'an archive named build-info.json', change: (m) => void (m.assets[0]!.name = 'build-info.json'), error: /a name the action uses itself/ },
  { label: 'an archive named like the manifest', change: (m) => void (m.assets[0]!.name = MANIFEST_NAME), error: /a name the action uses itself/ },
  {
    label: "an archive named like the action's working copies",
    change: (m) => void (m.assets[0]!.name = `ktctl-tmp-lock`),
    error: /a name the action uses itself/,
  },
  {
    label: 'a checksums name with a path',
    change: (m) => void (m.checksumsName = '../../checksums.txt'),
    error: /names the checksums file with something that is not a plain file name/,
  },
  { label: 'a checksums name that is build-info.json', change: (m) => void (m.checksumsName = 'build-info.json'), error: /checksums file/ },
  { label: 'a short fingerprint', change: (m) => void (m.fingerprint = 'abc'), error: /fingerprint that is not a SHA-256/ },
  { label: 'a fingerprint with a line break', change: (m) => void (m.fingerprint = `${'f'.repeat(64)}\n`), error: /fingerprint that is not a SHA-256/ },
  { label: 'an upstream commit that is not one', change: (m) => void (m.upstream.commit = 'main'), error: /upstream commit that is not a commit id/ },
  {
    label: 'a target the action does not build',
    change: (m) => void ((m.assets[0] as { os: string }).os = 'plan9'),
    error: /target the action does not build/,
  },
  { label: 'no archives', change: (m) => void m.assets.splice(0), error: /lists no archives/ },
  {
    label: 'an archive that is a link to a runner file',
    change: async (_m, folder) => {
      const target = path.join(folder, '..', 'elsewhere.zip');
      // the same bytes, so only the link itself is wrong
      await rename(path.join(folder, NAME), target);
      await symlink(target, path.join(folder, NAME));
    },
    error: /is missing or does not match its manifest; the artifact is damaged/,
  },
];

for (const { label, change, error } of CASES) {
  test(`mode: publish refuses a manifest with ${label}, before any write`, async () => {
    await withServer({}, async (server, dir) => {
      const { folder, manifest } = await goodArtifact(dir);
      await change(manifest, folder);
      await writeFile(path.join(folder, MANIFEST_NAME), JSON.stringify(manifest));
      const log = memoryLog();
      // As main.ts's publishCollected runs it: gather and check, then publish.
      await assert.rejects(
        async () => {
          const collected = await downloadBuildArtifacts(oneArtifact(folder), { prefix: 'ktctl-archives', destination: path.join(dir, 'download') }, log);
          assert.ok(collected);
          await publishRelease(clientFor(server, log), publishRequest(collected.files, { checksumsName: collected.checksumsName }), log, fastTiming);
        },
        (thrown: Error) => {
          assert.match(thrown.message, error);
          assert.match(thrown.message, /^mode: publish: .*ktctl-archives-linux-amd64/);
          return true;
        },
      );
      assert.deepEqual(server.requests, [], 'GitHub was not called at all');
    });
  });
}

test('the unchanged manifest passes (the cases above differ from it in one thing each)', async () => {
  await withServer({}, async (server, dir) => {
    const { folder, manifest } = await goodArtifact(dir);
    await writeFile(path.join(folder, MANIFEST_NAME), JSON.stringify(manifest));
    const log = memoryLog();
    const collected = await downloadBuildArtifacts(oneArtifact(folder), { prefix: 'ktctl-archives', destination: path.join(dir, 'download') }, log);
    assert.ok(collected);
    const result = await publishRelease(clientFor(server, log), publishRequest(collected.files, { checksumsName: collected.checksumsName }), log, fastTiming);
    assert.equal(result.draft, false);
    assert.ok(server.releaseViews()[0]?.assets.some((asset) => asset.name === NAME));
  });
});
