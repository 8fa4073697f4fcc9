// The SBOM mapping (src/package/sbom.ts): an SPDX 2.3 document, held to the official SPDX 2.3 JSON
// schema and to the spec's rules the schema cannot state (support/spdx.ts).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { downloadLocationOf, goPurl, h1ToHex, sbomDocument, sbomNameFor, type SbomInput } from '../../src/package/sbom.js';
import { parseGoVersionM } from '../../src/verify/build-info.js';
import { spdxSchemaErrors, spdxViolations } from '../support/spdx.js';

const info = (arch: string, extra: string[] = []): ReturnType<typeof parseGoVersionM> =>
  parseGoVersionM(
    [
      'ktctl: go1.19.8',
      '\tpath\tgithub.com/alibaba/kt-connect/cmd/ktctl',
      '\tmod\tgithub.com/alibaba/kt-connect\t(devel)\t',
      '\tdep\tgithub.com/spf13/cobra\tv1.4.0\th1:y+wJpx64xcgO1V+RcnwW0LEHxTKRi2ZDPSBjWnrg88Q=',
      ...extra,
      '\tbuild\tGOOS=linux',
      `\tbuild\tGOARCH=${arch}`,
    ].join('\n'),
  );

const INPUT: SbomInput = {
  version: '0.3.7',
  upstream: { tag: 'v0.3.7', commit: 'f064f771aa7ba03a0e6bc92f712306e9bcd8a6f5' },
  upstreamUrl: 'https://user:secret-token@git.example.com/mirror/kt-connect.git',
  module: 'github.com/alibaba/kt-connect',
  goVersion: '1.19.8',
  actionVersion: '1.0.0',
  created: new Date('2026-11-28T04:00:00.123Z'),
  targets: [
    { target: { os: 'linux', arch: 'amd64' }, archiveName: 'ktctl_0.3.7_Linux_x86_64.tar.gz', archiveSha256: 'a'.repeat(64), buildInfo: info('amd64') },
    {
      target: { os: 'linux', arch: 'arm64' },
      archiveName: 'ktctl_0.3.7_Linux_arm_64.tar.gz',
      archiveSha256: 'b'.repeat(64),
      buildInfo: info('arm64', ['\tdep\tgolang.org/x/sys\tv0.0.0-20220405210540-1e041c57c461\th1:kHVeDEnfKn3T238CvrUcz6KeEsFHVaKh4kMTt6Wsysg=']),
    },
  ],
};

test("the document is valid SPDX 2.3: the official JSON schema and the spec's other rules", () => {
  assert.deepEqual(spdxSchemaErrors(sbomDocument(INPUT)), []);
  assert.deepEqual(spdxViolations(sbomDocument(INPUT)), []);
  assert.equal(sbomNameFor('0.3.7'), 'ktctl_0.3.7_sbom.spdx.json');
});

test('the validator catches what the schema would refuse', () => {
  const doc = JSON.parse(JSON.stringify(sbomDocument(INPUT))) as Record<string, unknown> & {
    packages: Array<Record<string, unknown>>;
    relationships: Array<Record<string, unknown>>;
  };
  doc['spdxVersion'] = 'SPDX-2.2';
  doc.packages[0]!['SPDXID'] = 'SPDXRef-bad_id';
  doc.packages[2]!['checksums'] = [{ algorithm: 'SHA256', checksumValue: 'abc' }];
  doc.relationships[0]!['relatedSpdxElement'] = 'SPDXRef-nothing';
  const errors = spdxViolations(doc);
  for (const expected of ['spdxVersion is SPDX-2.3', 'packages[0].SPDXID matches', 'packages[2].checksums', 'relationships[0].relatedSpdxElement']) {
    assert.ok(
      errors.some((e) => e.startsWith(expected)),
      expected,
    );
  }
});

test('the schema check is not vacuous: it refuses a document the SPDX 2.3 schema refuses', () => {
  const doc = JSON.parse(JSON.stringify(sbomDocument(INPUT))) as Record<string, unknown> & { packages: Array<Record<string, unknown>> };
  delete doc['dataLicense'];
  doc.packages[1]!['checksums'] = [{ algorithm: 'SHA-256', checksumValue: 'a'.repeat(64) }];
  doc.packages[2]!['primaryPackagePurpose'] = 'BINARY';
  delete doc.packages[3]!['downloadLocation'];
  const errors = spdxSchemaErrors(doc);
  for (const expected of [
    "/: must have required property 'dataLicense'",
    '/packages/1/checksums/0/algorithm: must be equal to one of the allowed values',
    '/packages/2/primaryPackagePurpose: must be equal to one of the allowed values',
    "/packages/3: must have required property 'downloadLocation'",
  ]) {
    assert.ok(errors.includes(expected), `${expected} in ${errors.join('; ')}`);
  }
});

test('per target: the modules compiled in, Go, and the upstream tag and commit; a module shared by targets is listed once', () => {
  const doc = sbomDocument(INPUT);
  const byId = new Map(doc.packages.map((p) => [p.SPDXID, p]));
  const dependsOn = (name: string): string[] => {
    const binary = doc.packages.find((p) => p.name === name)!;
    return doc.relationships
      .filter((r) => r.spdxElementId === binary.SPDXID && r.relationshipType === 'DEPENDS_ON')
      .map((r) => `${byId.get(r.relatedSpdxElement)!.name}@${byId.get(r.relatedSpdxElement)!.versionInfo}`);
  };
  assert.deepEqual(dependsOn('ktctl linux/amd64'), ['github.com/spf13/cobra@v1.4.0']);
  assert.deepEqual(dependsOn('ktctl linux/arm64'), ['github.com/spf13/cobra@v1.4.0', 'golang.org/x/sys@v0.0.0-20220405210540-1e041c57c461']);
  assert.equal(doc.packages.filter((p) => p.name === 'github.com/spf13/cobra').length, 1);
  const cobra = doc.packages.find((p) => p.name === 'github.com/spf13/cobra')!;
  assert.equal(cobra.checksums?.[0]?.checksumValue, Buffer.from('y+wJpx64xcgO1V+RcnwW0LEHxTKRi2ZDPSBjWnrg88Q=', 'base64').toString('hex'));
  assert.equal(cobra.externalRefs?.[0]?.referenceLocator, 'pkg:golang/github.com/spf13/cobra@v1.4.0');
  const go = byId.get('SPDXRef-Package-go')!;
  assert.equal(go.versionInfo, 'go1.19.8');
  const source = byId.get('SPDXRef-Package-kt-connect-source')!;
  assert.equal(source.versionInfo, 'v0.3.7');
  assert.ok(source.sourceInfo?.includes(INPUT.upstream.commit));
  const amd64 = doc.packages.find((p) => p.name === 'ktctl linux/amd64')!;
  assert.equal(amd64.checksums?.[0]?.checksumValue, 'a'.repeat(64));
  assert.ok(doc.relationships.some((r) => r.spdxElementId === go.SPDXID && r.relationshipType === 'BUILD_TOOL_OF' && r.relatedSpdxElement === amd64.SPDXID));
  assert.ok(
    doc.relationships.some((r) => r.spdxElementId === amd64.SPDXID && r.relationshipType === 'GENERATED_FROM' && r.relatedSpdxElement === source.SPDXID),
  );
  assert.equal(doc.creationInfo.created, '2026-11-28T04:00:00Z');
});

test('a token in the repository URL never reaches the document; local paths are NOASSERTION', () => {
  const text = JSON.stringify(sbomDocument(INPUT));
  assert.ok(!text.includes('secret-token'));
  assert.ok(!text.includes('user:'));
  assert.equal(downloadLocationOf(INPUT.upstreamUrl, 'c0ffee'), 'git+https://git.example.com/mirror/kt-connect.git@c0ffee');
  assert.equal(downloadLocationOf('file:///srv/kt-connect', 'c0ffee'), 'NOASSERTION');
});

test('the same build gives the same namespace; another build another', () => {
  const again = sbomDocument({ ...INPUT, created: new Date() });
  assert.equal(again.documentNamespace, sbomDocument(INPUT).documentNamespace);
  const other = sbomDocument({ ...INPUT, targets: [{ ...INPUT.targets[0]!, archiveSha256: 'c'.repeat(64) }] });
  assert.notEqual(other.documentNamespace, again.documentNamespace);
});

test('h1 hashes and purls', () => {
  assert.equal(h1ToHex('h1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA='), '0'.repeat(64));
  assert.equal(h1ToHex('h1:short='), undefined);
  assert.equal(h1ToHex(undefined), undefined);
  assert.equal(goPurl('k8s.io/client-go', 'v0.23.5'), 'pkg:golang/k8s.io/client-go@v0.23.5');
});
