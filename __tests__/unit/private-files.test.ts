// The one helper every write goes through: exclusive, no-follow creation; modes whatever the umask.
import assert from 'node:assert/strict';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { makePrivateFolder, makeTreePrivate, replaceFile, writePrivateFile, writeTreeFile } from '../../src/shared/private-files.js';

const root = mkdtempSync(path.join(os.tmpdir(), 'ktctl-private-'));
after(() => rmSync(root, { recursive: true, force: true }));
const victim = path.join(root, 'victim');
writeFileSync(victim, 'the runner\n');
const modeOf = (file: string): number => lstatSync(file).mode & 0o777;

test('a new file is 0600 and never written through a link at its name, nor over anything there', async () => {
  const previous = process.umask(0);
  try {
    await writePrivateFile(path.join(root, 'a'), 'secret');
    assert.equal(modeOf(path.join(root, 'a')), 0o600, 'not 0666 with a umask of 0');
  } finally {
    process.umask(previous);
  }
  symlinkSync(victim, path.join(root, 'link'));
  await assert.rejects(writePrivateFile(path.join(root, 'link'), 'secret'), { code: 'EEXIST' });
  symlinkSync(path.join(root, 'nowhere'), path.join(root, 'dangling'));
  await assert.rejects(writePrivateFile(path.join(root, 'dangling'), 'secret'), { code: 'EEXIST' });
  assert.equal(existsSync(path.join(root, 'nowhere')), false, 'nothing created at a dangling target');
  assert.equal(readFileSync(victim, 'utf8'), 'the runner\n');
});

test('replacing a file or a tree file replaces a link at the name, its target untouched', async () => {
  symlinkSync(victim, path.join(root, 'checksums.txt'));
  await replaceFile(path.join(root, 'checksums.txt'), 'sums\n', 0o644);
  assert.ok(lstatSync(path.join(root, 'checksums.txt')).isFile());
  assert.equal(modeOf(path.join(root, 'checksums.txt')), 0o644);
  symlinkSync(victim, path.join(root, 'config'));
  await writeTreeFile(path.join(root, 'config'), 'kubeconfig');
  assert.equal(readFileSync(path.join(root, 'config'), 'utf8'), 'kubeconfig');
  assert.equal(modeOf(path.join(root, 'config')), 0o600);
  assert.equal(readFileSync(victim, 'utf8'), 'the runner\n');
});

test('folders are made 0700 whatever the umask, and a link on the way is refused', async () => {
  const previous = process.umask(0o022);
  try {
    await makePrivateFolder(path.join(root, 'x', 'y', 'z'));
    for (const folder of ['x', 'x/y', 'x/y/z']) assert.equal(modeOf(path.join(root, folder)), 0o700, folder);
  } finally {
    process.umask(previous);
  }
  mkdirSync(path.join(root, 'elsewhere'));
  symlinkSync(path.join(root, 'elsewhere'), path.join(root, 'linked'));
  await assert.rejects(makePrivateFolder(path.join(root, 'linked')), /is a link/);
  await assert.rejects(makePrivateFolder(path.join(root, 'linked', 'below')), /is a link/);
  assert.equal(existsSync(path.join(root, 'elsewhere', 'below')), false);
});

test('a tree another library wrote is made private, links left alone', async () => {
  const tree = path.join(root, 'artifact');
  mkdirSync(path.join(tree, 'sub'), { recursive: true, mode: 0o755 });
  writeFileSync(path.join(tree, 'sub', 'a.zip'), 'zip', { mode: 0o644 });
  symlinkSync(victim, path.join(tree, 'link'));
  await makeTreePrivate(tree);
  assert.equal(modeOf(tree), 0o700);
  assert.equal(modeOf(path.join(tree, 'sub')), 0o700);
  assert.equal(modeOf(path.join(tree, 'sub', 'a.zip')), 0o600);
  assert.equal(modeOf(victim), 0o644);
});
