// The action's inputs and environment for kt-connect from a module proxy: one definition for the
// proxy's refusals (module-proxy.test.ts, npm test) and the real build (module-proxy-real.test.ts).
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before } from 'node:test';
import { startDownloadServer, toolInputs, type DownloadServer } from './downloads.js';
import { KT_CONFIG, KUBECONFIG } from './e2e-setup.js';
import { realGoSum } from './module-proxy.js';
import { keptGoEnvironment } from './real-upstream.js';

/** The action's inputs for kt-connect from `proxy`: latest, linux/amd64, Go and upx from `server`. */
export function proxyInputs(server: DownloadServer, proxy: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    publish: 'false',
    'kt-connect-version': 'latest',
    'go-proxy': proxy,
    targets: 'linux/amd64',
    kubeconfig: KUBECONFIG,
    'kt-config': KT_CONFIG,
    'go-version': server.files.goVersion,
    ...toolInputs(server),
    ...extra,
  };
}

/**
 * The real tree's Go caches (shared with the other real-tree tests: keyed by its go.sum), and a
 * GOPATH of its own under `root`: the checksum database's memory starts empty, as on a fresh runner.
 */
export function proxyEnv(root: string, name: string): NodeJS.ProcessEnv {
  return { ...keptGoEnvironment(realGoSum()), GOPATH: mkdtempSync(path.join(root, `gopath-${name}-`)) };
}

export interface ProxyRuns {
  /** The scratch folder of the describe block, removed after it. */
  readonly root: () => string;
  /** proxyInputs with this block's download server. */
  readonly inputs: (proxy: string, extra?: Record<string, string>) => Record<string, string>;
  /** proxyEnv under this block's root. */
  readonly env: (name: string) => NodeJS.ProcessEnv;
}

/** Called in a describe block: a scratch folder and a download server for its runs, made before and removed after it. */
export function proxyRuns(): ProxyRuns {
  let root: string | undefined;
  let server: DownloadServer | undefined;
  before(async () => {
    root = mkdtempSync(path.join(os.tmpdir(), 'ktctl-proxy-'));
    server = await startDownloadServer();
  });
  after(async () => {
    await server?.close();
    if (root !== undefined) rmSync(root, { recursive: true, force: true });
  });
  const made = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('proxyRuns: used outside a test of its describe block');
    return value;
  };
  return {
    root: () => made(root),
    inputs: (proxy, extra = {}) => proxyInputs(made(server), proxy, extra),
    env: (name) => proxyEnv(made(root), name),
  };
}
