// A stand-in for the Actions artifact service (results API v2, twirp JSON) as far as
// @actions/artifact uses it: in `mode: publish` ListArtifacts, GetSignedArtifactURL, and the
// blob download of each artifact's zip; in `mode: build` CreateArtifact, the block-blob upload
// (Put Block, Put Block List) and FinalizeArtifact, and DeleteArtifact for a re-run. Artifacts
// added by a test are folders zipped with the real zip.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
  /** The names of the stored artifacts, oldest first. */
  names(): string[];
  /** Unpacks artifact `name` into `folder` (made if missing) with the real unzip. */
  extract(name: string, folder: string): void;
  /** Forgets every artifact, as a new workflow run starts with none. */
  clear(): void;
  close(): Promise<void>;
}

export async function startArtifactServer(): Promise<ArtifactServer> {
  const artifacts: StoredArtifact[] = [];
  /** Uploads under way: upload id → the artifact's name and its staged blocks. */
  const uploads = new Map<string, { readonly name: string; readonly blocks: Map<string, Buffer>; zip?: Buffer }>();
  let nextId = 1;
  let nextUpload = 1;
  let base = '';
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const url = request.url ?? '';
      const json = (value: unknown): void => void response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(value));
      if (request.method === 'POST' && url === `${SERVICE}ListArtifacts`) {
        // the client writes the proto field names (id_filter, name_filter), wrappers as plain values
        type Filter = string | { value?: string } | undefined;
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<'idFilter' | 'id_filter' | 'nameFilter' | 'name_filter', Filter>;
        const plain = (filter: Filter): string | undefined => (typeof filter === 'object' ? filter.value : filter);
        const id = plain(body.id_filter ?? body.idFilter);
        const name = plain(body.name_filter ?? body.nameFilter);
        const found = artifacts.filter(
          (artifact) => (id === undefined || String(artifact.id) === String(id)) && (name === undefined || name === artifact.name),
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
      if (request.method === 'POST' && url === `${SERVICE}CreateArtifact`) {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { name: string };
        const id = String(nextUpload++);
        uploads.set(id, { name: body.name, blocks: new Map() });
        json({ ok: true, signedUploadUrl: `${base}/upload/${id}?sig=test` });
        return;
      }
      const put = /^\/upload\/(\d+)\?(.*)$/.exec(url);
      const upload = put === null ? undefined : uploads.get(put[1]!);
      if (request.method === 'PUT' && put !== null && upload !== undefined) {
        const query = new URLSearchParams(put[2]);
        if (query.get('comp') === 'block') {
          upload.blocks.set(query.get('blockid') ?? '', Buffer.concat(chunks));
        } else if (query.get('comp') === 'blocklist') {
          const ids = [
            ...Buffer.concat(chunks)
              .toString('utf8')
              .matchAll(/<(?:Latest|Uncommitted|Committed)>([^<]*)<\//g),
          ].map((match) => match[1]!);
          upload.zip = Buffer.concat(ids.map((id) => upload.blocks.get(id) ?? Buffer.alloc(0)));
        } else {
          upload.zip = Buffer.concat(chunks);
        }
        response.writeHead(201, { etag: '"0x1"', 'last-modified': new Date().toUTCString() }).end();
        return;
      }
      if (request.method === 'POST' && url === `${SERVICE}FinalizeArtifact`) {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { name: string };
        const [key, staged] = [...uploads.entries()].find(([, item]) => item.name === body.name && item.zip !== undefined) ?? [];
        if (key === undefined || staged === undefined)
          return void response.writeHead(404, { 'content-type': 'application/json' }).end('{"code":"not_found","msg":"no upload"}');
        uploads.delete(key); // finalized: a later upload under this name is a new one
        const id = nextId++;
        artifacts.push({ id, name: staged.name, zip: staged.zip! });
        json({ ok: true, artifactId: String(id) });
        return;
      }
      if (request.method === 'POST' && url === `${SERVICE}DeleteArtifact`) {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { name: string };
        const index = artifacts.findIndex((item) => item.name === body.name);
        if (index < 0) return void response.writeHead(404, { 'content-type': 'application/json' }).end('{"code":"not_found","msg":"no artifact"}');
        const [gone] = artifacts.splice(index, 1);
        json({ ok: true, artifactId: String(gone!.id) });
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
        artifacts.push({ id: nextId++, name, zip: readFileSync(zip) });
      } finally {
        rmSync(scratch, { recursive: true, force: true });
      }
    },
    names: () => artifacts.map((artifact) => artifact.name),
    extract(name, folder) {
      const artifact = artifacts.find((item) => item.name === name);
      if (artifact === undefined) throw new Error(`no artifact ${name}`);
      const scratch = mkdtempSync(path.join(os.tmpdir(), 'ktctl-artifact-zip-'));
      try {
        const zip = path.join(scratch, 'artifact.zip');
        writeFileSync(zip, artifact.zip);
        execFileSync('unzip', ['-q', '-o', zip, '-d', folder]);
      } finally {
        rmSync(scratch, { recursive: true, force: true });
      }
    },
    clear: () => void artifacts.splice(0),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
