// A stand-in for the Actions artifact service (results API v2, twirp JSON) as far as
// @actions/artifact reads it in `mode: publish`: ListArtifacts, GetSignedArtifactURL, and the
// blob download of each artifact's zip. Artifacts are folders zipped with the real zip.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';

const SERVICE = '/twirp/github.actions.results.api.v1.ArtifactService/';
const RUN = 'run-backend-1';
const JOB = 'job-backend-1';

interface StoredArtifact {
  readonly id: number;
  readonly name: string;
  readonly zip: Buffer;
}

export interface ArtifactServer {
  /** ACTIONS_RESULTS_URL */
  readonly url: string;
  /** ACTIONS_RUNTIME_TOKEN: an unsigned JWT with the Actions.Results scope the client reads its ids from. */
  readonly token: string;
  /** Stores the files of `folder` (relative paths kept) as artifact `name`. */
  add(name: string, folder: string): void;
  close(): Promise<void>;
}

export async function startArtifactServer(): Promise<ArtifactServer> {
  const artifacts: StoredArtifact[] = [];
  let base = '';
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const url = request.url ?? '';
      const json = (value: unknown): void => void response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(value));
      if (request.method === 'POST' && url === `${SERVICE}ListArtifacts`) {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as { idFilter?: string | { value?: string }; nameFilter?: string };
        const id = typeof body.idFilter === 'object' ? body.idFilter.value : body.idFilter;
        const found = artifacts.filter(
          (artifact) => (id === undefined || String(artifact.id) === String(id)) && (body.nameFilter === undefined || body.nameFilter === artifact.name),
        );
        json({
          artifacts: found.map((artifact) => ({
            workflowRunBackendId: RUN,
            workflowJobRunBackendId: JOB,
            databaseId: String(artifact.id),
            name: artifact.name,
            size: String(artifact.zip.length),
            createdAt: new Date(Date.UTC(2026, 0, 1, 0, 0, artifact.id)).toISOString(),
          })),
        });
        return;
      }
      if (request.method === 'POST' && url === `${SERVICE}GetSignedArtifactURL`) {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { name: string };
        const artifact = artifacts.find((item) => item.name === body.name);
        if (artifact === undefined) return void response.writeHead(404, { 'content-type': 'application/json' }).end('{"code":"not_found","msg":"no artifact"}');
        json({ name: artifact.name, signedUrl: `${base}/blob/${artifact.id}.zip?sig=test` });
        return;
      }
      const blob = /^\/blob\/(\d+)\.zip\?/.exec(url);
      const artifact = blob === null ? undefined : artifacts.find((item) => String(item.id) === blob[1]);
      if (request.method === 'GET' && artifact !== undefined) {
        response.writeHead(200, { 'content-type': 'application/zip', 'content-length': String(artifact.zip.length) }).end(artifact.zip);
        return;
      }
      response.writeHead(404).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const part = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url');
  return {
    url: `${base}/`,
    token: `${part({ alg: 'none', typ: 'JWT' })}.${part({ scp: `Actions.GenericRead Actions.Results:${RUN}:${JOB}` })}.c2ln`,
    add(name, folder) {
      const scratch = mkdtempSync(path.join(os.tmpdir(), 'ktctl-artifact-zip-'));
      try {
        const zip = path.join(scratch, 'artifact.zip');
        execFileSync('zip', ['-q', '-r', '-X', zip, '.'], { cwd: folder });
        artifacts.push({ id: artifacts.length + 1, name, zip: readFileSync(zip) });
      } finally {
        rmSync(scratch, { recursive: true, force: true });
      }
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
