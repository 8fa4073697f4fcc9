// Which upx each GitHub-hosted runner uses with the default inputs, and how the tool cache is
// read: pure decisions, with the host, the tool cache and the PATH injected.
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import { BUILD_DEFAULTS } from '../../src/shared/defaults.js';
import { InputError } from '../../src/shared/errors.js';
import { parseBuildInputs } from '../../src/inputs/inputs.js';
import { planFor } from '../../src/run/pipeline.js';
import { brewCandidates, findBrew, findOnPath, hostPlatform, pathCandidates, pathVariable, type HostPlatform } from '../../src/toolchain/platform.js';
import { toolCacheName } from '../../src/toolchain/tool-cache.js';
import { chooseUpxSource, UPX_PINNED_SHA256, upxSourceFor, upxToolName, type ToolLookups, type UpxSource } from '../../src/toolchain/upx.js';

const context = { workspace: '/w', serverUrl: 'https://github.com' };
const PLACEHOLDERS: Record<string, string> = { kubeconfig: 'upstream', 'kt-config': 'upstream' };
const inputsWith = (values: Record<string, string> = {}) => parseBuildInputs((name) => values[name] ?? PLACEHOLDERS[name] ?? '', context, 4);
const defaults = inputsWith();
const upstream = { tag: 'v0.3.7', commit: 'a'.repeat(40) };
const RELEASES = 'https://github.com/upx/upx/releases/download';

const HOSTED: Record<string, HostPlatform> = {
  'ubuntu-latest (x64)': hostPlatform('linux', 'x64'),
  'ubuntu-24.04-arm (arm64)': hostPlatform('linux', 'arm64'),
  'windows-latest (x64)': hostPlatform('win32', 'x64'),
  'macos-latest (arm64)': hostPlatform('darwin', 'arm64'),
  'macos-13 (x64)': hostPlatform('darwin', 'x64'),
};

/** Lookups of a runner whose tool cache holds `cache` (name/version/arch → folder), whose PATH holds `onPath`, and whose Homebrew is `brew`. */
function lookups(cache: Record<string, string> = {}, onPath: Record<string, string> = {}, brew?: string): ToolLookups & { asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    cached: (tool, version, arch) => {
      asked.push(`cache ${tool}/${version}/${arch}`);
      return cache[`${tool}/${version}/${arch}`];
    },
    onPath: (name) => {
      asked.push(`path ${name}`);
      return onPath[name];
    },
    brew: () => {
      asked.push('brew');
      return brew;
    },
  };
}

describe('with the default inputs, each hosted runner', () => {
  const expected: Record<string, UpxSource | RegExp> = {
    'ubuntu-latest (x64)': {
      kind: 'download',
      toolName: 'upx',
      version: '4.2.4',
      file: 'upx-4.2.4-amd64_linux.tar.xz',
      url: `${RELEASES}/v4.2.4/upx-4.2.4-amd64_linux.tar.xz`,
      sha256: '75cab4e57ab72fb4585ee45ff36388d280c7afd72aa03e8d4b9c3cbddb474193',
      hashFrom: 'pin',
    },
    'ubuntu-24.04-arm (arm64)': {
      kind: 'download',
      toolName: 'upx',
      version: '4.2.4',
      file: 'upx-4.2.4-arm64_linux.tar.xz',
      url: `${RELEASES}/v4.2.4/upx-4.2.4-arm64_linux.tar.xz`,
      sha256: '6bfeae6714e34a82e63245289888719c41fd6af29f749a44ae3d3d166ba6a1c9',
      hashFrom: 'pin',
    },
    'windows-latest (x64)': {
      kind: 'download',
      toolName: 'upx',
      version: '4.2.4',
      file: 'upx-4.2.4-win64.zip',
      url: `${RELEASES}/v4.2.4/upx-4.2.4-win64.zip`,
      sha256: '22e9ef20e4c72aad85e32c71cbc9c086436c179456382aa75c0c24868456a671',
      hashFrom: 'pin',
    },
    // the macOS images ship Homebrew but no upx
    'macos-latest (arm64)': { kind: 'homebrew', brew: '/opt/homebrew/bin/brew' },
    'macos-13 (x64)': { kind: 'homebrew', brew: '/usr/local/bin/brew' },
  };
  const homebrew: Record<string, string> = { 'macos-latest (arm64)': '/opt/homebrew/bin/brew', 'macos-13 (x64)': '/usr/local/bin/brew' };

  for (const [runner, host] of Object.entries(HOSTED)) {
    test(`${runner}: ${(expected[runner] as UpxSource).kind === 'homebrew' ? 'installs upx with Homebrew' : 'downloads the pinned upx 4.2.4 file'}`, () => {
      const world = lookups({}, {}, homebrew[runner]);
      assert.deepEqual(upxSourceFor(defaults.upx, host, world), expected[runner]);
      // the tool cache is asked first, under the official name, for the runner's arch folder
      assert.deepEqual(
        world.asked,
        host.os === 'darwin' ? ['cache upx/4.2.4/' + host.cacheArch, 'path upx', 'brew'] : [`cache upx/4.2.4/${host.cacheArch}`],
        'PATH and Homebrew are looked at on macOS only',
      );
    });

    test(`${runner}: plans all eight default targets without any upx input`, () => {
      const plan = planFor(defaults, upstream, host, lookups({}, {}, homebrew[runner]));
      assert.equal(plan.targets.length, 8);
      assert.deepEqual(
        plan.targets.filter((t) => t.upxSkipReason === undefined).map((t) => `${t.target.os}/${t.target.arch}`),
        ['linux/amd64', 'linux/386', 'linux/arm64', 'windows/amd64', 'windows/386'],
      );
    });
  }

  test('the pins are exactly the three hosted runner files, each a SHA-256', () => {
    assert.deepEqual(Object.keys(UPX_PINNED_SHA256).sort(), ['upx-4.2.4-amd64_linux.tar.xz', 'upx-4.2.4-arm64_linux.tar.xz', 'upx-4.2.4-win64.zip']);
    for (const hash of Object.values(UPX_PINNED_SHA256)) assert.match(hash, /^[0-9a-f]{64}$/);
    assert.equal(BUILD_DEFAULTS['upx-version'], '4.2.4', 'the pins are for the default version');
  });
});

describe('macOS runners', () => {
  const mac = hostPlatform('darwin', 'arm64');

  test("upx already on PATH (Homebrew's, or a step's) is used as it is: Homebrew is not asked", () => {
    const world = lookups({}, { upx: '/opt/homebrew/bin/upx' }, '/opt/homebrew/bin/brew');
    assert.deepEqual(upxSourceFor(defaults.upx, mac, world), { kind: 'path', upx: '/opt/homebrew/bin/upx' });
    assert.deepEqual(world.asked, ['cache upx/4.2.4/arm64', 'path upx']);
  });

  test('without upx on PATH and without Homebrew: one error naming the input and both ways out, and which targets needed it', () => {
    assert.throws(
      () => planFor(defaults, upstream, mac, lookups()),
      (error: unknown) =>
        error instanceof InputError &&
        error.input === 'upx' &&
        error.message.includes('no Homebrew') &&
        error.message.includes("'brew install upx'") &&
        error.message.includes("'upx: false'") &&
        error.message.includes('linux/amd64, linux/386, linux/arm64, windows/amd64, windows/386'),
    );
  });

  test('darwin targets alone need no upx at all, so a Mac without upx builds them with upx left on', () => {
    const world = lookups();
    const plan = planFor(inputsWith({ targets: 'darwin/arm64,darwin/amd64' }), upstream, mac, world);
    assert.equal(plan.targets.length, 2);
    assert.deepEqual(world.asked, [], 'neither the tool cache nor PATH is consulted');
  });

  test('upx: false asks for nothing', () => {
    const world = lookups();
    planFor(inputsWith({ upx: 'false' }), upstream, mac, world);
    assert.deepEqual(world.asked, []);
  });

  test('a self-hosted Mac whose tool cache holds the version uses it before PATH', () => {
    const world = lookups({ 'upx/4.2.4/arm64': '/cache/upx/4.2.4/arm64' }, { upx: '/opt/homebrew/bin/upx' });
    assert.deepEqual(upxSourceFor(defaults.upx, mac, world), { kind: 'cache', toolName: 'upx', version: '4.2.4', upx: '/cache/upx/4.2.4/arm64/upx' });
    assert.ok(!world.asked.includes('path upx'));
    assert.ok(!world.asked.includes('brew'));
  });

  test('chooseUpxSource: Homebrew only when neither the cache nor the PATH has upx', () => {
    const choice = { request: defaults.upx, host: mac, brew: '/opt/homebrew/bin/brew' };
    assert.deepEqual(chooseUpxSource({ ...choice, cached: undefined, pathUpx: undefined }), { kind: 'homebrew', brew: '/opt/homebrew/bin/brew' });
    assert.equal(chooseUpxSource({ ...choice, cached: undefined, pathUpx: '/usr/local/bin/upx' }).kind, 'path');
    assert.equal(chooseUpxSource({ ...choice, cached: '/cache/upx/4.2.4/arm64', pathUpx: undefined }).kind, 'cache');
    // brew means nothing on Linux: upx is downloaded there
    assert.equal(chooseUpxSource({ ...choice, host: hostPlatform('linux', 'arm64'), cached: undefined, pathUpx: undefined }).kind, 'download');
  });
});

describe('the tool cache', () => {
  const linux = hostPlatform('linux', 'x64');

  test('a cached upx of another version needs no hash (upx 4.2.2 from Debian on a self-hosted runner)', () => {
    const request = inputsWith({ 'upx-version': '4.2.2' }).upx;
    assert.equal(request.sha256, undefined);
    const source = upxSourceFor(request, linux, lookups({ 'upx/4.2.2/x64': '/cache/upx/4.2.2/x64' }));
    assert.deepEqual(source, { kind: 'cache', toolName: 'upx', version: '4.2.2', upx: '/cache/upx/4.2.2/x64/upx' });
  });

  test('the same version, not cached, asks for upx-sha256 before anything is downloaded', () => {
    const request = inputsWith({ 'upx-version': '4.2.2' }).upx;
    assert.throws(
      () => planFor(inputsWith({ 'upx-version': '4.2.2' }), upstream, linux, lookups()),
      (error: unknown) =>
        error instanceof InputError &&
        error.input === 'upx-sha256' &&
        /upx-4\.2\.2-amd64_linux\.tar\.xz/.test(error.message) &&
        /tool cache/.test(error.message),
    );
    // with the hash given, it is a download checked against the user's hash
    const source = chooseUpxSource({ request: { ...request, sha256: 'b'.repeat(64) }, host: linux, cached: undefined, pathUpx: undefined });
    assert.equal(source.kind === 'download' && source.hashFrom, 'input');
  });

  test('a Windows cache hit names upx.exe', () => {
    const win = hostPlatform('win32', 'x64');
    const source = chooseUpxSource({ request: defaults.upx, host: win, cached: 'C:\\hostedtoolcache\\windows\\upx\\4.2.4\\x64', pathUpx: undefined });
    assert.equal(source.kind === 'cache' && path.win32.basename(source.upx), 'upx.exe');
  });

  test("a mirror's upx is looked up and cached under a name of its own", () => {
    const mirror = inputsWith({ 'upx-download-base-url': 'https://artifacts.example.internal/upx/releases/download' }).upx;
    const name = upxToolName(mirror);
    assert.match(name, /^upx-artifacts\.example\.internal-[0-9a-f]{12}$/);
    // the official upx in the cache does not stand in for the mirror's ...
    const world = lookups({ 'upx/4.2.4/x64': '/cache/upx/4.2.4/x64' });
    const source = upxSourceFor(mirror, linux, world);
    assert.equal(source.kind, 'download');
    assert.equal(source.kind === 'download' && source.toolName, name);
    assert.deepEqual(world.asked, [`cache ${name}/4.2.4/x64`]);
    // ... and the mirror's does not stand in for the official one
    assert.equal(upxSourceFor(defaults.upx, linux, lookups({ [`${name}/4.2.4/x64`]: '/cache/m' })).kind, 'download');
    assert.equal(upxSourceFor(mirror, linux, lookups({ [`${name}/4.2.4/x64`]: '/cache/m' })).kind, 'cache');
  });

  test('tool names: the official base URL keeps the plain name; mirrors differ by address, not by credentials', () => {
    const official = BUILD_DEFAULTS['go-download-base-url'];
    assert.equal(toolCacheName('go', official, official), 'go');
    assert.equal(toolCacheName('go', `${official}/`, official), 'go');
    assert.equal(toolCacheName('go', 'HTTPS://GO.DEV/dl', official), 'go');
    const mirror = toolCacheName('go', 'https://mirror.example/golang', official);
    assert.match(mirror, /^go-mirror\.example-[0-9a-f]{12}$/);
    assert.equal(toolCacheName('go', 'https://user:s3cret-token@mirror.example/golang', official), mirror);
    assert.ok(!toolCacheName('go', 'https://user:s3cret-token@mirror.example/golang', official).includes('s3cret'));
    assert.notEqual(toolCacheName('go', 'https://mirror.example/golang-fips', official), mirror);
    assert.notEqual(toolCacheName('go', 'http://mirror.example/golang', official), mirror);
    assert.match(toolCacheName('go', 'http://[::1]:8080/go', official), /^go-[0-9a-f:-]*1-[0-9a-f]{12}$/);
    assert.match(toolCacheName('go', 'http://127.0.0.1:8080/go', official), /^go-127\.0\.0\.1-[0-9a-f]{12}$/);
  });
});

describe('PATH search', () => {
  test('absolute entries only: an empty or relative entry would be the checked-out workspace', () => {
    const mac = hostPlatform('darwin', 'arm64');
    assert.deepEqual(pathCandidates('upx', '/opt/homebrew/bin::bin:./tools:/usr/bin:/opt/homebrew/bin', mac), ['/opt/homebrew/bin/upx', '/usr/bin/upx']);
  });

  test("brew: the PATH's absolute entries first, then Homebrew's standard places, each once", () => {
    const mac = hostPlatform('darwin', 'arm64');
    assert.deepEqual(brewCandidates('/usr/bin:brewdir:/opt/homebrew/bin::/bin', mac), [
      '/usr/bin/brew',
      '/opt/homebrew/bin/brew',
      '/bin/brew',
      '/usr/local/bin/brew',
    ]);
    assert.deepEqual(brewCandidates('', mac), ['/opt/homebrew/bin/brew', '/usr/local/bin/brew']);
  });

  test('brew is looked for on macOS only', () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'ktctl-brew-'));
    try {
      writeFileSync(path.join(root, 'brew'), '#!/bin/sh\n');
      chmodSync(path.join(root, 'brew'), 0o755);
      assert.equal(findBrew(hostPlatform('darwin', 'arm64'), { PATH: root }), path.join(root, 'brew'));
      assert.equal(findBrew(hostPlatform('linux', 'x64'), { PATH: root }), undefined);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  test('Windows: `;`-separated, quoted entries, drive paths, .exe names, and the `Path` spelling', () => {
    const win = hostPlatform('win32', 'x64');
    assert.deepEqual(pathCandidates('upx', 'C:\\Windows\\system32;"C:\\Program Files\\upx";;tools;\\\\server\\share\\bin', win), [
      'C:\\Windows\\system32\\upx.exe',
      'C:\\Program Files\\upx\\upx.exe',
      '\\\\server\\share\\bin\\upx.exe',
    ]);
    assert.equal(pathVariable({ Path: 'C:\\bin' }), 'C:\\bin');
    assert.equal(pathVariable({}), '');
  });

  test('finds the first executable file, through a Homebrew-style link; skips folders and non-executables', () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'ktctl-path-'));
    try {
      const [first, second, cellar, third] = ['a', 'b', 'Cellar/upx/4.2.4/bin', 'c'].map((dir) => path.join(root, dir));
      for (const dir of [first!, second!, cellar!, third!]) mkdirSync(dir, { recursive: true });
      mkdirSync(path.join(first!, 'upx')); // a folder named upx
      writeFileSync(path.join(second!, 'upx'), '#!/bin/sh\n'); // not executable
      writeFileSync(path.join(cellar!, 'upx'), '#!/bin/sh\n');
      chmodSync(path.join(cellar!, 'upx'), 0o755);
      symlinkSync(path.join(cellar!, 'upx'), path.join(third!, 'upx'));
      const host = hostPlatform('linux', 'x64');
      assert.equal(findOnPath('upx', host, { PATH: [first, second, 'relative', third].join(':') }), path.join(third!, 'upx'));
      assert.equal(findOnPath('upx', host, { PATH: [first, second].join(':') }), undefined);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
