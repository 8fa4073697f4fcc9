// Holds a document to SPDX 2.3 twice:
// - spdxSchemaErrors: the official SPDX 2.3 JSON schema (fixtures/spdx-schema-2.3.json), with Ajv;
// - spdxViolations: what the schema cannot say (spec 2.3, clauses 6-7 and 11): SPDXID and
//   checksum shapes, unique ids, and every relationship pointing at an element that exists.
//
// The schema file is spdx-spec's `schemas/spdx-schema.json` of SPDX 2.3 (`$id`
// http://spdx.org/rdf/terms/2.3), as anchore/syft v1.57.2 ships it at
// `schema/spdx-json/spdx-schema-2.3.json` (taken from the Go module proxy: no npm package ships
// it, and spdx-spec itself cannot be fetched here). Its SHA-256 is pinned below, so an edit to
// it fails the test instead of loosening it.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv } from 'ajv';

export const SPDX_SCHEMA_FILE = path.resolve('__tests__/fixtures/spdx-schema-2.3.json');
export const SPDX_SCHEMA_SHA256 = 'c2e139546ef93597d3b1214d1d452369d0b536af6c6d6500dbd25c582034aa7c';

let validate: ReturnType<Ajv['compile']> | undefined;

/** The schema's complaints about `value` (`/packages/3/checksums/0: must have required property 'algorithm'`); [] when it is valid. */
export function spdxSchemaErrors(value: unknown): string[] {
  if (validate === undefined) {
    const text = readFileSync(SPDX_SCHEMA_FILE);
    const sha256 = createHash('sha256').update(text).digest('hex');
    if (sha256 !== SPDX_SCHEMA_SHA256) throw new Error(`${SPDX_SCHEMA_FILE} is not the pinned SPDX 2.3 schema (sha256 ${sha256})`);
    // allErrors: every problem at once; Ajv's strict mode stays on (the schema passes it)
    validate = new Ajv({ allErrors: true }).compile(JSON.parse(text.toString('utf8')) as object);
  }
  if (validate(value)) return [];
  return (validate.errors ?? []).map((error) => `${error.instancePath || '/'}: ${error.message ?? error.keyword}`);
}

const RELATIONSHIP_TYPES = new Set([
  'DESCRIBES',
  'DESCRIBED_BY',
  'CONTAINS',
  'CONTAINED_BY',
  'DEPENDS_ON',
  'DEPENDENCY_OF',
  'DEPENDENCY_MANIFEST_OF',
  'BUILD_DEPENDENCY_OF',
  'DEV_DEPENDENCY_OF',
  'OPTIONAL_DEPENDENCY_OF',
  'PROVIDED_DEPENDENCY_OF',
  'TEST_DEPENDENCY_OF',
  'RUNTIME_DEPENDENCY_OF',
  'EXAMPLE_OF',
  'GENERATES',
  'GENERATED_FROM',
  'ANCESTOR_OF',
  'DESCENDANT_OF',
  'VARIANT_OF',
  'DISTRIBUTION_ARTIFACT',
  'PATCH_FOR',
  'PATCH_APPLIED',
  'COPY_OF',
  'FILE_ADDED',
  'FILE_DELETED',
  'FILE_MODIFIED',
  'EXPANDED_FROM_ARCHIVE',
  'DYNAMIC_LINK',
  'STATIC_LINK',
  'DATA_FILE_OF',
  'TEST_CASE_OF',
  'BUILD_TOOL_OF',
  'DEV_TOOL_OF',
  'TEST_OF',
  'TEST_TOOL_OF',
  'DOCUMENTATION_OF',
  'OPTIONAL_COMPONENT_OF',
  'METAFILE_OF',
  'PACKAGE_OF',
  'AMENDS',
  'PREREQUISITE_FOR',
  'HAS_PREREQUISITE',
  'REQUIREMENT_DESCRIPTION_FOR',
  'SPECIFICATION_FOR',
  'OTHER',
]);
const PURPOSES = new Set([
  'APPLICATION',
  'FRAMEWORK',
  'LIBRARY',
  'CONTAINER',
  'OPERATING-SYSTEM',
  'DEVICE',
  'FIRMWARE',
  'SOURCE',
  'ARCHIVE',
  'FILE',
  'INSTALL',
  'OTHER',
]);
const HEX_LENGTH: Record<string, number> = { SHA1: 40, SHA224: 56, SHA256: 64, SHA384: 96, SHA512: 128, MD5: 32 };
const ID = /^SPDXRef-[A-Za-z0-9.-]+$/;

/** Every rule the document breaks; [] when it is a valid SPDX 2.3 document. */
export function spdxViolations(value: unknown): string[] {
  const errors: string[] = [];
  const doc = value as Record<string, unknown>;
  const need = (cond: boolean, what: string): void => void (cond || errors.push(what));
  need(typeof doc === 'object' && doc !== null && !Array.isArray(doc), 'the document is an object');
  if (errors.length > 0) return errors;
  need(doc['spdxVersion'] === 'SPDX-2.3', 'spdxVersion is SPDX-2.3');
  need(doc['dataLicense'] === 'CC0-1.0', 'dataLicense is CC0-1.0');
  need(doc['SPDXID'] === 'SPDXRef-DOCUMENT', 'SPDXID is SPDXRef-DOCUMENT');
  need(typeof doc['name'] === 'string' && doc['name'] !== '', 'name is a string');
  let namespaceOk: boolean;
  try {
    const url = new URL(String(doc['documentNamespace']));
    namespaceOk = url.hash === '' && /^https?:$/.test(url.protocol);
  } catch {
    namespaceOk = false;
  }
  need(namespaceOk, 'documentNamespace is an absolute URI without #');
  const info = doc['creationInfo'] as Record<string, unknown> | undefined;
  need(typeof info === 'object' && info !== null, 'creationInfo is an object');
  need(
    typeof info?.['created'] === 'string' && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/.test(info['created'] as string),
    'creationInfo.created is YYYY-MM-DDThh:mm:ssZ',
  );
  const creators = info?.['creators'];
  need(
    Array.isArray(creators) && creators.length > 0 && creators.every((c) => typeof c === 'string' && /^(Tool|Organization|Person): .+/.test(c)),
    'creationInfo.creators are Tool:/Organization:/Person: strings',
  );

  const ids = new Set<string>(['SPDXRef-DOCUMENT']);
  const packages = doc['packages'];
  need(Array.isArray(packages), 'packages is an array');
  for (const [index, raw] of (Array.isArray(packages) ? packages : []).entries()) {
    const pkg = raw as Record<string, unknown>;
    const where = `packages[${index}]`;
    const id = pkg['SPDXID'];
    need(typeof id === 'string' && ID.test(id), `${where}.SPDXID matches SPDXRef-[A-Za-z0-9.-]+`);
    need(typeof id !== 'string' || !ids.has(id), `${where}.SPDXID is unique`);
    if (typeof id === 'string') ids.add(id);
    need(typeof pkg['name'] === 'string' && pkg['name'] !== '', `${where}.name is a string`);
    const location = pkg['downloadLocation'];
    need(
      typeof location === 'string' && (location === 'NONE' || location === 'NOASSERTION' || /^[a-z+]+:\/\/|^git\+/.test(location)),
      `${where}.downloadLocation is NONE, NOASSERTION or a location`,
    );
    need(pkg['filesAnalyzed'] === undefined || typeof pkg['filesAnalyzed'] === 'boolean', `${where}.filesAnalyzed is a boolean`);
    if (pkg['filesAnalyzed'] === true) need(pkg['packageVerificationCode'] !== undefined, `${where} has packageVerificationCode as filesAnalyzed is true`);
    if (pkg['versionInfo'] !== undefined) need(typeof pkg['versionInfo'] === 'string', `${where}.versionInfo is a string`);
    if (pkg['primaryPackagePurpose'] !== undefined)
      need(PURPOSES.has(String(pkg['primaryPackagePurpose'])), `${where}.primaryPackagePurpose is one of the 2.3 purposes`);
    for (const checksum of (pkg['checksums'] as Array<Record<string, unknown>> | undefined) ?? []) {
      const length = HEX_LENGTH[String(checksum['algorithm'])];
      need(
        length !== undefined && typeof checksum['checksumValue'] === 'string' && new RegExp(`^[0-9a-f]{${length}}$`).test(checksum['checksumValue'] as string),
        `${where}.checksums hold lowercase hex of their algorithm's length`,
      );
    }
    for (const ref of (pkg['externalRefs'] as Array<Record<string, unknown>> | undefined) ?? []) {
      need(
        ['SECURITY', 'PACKAGE-MANAGER', 'PERSISTENT-ID', 'OTHER'].includes(String(ref['referenceCategory'])),
        `${where}.externalRefs category is a 2.3 category`,
      );
      need(
        typeof ref['referenceType'] === 'string' && typeof ref['referenceLocator'] === 'string' && !/\s/.test(ref['referenceLocator'] as string),
        `${where}.externalRefs have a type and a locator without spaces`,
      );
      if (ref['referenceType'] === 'purl') need(/^pkg:[a-z]+\/.+@.+/.test(String(ref['referenceLocator'])), `${where} purl is pkg:type/name@version`);
    }
  }
  const relationships = doc['relationships'];
  need(Array.isArray(relationships), 'relationships is an array');
  let describes = 0;
  for (const [index, raw] of (Array.isArray(relationships) ? relationships : []).entries()) {
    const rel = raw as Record<string, unknown>;
    const where = `relationships[${index}]`;
    need(ids.has(String(rel['spdxElementId'])), `${where}.spdxElementId names an element of the document`);
    need(ids.has(String(rel['relatedSpdxElement'])), `${where}.relatedSpdxElement names an element of the document`);
    need(RELATIONSHIP_TYPES.has(String(rel['relationshipType'])), `${where}.relationshipType is a 2.3 type`);
    if (rel['spdxElementId'] === 'SPDXRef-DOCUMENT' && rel['relationshipType'] === 'DESCRIBES') describes++;
  }
  need(describes > 0 || (Array.isArray(doc['documentDescribes']) && doc['documentDescribes'].length > 0), 'the document DESCRIBES at least one package');
  return errors;
}
