// Gets kt-connect from a Go module proxy, checked against the checksum database by the
// installed Go's own client: the version list, `.info` and `.mod` are read over HTTP (before Go
// is installed: go.mod says which Go), the module itself only ever by `go mod download`, which
// refuses a zip whose hash the checksum database does not record.
// Over 300 lines: the proxy list's fall-through rules, the version list, the `.info` and `.mod`
// reads and the checked unpacking belong together, as the Go command's own fetch does them.
import { randomUUID } from 'node:crypto';
import { constants } from 'node:fs';
import { chmod, lstat, mkdir, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  checksumOffReason,
  classifyDownloadError,
  escapeModulePath,
  KT_CONNECT_MODULE,
  listedVersions,
  parseGoProxyList,
  parseModuleInfo,
  pickLatestFromList,
  type ChecksumSettings,
  type ModuleInfo,
} from '../plan/index.js';
import {
  messageOf,
  type Log,
  limitsHint,
  networkLimits,
  type NetworkLimits,
  ProcessTimeoutError,
  runUnchecked,
  redactUrl,
  redactUrlsIn,
  newestFirst,
} from '../shared/index.js';
import { extractDownload, DownloadError, fetchText, HttpStatusError, isRetryable, NoAnswerError } from '../toolchain/index.js';
import type { ModuleSource, UpstreamRequest } from '../model.js';

const MOST_LIST_BYTES = 1024 ** 2;
const MOST_INFO_BYTES = 64 * 1024;
const MOST_MOD_BYTES = 1024 ** 2;

/** The GOPROXY the run uses: input 'go-proxy', else the runner's, else the go command's default. */
export function goProxyOf(request: UpstreamRequest, env: NodeJS.ProcessEnv): string {
  return request.goProxy ?? env['GOPROXY'] ?? '';
}

/** What a proxy says of the version to build, before the module itself is fetched. */
export interface ResolvedModule {
  readonly version: string;
  readonly info: ModuleInfo;
  /** go.mod as the proxy serves it: only its `go` line is used (to choose Go) until `go mod download` has checked it. */
  readonly goMod: string;
  /** The proxy that answered, for messages. */
  readonly proxy: string;
}

class NotOnProxy extends Error {}

/** Reads one file of a proxy (http, https or file URL), within the network limits and a size. */
async function proxyFile(proxy: string, file: string, maxBytes: number, limits: NetworkLimits): Promise<string> {
  const url = `${proxy.replace(/\/+$/, '')}/${escapeModulePath(KT_CONNECT_MODULE)}/@v/${file}`;
  if (url.startsWith('file://')) {
    const local = fileURLToPath(url);
    try {
      if ((await stat(local)).size > maxBytes) throw new Error(`${url} is larger than ${maxBytes} bytes`);
      return await readFile(local, { encoding: 'utf8', flag: constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new NotOnProxy(`${url}: not found`);
      throw error;
    }
  }
  if (!/^https?:\/\//.test(url)) throw new Error(`'${redactUrl(proxy)}' is not an http(s):// or file:// proxy`);
  // told as proxy + path: the `@` of `/@v/` would make the whole URL look like userinfo to redactUrl
  const shown = `${redactUrl(proxy.replace(/\/+$/, ''))}/${escapeModulePath(KT_CONNECT_MODULE)}/@v/${file}`;
  try {
    return await fetchText(url, { limits, input: 'go-proxy', maxBytes });
  } catch (error) {
    const cause = error instanceof DownloadError ? error.cause : error;
    // a final 4xx: the proxy does not have it; the go command then tries the next proxy
    if (cause instanceof HttpStatusError && !isRetryable(cause)) throw new NotOnProxy(`${shown}: ${messageOf(cause)}`);
    throw new Error(`${shown}: ${messageOf(cause)}${cause instanceof NoAnswerError ? ` (${limitsHint()})` : ''}`);
  }
}

/**
 * Finds the version to build on the first proxy of the GOPROXY list that has kt-connect, as the
 * go command walks it: the next entry after a 404/410, or after any error behind a `|`.
 */
export async function resolveOnProxy(request: UpstreamRequest, env: NodeJS.ProcessEnv): Promise<ResolvedModule> {
  const limits = networkLimits(env);
  const goProxy = goProxyOf(request, env);
  const misses: string[] = [];
  for (const entry of parseGoProxyList(goProxy)) {
    if (entry.proxy === 'off' || entry.proxy === 'direct') {
      throw new Error(
        `Input 'kt-connect-source': go-proxy reads kt-connect's versions from a module proxy, and GOPROXY ('${redactUrl(goProxy)}') reaches '${entry.proxy}' ` +
          `before any proxy served ${KT_CONNECT_MODULE}${misses.length > 0 ? ` (${misses.join('; ')})` : ''}. Set input 'go-proxy' to a module proxy, or use kt-connect-source: git.`,
      );
    }
    try {
      return await resolveOn(entry.proxy, request.version, limits);
    } catch (error) {
      if (!(error instanceof NotOnProxy) && !entry.fallThroughOnAnyError) {
        throw new Error(`Input 'go-proxy': the module proxy ${redactUrl(entry.proxy)} failed for ${KT_CONNECT_MODULE}: ${redactUrlsIn(messageOf(error))}`);
      }
      misses.push(redactUrlsIn(messageOf(error)));
    }
  }
  throw new Error(
    `Input 'go-proxy': no proxy of '${redactUrl(goProxy)}' serves ${KT_CONNECT_MODULE}${request.version === 'latest' ? '' : ` ${request.version}`} (${misses.join('; ')}); check 'go-proxy' and 'kt-connect-version'.`,
  );
}

async function resolveOn(proxy: string, wanted: string, limits: NetworkLimits): Promise<ResolvedModule> {
  let version = wanted;
  if (wanted === 'latest') {
    const list = await proxyFile(proxy, 'list', MOST_LIST_BYTES, limits);
    const latest = pickLatestFromList(list);
    if (latest === undefined) {
      throw new Error(`Input 'kt-connect-version': ${redactUrl(proxy)} lists no release version (vX.Y.Z) of ${KT_CONNECT_MODULE}; name a version explicitly.`);
    }
    version = latest;
  }
  let infoText: string;
  try {
    infoText = await proxyFile(proxy, `${version}.info`, MOST_INFO_BYTES, limits);
  } catch (error) {
    if (!(error instanceof NotOnProxy) || wanted === 'latest') throw error;
    const list = await proxyFile(proxy, 'list', MOST_LIST_BYTES, limits).catch(() => '');
    const newest = newestFirst(listedVersions(list)).slice(0, 5).join(', ') || 'none';
    throw new NotOnProxy(`${redactUrl(proxy)} has no ${KT_CONNECT_MODULE} ${version} (input 'kt-connect-version'; newest versions it lists: ${newest})`);
  }
  const info = parseModuleInfo(infoText);
  if (info === undefined || info.version !== version) {
    throw new Error(`${redactUrl(proxy)} answered ${version}.info with something that is not that version's info`);
  }
  const goMod = await proxyFile(proxy, `${version}.mod`, MOST_MOD_BYTES, limits);
  return { version, info, goMod, proxy };
}

/** The go command's environment for fetching the module: the inputs' proxy and checksum database, nothing of the build. */
function fetchEnvironment(request: UpstreamRequest, env: NodeJS.ProcessEnv, modCache: string): NodeJS.ProcessEnv {
  return {
    ...env,
    ...(request.goProxy === undefined ? {} : { GOPROXY: request.goProxy }),
    ...(request.goSumdb === undefined ? {} : { GOSUMDB: request.goSumdb }),
    GOMODCACHE: modCache,
    // no go.mod around: fetch the module alone; a writable copy, so the scratch folder can be removed
    GOFLAGS: '-mod=mod -modcacherw',
    GO111MODULE: 'on',
    GOWORK: 'off',
    GOTOOLCHAIN: 'local',
  };
}

/** The settings the go command reads (environment and `go env -w`) that switch checksum checks off. */
export async function checksumSettings(go: string, request: UpstreamRequest, env: NodeJS.ProcessEnv, cwd: string): Promise<ChecksumSettings> {
  const names = ['GOSUMDB', 'GONOSUMDB', 'GOPRIVATE', 'GOINSECURE', 'GOFLAGS'] as const;
  const result = await runUnchecked(go, ['env', '-json', ...names], {
    cwd,
    env: { ...env, ...(request.goSumdb === undefined ? {} : { GOSUMDB: request.goSumdb }), GOTOOLCHAIN: 'local' },
    what: 'go env',
  });
  if (result.code !== 0) throw new Error(`go env failed (exit code ${result.code}): ${result.output.trim().slice(0, 500)}`);
  const values = JSON.parse(result.stdout ?? result.output) as Record<string, unknown>;
  const read = (name: string): string => (typeof values[name] === 'string' ? (values[name] as string) : '');
  return { GOSUMDB: read('GOSUMDB'), GONOSUMDB: read('GONOSUMDB'), GOPRIVATE: read('GOPRIVATE'), GOINSECURE: read('GOINSECURE'), GOFLAGS: read('GOFLAGS') };
}

/**
 * Refuses a run in which the go command would not check kt-connect against a checksum database,
 * unless the user said so with go-sumdb: off. Returns the database's name, or 'off'.
 */
export function checksumDatabaseFor(settings: ChecksumSettings, request: UpstreamRequest, log: Log): string {
  if (request.goSumdb === 'off') {
    log.warning(`go-sumdb is off: ${KT_CONNECT_MODULE} is not checked against a checksum database; the source is unverified.`);
    return 'off';
  }
  const reason = checksumOffReason(settings, KT_CONNECT_MODULE);
  if (reason !== undefined) {
    throw new Error(
      `Input 'go-sumdb': checksum verification is off for ${KT_CONNECT_MODULE} (${reason}), so nothing would prove the module is what upstream published. ` +
        'Remove that setting for this step, or set go-sumdb: off to build from an unverified source on purpose.',
    );
  }
  return settings.GOSUMDB.trim().split(/\s+/)[0] || 'sum.golang.org';
}

/** What `go mod download -json` reports of the module it fetched and checked. */
export interface DownloadedModule {
  readonly zip: string;
  readonly goModFile: string;
  readonly infoFile: string;
  readonly hash: string;
  readonly goModHash: string;
}

/**
 * `go mod download -json <module>@<version>` in an empty folder with its own module cache
 * under `dir`: the go command checks the zip against go.sum-less verification, the checksum
 * database, and refuses a mismatch. -x prints each request: the sign of life the silence
 * watchdog waits for, since the go command has no network time limits of its own.
 */
export async function downloadModule(go: string, request: UpstreamRequest, version: string, dir: string, env: NodeJS.ProcessEnv): Promise<DownloadedModule> {
  const empty = path.join(dir, 'empty');
  await mkdir(empty, { recursive: true, mode: 0o700 });
  const limits = networkLimits(env);
  const wanted = `${KT_CONNECT_MODULE}@${version}`;
  const what = `go mod download of ${wanted} (inputs 'kt-connect-source', 'go-proxy', 'go-sumdb')`;
  let result;
  try {
    result = await runUnchecked(go, ['mod', 'download', '-x', '-json', wanted], {
      cwd: empty,
      env: fetchEnvironment(request, env, path.join(dir, 'modcache')),
      what,
      silence: { firstMs: (limits.connectSeconds + limits.idleSeconds) * 1000, idleMs: (limits.connectSeconds + limits.idleSeconds) * 1000 },
    });
  } catch (error) {
    if (error instanceof ProcessTimeoutError) {
      throw new Error(
        `${what}: the module proxy or the checksum database did not answer within the network limits (${messageOf(error)}); check 'go-proxy' and 'go-sumdb' (or GOPROXY and GOSUMDB).`,
      );
    }
    throw error;
  }
  const report = parseDownloadJson(result.stdout ?? '');
  const failure = report?.Error ?? (result.code === 0 ? undefined : result.output.trim().split('\n').slice(-10).join('\n'));
  if (failure !== undefined || report === undefined) throw downloadError(failure ?? 'no report', wanted, request);
  const { Zip, GoMod, Info, Sum, GoModSum } = report;
  if (Zip === undefined || GoMod === undefined || Info === undefined || Sum === undefined || GoModSum === undefined) {
    throw new Error(`${what} reported no zip, go.mod or hash.`);
  }
  return { zip: Zip, goModFile: GoMod, infoFile: Info, hash: Sum, goModHash: GoModSum };
}

interface DownloadJson {
  readonly Error?: string;
  readonly Zip?: string;
  readonly GoMod?: string;
  readonly Info?: string;
  readonly Sum?: string;
  readonly GoModSum?: string;
}

function parseDownloadJson(stdout: string): DownloadJson | undefined {
  try {
    const value = JSON.parse(stdout) as unknown;
    if (typeof value !== 'object' || value === null) return undefined;
    const record = value as Record<string, unknown>;
    const text = (name: string): string | undefined => (typeof record[name] === 'string' ? (record[name] as string) : undefined);
    return { Error: text('Error'), Zip: text('Zip'), GoMod: text('GoMod'), Info: text('Info'), Sum: text('Sum'), GoModSum: text('GoModSum') };
  } catch {
    return undefined;
  }
}

function downloadError(failure: string, wanted: string, request: UpstreamRequest): Error {
  const told = redactUrlsIn(failure.trim()).slice(0, 2000);
  switch (classifyDownloadError(failure)) {
    case 'checksum-mismatch':
      return new Error(
        `Input 'kt-connect-source': the checksum database disagrees with the module the proxy served for ${wanted}: its hash is not the one upstream published, ` +
          `so nothing was built. The proxy in 'go-proxy' (or GOPROXY), or something between, served a changed module. The go command said:\n${told}`,
      );
    case 'checksum-database':
      return new Error(
        `Input 'go-sumdb': ${wanted} could not be checked against the checksum database${request.goSumdb === undefined ? '' : ` '${redactUrl(request.goSumdb)}'`}; ` +
          `check that it (or the proxy's /sumdb/ path) is reachable. The go command said:\n${told}`,
      );
    case 'not-found':
      return new Error(`Input 'kt-connect-version': the module proxy has no ${wanted}. The go command said:\n${told}`);
    default:
      return new Error(`Input 'kt-connect-source': go mod download of ${wanted} failed. The go command said:\n${told}`);
  }
}

/** The module's files, checked and unpacked into `dir`, writable: as a checkout would leave them. */
export async function unpackModule(zip: string, version: string, dir: string, proxy: string): Promise<void> {
  const origin = { input: 'kt-connect-source', url: `${redactUrl(proxy)} (${KT_CONNECT_MODULE}@${version}.zip)` };
  const staging = `${dir}.unpack-${randomUUID()}`;
  const prefix = `${KT_CONNECT_MODULE}@${version}`;
  await extractDownload(zip, 'zip', origin, { into: staging, take: [`${prefix}/go.mod`] });
  try {
    // every entry, not only go.mod: regular files in real folders, all under module@version/
    await checkTree(staging, '', prefix, origin.url);
    await rename(path.join(staging, ...prefix.split('/')), dir);
    await makeWritable(dir);
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

async function checkTree(root: string, relative: string, prefix: string, where: string): Promise<void> {
  for (const entry of await readdir(path.join(root, relative), { withFileTypes: true })) {
    const name = relative === '' ? entry.name : `${relative}/${entry.name}`;
    const inside = name.startsWith(`${prefix}/`) || prefix.startsWith(`${name}/`) || name === prefix;
    if (!inside) throw new Error(`Input 'kt-connect-source': ${where} holds ${name}, outside ${prefix}/; a module zip holds nothing else.`);
    const stats = await lstat(path.join(root, name));
    if (stats.isDirectory()) await checkTree(root, name, prefix, where);
    else if (!stats.isFile() || !name.startsWith(`${prefix}/`)) {
      throw new Error(`Input 'kt-connect-source': in ${where}, ${name} is not a regular file inside ${prefix}/: only regular files are taken from a download.`);
    }
  }
}

/** Module zips unpack read-only in the module cache; this copy is patched and written. */
async function makeWritable(dir: string): Promise<void> {
  await chmod(dir, 0o700);
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) await makeWritable(full);
    else if (entry.isFile()) await chmod(full, 0o600);
  }
}

/** The record of a module fetched and checked. */
export function moduleSource(version: string, downloaded: DownloadedModule, checksumDatabase: string): ModuleSource {
  return {
    kind: 'go-proxy',
    module: KT_CONNECT_MODULE,
    version,
    hash: downloaded.hash,
    goModHash: downloaded.goModHash,
    checksumDatabase,
    verified: checksumDatabase !== 'off',
  };
}

/** go.mod as `go mod download` checked it. */
export async function readCheckedGoMod(downloaded: DownloadedModule): Promise<string> {
  return readFile(downloaded.goModFile, 'utf8');
}

export const FETCH_DIR_PREFIX = 'ktctl-customize-module-';
