import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildSchedule, concurrentBuilds, goBuildArgs, goEnvironment, lostCacheFile } from '../../src/build/compile.js';
import { checksumsText } from '../../src/package/pack.js';
import { createPool } from '../../src/shared/pool.js';
import { secretFragments } from '../../src/shared/secrets.js';

test('go build arguments carry the version as one ldflags word', () => {
  assert.deepEqual(goBuildArgs('0.3.7', '/o/ktctl'), ['build', '-trimpath', '-ldflags', '-s -w -X main.version=0.3.7', '-o', '/o/ktctl', './cmd/ktctl']);
});

test('go environment drops variables that would change the build', () => {
  const env = goEnvironment(
    { PATH: '/bin', GOOS: 'plan9', GOFLAGS: '-mod=vendor', GOROOT: '/other', GOPROXY: 'https://proxy.example' },
    '/tc/go/1.19.8/x64/bin/go',
  );
  assert.equal(env['GOOS'], undefined);
  assert.equal(env['GOROOT'], '/tc/go/1.19.8/x64');
  assert.equal(env['GOTOOLCHAIN'], 'local');
  assert.equal(env['CGO_ENABLED'], '0');
  assert.equal(env['GOFLAGS'], '-mod=readonly');
  assert.equal(env['GOPROXY'], 'https://proxy.example');
});

test('a build cache file that vanished mid-build is told from other failures', () => {
  const gocache = '/home/runner/.cache/go-build';
  // what go 1.19's linker printed in CI when a concurrent run scrubbed the entry it had just found
  const link = `# github.com/alibaba/kt-connect/cmd/ktctl\n/go/pkg/tool/linux_amd64/link: cannot open file ${gocache}/f7/f7ee-d: open ${gocache}/f7/f7ee-d: no such file or directory`;
  assert.equal(lostCacheFile(link, gocache), true);
  assert.equal(lostCacheFile(link, `${gocache}/`), true, 'GOCACHE with a trailing separator');
  // a missing file elsewhere, or a cache path on a line that is not about a missing file: a real failure
  assert.equal(lostCacheFile('open /src/hack/kube/config: no such file or directory', gocache), false);
  assert.equal(lostCacheFile(`${gocache}/00/x-d: permission denied\nopen /src/a.go: no such file or directory`, gocache), false);
  assert.equal(lostCacheFile(link.replaceAll(gocache, '/home/runner/.cache/go-build-other'), gocache), false, 'a folder that only begins like GOCACHE');
  assert.equal(lostCacheFile(link, ''), false, 'no known GOCACHE');
});

test('checksums in sha256sum format, sorted', () => {
  assert.equal(
    checksumsText([
      { name: 'b.zip', sha256: '2'.repeat(64) },
      { name: 'a.zip', sha256: '1'.repeat(64) },
    ]),
    `${'1'.repeat(64)}  a.zip\n${'2'.repeat(64)}  b.zip\n`,
  );
});

test('the pool never runs more than its limit and starts follow-ups', async () => {
  const pool = createPool(2);
  let active = 0;
  let peak = 0;
  const order: string[] = [];
  const job = (name: string, then?: () => void) => async () => {
    active++;
    peak = Math.max(peak, active);
    await new Promise((resolve) => setTimeout(resolve, 5));
    order.push(name);
    active--;
    then?.();
  };
  for (const name of ['a', 'b', 'c']) pool.add(job(name, () => pool.add(job(`${name}+`))));
  assert.deepEqual(await pool.drain(), []);
  assert.equal(peak, 2);
  assert.equal(order.length, 6);
});

test('a lane runs at most its own limit; a job behind a full lane still takes a free slot', async () => {
  const pool = createPool<'build'>(2, { build: 1 });
  const running = new Set<string>();
  let peakBuilds = 0;
  let peak = 0;
  const started: string[] = [];
  const together = new Set<string>();
  const job = (name: string, then?: () => void) => async () => {
    running.add(name);
    started.push(name);
    for (const other of running) if (other !== name) together.add([other, name].sort().join(' + '));
    peak = Math.max(peak, running.size);
    peakBuilds = Math.max(peakBuilds, [...running].filter((n) => n.startsWith('build')).length);
    await new Promise((resolve) => setTimeout(resolve, 5));
    running.delete(name);
    then?.();
  };
  for (const name of ['build-a', 'build-b', 'build-c'])
    pool.add(
      job(name, () => pool.add(job(`upx-${name.slice(6)}`))),
      'build',
    );
  assert.deepEqual(await pool.drain(), []);
  assert.equal(peakBuilds, 1, 'one build at a time');
  assert.equal(peak, 2, 'upx fills the other slot');
  // each upx starts as its build ends and runs beside the next build, not after every build
  assert.deepEqual(started, ['build-a', 'upx-a', 'build-b', 'upx-b', 'build-c', 'upx-c']);
  assert.ok(together.has('build-b + upx-a') && together.has('build-c + upx-b'), [...together].join(', '));
});

test('half the slots build, at least one', () => {
  assert.deepEqual([1, 2, 3, 4, 8].map(concurrentBuilds), [1, 1, 1, 2, 4]);
  assert.equal(buildSchedule(1), 'one go build at a time');
  assert.equal(buildSchedule(2), 'one go build at a time, upx beside it');
  assert.equal(buildSchedule(4), '2 go builds at a time, upx beside them');
});

test('after a failure the pool starts nothing new and reports it', async () => {
  const pool = createPool(1);
  const ran: string[] = [];
  pool.add(async () => {
    throw new Error('boom');
  });
  pool.add(async () => void ran.push('late'));
  const errors = await pool.drain();
  assert.equal(errors.length, 1);
  assert.deepEqual(ran, []);
});

test('secret fragments cover lines, values and base64', () => {
  const text = 'users:\n- name: dev\n  user:\n    token: sEcReT-aaaa1111bbbb\n';
  const fragments = secretFragments(text);
  assert.ok(fragments.includes('token: sEcReT-aaaa1111bbbb'));
  assert.ok(fragments.includes('sEcReT-aaaa1111bbbb'));
  assert.ok(fragments.includes(Buffer.from(text).toString('base64')));
  assert.ok(!fragments.includes('user:'), 'short fragments are not masked');
});

test('the Go cache key follows platform, Go, go.sum and targets, not their order', async () => {
  const { goCacheKey, cacheWanted } = await import('../../src/build/go-cache.js');
  const { hostPlatform } = await import('../../src/toolchain/platform.js');
  const base = {
    host: hostPlatform('linux', 'x64'),
    goVersion: '1.19.8',
    goSum: 'a v1\n',
    targets: [
      { os: 'linux', arch: 'amd64' },
      { os: 'windows', arch: '386' },
    ],
  } as const;
  const key = goCacheKey(base);
  assert.match(key, /^ktctl-customize-go-linux-amd64-go1\.19\.8-[0-9a-f]{20}$/);
  assert.equal(goCacheKey({ ...base, targets: [...base.targets].reverse() }), key);
  assert.notEqual(goCacheKey({ ...base, goSum: 'a v2\n' }), key);
  assert.notEqual(goCacheKey({ ...base, goVersion: '1.18.10' }), key);
  assert.equal(cacheWanted(undefined, { RUNNER_ENVIRONMENT: 'github-hosted' }), true);
  assert.equal(cacheWanted(undefined, { RUNNER_ENVIRONMENT: 'self-hosted' }), false);
  assert.equal(cacheWanted(false, { RUNNER_ENVIRONMENT: 'github-hosted' }), false);
});

test('fileContains finds a needle anywhere, also across the 1 MiB read slices', async (t) => {
  const { fileContains, SLICE } = await import('../../src/shared/file-search.js');
  const { mkdtempSync, rmSync, writeFileSync } = await import('node:fs');
  const os = await import('node:os');
  const path = await import('node:path');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'contains-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const needle = Buffer.from('token: sEcReT-aaaa1111bbbb');
  for (const at of [0, (1 << 20) - 5, (1 << 20) * 2 + 7, (1 << 20) * 3 - needle.length]) {
    const bytes = Buffer.alloc((1 << 20) * 3, 0x41);
    needle.copy(bytes, at);
    const file = path.join(dir, `at-${at}`);
    writeFileSync(file, bytes);
    assert.equal(fileContains(file, [Buffer.from('absent'), needle], Buffer.alloc(SLICE + needle.length)), true, `at ${at}`);
  }
  const clean = path.join(dir, 'clean');
  writeFileSync(clean, Buffer.alloc((1 << 20) * 2 + 3, 0x41));
  assert.equal(fileContains(clean, [needle], Buffer.alloc(SLICE + needle.length)), false);
});
