// Installs Go into the runner's tool cache (`<cache>/go/<version>/<arch>`, the layout of
// actions/setup-go and the hosted images), so a Go that is already there costs no download.
// Go from a custom 'go-download-base-url' is cached under a name of its own (see toolCacheName).
import path from 'node:path';
import { HttpClient } from '@actions/http-client';
import * as tc from '@actions/tool-cache';
import { BUILD_DEFAULTS } from '../defaults.js';
import { messageOf } from '../errors.js';
import { redactUrl, withoutUserinfo } from '../redact.js';
import type { Log } from '../log.js';
import type { GoRequest } from '../model.js';
import { downloadVerified } from './download.js';
import { extractDownload } from './extract.js';
import {
  goArchiveName,
  goSpecFor,
  pickGoRelease,
  specText,
  type ChosenGo,
  type GoIndexRelease,
} from './go-release.js';
import { exeName, type HostPlatform } from './platform.js';
import { toolCacheName } from './tool-cache.js';

export interface InstalledGo {
  readonly version: string;
  readonly goroot: string;
  readonly go: string;
}

const http = new HttpClient('ktctl-customize');

async function fetchText(url: string): Promise<string> {
  // credentials in the URL travel as a header, as for every download (see withoutUserinfo)
  const request = withoutUserinfo(url);
  const response = await http.get(request.url, request.authorization === undefined ? {} : { authorization: request.authorization });
  const body = await response.readBody();
  if (response.message.statusCode !== 200) throw new Error(`HTTP ${response.message.statusCode} from ${redactUrl(url)}`);
  return body;
}

async function fetchIndex(base: string): Promise<GoIndexRelease[]> {
  const body = await fetchText(`${base}/?mode=json&include=all`);
  const parsed: unknown = JSON.parse(body);
  if (!Array.isArray(parsed)) throw new Error('the Go index is not a JSON array');
  return parsed as GoIndexRelease[];
}

/** Without an index (a plain mirror) the version must be exact and the hash come from the input or a `.sha256` file. */
async function chooseWithoutIndex(request: GoRequest, spec: string, host: HostPlatform, why: string): Promise<ChosenGo> {
  if (!/^\d+\.\d+\.\d+$/.test(spec)) {
    throw new Error(
      `Could not read the Go release index at ${redactUrl(request.downloadBaseUrl)} (input 'go-download-base-url': ${why}); for a mirror without one, set 'go-version' to an exact version such as 1.19.8.`,
    );
  }
  const filename = goArchiveName(spec, host);
  if (request.sha256 !== undefined) return { version: spec, filename, sha256: request.sha256 };
  const url = `${request.downloadBaseUrl}/${filename}.sha256`;
  const text = await fetchText(url).catch((error: unknown) => {
    throw new Error(`No Go index at ${redactUrl(request.downloadBaseUrl)} and no ${redactUrl(url)} (${messageOf(error)}); set 'go-sha256'.`);
  });
  const sha256 = /\b[0-9a-f]{64}\b/i.exec(text)?.[0];
  if (sha256 === undefined) throw new Error(`${redactUrl(url)} holds no SHA-256; set 'go-sha256'.`);
  return { version: spec, filename, sha256: sha256.toLowerCase() };
}

export async function installGo(request: GoRequest, goModDirective: string | undefined, host: HostPlatform, log: Log): Promise<InstalledGo> {
  const spec = goSpecFor(request.version, goModDirective);
  const wanted = specText(spec);
  const installed = (goroot: string, version: string): InstalledGo => ({ version, goroot, go: path.join(goroot, 'bin', exeName('go', host)) });

  // go.dev's Go keeps the name `go` (hosted images preinstall it there); a mirror's Go is kept apart
  const toolName = toolCacheName('go', request.downloadBaseUrl, BUILD_DEFAULTS['go-download-base-url']);
  const cached = tc.find(toolName, wanted, host.cacheArch);
  if (cached !== '') {
    const version = path.basename(path.dirname(cached));
    log.info(`Go ${version} found in the tool cache (${toolName}; ${wanted} requested).`);
    return installed(cached, version);
  }

  let index: GoIndexRelease[] | undefined;
  let noIndex = '';
  try {
    index = await fetchIndex(request.downloadBaseUrl);
  } catch (error) {
    noIndex = messageOf(error);
  }
  let chosen: ChosenGo;
  if (index === undefined) {
    chosen = await chooseWithoutIndex(request, wanted, host, noIndex);
  } else {
    const release = pickGoRelease(index, spec, host);
    if (release === undefined) {
      throw new Error(`No Go ${wanted} for ${host.os}/${host.arch} in the index at ${redactUrl(request.downloadBaseUrl)}; check 'go-version'.`);
    }
    // an exact version with a pinned hash: the pin wins over the index
    chosen = request.sha256 === undefined || spec.patch === undefined ? release : { ...release, sha256: request.sha256 };
  }

  const url = `${request.downloadBaseUrl}/${chosen.filename}`;
  log.info(`Downloading Go ${chosen.version} from ${redactUrl(url)}`);
  const archive = await downloadVerified(url, chosen.sha256, 'go-sha256', log);
  const extracted = await extractDownload(archive, host.os === 'windows' ? 'zip' : 'tar.gz', { input: 'go-download-base-url', url }, { take: [`go/bin/${exeName('go', host)}`] });
  const goroot = await tc.cacheDir(path.join(extracted, 'go'), toolName, chosen.version, host.cacheArch);
  return installed(goroot, chosen.version);
}
