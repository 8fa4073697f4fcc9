// The version resolution of kt-connect-source go-proxy over HTTP, against loopback servers: latest
// from the proxy's list, the next proxy after a 404 (`,`) or after a silent one (`|`), a silent
// proxy alone stopped within the network limits, naming 'go-proxy'.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import http, { type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { resolveOnProxy } from '../../src/source/module-fetch.js';
import { fileProxy, MODULE_COMMIT } from '../support/module-proxy.js';
import { startSilentServer, type SilentServer } from '../support/stall.js';

let root: string;
let served: Server;
let empty: Server;
let silent: SilentServer;
const requests: string[] = [];

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

before(() => {
  root = mkdtempSync(path.join(os.tmpdir(), 'ktctl-proxy-http-'));
  const dir = path.join(root, 'proxy');
  fileProxy(dir, { sumdb: false });
  served = http.createServer((request, response) => {
    requests.push(request.url ?? '');
    const file = path.join(dir, ...decodeURIComponent(request.url ?? '/').split('/'));
    try {
      response.end(readFileSync(file));
    } catch {
      response.statusCode = 404;
      response.end('not found');
    }
  });
  empty = http.createServer((_request, response) => {
    response.statusCode = 404;
    response.end('not found');
  });
});
after(async () => {
  served.close();
  empty.close();
  await silent?.close();
  rmSync(root, { recursive: true, force: true });
});

test('latest comes from the first proxy that has kt-connect; a 404 falls through a comma', async () => {
  const [good, missing] = [await listen(served), await listen(empty)];
  const resolved = await resolveOnProxy({ url: '', version: 'latest', goProxy: `${missing},${good}` }, {});
  assert.equal(resolved.version, 'v0.3.7');
  assert.equal(resolved.info.commit, MODULE_COMMIT);
  assert.match(resolved.goMod, /^module github\.com\/alibaba\/kt-connect$/m);
  assert.ok(requests.includes('/github.com/alibaba/kt-connect/@v/list'));
  await assert.rejects(
    resolveOnProxy({ url: '', version: 'v9.9.9', goProxy: good }, {}),
    /Input 'go-proxy': no proxy of .* serves github\.com\/alibaba\/kt-connect v9\.9\.9 .*newest versions it lists: v0\.3\.7, v0\.3\.6/,
  );
  await assert.rejects(
    resolveOnProxy({ url: '', version: 'latest', goProxy: `${missing},direct` }, {}),
    /Input 'kt-connect-source': go-proxy reads kt-connect's versions from a module proxy, and GOPROXY .* reaches 'direct'/,
  );
});

test('a silent proxy is given up within the network limits; behind a pipe the next one answers', async () => {
  silent = await startSilentServer();
  const quiet = `http://127.0.0.1:${silent.port}`;
  const env = { KTCTL_CUSTOMIZE_CONNECT_TIMEOUT: '1', KTCTL_CUSTOMIZE_IDLE_TIMEOUT: '1' };
  const started = Date.now();
  await assert.rejects(
    resolveOnProxy({ url: '', version: 'v0.3.7', goProxy: quiet }, env),
    /Input 'go-proxy': the module proxy http:\/\/127\.0\.0\.1:\d+ failed for github\.com\/alibaba\/kt-connect: http:\/\/127\.0\.0\.1:\d+\/github\.com\/alibaba\/kt-connect\/@v\/v0\.3\.7\.info: no answer for 1 s \(the limits are set by/,
  );
  assert.ok(Date.now() - started < 20_000);
  const good = `http://127.0.0.1:${(served.address() as AddressInfo).port}`;
  assert.equal((await resolveOnProxy({ url: '', version: 'v0.3.7', goProxy: `${quiet}|${good}` }, env)).version, 'v0.3.7');
});
