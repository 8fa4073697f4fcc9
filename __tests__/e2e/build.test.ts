// The bundled action, run as a runner runs it, against a kt-connect-shaped repository:
// the real git, the real Go compiler (downloaded from the local server), the real upx.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, realpathSync, statSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createWorld, KT_CONFIG, KUBECONFIG, listFiles, type World } from '../support/e2e-setup.js';
import { runAction, withoutMaskCommands, type ActionRun } from '../support/run-action.js';
import { sha256, UPX_SOURCE } from '../support/downloads.js';
import { MACHINES, testWintunDll } from '../support/pe.js';
import { BUILD_DEFAULTS } from '../../src/shared/defaults.js';
import { WARM_TARGETS } from '../support/shared-caches.js';
import { RUN_EVERYTHING } from '../support/test-scope.js';

/** upx is a subject here: its default packing, where the other e2e files ask for the fastest. */
const DEFAULT_UPX_ARGS = BUILD_DEFAULTS['upx-args'];

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

/**
 * What the first run builds: in test:all (CI), every default target (no targets input); in the
 * loop, the three whose standard library the shared cache holds (WARM_TARGETS: linux/amd64,
 * linux/arm64 and windows/amd64, packed, one with wintun). Each of the other five costs this file
 * a cold standard library, 12 to 15 s of CPU, for targets the plan and naming tests cover too.
 */
const BUILT = RUN_EVERYTHING ? EXPECTED : EXPECTED.filter(([, os, arch]) => WARM_TARGETS.some((target) => target.os === os && target.arch === arch));
const TARGETS_INPUT: Record<string, string> = RUN_EVERYTHING ? {} : { targets: BUILT.map(([, os, arch]) => `${os}/${arch}`).join(',') };

const WINTUN_DIR: Record<string, keyof typeof MACHINES> = { amd64: 'amd64', '386': 'x86', arm64: 'arm64' };

describe(`the bundled action builds ${RUN_EVERYTHING ? 'every default target' : 'the Linux and Windows targets'}`, { concurrency: false }, () => {
  let world: World;
  let first: ActionRun;
  let firstRunner: ReturnType<World['newRunner']>;
  /** The first run's inputs; the second run gives the same ones (but for its output folder). */
  const firstInputs = (): Record<string, string> => ({
    ...world.inputs,
    ...TARGETS_INPUT,
    'upx-args': DEFAULT_UPX_ARGS,
    kubeconfig: KUBECONFIG,
    'kt-config': Buffer.from(KT_CONFIG).toString('base64'),
  });

  before(async () => {
    world = await createWorld();
    firstRunner = world.newRunner();
    first = await runAction({
      dirs: firstRunner,
      inputs: firstInputs(),
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
    // downloaded from a mirror (the local server): cached under the mirror's own names, not `go` and `upx`
    const cached = readdirSync(firstRunner.toolCache).sort();
    const goName = cached.find((name) => /^go-127\.0\.0\.1-[0-9a-f]{12}$/.test(name));
    const upxName = cached.find((name) => /^upx-127\.0\.0\.1-[0-9a-f]{12}$/.test(name));
    assert.ok(goName !== undefined && upxName !== undefined, `tool cache holds ${cached.join(', ')}`);
    assert.ok(!cached.includes('go') && !cached.includes('upx'), `tool cache holds ${cached.join(', ')}`);
    assert.ok(existsSync(path.join(firstRunner.toolCache, goName, world.server.files.goVersion, 'x64.complete')));
    assert.ok(existsSync(path.join(firstRunner.toolCache, upxName, world.server.files.upxVersion, 'x64', 'upx')));
  });

  test('every archive is listed, named as upstream names them, and checks out with sha256sum', () => {
    const assets = JSON.parse(first.outputs['assets'] ?? '[]') as AssetOutput[];
    assert.deepEqual(
      assets.map((a) => [a.name, a.os, a.arch]),
      BUILT.map(([name, os, arch]) => [name, os, arch]),
    );
    const dist = path.join(firstRunner.workspace, 'ktctl-dist');
    assert.deepEqual(readdirSync(dist).sort(), [...BUILT.map(([name]) => name), 'ktctl_0.3.7_checksums.txt', 'ktctl_0.3.7_sbom.spdx.json'].sort());
    for (const asset of assets) {
      assert.equal(asset.size, statSync(asset.path).size);
      assert.equal(statSync(asset.path).mode & 0o077, 0, `${asset.name} embeds the configs: the runner's user only`);
      assert.equal(asset.sha256, sha256(asset.path));
    }
    execFileSync('sha256sum', ['--check', '--strict', 'ktctl_0.3.7_checksums.txt'], { cwd: dist });
  });

  test('each archive holds the binary at its root, Windows ones the matching wintun.dll', () => {
    const dist = path.join(firstRunner.workspace, 'ktctl-dist');
    for (const [name, os, arch, packed] of BUILT) {
      const into = mkdtempSync(path.join(world.root, 'open-'));
      execFileSync('unzip', ['-q', path.join(dist, name), '-d', into]);
      const binary = os === 'windows' ? 'ktctl.exe' : 'ktctl';
      assert.deepEqual(listFiles(into).sort(), os === 'windows' ? ['ktctl.exe', 'wintun.dll'] : ['ktctl'], name);
      assert.ok((statSync(path.join(into, binary)).mode & 0o111) !== 0, `${name}: the executable bit survives`);
      const bytes = readFileSync(path.join(into, binary));
      assert.equal(bytes.includes(Buffer.from('UPX!')), packed, `${name}: packed by upx: ${packed}`);
      if (os === 'windows') {
        // the DLL of its own machine, checked the way the action checks it
        const dll = readFileSync(path.join(into, 'wintun.dll'));
        assert.deepEqual(dll, testWintunDll(WINTUN_DIR[arch]!), `${name}: wintun.dll for ${WINTUN_DIR[arch]}`);
        assert.equal(dll.readUInt16LE(dll.readUInt32LE(0x3c) + 4), MACHINES[WINTUN_DIR[arch]!], `${name}: PE machine`);
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
    assert.deepEqual(
      readdirSync(firstRunner.temp).filter((name) => name.startsWith('ktctl-customize-')),
      [],
    );
    assert.match(first.stdout, /Removed \d+ build cache entries that held the embedded configs/);
    const token = /token: (\S+)/.exec(KUBECONFIG)?.[1];
    assert.ok(token !== undefined && token.length > 16);
    for (const file of listFiles(world.gocache)) {
      assert.ok(!readFileSync(path.join(world.gocache, file)).includes(Buffer.from(token)), `${file} holds the token`);
    }
  });

  test('the job summary lists every archive', () => {
    for (const [name] of BUILT) assert.ok(first.summary.includes(name), name);
    assert.match(first.summary, /kt-connect v0\.3\.7/);
  });

  test('a second run with the same inputs reuses the tool cache and gives byte-identical archives', async () => {
    const requestsBefore = world.server.requests.length;
    const again = await runAction({
      dirs: firstRunner,
      inputs: { ...firstInputs(), 'output-dir': 'again' },
      env: world.env,
    });
    assert.equal(again.code, 0, again.stdout + again.stderr);
    const fetched = world.server.requests.slice(requestsBefore);
    assert.ok(!fetched.some((r) => r.startsWith('/go/') || r.startsWith('/upx/')), `downloaded again: ${fetched.join(', ')}`);
    for (const [name] of BUILT) {
      assert.equal(sha256(path.join(firstRunner.workspace, 'again', name)), sha256(path.join(firstRunner.workspace, 'ktctl-dist', name)), name);
    }
  });

  test("a tool cache holding upx (Debian's) packs with no 'upx-sha256'; the official Go there does not stand in for the mirror's", async () => {
    const runner = world.newRunner();
    const { upxVersion, goVersion } = world.server.files;
    // a self-hosted runner's cache: upx from Debian, and a `go` that must not be taken for the mirror's
    const upxDir = path.join(runner.toolCache, 'upx', upxVersion, 'x64');
    mkdirSync(upxDir, { recursive: true });
    copyFileSync(realpathSync(UPX_SOURCE), path.join(upxDir, 'upx'));
    chmodSync(path.join(upxDir, 'upx'), 0o755);
    writeFileSync(`${upxDir}.complete`, '');
    const officialGo = path.join(runner.toolCache, 'go', goVersion, 'x64');
    mkdirSync(path.join(officialGo, 'bin'), { recursive: true });
    writeFileSync(path.join(officialGo, 'bin', 'go'), "#!/bin/sh\necho 'not the mirror Go' >&2\nexit 3\n", { mode: 0o755 });
    writeFileSync(`${officialGo}.complete`, '');

    const { 'upx-sha256': _hash, 'upx-download-base-url': _base, ...inputs } = world.inputs;
    const requestsBefore = world.server.requests.length;
    const run = await runAction({
      dirs: runner,
      inputs: { ...inputs, 'upx-version': upxVersion, targets: 'linux/amd64', kubeconfig: KUBECONFIG },
      env: { ...world.env, ...(await unreachableProxy()) },
    });
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.match(run.stdout, new RegExp(`upx ${upxVersion.replace(/\./g, '\\.')} found in the tool cache \\(upx\\)`));
    const fetched = world.server.requests.slice(requestsBefore);
    assert.ok(!fetched.some((r) => r.startsWith('/upx/')), `upx downloaded: ${fetched.join(', ')}`);
    assert.ok(fetched.includes(`/go/go${goVersion}.linux-amd64.tar.gz`), `the mirror's Go was downloaded: ${fetched.join(', ')}`);

    const into = mkdtempSync(path.join(world.root, 'cached-upx-'));
    execFileSync('unzip', ['-q', path.join(runner.workspace, 'ktctl-dist', 'ktctl_0.3.7_Linux_x86_64.zip'), '-d', into]);
    const ktctl = readFileSync(path.join(into, 'ktctl'));
    assert.ok(ktctl.includes(Buffer.from('UPX!')), 'packed by the cached upx');
    assert.equal(execFileSync(path.join(into, 'ktctl'), ['--version'], { encoding: 'utf8' }), 'ktctl version 0.3.7\n');
  });

  test("a later run with go.dev's address does not take the mirror's Go from the tool cache", async () => {
    const { 'go-download-base-url': _mirror, ...inputs } = world.inputs;
    const requestsBefore = world.server.requests.length;
    const run = await runAction({
      dirs: firstRunner, // its tool cache holds the mirror's Go of this exact version
      inputs: { ...inputs, 'go-version': world.server.files.goVersion, targets: 'linux/amd64', kubeconfig: KUBECONFIG, 'output-dir': 'official' },
      env: { ...world.env, ...(await unreachableProxy()) },
    });
    const log = run.stdout + run.stderr;
    assert.notEqual(run.code, 0, log);
    assert.doesNotMatch(log, /Go [\d.]+ found in the tool cache/);
    assert.match(log, /https:\/\/go\.dev\/dl/, 'it went for go.dev instead');
    assert.ok(!world.server.requests.slice(requestsBefore).some((r) => r.startsWith('/go/')));
    assert.ok(!existsSync(path.join(firstRunner.workspace, 'official')), 'nothing half done');
  });
});

/**
 * Proxy settings that point at a closed loopback port: any request to the real go.dev or GitHub
 * fails at once, here and on a machine with internet, instead of leaving the test.
 */
async function unreachableProxy(): Promise<Record<string, string>> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  const proxy = `http://127.0.0.1:${port}`;
  return { https_proxy: proxy, HTTPS_PROXY: proxy };
}
