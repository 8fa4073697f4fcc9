// The manifest a `mode: build` job writes beside its archives, and the checks `mode: publish`
// makes on it. Artifacts are input from outside (any job of the workflow, or anyone who can write
// one) and decide file names on disk and on the release, so the whole manifest is validated
// before anything is written anywhere: names, sizes, hashes, fingerprint, checksums name.
import { BUILD_INFO_NAME } from '../release-files.js';
import type { Asset, UpstreamRelease } from '../model.js';
import { SUPPORTED_TARGETS } from '../targets.js';
import { TEMP_PREFIX } from './request.js';

/** Written next to the archives and uploaded with them. */
export const MANIFEST_NAME = 'ktctl-build-manifest.json';

export interface BuildManifest {
  readonly generator: 'ktctl-customize';
  readonly schema: 1;
  readonly version: string;
  readonly upstream: UpstreamRelease;
  readonly goVersion: string;
  readonly fingerprint: string;
  readonly checksumsName: string;
  readonly assets: ReadonlyArray<Pick<Asset, 'name' | 'os' | 'arch' | 'size' | 'sha256'>>;
}

const HEX64 = /^[0-9a-f]{64}$/;

/** A name that is one file in one folder, here and on a release: no separators, no '..', no leading dot. */
export function isPlainFileName(name: unknown): name is string {
  return typeof name === 'string' && name.length <= 200 && /^[A-Za-z0-9_+-][A-Za-z0-9._+-]*$/.test(name) && !name.includes('..');
}

/**
 * The manifest of artifact `artifact`, or an error naming the artifact and what is wrong with it.
 * Checks the shape (a manifest this action wrote) and every value that becomes a file name or is
 * trusted later: plain, distinct archive names that are none of the action's own, sizes, hashes,
 * the fingerprint and the checksums file's name.
 */
export function parseManifest(text: string, artifact: string): BuildManifest {
  const fail = (detail: string): never => {
    throw new Error(`mode: publish: ${MANIFEST_NAME} in artifact ${artifact} ${detail}`);
  };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return fail('is not JSON.');
  }
  const manifest = value as Partial<BuildManifest> | null;
  const shaped =
    manifest?.generator === 'ktctl-customize' &&
    manifest.schema === 1 &&
    typeof manifest.version === 'string' &&
    typeof manifest.upstream?.tag === 'string' &&
    typeof manifest.upstream.commit === 'string' &&
    typeof manifest.goVersion === 'string' &&
    typeof manifest.fingerprint === 'string' &&
    typeof manifest.checksumsName === 'string' &&
    Array.isArray(manifest.assets);
  if (!shaped || manifest === null) return fail('is not one this action wrote (or comes from another version of it).');
  const valid = manifest as BuildManifest;
  if (!/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,126}$/.test(valid.version)) fail('gives a version that is not one the action builds.');
  if (!/^([0-9a-f]{40}|[0-9a-f]{64})$/.test(valid.upstream.commit)) fail('gives an upstream commit that is not a commit id.');
  if (!HEX64.test(valid.fingerprint)) fail('gives a fingerprint that is not a SHA-256 (64 hex digits).');
  const reserved = (name: string): boolean => name === BUILD_INFO_NAME || name === MANIFEST_NAME || name.startsWith(TEMP_PREFIX);
  if (!isPlainFileName(valid.checksumsName) || reserved(valid.checksumsName)) {
    fail('names the checksums file with something that is not a plain file name of its own.');
  }
  if (valid.assets.length === 0) fail('lists no archives.');
  const names = new Set<string>();
  valid.assets.forEach((asset: unknown, index) => {
    const entry = asset as Partial<BuildManifest['assets'][number]> | null;
    const where = `archive ${index + 1}`;
    if (!isPlainFileName(entry?.name)) return fail(`names ${where} with something that is not a plain file name (no path separators, no '..').`);
    const name = entry.name;
    if (reserved(name) || name === valid.checksumsName) return fail(`names ${where} ${name}, a name the action uses itself.`);
    if (names.has(name)) return fail(`lists ${name} twice.`);
    names.add(name);
    if (typeof entry.size !== 'number' || !Number.isSafeInteger(entry.size) || entry.size <= 0)
      fail(`gives ${name} a size that is not a positive whole number.`);
    if (typeof entry.sha256 !== 'string' || !HEX64.test(entry.sha256)) fail(`gives ${name} a SHA-256 that is not 64 lowercase hex digits.`);
    if (!SUPPORTED_TARGETS.some((target) => target.os === entry.os && target.arch === entry.arch)) fail(`gives ${name} a target the action does not build.`);
  });
  return valid;
}
