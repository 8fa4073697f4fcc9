// mode: publish trusts nothing in the build jobs' artifacts: a hostile or damaged manifest fails
// with an error naming the artifact before anything is written, on GitHub or on the release.
import assert from 'node:assert/strict';
import { cp, mkdir, rename, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { downloadBuildArtifacts, type ArtifactStore } from '../../src/publish/artifact.js';
import { MANIFEST_NAME } from '../../src/shared/reserved-names.js';
import { publishRelease } from '../../src/publish/publish-release.js';
import type { BuildManifest } from '../../src/model.js';
import { releaseNotes } from '../../src/publish/release-notes.js';
import { summaryHtml } from '../../src/publish/release-text.js';
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

type Mutable<T> = {
  -readonly [K in keyof T]: Exclude<T[K], undefined> extends object ? Mutable<Exclude<T[K], undefined>> | Extract<T[K], undefined> : T[K];
};

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
    sbom: {
      module: 'github.com/alibaba/kt-connect',
      upstreamUrl: 'https://git.example.com/mirror/kt-connect.git',
      targets: [
        {
          archiveName: NAME,
          deps: [
            { path: 'github.com/spf13/cobra', version: 'v1.4.0', sum: 'h1:y+wJpx64xcgO1V+RcnwW0LEHxTKRi2ZDPSBjWnrg88Q=' },
            { path: 'github.com/xjasonlyu/tun2socks/v2', version: 'v2.4.1', sum: undefined, replacedBy: { path: '../tun2socks', version: '', sum: undefined } },
          ],
        },
      ],
    },
    images: [
      {
        name: 'kt-connect-shadow',
        source: 'registry.cn-hangzhou.aliyuncs.com/rdc-incubator/kt-connect-shadow:v0.3.7',
        target: 'registry.example.com:5000/kt-connect-shadow:v0.3.7',
      },
      {
        name: 'kt-connect-router',
        source: 'registry.cn-hangzhou.aliyuncs.com/rdc-incubator/kt-connect-router:v0.3.7',
        target: 'registry.example.com:5000/kt-connect-router:v0.3.7',
      },
      {
        name: 'kt-connect-navigator',
        source: 'registry.cn-hangzhou.aliyuncs.com/rdc-incubator/kt-connect-navigator:v0.3.7',
        target: 'registry.example.com:5000/kt-connect-navigator:v0.3.7',
      },
    ],
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
    error: /names the checksums file with something other than ktctl_0\.3\.7_checksums\.txt/,
  },
  { label: 'an archive named images.txt', change: (m) => void (m.assets[0]!.name = 'images.txt'), error: /a name the action uses itself/ },
  { label: 'an archive named like the SBOM', change: (m) => void (m.assets[0]!.name = 'ktctl_0.3.7_sbom.spdx.json'), error: /a name the action uses itself/ },
  { label: 'an archive named install.sh', change: (m) => void (m.assets[0]!.name = 'install.sh'), error: /a name the action uses itself/ },
  {
    label: 'an upstream tag with HTML in it (git allows < and >, not a space)',
    change: (m) => void (m.upstream.tag = 'v0.3.7<img src=x onerror=alert(1)>'),
    error: /upstream tag that is not a tag name git allows/,
  },
  { label: "an upstream tag with '..'", change: (m) => void (m.upstream.tag = 'v0..3'), error: /upstream tag that is not a tag name git allows/ },
  { label: 'an upstream tag ending in .lock', change: (m) => void (m.upstream.tag = 'v0.3.7.lock'), error: /upstream tag that is not a tag name git allows/ },
  {
    label: 'an upstream tag with a line break',
    change: (m) => void (m.upstream.tag = 'v0.3.7\n# Pwned'),
    error: /upstream tag that is not a tag name git allows/,
  },
  {
    label: 'a Go version with Markdown in it',
    change: (m) => void (m.goVersion = '1.19.13 [click](https://evil.example)'),
    error: /Go version that is not one go\.dev publishes/,
  },
  { label: 'a Go version with HTML in it', change: (m) => void (m.goVersion = '<b>1.19</b>'), error: /Go version that is not one go\.dev publishes/ },
  { label: 'a Go version that is a word', change: (m) => void (m.goVersion = 'latest'), error: /Go version that is not one go\.dev publishes/ },
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
    label: 'credentials in the SBOM repository URL',
    change: (m) => void (m.sbom!.upstreamUrl = 'https://bot:token@git.example.com/mirror/kt-connect.git'),
    error: /sbom repository URL that is not a plain https, http or ssh URL without credentials/,
  },
  { label: 'a local path as the SBOM repository URL', change: (m) => void (m.sbom!.upstreamUrl = '/srv/kt-connect'), error: /sbom repository URL/ },
  { label: 'an SBOM module with a line break', change: (m) => void (m.sbom!.module = 'github.com/a\nb'), error: /sbom module that is not a Go module path/ },
  {
    label: 'an SBOM dependency version with a space',
    change: (m) => void ((m.sbom!.targets[0]!.deps[0] as { version: string }).version = 'v1 4'),
    error: /gives ktctl_0\.3\.7_Linux_x86_64\.zip sbom module 1 that is not a Go module path, version and h1 hash/,
  },
  {
    label: 'an SBOM hash that is not an h1 hash',
    change: (m) => void ((m.sbom!.targets[0]!.deps[0] as { sum: string }).sum = 'h1:short='),
    error: /sbom module 1 that is not/,
  },
  {
    label: 'an SBOM replacement that is replaced again',
    change: (m) => {
      const dep = m.sbom!.targets[0]!.deps[1] as { replacedBy: object };
      dep.replacedBy = { ...dep.replacedBy, replacedBy: { path: 'x', version: 'v1.0.0' } };
    },
    error: /sbom module 2 that is not/,
  },
  {
    label: 'an SBOM target for an archive the manifest does not list',
    change: (m) => void (m.sbom!.targets[0]!.archiveName = 'other.zip'),
    error: /sbom target 1 an archive the manifest does not list/,
  },
  { label: 'an SBOM part that leaves out an archive', change: (m) => void m.sbom!.targets.splice(0), error: /sbom part that leaves out some of its archives/ },
  {
    label: 'an SBOM part of the wrong shape',
    change: (m) => void ((m as { sbom: unknown }).sbom = 'yes'),
    error: /sbom part that is not one this action wrote/,
  },
  {
    label: 'an image target with a space (images.txt is one pair per line)',
    change: (m) => void (m.images![0]!.target = 'registry.example.com/shadow:v1 evil:v2'),
    error: /gives image kt-connect-shadow a source or target that is not an image reference/,
  },
  {
    label: 'an image source with a line break',
    change: (m) => void (m.images![1]!.source = 'a:v1\nb:v2'),
    error: /image kt-connect-router a source or target that is not an image reference/,
  },
  { label: 'an image twice', change: (m) => void (m.images![2]!.name = 'kt-connect-shadow'), error: /images entry 3 a name that is not one of/ },
  { label: 'an images list of the wrong length', change: (m) => void m.images!.pop(), error: /images list that is not one entry for each of/ },
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

test('a tag git allows but full of HTML, from a manifest, reaches the release notes and the job summary escaped; unknown fields go no further', async () => {
  await withServer({}, async (server, dir) => {
    const { folder, manifest } = await goodArtifact(dir);
    manifest.upstream.tag = 'v0.3.7<img/src=x/onerror=alert(1)>';
    manifest.goVersion = 'go1.21rc2';
    (manifest.upstream as Record<string, unknown>)['note'] = '<script>alert(2)</script>';
    (manifest.assets[0] as Record<string, unknown>)['url'] = 'javascript:alert(3)';
    await writeFile(path.join(folder, MANIFEST_NAME), JSON.stringify(manifest));
    const log = memoryLog();
    const collected = await downloadBuildArtifacts(oneArtifact(folder), { prefix: 'ktctl-archives', destination: path.join(dir, 'download') }, log);
    assert.ok(collected);
    assert.deepEqual(Object.keys(collected.upstream).sort(), ['commit', 'tag']);
    assert.ok(!JSON.stringify(collected.assets).includes('javascript:'));
    // as main.ts's publishCollected renders them
    const notes = releaseNotes({
      ...collected,
      archives: collected.assets,
      sbomName: undefined,
      attested: false,
      tag: 'ktctl-1',
      repository: 'acme/tools',
      ktConfigKeys: undefined,
      kube: undefined,
    });
    await publishRelease(clientFor(server, log), publishRequest(collected.files, { checksumsName: collected.checksumsName, body: notes }), log, fastTiming);
    const body = server.releaseViews()[0]!.body ?? '';
    assert.ok(body.includes('kt-connect v0.3.7&#60;img/src=x/onerror=alert\\(1\\)&#62;'), body);
    assert.ok(!/<img|<script/.test(body), body);
    const summary = summaryHtml(collected, collected.assets, undefined, notes);
    assert.ok(summary.includes('Built from kt-connect v0.3.7&#60;img/src=x/onerror=alert(1)&#62;'), summary);
    assert.ok(!/<img|<script|javascript:/.test(summary), summary);
  });
});
