// Finds or installs upx. Where it comes from is decided first, by chooseUpxSource, from the
// request, the host, and what the tool cache and PATH hold: before anything is downloaded.
// Installed copies live in the tool cache (`<cache>/<name>/<version>/<arch>` holds the binary).
import { rm } from 'node:fs/promises';
import path from 'node:path';
import * as tc from '@actions/tool-cache';
import { BUILD_DEFAULTS, InputError, messageOf, redactUrl, type Log, lastLines, run, runUnchecked } from '../shared/index.js';
import type { UpxRequest } from '../model.js';
import { downloadVerified } from './download.js';
import { extractDownload } from './extract.js';
import { exeName, findBrew, findOnPath, firstExecutable, type HostPlatform } from './platform.js';
import { toolCacheName } from './tool-cache.js';

/**
 * SHA-256 of upx 4.2.4's release files (the default version), one per runner platform upx
 * builds for. upx publishes no checksum file, so these are the hashes other projects' install
 * scripts pin for the same files; none could be downloaded and checked where they were added
 * here (no route to GitHub). A wrong pin cannot pass silently: the download is checked against
 * it, and a mismatch stops the run with an error that says the pin did not match and what to do.
 * A version or platform missing here needs 'upx-sha256', or upx in the tool cache.
 */
export const UPX_PINNED_SHA256: Readonly<Record<string, string>> = {
  // ubuntu x64 runners
  'upx-4.2.4-amd64_linux.tar.xz': '75cab4e57ab72fb4585ee45ff36388d280c7afd72aa03e8d4b9c3cbddb474193',
  // ubuntu arm64 runners (ubuntu-24.04-arm)
  'upx-4.2.4-arm64_linux.tar.xz': '6bfeae6714e34a82e63245289888719c41fd6af29f749a44ae3d3d166ba6a1c9',
  // windows x64 runners (and Windows on arm64, which runs x64 programs)
  'upx-4.2.4-win64.zip': '22e9ef20e4c72aad85e32c71cbc9c086436c179456382aa75c0c24868456a671',
};

/** The name of upx's release file for the host, or undefined on macOS: upx builds for Linux and Windows only. */
export function upxReleaseName(version: string, host: HostPlatform): string | undefined {
  if (host.os === 'linux') return `upx-${version}-${host.arch === 'arm64' ? 'arm64' : host.arch === '386' ? 'i386' : 'amd64'}_linux.tar.xz`;
  if (host.os === 'windows') return `upx-${version}-${host.arch === '386' ? 'win32' : 'win64'}.zip`;
  return undefined;
}

/** The tool-cache name of upx from the request's base URL: `upx` for upx's own releases, another name for a mirror. */
export function upxToolName(request: Pick<UpxRequest, 'downloadBaseUrl'>): string {
  return toolCacheName('upx', request.downloadBaseUrl, BUILD_DEFAULTS['upx-download-base-url']);
}

/** Where upx comes from. */
export type UpxSource =
  /** Found in the tool cache for the requested version: used as it is, no hash asked (as actions/setup-go does). */
  | { readonly kind: 'cache'; readonly toolName: string; readonly version: string; readonly upx: string }
  /** Downloaded, checked against `sha256`, and put into the tool cache under `toolName`. */
  | {
      readonly kind: 'download';
      readonly toolName: string;
      readonly version: string;
      readonly file: string;
      readonly url: string;
      readonly sha256: string;
      /** 'pin': the hash is this action's pin for the file; 'input': the user's 'upx-sha256'. */
      readonly hashFrom: 'pin' | 'input';
    }
  /** The runner's own upx on PATH (macOS, where upx publishes no build). */
  | { readonly kind: 'path'; readonly upx: string }
  /** Installed with the runner's Homebrew (macOS without upx on PATH): `brew` is its absolute path. */
  | { readonly kind: 'homebrew'; readonly brew: string };

export interface UpxChoice {
  readonly request: UpxRequest;
  readonly host: HostPlatform;
  /** The tool cache's folder for upx at the requested version under upxToolName(request), or undefined. */
  readonly cached: string | undefined;
  /** The upx found on the runner's PATH, or undefined. Looked at only on macOS. */
  readonly pathUpx: string | undefined;
  /** The runner's `brew`, or undefined. Looked at only on macOS without upx on PATH. */
  readonly brew?: string | undefined;
  /** The targets upx would pack, for the message when there is no upx to be had. */
  readonly packing?: readonly string[];
}

/**
 * Where upx comes from, decided purely from what the caller looked up: the tool cache first
 * (any source, no hash needed), then on macOS the runner's own upx or else Homebrew's install
 * of it, else a download whose hash
 * must be known now, from 'upx-sha256' or this action's pin. Throws an InputError that says
 * what to do when none of them will do.
 */
export function chooseUpxSource(choice: UpxChoice): UpxSource {
  const { request, host } = choice;
  const toolName = upxToolName(request);
  if (choice.cached !== undefined) {
    return { kind: 'cache', toolName, version: request.version, upx: path.join(choice.cached, exeName('upx', host)) };
  }
  const file = upxReleaseName(request.version, host);
  if (file === undefined) {
    if (choice.pathUpx !== undefined) return { kind: 'path', upx: choice.pathUpx };
    if (choice.brew !== undefined) return { kind: 'homebrew', brew: choice.brew };
    const packing = choice.packing === undefined || choice.packing.length === 0 ? '' : ` (to pack ${choice.packing.join(', ')})`;
    throw new InputError(
      'upx',
      `this macOS runner has no upx on its PATH and no Homebrew to install it with${packing}, and upx publishes no macOS build to download. ` +
        `${WAYS_OUT_ON_MACOS}`,
    );
  }
  const pinned = UPX_PINNED_SHA256[file];
  const sha256 = request.sha256 ?? pinned;
  if (sha256 === undefined) {
    throw new InputError(
      'upx-sha256',
      `is needed to download ${file}: upx publishes no checksums, and this action pins only ${Object.keys(UPX_PINNED_SHA256).join(', ')}. ` +
        `Give the file's SHA-256, put upx ${request.version} into the runner's tool cache, or set 'upx: false'.`,
    );
  }
  return {
    kind: 'download',
    toolName,
    version: request.version,
    file,
    url: `${request.downloadBaseUrl}/v${request.version}/${file}`,
    sha256,
    hashFrom: request.sha256 === undefined ? 'pin' : 'input',
  };
}

/** The two ways out when a Mac has no upx, in every message that says so. */
const WAYS_OUT_ON_MACOS = "Add a step that runs 'brew install upx' before this action, or set 'upx: false'.";

/** What chooseUpxSource needs from the world: the tool cache, the PATH, and Homebrew. */
export interface ToolLookups {
  /** tc.find: the folder of `tool` at `version` for `arch`, or undefined. */
  cached(tool: string, version: string, arch: string): string | undefined;
  /** The executable `name` on the runner's PATH, or undefined. */
  onPath(name: string, host: HostPlatform): string | undefined;
  /** The runner's `brew`: on PATH, or in Homebrew's standard places; undefined when there is none. */
  brew(host: HostPlatform): string | undefined;
}

export const runnerTools: ToolLookups = {
  cached: (tool, version, arch) => tc.find(tool, version, arch) || undefined,
  onPath: (name, host) => findOnPath(name, host),
  brew: (host) => findBrew(host),
};

/** chooseUpxSource with the lookups done: the tool cache, and on macOS the PATH, then Homebrew. */
export function upxSourceFor(request: UpxRequest, host: HostPlatform, lookups: ToolLookups, packing?: readonly string[]): UpxSource {
  const cached = lookups.cached(upxToolName(request), request.version, host.cacheArch);
  const pathUpx = cached === undefined && host.os === 'darwin' ? lookups.onPath('upx', host) : undefined;
  const brew = cached === undefined && pathUpx === undefined && host.os === 'darwin' ? lookups.brew(host) : undefined;
  return chooseUpxSource({ request, host, cached, pathUpx, brew, ...(packing === undefined ? {} : { packing }) });
}

export interface InstalledUpx {
  readonly version: string;
  readonly upx: string;
}

/** The first line of `upx --version`, e.g. `upx 4.2.4`: says which upx a run used. */
async function upxVersionLine(upx: string): Promise<string> {
  const { output } = await run(upx, ['--version'], { what: `${upx} --version` });
  return output.split(/\r?\n/, 1)[0]?.trim() ?? '';
}

/** The version in `upx --version`'s first line, or the whole line when it has another shape. */
function versionOf(line: string): string {
  return /^upx (\S+)/.exec(line)?.[1] ?? line;
}

/**
 * Set for every brew this action starts: no `brew update` first (it can take minutes and changes
 * the runner's Homebrew under later steps), no cleanup pass after the install, no analytics.
 */
export const BREW_ENVIRONMENT: Readonly<Record<string, string>> = {
  HOMEBREW_NO_AUTO_UPDATE: '1',
  HOMEBREW_NO_INSTALL_CLEANUP: '1',
  HOMEBREW_NO_ANALYTICS: '1',
};

/** Lines of brew's output kept for the error: the reason is at the end. */
const BREW_TAIL_LINES = 10;

function homebrewFailed(what: string, output: string): InputError {
  const tail = lastLines(output, BREW_TAIL_LINES);
  return new InputError('upx', `this macOS runner has no upx, and ${what}${tail === '' ? '.' : `; its last lines:\n${tail}\n`} ${WAYS_OUT_ON_MACOS}`);
}

/**
 * `brew install upx`, the way macOS runners install tools, then the upx it installed: on PATH
 * (Homebrew links it into its `bin`), else `<brew --prefix upx>/bin/upx` for a brew found
 * outside the PATH. Started through run's process table, so a cancelled run stops it.
 * The tests here stand a small script in for brew: the real Homebrew is not exercised on this
 * machine, only on the e2e workflow's macOS runner.
 */
async function installWithHomebrew(brew: string, host: HostPlatform, log: Log, env: NodeJS.ProcessEnv): Promise<InstalledUpx> {
  log.info(`upx publishes no macOS build and this runner has none on its PATH: running ${brew} install upx.`);
  const brewEnv = { ...env, ...BREW_ENVIRONMENT };
  const installed = await runUnchecked(brew, ['install', 'upx'], { env: brewEnv, what: `${brew} install upx` }).catch((error: unknown) => {
    throw homebrewFailed(messageOf(error), '');
  });
  if (installed.code !== 0) throw homebrewFailed(`'${brew} install upx' failed (exit code ${installed.code})`, installed.output);
  let upx = findOnPath('upx', host, env);
  if (upx === undefined) {
    const prefix = await runUnchecked(brew, ['--prefix', 'upx'], { env: brewEnv, what: `${brew} --prefix upx` }).catch((error: unknown) => {
      throw homebrewFailed(messageOf(error), installed.output);
    });
    const folder = prefix.code === 0 ? prefix.output.trim() : '';
    // one absolute path, or nothing to look at
    if (path.posix.isAbsolute(folder) && !/[\r\n]/.test(folder)) upx = firstExecutable([path.posix.join(folder, 'bin', 'upx')], host);
    if (upx === undefined) {
      throw homebrewFailed(`'${brew} install upx' ended well, but no upx is on the PATH or under 'brew --prefix upx'`, `${installed.output}\n${prefix.output}`);
    }
  }
  const version = versionOf(await upxVersionLine(upx));
  log.info(`upx ${version} installed with Homebrew (${upx}); 'upx-version' does not apply.`);
  return { version, upx };
}

/** Carries out the decision chooseUpxSource made. `env` is the runner's environment: its PATH, and what brew inherits. */
export async function installUpx(source: UpxSource, host: HostPlatform, log: Log, env: NodeJS.ProcessEnv = process.env): Promise<InstalledUpx> {
  if (source.kind === 'homebrew') return installWithHomebrew(source.brew, host, log, env);
  if (source.kind === 'cache') {
    log.info(`upx ${source.version} found in the tool cache (${source.toolName}): nothing to download.`);
    return { version: source.version, upx: source.upx };
  }
  if (source.kind === 'path') {
    const line = await upxVersionLine(source.upx);
    log.info(`upx publishes no macOS build: using the runner's ${source.upx} (${line}); 'upx-version' does not apply.`);
    return { version: versionOf(line), upx: source.upx };
  }
  const { file, url, sha256 } = source;
  log.info(`Downloading upx ${source.version} from ${redactUrl(url)}`);
  let archive: string;
  try {
    archive = await downloadVerified({ url, urlInput: 'upx-download-base-url', sha256, hashInput: 'upx-sha256' }, log);
  } catch (error) {
    // a message that names the expected hash is a mismatch, not a network failure
    if (source.hashFrom !== 'pin' || !messageOf(error).includes(sha256)) throw error;
    throw new Error(
      `${messageOf(error)} The expected SHA-256 is the one this action pins for ${file}, taken from other projects' install scripts: ` +
        `the pin did not match what ${redactUrl(url)} serves. Check the file against upx's release; set 'upx-sha256' to its real SHA-256, ` +
        "or set 'upx: false', and report the wrong pin to this action's maintainers.",
    );
  }
  const binary = exeName('upx', host);
  const folderName = file.replace(/\.(tar\.xz|zip)$/, '');
  // as for Go: the archive and the unpacked copy are spent once the tool cache holds upx
  try {
    const extracted = await extractDownload(
      archive,
      file.endsWith('.zip') ? 'zip' : 'tar.xz',
      { input: 'upx-download-base-url', url },
      { take: [`${folderName}/${binary}`] },
    );
    try {
      const dir = await tc.cacheDir(path.join(extracted, folderName), source.toolName, source.version, host.cacheArch);
      return { version: source.version, upx: path.join(dir, binary) };
    } finally {
      await rm(extracted, { recursive: true, force: true });
    }
  } finally {
    await rm(archive, { force: true });
  }
}
