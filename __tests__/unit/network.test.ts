// Connect and idle limits, against real loopback servers that misbehave; the silence
// watchdog and tree kill, against real processes; and the pure decisions behind them.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import type { Log } from '../../src/shared/log.js';
import { DEFAULT_NETWORK_LIMITS, networkLimits } from '../../src/shared/network-limits.js';
import { killPlan, ProcessTimeoutError, runUnchecked } from '../../src/shared/process.js';
import { gitNetworkOptions, gitSilenceLimit } from '../../src/source/git.js';
import { DEFAULT_RETRY_UNIT_MS, RETRY_UNIT_VARIABLE, retryUnitMs } from '../../src/shared/retry-delays.js';
import { DownloadError, downloadToFile, fetchText, HttpStatusError, isRetryable, NoAnswerError, redirectTarget } from '../../src/toolchain/http-get.js';
import { processesWith, startSilentServer, waitUntil } from '../support/stall.js';

const SHORT = { connectSeconds: 1, idleSeconds: 1 };
// retries wait a millisecond, not 1 and 3 s: the attempts are counted, not the waits
process.env[RETRY_UNIT_VARIABLE] = '1';

function recordingLog(): Log & { warnings: string[] } {
  const warnings: string[] = [];
  return { warnings, info: () => {}, warning: (message) => void warnings.push(message), group: (_title, work) => work() };
}

describe('limits from the environment', () => {
  test('the retry wait unit: a second by default, milliseconds for tests, a bad value named by its variable', () => {
    assert.equal(retryUnitMs({}), DEFAULT_RETRY_UNIT_MS);
    assert.equal(DEFAULT_RETRY_UNIT_MS, 1000);
    assert.equal(retryUnitMs({ [RETRY_UNIT_VARIABLE]: ' 1 ' }), 1);
    assert.equal(retryUnitMs({ [RETRY_UNIT_VARIABLE]: '0' }), 0);
    for (const bad of ['-1', '1.5', '2s', '60001', 'NaN']) {
      assert.throws(() => retryUnitMs({ [RETRY_UNIT_VARIABLE]: bad }), new RegExp(`${RETRY_UNIT_VARIABLE} \\(for tests only\\) must be`), bad);
    }
  });

  test('defaults, overrides in whole seconds, and a bad value named by its variable', () => {
    assert.deepEqual(networkLimits({}), DEFAULT_NETWORK_LIMITS);
    assert.deepEqual(DEFAULT_NETWORK_LIMITS, { connectSeconds: 30, idleSeconds: 60 });
    assert.deepEqual(networkLimits({ KTCTL_CUSTOMIZE_CONNECT_TIMEOUT: '2', KTCTL_CUSTOMIZE_IDLE_TIMEOUT: ' 3 ' }), { connectSeconds: 2, idleSeconds: 3 });
    for (const bad of ['0', '-1', '1.5', '2s', '3601', '99999999', 'NaN']) {
      assert.throws(
        () => networkLimits({ KTCTL_CUSTOMIZE_IDLE_TIMEOUT: bad }),
        (error: Error) => {
          assert.match(error.message, /^Environment variable KTCTL_CUSTOMIZE_IDLE_TIMEOUT must be a whole number of seconds from 1 to 3600/);
          return true;
        },
        bad,
      );
    }
  });
});

describe('git', () => {
  test('http(s) transfers slower than 1 byte/s for the idle limit end; the watchdog allows connect + idle for the first answer', () => {
    assert.deepEqual(gitNetworkOptions({ connectSeconds: 30, idleSeconds: 60 }), ['-c', 'http.lowSpeedLimit=1', '-c', 'http.lowSpeedTime=60']);
    assert.deepEqual(gitSilenceLimit({ connectSeconds: 30, idleSeconds: 60 }), { firstMs: 90_000, idleMs: 60_000 });
  });
});

describe('stopping a process tree', () => {
  test('a process group on POSIX, taskkill /T on Windows', () => {
    assert.deepEqual(killPlan(4242, 'linux'), { kind: 'group', pgid: 4242 });
    assert.deepEqual(killPlan(4242, 'darwin'), { kind: 'group', pgid: 4242 });
    assert.deepEqual(killPlan(4242, 'win32'), { kind: 'command', command: 'taskkill', args: ['/pid', '4242', '/T', '/F'] });
    assert.deepEqual(killPlan(undefined, 'linux'), { kind: 'child' });
  });

  test('a silent program is stopped with everything it started, and the error says why', async () => {
    const marker = `silent-grandchild-${process.pid}-${Date.now()}`;
    // the grandchild carries the marker in its command line: /proc shows whether it survived
    const started = runUnchecked('sh', ['-c', `"${process.execPath}" -e "setInterval(() => {}, 1000)" ${marker} & wait`], {
      what: 'a silent test program',
      silence: { firstMs: 1500, idleMs: 1500 },
    });
    await waitUntil(() => processesWith(marker).length > 0);
    await assert.rejects(started, (error: Error) => {
      assert.ok(error instanceof ProcessTimeoutError);
      assert.equal(
        error.message,
        'a silent test program timed out: no answer for 2 s, so it was stopped (the limits are set by KTCTL_CUSTOMIZE_CONNECT_TIMEOUT and KTCTL_CUSTOMIZE_IDLE_TIMEOUT (seconds)).',
      );
      return true;
    });
    await waitUntil(() => processesWith(marker).length === 0);
    assert.deepEqual(processesWith(marker), []);
  });

  test('a program that keeps printing runs past the idle limit and ends normally', async () => {
    const result = await runUnchecked('sh', ['-c', 'for i in 1 2 3 4 5 6; do echo tick $i; sleep 0.3; done'], { silence: { firstMs: 1000, idleMs: 1000 } });
    assert.equal(result.code, 0);
    assert.equal(result.output.trim().split('\n').length, 6);
  });
});

describe('decisions of the downloader', () => {
  test('which failures are retried', () => {
    for (const status of [500, 502, 503, 504, 408, 429]) assert.ok(isRetryable(new HttpStatusError(status)), String(status));
    for (const status of [400, 401, 403, 404, 410]) assert.ok(!isRetryable(new HttpStatusError(status)), String(status));
    assert.ok(isRetryable(new NoAnswerError('idle', 60)));
    assert.ok(isRetryable(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })));
    assert.ok(!isRetryable(Object.assign(new Error('bad cert'), { code: 'CERT_HAS_EXPIRED' })));
  });

  test('redirects: relative, never down to http, credentials only back to their origin', () => {
    const start = new URL('https://bot:secret@mirror.example/go/x.tar.gz');
    assert.equal(redirectTarget('/files/x.tar.gz', start, start)?.href, 'https://bot:secret@mirror.example/files/x.tar.gz');
    assert.equal(redirectTarget('https://cdn.example/x.tar.gz', start, start)?.href, 'https://cdn.example/x.tar.gz');
    assert.equal(redirectTarget('https://eve:pw@cdn.example/x', start, start)?.href, 'https://cdn.example/x');
    assert.equal(redirectTarget('http://mirror.example/x.tar.gz', start, start), undefined);
    assert.equal(redirectTarget('file:///etc/passwd', start, start), undefined);
    const plain = new URL('http://127.0.0.1:1/a');
    assert.equal(redirectTarget('https://127.0.0.1:2/b', plain, plain)?.href, 'https://127.0.0.1:2/b');
  });
});

describe('the downloader against misbehaving servers', { concurrency: false }, () => {
  const servers: { close(): void }[] = [];
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'ktctl-http-get-'));
  after(() => {
    for (const server of servers) server.close();
    rmSync(tmp, { recursive: true, force: true });
  });

  /** An HTTP server from a handler; counts requests per path. */
  async function serve(handler: http.RequestListener): Promise<{ url: string; hits: string[] }> {
    const hits: string[] = [];
    const server = http.createServer((request, response) => {
      hits.push(request.url ?? '');
      handler(request, response);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    servers.push({ close: () => (server.closeAllConnections(), server.close()) });
    return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, hits };
  }

  const options = (log?: Log) => ({ limits: SHORT, input: 'test-url', maxBytes: 1 << 20, log });

  test('a server that accepts and never answers: the idle limit, three attempts, an error naming the input', async () => {
    const silent = await startSilentServer();
    servers.push({ close: () => void silent.close() });
    const url = `http://127.0.0.1:${silent.port}/index.json`;
    const log = recordingLog();
    await assert.rejects(fetchText(url, options(log)), (error: Error) => {
      assert.ok(error instanceof DownloadError);
      assert.ok(error.cause instanceof NoAnswerError && error.cause.phase === 'idle');
      assert.equal(
        error.message,
        `Could not download ${url} (input 'test-url') after 3 attempts: no answer for 1 s; the limits are set by KTCTL_CUSTOMIZE_CONNECT_TIMEOUT and KTCTL_CUSTOMIZE_IDLE_TIMEOUT (seconds).`,
      );
      return true;
    });
    assert.equal(silent.connections(), 3);
    assert.deepEqual(
      log.warnings.map((w) => /attempt (\d) of 3/.exec(w)?.[1]),
      ['1', '2'],
    );
  });

  test('a server that never accepts the connection: the connect limit', async () => {
    // a listening socket whose backlog is full: the kernel leaves new connections unanswered
    const holder = spawn('python3', ['-c', BACKLOG_HOLDER], { stdio: ['pipe', 'pipe', 'inherit'] });
    try {
      const port = await new Promise<string>((resolve) => holder.stdout.once('data', (data: Buffer) => resolve(data.toString().trim())));
      await assert.rejects(fetchText(`http://127.0.0.1:${port}/x`, options()), (error: Error) => {
        assert.ok(error instanceof DownloadError && error.cause instanceof NoAnswerError, String(error));
        assert.equal(error.cause.phase, 'connect');
        assert.match(error.message, /after 3 attempts: no connection within 1 s/);
        return true;
      });
    } finally {
      holder.kill();
    }
  });

  test('a body that stops halfway: the idle limit holds on the body too, and no partial file is left', async () => {
    const server = await serve((_request, response) => {
      response.writeHead(200, { 'content-length': '1000' });
      response.write(Buffer.alloc(500, 1)); // and then nothing
    });
    const file = path.join(tmp, 'stalled');
    await assert.rejects(downloadToFile(`${server.url}/f`, file, options()), (error: Error) => {
      assert.ok(error instanceof DownloadError && error.cause instanceof NoAnswerError && error.cause.phase === 'idle', String(error));
      return true;
    });
    assert.equal(server.hits.length, 3);
    assert.equal(existsSync(file), false);
  });

  test('a slow body that never pauses for the idle limit completes', async () => {
    const server = await serve((_request, response) => {
      response.writeHead(200, { 'content-length': '6' });
      let sent = 0;
      const tick = setInterval(() => {
        response.write('x');
        if (++sent === 6) {
          clearInterval(tick);
          response.end();
        }
      }, 400);
    });
    assert.equal(await fetchText(`${server.url}/slow`, options()), 'xxxxxx');
  });

  test('5xx is retried and the truth told; a 404 is final after one attempt', async () => {
    let failures = 2;
    const server = await serve((request, response) => {
      if (request.url === '/missing') response.writeHead(404).end('no');
      else if (failures-- > 0) response.writeHead(503).end('busy');
      else response.writeHead(200).end('index');
    });
    const log = recordingLog();
    assert.equal(await fetchText(`${server.url}/index`, options(log)), 'index');
    assert.equal(log.warnings.length, 2);
    assert.match(log.warnings[0]!, /failed \(attempt 1 of 3\): HTTP 503; trying again/);
    await assert.rejects(fetchText(`${server.url}/missing`, options()), (error: Error) => {
      assert.equal(error.message, `Could not download ${server.url}/missing (input 'test-url'): HTTP 404.`);
      return true;
    });
    assert.deepEqual(server.hits, ['/index', '/index', '/index', '/missing']);
  });

  test('the waits between attempts are 1 and 3 units of the retry unit', async () => {
    const times: number[] = [];
    const server = await serve((_request, response) => {
      times.push(performance.now());
      response.writeHead(503).end('busy');
    });
    process.env[RETRY_UNIT_VARIABLE] = '100';
    try {
      await assert.rejects(fetchText(`${server.url}/busy`, options()), /after 3 attempts: HTTP 503/);
    } finally {
      process.env[RETRY_UNIT_VARIABLE] = '1';
    }
    assert.equal(times.length, 3);
    // timers fire no earlier than asked; a loaded machine only makes them later
    assert.ok(times[1]! - times[0]! >= 95, `first wait ${times[1]! - times[0]!} ms`);
    assert.ok(times[2]! - times[1]! >= 295, `second wait ${times[2]! - times[1]!} ms`);
  });

  test('a reset mid-body is retried; redirects are followed', async () => {
    let resets = 1;
    const server = await serve((request, response) => {
      if (request.url === '/old') {
        response.writeHead(302, { location: '/new' }).end();
      } else if (resets-- > 0) {
        response.writeHead(200, { 'content-length': '10' });
        response.write('12345', () => response.socket?.destroy());
      } else {
        response.writeHead(200, { 'content-length': '10' }).end('0123456789');
      }
    });
    const file = path.join(tmp, 'redirected');
    await downloadToFile(`${server.url}/old`, file, options());
    assert.equal(readFileSync(file, 'utf8'), '0123456789');
    assert.deepEqual(server.hits, ['/old', '/new', '/old', '/new']);
  });

  test('a body larger than the caller accepts is refused, once', async () => {
    const server = await serve((request, response) => {
      if (request.url === '/declared') response.writeHead(200, { 'content-length': String(2 << 20) }).end();
      else response.writeHead(200).end(Buffer.alloc(2 << 20)); // chunked: no length given
    });
    for (const route of ['/declared', '/chunked']) {
      await assert.rejects(fetchText(`${server.url}${route}`, options()), /more than the 1048576 bytes/);
    }
    assert.deepEqual(server.hits, ['/declared', '/chunked']);
  });
});

const BACKLOG_HOLDER = `
import socket, sys, time
s = socket.socket(); s.bind(('127.0.0.1', 0)); s.listen(0)
port = s.getsockname()[1]
held = []
for _ in range(4):
    c = socket.socket(); c.setblocking(False)
    try: c.connect(('127.0.0.1', port))
    except BlockingIOError: pass
    held.append(c)
time.sleep(0.3)
print(port, flush=True)
sys.stdin.read()
`;
