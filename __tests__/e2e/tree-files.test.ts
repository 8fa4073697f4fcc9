// What enters the build and what the action leaves on disk, through the bundled action: a patch
// may make no symbolic link (whatever git's spelling of the mode) nor copy a file from outside
// the tree; code a patch adds runs when the built ktctl is checked, in a scratch HOME and TMPDIR
// that are removed afterwards; image-registry adds its two lines and keeps every other byte of
// the kt config; archives are 0600 in a 0700 folder; a GitHub API that never answers ends the
// run within the limits, naming the API's URL.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { createHash, randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createWorld, KUBECONFIG, listFiles, type World } from '../support/e2e-setup.js';
import { createFixtureRepo, type FixtureRepo } from '../support/fixture-repo.js';
import { runAction, withoutMaskCommands, type ActionRun, type RunnerDirs } from '../support/run-action.js';
import { startSilentServer, type SilentServer } from '../support/stall.js';
import { startArtifactServer } from '../support/artifact-server.js';
import { GitHubServer } from '../support/github-server.js';
import { uploadBuildArtifact } from '../../src/publish/artifact.js';

const UPSTREAM = 'registry.cn-hangzhou.aliyuncs.com/rdc-incubator';
const REGISTRY = 'registry.example.com:5000/kt';
const CONST_GO = `package util

const (
\tImageKtShadow = "${UPSTREAM}/kt-connect-shadow"
\tImageKtRouter = "${UPSTREAM}/kt-connect-router"
\tImageKtNavigator = "${UPSTREAM}/kt-connect-navigator"
)
`;
/** Keeps the navigator constant in the binary, as upstream's exchange command does. */
const NAVIGATOR_GO = `package main

import (
\t"fmt"
\t"os"

\t"github.com/alibaba/kt-connect/pkg/kt/util"
)

func init() {
\tif len(os.Args) > 1 && os.Args[1] == "navigator" {
\t\tfmt.Println(util.ImageKtNavigator)
\t\tos.Exit(0)
\t}
}
`;
const TOKEN = /token: (\S+)/.exec(KUBECONFIG)![1]!;

function errorLines(run: ActionRun): string[] {
  return run.stdout.split('\n').filter((line) => line.startsWith('::error'));
}

/** A patch that adds `name` with `text`, as `git diff` writes a new file. */
function newFilePatch(name: string, text: string): string {
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return `diff --git a/${name} b/${name}\nnew file mode 100644\n--- /dev/null\n+++ b/${name}\n@@ -0,0 +1,${lines.length} @@\n${lines.map((line) => `+${line}`).join('\n')}\n`;
}

/** A patch that makes `name` a link to `target`, the mode spelled by `modeLine`. */
function linkPatch(name: string, target: string, modeLine: string): string {
  return `diff --git a/${name} b/${name}\n${modeLine}\nindex 0000000..1111111\n--- /dev/null\n+++ b/${name}\n@@ -0,0 +1 @@\n+${target}\n\\ No newline at end of file\n`;
}

describe('tree, files and the GitHub API', { concurrency: false }, () => {
  let world: World;
  let repo: FixtureRepo;
  /** Outside the runner's folders: a Go file a link could bring into the build. */
  let outside: string;

  before(async () => {
    world = await createWorld({ caches: 'shared' });
    repo = createFixtureRepo(mkdtempSync(path.join(world.root, 'repo-')), { 'pkg/kt/util/const.go': CONST_GO, 'cmd/ktctl/navigator.go': NAVIGATOR_GO });
    outside = mkdtempSync(path.join(world.root, 'outside-'));
    writeFileSync(path.join(outside, 'outside.go'), 'package main\n\nfunc init() { panic("code from outside the tree") }\n');
  });
  after(() => world.close());

  const good = (): Record<string, string> => ({
    ...world.inputs,
    'kt-connect-repository': repo.url,
    'kt-connect-version': 'v0.3.7',
    kubeconfig: KUBECONFIG,
    targets: 'linux/amd64',
    upx: 'false',
  });
  const leftovers = (runner: RunnerDirs): string[] => readdirSync(runner.temp).filter((name) => name.startsWith('ktctl-customize-'));

  describe('patches make no link and read nothing outside the tree', () => {
    const SPELLINGS = ['new file mode 120000', 'new file mode 120755', 'new file mode  120000', 'new file mode 0120000', 'new file mode 120644'];
    for (const [index, spelling] of SPELLINGS.entries()) {
      test(`'${spelling}': refused naming patches and the file, nothing built`, async () => {
        const runner = world.newRunner();
        mkdirSync(path.join(runner.workspace, 'patches'));
        writeFileSync(
          path.join(runner.workspace, 'patches', `link-${index}.patch`),
          linkPatch('cmd/ktctl/zz_outside.go', path.join(outside, 'outside.go'), spelling),
        );
        const run = await runAction({ dirs: runner, env: world.env, inputs: { ...good(), patches: 'patches/*.patch', 'output-dir': 'out' } });
        assert.notEqual(run.code, 0, run.stdout);
        const errors = errorLines(run);
        assert.equal(errors.length, 1, errors.join(' | '));
        assert.ok(errors[0]!.includes("'patches'") && errors[0]!.includes(`patches/link-${index}.patch makes a symbolic link`), errors[0]);
        assert.equal(existsSync(path.join(runner.workspace, 'out')), false, 'no ktctl was built');
        assert.deepEqual(leftovers(runner), []);
      });
    }

    test('a patch that copies a file from outside the tree (copy from ../..) is refused by git, naming the patch', async () => {
      const runner = world.newRunner();
      mkdirSync(path.join(runner.workspace, 'patches'));
      // the tree is RUNNER_TEMP/ktctl-customize-XXXXXX/kt-connect: five levels up is the test's root
      const source = path.relative(path.join(runner.temp, 'ktctl-customize-XXXXXX', 'kt-connect'), path.join(outside, 'outside.go'));
      writeFileSync(
        path.join(runner.workspace, 'patches', 'copy.patch'),
        `diff --git a/x b/cmd/ktctl/zz_copied.go\nsimilarity index 100%\ncopy from ${source}\ncopy to cmd/ktctl/zz_copied.go\n`,
      );
      const run = await runAction({ dirs: runner, env: world.env, inputs: { ...good(), patches: 'patches/copy.patch', 'output-dir': 'out' } });
      assert.notEqual(run.code, 0, run.stdout);
      const errors = errorLines(run);
      assert.equal(errors.length, 1, errors.join(' | '));
      assert.match(errors[0]!, /Input 'patches': patches\/copy\.patch does not apply to this kt-connect .*does not exist in index/);
      assert.equal(existsSync(path.join(runner.workspace, 'out')), false);
    });

    test("code a patch adds runs when the built ktctl is checked, and that run's HOME and TMPDIR are removed afterwards", async () => {
      const runner = world.newRunner();
      const marker = `probe-${process.pid}-${Math.random().toString(36).slice(2, 10)}`;
      const record = path.join(outside, `${marker}.record`);
      const probe = `package main

import (
\t"os"
\t"path/filepath"
)

// an administrator's patch: it runs in every ktctl start, the action's checks included
func init() {
\thome, _ := os.UserHomeDir()
\t_ = os.WriteFile(filepath.Join(home, "${marker}-home"), []byte("x"), 0o600)
\t_ = os.WriteFile(filepath.Join(os.TempDir(), "${marker}-tmp"), []byte("x"), 0o600)
\tif f, err := os.OpenFile(${JSON.stringify(record)}, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600); err == nil {
\t\t_, _ = f.WriteString(home + "\\n" + os.TempDir() + "\\n")
\t\t_ = f.Close()
\t}
}
`;
      mkdirSync(path.join(runner.workspace, 'patches'));
      writeFileSync(path.join(runner.workspace, 'patches', 'probe.patch'), newFilePatch('cmd/ktctl/zz_probe.go', probe));
      const run = await runAction({ dirs: runner, env: world.env, inputs: { ...good(), patches: 'patches/probe.patch', 'output-dir': 'out' } });
      assert.equal(run.code, 0, run.stdout + run.stderr);
      const lines = readFileSync(record, 'utf8').trim().split('\n');
      assert.ok(lines.length >= 2 && lines.length % 2 === 0, `the patch's code ran in the checks: ${lines.length} lines`);
      for (let i = 0; i < lines.length; i += 2) {
        const [home, tmp] = [lines[i]!, lines[i + 1]!];
        assert.ok(home.startsWith(path.join(runner.temp, 'ktctl-customize-')), `HOME ${home} is in the run's scratch folder`);
        assert.ok(tmp.startsWith(`${home}${path.sep}`), `TMPDIR ${tmp} is inside that HOME, not the runner's /tmp`);
        assert.equal(existsSync(home), false, `${home} was removed`);
      }
      assert.equal(existsSync(path.join(os.tmpdir(), `${marker}-tmp`)), false, "nothing written to the runner's own temporary folder");
      assert.deepEqual(leftovers(runner), []);
    });
  });

  describe('image-registry keeps every other byte of the kt config', () => {
    const GIVEN = [
      '# acme defaults: every byte below ships as written',
      'global:',
      '  namespace: 0123',
      '  pod-quota: +2223 # admission rule',
      "  node-selector:   'pool=dev'",
      '  with-label: "team=007"',
      '  pod-creation-timeout: 060',
      '',
      'connect:',
      '  dns-mode: localDNS',
      '  dns-cache-ttl: 0x1F',
      '  exclude-ips: 010.0.0.1',
      '',
    ].join('\n');

    test('the embedded kt config is the input, line by line, plus the two image lines', async () => {
      const runner = world.newRunner();
      const run = await runAction({ dirs: runner, env: world.env, inputs: { ...good(), 'kt-config': GIVEN, 'image-registry': REGISTRY, 'output-dir': 'out' } });
      assert.equal(run.code, 0, errorLines(run).join('\n'));
      const unpacked = mkdtempSync(path.join(runner.root, 'unpacked-'));
      execFileSync('unzip', ['-q', path.join(runner.workspace, 'out', 'ktctl_0.3.7_Linux_x86_64.zip'), '-d', unpacked]);
      const embedded = execFileSync(path.join(unpacked, 'ktctl'), ['dump-ktconfig'], { encoding: 'utf8' });
      const shadow = `  image: ${REGISTRY}/kt-connect-shadow:v0.3.7`;
      const router = `  router-image: ${REGISTRY}/kt-connect-router:v0.3.7`;
      const lines = embedded.split('\n');
      assert.deepEqual(
        lines.filter((line) => line !== shadow && line !== router && line !== 'mesh:'),
        GIVEN.split('\n'),
        'every other line as given',
      );
      assert.equal(lines.filter((line) => line === shadow).length, 1);
      assert.equal(lines.indexOf(shadow), GIVEN.split('\n').indexOf('  pod-creation-timeout: 060') + 1, 'the shadow image joins the global group');
      assert.deepEqual(lines.slice(-3), ['mesh:', router, ''], 'the router image in a new mesh group at the end');
      // and ktctl reads the settings as given: 0123 stays 0123
      assert.match(execFileSync(path.join(unpacked, 'ktctl'), ['config', 'show'], { encoding: 'utf8' }), /^global\.namespace = 0123 {2}\(build-in\)$/m);
    });

    for (const [what, inputs, names] of [
      [
        'an image with spaces inside its quotes',
        { 'kt-config': `global:\n  image: " ${REGISTRY}/kt-connect-shadow:v0.3.7 "\n`, 'image-registry': REGISTRY },
        ['kt-config', 'image-registry'],
      ],
      ['a registry port above 65535', { 'image-registry': 'registry.example.com:70000/kt' }, ['image-registry']],
      [
        'a kt config ended by a `...` marker',
        { 'kt-config': 'global:\n  namespace: 0123\n...\n', 'image-registry': REGISTRY },
        ['kt-config', 'image-registry'],
      ],
    ] as const) {
      test(`${what}: refused before anything is built, naming ${names.join(' and ')}`, async () => {
        const runner = world.newRunner();
        const run = await runAction({ dirs: runner, env: world.env, inputs: { ...good(), ...inputs, 'output-dir': 'out' } });
        assert.notEqual(run.code, 0);
        const errors = errorLines(run);
        assert.equal(errors.length, 1, errors.join(' | '));
        for (const name of names) assert.ok(errors[0]!.includes(`'${name}'`), errors[0]);
        assert.equal(existsSync(path.join(runner.workspace, 'out')), false);
        assert.ok(!withoutMaskCommands(run.stdout + run.stderr).includes(TOKEN));
      });
    }
  });

  test('archives are 0600 in a 0700 folder; files without a config are 0644; nothing in the scratch folder outlives the run', async () => {
    const runner = world.newRunner();
    const run = await runAction({ dirs: runner, env: world.env, inputs: { ...good(), 'output-dir': 'made/by/action' } });
    assert.equal(run.code, 0, run.stdout + run.stderr);
    const mode = (file: string): number => statSync(file).mode & 0o777;
    for (const folder of ['made', 'made/by', 'made/by/action']) assert.equal(mode(path.join(runner.workspace, folder)), 0o700, folder);
    const out = path.join(runner.workspace, 'made/by/action');
    assert.equal(mode(path.join(out, 'ktctl_0.3.7_Linux_x86_64.zip')), 0o600);
    assert.equal(mode(path.join(out, 'ktctl_0.3.7_checksums.txt')), 0o644);
    assert.equal(mode(path.join(out, 'ktctl_0.3.7_sbom.spdx.json')), 0o644);
    assert.equal(mode(path.join(out, 'images.txt')), 0o644);
    assert.deepEqual(listFiles(out).sort(), ['images.txt', 'ktctl_0.3.7_Linux_x86_64.zip', 'ktctl_0.3.7_checksums.txt', 'ktctl_0.3.7_sbom.spdx.json']);
    assert.deepEqual(leftovers(runner), []);
  });

  test('mode publish: the downloaded archives are 0600 in 0700 folders of a new folder; a link planted in RUNNER_TEMP is not followed', async () => {
    const artifacts = await startArtifactServer();
    const github = await GitHubServer.start();
    try {
      // a build job's artifact, made by the action's own upload code: an archive and its manifest
      const job = mkdtempSync(path.join(world.root, 'job-'));
      const bytes = Buffer.concat([Buffer.from(KUBECONFIG), randomBytes(4096)]);
      const archive = path.join(job, 'ktctl_0.3.7_linux_amd64.tar.gz');
      writeFileSync(archive, bytes);
      const sha256 = createHash('sha256').update(bytes).digest('hex');
      writeFileSync(path.join(job, 'ktctl_0.3.7_checksums.txt'), `${sha256}  ktctl_0.3.7_linux_amd64.tar.gz\n`);
      const name = await uploadBuildArtifact(
        {
          upload: async (artifactName, files, rootDirectory) => {
            const folder = mkdtempSync(path.join(world.root, 'artifact-'));
            for (const file of files) cpSync(file, path.join(folder, path.relative(rootDirectory, file)));
            artifacts.add(artifactName, folder);
          },
          list: async () => [],
          download: async () => {},
          delete: async () => {},
        },
        {
          prefix: 'ktctl-archives',
          build: {
            version: '0.3.7',
            upstream: { tag: 'v0.3.7', commit: repo.commits['v0.3.7']! },
            goVersion: '1.19.13',
            checksumsFile: path.join(job, 'ktctl_0.3.7_checksums.txt'),
            assets: [{ name: 'ktctl_0.3.7_linux_amd64.tar.gz', path: archive, os: 'linux', arch: 'amd64', size: bytes.length, sha256 }],
          },
          fingerprint: createHash('sha256').update('a build').digest('hex'),
          checksumsName: 'ktctl_0.3.7_checksums.txt',
          retentionDays: undefined,
          serverUrl: 'https://github.com',
          ghes: false,
        },
        { info: () => {}, warning: () => {}, group: async (_title, work) => work() },
      );
      assert.equal(name, 'ktctl-archives-linux-amd64');

      const runner = world.newRunner();
      // the folder name the previous version used, planted as a link to a folder outside
      const victim = mkdtempSync(path.join(outside, 'victim-'));
      symlinkSync(victim, path.join(runner.temp, 'ktctl-customize-artifacts'));
      const run = await runAction({
        dirs: runner,
        env: {
          ...world.env,
          ACTIONS_RESULTS_URL: artifacts.url,
          ACTIONS_RUNTIME_TOKEN: artifacts.token,
          GITHUB_API_URL: github.apiUrl,
          GITHUB_REPOSITORY: `${github.owner}/${github.repo}`,
          GITHUB_SHA: 'abcdef1234567890abcdef1234567890abcdef12',
        },
        inputs: { ...good(), mode: 'publish', publish: 'true', 'github-token': 'write-token', 'release-tag': 'ktctl-modes' },
      });
      assert.equal(run.code, 0, errorLines(run).join('\n') || run.stdout);
      assert.ok(github.releaseViews('ktctl-modes')[0]?.assets.some((asset) => asset.name === 'ktctl_0.3.7_linux_amd64.tar.gz'));
      assert.deepEqual(readdirSync(victim), [], 'nothing written through the planted link');
      const [downloads, ...more] = readdirSync(runner.temp).filter((entry) => entry.startsWith('ktctl-artifacts-'));
      assert.ok(downloads !== undefined && more.length === 0, readdirSync(runner.temp).join(', '));
      const folder = path.join(runner.temp, downloads);
      const mode = (file: string): number => lstatSync(file).mode & 0o777;
      assert.equal(mode(folder), 0o700);
      assert.equal(mode(path.join(folder, name)), 0o700);
      assert.equal(mode(path.join(folder, name, 'ktctl_0.3.7_linux_amd64.tar.gz')), 0o600, 'the archive holds the kubeconfig');
      for (const file of readdirSync(path.join(folder, name))) assert.equal(mode(path.join(folder, name, file)), 0o600, file);
      const checksums = path.join(folder, 'ktctl_0.3.7_checksums.txt');
      assert.ok(lstatSync(checksums).isFile());
      assert.equal(readFileSync(checksums, 'utf8'), `${sha256}  ktctl_0.3.7_linux_amd64.tar.gz\n`);
    } finally {
      await artifacts.close();
      await github.close();
    }
  });

  describe('a GitHub API that accepts and never answers', () => {
    let silent: SilentServer;
    before(async () => {
      silent = await startSilentServer();
    });
    after(() => silent.close());

    test('ends the run within the limits, retried, with one error naming the API URL', async () => {
      const runner = world.newRunner();
      const apiUrl = `http://127.0.0.1:${silent.port}`;
      const started = Date.now();
      const run = await runAction({
        dirs: runner,
        env: {
          ...world.env,
          KTCTL_CUSTOMIZE_CONNECT_TIMEOUT: '2',
          KTCTL_CUSTOMIZE_IDLE_TIMEOUT: '2',
          GITHUB_API_URL: apiUrl,
          GITHUB_REPOSITORY: 'acme/tools',
        },
        inputs: { ...good(), publish: 'true', 'github-token': 'write-token', 'output-dir': 'out' },
      });
      const seconds = (Date.now() - started) / 1000;
      assert.notEqual(run.code, 0);
      const errors = errorLines(run);
      assert.equal(errors.length, 1, errors.join(' | '));
      assert.ok(errors[0]!.includes(`no answer from ${apiUrl} (GITHUB_API_URL) for 2 s`), errors[0]);
      assert.ok(errors[0]!.includes('KTCTL_CUSTOMIZE_IDLE_TIMEOUT'), errors[0]);
      assert.ok(silent.connections() >= 2, 'retried');
      assert.ok(seconds < 120, `took ${seconds} s`);
      assert.equal(existsSync(path.join(runner.workspace, 'out')), false);
      assert.deepEqual(leftovers(runner), []);
    });
  });
});
