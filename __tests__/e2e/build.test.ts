// The bundled action, run as a runner runs it, against a kt-connect-shaped repository:
// the real git, the real Go compiler (downloaded from the local server), the real upx.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createWorld, KT_CONFIG, KUBECONFIG, listFiles, type World } from '../support/e2e-setup.js';
import { runAction, withoutMaskCommands, type ActionRun } from '../support/run-action.js';
import { sha256 } from '../support/downloads.js';

interface AssetOutput {
  name: string;
  path: string;
  os: string;
  arch: string;
  size: number;
  sha256: string;
}

const EXPECTED = [
  ['ktctl_0.3.7_Linux_x86_64.zip', 'linux', 'amd64', true],
  ['ktctl_0.3.7_Linux_i386.zip', 'linux', '386', true],
  ['ktctl_0.3.7_Linux_arm_64.zip', 'linux', 'arm64', true],
  ['ktctl_0.3.7_MacOS_x86_64.zip', 'darwin', 'amd64', false],
  ['ktctl_0.3.7_MacOS_arm_64.zip', 'darwin', 'arm64', false],
  ['ktctl_0.3.7_Windows_x86_64.zip', 'windows', 'amd64', true],
  ['ktctl_0.3.7_Windows_i386.zip', 'windows', '386', true],
  ['ktctl_0.3.7_Windows_arm_64.zip', 'windows', 'arm64', false],
] as const;

const WINTUN_DIR: Record<string, string> = { amd64: 'amd64', '386': 'x86', arm64: 'arm64' };

describe('the bundled action builds every default target', { concurrency: false }, () => {
  let world: World;
  let first: ActionRun;
  let firstRunner: ReturnType<World['newRunner']>;

  before(async () => {
    world = await createWorld();
    firstRunner = world.newRunner();
    first = await runAction({
      dirs: firstRunner,
      inputs: { ...world.inputs, kubeconfig: KUBECONFIG, 'kt-config': Buffer.from(KT_CONFIG).toString('base64') },
      env: world.env,
    });
  });
  after(() => world.close());

  test('the run succeeds and sets its outputs', () => {
    assert.equal(first.code, 0, first.stdout + first.stderr);
    assert.equal(first.outputs['version'], '0.3.7');
    assert.equal(first.outputs['upstream-tag'], 'v0.3.7', 'latest skips the prerelease v0.3.8-beta1');
    assert.equal(first.outputs['go-version'], world.server.files.goVersion);
    assert.equal(first.outputs['checksums-file'], path.join(firstRunner.workspace, 'ktctl-dist', 'ktctl_0.3.7_checksums.txt'));
  });

  test('Go and upx came from the download server, Go 1.20 was not chosen', () => {
    assert.ok(world.server.requests.some((r) => r.startsWith('/go/?mode=json')));
    assert.ok(world.server.requests.includes(`/go/go${world.server.files.goVersion}.linux-amd64.tar.gz`));
    assert.ok(!world.server.requests.some((r) => r.includes('go1.20')));
    assert.ok(existsSync(path.join(firstRunner.toolCache, 'go', world.server.files.goVersion, 'x64.complete')));
    assert.ok(existsSync(path.join(firstRunner.toolCache, 'upx', world.server.files.upxVersion, 'x64', 'upx')));
  });

  test('every archive is listed, named as upstream names them, and checks out with sha256sum', () => {
    const assets = JSON.parse(first.outputs['assets'] ?? '[]') as AssetOutput[];
    assert.deepEqual(assets.map((a) => [a.name, a.os, a.arch]), EXPECTED.map(([name, os, arch]) => [name, os, arch]));
    const dist = path.join(firstRunner.workspace, 'ktctl-dist');
    assert.deepEqual(readdirSync(dist).sort(), [...EXPECTED.map(([name]) => name), 'ktctl_0.3.7_checksums.txt', 'ktctl_0.3.7_sbom.spdx.json'].sort());
    for (const asset of assets) {
      assert.equal(asset.size, statSync(asset.path).size);
      assert.equal(statSync(asset.path).mode & 0o077, 0, `${asset.name} embeds the configs: the runner's user only`);
      assert.equal(asset.sha256, sha256(asset.path));
    }
    execFileSync('sha256sum', ['--check', '--strict', 'ktctl_0.3.7_checksums.txt'], { cwd: dist });
  });

  test('each archive holds the binary at its root, Windows ones the matching wintun.dll', () => {
    const dist = path.join(firstRunner.workspace, 'ktctl-dist');
    for (const [name, os, arch, packed] of EXPECTED) {
      const into = mkdtempSync(path.join(world.root, 'open-'));
      execFileSync('unzip', ['-q', path.join(dist, name), '-d', into]);
      const binary = os === 'windows' ? 'ktctl.exe' : 'ktctl';
      assert.deepEqual(listFiles(into).sort(), os === 'windows' ? ['ktctl.exe', 'wintun.dll'] : ['ktctl'], name);
      assert.ok((statSync(path.join(into, binary)).mode & 0o111) !== 0, `${name}: the executable bit survives`);
      const bytes = readFileSync(path.join(into, binary));
      assert.equal(bytes.includes(Buffer.from('UPX!')), packed, `${name}: packed by upx: ${packed}`);
      if (os === 'windows') {
        assert.equal(readFileSync(path.join(into, 'wintun.dll'), 'utf8'), `MZ test wintun.dll for ${WINTUN_DIR[arch]}\n`);
      }
      // ELF, PE ("MZ") and 64-bit Mach-O headers: each binary is of its target's kind
      const magic = bytes.subarray(0, os === 'windows' ? 2 : 4).toString('hex');
      assert.equal(magic, { linux: '7f454c46', windows: '4d5a', darwin: 'cffaedfe' }[os], name);
    }
  });

  test('the linux/amd64 ktctl runs and carries the version and both configs byte for byte', () => {
    const into = mkdtempSync(path.join(world.root, 'run-'));
    execFileSync('unzip', ['-q', path.join(firstRunner.workspace, 'ktctl-dist', 'ktctl_0.3.7_Linux_x86_64.zip'), '-d', into]);
    const ktctl = path.join(into, 'ktctl');
    assert.equal(execFileSync(ktctl, ['--version'], { encoding: 'utf8' }), 'ktctl version 0.3.7\n');
    assert.equal(execFileSync(ktctl, ['dump-kubeconfig'], { encoding: 'utf8' }), KUBECONFIG);
    assert.equal(execFileSync(ktctl, ['dump-ktconfig'], { encoding: 'utf8' }), KT_CONFIG);
    assert.equal(execFileSync(ktctl, ['images'], { encoding: 'utf8' }), 'kt-connect-shadow:v0.3.7\nkt-connect-router:v0.3.7\n');
  });

  test('no secret reaches the log, the scratch folder or the Go build cache', () => {
    const log = withoutMaskCommands(first.stdout + first.stderr);
    for (const line of [...KUBECONFIG.split('\n'), ...KT_CONFIG.split('\n')].map((l) => l.trim()).filter((l) => l.length >= 12)) {
      assert.ok(!log.includes(line), `log shows ${line.slice(0, 8)}…`);
    }
    assert.deepEqual(readdirSync(firstRunner.temp).filter((name) => name.startsWith('ktctl-customize-')), []);
    assert.match(first.stdout, /Removed \d+ build cache entries that held the embedded configs/);
    const token = /token: (\S+)/.exec(KUBECONFIG)?.[1];
    assert.ok(token !== undefined && token.length > 16);
    for (const file of listFiles(world.gocache)) {
      assert.ok(!readFileSync(path.join(world.gocache, file)).includes(Buffer.from(token)), `${file} holds the token`);
    }
  });

  test('the job summary lists every archive', () => {
    for (const [name] of EXPECTED) assert.ok(first.summary.includes(name), name);
    assert.match(first.summary, /kt-connect v0\.3\.7/);
  });

  test('a second run with the same inputs reuses the tool cache and gives byte-identical archives', async () => {
    const requestsBefore = world.server.requests.length;
    const again = await runAction({
      dirs: firstRunner,
      inputs: { ...world.inputs, kubeconfig: KUBECONFIG, 'kt-config': Buffer.from(KT_CONFIG).toString('base64'), 'output-dir': 'again' },
      env: world.env,
    });
    assert.equal(again.code, 0, again.stdout + again.stderr);
    const fetched = world.server.requests.slice(requestsBefore);
    assert.ok(!fetched.some((r) => r.startsWith('/go/') || r.startsWith('/upx/')), `downloaded again: ${fetched.join(', ')}`);
    for (const [name] of EXPECTED) {
      assert.equal(sha256(path.join(firstRunner.workspace, 'again', name)), sha256(path.join(firstRunner.workspace, 'ktctl-dist', name)), name);
    }
  });
});
