// Installs Go into the runner's tool cache (`<cache>/go/<version>/<arch>`, the layout of
// actions/setup-go and the hosted images), so a Go that is already there costs no download.
// Go from a custom 'go-download-base-url' is cached under a name of its own (see toolCacheName).
import { rm } from 'node:fs/promises';
import path from 'node:path';
import * as tc from '@actions/tool-cache';
import { BUILD_DEFAULTS, messageOf, redactUrl, type Log, networkLimits } from '../shared/index.js';
import type { GoRequest } from '../model.js';
import { downloadVerified } from './download.js';
import { extractDownload } from './extract.js';
import { GoIndexError, readGoIndex, type GoIndexReading } from './go-index.js';
import { DownloadError, fetchText, HttpStatusError, isRetryable } from './http-get.js';
import { goArchiveName, goSpecFor, pickGoRelease, specText, type ChosenGo } from './go-release.js';
import { exeName, type HostPlatform } from './platform.js';
import { toolCacheName } from './tool-cache.js';

export interface InstalledGo {
  readonly version: string;
  readonly goroot: string;
  readonly go: string;
}

const INPUT = 'go-download-base-url';
/** go.dev's index with every release is a few megabytes; a mirror's may grow, within reason. */
const MOST_INDEX_BYTES = 64 * 1024 ** 2;
const MOST_CHECKSUM_BYTES = 64 * 1024;

/**
 * The release index at `base`. A plain mirror has none: it answers 404 (or another final
 * 4xx) or with a page that is not JSON, and the caller falls back to an exact version. A
 * server that fails, resets or goes silent is an error after the downloader's retries, and
 * JSON that is not a valid index is an error, both naming 'go-download-base-url'.
 */
async function fetchIndex(base: string, log: Log): Promise<GoIndexReading> {
  let body: string;
  try {
    body = await fetchText(`${base}/?mode=json&include=all`, { limits: networkLimits(process.env), input: INPUT, maxBytes: MOST_INDEX_BYTES, log });
  } catch (error) {
    if (isFinalAnswer(error)) return { kind: 'none', why: messageOf((error as DownloadError).cause) };
    throw error;
  }
  try {
    return readGoIndex(body);
  } catch (error) {
    if (!(error instanceof GoIndexError)) throw error;
    throw new Error(`The Go release index at ${redactUrl(base)} is not valid: ${error.problem}. Point input '${INPUT}' at go.dev/dl or a full mirror of it.`);
  }
}

/** The server said the file is not there (404 and the like), rather than failing to answer. */
function isFinalAnswer(error: unknown): boolean {
  return error instanceof DownloadError && error.cause instanceof HttpStatusError && !isRetryable(error.cause);
}

/** Without an index (a plain mirror) the version must be exact and the hash come from the input or a `.sha256` file. */
async function chooseWithoutIndex(request: GoRequest, spec: string, host: HostPlatform, why: string): Promise<ChosenGo> {
  if (!/^\d+\.\d+\.\d+$/.test(spec)) {
    throw new Error(
      `Could not read the Go release index at ${redactUrl(request.downloadBaseUrl)} (input 'go-download-base-url': ${why}); for a mirror without one, set 'go-version' to an exact version such as 1.19.8.`,
    );
  }
  const filename = goArchiveName(spec, host);
  if (request.sha256 !== undefined) return { version: spec, filename, sha256: request.sha256, stable: true };
  const url = `${request.downloadBaseUrl}/${filename}.sha256`;
  const text = await fetchText(url, { limits: networkLimits(process.env), input: INPUT, maxBytes: MOST_CHECKSUM_BYTES }).catch((error: unknown) => {
    if (!isFinalAnswer(error)) throw error; // a server in trouble, not a mirror without the file
    throw new Error(`No Go index at ${redactUrl(request.downloadBaseUrl)} and no ${redactUrl(url)} (${messageOf(error)}); set 'go-sha256'.`);
  });
  const sha256 = /\b[0-9a-f]{64}\b/i.exec(text)?.[0];
  if (sha256 === undefined) throw new Error(`${redactUrl(url)} holds no SHA-256; set 'go-sha256'.`);
  return { version: spec, filename, sha256: sha256.toLowerCase(), stable: true };
}

/** The Go a build would use: found in the tool cache, or a release to download from `url`. */
export type GoChoice =
  | { readonly kind: 'cache'; readonly version: string; readonly goroot: string; readonly toolName: string; readonly wanted: string }
  | { readonly kind: 'download'; readonly chosen: ChosenGo; readonly url: string; readonly toolName: string };

/** Resolves the Go version (tool cache, else the index or an exact version's checksum file) without downloading Go. */
export async function chooseGo(request: GoRequest, goModDirective: string | undefined, host: HostPlatform, log: Log): Promise<GoChoice> {
  const spec = goSpecFor(request.version, goModDirective);
  const wanted = specText(spec);
  // go.dev's Go keeps the name `go` (hosted images preinstall it there); a mirror's Go is kept apart
  const toolName = toolCacheName('go', request.downloadBaseUrl, BUILD_DEFAULTS['go-download-base-url']);
  const cached = tc.find(toolName, wanted, host.cacheArch);
  if (cached !== '') return { kind: 'cache', version: path.basename(path.dirname(cached)), goroot: cached, toolName, wanted };

  const index = await fetchIndex(request.downloadBaseUrl, log);
  let chosen: ChosenGo;
  if (index.kind === 'none') {
    chosen = await chooseWithoutIndex(request, wanted, host, index.why);
  } else {
    const release = pickGoRelease(index.releases, spec, host);
    if (release === undefined) {
      const missing = `no ${spec.patch === undefined ? 'stable ' : ''}Go ${wanted} for ${host.os}/${host.arch} in the index at ${redactUrl(request.downloadBaseUrl)}`;
      // say who asked for that version: the input, or go.mod when the input is empty
      throw new Error(
        request.version !== ''
          ? `Input 'go-version' asks for Go ${wanted}, but there is ${missing}; give a Go release that exists, such as 1.19, or leave it empty to follow go.mod.`
          : `kt-connect's go.mod asks for Go ${goModDirective ?? wanted} (its \`go\` line), but there is ${missing}. Set input 'go-version' to a Go release that builds this source, choose a 'kt-connect-version' that needs an existing Go, or check 'go-download-base-url'.`,
      );
    }
    if (!release.stable) log.warning(`The index marks Go ${release.version} as not stable; using it because input 'go-version' names it exactly.`);
    // an exact version with a pinned hash: the pin wins over the index
    chosen = request.sha256 === undefined || spec.patch === undefined ? release : { ...release, sha256: request.sha256 };
  }
  return { kind: 'download', chosen, url: `${request.downloadBaseUrl}/${chosen.filename}`, toolName };
}

export async function installGo(request: GoRequest, goModDirective: string | undefined, host: HostPlatform, log: Log): Promise<InstalledGo> {
  const installed = (goroot: string, version: string): InstalledGo => ({ version, goroot, go: path.join(goroot, 'bin', exeName('go', host)) });
  const choice = await chooseGo(request, goModDirective, host, log);
  if (choice.kind === 'cache') {
    log.info(`Go ${choice.version} found in the tool cache (${choice.toolName}; ${choice.wanted} requested).`);
    return installed(choice.goroot, choice.version);
  }
  const { chosen, url, toolName } = choice;
  log.info(`Downloading Go ${chosen.version} from ${redactUrl(url)}`);
  const archive = await downloadVerified({ url, urlInput: INPUT, sha256: chosen.sha256, hashInput: 'go-sha256' }, log);
  // the archive and the unpacked copy are spent once the tool cache holds Go: outside Actions
  // (the local command) nobody empties the temp folder, and each is hundreds of megabytes
  try {
    const extracted = await extractDownload(
      archive,
      host.os === 'windows' ? 'zip' : 'tar.gz',
      { input: 'go-download-base-url', url },
      { take: [`go/bin/${exeName('go', host)}`] },
    );
    try {
      const goroot = await tc.cacheDir(path.join(extracted, 'go'), toolName, chosen.version, host.cacheArch);
      return installed(goroot, chosen.version);
    } finally {
      await rm(extracted, { recursive: true, force: true });
    }
  } finally {
    await rm(archive, { force: true });
  }
}
