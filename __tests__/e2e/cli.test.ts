// The local command, run as a person would run it: a real process, real Go, real upx.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createWorld, KT_CONFIG, KUBECONFIG, type World } from '../support/e2e-setup.js';
import { writeFileSync } from 'node:fs';

const CLI = path.resolve('dist/cli/index.js');

describe('ktctl-customize build', { concurrency: false }, () => {
  let world: World;
  let home: string;
  before(async () => {
    world = await createWorld();
    home = mkdtempSync(path.join(world.root, 'home-'));
  });
  after(() => world.close());

  // asynchronous: the download server lives in this process and must keep answering
  const cli = (args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ status: number | null; stdout: string; stderr: string }> =>
    new Promise((resolve) => {
      const child = spawn(process.execPath, [CLI, ...args], { cwd: home, env: { PATH: process.env['PATH'], HOME: home, ...world.env, ...env } });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
      child.on('close', (status) => resolve({ status, stdout, stderr }));
    });

  test('--help lists every option with its environment variable', async () => {
    const run = await cli(['--help']);
    assert.equal(run.status, 0);
    assert.equal(run.stderr, '');
    for (const option of ['--kubeconfig FILE', '--kt-config FILE', '--targets', '--ktctl-version', '--output-dir', 'KTCTL_CUSTOMIZE_UPX_ARGS']) {
      assert.ok(run.stdout.includes(option), option);
    }
  });

  test('a bad flag, a bad command and a bad value each give one clean line and a non-zero exit', async () => {
    for (const [args, pattern] of [
      [['build', '--frobnicate', 'x'], /^ktctl-customize: unknown option --frobnicate\n/],
      [['deploy'], /^ktctl-customize: unknown command 'deploy'; the commands are 'build' and 'check'\./],
      [
        ['build', '--kubeconfig', 'upstream', '--kt-config', 'upstream', '--targets', 'plan9/amd64'],
        /^ktctl-customize: Option '--targets': 'plan9\/amd64' is not a target/,
      ],
      [
        ['build', '--kubeconfig', '/nonexistent/config'],
        /^ktctl-customize: Option '--kubeconfig': expected a file path; got text \(not shown\) that is not a readable file \(ENOENT\)/,
      ],
      [['build'], /^ktctl-customize: Option '--kubeconfig': not given, and .*\.kube\/config does not exist; give --kubeconfig FILE, or --kubeconfig upstream/],
    ] as const) {
      const run = await cli([...args]);
      assert.notEqual(run.status, 0, args.join(' '));
      assert.match(run.stderr, pattern);
      assert.equal(run.stdout, '');
      assert.ok(!run.stderr.includes('    at '), 'no stack trace');
    }
  });

  test('builds linux/amd64 from files and environment variables, and the result runs', async () => {
    const kubeconfig = path.join(home, 'kubeconfig.yaml');
    const ktConfig = path.join(home, 'kt.yaml');
    writeFileSync(kubeconfig, KUBECONFIG);
    writeFileSync(ktConfig, KT_CONFIG);
    const out = path.join(home, 'out');
    const run = await cli(
      [
        'build',
        '--kubeconfig',
        kubeconfig,
        '--kt-config',
        ktConfig,
        '--targets',
        'linux/amd64',
        '--output-dir',
        out,
        '--kt-connect-repository',
        world.inputs['kt-connect-repository']!,
        '--go-download-base-url',
        world.inputs['go-download-base-url']!,
      ],
      {
        KTCTL_CUSTOMIZE_UPX_DOWNLOAD_BASE_URL: world.inputs['upx-download-base-url'],
        KTCTL_CUSTOMIZE_UPX_VERSION: world.inputs['upx-version'],
        KTCTL_CUSTOMIZE_UPX_SHA256: world.inputs['upx-sha256'],
      },
    );
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stdout, `${path.join(out, 'ktctl_0.3.7_Linux_x86_64.zip')}\n${path.join(out, 'ktctl_0.3.7_checksums.txt')}\n`);
    assert.match(run.stderr, /linux\/amd64: built in [\d.]+s/);
    assert.match(run.stderr, /linux\/amd64: packed by upx/);
    assert.ok(!run.stderr.includes('::debug::'), 'no runner commands on a terminal');
    const into = path.join(home, 'unpacked');
    mkdirSync(into);
    execFileSync('unzip', ['-q', path.join(out, 'ktctl_0.3.7_Linux_x86_64.zip'), '-d', into]);
    assert.equal(execFileSync(path.join(into, 'ktctl'), ['--version'], { encoding: 'utf8' }), 'ktctl version 0.3.7\n');
    assert.equal(execFileSync(path.join(into, 'ktctl'), ['dump-kubeconfig'], { encoding: 'utf8' }), KUBECONFIG);
    assert.equal(execFileSync(path.join(into, 'ktctl'), ['dump-ktconfig'], { encoding: 'utf8' }), KT_CONFIG);
  });

  test('with no config options it takes ~/.kube/config and ~/.kt/config', async () => {
    mkdirSync(path.join(home, '.kube'), { recursive: true });
    mkdirSync(path.join(home, '.kt'), { recursive: true });
    writeFileSync(path.join(home, '.kube', 'config'), KUBECONFIG);
    writeFileSync(path.join(home, '.kt', 'config'), KT_CONFIG);
    const run = await cli([
      'build',
      '--kt-connect-repository',
      world.inputs['kt-connect-repository']!,
      '--go-download-base-url',
      world.inputs['go-download-base-url']!,
      '--upx',
      'false',
    ]);
    assert.equal(run.status, 0, run.stderr);
    const archive = path.join(home, 'ktctl-dist', 'ktctl_0.3.7_Linux_x86_64.zip');
    assert.ok(run.stdout.startsWith(`${archive}\n`), run.stdout);
    const into = path.join(home, 'unpacked-home');
    mkdirSync(into);
    execFileSync('unzip', ['-q', archive, '-d', into]);
    assert.equal(execFileSync(path.join(into, 'ktctl'), ['dump-kubeconfig'], { encoding: 'utf8' }), KUBECONFIG);
  });
});
