// Fetches wintun.dll: ktctl's tun device on Windows loads it from beside ktctl.exe and
// fails at run time without it, or with one of another architecture.
import { access } from 'node:fs/promises';
import path from 'node:path';
import * as tc from '@actions/tool-cache';
import { redactUrl } from '../inputs.js';
import type { Log } from '../log.js';
import type { WintunRequest } from '../model.js';
import { downloadVerified } from './download.js';

/** Returns the wintun.dll for each requested folder of `wintun/bin/<arch>/`. */
export async function fetchWintun(request: WintunRequest, arches: readonly string[], into: string, log: Log): Promise<Map<string, string>> {
  log.info(`Downloading ${redactUrl(request.url)}`);
  const archive = await downloadVerified({ url: request.url, urlInput: 'wintun-url', sha256: request.sha256, hashInput: 'wintun-sha256' }, log);
  const extracted = await tc.extractZip(archive, into);
  const dlls = new Map<string, string>();
  for (const arch of arches) {
    const dll = path.join(extracted, 'wintun', 'bin', arch, 'wintun.dll');
    try {
      await access(dll);
    } catch {
      throw new Error(`${request.url} has no wintun/bin/${arch}/wintun.dll; point 'wintun-url' at an official wintun release zip.`);
    }
    dlls.set(arch, dll);
  }
  return dlls;
}
