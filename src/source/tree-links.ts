// No symbolic link enters the build. A link in kt-connect's tree could point at any file of the
// runner (a Go file compiled into ktctl, a secret read by `go:embed`), or carry a later write
// (the configs) out of the scratch folder. What a patch does is decided from what git says it
// will do (`git apply --summary`) and from the tree as it is afterwards (a walk with lstat), not
// from the patch's spelling: git reads `new file mode 120755`, `0120000` and `mode  120000` as
// links too.
import { readdir } from 'node:fs/promises';
import path from 'node:path';

/** The file type bits of a git mode, and the type of a symbolic link (S_IFLNK). */
const TYPE_BITS = 0o170000;
const LINK_TYPE = 0o120000;

/** A mode as git prints it (octal digits) that makes a symbolic link. */
export function isLinkMode(octal: string): boolean {
  if (!/^[0-7]{1,12}$/.test(octal)) return false;
  return (Number.parseInt(octal, 8) & TYPE_BITS) === LINK_TYPE;
}

/**
 * The modes `git apply --summary` says a patch gives files: ` create mode 120000 name`,
 * ` delete mode …`, ` mode change 100644 => 120000 name`, and the `(mode …)` of a rewrite or
 * rename. Only the digits are read, so a file name cannot look like a mode. One pass per line.
 */
export function summaryModes(summary: string): string[] {
  const modes: string[] = [];
  for (const line of summary.split('\n')) {
    const created = /^ (?:create|delete) mode ([0-7]+) /.exec(line);
    if (created !== null) modes.push(created[1]!);
    const changed = /^ mode change ([0-7]+) => ([0-7]+) /.exec(line);
    if (changed !== null) modes.push(changed[1]!, changed[2]!);
    const inline = /\(mode ([0-7]+)\)$/.exec(line.trimEnd());
    if (inline !== null && /^ (?:rewrite|rename|copy) /.test(line)) modes.push(inline[1]!);
  }
  return modes;
}

/**
 * Every symbolic link in `dir` (relative paths with '/', sorted), git's own folder at the top
 * left out. Walks with the entries' own types (lstat's view) and a queue: no link is followed, and a deep tree costs no stack.
 */
export async function linksInTree(dir: string): Promise<string[]> {
  const links: string[] = [];
  const pending: string[] = [''];
  while (pending.length > 0) {
    const relative = pending.pop()!;
    for (const entry of await readdir(path.join(dir, relative), { withFileTypes: true })) {
      const name = relative === '' ? entry.name : `${relative}/${entry.name}`;
      if (name === '.git') continue;
      if (entry.isSymbolicLink()) links.push(name);
      else if (entry.isDirectory()) pending.push(name);
    }
  }
  return links.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}
