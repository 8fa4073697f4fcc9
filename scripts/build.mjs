// Bundles the action (and the local command) with ncc into one folder, `dist` by default, and
// stamps it with what it was made of (dist-stamp.mjs). The bundle test calls this with a scratch
// folder and compares the result with dist/.
import { execFileSync } from 'node:child_process';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
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
  execFileSync(process.execPath, [ncc, 'build', entry, '-o', dir, '--license', 'licenses.txt', '--quiet'], { cwd: root, stdio: 'inherit' });
}
writeFileSync(path.join(out, STAMP_NAME), `${JSON.stringify(stampOf(root, out), null, 2)}\n`);
