// The patches input: patterns parsed purely, then resolved in a real folder, never through a link.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { InputError } from '../../src/errors.js';
import { firstFailedHunk } from '../../src/customize-tree.js';
import { parsePatchPatterns, resolvePatches } from '../../src/patches.js';

const root = mkdtempSync(path.join(os.tmpdir(), 'ktctl-patches-'));
const workspace = path.join(root, 'workspace');
after(() => rmSync(root, { recursive: true, force: true }));

function write(relative: string, text: string): void {
  mkdirSync(path.dirname(path.join(workspace, relative)), { recursive: true });
  writeFileSync(path.join(workspace, relative), text);
}
write('patches/02-second.patch', 'two\n');
write('patches/01-first.patch', 'one\n');
write('patches/.hidden.patch', 'hidden\n');
write('patches/notes.txt', 'not a patch\n');
write('fixes/deep/03-third.diff', 'three\n');
write('outside-target.patch', 'outside\n');
symlinkSync(path.join(workspace, 'outside-target.patch'), path.join(workspace, 'patches/09-link.diff'));
mkdirSync(path.join(root, 'elsewhere'));
writeFileSync(path.join(root, 'elsewhere', 'x.patch'), 'x\n');
symlinkSync(path.join(root, 'elsewhere'), path.join(workspace, 'linked-dir'));

const sha = (text: string): string => createHash('sha256').update(text).digest('hex');

test('patterns: new lines or commas, order kept, empties dropped', () => {
  assert.deepEqual(parsePatchPatterns(''), []);
  assert.deepEqual(parsePatchPatterns(' b.patch, a.patch\n\n patches/*.patch \n'), ['b.patch', 'a.patch', 'patches/*.patch']);
});

test('a pattern that could leave the workspace is refused before any file is read', () => {
  for (const bad of ['/etc/passwd', '../x.patch', 'patches/../../x.patch', '~/x.patch', 'C:/x.patch', 'patches/{a,b}.patch']) {
    assert.throws(() => parsePatchPatterns(bad), (error: Error) => error instanceof InputError && error.input === 'patches', bad);
  }
});

test('paths and globs resolve in the order given, globs sorted, each file once, hidden files only when named', async () => {
  const files = await resolvePatches(['fixes/**/*.diff', 'patches/0*.patch', 'patches/01-first.patch'], workspace);
  assert.deepEqual(
    files.map((file) => [file.name, file.sha256]),
    [
      ['fixes/deep/03-third.diff', sha('three\n')],
      ['patches/01-first.patch', sha('one\n')],
      ['patches/02-second.patch', sha('two\n')],
    ],
  );
  assert.equal(files[0]!.path, path.join(workspace, 'fixes/deep/03-third.diff'));
  assert.deepEqual((await resolvePatches(['patches/.hidden.patch'], workspace)).map((file) => file.name), ['patches/.hidden.patch']);
});

test('a link, as the file or on the way to it, is refused; a pattern that matches nothing fails', async () => {
  for (const pattern of ['patches/*.diff', 'patches/09-link.diff', 'linked-dir/x.patch', 'linked-dir/*.patch']) {
    await assert.rejects(resolvePatches([pattern], workspace), (error: Error) => error instanceof InputError && /symbolic link/.test(error.message), pattern);
  }
  await assert.rejects(resolvePatches(['patches/*.rej'], workspace), /Input 'patches': 'patches\/\*\.rej' matches no file/);
  await assert.rejects(resolvePatches(['patches'], workspace), /matches no file/, 'a folder is not a patch');
});

test("git apply's first failed hunk is read from its errors", () => {
  const stderr = 'error: patch failed: pkg/kt/util/const.go:27\nerror: pkg/kt/util/const.go: patch does not apply\n';
  assert.equal(firstFailedHunk(stderr), 'pkg/kt/util/const.go:27');
  assert.equal(firstFailedHunk('error: cmd/x.go: No such file or directory\n'), undefined);
});
