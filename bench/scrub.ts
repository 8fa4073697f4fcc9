// `node --import tsx bench/scrub.ts GOCACHE KUBECONFIG-FILE KT-CONFIG-FILE`: the CPU and
// wall time of the build cache scrub (src/build/compile.ts scrubBuildCache) over a real GOCACHE,
// left by builds of kt-connect with those two files embedded. The scrub runs on a copy
// (it removes the entries that hold the configs), as after a cold run: every entry new.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { scrubBuildCache } from '../src/build/compile.js';

const [gocache, ...configFiles] = process.argv.slice(2);
if (gocache === undefined || configFiles.length === 0) throw new Error('usage: bench/scrub.ts GOCACHE CONFIG-FILE...');
const secrets = configFiles.map((file) => readFileSync(file, 'utf8'));

/** Files and bytes under `dir`. */
function census(dir: string): { files: number; bytes: number } {
  let files = 0;
  let bytes = 0;
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    files++;
    bytes += statSync(path.join(entry.parentPath, entry.name)).size;
  }
  return { files, bytes };
}

const scratch = mkdtempSync(path.join(os.tmpdir(), 'ktctl-bench-scrub-'));
try {
  const copy = path.join(scratch, 'gocache');
  execFileSync('cp', ['-a', gocache, copy]);
  const { files, bytes } = census(copy);
  // warm the page cache, as right after a build: the scrub reads what go just wrote
  execFileSync(
    'cat',
    [
      ...readdirSync(copy, { recursive: true, withFileTypes: true })
        .filter((e) => e.isFile())
        .map((e) => path.join(e.parentPath, e.name)),
    ],
    { stdio: 'ignore', maxBuffer: 1 << 30 },
  );
  const before = process.resourceUsage();
  const started = performance.now();
  const removed = scrubBuildCache(copy, 0, secrets);
  const wall = (performance.now() - started) / 1000;
  const after = process.resourceUsage();
  const cpu = (after.userCPUTime - before.userCPUTime + after.systemCPUTime - before.systemCPUTime) / 1e6;
  process.stdout.write(
    `scrub over ${files} files, ${(bytes / 2 ** 20).toFixed(0)} MiB: ${cpu.toFixed(2)} s CPU (user ${((after.userCPUTime - before.userCPUTime) / 1e6).toFixed(2)}, ` +
      `sys ${((after.systemCPUTime - before.systemCPUTime) / 1e6).toFixed(2)}), ${wall.toFixed(2)} s wall, removed ${removed} entries\n`,
  );
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
