// The bundled action against a repository with GitHub's immutable releases on (the local
// stand-in locks releases as GitHub does): the first release, a skip, a rotation that publishes
// <tag>-build.2, and a skip that finds the newest release of the series.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { GitHubServer } from '../support/github-server.js';
import { createWorld, KT_CONFIG, KUBECONFIG, type World } from '../support/e2e-setup.js';
import { runAction, withoutMaskCommands, type ActionRun } from '../support/run-action.js';

const SHA = '1234567890abcdef1234567890abcdef12345678';
const TAG = 'ktctl-2026.12';
const ARCHIVES = ['ktctl_0.3.7_Linux_x86_64.zip', 'ktctl_0.3.7_Windows_x86_64.zip'];
const ROTATED = KUBECONFIG.replace(/token: \S+/, 'token: rotated-token-0a1b2c3d4e5f6789');

describe('publishing with immutable releases on', { concurrency: false }, () => {
  let world: World;
  let github: GitHubServer;
  let dirs: ReturnType<World['newRunner']>;

  before(async () => {
    world = await createWorld({ caches: 'shared' });
    github = await GitHubServer.start();
    github.immutableReleases = true;
    dirs = world.newRunner();
  });
  after(async () => {
    await github.close();
    await world.close();
  });

  const publish = (kubeconfig: string): Promise<ActionRun> =>
    runAction({
      dirs,
      env: {
        ...world.env,
        ...github.workflowEnv('refs/heads/main', SHA),
      },
      inputs: {
        ...world.inputs,
        publish: 'true',
        'github-token': 'write-token',
        'release-tag': TAG,
        kubeconfig,
        'kt-config': KT_CONFIG,
        targets: 'linux/amd64,windows/amd64',
        upx: 'false',
      },
    });

  test('the first release is published complete, locked, without the action’s lock asset', async () => {
    const run = await publish(KUBECONFIG);
    assert.equal(run.code, 0, run.stdout);
    assert.equal(run.outputs['release-tag'], TAG);
    const [release, ...others] = github.releaseViews();
    assert.equal(others.length, 0);
    assert.equal(release!.tag, TAG);
    assert.equal(release!.immutable, true);
    assert.ok(!release!.assets.some((asset) => asset.name.startsWith('ktctl-tmp-')));
    for (const name of ARCHIVES)
      assert.ok(
        release!.assets.some((asset) => asset.name === name),
        name,
      );
    assert.deepEqual(github.violations, []);
  });

  test('the same inputs again skip, naming the release', async () => {
    const run = await publish(KUBECONFIG);
    assert.equal(run.code, 0, run.stdout);
    assert.equal(run.outputs['skipped'], 'true');
    assert.equal(run.outputs['release-tag'], TAG);
  });

  test('a rotated kubeconfig publishes <tag>-build.2, latest, superseding the untouched first release', async () => {
    const first = github.releaseViews(TAG)[0]!;
    const run = await publish(ROTATED);
    assert.equal(run.code, 0, run.stdout);
    assert.equal(run.outputs['skipped'], 'false');
    assert.equal(run.outputs['release-tag'], `${TAG}-build.2`);
    const next = github.releaseViews(`${TAG}-build.2`)[0]!;
    assert.equal(run.outputs['release-id'], String(next.id));
    assert.equal(next.immutable, true);
    assert.equal(next.latest, true);
    assert.match(next.body ?? '', new RegExp(`^This release supersedes \`${TAG.replace(/\./g, '\\.')}\` .*rebuilt for rotated credentials`));
    assert.ok(next.body?.includes(`gh release download ${TAG}-build.2`), 'the generated notes name the new tag');
    assert.deepEqual(github.releaseViews(TAG)[0], { ...first, latest: false }, 'the first release is as it was');
    assert.deepEqual(github.calls('repos/upload-release-asset', 422), []);
    assert.deepEqual(github.calls('repos/delete-release-asset', 422), []);
    assert.ok(!withoutMaskCommands(run.stdout + run.stderr).includes('rotated-token-0a1b2c3d4e5f6789'));
    assert.deepEqual(github.violations, []);
  });

  test('the rotated inputs again skip: skip-unchanged finds the newest release of the series', async () => {
    const run = await publish(ROTATED);
    assert.equal(run.code, 0, run.stdout);
    assert.equal(run.outputs['skipped'], 'true');
    assert.equal(run.outputs['release-tag'], `${TAG}-build.2`);
    assert.equal(github.releaseViews().length, 2);
  });
});
