// Downloads are unpacked by the system's tar and unzip, started through process.ts (so a cancelled
// run stops them too): real archives of each format made here, unpacked and read back; a file that
// is no archive is refused naming the input.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { extractDownload, unpackCommand, type ArchiveFormat } from '../../src/toolchain/extract.js';

const folder = mkdtempSync(path.join(os.tmpdir(), 'extract-'));
after(() => rmSync(folder, { recursive: true, force: true }));

const stage = path.join(folder, 'stage');
mkdirSync(path.join(stage, 'go', 'bin'), { recursive: true });
writeFileSync(path.join(stage, 'go', 'bin', 'go'), 'the go command\n');

const archives: Record<ArchiveFormat, string> = {
  'tar.gz': path.join(folder, 'go.tar.gz'),
  'tar.xz': path.join(folder, 'upx.tar.xz'),
  zip: path.join(folder, 'wintun.zip'),
};
execFileSync('tar', ['-czf', archives['tar.gz'], '-C', stage, 'go']);
execFileSync('tar', ['-cJf', archives['tar.xz'], '-C', stage, 'go']);
execFileSync('zip', ['-q', '-r', archives.zip, 'go'], { cwd: stage });

for (const format of ['tar.gz', 'tar.xz', 'zip'] as const) {
  test(`a ${format} archive is unpacked and its file taken`, async () => {
    const into = path.join(folder, `out-${format}`);
    const result = await extractDownload(
      archives[format],
      format,
      { input: 'go-download-base-url', url: 'https://example.test/go' },
      { into, take: ['go/bin/go'] },
    );
    assert.equal(result, into);
    assert.equal(readFileSync(path.join(into, 'go', 'bin', 'go'), 'utf8'), 'the go command\n');
  });
}

test('a file that is no archive is refused, naming the input, and leaves no folder', async () => {
  const notGz = path.join(folder, 'error-page.tar.gz');
  writeFileSync(notGz, '<html>Not Found</html>\n');
  const into = path.join(folder, 'out-bad');
  await assert.rejects(
    extractDownload(notGz, 'tar.gz', { input: 'upx-download-base-url', url: 'https://user:secret@example.test/upx' }, { into, take: ['go/bin/go'] }),
    (error: unknown) => {
      assert.ok(error instanceof Error);
      assert.match(error.message, /^Input 'upx-download-base-url': .* is not a valid tar\.gz archive \(tar unpacking error-page\.tar\.gz failed/);
      assert.doesNotMatch(error.message, /secret/);
      return true;
    },
  );
  assert.throws(() => readFileSync(into), /ENOENT/);
});

test('the unpacker for each format and platform', () => {
  assert.deepEqual(unpackCommand('/d/go.tar.gz', 'tar.gz', '/o', 'linux'), { command: 'tar', args: ['-x', '-z', '-f', '/d/go.tar.gz', '-C', '/o'] });
  assert.deepEqual(unpackCommand('/d/upx.tar.xz', 'tar.xz', '/o', 'darwin'), { command: 'tar', args: ['-x', '-J', '-f', '/d/upx.tar.xz', '-C', '/o'] });
  assert.deepEqual(unpackCommand('/d/w.zip', 'zip', '/o', 'linux'), { command: 'unzip', args: ['-o', '-q', '/d/w.zip', '-d', '/o'] });
  // Windows: its own bsdtar, never a GNU tar first on PATH (which reads no zip)
  assert.deepEqual(unpackCommand('C:\\d\\w.zip', 'zip', 'C:\\o', 'win32', { SystemRoot: 'D:\\Win' }), {
    command: 'D:\\Win\\System32\\tar.exe',
    args: ['-x', '-f', 'C:\\d\\w.zip', '-C', 'C:\\o'],
  });
});
