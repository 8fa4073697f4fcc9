// Searches a file for byte strings without reading it whole: build cache entries and binaries
// reach tens of megabytes, and the cache scrub runs from a signal handler, so this is
// synchronous and reads through one reusable buffer.
import { closeSync, openSync, readSync } from 'node:fs';

/** Bytes read at a time. */
export const SLICE = 1 << 20;

/** A buffer for searches with these needles: SLICE bytes plus the longest needle. */
export function searchBuffer(needles: readonly Buffer[]): Buffer {
  return Buffer.alloc(SLICE + Math.max(0, ...needles.map((needle) => needle.length)));
}

/**
 * The indexes of `needles` found in the file, reading it once in slices that overlap by the
 * longest needle, so a needle across a slice boundary is found. Stops reading as soon as
 * `enough` of them are found. Empty needles are never "found".
 */
function foundInFile(file: string, needles: readonly Buffer[], buffer: Buffer, enough: number): Set<number> {
  const wanted = needles.map((_, index) => index).filter((index) => needles[index]!.length > 0);
  const found = new Set<number>();
  if (wanted.length === 0) return found;
  const overlap = Math.max(...wanted.map((index) => needles[index]!.length)) - 1;
  const fd = openSync(file, 'r');
  try {
    let kept = 0;
    for (;;) {
      const read = readSync(fd, buffer, kept, SLICE, null);
      if (read === 0) return found;
      const view = buffer.subarray(0, kept + read);
      for (const index of wanted) if (!found.has(index) && view.includes(needles[index]!)) found.add(index);
      if (found.size >= Math.min(enough, wanted.length)) return found;
      kept = Math.min(overlap, view.length);
      view.copy(buffer, 0, view.length - kept);
    }
  } finally {
    closeSync(fd);
  }
}

/** Whether any of `needles` occurs in the file. `buffer` comes from searchBuffer(needles). */
export function fileContains(file: string, needles: readonly Buffer[], buffer: Buffer = searchBuffer(needles)): boolean {
  return foundInFile(file, needles, buffer, 1).size > 0;
}

/** The indexes of the non-empty `needles` that do not occur in the file. */
export function missingInFile(file: string, needles: readonly Buffer[]): number[] {
  const found = foundInFile(file, needles, searchBuffer(needles), needles.length);
  return needles.map((_, index) => index).filter((index) => needles[index]!.length > 0 && !found.has(index));
}
