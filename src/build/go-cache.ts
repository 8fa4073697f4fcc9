// Keeps Go's module and build caches across runs with @actions/cache, so a rebuild after a
// rotated kubeconfig recompiles only the `hack` package and relinks. Best effort: a cache that
// cannot be reached costs a warning, never the run.
import { createHash } from 'node:crypto';
// types only: the module itself is loaded on first use (loadCacheModule)
import type * as CacheModule from '@actions/cache';
import { targetId } from '../plan/index.js';
import { messageOf, type Log, run } from '../shared/index.js';
import type { HostPlatform } from '../toolchain/index.js';
import type { Target } from '../model.js';

export interface GoCacheKeyParts {
  readonly host: HostPlatform;
  readonly goVersion: string;
  /** kt-connect's go.sum: the modules, and so most of what the build cache holds. */
  readonly goSum: string;
  readonly targets: readonly Target[];
}

/**
 * One key per runner platform, Go version, dependency set and target list. The build cache
 * is saved only after the entries holding the configs are removed, so the key needs no secret.
 */
export function goCacheKey(parts: GoCacheKeyParts): string {
  const digest = createHash('sha256').update(parts.goSum).update('\0').update(parts.targets.map(targetId).sort().join(',')).digest('hex').slice(0, 20);
  return `ktctl-customize-go-${parts.host.os}-${parts.host.arch}-go${parts.goVersion}-${digest}`;
}

/** `''` (the default) means on for GitHub-hosted runners, whose disks start empty every job. */
export function cacheWanted(input: boolean | undefined, env: NodeJS.ProcessEnv): boolean {
  return input ?? env['RUNNER_ENVIRONMENT'] === 'github-hosted';
}

/** `hit`: the exact key was restored, nothing new to save; `miss`: save after the build. */
export type GoCacheRestore = 'hit' | 'miss' | 'unavailable';

/**
 * @actions/cache, loaded when a run first uses the Actions cache: a third of the bundle, which a
 * run with the cache off (self-hosted runners, by default) would load for nothing.
 */
let cacheModule: Promise<typeof CacheModule> | undefined;
function loadCacheModule(): Promise<typeof CacheModule> {
  return (cacheModule ??= import('@actions/cache'));
}

async function restoreGoCache(paths: readonly string[], key: string, log: Log): Promise<GoCacheRestore> {
  const cache = await loadCacheModule();
  if (!cache.isFeatureAvailable()) {
    log.info('The Actions cache service is not available here; building without a restored Go cache.');
    return 'unavailable';
  }
  try {
    // an older cache of the same platform and Go still saves most of the compiling
    const hit = await cache.restoreCache([...paths], key, [`${key.slice(0, key.lastIndexOf('-'))}-`]);
    log.info(hit === undefined ? `No Go cache for ${key} yet.` : `Restored the Go cache ${hit}.`);
    return hit === key ? 'hit' : 'miss';
  } catch (error) {
    log.warning(`Could not restore the Go cache (${messageOf(error)}); building without it.`);
    return 'miss';
  }
}

async function saveGoCache(paths: readonly string[], key: string, log: Log): Promise<void> {
  const cache = await loadCacheModule();
  try {
    // @actions/cache reports most failures itself and answers -1 instead of throwing
    if ((await cache.saveCache([...paths], key)) === -1) log.warning(`The Go cache was not saved as ${key}; the next run builds without it.`);
    else log.info(`Saved the Go cache as ${key}.`);
  } catch (error) {
    log.warning(`Could not save the Go cache (${messageOf(error)}); the next run builds without it.`);
  }
}

export interface GoCaches {
  /** GOCACHE: where the build leaves the compiled `hack` package that must be scrubbed. */
  readonly buildCache: string;
  /** Saves both caches when the run restored none under this exact key. */
  saveIfNew(): Promise<void>;
}

/** Finds Go's cache folders and, when wanted, restores them before the build. */
export async function openGoCaches(go: string, goEnv: NodeJS.ProcessEnv, key: string, wanted: boolean, log: Log): Promise<GoCaches> {
  const paths = (await run(go, ['env', 'GOMODCACHE', 'GOCACHE'], { env: goEnv, what: 'go env' })).output.trim().split(/\r?\n/);
  const restored = wanted ? await log.group('Restore the Go cache', () => restoreGoCache(paths, key, log)) : 'unavailable';
  return {
    buildCache: paths[1] ?? '',
    saveIfNew: async () => {
      if (restored === 'miss') await log.group('Save the Go cache', () => saveGoCache(paths, key, log));
    },
  };
}
