// The pure parts behind issue 17's release-text classes: the published-text guard and its
// matcher, reserved names and the name template, the body file's resolution, manifest field
// shapes, Markdown and shell escaping in the notes, and go.mod's `go` line.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { InputError } from '../../src/shared/errors.js';
import { checkNameTemplate, planBuild } from '../../src/plan/plan.js';
import { isGitTagName } from '../../src/publish/inputs.js';
import { GO_VERSION } from '../../src/publish/manifest.js';
import { isReservedName } from '../../src/publish/request.js';
import { FragmentMatcher, PublishedTextGuard } from '../../src/shared/published-text.js';
import { markdownText, releaseNotes, shellWord } from '../../src/publish/release-notes.js';
import { reservedNameKind } from '../../src/shared/reserved-names.js';
import { goSpecFor } from '../../src/toolchain/go-release.js';
import { parseGoDirective } from '../../src/shared/upstream.js';
import { readWorkspaceFile, resolveWorkspaceFile } from '../../src/inputs/workspace-file.js';

const KUBECONFIG = `apiVersion: v1
kind: Config
clusters:
  - name: prod-cluster
    cluster:
      server: https://10.0.0.1:6443
users:
  - name: deployer
    user:
      token: "sEcReT-0123456789abcdef"
contexts:
  - name: prod-context
    context: {cluster: prod-cluster, user: deployer, namespace: team-alpha}
current-context: prod-context
`;

test('the matcher finds exactly what a naive search finds, on many random texts', () => {
  let seed = 7;
  const random = (n: number): number => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed % n;
  };
  const word = (length: number): string => Array.from({ length }, () => 'abc'[random(3)]).join('');
  for (let round = 0; round < 500; round++) {
    const fragments = Array.from({ length: 1 + random(6) }, () => word(1 + random(5)));
    const text = word(random(40));
    const matcher = new FragmentMatcher(fragments);
    const found = matcher.find(text);
    const any = fragments.some((fragment) => text.includes(fragment));
    assert.equal(found !== -1, any, `${JSON.stringify(fragments)} in ${text}`);
    if (found !== -1) assert.ok(text.includes(fragments[found]!));
  }
  assert.equal(new FragmentMatcher([]).find('anything'), -1);
  assert.equal(new FragmentMatcher(['', 'abc']).find('xxabcxx'), 1);
});

test('the guard refuses a given text holding a config piece or NUL, naming the input and never quoting it', () => {
  const guard = PublishedTextGuard.forConfigs([{ name: 'kubeconfig', text: KUBECONFIG }], ['prod-context', 'team-alpha']);
  const refused = (input: string, text: string): InputError => {
    try {
      guard.checkGiven(input, text);
    } catch (error) {
      assert.ok(error instanceof InputError, String(error));
      return error;
    }
    assert.fail(`${input}: accepted`);
  };
  for (const text of ['Use sEcReT-0123456789abcdef to log in', 'server: https://10.0.0.1:6443', `attached: ${Buffer.from(KUBECONFIG).toString('base64')}`]) {
    const error = refused('release-body', text);
    assert.match(error.message, /'release-body'.*part of the kubeconfig input/);
    assert.ok(!error.message.includes('sEcReT') && !error.message.includes('10.0.0.1'), error.message);
  }
  assert.match(refused('release-body-file', 'notes\0more').message, /NUL/);
  // the context and namespace are shown by the notes on purpose; words that are no config piece pass
  guard.checkGiven('release-body', 'Built for prod-context in team-alpha. See the wiki.');
  assert.throws(() => guard.checkPublished('SBOM', '{"server": "https://10.0.0.1:6443"}'), /The SBOM would hold a part of the kubeconfig input/);
  assert.equal(guard.checkPublished('images list', 'a reg.example/x:v1\n', ['reg.example/x:v1']), 'a reg.example/x:v1\n');
  // a piece allowed in one text is still refused in another
  const kt = PublishedTextGuard.forConfigs([{ name: 'kt-config', text: 'global:\n  image: reg.example.com/kt/shadow:v1\n' }]);
  assert.doesNotThrow(() => kt.checkPublished('images list', 'src reg.example.com/kt/shadow:v1\n', ['reg.example.com/kt/shadow:v1']));
  assert.throws(() => kt.checkPublished('release body', 'see reg.example.com/kt/shadow:v1'), /part of the kt-config input/);
});

test('the guard scans a text of 300,000 characters against a config of 100,000 in one linear pass', () => {
  const config = Array.from({ length: 4000 }, (_, i) => `key${i}: value-${i}-${'x'.repeat(10)}`).join('\n');
  const guard = PublishedTextGuard.forConfigs([{ name: 'kt-config', text: config }]);
  guard.configIn(''); // builds the matcher once (linear in the fragments; see linear.test.ts for both under load)
  for (const text of ['value-1-'.repeat(37_500), 'x'.repeat(300_000), `${'a'.repeat(299_990)}value-3999`]) {
    const started = process.hrtime.bigint();
    guard.configIn(text);
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    // some 30 ms here alone; a search per fragment (8,000 of them) would take minutes
    assert.ok(ms < 5000, `${ms} ms`);
  }
});

test('reserved names: one list, asked by the template check, the request check and manifests', () => {
  for (const name of [
    'ktctl-tmp-lock',
    'KTCTL-TMP-x.zip',
    'build-info.json',
    'images.txt',
    'install.sh',
    'install.ps1',
    'ktctl_1.0_checksums.txt',
    'ktctl_1.0_sbom.spdx.json',
    'ktctl-build-manifest.json',
  ]) {
    assert.notEqual(reservedNameKind(name), undefined, name);
  }
  for (const name of ['ktctl_0.3.7_Linux_x86_64.tar.gz', 'install.sh.zip', 'images.txt.zip']) assert.equal(reservedNameKind(name), undefined, name);
  // the publish request still takes the SBOM and images.txt as its own extra files
  assert.equal(isReservedName('ktctl_0.3.7_sbom.spdx.json', 'ktctl_0.3.7_checksums.txt'), false);
  assert.equal(isReservedName('ktctl-tmp-x', 'ktctl_0.3.7_checksums.txt'), true);

  assert.throws(() => checkNameTemplate('ktctl-tmp-{os}-{arch}'), /'asset-name-template'.*working copy/);
  assert.throws(() => checkNameTemplate('{version}_{os}_{arch}', 'ktctl-tmp-2'), /'asset-name-template'/);
  assert.doesNotThrow(() => checkNameTemplate('{version}_{os}_{arch}'), 'the version is not known yet: planBuild decides');
  assert.doesNotThrow(() => checkNameTemplate('ktctl_{version}_{Os}_{Arch}', '0.3.7'));
  const plan = (template: string, tag: string) =>
    planBuild(
      { version: '', targets: [{ os: 'linux', arch: 'amd64' }], archiveFormat: 'auto', assetNameTemplate: template, upxEnabled: false },
      { tag, commit: 'c'.repeat(40) },
    );
  assert.throws(() => plan('{tag}-{os}-{arch}', 'ktctl-tmp-9'), /'asset-name-template'/);
  assert.equal(plan('{tag}-{os}-{arch}', 'v0.3.7').targets[0]!.archiveName, 'v0.3.7-linux-amd64.tar.gz');
});

test('release-body-file resolves inside the workspace only, through links that stay inside', async (t) => {
  const root = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'ktctl-body-')));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const workspace = path.join(root, 'ws');
  mkdirSync(path.join(workspace, 'docs'), { recursive: true });
  writeFileSync(path.join(workspace, 'docs', 'notes.md'), 'inside\n');
  writeFileSync(path.join(root, 'outside.md'), 'outside\n');
  symlinkSync(path.join(workspace, 'docs'), path.join(workspace, 'linked-docs'));
  symlinkSync(root, path.join(workspace, 'up'));
  const read = (given: string) => readWorkspaceFile('release-body-file', given, workspace, 'RELEASE_NOTES.md', 1000);
  assert.equal(await read('docs/notes.md'), 'inside\n');
  assert.equal(await read(path.join(workspace, 'docs', 'notes.md')), 'inside\n', 'an absolute path inside the workspace');
  assert.equal(await read('linked-docs/notes.md'), 'inside\n', 'a link that stays inside');
  for (const given of [
    '../outside.md',
    path.join(root, 'outside.md'),
    'up/outside.md',
    'up/ws/docs/notes.md',
    '/proc/self/environ',
    'docs',
    'docs/none.md',
    '.',
  ]) {
    await assert.rejects(() => resolveWorkspaceFile('release-body-file', given, workspace, 'RELEASE_NOTES.md'), /'release-body-file'/, given);
  }
});

test('manifest fields have their real shapes: tags as git allows them, Go versions as go.dev writes them', () => {
  for (const tag of ['v0.3.7', 'v0.3.8-beta1', 'release/2026.11', 'v1<b>']) assert.ok(isGitTagName(tag), tag);
  for (const tag of ['', 'v 1', 'a..b', 'x.lock', '-x', 'a/.b', 'a//b', 'a@{1}', 'x~1', 'a:b', 'a\nb', 'a\\b', 'x.', '/x', 'x/'])
    assert.ok(!isGitTagName(tag), tag);
  for (const version of ['go1.19', 'go1.19.13', 'go1.21rc2', '1.19.13', '1.22', '1.21.0-rc.2', 'go1.9beta1']) assert.ok(GO_VERSION.test(version), version);
  for (const version of ['1', 'latest', '1.19.13 ', 'go1.19.13<b>', '01.19', '1.19.x', 'go 1.19']) assert.ok(!GO_VERSION.test(version), version);
});

test('text from outside is escaped in the notes: HTML as entities, Markdown punctuation, the tag quoted in shell commands', () => {
  assert.equal(markdownText('v0.3.7'), 'v0.3.7');
  assert.equal(markdownText('<img src=x>'), '&#60;img src=x&#62;');
  assert.equal(markdownText('[a](b)*c*'), '\\[a\\]\\(b\\)\\*c\\*');
  assert.equal(shellWord('v0.3.7', 'linux'), 'v0.3.7');
  assert.equal(shellWord("v1;touch x'", 'linux'), "'v1;touch x'\\'''");
  assert.equal(shellWord("v1;$(x)'", 'windows'), "'v1;$(x)'''");
  const notes = releaseNotes({
    version: '0.3.7',
    upstream: { tag: 'v0.3.7<script>alert(1)</script>', commit: 'c'.repeat(40) },
    goVersion: '1.19.13',
    archives: [{ name: 'ktctl_0.3.7_Linux_x86_64.tar.gz', os: 'linux', arch: 'amd64' }],
    checksumsName: 'ktctl_0.3.7_checksums.txt',
    sbomName: undefined,
    tag: 'v1;$(curl evil)',
    repository: 'acme/tools',
    ktConfigKeys: undefined,
    kube: undefined,
    attested: false,
  });
  assert.ok(!notes.includes('<script>'), notes);
  assert.ok(notes.includes("gh release download 'v1;$(curl evil)' --repo acme/tools"), notes);
});

test("go.mod's go line: what it asks for and what to do, never a missing line or the empty input blamed", () => {
  assert.equal(parseGoDirective('module x\n\ngo 1.26rc1\n'), '1.26rc1');
  assert.equal(parseGoDirective('module x\n\ngo 1.99\n'), '1.99');
  assert.equal(parseGoDirective('module x\n\ngo 1.22.0 // raised\r\n'), '1.22.0');
  assert.equal(parseGoDirective('module x\n\ntoolchain go1.22.5\n'), undefined);
  assert.throws(() => goSpecFor('', '1.26rc1'), /go\.mod asks for Go 1\.26rc1, a prerelease; .*'go-version'.*1\.26 once it is out/);
  assert.throws(() => goSpecFor('', 'abc'), /go\.mod has the line 'go abc', which names no Go version; set input 'go-version'/);
  assert.throws(() => goSpecFor('', undefined), /no `go` line.*'go-version'/);
  assert.deepEqual(goSpecFor('', '1.99'), { major: 1, minor: 99, patch: undefined });
  assert.deepEqual(goSpecFor('1.19', '1.26rc1'), { major: 1, minor: 19, patch: undefined }, 'the input wins over go.mod');
});
