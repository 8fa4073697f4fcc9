// The administrator's checks, through the bundled action as a runner runs it: empty configs,
// the credential's lifetime, dry-run, and upx for some operating systems only.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createWorld, KT_CONFIG, KUBECONFIG, type World } from '../support/e2e-setup.js';
import { kubeconfigWithCertificate, kubeconfigWithToken, makeCertificate, makeJwt, pieces } from '../support/credentials.js';
import { GitHubServer } from '../support/github-server.js';
import { runAction, withoutMaskCommands, type ActionRun } from '../support/run-action.js';

const DAY = 86400;
const SHA = '1234567890abcdef1234567890abcdef12345678';
const TARGETS = 'linux/amd64,windows/amd64';
const ARCHIVES = ['ktctl_0.3.7_Linux_x86_64.zip', 'ktctl_0.3.7_Windows_x86_64.zip'];

const isoSecond = (date: Date): string => date.toISOString().replace(/\.\d{3}Z$/, 'Z');

describe('administrator checks', { concurrency: false }, () => {
  let world: World;
  let github: GitHubServer;
  before(async () => {
    world = await createWorld({ caches: 'shared' });
    github = await GitHubServer.start();
  });
  after(async () => {
    await github.close();
    await world.close();
  });

  const githubEnv = (): NodeJS.ProcessEnv => ({
    ...world.env,
    ...github.workflowEnv('refs/heads/main', SHA),
  });
  const writes = (): number => github.requests.filter((request) => request.method !== 'GET' && request.method !== 'HEAD').length;

  test('an empty or blank kubeconfig or kt-config fails at once, naming the input and the secret', async () => {
    for (const [name, value] of [
      ['kubeconfig', ''],
      ['kt-config', ' \n\t'],
    ] as const) {
      const downloads = world.server.requests.length;
      const dirs = world.newRunner();
      const run = await runAction({ dirs, env: world.env, inputs: { ...world.inputs, kubeconfig: KUBECONFIG, 'kt-config': KT_CONFIG, [name]: value } });
      assert.notEqual(run.code, 0, name);
      assert.match(
        run.stdout,
        new RegExp(
          `::error::Input '${name}': is empty: the secret it is set from may be missing or misspelled .* or to upstream to embed upstream's placeholder on purpose`,
        ),
      );
      assert.equal(world.server.requests.length, downloads, 'nothing downloaded');
      assert.ok(!existsSync(path.join(dirs.workspace, 'ktctl-dist')));
      assert.deepEqual(run.outputs, {});
    }
  });

  test('an expired credential fails before any network step, with its day and no piece of it', async () => {
    const expired = Math.floor(Date.now() / 1000) - 3 * DAY;
    const token = makeJwt(expired);
    const downloads = world.server.requests.length;
    const github0 = github.requests.length;
    const run = await runAction({
      dirs: world.newRunner(),
      env: githubEnv(),
      inputs: { ...world.inputs, publish: 'true', 'github-token': 'write-token', kubeconfig: kubeconfigWithToken(token), 'kt-config': 'upstream' },
    });
    assert.notEqual(run.code, 0);
    const day = new Date(expired * 1000).toISOString().slice(0, 10);
    assert.match(
      run.stdout,
      new RegExp(
        `::error::Input 'kubeconfig': the credential of the current context's user \\(users\\[0\\], a bearer token \\(JWT\\)\\) expired on ${day} \\(UTC\\)`,
      ),
    );
    const shown = withoutMaskCommands(run.stdout + run.stderr);
    for (const piece of pieces(token)) assert.ok(!shown.includes(piece), 'no piece of the token in the log');
    assert.equal(world.server.requests.length, downloads, 'nothing downloaded');
    assert.equal(github.requests.length, github0, 'GitHub was not asked');
  });

  test('dry-run: checks, prints the plan, sets the outputs, and builds, writes and publishes nothing', async () => {
    github.seedRelease({ tag: 'v0.3.7', assets: [{ name: ARCHIVES[0]!, data: 'an older build' }] });
    const pair = makeCertificate(400);
    const expires = new Date(new X509Certificate(pair.certificate).validTo);
    // an empty tool cache: the dry run must probe the Go and upx sources, and install neither
    const dirs = world.newRunner({ tools: 'empty' });
    const writesBefore = writes();
    const run = await runAction({
      dirs,
      env: githubEnv(),
      inputs: {
        ...world.inputs,
        publish: 'true',
        'github-token': 'write-token',
        kubeconfig: kubeconfigWithCertificate(pair),
        'kt-config': KT_CONFIG,
        targets: TARGETS,
        upx: 'linux',
        'dry-run': 'true',
      },
    });
    assert.equal(run.code, 0, run.stdout);
    assert.equal(run.outputs['version'], '0.3.7');
    assert.equal(run.outputs['upstream-tag'], 'v0.3.7');
    assert.equal(run.outputs['go-version'], world.server.files.goVersion);
    assert.match(run.outputs['fingerprint'] ?? '', /^[0-9a-f]{64}$/);
    assert.equal(run.outputs['credentials-expire'], isoSecond(expires));
    assert.equal(run.outputs['assets'], undefined, 'nothing built, no assets');
    for (const line of [
      'Dry run: nothing was built, uploaded or written. This run would build:',
      `  Go ${world.server.files.goVersion} from `,
      `credential expires: ${expires.toISOString().slice(0, 10)}`,
      `  linux/amd64    ${ARCHIVES[0]!.padEnd(40)} upx: packed`,
      `  windows/amd64  ${ARCHIVES[1]!.padEnd(40)} upx: no (upx is off for windows (input upx: linux)), wintun.dll amd64`,
      `Release v0.3.7 in ${github.owner}/${github.repo} (private):`,
      `    replaced  ${ARCHIVES[0]}`,
      `    new       ${ARCHIVES[1]}`,
      '    new       ktctl_0.3.7_checksums.txt',
      '    new       ktctl_0.3.7_sbom.spdx.json',
      '    new       build-info.json',
    ]) {
      assert.ok(run.stdout.includes(line), `the plan shows: ${line}\n${run.stdout}`);
    }
    assert.ok(run.summary.includes('Dry run: ktctl 0.3.7'));
    assert.equal(writes(), writesBefore, 'no write to GitHub');
    assert.deepEqual(
      github.releaseViews('v0.3.7').flatMap((release) => release.assets.map((asset) => asset.name)),
      [ARCHIVES[0]],
    );
    assert.ok(!existsSync(path.join(dirs.workspace, 'ktctl-dist')), 'no output folder');
    assert.deepEqual(readdirSync(dirs.toolCache), [], 'no Go or upx installed');
    assert.deepEqual(readdirSync(dirs.temp), [], 'the scratch checkout is gone');
    // the toolchain sources were asked, the Go archive's body abandoned after its headers
    assert.ok(world.server.requests.some((request) => request.startsWith('/go/?mode=json')));
    assert.ok(world.server.requests.includes(`/go/go${world.server.files.goVersion}.linux-amd64.tar.gz`));
  });

  test('dry-run reports an immutable release, and fails on a bad input before asking anyone', async () => {
    github.seedRelease({ tag: 'ktctl-frozen', immutable: true, assets: [{ name: ARCHIVES[0]!, data: 'old' }] });
    const inputs = { ...world.inputs, publish: 'true', 'github-token': 'write-token', targets: 'linux/amd64', upx: 'false', 'dry-run': 'true' };
    const frozen = await runAction({ dirs: world.newRunner(), env: githubEnv(), inputs: { ...inputs, 'release-tag': 'ktctl-frozen' } });
    assert.equal(frozen.code, 0, frozen.stdout);
    assert.match(frozen.stdout, /exists \(id \d+, immutable\), 1 assets\./);
    assert.match(
      frozen.stdout,
      /is immutable: its assets cannot change, so this build would be published as a new release ktctl-frozen-build\.2 that supersedes it/,
    );

    const asked = github.requests.length;
    const bad = await runAction({ dirs: world.newRunner(), env: githubEnv(), inputs: { ...inputs, upx: 'linux,freebsd' } });
    assert.notEqual(bad.code, 0);
    assert.match(bad.stdout, /::error::Input 'upx': 'freebsd' is neither true, false nor an OS/);
    assert.equal(github.requests.length, asked, 'GitHub was not asked');
    assert.equal(bad.outputs['fingerprint'], undefined);
  });

  describe('a build with upx: linux, a certificate that expires soon, and kt-config: upstream', () => {
    const pair = makeCertificate(10);
    const kubeconfig = kubeconfigWithCertificate(pair);
    const expires = new Date(new X509Certificate(pair.certificate).validTo);
    const inputs = (): Record<string, string> => ({ ...world.inputs, kubeconfig, 'kt-config': 'upstream', targets: TARGETS, upx: 'linux' });
    let dry: ActionRun;
    let real: ActionRun;
    let dirs: ReturnType<World['newRunner']>;
    before(async () => {
      dry = await runAction({ dirs: world.newRunner(), env: world.env, inputs: { ...inputs(), 'dry-run': 'true' } });
      dirs = world.newRunner();
      real = await runAction({ dirs, env: world.env, inputs: inputs() });
    });

    test('the dry run foretold the build: same fingerprint, version, Go and archive names', () => {
      assert.equal(dry.code, 0, dry.stdout);
      assert.equal(real.code, 0, real.stdout);
      for (const output of ['fingerprint', 'version', 'upstream-tag', 'go-version', 'credentials-expire']) {
        assert.equal(dry.outputs[output], real.outputs[output], output);
      }
      const built = (JSON.parse(real.outputs['assets'] ?? '[]') as { name: string }[]).map((asset) => asset.name);
      assert.deepEqual(built, ARCHIVES);
      for (const name of built) assert.ok(dry.stdout.includes(name));
    });

    test('the credential warns with its day, and the day is an output and in the summary notes', () => {
      const day = expires.toISOString().slice(0, 10);
      assert.match(
        real.stdout,
        new RegExp(
          `::warning::Input 'kubeconfig': the credential of the current context's user \\(users\\[0\\], a client certificate\\) expires on ${day} \\(UTC\\), in \\d+ days \\(min-credential-days is 30\\)`,
        ),
      );
      assert.equal(real.outputs['credentials-expire'], isoSecond(expires));
      assert.ok(real.summary.includes(`Its credential expires on ${day} (UTC)`), real.summary);
    });

    test('linux is packed by upx, windows is not; the placeholder kt config is embedded', () => {
      const dist = path.join(dirs.workspace, 'ktctl-dist');
      const open = (archive: string, binary: string): Buffer => {
        const into = mkdtempSync(path.join(world.root, 'upx-'));
        execFileSync('unzip', ['-q', path.join(dist, archive), '-d', into]);
        return readFileSync(path.join(into, binary));
      };
      const linux = open(ARCHIVES[0]!, 'ktctl');
      const windows = open(ARCHIVES[1]!, 'ktctl.exe');
      assert.ok(linux.includes(Buffer.from('UPX!')), 'linux binary packed');
      assert.ok(!windows.includes(Buffer.from('UPX!')), 'windows binary not packed');
      assert.equal(windows.subarray(0, 2).toString('latin1'), 'MZ');
      assert.match(real.stdout, /windows\/amd64: not packed: upx is off for windows \(input upx: linux\)/);
      const into = mkdtempSync(path.join(world.root, 'run-'));
      execFileSync('unzip', ['-q', path.join(dist, ARCHIVES[0]!), '-d', into]);
      assert.equal(execFileSync(path.join(into, 'ktctl'), ['dump-kubeconfig'], { encoding: 'utf8' }), kubeconfig);
      assert.equal(execFileSync(path.join(into, 'ktctl'), ['dump-ktconfig'], { encoding: 'utf8' }), 'PUT YOUR KT CONFIG CONTENT HERE');
    });
  });
});
