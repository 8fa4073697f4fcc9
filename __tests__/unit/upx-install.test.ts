// installUpx carrying out each decision with the real upx and real downloads from a loopback
// server: the runner's own upx (macOS), a cached one, and a pinned hash that does not match.
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, realpathSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Log } from '../../src/log.js';
import { hostPlatform } from '../../src/toolchain/platform.js';
import { chooseUpxSource, installUpx, UPX_PINNED_SHA256 } from '../../src/toolchain/upx.js';
import { prepareDownloads, startDownloadServer, UPX_SOURCE, type DownloadServer } from '../support/downloads.js';

const linux = hostPlatform('linux', 'x64');

function recordingLog(): Log & { lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    info: (message) => void lines.push(message),
    warning: (message) => void lines.push(`warning: ${message}`),
    group: (_title, work) => work(),
  };
}

describe('installUpx', () => {
  let root: string;
  let server: DownloadServer;
  const saved = { cache: process.env['RUNNER_TOOL_CACHE'], temp: process.env['RUNNER_TEMP'] };

  before(async () => {
    root = mkdtempSync(path.join(os.tmpdir(), 'ktctl-upx-'));
    process.env['RUNNER_TOOL_CACHE'] = path.join(root, 'tool-cache');
    process.env['RUNNER_TEMP'] = path.join(root, 'temp');
    mkdirSync(process.env['RUNNER_TEMP'], { recursive: true });
    // a mirror that serves Debian's upx under the name of upx 4.2.4's release file: not the file the pin is for
    const files = prepareDownloads();
    const renamed = path.join(root, 'upx-4.2.4-amd64_linux.tar.xz');
    copyFileSync(files.upxArchive, renamed);
    server = await startDownloadServer({ ...files, upxVersion: '4.2.4', upxArchive: renamed });
  });
  after(async () => {
    await server.close();
    rmSync(root, { recursive: true, force: true });
    for (const [name, value] of [['RUNNER_TOOL_CACHE', saved.cache], ['RUNNER_TEMP', saved.temp]] as const) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });

  test("macOS: the runner's upx is run for its version, and the log says which upx was used", async () => {
    const log = recordingLog();
    const upx = realpathSync(UPX_SOURCE);
    const installed = await installUpx({ kind: 'path', upx }, hostPlatform('darwin', 'arm64'), log);
    assert.equal(installed.upx, upx);
    assert.match(installed.version, /^\d+\.\d+\.\d+$/);
    assert.ok(log.lines.some((line) => line.includes(upx) && line.includes(`upx ${installed.version}`)), log.lines.join('\n'));
  });

  test('a cached upx is used as it is: no download', async () => {
    const log = recordingLog();
    const requests = server.requests.length;
    const installed = await installUpx({ kind: 'cache', toolName: 'upx', version: '4.2.2', upx: '/cache/upx/4.2.2/x64/upx' }, linux, log);
    assert.deepEqual(installed, { version: '4.2.2', upx: '/cache/upx/4.2.2/x64/upx' });
    assert.equal(server.requests.length, requests);
    assert.match(log.lines.join('\n'), /found in the tool cache \(upx\)/);
  });

  test('a pinned hash that does not match fails loudly: the pin is named, and what to do', async () => {
    const request = { enabled: true, version: '4.2.4', args: ['-9'], downloadBaseUrl: server.upxBaseUrl, sha256: undefined };
    const source = chooseUpxSource({ request, host: linux, cached: undefined, pathUpx: undefined });
    assert.equal(source.kind === 'download' && source.hashFrom, 'pin');
    const pin = UPX_PINNED_SHA256['upx-4.2.4-amd64_linux.tar.xz']!;
    await assert.rejects(installUpx(source, linux, recordingLog()), (error: Error) => {
      assert.ok(error.message.includes(pin), error.message);
      assert.match(error.message, /this action pins for upx-4\.2\.4-amd64_linux\.tar\.xz/);
      assert.match(error.message, /the pin did not match/);
      assert.match(error.message, /'upx-sha256'/);
      assert.match(error.message, /'upx: false'/);
      return true;
    });
    // nothing was cached from the bad file
    const cache = process.env['RUNNER_TOOL_CACHE']!;
    assert.deepEqual(existsSync(cache) ? readdirSync(cache) : [], []);
  });

  test("the user's own hash that does not match keeps download's own message, without the pin's", async () => {
    const request = { enabled: true, version: '4.2.4', args: ['-9'], downloadBaseUrl: server.upxBaseUrl, sha256: 'c'.repeat(64) };
    const source = chooseUpxSource({ request, host: linux, cached: undefined, pathUpx: undefined });
    await assert.rejects(installUpx(source, linux, recordingLog()), (error: Error) => {
      assert.match(error.message, /'upx-sha256'/);
      assert.doesNotMatch(error.message, /pins/);
      return true;
    });
  });
});
