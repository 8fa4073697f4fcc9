// The pure half of src/verify.ts: reading `go version -m`, comparing it with the plan, and what
// `ktctl config show` must list. The I/O half is proven end to end (e2e/verify.test.ts,
// e2e/real-upstream.test.ts).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { buildInfoMismatches, parseGoVersionM, parseModulePath, sameGoVersion, setsVersion, unquoteGo } from '../../src/verify/build-info.js';
import { settingsNotShown, showsVersion } from '../../src/verify/settings.js';
import { missingInFile } from '../../src/shared/file-search.js';
import { checkConfigs } from '../../src/inputs/config-checks.js';
import { consoleLog } from '../../src/shared/log.js';
import { readKtConfig } from '../../src/inputs/kt-config.js';

// as Go 1.19 prints it for a ktctl built by the action (tabs as Go writes them)
const GOOD = [
  '/ws/bin/linux_amd64/ktctl: go1.19.8',
  '\tpath\tgithub.com/alibaba/kt-connect/cmd/ktctl',
  '\tmod\tgithub.com/alibaba/kt-connect\t(devel)\t',
  '\tdep\tgithub.com/spf13/cobra\tv1.4.0\th1:y+wJpx64xcgO1V+RcnwW0LEHxTKRi2ZDPSBjWnrg88Q=',
  '\tdep\tgolang.zx2c4.com/wintun\tv0.0.0-20211104114900-415007cec224\th1:Ug9qvr1myri/zFN6xL17LSCBGFDnphBBhzmILHsM5TY=',
  '\tdep\tgithub.com/old/mod\tv1.0.0',
  '\t=>\tgithub.com/fork/mod\tv1.0.1\th1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=',
  '\tbuild\t-compiler=gc',
  '\tbuild\t-ldflags="-s -w -X main.version=0.3.7"',
  '\tbuild\t-trimpath=true',
  '\tbuild\tCGO_ENABLED=0',
  '\tbuild\tGOARCH=amd64',
  '\tbuild\tGOOS=linux',
  '\tbuild\tGOAMD64=v1',
  '\tbuild\tvcs.revision=f064f771aa7ba03a0e6bc92f712306e9bcd8a6f5',
  '',
].join('\n');

const EXPECTED = { target: { os: 'linux', arch: 'amd64' }, version: '0.3.7', module: 'github.com/alibaba/kt-connect', goVersion: '1.19.8' } as const;

test('go version -m: version, main module, deps with replacements, and quoted build settings', () => {
  const info = parseGoVersionM(GOOD);
  assert.equal(info.goVersion, 'go1.19.8');
  assert.equal(info.path, 'github.com/alibaba/kt-connect/cmd/ktctl');
  assert.equal(info.main?.path, 'github.com/alibaba/kt-connect');
  assert.equal(info.main?.sum, undefined);
  assert.deepEqual(
    info.deps.map((d) => `${d.path}@${d.version}`),
    ['github.com/spf13/cobra@v1.4.0', 'golang.zx2c4.com/wintun@v0.0.0-20211104114900-415007cec224', 'github.com/old/mod@v1.0.0'],
  );
  assert.equal(info.deps[0]?.sum, 'h1:y+wJpx64xcgO1V+RcnwW0LEHxTKRi2ZDPSBjWnrg88Q=');
  assert.equal(info.deps[2]?.replacedBy?.path, 'github.com/fork/mod');
  assert.equal(info.settings.get('-ldflags'), '-s -w -X main.version=0.3.7');
  assert.equal(info.settings.get('GOOS'), 'linux');
  assert.equal(info.settings.get('vcs.revision'), 'f064f771aa7ba03a0e6bc92f712306e9bcd8a6f5');
  assert.deepEqual(buildInfoMismatches(info, EXPECTED), []);
});

test('each difference from the plan is named, with what the binary says', () => {
  const bad = GOOD.replace('GOARCH=amd64', 'GOARCH=386')
    .replace('main.version=0.3.7', 'main.other=0.3.7')
    .replace('\tmod\tgithub.com/alibaba/kt-connect', '\tmod\texample.com/fork')
    .replace(': go1.19.8', ': go1.18.10')
    .replace('CGO_ENABLED=0', 'CGO_ENABLED=1');
  const problems = buildInfoMismatches(parseGoVersionM(bad), EXPECTED);
  assert.deepEqual(problems, [
    'it is built for linux/386, not linux/amd64',
    'its linker flags do not set -X main.version=0.3.7',
    'its main module is example.com/fork, not github.com/alibaba/kt-connect (go.mod)',
    'it was built by go1.18.10, not Go 1.19.8',
    'CGO_ENABLED is 1, not 0',
  ]);
  assert.match(buildInfoMismatches(parseGoVersionM('not: a go binary\n'), EXPECTED).join('; '), /built for \(not recorded\)\/\(not recorded\)/);
  assert.match(buildInfoMismatches(parseGoVersionM(''), EXPECTED)[0]!, /no Go build info/);
});

test('a -trimpath build records no -ldflags (golang/go#52372): accepted only with -trimpath=true recorded', () => {
  const trimmed = GOOD.replace('\tbuild\t-ldflags="-s -w -X main.version=0.3.7"\n', '');
  assert.deepEqual(buildInfoMismatches(parseGoVersionM(trimmed), EXPECTED), []);
  const neither = trimmed.replace('\tbuild\t-trimpath=true\n', '');
  assert.deepEqual(buildInfoMismatches(parseGoVersionM(neither), EXPECTED), ['its linker flags do not set -X main.version=0.3.7']);
});

test('linker flags: -X main.version in its forms, and not a longer or other variable', () => {
  assert.ok(setsVersion('-s -w -X main.version=0.3.7', '0.3.7'));
  assert.ok(setsVersion('-X=main.version=0.3.7 -s', '0.3.7'));
  assert.ok(!setsVersion('-X main.version=0.3.77', '0.3.7'));
  assert.ok(!setsVersion('-X main.versions=0.3.7', '0.3.7'));
  assert.ok(!setsVersion('main.version=0.3.7', '0.3.7'));
});

test('Go quoting is undone in one pass; go1.19 equals 1.19.0', () => {
  assert.equal(unquoteGo('"a \\"b\\" \\\\ \\t\\x41\\u00e9"'), 'a "b" \\ \tAé');
  assert.equal(unquoteGo('plain'), 'plain');
  assert.ok(sameGoVersion('go1.19', '1.19.0'));
  assert.ok(sameGoVersion('go1.19.8', '1.19.8'));
  assert.ok(!sameGoVersion('go1.19.8', '1.19.9'));
  assert.ok(!sameGoVersion('', ''));
});

test('the module path comes from go.mod', () => {
  assert.equal(parseModulePath('// c\nmodule github.com/alibaba/kt-connect\n\ngo 1.18\n'), 'github.com/alibaba/kt-connect');
  assert.equal(parseModulePath('module "example.com/x" // quoted\n'), 'example.com/x');
  assert.equal(parseModulePath('go 1.18\n'), undefined);
});

test('the kt config settings keep each value as text, as ktctl decodes it; the placeholder has none', () => {
  const settings = readKtConfig(
    'global:\n  debug: true\n  pod-quota: 0.50\n  image: "r.example/s:v1"\nmesh:\n  router-image: r.example/r:v1\nforward:\n',
    'latest',
  ).settings;
  assert.deepEqual(
    [...settings],
    [
      ['global.debug', 'true'],
      ['global.pod-quota', '0.50'],
      ['global.image', 'r.example/s:v1'],
      ['mesh.router-image', 'r.example/r:v1'],
    ],
  );
  assert.equal(
    checkConfigs(
      { configs: { kubeconfig: undefined, ktConfig: undefined }, strict: false },
      consoleLog(() => undefined),
    ).ktSettings.size,
    0,
  );
});

test('config show: a setting counts only when listed as (build-in) with its value; names come back, never values', () => {
  const expected = new Map([
    ['global.image', 'r.example/s:v1'],
    ['global.debug', 'true'],
    ['global.as-worker', 'true'],
    ['mesh.router-image', 'r.example/r:v1'],
  ]);
  const output = 'global.image = r.example/s:v1  (build-in)\nglobal.debug = true\r\nmesh.router-image = r.example/r:v2  (build-in)\n';
  // global.debug is shown but not as build-in; the router image has another value; as-worker is hidden by ktctl
  assert.deepEqual(settingsNotShown(output, expected), ['global.debug', 'mesh.router-image']);
  assert.deepEqual(settingsNotShown('global.image = r.example/s:v1  (build-in)', new Map([['global.image', 'r.example/s:v1']])), []);
});

test('--version shows the version as a word of a line', () => {
  assert.ok(showsVersion('ktctl version 0.3.7\n', '0.3.7'));
  assert.ok(!showsVersion('ktctl version dev\n', '0.3.7'));
  assert.ok(!showsVersion('ktctl version 0.3.77\n', '0.3.7'));
});

test('the configs are found byte for byte in a file, across the 1 MiB slices', (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'verify-unit-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'bin');
  const needle = Buffer.from('apiVersion: v1\nkind: Config\n');
  const data = Buffer.alloc((1 << 20) + 100, 0x2e);
  needle.copy(data, (1 << 20) - 10); // across the first slice's end
  writeFileSync(file, data);
  assert.deepEqual(missingInFile(file, [needle, Buffer.from('global:\n  image: x\n')]), [1]);
  assert.deepEqual(missingInFile(file, [needle]), []);
});
