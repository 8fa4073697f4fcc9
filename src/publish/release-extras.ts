// Files published beside the archives (the SBOM, the images list, the installers): each gets a
// checksums line and a build-info.json entry like them.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { sha256Hex } from '../shared/index.js';
import type { ReleaseFile } from '../model.js';

/** A file published beside the archives, with its size and SHA-256 and the fingerprint of the build. */
export async function extraReleaseFile(file: string, fingerprint: string): Promise<ReleaseFile> {
  const data = await readFile(file);
  return { name: path.basename(file), path: file, size: data.length, sha256: sha256Hex(data), fingerprint };
}
