// The action's inputs and environment for kt-connect from a module proxy: one definition for the
// proxy's refusals (module-proxy.test.ts, npm test) and the real build (module-proxy-real.test.ts).
import { mkdtempSync } from 'node:fs';
import path from 'node:path';
import { sha256, type DownloadServer } from './downloads.js';
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
    'go-download-base-url': server.goBaseUrl,
    'upx-download-base-url': server.upxBaseUrl,
    'upx-version': server.files.upxVersion,
    'upx-sha256': sha256(server.files.upxArchive),
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
