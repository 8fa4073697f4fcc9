// Shared set-up for the publishing tests: a fast client against the local GitHub server,
// archives on disk, a log that remembers, and short waits.
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Log } from '../../src/shared/log.js';
import { createReleaseClient, type ReleaseClient } from '../../src/publish/github.js';
import type { PublishRequest } from '../../src/publish/request.js';
import type { PublishTiming } from '../../src/publish/publish-release.js';
import type { FingerprintParts } from '../../src/publish/fingerprint.js';
import { GitHubServer, type GitHubServerOptions } from '../support/github-server.js';
import type { ReleaseFile } from '../../src/model.js';

export interface MemoryLog extends Log {
  readonly infos: string[];
  readonly warnings: string[];
  readonly text: () => string;
}

export function memoryLog(): MemoryLog {
  const infos: string[] = [];
  const warnings: string[] = [];
  return {
    infos,
    warnings,
    info: (message) => void infos.push(message),
    warning: (message) => void warnings.push(message),
    group: async (_title, work) => work(),
    text: () => [...infos, ...warnings].join('\n'),
  };
}

let clients = 0;

/** A client with 1 ms retry units and no write pacing, so faults cost milliseconds. */
export function clientFor(server: GitHubServer, log: Log, token = 'write-token'): ReleaseClient {
  clients += 1;
  return createReleaseClient({
    token,
    apiUrl: server.apiUrl,
    owner: server.owner,
    repo: server.repo,
    log,
    retryBaseMs: 1,
    paceWrites: false,
    throttleId: `test-client-${clients}`,
  });
}

/** Jobs waiting for another one's lock look again every few milliseconds. */
export const fastTiming: PublishTiming = { pollMs: 4, waitMs: 60_000 };

export const SHA = 'c0ffee'.padEnd(40, '0');

export async function tempDir(): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'ktctl-publish-'));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** Writes archives with random bytes (or `content`) and describes them for a request. */
export async function makeArchives(dir: string, names: readonly string[], fingerprint: string, content?: (name: string) => Buffer): Promise<ReleaseFile[]> {
  const files: ReleaseFile[] = [];
  for (const name of names) {
    const data = content?.(name) ?? Buffer.concat([Buffer.from(`${name}\n`), randomBytes(2048 + Math.floor(Math.random() * 4096))]);
    const file = path.join(dir, name);
    await writeFile(file, data);
    files.push({ name, path: file, size: data.length, sha256: createHash('sha256').update(data).digest('hex'), fingerprint });
  }
  return files;
}

export function publishRequest(archives: readonly ReleaseFile[], overrides: Partial<PublishRequest> = {}): PublishRequest {
  return {
    tag: 'v0.3.7',
    name: undefined,
    draft: false,
    prerelease: false,
    body: 'ktctl 0.3.7 test build\n',
    overwrite: true,
    targetCommitish: SHA,
    archives,
    checksumsName: 'ktctl_0.3.7_checksums.txt',
    ...overrides,
  };
}

export function sha256Text(text: string | Buffer): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Fingerprint parts of a typical build; tests change one field at a time. */
export function baseParts(overrides: Partial<FingerprintParts> = {}): FingerprintParts {
  return {
    upstreamCommit: '4c8e9d2f1a3b5c7d9e0f1a2b3c4d5e6f7a8b9c0d',
    version: '0.3.7',
    targets: [
      { os: 'linux', arch: 'amd64' },
      { os: 'windows', arch: 'amd64' },
    ],
    goVersionRequest: '',
    upxVersion: '4.2.4',
    upxArgs: ['-9'],
    archiveFormat: 'zip',
    assetNameTemplate: 'ktctl_{version}_{Os}_{Arch}',
    wintunSha256: '07c256185d6ee3652e09fa55c0b673e2624b565e02c4b9091c79ca7d2f24ef51',
    kubeconfig:
      'apiVersion: v1\nkind: Config\nclusters:\n- name: prod\n  cluster: {server: https://k8s.example:6443}\nusers:\n- name: ci\n  user: {token: s3cr3t-token}\n',
    ktConfig: 'global:\n  namespace: dev\n',
    actionVersion: '1.0.0',
    ...overrides,
  };
}

export async function withServer<T>(options: GitHubServerOptions, work: (server: GitHubServer, dir: string) => Promise<T>): Promise<T> {
  const server = await GitHubServer.start(options);
  const { dir, cleanup } = await tempDir();
  try {
    return await work(server, dir);
  } finally {
    await server.close();
    await cleanup();
  }
}
