// Edits of the kt-connect checkout before it is built: the layout check, the calling
// repository's patches (`git apply`), and the navigator image for `image-registry`.
import { lstat, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { InputError } from './errors.js';
import { IMAGE_CONSTANTS_FILE, readImageConstants, rewriteNavigator, type ImageRole } from './images.js';
import type { PatchFile } from './model.js';
import { readPatch } from './patches.js';
import { runUnchecked } from './process.js';
import { gitEnv } from './source.js';
import { sha256Hex } from './hash.js';

export const CUSTOMIZE_FILE = 'hack/customize.go';
const EMBEDS = ['//go:embed kube/config', '//go:embed kt/config'] as const;

/** A regular file of the checkout, read without following a link; undefined when absent. */
async function readTreeFile(dir: string, relative: string): Promise<string | undefined> {
  let current = dir;
  for (const part of relative.split('/')) {
    current = path.join(current, part);
    const stats = await lstat(current).catch(() => undefined);
    if (stats === undefined || stats.isSymbolicLink()) return undefined;
  }
  return readFile(current, 'utf8');
}

/**
 * The layout this action builds: hack/customize.go embedding both files. A fork that moved or
 * removed it would build a ktctl without the configs, so it fails here, before any build.
 */
export async function checkCustomizeHook(dir: string, where: string): Promise<void> {
  const text = await readTreeFile(dir, CUSTOMIZE_FILE);
  const missing = text === undefined ? [...EMBEDS] : EMBEDS.filter((line) => !text.split(/\r?\n/).some((l) => l.trim() === line));
  if (missing.length > 0) {
    throw new Error(
      `${where} does not have the layout this action builds: it looked for ${CUSTOMIZE_FILE} (a regular file) with the lines ` +
        `\`${EMBEDS.join('` and `')}\` (upstream's customization hook since v0.3.5), and ` +
        `${text === undefined ? `${CUSTOMIZE_FILE} is not there` : `it lacks \`${missing.join('` and `')}\``}. ` +
        `Build a kt-connect that keeps upstream's hack/ folder (input 'kt-connect-repository', 'kt-connect-version').`,
    );
  }
}

/** `error: patch failed: pkg/kt/util/const.go:27`: the first hunk git could not place. */
export function firstFailedHunk(stderr: string): string | undefined {
  return /^error: patch failed: (.+:\d+)\s*$/m.exec(stderr)?.[1];
}

/** git's own reason, on a line of its own: "patch does not apply", "No such file or directory", ... */
function gitReason(stderr: string): string {
  const lines = stderr.split(/\r?\n/).filter((line) => line.startsWith('error: ') && !line.startsWith('error: patch failed:'));
  return (lines[0] ?? stderr.split(/\r?\n/).find((line) => line.trim() !== '') ?? 'git apply failed').replace(/^error: /, '').slice(0, 300);
}

/**
 * Applies each patch in order, each first checked with `git apply --check`. The bytes applied are
 * the bytes fingerprinted: each file is read again, its SHA-256 compared, and copied to `scratch`.
 */
export async function applyPatches(dir: string, patches: readonly PatchFile[], scratch: string): Promise<void> {
  if (patches.length === 0) return;
  await mkdir(scratch, { recursive: true, mode: 0o700 });
  for (const [index, patch] of patches.entries()) {
    const bytes = await readPatch(patch.path, patch.name);
    if (sha256Hex(bytes) !== patch.sha256) {
      throw new InputError('patches', `${patch.name} changed while this run read it; run again.`);
    }
    // a link made in the tree could carry a later write (the configs) outside it
    if (/^(?:new file mode|new mode) 120000\s*$/m.test(bytes.toString('latin1'))) {
      throw new InputError('patches', `${patch.name} makes a symbolic link in kt-connect's tree, which this action refuses; change files, not links.`);
    }
    const copy = path.join(scratch, `${index}.patch`);
    await writeFile(copy, bytes, { mode: 0o600 });
    for (const step of [['--check'], []]) {
      const result = await runUnchecked('git', ['apply', ...step, '--', copy], { cwd: dir, env: gitEnv(), what: `git apply of ${patch.name}` });
      if (result.code !== 0) {
        const hunk = firstFailedHunk(result.output);
        throw new InputError(
          'patches',
          `${patch.name} does not apply to this kt-connect${hunk === undefined ? '' : `: the first hunk that failed is at ${hunk}`} (git apply: ${gitReason(result.output)}). ` +
            'Refresh the patch against the kt-connect-version being built, or remove it.',
        );
      }
    }
  }
}

export interface TreeImages {
  /** The repositories in const.go as checked out (and patched), before image-registry's rewrite. */
  readonly upstream: Record<ImageRole, string> | undefined;
  /** The navigator repository before the rewrite, when image-registry rewrote it. */
  readonly replacedNavigator: string | undefined;
}

/**
 * Reads the image constants and, with `navigatorRepository`, rewrites ImageKtNavigator. Without a
 * rewrite a const.go of another shape only means the images are not known; with one, it fails.
 */
export async function redirectImages(dir: string, navigatorRepository: string | undefined): Promise<TreeImages> {
  const source = await readTreeFile(dir, IMAGE_CONSTANTS_FILE);
  const upstream = source === undefined ? undefined : readImageConstants(source);
  if (navigatorRepository === undefined) return { upstream, replacedNavigator: undefined };
  if (source === undefined) {
    throw new Error(
      `${IMAGE_CONSTANTS_FILE} is not in this kt-connect (or is a link), so input 'image-registry' cannot redirect the navigator image (ImageKtNavigator); this is another version or a fork than the action knows.`,
    );
  }
  const { text, previous } = rewriteNavigator(source, navigatorRepository);
  await writeFile(path.join(dir, IMAGE_CONSTANTS_FILE), text);
  return { upstream, replacedNavigator: previous };
}
