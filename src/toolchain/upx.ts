// Installs upx into the tool cache (`<cache>/upx/<version>/<arch>` holds the binary).
import path from 'node:path';
import * as tc from '@actions/tool-cache';
import { InputError } from '../errors.js';
import { redactUrl } from '../inputs.js';
import type { Log } from '../log.js';
import type { UpxRequest } from '../model.js';
import { downloadVerified } from './download.js';
import { exeName, type HostPlatform } from './platform.js';

/**
 * SHA-256 of upx's release files, for the default version. upx publishes no checksum
 * file, so a version or platform missing here needs 'upx-sha256'.
 */
const KNOWN_UPX_SHA256: Readonly<Record<string, string>> = {
  'upx-4.2.4-amd64_linux.tar.xz': '75cab4e57ab72fb4585ee45ff36388d280c7afd72aa03e8d4b9c3cbddb474193',
};

/** The name of upx's release file for the host: upx builds for Linux and Windows only. */
export function upxReleaseName(version: string, host: HostPlatform): string {
  if (host.os === 'linux') return `upx-${version}-${host.arch === 'arm64' ? 'arm64' : host.arch === '386' ? 'i386' : 'amd64'}_linux.tar.xz`;
  if (host.os === 'windows') return `upx-${version}-${host.arch === '386' ? 'win32' : 'win64'}.zip`;
  throw new Error("upx publishes no macOS build; run this action on a Linux or Windows runner, or set 'upx: false'.");
}

export interface InstalledUpx {
  readonly version: string;
  readonly upx: string;
}

export interface UpxDownload {
  readonly file: string;
  readonly url: string;
  readonly sha256: string;
}

/** Where upx comes from on this host, and the hash to check it with: decided before any download. */
export function upxDownloadFor(request: UpxRequest, host: HostPlatform): UpxDownload {
  let file: string;
  try {
    file = upxReleaseName(request.version, host);
  } catch (error) {
    throw new InputError('upx', (error as Error).message);
  }
  const sha256 = request.sha256 ?? KNOWN_UPX_SHA256[file];
  if (sha256 === undefined) {
    throw new InputError('upx-sha256', `is needed for ${file}: upx publishes no checksums and this action pins only ${Object.keys(KNOWN_UPX_SHA256).join(', ')}; give the file's SHA-256, or set upx: false.`);
  }
  return { file, url: `${request.downloadBaseUrl}/v${request.version}/${file}`, sha256 };
}

export async function installUpx(request: UpxRequest, host: HostPlatform, log: Log): Promise<InstalledUpx> {
  const binary = exeName('upx', host);
  const cached = tc.find('upx', request.version, host.cacheArch);
  if (cached !== '') {
    log.info(`upx ${request.version} found in the tool cache.`);
    return { version: request.version, upx: path.join(cached, binary) };
  }
  const { file, url, sha256 } = upxDownloadFor(request, host);
  log.info(`Downloading upx ${request.version} from ${redactUrl(url)}`);
  const archive = await downloadVerified({ url, urlInput: 'upx-download-base-url', sha256, hashInput: 'upx-sha256' }, log);
  const extracted = file.endsWith('.zip') ? await tc.extractZip(archive) : await tc.extractTar(archive, undefined, 'xJ');
  const folder = path.join(extracted, file.replace(/\.(tar\.xz|zip)$/, ''));
  const dir = await tc.cacheDir(folder, 'upx', request.version, host.cacheArch);
  return { version: request.version, upx: path.join(dir, binary) };
}
