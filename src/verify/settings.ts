// What ktctl must show of the embedded kt config, and whether a target can run on this machine.
// Pure: the output of ktctl is parsed here, never printed.
import type { Target } from '../model.js';
import type { HostPlatform } from '../toolchain/index.js';

// ---- what ktctl must show of the kt config ----

/** Settings `ktctl config show` never lists (upstream's hiddenOptions in pkg/kt/command/config/show.go). */
export const HIDDEN_SETTINGS: ReadonlySet<string> = new Set(['global.as-worker']);

/** The settings (names only) that `ktctl config show` did not list with their embedded value as `(build-in)`. */
export function settingsNotShown(output: string, expected: ReadonlyMap<string, string>): string[] {
  // each a search of the whole output: a value may span lines
  const text = `\n${output.replace(/\r\n/g, '\n')}\n`;
  const missing: string[] = [];
  for (const [key, value] of expected) {
    if (HIDDEN_SETTINGS.has(key)) continue;
    if (!text.includes(`\n${key} = ${value}  (build-in)\n`)) missing.push(key);
  }
  return missing;
}

/** True when one line of `ktctl --version` holds the version as a word (`ktctl version 0.3.7`). */
export function showsVersion(output: string, version: string): boolean {
  return output.split(/\r?\n/).some((line) => line.trim().split(/\s+/).includes(version));
}

/** The target this machine can run: the host's own platform. */
export function runsHere(target: Target, host: HostPlatform): boolean {
  return target.os === host.os && target.arch === host.arch;
}
