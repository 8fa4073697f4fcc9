// A fork that keeps upstream's hack/ layout but moved go.mod to Go 1.22 builds with Go 1.22,
// chosen from its go.mod (`go 1.22.0` and a `toolchain` line), without the go-version input.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { GO_122_ROOT_SOURCE, prepareDownloads, prepareGoArchive, startDownloadServer, type DownloadServer, type GoArchive } from '../support/downloads.js';
import { createWorld, KT_CONFIG, KUBECONFIG, type World } from '../support/e2e-setup.js';
import { createFixtureRepo } from '../support/fixture-repo.js';
import { runAction, type ActionRun } from '../support/run-action.js';
import { BUILD_DEFAULTS } from '../../src/shared/defaults.js';
import { toolCacheName } from '../../src/toolchain/tool-cache.js';

describe('a fork on a newer Go', { concurrency: false }, () => {
  let world: World;
  let server: DownloadServer;
  /** The tool cache's name for Go from the test's mirror: a mirror's Go is cached apart from go.dev's. */
  const goToolName = (): string => toolCacheName('go', server.goBaseUrl, BUILD_DEFAULTS['go-download-base-url']);
  let go122: GoArchive;
  let run: ActionRun;
  let dirs: ReturnType<World['newRunner']>;

  before(async () => {
    world = await createWorld();
    go122 = prepareGoArchive(GO_122_ROOT_SOURCE);
    server = await startDownloadServer(prepareDownloads(), { moreGo: [go122] });
    const fork = createFixtureRepo(mkdtempSync(path.join(world.root, 'fork-')), {
      'go.mod': 'module github.com/alibaba/kt-connect\n\ngo 1.22.0\n\ntoolchain go1.22.5\n',
    });
    dirs = world.newRunner();
    run = await runAction({
      dirs,
      env: world.env,
      inputs: {
        ...world.inputs,
        'go-download-base-url': server.goBaseUrl,
        'kt-connect-repository': fork.url,
        'kt-connect-version': 'v0.3.7',
        kubeconfig: KUBECONFIG,
        'kt-config': KT_CONFIG,
        targets: 'linux/amd64',
        upx: 'false',
      },
    });
  });
  after(async () => {
    await server.close();
    await world.close();
  });

  test("the Go of the fork's go.mod builds it: 1.22, newest patch, not 1.23 nor 1.19", () => {
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.match(go122.version, /^1\.22\.\d+$/);
    assert.equal(run.outputs['go-version'], go122.version);
    assert.ok(server.requests.includes(`/go/go${go122.version}.linux-amd64.tar.gz`), server.requests.join(' '));
    assert.ok(!server.requests.some((request) => request.includes('go1.23') || request.includes(`go${server.files.goVersion}.`)), server.requests.join(' '));
    assert.ok(existsSync(path.join(dirs.toolCache, goToolName(), go122.version, 'x64.complete')));
  });

  test('the built ktctl runs and carries the version and the configs', () => {
    const unpacked = path.join(dirs.root, 'unpacked');
    execFileSync('unzip', ['-q', path.join(dirs.workspace, 'ktctl-dist', 'ktctl_0.3.7_Linux_x86_64.zip'), '-d', unpacked]);
    const ktctl = path.join(unpacked, 'ktctl');
    assert.equal(execFileSync(ktctl, ['--version'], { encoding: 'utf8' }), 'ktctl version 0.3.7\n');
    assert.equal(execFileSync(ktctl, ['dump-ktconfig'], { encoding: 'utf8' }), KT_CONFIG);
    // built by Go 1.22: the binary says so
    assert.match(
      execFileSync(path.join(dirs.toolCache, goToolName(), go122.version, 'x64', 'bin', 'go'), ['version', ktctl], { encoding: 'utf8' }),
      new RegExp(`go${go122.version.replace(/\./g, '\\.')}`),
    );
  });
});
