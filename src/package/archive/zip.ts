// .zip writer: deflate at zlib's default level, Unix permissions, exact modification times.
//
// Layout: every local header holds the entry's real CRC-32 and sizes, and general
// purpose bit 3 (trailing data descriptor) is never set. That is the layout every
// reader handles, including those that trust local headers alone, such as streaming
// unzippers and Java's ZipInputStream, and it is the layout this writer has always
// produced (the same inputs give the same bytes as before).
//
// Each file is deflated once. Its local header is written with the CRC-32 and sizes
// left zero, the compressed bytes follow as they come, and once the entry is done the
// three fields are written over the placeholder (writeAtomically's patches). A data
// descriptor (bit 3) would avoid the patch, but then the local header says "sizes
// unknown" and a streaming reader must find the end of the deflate stream itself:
// Java's ZipInputStream can, for deflated entries only, and not every streaming
// unzipper can. Patching keeps the layout that every reader already opened, byte for
// byte, at the cost of a few positional writes to a file we own.
import { createReadStream } from 'node:fs';
import { createDeflateRaw, crc32 } from 'node:zlib';
import { checkEntries, sourceSize } from './entries.js';
import type { ArchiveEntry, ArchiveResult } from './entries.js';
import { piped, writeAtomically, type Patch } from './output.js';

/** 2.0, the version deflate requires: every reader accepts it. */
const VERSION_NEEDED = 20;
/** High byte 3 (Unix): readers take the permission bits from the top of the external attributes. */
const VERSION_MADE_BY = (3 << 8) | VERSION_NEEDED;
const METHOD_DEFLATE = 8;
/**
 * zlib's default: level 9 costs 2.5 times the CPU for 0.3% smaller Go binaries, and this
 * runs on the build's critical path.
 */
const DEFLATE_LEVEL = 6;
const S_IFREG = 0o100000;
/** 1980-01-01T00:00:00Z, the earliest time a DOS date can express. */
const DOS_EPOCH = Date.UTC(1980, 0, 1) / 1000;

interface Measure {
  crc: number;
  size: number;
  compressedSize: number;
}

/**
 * Writes `entries` in order as a zip archive. Every entry carries `mtime`, both as
 * a DOS date (UTC) and as an extended timestamp field, which unzip and Python
 * restore to the second.
 */
export async function writeZip(destination: string, entries: readonly ArchiveEntry[], mtime: number): Promise<ArchiveResult> {
  checkEntries(entries, mtime);
  const patches: Patch[] = [];
  return writeAtomically(destination, zipStream(entries, mtime, patches), () => patches);
}

/** The CRC-32 and the two sizes: 12 bytes at this offset of the shared fields (see commonFields). */
const SIZES_AT = 10;
const SIZES_LENGTH = 12;
/** A local header's shared fields follow its 4-byte signature. */
const LOCAL_FIELDS_AT = 4;

/**
 * The archive's bytes, with every local header's CRC-32 and sizes zero; `patches` receives
 * the real values, to be written over them, as each entry is finished.
 */
async function* zipStream(entries: readonly ArchiveEntry[], mtime: number, patches: Patch[]): AsyncGenerator<Buffer> {
  const times = dosDateTime(mtime);
  const extra = extendedTimestamp(mtime);
  const directory: Buffer[] = [];
  let offset = 0;
  for (const entry of entries) {
    // Refuse before spending a deflate pass on a file this format cannot describe.
    const size = uint32(await sourceSize(entry), `the size of ${entry.name}`);
    const local = localHeader(entry, commonFields(entry.name, newMeasure(), times, extra), extra);
    yield local;
    const written = newMeasure();
    yield* deflated(entry.source, written);
    // The size was checked against the format's limit; the bytes read must be those bytes.
    if (written.size !== size) throw new Error(`${entry.source} changed size while it was being zipped.`);
    const fields = commonFields(entry.name, written, times, extra);
    patches.push({ position: offset + LOCAL_FIELDS_AT + SIZES_AT, bytes: fields.subarray(SIZES_AT, SIZES_AT + SIZES_LENGTH) });
    directory.push(centralRecord(entry, fields, extra, offset));
    offset += local.length + written.compressedSize;
  }
  const centralDirectory = Buffer.concat(directory);
  yield centralDirectory;
  yield endOfCentralDirectory(entries.length, centralDirectory.length, offset);
}

function newMeasure(): Measure {
  return { crc: 0, size: 0, compressedSize: 0 };
}

/** The deflated bytes of `source`, adding up CRC-32 and both sizes in `totals` as they pass. */
async function* deflated(source: string, totals: Measure): AsyncGenerator<Buffer> {
  async function* counted(): AsyncGenerator<Buffer> {
    for await (const chunk of createReadStream(source) as AsyncIterable<Buffer>) {
      totals.crc = crc32(chunk, totals.crc);
      totals.size += chunk.length;
      yield chunk;
    }
  }
  for await (const chunk of piped(counted(), createDeflateRaw({ level: DEFLATE_LEVEL })) as AsyncIterable<Buffer>) {
    totals.compressedSize += chunk.length;
    yield chunk;
  }
}

/**
 * The 26 bytes a local header and its central directory record share, from
 * "version needed" through "extra field length".
 */
function commonFields(name: string, totals: Measure, times: { time: number; date: number }, extra: Buffer): Buffer {
  const fields = Buffer.alloc(26);
  fields.writeUInt16LE(VERSION_NEEDED, 0);
  // Flags: all clear. Bits 1-2 zero say "normal compression"; bit 3 (data descriptor),
  // encryption and bit 11 (UTF-8 names; ours are ASCII) are not used.
  fields.writeUInt16LE(0, 2);
  fields.writeUInt16LE(METHOD_DEFLATE, 4);
  fields.writeUInt16LE(times.time, 6);
  fields.writeUInt16LE(times.date, 8);
  fields.writeUInt32LE(totals.crc, 10);
  fields.writeUInt32LE(uint32(totals.compressedSize, `the compressed size of ${name}`), 14);
  fields.writeUInt32LE(uint32(totals.size, `the size of ${name}`), 18);
  fields.writeUInt16LE(name.length, 22);
  fields.writeUInt16LE(extra.length, 24);
  return fields;
}

function localHeader(entry: ArchiveEntry, fields: Buffer, extra: Buffer): Buffer {
  const header = Buffer.alloc(30);
  header.writeUInt32LE(0x04034b50, 0);
  fields.copy(header, LOCAL_FIELDS_AT);
  return Buffer.concat([header, Buffer.from(entry.name, 'ascii'), extra]);
}

function centralRecord(entry: ArchiveEntry, fields: Buffer, extra: Buffer, localHeaderOffset: number): Buffer {
  const record = Buffer.alloc(46);
  record.writeUInt32LE(0x02014b50, 0);
  record.writeUInt16LE(VERSION_MADE_BY, 4);
  fields.copy(record, 6);
  // 32-37: comment length, disk number start, internal attributes (binary): all zero.
  record.writeUInt32LE(((S_IFREG | entry.mode) << 16) >>> 0, 38); // external attributes: st_mode in the high half
  record.writeUInt32LE(uint32(localHeaderOffset, 'the offset of a local header'), 42);
  return Buffer.concat([record, Buffer.from(entry.name, 'ascii'), extra]);
}

function endOfCentralDirectory(count: number, size: number, offset: number): Buffer {
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  // 4-7: this disk and the central directory's disk: both 0.
  end.writeUInt16LE(count, 8); // entries on this disk
  end.writeUInt16LE(count, 10); // entries in total
  end.writeUInt32LE(uint32(size, 'the central directory size'), 12);
  end.writeUInt32LE(uint32(offset, 'the central directory offset'), 16);
  // 20-21: comment length 0.
  return end;
}

/**
 * DOS date and time of `mtime` in UTC, the convention of reproducible zips (the
 * format has no time zone). DOS dates start in 1980, so earlier times are
 * clamped; the extended timestamp still carries the exact value.
 */
function dosDateTime(mtime: number): { time: number; date: number } {
  const at = new Date(Math.max(mtime, DOS_EPOCH) * 1000);
  return {
    // DOS time counts seconds in twos.
    time: (at.getUTCHours() << 11) | (at.getUTCMinutes() << 5) | (at.getUTCSeconds() >> 1),
    date: ((at.getUTCFullYear() - 1980) << 9) | ((at.getUTCMonth() + 1) << 5) | at.getUTCDate(),
  };
}

/**
 * Info-ZIP's extended timestamp (0x5455) with only the modification time: exact
 * to the second and in UTC, so unzip restores `mtime` whatever the time zone.
 * The same bytes serve the local header and the central directory.
 */
function extendedTimestamp(mtime: number): Buffer {
  const field = Buffer.alloc(9);
  field.writeUInt16LE(0x5455, 0);
  field.writeUInt16LE(5, 2); // data size
  field.writeUInt8(1, 4); // flags: modification time present
  field.writeInt32LE(mtime, 5);
  return field;
}

/** `value`, if a zip without Zip64 can record it; all sizes and offsets there are 32 bits. */
function uint32(value: number, what: string): number {
  if (value >= 2 ** 32) {
    throw new Error(`Cannot zip: ${what} is ${value} bytes, 4 GiB or more, which needs Zip64 and this writer does not write it.`);
  }
  return value;
}
