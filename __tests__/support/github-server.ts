// A local stand-in for GitHub's REST API, as far as publishing needs it: repository metadata,
// releases, release assets (uploaded to a SEPARATE host, like uploads.github.com), asset
// downloads (a 302 to an object store) and git refs. Every route is checked against GitHub's
// OpenAPI description (@octokit/openapi) at start-up, and every request body and response body
// against its schema while running: violations are collected in `violations`, which tests
// assert empty. Faults can be injected per operation: 5xx, connection resets (before the request
// takes effect or after, losing only the answer), secondary and primary rate limits, a concurrent
// upload of the same asset name (422 already_exists) and read-only tokens (403).
//
// Immutable releases work as GitHub's do: a per-repository switch (`immutableReleases`, or the
// repos/*-immutable-releases routes); a release published while it is on gets `immutable: true`,
// its assets can no longer be uploaded, renamed or deleted and it cannot become a draft again
// (422 with GitHub's messages), and its tag is burned: no release can be created on it again,
// even after the release is deleted. Drafts stay fully changeable. The latest release is tracked
// (make_latest, GET releases/latest) as GitHub does.
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';

// ---------------------------------------------------------------- OpenAPI

type Schema = {
  $ref?: string;
  type?: string | string[];
  nullable?: boolean;
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  additionalProperties?: boolean | Schema;
  allOf?: Schema[];
  anyOf?: Schema[];
  oneOf?: Schema[];
  enum?: unknown[];
  format?: string;
  minLength?: number;
  maxLength?: number;
};

interface Parameter {
  $ref?: string;
  name: string;
  in: 'query' | 'path' | 'header';
  required?: boolean;
}

interface Operation {
  operationId: string;
  parameters?: Parameter[];
  requestBody?: { content: Record<string, { schema?: Schema }> };
  responses: Record<string, { $ref?: string; content?: Record<string, { schema?: Schema }> }>;
}

interface Spec {
  paths: Record<string, Record<string, Operation>>;
  components: {
    schemas: Record<string, Schema>;
    parameters: Record<string, Parameter>;
    responses: Record<string, { content?: Record<string, { schema?: Schema }> }>;
  };
}

let specCache: Spec | undefined;

function loadSpec(): Spec {
  if (specCache === undefined) {
    const require = createRequire(import.meta.url);
    const file = require.resolve('@octokit/openapi/generated/api.github.com.json');
    specCache = JSON.parse(readFileSync(file, 'utf8')) as Spec;
  }
  return specCache;
}

function deref<T>(spec: Spec, value: T & { $ref?: string }): T {
  let current: unknown = value;
  for (let depth = 0; depth < 20; depth++) {
    const ref = (current as { $ref?: string }).$ref;
    if (ref === undefined) return current as T;
    const parts = ref.replace(/^#\//, '').split('/');
    let target: unknown = spec;
    for (const part of parts) target = (target as Record<string, unknown>)[part];
    if (target === undefined) throw new Error(`unresolvable $ref ${ref}`);
    current = target;
  }
  throw new Error('$ref chain too deep');
}

/** A small JSON-schema check for OpenAPI 3.0: types, nullable, required, known properties, enums. */
function checkSchema(spec: Spec, value: unknown, raw: Schema, where: string, errors: string[]): void {
  const schema = deref(spec, raw);
  if (schema.allOf !== undefined) {
    for (const part of schema.allOf) checkSchema(spec, value, part, where, errors);
  }
  const branches = schema.anyOf ?? schema.oneOf;
  if (branches !== undefined) {
    if (value === null && schema.nullable === true) return;
    const ok = branches.some((branch) => {
      const branchErrors: string[] = [];
      checkSchema(spec, value, branch, where, branchErrors);
      return branchErrors.length === 0;
    });
    if (!ok) errors.push(`${where}: matches none of the ${branches.length} alternatives`);
    return;
  }
  if (value === null) {
    const types = Array.isArray(schema.type) ? schema.type : [schema.type];
    if (schema.nullable === true || types.includes('null') || schema.type === undefined) return;
    errors.push(`${where}: is null, which the schema does not allow`);
    return;
  }
  if (schema.enum !== undefined && !schema.enum.includes(value)) {
    errors.push(`${where}: ${JSON.stringify(value)} is not one of ${JSON.stringify(schema.enum)}`);
  }
  const type = Array.isArray(schema.type) ? schema.type.find((item) => item !== 'null') : schema.type;
  switch (type) {
    case 'object': {
      if (typeof value !== 'object' || Array.isArray(value)) {
        errors.push(`${where}: should be an object`);
        return;
      }
      const record = value as Record<string, unknown>;
      for (const key of schema.required ?? []) {
        if (record[key] === undefined) errors.push(`${where}.${key}: required, missing`);
      }
      for (const [key, item] of Object.entries(record)) {
        if (item === undefined) continue; // not in JSON
        const property = schema.properties?.[key];
        if (property !== undefined) {
          checkSchema(spec, item, property, `${where}.${key}`, errors);
        } else if (typeof schema.additionalProperties === 'object') {
          checkSchema(spec, item, schema.additionalProperties, `${where}.${key}`, errors);
        } else if (schema.properties !== undefined && schema.additionalProperties !== true) {
          errors.push(`${where}.${key}: not a property the schema knows`);
        }
      }
      return;
    }
    case 'array':
      if (!Array.isArray(value)) {
        errors.push(`${where}: should be an array`);
        return;
      }
      if (schema.items !== undefined) {
        const items = schema.items;
        value.forEach((item, index) => checkSchema(spec, item, items, `${where}[${index}]`, errors));
      }
      return;
    case 'string':
      if (typeof value !== 'string') {
        errors.push(`${where}: should be a string, is ${typeof value}`);
        return;
      }
      if (schema.format === 'date-time' && Number.isNaN(Date.parse(value))) errors.push(`${where}: not a date-time`);
      if (schema.format === 'uri' && !URL.canParse(value)) errors.push(`${where}: not a URI`);
      if (schema.minLength !== undefined && value.length < schema.minLength) errors.push(`${where}: shorter than ${schema.minLength}`);
      if (schema.maxLength !== undefined && value.length > schema.maxLength) errors.push(`${where}: longer than ${schema.maxLength}`);
      return;
    case 'integer':
      if (!Number.isInteger(value)) errors.push(`${where}: should be an integer`);
      return;
    case 'number':
      if (typeof value !== 'number') errors.push(`${where}: should be a number`);
      return;
    case 'boolean':
      if (typeof value !== 'boolean') errors.push(`${where}: should be a boolean`);
      return;
    default:
      return;
  }
}

/** A value with every required field of the schema, for the big objects we do not model (full-repository). */
function synthesize(spec: Spec, raw: Schema, hint: string): unknown {
  const schema = deref(spec, raw);
  if (schema.allOf !== undefined) {
    return Object.assign({}, ...(schema.allOf.map((part) => synthesize(spec, part, hint)) as object[]));
  }
  const branches = schema.anyOf ?? schema.oneOf;
  if (branches?.[0] !== undefined) return synthesize(spec, branches[0], hint);
  if (schema.nullable === true) return null;
  if (schema.enum !== undefined) return schema.enum[0];
  const type = Array.isArray(schema.type) ? schema.type.find((item) => item !== 'null') : schema.type;
  switch (type) {
    case 'object': {
      const result: Record<string, unknown> = {};
      for (const key of schema.required ?? []) {
        const property = schema.properties?.[key];
        result[key] = property === undefined ? null : synthesize(spec, property, key);
      }
      return result;
    }
    case 'array':
      return [];
    case 'string':
      if (schema.format === 'date-time') return new Date(0).toISOString();
      if (schema.format === 'uri' || hint.endsWith('url')) return `https://example.invalid/${hint}`;
      return hint;
    case 'integer':
    case 'number':
      return 1;
    case 'boolean':
      return false;
    default:
      return null;
  }
}

/** What the schema check says of `body` as operation `op`'s `status` answer ([] when it fits). */
export function responseViolations(op: string, status: number, body: unknown): string[] {
  const spec = loadSpec();
  for (const operations of Object.values(spec.paths)) {
    for (const operation of Object.values(operations)) {
      if (operation.operationId !== op) continue;
      const documented = operation.responses[String(status)];
      if (documented === undefined) return [`${op}: status ${status} is not documented`];
      const schema = deref(spec, documented).content?.['application/json']?.schema;
      const errors: string[] = [];
      if (schema !== undefined) checkSchema(spec, body, schema, `${op} ${status} response`, errors);
      return errors;
    }
  }
  throw new Error(`no operation ${op}`);
}

// ---------------------------------------------------------------- state

export type Permission = 'write' | 'read';
export type Visibility = 'public' | 'private' | 'internal';

interface ReleaseRecord {
  id: number;
  tagName: string;
  targetCommitish: string;
  name: string | null;
  body: string | null;
  draft: boolean;
  prerelease: boolean;
  immutable: boolean;
  createdAt: string;
  publishedAt: string | null;
  updatedAt: string;
  untagged: string;
}

interface AssetRecord {
  id: number;
  releaseId: number;
  name: string;
  label: string | null;
  contentType: string;
  data: Buffer;
  state: 'uploaded' | 'open';
  createdAt: string;
  updatedAt: string;
}

/** What tests see of a release. */
export interface ReleaseView {
  readonly id: number;
  readonly tag: string;
  readonly name: string | null;
  readonly body: string | null;
  readonly draft: boolean;
  readonly prerelease: boolean;
  readonly immutable: boolean;
  /** GitHub's latest release (GET releases/latest). */
  readonly latest: boolean;
  readonly targetCommitish: string;
  readonly assets: ReadonlyArray<{
    readonly id: number;
    readonly name: string;
    readonly size: number;
    readonly sha256: string;
    readonly text: string;
    readonly contentType: string;
  }>;
}

export interface SeenRequest {
  readonly host: 'api' | 'uploads';
  readonly method: string;
  readonly path: string;
  readonly op: string | undefined;
  readonly params: Readonly<Record<string, string>>;
  readonly query: URLSearchParams;
  readonly token: string | undefined;
  /** Filled in when the answer is sent; 0 for a dropped connection. */
  status: number;
}

export interface ServerEvent {
  readonly type: 'published';
  readonly releaseId: number;
  readonly tag: string;
  /** Names of the release's assets when it was published. */
  readonly assets: readonly string[];
}

export type Fault =
  | { readonly kind: 'status'; readonly status: number; readonly message?: string; readonly headers?: Record<string, string> }
  /** Drops the connection: before the request takes effect, or `after` it did (only the answer is lost). */
  | { readonly kind: 'reset'; readonly after?: boolean }
  | { readonly kind: 'secondary-rate-limit'; readonly status?: 403 | 429; readonly retryAfter?: number }
  | { readonly kind: 'rate-limit' }
  /** upload-release-asset: another job's asset of the same name lands first; 422 already_exists. */
  | { readonly kind: 'concurrent-upload'; readonly data?: Buffer };

export interface FaultRule {
  /** An operationId such as repos/upload-release-asset; any when unset. */
  readonly op?: string;
  readonly when?: (request: SeenRequest) => boolean;
  /** Let this many matching requests through first. */
  readonly skip?: number;
  /** How many matching requests fail; default 1, Infinity for all. */
  readonly times?: number;
  readonly fault: Fault;
}

interface ActiveRule extends FaultRule {
  seen: number;
  fired: number;
}

export interface GitHubServerOptions {
  readonly owner?: string;
  readonly repo?: string;
  readonly visibility?: Visibility;
  /** Token → permission. Default: write-token (contents: write), read-token (contents: read). */
  readonly tokens?: Readonly<Record<string, Permission>>;
  /** GHES puts the API under /api/v3 and uploads under /api/uploads; github.com at the root. */
  readonly ghes?: boolean;
  /** Milliseconds to hold each API answer, to shuffle concurrent requests. */
  readonly latency?: () => number;
  /**
   * Report GitHub's sha256 digest of assets. Default true; false reports null; 'omitted' leaves
   * the field out, as GHES releases before `digest` was added do (their description has no such
   * field, so its absence is not counted as a violation then).
   */
  readonly digests?: boolean | 'omitted';
}

interface Context {
  readonly op: string;
  readonly method: string;
  readonly params: Record<string, string>;
  readonly query: URLSearchParams;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: Buffer;
  readonly json: unknown;
  readonly permission: Permission;
}

interface Reply {
  readonly status: number;
  readonly json?: unknown;
  readonly headers?: Record<string, string>;
}

interface Route {
  readonly op: string;
  readonly host: 'api' | 'uploads';
  readonly method: string;
  readonly template: string;
  readonly write: boolean;
  readonly pattern: RegExp;
  readonly names: readonly string[];
  readonly handle: (context: Context) => Reply;
}

const SECONDARY_MESSAGE =
  'You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID.';
const READ_ONLY_MESSAGE = 'Resource not accessible by integration';

function notFound(): Reply {
  return { status: 404, json: { message: 'Not Found', documentation_url: 'https://docs.github.com/rest', status: '404' } };
}

function validationFailed(resource: string, field: string, code = 'already_exists'): Reply {
  return {
    status: 422,
    json: {
      message: 'Validation Failed',
      errors: [{ resource, code, field }],
      documentation_url: 'https://docs.github.com/rest/releases',
    },
  };
}

/** GitHub's answers once a release is immutable (the rename one is inferred: GitHub refuses it, its wording is not documented). */
export const IMMUTABLE_MESSAGES = {
  upload: 'Cannot upload assets to an immutable release.',
  delete: 'Cannot delete asset from an immutable release',
  rename: 'Cannot update asset on an immutable release',
  draft: 'state cannot be changed when release is immutable',
  burnedTag: 'tag_name was used by an immutable release',
} as const;

function immutableRefusal(message: string): Reply {
  return { status: 422, json: { message, documentation_url: 'https://docs.github.com/rest/releases' } };
}

function burnedTag(): Reply {
  return {
    status: 422,
    json: {
      message: 'Validation Failed',
      errors: [{ resource: 'Release', code: 'custom', field: 'tag_name', message: IMMUTABLE_MESSAGES.burnedTag }],
      documentation_url: 'https://docs.github.com/rest/releases/releases#create-a-release',
    },
  };
}

const sha256 = (data: Buffer): string => createHash('sha256').update(data).digest('hex');
const now = (): string => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');

export class GitHubServer {
  readonly owner: string;
  readonly repo: string;
  visibility: Visibility;
  readonly tokens: Record<string, Permission>;
  /** Every request, in arrival order. */
  readonly requests: SeenRequest[] = [];
  readonly events: ServerEvent[] = [];
  /** Places where a request or a response did not follow GitHub's OpenAPI description. */
  readonly violations: string[] = [];
  /** The default branch's head, where releases without target_commitish are tagged. */
  readonly headSha = 'a'.repeat(40);
  /** The repository's immutable-releases setting: releases published while on are locked. */
  immutableReleases = false;
  /** Tags an immutable release was published on: never usable again, even once deleted. */
  readonly burnedTags = new Set<string>();

  private readonly spec = loadSpec();
  private readonly routes: Route[] = [];
  private readonly rules: ActiveRule[] = [];
  private readonly observers: Array<(op: string) => void> = [];
  private readonly releases = new Map<number, ReleaseRecord>();
  private readonly assets = new Map<number, AssetRecord>();
  private readonly refs = new Map<string, string>();
  private readonly objectKeys = new Map<string, number>();
  private latestId: number | undefined;
  private readonly apiServer: http.Server;
  private readonly uploadServer: http.Server;
  private readonly apiPrefix: string;
  private readonly uploadPrefix: string;
  private readonly latency: () => number;
  private readonly digests: boolean | 'omitted';
  private nextId = 1000;
  private apiPort = 0;
  private uploadPort = 0;

  private constructor(options: GitHubServerOptions) {
    this.owner = options.owner ?? 'octo-org';
    this.repo = options.repo ?? 'ktctl-dist';
    this.visibility = options.visibility ?? 'private';
    this.tokens = { ...(options.tokens ?? { 'write-token': 'write', 'read-token': 'read' }) };
    this.apiPrefix = options.ghes === true ? '/api/v3' : '';
    this.uploadPrefix = options.ghes === true ? '/api/uploads' : '';
    this.latency = options.latency ?? (() => 0);
    this.digests = options.digests ?? true;
    this.defineRoutes();
    this.apiServer = http.createServer((req, res) => void this.serve('api', req, res));
    this.uploadServer = http.createServer((req, res) => void this.serve('uploads', req, res));
  }

  static async start(options: GitHubServerOptions = {}): Promise<GitHubServer> {
    const server = new GitHubServer(options);
    server.apiPort = await listen(server.apiServer);
    server.uploadPort = await listen(server.uploadServer);
    return server;
  }

  /** GITHUB_API_URL. */
  get apiUrl(): string {
    return `http://127.0.0.1:${this.apiPort}${this.apiPrefix}`;
  }

  /** Where upload_url points: a different port, like uploads.github.com. */
  get uploadUrl(): string {
    return `http://127.0.0.1:${this.uploadPort}${this.uploadPrefix}`;
  }

  /** GITHUB_SERVER_URL. */
  get serverUrl(): string {
    return `http://127.0.0.1:${this.apiPort}`;
  }

  /** What a workflow run on `ref` at commit `sha` of this repository tells a step about GitHub. */
  workflowEnv(ref: string, sha: string): Record<string, string> {
    return { GITHUB_REPOSITORY: `${this.owner}/${this.repo}`, GITHUB_API_URL: this.apiUrl, GITHUB_SHA: sha, GITHUB_REF: ref };
  }

  async close(): Promise<void> {
    for (const server of [this.apiServer, this.uploadServer]) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  }

  /**
   * Calls `observer` after every write has taken effect (before its answer is sent), so a test
   * can check what a downloader would see at each moment.
   */
  observe(observer: (op: string) => void): void {
    this.observers.push(observer);
  }

  inject(rule: FaultRule): void {
    this.rules.push({ ...rule, seen: 0, fired: 0 });
  }

  clearFaults(): void {
    this.rules.length = 0;
  }

  /** Requests of one operation, optionally only those answered with `status`. */
  calls(op: string, status?: number): SeenRequest[] {
    return this.requests.filter((request) => request.op === op && (status === undefined || request.status === status));
  }

  releaseViews(tag?: string): ReleaseView[] {
    return [...this.releases.values()]
      .filter((release) => tag === undefined || release.tagName === tag)
      .sort((a, b) => a.id - b.id)
      .map((release) => ({
        id: release.id,
        tag: release.tagName,
        name: release.name,
        body: release.body,
        draft: release.draft,
        prerelease: release.prerelease,
        immutable: release.immutable,
        latest: release.id === this.latestId,
        targetCommitish: release.targetCommitish,
        assets: this.assetsOf(release.id).map((asset) => ({
          id: asset.id,
          name: asset.name,
          size: asset.data.length,
          sha256: sha256(asset.data),
          text: asset.data.toString('utf8'),
          contentType: asset.contentType,
        })),
      }));
  }

  tagRef(tag: string): string | undefined {
    return this.refs.get(`refs/tags/${tag}`);
  }

  /** Deletes a tag as a person would (a burned name stays burned). */
  deleteTagRef(tag: string): void {
    this.refs.delete(`refs/tags/${tag}`);
  }

  /** Puts a release in place as if someone made it earlier. */
  seedRelease(seed: {
    tag: string;
    draft?: boolean;
    immutable?: boolean;
    name?: string;
    prerelease?: boolean;
    body?: string;
    /** false: published without becoming the latest release. */
    latest?: boolean;
    assets?: ReadonlyArray<{ name: string; data: Buffer | string }>;
  }): number {
    const release = this.newRelease(seed.tag, seed.name ?? seed.tag, seed.body ?? '', seed.draft ?? false, seed.prerelease ?? false, this.headSha);
    for (const asset of seed.assets ?? []) {
      this.newAsset(release.id, asset.name, 'application/octet-stream', Buffer.from(asset.data));
    }
    // assets first: an immutable release is locked the moment it is published
    if (!release.draft) this.publish(release, seed.latest === false ? 'false' : 'true', seed.immutable ?? this.immutableReleases);
    return release.id;
  }

  /** Adds an asset to a release directly (a concurrent job, a human). */
  addAsset(releaseId: number, name: string, data: Buffer | string, state: 'uploaded' | 'open' = 'uploaded'): number {
    const asset = this.newAsset(releaseId, name, 'application/octet-stream', Buffer.from(data));
    asset.state = state;
    return asset.id;
  }

  // ------------------------------------------------------------ routing

  private route(op: string, method: string, template: string, handle: (context: Context) => Reply, host: 'api' | 'uploads' = 'api'): void {
    const operation = this.spec.paths[template]?.[method.toLowerCase()];
    if (operation?.operationId !== op) {
      throw new Error(`github-server: ${method} ${template} is not ${op} in GitHub's OpenAPI description`);
    }
    const names: string[] = [];
    const multi = new Set(
      (operation.parameters ?? [])
        .map((parameter) => deref(this.spec, parameter) as Parameter & { 'x-multi-segment'?: boolean })
        .filter((parameter) => parameter['x-multi-segment'] === true)
        .map((parameter) => parameter.name),
    );
    const source = template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\\?\{(\w+)\\?\}/g, (_, name: string) => {
      names.push(name);
      return multi.has(name) ? '(.+)' : '([^/]+)';
    });
    this.routes.push({
      op,
      host,
      method,
      template,
      write: method !== 'GET',
      pattern: new RegExp(`^${source}$`),
      names,
      handle,
    });
  }

  private defineRoutes(): void {
    const repoPath = '/repos/{owner}/{repo}';
    this.route('repos/get', 'GET', repoPath, () => ({ status: 200, json: this.repositoryJson() }));
    this.route('repos/list-releases', 'GET', `${repoPath}/releases`, (c) => {
      const visible = [...this.releases.values()]
        .filter((release) => !release.draft || c.permission === 'write')
        // as GitHub lists them: drafts first, then newest first (its docs promise no order)
        .sort((a, b) => Number(b.draft) - Number(a.draft) || b.id - a.id);
      return this.page(
        c,
        visible.map((release) => this.releaseJson(release)),
        `/repos/${this.owner}/${this.repo}/releases`,
      );
    });
    this.route('repos/create-release', 'POST', `${repoPath}/releases`, (c) => {
      const body = c.json as {
        tag_name: string;
        target_commitish?: string;
        name?: string;
        body?: string;
        draft?: boolean;
        prerelease?: boolean;
        make_latest?: string;
      };
      const draft = body.draft ?? false;
      if (this.burnedTags.has(body.tag_name)) return burnedTag();
      if (!draft && this.publishedWithTag(body.tag_name) !== undefined) return validationFailed('Release', 'tag_name');
      const release = this.newRelease(body.tag_name, body.name ?? null, body.body ?? null, draft, body.prerelease ?? false, body.target_commitish ?? 'main');
      if (!draft) this.publish(release, body.make_latest);
      return { status: 201, json: this.releaseJson(release) };
    });
    this.route('repos/get-release-by-tag', 'GET', `${repoPath}/releases/tags/{tag}`, (c) => {
      const release = this.publishedWithTag(c.params['tag'] ?? '');
      return release === undefined ? notFound() : { status: 200, json: this.releaseJson(release) };
    });
    this.route('repos/get-latest-release', 'GET', `${repoPath}/releases/latest`, () => {
      const release = this.latestId === undefined ? undefined : this.releases.get(this.latestId);
      return release === undefined ? notFound() : { status: 200, json: this.releaseJson(release) };
    });
    this.route('repos/get-release', 'GET', `${repoPath}/releases/{release_id}`, (c) => {
      const release = this.visibleRelease(c);
      return release === undefined ? notFound() : { status: 200, json: this.releaseJson(release) };
    });
    this.route('repos/update-release', 'PATCH', `${repoPath}/releases/{release_id}`, (c) => {
      const release = this.visibleRelease(c);
      if (release === undefined) return notFound();
      const body = c.json as {
        tag_name?: string;
        target_commitish?: string;
        name?: string;
        body?: string;
        draft?: boolean;
        prerelease?: boolean;
        make_latest?: string;
      };
      const tag = body.tag_name ?? release.tagName;
      const publishing = body.draft === false && release.draft;
      if (release.immutable && body.draft === true) return immutableRefusal(IMMUTABLE_MESSAGES.draft);
      if (release.immutable && tag !== release.tagName) return burnedTag();
      if (tag !== release.tagName && this.burnedTags.has(tag)) return burnedTag();
      if ((publishing || (!release.draft && tag !== release.tagName)) && this.publishedWithTag(tag, release.id) !== undefined) {
        return validationFailed('Release', 'tag_name');
      }
      release.tagName = tag;
      if (body.target_commitish !== undefined) release.targetCommitish = body.target_commitish;
      if (body.name !== undefined) release.name = body.name;
      if (body.body !== undefined) release.body = body.body;
      if (body.prerelease !== undefined) release.prerelease = body.prerelease;
      if (body.draft === true && !release.draft) {
        release.draft = true;
        release.publishedAt = null;
      }
      if (publishing) this.publish(release, body.make_latest);
      else if (!release.draft && !release.prerelease && body.make_latest === 'true') this.latestId = release.id;
      if (this.latestId === release.id && release.prerelease) this.recomputeLatest();
      release.updatedAt = now();
      return { status: 200, json: this.releaseJson(release) };
    });
    this.route('repos/delete-release', 'DELETE', `${repoPath}/releases/{release_id}`, (c) => {
      const release = this.visibleRelease(c);
      if (release === undefined) return notFound();
      for (const asset of this.assetsOf(release.id)) this.assets.delete(asset.id);
      this.releases.delete(release.id);
      if (this.latestId === release.id) this.recomputeLatest();
      return { status: 204 };
    });
    this.route('repos/list-release-assets', 'GET', `${repoPath}/releases/{release_id}/assets`, (c) => {
      const release = this.visibleRelease(c);
      if (release === undefined) return notFound();
      return this.page(
        c,
        this.assetsOf(release.id).map((asset) => this.assetJson(asset)),
        `/repos/${this.owner}/${this.repo}/releases/${release.id}/assets`,
      );
    });
    this.route(
      'repos/upload-release-asset',
      'POST',
      `${repoPath}/releases/{release_id}/assets`,
      (c) => {
        const release = this.visibleRelease(c);
        if (release === undefined) return notFound();
        const name = c.query.get('name') ?? '';
        if (name === '')
          return { status: 422, json: { message: 'Validation Failed', errors: [{ resource: 'ReleaseAsset', code: 'missing_field', field: 'name' }] } };
        const locked = this.assetLock(release.id, IMMUTABLE_MESSAGES.upload);
        if (locked !== undefined) return locked;
        if (this.assetsOf(release.id).some((asset) => asset.name === name)) return validationFailed('ReleaseAsset', 'name');
        const asset = this.newAsset(release.id, name, String(c.headers['content-type'] ?? 'application/octet-stream'), c.body);
        const label = c.query.get('label');
        if (label !== null) asset.label = label;
        return { status: 201, json: this.assetJson(asset) };
      },
      'uploads',
    );
    this.route('repos/get-release-asset', 'GET', `${repoPath}/releases/assets/{asset_id}`, (c) => {
      const asset = this.visibleAsset(c);
      if (asset === undefined) return notFound();
      if (String(c.headers['accept'] ?? '').includes('application/octet-stream')) {
        const key = randomBytes(12).toString('hex');
        this.objectKeys.set(key, asset.id);
        return { status: 302, headers: { location: `http://127.0.0.1:${this.uploadPort}/_objects/${key}/${encodeURIComponent(asset.name)}` } };
      }
      return { status: 200, json: this.assetJson(asset) };
    });
    this.route('repos/update-release-asset', 'PATCH', `${repoPath}/releases/assets/{asset_id}`, (c) => {
      const asset = this.visibleAsset(c);
      if (asset === undefined) return notFound();
      const locked = this.assetLock(asset.releaseId, IMMUTABLE_MESSAGES.rename);
      if (locked !== undefined) return locked;
      const body = c.json as { name?: string; label?: string; state?: string };
      if (body.name !== undefined && body.name !== asset.name) {
        if (this.assetsOf(asset.releaseId).some((other) => other.name === body.name)) return validationFailed('ReleaseAsset', 'name');
        asset.name = body.name;
      }
      if (body.label !== undefined) asset.label = body.label;
      asset.updatedAt = now();
      return { status: 200, json: this.assetJson(asset) };
    });
    this.route('repos/delete-release-asset', 'DELETE', `${repoPath}/releases/assets/{asset_id}`, (c) => {
      const asset = this.visibleAsset(c);
      if (asset === undefined) return notFound();
      const locked = this.assetLock(asset.releaseId, IMMUTABLE_MESSAGES.delete);
      if (locked !== undefined) return locked;
      this.assets.delete(asset.id);
      return { status: 204 };
    });
    this.route('git/get-ref', 'GET', `${repoPath}/git/ref/{ref}`, (c) => {
      const ref = `refs/${c.params['ref'] ?? ''}`;
      const sha = this.refs.get(ref);
      return sha === undefined ? notFound() : { status: 200, json: this.refJson(ref, sha) };
    });
    this.route('git/list-matching-refs', 'GET', `${repoPath}/git/matching-refs/{ref}`, (c) => {
      const prefix = `refs/${c.params['ref'] ?? ''}`;
      const matching = [...this.refs].filter(([ref]) => ref.startsWith(prefix)).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      return { status: 200, json: matching.map(([ref, sha]) => this.refJson(ref, sha)) };
    });
    this.route('repos/check-immutable-releases', 'GET', `${repoPath}/immutable-releases`, () =>
      this.immutableReleases ? { status: 200, json: { enabled: true, enforced_by_owner: false } } : notFound(),
    );
    this.route('repos/enable-immutable-releases', 'PUT', `${repoPath}/immutable-releases`, () => {
      this.immutableReleases = true;
      return { status: 204 };
    });
    this.route('repos/disable-immutable-releases', 'DELETE', `${repoPath}/immutable-releases`, () => {
      this.immutableReleases = false;
      return { status: 204 };
    });
    this.route('git/create-ref', 'POST', `${repoPath}/git/refs`, (c) => {
      const body = c.json as { ref: string; sha: string };
      if (!/^refs\/[^/]+\/.+/.test(body.ref)) {
        return { status: 422, json: { message: 'Reference name is not valid', documentation_url: 'https://docs.github.com/rest/git/refs' } };
      }
      if (!/^[0-9a-f]{40}$/.test(body.sha)) {
        return { status: 422, json: { message: 'Object does not exist', documentation_url: 'https://docs.github.com/rest/git/refs' } };
      }
      if (this.refs.has(body.ref)) {
        return { status: 422, json: { message: 'Reference already exists', documentation_url: 'https://docs.github.com/rest/git/refs' } };
      }
      this.refs.set(body.ref, body.sha);
      return { status: 201, json: this.refJson(body.ref, body.sha), headers: { location: `${this.apiUrl}/repos/${this.owner}/${this.repo}/git/${body.ref}` } };
    });
  }

  // ------------------------------------------------------------ serving

  private async serve(host: 'api' | 'uploads', req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const method = req.method ?? 'GET';
    if (host === 'uploads' && url.pathname.startsWith('/_objects/') && method === 'GET') {
      await drain(req);
      const id = this.objectKeys.get(url.pathname.split('/')[2] ?? '');
      const asset = id === undefined ? undefined : this.assets.get(id);
      if (asset === undefined) {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(asset.data.length) }).end(asset.data);
      return;
    }
    const prefix = host === 'api' ? this.apiPrefix : this.uploadPrefix;
    const seen: SeenRequest = {
      host,
      method,
      path: url.pathname,
      op: undefined,
      params: {},
      query: url.searchParams,
      token: /^(?:token|bearer) (.+)$/i.exec(req.headers.authorization ?? '')?.[1],
      status: 0,
    };
    this.requests.push(seen);
    const send = (reply: Reply): void => {
      seen.status = reply.status;
      const headers: Record<string, string> = { 'x-github-api-version-selected': '2022-11-28', ...reply.headers };
      if (reply.json === undefined) {
        res.writeHead(reply.status, headers).end();
        return;
      }
      const text = JSON.stringify(reply.json);
      res
        .writeHead(reply.status, { ...headers, 'content-type': 'application/json; charset=utf-8', 'content-length': String(Buffer.byteLength(text)) })
        .end(text);
    };

    if (!url.pathname.startsWith(`${prefix}/`)) {
      this.violations.push(`${host}: ${method} ${url.pathname} is outside ${prefix || '/'} (the client did not follow the configured URL)`);
      await drain(req);
      send(notFound());
      return;
    }
    const local = url.pathname.slice(prefix.length);
    let route: Route | undefined;
    let match: RegExpExecArray | null = null;
    for (const candidate of this.routes) {
      if (candidate.host !== host || candidate.method !== method) continue;
      match = candidate.pattern.exec(local);
      if (match !== null) {
        route = candidate;
        break;
      }
    }
    if (route === undefined || match === null) {
      this.violations.push(`${host}: ${method} ${local} is not a route this server implements`);
      await drain(req);
      send(notFound());
      return;
    }
    const params: Record<string, string> = {};
    route.names.forEach((name, index) => {
      params[name] = decodeURIComponent(match[index + 1] ?? '');
    });
    Object.assign(seen, { op: route.op, params });

    // Faults that strike before the request takes effect.
    const fault = this.takeFault(seen);
    if (fault?.kind === 'reset' && fault.after !== true) {
      req.socket.destroy();
      return;
    }
    const body = await readBody(req);

    if (host === 'uploads' && route.op === 'repos/upload-release-asset') {
      const length = req.headers['content-length'];
      if (length === undefined) {
        this.violations.push('upload without Content-Length (GitHub requires it)');
        send({ status: 411, json: { message: 'Length Required' } });
        return;
      }
      if (Number(length) !== body.length) {
        this.violations.push(`upload said Content-Length ${length} but sent ${body.length} bytes`);
      }
    }

    const permission = seen.token === undefined ? undefined : this.tokens[seen.token];
    if (permission === undefined) {
      send({ status: 401, json: { message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest', status: '401' } });
      return;
    }
    if (params['owner'] !== this.owner || params['repo'] !== this.repo) {
      send(notFound());
      return;
    }

    if (fault !== undefined && fault.kind !== 'reset') {
      const reply = this.faultReply(fault, route, params, url.searchParams);
      if (reply !== undefined) {
        send(reply);
        return;
      }
    }
    if (route.write && permission === 'read') {
      send({ status: 403, json: { message: READ_ONLY_MESSAGE, documentation_url: 'https://docs.github.com/rest/releases/releases', status: '403' } });
      return;
    }

    const operation = this.operation(route);
    let json: unknown;
    const jsonSchema = operation.requestBody?.content['application/json']?.schema;
    if (jsonSchema !== undefined) {
      try {
        json = JSON.parse(body.toString('utf8'));
      } catch {
        send({ status: 400, json: { message: 'Problems parsing JSON' } });
        return;
      }
      const errors: string[] = [];
      checkSchema(this.spec, json, jsonSchema, `${route.op} request body`, errors);
      if (errors.length > 0) {
        this.violations.push(...errors);
        send({ status: 422, json: { message: `Invalid request.\n\n${errors.join('\n')}`, documentation_url: 'https://docs.github.com/rest' } });
        return;
      }
    }
    const known = new Set(
      (operation.parameters ?? [])
        .map((parameter) => deref(this.spec, parameter))
        .filter((parameter) => parameter.in === 'query')
        .map((parameter) => parameter.name),
    );
    for (const key of url.searchParams.keys()) {
      if (!known.has(key)) this.violations.push(`${route.op}: query parameter ${key} is not one GitHub knows`);
    }
    for (const parameter of (operation.parameters ?? []).map((item) => deref(this.spec, item))) {
      if (parameter.in === 'query' && parameter.required === true && !url.searchParams.has(parameter.name)) {
        this.violations.push(`${route.op}: required query parameter ${parameter.name} is missing`);
      }
    }

    const delay = this.latency();
    if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));

    const reply = route.handle({ op: route.op, method, params, query: url.searchParams, headers: req.headers, body, json, permission });
    if (route.write) for (const observer of this.observers) observer(route.op);
    this.checkResponse(route, operation, reply);
    if (fault?.kind === 'reset') {
      seen.status = 0;
      req.socket.destroy();
      return;
    }
    send(reply);
  }

  private operation(route: Route): Operation {
    const operation = this.spec.paths[route.template]?.[route.method.toLowerCase()];
    if (operation === undefined) throw new Error(`no operation for ${route.op}`);
    return operation;
  }

  private checkResponse(route: Route, operation: Operation, reply: Reply): void {
    const documented = operation.responses[String(reply.status)];
    if (documented === undefined) {
      if (reply.status < 400) this.violations.push(`${route.op}: status ${reply.status} is not documented`);
      return;
    }
    const response = deref(this.spec, documented);
    const schema = response.content?.['application/json']?.schema;
    if (schema === undefined) return;
    if (reply.json === undefined) {
      this.violations.push(`${route.op}: ${reply.status} should have a JSON body`);
      return;
    }
    const errors: string[] = [];
    checkSchema(this.spec, reply.json, schema, `${route.op} ${reply.status} response`, errors);
    // an older GHES has no digest field at all: only that absence is forgiven
    this.violations.push(...(this.digests === 'omitted' ? errors.filter((error) => !/\.digest: required, missing$/.test(error)) : errors));
  }

  private takeFault(request: SeenRequest): Fault | undefined {
    for (const rule of this.rules) {
      if (rule.op !== undefined && rule.op !== request.op) continue;
      if (rule.when !== undefined && !rule.when(request)) continue;
      rule.seen += 1;
      if (rule.seen <= (rule.skip ?? 0)) continue;
      if (rule.fired >= (rule.times ?? 1)) continue;
      rule.fired += 1;
      return rule.fault;
    }
    return undefined;
  }

  private faultReply(fault: Exclude<Fault, { kind: 'reset' }>, route: Route, params: Record<string, string>, query: URLSearchParams): Reply | undefined {
    switch (fault.kind) {
      case 'status':
        return {
          status: fault.status,
          json: { message: fault.message ?? (fault.status >= 500 ? 'Server Error' : 'Injected failure'), documentation_url: 'https://docs.github.com/rest' },
          ...(fault.headers === undefined ? {} : { headers: fault.headers }),
        };
      case 'secondary-rate-limit':
        return {
          status: fault.status ?? 403,
          json: {
            message: SECONDARY_MESSAGE,
            documentation_url: 'https://docs.github.com/free-pro-team@latest/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits',
          },
          headers: { 'retry-after': String(fault.retryAfter ?? 1) },
        };
      case 'rate-limit':
        return {
          status: 403,
          json: {
            message: 'API rate limit exceeded for installation ID 1.',
            documentation_url: 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api',
          },
          headers: {
            'x-ratelimit-limit': '5000',
            'x-ratelimit-remaining': '0',
            'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 1),
          },
        };
      case 'concurrent-upload': {
        if (route.op !== 'repos/upload-release-asset') return undefined;
        const releaseId = Number(params['release_id']);
        const name = query.get('name') ?? '';
        if (this.releases.has(releaseId) && !this.assetsOf(releaseId).some((asset) => asset.name === name)) {
          this.newAsset(releaseId, name, 'application/octet-stream', fault.data ?? Buffer.from(`uploaded by another job: ${name}\n`));
        }
        return validationFailed('ReleaseAsset', 'name');
      }
    }
  }

  // ------------------------------------------------------------ model

  private newRelease(tag: string, name: string | null, body: string | null, draft: boolean, prerelease: boolean, target: string): ReleaseRecord {
    const release: ReleaseRecord = {
      id: this.nextId++,
      tagName: tag,
      targetCommitish: target,
      name,
      body,
      draft,
      prerelease,
      immutable: false,
      createdAt: now(),
      publishedAt: null,
      updatedAt: now(),
      untagged: randomBytes(10).toString('hex'),
    };
    this.releases.set(release.id, release);
    return release;
  }

  private publish(release: ReleaseRecord, makeLatest: string | undefined, immutable = this.immutableReleases): void {
    release.draft = false;
    release.publishedAt = now();
    if (immutable) {
      release.immutable = true;
      this.burnedTags.add(release.tagName);
    }
    if ((makeLatest ?? 'true') !== 'false' && !release.prerelease) this.latestId = release.id;
    const ref = `refs/tags/${release.tagName}`;
    if (!this.refs.has(ref)) {
      this.refs.set(ref, /^[0-9a-f]{40}$/.test(release.targetCommitish) ? release.targetCommitish : this.headSha);
    }
    this.events.push({ type: 'published', releaseId: release.id, tag: release.tagName, assets: this.assetsOf(release.id).map((asset) => asset.name) });
  }

  private newAsset(releaseId: number, name: string, contentType: string, data: Buffer): AssetRecord {
    const asset: AssetRecord = {
      id: this.nextId++,
      releaseId,
      name,
      label: null,
      contentType,
      data,
      state: 'uploaded',
      createdAt: now(),
      updatedAt: now(),
    };
    this.assets.set(asset.id, asset);
    return asset;
  }

  /** GitHub's fallback when the latest release goes away: the newest published full release. */
  private recomputeLatest(): void {
    const published = [...this.releases.values()].filter((release) => !release.draft && !release.prerelease).sort((a, b) => b.id - a.id);
    this.latestId = published[0]?.id;
  }

  /** The 422 for a change of an immutable release's assets, or undefined when it may change. */
  private assetLock(releaseId: number, message: string): Reply | undefined {
    return this.releases.get(releaseId)?.immutable === true ? immutableRefusal(message) : undefined;
  }

  private assetsOf(releaseId: number): AssetRecord[] {
    return [...this.assets.values()].filter((asset) => asset.releaseId === releaseId).sort((a, b) => a.id - b.id);
  }

  private publishedWithTag(tag: string, except?: number): ReleaseRecord | undefined {
    return [...this.releases.values()].find((release) => !release.draft && release.tagName === tag && release.id !== except);
  }

  private visibleRelease(c: Context): ReleaseRecord | undefined {
    const release = this.releases.get(Number(c.params['release_id']));
    if (release === undefined || (release.draft && c.permission !== 'write')) return undefined;
    return release;
  }

  private visibleAsset(c: Context): AssetRecord | undefined {
    const asset = this.assets.get(Number(c.params['asset_id']));
    const release = asset === undefined ? undefined : this.releases.get(asset.releaseId);
    if (asset === undefined || release === undefined || (release.draft && c.permission !== 'write')) return undefined;
    return asset;
  }

  private page(c: Context, items: unknown[], path: string): Reply {
    const perPage = Math.min(100, Math.max(1, Number(c.query.get('per_page') ?? 30) || 30));
    const page = Math.max(1, Number(c.query.get('page') ?? 1) || 1);
    const last = Math.max(1, Math.ceil(items.length / perPage));
    const link = (n: number, rel: string): string => `<${this.apiUrl}${path}?per_page=${perPage}&page=${n}>; rel="${rel}"`;
    const links: string[] = [];
    if (page < last) links.push(link(page + 1, 'next'), link(last, 'last'));
    if (page > 1) links.push(link(1, 'first'), link(page - 1, 'prev'));
    return {
      status: 200,
      json: items.slice((page - 1) * perPage, page * perPage),
      ...(links.length === 0 ? {} : { headers: { link: links.join(', ') } }),
    };
  }

  private user(): Record<string, unknown> {
    const login = 'github-actions[bot]';
    const base = `${this.apiUrl}/users/${encodeURIComponent(login)}`;
    return {
      login,
      id: 41898282,
      node_id: 'MDM6Qm90NDE4OTgyODI=',
      avatar_url: 'https://avatars.githubusercontent.com/in/15368?v=4',
      gravatar_id: '',
      url: base,
      html_url: `${this.serverUrl}/apps/github-actions`,
      followers_url: `${base}/followers`,
      following_url: `${base}/following{/other_user}`,
      gists_url: `${base}/gists{/gist_id}`,
      starred_url: `${base}/starred{/owner}{/repo}`,
      subscriptions_url: `${base}/subscriptions`,
      organizations_url: `${base}/orgs`,
      repos_url: `${base}/repos`,
      events_url: `${base}/events{/privacy}`,
      received_events_url: `${base}/received_events`,
      type: 'Bot',
      site_admin: false,
    };
  }

  private repositoryJson(): Record<string, unknown> {
    const schema = this.spec.components.schemas['full-repository'];
    if (schema === undefined) throw new Error('no full-repository schema');
    const filler = synthesize(this.spec, schema, 'repository') as Record<string, unknown>;
    const full = `${this.owner}/${this.repo}`;
    return {
      ...filler,
      id: 123456,
      node_id: 'R_kgDOtest',
      name: this.repo,
      full_name: full,
      owner: { ...this.user(), login: this.owner, type: 'Organization' },
      private: this.visibility !== 'public',
      visibility: this.visibility,
      html_url: `${this.serverUrl}/${full}`,
      url: `${this.apiUrl}/repos/${full}`,
      default_branch: 'main',
      description: null,
    };
  }

  private releaseJson(release: ReleaseRecord): Record<string, unknown> {
    const base = `${this.apiUrl}/repos/${this.owner}/${this.repo}`;
    const web = `${this.serverUrl}/${this.owner}/${this.repo}`;
    const tagPart = release.draft ? `untagged-${release.untagged}` : encodeURIComponent(release.tagName);
    return {
      url: `${base}/releases/${release.id}`,
      html_url: `${web}/releases/tag/${tagPart}`,
      assets_url: `${base}/releases/${release.id}/assets`,
      upload_url: `${this.uploadUrl}/repos/${this.owner}/${this.repo}/releases/${release.id}/assets{?name,label}`,
      tarball_url: release.draft ? null : `${base}/tarball/${encodeURIComponent(release.tagName)}`,
      zipball_url: release.draft ? null : `${base}/zipball/${encodeURIComponent(release.tagName)}`,
      id: release.id,
      node_id: `RE_${release.id}`,
      tag_name: release.tagName,
      target_commitish: release.targetCommitish,
      name: release.name,
      body: release.body,
      draft: release.draft,
      prerelease: release.prerelease,
      immutable: release.immutable,
      created_at: release.createdAt,
      published_at: release.publishedAt,
      updated_at: release.updatedAt,
      author: this.user(),
      assets: this.assetsOf(release.id).map((asset) => this.assetJson(asset)),
    };
  }

  private assetJson(asset: AssetRecord): Record<string, unknown> {
    const release = this.releases.get(asset.releaseId);
    const tagPart = release === undefined || release.draft ? `untagged-${release?.untagged ?? ''}` : encodeURIComponent(release.tagName);
    return {
      url: `${this.apiUrl}/repos/${this.owner}/${this.repo}/releases/assets/${asset.id}`,
      browser_download_url: `${this.serverUrl}/${this.owner}/${this.repo}/releases/download/${tagPart}/${encodeURIComponent(asset.name)}`,
      id: asset.id,
      node_id: `RA_${asset.id}`,
      name: asset.name,
      label: asset.label,
      state: asset.state,
      content_type: asset.contentType,
      size: asset.data.length,
      ...(this.digests === 'omitted' ? {} : { digest: this.digests ? `sha256:${sha256(asset.data)}` : null }),
      download_count: 0,
      created_at: asset.createdAt,
      updated_at: asset.updatedAt,
      uploader: this.user(),
    };
  }

  private refJson(ref: string, sha: string): Record<string, unknown> {
    const base = `${this.apiUrl}/repos/${this.owner}/${this.repo}/git`;
    return {
      ref,
      node_id: `REF_${Buffer.from(ref).toString('base64url')}`,
      url: `${base}/${ref}`,
      object: { type: 'commit', sha, url: `${base}/commits/${sha}` },
    };
  }
}

async function listen(server: http.Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return (server.address() as AddressInfo).port;
}

async function readBody(req: http.IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function drain(req: http.IncomingMessage): Promise<void> {
  for await (const _ of req) {
    // discard
  }
}
