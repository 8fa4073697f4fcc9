// Connect and idle limits on GitHub's API, with real sockets: an API that accepts and never
// answers, one whose answer stops halfway, and an upload slower than the idle limit whose
// bytes keep flowing (it must not be cut). Each failure is retried, then names the API URL.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { ApiNoAnswerError, noAnswerOf, timeoutPhase } from '../../src/publish/api-fetch.js';
import { createReleaseClient, GitHubError, type ReleaseInfo } from '../../src/publish/github.js';
import { startSilentServer, type SilentServer } from '../support/stall.js';
import { memoryLog } from './helpers.js';

const LIMITS = { connectSeconds: 1, idleSeconds: 1 };
let silent: SilentServer;
const servers: http.Server[] = [];
let scratch: string;

before(async () => {
  silent = await startSilentServer();
  scratch = await mkdtemp(path.join(os.tmpdir(), 'ktctl-api-limits-'));
});
after(async () => {
  await silent.close();
  for (const server of servers) {
    server.closeAllConnections();
    server.close();
  }
  await rm(scratch, { recursive: true, force: true });
});

async function serve(handler: http.RequestListener): Promise<string> {
  const server = http.createServer(handler);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const client = (apiUrl: string, retries = 2) =>
  createReleaseClient({
    token: 't',
    apiUrl,
    owner: 'acme',
    repo: 'tools',
    log: memoryLog(),
    retries,
    retryBaseMs: 1,
    paceWrites: false,
    throttleId: `limits-${Math.random()}`,
    limits: LIMITS,
  });

test('which undici errors are timeouts, found among the causes', () => {
  assert.equal(timeoutPhase({ cause: { code: 'UND_ERR_CONNECT_TIMEOUT' } }), 'connect');
  assert.equal(timeoutPhase(new TypeError('fetch failed', { cause: Object.assign(new Error('x'), { code: 'UND_ERR_HEADERS_TIMEOUT' }) })), 'idle');
  assert.equal(timeoutPhase({ code: 'UND_ERR_BODY_TIMEOUT' }), 'idle');
  assert.equal(timeoutPhase({ code: 'ECONNRESET' }), undefined);
  const found = new ApiNoAnswerError('https://ghes.example.com/api/v3 (GITHUB_API_URL)', 'connect', 7);
  assert.equal(noAnswerOf({ cause: { cause: found } }), found);
  assert.match(found.message, /no connection to https:\/\/ghes\.example\.com\/api\/v3 \(GITHUB_API_URL\) within 7 s; .*KTCTL_CUSTOMIZE_CONNECT_TIMEOUT/);
});

test('an API that accepts and never answers: each attempt ends at the idle limit, then one error naming the API URL', async () => {
  const apiUrl = `http://127.0.0.1:${silent.port}`;
  const before = silent.connections();
  const started = Date.now();
  await assert.rejects(client(apiUrl).getRepository(), (error: Error) => {
    assert.ok(error instanceof GitHubError, String(error));
    assert.match(
      error.message,
      new RegExp(`did not answer while trying to read the repository, after 2 retries: no answer from ${apiUrl} \\(GITHUB_API_URL\\) for 1 s`),
    );
    assert.match(error.message, /KTCTL_CUSTOMIZE_IDLE_TIMEOUT/);
    return true;
  });
  const seconds = (Date.now() - started) / 1000;
  assert.equal(silent.connections() - before, 3, 'the first attempt and two retries');
  assert.ok(seconds >= 2.5 && seconds < 15, `took ${seconds} s`);
});

test('an answer whose body stops halfway is cut at the idle limit and retried', async () => {
  let hits = 0;
  const apiUrl = await serve((_request, response) => {
    hits++;
    response.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
    response.write('{"full_name": "acme/tools", "visib');
  });
  await assert.rejects(client(apiUrl, 1).getRepository(), /no answer from .* for 1 s/);
  assert.equal(hits, 2);
});

test('an upload slower than the idle limit is not cut while its bytes flow', async () => {
  // The server reads 1 MB/s for the first 2.5 s (more than twice the idle limit), then drains
  // the rest at once. The file is larger than what the sockets' buffers can take during the slow
  // part, so the client is still writing when the server speeds up: every write refreshes the
  // idle limit, and the answer comes as soon as the last byte is in. (A server slow to the very
  // end would leave the client waiting, its bytes all sent into the buffers, longer than the
  // limit: a real silence, rightly cut.)
  const data = randomBytes(32 << 20);
  const file = path.join(scratch, 'big.zip');
  await writeFile(file, data);
  let received = 0;
  let readSlowly = 0;
  const started = Date.now();
  const uploadUrl = await serve((request, response) => {
    const slowUntil = Date.now() + 2500;
    const timer = setInterval(() => {
      let chunk: Buffer | null;
      let taken = 0;
      while (taken < 20 << 10 && (chunk = request.read() as Buffer | null) !== null) taken += chunk.length;
      received += taken;
      readSlowly += taken;
      if (Date.now() < slowUntil) return;
      clearInterval(timer);
      request.on('data', (chunk: Buffer) => (received += chunk.length));
    }, 20);
    // 'close' comes after 'end', and also when the client gives up: the timer never outlives the request
    request.on('close', () => clearInterval(timer));
    request.on('end', () => {
      response.writeHead(201, { 'content-type': 'application/json' });
      response.end(
        JSON.stringify({ id: 7, name: 'big.zip', size: received, state: 'uploaded', browser_download_url: 'x', created_at: new Date().toISOString() }),
      );
    });
  });
  const release = { id: 1, uploadUrl: `${uploadUrl}/repos/acme/tools/releases/1/assets{?name,label}` } as ReleaseInfo;
  const asset = await client(uploadUrl, 0).uploadAsset(release, { name: 'big.zip', contentType: 'application/zip', path: file, size: data.length });
  assert.equal(asset.size, data.length);
  const took = Date.now() - started;
  assert.ok(took > 2 * LIMITS.idleSeconds * 1000, `the upload took ${took} ms: not longer than the idle limit, so this proves nothing`);
  assert.ok(readSlowly < data.length, 'the client was still sending when the server sped up');
});
