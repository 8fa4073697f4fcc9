// Gets kt-connect: finds the tag with `git ls-remote` (any host, no API quota), clones it
// shallowly, and writes the two files that ktctl embeds.
import { chmod, mkdir, readFile, writeFile, access } from 'node:fs/promises';
import path from 'node:path';
import { redactUrl } from './inputs.js';
import type { EmbeddedConfigs, UpstreamRelease, UpstreamRequest } from './model.js';
import { networkLimits, type NetworkLimits } from './network-limits.js';
import { run, type SilenceLimit } from './process.js';
import { newestFirst, parseLsRemoteTags, pickLatestTag } from './upstream.js';

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
  const { output } = await run('git', [...gitNetworkOptions(limits), 'ls-remote', '--tags', '--', request.url], {
    env: gitEnv(),
    what: `git ls-remote of ${where} (input 'kt-connect-repository')`,
    silence: gitSilenceLimit(limits),
  });
  const tags = parseLsRemoteTags(output);
  const chosen = request.version === 'latest' ? pickLatestTag(tags) : tags.find((ref) => ref.tag === request.version);
  if (chosen === undefined) {
    throw new Error(
      request.version === 'latest'
        ? `Input 'kt-connect-version': ${where} has no release tag (vX.Y.Z); name a tag explicitly.`
        : `Input 'kt-connect-version': ${where} has no tag '${request.version}'; newest release tags: ${newestTags(tags)}.`,
    );
  }
  return chosen;
}

function newestTags(tags: readonly { tag: string }[]): string {
  return newestFirst(tags.map((ref) => ref.tag)).slice(0, 5).join(', ') || 'none';
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
  const git = (args: string[], what: string) => run('git', args, { cwd: dir, env: gitEnv(), what });
  await mkdir(dir, { recursive: true });
  await git(['init', '--quiet'], 'git init');
  const limits = networkLimits(process.env);
  // --progress: its updates are the sign of life the silence watchdog waits for
  await run('git', [...gitNetworkOptions(limits), 'fetch', '--progress', '--depth', '1', '--no-tags', '--', request.url, `refs/tags/${release.tag}`], {
    cwd: dir,
    env: gitEnv(),
    what: `git fetch of ${where} at ${release.tag} (input 'kt-connect-repository')`,
    silence: gitSilenceLimit(limits),
  });
  await git(['-c', 'advice.detachedHead=false', 'checkout', '--quiet', '--detach', 'FETCH_HEAD'], `git checkout of ${release.tag}`);
  const head = (await run('git', ['rev-parse', 'HEAD'], { cwd: dir, env: gitEnv() })).output.trim();
  if (head !== release.commit) {
    throw new Error(`${release.tag} of ${where} moved while this run read it (${release.commit} then ${head}); run again.`);
  }
  const commitTime = Number((await run('git', ['log', '-1', '--format=%ct'], { cwd: dir, env: gitEnv() })).output.trim());
  const goMod = await readFile(path.join(dir, 'go.mod'), 'utf8').catch(() => {
    throw new Error(`${release.tag} of ${where} has no go.mod at its root: is this kt-connect?`);
  });
  const goSum = await readFile(path.join(dir, 'go.sum'), 'utf8').catch(() => '');
  return { dir, commitTime, goMod, goSum };
}

/** The files of kt-connect's customization hook (hack/customize.go embeds them). */
export const KUBECONFIG_FILE = path.join('hack', 'kube', 'config');
export const KT_CONFIG_FILE = path.join('hack', 'kt', 'config');

/** Writes the configs byte for byte, readable by this user only; an absent one keeps upstream's placeholder. */
export async function writeEmbeddedConfigs(dir: string, configs: EmbeddedConfigs, tag: string): Promise<void> {
  try {
    await access(path.join(dir, 'hack', 'customize.go'));
  } catch {
    throw new Error(`kt-connect ${tag} has no hack/customize.go, so it cannot embed a config: use v0.3.5 or newer (input 'kt-connect-version').`);
  }
  for (const [file, text] of [
    [KUBECONFIG_FILE, configs.kubeconfig],
    [KT_CONFIG_FILE, configs.ktConfig],
  ] as const) {
    if (text === undefined) continue;
    const target = path.join(dir, file);
    await mkdir(path.dirname(target), { recursive: true });
    await writeFile(target, text, { mode: 0o600 });
    await chmod(target, 0o600); // writeFile's mode only applies to new files
  }
}
