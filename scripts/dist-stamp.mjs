// What dist/ was bundled from, and what it holds: the digest of every file the bundle is made of
// (src/, the lockfile, the compiler and build settings) and of every file of dist/. scripts/build.mjs
// writes both into dist/stamp.json; npm test's dist check recomputes them in a second, so a change
// to src/ without `npm run build`, or a hand edit of dist/, fails the loop. Whether the bundle is
// really what src/ makes is checked by bundling again (__tests__/unit/dist-bundle.test.ts, in
// npm run test:all, which CI runs): a minute of ncc.
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';

export const STAMP_NAME = 'stamp.json';

/** The files a bundle is made of, relative to the root, sorted. */
export function bundleInputs(root) {
  const src = readdirSync(path.join(root, 'src'), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(root, path.join(entry.parentPath, entry.name)));
  return [...src, 'package.json', 'package-lock.json', 'tsconfig.json', 'scripts/build.mjs'].map((file) => file.split(path.sep).join('/')).sort();
}

/** Every file of a built dist/ but the stamp, relative, sorted. */
export function bundleOutputs(dist) {
  return readdirSync(dist, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(dist, path.join(entry.parentPath, entry.name)).split(path.sep).join('/'))
    .filter((file) => file !== STAMP_NAME)
    .sort();
}

/** One digest of files: each name and its bytes, in order. */
export function digestOf(dir, files) {
  const hash = createHash('sha256');
  for (const file of files) {
    const bytes = readFileSync(path.join(dir, file));
    hash.update(`${file}\0${bytes.length}\0`).update(bytes);
  }
  return hash.digest('hex');
}

/** The stamp of `dist` built from `root`. */
export function stampOf(root, dist) {
  return { inputs: digestOf(root, bundleInputs(root)), outputs: digestOf(dist, bundleOutputs(dist)) };
}
