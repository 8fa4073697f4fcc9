// Writing an archive's bytes to disk: atomically, with later patches, and hashed once finished.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { rename, rm, type FileHandle } from 'node:fs/promises';
import { createExclusive } from '../../shared/index.js';
import { pipeline } from 'node:stream';
import type { Transform } from 'node:stream';
import type { ArchiveResult } from './entries.js';

/** Bytes to write over what was streamed at `position`, once the whole stream is on disk. */
export interface Patch {
  readonly position: number;
  readonly bytes: Buffer;
}

/**
 * Streams `archive` to `destination + '.partial'`, then writes the `patches()` it asks for
 * over bytes already written (the zip writer fills in each local header once the entry's
 * data has gone by), then renames it into place, so `destination` only ever holds a
 * complete archive. On any error the partial file is removed and the error rethrown.
 *
 * Size and SHA-256 are taken from the finished file, read back once: a patch changes
 * bytes that a hash taken on the way out would already have consumed. Reading back
 * costs a few tens of milliseconds for a 40 MB archive, against seconds of deflate.
 */
export async function writeAtomically(
  destination: string,
  archive: AsyncIterable<Uint8Array>,
  patches: () => readonly Patch[] = () => [],
): Promise<ArchiveResult> {
  const partial = `${destination}.partial`;
  let file: FileHandle | undefined;
  try {
    // the archives embed the configs: readable by the runner's user only, like the scratch folder
    file = await createExclusive(partial);
    for await (const chunk of archive) await writeAll(file, chunk, null);
    for (const patch of patches()) await writeAll(file, patch.bytes, patch.position);
    await file.close();
    file = undefined;
    const result = await hashFile(partial);
    await rename(partial, destination);
    return result;
  } catch (error) {
    // closed before removal: Windows refuses to remove an open file
    await file?.close().catch(() => {});
    await rm(partial, { force: true });
    throw error;
  }
}

/**
 * Writes all of `bytes` at `position` (null: at the file's current position, which
 * positional writes leave alone). A write may be short; the rest is written again.
 */
async function writeAll(file: FileHandle, bytes: Uint8Array, position: number | null): Promise<void> {
  let done = 0;
  while (done < bytes.length) {
    const { bytesWritten } = await file.write(bytes, done, bytes.length - done, position === null ? null : position + done);
    done += bytesWritten;
  }
}

async function hashFile(file: string): Promise<ArchiveResult> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    hash.update(chunk);
    size += chunk.length;
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
