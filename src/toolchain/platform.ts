// The machine the action runs on, in the words of each tool's download names.
import { accessSync, constants, statSync } from 'node:fs';
import path from 'node:path';

export interface HostPlatform {
  /** Go's GOOS of the host. */
  readonly os: 'linux' | 'darwin' | 'windows';
  /** Go's GOARCH of the host. */
  readonly arch: 'amd64' | 'arm64' | '386';
  /** @actions/tool-cache's arch folder, as actions/setup-go and hosted images use it. */
  readonly cacheArch: 'x64' | 'arm64' | 'x86';
}

export function hostPlatform(platform: NodeJS.Platform = process.platform, arch: string = process.arch): HostPlatform {
  const os = platform === 'win32' ? 'windows' : platform === 'darwin' ? 'darwin' : platform === 'linux' ? 'linux' : undefined;
  const goArch = arch === 'x64' ? 'amd64' : arch === 'arm64' ? 'arm64' : arch === 'ia32' ? '386' : undefined;
  if (os === undefined || goArch === undefined) {
    throw new Error(`This action runs on Linux, macOS and Windows on x64 or arm64, not ${platform}/${arch}.`);
  }
  const cacheArch = goArch === 'amd64' ? 'x64' : goArch === 'arm64' ? 'arm64' : 'x86';
  return { os, arch: goArch, cacheArch };
}

export function exeName(name: string, host: HostPlatform): string {
  return host.os === 'windows' ? `${name}.exe` : name;
}

/** The PATH variable of `env`: Windows spells it `Path`, and names there are not case-sensitive. */
export function pathVariable(env: NodeJS.ProcessEnv): string {
  const key = Object.keys(env).find((name) => name.toUpperCase() === 'PATH');
  return key === undefined ? '' : (env[key] ?? '');
}

/**
 * Where a PATH search for `name` looks, in order. Only absolute entries count: an empty or
 * relative entry means the current folder, which is the checked-out workspace here, and a
 * program found there would be whatever the repository put there, not the runner's.
 */
export function pathCandidates(name: string, pathValue: string, host: HostPlatform): string[] {
  const paths = host.os === 'windows' ? path.win32 : path.posix;
  const delimiter = host.os === 'windows' ? ';' : ':';
  const file = exeName(name, host);
  const candidates = new Set<string>(); // in PATH order, each once
  for (const entry of pathValue.split(delimiter)) {
    const dir = host.os === 'windows' ? entry.replace(/^"(.*)"$/, '$1') : entry;
    if (dir === '' || !paths.isAbsolute(dir)) continue;
    candidates.add(paths.join(dir, file));
  }
  return [...candidates];
}

/**
 * The first executable file named `name` on the runner's PATH, or undefined. The runner's own
 * PATH is trusted as its installed software (Homebrew's `bin` holds links into its Cellar, so
 * links are followed here); the workspace is not, see pathCandidates.
 */
export function findOnPath(name: string, host: HostPlatform, env: NodeJS.ProcessEnv = process.env): string | undefined {
  return firstExecutable(pathCandidates(name, pathVariable(env), host), host);
}

/** Where Homebrew puts `brew` on Apple silicon and on Intel Macs, for a runner whose PATH lacks it. */
const HOMEBREW_BREW_LOCATIONS: readonly string[] = ['/opt/homebrew/bin/brew', '/usr/local/bin/brew'];

/** Where to look for `brew`, in order: the PATH (absolute entries only), then Homebrew's standard places; each once. */
export function brewCandidates(pathValue: string, host: HostPlatform): string[] {
  return [...new Set([...pathCandidates('brew', pathValue, host), ...HOMEBREW_BREW_LOCATIONS])];
}

/** The runner's `brew`, or undefined. Looked for on macOS only: Homebrew is how macOS runners install tools. */
export function findBrew(host: HostPlatform, env: NodeJS.ProcessEnv = process.env): string | undefined {
  return host.os === 'darwin' ? firstExecutable(brewCandidates(pathVariable(env), host), host) : undefined;
}

/** The first of `candidates` that is an executable file (links followed), or undefined. */
export function firstExecutable(candidates: readonly string[], host: HostPlatform): string | undefined {
  for (const candidate of candidates) {
    try {
      if (!statSync(candidate).isFile()) continue;
      if (host.os !== 'windows') accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not there, or not executable: look further
    }
  }
  return undefined;
}
