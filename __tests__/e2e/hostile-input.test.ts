// Bad input against the bundled action: one clear error naming the input, nothing written,
// no secret in the log. Then faults: bad downloads, a failing compiler, cancellation.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createWorld, KT_CONFIG, KUBECONFIG, listFiles, type World } from '../support/e2e-setup.js';
import { runAction, withoutMaskCommands, type ActionRun } from '../support/run-action.js';

const TOKEN = /token: (\S+)/.exec(KUBECONFIG)![1]!;
const CA_DATA = /certificate-authority-data: (\S+)/.exec(KUBECONFIG)![1]!;
const SECRET_LINE_TOKEN = 'sEcReT-aaaa1111bbbb2222';
/** A token pasted where a name belongs: no piece of it of 8 characters or more may show. */
const NAME_TOKEN = 'eyJhbGciOiJSUzI1NiJ9.nAmEtOkEn-0123456789abcdef-ZYXWVU';
/** URL passwords with a raw '@': git splits them at the first one, the action must not. */
const URL_PASSWORD = 'pa@ss';
const LONG_URL_PASSWORD = 'Tok3n-with@raw-at-sign-9f8e7d6c';
const GIT_URL = `https://bot:${URL_PASSWORD}@127.0.0.1:1/x.git`;
/** Under Linux's limit of 128 KiB for one environment variable, which is how inputs arrive. */
const LARGE = 120_000;

/** A kubeconfig with one change, as users get them wrong. */
const kube = (from: string, to: string): string => {
  assert.ok(KUBECONFIG.includes(from), from);
  return KUBECONFIG.replace(from, to);
};

// [what, inputs, the input the error must name]
const BAD_INPUTS: [string, Record<string, string>, string][] = [
  ['an unknown target', { targets: 'linux/mips' }, 'targets'],
  ['a target list that is only separators', { targets: ' , ' }, 'targets'],
  ['a target with a shell command', { targets: 'linux/amd64;rm -rf /' }, 'targets'],
  ['an unknown archive format', { 'archive-format': 'rar' }, 'archive-format'],
  ['an archive format in capitals', { 'archive-format': 'ZIP' }, 'archive-format'],
  ['a name template that climbs out', { 'asset-name-template': '../ktctl_{os}_{arch}' }, 'asset-name-template'],
  ['a name template with a slash', { 'asset-name-template': 'ktctl/{os}_{arch}' }, 'asset-name-template'],
  ['a name template without the target', { 'asset-name-template': 'ktctl_{version}' }, 'asset-name-template'],
  ['a name template with an unknown placeholder', { 'asset-name-template': 'ktctl_{nope}_{os}_{arch}' }, 'asset-name-template'],
  ['a go version with go prefix', { 'go-version': 'go1.19' }, 'go-version'],
  ['a go version that is a word', { 'go-version': 'latest' }, 'go-version'],
  ['a go version with a command', { 'go-version': '1.19.8; rm -rf /' }, 'go-version'],
  ['a short go checksum', { 'go-sha256': 'abc' }, 'go-sha256'],
  ['a non-hex upx checksum', { 'upx-sha256': 'z'.repeat(64) }, 'upx-sha256'],
  ['a wintun checksum of the wrong length', { 'wintun-sha256': 'ab'.repeat(31) }, 'wintun-sha256'],
  ['a yes for a boolean', { upx: 'yes' }, 'upx'],
  ['a strict that is not a boolean', { strict: 'maybe' }, 'strict'],
  ['a upx version with v', { 'upx-version': 'v4.2.4' }, 'upx-version'],
  ['a upx version with two parts', { 'upx-version': '4.2' }, 'upx-version'],
  ['a upx version with no pinned hash and no upx-sha256', { 'upx-sha256': '' }, 'upx-sha256'],
  ['upx args with a shell command', { 'upx-args': '-9 ; rm -rf /' }, 'upx-args'],
  ['upx args that redirect the output', { 'upx-args': '-o /tmp/x' }, 'upx-args'],
  ['upx args that decompress', { 'upx-args': '-d' }, 'upx-args'],
  ['upx args that abbreviate --output', { 'upx-args': '--outp=copy' }, 'upx-args'],
  ['upx args that glue -o to a name', { 'upx-args': '-oattached' }, 'upx-args'],
  ['an ftp wintun URL', { 'wintun-url': 'ftp://example.invalid/w.zip' }, 'wintun-url'],
  ['a Go base URL that is not a URL', { 'go-download-base-url': 'not a url' }, 'go-download-base-url'],
  ['a file Go base URL', { 'go-download-base-url': 'file:///etc' }, 'go-download-base-url'],
  ['a upx base URL with a command', { 'upx-download-base-url': '$(curl x)' }, 'upx-download-base-url'],
  ['a repository over ext::', { 'kt-connect-repository': 'ext::sh -c touch% /tmp/pwned' }, 'kt-connect-repository'],
  ['a repository that is an option', { 'kt-connect-repository': '--upload-pack=touch /tmp/x' }, 'kt-connect-repository'],
  ['a repository that does not exist', { 'kt-connect-repository': 'file:///nonexistent/kt-connect' }, 'kt-connect-repository'],
  ['a tag with a command', { 'kt-connect-version': '$(id)' }, 'kt-connect-version'],
  ['a tag that is an option', { 'kt-connect-version': '--upload-pack=x' }, 'kt-connect-version'],
  ['a tag with a newline', { 'kt-connect-version': 'v0.3.7\nmain' }, 'kt-connect-version'],
  ['a tag that does not exist', { 'kt-connect-version': 'v9.9.9' }, 'kt-connect-version'],
  ['a version with a space and a flag', { version: '0.3.7 -X main.x=y' }, 'version'],
  ['a version with a leading v without private images', { version: 'v0.3.7', 'kt-config': 'upstream' }, 'version'],
  ['a version other than upstream without private images', { version: '1.0.0', 'kt-config': 'upstream' }, 'version'],
  ['the workspace as output folder', { 'output-dir': '.' }, 'output-dir'],
  ['an output folder with a newline', { 'output-dir': 'a\nb' }, 'output-dir'],
  ['an output folder above the workspace', { 'output-dir': '../..' }, 'output-dir'],
  ['an output folder that climbs out of a subfolder', { 'output-dir': 'dist/../../elsewhere' }, 'output-dir'],
  ['zero parallel builds', { 'max-parallel': '0' }, 'max-parallel'],
  ['parallel builds as a word', { 'max-parallel': 'many' }, 'max-parallel'],
  ['a kubeconfig too short for ktctl', { kubeconfig: 'apiVersion: v1\nkind: Config\n' }, 'kubeconfig'],
  ['a kubeconfig with a YAML error on the token line', { kubeconfig: kube(`token: ${TOKEN}`, `token: [${SECRET_LINE_TOKEN}`) }, 'kubeconfig'],
  ['a kubeconfig with a tab on the token line', { kubeconfig: kube(`      token: ${TOKEN}`, `\ttoken: ${SECRET_LINE_TOKEN}`) }, 'kubeconfig'],
  ['a kubeconfig of another kind', { kubeconfig: kube('kind: Config', 'kind: Pod') }, 'kubeconfig'],
  ['a kubeconfig without current-context', { kubeconfig: kube('current-context: test-context', '') }, 'kubeconfig'],
  ['a kubeconfig whose current-context does not exist', { kubeconfig: kube('current-context: test-context', 'current-context: prod') }, 'kubeconfig'],
  ['a kubeconfig whose context names a missing user', { kubeconfig: kube('      user: test-user', '      user: nobody') }, 'kubeconfig'],
  [
    'a kubeconfig with an exec plugin under strict',
    {
      strict: 'true',
      kubeconfig: kube(
        `      token: ${TOKEN}`,
        `      exec:\n        apiVersion: client.authentication.k8s.io/v1\n        command: aws-iam-authenticator\n        args: ["token", "${SECRET_LINE_TOKEN}"]`,
      ),
    },
    'kubeconfig',
  ],
  [
    'a kubeconfig with a CA file under strict',
    { strict: 'true', kubeconfig: kube(`certificate-authority-data: ${CA_DATA}`, 'certificate-authority: /etc/k8s/ca.crt') },
    'kubeconfig',
  ],
  ['base64 that is not text', { kubeconfig: Buffer.from([0, 159, 146, 150, 0, 1, 2, 3]).toString('base64') }, 'kubeconfig'],
  ['a kubeconfig that is a list', { kubeconfig: `- ${TOKEN}\n- ${SECRET_LINE_TOKEN}\n- more more more more more more\n` }, 'kubeconfig'],
  ['a kt config without a colon', { 'kt-config': 'just words' }, 'kt-config'],
  ['a kt config with an unknown group', { 'kt-config': 'globl:\n  image: registry.example/shadow:v0.3.7\n' }, 'kt-config'],
  ['a kt config in camelCase', { 'kt-config': 'mesh:\n  routerImage: registry.example/router:v0.3.7\n' }, 'kt-config'],
  ['a kt config with a nested map', { 'kt-config': 'global:\n  image:\n    name: x\n' }, 'kt-config'],
  ['a kt config with a list value', { 'kt-config': 'connect:\n  include-ips: [10.0.0.0/8]\n' }, 'kt-config'],
  ['a kt config with a key 0.3.7 does not read', { 'kt-config': 'global:\n  ip-version: "4"\n' }, 'kt-config'],
  ['a kt config with a YAML error', { 'kt-config': `global:\n  image: "${SECRET_LINE_TOKEN}\n` }, 'kt-config'],
  // no value of either config is quoted, shortened or escaped (issue 9, item 5)
  ['a token in current-context', { kubeconfig: kube('current-context: test-context', `current-context: ${NAME_TOKEN}`) }, 'kubeconfig'],
  ["a token in a context's user", { kubeconfig: kube('      user: test-user', `      user: ${NAME_TOKEN}`) }, 'kubeconfig'],
  [
    "a token as two clusters' name",
    {
      kubeconfig: kube('  - name: test-cluster', `  - name: ${NAME_TOKEN}\n    cluster:\n      server: https://127.0.0.1:6443\n  - name: ${NAME_TOKEN}`),
    },
    'kubeconfig',
  ],
  ['a name holding a quote', { kubeconfig: kube('      user: test-user', `      user: "${NAME_TOKEN.slice(0, 20)}\\"${NAME_TOKEN.slice(20)}"`) }, 'kubeconfig'],
  [
    'many contexts named with tokens, none current',
    {
      kubeconfig: kube(
        'contexts:\n',
        `contexts:\n${Array.from({ length: 60 }, (_, i) => `  - name: ${NAME_TOKEN}-${i}\n    context: {cluster: test-cluster, user: test-user}\n`).join('')}`,
      ).replace('current-context: test-context', `current-context: ${NAME_TOKEN}`),
    },
    'kubeconfig',
  ],
  ['a token pasted as a kt config key', { 'kt-config': `global:\n  ${NAME_TOKEN.replace('.', '_')}: x\n` }, 'kt-config'],
  // URL passwords with a raw '@': the action's message and git's are both redacted (item 6)
  ['a repository URL whose password holds a raw @', { 'kt-connect-repository': GIT_URL }, 'kt-connect-repository'],
  ['an http repository URL whose password holds a raw @', { 'kt-connect-repository': GIT_URL.replace('https:', 'http:') }, 'kt-connect-repository'],
  ['a git:// repository URL whose password holds a raw @', { 'kt-connect-repository': GIT_URL.replace('https:', 'git:') }, 'kt-connect-repository'],
  ['an ssh repository URL whose password holds a raw @', { 'kt-connect-repository': GIT_URL.replace('https:', 'ssh:') }, 'kt-connect-repository'],
  [
    'a repository URL with a long password holding a raw @',
    { 'kt-connect-repository': `https://bot:${LONG_URL_PASSWORD}@127.0.0.1:1/x.git` },
    'kt-connect-repository',
  ],
  ['a Go base URL that is not a URL, with a password', { 'go-download-base-url': `https://bot:${LONG_URL_PASSWORD}@127.0.0.1:1:2/go` }, 'go-download-base-url'],
  ['a wintun URL with a password and a raw slash', { 'wintun-url': `ftp://bot:${LONG_URL_PASSWORD}/x@127.0.0.1:1/w.zip` }, 'wintun-url'],
  // inputs of 120,000 characters built against super-linear passes: each ends with its error (item 7)
  ['a kubeconfig line of spaces and no colon', { kubeconfig: `${' '.repeat(LARGE)}x\n${KUBECONFIG}` }, 'kubeconfig'],
  ['a kubeconfig of a: pairs', { kubeconfig: 'a: '.repeat(LARGE / 3) }, 'kubeconfig'],
  ['a kubeconfig of dash runs', { kubeconfig: `${'- '.repeat(500)}x\n`.repeat(LARGE / 1002) }, 'kubeconfig'],
  ['a kubeconfig of quotes', { kubeconfig: '"'.repeat(LARGE) }, 'kubeconfig'],
  ['a kt config line of tabs and spaces before its colon', { 'kt-config': `global${' \t'.repeat(LARGE / 2)}:\n  image: x\n` }, 'kt-config'],
  ['a kt config of many keys', { 'kt-config': `global:\n${Array.from({ length: LARGE / 12 }, (_, i) => `  k${i}: v`).join('\n')}\n` }, 'kt-config'],
  ['a Go base URL of at-signs', { 'go-download-base-url': `https://${'@'.repeat(LARGE)}` }, 'go-download-base-url'],
  ['a repository URL of slashes', { 'kt-connect-repository': `https://h${'/'.repeat(LARGE)}a b` }, 'kt-connect-repository'],
];

/** Every piece of `secret` of `length` characters. */
function piecesOf(secret: string, length = 8): string[] {
  return Array.from({ length: Math.max(1, secret.length - length + 1) }, (_, i) => secret.slice(i, i + length));
}

/** The forms of a URL password that must never show: as written, percent-encoded, and as git splits it. */
const URL_PASSWORD_FORMS = [URL_PASSWORD, encodeURIComponent(URL_PASSWORD), '//ss@', 'ss@127', ':pa@', ...piecesOf(LONG_URL_PASSWORD, 6), 'raw-at', '@raw'];

function secretsShown(run: ActionRun): string[] {
  const log = withoutMaskCommands(run.stdout + run.stderr);
  return [TOKEN, CA_DATA, SECRET_LINE_TOKEN, Buffer.from(KUBECONFIG).toString('base64').slice(0, 40), ...piecesOf(NAME_TOKEN), ...URL_PASSWORD_FORMS].filter(
    (secret) => log.includes(secret),
  );
}

function errorLines(run: ActionRun): string[] {
  return run.stdout.split('\n').filter((line) => line.startsWith('::error'));
}

describe('hostile input and faults', { concurrency: false }, () => {
  let world: World;
  let dirs: ReturnType<World['newRunner']>;

  before(async () => {
    world = await createWorld();
    dirs = world.newRunner();
  });
  after(() => world.close());

  const good = (): Record<string, string> => ({ ...world.inputs, kubeconfig: KUBECONFIG, 'kt-config': KT_CONFIG, targets: 'linux/amd64' });
  const leftovers = (): string[] => readdirSync(dirs.temp).filter((name) => name.startsWith('ktctl-customize-'));

  test(`${BAD_INPUTS.length} bad inputs each fail with one error naming the input, write nothing and show no secret`, async () => {
    assert.ok(BAD_INPUTS.length >= 50);
    for (const [what, inputs, input] of BAD_INPUTS) {
      const outputDir = `out-${BAD_INPUTS.findIndex(([w]) => w === what)}`;
      const run = await runAction({ dirs, env: world.env, inputs: { ...good(), 'output-dir': outputDir, ...inputs } });
      assert.notEqual(run.code, 0, `${what}: exit code`);
      const errors = errorLines(run);
      assert.equal(errors.length, 1, `${what}: one error, got ${errors.join(' | ')}`);
      assert.ok(errors[0]!.includes(`'${input}'`), `${what}: the error names '${input}': ${errors[0]}`);
      assert.deepEqual(secretsShown(run), [], `${what}: a secret reached the log`);
      assert.deepEqual(listFiles(dirs.workspace), [], `${what}: nothing written to the workspace`);
      assert.deepEqual(leftovers(), [], `${what}: the scratch folder is gone`);
    }
    // nothing was downloaded for any of them
    assert.deepEqual(world.server.requests, []);
  });

  test('a checksum mismatch stops the run and names the URL and the input', async () => {
    const run = await runAction({
      dirs,
      env: world.env,
      inputs: { ...good(), targets: 'windows/amd64', 'wintun-sha256': '0'.repeat(64), 'output-dir': 'mismatch' },
    });
    assert.notEqual(run.code, 0);
    const [error] = errorLines(run);
    assert.ok(error?.includes(world.server.wintunUrl) && error.includes("'wintun-sha256'"), error);
    assert.equal(existsSync(path.join(dirs.workspace, 'mismatch')), false);
    assert.deepEqual(leftovers(), []);
    assert.deepEqual(secretsShown(run), []);
  });

  // Each download URL with a password holding a raw '@': nothing listens at 127.0.0.1:1, so
  // the download fails, and neither the action's message nor any log line shows the password.
  const DOWNLOAD_URL_CASES: [string, string, Record<string, string>][] = [
    ['go-download-base-url', URL_PASSWORD, { 'go-download-base-url': `http://bot:${URL_PASSWORD}@127.0.0.1:1/go` }],
    ['upx-download-base-url', LONG_URL_PASSWORD, { 'upx-download-base-url': `http://bot:${LONG_URL_PASSWORD}@127.0.0.1:1/upx`, 'upx-version': '9.9.9' }],
    ['wintun-url', URL_PASSWORD, { 'wintun-url': `http://bot:${URL_PASSWORD}@127.0.0.1:1/wintun.zip`, targets: 'windows/amd64', upx: 'false' }],
  ];
  for (const [input, password, inputs] of DOWNLOAD_URL_CASES) {
    test(`a password with a raw @ in ${input} is shown nowhere when the download fails`, async () => {
      // a fresh tool cache for Go, so that its download is attempted; the others reuse one
      const runner = input === 'go-download-base-url' ? world.newRunner() : dirs;
      const run = await runAction({ dirs: runner, env: world.env, inputs: { ...good(), 'output-dir': `url-${input}`, ...inputs } });
      assert.notEqual(run.code, 0);
      const errors = errorLines(run);
      assert.equal(errors.length, 1, errors.join(' | '));
      assert.ok(errors[0]!.includes(`'${input}'`), errors[0]);
      assert.ok(errors[0]!.includes('://***@127.0.0.1:1/'), `the URL is shown redacted: ${errors[0]}`);
      assert.deepEqual(secretsShown(run), []);
      // the runner is told to mask the password before anything runs
      const masks = run.stdout.split('\n').filter((line) => line.startsWith('::add-mask::'));
      assert.ok(
        masks.includes(`::add-mask::bot:${password}`) && masks.includes(`::add-mask::${password}`),
        'the userinfo and the password are registered with the masker',
      );
      assert.equal(existsSync(path.join(runner.workspace, `url-${input}`)), false);
      assert.deepEqual(
        readdirSync(runner.temp).filter((name) => name.startsWith('ktctl-customize-')),
        [],
      );
    });
  }

  test('a connection reset mid-download is retried', async () => {
    const fresh = world.newRunner();
    const goPath = `/go/${path.basename(world.server.files.goArchive)}`;
    world.server.reset(goPath, 1);
    const before = world.server.requests.length;
    const run = await runAction({ dirs: fresh, env: world.env, inputs: { ...good(), upx: 'false', 'output-dir': 'reset' } });
    assert.equal(run.code, 0, run.stdout);
    assert.equal(world.server.requests.slice(before).filter((r) => r === goPath).length, 2);
    assert.ok(existsSync(path.join(fresh.workspace, 'reset', 'ktctl_0.3.7_Linux_x86_64.zip')));
  });

  test('a cut file served as whole is fetched again, and fails clearly after three tries', async () => {
    const wintunPath = `/wintun/${path.basename(world.server.files.wintunZip)}`;
    world.server.shorten(wintunPath, 1);
    const retried = await runAction({ dirs, env: world.env, inputs: { ...good(), targets: 'windows/386', 'output-dir': 'refetched' } });
    assert.equal(retried.code, 0, retried.stdout);
    assert.match(retried.stdout, /::warning::Download of .*wintun-0\.14\.1\.zip does not match \(attempt 1 of 3\)/);
    assert.ok(existsSync(path.join(dirs.workspace, 'refetched', 'ktctl_0.3.7_Windows_i386.zip')));

    world.server.shorten(wintunPath, 3);
    const failed = await runAction({ dirs, env: world.env, inputs: { ...good(), targets: 'windows/386', 'output-dir': 'cut' } });
    assert.notEqual(failed.code, 0);
    const [error] = errorLines(failed);
    assert.ok(error?.includes(`Could not get a verified copy of ${world.server.wintunUrl}`) && error.includes("'wintun-sha256'"), error);
    assert.equal(existsSync(path.join(dirs.workspace, 'cut')), false);
    assert.deepEqual(leftovers(), []);
  });

  test('a Go cache that cannot be reached is a warning, never a failure', async () => {
    const run = await runAction({
      dirs,
      env: { ...world.env, ACTIONS_CACHE_SERVICE_V2: 'true', ACTIONS_RESULTS_URL: 'http://127.0.0.1:9/', ACTIONS_RUNTIME_TOKEN: 'test-token' },
      inputs: { ...good(), cache: 'true', upx: 'false', 'output-dir': 'uncached' },
    });
    assert.equal(run.code, 0, run.stdout);
    assert.match(run.stdout, /::warning::(Failed to restore|Could not restore the Go cache)/);
    assert.match(run.stdout, /::warning::The Go cache was not saved/);
    assert.ok(existsSync(path.join(dirs.workspace, 'uncached', 'ktctl_0.3.7_Linux_x86_64.zip')));
  });

  test('a target that fails to compile fails the run, names it with the compiler output, and leaves no archive', async () => {
    const run = await runAction({
      dirs,
      env: world.env,
      inputs: { ...good(), 'kt-connect-version': 'broken', targets: 'linux/amd64,windows/amd64,linux/arm64', upx: 'false', 'output-dir': 'broken' },
    });
    assert.notEqual(run.code, 0);
    const [error] = errorLines(run);
    assert.ok(error?.includes('go build for windows/amd64 failed'), error);
    assert.ok(error?.includes('undefinedOnWindows'), 'the compiler says why');
    assert.ok(!error?.includes('linux/amd64 failed'));
    assert.equal(existsSync(path.join(dirs.workspace, 'broken')), false);
    assert.deepEqual(leftovers(), []);
  });

  test('SIGTERM during the build stops it and removes the scratch folder; the post step then has nothing to do', async () => {
    let pid = 0;
    const running = runAction({
      dirs,
      env: world.env,
      inputs: { ...good(), targets: 'linux/amd64,linux/386,linux/arm64,darwin/amd64,windows/386', 'output-dir': 'cancelled' },
      onStart: (started) => (pid = started),
    });
    // stopped once the compiler has written the configs into the build cache
    await waitFor(() => gocacheHolds(world.gocache, TOKEN), 120_000);
    process.kill(pid, 'SIGTERM');
    const main = await running;
    assert.equal(main.code, 143);
    assert.deepEqual(leftovers(), []);
    assert.equal(existsSync(path.join(dirs.workspace, 'cancelled')), false);
    assert.ok(main.state['workspace']?.includes('ktctl-customize-'));
    assert.ok(noGoBuildsLeft(main.state['workspace']!), 'no compiler outlives the run');
    assert.ok(!gocacheHolds(world.gocache, TOKEN), 'the build cache was scrubbed before exit');
    const post = await runAction({ dirs, env: world.env, inputs: good(), state: main.state });
    assert.equal(post.code, 0);
  });

  test('SIGKILL leaves the scratch folder to the post step, which removes it', async () => {
    let pid = 0;
    const running = runAction({
      dirs,
      env: world.env,
      inputs: { ...good(), targets: 'linux/amd64,linux/386,linux/arm64', 'output-dir': 'killed' },
      onStart: (started) => (pid = started),
    });
    // killed once the compiler has written the configs into the build cache
    await waitFor(() => gocacheHolds(world.gocache, TOKEN), 120_000);
    process.kill(pid, 'SIGKILL');
    const main = await running;
    assert.equal(leftovers().length, 1, 'a killed process cannot clean up');
    const post = await runAction({ dirs, env: world.env, inputs: good(), state: main.state });
    assert.equal(post.code, 0, post.stdout);
    assert.deepEqual(leftovers(), []);
    for (const file of listFiles(world.gocache)) {
      assert.ok(!readFileSync(path.join(world.gocache, file)).includes(Buffer.from(TOKEN)), `${file} holds the token after the post step`);
    }
  });
});

function gocacheHolds(gocache: string, secret: string): boolean {
  return listFiles(gocache).some((file) => {
    try {
      return readFileSync(path.join(gocache, file)).includes(Buffer.from(secret));
    } catch {
      return false; // written or removed while we looked
    }
  });
}

async function waitFor(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** No process is still running with its working directory inside the removed scratch folder. */
function noGoBuildsLeft(workspace: string): boolean {
  const ps = spawnSync('ps', ['-eo', 'args'], { encoding: 'utf8' });
  return !ps.stdout.split('\n').some((line) => line.includes(workspace));
}
