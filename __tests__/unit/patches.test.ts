// The patches input: patterns parsed purely, then resolved in a real folder, never through a link.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { InputError } from '../../src/shared/errors.js';
import { applyPatches, firstFailedHunk } from '../../src/source/customize-tree.js';
import { parsePatchPatterns, resolvePatches } from '../../src/inputs/patches.js';
import { isLinkMode, linksInTree, summaryModes } from '../../src/source/tree-links.js';

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
    assert.throws(
      () => parsePatchPatterns(bad),
      (error: Error) => error instanceof InputError && error.input === 'patches',
      bad,
    );
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
  assert.deepEqual(
    (await resolvePatches(['patches/.hidden.patch'], workspace)).map((file) => file.name),
    ['patches/.hidden.patch'],
  );
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

test('applyPatches: real git applies in order, names the failed hunk, refuses links', async () => {
  const tree = path.join(root, 'tree');
  mkdirSync(tree);
  const git = (...args: string[]): string => execFileSync('git', args, { cwd: tree, encoding: 'utf8' });
  git('init', '--quiet');
  writeFileSync(path.join(tree, 'a.txt'), 'one\ntwo\nthree\n');
  git('add', '-A');
  git('-c', 'user.name=t', '-c', 'user.email=t@example.invalid', 'commit', '--quiet', '-m', 'base');
  const diffOf = (edit: () => void): string => {
    edit();
    const diff = git('diff');
    git('checkout', '--', '.');
    return diff;
  };
  const first = diffOf(() => writeFileSync(path.join(tree, 'a.txt'), 'one\nTWO\nthree\n'));
  write('p/1.patch', first);
  // the second patch only applies on top of the first: each is checked after the one before is applied
  git('apply', '--index', '--', path.join(workspace, 'p/1.patch'));
  const second = diffOf(() => writeFileSync(path.join(tree, 'a.txt'), 'one\nTWO\nTHREE\n'));
  git('reset', '--hard', '--quiet');
  write('p/2.patch', second);
  await applyPatches(tree, await resolvePatches(['p/1.patch', 'p/2.patch'], workspace), path.join(root, 'scratch-1'));
  assert.equal(readFileSync(path.join(tree, 'a.txt'), 'utf8'), 'one\nTWO\nTHREE\n');

  // applied again: the first no longer fits
  await assert.rejects(
    applyPatches(tree, await resolvePatches(['p/1.patch'], workspace), path.join(root, 'scratch-2')),
    /Input 'patches': p\/1\.patch does not apply to this kt-connect: the first hunk that failed is at a\.txt:1 \(git apply: a\.txt: patch does not apply\)/,
  );
  write(
    'p/link.patch',
    'diff --git a/l b/l\nnew file mode 120000\nindex 0000000..1111111\n--- /dev/null\n+++ b/l\n@@ -0,0 +1 @@\n+/etc\n\\ No newline at end of file\n',
  );
  await assert.rejects(applyPatches(tree, await resolvePatches(['p/link.patch'], workspace), path.join(root, 'scratch-3')), /makes a symbolic link/);
  assert.ok(!existsSync(path.join(tree, 'l')));
  // a file changed after it was resolved is not applied: the fingerprint named other bytes
  const resolved = await resolvePatches(['p/2.patch'], workspace);
  write('p/2.patch', first);
  await assert.rejects(applyPatches(tree, resolved, path.join(root, 'scratch-4')), /changed while this run read it/);
});

/** A patch that makes `name` a link to `target`, with `modeLine` spelling the new file's mode. */
function linkPatch(name: string, target: string, modeLine: string): string {
  return (
    `diff --git a/${name} b/${name}\n${modeLine}\nindex 0000000..1111111\n--- /dev/null\n+++ b/${name}\n` +
    `@@ -0,0 +1 @@\n+${target}\n\\ No newline at end of file\n`
  );
}

test('git modes: a link whatever the spelling; the summary is read for digits only', () => {
  for (const mode of ['120000', '120755', '0120000', '120644', '127777']) assert.equal(isLinkMode(mode), true, mode);
  for (const mode of ['100644', '100755', '160000', '040000', '12000000', '020000', '', '12x000']) assert.equal(isLinkMode(mode), false, mode);
  assert.deepEqual(summaryModes(' create mode 120755 l\n mode change 100644 => 120000 a b\n rename a => b (90%)\n create mode 100644 mode change 1 => 2 x\n'), [
    '120755',
    '100644',
    '120000',
    '100644',
  ]);
});

test('applyPatches: no spelling git reads as a link gets through, nor a copy of a file outside the tree', async () => {
  const tree = path.join(root, 'tree-links');
  mkdirSync(tree);
  const git = (...args: string[]): string => execFileSync('git', args, { cwd: tree, encoding: 'utf8' });
  git('init', '--quiet');
  writeFileSync(path.join(tree, 'a.txt'), 'one\n');
  git('add', '-A');
  git('-c', 'user.name=t', '-c', 'user.email=t@example.invalid', 'commit', '--quiet', '-m', 'base');
  const secret = path.join(root, 'elsewhere', 'secret.txt');
  writeFileSync(secret, 'a file of the runner\n');
  const spellings = ['new file mode 120000', 'new file mode 120755', 'new file mode  120000', 'new file mode 0120000', 'new file mode 120644'];
  for (const [index, spelling] of spellings.entries()) {
    write(`links/${index}.patch`, linkPatch('l.go', secret, spelling));
    await assert.rejects(
      applyPatches(tree, await resolvePatches([`links/${index}.patch`], workspace), path.join(root, `scratch-link-${index}`)),
      (error: Error) => error instanceof InputError && error.input === 'patches' && error.message.includes(`links/${index}.patch makes a symbolic link`),
      spelling,
    );
    assert.ok(!existsSync(path.join(tree, 'l.go')), spelling);
  }
  // git copies a file named by `copy from` from outside the work tree unless it must be in the index
  const relativeSecret = path.relative(tree, secret);
  write('links/copy.patch', `diff --git a/x b/copied.txt\nsimilarity index 100%\ncopy from ${relativeSecret}\ncopy to copied.txt\n`);
  await assert.rejects(
    applyPatches(tree, await resolvePatches(['links/copy.patch'], workspace), path.join(root, 'scratch-copy')),
    /Input 'patches': links\/copy\.patch does not apply to this kt-connect .*does not exist in index/,
  );
  assert.ok(!existsSync(path.join(tree, 'copied.txt')));
  // a link already in the checkout is refused too, naming the kt-connect inputs
  symlinkSync(secret, path.join(tree, 'planted'));
  await assert.rejects(applyPatches(tree, [], path.join(root, 'scratch-planted')), /tree holds a symbolic link \(planted\).*'kt-connect-repository'/);
  assert.deepEqual(await linksInTree(tree), ['planted']);
});
