import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { InputError } from '../../src/shared/errors.js';
import { checkVersionAgainstImages } from '../../src/inputs/version.js';

describe('checkVersionAgainstImages rejects', () => {
  const cases: readonly (readonly [string, string, string, RegExp])[] = [
    [
      'a leading v',
      'v0.3.7',
      'v0.3.7',
      /'v0\.3\.7' starts with v, but ktctl adds its own: it would pull kt-connect-shadow:vv0\.3\.7 and kt-connect-router:vv0\.3\.7, which do not exist\. Write 0\.3\.7/,
    ],
    ['a leading v on a branch build', 'v0.3.7', 'master', /kt-connect-shadow:vv0\.3\.7 .* Write 0\.3\.7/],
    ['a leading v before a pre-release', 'v0.3.6-beta1', 'v0.3.6-beta1', /kt-connect-shadow:vv0\.3\.6-beta1 .* Write 0\.3\.6-beta1/],
    [
      'an older release',
      '0.3.6',
      'v0.3.7',
      /'0\.3\.6' is not the kt-connect release being built \(v0\.3\.7\): ktctl would pull kt-connect-shadow:v0\.3\.6 and kt-connect-router:v0\.3\.6, .* Use 0\.3\.7/,
    ],
    [
      'a version of your own',
      '1.0.0',
      'v0.3.7',
      /kt-connect-shadow:v1\.0\.0 .* Use 0\.3\.7, leave version empty, or set both global\.image and mesh\.router-image in kt-config/,
    ],
    ['dev', 'dev', 'v0.3.7', /kt-connect-shadow:vdev and kt-connect-router:vdev/],
    ['a suffixed release', '0.3.7-acme', 'v0.3.7', /kt-connect-shadow:v0\.3\.7-acme/],
    ['the release of a pre-release tag', '0.3.6', 'v0.3.6-beta1', /Use 0\.3\.6-beta1/],
    ['a word starting with v, not a number', 'vnext', 'v0.3.7', /'vnext' is not the kt-connect release being built/],
  ];
  for (const [name, version, tag, pattern] of cases) {
    test(name, () => {
      assert.throws(
        () => checkVersionAgainstImages(version, tag, false),
        (error: unknown) => {
          assert.ok(error instanceof InputError, `not an InputError: ${String(error)}`);
          assert.equal(error.input, 'version');
          assert.match(error.message, /^Input 'version': /);
          assert.match(error.message, pattern);
          return true;
        },
      );
    });
  }
});

describe('checkVersionAgainstImages accepts', () => {
  const cases: readonly (readonly [string, string, string, boolean])[] = [
    ['an empty version (the default)', '', 'v0.3.7', false],
    ['an empty version on a branch', '', 'master', false],
    ['the bare release', '0.3.7', 'v0.3.7', false],
    ['the bare pre-release', '0.3.6-beta1', 'v0.3.6-beta1', false],
    ['a tag without v', '0.3.7', '0.3.7', false],
    ['a leading v when the kt config sets both images', 'v0.3.7', 'v0.3.7', true],
    ['a version of your own when the kt config sets both images', '1.0.0-acme', 'v0.3.7', true],
    // A branch has no images of its own: naming a release is how a branch build gets pullable ones.
    ['a release number on a branch build', '0.3.7', 'master', false],
  ];
  for (const [name, version, tag, overridesImages] of cases) {
    test(name, () => {
      assert.doesNotThrow(() => checkVersionAgainstImages(version, tag, overridesImages));
    });
  }
});
