// What main.ts adds to a release beside the archives: the body the user gave (read from disk
// before anything is built) and extra files such as the SBOM, each with its checksum.
import { lstat, readFile } from 'node:fs/promises';
import path from 'node:path';
import { InputError } from './errors.js';
import { RELEASE_BODY_LIMIT, type ReleaseBodySource, type ReleaseFile } from './publish/index.js';
import { sha256Hex } from './hash.js';

/** The body the user gave: the release-body text, or the release-body-file (a regular file, not a link). */
export async function readReleaseBody(source: ReleaseBodySource | undefined): Promise<string | undefined> {
  if (source === undefined) return undefined;
  if ('text' in source) return source.text;
  const file = path.resolve(process.env['GITHUB_WORKSPACE'] ?? process.cwd(), source.file);
  const info = await lstat(file).catch(() => undefined);
  if (info === undefined || !info.isFile()) {
    throw new InputError(
      'release-body-file',
      `'${source.file}' is not a regular file (a link is not followed); give the path of a Markdown file in the workspace.`,
    );
  }
  if (info.size > RELEASE_BODY_LIMIT * 4) throw new InputError('release-body-file', `is larger than GitHub's limit of ${RELEASE_BODY_LIMIT} characters.`);
  const text = await readFile(file, 'utf8');
  if (text.length > RELEASE_BODY_LIMIT) throw new InputError('release-body-file', `is longer than GitHub's limit of ${RELEASE_BODY_LIMIT} characters.`);
  return text;
}

/** A file published beside the archives (the SBOM): it gets a checksums line like them. */
export async function extraReleaseFile(file: string, fingerprint: string): Promise<ReleaseFile> {
  const data = await readFile(file);
  return { name: path.basename(file), path: file, size: data.length, sha256: sha256Hex(data), fingerprint };
}
