// What main.ts adds to a release beside the archives: the body the user gave (read from disk
// before anything is built) and extra files such as the SBOM, each with its checksum.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { InputError } from '../shared/errors.js';
import { RELEASE_BODY_LIMIT, type ReleaseBodySource, type ReleaseFile } from './index.js';
import { sha256Hex } from '../shared/hash.js';
import { readWorkspaceFile } from '../inputs/workspace-file.js';

/**
 * The body the user gave: the release-body text, or the release-body-file, a regular file inside
 * the workspace once every link is resolved (workspace-file.ts). Checked for what no published
 * text may hold (published-text.ts) by the caller, which knows the configs.
 */
export async function readReleaseBody(source: ReleaseBodySource | undefined, workspace: string): Promise<string | undefined> {
  if (source === undefined) return undefined;
  if ('text' in source) return source.text;
  const text = await readWorkspaceFile('release-body-file', source.file, workspace, 'RELEASE_NOTES.md', RELEASE_BODY_LIMIT * 4);
  if (text.length > RELEASE_BODY_LIMIT) throw new InputError('release-body-file', `is longer than GitHub's limit of ${RELEASE_BODY_LIMIT} characters.`);
  return text;
}

/** A file published beside the archives (the SBOM): it gets a checksums line like them. */
export async function extraReleaseFile(file: string, fingerprint: string): Promise<ReleaseFile> {
  const data = await readFile(file);
  return { name: path.basename(file), path: file, size: data.length, sha256: sha256Hex(data), fingerprint };
}
