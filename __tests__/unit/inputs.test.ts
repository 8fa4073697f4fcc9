import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { BUILD_DEFAULTS } from '../../src/shared/defaults.js';
import { InputError } from '../../src/shared/errors.js';
import { decodeConfig, parseBuildInputs, parseMinCredentialDays, parseRepository, parseUpxArgs, parseUpxChoice } from '../../src/inputs/inputs.js';

const context = { workspace: '/w', serverUrl: 'https://github.example' };
const PLACEHOLDERS: Record<string, string> = { kubeconfig: 'upstream', 'kt-config': 'upstream' };
const reader = (values: Record<string, string>) => (name: string) => values[name] ?? PLACEHOLDERS[name] ?? '';

describe('parseBuildInputs', () => {
  test('defaults give upstream official set and settings', () => {
    const inputs = parseBuildInputs(reader({}), context, 4);
    assert.equal(inputs.upstream.url, 'https://github.example/alibaba/kt-connect.git');
    assert.equal(inputs.upstream.version, 'latest');
    assert.equal(inputs.targets.length, 8);
    assert.equal(inputs.archiveFormat, 'zip');
    assert.equal(inputs.outputDir, '/w/ktctl-dist');
    assert.deepEqual(inputs.upx.args, ['-9']);
    assert.equal(inputs.upx.enabled, true);
    assert.equal(inputs.maxParallel, 4);
    assert.equal(inputs.wintun.sha256, BUILD_DEFAULTS['wintun-sha256']);
    assert.equal(inputs.configs.kubeconfig, undefined);
  });

  test('explicit values', () => {
    const inputs = parseBuildInputs(
      reader({
        'kt-connect-repository': 'file:///srv/mirror/kt-connect.git',
        'kt-connect-version': 'v0.3.7',
        targets: 'linux/amd64\nwindows/386, linux/amd64',
        'archive-format': 'auto',
        'upx-args': '--best  --lzma',
        'max-parallel': '3',
        'go-version': '1.19.8',
        'go-sha256': 'AB'.repeat(32),
        upx: 'false',
        'output-dir': '/w/abs/out',
      }),
      context,
      2,
    );
    assert.equal(inputs.upstream.url, 'file:///srv/mirror/kt-connect.git');
    assert.deepEqual(inputs.targets, [
      { os: 'linux', arch: 'amd64' },
      { os: 'windows', arch: '386' },
    ]);
    assert.deepEqual(inputs.upx.args, ['--best', '--lzma']);
    assert.equal(inputs.maxParallel, 3);
    assert.equal(inputs.go.sha256, 'ab'.repeat(32));
    assert.equal(inputs.upx.enabled, false);
    assert.equal(inputs.outputDir, '/w/abs/out', 'an absolute path inside the workspace');
  });

  const bad: [string, Record<string, string>][] = [
    ['targets', { targets: 'linux/mips' }],
    ['targets', { targets: ' , ' }],
    ['archive-format', { 'archive-format': 'rar' }],
    ['asset-name-template', { 'asset-name-template': '../ktctl_{os}_{arch}' }],
    ['asset-name-template', { 'asset-name-template': 'ktctl_{version}' }],
    ['asset-name-template', { 'asset-name-template': 'ktctl_{nope}_{os}_{arch}' }],
    ['go-version', { 'go-version': 'go1.19' }],
    ['go-version', { 'go-version': 'latest' }],
    ['go-sha256', { 'go-sha256': 'abc' }],
    ['upx', { upx: 'yes' }],
    ['upx-version', { 'upx-version': 'v4.2.4' }],
    ['upx-args', { 'upx-args': '-9 ; rm -rf /' }],
    ['upx-args', { 'upx-args': '-o /tmp/x' }],
    ['wintun-url', { 'wintun-url': 'ftp://example.invalid/w.zip' }],
    ['go-download-base-url', { 'go-download-base-url': 'not a url' }],
    ['kt-connect-repository', { 'kt-connect-repository': 'ext::sh -c touch% /tmp/pwned' }],
    ['kt-connect-repository', { 'kt-connect-repository': '--upload-pack=touch /tmp/x' }],
    ['kt-connect-version', { 'kt-connect-version': '$(id)' }],
    ['kt-connect-version', { 'kt-connect-version': '-v0.3.7' }],
    ['kt-connect-version', { 'kt-connect-version': 'v0.3.7\nmain' }],
    ['version', { version: '0.3.7 -X main.x=y' }],
    ['output-dir', { 'output-dir': '.' }],
    ['output-dir', { 'output-dir': '../..' }],
    ['output-dir', { 'output-dir': 'dist/../../elsewhere' }],
    ['output-dir', { 'output-dir': '/abs/out' }],
    ['output-dir', { 'output-dir': '/wx/out' }],
    ['max-parallel', { 'max-parallel': '0' }],
    ['strict', { strict: 'maybe' }],
  ];
  for (const [input, values] of bad) {
    test(`refuses ${input}=${JSON.stringify(Object.values(values)[0])}`, () => {
      assert.throws(
        () => parseBuildInputs(reader(values), context, 2),
        (error: unknown) => error instanceof InputError && error.input === input && error.message.startsWith(`Input '${input}': `),
      );
    });
  }
});

describe('parseRepository', () => {
  test('owner/name follows the server', () => {
    assert.equal(parseRepository('alibaba/kt-connect', 'https://ghes.example/'), 'https://ghes.example/alibaba/kt-connect.git');
  });
  test('mirrors in every transport', () => {
    for (const url of ['https://git.example/kt.git', 'ssh://git@git.example/kt.git', 'git@git.example:org/kt.git', 'file:///srv/kt']) {
      assert.equal(parseRepository(url, 'https://github.com'), url);
    }
  });
});

describe('parseUpxArgs', () => {
  test('splits on white space without a shell', () => {
    assert.deepEqual(parseUpxArgs(' -9\t--lzma\n'), ['-9', '--lzma']);
  });
});

describe('decodeConfig', () => {
  const yaml = 'apiVersion: v1\nkind: Config\n';
  test('raw YAML byte for byte', () => assert.equal(decodeConfig('kubeconfig', yaml), yaml));
  test('base64, also wrapped', () => {
    const encoded = Buffer.from(yaml).toString('base64');
    assert.equal(decodeConfig('kubeconfig', encoded), yaml);
    assert.equal(decodeConfig('kubeconfig', `${encoded.slice(0, 8)}\n${encoded.slice(8)}\n`), yaml);
  });
  test('upstream keeps the placeholder', () => {
    assert.equal(decodeConfig('kubeconfig', 'upstream'), undefined);
    assert.equal(decodeConfig('kt-config', ' upstream\n'), undefined);
  });
  test('empty or white space fails, naming the input and the secret that may be missing', () => {
    for (const [name, value] of [
      ['kubeconfig', ''],
      ['kt-config', '  \n\t'],
    ] as const) {
      assert.throws(
        () => decodeConfig(name, value),
        (error: unknown) =>
          error instanceof InputError &&
          error.message.startsWith(`Input '${name}': is empty`) &&
          error.message.includes('missing or misspelled') &&
          error.message.includes('upstream'),
      );
    }
  });
  test('base64 of binary is refused', () => {
    assert.throws(() => decodeConfig('kt-config', Buffer.from([0, 255, 254, 1]).toString('base64')), /Input 'kt-config'/);
  });
});

describe('parseUpxChoice', () => {
  test('true and false as before; a list packs only those OSes, in a fixed order', () => {
    assert.deepEqual(parseUpxChoice('true'), { enabled: true, oses: undefined });
    assert.deepEqual(parseUpxChoice('FALSE'), { enabled: false, oses: undefined });
    assert.deepEqual(parseUpxChoice('linux'), { enabled: true, oses: ['linux'] });
    assert.deepEqual(parseUpxChoice(' windows, Linux linux'), { enabled: true, oses: ['linux', 'windows'] });
  });
  test('anything else names the input and the choices', () => {
    assert.throws(() => parseUpxChoice('linux,freebsd'), /^InputError: Input 'upx': 'freebsd' is neither true, false nor an OS/);
    assert.throws(() => parseUpxChoice(' , '), /^InputError: Input 'upx': names no OS/);
  });
});

describe('parseMinCredentialDays', () => {
  test('whole days', () => {
    assert.equal(parseMinCredentialDays('30'), 30);
    assert.equal(parseMinCredentialDays('0'), 0);
    assert.throws(() => parseMinCredentialDays('-1'), /Input 'min-credential-days'/);
    assert.throws(() => parseMinCredentialDays('2.5'), /Input 'min-credential-days'/);
  });
});
