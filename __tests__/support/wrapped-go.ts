// A runner whose cached Go has some of its programs wrapped by a script: a fault of the real
// compiler's world, made on purpose (a go that builds for another platform, a linker that finds a
// file of the build cache gone). The rest of that Go is links to the seeded one, so nothing is
// unpacked again; the action finds it as it finds any cached Go.
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, realpathSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { World } from './e2e-setup.js';
import type { RunnerDirs } from './run-action.js';

/**
 * `scripts`: a shell script for each wrapped program, by its path in GOROOT (`bin/go`,
 * `pkg/tool/linux_amd64/link`). The program itself stays beside it as `<name>.real`: a script
 * runs it as `"$0.real"`.
 */
export function runnerWithWrappedGo(world: World, scripts: Readonly<Record<string, string>>): RunnerDirs {
  const dirs = world.newRunner();
  const name = readdirSync(dirs.toolCache).find((entry) => entry.startsWith('go-'));
  assert.ok(name !== undefined, 'the runner is seeded with Go');
  const [version] = readdirSync(path.join(dirs.toolCache, name));
  const cached = path.join(dirs.toolCache, name, version!, 'x64');
  const goroot = realpathSync(cached);
  unlinkSync(cached);
  // a folder of links to the entries of `from`; a folder on a wrapped program's path is made anew
  const mirror = (from: string, to: string, prefix: string): void => {
    mkdirSync(to);
    for (const entry of readdirSync(from)) {
      const inGoroot = prefix + entry;
      const script = scripts[inGoroot];
      if (script !== undefined) {
        symlinkSync(path.join(from, entry), path.join(to, `${entry}.real`));
        writeFileSync(path.join(to, entry), script, { mode: 0o755 });
      } else if (Object.keys(scripts).some((wrapped) => wrapped.startsWith(`${inGoroot}/`))) {
        mirror(path.join(from, entry), path.join(to, entry), `${inGoroot}/`);
      } else {
        symlinkSync(path.join(from, entry), path.join(to, entry));
      }
    }
  };
  mirror(goroot, cached, '');
  return dirs;
}

/**
 * A linker that, the first time it links, removes one file of `gocache` that it is about to read
 * (the first `packagefile` of its importcfg inside that cache) and writes that file's path to
 * `mark`: what another run that shares the cache does when it scrubs an entry this build just
 * found there. Later links run as they are.
 */
export function vanishingCacheLinker(gocache: string, mark: string): string {
  // bash for exec -a: Go reads the linker's ID from its `-V=full` line, which begins with argv[0]
  return `#!/bin/bash
cfg=""
prev=""
for arg in "$@"; do
  if [ "$prev" = "-importcfg" ]; then cfg="$arg"; fi
  prev="$arg"
done
if [ -n "$cfg" ] && [ ! -e '${mark}' ]; then
  file=$(sed -n 's|^packagefile [^=]*=\\(${gocache}/.*\\)$|\\1|p' "$cfg" | head -n 1)
  if [ -n "$file" ]; then
    rm -f "$file"
    printf '%s\\n' "$file" > '${mark}'
  fi
fi
exec -a "$0" "$0.real" "$@"
`;
}
