// `mode: publish` through the bundled action, on the artifacts two real `mode: build` jobs made
// (the fixture built for linux/amd64 and for linux/arm64, uploaded to the artifact stand-in):
// a manifest with Markdown or HTML in its tag or Go version is refused before any GitHub write,
// naming the artifact; a tag git allows but HTML does not is escaped in the notes and the job
// summary; jobs that disagree, or an archive under the action's own name, are refused with no
// GitHub write; on a repository with immutable releases a second publish makes <tag>-build.2.
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startArtifactServer, type ArtifactServer } from '../support/artifact-server.js';
import { createWorld, KT_CONFIG, KUBECONFIG, type World } from '../support/e2e-setup.js';
import { GitHubServer } from '../support/github-server.js';
import { runAction, withoutMaskCommands, type ActionRun } from '../support/run-action.js';

const SHA = 'abcdef1234567890abcdef1234567890abcdef12';
const PREFIX = 'ktctl-archives';
const MANIFEST = 'ktctl-build-manifest.json';
const TOKEN = /token: (\S+)/.exec(KUBECONFIG)![1]!;

/** A build job's artifact as the publish job downloads it: its name and a folder of its files. */
interface Job {
  readonly name: string;
  readonly folder: string;
}

interface Manifest {
  version: string;
  upstream: { tag: string; commit: string };
  goVersion: string;
  assets: Array<{ name: string; os: string; arch: string; size: number; sha256: string }>;
  sbom?: { targets: Array<{ archiveName: string }> };
}

function errorLines(run: ActionRun): string[] {
  return run.stdout.split('\n').filter((line) => line.startsWith('::error'));
}

/** Every request that could change something on GitHub. */
function writes(github: GitHubServer): string[] {
  return github.requests.filter((request) => request.method !== 'GET' && request.method !== 'HEAD').map((request) => `${request.method} ${request.path}`);
}

describe('mode: publish on real build jobs’ artifacts', { concurrency: false }, () => {
  let world: World;
  let artifacts: ArtifactServer;
  let amd64: Job;
  let arm64: Job;

  const githubEnv = (github: GitHubServer): NodeJS.ProcessEnv => ({
    ...world.env,
    ACTIONS_RESULTS_URL: artifacts.url,
    ACTIONS_RUNTIME_TOKEN: artifacts.token,
    GITHUB_API_URL: github.apiUrl,
    GITHUB_REPOSITORY: `${github.owner}/${github.repo}`,
    GITHUB_SHA: SHA,
    GITHUB_REF: 'refs/heads/main',
  });

  /** One `mode: build` job of a matrix: its artifact, unpacked into a folder of its own. */
  const buildJob = async (target: string, kubeconfig: string): Promise<Job> => {
    const github = await GitHubServer.start();
    try {
      artifacts.clear(); // a workflow run of its own
      const run = await runAction({
        dirs: world.newRunner(),
        env: githubEnv(github),
        inputs: {
          ...world.inputs,
          mode: 'build',
          'github-token': 'write-token',
          kubeconfig,
          'kt-config': KT_CONFIG,
          targets: target,
          upx: 'false',
        },
      });
      assert.equal(run.code, 0, errorLines(run).join('\n') || run.stdout);
      const [name, ...more] = artifacts.names();
      assert.ok(name !== undefined && more.length === 0, artifacts.names().join(', '));
      assert.deepEqual(writes(github), [], 'a build job writes nothing on GitHub');
      const folder = mkdtempSync(path.join(world.root, 'job-'));
      artifacts.extract(name, folder);
      return { name, folder };
    } finally {
      await github.close();
    }
  };

  const manifestOf = (job: Job): Manifest => JSON.parse(readFileSync(path.join(job.folder, MANIFEST), 'utf8')) as Manifest;

  /** A copy of `job` as artifact `name`, its manifest changed by `change` (which may rename archives in the copy's folder). */
  const tampered = (job: Job, name: string, change: (manifest: Manifest, folder: string) => void): Job => {
    const folder = mkdtempSync(path.join(world.root, 'tampered-'));
    cpSync(job.folder, folder, { recursive: true });
    const manifest = manifestOf({ name, folder });
    change(manifest, folder);
    writeFileSync(path.join(folder, MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
    return { name, folder };
  };

  /** Renames the archive of `manifest` to `to`, in the manifest, its SBOM part and the folder. */
  const renameArchive = (manifest: Manifest, folder: string, to: string): void => {
    const asset = manifest.assets[0]!;
    renameSync(path.join(folder, asset.name), path.join(folder, to));
    for (const target of manifest.sbom?.targets ?? []) if (target.archiveName === asset.name) target.archiveName = to;
    asset.name = to;
  };

  /** A `mode: publish` job of a new workflow run that holds exactly `jobs`' artifacts. */
  const publish = (github: GitHubServer, jobs: readonly Job[], inputs: Record<string, string> = {}): Promise<ActionRun> => {
    artifacts.clear();
    for (const job of jobs) artifacts.add(job.name, job.folder);
    return runAction({
      dirs: world.newRunner(),
      env: githubEnv(github),
      inputs: { mode: 'publish', publish: 'true', 'github-token': 'write-token', 'release-tag': 'ktctl-matrix', ...inputs },
    });
  };

  /** Refused with exactly `message` as the one error, nothing written on GitHub. */
  const assertRefused = async (jobs: readonly Job[], message: string): Promise<void> => {
    const github = await GitHubServer.start();
    try {
      const run = await publish(github, jobs);
      assert.notEqual(run.code, 0, run.stdout);
      assert.deepEqual(errorLines(run), [`::error::${message}`]);
      assert.deepEqual(writes(github), []);
      assert.deepEqual(github.releaseViews(), []);
      assert.deepEqual(github.violations, []);
    } finally {
      await github.close();
    }
  };

  before(async () => {
    world = await createWorld({ caches: 'shared' });
    artifacts = await startArtifactServer();
    amd64 = await buildJob('linux/amd64', KUBECONFIG);
    arm64 = await buildJob('linux/arm64', KUBECONFIG);
  });
  after(async () => {
    await artifacts.close();
    await world.close();
  });

  test('the build jobs’ artifacts: each an archive and a manifest from the real build', () => {
    assert.equal(amd64.name, `${PREFIX}-linux-amd64`);
    assert.equal(arm64.name, `${PREFIX}-linux-arm64`);
    const manifest = manifestOf(amd64);
    assert.equal(manifest.upstream.tag, 'v0.3.7');
    assert.deepEqual(
      manifest.assets.map((asset) => `${asset.os}/${asset.arch}`),
      ['linux/amd64'],
    );
  });

  describe('text from a build job’s manifest (issue 17, class 5)', () => {
    for (const [field, value, detail] of [
      ['upstream.tag', 'v0.3.7<img src=x onerror=alert(1)>', 'gives an upstream tag that is not a tag name git allows.'],
      ['goVersion', 'go1.19](javascript:x)', 'gives a Go version that is not one go.dev publishes (such as 1.19.13 or go1.21rc2).'],
      ['goVersion', '<b>1.19</b>', 'gives a Go version that is not one go.dev publishes (such as 1.19.13 or go1.21rc2).'],
    ] as const) {
      test(`${field} '${value}': refused before any GitHub write, naming the artifact`, async () => {
        const job = tampered(amd64, amd64.name, (manifest) => {
          if (field === 'upstream.tag') manifest.upstream.tag = value;
          else manifest.goVersion = value;
        });
        await assertRefused([job], `mode: publish: ${MANIFEST} in artifact ${amd64.name} ${detail}`);
      });
    }

    test('a tag git allows but HTML does not: escaped in the release notes and the job summary', async () => {
      // git allows < > & / _ in a tag name (not a space, '[' or '..')
      const odd = 'v0.3.7<b>x</b>&_y_';
      const jobs = [amd64, arm64].map((job) => tampered(job, job.name, (manifest) => void (manifest.upstream.tag = odd)));
      const github = await GitHubServer.start();
      try {
        const run = await publish(github, jobs);
        assert.equal(run.code, 0, errorLines(run).join('\n') || run.stdout);
        assert.equal(run.outputs['upstream-tag'], odd);
        const release = github.releaseViews('ktctl-matrix')[0]!;
        const body = release.body ?? '';
        assert.ok(body.includes('from kt-connect v0.3.7&#60;b&#62;x&#60;/b&#62;&#38;\\_y\\_ (commit'), body);
        assert.ok(!body.includes('<b>') && !body.includes('_y_'), body);
        assert.ok(run.summary.includes('Built from kt-connect v0.3.7&#60;b&#62;x&#60;/b&#62;&#38;_y_ ('), run.summary);
        assert.ok(!run.summary.includes('<b>') && !run.summary.includes('</b>'), 'no raw HTML from the manifest in the summary');
        // the SBOM is JSON: the tag as it is, read back for the merge on the release
        const sbom = JSON.parse(release.assets.find((asset) => asset.name === 'ktctl_0.3.7_sbom.spdx.json')!.text) as {
          packages: Array<{ SPDXID: string; versionInfo?: string }>;
        };
        assert.equal(sbom.packages.find((item) => item.SPDXID === 'SPDXRef-Package-kt-connect-source')?.versionInfo, odd);
        assert.deepEqual(github.violations, []);
      } finally {
        await github.close();
      }
    });
  });

  describe('build jobs that disagree, and the action’s own names (issue 17, class 6)', () => {
    test('one target under two archive names in two artifacts: refused naming both, no GitHub write', async () => {
      const again = tampered(amd64, `${amd64.name}-again`, (manifest, folder) => renameArchive(manifest, folder, 'ktctl-0.3.7-linux-amd64.zip'));
      const name = manifestOf(amd64).assets[0]!.name;
      await assertRefused(
        [amd64, again],
        `mode: publish: the build jobs disagree: linux/amd64 is built twice, as ktctl-0.3.7-linux-amd64.zip in ${again.name} and as ${name} in ${amd64.name}. ` +
          'Give each matrix job its own targets (the targets input) and every job the same asset-name-template.',
      );
    });

    test('two jobs on different Go versions: refused naming both, no GitHub write', async () => {
      const go = manifestOf(amd64).goVersion;
      const other = go === '1.19.1' ? '1.19.2' : '1.19.1';
      const older = tampered(arm64, arm64.name, (manifest) => void (manifest.goVersion = other));
      await assertRefused(
        [amd64, older],
        `mode: publish: the build jobs disagree: ${arm64.name} was built with Go ${other}, ${amd64.name} with Go ${go}. Pin go-version to one release (e.g. 1.19.13) in every job.`,
      );
    });

    test('an archive named images.txt: refused naming the artifact, no GitHub write', async () => {
      const job = tampered(amd64, amd64.name, (manifest, folder) => renameArchive(manifest, folder, 'images.txt'));
      await assertRefused(
        [job, arm64],
        `mode: publish: ${MANIFEST} in artifact ${amd64.name} names archive 1 images.txt, a name the action uses itself: change asset-name-template in that build job.`,
      );
    });
  });

  test('immutable releases (issue 18, part 2): a second publish with changed archives makes <tag>-build.2 and leaves the first untouched', async () => {
    const github = await GitHubServer.start();
    github.immutableReleases = true;
    try {
      const first = await publish(github, [amd64, arm64]);
      assert.equal(first.code, 0, errorLines(first).join('\n') || first.stdout);
      assert.equal(first.outputs['release-tag'], 'ktctl-matrix');
      const [release, ...others] = github.releaseViews();
      assert.equal(others.length, 0);
      assert.equal(release!.tag, 'ktctl-matrix');
      assert.equal(release!.immutable, true);
      const archives = [manifestOf(amd64), manifestOf(arm64)].map((manifest) => manifest.assets[0]!);
      for (const archive of archives) assert.equal(release!.assets.find((asset) => asset.name === archive.name)?.sha256, archive.sha256, archive.name);

      // the amd64 job again, with a rotated credential: another archive under the same name
      const rotated = await buildJob('linux/amd64', KUBECONFIG.replace(TOKEN, 'rotated-token-5e6f7a8b9c0d1e2f'));
      const changed = manifestOf(rotated).assets[0]!;
      assert.equal(changed.name, archives[0]!.name);
      assert.notEqual(changed.sha256, archives[0]!.sha256);
      const second = await publish(github, [rotated, arm64]);
      assert.equal(second.code, 0, errorLines(second).join('\n') || second.stdout);
      assert.equal(second.outputs['release-tag'], 'ktctl-matrix-build.2');
      const next = github.releaseViews('ktctl-matrix-build.2')[0]!;
      assert.equal(second.outputs['release-id'], String(next.id));
      assert.equal(next.immutable, true);
      assert.equal(next.latest, true);
      assert.equal(next.assets.find((asset) => asset.name === changed.name)?.sha256, changed.sha256);
      assert.match(next.body ?? '', /^This release supersedes `ktctl-matrix`/);
      assert.deepEqual(github.releaseViews('ktctl-matrix')[0], { ...release!, latest: false }, 'the first release is as it was');
      assert.deepEqual(github.calls('repos/upload-release-asset', 422), []);
      assert.deepEqual(github.calls('repos/delete-release-asset', 422), []);
      assert.ok(!withoutMaskCommands(second.stdout + second.stderr).includes('rotated-token-5e6f7a8b9c0d1e2f'));
      assert.deepEqual(github.violations, []);
    } finally {
      await github.close();
    }
  });
});
