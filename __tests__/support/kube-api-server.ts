// A loopback HTTPS server standing in for a Kubernetes API server, enough for the real kubectl
// to run scripts/make-kubeconfig.sh against it: legacy discovery (/api, /apis and the group
// versions), and get/create/patch of ServiceAccounts, Secrets, Roles and RoleBindings in the
// namespaces it knows. Like kube-controller-manager's token controller, it fills a Secret of type
// kubernetes.io/service-account-token with a token (a JWT without `exp`), `ca.crt` and
// `namespace` a moment after it is created. The TokenRequest API (`kubectl create token`)
// answers with a short-lived token that HAS an `exp`, so a script that took that shortcut fails
// the tests. Every request must carry the admin's bearer token.
import { execFileSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';

type KubeObject = Record<string, unknown> & { metadata: Record<string, unknown> & { name: string; namespace?: string } };

interface Kind {
  readonly kind: string;
  readonly apiVersion: string;
  /** URL prefix before `/namespaces/<ns>/<resource>`. */
  readonly prefix: string;
  readonly resource: string;
}

const KINDS: readonly Kind[] = [
  { kind: 'ServiceAccount', apiVersion: 'v1', prefix: '/api/v1', resource: 'serviceaccounts' },
  { kind: 'Secret', apiVersion: 'v1', prefix: '/api/v1', resource: 'secrets' },
  { kind: 'Role', apiVersion: 'rbac.authorization.k8s.io/v1', prefix: '/apis/rbac.authorization.k8s.io/v1', resource: 'roles' },
  { kind: 'RoleBinding', apiVersion: 'rbac.authorization.k8s.io/v1', prefix: '/apis/rbac.authorization.k8s.io/v1', resource: 'rolebindings' },
];

const VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

function base64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/** A JWT shaped like the token controller's (RS256 header, kubernetes/serviceaccount issuer); the signature is random bytes. */
function jwt(claims: Record<string, unknown>): string {
  return `${base64url({ alg: 'RS256', kid: 'stand-in' })}.${base64url(claims)}.${randomBytes(256).toString('base64url')}`;
}

/** RFC 7386 JSON merge patch: close enough to a strategic merge patch for these kinds (their lists are replaced whole). */
function mergePatch(target: unknown, patch: unknown): unknown {
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) return patch;
  const result: Record<string, unknown> =
    typeof target === 'object' && target !== null && !Array.isArray(target) ? { ...(target as Record<string, unknown>) } : {};
  for (const [key, value] of Object.entries(patch as Record<string, unknown>)) {
    if (key.startsWith('$')) continue; // strategic merge directives
    if (value === null) delete result[key];
    else result[key] = mergePatch(result[key], value);
  }
  return result;
}

export interface KubeRequest {
  readonly method: string;
  readonly path: string;
}

export class KubeApiServer {
  /** Every request, in order: method and path without the query. */
  readonly requests: KubeRequest[] = [];
  /** Objects by `<resource>/<namespace>/<name>`. */
  readonly objects = new Map<string, KubeObject>();
  /** Tokens handed out by the TokenRequest API (they carry `exp`). */
  readonly shortLivedTokens: string[] = [];
  readonly caPem: string;
  readonly adminToken = `admin-${randomBytes(16).toString('hex')}`;
  /** ms after a token Secret's creation before the token controller fills it. */
  tokenDelayMs = 1500;
  /** false: the token controller never fills a Secret (a cluster without kube-controller-manager). */
  tokenController = true;

  private constructor(
    private readonly server: Server,
    private readonly dir: string,
    private readonly namespaces: ReadonlySet<string>,
  ) {
    this.caPem = readFileSync(path.join(dir, 'cert.pem'), 'utf8');
  }

  /** Starts on 127.0.0.1 with a fresh self-signed certificate (openssl) for IP 127.0.0.1. */
  static async start(namespaces: readonly string[]): Promise<KubeApiServer> {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'kube-api-'));
    const key = path.join(dir, 'key.pem');
    const cert = path.join(dir, 'cert.pem');
    const subject = ['-subj', '/CN=stand-in-apiserver', '-addext', 'subjectAltName=IP:127.0.0.1'];
    const ecKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
    execFileSync('openssl', ['req', '-x509', ...ecKey, '-days', '1', ...subject, '-keyout', key, '-out', cert], { stdio: 'ignore' });
    const server = createServer({ key: readFileSync(key), cert: readFileSync(cert) });
    const self = new KubeApiServer(server, dir, new Set(namespaces));
    server.on('request', (req: IncomingMessage, res: ServerResponse) => self.handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return self;
  }

  get url(): string {
    return `https://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** An admin kubeconfig for this server, as `kubectl config view --raw` would show it. */
  adminKubeconfig(namespace = 'default'): string {
    return [
      'apiVersion: v1',
      'kind: Config',
      'clusters:',
      '- name: stand-in',
      '  cluster:',
      `    server: ${this.url}`,
      `    certificate-authority-data: ${Buffer.from(this.caPem).toString('base64')}`,
      'users:',
      '- name: admin',
      '  user:',
      `    token: ${this.adminToken}`,
      'contexts:',
      '- name: admin@stand-in',
      '  context:',
      '    cluster: stand-in',
      '    user: admin',
      `    namespace: ${namespace}`,
      'current-context: admin@stand-in',
      '',
    ].join('\n');
  }

  object(resource: string, namespace: string, name: string): KubeObject | undefined {
    return this.objects.get(`${resource}/${namespace}/${name}`);
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    rmSync(this.dir, { recursive: true, force: true });
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'https://stand-in');
      const method = req.method ?? 'GET';
      this.requests.push({ method, path: url.pathname });
      if (req.headers.authorization !== `Bearer ${this.adminToken}`) {
        this.status(res, 401, 'Unauthorized', 'Unauthorized');
        return;
      }
      try {
        this.route(method, url.pathname, Buffer.concat(chunks).toString('utf8'), res);
      } catch (error) {
        this.status(res, 400, 'BadRequest', error instanceof Error ? error.message : String(error));
      }
    });
  }

  private send(res: ServerResponse, code: number, body: unknown): void {
    const text = JSON.stringify(body);
    res.writeHead(code, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  }

  private status(res: ServerResponse, code: number, reason: string, message: string): void {
    this.send(res, code, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code });
  }

  private route(method: string, pathname: string, body: string, res: ServerResponse): void {
    if (method === 'GET' && pathname === '/version') {
      this.send(res, 200, { major: '1', minor: '30', gitVersion: 'v1.30.0-stand-in', platform: 'linux/amd64' });
      return;
    }
    if (method === 'GET' && pathname === '/api') {
      this.send(res, 200, {
        kind: 'APIVersions',
        versions: ['v1'],
        serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: this.url.slice(8) }],
      });
      return;
    }
    if (method === 'GET' && pathname === '/apis') {
      const version = { groupVersion: 'rbac.authorization.k8s.io/v1', version: 'v1' };
      this.send(res, 200, {
        kind: 'APIGroupList',
        apiVersion: 'v1',
        groups: [{ name: 'rbac.authorization.k8s.io', versions: [version], preferredVersion: version }],
      });
      return;
    }
    for (const groupVersion of ['v1', 'rbac.authorization.k8s.io/v1']) {
      const prefix = groupVersion === 'v1' ? '/api/v1' : `/apis/${groupVersion}`;
      if (method === 'GET' && pathname === prefix) {
        const resources = KINDS.filter((kind) => kind.apiVersion === groupVersion).map((kind) => ({
          name: kind.resource,
          singularName: kind.kind.toLowerCase(),
          namespaced: true,
          kind: kind.kind,
          verbs: VERBS,
        }));
        if (groupVersion === 'v1') {
          resources.push({ name: 'namespaces', singularName: 'namespace', namespaced: false, kind: 'Namespace', verbs: VERBS });
          resources.push({ name: 'serviceaccounts/token', singularName: '', namespaced: true, kind: 'TokenRequest', verbs: ['create'] });
        }
        this.send(res, 200, { kind: 'APIResourceList', apiVersion: 'v1', groupVersion, resources });
        return;
      }
    }
    const match = /^(\/api\/v1|\/apis\/rbac\.authorization\.k8s\.io\/v1)\/namespaces\/([a-z0-9-]+)\/([a-z]+)(?:\/([a-z0-9.-]+))?(?:\/(token))?$/.exec(pathname);
    const kind = match ? KINDS.find((k) => k.prefix === match[1] && k.resource === match[3]) : undefined;
    if (!match || !kind) {
      this.status(res, 404, 'NotFound', `the server could not find the requested resource (${method} ${pathname})`);
      return;
    }
    const [, , namespace, resource, name, sub] = match as unknown as [string, string, string, string, string | undefined, string | undefined];
    if (!this.namespaces.has(namespace)) {
      this.status(res, 404, 'NotFound', `namespaces "${namespace}" not found`);
      return;
    }
    const key = (n: string): string => `${resource}/${namespace}/${n}`;
    if (sub === 'token') {
      if (resource !== 'serviceaccounts' || method !== 'POST' || name === undefined || !this.objects.has(key(name))) {
        this.status(res, 404, 'NotFound', `serviceaccounts "${name}" not found`);
        return;
      }
      const now = Math.floor(Date.now() / 1000);
      const token = jwt({ iss: 'https://kubernetes.default.svc', sub: `system:serviceaccount:${namespace}:${name}`, iat: now, exp: now + 3600 });
      this.shortLivedTokens.push(token);
      this.send(res, 201, {
        kind: 'TokenRequest',
        apiVersion: 'authentication.k8s.io/v1',
        status: { token, expirationTimestamp: new Date((now + 3600) * 1000).toISOString() },
      });
      return;
    }
    if (method === 'GET' && name !== undefined) {
      const found = this.objects.get(key(name));
      if (found === undefined) this.status(res, 404, 'NotFound', `${resource} "${name}" not found`);
      else this.send(res, 200, found);
      return;
    }
    if (method === 'POST' && name === undefined) {
      const object = JSON.parse(body) as KubeObject;
      const objectName = object.metadata?.name;
      if (object.kind !== kind.kind || typeof objectName !== 'string') throw new Error(`expected a ${kind.kind} with a name`);
      if (this.objects.has(key(objectName))) {
        this.status(res, 409, 'AlreadyExists', `${resource} "${objectName}" already exists`);
        return;
      }
      const stored: KubeObject = {
        ...object,
        metadata: { ...object.metadata, namespace, uid: randomUUID(), resourceVersion: '1', creationTimestamp: new Date().toISOString() },
      };
      this.objects.set(key(objectName), stored);
      if (kind.kind === 'Secret' && stored['type'] === 'kubernetes.io/service-account-token') this.scheduleToken(stored, namespace);
      this.send(res, 201, stored);
      return;
    }
    if (method === 'PATCH' && name !== undefined) {
      const found = this.objects.get(key(name));
      if (found === undefined) {
        this.status(res, 404, 'NotFound', `${resource} "${name}" not found`);
        return;
      }
      const patched = mergePatch(found, JSON.parse(body)) as KubeObject;
      patched.metadata = { ...patched.metadata, resourceVersion: String(Number(found.metadata['resourceVersion'] ?? 1) + 1) };
      this.objects.set(key(name), patched);
      this.send(res, 200, patched);
      return;
    }
    this.status(res, 405, 'MethodNotAllowed', `${method} ${pathname} is not served by the stand-in`);
  }

  /** The token controller: a long-lived token (no `exp`), the cluster's CA, the namespace. */
  private scheduleToken(secret: KubeObject, namespace: string): void {
    if (!this.tokenController) return;
    const annotations = (secret.metadata['annotations'] ?? {}) as Record<string, string>;
    const account = annotations['kubernetes.io/service-account.name'];
    setTimeout(() => {
      const current = this.objects.get(`secrets/${namespace}/${secret.metadata.name}`);
      if (current === undefined || account === undefined) return;
      const token = jwt({
        iss: 'kubernetes/serviceaccount',
        'kubernetes.io/serviceaccount/namespace': namespace,
        'kubernetes.io/serviceaccount/secret.name': secret.metadata.name,
        'kubernetes.io/serviceaccount/service-account.name': account,
        sub: `system:serviceaccount:${namespace}:${account}`,
      });
      current['data'] = {
        token: Buffer.from(token).toString('base64'),
        'ca.crt': Buffer.from(this.caPem).toString('base64'),
        namespace: Buffer.from(namespace).toString('base64'),
      };
    }, this.tokenDelayMs).unref();
  }
}
