// The real kt-connect v0.3.7, built through the bundled action for an air-gapped cluster:
// image-registry and a carried patch, then the built ktctl run. Its modules come from the Go
// module proxy of this environment, into a module cache kept across test runs.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createWorld, KUBECONFIG, type World } from '../support/e2e-setup.js';
import { createUpstreamRepo, keptGoEnvironment, upstreamGit } from '../support/real-upstream.js';
import { runAction, withoutMaskCommands, type ActionRun } from '../support/run-action.js';

const REGISTRY = 'registry.example.com/kt';
const UPSTREAM = 'registry.cn-hangzhou.aliyuncs.com/rdc-incubator';
const SHORT = 'A utility tool to help you work with Kubernetes dev environment more efficiently';
const PATCHED = 'ktctl of the acme test cluster, built for its own registry';

describe('real kt-connect v0.3.7 for an air-gapped cluster', { concurrency: false }, () => {
  let world: World;
  let run: ActionRun;
  let ktctl: string;
  let dirs: ReturnType<World['newRunner']>;

  before(async () => {
    world = await createWorld({ caches: 'shared' });
    const upstream = createUpstreamRepo(path.join(mkdtempSync(path.join(world.root, 'upstream-')), 'kt-connect'));
    const tree = upstream.dir;

    dirs = world.newRunner();
    // a company's patch, made with git against the tree as it is carried in the calling repository
    const main = path.join(tree, 'cmd/ktctl/main.go');
    const original = readFileSync(main, 'utf8');
    writeFileSync(main, original.replace(SHORT, PATCHED));
    mkdirSync(path.join(dirs.workspace, 'patches'));
    writeFileSync(path.join(dirs.workspace, 'patches', 'help.patch'), upstreamGit(tree, ['diff']));
    writeFileSync(main, original);

    run = await runAction({
      dirs,
      env: { ...world.env, ...keptGoEnvironment(upstream.goSum) },
      inputs: {
        ...world.inputs,
        'kt-connect-repository': upstream.url,
        'kt-connect-version': 'v0.3.7',
        targets: 'linux/amd64',
        // go.mod says 1.18; 1.19 also builds it, and is the Go this machine has
        'go-version': '1.19',
        upx: 'false',
        kubeconfig: KUBECONFIG,
        'kt-config': 'global:\n  pod-quota: 0.5c,512m\n',
        'image-registry': REGISTRY,
        patches: 'patches/help.patch',
      },
    });
    const unpacked = path.join(dirs.root, 'unpacked');
    if (run.code === 0) execFileSync('unzip', ['-q', path.join(dirs.workspace, 'ktctl-dist', 'ktctl_0.3.7_Linux_x86_64.zip'), '-d', unpacked]);
    ktctl = path.join(unpacked, 'ktctl');
  });
  after(() => world.close());

  test('the build succeeds with Go 1.19', () => {
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.equal(run.outputs['go-version'], world.server.files.goVersion);
    assert.equal(execFileSync(ktctl, ['--version'], { encoding: 'utf8' }).trim(), 'ktctl version 0.3.7');
  });

  test('ktctl config show lists both registry images as built in', () => {
    const home = mkdtempSync(path.join(dirs.root, 'home-'));
    const shown = execFileSync(ktctl, ['config', 'show'], { encoding: 'utf8', env: { PATH: process.env['PATH'], HOME: home } });
    assert.ok(shown.includes(`global.image = ${REGISTRY}/kt-connect-shadow:v0.3.7  (build-in)`), shown);
    assert.ok(shown.includes(`mesh.router-image = ${REGISTRY}/kt-connect-router:v0.3.7  (build-in)`), shown);
    assert.ok(shown.includes('global.pod-quota = 0.5c,512m  (build-in)'), shown);
  });

  test("the navigator image inside the binary is the registry's, upstream's is gone", () => {
    const binary = readFileSync(ktctl);
    assert.ok(binary.includes(Buffer.from(`${REGISTRY}/kt-connect-navigator`)));
    assert.ok(!binary.includes(Buffer.from(`${UPSTREAM}/kt-connect-navigator`)));
    // the shadow and router defaults stay in the code; the embedded kt config overrides them
    assert.ok(binary.includes(Buffer.from(`${UPSTREAM}/kt-connect-shadow`)));
  });

  test('the carried patch is in the binary: ktctl --help shows its message', () => {
    const home = mkdtempSync(path.join(dirs.root, 'home-'));
    const help = execFileSync(ktctl, ['--help'], { encoding: 'utf8', env: { PATH: process.env['PATH'], HOME: home } });
    assert.ok(help.includes(PATCHED), help);
    assert.ok(!help.includes(SHORT), help);
    assert.match(run.stdout, /Applied 1 patches: patches\/help\.patch/);
  });

  test('images.txt names each upstream image and its place in the registry', () => {
    const text = readFileSync(path.join(dirs.workspace, 'ktctl-dist', 'images.txt'), 'utf8');
    assert.equal(
      text,
      ['shadow', 'router', 'navigator'].map((name) => `${UPSTREAM}/kt-connect-${name}:v0.3.7 ${REGISTRY}/kt-connect-${name}:v0.3.7\n`).join(''),
    );
    assert.equal(JSON.parse(run.outputs['images'] ?? '[]').length, 3);
    assert.ok(!withoutMaskCommands(run.stdout + run.stderr).includes('fixture-token-0123456789abcdef'));
  });
});
