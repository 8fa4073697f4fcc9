// What a new release of a series says about the one it supersedes, and why it was rebuilt.
//
// The why comes from comparing the build's inputs with those of the superseded release. A
// release this action generates notes for carries them in an HTML comment (invisible on the
// release page), as a digest per kind of input:
//   <!-- ktctl-customize-build {"upstream":"<commit>","credentials":"<hex>",...} -->
// No config text, and no plain hash of a config (a short kt config could be guessed from one):
// the configs enter as one HMAC keyed with the kubeconfig itself, so the digest says only
// "same" or "different". Without a kubeconfig there is no key, and no digest of the configs.
// A release without the comment (a body the user wrote, an older version of the action) gives
// "its inputs changed". Pure: text in, text out.
import { createHash, createHmac } from 'node:crypto';
import { buildSettings, canonicalJson, type FingerprintParts } from './fingerprint.js';

/** One digest per kind of input; absent where the job does not know it (mode: publish knows no configs). */
export interface BuildDigests {
  readonly upstream?: string;
  readonly version?: string;
  readonly credentials?: string;
  readonly patches?: string;
  readonly imageRegistry?: string;
  readonly toolchain?: string;
  readonly action?: string;
}

const KEYS = ['upstream', 'version', 'credentials', 'patches', 'imageRegistry', 'toolchain', 'action'] as const;

const MARKER = '<!-- ktctl-customize-build ';
const MARKER_END = ' -->';
/** A marker longer than this is not ours. */
const MAX_MARKER = 2000;

const sha256 = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

export function buildDigests(parts: FingerprintParts): BuildDigests {
  const toolchain = canonicalJson(buildSettings(parts));
  return {
    upstream: parts.upstreamCommit.trim().toLowerCase(),
    version: parts.version,
    ...(parts.kubeconfig === undefined
      ? {}
      : {
          credentials: createHmac('sha256', parts.kubeconfig)
            .update(`ktctl-customize/credentials/v1\n${parts.ktConfig === undefined ? '-' : sha256(parts.ktConfig)}`)
            .digest('hex'),
        }),
    patches: sha256(canonicalJson((parts.patches ?? []).map((patch) => ({ name: patch.name, sha256: patch.sha256 })))),
    imageRegistry: sha256(parts.imageRegistry ?? ''),
    toolchain: sha256(toolchain),
    action: parts.actionVersion,
  };
}

/** The HTML comment that records the digests in a release body. */
export function digestsMarker(digests: BuildDigests): string {
  const known: Record<string, string> = {};
  for (const key of KEYS) {
    const value = digests[key];
    if (value !== undefined) known[key] = value;
  }
  // JSON of hex digests, a commit and versions: `--` and `>` never occur unescaped in a value
  // that parsed as a version, but a version from a hostile tag could hold them, so they are escaped
  return `${MARKER}${JSON.stringify(known).replace(/-/g, '\\u002d').replace(/>/g, '\\u003e')}${MARKER_END}`;
}

/** The digests a release body records; undefined when it has none (or they are not ours). */
export function parseDigests(body: string | null | undefined): BuildDigests | undefined {
  if (body === null || body === undefined) return undefined;
  const start = body.lastIndexOf(MARKER);
  if (start < 0) return undefined;
  const end = body.indexOf(MARKER_END, start + MARKER.length);
  if (end < 0 || end - start > MAX_MARKER) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(body.slice(start + MARKER.length, end));
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const record = value as Record<string, unknown>;
  const digests: Record<string, string> = {};
  for (const key of KEYS) {
    const item = record[key];
    if (typeof item === 'string' && item.length <= 200) digests[key] = item;
  }
  return digests;
}

/** Why the inputs differ, in words for the release notes; ['its inputs changed'] when nothing tells. */
export function supersedeReasons(before: BuildDigests | undefined, after: BuildDigests | undefined): string[] {
  const differs = (key: (typeof KEYS)[number]): boolean => before?.[key] !== undefined && after?.[key] !== undefined && before[key] !== after[key];
  const reasons: string[] = [];
  if (differs('credentials')) reasons.push('rotated credentials (a new kubeconfig or kt config)');
  if (differs('upstream') || differs('version')) {
    const commit = after?.upstream === undefined ? '' : ` (commit ${after.upstream.slice(0, 12)})`;
    reasons.push(`a new upstream: kt-connect ${after?.version ?? ''}${commit}`.replace(/ {2,}/g, ' '));
  }
  if (differs('patches')) reasons.push('new patches');
  if (differs('imageRegistry')) reasons.push('a new image-registry');
  if (differs('toolchain')) reasons.push('new build settings (targets, Go, upx, wintun or archive names)');
  if (differs('action')) reasons.push(`a new version of ktctl-customize (${after?.action ?? ''})`);
  return reasons.length > 0 ? reasons : ['its inputs changed'];
}

/** The paragraph that opens the notes of a new release of a series. */
export function supersedeNote(old: { readonly tagName: string; readonly htmlUrl: string }, reasons: readonly string[]): string {
  const tag = old.tagName.replace(/[^\x20-\x7e]/g, '?').replace(/`/g, "'");
  // GitHub's address of the old release; anything else that could break the line is left out
  const link = /^https?:\/\/[^\s()<>]+$/.test(old.htmlUrl) ? ` (${old.htmlUrl})` : '';
  return (
    `This release supersedes \`${tag}\`${link}, rebuilt for ${reasons.join(', ')}. ` +
    `\`${tag}\` is immutable (this repository locks published releases), so the rebuild is a new release; use this one.`
  );
}
