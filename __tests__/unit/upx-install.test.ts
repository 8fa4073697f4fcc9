// installUpx carrying out each decision with the real upx and real downloads from a loopback
// server: the runner's own upx (macOS), Homebrew's install of it, a cached one, and a pinned hash
// that does not match.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { InputError } from '../../src/shared/errors.js';
import type { Log } from '../../src/shared/log.js';
import { hostPlatform } from '../../src/toolchain/platform.js';
import { BREW_ENVIRONMENT, chooseUpxSource, installUpx, UPX_PINNED_SHA256 } from '../../src/toolchain/upx.js';
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
    for (const [name, value] of [
      ['RUNNER_TOOL_CACHE', saved.cache],
      ['RUNNER_TEMP', saved.temp],
    ] as const) {
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
    assert.ok(
      log.lines.some((line) => line.includes(upx) && line.includes(`upx ${installed.version}`)),
      log.lines.join('\n'),
    );
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

/**
 * A stand-in for Homebrew's `brew`, as a small shell script: it records each call's arguments
 * and, for `install`, its environment; `install upx` copies the real upx (Debian's upx-ucl)
 * into a prefix, and into `linkInto` when given (as Homebrew links into its PATH `bin`);
 * `--prefix upx` prints the prefix. The real Homebrew cannot run here and is not exercised:
 * only the e2e workflow's macOS runner does that.
 */
function fakeBrew(
  root: string,
  behaviour: { readonly linkInto?: string; readonly fail?: boolean },
): { brew: string; prefix: string; calls: () => string[][]; env: () => Record<string, string> } {
  const bin = path.join(root, 'brew-bin');
  const prefix = path.join(root, 'Cellar', 'upx', 'current');
  mkdirSync(bin, { recursive: true });
  const upx = realpathSync(UPX_SOURCE);
  const quote = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`;
  const install = behaviour.fail
    ? 'i=1; while [ $i -le 15 ]; do echo "brew says line $i"; i=$((i+1)); done; echo "Error: upx: Failed to download resource" >&2; exit 1'
    : [
        `/bin/mkdir -p ${quote(path.join(prefix, 'bin'))}`,
        `/bin/cp ${quote(upx)} ${quote(path.join(prefix, 'bin', 'upx'))}`,
        ...(behaviour.linkInto === undefined ? [] : [`/bin/ln -s ${quote(path.join(prefix, 'bin', 'upx'))} ${quote(path.join(behaviour.linkInto, 'upx'))}`]),
        'echo "==> Pouring upx"',
        'exit 0',
      ].join('\n');
  const script = [
    '#!/bin/sh',
    `printf '%s\\n' "$#" "$@" >> ${quote(path.join(root, 'argv'))}`,
    'if [ "$1" = install ]; then',
    `/usr/bin/env > ${quote(path.join(root, 'env'))}`,
    install,
    'fi',
    `if [ "$1" = --prefix ]; then echo ${quote(prefix)}; exit 0; fi`,
    'exit 2',
    '',
  ].join('\n');
  const brew = path.join(bin, 'brew');
  writeFileSync(brew, script);
  chmodSync(brew, 0o755);
  return {
    brew,
    prefix,
    calls: () => {
      const lines = readFileSync(path.join(root, 'argv'), 'utf8').split('\n');
      const calls: string[][] = [];
      for (let i = 0; i < lines.length && lines[i] !== '';) {
        const count = Number(lines[i]);
        calls.push(lines.slice(i + 1, i + 1 + count));
        i += 1 + count;
      }
      return calls;
    },
    env: () =>
      Object.fromEntries(
        readFileSync(path.join(root, 'env'), 'utf8')
          .split('\n')
          .filter((l) => l.includes('='))
          .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
      ),
  };
}

describe('installUpx with Homebrew (a stand-in script for brew)', () => {
  const mac = hostPlatform('darwin', 'arm64');
  const realVersion = /upx (\d+\.\d+\.\d+)/.exec(execFileSync(UPX_SOURCE, ['--version'], { encoding: 'utf8' }))?.[1];
  let root: string;

  before(() => {
    root = mkdtempSync(path.join(os.tmpdir(), 'ktctl-brew-'));
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  test("runs exactly 'brew install upx' with Homebrew's quiet settings, then finds upx under 'brew --prefix upx' and runs it", async () => {
    const dir = mkdtempSync(path.join(root, 'prefix-'));
    const emptyPath = mkdtempSync(path.join(root, 'path-'));
    const brew = fakeBrew(dir, {});
    const log = recordingLog();
    const env = { PATH: emptyPath, HOME: dir, INPUT_KUBECONFIG: 'not for brew' };
    const installed = await installUpx({ kind: 'homebrew', brew: brew.brew }, mac, log, env);
    assert.deepEqual(brew.calls(), [
      ['install', 'upx'],
      ['--prefix', 'upx'],
    ]);
    const seen = brew.env();
    for (const [name, value] of Object.entries(BREW_ENVIRONMENT)) assert.equal(seen[name], value, name);
    assert.deepEqual(Object.keys(BREW_ENVIRONMENT).sort(), ['HOMEBREW_NO_ANALYTICS', 'HOMEBREW_NO_AUTO_UPDATE', 'HOMEBREW_NO_INSTALL_CLEANUP']);
    assert.equal(seen['INPUT_KUBECONFIG'], undefined, "the action's inputs are not passed on to brew");
    assert.equal(installed.upx, path.join(brew.prefix, 'bin', 'upx'));
    assert.ok(realVersion !== undefined);
    assert.equal(installed.version, realVersion, 'the version comes from running the installed upx');
    assert.ok(
      log.lines.some((line) => line.includes(`upx ${realVersion} installed with Homebrew (${installed.upx})`)),
      log.lines.join('\n'),
    );
  });

  test('an upx that brew links onto the PATH is found there, without asking for the prefix', async () => {
    const dir = mkdtempSync(path.join(root, 'linked-'));
    const pathDir = mkdtempSync(path.join(root, 'path-'));
    const brew = fakeBrew(dir, { linkInto: pathDir });
    const log = recordingLog();
    const installed = await installUpx({ kind: 'homebrew', brew: brew.brew }, mac, log, { PATH: pathDir });
    assert.deepEqual(brew.calls(), [['install', 'upx']]);
    assert.equal(installed.upx, path.join(pathDir, 'upx'));
    assert.equal(installed.version, realVersion);
    assert.ok(
      log.lines.some((line) => line.includes(`installed with Homebrew (${installed.upx})`)),
      log.lines.join('\n'),
    );
  });

  test("a failed install is one error naming 'upx', with brew's last lines and both ways out", async () => {
    const dir = mkdtempSync(path.join(root, 'failing-'));
    const brew = fakeBrew(dir, { fail: true });
    await assert.rejects(installUpx({ kind: 'homebrew', brew: brew.brew }, mac, recordingLog(), { PATH: dir }), (error: unknown) => {
      assert.ok(error instanceof InputError && error.input === 'upx', String(error));
      assert.match(error.message, /install upx' failed \(exit code 1\)/);
      assert.match(error.message, /Failed to download resource/);
      assert.match(error.message, /brew says line 15/);
      assert.doesNotMatch(error.message, /brew says line 1\n/, 'only the last lines');
      assert.match(error.message, /'brew install upx'/);
      assert.match(error.message, /'upx: false'/);
      return true;
    });
    assert.deepEqual(brew.calls(), [['install', 'upx']]);
  });
});
