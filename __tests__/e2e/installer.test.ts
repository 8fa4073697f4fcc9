// install.sh end to end: the bundled action publishes a release of the small fixture to the local
// GitHub stand-in (install.sh is one of its assets), then the installer from that release runs
// under /bin/sh the way a developer runs it: through curl with a token, and through a stand-in
// `gh` on PATH. First install, up to date, update after a rotation, and the refusals: a tampered
// archive, a checksums file without the archive, no network, a read-only folder. The token never
// appears in what the installer prints.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createWorld, KT_CONFIG, KUBECONFIG, type World } from '../support/e2e-setup.js';
import { GitHubServer } from '../support/github-server.js';
import { runAction, type ActionRun } from '../support/run-action.js';
import { sha256 } from '../support/downloads.js';

const TAG = 'ktctl-2026.12';
const ARCHIVE = 'ktctl_0.3.7_Linux_x86_64.zip'; // archive-format's default: zip on every OS
const CHECKSUMS = 'ktctl_0.3.7_checksums.txt';
/** The developer's token: read access only, shaped like a real one. */
const TOKEN = 'ghp_installerReadToken0123456789abcdefXYZ';
const GH_TOKEN_OF_STAND_IN = 'gho_standInKeepsItsOwnToken0123456789';
const STAND_IN = path.resolve('__tests__/support/gh-stand-in.mjs');

interface Installed {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

describe('install.sh from a published release', { concurrency: false }, () => {
  let world: World;
  let github: GitHubServer;
  let dirs: ReturnType<World['newRunner']>;
  /** Holds the installer, the gh stand-in and the install folders. */
  let root: string;
  let script: string;
  let ghBin: string;
  let ghLog: string;

  const publish = (run: number, kubeconfig: string): Promise<ActionRun> =>
    runAction({
      dirs,
      env: {
        ...world.env,
        ...github.workflowEnv(`refs/tags/${TAG}`, '1234567890abcdef1234567890abcdef12345678'),
        GITHUB_SERVER_URL: github.serverUrl,
        GITHUB_RUN_NUMBER: String(run),
        GITHUB_RUN_ATTEMPT: '1',
      },
      inputs: {
        ...world.inputs,
        publish: 'true',
        'github-token': 'write-token',
        kubeconfig,
        'kt-config': KT_CONFIG,
        targets: 'linux/amd64,windows/amd64',
        upx: 'false',
      },
    });

  const release = () => github.releaseViews(TAG)[0]!;
  const asset = (name: string) => release().assets.find((item) => item.name === name)!;

  /** Runs the release's install.sh with `sh`; `via: 'gh'` puts a logged-in gh stand-in on PATH, else one that is not logged in. */
  function install(args: string[], options: { via?: 'gh' | 'curl'; env?: NodeJS.ProcessEnv; readOnlyMount?: string } = {}): Promise<Installed> {
    const via = options.via ?? 'curl';
    const env: NodeJS.ProcessEnv = {
      PATH: `${ghBin}:${process.env['PATH']}`,
      HOME: path.join(root, 'home'),
      TMPDIR: os.tmpdir(),
      LANG: 'C.UTF-8',
      GH_STAND_IN_LOG: ghLog,
      GH_STAND_IN_HOST: new URL(github.serverUrl).host,
      GH_STAND_IN_API: github.apiUrl,
      GH_STAND_IN_TOKEN: GH_TOKEN_OF_STAND_IN,
      GH_STAND_IN_LOGGED_IN: via === 'gh' ? '1' : '0',
      ...(via === 'curl' ? { GH_TOKEN: TOKEN } : {}),
      ...options.env,
    };
    const command =
      options.readOnlyMount === undefined
        ? ['sh', script, ...args]
        : [
            'unshare',
            '-m',
            'sh',
            '-c',
            'mount --bind "$1" "$1" && mount -o remount,bind,ro "$1" && shift && exec sh "$@"',
            'ro',
            options.readOnlyMount,
            script,
            ...args,
          ];
    const child = spawn(command[0]!, command.slice(1), { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    return new Promise((resolve) =>
      child.on('close', (code) => {
        const result = { code: code ?? 1, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') };
        // never the token, in any run
        assert.ok(!`${result.stdout}${result.stderr}`.includes(TOKEN), 'the token is never printed');
        assert.ok(!`${result.stdout}${result.stderr}`.includes(GH_TOKEN_OF_STAND_IN), "gh's token is never printed");
        resolve(result);
      }),
    );
  }

  const folder = (name: string): string => path.join(root, name);
  const ktctlVersion = (dir: string): string => spawnSync(path.join(dir, 'ktctl'), ['--version'], { encoding: 'utf8' }).stdout.trim();
  const state = (dir: string): Record<string, string> =>
    Object.fromEntries(
      readFileSync(path.join(dir, '.ktctl-install'), 'utf8')
        .trim()
        .split('\n')
        .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
    );
  const checksumOf = (name: string): string =>
    /^([0-9a-f]{64}) {2}(.+)$/m.exec(
      asset(CHECKSUMS)
        .text.split('\n')
        .find((line) => line.endsWith(`  ${name}`)) ?? '',
    )?.[1] ?? '';

  /** Puts `data` on the release under `name` in place of what is there, as someone with write access could. */
  async function replaceAsset(name: string, data: Buffer | string): Promise<void> {
    const old = asset(name);
    const headers = { authorization: 'Bearer write-token', 'x-github-api-version': '2022-11-28' };
    const removed = await fetch(`${github.apiUrl}/repos/${github.owner}/${github.repo}/releases/assets/${old.id}`, { method: 'DELETE', headers });
    assert.equal(removed.status, 204);
    const body = Buffer.from(data);
    const uploaded = await fetch(`${github.uploadUrl}/repos/${github.owner}/${github.repo}/releases/${release().id}/assets?name=${encodeURIComponent(name)}`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/octet-stream', 'content-length': String(body.length) },
      body,
    });
    assert.equal(uploaded.status, 201);
  }

  before(async () => {
    world = await createWorld({ caches: 'shared' });
    github = await GitHubServer.start({ tokens: { 'write-token': 'write', [TOKEN]: 'read', [GH_TOKEN_OF_STAND_IN]: 'read' } });
    dirs = world.newRunner();
    root = mkdtempSync(path.join(os.tmpdir(), 'ktctl-installer-'));
    mkdirSync(path.join(root, 'home'));
    ghBin = folder('gh-bin');
    mkdirSync(ghBin);
    ghLog = folder('gh.log');
    writeFileSync(ghLog, '');
    writeFileSync(path.join(ghBin, 'gh'), `#!/bin/sh\nexec '${process.execPath}' '${STAND_IN}' "$@"\n`, { mode: 0o755 });
    const published = await publish(7, KUBECONFIG);
    assert.equal(published.code, 0, published.stdout);
    script = folder('install.sh');
    writeFileSync(script, asset('install.sh').text, { mode: 0o644 });
  });
  after(async () => {
    await github.close();
    await world.close();
    rmSync(root, { recursive: true, force: true });
  });

  test('the release carries both installers with checksums lines, build-info.json the build number, the notes the one-liners', () => {
    const checksums = asset(CHECKSUMS).text;
    for (const name of ['install.sh', 'install.ps1']) assert.ok(checksums.includes(`${asset(name).sha256}  ${name}\n`), name);
    assert.equal((JSON.parse(asset('build-info.json').text) as { build?: string }).build, '7.1');
    const host = new URL(github.serverUrl).host;
    assert.ok(release().body?.startsWith('### Install in one line'), release().body ?? '');
    assert.ok(release().body?.includes(`gh release download ${TAG} -R ${host}/${github.owner}/${github.repo} -p install.sh -O - | sh`));
    assert.ok(release().body?.includes('-p install.ps1 -D $env:TEMP --clobber; powershell -NoProfile -ExecutionPolicy Bypass -File $env:TEMP\\install.ps1'));
    assert.ok(release().body?.includes('`ktctl connect` needs root on Linux and macOS (`sudo ktctl connect`) and Administrator on Windows'));
    assert.ok(release().body?.includes('Build `7.1`'));
    // baked in: the stand-in's API, the repository, the tag, the archive names
    const text = asset('install.sh').text;
    assert.ok(text.includes(`\n  API_URL_BAKED='${github.apiUrl}'\n`));
    assert.ok(text.includes(`    linux/amd64) echo '${ARCHIVE}' ;;`));
    assert.ok(text.includes(`    darwin/arm64) echo 'ktctl_0.3.7_MacOS_arm_64.zip' ;;`));
  });

  test('ShellCheck passes on the published install.sh', () => {
    const result = spawnSync('shellcheck', ['--shell=sh', script], { encoding: 'utf8' });
    assert.equal(result.error, undefined, 'shellcheck is installed (scripts/setup-test-machine.sh)');
    assert.equal(result.status, 0, result.stdout);
  });

  test('through curl with a token: first install, the binary runs, then "up to date" and --check exit 0', async () => {
    const dir = folder('curl-bin');
    const first = await install(['--dir', dir]);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /with the token in GH_TOKEN/);
    assert.match(first.stdout, /SHA-256 of ktctl_0\.3\.7_Linux_x86_64\.zip matches/);
    assert.match(first.stdout, /Installed ktctl 0\.3\.7 \(build 7\.1\)/);
    assert.match(first.stdout, /ktctl connect needs root/);
    assert.match(first.stdout, /carry no build provenance attestation/);
    assert.equal(ktctlVersion(dir), 'ktctl version 0.3.7');
    assert.deepEqual(readdirSync(dir).sort(), ['.ktctl-install', 'ktctl'], 'no temporary file left');
    assert.equal(state(dir)['archive_sha256'], checksumOf(ARCHIVE));
    assert.equal(state(dir)['binary_sha256'], sha256(path.join(dir, 'ktctl')));
    assert.equal(state(dir)['build'], '7.1');
    // the API was asked with the developer's token, the archive downloaded as octet-stream through the redirect
    assert.ok(github.calls('repos/get-release-asset').some((call) => call.token === TOKEN && call.status === 302));

    const again = await install(['--dir', dir]);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /ktctl 0\.3\.7 \(build 7\.1\) in .* is up to date\./);
    const check = await install(['--dir', dir, '--check']);
    assert.equal(check.code, 0, check.stderr);
    assert.match(check.stdout, /up to date/);
  });

  test('through gh when it is logged in: gh downloads, with its own token', async () => {
    const dir = folder('gh-installed');
    writeFileSync(ghLog, '');
    const requestsBefore = github.requests.length;
    const first = await install(['--dir', dir], { via: 'gh' });
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /Downloading with gh/);
    assert.equal(ktctlVersion(dir), 'ktctl version 0.3.7');
    const calls = readFileSync(ghLog, 'utf8').trim().split('\n');
    assert.ok(calls.some((line) => line.includes('"release","download"') && line.includes(ARCHIVE)));
    assert.ok(github.requests.slice(requestsBefore).every((request) => request.token === GH_TOKEN_OF_STAND_IN));
  });

  test('after a rotation: --check exits 10 and names the new build, a run updates, then up to date', async () => {
    const before = state(folder('curl-bin'));
    const rotated = KUBECONFIG.replace(/token: \S+/, 'token: rotated-token-fedcba9876543210');
    const republished = await publish(8, rotated);
    assert.equal(republished.code, 0, republished.stdout);
    assert.notEqual(checksumOf(ARCHIVE), before['archive_sha256'], 'the rebuild changed the archive');
    assert.equal((JSON.parse(asset('build-info.json').text) as { build?: string }).build, '8.1');
    // the notes of the release rebuilt in place name the new build and the one it supersedes
    assert.ok(release().body?.includes('Build `8.1`') && release().body?.includes('This build supersedes `build 7.1`.'), release().body ?? '');
    assert.ok(release().body?.startsWith('### Install in one line'));

    for (const via of ['curl', 'gh'] as const) {
      const dir = folder(via === 'curl' ? 'curl-bin' : 'gh-installed');
      const check = await install(['--dir', dir, '--check'], { via });
      assert.equal(check.code, 10, `${via}: ${check.stdout}${check.stderr}`);
      assert.match(check.stdout, /update available: build 7\.1 is installed, release ktctl-2026\.12 now has build 8\.1/);
      assert.equal(state(dir)['build'], '7.1', '--check changes nothing');
      const update = await install(['--dir', dir], { via });
      assert.equal(update.code, 0, update.stderr);
      assert.match(update.stdout, /Installed ktctl 0\.3\.7 \(build 8\.1\)/);
      assert.equal(state(dir)['archive_sha256'], checksumOf(ARCHIVE));
      assert.equal(ktctlVersion(dir), 'ktctl version 0.3.7');
      assert.equal((await install(['--dir', dir], { via })).code, 0);
    }
  });

  test('a tampered archive is refused: nothing installed, an existing install kept', async () => {
    const good = readFileSync(path.join(dirs.workspace, 'ktctl-dist', ARCHIVE));
    assert.equal(sha256(path.join(dirs.workspace, 'ktctl-dist', ARCHIVE)), checksumOf(ARCHIVE));
    const tampered = Buffer.from(good);
    tampered[tampered.length - 100] = tampered[tampered.length - 100]! ^ 0xff;
    await replaceAsset(ARCHIVE, tampered);
    try {
      const fresh = folder('tampered');
      for (const via of ['curl', 'gh'] as const) {
        const refused = await install(['--dir', fresh], { via });
        assert.equal(refused.code, 1, refused.stdout);
        assert.match(
          refused.stderr,
          /has SHA-256 [0-9a-f]{64}, but the release's checksums file says [0-9a-f]{64}: refusing to install it \(nothing was installed\)/,
        );
        assert.ok(!existsSync(fresh), 'the folder was not even created');
      }
      // an installed ktctl whose state matches the checksums stays as it is (it is up to date)...
      const dir = folder('curl-bin');
      const binary = sha256(path.join(dir, 'ktctl'));
      // ...and one that needs the update is left alone when the download does not match
      writeFileSync(
        path.join(dir, '.ktctl-install'),
        readFileSync(path.join(dir, '.ktctl-install'), 'utf8').replace(/^archive_sha256=.*$/m, `archive_sha256=${'0'.repeat(64)}`),
      );
      const refused = await install(['--dir', dir]);
      assert.equal(refused.code, 1);
      assert.match(refused.stderr, /refusing to install it/);
      assert.equal(sha256(path.join(dir, 'ktctl')), binary);
      assert.deepEqual(readdirSync(dir).sort(), ['.ktctl-install', 'ktctl']);
    } finally {
      await replaceAsset(ARCHIVE, good);
    }
    const repaired = await install(['--dir', folder('curl-bin')]);
    assert.equal(repaired.code, 0, repaired.stderr);
  });

  test('a checksums file without a line for the archive is refused', async () => {
    const good = asset(CHECKSUMS).text;
    await replaceAsset(
      CHECKSUMS,
      good
        .split('\n')
        .filter((line) => !line.endsWith(ARCHIVE))
        .join('\n'),
    );
    try {
      const fresh = folder('no-line');
      for (const via of ['curl', 'gh'] as const) {
        const refused = await install(['--dir', fresh], { via });
        assert.equal(refused.code, 1, refused.stdout);
        assert.match(refused.stderr, /the release's checksums file has no line for ktctl_0\.3\.7_Linux_x86_64\.zip: refusing to install it/);
        assert.ok(!existsSync(fresh));
      }
    } finally {
      await replaceAsset(CHECKSUMS, good);
    }
  });

  test('no network: a clear error, a non-zero exit, nothing installed', async () => {
    const fresh = folder('offline');
    const down = 'http://127.0.0.1:9'; // the discard port: nothing listens there
    const curl = await install(['--dir', fresh], { env: { GITHUB_API_URL: down } });
    assert.equal(curl.code, 1);
    assert.match(curl.stderr, /could not reach http:\/\/127\.0\.0\.1:9 \(no network\?.*nothing was installed/);
    const gh = await install(['--dir', fresh], { via: 'gh', env: { GH_STAND_IN_API: down } });
    assert.equal(gh.code, 1);
    assert.match(gh.stderr, /gh: error connecting to/);
    assert.match(gh.stderr, /could not download ktctl_0\.3\.7_checksums\.txt from release ktctl-2026\.12: nothing was installed/);
    assert.ok(!existsSync(fresh));
  });

  test('a read-only target folder: a clear error, nothing half-installed', async () => {
    const dir = folder('read-only');
    mkdirSync(dir);
    chmodSync(dir, 0o555);
    // root writes into a 0555 folder: then the folder is a read-only bind mount in a mount namespace of its own
    const readOnlyMount = process.getuid?.() === 0 ? dir : undefined;
    const result = await install(['--dir', dir], readOnlyMount === undefined ? {} : { readOnlyMount });
    assert.equal(result.code, 1, result.stdout);
    assert.match(result.stderr, /cannot write to .*read-only: nothing was installed\. Choose a folder you can write with --dir\./);
    assert.deepEqual(readdirSync(dir), []);
  });

  test('without gh and without a token: says how to get access', async () => {
    const result = await install(['--dir', folder('anonymous')], { env: { GH_TOKEN: '', GITHUB_TOKEN: '' } });
    assert.equal(result.code, 1);
    assert.match(result.stderr, /is private; log in with 'gh auth login', or set GH_TOKEN/);
    assert.ok(!existsSync(folder('anonymous')));
  });
});
