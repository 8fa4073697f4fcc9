// Removes a folder a test made, whatever it holds: Go's module cache is read-only by design
// (go mod download makes every file and folder 0444/0555), so a plain rm fails on it and a
// suite that forgets its folders fills the disk after a few runs.
import { chmod, lstat, readdir, rm } from 'node:fs/promises';
import path from 'node:path';

/** Makes every folder below `dir` writable (never following a link), then removes `dir`. */
export async function removeTree(dir: string): Promise<void> {
  await makeWritable(dir);
  await rm(dir, { recursive: true, force: true });
}

async function makeWritable(dir: string): Promise<void> {
  let stats;
  try {
    stats = await lstat(dir);
  } catch {
    return;
  }
  if (!stats.isDirectory()) return;
  await chmod(dir, 0o700);
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) await makeWritable(path.join(dir, entry.name));
  }
}
