// SHA-256 as lowercase hex, of bytes in memory or of a file, streamed: the hash that names a
// file's content (downloads, patches, artifacts, release extras). A hash computed while the bytes
// are written (archive/output.ts) or over several parts (fingerprints, cache keys) is made there.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';

export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Streams the file: archives and toolchains are far too large to read whole. */
export async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
