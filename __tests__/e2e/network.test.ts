// Network faults against the bundled action: servers that accept and never answer (for each
// input that names a server), a body that stops halfway, a malformed or failing Go index, and
// a cancelled job while git waits on a dead server. Limits are shortened to 2 s through the
// documented environment variables; each run must end with exactly one error naming the input.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { sha256 } from '../support/downloads.js';
import { createWorld, KT_CONFIG, KUBECONFIG, type World } from '../support/e2e-setup.js';
import { runAction, type ActionRun } from '../support/run-action.js';
import { processesWith, startSilentServer, waitUntil, type SilentServer } from '../support/stall.js';
import { allOnly } from '../support/test-scope.js';

const SHORT_LIMITS = { KTCTL_CUSTOMIZE_CONNECT_TIMEOUT: '2', KTCTL_CUSTOMIZE_IDLE_TIMEOUT: '2' };

function errorLines(run: ActionRun): string[] {
  return run.stdout.split('\n').filter((line) => line.startsWith('::error'));
}

/** The one error of a failed run, which names `input`. */
function oneErrorNaming(run: ActionRun, input: string): string {
  assert.notEqual(run.code, 0, run.stdout);
  const errors = errorLines(run);
  assert.equal(errors.length, 1, `one error, got: ${errors.join(' | ')}`);
  assert.ok(errors[0]!.includes(`'${input}'`), `the error names '${input}': ${errors[0]}`);
  return errors[0]!;
}

const unique = (what: string): string => `${what}-${process.pid}-${Math.random().toString(36).slice(2, 10)}`;

describe('network limits and cancellation', { concurrency: false }, () => {
  let world: World;
  let silent: SilentServer;
  /** A runner for the wintun and upx cases. */
  let toolsRunner: ReturnType<World['newRunner']>;
  let goIndex: string;
  const servers: http.Server[] = [];

  before(async () => {
    // Go and upx from the local server are in the tool cache already; a mirror of another URL is
    // a tool of its own to the cache, so each mirror case below downloads from its mirror
    world = await createWorld({ tools: 'seeded' });
    silent = await startSilentServer();
    toolsRunner = world.newRunner();
    goIndex = await (await fetch(`${world.server.goBaseUrl}/?mode=json&include=all`)).text();
  });
  after(async () => {
    for (const server of servers) {
      server.closeAllConnections();
      server.close();
    }
    await silent.close();
    await world.close();
  });

  /** An HTTP server standing in for a Go mirror: `index` answers the index request, `archive` the archive. */
  async function goMirror(handlers: { index: http.RequestListener; archive?: http.RequestListener }): Promise<{ base: string; hits: string[] }> {
    const hits: string[] = [];
    const server = http.createServer((request, response) => {
      hits.push(request.url ?? '');
      if (request.url?.startsWith('/go/?mode=json')) handlers.index(request, response);
      else if (request.url === `/go/${path.basename(world.server.files.goArchive)}` && handlers.archive) handlers.archive(request, response);
      else response.writeHead(404).end();
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return { base: `http://127.0.0.1:${(server.address() as AddressInfo).port}/go`, hits };
  }

  const good = (): Record<string, string> => ({ ...world.inputs, kubeconfig: KUBECONFIG, 'kt-config': KT_CONFIG, targets: 'linux/amd64', upx: 'false' });
  const leftovers = (temp: string): string[] => readdirSync(temp).filter((name) => name.startsWith('ktctl-customize-'));

  for (const scheme of ['http', 'git']) {
    test(`a ${scheme}:// repository that accepts and never answers fails within the limit, names the input, leaves no git behind`, async () => {
      const marker = unique(`stalled-${scheme}`);
      const url = `${scheme}://127.0.0.1:${silent.port}/${marker}/kt-connect.git`;
      const dirs = world.newRunner();
      const before = world.server.requests.length;
      const run = await runAction({ dirs, env: { ...world.env, ...SHORT_LIMITS }, inputs: { ...good(), 'kt-connect-repository': url } });
      const error = oneErrorNaming(run, 'kt-connect-repository');
      assert.ok(error.includes(marker), error);
      // git itself ends a stalled http transfer (http.lowSpeedTime); the watchdog ends git:// and the rest
      assert.match(error, scheme === 'http' ? /Operation too slow|timed out: no answer for 4 s/ : /timed out: no answer for 4 s/);
      assert.ok(silent.received().includes(marker), 'git did talk to the server');
      assert.ok(await waitUntil(() => processesWith(marker).length === 0), `processes left: ${processesWith(marker).join(', ')}`);
      assert.equal(world.server.requests.length, before, 'nothing was downloaded');
      assert.deepEqual(leftovers(dirs.temp), []);
    });
  }

  test('a Go index that never answers: three attempts, then one error naming go-download-base-url', async () => {
    const marker = unique('stalled-index');
    const run = await runAction({
      dirs: world.newRunner(),
      env: { ...world.env, ...SHORT_LIMITS },
      inputs: { ...good(), 'go-download-base-url': `http://127.0.0.1:${silent.port}/${marker}` },
    });
    const error = oneErrorNaming(run, 'go-download-base-url');
    assert.ok(error.includes(`${marker}/?mode=json&include=all`) && error.includes('after 3 attempts: no answer for 2 s'), error);
    assert.equal(silent.received().split(`GET /${marker}/`).length - 1, 3, 'three requests for the index');
  });

  test('a Go archive that stops halfway: the idle limit holds on the body, one error naming go-download-base-url', async () => {
    const mirror = await goMirror({
      index: (_request, response) => response.writeHead(200, { 'content-type': 'application/json' }).end(goIndex),
      archive: (_request, response) => {
        response.writeHead(200, { 'content-length': String(readFileSync(world.server.files.goArchive).length) });
        response.write(readFileSync(world.server.files.goArchive).subarray(0, 65536)); // then nothing
      },
    });
    const dirs = world.newRunner();
    const run = await runAction({ dirs, env: { ...world.env, ...SHORT_LIMITS }, inputs: { ...good(), 'go-download-base-url': mirror.base } });
    const error = oneErrorNaming(run, 'go-download-base-url');
    assert.ok(error.includes(path.basename(world.server.files.goArchive)) && error.includes('after 3 attempts: no answer for 2 s'), error);
    assert.equal(mirror.hits.filter((hit) => hit.endsWith('.tar.gz')).length, 3);
    assert.deepEqual(leftovers(dirs.temp), []);
  });

  test('a wintun URL that never answers: one error naming wintun-url', async () => {
    const marker = unique('stalled-wintun');
    const run = await runAction({
      dirs: toolsRunner,
      env: { ...world.env, ...SHORT_LIMITS },
      inputs: { ...good(), targets: 'windows/amd64', 'wintun-url': `http://127.0.0.1:${silent.port}/${marker}/wintun-0.14.1.zip` },
    });
    const error = oneErrorNaming(run, 'wintun-url');
    assert.ok(error.includes(marker) && error.includes('no answer for 2 s'), error);
    assert.deepEqual(leftovers(toolsRunner.temp), []);
  });

  test('a upx server that never answers: one error naming upx-download-base-url', async () => {
    const marker = unique('stalled-upx');
    const run = await runAction({
      dirs: toolsRunner,
      env: { ...world.env, ...SHORT_LIMITS },
      inputs: { ...good(), upx: 'true', 'upx-download-base-url': `http://127.0.0.1:${silent.port}/${marker}` },
    });
    const error = oneErrorNaming(run, 'upx-download-base-url');
    assert.ok(error.includes(marker) && error.includes('no answer for 2 s'), error);
  });

  const indexFile = { filename: 'go1.19.linux-amd64.tar.gz', os: 'linux', arch: 'amd64', sha256: 'a'.repeat(64), kind: 'archive' };
  const BAD_INDEXES: [string, unknown, string][] = [
    ['a list holding null', [null], 'release 1 is null, not an object'],
    ['files: null', [{ version: 'go1.19', stable: true, files: null }], 'release 1 (go1.19): files is null, not a list'],
    [
      'a file without sha256',
      [{ version: 'go1.19', stable: true, files: [{ ...indexFile, sha256: undefined }] }],
      'release 1 (go1.19), file 1: sha256 is missing',
    ],
    ['stable as text', [{ version: 'go1.19', stable: 'yes', files: [indexFile] }], 'release 1 (go1.19): stable is text, not true or false'],
    ['an object', { go: [] }, 'the index is an object, not a list of releases'],
  ];
  for (const [what, index, problem] of BAD_INDEXES) {
    test(`a Go index with ${what}: one error naming go-download-base-url and what is wrong`, async () => {
      const mirror = await goMirror({ index: (_request, response) => response.writeHead(200).end(JSON.stringify(index)) });
      const run = await runAction({ dirs: world.newRunner(), env: world.env, inputs: { ...good(), 'go-download-base-url': mirror.base } });
      const error = oneErrorNaming(run, 'go-download-base-url');
      assert.ok(error.includes(`is not valid: ${problem}.`), error);
      assert.ok(!/TypeError|Cannot read/.test(run.stdout + run.stderr));
      assert.equal(mirror.hits.length, 1, 'nothing fetched after the index');
    });
  }

  test('a Go index that fails with 503 is retried, and the error after the last attempt says how many were made', async () => {
    const mirror = await goMirror({ index: (_request, response) => response.writeHead(503).end('busy') });
    const run = await runAction({ dirs: world.newRunner(), env: world.env, inputs: { ...good(), 'go-download-base-url': mirror.base } });
    const error = oneErrorNaming(run, 'go-download-base-url');
    assert.ok(error.includes('after 3 attempts: HTTP 503'), error);
    assert.equal(mirror.hits.length, 3);
    assert.equal(run.stdout.match(/::warning::Download of .* failed \(attempt [12] of 3\): HTTP 503/g)?.length, 2);
  });

  test(
    'a Go index that fails twice is fetched a third time and the build goes on',
    allOnly('unit/network.test.ts and the 503 test here (retries, and the count after the last)'),
    async () => {
      let failures = 2;
      const mirror = await goMirror({
        index: (_request, response) => (failures-- > 0 ? response.writeHead(502).end() : response.writeHead(200).end(goIndex)),
        archive: (_request, response) => response.writeHead(200).end(readFileSync(world.server.files.goArchive)),
      });
      const dirs = world.newRunner();
      const run = await runAction({ dirs, env: world.env, inputs: { ...good(), 'go-download-base-url': mirror.base, 'output-dir': 'retried' } });
      assert.equal(run.code, 0, run.stdout);
      assert.deepEqual(
        mirror.hits.map((hit) => (hit.startsWith('/go/?') ? 'index' : 'archive')),
        ['index', 'index', 'index', 'archive'],
      );
      assert.deepEqual(readdirSync(path.join(dirs.workspace, 'retried')).sort(), [
        'ktctl_0.3.7_Linux_x86_64.zip',
        'ktctl_0.3.7_checksums.txt',
        'ktctl_0.3.7_sbom.spdx.json',
      ]);
    },
  );

  test('a plain mirror (404 for the index) still works with an exact go-version and go-sha256', async () => {
    const mirror = await goMirror({
      index: (_request, response) => response.writeHead(404).end('not found'),
      archive: (_request, response) => response.writeHead(200).end(readFileSync(world.server.files.goArchive)),
    });
    const dirs = world.newRunner();
    const run = await runAction({
      dirs,
      env: world.env,
      inputs: {
        ...good(),
        'go-download-base-url': mirror.base,
        'go-version': world.server.files.goVersion,
        'go-sha256': sha256(world.server.files.goArchive),
        'output-dir': 'plain',
      },
    });
    assert.equal(run.code, 0, run.stdout);
    assert.deepEqual(
      mirror.hits.map((hit) => (hit.startsWith('/go/?') ? 'index' : 'archive')),
      ['index', 'archive'],
      'a 404 is not retried',
    );
  });

  for (const scheme of ['http', 'git']) {
    test(`SIGTERM while git ls-remote waits on a dead ${scheme}:// server stops git's whole tree and exits 143`, async () => {
      const marker = unique(`cancelled-${scheme}`);
      const url = `${scheme}://127.0.0.1:${silent.port}/${marker}/kt-connect.git`;
      let pid = 0;
      const dirs = world.newRunner();
      // the default limits: only the signal ends this run
      const running = runAction({ dirs, env: world.env, inputs: { ...good(), 'kt-connect-repository': url }, onStart: (started) => (pid = started) });
      assert.ok(await waitUntil(() => silent.received().includes(marker) && processesWith(marker).length > 0, 60_000), 'git is waiting on the server');
      const gits = processesWith(marker);
      process.kill(pid, 'SIGTERM');
      const main = await running;
      assert.equal(main.code, 143);
      assert.match(main.stderr, /Cancelled by SIGTERM; running programs were stopped/);
      assert.ok(await waitUntil(() => processesWith(marker).length === 0), `git processes left: ${processesWith(marker).join(', ')} (were ${gits.join(', ')})`);
      assert.deepEqual(leftovers(dirs.temp), []);
    });
  }
});
