// The output folder on a real disk: what resolves inside the workspace, what is refused, and
// moves that replace a link instead of writing through it.
import assert from 'node:assert/strict';
import { lstatSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { InputError } from '../../src/shared/errors.js';
import { isInside, makeFolderWithoutLinks, moveWithoutFollowing, resolveOutputDir } from '../../src/shared/output-folder.js';

const root = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'ktctl-output-folder-')));
after(() => rmSync(root, { recursive: true, force: true }));

describe('resolveOutputDir', () => {
  const workspace = path.join(root, 'ws');
  const outside = path.join(root, 'outside');
  mkdirSync(path.join(workspace, 'real'), { recursive: true });
  mkdirSync(outside);
  symlinkSync(path.join(workspace, 'real'), path.join(workspace, 'inner-link'));
  symlinkSync(outside, path.join(workspace, 'outer-link'));
  symlinkSync(workspace, path.join(workspace, 'self-link'));
  writeFileSync(path.join(workspace, 'file'), 'x');

  test('a folder not there yet, or one reached by a link that stays inside, resolves to its real path', async () => {
    assert.equal(await resolveOutputDir(path.join(workspace, 'new', 'deeper'), workspace), path.join(workspace, 'new', 'deeper'));
    assert.equal(await resolveOutputDir(path.join(workspace, 'inner-link', 'sub'), workspace), path.join(workspace, 'real', 'sub'));
    assert.equal(await resolveOutputDir(path.join(workspace, 'real'), workspace), path.join(workspace, 'real'));
  });

  test('a link out, a link to the workspace itself, a file on the way: refused naming output-dir', async () => {
    for (const dir of ['outer-link', 'outer-link/sub', 'self-link', 'file', 'file/sub']) {
      await assert.rejects(
        resolveOutputDir(path.join(workspace, dir), workspace),
        (error: unknown) => error instanceof InputError && error.input === 'output-dir',
        dir,
      );
    }
  });

  test('isInside is strict and not fooled by a common prefix', () => {
    assert.ok(isInside('/w/a', '/w'));
    assert.ok(!isInside('/w', '/w'));
    assert.ok(!isInside('/wx/a', '/w'));
    assert.ok(!isInside('/', '/w'));
  });
});

describe('writing into the output folder', () => {
  test('makeFolderWithoutLinks creates what is missing and refuses a link on the way', async () => {
    const base = path.join(root, 'make');
    await makeFolderWithoutLinks(path.join(base, 'a', 'b'));
    assert.ok(lstatSync(path.join(base, 'a', 'b')).isDirectory());
    symlinkSync(path.join(root, 'outside'), path.join(base, 'link'));
    await assert.rejects(makeFolderWithoutLinks(path.join(base, 'link', 'c')), /is a link/);
  });

  test('moveWithoutFollowing replaces a link at the destination and leaves its target alone', async () => {
    const dir = path.join(root, 'move');
    mkdirSync(dir);
    const target = path.join(root, 'victim');
    writeFileSync(target, 'victim');
    const from = path.join(dir, 'staged');
    writeFileSync(from, 'archive', { mode: 0o600 });
    symlinkSync(target, path.join(dir, 'archive.zip'));
    await moveWithoutFollowing(from, path.join(dir, 'archive.zip'));
    assert.equal(readFileSync(target, 'utf8'), 'victim');
    assert.ok(lstatSync(path.join(dir, 'archive.zip')).isFile());
    assert.equal(readFileSync(path.join(dir, 'archive.zip'), 'utf8'), 'archive');
  });
});
