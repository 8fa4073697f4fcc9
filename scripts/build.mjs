// Bundles the action (and the local command) with ncc into one folder, `dist` by default, and
// stamps it with what it was made of (dist-stamp.mjs). The bundle test calls this with a scratch
// folder and compares the result with dist/.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { STAMP_NAME, stampOf } from './dist-stamp.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = path.resolve(process.argv[2] ?? path.join(root, 'dist'));
const ncc = path.join(root, 'node_modules', '@vercel', 'ncc', 'dist', 'ncc', 'cli.js');

rmSync(out, { recursive: true, force: true });
const bundles = [
  ['src/index.ts', out],
  ['src/cli/index.ts', path.join(out, 'cli')],
];
for (const [entry, dir] of bundles) {
  if (!existsSync(path.join(root, entry))) continue;
  execFileSync(process.execPath, [ncc, 'build', entry, '-o', dir, '--license', '[name].licenses.txt', '--quiet'], { cwd: root, stdio: 'inherit' });
  mergeLicenses(dir);
}
writeFileSync(path.join(out, STAMP_NAME), `${JSON.stringify(stampOf(root, out), null, 2)}\n`);

/**
 * The bundle is split (@actions/artifact and @actions/cache are loaded only when a run uses them),
 * and ncc's license plugin writes one list per chunk: under one file name, each chunk's list
 * replaced the one before and licenses.txt named only the last chunk's packages. So each chunk
 * writes `<chunk>.licenses.txt`, and they are merged here into licenses.txt: every package once,
 * sorted by name, in the plugin's own layout (name, license, text; a blank line between).
 */
function mergeLicenses(dir) {
  const lists = readdirSync(dir).filter((name) => name.endsWith('.licenses.txt'));
  const names = packageNames(path.join(root, 'node_modules'));
  const entries = new Map();
  for (const list of lists) {
    // the plugin trims the end of a list, so the same license may end with or without a newline
    for (const entry of splitLicenses(readFileSync(path.join(dir, list), 'utf8'), names, list)) entries.set(entry.trimEnd(), entry.split('\n', 1)[0]);
    rmSync(path.join(dir, list));
  }
  const sorted = [...entries].sort(([a, nameA], [b, nameB]) => (nameA === nameB ? (a < b ? -1 : 1) : nameA < nameB ? -1 : 1));
  writeFileSync(path.join(dir, 'licenses.txt'), `${sorted.map(([entry]) => entry).join('\n\n')}\n`);
}

/**
 * A list's entries: one starts at the list's start, or after a blank line at a line that is the
 * name of an installed package and sorts after the entry before (the plugin sorts by name). A list
 * that does not split that way stops the build rather than lose a license.
 */
function splitLicenses(text, names, list) {
  const lines = text.replace(/\n$/, '').split('\n');
  const entries = [];
  let start = 0;
  for (let i = 2; i < lines.length; i++) {
    if (lines[i - 1] === '' && names.has(lines[i]) && lines[i] > lines[start]) {
      entries.push(lines.slice(start, i - 1).join('\n'));
      start = i;
    }
  }
  entries.push(lines.slice(start).join('\n'));
  for (const entry of entries) {
    if (!names.has(entry.split('\n', 1)[0])) throw new Error(`${list}: cannot tell where a package's license begins`);
  }
  return entries;
}

/** The name of every package below `modules`, nested ones included. */
function packageNames(modules, names = new Set()) {
  for (const entry of readdirSync(modules, { withFileTypes: true })) {
    if (!entry.isDirectory() || entry.name.startsWith('.')) continue;
    const dir = path.join(modules, entry.name);
    if (entry.name.startsWith('@')) {
      packageNames(dir, names);
      continue;
    }
    const manifest = path.join(dir, 'package.json');
    if (existsSync(manifest)) {
      const name = JSON.parse(readFileSync(manifest, 'utf8')).name;
      if (typeof name === 'string') names.add(name);
    }
    if (existsSync(path.join(dir, 'node_modules'))) packageNames(path.join(dir, 'node_modules'), names);
  }
  return names;
}
