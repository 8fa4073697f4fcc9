// kt-connect-source: go-proxy through the bundled action, with the real kt-connect v0.3.7 on a local
// module proxy (file://, made from a real module download, serving the checksum database's proof
// as a company proxy does; its build end to end is module-proxy-real, in test:all): a zip with one changed byte refused
// before anything is built; a checksum database that never answers stopped within the network
// limits; a GONOSUMDB that covers kt-connect refused; a moved git tag refused by kt-connect-commit.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createWorld, KUBECONFIG, type World } from '../support/e2e-setup.js';
import { fileProxy } from '../support/module-proxy.js';
import { proxyRuns } from '../support/proxy-run.js';
import { makeRunnerDirs, runAction, withoutMaskCommands } from '../support/run-action.js';
import { startSilentServer } from '../support/stall.js';

/** sum.golang.org's public key, as the go command knows it. */
const SUMDB_KEY = 'sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8';

describe('kt-connect from the module proxy', { concurrency: false }, () => {
  const { root: rootFolder, inputs, env } = proxyRuns();

  test('a zip with one changed byte fails before anything is built: the checksum database disagrees', async () => {
    const root = rootFolder();
    const dirs = makeRunnerDirs(root);
    const proxy = fileProxy(path.join(root, 'tampered'), { tampered: true });
    const run = await runAction({ dirs, inputs: inputs(proxy, { 'kt-connect-version': 'v0.3.7' }), env: env('tampered') });
    const log = withoutMaskCommands(run.stdout + run.stderr);
    assert.equal(run.code, 1, log);
    assert.match(
      log,
      /::error::Input 'kt-connect-source': the checksum database disagrees with the module the proxy served for github\.com\/alibaba\/kt-connect@v0\.3\.7/,
    );
    assert.match(log, /SECURITY ERROR/);
    assert.doesNotMatch(log, /Build 1 targets|Check out kt-connect|Fetch from the module proxy kt-connect/);
    assert.equal(existsSync(path.join(dirs.workspace, 'ktctl-dist')), false);
    assert.equal(run.outputs['source-hash'], undefined);
  });

  test('a checksum database that never answers is given up within the network limits', async () => {
    const silent = await startSilentServer();
    try {
      const root = rootFolder();
      const dirs = makeRunnerDirs(root);
      const proxy = fileProxy(path.join(root, 'no-sumdb'), { sumdb: false });
      const started = Date.now();
      const run = await runAction({
        dirs,
        inputs: inputs(proxy, { 'go-sumdb': `${SUMDB_KEY} http://127.0.0.1:${silent.port}` }),
        env: { ...env('silent'), KTCTL_CUSTOMIZE_CONNECT_TIMEOUT: '2', KTCTL_CUSTOMIZE_IDLE_TIMEOUT: '3' },
      });
      const seconds = (Date.now() - started) / 1000;
      const log = withoutMaskCommands(run.stdout + run.stderr);
      assert.equal(run.code, 1, log);
      assert.ok(silent.connections() > 0, 'the go command asked the checksum database');
      assert.match(log, /::error::go mod download of github\.com\/alibaba\/kt-connect@v0\.3\.7 .*did not answer within the network limits .*no answer for 5 s/);
      assert.match(log, /check 'go-proxy' and 'go-sumdb'/);
      assert.ok(seconds < 60, `stopped after ${seconds} s`);
    } finally {
      await silent.close();
    }
  });

  test('GONOSUMDB covering kt-connect is refused unless go-sumdb: off', async () => {
    const root = rootFolder();
    const dirs = makeRunnerDirs(root);
    const proxy = fileProxy(path.join(root, 'nosumdb'));
    const run = await runAction({ dirs, inputs: inputs(proxy), env: { ...env('nosumdb'), GONOSUMDB: 'github.com/alibaba' } });
    const log = withoutMaskCommands(run.stdout + run.stderr);
    assert.equal(run.code, 1, log);
    assert.match(
      log,
      /::error::Input 'go-sumdb': checksum verification is off for github\.com\/alibaba\/kt-connect \(GONOSUMDB covers it \(pattern github\.com\/alibaba\)\).*set go-sumdb: off/,
    );
    assert.doesNotMatch(log, /go mod download of/);
  });
});

describe('kt-connect-commit with git', () => {
  let world: World;
  before(async () => {
    world = await createWorld({ caches: 'shared' });
  });
  after(async () => {
    await world?.close();
    rmSync(world.root, { recursive: true, force: true });
  });

  test('a tag that names another commit than the pinned one fails, naming both inputs', async () => {
    const pinned = '0123456789abcdef0123456789abcdef01234567';
    const dirs = world.newRunner();
    mkdirSync(dirs.workspace, { recursive: true });
    const run = await runAction({
      dirs,
      inputs: { ...world.inputs, 'kt-connect-version': 'v0.3.7', 'kt-connect-commit': pinned, kubeconfig: KUBECONFIG },
      env: world.env,
    });
    const log = withoutMaskCommands(run.stdout + run.stderr);
    assert.equal(run.code, 1, log);
    assert.match(
      log,
      new RegExp(
        `::error::Input 'kt-connect-commit': kt-connect v0\\.3\\.7 \\(input 'kt-connect-version'\\) now names commit ${world.repo.commits['v0.3.7']}, not the pinned ${pinned}: the tag moved`,
      ),
    );
    assert.doesNotMatch(log, /Check out kt-connect/);
  });

  test('the pinned commit builds; with SOURCE_DATE_EPOCH two runs give byte-identical SBOMs', async () => {
    const sboms: Buffer[] = [];
    for (const round of [1, 2]) {
      const dirs = world.newRunner();
      const run = await runAction({
        dirs,
        inputs: { ...world.inputs, 'kt-connect-version': 'v0.3.7', 'kt-connect-commit': world.repo.commits['v0.3.7']!, targets: 'linux/amd64', upx: 'false' },
        env: { ...world.env, SOURCE_DATE_EPOCH: '1669655232' },
      });
      assert.equal(run.code, 0, `round ${round}: ${withoutMaskCommands(run.stdout + run.stderr)}`);
      assert.equal(run.outputs['source-hash'], '');
      sboms.push(readFileSync(run.outputs['sbom-file']!));
    }
    assert.equal((JSON.parse(sboms[0]!.toString('utf8')) as { creationInfo: { created: string } }).creationInfo.created, '2022-11-28T17:07:12Z');
    assert.ok(sboms[0]!.equals(sboms[1]!), 'the two SBOMs differ');
  });
});
