// The local command never echoes a value it was given for a config, whatever went wrong:
// a real process of dist/cli/index.js, a real JWT, and every 8-character piece of it looked for.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createWorld, type World } from '../support/e2e-setup.js';
import { kubeconfigWithToken, makeJwt, pieces } from '../support/credentials.js';

const CLI = path.resolve('dist/cli/index.js');
const DAY = 86400;

interface CliRun {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

describe('ktctl-customize never echoes a config value', { concurrency: false }, () => {
  let world: World;
  let home: string;
  before(async () => {
    world = await createWorld();
    home = mkdtempSync(path.join(world.root, 'home-'));
  });
  after(() => world.close());

  const cli = (args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<CliRun> =>
    new Promise((resolve) => {
      const child = spawn(process.execPath, [CLI, ...args], { cwd: home, env: { PATH: process.env['PATH'], HOME: home, ...world.env, ...env } });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
      child.on('close', (status) => resolve({ status, stdout, stderr }));
    });

  const token = makeJwt(Math.floor(Date.now() / 1000) + 200 * DAY);
  const kubeconfig = kubeconfigWithToken(token);
  const base64 = Buffer.from(kubeconfig).toString('base64');

  test('text where a file path belongs fails without a piece of the token, for every way to give it', async () => {
    const cases: { args: string[]; env?: NodeJS.ProcessEnv; says: RegExp }[] = [
      { args: ['build', '--kubeconfig', kubeconfig], says: /^ktctl-customize: Option '--kubeconfig': expected a file path; got text \(not shown\)/ },
      { args: ['check', `--kubeconfig=${kubeconfig}`], says: /^ktctl-customize: Option '--kubeconfig': expected a file path; got text \(not shown\)/ },
      { args: ['build', '--kubeconfig', `---\n${kubeconfig}`], says: /expected a file path; got text \(not shown\)/ },
      {
        args: ['build', '--kubeconfig', base64],
        says: /^ktctl-customize: Option '--kubeconfig': expected a file path; got text \(not shown\) that is not a readable file/,
      },
      {
        args: ['build', '--kubeconfig', 'upstream', '--kt-config', kubeconfig],
        says: /^ktctl-customize: Option '--kt-config': expected a file path; got text \(not shown\)/,
      },
      {
        args: ['build'],
        env: { KTCTL_CUSTOMIZE_KUBECONFIG: base64 },
        says: /^ktctl-customize: Option '--kubeconfig': expected a file path; got text \(not shown\)/,
      },
      { args: ['build', kubeconfig], says: /^ktctl-customize: an unexpected argument after 'build' \(not shown\)/ },
      { args: [kubeconfig], says: /^ktctl-customize: unknown command \(not shown\)/ },
      { args: ['build', '--kubeconf', kubeconfig], says: /^ktctl-customize: unknown option --kubeconf; did you mean --kubeconfig\?/ },
      { args: ['build', `--${token}`], says: /^ktctl-customize: unknown option \(not shown\)/ },
      { args: ['build', `--kubeconfig-${token}=x`], says: /^ktctl-customize: unknown option \(not shown\)/ },
    ];
    for (const { args, env, says } of cases) {
      const run = await cli(args, env);
      const shown = run.stdout + run.stderr;
      assert.notEqual(run.status, 0);
      assert.match(run.stderr, says);
      for (const piece of [...pieces(token), ...pieces(base64.slice(base64.length / 2))]) {
        assert.ok(!shown.includes(piece), `a piece of the secret in the output of case ${says}`);
      }
    }
  });

  test('-h and --help print the usage, with both commands', async () => {
    for (const flag of ['-h', '--help']) {
      const run = await cli([flag]);
      assert.equal(run.status, 0);
      assert.match(run.stdout, /^Usage: ktctl-customize build \[options\]\n {7}ktctl-customize check \[options\]/);
      assert.ok(run.stdout.includes('--min-credential-days VALUE'));
      assert.ok(!run.stdout.includes('--dry-run'), 'the check command is the dry run');
    }
  });

  test('the configs are checked before any network step', async () => {
    let connections = 0;
    const server = net.createServer((socket) => {
      connections++;
      socket.destroy();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as net.AddressInfo).port;
    try {
      const expiredToken = makeJwt(Math.floor(Date.now() / 1000) - DAY);
      const expired = path.join(home, 'expired.yaml');
      writeFileSync(expired, kubeconfigWithToken(expiredToken));
      const badKt = path.join(home, 'bad-kt.yaml');
      writeFileSync(badKt, 'global:\n  imagee: registry.example.com/shadow\n');
      const repository = ['--kt-connect-repository', `http://127.0.0.1:${port}/kt-connect.git`, '--go-download-base-url', `http://127.0.0.1:${port}/go`];
      const stale = await cli(['check', '--kubeconfig', expired, '--kt-config', 'upstream', ...repository]);
      assert.equal(stale.status, 1);
      assert.match(
        stale.stderr,
        /Option '--kubeconfig': the credential of the current context's user \(users\[0\], a bearer token \(JWT\)\) expired on \d{4}-\d\d-\d\d \(UTC\)/,
      );
      for (const piece of pieces(expiredToken)) assert.ok(!(stale.stdout + stale.stderr).includes(piece));
      const typo = await cli(['build', '--kubeconfig', 'upstream', '--kt-config', badKt, ...repository]);
      assert.equal(typo.status, 1);
      assert.match(typo.stderr, /Option '--kt-config': line 2, global\.imagee: is not a key ktctl reads/);
      assert.equal(connections, 0, 'nothing was fetched');
    } finally {
      server.close();
    }
  });

  test('check prints the plan for the fixture and builds nothing', async () => {
    const file = path.join(home, 'kube.yaml');
    writeFileSync(file, kubeconfig);
    const run = await cli(
      [
        'check',
        '--kubeconfig',
        file,
        '--kt-config',
        'upstream',
        '--targets',
        'linux/amd64,windows/arm64',
        '--kt-connect-repository',
        world.inputs['kt-connect-repository']!,
        '--go-download-base-url',
        world.inputs['go-download-base-url']!,
        '--wintun-url',
        world.inputs['wintun-url']!,
        '--wintun-sha256',
        world.inputs['wintun-sha256']!,
      ],
      {
        KTCTL_CUSTOMIZE_UPX_DOWNLOAD_BASE_URL: world.inputs['upx-download-base-url'],
        KTCTL_CUSTOMIZE_UPX_VERSION: world.inputs['upx-version'],
        KTCTL_CUSTOMIZE_UPX_SHA256: world.inputs['upx-sha256'],
      },
    );
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /^Dry run: nothing was built, uploaded or written\. This run would build:\n {2}ktctl 0\.3\.7 from kt-connect v0\.3\.7/);
    assert.ok(run.stdout.includes(`kubeconfig: ${Buffer.byteLength(kubeconfig)} bytes (not shown); credential expires: `));
    assert.match(run.stdout, /linux\/amd64 +ktctl_0\.3\.7_Linux_x86_64\.zip +upx: packed/);
    assert.match(run.stdout, /windows\/arm64 +ktctl_0\.3\.7_Windows_arm_64\.zip +upx: no \(upx cannot pack windows\/arm64 executables\), wintun\.dll arm64/);
    for (const piece of pieces(token)) assert.ok(!(run.stdout + run.stderr).includes(piece));
    assert.ok(!existsSync(path.join(home, 'ktctl-dist')), 'no output folder');
  });
});
