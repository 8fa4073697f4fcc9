// Matrix mode: build jobs upload their archives as workflow artifacts, one publish job collects
// them and publishes once. The Actions artifact service is stood in for by a folder.
import assert from 'node:assert/strict';
import { chmod, cp, lstat, mkdir, readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { GHESNotSupportedError } from '@actions/artifact';
import type { Asset, BuildResult, GoModule } from '../../src/model.js';
import { artifactNameFor, downloadBuildArtifacts, MANIFEST_NAME, uploadBuildArtifact, type ArtifactStore } from '../../src/publish/artifact.js';
import { sbomDocument } from '../../src/package/sbom.js';
import { SUPPORTED_TARGETS } from '../../src/plan/targets.js';
import { spdxSchemaErrors, spdxViolations } from '../support/spdx.js';
import { computeFingerprint } from '../../src/publish/fingerprint.js';
import { BUILD_INFO_NAME } from '../../src/shared/reserved-names.js';
import { LOCK_NAME } from '../../src/publish/lock.js';
import { parseBuildInfo, parseChecksums } from '../../src/shared/release-files.js';
import { publishRelease } from '../../src/publish/publish-release.js';
import { baseParts, clientFor, fastTiming, makeArchives, memoryLog, publishRequest, tempDir, withServer } from './helpers.js';

/** The artifact service as a folder: one sub-folder per artifact. */
function folderStore(
  root: string,
): ArtifactStore & { uploads: Array<{ name: string; files: string[]; retentionDays: number | undefined }>; deleted: string[] } {
  const artifacts: Array<{ id: number; name: string }> = [];
  const uploads: Array<{ name: string; files: string[]; retentionDays: number | undefined }> = [];
  const deleted: string[] = [];
  return {
    uploads,
    deleted,
    upload: async (name, files, rootDirectory, retentionDays) => {
      if (artifacts.some((artifact) => artifact.name === name)) throw new Error(`artifact ${name} already exists`);
      const folder = path.join(root, name);
      await mkdir(folder, { recursive: true });
      for (const file of files) await cp(file, path.join(folder, path.relative(rootDirectory, file)));
      artifacts.push({ id: artifacts.length + 1, name });
      uploads.push({ name, files: files.map((file) => path.relative(rootDirectory, file)), retentionDays });
    },
    list: async () => [...artifacts],
    download: async (id, destination) => {
      const artifact = artifacts.find((item) => item.id === id);
      if (artifact === undefined) throw new Error(`no artifact ${id}`);
      await cp(path.join(root, artifact.name), destination, { recursive: true });
    },
    delete: async (name) => {
      const index = artifacts.findIndex((artifact) => artifact.name === name);
      if (index >= 0) artifacts.splice(index, 1);
      deleted.push(name);
    },
  };
}

const IMAGES = (['shadow', 'router', 'navigator'] as const).map((role) => ({
  name: `kt-connect-${role}`,
  source: `registry.cn-hangzhou.aliyuncs.com/rdc-incubator/kt-connect-${role}:v0.3.7`,
  target: `registry.example.com:5000/kt-connect-${role}:v0.3.7`,
}));

/** Modules as `go version -m` gives them: one shared by every target, one only on arm64, one replaced. */
function modulesOf(arch: string): GoModule[] {
  const cobra = { path: 'github.com/spf13/cobra', version: 'v1.4.0', sum: 'h1:y+wJpx64xcgO1V+RcnwW0LEHxTKRi2ZDPSBjWnrg88Q=' };
  const tun = {
    path: 'github.com/xjasonlyu/tun2socks/v2',
    version: 'v2.4.1',
    sum: undefined,
    replacedBy: {
      path: 'github.com/linfan/tun2socks/v2',
      version: 'v2.4.2-0.20220501073000-b3b2d1a8c5a6',
      sum: 'h1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=',
    },
  };
  const sys = { path: 'golang.org/x/sys', version: 'v0.0.0-20220405210540-1e041c57c461', sum: 'h1:kHVeDEnfKn3T238CvrUcz6KeEsFHVaKh4kMTt6Wsysg=' };
  return arch === 'arm64' ? [cobra, tun, sys] : [cobra, tun];
}

async function buildJob(
  dir: string,
  targets: ReadonlyArray<Pick<Asset, 'os' | 'arch'>>,
  version = '0.3.7',
  /** A job of the previous version of the action: its manifest has neither an SBOM part nor images. */
  previousVersion = false,
): Promise<{ build: BuildResult; fingerprint: string }> {
  await mkdir(dir, { recursive: true });
  const fingerprint = computeFingerprint(baseParts({ targets, version }));
  const names = targets.map((target) => `ktctl_${version}_${target.os}_${target.arch}.tar.gz`);
  const files = await makeArchives(dir, names, fingerprint);
  const checksumsFile = path.join(dir, `ktctl_${version}_checksums.txt`);
  await writeFile(checksumsFile, files.map((file) => `${file.sha256}  ${file.name}\n`).join(''));
  return {
    fingerprint,
    build: {
      version,
      upstream: { tag: `v${version}`, commit: 'c'.repeat(40) },
      goVersion: '1.20.14',
      checksumsFile,
      assets: files.map((file, index) => ({
        name: file.name,
        path: file.path,
        os: targets[index]?.os ?? 'linux',
        arch: targets[index]?.arch ?? 'amd64',
        size: file.size,
        sha256: file.sha256,
      })),
      ...(previousVersion
        ? {}
        : {
            images: IMAGES,
            sbom: {
              module: 'github.com/alibaba/kt-connect',
              upstreamUrl: 'https://git.example.com/mirror/kt-connect.git',
              targets: files.map((file, index) => ({
                target: targets[index]!,
                archiveName: file.name,
                archiveSha256: file.sha256,
                buildInfo: { deps: modulesOf(targets[index]!.arch) },
              })),
            },
          }),
    },
  };
}

const upload = (store: ArtifactStore, job: { build: BuildResult; fingerprint: string }, log = memoryLog()) =>
  uploadBuildArtifact(
    store,
    {
      prefix: 'ktctl-archives',
      build: job.build,
      fingerprint: job.fingerprint,
      checksumsName: `ktctl_${job.build.version}_checksums.txt`,
      retentionDays: 3,
      serverUrl: 'https://github.com',
      ghes: false,
    },
    log,
  );

test('artifact names are per target set', () => {
  assert.equal(
    artifactNameFor('ktctl', [
      { os: 'windows', arch: '386' },
      { os: 'linux', arch: 'amd64' },
    ]),
    'ktctl-linux-amd64_windows-386',
  );
  const all = artifactNameFor('ktctl', SUPPORTED_TARGETS);
  assert.match(all, /^ktctl-8-targets-[0-9a-f]{12}$/);
});

test('build jobs upload archives and a manifest; the publish job collects, checks and publishes them once', async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const store = folderStore(path.join(dir, 'service'));
    const linux = await buildJob(path.join(dir, 'job1'), [
      { os: 'linux', arch: 'amd64' },
      { os: 'linux', arch: 'arm64' },
    ]);
    const mac = await buildJob(path.join(dir, 'job2'), [{ os: 'darwin', arch: 'arm64' }]);
    assert.equal(await upload(store, linux), 'ktctl-archives-linux-amd64_linux-arm64');
    assert.equal(await upload(store, mac), 'ktctl-archives-darwin-arm64');
    assert.deepEqual(store.uploads[0]?.files.sort(), [...linux.build.assets.map((asset) => asset.name), MANIFEST_NAME].sort());
    assert.equal(store.uploads[0]?.retentionDays, 3);
    const manifest = JSON.parse(await readFile(path.join(dir, 'job1', MANIFEST_NAME), 'utf8')) as { fingerprint: string; assets: unknown[] };
    assert.equal(manifest.fingerprint, linux.fingerprint);
    assert.equal(manifest.assets.length, 2);

    const log = memoryLog();
    const collected = await downloadBuildArtifacts(store, { prefix: 'ktctl-archives', destination: path.join(dir, 'download') }, log);
    assert.ok(collected);
    assert.equal(collected.version, '0.3.7');
    assert.equal(collected.assets.length, 3);
    assert.ok(collected.assets.every((asset) => asset.path.startsWith(path.join(dir, 'download'))));
    assert.notEqual(collected.fingerprint, linux.fingerprint, 'two jobs: a combined fingerprint');
    assert.deepEqual(
      new Map(collected.files.map((file) => [file.name, file.fingerprint])),
      new Map([
        ...linux.build.assets.map((asset) => [asset.name, linux.fingerprint] as const),
        ...mac.build.assets.map((asset) => [asset.name, mac.fingerprint] as const),
      ]),
    );

    await withServer({}, async (server) => {
      const result = await publishRelease(clientFor(server, log), publishRequest(collected.files, { checksumsName: collected.checksumsName }), log, fastTiming);
      assert.equal(result.draft, false);
      const [release, ...others] = server.releaseViews();
      assert.equal(others.length, 0);
      assert.equal(server.events.length, 1, 'published once');
      assert.equal(server.events[0]?.assets.length, 5, 'with all three archives, checksums and build-info in');
      assert.ok(!server.events[0]?.assets.includes(LOCK_NAME), 'the lock is removed before publishing');
      const checksums = parseChecksums(release?.assets.find((asset) => asset.name === 'ktctl_0.3.7_checksums.txt')?.text ?? '');
      for (const asset of collected.assets) assert.equal(checksums.get(asset.name), asset.sha256);
      const info = parseBuildInfo(release?.assets.find((asset) => asset.name === BUILD_INFO_NAME)?.text);
      assert.equal(info.get('ktctl_0.3.7_darwin_arm64.tar.gz')?.fingerprint, mac.fingerprint);
      assert.equal(info.get('ktctl_0.3.7_linux_amd64.tar.gz')?.fingerprint, linux.fingerprint);
    });
  } finally {
    await cleanup();
  }
});

test('matrix: each job’s manifest carries its modules, and the publish job writes one SBOM for every target that validates against SPDX 2.3', async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const store = folderStore(path.join(dir, 'service'));
    const linux = await buildJob(path.join(dir, 'job1'), [
      { os: 'linux', arch: 'amd64' },
      { os: 'linux', arch: 'arm64' },
    ]);
    const windows = await buildJob(path.join(dir, 'job2'), [{ os: 'windows', arch: 'amd64' }]);
    await upload(store, linux);
    await upload(store, windows);
    const manifest = JSON.parse(await readFile(path.join(dir, 'job1', MANIFEST_NAME), 'utf8')) as { sbom: { targets: Array<{ deps: unknown[] }> } };
    assert.deepEqual(
      manifest.sbom.targets.map((target) => target.deps.length),
      [2, 3],
    );

    const collected = await downloadBuildArtifacts(store, { prefix: 'ktctl-archives', destination: path.join(dir, 'download') }, memoryLog());
    assert.ok(collected?.sbom);
    const doc = sbomDocument({
      ...collected.sbom,
      version: collected.version,
      upstream: collected.upstream,
      goVersion: collected.goVersion,
      actionVersion: '1.0.0',
      created: new Date(),
    });
    assert.deepEqual(spdxSchemaErrors(doc), []);
    assert.deepEqual(spdxViolations(doc), []);
    const binaries = doc.packages.filter((p) => p.name.startsWith('ktctl '));
    assert.deepEqual(binaries.map((p) => p.name).sort(), ['ktctl linux/amd64', 'ktctl linux/arm64', 'ktctl windows/amd64']);
    for (const binary of binaries) {
      assert.equal(
        binary.checksums?.[0]?.checksumValue,
        collected.assets.find((asset) => asset.name === binary.packageFileName)?.sha256,
        'the archive hash the publish job checked',
      );
    }
    const modules = doc.packages.filter((p) => p.primaryPackagePurpose === 'LIBRARY').map((p) => `${p.name}@${p.versionInfo}`);
    assert.deepEqual(modules.sort(), [
      'github.com/linfan/tun2socks/v2@v2.4.2-0.20220501073000-b3b2d1a8c5a6',
      'github.com/spf13/cobra@v1.4.0',
      'golang.org/x/sys@v0.0.0-20220405210540-1e041c57c461',
    ]);
    assert.equal(
      doc.packages.find((p) => p.primaryPackagePurpose === 'SOURCE')?.downloadLocation,
      `git+https://git.example.com/mirror/kt-connect.git@${'c'.repeat(40)}`,
    );
    assert.deepEqual(collected.images, IMAGES, 'the images list the jobs agree on');

    // a job of an older version (no SBOM part): the release goes out without an SBOM, and the log says why
    const mixed = folderStore(path.join(dir, 'service2'));
    await upload(mixed, linux);
    await upload(mixed, await buildJob(path.join(dir, 'job3'), [{ os: 'darwin', arch: 'arm64' }], '0.3.7', true));
    const log = memoryLog();
    const partial = await downloadBuildArtifacts(mixed, { prefix: 'ktctl-archives', destination: path.join(dir, 'download2') }, log);
    assert.equal(partial?.assets.length, 3);
    assert.equal(partial?.sbom, undefined);
    assert.equal(partial?.images, undefined, 'its images are not known either');
    assert.match(log.warnings.join('\n'), /has no SBOM part .*the release gets no SBOM and no images.txt/);

    // jobs that would mirror the images to different places cannot make one images.txt
    const split = folderStore(path.join(dir, 'service3'));
    await upload(split, linux);
    const elsewhere = await buildJob(path.join(dir, 'job4'), [{ os: 'darwin', arch: 'amd64' }]);
    await upload(split, {
      ...elsewhere,
      build: { ...elsewhere.build, images: IMAGES.map((image) => ({ ...image, target: image.target.replace('example.com', 'example.org') })) },
    });
    await assert.rejects(
      downloadBuildArtifacts(split, { prefix: 'ktctl-archives', destination: path.join(dir, 'download3') }, memoryLog()),
      /the build jobs disagree: ktctl-archives-linux-amd64_linux-arm64 lists other images than another job/,
    );
  } finally {
    await cleanup();
  }
});

test('a re-run replaces its own artifact instead of failing on the name', async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const store = folderStore(path.join(dir, 'service'));
    const job = await buildJob(path.join(dir, 'job'), [{ os: 'linux', arch: 'amd64' }]);
    await upload(store, job);
    await upload(store, job);
    assert.deepEqual(store.deleted, ['ktctl-archives-linux-amd64']);
    assert.equal((await store.list()).length, 1);
  } finally {
    await cleanup();
  }
});

test('a damaged artifact, or jobs that built different tags, stop the publish job with a clear error', async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const store = folderStore(path.join(dir, 'service'));
    const job = await buildJob(path.join(dir, 'job'), [{ os: 'linux', arch: 'amd64' }]);
    await upload(store, job);
    const stored = path.join(dir, 'service', 'ktctl-archives-linux-amd64', job.build.assets[0]?.name ?? '');
    await writeFile(stored, 'truncated');
    await assert.rejects(
      downloadBuildArtifacts(store, { prefix: 'ktctl-archives', destination: path.join(dir, 'd1') }, memoryLog()),
      /ktctl_0\.3\.7_linux_amd64\.tar\.gz in artifact ktctl-archives-linux-amd64 is missing or does not match its manifest/,
    );

    const other = folderStore(path.join(dir, 'service2'));
    await upload(other, await buildJob(path.join(dir, 'a'), [{ os: 'linux', arch: 'amd64' }], '0.3.7'));
    await upload(other, await buildJob(path.join(dir, 'b'), [{ os: 'linux', arch: 'arm64' }], '0.3.8'));
    await assert.rejects(
      downloadBuildArtifacts(other, { prefix: 'ktctl-archives', destination: path.join(dir, 'd2') }, memoryLog()),
      /the build jobs disagree.*Pin kt-connect-version/,
    );
  } finally {
    await cleanup();
  }
});

test('no artifacts (every build job skipped an unchanged build) means nothing to publish', async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const store = folderStore(path.join(dir, 'service'));
    const log = memoryLog();
    assert.equal(await downloadBuildArtifacts(store, { prefix: 'ktctl-archives', destination: path.join(dir, 'd') }, log), undefined);
    assert.match(log.infos.join('\n'), /nothing new to publish/);
    // Artifacts of other names are not ours.
    await store.upload('coverage', [], dir, undefined);
    assert.equal(await downloadBuildArtifacts(store, { prefix: 'ktctl-archives', destination: path.join(dir, 'd') }, log), undefined);
  } finally {
    await cleanup();
  }
});

test('GHES: the artifact is skipped with a warning that says why, and the release goes on', async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const store = folderStore(path.join(dir, 'service'));
    const job = await buildJob(path.join(dir, 'job'), [{ os: 'linux', arch: 'amd64' }]);
    const log = memoryLog();
    const name = await uploadBuildArtifact(
      store,
      {
        prefix: 'ktctl-archives',
        build: job.build,
        fingerprint: job.fingerprint,
        checksumsName: 'c.txt',
        retentionDays: undefined,
        serverUrl: 'https://ghes.example.com',
        ghes: true,
      },
      log,
    );
    assert.equal(name, undefined);
    assert.equal(store.uploads.length, 0);
    assert.match(
      log.warnings.join('\n'),
      /https:\/\/ghes\.example\.com is GitHub Enterprise Server.*not uploaded as a workflow artifact\. The release goes on\./,
    );

    // The same when the library itself says so.
    const refusing: ArtifactStore = { ...store, upload: async () => Promise.reject(new GHESNotSupportedError()) };
    const log2 = memoryLog();
    assert.equal(await upload(refusing, job, log2), undefined);
    assert.match(log2.warnings.join('\n'), /GitHub Enterprise Server/);
    // Other failures are errors naming the artifact.
    const broken: ArtifactStore = { ...store, upload: async () => Promise.reject(new Error('Unable to get the ACTIONS_RUNTIME_TOKEN env variable')) };
    await assert.rejects(upload(broken, job), /upload-artifact: could not upload ktctl-archives-linux-amd64: Unable to get the ACTIONS_RUNTIME_TOKEN/);
    assert.deepEqual(await readdir(path.join(dir, 'job')).then((files) => files.includes(MANIFEST_NAME)), true);
  } finally {
    await cleanup();
  }
});

test('mode publish: downloaded archives are 0600 in 0700 folders, whatever mode the artifact client gave them; a link in an artifact is left as it is, never followed', async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const store = folderStore(path.join(dir, 'service'));
    const job = await buildJob(path.join(dir, 'job'), [{ os: 'linux', arch: 'amd64' }]);
    const name = (await upload(store, job))!;
    // the artifact client writes with the runner's umask: 0644 files in 0755 folders
    const served = path.join(dir, 'service', name);
    await chmod(served, 0o755);
    for (const file of await readdir(served)) await chmod(path.join(served, file), 0o644);
    const victim = path.join(dir, 'victim.txt');
    await writeFile(victim, 'a file of the runner\n');
    await chmod(victim, 0o644);
    await symlink(victim, path.join(served, 'planted-link'));
    const destination = path.join(dir, 'download');
    const collected = await downloadBuildArtifacts(store, { prefix: 'ktctl-archives', destination }, memoryLog());
    assert.ok(collected);
    const modeOf = async (file: string): Promise<number> => (await lstat(file)).mode & 0o777;
    assert.equal(await modeOf(path.join(destination, name)), 0o700);
    for (const asset of collected.assets) assert.equal(await modeOf(asset.path), 0o600, asset.name);
    assert.equal(await modeOf(path.join(destination, name, MANIFEST_NAME)), 0o600);
    assert.equal(await modeOf(victim), 0o644, 'the link target is untouched');
  } finally {
    await cleanup();
  }
});

/** The job with its archive for `target` renamed to `name` (as another asset-name-template would name it), on disk too. */
async function renamedArchive(job: { build: BuildResult; fingerprint: string }, name: string): Promise<{ build: BuildResult; fingerprint: string }> {
  const [asset, ...rest] = job.build.assets;
  assert.ok(asset);
  const moved = path.join(path.dirname(asset.path), name);
  await cp(asset.path, moved);
  const sbom = job.build.sbom;
  return {
    ...job,
    build: {
      ...job.build,
      assets: [{ ...asset, name, path: moved }, ...rest],
      ...(sbom === undefined
        ? {}
        : { sbom: { ...sbom, targets: sbom.targets.map((target) => (target.archiveName === asset.name ? { ...target, archiveName: name } : target)) } }),
    },
  };
}

test('manifests that disagree: one target built twice under two names, another Go, another tag: refused, naming the artifacts', async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const collect = async (jobs: ReadonlyArray<{ build: BuildResult; fingerprint: string }>, at: string) => {
      const store = folderStore(path.join(dir, `service-${at}`));
      for (const job of jobs) await upload(store, job);
      return downloadBuildArtifacts(store, { prefix: 'ktctl-archives', destination: path.join(dir, `download-${at}`) }, memoryLog());
    };
    const linux = await buildJob(path.join(dir, 'job1'), [{ os: 'linux', arch: 'amd64' }]);
    const both = await buildJob(path.join(dir, 'job2'), [
      { os: 'linux', arch: 'amd64' },
      { os: 'linux', arch: 'arm64' },
    ]);
    // linux/amd64 from both jobs, under another name in the second: the SBOM would hold its SPDXID twice
    await assert.rejects(
      collect([linux, await renamedArchive(both, 'ktctl-linux-amd64.tar.gz')], 'twice'),
      /the build jobs disagree: linux\/amd64 is built twice, as ktctl-linux-amd64\.tar\.gz in ktctl-archives-linux-amd64_linux-arm64 and as ktctl_0\.3\.7_linux_amd64\.tar\.gz in ktctl-archives-linux-amd64\. Give each matrix job its own targets/,
    );
    // the same archive (same name, same bytes) from two jobs is one target, and the SBOM stays valid SPDX
    const twin = await collect([linux, { ...linux, build: { ...linux.build } }], 'twin');
    assert.equal(twin?.assets.length, 1);

    const mac = await buildJob(path.join(dir, 'job3'), [{ os: 'darwin', arch: 'arm64' }]);
    await assert.rejects(
      collect([linux, { ...mac, build: { ...mac.build, goVersion: '1.19.13' } }], 'go'),
      /the build jobs disagree: ktctl-archives-linux-amd64 was built with Go 1\.20\.14, ktctl-archives-darwin-arm64 with Go 1\.19\.13\. Pin go-version/,
    );
    await assert.rejects(
      collect([linux, { ...mac, build: { ...mac.build, upstream: { ...mac.build.upstream, tag: 'v0.3.7-hotfix' } } }], 'tag'),
      /the build jobs disagree: ktctl-archives-linux-amd64 built kt-connect v0\.3\.7 \(c{40}\), ktctl-archives-darwin-arm64 built v0\.3\.7-hotfix .*Pin kt-connect-version/,
    );

    // agreeing jobs: one SBOM over every target, each SPDXID once
    const agreed = await collect([linux, mac, await buildJob(path.join(dir, 'job4'), [{ os: 'windows', arch: 'amd64' }])], 'ok');
    assert.ok(agreed?.sbom);
    const doc = sbomDocument({
      ...agreed.sbom,
      version: agreed.version,
      upstream: agreed.upstream,
      goVersion: agreed.goVersion,
      actionVersion: '1',
      created: new Date(),
    });
    assert.deepEqual(spdxViolations(doc), []);
    const ids = doc.packages.map((item) => item.SPDXID);
    assert.equal(new Set(ids).size, ids.length);
  } finally {
    await cleanup();
  }
});

test('a manifest, with or without an SBOM part, may not name an archive images.txt or the SBOM: the action’s own names', async () => {
  const { dir, cleanup } = await tempDir();
  try {
    let at = 0;
    for (const name of ['images.txt', 'ktctl_0.3.7_sbom.spdx.json']) {
      for (const previousVersion of [true, false]) {
        at += 1;
        const store = folderStore(path.join(dir, `service-${at}`));
        const job = await buildJob(path.join(dir, `job-${at}`), [{ os: 'linux', arch: 'amd64' }], '0.3.7', previousVersion);
        await upload(store, await renamedArchive(job, name));
        await assert.rejects(
          downloadBuildArtifacts(store, { prefix: 'ktctl-archives', destination: path.join(dir, `download-${at}`) }, memoryLog()),
          new RegExp(
            `artifact ktctl-archives-linux-amd64 names archive 1 ${name.replace(/\./g, '\\.')}, a name the action uses itself: change asset-name-template`,
          ),
        );
      }
    }
  } finally {
    await cleanup();
  }
});
