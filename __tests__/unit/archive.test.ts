// The archive writers, checked by the tools people will open the archives with:
// unzip, GNU tar, Python's zipfile and Java's streaming ZipInputStream. Nothing is mocked.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { crc32 } from 'node:zlib';
import path from 'node:path';
import { writeTarGz, writeZip, type ArchiveEntry, type ArchiveResult } from '../../src/package/archive/index.js';

/** Odd on purpose: a DOS time holds even seconds only, so an exact restore proves the extended timestamp is read. */
const MTIME = 1_700_000_001;
const BINARY_SIZE = 3 * 1024 * 1024;

const formats: ReadonlyArray<{ name: string; extension: string; write: typeof writeZip }> = [
  { name: 'zip', extension: '.zip', write: writeZip },
  { name: 'tar.gz', extension: '.tar.gz', write: writeTarGz },
];

let work: string;
let entries: ArchiveEntry[];

before(() => {
  work = mkdtempSync(path.join(tmpdir(), 'archive-test-'));
  const binary = path.join(work, 'source-binary');
  const dll = path.join(work, 'source-dll');
  writeFileSync(binary, randomBytes(BINARY_SIZE));
  writeFileSync(dll, 'not really a DLL\n'.repeat(40));
  // Both sources are 0600 on disk: the modes in the archive must come from the entries.
  for (const file of [binary, dll]) chmodSync(file, 0o600);
  entries = [
    { name: 'ktctl', source: binary, mode: 0o755 },
    { name: 'wintun.dll', source: dll, mode: 0o644 },
  ];
});

after(() => rmSync(work, { recursive: true, force: true }));

/** A fresh, empty folder under the test's temp folder. */
function folder(name: string): string {
  const dir = path.join(work, name);
  mkdirSync(dir);
  return dir;
}

function sha256Of(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

/** Same bytes as the source, executable exactly when the entry's mode says so, and `MTIME` to the second. */
function assertExtracted(dir: string): void {
  for (const entry of entries) {
    const file = path.join(dir, entry.name);
    assert.ok(readFileSync(file).equals(readFileSync(entry.source)), `${entry.name}: bytes differ`);
    const info = statSync(file);
    assert.equal(info.mode & 0o111, entry.mode & 0o111, `${entry.name}: executable bits`);
    assert.equal(info.mtime.getTime(), MTIME * 1000, `${entry.name}: mtime`);
  }
}

function assertResultMatchesFile(result: ArchiveResult, file: string): void {
  assert.equal(result.size, statSync(file).size);
  assert.equal(result.sha256, sha256Of(file));
}

test('zip: unzip lists Unix modes and normal deflate, and extracts the bytes, executable bit and exact mtime', async () => {
  const dir = folder('zip-unzip');
  const archive = path.join(dir, 'release.zip');
  await writeZip(archive, entries, MTIME);

  // -t inflates every entry and checks its CRC-32
  assert.match(execFileSync('unzip', ['-t', archive], { encoding: 'utf8' }), /^No errors detected in compressed data of /m);
  const listing = execFileSync('unzip', ['-Z', '-l', archive], { encoding: 'utf8' });
  assert.match(listing, new RegExp(`^-rwxr-xr-x\\s+2\\.0 unx\\s+${BINARY_SIZE} bx\\s+\\d+ defN .* ktctl$`, 'm'));
  assert.match(listing, /^-rw-r--r--\s+2\.0 unx\s+680 bx\s+\d+ defN .* wintun\.dll$/m);

  const out = folder('zip-unzip-out');
  execFileSync('unzip', ['-o', '-q', '-d', out, archive]);
  assert.deepEqual(readdirSync(out).sort(), ['ktctl', 'wintun.dll']);
  assertExtracted(out);
});

test("zip: Python's zipfile reads it, testzip() finds nothing wrong, and no data descriptor is used", async () => {
  const archive = path.join(folder('zip-python'), 'release.zip');
  await writeZip(archive, entries, MTIME);

  const script = [
    'import hashlib, json, sys, zipfile',
    'with zipfile.ZipFile(sys.argv[1]) as z:',
    '    print(json.dumps({"bad": z.testzip(), "entries": [{"name": i.filename, "system": i.create_system,',
    '        "mode": i.external_attr >> 16, "flags": i.flag_bits, "method": i.compress_type,',
    '        "sha256": hashlib.sha256(z.read(i)).hexdigest()} for i in z.infolist()]}))',
  ].join('\n');
  const report = JSON.parse(execFileSync('python3', ['-c', script, archive], { encoding: 'utf8' })) as {
    bad: string | null;
    entries: { name: string; system: number; mode: number; flags: number; method: number; sha256: string }[];
  };
  assert.equal(report.bad, null);
  assert.deepEqual(
    report.entries,
    entries.map((entry) => ({
      name: entry.name,
      system: 3, // Unix
      mode: 0o100000 | entry.mode,
      flags: 0x0000, // normal compression; bit 3 (data descriptor) clear
      method: 8, // deflate
      sha256: sha256Of(entry.source),
    })),
  );
});

/**
 * A streaming reader: Java's ZipInputStream on a pipe, which never sees the central
 * directory before the data. It takes CRC-32 and sizes from each local header (printed
 * before the entry is read) and throws if the data disagrees with them.
 */
const STREAMING_READER = `
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

public class Streaming {
  public static void main(String[] args) throws Exception {
    try (ZipInputStream zip = new ZipInputStream(System.in)) {
      ZipEntry entry;
      while ((entry = zip.getNextEntry()) != null) {
        String header = entry.getName() + " " + entry.getMethod() + " " + entry.getCrc() + " " + entry.getCompressedSize() + " " + entry.getSize();
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        byte[] buffer = new byte[65536];
        long read = 0;
        for (int n; (n = zip.read(buffer)) > 0; read += n) sha.update(buffer, 0, n);
        System.out.println(header + " " + read + " " + HexFormat.of().formatHex(sha.digest()));
      }
    }
  }
}
`;

test("zip: Java's ZipInputStream streams it from a pipe: each local header holds the real CRC-32 and sizes", async () => {
  const dir = folder('zip-java');
  const archive = path.join(dir, 'release.zip');
  await writeZip(archive, entries, MTIME);
  const program = path.join(dir, 'Streaming.java');
  writeFileSync(program, STREAMING_READER);

  // stdin is a pipe: the reader cannot seek to the central directory
  const streamed = execFileSync('java', [program], { input: readFileSync(archive), encoding: 'utf8' })
    .trim()
    .split('\n');
  // the compressed sizes the central directory records, which the local headers must repeat
  const central = execFileSync('python3', ['-c', 'import sys, zipfile\nfor i in zipfile.ZipFile(sys.argv[1]).infolist(): print(i.compress_size)', archive], {
    encoding: 'utf8',
  })
    .trim()
    .split('\n');
  assert.deepEqual(
    streamed,
    entries.map((entry, index) => {
      const bytes = readFileSync(entry.source);
      // name, method (8: deflate), then from the local header: CRC-32, compressed size, size; then what was read
      return `${entry.name} 8 ${crc32(bytes)} ${central[index]} ${bytes.length} ${bytes.length} ${sha256Of(entry.source)}`;
    }),
  );
});

test('tar.gz: tar lists root-owned entries with their modes, and extracts the bytes, executable bit and exact mtime', async () => {
  const dir = folder('tar');
  const archive = path.join(dir, 'release.tar.gz');
  await writeTarGz(archive, entries, MTIME);

  // The gzip header's own timestamp (bytes 4-7) is zero, or every build would differ.
  assert.deepEqual([...readFileSync(archive).subarray(4, 8)], [0, 0, 0, 0]);

  const listing = execFileSync('tar', ['-tvzf', archive], { encoding: 'utf8' });
  assert.match(listing, new RegExp(`^-rwxr-xr-x root/root\\s+${BINARY_SIZE} .* ktctl$`, 'm'));
  assert.match(listing, /^-rw-r--r-- root\/root\s+680 .* wintun\.dll$/m);

  const out = folder('tar-out');
  execFileSync('tar', ['-xzf', archive, '-C', out]);
  assert.deepEqual(readdirSync(out).sort(), ['ktctl', 'wintun.dll']);
  assertExtracted(out);
});

for (const format of formats) {
  test(`${format.name}: the same inputs give byte-identical archives, and the result is the file's size and SHA-256`, async () => {
    const dir = folder(`deterministic-${format.name}`);
    const first = path.join(dir, `first${format.extension}`);
    const second = path.join(dir, `second${format.extension}`);
    const firstResult = await format.write(first, entries, MTIME);
    const secondResult = await format.write(second, entries, MTIME);

    assert.deepEqual(secondResult, firstResult);
    assertResultMatchesFile(firstResult, first);
    assertResultMatchesFile(secondResult, second);
    assert.deepEqual(readdirSync(dir).sort(), [`first${format.extension}`, `second${format.extension}`]);

    const otherTime = await format.write(path.join(dir, `other${format.extension}`), entries, MTIME + 60);
    assert.notEqual(otherTime.sha256, firstResult.sha256, 'mtime must reach the archive');
  });

  test(`${format.name}: a missing source rejects and leaves neither the archive nor its .partial file`, async () => {
    const dir = folder(`missing-${format.name}`);
    const archive = path.join(dir, `release${format.extension}`);
    // The missing file comes second, so the first entry has already been written when it fails.
    const withMissing = [...entries, { name: 'gone', source: path.join(work, 'no-such-file'), mode: 0o644 }];

    await assert.rejects(format.write(archive, withMissing, MTIME), { code: 'ENOENT' });
    assert.equal(existsSync(archive), false);
    assert.equal(existsSync(`${archive}.partial`), false);
    assert.deepEqual(readdirSync(dir), []);
  });
}

test('zip: a file of 4 GiB refuses with an error naming Zip64, before reading it', async () => {
  const dir = folder('zip-too-big');
  const huge = path.join(work, 'huge-sparse');
  writeFileSync(huge, '');
  truncateSync(huge, 2 ** 32); // sparse: no 4 GiB of disk needed
  const archive = path.join(dir, 'release.zip');

  await assert.rejects(writeZip(archive, [{ name: 'ktctl', source: huge, mode: 0o755 }], MTIME), /4 GiB or more, which needs Zip64/);
  assert.deepEqual(readdirSync(dir), []);
});

test('both formats refuse entry names that are paths', async () => {
  const archive = path.join(folder('bad-name'), 'release');
  for (const name of ['bin/ktctl', '..', 'C:\\ktctl', '']) {
    const bad = [{ name, source: entries[0]!.source, mode: 0o755 }];
    await assert.rejects(writeZip(archive, bad, MTIME), /must be a plain file name/);
    await assert.rejects(writeTarGz(archive, bad, MTIME), /must be a plain file name/);
  }
});
