// Links and hostile archives against the bundled action: a checked-out tree whose hook is a
// link, an output folder that leads out of the workspace, a link planted where an archive goes
// (on one file system and across two), and downloaded archives holding links, the wrong DLL or
// no archive at all. Each refused case: a non-zero exit, one error naming the input, nothing
// written outside, no scratch folder left.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { sha256 } from '../support/downloads.js';
import { createWorld, KT_CONFIG, KUBECONFIG, listFiles, type World } from '../support/e2e-setup.js';
import { MACHINES, peFile, testWintunDll } from '../support/pe.js';
import { runAction, withoutMaskCommands, type ActionRun, type RunnerDirs } from '../support/run-action.js';

const TOKEN = /token: (\S+)/.exec(KUBECONFIG)![1]!;
/** A file of the runner that a link in a download or in the tree could point at. */
const RUNNER_FILE_TEXT = 'a file of the runner that must never be read into an archive\n';

function errorLines(run: ActionRun): string[] {
  return run.stdout.split('\n').filter((line) => line.startsWith('::error'));
}

function git(dir: string, args: string[]): string {
  const date = '2022-12-01T10:00:00Z';
  return execFileSync('git', args, {
    cwd: dir,
    encoding: 'utf8',
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: 'fixture',
      GIT_AUTHOR_EMAIL: 'fixture@example.invalid',
      GIT_COMMITTER_NAME: 'fixture',
      GIT_COMMITTER_EMAIL: 'fixture@example.invalid',
      GIT_AUTHOR_DATE: date,
      GIT_COMMITTER_DATE: date,
    },
  }).trim();
}

/** Tags `tag` on top of v0.3.7 with `change` applied to the tree: how a mirror or a moved tag would serve it. */
function tagTree(repoDir: string, tag: string, change: (tree: string) => void): void {
  git(repoDir, ['checkout', '--quiet', '--detach', 'v0.3.7']);
  change(repoDir);
  git(repoDir, ['add', '-A']);
  git(repoDir, ['commit', '--quiet', '-m', tag]);
  git(repoDir, ['tag', tag]);
  git(repoDir, ['checkout', '--quiet', 'master']);
}

/** A zip of `wintun/...` built from a folder that `fill` lays out; `zip -y` stores links as links. */
function wintunZip(root: string, name: string, fill: (stage: string) => void): string {
  const stage = path.join(root, `stage-${name}`);
  mkdirSync(path.join(stage, 'wintun', 'bin'), { recursive: true });
  fill(stage);
  const file = path.join(root, `${name}.zip`);
  execFileSync('zip', ['-q', '-r', '-y', '-X', file, 'wintun'], { cwd: stage });
  return file;
}

describe('links and hostile archives', { concurrency: false }, () => {
  let world: World;
  let dirs: RunnerDirs;
  /** Outside the runner's workspace and temp folder: nothing may ever be written here. */
  let outside: string;

  before(async () => {
    world = await createWorld({ caches: 'shared' });
    dirs = world.newRunner();
    outside = mkdtempSync(path.join(world.root, 'outside-'));
    writeFileSync(path.join(outside, 'runner-file'), RUNNER_FILE_TEXT);
  });
  after(() => world.close());

  const good = (): Record<string, string> => ({ ...world.inputs, kubeconfig: KUBECONFIG, 'kt-config': KT_CONFIG, targets: 'linux/amd64', upx: 'false' });
  const leftovers = (runner: RunnerDirs): string[] => readdirSync(runner.temp).filter((name) => name.startsWith('ktctl-customize-'));

  /** The checks every refused run must pass. */
  function assertRefused(run: ActionRun, input: string | string[], runner: RunnerDirs, outputDir: string): string {
    assert.notEqual(run.code, 0, 'exit code');
    const errors = errorLines(run);
    assert.equal(errors.length, 1, `one error, got ${errors.join(' | ')}`);
    for (const name of [input].flat()) assert.ok(errors[0]!.includes(`'${name}'`), `the error names '${name}': ${errors[0]}`);
    assert.ok(!withoutMaskCommands(run.stdout + run.stderr).includes(TOKEN), 'the token reached the log');
    assert.equal(existsSync(path.join(runner.workspace, outputDir)), false, 'no output folder');
    assert.deepEqual(leftovers(runner), [], 'the scratch folder is gone');
    assert.deepEqual(listFiles(outside).sort(), expectedOutside(), 'nothing written outside');
    return errors[0]!;
  }
  /** What `outside` holds from the start; anything more was written by the action. */
  let outsideFiles: string[] = [];
  const expectedOutside = (): string[] => outsideFiles;

  describe('the checked-out tree', () => {
    // [tag, what it does, the text the error must hold]
    const TREES: [string, (tree: string, outside: string) => void, RegExp][] = [
      [
        'link-kube-config',
        (tree, out) => {
          rmSync(path.join(tree, 'hack/kube/config'));
          symlinkSync(path.join(out, 'kubeconfig-landing'), path.join(tree, 'hack/kube/config'));
        },
        /hack\/kube\/config is a symbolic link/,
      ],
      [
        'link-kt-config',
        (tree, out) => {
          rmSync(path.join(tree, 'hack/kt/config'));
          symlinkSync(path.join(out, 'runner-file'), path.join(tree, 'hack/kt/config'));
        },
        /hack\/kt\/config is a symbolic link/,
      ],
      [
        'link-kube-folder',
        (tree, out) => {
          rmSync(path.join(tree, 'hack/kube'), { recursive: true });
          symlinkSync(path.join(out, 'kube-folder'), path.join(tree, 'hack/kube'));
        },
        /hack\/kube is a symbolic link/,
      ],
      [
        'link-hack-folder',
        (tree, out) => {
          rmSync(path.join(tree, 'hack'), { recursive: true });
          symlinkSync(path.join(out, 'hack-folder'), path.join(tree, 'hack'));
        },
        /hack is a symbolic link/,
      ],
      [
        'link-customize-go',
        (tree, out) => {
          rmSync(path.join(tree, 'hack/customize.go'));
          symlinkSync(path.join(out, 'hack-folder', 'customize.go'), path.join(tree, 'hack/customize.go'));
        },
        /hack\/customize\.go is a symbolic link/,
      ],
      [
        'folder-kt-config',
        (tree) => {
          rmSync(path.join(tree, 'hack/kt/config'));
          mkdirSync(path.join(tree, 'hack/kt/config'));
          writeFileSync(path.join(tree, 'hack/kt/config/x'), 'x');
        },
        /hack\/kt\/config is a folder, where kt-connect has a regular file/,
      ],
      [
        'link-go-mod',
        (tree, out) => {
          rmSync(path.join(tree, 'go.mod'));
          symlinkSync(path.join(out, 'runner-file'), path.join(tree, 'go.mod'));
        },
        /go\.mod is not a regular file/,
      ],
    ];

    before(() => {
      // the targets of the links: a folder shaped like hack/ (so following the link would
      // "work"), an empty kube folder, and the runner's file
      mkdirSync(path.join(outside, 'kube-folder'));
      for (const [name, text] of [
        ['customize.go', readFileSync(path.join(world.repo.dir, 'hack/customize.go'), 'utf8')],
        ['kube/config', 'PLACEHOLDER'],
        ['kt/config', 'PLACEHOLDER'],
      ] as const) {
        mkdirSync(path.dirname(path.join(outside, 'hack-folder', name)), { recursive: true });
        writeFileSync(path.join(outside, 'hack-folder', name), text);
      }
      outsideFiles = listFiles(outside).sort();
      for (const [tag, change] of TREES) tagTree(world.repo.dir, tag, (tree) => change(tree, outside));
    });

    for (const [tag, , reason] of TREES) {
      test(`${tag}: refused before anything is written or downloaded`, async () => {
        const requests = world.server.requests.length;
        const run = await runAction({ dirs, env: world.env, inputs: { ...good(), 'kt-connect-version': tag, 'output-dir': `out-${tag}` } });
        const error = assertRefused(run, ['kt-connect-repository', 'kt-connect-version'], dirs, `out-${tag}`);
        assert.match(error, reason);
        assert.equal(existsSync(path.join(outside, 'kubeconfig-landing')), false, 'nothing created at the link target');
        assert.deepEqual(readdirSync(path.join(outside, 'kube-folder')), []);
        for (const name of ['kube/config', 'kt/config']) assert.equal(readFileSync(path.join(outside, 'hack-folder', name), 'utf8'), 'PLACEHOLDER');
        assert.equal(readFileSync(path.join(outside, 'runner-file'), 'utf8'), RUNNER_FILE_TEXT);
        assert.equal(world.server.requests.length, requests, 'nothing downloaded');
      });
    }
  });

  describe('output-dir', () => {
    before(() => {
      mkdirSync(path.join(outside, 'out-target'));
      mkdirSync(path.join(outside, 'mid-target'));
      outsideFiles = listFiles(outside).sort();
    });

    // [what, what to plant in the workspace, output-dir]
    const CASES: [string, (workspace: string) => void, (workspace: string) => string][] = [
      ['above the workspace', () => {}, () => '../..'],
      ['below the workspace, then up and out', () => {}, () => 'dist/../../elsewhere'],
      ['an absolute path outside the workspace', () => {}, () => path.join(outside, 'absolute-out')],
      ['a link to a folder outside', (ws) => symlinkSync(path.join(outside, 'out-target'), path.join(ws, 'linked-out')), () => 'linked-out'],
      ['a folder below a link to a folder outside', (ws) => symlinkSync(path.join(outside, 'mid-target'), path.join(ws, 'mid')), () => 'mid/sub'],
      ['a link to nothing', (ws) => symlinkSync(path.join(outside, 'nothing-here'), path.join(ws, 'dangling-out')), () => 'dangling-out'],
      ['an existing file', (ws) => writeFileSync(path.join(ws, 'a-file'), 'not a folder\n'), () => 'a-file'],
      ['a folder below an existing file', (ws) => writeFileSync(path.join(ws, 'b-file'), 'not a folder\n'), () => 'b-file/sub'],
    ];
    for (const [what, plant, outputDir] of CASES) {
      test(`${what}: refused before anything is downloaded`, async () => {
        const runner = world.newRunner();
        plant(runner.workspace);
        const planted = readdirSync(runner.workspace).sort();
        const requests = world.server.requests.length;
        const run = await runAction({ dirs: runner, env: world.env, inputs: { ...good(), 'output-dir': outputDir(runner.workspace) } });
        assert.notEqual(run.code, 0);
        const errors = errorLines(run);
        assert.equal(errors.length, 1, errors.join(' | '));
        assert.ok(errors[0]!.includes("'output-dir'"), errors[0]);
        assert.equal(world.server.requests.length, requests, 'nothing downloaded');
        assert.deepEqual(readdirSync(runner.workspace).sort(), planted, 'nothing created in the workspace');
        assert.deepEqual(leftovers(runner), []);
        assert.deepEqual(listFiles(outside).sort(), outsideFiles, 'nothing written outside');
        for (const folder of ['out-target', 'mid-target']) assert.deepEqual(readdirSync(path.join(outside, folder)), []);
        assert.equal(existsSync(path.join(outside, 'absolute-out')), false);
        assert.equal(existsSync(path.join(outside, 'nothing-here')), false);
      });
    }
  });

  describe('a link planted where an archive goes', () => {
    // RUNNER_TEMP (the staging folder) on the disk the workspace is on, then on a tmpfs: the
    // archives are renamed into place on one file system and copied across two
    const SHM = '/dev/shm';
    for (const [what, tempParent] of [
      ['one file system', undefined],
      ['two file systems', SHM],
    ] as const) {
      test(`${what}: the link is replaced, its target untouched`, async () => {
        const base = world.newRunner();
        const temp = tempParent === undefined ? base.temp : mkdtempSync(path.join(tempParent, 'ktctl-temp-'));
        const runner: RunnerDirs = { ...base, temp };
        try {
          const sameDevice = statSync(runner.temp).dev === statSync(runner.workspace).dev;
          assert.equal(sameDevice, tempParent === undefined, `${runner.temp} and ${runner.workspace} must be on ${what}`);
          const victim = path.join(outside, `victim-${tempParent === undefined ? 'one' : 'two'}`);
          writeFileSync(victim, RUNNER_FILE_TEXT);
          const out = path.join(runner.workspace, 'planted');
          mkdirSync(out);
          symlinkSync(victim, path.join(out, 'ktctl_0.3.7_Linux_x86_64.zip'));
          symlinkSync(`${victim}-checksums`, path.join(out, 'ktctl_0.3.7_checksums.txt'));
          symlinkSync(victim, path.join(out, 'ktctl_0.3.7_sbom.spdx.json'));
          // absolute and inside the workspace: allowed
          const run = await runAction({ dirs: runner, env: world.env, inputs: { ...good(), 'output-dir': out } });
          assert.equal(run.code, 0, run.stdout);
          assert.equal(readFileSync(victim, 'utf8'), RUNNER_FILE_TEXT, 'the link target is untouched');
          assert.equal(existsSync(`${victim}-checksums`), false, 'nothing created at a dangling link target');
          for (const name of ['ktctl_0.3.7_Linux_x86_64.zip', 'ktctl_0.3.7_checksums.txt', 'ktctl_0.3.7_sbom.spdx.json']) {
            assert.ok(lstatSync(path.join(out, name)).isFile(), `${name} is a regular file now`);
          }
          assert.equal(lstatSync(path.join(out, 'ktctl_0.3.7_Linux_x86_64.zip')).mode & 0o077, 0, "the archive embeds the configs: the runner's user only");
          assert.deepEqual(
            readdirSync(out).sort(),
            ['ktctl_0.3.7_Linux_x86_64.zip', 'ktctl_0.3.7_checksums.txt', 'ktctl_0.3.7_sbom.spdx.json'],
            'no partial file left',
          );
          execFileSync('sha256sum', ['--check', '--strict', 'ktctl_0.3.7_checksums.txt'], { cwd: out });
          const into = mkdtempSync(path.join(world.root, 'open-'));
          execFileSync('unzip', ['-q', path.join(out, 'ktctl_0.3.7_Linux_x86_64.zip'), '-d', into]);
          assert.equal(execFileSync(path.join(into, 'ktctl'), ['dump-kubeconfig'], { encoding: 'utf8' }), KUBECONFIG);
          assert.deepEqual(leftovers(runner), []);
        } finally {
          if (tempParent !== undefined) rmSync(temp, { recursive: true, force: true });
        }
      });
    }
  });

  describe('downloaded archives', () => {
    let zips: string;
    before(() => {
      zips = mkdtempSync(path.join(world.root, 'zips-'));
      mkdirSync(path.join(outside, 'bin', 'amd64'), { recursive: true });
      writeFileSync(path.join(outside, 'bin', 'amd64', 'wintun.dll'), testWintunDll('amd64'));
      outsideFiles = listFiles(outside).sort();
    });

    const dll = (stage: string, arch: string, bytes: Buffer | string): void => {
      mkdirSync(path.join(stage, 'wintun', 'bin', arch), { recursive: true });
      writeFileSync(path.join(stage, 'wintun', 'bin', arch, 'wintun.dll'), bytes);
    };
    // [what, how the zip is laid out, the text the error must hold]
    const WINTUN_CASES: [string, (stage: string, outside: string) => void, RegExp][] = [
      [
        'a wintun.dll entry that is a symbolic link',
        (stage, out) => {
          mkdirSync(path.join(stage, 'wintun', 'bin', 'amd64'));
          symlinkSync(path.join(out, 'runner-file'), path.join(stage, 'wintun', 'bin', 'amd64', 'wintun.dll'));
        },
        /wintun\/bin\/amd64\/wintun\.dll is a symbolic link, not a regular file/,
      ],
      [
        'a bin folder that is a symbolic link to a good DLL outside',
        (stage, out) => {
          rmSync(path.join(stage, 'wintun', 'bin'), { recursive: true });
          symlinkSync(path.join(out, 'bin'), path.join(stage, 'wintun', 'bin'));
        },
        /wintun\/bin is a symbolic link, not a folder/,
      ],
      ['a DLL for x86 in the amd64 folder', (stage) => dll(stage, 'amd64', peFile(MACHINES.x86)), /is built for x86 \(0x014c\), not amd64 \(0x8664\)/],
      ['a DLL for arm64 in the amd64 folder', (stage) => dll(stage, 'amd64', peFile(MACHINES.arm64)), /is built for arm64 \(0xaa64\), not amd64/],
      ['an executable, not a DLL', (stage) => dll(stage, 'amd64', peFile(MACHINES.amd64, { dll: false })), /is a Windows executable, not a DLL/],
      [
        'a text file as wintun.dll',
        (stage) => dll(stage, 'amd64', 'MZ? no, just text that is long enough to be read as a header, and more.\n'),
        /is not a Windows DLL/,
      ],
      ['no DLL for amd64', (stage) => dll(stage, 'x86', testWintunDll('x86')), /has no wintun\/bin\/amd64\/wintun\.dll/],
    ];

    for (const [index, [what, fill, reason]] of WINTUN_CASES.entries()) {
      test(`wintun: ${what} is refused, naming wintun-url`, async () => {
        const zip = wintunZip(zips, `case-${index}`, (stage) => fill(stage, outside));
        const url = world.server.serve(`/mirror-${index}/wintun-0.14.1.zip`, zip);
        const run = await runAction({
          dirs,
          env: world.env,
          inputs: { ...good(), targets: 'windows/amd64', 'wintun-url': url, 'wintun-sha256': sha256(zip), 'output-dir': `wintun-${index}` },
        });
        const error = assertRefused(run, 'wintun-url', dirs, `wintun-${index}`);
        assert.match(error, reason);
        assert.ok(error.includes(url), 'the error names the URL');
      });
    }

    test('wintun: a hash-pinned zip that unzip rejects names wintun-url and says what is wrong', async () => {
      const whole = readFileSync(world.server.files.wintunZip);
      const cut = path.join(zips, 'cut.zip');
      writeFileSync(cut, whole.subarray(0, Math.floor(whole.length / 2)));
      const url = world.server.serve('/cut/wintun-0.14.1.zip', cut);
      const run = await runAction({
        dirs,
        env: world.env,
        inputs: { ...good(), targets: 'windows/amd64', 'wintun-url': url, 'wintun-sha256': sha256(cut), 'output-dir': 'wintun-cut' },
      });
      const error = assertRefused(run, 'wintun-url', dirs, 'wintun-cut');
      assert.match(error, /is not a valid zip archive/);
    });

    test('upx and Go: an archive tar rejects, or a upx binary that is a link, names the input it came from', async () => {
      const version = world.server.files.upxVersion;
      const folder = `upx-${version}-amd64_linux`;
      // a fresh tool cache: neither upx nor Go is there yet
      const runner = world.newRunner({ tools: 'empty' });

      const corrupt = path.join(zips, 'corrupt.tar.xz');
      writeFileSync(corrupt, Buffer.concat([Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]), Buffer.from('not xz data at all '.repeat(50))]));
      world.server.serve(`/bad-upx/v${version}/${folder}.tar.xz`, corrupt);
      const notXz = await runAction({
        dirs: runner,
        env: world.env,
        inputs: {
          ...good(),
          upx: 'true',
          'upx-download-base-url': `${world.server.baseUrl}/bad-upx`,
          'upx-sha256': sha256(corrupt),
          'output-dir': 'upx-corrupt',
        },
      });
      assert.match(assertRefused(notXz, 'upx-download-base-url', runner, 'upx-corrupt'), /is not a valid tar\.xz archive/);

      const stage = path.join(zips, 'upx-link');
      mkdirSync(path.join(stage, folder), { recursive: true });
      symlinkSync(path.join(outside, 'runner-file'), path.join(stage, folder, 'upx'));
      const linked = path.join(zips, `${folder}.tar.xz`);
      execFileSync('tar', ['-C', stage, '-cJf', linked, folder]);
      world.server.serve(`/link-upx/v${version}/${folder}.tar.xz`, linked);
      const link = await runAction({
        dirs: runner,
        env: world.env,
        inputs: { ...good(), upx: 'true', 'upx-download-base-url': `${world.server.baseUrl}/link-upx`, 'upx-sha256': sha256(linked), 'output-dir': 'upx-link' },
      });
      assert.match(assertRefused(link, 'upx-download-base-url', runner, 'upx-link'), new RegExp(`${folder}/upx is a symbolic link, not a regular file`));

      // Go from a mirror without an index: exact version and go-sha256
      const goRunner = world.newRunner({ tools: 'empty' });
      const goVersion = world.server.files.goVersion;
      const goCorrupt = path.join(zips, 'go-corrupt.tar.gz');
      writeFileSync(goCorrupt, Buffer.concat([Buffer.from([0x1f, 0x8b, 0x08, 0x00]), Buffer.from('not gzip data '.repeat(50))]));
      world.server.serve(`/bad-go/go${goVersion}.linux-amd64.tar.gz`, goCorrupt);
      const notGz = await runAction({
        dirs: goRunner,
        env: world.env,
        inputs: {
          ...good(),
          'go-download-base-url': `${world.server.baseUrl}/bad-go`,
          'go-version': goVersion,
          'go-sha256': sha256(goCorrupt),
          'output-dir': 'go-corrupt',
        },
      });
      assert.match(assertRefused(notGz, 'go-download-base-url', goRunner, 'go-corrupt'), /is not a valid tar\.gz archive/);
    });
  });
});
