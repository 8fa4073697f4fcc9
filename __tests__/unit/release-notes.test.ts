// Release notes (src/release-notes.ts): what is embedded by name only, and per OS how to
// download, verify and install.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { checkConfigs } from '../../src/inputs/config-checks.js';
import { consoleLog } from '../../src/shared/log.js';
import { releaseNotes, shownName, type ReleaseNotesInput } from '../../src/publish/release-notes.js';

const KUBECONFIG = readFileSync(path.resolve('__tests__/fixtures/kubeconfig.yaml'), 'utf8');
const KT_CONFIG = readFileSync(path.resolve('__tests__/fixtures/kt-config.yaml'), 'utf8');
/** Both configs as the input checks read them: what the notes are made from. */
const SUMMARY = checkConfigs(
  { configs: { kubeconfig: KUBECONFIG, ktConfig: KT_CONFIG }, strict: false, minCredentialDays: 0 },
  consoleLog(() => undefined),
);

const INPUT: ReleaseNotesInput = {
  version: '0.3.7',
  upstream: { tag: 'v0.3.7', commit: 'f064f771aa7ba03a0e6bc92f712306e9bcd8a6f5' },
  goVersion: '1.19.8',
  archives: [
    { name: 'ktctl_0.3.7_Linux_x86_64.tar.gz', os: 'linux', arch: 'amd64' },
    { name: 'ktctl_0.3.7_MacOS_arm_64.tar.gz', os: 'darwin', arch: 'arm64' },
    { name: 'ktctl_0.3.7_Windows_x86_64.zip', os: 'windows', arch: 'amd64' },
  ],
  checksumsName: 'ktctl_0.3.7_checksums.txt',
  sbomName: 'ktctl_0.3.7_sbom.spdx.json',
  tag: 'ktctl-v0.3.7',
  repository: 'acme/ktctl',
  ktConfigKeys: [...SUMMARY.ktSettings.keys()],
  kube: SUMMARY.kube,
  attested: true,
};

test('the notes name the upstream tag and commit, Go, targets, the kt config keys and the context, never a value', () => {
  const notes = releaseNotes(INPUT);
  for (const text of [
    'kt-connect v0.3.7',
    INPUT.upstream.commit,
    'Go 1.19.8',
    'linux/amd64, darwin/arm64, windows/amd64',
    '`global.image`',
    '`mesh.router-image`',
    'context `test-context`',
    'namespace `default`',
  ]) {
    assert.ok(notes.includes(text), text);
  }
  const values = KT_CONFIG.split('\n').flatMap((line) => /^\s+[a-z-]+:\s*(.+)$/.exec(line)?.[1] ?? []);
  assert.equal(values.filter((value) => notes.includes(value)).length, 0, 'no kt config value');
  for (const secret of ['fixture-token', '127.0.0.1:6443', 'certificate-authority-data', 'test-user'])
    assert.ok(!notes.includes(secret), 'no kubeconfig content but the context');
});

test('per OS: gh release download with a token hint, the checksum check, provenance, install', () => {
  const notes = releaseNotes(INPUT);
  assert.match(notes, /gh auth login/);
  assert.match(notes, /GH_TOKEN/);
  assert.ok(
    notes.includes("gh release download ktctl-v0.3.7 --repo acme/ktctl --pattern 'ktctl_0.3.7_Linux_x86_64.tar.gz' --pattern 'ktctl_0.3.7_checksums.txt'"),
  );
  assert.ok(notes.includes("grep '  ktctl_0.3.7_Linux_x86_64.tar.gz$' ktctl_0.3.7_checksums.txt | sha256sum -c"));
  assert.ok(notes.includes("grep '  ktctl_0.3.7_MacOS_arm_64.tar.gz$' ktctl_0.3.7_checksums.txt | shasum -a 256 -c"));
  assert.ok(notes.includes('(Get-FileHash ktctl_0.3.7_Windows_x86_64.zip -Algorithm SHA256)'));
  assert.ok(notes.includes('gh attestation verify ktctl_0.3.7_Linux_x86_64.tar.gz --repo acme/ktctl'));
  assert.ok(notes.includes('wintun.dll'));
  assert.ok(notes.includes('ktctl_0.3.7_sbom.spdx.json'));
  assert.ok(notes.includes('`ktctl version 0.3.7`'));
});

test('gh attestation verify only when the workflow attests the release', () => {
  const attested = releaseNotes(INPUT);
  assert.ok(attested.includes('gh attestation verify ktctl_0.3.7_Linux_x86_64.tar.gz --repo acme/ktctl'));
  assert.match(attested, /attest-build-provenance/);
  const plain = releaseNotes({ ...INPUT, attested: false });
  assert.ok(!plain.includes('attestation'), 'no attestation line');
  assert.ok(!plain.includes('Provenance'), 'no provenance paragraph');
  // everything else stays: the checksum checks are the verification that always works
  assert.ok(plain.includes("grep '  ktctl_0.3.7_Linux_x86_64.tar.gz$' ktctl_0.3.7_checksums.txt | sha256sum -c"));
  assert.equal(plain, attested.replace(/Provenance: [^\n]*\n\n```sh\ngh attestation verify [^\n]*\n```\n\n/, ''));
});

test('without configs, or in a publish job that does not know them, the notes say so', () => {
  const placeholders = checkConfigs(
    { configs: { kubeconfig: undefined, ktConfig: undefined }, strict: false },
    consoleLog(() => undefined),
  );
  const none = releaseNotes({ ...INPUT, ktConfigKeys: [...placeholders.ktSettings.keys()], kube: placeholders.kube });
  assert.match(none, /Kubeconfig: none/);
  assert.match(none, /kt config: none/);
  const unknown = releaseNotes({ ...INPUT, ktConfigKeys: undefined, kube: undefined, sbomName: undefined });
  assert.match(unknown, /see the build jobs/);
  assert.ok(!unknown.includes('SBOM'));
});

test('a context name cannot break out of its code span or the page', () => {
  assert.equal(shownName('a`b\nc'), "a'b?c");
  assert.equal(shownName('x'.repeat(150)).length, 103);
  const kubeconfig = KUBECONFIG.replace(/\bname: ([\w-]+)\n(\s+)context:\n/, 'name: "prod`x"\n$2context:\n')
    .replace(/current-context: .*/, 'current-context: "prod`x"')
    .replace('namespace: default', 'namespace: team-a');
  const { kube } = checkConfigs(
    { configs: { kubeconfig, ktConfig: undefined }, strict: false, minCredentialDays: 0 },
    consoleLog(() => undefined),
  );
  assert.deepEqual(kube, { embedded: true, context: 'prod`x', namespace: 'team-a' });
  assert.ok(releaseNotes({ ...INPUT, kube }).includes("context `prod'x`, namespace `team-a`"));
});

test('release-body / release-body-file: one of them, within GitHub limit', async () => {
  const { parsePublishInputs } = await import('../../src/publish/inputs.js');
  const { InputError } = await import('../../src/shared/errors.js');
  const env = { GITHUB_REPOSITORY: 'acme/ktctl', GITHUB_SHA: 'c0ffee'.padEnd(40, '0') };
  const read =
    (values: Record<string, string>) =>
    (name: string): string =>
      ({ 'github-token': 'ghs_x', ...values })[name] ?? '';
  assert.equal(parsePublishInputs(read({}), env).releaseBody, undefined);
  assert.deepEqual(parsePublishInputs(read({ 'release-body': 'Hello' }), env).releaseBody, { text: 'Hello' });
  assert.deepEqual(parsePublishInputs(read({ 'release-body-file': ' notes.md ' }), env).releaseBody, { file: 'notes.md' });
  const rejects = (values: Record<string, string>, input: string): void =>
    void assert.throws(
      () => parsePublishInputs(read(values), env),
      (error: unknown) => error instanceof InputError && error.input === input,
    );
  rejects({ 'release-body': 'a', 'release-body-file': 'b.md' }, 'release-body');
  rejects({ 'release-body': 'x'.repeat(125001) }, 'release-body');
});

test('with the installers on the release, the notes start with the one-line install per OS, then the manual way', () => {
  const notes = releaseNotes({ ...INPUT, installers: true, build: '42.2', supersedes: 'build 42.1' });
  assert.ok(notes.startsWith('### Install in one line\n'));
  const sh = notes.indexOf('gh release download ktctl-v0.3.7 -R acme/ktctl -p install.sh -O - | sh');
  const ps = notes.indexOf(
    'gh release download ktctl-v0.3.7 -R acme/ktctl -p install.ps1 -D $env:TEMP --clobber; powershell -NoProfile -ExecutionPolicy Bypass -File $env:TEMP\\install.ps1',
  );
  assert.ok(sh > 0 && ps > sh, 'both one-liners');
  assert.ok(ps < notes.indexOf('### Download'), 'before the manual way');
  assert.ok(notes.includes('`--check` only reports (exit status 0: up to date, 10: an update is available)'));
  assert.ok(notes.includes('Build `42.2`'));
  assert.ok(notes.includes('This build supersedes `build 42.1`.'));
  // GitHub Enterprise Server: gh needs the host in -R
  assert.ok(releaseNotes({ ...INPUT, installers: true, serverUrl: 'https://ghe.example.com' }).includes('-R ghe.example.com/acme/ktctl -p install.sh'));
  // without installers (a run that does not publish) the notes do not offer them
  assert.ok(!releaseNotes(INPUT).includes('install.sh'));
});

test('the notes say ktctl connect needs root or Administrator, and the Windows PATH step keeps to the user scope', () => {
  const notes = releaseNotes(INPUT);
  assert.ok(notes.includes('`ktctl connect` needs root on Linux and macOS (`sudo ktctl connect`) and Administrator on Windows'));
  const linuxOnly = releaseNotes({ ...INPUT, archives: [INPUT.archives[0]!] });
  assert.ok(linuxOnly.includes('`ktctl connect` needs root on Linux and macOS (`sudo ktctl connect`): '));
  const pathLines = notes.split('\n').filter((line) => line.includes('SetEnvironmentVariable'));
  assert.equal(pathLines.length, 1);
  assert.ok(!/\$env:Path/i.test(pathLines[0]!), 'the machine PATH is not copied into the user PATH');
  assert.ok(notes.includes("$userPath = [Environment]::GetEnvironmentVariable('Path', 'User')"));
});

test('a rebuild in place brings only the build line of generated notes up to date', async () => {
  const { withCurrentBuild } = await import('../../src/publish/release-notes.js');
  const first = releaseNotes({ ...INPUT, installers: true, build: '7.1' });
  const next = withCurrentBuild(first, '8.1');
  assert.ok(next !== undefined);
  assert.ok(next.includes('Build `8.1`') && next.includes('This build supersedes `build 7.1`.'));
  assert.ok(!next.includes('Build `7.1`'));
  assert.equal(next.split('\n').length, first.split('\n').length, 'one line replaced, nothing else');
  assert.equal(withCurrentBuild(first, '7.1'), undefined, 'the same build: nothing to change');
  assert.equal(withCurrentBuild('Internal build, see the wiki.\nBuilt by us.', '8.1'), undefined, 'a body someone wrote is left alone');
});
