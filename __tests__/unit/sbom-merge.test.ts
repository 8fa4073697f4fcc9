// Reading back an SBOM this action wrote (src/sbom-read.ts) and merging the release's SBOM with
// a job's own (src/sbom-merge.ts): pure logic, tested on documents sbom.ts writes.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sbomDocument, sbomText, type SbomInput } from '../../src/package/sbom.js';
import { mergeSbomInputs } from '../../src/publish/sbom-merge.js';
import { readSbom } from '../../src/publish/sbom-read.js';
import type { GoModule, SbomTarget } from '../../src/model.js';
import { spdxSchemaErrors, spdxViolations } from '../support/spdx.js';

const COBRA: GoModule = { path: 'github.com/spf13/cobra', version: 'v1.4.0', sum: 'h1:y+wJpx64xcgO1V+RcnwW0LEHxTKRi2ZDPSBjWnrg88Q=' };
const SYS: GoModule = { path: 'golang.org/x/sys', version: 'v0.0.0-20220405210540-1e041c57c461', sum: 'h1:kHVeDEnfKn3T238CvrUcz6KeEsFHVaKh4kMTt6Wsysg=' };
const TUN: GoModule = {
  path: 'github.com/xjasonlyu/tun2socks/v2',
  version: 'v2.4.1',
  sum: undefined,
  replacedBy: {
    path: 'github.com/linfan/tun2socks/v2',
    version: 'v2.4.2-0.20220501073000-b3b2d1a8c5a6',
    sum: 'h1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=',
  },
};
const LOCAL: GoModule = {
  path: 'github.com/example/patched',
  version: 'v1.0.0',
  sum: undefined,
  replacedBy: { path: '../patched', version: '', sum: undefined },
};

const target = (os: 'linux' | 'windows' | 'darwin', arch: 'amd64' | 'arm64', sha: string, deps: GoModule[]): SbomTarget => ({
  target: { os, arch },
  archiveName: `ktctl_0.3.7_${os}_${arch}.tar.gz`,
  archiveSha256: sha.repeat(64),
  buildInfo: { deps },
});

const input = (targets: SbomTarget[], overrides: Partial<SbomInput> = {}): SbomInput => ({
  version: '0.3.7',
  upstream: { tag: 'v0.3.7', commit: 'f064f771aa7ba03a0e6bc92f712306e9bcd8a6f5' },
  upstreamUrl: 'https://git.example.com/mirror/kt-connect.git',
  module: 'github.com/alibaba/kt-connect',
  goVersion: '1.19.13',
  actionVersion: '1.2.3',
  created: new Date('2026-11-28T04:00:00Z'),
  targets,
  ...overrides,
});

test('an SBOM reads back into what it was written from: writing it again gives the same bytes', () => {
  for (const doc of [
    input([target('linux', 'amd64', 'a', [COBRA, TUN]), target('linux', 'arm64', 'b', [COBRA, TUN, SYS, LOCAL])]),
    input([target('darwin', 'arm64', 'c', [])], { upstreamUrl: '' }),
    input([target('linux', 'amd64', 'a', [COBRA]), { ...target('windows', 'amd64', 'd', [SYS]), goVersion: '1.19.12' }]),
  ]) {
    const text = sbomText(doc);
    assert.equal(sbomText(readSbom(text, 'test')), text);
  }
});

test('a document that is not one this action wrote is refused, naming it', () => {
  const good = sbomDocument(input([target('linux', 'amd64', 'a', [COBRA])]));
  const cases: Array<[string, unknown]> = [
    ['not JSON', '{'],
    ['another tool', { ...good, creationInfo: { ...good.creationInfo, creators: ['Tool: syft-1.0'] } }],
    ['a binary of no known target', { ...good, packages: good.packages.map((p) => (p.name.startsWith('ktctl ') ? { ...p, name: 'ktctl plan9/amd64' } : p)) }],
    ['an archive name with a path', { ...good, packages: good.packages.map((p) => (p.name.startsWith('ktctl ') ? { ...p, packageFileName: '../x' } : p)) }],
    ['a module with markup', { ...good, packages: good.packages.map((p) => (p.primaryPackagePurpose === 'LIBRARY' ? { ...p, name: '<b>x</b>' } : p)) }],
    [
      'a dependency on nothing',
      { ...good, relationships: [...good.relationships, { ...good.relationships[0], relationshipType: 'DEPENDS_ON', relatedSpdxElement: 'SPDXRef-x' }] },
    ],
    [
      'a source URL with credentials',
      {
        ...good,
        packages: good.packages.map((p) => (p.primaryPackagePurpose === 'SOURCE' ? { ...p, downloadLocation: `git+https://u:p@h/r@${'f'.repeat(40)}` } : p)),
      },
    ],
  ];
  for (const [label, value] of cases) {
    assert.throws(
      () => readSbom(typeof value === 'string' ? value : JSON.stringify(value), 'ktctl_0.3.7_sbom.spdx.json on the release'),
      /ktctl_0\.3\.7_sbom\.spdx\.json on the release is not an SBOM this action wrote/,
      label,
    );
  }
});

test('merging: this job’s targets, plus the release’s still on it unchanged; each target once; each Go named', () => {
  const theirs = input([target('linux', 'amd64', 'a', [COBRA]), target('darwin', 'arm64', 'c', [SYS]), target('linux', 'arm64', 'e', [COBRA])], {
    goVersion: '1.19.12',
  });
  const ours = input([target('windows', 'amd64', 'd', [COBRA, TUN]), target('linux', 'arm64', 'f', [COBRA, SYS])]);
  const onRelease = new Map([
    ['ktctl_0.3.7_linux_amd64.tar.gz', 'a'.repeat(64)], // unchanged: kept
    ['ktctl_0.3.7_darwin_arm64.tar.gz', '9'.repeat(64)], // replaced since: its entry would lie
    ['ktctl_0.3.7_linux_arm64.tar.gz', 'e'.repeat(64)], // rebuilt by this job: ours wins
  ]);
  const { input: merged, leftOut } = mergeSbomInputs(ours, theirs, onRelease);
  assert.deepEqual(leftOut, []);
  assert.deepEqual(merged.targets.map((item) => `${item.archiveName} ${item.archiveSha256.slice(0, 1)} ${item.goVersion ?? merged.goVersion}`).sort(), [
    'ktctl_0.3.7_linux_amd64.tar.gz a 1.19.12',
    'ktctl_0.3.7_linux_arm64.tar.gz f 1.19.13',
    'ktctl_0.3.7_windows_amd64.tar.gz d 1.19.13',
  ]);
  const doc = sbomDocument(merged);
  assert.deepEqual(spdxSchemaErrors(doc), []);
  assert.deepEqual(spdxViolations(doc), []);
  const ids = doc.packages.map((p) => p.SPDXID);
  assert.equal(new Set(ids).size, ids.length, 'each SPDXID once');
  const gos = doc.packages.filter((p) => p.name === 'go').map((p) => p.versionInfo);
  assert.deepEqual(gos.sort(), ['go1.19.12', 'go1.19.13'], 'both Go toolchains are named');
  const builtBy = (binary: string): string | undefined => {
    const id = doc.relationships.find((r) => r.relationshipType === 'BUILD_TOOL_OF' && r.relatedSpdxElement === binary)?.spdxElementId;
    return doc.packages.find((p) => p.SPDXID === id)?.versionInfo;
  };
  assert.equal(builtBy('SPDXRef-Package-ktctl-linux-amd64'), 'go1.19.12');
  assert.equal(builtBy('SPDXRef-Package-ktctl-windows-amd64'), 'go1.19.13');

  // another commit: the release's targets cannot be in this document; they are named, not kept
  const moved = mergeSbomInputs(ours, { ...theirs, upstream: { tag: 'v0.3.7', commit: '1'.repeat(40) } }, onRelease);
  assert.deepEqual(moved.leftOut, ['ktctl_0.3.7_linux_amd64.tar.gz']);
  assert.equal(moved.input.targets.length, 2);
});
