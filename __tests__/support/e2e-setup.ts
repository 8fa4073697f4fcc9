// One world for the end-to-end tests: the download server, a kt-connect-shaped repository,
// runner folders and a Go build cache shared across runs (as on a self-hosted runner).
import { mkdirSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createFixtureRepo, type FixtureRepo } from './fixture-repo.js';
import { sha256, startDownloadServer, type DownloadServer } from './downloads.js';
import { makeRunnerDirs, type RunnerDirs } from './run-action.js';
import { removeTree } from './remove-tree.js';

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
  newRunner(): RunnerDirs;
  /** Stops the server and removes every folder of the world. */
  close(): Promise<void>;
}

export async function createWorld(): Promise<World> {
  const root = mkdtempSync(path.join(os.tmpdir(), 'ktctl-e2e-'));
  const server = await startDownloadServer();
  const repo = createFixtureRepo(root);
  const gocache = path.join(root, 'gocache');
  mkdirSync(gocache);
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
      'go-download-base-url': server.goBaseUrl,
      'upx-download-base-url': server.upxBaseUrl,
      'upx-version': server.files.upxVersion,
      'upx-sha256': sha256(server.files.upxArchive),
      'wintun-url': server.wintunUrl,
      'wintun-sha256': sha256(server.files.wintunZip),
    },
    env: { GOCACHE: gocache, GOMODCACHE: path.join(root, 'gomodcache'), GOPATH: path.join(root, 'gopath'), GOPROXY: 'off' },
    newRunner: () => makeRunnerDirs(root),
    close: async () => {
      await server.close();
      await removeTree(root);
    },
  };
}

/** Every file below `dir`, relative. */
export function listFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(dir, path.join(entry.parentPath, entry.name)));
}
