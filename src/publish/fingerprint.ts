// The fingerprint of a build: one SHA-256 over everything that decides the archives' bytes.
// A scheduled run that finds its fingerprint on the release, with every asset, has nothing to do.
import { createHash } from 'node:crypto';
import type { ArchiveFormatChoice, BuildInputs, Target, UpstreamRelease } from '../model.js';
import { targetId } from '../plan/index.js';

export interface FingerprintParts {
  /** The commit the upstream tag resolved to (a moved tag rebuilds). */
  readonly upstreamCommit: string;
  /** The version baked into ktctl (the resolved one, e.g. 0.3.7). */
  readonly version: string;
  /** Order does not matter. */
  readonly targets: readonly Target[];
  /** The `go-version` input: '' follows go.mod, which upstreamCommit pins. */
  readonly goVersionRequest: string;
  /** null when upx is turned off. */
  readonly upxVersion: string | null;
  readonly upxArgs: readonly string[];
  readonly archiveFormat: ArchiveFormatChoice;
  readonly assetNameTemplate: string;
  readonly wintunSha256: string;
  /** Secret: enters the fingerprint only as its SHA-256. undefined: upstream's placeholder. */
  readonly kubeconfig: string | undefined;
  /** Secret, like kubeconfig. */
  readonly ktConfig: string | undefined;
  /** This action's version: a fix in the action rebuilds. */
  readonly actionVersion: string;
  /** `image-registry` (it also rewrites the navigator image, which no config holds). Absent: upstream's images. */
  readonly imageRegistry?: string;
  /** The patches applied, in order, by name and content: a changed patch rebuilds. Absent: none. */
  readonly patches?: readonly { readonly name: string; readonly sha256: string }[];
  /** `upx: linux`: the operating systems packed. Absent: every one where upx works. */
  readonly upxOses?: readonly string[];
  /** The module's h1 hash, when kt-connect came from a module proxy: a changed source rebuilds. Absent: from git. */
  readonly sourceHash?: string;
}

const DOMAIN = 'ktctl-customize/fingerprint/v1';

function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

type Json = string | number | boolean | null | readonly Json[] | { readonly [key: string]: Json };

/** JSON with object keys sorted at every level: one text per value. */
export function canonicalJson(value: Json): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map((item: Json) => canonicalJson(item)).join(',')}]`;
  const record = value as { readonly [key: string]: Json };
  const keys = Object.keys(record).sort();
  return `{${keys.map((key) => `${JSON.stringify(key)}:${canonicalJson(record[key] ?? null)}`).join(',')}}`;
}

/**
 * How the archives are built, apart from what they are built from: one definition for the
 * fingerprint and for saying why a rebuild supersedes a release (supersede.ts). Keys that are
 * absent by default stay absent, so the fingerprints of builds without them stay what they were.
 */
export function buildSettings(parts: FingerprintParts): { readonly [key: string]: Json } {
  return {
    targets: [...new Set(parts.targets.map(targetId))].sort(),
    goVersionRequest: parts.goVersionRequest,
    upxVersion: parts.upxVersion,
    upxArgs: [...parts.upxArgs],
    archiveFormat: parts.archiveFormat,
    assetNameTemplate: parts.assetNameTemplate,
    wintunSha256: parts.wintunSha256.toLowerCase(),
    ...(parts.upxOses === undefined ? {} : { upxOses: [...parts.upxOses] }),
  };
}

/** Hex SHA-256. The configs are hashed first, so no secret text is part of the canonical document. */
export function computeFingerprint(parts: FingerprintParts): string {
  const document: Json = {
    domain: DOMAIN,
    upstreamCommit: parts.upstreamCommit.trim().toLowerCase(),
    version: parts.version,
    ...buildSettings(parts),
    kubeconfigSha256: parts.kubeconfig === undefined ? null : sha256(parts.kubeconfig),
    ktConfigSha256: parts.ktConfig === undefined ? null : sha256(parts.ktConfig),
    actionVersion: parts.actionVersion,
    // only when used, so the fingerprints of builds without them stay what they were
    ...(parts.imageRegistry === undefined ? {} : { imageRegistry: parts.imageRegistry }),
    ...(parts.patches === undefined || parts.patches.length === 0
      ? {}
      : { patches: parts.patches.map((patch) => ({ name: patch.name, sha256: patch.sha256 })) }),
    ...(parts.sourceHash === undefined ? {} : { sourceHash: parts.sourceHash }),
  };
  return sha256(canonicalJson(document));
}

/** The parts for a build of `inputs` at `upstream`, once the version is resolved (plan.version). */
export function fingerprintParts(inputs: BuildInputs, upstream: UpstreamRelease, version: string, actionVersion: string): FingerprintParts {
  return {
    upstreamCommit: upstream.commit,
    version,
    targets: inputs.targets,
    goVersionRequest: inputs.go.version,
    upxVersion: inputs.upx.enabled ? inputs.upx.version : null,
    upxArgs: inputs.upx.enabled ? inputs.upx.args : [],
    archiveFormat: inputs.archiveFormat,
    assetNameTemplate: inputs.assetNameTemplate,
    wintunSha256: inputs.wintun.sha256,
    kubeconfig: inputs.configs.kubeconfig,
    ktConfig: inputs.configs.ktConfig,
    actionVersion,
    ...(inputs.imageRegistry === undefined ? {} : { imageRegistry: inputs.imageRegistry }),
    ...(inputs.patches === undefined || inputs.patches.length === 0 ? {} : { patches: inputs.patches.map(({ name, sha256 }) => ({ name, sha256 })) }),
    ...(inputs.upx.enabled && inputs.upx.oses !== undefined ? { upxOses: inputs.upx.oses } : {}),
    ...(upstream.source === undefined ? {} : { sourceHash: upstream.source.hash }),
  };
}
