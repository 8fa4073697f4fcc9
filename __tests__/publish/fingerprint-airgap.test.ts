// image-registry and patches decide the binaries, so they decide the fingerprint; builds that use
// neither keep the fingerprint they had before these inputs existed.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { computeFingerprint } from '../../src/publish/fingerprint.js';
import { baseParts } from './helpers.js';

const PATCH_A = { name: 'patches/01-dns.patch', sha256: 'a'.repeat(64) };
const PATCH_B = { name: 'patches/02-help.patch', sha256: 'b'.repeat(64) };

test('no registry and no patches: the fingerprint is what it was', () => {
  assert.equal(computeFingerprint(baseParts({ patches: [] })), computeFingerprint(baseParts()));
  // what the action computed for these parts before image-registry and patches existed: the
  // fingerprint document of a build that uses neither is unchanged
  assert.equal(computeFingerprint(baseParts()), '304cc5d6aa1dacbffbe724a471f59a58fceb7230b87466fe8126070cf8510910');
});

test('a changed patch changes it, an unchanged one does not; order matters', () => {
  const one = computeFingerprint(baseParts({ patches: [PATCH_A] }));
  assert.notEqual(one, computeFingerprint(baseParts()));
  assert.equal(computeFingerprint(baseParts({ patches: [{ ...PATCH_A }] })), one);
  assert.notEqual(computeFingerprint(baseParts({ patches: [{ ...PATCH_A, sha256: 'c'.repeat(64) }] })), one);
  assert.notEqual(computeFingerprint(baseParts({ patches: [PATCH_A, PATCH_B] })), computeFingerprint(baseParts({ patches: [PATCH_B, PATCH_A] })));
});

test('image-registry changes it even when the kt config already names the same images', () => {
  const plain = computeFingerprint(baseParts());
  assert.notEqual(computeFingerprint(baseParts({ imageRegistry: 'registry.example.com/kt' })), plain);
  assert.notEqual(
    computeFingerprint(baseParts({ imageRegistry: 'registry.example.com/kt' })),
    computeFingerprint(baseParts({ imageRegistry: 'registry.example.com/other' })),
  );
});
