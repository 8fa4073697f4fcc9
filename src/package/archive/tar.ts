// .tar.gz writer: POSIX ustar entries, gzip at zlib's default level, streamed from source to destination.
import { createReadStream } from 'node:fs';
import { createGzip } from 'node:zlib';
import { checkEntries, sourceSize } from './entries.js';
import type { ArchiveEntry, ArchiveResult } from './entries.js';
import { piped, writeAtomically } from './output.js';

const BLOCK = 512;
/** uid, gid, devmajor and devminor: all zero. */
const ZERO_FIELD = '0000000\0';

/**
 * Writes `entries` in order as a gzipped ustar archive. Owner is root (uid/gid 0)
 * and every entry carries `mtime`, so nothing about the build machine or the
 * moment of the build reaches the archive. Node's gzip header has mtime 0 and no
 * file name, which keeps the compressed layer as reproducible as the tar inside
 * on one platform (its OS byte is zlib's build-time constant: 3 on Linux, other
 * values on macOS and Windows).
 */
export async function writeTarGz(destination: string, entries: readonly ArchiveEntry[], mtime: number): Promise<ArchiveResult> {
  checkEntries(entries, mtime);
  return writeAtomically(destination, piped(tarStream(entries, mtime), createGzip({ level: 6 }) /* level 9: 2.5x the CPU for 0.3% less */));
}

async function* tarStream(entries: readonly ArchiveEntry[], mtime: number): AsyncGenerator<Buffer> {
  for (const entry of entries) {
    const size = await sourceSize(entry);
    yield header(entry, size, mtime);
    let streamed = 0;
    for await (const chunk of createReadStream(entry.source) as AsyncIterable<Buffer>) {
      streamed += chunk.length;
      yield chunk;
    }
    // The header already promised `size` bytes; anything else would shift every later header.
    if (streamed !== size) throw new Error(`${entry.source} changed size while it was being archived.`);
    yield Buffer.alloc((BLOCK - (size % BLOCK)) % BLOCK);
  }
  // The end-of-archive marker: two zero blocks.
  yield Buffer.alloc(2 * BLOCK);
}

function header(entry: ArchiveEntry, size: number, mtime: number): Buffer {
  const block = Buffer.alloc(BLOCK);
  block.write(entry.name, 0, 'ascii');
  block.write(octal(entry.mode, 8, 'mode'), 100);
  block.write(ZERO_FIELD, 108); // uid
  block.write(ZERO_FIELD, 116); // gid
  block.write(octal(size, 12, `size of ${entry.name}`), 124); // 11 octal digits: files under 8 GiB
  block.write(octal(mtime, 12, 'mtime'), 136);
  block.write('0', 156); // typeflag: regular file
  block.write('ustar\x0000', 257); // magic "ustar\0" then version "00"
  block.write('root', 265); // uname: tar run as root maps it back to uid 0
  block.write('root', 297); // gname
  block.write(ZERO_FIELD, 329); // devmajor
  block.write(ZERO_FIELD, 337); // devminor
  // The checksum is the byte sum of the header with its own field read as spaces.
  block.fill(' ', 148, 156);
  const sum = block.reduce((total, byte) => total + byte, 0);
  block.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
  return block;
}

/** A numeric ustar field: zero-padded octal digits and a NUL, filling `width` bytes. */
function octal(value: number, width: number, field: string): string {
  const digits = value.toString(8).padStart(width - 1, '0');
  if (digits.length > width - 1) {
    throw new Error(`Cannot tar: the ${field} (${value}) needs more than the ${width - 1} octal digits of its ustar header field.`);
  }
  return `${digits}\0`;
}
