// Air-gapped clusters and carried patches, through the bundled action on a kt-connect-shaped
// repository whose const.go and main.go are upstream's where it matters: the navigator image
// is a constant the binary prints, so a test can see what it would pull.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { GitHubServer } from '../support/github-server.js';
import { createWorld, KUBECONFIG, type World } from '../support/e2e-setup.js';
import { createFixtureRepo, FIXTURE_FILES, type FixtureRepo } from '../support/fixture-repo.js';
import { runAction, withoutMaskCommands, type ActionRun } from '../support/run-action.js';

const UPSTREAM = 'registry.cn-hangzhou.aliyuncs.com/rdc-incubator';
const REGISTRY = 'registry.example.com/kt';
const SHA = 'abcdef1234567890abcdef1234567890abcdef12';
/** A kt config without images: image-registry adds them. The quota line is the secret here. */
const KT_CONFIG = '# acme defaults\nglobal:\n  pod-quota: 0.5c,512m-secret-quota-line # admission rule\n';

export const CONST_GO = `package util

const (
\t// ImageKtShadow default shadow image
\tImageKtShadow = "${UPSTREAM}/kt-connect-shadow"
\t// ImageKtRouter default router image
\tImageKtRouter = "${UPSTREAM}/kt-connect-router"
\t// ImageKtNavigator default navigator image
\tImageKtNavigator = "${UPSTREAM}/kt-connect-navigator"
)
`;

/** The fixture's ktctl, with a command that prints the navigator image as ephemeral exchange builds it. */
export const MAIN_GO = withNavigatorCommand(FIXTURE_FILES['cmd/ktctl/main.go']!);

/** The standard fixture's ktctl (it embeds both configs and shows them) plus `navigator` and upstream's help line. */
function withNavigatorCommand(main: string): string {
  const edited = main
    .replace('\t"github.com/alibaba/kt-connect/hack"\n', '\t"github.com/alibaba/kt-connect/hack"\n\t"github.com/alibaba/kt-connect/pkg/kt/util"\n')
    .replace(
      '\tdefault:\n\t\tfmt.Println(strings.TrimSpace("ktctl fixture"))',
      '\tcase "navigator":\n\t\tfmt.Printf("%s:v%s\\n", util.ImageKtNavigator, version)\n\tdefault:\n\t\tfmt.Println(strings.TrimSpace("A utility tool to help you work with Kubernetes dev environment more efficiently"))',
    );
  if (!edited.includes('util.ImageKtNavigator') || !edited.includes('pkg/kt/util"'))
    throw new Error("the fixture's main.go changed: update withNavigatorCommand");
  return edited;
}

/** A patch made by real git against the fixture: the message of a company's build. */
function makePatch(repo: FixtureRepo, message: string): string {
  const file = path.join(repo.dir, 'cmd/ktctl/main.go');
  const original = readFileSync(file, 'utf8');
  writeFileSync(file, original.replace('A utility tool to help you work with Kubernetes dev environment more efficiently', message));
  const patch = execFileSync('git', ['diff'], { cwd: repo.dir, encoding: 'utf8' });
  writeFileSync(file, original);
  return patch;
}

function errorLines(run: ActionRun): string[] {
  return run.stdout.split('\n').filter((line) => line.startsWith('::error'));
}

describe('air-gapped clusters and patches', { concurrency: false }, () => {
  let world: World;
  let repo: FixtureRepo;
  let github: GitHubServer;
  let dirs: ReturnType<World['newRunner']>;

  before(async () => {
    world = await createWorld({ caches: 'shared' });
    const parent = mkdtempSync(path.join(world.root, 'airgap-'));
    repo = createFixtureRepo(parent, { 'pkg/kt/util/const.go': CONST_GO, 'cmd/ktctl/main.go': MAIN_GO });
    github = await GitHubServer.start();
    dirs = world.newRunner();
    mkdirSync(path.join(dirs.workspace, 'patches'));
    writeFileSync(path.join(dirs.workspace, 'patches', '01-message.patch'), makePatch(repo, 'ktctl for the acme test cluster'));
  });
  after(async () => {
    await github.close();
    await world.close();
  });

  const run = (inputs: Record<string, string>, env: NodeJS.ProcessEnv = {}): Promise<ActionRun> =>
    runAction({
      dirs,
      env: {
        ...world.env,
        ...github.workflowEnv('refs/heads/main', SHA),
        ...env,
      },
      inputs: {
        ...world.inputs,
        'kt-connect-repository': repo.url,
        'kt-connect-version': 'v0.3.7',
        kubeconfig: KUBECONFIG,
        'kt-config': KT_CONFIG,
        targets: 'linux/amd64',
        'github-token': 'write-token',
        ...inputs,
      },
    });

  let first: ActionRun;

  test('image-registry and a patch: the binary pulls every image from the registry and shows the patch', async () => {
    first = await run({ 'image-registry': REGISTRY, patches: 'patches/*.patch', publish: 'true', 'release-tag': 'ktctl-acme', 'output-dir': 'dist-1' });
    assert.equal(first.code, 0, first.stdout + first.stderr);
    const unpacked = path.join(dirs.root, 'unpacked-1');
    execFileSync('unzip', ['-q', '-o', path.join(dirs.workspace, 'dist-1', 'ktctl_0.3.7_Linux_x86_64.zip'), '-d', unpacked]);
    const ktctl = path.join(unpacked, 'ktctl');
    assert.equal(execFileSync(ktctl, ['navigator'], { encoding: 'utf8' }), `${REGISTRY}/kt-connect-navigator:v0.3.7\n`);
    assert.equal(execFileSync(ktctl, [], { encoding: 'utf8' }), 'ktctl for the acme test cluster\n', 'the patch is in the binary');
    // upx packed it after the check: the check ran on the unpacked binary
    assert.match(first.stdout, /linux\/amd64: packed by upx/);
    assert.equal(
      execFileSync(ktctl, ['dump-ktconfig'], { encoding: 'utf8' }),
      `${KT_CONFIG}  image: ${REGISTRY}/kt-connect-shadow:v0.3.7\nmesh:\n  router-image: ${REGISTRY}/kt-connect-router:v0.3.7\n`,
      "the user's kt config with the two images merged in, comments kept",
    );
  });

  test('the images output and images.txt say what to mirror where; the release carries images.txt and lists the patch', () => {
    const expected = [
      { name: 'kt-connect-shadow', source: `${UPSTREAM}/kt-connect-shadow:v0.3.7`, target: `${REGISTRY}/kt-connect-shadow:v0.3.7` },
      { name: 'kt-connect-router', source: `${UPSTREAM}/kt-connect-router:v0.3.7`, target: `${REGISTRY}/kt-connect-router:v0.3.7` },
      { name: 'kt-connect-navigator', source: `${UPSTREAM}/kt-connect-navigator:v0.3.7`, target: `${REGISTRY}/kt-connect-navigator:v0.3.7` },
    ];
    assert.deepEqual(JSON.parse(first.outputs['images'] ?? 'null'), expected);
    const text = expected.map((image) => `${image.source} ${image.target}\n`).join('');
    assert.equal(readFileSync(path.join(dirs.workspace, 'dist-1', 'images.txt'), 'utf8'), text);
    const [release] = github.releaseViews('ktctl-acme');
    assert.equal(release?.assets.find((asset) => asset.name === 'images.txt')?.text, text);
    const patchSha = createHash('sha256')
      .update(readFileSync(path.join(dirs.workspace, 'patches', '01-message.patch')))
      .digest('hex');
    assert.ok(release!.body?.includes(`\`patches/01-message.patch\` (sha256 \`${patchSha}\`)`), release!.body ?? '');
    assert.ok(first.summary.includes('patches/01-message.patch') && first.summary.includes(patchSha), first.summary);
    assert.ok(!withoutMaskCommands(first.stdout + first.stderr + first.summary).includes('secret-quota-line'), 'the kt config is never shown');
    assert.deepEqual(github.violations, []);
  });

  test('an unchanged patch skips; a changed patch rebuilds', async () => {
    const same = await run({ 'image-registry': REGISTRY, patches: 'patches/*.patch', publish: 'true', 'release-tag': 'ktctl-acme', 'output-dir': 'dist-2' });
    assert.equal(same.code, 0, same.stdout);
    assert.equal(same.outputs['skipped'], 'true');
    assert.equal(same.outputs['fingerprint'], first.outputs['fingerprint']);

    writeFileSync(path.join(dirs.workspace, 'patches', '01-message.patch'), makePatch(repo, 'ktctl for the acme test cluster, v2'));
    const changed = await run({ 'image-registry': REGISTRY, patches: 'patches/*.patch', publish: 'true', 'release-tag': 'ktctl-acme', 'output-dir': 'dist-3' });
    assert.equal(changed.code, 0, changed.stdout);
    assert.equal(changed.outputs['skipped'], 'false');
    assert.notEqual(changed.outputs['fingerprint'], first.outputs['fingerprint']);
    const unpacked = path.join(dirs.root, 'unpacked-3');
    execFileSync('unzip', ['-q', '-o', path.join(dirs.workspace, 'dist-3', 'ktctl_0.3.7_Linux_x86_64.zip'), '-d', unpacked]);
    assert.equal(execFileSync(path.join(unpacked, 'ktctl'), [], { encoding: 'utf8' }), 'ktctl for the acme test cluster, v2\n');
  });

  test('without image-registry the images are upstream’s, or what the kt config names', async () => {
    const own = 'global:\n  image: mirror.example.com/own/shadow:v0.3.7\n';
    const plain = await run({ publish: 'false', 'kt-config': own, upx: 'false', 'output-dir': 'dist-4' });
    assert.equal(plain.code, 0, plain.stdout);
    assert.deepEqual(
      (JSON.parse(plain.outputs['images'] ?? '[]') as { target: string }[]).map((image) => image.target),
      ['mirror.example.com/own/shadow:v0.3.7', `${UPSTREAM}/kt-connect-router:v0.3.7`, `${UPSTREAM}/kt-connect-navigator:v0.3.7`],
    );
    assert.ok(existsSync(path.join(dirs.workspace, 'dist-4', 'images.txt')));
  });

  // each bad case: one error naming the input, nothing built or downloaded where it can be known first
  const bad = async (what: string, inputs: Record<string, string>, input: string, downloads: 'none' | 'some'): Promise<ActionRun> => {
    const before = world.server.requests.length;
    const result = await run({ publish: 'false', upx: 'false', 'output-dir': `bad-${what.replace(/\W+/g, '-')}`, ...inputs });
    assert.notEqual(result.code, 0, what);
    const errors = errorLines(result);
    assert.equal(errors.length, 1, `${what}: ${errors.join(' | ')}`);
    assert.ok(errors[0]!.includes(`'${input}'`), `${what}: ${errors[0]}`);
    if (downloads === 'none') assert.equal(world.server.requests.length, before, `${what}: nothing downloaded`);
    assert.ok(!existsSync(path.join(dirs.workspace, `bad-${what.replace(/\W+/g, '-')}`)), `${what}: no output`);
    assert.deepEqual(
      readdirSync(dirs.temp).filter((name) => name.startsWith('ktctl-customize-')),
      [],
      `${what}: scratch folder removed`,
    );
    assert.ok(!withoutMaskCommands(result.stdout + result.stderr).includes('secret-quota-line'), `${what}: the kt config is never shown`);
    return result;
  };

  test('a kt config that sets an image differently conflicts, before any download, naming the key', async () => {
    const result = await bad(
      'conflict',
      { 'image-registry': REGISTRY, 'kt-config': `${KT_CONFIG}mesh:\n  router-image: other.example.com/secret-router:v1\n` },
      'image-registry',
      'none',
    );
    const error = errorLines(result)[0]!;
    assert.match(error, /Input 'kt-config': line 5, mesh\.router-image:/);
    assert.ok(!error.includes('secret-router'), error);
  });

  test('image-registry with a bad shape fails before anything runs', async () => {
    await bad('registry shape', { 'image-registry': 'https://registry.example.com/kt:v1' }, 'image-registry', 'none');
  });

  test('patches outside the workspace, through a link, or missing fail before any download', async () => {
    symlinkSync(path.join(dirs.workspace, 'patches'), path.join(dirs.workspace, 'linked-patches'));
    await bad('outside', { patches: '../outside.patch' }, 'patches', 'none');
    await bad('absolute', { patches: '/etc/hostname' }, 'patches', 'none');
    await bad('link', { patches: 'linked-patches/01-message.patch' }, 'patches', 'none');
    await bad('missing', { patches: 'patches/01-message.patch\npatches/none-*.patch' }, 'patches', 'none');
    rmSync(path.join(dirs.workspace, 'linked-patches'));
  });

  test('a patch that does not apply fails naming the file and the first failed hunk', async () => {
    const stale = makePatch(repo, 'stale').replace(/^-(.*A utility tool.*)$/m, '-$1 (a line this tree does not have)');
    writeFileSync(path.join(dirs.workspace, 'patches', 'stale.patch'), stale);
    const result = await bad('stale patch', { patches: 'patches/stale.patch' }, 'patches', 'some');
    assert.match(errorLines(result)[0]!, /patches\/stale\.patch does not apply to this kt-connect: the first hunk that failed is at cmd\/ktctl\/main\.go:\d+/);
    assert.ok(!result.stdout.includes('Install Go'), 'nothing built, no Go installed');
    rmSync(path.join(dirs.workspace, 'patches', 'stale.patch'));
  });

  test('image-registry on a kt-connect without the navigator constant fails naming the file', async () => {
    // the world's own fixture repository has no pkg/kt/util/const.go, as a fork might not
    const result = await bad('no constant', { 'image-registry': REGISTRY, 'kt-connect-repository': world.repo.url }, 'image-registry', 'some');
    assert.match(errorLines(result)[0]!, /pkg\/kt\/util\/const\.go/);
    assert.ok(!result.stdout.includes('Install Go'), 'nothing built');
  });

  test('a fork without the customization hook fails before building, saying what was looked for', async () => {
    const parent = mkdtempSync(path.join(world.root, 'nohook-'));
    const fork = createFixtureRepo(parent, {
      'hack/customize.go': 'package hack\n\n// moved elsewhere by the fork\nvar CustomizeKubeConfig = ""\nvar CustomizeKtConfig = ""\n',
    });
    const result = await bad('no hook', { 'kt-connect-repository': fork.url }, 'kt-connect-repository', 'some');
    assert.match(errorLines(result)[0]!, /hack\/customize\.go .*\/\/go:embed kube\/config.*\/\/go:embed kt\/config/);
    assert.ok(!result.stdout.includes('Install Go'), 'nothing built');
  });
});
