// One world for the end-to-end tests: the download server, a kt-connect-shaped repository,
// runner folders and a Go build cache shared across runs (as on a self-hosted runner). A world
// with `caches: 'shared'` uses the test run's shared Go build cache and gives its runners a tool
// cache that already holds Go and upx (shared-caches.ts); the default keeps both private.
import { linkSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createFixtureRepo, type FixtureRepo } from './fixture-repo.js';
import { sha256, startDownloadServer, toolInputs, type DownloadServer } from './downloads.js';
import { makeRunnerDirs, type RunnerDirs } from './run-action.js';
import { removeTree } from './remove-tree.js';
import { ensureToolSeed, seedToolCache, SHARED_GOCACHE, WARM_MARK } from './shared-caches.js';

export const KUBECONFIG = readFileSync(path.resolve('__tests__/fixtures/kubeconfig.yaml'), 'utf8');
export const KT_CONFIG = readFileSync(path.resolve('__tests__/fixtures/kt-config.yaml'), 'utf8');

export interface World {
  readonly root: string;
  readonly server: DownloadServer;
  readonly repo: FixtureRepo;
  readonly gocache: string;
  /** Inputs that point every download at the local server. */
  readonly inputs: Record<string, string>;
  /** Environment for the action: an isolated Go build and module cache. */
  readonly env: NodeJS.ProcessEnv;
  /** Runner folders in the world; the tool cache holds Go and upx already unless `tools: 'empty'` (here or in the world's options). */
  newRunner(options?: { readonly tools?: 'seeded' | 'empty' }): RunnerDirs;
  /** Stops the server and removes every folder of the world. */
  close(): Promise<void>;
}

export interface WorldOptions {
  /**
   * 'private' (default): a Go build cache of the world's own (linked from the warm one) and empty
   * tool caches, for tests about downloading or about what the build cache holds. 'shared': the
   * run's warm build cache itself, and tool caches that hold Go and upx.
   */
  readonly caches?: 'private' | 'shared';
  /**
   * What a new runner's tool cache holds: 'seeded' (Go and upx, as after an earlier run) or
   * 'empty'. Default: seeded with shared caches, empty with private ones. A test of a private
   * build cache that downloads only now and then seeds, and asks `newRunner({ tools: 'empty' })`
   * where the download is the subject.
   */
  readonly tools?: 'seeded' | 'empty';
}

export async function createWorld(options: WorldOptions = {}): Promise<World> {
  const root = mkdtempSync(path.join(os.tmpdir(), 'ktctl-e2e-'));
  const server = await startDownloadServer();
  const repo = createFixtureRepo(root);
  const tools = options.tools ?? (options.caches === 'shared' ? 'seeded' : 'empty');
  const seed = tools === 'seeded' ? ensureToolSeed(server.files) : undefined;
  const gocache = options.caches === 'shared' ? SHARED_GOCACHE : privateGoCache(root);
  return {
    root,
    server,
    repo,
    gocache,
    inputs: {
      publish: 'false',
      // empty fails (a missing secret); a test that embeds a config gives it
      kubeconfig: 'upstream',
      'kt-config': 'upstream',
      'kt-connect-repository': repo.url,
      ...toolInputs(server),
      'wintun-url': server.wintunUrl,
      'wintun-sha256': sha256(server.files.wintunZip),
      // the fastest packing: upx is the subject of build.test.ts only, which asks for the default
      'upx-args': '-1',
    },
    env: { GOCACHE: gocache, GOMODCACHE: path.join(root, 'gomodcache'), GOPATH: path.join(root, 'gopath'), GOPROXY: 'off' },
    newRunner: (runner = {}) => {
      const dirs = makeRunnerDirs(root);
      if (seed !== undefined && runner.tools !== 'empty') seedToolCache(dirs.toolCache, seed, server);
      return dirs;
    },
    close: async () => {
      await server.close();
      await removeTree(root);
    },
  };
}

/**
 * A Go build cache of the world's own, filled with hard links to the warm-up's entries in the
 * shared cache (the standard library for every warm target): what a test writes, scrubs or scans is
 * its own, and no test compiles the standard library again. Go writes a new entry as a new file and
 * never changes one in place, so a link is as good as a copy. Entries newer than the warm-up are
 * left out: another file's run may have written one that holds its configs and not yet scrubbed
 * it, and a link to it would outlive that scrub here (seen in CI: build.test.ts found the token).
 */
function privateGoCache(root: string): string {
  const gocache = path.join(root, 'gocache');
  mkdirSync(gocache);
  const warmed = statSync(WARM_MARK, { throwIfNoEntry: false })?.mtimeMs;
  if (warmed === undefined) return gocache;
  const link = (from: string, to: string): void => {
    for (const entry of readdirSync(from, { withFileTypes: true })) {
      const source = path.join(from, entry.name);
      if (entry.isDirectory()) {
        mkdirSync(path.join(to, entry.name));
        link(source, path.join(to, entry.name));
      } else if (entry.isFile() && lstatSync(source).mtimeMs <= warmed) {
        linkSync(source, path.join(to, entry.name));
      }
    }
  };
  link(SHARED_GOCACHE, gocache);
  return gocache;
}

/** Every file below `dir`, relative. */
export function listFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(dir, path.join(entry.parentPath, entry.name)));
}
