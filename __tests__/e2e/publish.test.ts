// The bundled action publishing to a local server that speaks GitHub's REST API (checked
// against GitHub's OpenAPI description), uploads on a separate host as GitHub does.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { GitHubServer } from '../support/github-server.js';
import { createWorld, KT_CONFIG, KUBECONFIG, type World } from '../support/e2e-setup.js';
import { runAction, withoutMaskCommands, type ActionRun } from '../support/run-action.js';
import { sha256 } from '../support/downloads.js';
import { allOnly } from '../support/test-scope.js';

const SHA = '1234567890abcdef1234567890abcdef12345678';
const ARCHIVES = ['ktctl_0.3.7_Linux_x86_64.zip', 'ktctl_0.3.7_Windows_x86_64.zip'];

describe('publishing releases', { concurrency: false }, () => {
  let world: World;
  let github: GitHubServer;
  let dirs: ReturnType<World['newRunner']>;

  before(async () => {
    world = await createWorld({ caches: 'shared' });
    github = await GitHubServer.start();
    dirs = world.newRunner();
  });
  after(async () => {
    await github.close();
    await world.close();
  });

  const publish = (options: { ref: string; token?: string; kubeconfig?: string; inputs?: Record<string, string> }): Promise<ActionRun> =>
    runAction({
      dirs,
      env: {
        ...world.env,
        ...github.workflowEnv(options.ref, SHA),
      },
      inputs: {
        ...world.inputs,
        publish: 'true',
        'github-token': options.token ?? 'write-token',
        kubeconfig: options.kubeconfig ?? KUBECONFIG,
        'kt-config': KT_CONFIG,
        targets: 'linux/amd64,windows/amd64',
        upx: 'false',
        ...options.inputs,
      },
    });

  test('a tag-triggered run publishes one release holding every archive, the checksums and the build info', async () => {
    const run = await publish({ ref: 'refs/tags/ktctl-2026.11' });
    assert.equal(run.code, 0, run.stdout);
    const releases = github.releaseViews('ktctl-2026.11');
    assert.equal(releases.length, 1);
    const [release] = releases;
    assert.equal(release!.draft, false);
    assert.equal(release!.targetCommitish, SHA);
    assert.deepEqual(
      release!.assets.map((a) => a.name).sort(),
      [...ARCHIVES, 'build-info.json', 'install.ps1', 'install.sh', 'ktctl_0.3.7_checksums.txt', 'ktctl_0.3.7_sbom.spdx.json'].sort(),
    );
    assert.equal(run.outputs['skipped'], 'false');
    assert.equal(run.outputs['release-id'], String(release!.id));
    assert.match(run.outputs['release-url'] ?? '', /ktctl-2026\.11/);
    const assets = JSON.parse(run.outputs['assets'] ?? '[]') as { name: string; url: string; sha256: string; path: string }[];
    for (const asset of assets) {
      assert.match(asset.url, /^https?:\/\//);
      assert.equal(release!.assets.find((a) => a.name === asset.name)?.sha256, sha256(asset.path), asset.name);
    }
    const checksums = release!.assets.find((a) => a.name === 'ktctl_0.3.7_checksums.txt')!.text;
    for (const asset of assets) assert.ok(checksums.includes(`${asset.sha256}  ${asset.name}`));
    // the SBOM is published beside the archives, with its checksum line
    assert.ok(checksums.includes(`${sha256(run.outputs['sbom-file']!)}  ktctl_0.3.7_sbom.spdx.json`));
    assert.equal(release!.assets.find((a) => a.name === 'ktctl_0.3.7_sbom.spdx.json')?.contentType, 'application/json');
    // a release this run created gets the generated notes; the summary shows them too
    for (const text of [
      'kt-connect v0.3.7',
      'Go ',
      '`global.image`',
      'context `test-context`',
      'gh release download ktctl-2026.11 --repo',
      'sha256sum -c',
      'Get-FileHash',
    ]) {
      assert.ok(release!.body?.includes(text), text);
      assert.ok(run.summary.includes(text), `summary: ${text}`);
    }
    // attestation defaults to false: no `gh attestation verify` that would fail for every download
    assert.ok(!release!.body?.includes('gh attestation'), 'no attestation line by default');
    assert.ok(!run.summary.includes('gh attestation'), 'summary: no attestation line by default');
    assert.match(run.summary, /ktctl-2026\.11/);
    assert.deepEqual(github.violations, []);
  });

  test('attestation: true (the workflow attests after this step) puts gh attestation verify into the notes', async () => {
    const run = await publish({ ref: 'refs/tags/ktctl-2026.11-attested', inputs: { attestation: 'true' } });
    assert.equal(run.code, 0, run.stdout);
    const body = github.releaseViews('ktctl-2026.11-attested')[0]!.body ?? '';
    const line = `gh attestation verify ${ARCHIVES[0]} --repo ${github.owner}/${github.repo}`;
    assert.ok(body.includes(line), line);
    assert.ok(run.summary.includes(line), `summary: ${line}`);
  });

  test('a release-body replaces the body of an existing release; without it the body is kept', async () => {
    const custom = await publish({ ref: 'refs/tags/ktctl-2026.11', inputs: { 'skip-unchanged': 'false', 'release-body': 'Internal build, see the wiki.' } });
    assert.equal(custom.code, 0, custom.stdout);
    assert.equal(github.releaseViews('ktctl-2026.11')[0]!.body, 'Internal build, see the wiki.');
    const kept = await publish({ ref: 'refs/tags/ktctl-2026.11', inputs: { 'skip-unchanged': 'false' } });
    assert.equal(kept.code, 0, kept.stdout);
    assert.equal(github.releaseViews('ktctl-2026.11')[0]!.body, 'Internal build, see the wiki.', 'generated notes fill only a new release');
  });

  test('the same inputs again skip: no checkout, no build, well under 15 s', async () => {
    const downloadsBefore = world.server.requests.length;
    const started = Date.now();
    const run = await publish({ ref: 'refs/tags/ktctl-2026.11' });
    const seconds = (Date.now() - started) / 1000;
    assert.equal(run.code, 0, run.stdout);
    assert.equal(run.outputs['skipped'], 'true');
    assert.ok(seconds < 15, `${seconds}s`);
    assert.ok(!run.stdout.includes('Check out kt-connect'), 'no checkout');
    assert.equal(world.server.requests.length, downloadsBefore, 'no download');
    assert.equal(github.releaseViews('ktctl-2026.11').length, 1);
  });

  test('a rotated kubeconfig rebuilds and replaces the archives in the same release', async () => {
    const before = github.releaseViews('ktctl-2026.11')[0]!;
    const rotated = KUBECONFIG.replace(/token: \S+/, 'token: rotated-token-fedcba9876543210');
    const run = await publish({ ref: 'refs/tags/ktctl-2026.11', kubeconfig: rotated });
    assert.equal(run.code, 0, run.stdout);
    assert.equal(run.outputs['skipped'], 'false');
    const after = github.releaseViews('ktctl-2026.11');
    assert.equal(after.length, 1);
    for (const name of ARCHIVES) {
      assert.notEqual(after[0]!.assets.find((a) => a.name === name)?.sha256, before.assets.find((a) => a.name === name)?.sha256, name);
    }
    assert.ok(!withoutMaskCommands(run.stdout + run.stderr).includes('rotated-token-fedcba9876543210'), 'the new token is masked');
  });

  test(
    'a re-publish that fails in the middle of its swap puts the old set back; the next run replaces it',
    allOnly('publish/replace.test.ts (a fault at every step of the swap)'),
    async () => {
      const view = () => {
        const release = github.releaseViews('ktctl-2026.11')[0]!;
        const checksums = release.assets.find((a) => a.name === 'ktctl_0.3.7_checksums.txt')!.text;
        // every archive matches its line of the checksums file, as `sha256sum -c` would check
        for (const name of ARCHIVES) assert.ok(checksums.includes(`${release.assets.find((a) => a.name === name)?.sha256}  ${name}\n`), name);
        assert.ok(!release.assets.some((a) => a.name.startsWith('ktctl-tmp-')), 'no working copies left');
        return release.assets.map((a) => `${a.name} ${a.sha256}`).sort();
      };
      const before = view();
      const rotated = KUBECONFIG.replace(/token: \S+/, 'token: rotated-again-0123456789abcdef');
      // Renames 1-4 swap in the interim checksums file and build-info.json, 5 sets the first archive
      // aside; the 6th, its new copy taking the name, is refused.
      github.inject({ op: 'repos/update-release-asset', skip: 5, fault: { kind: 'status', status: 422, message: 'Validation Failed' } });
      const failed = await publish({ ref: 'refs/tags/ktctl-2026.11', kubeconfig: rotated });
      github.clearFaults();
      assert.notEqual(failed.code, 0);
      const error = failed.stdout.split('\n').find((line) => line.startsWith('::error::'));
      assert.ok(error?.includes('was put back to its previous assets'), error);
      assert.deepEqual(view(), before, 'exactly the old assets again');

      const repaired = await publish({ ref: 'refs/tags/ktctl-2026.11', kubeconfig: rotated });
      assert.equal(repaired.code, 0, repaired.stdout);
      const after = view();
      for (const name of ARCHIVES) {
        assert.ok(!before.includes(after.find((line) => line.startsWith(`${name} `))!), `${name} was replaced`);
      }
      assert.deepEqual(github.violations, []);
    },
  );

  test('a scheduled run follows upstream: the release is named after the upstream tag', async () => {
    const run = await publish({ ref: 'refs/heads/main', inputs: { 'kt-connect-version': 'latest' } });
    assert.equal(run.code, 0, run.stdout);
    assert.equal(github.releaseViews('v0.3.7').length, 1);
    assert.equal(run.outputs['upstream-tag'], 'v0.3.7');
  });

  test('a read-only token fails with the permission to grant', async () => {
    const run = await publish({ ref: 'refs/tags/ktctl-readonly', token: 'read-token' });
    assert.notEqual(run.code, 0);
    const error = run.stdout.split('\n').find((line) => line.startsWith('::error::'));
    assert.ok(error?.includes('permissions: contents: write'), error);
    assert.equal(github.releaseViews('ktctl-readonly').filter((r) => !r.draft).length, 0, 'nothing published');
  });

  test('a public repository is refused before anything is built', async () => {
    github.visibility = 'public';
    const downloadsBefore = world.server.requests.length;
    const run = await publish({ ref: 'refs/tags/ktctl-public' });
    github.visibility = 'private';
    assert.notEqual(run.code, 0);
    const error = run.stdout.split('\n').find((line) => line.startsWith('::error::'));
    assert.ok(error?.includes('public repository') && error.includes('allow-public'), error);
    assert.equal(world.server.requests.length, downloadsBefore);
    assert.equal(github.releaseViews('ktctl-public').length, 0);
  });
});

// Issue 17, classes 7, 10 and 11, through the bundle: jobs of a mode: all matrix one after the
// other, a leftover of the action's own names, and a server that sends no digests.
describe(
  'publishing: several jobs, leftovers, servers without digests',
  { concurrency: false, ...allOnly('publish/sbom-merge.test.ts, publish/leftovers.test.ts, publish/digests.test.ts and e2e/publish-mode.test.ts') },
  () => {
    let world: World;
    let dirs: ReturnType<World['newRunner']>;
    const servers: GitHubServer[] = [];

    before(async () => {
      world = await createWorld({ caches: 'shared' });
      dirs = world.newRunner();
    });
    after(async () => {
      for (const server of servers) await server.close();
      await world.close();
    });

    const run = (github: GitHubServer, targets: string, inputs: Record<string, string> = {}): Promise<ActionRun> =>
      runAction({
        dirs,
        env: {
          ...world.env,
          ...github.workflowEnv('refs/tags/ktctl-matrix', SHA),
        },
        inputs: {
          ...world.inputs,
          publish: 'true',
          'github-token': 'write-token',
          kubeconfig: KUBECONFIG,
          'kt-config': KT_CONFIG,
          targets,
          upx: 'false',
          ...inputs,
        },
      });

    const sbomOf = (github: GitHubServer): { packages: Array<{ packageFileName?: string; checksums?: Array<{ checksumValue: string }> }> } =>
      JSON.parse(github.releaseViews('ktctl-matrix')[0]!.assets.find((a) => a.name === 'ktctl_0.3.7_sbom.spdx.json')!.text) as never;

    test('two mode: all jobs with different targets on one tag: the SBOM describes both archives; a stray …-old-ktctl-tmp-lock does not fail the next run', async () => {
      const github = await GitHubServer.start();
      servers.push(github);
      for (const targets of ['linux/amd64', 'windows/amd64']) {
        const job = await run(github, targets);
        assert.equal(job.code, 0, job.stdout);
      }
      const release = github.releaseViews('ktctl-matrix')[0]!;
      const described = sbomOf(github).packages.filter((p) => p.packageFileName !== undefined);
      assert.deepEqual(described.map((p) => p.packageFileName).sort(), ARCHIVES);
      for (const binary of described) {
        assert.equal(binary.checksums?.[0]?.checksumValue, release.assets.find((a) => a.name === binary.packageFileName)?.sha256);
      }

      github.addAsset(release.id, 'ktctl-tmp-0badc0de-old-ktctl-tmp-lock', 'a lock a killed swap set aside');
      const next = await run(github, 'linux/amd64', { 'skip-unchanged': 'false' });
      assert.equal(next.code, 0, `${next.stdout}\n${next.stderr}`);
      const after = github.releaseViews('ktctl-matrix')[0]!;
      assert.ok(!after.assets.some((a) => a.name.startsWith('ktctl-tmp-')), 'the leftover is gone');
      assert.deepEqual(
        sbomOf(github)
          .packages.filter((p) => p.packageFileName !== undefined)
          .map((p) => p.packageFileName)
          .sort(),
        ARCHIVES,
      );
      assert.deepEqual(github.violations, []);
    });

    test('a server without digests: a stale checksums line of an archive this run does not build is corrected', async () => {
      const github = await GitHubServer.start({ digests: 'omitted' });
      servers.push(github);
      const stale = 'ktctl_0.3.7_Darwin_arm64.zip';
      github.seedRelease({
        tag: 'ktctl-matrix',
        assets: [
          { name: stale, data: 'replaced by hand after the checksums were written' },
          { name: 'ktctl_0.3.7_checksums.txt', data: `${'0'.repeat(64)}  ${stale}\n` },
        ],
      });
      const job = await run(github, 'linux/amd64');
      assert.equal(job.code, 0, `${job.stdout}\n${job.stderr}`);
      const release = github.releaseViews('ktctl-matrix')[0]!;
      const checksums = release.assets.find((a) => a.name === 'ktctl_0.3.7_checksums.txt')!.text;
      const lines = checksums.trim().split('\n');
      assert.ok(lines.length >= 3);
      for (const line of lines) {
        const [sha, name] = line.split(/ {2}/);
        assert.equal(release.assets.find((a) => a.name === name)?.sha256, sha, `${name} matches its line`);
      }
      assert.deepEqual(github.violations, []);
    });
  },
);
