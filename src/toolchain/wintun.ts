// Fetches wintun.dll: ktctl's tun device on Windows loads it from beside ktctl.exe and
// fails at run time without it, or with one of another architecture.
import { constants } from 'node:fs';
import { open, rm } from 'node:fs/promises';
import path from 'node:path';
import { redactUrl, type Log } from '../shared/index.js';
import type { WintunRequest } from '../model.js';
import { downloadVerified } from './download.js';
import { extractDownload } from './extract.js';
import { DOS_HEADER_SIZE, PE_HEADER_SIZE, peDllProblem, peHeaderOffset } from './pe.js';

/** Returns the wintun.dll for each requested folder of `wintun/bin/<arch>/`, each a regular file and a DLL for that machine. */
export async function fetchWintun(request: WintunRequest, arches: readonly string[], into: string, log: Log): Promise<Map<string, string>> {
  log.info(`Downloading ${redactUrl(request.url)}`);
  const archive = await downloadVerified({ url: request.url, urlInput: 'wintun-url', sha256: request.sha256, hashInput: 'wintun-sha256' }, log);
  const inside = (arch: string): string => `wintun/bin/${arch}/wintun.dll`;
  const extracted = await extractDownload(archive, 'zip', { input: 'wintun-url', url: request.url }, { into, take: arches.map(inside) }).finally(() =>
    rm(archive, { force: true }),
  );
  const dlls = new Map<string, string>();
  for (const arch of arches) {
    const dll = path.join(extracted, ...inside(arch).split('/'));
    const problem = await dllProblem(dll, arch);
    if (problem !== undefined) {
      throw new Error(
        `Input 'wintun-url': ${inside(arch)} in ${redactUrl(request.url)} ${problem}: it would fail to load on Windows ${arch}; point 'wintun-url' at an official wintun release zip.`,
      );
    }
    dlls.set(arch, dll);
  }
  return dlls;
}

/** Reads the DLL's headers through a descriptor that refuses a link, as extraction checked. */
async function dllProblem(file: string, arch: string): Promise<string | undefined> {
  const handle = await open(file, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0));
  try {
    const dos = Buffer.alloc(DOS_HEADER_SIZE);
    const { bytesRead } = await handle.read(dos, 0, dos.length, 0);
    const offset = peHeaderOffset(dos.subarray(0, bytesRead));
    if (offset === undefined) return peDllProblem(dos.subarray(0, bytesRead), undefined, arch);
    const pe = Buffer.alloc(PE_HEADER_SIZE);
    const read = await handle.read(pe, 0, pe.length, offset);
    return peDllProblem(dos, pe.subarray(0, read.bytesRead), arch);
  } finally {
    await handle.close();
  }
}
