// Edits of the kt-connect checkout before it is built: the layout check, the calling
// repository's patches (`git apply`), and the navigator image for `image-registry`.
import { lstat, readFile } from 'node:fs/promises';
import path from 'node:path';
import { readPatch } from '../inputs/index.js';
import { IMAGE_CONSTANTS_FILE, readImageConstants, rewriteNavigator, type ImageRole } from '../plan/index.js';
import { InputError, runUnchecked, makePrivateFolder, writePrivateFile, writeTreeFile, printable, sha256Hex } from '../shared/index.js';
import type { PatchFile } from '../model.js';
import { gitEnv } from './git.js';
import { isLinkMode, linksInTree, summaryModes } from './tree-links.js';

const CUSTOMIZE_FILE = 'hack/customize.go';
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
 * `--index`: git takes every file a patch reads (a copy's or rename's source) from the index,
 * so `copy from ../../etc/hostname` fails as "does not exist in index" instead of copying a file
 * of the runner into the tree. No link: not in the checkout, not in what git says a patch makes,
 * not in the tree after each patch.
 */
export async function applyPatches(dir: string, patches: readonly PatchFile[], scratch: string): Promise<void> {
  const inCheckout = await linksInTree(dir);
  if (inCheckout.length > 0) {
    throw new Error(
      `kt-connect's tree holds a symbolic link (${printable(inCheckout[0]!, 120)}); this action builds only trees without links. ` +
        "Check inputs 'kt-connect-repository' and 'kt-connect-version' (is this kt-connect's own tree?).",
    );
  }
  if (patches.length === 0) return;
  await makePrivateFolder(scratch);
  for (const [index, patch] of patches.entries()) {
    const bytes = await readPatch(patch.path, patch.name);
    if (sha256Hex(bytes) !== patch.sha256) {
      throw new InputError('patches', `${patch.name} changed while this run read it; run again.`);
    }
    const copy = path.join(scratch, `${index}.patch`);
    await writePrivateFile(copy, bytes);
    const refuseLink = (where: string): never => {
      throw new InputError(
        'patches',
        `${patch.name} makes a symbolic link${where} in kt-connect's tree, which this action refuses (a link could bring a file from outside the tree into ktctl); change files, not links.`,
      );
    };
    // what git will do, in git's words: a mode is a link whatever the patch's spelling of it
    const summary = await runUnchecked('git', ['apply', '--index', '--summary', '--', copy], { cwd: dir, env: gitEnv(), what: `git apply of ${patch.name}` });
    if (summaryModes(summary.output).some(isLinkMode)) refuseLink('');
    for (const step of [['--check'], []]) {
      const result = await runUnchecked('git', ['apply', '--index', ...step, '--', copy], { cwd: dir, env: gitEnv(), what: `git apply of ${patch.name}` });
      if (result.code !== 0) {
        const hunk = firstFailedHunk(result.output);
        throw new InputError(
          'patches',
          `${patch.name} does not apply to this kt-connect${hunk === undefined ? '' : `: the first hunk that failed is at ${hunk}`} (git apply: ${gitReason(result.output)}). ` +
            'Refresh the patch against the kt-connect-version being built, or remove it.',
        );
      }
    }
    // and what git did: any spelling the summary did not show is caught in the tree itself
    const made = await linksInTree(dir);
    if (made.length > 0) refuseLink(` (${printable(made[0]!, 120)})`);
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
  await writeTreeFile(path.join(dir, IMAGE_CONSTANTS_FILE), text);
  return { upstream, replacedNavigator: previous };
}
