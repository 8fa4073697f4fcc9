// Pure choices about Go releases: which version a request means and which file to fetch.
import semver from 'semver';
import { printable } from '../shared/index.js';
import type { HostPlatform } from './platform.js';

/** One file of go.dev's JSON index (`/dl/?mode=json&include=all`). */
export interface GoIndexFile {
  readonly filename: string;
  readonly os: string;
  readonly arch: string;
  readonly sha256: string;
  readonly kind: string;
}

export interface GoIndexRelease {
  readonly version: string;
  readonly stable: boolean;
  readonly files: readonly GoIndexFile[];
}

/** A version request: `1.19` means the newest 1.19.x, `1.19.8` exactly that. */
export interface GoVersionSpec {
  readonly major: number;
  readonly minor: number;
  readonly patch: number | undefined;
}

export function parseGoSpec(text: string): GoVersionSpec {
  const match = /^(\d+)\.(\d+)(?:\.(\d+))?$/.exec(text);
  if (match === null) throw new Error(`'${text}' is not a Go version`);
  return { major: Number(match[1]), minor: Number(match[2]), patch: match[3] === undefined ? undefined : Number(match[3]) };
}

/**
 * The version to install: the input when given, else go.mod's `go` line widened to its
 * newest patch. Never newer than go.mod's minor: kt-connect v0.3.7 stops building at 1.20.
 */
export function goSpecFor(inputVersion: string, goModDirective: string | undefined): GoVersionSpec {
  if (inputVersion !== '') return parseGoSpec(inputVersion);
  if (goModDirective === undefined) {
    throw new Error("kt-connect's go.mod has no `go` line, so it does not say which Go builds it; set input 'go-version' to one that does, such as 1.19.");
  }
  if (/^\d{1,4}\.\d{1,4}(\.\d{1,4})?$/.test(goModDirective)) {
    const { major, minor } = parseGoSpec(goModDirective);
    return { major, minor, patch: undefined };
  }
  const prerelease = /^(\d{1,4})\.(\d{1,4})(rc|beta)\d{1,4}$/.exec(goModDirective);
  if (prerelease !== null) {
    throw new Error(
      `kt-connect's go.mod asks for Go ${goModDirective}, a prerelease; this action installs Go releases only. Set input 'go-version' to a release that builds this source (such as ${prerelease[1]}.${prerelease[2]} once it is out), or choose a 'kt-connect-version' whose go.mod names a release.`,
    );
  }
  throw new Error(
    `kt-connect's go.mod has the line 'go ${printable(goModDirective, 64)}', which names no Go version; set input 'go-version' to the Go release that builds this source, such as 1.19.`,
  );
}

export function specText(spec: GoVersionSpec): string {
  return spec.patch === undefined ? `${spec.major}.${spec.minor}` : `${spec.major}.${spec.minor}.${spec.patch}`;
}

/** `go1.18` is the first 1.18 release: 1.18.0. Prereleases (`go1.22rc1`) are not versions here. */
export function goReleaseSemver(release: string): string | undefined {
  const match = /^go(\d+)\.(\d+)(?:\.(\d+))?$/.exec(release);
  if (match === null) return undefined;
  return `${match[1]}.${match[2]}.${match[3] ?? '0'}`;
}

/** go.dev's name for a release: 1.18.0 is `go1.18`, but 1.21.0 is `go1.21.0` (the scheme changed at 1.21). */
export function goReleaseName(semver: string): string {
  const [major, minor, patch] = semver.split('.').map(Number) as [number, number, number];
  return patch === 0 && major === 1 && minor < 21 ? `go${major}.${minor}` : `go${semver}`;
}

function matchesSpec(semver: string, spec: GoVersionSpec): boolean {
  const [major, minor, patch] = semver.split('.').map(Number);
  return major === spec.major && minor === spec.minor && (spec.patch === undefined || patch === spec.patch);
}

export function goArchiveName(semver: string, host: HostPlatform): string {
  return `${goReleaseName(semver)}.${host.os}-${host.arch}.${host.os === 'windows' ? 'zip' : 'tar.gz'}`;
}

export interface ChosenGo {
  readonly version: string;
  readonly filename: string;
  readonly sha256: string;
  /** false: the index marks the release unstable, and the request named it exactly. */
  readonly stable: boolean;
}

/**
 * The newest release in the index that matches the spec and has an archive for the host.
 * A `1.19`-style request takes only releases the index marks stable; an exact `1.19.8`
 * takes the release it names even when marked unstable (the user chose it, the index
 * still pins its hash), and the caller says so.
 */
export function pickGoRelease(index: readonly GoIndexRelease[], spec: GoVersionSpec, host: HostPlatform): ChosenGo | undefined {
  let best: ChosenGo | undefined;
  for (const release of index) {
    const version = goReleaseSemver(release.version);
    if (version === undefined || !matchesSpec(version, spec)) continue;
    if (!release.stable && spec.patch === undefined) continue;
    const file = release.files.find((f) => f.kind === 'archive' && f.os === host.os && f.arch === host.arch);
    if (file === undefined) continue;
    if (best === undefined || semver.gt(version, best.version)) {
      best = { version, filename: file.filename, sha256: file.sha256.toLowerCase(), stable: release.stable };
    }
  }
  return best;
}
