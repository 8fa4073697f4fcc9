// Bad input against the bundled action, one case of each kind of path: one clear error naming the
// input, nothing written, no secret in the log. Then faults: bad downloads, a failing compiler, a
// build cache file that vanishes mid-build, cancellation.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { BAD_INPUTS, END_TO_END, LONG_URL_PASSWORD, secretsIn, TOKEN, URL_PASSWORD } from '../support/bad-inputs.js';
import { createWorld, KT_CONFIG, KUBECONFIG, listFiles, type World } from '../support/e2e-setup.js';
import { runAction, withoutMaskCommands, type ActionRun } from '../support/run-action.js';
import { runnerWithWrappedGo, vanishingCacheLinker } from '../support/wrapped-go.js';

/** The bad inputs whose path through the bundled action is run here: one of each kind (the rest are unit tests). */
const REPRESENTATIVES = END_TO_END.map((what) => BAD_INPUTS.find((c) => c.what === what)!);

function secretsShown(run: ActionRun): string[] {
  return secretsIn(withoutMaskCommands(run.stdout + run.stderr));
}

function errorLines(run: ActionRun): string[] {
  return run.stdout.split('\n').filter((line) => line.startsWith('::error'));
}

describe('hostile input and faults', { concurrency: false }, () => {
  let world: World;
  let dirs: ReturnType<World['newRunner']>;

  before(async () => {
    // a build cache of its own (the tests look for the token in it); Go and upx already in the
    // tool cache, but for the runners of the download tests
    world = await createWorld({ tools: 'seeded' });
    dirs = world.newRunner();
  });
  after(() => world.close());

  const good = (): Record<string, string> => ({ ...world.inputs, kubeconfig: KUBECONFIG, 'kt-config': KT_CONFIG, targets: 'linux/amd64' });
  const leftovers = (runner = dirs): string[] => readdirSync(runner.temp).filter((name) => name.startsWith('ktctl-customize-'));

  // every value is refused in process by __tests__/unit/bad-inputs.test.ts; here its path through a run
  for (const [index, { what, inputs, input, stage }] of REPRESENTATIVES.entries()) {
    test(`${stage}: ${what} fails with one error naming '${input}', writes nothing and shows no secret`, async () => {
      // an empty tool cache: a cached upx would be used without a hash, so one case would pass
      const runner = world.newRunner({ tools: 'empty' });
      const requests = world.server.requests.length;
      const run = await runAction({ dirs: runner, env: world.env, inputs: { ...good(), 'output-dir': `out-${index}`, ...inputs } });
      assert.notEqual(run.code, 0, 'exit code');
      const errors = errorLines(run);
      assert.equal(errors.length, 1, `one error, got ${errors.join(' | ')}`);
      assert.ok(errors[0]!.includes(`'${input}'`), `the error names '${input}': ${errors[0]}`);
      assert.deepEqual(secretsShown(run), [], 'a secret reached the log');
      assert.deepEqual(listFiles(runner.workspace), [], 'nothing written to the workspace');
      assert.deepEqual(leftovers(runner), [], 'the scratch folder is gone');
      assert.deepEqual(world.server.requests.slice(requests), [], 'nothing was downloaded');
    });
  }

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
      const runner = input === 'go-download-base-url' ? world.newRunner({ tools: 'empty' }) : dirs;
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
    const fresh = world.newRunner({ tools: 'empty' });
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
    const retried = await runAction({ dirs, env: world.env, inputs: { ...good(), targets: 'windows/amd64', 'output-dir': 'refetched' } });
    assert.equal(retried.code, 0, retried.stdout);
    assert.match(retried.stdout, /::warning::Download of .*wintun-0\.14\.1\.zip does not match \(attempt 1 of 3\)/);
    assert.ok(existsSync(path.join(dirs.workspace, 'refetched', 'ktctl_0.3.7_Windows_x86_64.zip')));

    world.server.shorten(wintunPath, 3);
    const failed = await runAction({ dirs, env: world.env, inputs: { ...good(), targets: 'windows/amd64', 'output-dir': 'cut' } });
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

  test('a file of the build cache that vanishes while go build reads it (another run scrubbed it) is built again', async () => {
    const mark = path.join(world.root, 'vanished-cache-file');
    const runner = runnerWithWrappedGo(world, { 'pkg/tool/linux_amd64/link': vanishingCacheLinker(world.gocache, mark) });
    const run = await runAction({ dirs: runner, env: world.env, inputs: { ...good(), upx: 'false', 'output-dir': 'vanished' } });
    assert.equal(run.code, 0, withoutMaskCommands(run.stdout + run.stderr));
    assert.ok(existsSync(mark), 'the first link found a file of the build cache to remove');
    const removed = readFileSync(mark, 'utf8').trim();
    assert.ok(removed.startsWith(world.gocache + path.sep), removed);
    assert.match(
      run.stdout,
      /linux\/amd64: a file of the Go build cache vanished while go build read it \(another run that shares GOCACHE removed it\); building again\./,
    );
    assert.ok(existsSync(removed), 'the second build compiled that package again into the cache');
    assert.ok(existsSync(path.join(runner.workspace, 'vanished', 'ktctl_0.3.7_Linux_x86_64.zip')));
    assert.deepEqual(secretsShown(run), []);
  });

  test('SIGTERM during the build stops it and removes the scratch folder; the post step then has nothing to do', async () => {
    const cached = new Set(listFiles(world.gocache));
    let pid = 0;
    const running = runAction({
      dirs,
      env: world.env,
      inputs: { ...good(), targets: 'linux/amd64,linux/386,linux/arm64,darwin/amd64,windows/386', 'output-dir': 'cancelled' },
      onStart: (started) => (pid = started),
    });
    // stopped once the compiler has written the configs into the build cache
    await waitFor(() => gocacheHolds(world.gocache, TOKEN, cached), 120_000);
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
    const cached = new Set(listFiles(world.gocache));
    let pid = 0;
    const running = runAction({
      dirs,
      env: world.env,
      inputs: { ...good(), targets: 'linux/amd64,linux/386,linux/arm64', 'output-dir': 'killed' },
      onStart: (started) => (pid = started),
    });
    // killed once the compiler has written the configs into the build cache
    await waitFor(() => gocacheHolds(world.gocache, TOKEN, cached), 120_000);
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

/**
 * Whether a file of the build cache holds `secret`; `except`: files known not to (those there
 * before the run: Go writes every new entry as a new file), so that polling reads only what the
 * run wrote, not the whole cache every 50 ms.
 */
function gocacheHolds(gocache: string, secret: string, except: ReadonlySet<string> = new Set()): boolean {
  return listFiles(gocache).some((file) => {
    if (except.has(file)) return false;
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
