// Gets kt-connect: finds the tag with `git ls-remote` (any host, no API quota), clones it
// shallowly, and writes the two files that ktctl embeds.
import { constants } from 'node:fs';
import { lstat, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { EmbeddedConfigs, UpstreamRelease, UpstreamRequest } from '../model.js';
import { checkPinnedCommit } from '../plan/index.js';
import {
  networkLimits,
  type NetworkLimits,
  ProcessError,
  run,
  type ProcessOptions,
  type ProcessResult,
  type SilenceLimit,
  redactUrl,
  redactUrlCredentials,
  makePrivateFolder,
  writeTreeFile,
  newestFirst,
  parseLsRemoteTags,
  pickLatestTag,
} from '../shared/index.js';

/**
 * git must never prompt (there is nobody to answer) and may only use transports that
 * fetch data: `ext::` runs commands.
 */
export function gitEnv(base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return {
    ...base,
    GIT_TERMINAL_PROMPT: '0',
    GIT_ALLOW_PROTOCOL: 'https:http:ssh:git:file',
    GCM_INTERACTIVE: 'never',
  };
}

/**
 * Runs git for the repository at `url`. git's messages quote the URL, sometimes as git read it
 * (`https://ss@host` for `https://bot:pa@ss@host`), so whatever git printed is cleared of the
 * URL's credentials before it goes into an error.
 */
async function gitFor(url: string, args: readonly string[], options: ProcessOptions): Promise<ProcessResult> {
  try {
    return await run('git', args, { ...options, env: gitEnv() });
  } catch (error) {
    if (error instanceof ProcessError) {
      throw new ProcessError(redactUrlCredentials(error.what, url), error.code, redactUrlCredentials(error.tail, url));
    }
    if (error instanceof Error) {
      error.message = redactUrlCredentials(error.message, url);
      throw error;
    }
    throw new Error(redactUrlCredentials(String(error), url));
  }
}

/**
 * git's own limit for http(s): a transfer slower than 1 byte/s for the idle limit ends with
 * an error. It has none for connecting, nor for git:// and ssh; for those the silence
 * watchdog stops git, with its helpers, when it prints nothing for too long.
 */
export function gitNetworkOptions(limits: NetworkLimits): string[] {
  return ['-c', 'http.lowSpeedLimit=1', '-c', `http.lowSpeedTime=${limits.idleSeconds}`];
}

/** How long git may stay silent: connect and first answer, then between two outputs (with --progress, each update counts). */
export function gitSilenceLimit(limits: NetworkLimits): SilenceLimit {
  return { firstMs: (limits.connectSeconds + limits.idleSeconds) * 1000, idleMs: limits.idleSeconds * 1000 };
}

export async function resolveUpstream(request: UpstreamRequest): Promise<UpstreamRelease> {
  const where = redactUrl(request.url);
  const limits = networkLimits(process.env);
  // ls-remote prints only when the server has answered: its silence limit covers the whole call
  const { output } = await gitFor(request.url, [...gitNetworkOptions(limits), 'ls-remote', '--tags', '--', request.url], {
    what: `git ls-remote of ${where} (input 'kt-connect-repository'; check that it names a repository this runner can reach, with its credentials)`,
    silence: gitSilenceLimit(limits),
  });
  const tags = parseLsRemoteTags(output);
  const chosen = request.version === 'latest' ? pickLatestTag(tags) : tags.find((ref) => ref.tag === request.version);
  if (chosen === undefined) {
    throw new Error(
      request.version === 'latest'
        ? `Input 'kt-connect-version': ${where} has no release tag (vX.Y.Z); name a tag explicitly.`
        : `Input 'kt-connect-version': ${where} has no tag '${request.version}'; use latest or one of its newest release tags: ${newestTags(tags)}.`,
    );
  }
  checkPinnedCommit(request, chosen.tag, chosen.commit);
  return chosen;
}

function newestTags(tags: readonly { tag: string }[]): string {
  return (
    newestFirst(tags.map((ref) => ref.tag))
      .slice(0, 5)
      .join(', ') || 'none'
  );
}

export interface Checkout {
  readonly dir: string;
  /** Committer time of the tagged commit: the timestamp stamped into archives. */
  readonly commitTime: number;
  readonly goMod: string;
  /** '' when the module has no dependencies. */
  readonly goSum: string;
}

export async function checkout(request: UpstreamRequest, release: UpstreamRelease, dir: string): Promise<Checkout> {
  const where = redactUrl(request.url);
  // init + fetch of refs/tags/<tag>: `clone --branch` would take a branch of the same name
  const git = (args: string[], what: string) => gitFor(request.url, args, { cwd: dir, what });
  await makePrivateFolder(dir);
  await git(['init', '--quiet'], 'git init');
  const limits = networkLimits(process.env);
  // --progress: its updates are the sign of life the silence watchdog waits for
  await gitFor(request.url, [...gitNetworkOptions(limits), 'fetch', '--progress', '--depth', '1', '--no-tags', '--', request.url, `refs/tags/${release.tag}`], {
    cwd: dir,
    what: `git fetch of ${where} at ${release.tag} (input 'kt-connect-repository')`,
    silence: gitSilenceLimit(limits),
  });
  await git(['-c', 'advice.detachedHead=false', 'checkout', '--quiet', '--detach', 'FETCH_HEAD'], `git checkout of ${release.tag}`);
  const head = (await gitFor(request.url, ['rev-parse', 'HEAD'], { cwd: dir })).output.trim();
  if (head !== release.commit) {
    throw new Error(`${release.tag} of ${where} moved while this run read it (${release.commit} then ${head}); run again.`);
  }
  const commitTime = Number((await gitFor(request.url, ['log', '-1', '--format=%ct'], { cwd: dir })).output.trim());
  const goMod = await readTreeFile(dir, 'go.mod', release.tag);
  if (goMod === undefined) throw new Error(`${release.tag} of ${where} has no go.mod at its root: is this kt-connect?`);
  const goSum = (await readTreeFile(dir, 'go.sum', release.tag)) ?? '';
  return { dir, commitTime, goMod, goSum };
}

/** The files of kt-connect's customization hook (hack/customize.go embeds them). */
const KUBECONFIG_FILE = path.join('hack', 'kube', 'config');
const KT_CONFIG_FILE = path.join('hack', 'kt', 'config');

/**
 * Upstream's tree on the way to the two files: real folders and regular files. A checkout is
 * not hash-pinned (a mirror, a moved tag), and a link anywhere here would carry the kubeconfig
 * out of the scratch folder when it is written, or a runner file into the binary when it is not.
 */
const HOOK_LAYOUT: readonly (readonly [string, 'folder' | 'file'])[] = [
  ['hack', 'folder'],
  ['hack/customize.go', 'file'],
  ['hack/kube', 'folder'],
  ['hack/kube/config', 'file'],
  ['hack/kt', 'folder'],
  ['hack/kt/config', 'file'],
];

/**
 * Refuses a tree whose hook is not laid out as upstream's: lstat, so a link is seen as a link.
 * `missing: 'allowed'` refuses only links and entries of the wrong kind: run right after the
 * checkout, before anything reads the tree, while a missing hook is told apart later (a fork's
 * layout is checked with its own message, and a patch may still add files).
 */
export async function checkHookLayout(dir: string, tag: string, missing: 'refused' | 'allowed' = 'refused'): Promise<void> {
  for (const [name, kind] of HOOK_LAYOUT) {
    let found: string;
    try {
      const stats = await lstat(path.join(dir, ...name.split('/')));
      if (kind === 'folder' ? stats.isDirectory() : stats.isFile()) continue;
      found = stats.isSymbolicLink() ? 'a symbolic link' : stats.isDirectory() ? 'a folder' : 'not a regular file';
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR') throw error;
      if (missing === 'allowed') continue;
      if (name === 'hack/customize.go' || name === 'hack') {
        throw new Error(`kt-connect ${tag} has no hack/customize.go, so it cannot embed a config: use v0.3.5 or newer (input 'kt-connect-version').`);
      }
      found = 'missing';
    }
    throw new Error(
      `kt-connect ${tag}: ${name} is ${found}, where kt-connect has a ${kind === 'folder' ? 'folder' : 'regular file'}; the configs are written only as regular files inside the checkout. ` +
        "Check inputs 'kt-connect-repository' and 'kt-connect-version' (is this kt-connect's own tree?).",
    );
  }
}

/**
 * Writes the configs byte for byte, readable by this user only; an absent one keeps upstream's
 * placeholder. Each file is removed and created anew, exclusively and without following a link
 * (O_EXCL|O_NOFOLLOW): whatever stood at its name, the bytes land in a new regular file there.
 */
export async function writeEmbeddedConfigs(dir: string, configs: EmbeddedConfigs, tag: string): Promise<void> {
  await checkHookLayout(dir, tag);
  for (const [file, text] of [
    [KUBECONFIG_FILE, configs.kubeconfig],
    [KT_CONFIG_FILE, configs.ktConfig],
  ] as const) {
    if (text === undefined) continue;
    const target = path.join(dir, file);
    await writeTreeFile(target, text); // the link itself, if one appeared since, is removed: rm never follows the last component
  }
}

/** A file of the checkout, read only if it is a regular file; undefined when there is none. */
export async function readTreeFile(dir: string, name: string, tag: string): Promise<string | undefined> {
  const file = path.join(dir, name);
  try {
    if (!(await lstat(file)).isFile()) {
      throw new Error(`kt-connect ${tag}: ${name} is not a regular file (a link?); check inputs 'kt-connect-repository' and 'kt-connect-version'.`);
    }
    return await readFile(file, { encoding: 'utf8', flag: constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}
