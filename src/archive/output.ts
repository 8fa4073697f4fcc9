// Writing an archive's bytes to disk: atomically, and hashed on the way out.
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { pipeline } from 'node:stream';
import { pipeline as pipelineAsync } from 'node:stream/promises';
import type { Transform } from 'node:stream';
import type { ArchiveResult } from './entries.js';

/**
 * Streams `archive` to `destination + '.partial'` and renames it into place, so
 * `destination` only ever holds a complete archive. On any error the partial
 * file is removed and the error rethrown. Size and SHA-256 are taken from the
 * bytes as they are written, so the archive is never read back.
 */
export async function writeAtomically(destination: string, archive: AsyncIterable<Uint8Array>): Promise<ArchiveResult> {
  const partial = `${destination}.partial`;
  const hash = createHash('sha256');
  let size = 0;
  // the archives embed the configs: readable by the runner's user only, like the scratch folder
  const file = createWriteStream(partial, { mode: 0o600 });
  try {
    await pipelineAsync(
      archive,
      async function* (chunks: AsyncIterable<Uint8Array>) {
        for await (const chunk of chunks) {
          hash.update(chunk);
          size += chunk.length;
          yield chunk;
        }
      },
      file,
    );
    await rename(partial, destination);
  } catch (error) {
    // The pipeline can settle before the file is closed; removing it first would race the close (and fail on Windows).
    if (!file.closed) await new Promise<void>((resolve) => file.once('close', () => resolve()));
    await rm(partial, { force: true });
    throw error;
  }
  return { size, sha256: hash.digest('hex') };
}

/**
 * `source` run through `transform`, as a stream to iterate. The callback form of
 * pipeline destroys the stream it returns with the first error from any stage,
 * so the iterating code sees a failed read as a thrown error; the callback
 * itself has nothing left to report.
 */
export function piped(source: AsyncIterable<Uint8Array>, transform: Transform): Transform {
  return pipeline(source, transform, () => {});
}
