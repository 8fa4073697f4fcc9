// Release text through the bundled action (issue 17, classes 1, 2, 8, 9, 14): the body file is
// taken only from inside the workspace, no published or written text holds a piece of the
// configs, an asset name template cannot take the action's own names, a skipped run still applies
// a given body, and go.mod's `go` line is reported as it is written. Real git, a real fixture
// repository, real Go; a local server speaking GitHub's REST API.
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { GitHubServer } from '../support/github-server.js';
import { createWorld, KT_CONFIG, KUBECONFIG, type World } from '../support/e2e-setup.js';
import { createFixtureRepo } from '../support/fixture-repo.js';
import { runAction, withoutMaskCommands, type ActionRun } from '../support/run-action.js';

const SHA = '1234567890abcdef1234567890abcdef12345678';
const TOKEN = /token: (\S+)/.exec(KUBECONFIG)![1]!;
const TAG = 'ktctl-text-1';
/** The skip test's own release: a run of the other tests on broken code must not have made it. */
const SKIP_TAG = 'ktctl-text-skip';

function errorLines(run: ActionRun): string[] {
  return run.stdout.split('\n').filter((line) => line.startsWith('::error'));
}

/** Any piece of the kubeconfig's token or the file of a runner's environment in the log (mask commands aside). */
function leaked(run: ActionRun): string[] {
  const log = withoutMaskCommands(run.stdout + run.stderr);
  return [TOKEN, TOKEN.slice(0, 12), TOKEN.slice(-12), 'INPUT_GITHUB-TOKEN', 'write-token'].filter((piece) => log.includes(piece));
}

describe('release text', { concurrency: false }, () => {
  let world: World;
  let github: GitHubServer;
  let dirs: ReturnType<World['newRunner']>;

  before(async () => {
    world = await createWorld({ caches: 'shared' });
    github = await GitHubServer.start();
    dirs = world.newRunner();
  });
  after(async () => {
    await github.close();
    await world.close();
  });

  const publish = (inputs: Record<string, string>, runner = dirs): Promise<ActionRun> =>
    runAction({
      dirs: runner,
      env: { ...world.env, ...github.workflowEnv('refs/heads/main', SHA) },
      inputs: {
        ...world.inputs,
        publish: 'true',
        'github-token': 'write-token',
        kubeconfig: KUBECONFIG,
        'kt-config': KT_CONFIG,
        targets: 'linux/amd64',
        upx: 'false',
        'release-tag': TAG,
        ...inputs,
      },
    });

  /** The run failed with one error naming `input`, before any download and before anything was written to GitHub. */
  const refusedEarly = (run: ActionRun, input: string, what: string): void => {
    assert.notEqual(run.code, 0, `${what}: exit code`);
    const errors = errorLines(run);
    assert.equal(errors.length, 1, `${what}: ${errors.join(' | ')}`);
    assert.ok(errors[0]!.includes(`'${input}'`), `${what}: names '${input}': ${errors[0]}`);
    assert.deepEqual(world.server.requests, [], `${what}: nothing was downloaded`);
    assert.deepEqual(
      github.requests.filter((request) => request.method !== 'GET'),
      [],
      `${what}: nothing was written to GitHub`,
    );
    assert.deepEqual(leaked(run), [], `${what}: a secret reached the log`);
    assert.ok(!run.stdout.includes('Check out kt-connect'), `${what}: nothing was checked out`);
  };

  test('release-body-file: only a regular file inside the workspace, every link on the way resolved, refused before any download', async () => {
    const outside = path.join(dirs.root, 'outside');
    mkdirSync(outside, { recursive: true });
    writeFileSync(path.join(outside, 'notes.md'), `leaked notes\n`);
    writeFileSync(path.join(dirs.root, 'notes.md'), 'notes beside the workspace\n');
    // a linked folder inside the workspace pointing outside it: only its last component is a plain file
    symlinkSync(outside, path.join(dirs.workspace, 'notes'));
    symlinkSync(path.join(outside, 'notes.md'), path.join(dirs.workspace, 'linked.md'));
    mkdirSync(path.join(dirs.workspace, 'folder.md'));
    const cases: [string, string][] = [
      ['the process environment of the runner', '/proc/self/environ'],
      ['a file beside the workspace', '../notes.md'],
      ['an absolute path outside the workspace', path.join(outside, 'notes.md')],
      ['a file in a linked folder that points outside', 'notes/notes.md'],
      ['a link to a file outside', 'linked.md'],
      ['a folder', 'folder.md'],
      ['a file that does not exist', 'missing.md'],
    ];
    for (const [what, file] of cases) {
      const run = await publish({ 'release-body-file': file });
      refusedEarly(run, 'release-body-file', what);
      assert.ok(!withoutMaskCommands(run.stdout).includes('leaked notes'), `${what}: the file was not read into the log`);
    }
    assert.deepEqual(github.releaseViews(), []);
  });

  test('a given body, body file or release name holding a piece of a config, or a NUL byte, is refused naming the input and not quoted', async () => {
    mkdirSync(path.join(dirs.workspace, 'docs'), { recursive: true });
    writeFileSync(path.join(dirs.workspace, 'docs', 'token.md'), `# Notes\n\nUse this: ${TOKEN}\n`);
    writeFileSync(path.join(dirs.workspace, 'docs', 'ca.md'), `ca:\n${KUBECONFIG.split('\n').find((line) => line.includes('certificate-authority-data'))!}\n`);
    writeFileSync(path.join(dirs.workspace, 'docs', 'nul.md'), 'Notes\0with a NUL\n');
    writeFileSync(path.join(dirs.workspace, 'docs', 'image.md'), 'Our shadow image: registry.example.com/kt/kt-connect-shadow:v0.3.7\n');
    const cases: [string, Record<string, string>, string][] = [
      ['a token pasted into release-body', { 'release-body': `Internal build.\n\nToken for CI: ${TOKEN}\n` }, 'release-body'],
      ['the base64 of the kubeconfig in release-body', { 'release-body': Buffer.from(KUBECONFIG).toString('base64') }, 'release-body'],
      ['a body file holding the token', { 'release-body-file': 'docs/token.md' }, 'release-body-file'],
      ['a body file holding a kubeconfig line', { 'release-body-file': 'docs/ca.md' }, 'release-body-file'],
      ['a body file holding a kt config value', { 'release-body-file': 'docs/image.md' }, 'release-body-file'],
      ['a body file with a NUL byte', { 'release-body-file': 'docs/nul.md' }, 'release-body-file'],
      ['a token as the release name', { 'release-name': `ktctl ${TOKEN}` }, 'release-name'],
    ];
    for (const [what, inputs, input] of cases) {
      const run = await publish(inputs);
      refusedEarly(run, input, what);
      assert.ok(!errorLines(run)[0]!.includes('registry.example.com'), `${what}: the error does not quote the text`);
    }
    assert.deepEqual(github.releaseViews(), []);
  });

  test("an asset-name-template that can give one of the action's own names is refused before any download", async () => {
    const cases: [string, Record<string, string>][] = [
      ["the action's working-copy names", { 'asset-name-template': 'ktctl-tmp-{os}-{arch}' }],
      ['the same in capitals', { 'asset-name-template': 'KTCTL-TMP-{Os}_{Arch}' }],
      ['a version input that makes it one', { 'asset-name-template': '{version}-{os}-{arch}', version: 'ktctl-tmp-1' }],
    ];
    for (const [what, inputs] of cases) refusedEarly(await publish(inputs), 'asset-name-template', what);
  });

  test("go.mod's go line is reported as written: a version no index has, and a prerelease", async () => {
    for (const [line, expected] of [
      ['go 1.99', /go\.mod asks for Go 1\.99 .*no stable Go 1\.99 .*Set input 'go-version' to a Go release that builds this source/],
      [
        'go 1.26rc1',
        /go\.mod asks for Go 1\.26rc1, a prerelease; .*Set input 'go-version' to a release that builds this source \(such as 1\.26 once it is out\)/,
      ],
    ] as const) {
      const root = path.join(world.root, `gomod-${line.replace(/\W/g, '')}`);
      mkdirSync(root);
      const repo = createFixtureRepo(root, { 'go.mod': `module github.com/alibaba/kt-connect\n\n${line}\n` });
      // a fresh tool cache: the Go of other tests must not answer for it
      const run = await publish({ 'kt-connect-repository': repo.url, publish: 'false' }, world.newRunner({ tools: 'empty' }));
      assert.notEqual(run.code, 0, line);
      const errors = errorLines(run);
      assert.equal(errors.length, 1, errors.join(' | '));
      assert.match(errors[0]!, expected, line);
      assert.ok(!errors[0]!.includes("check 'go-version'"), `${line}: the empty input is not blamed`);
      assert.ok(!errors[0]!.includes('has no `go` line'), `${line}: the line is there`);
    }
    world.server.requests.splice(0);
  });

  test('a skipped run applies a given body to the existing release and says so; a generated text holding a config piece is not published', async () => {
    const first = await publish({ 'release-tag': SKIP_TAG });
    assert.equal(first.code, 0, first.stdout);
    assert.equal(first.outputs['skipped'], 'false');
    const created = github.releaseViews(SKIP_TAG)[0]!;
    // generated notes name the context on purpose (release-notes.ts): that is allowed, nothing else of the kubeconfig
    assert.ok(created.body?.includes('context `test-context`'), created.body ?? '');
    for (const asset of created.assets.filter((a) => !a.name.endsWith('.zip'))) {
      for (const piece of [TOKEN, 'test-cluster', 'https://127.0.0.1:6443', 'kubernetes.io/os=linux']) {
        assert.ok(!asset.text.includes(piece), `${asset.name} holds ${piece}`);
      }
    }

    writeFileSync(path.join(dirs.workspace, 'RELEASE_NOTES.md'), 'Internal build for the platform team.\n');
    const skipped = await publish({ 'release-tag': SKIP_TAG, 'release-body-file': 'RELEASE_NOTES.md' });
    assert.equal(skipped.code, 0, skipped.stdout);
    assert.equal(skipped.outputs['skipped'], 'true');
    assert.ok(!skipped.stdout.includes('Check out kt-connect'), 'nothing was built');
    assert.equal(github.releaseViews(SKIP_TAG)[0]!.body, 'Internal build for the platform team.\n');
    assert.match(skipped.stdout, /Applied the given release body \(release-body-file\) to release ktctl-text-skip/);

    // a release tag taken from the kubeconfig (a cluster's name): the notes would publish it; nothing is written
    const before = github.requests.length;
    const bad = await publish({ 'release-tag': 'test-cluster', 'skip-unchanged': 'false' });
    assert.notEqual(bad.code, 0);
    const [error] = errorLines(bad);
    // the first text to hold it is refused: the release-tag output (set before anything is built), else the tag or the notes
    assert.match(error ?? '', /The (release (tag|notes)|output 'release-tag') would hold a part of the kubeconfig input .*not published/);
    assert.ok(!(error ?? '').includes('test-cluster'), 'the error does not quote it');
    assert.equal(github.releaseViews('test-cluster').length, 0);
    assert.equal(github.tagRef('test-cluster'), undefined);
    assert.deepEqual(
      github.requests.slice(before).filter((request) => request.method !== 'GET'),
      [],
      'no write to GitHub',
    );
    // the summary and outputs of the refused run hold nothing of it either
    assert.ok(!bad.summary.includes('test-cluster'));
    for (const value of Object.values(bad.outputs)) assert.ok(!value.includes('test-cluster'));
    // nothing of the configs in the output folder's text files either
    const out = path.join(dirs.workspace, 'ktctl-dist');
    for (const name of readdirSync(out).filter((file) => !file.endsWith('.zip') && !file.endsWith('.tar.gz'))) {
      assert.ok(!readFileSync(path.join(out, name), 'utf8').includes(TOKEN), name);
    }
    assert.deepEqual(github.violations, []);
  });
});
