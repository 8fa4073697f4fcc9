// Turns raw input strings into validated BuildInputs. Pure: no network, no disk, so every
// bad input fails here, before anything is downloaded or built.
// Over 300 lines because it is one table of the build inputs, each parsed by a small function
// beside its neighbours; the two configs and the patches have modules of their own.
import path from 'node:path';
import { KT_CONNECT_MODULE, sourceFor, type SourceChoice, parseImageRegistry, checkNameTemplate, parseTargets } from '../plan/index.js';
import { BUILD_DEFAULTS, type BuildInputName, InputError, printable, redactUrl, trimTrailingSlashes } from '../shared/index.js';
import type { ArchiveFormatChoice, BuildInputs, GoOs, UpstreamRequest } from '../model.js';
import { parsePatchPatterns } from './patches.js';

/** Reads one input by its action.yml name; '' when it is not set. */
export type InputReader = (name: string) => string;

export interface InputContext {
  /** GITHUB_WORKSPACE, or the working directory outside Actions. */
  readonly workspace: string;
  /** GITHUB_SERVER_URL: where `owner/name` repositories live. */
  readonly serverUrl: string;
}

/** The raw value, or its default when unset. */
function withDefaults(read: InputReader): (name: BuildInputName) => string {
  return (name) => {
    const value = read(name);
    return value.trim() === '' ? BUILD_DEFAULTS[name] : value;
  };
}

export function parseBoolean(name: string, value: string): boolean {
  if (/^(true|True|TRUE)$/.test(value.trim())) return true;
  if (/^(false|False|FALSE)$/.test(value.trim())) return false;
  throw new InputError(name, `'${printable(value)}' is not a boolean; use true or false.`);
}

export function parseSha256(name: string, value: string): string | undefined {
  const text = value.trim();
  if (text === '') return undefined;
  if (!/^[0-9a-fA-F]{64}$/.test(text)) {
    throw new InputError(name, 'must be a SHA-256 written as 64 hexadecimal digits.');
  }
  return text.toLowerCase();
}

export function parseHttpUrl(name: string, value: string): string {
  const text = value.trim();
  const shown = printable(redactUrl(text));
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new InputError(name, `'${shown}' is not a URL; give an https:// address.`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new InputError(name, `'${shown}' must be an http:// or https:// address.`);
  }
  return trimTrailingSlashes(text);
}

/**
 * `owner/name` on the workflow's own server, or a git URL for mirrors. Only transports
 * that fetch data are accepted: git's `ext::` and `fd::` run commands.
 */
export function parseRepository(value: string, serverUrl: string): string {
  const text = value.trim();
  const name = 'kt-connect-repository';
  const shown = printable(redactUrl(text));
  if (/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/.test(text) && !text.includes('..')) {
    return `${trimTrailingSlashes(serverUrl)}/${text.endsWith('.git') ? text.slice(0, -4) : text}.git`;
  }
  if (/[\s\0]/.test(text) || text.startsWith('-')) {
    throw new InputError(name, `'${shown}' is neither owner/name nor a git URL; use owner/name, https://, ssh://, git@host:path or file://.`);
  }
  if (/^(https?|ssh|git|file):\/\/[^\s]+$/.test(text)) return text;
  if (/^[A-Za-z0-9_.-]+@[A-Za-z0-9_.-]+:[A-Za-z0-9_./~-]+$/.test(text)) return text; // scp-like ssh
  throw new InputError(name, `'${shown}' is neither owner/name nor a git URL; use owner/name, https://, ssh://, git@host:path or file://.`);
}

/** Where kt-connect comes from: the repository and tag, and with kt-connect-source how it is fetched and checked. */
export function parseUpstreamSource(input: (name: BuildInputName) => string, serverUrl: string): UpstreamRequest {
  const repository = input('kt-connect-repository').trim();
  const isUpstream = repository === BUILD_DEFAULTS['kt-connect-repository'];
  const choice = parseSourceChoice(input('kt-connect-source'));
  if (choice === 'go-proxy' && !isUpstream) {
    throw new InputError(
      'kt-connect-source',
      `go-proxy fetches upstream's module (${KT_CONNECT_MODULE}), not the repository in 'kt-connect-repository'; leave that input at its default, or use kt-connect-source: git for a fork or mirror.`,
    );
  }
  const commit = parseCommit(input('kt-connect-commit'));
  const goProxy = parseGoProxy(input('go-proxy'));
  const goSumdb = parseGoSumdb(input('go-sumdb'));
  return {
    url: parseRepository(repository, serverUrl),
    version: parseUpstreamVersion(input('kt-connect-version')),
    source: sourceFor(choice, isUpstream),
    ...(commit === undefined ? {} : { commit }),
    ...(goProxy === undefined ? {} : { goProxy }),
    ...(goSumdb === undefined ? {} : { goSumdb }),
  };
}

export function parseSourceChoice(value: string): SourceChoice {
  const text = value.trim();
  if (text === 'auto' || text === 'go-proxy' || text === 'git') return text;
  throw new InputError(
    'kt-connect-source',
    `'${printable(text)}' is not a source; use auto, go-proxy (the Go module proxy, checked against the checksum database) or git.`,
  );
}

export function parseCommit(value: string): string | undefined {
  const text = value.trim();
  if (text === '') return undefined;
  if (!/^([0-9a-fA-F]{40}|[0-9a-fA-F]{64})$/.test(text)) {
    throw new InputError('kt-connect-commit', 'must be a full commit id (40 hexadecimal digits), the commit the kt-connect-version tag must name.');
  }
  return text.toLowerCase();
}

/** A GOPROXY list: proxy URLs (http, https, file), `direct` and `off`, separated by `,` or `|`. */
export function parseGoProxy(value: string): string | undefined {
  const text = value.trim();
  if (text === '') return undefined;
  for (const entry of text.split(/[,|]/)) {
    const item = entry.trim();
    if (item === 'direct' || item === 'off') continue;
    if (!/^(https?|file):\/\/[^\s]+$/.test(item)) {
      throw new InputError(
        'go-proxy',
        `'${printable(redactUrl(item))}' is not a module proxy; give a GOPROXY list of https:// URLs (and direct or off), such as https://proxy.golang.org.`,
      );
    }
  }
  return text;
}

/** A GOSUMDB value: `off`, a database name (`sum.golang.org`), or `name+key [url]`. */
export function parseGoSumdb(value: string): string | undefined {
  const text = value.trim();
  if (text === '') return undefined;
  if (text === 'off') return text;
  const [name, url, ...rest] = text.split(/\s+/);
  if (
    rest.length > 0 ||
    name === undefined ||
    !/^[A-Za-z0-9.-]+(\+[A-Za-z0-9+/=.-]+)?$/.test(name) ||
    (url !== undefined && !/^https?:\/\/[^\s]+$/.test(url))
  ) {
    throw new InputError(
      'go-sumdb',
      `'${printable(redactUrl(text))}' is not a GOSUMDB value; use off, a database name such as sum.golang.org, or 'name+key https://url' as GOSUMDB takes it.`,
    );
  }
  return text;
}

/** `latest` or a tag name that cannot be mistaken for an option or a revision expression. */
export function parseUpstreamVersion(value: string): string {
  const text = value.trim();
  if (text === 'latest') return text;
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(text) || text.includes('..') || text.endsWith('.lock')) {
    throw new InputError('kt-connect-version', `'${printable(text)}' is not a tag name; use latest or a tag such as v0.3.7.`);
  }
  return text;
}

/** The version baked in with -X main.version; images are tagged `v<version>`. */
export function parseVersion(value: string): string {
  const text = value.trim();
  if (text === '') return '';
  if (!/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,126}$/.test(text)) {
    throw new InputError('version', `'${printable(text)}' cannot be part of an image tag; use letters, digits, '.', '_' and '-' (for example 0.3.7).`);
  }
  return text;
}

export function parseGoVersion(value: string): string {
  const text = value.trim();
  if (text === '') return '';
  if (!/^1\.\d+(\.\d+)?$/.test(text)) {
    const hint = /^go1\./.test(text) ? ` (write ${printable(text.slice(2))})` : '';
    throw new InputError('go-version', `'${printable(text)}' is not a Go version; use 1.19 or 1.19.8${hint}, or leave it empty to follow go.mod.`);
  }
  return text;
}

export function parseUpxVersion(value: string): string {
  const text = value.trim();
  if (!/^\d+\.\d+\.\d+$/.test(text)) {
    throw new InputError('upx-version', `'${printable(text)}' is not a upx release; use a version such as ${BUILD_DEFAULTS['upx-version']} (no leading v).`);
  }
  return text;
}

/**
 * upx options that only change how it compresses. An allow-list: upx accepts abbreviations
 * (`--outp=x`, `-ox`), so a deny-list of `-o` and friends can be walked around, and an output
 * elsewhere would leave a binary with the configs outside the scratch folder.
 */
const UPX_ALLOWED =
  /^(-[1-9]|--best|--brute|--ultra-brute|--lzma|--nrv2[bde]|-q{1,3}|--no-progress|--no-color|--force|--all-methods|--all-filters|--no-lzma|--strip-relocs=[01]|--compress-exports=[01]|--compress-icons=[0-3]|--compress-resources=[01])$/;

export function parseUpxArgs(value: string): string[] {
  const args = value.split(/\s+/).filter((arg) => arg !== '');
  for (const arg of args) {
    if (!UPX_ALLOWED.test(arg)) {
      throw new InputError(
        'upx-args',
        `'${printable(arg)}' is not a compression option this action passes to upx; use levels -1 to -9, --best, --brute, --ultra-brute, --lzma, --nrv2b/d/e, -q, --force.`,
      );
    }
  }
  return args;
}

export function parseArchiveFormat(value: string): ArchiveFormatChoice {
  const text = value.trim();
  if (text === 'zip' || text === 'tar.gz' || text === 'auto') return text;
  throw new InputError('archive-format', `'${printable(text)}' is not a format; use zip, tar.gz or auto (zip for Windows, tar.gz elsewhere).`);
}

export function parseOutputDir(value: string, workspace: string): string {
  const text = value.trim();
  if (text.includes('\0') || /[\r\n]/.test(text)) {
    throw new InputError('output-dir', 'must be a single path.');
  }
  const resolved = path.resolve(workspace, text);
  if (resolved === path.resolve(workspace) || resolved === path.parse(resolved).root) {
    throw new InputError('output-dir', `'${printable(text)}' is the workspace or a root; give a folder of its own, such as ktctl-dist.`);
  }
  // lexically here; links are resolved on disk before anything is downloaded (output-folder.ts)
  const relative = path.relative(path.resolve(workspace), resolved);
  if (relative === '..' || relative.startsWith(`..${path.sep}`) || path.isAbsolute(relative)) {
    throw new InputError('output-dir', `'${printable(text)}' is outside the workspace; give a folder inside it, such as ktctl-dist.`);
  }
  return resolved;
}

export function parseMaxParallel(value: string, cpus: number): number {
  const text = value.trim();
  if (text === '') return cpus;
  if (!/^[1-9]\d{0,2}$/.test(text)) {
    throw new InputError(
      'max-parallel',
      `'${printable(text)}' is not a positive whole number of builds; use 1 to 999, or leave it empty for one build per CPU.`,
    );
  }
  return Number(text);
}

/** The value of `kubeconfig` or `kt-config` that keeps upstream's placeholder: embed nothing. */
export const UPSTREAM_CONFIG = 'upstream';

/**
 * A config input may be raw YAML or its base64 (what `base64 -w0 file` gives, the usual
 * way to keep YAML in a secret). Base64 never contains ':', YAML for ktctl always does.
 * Empty is an error, not "embed nothing": a misspelled or missing secret expands to nothing,
 * and a ktctl with upstream's placeholder cannot connect. `upstream` says it on purpose.
 */
export function decodeConfig(name: string, value: string): string | undefined {
  if (value.trim() === '') {
    throw new InputError(
      name,
      `is empty: the secret it is set from may be missing or misspelled (an unknown secret expands to nothing). Set it to the config, or to ${UPSTREAM_CONFIG} to embed upstream's placeholder on purpose.`,
    );
  }
  if (value.trim() === UPSTREAM_CONFIG) return undefined;
  const compact = value.replace(/\s+/g, '');
  if (!value.includes(':') && /^[A-Za-z0-9+/]+={0,2}$/.test(compact) && compact.length % 4 === 0) {
    const bytes = Buffer.from(compact, 'base64');
    const text = new TextDecoder('utf-8', { fatal: false }).decode(bytes);
    if (text.includes('\uFFFD') || bytes.includes(0)) {
      throw new InputError(name, 'looks like base64 but does not decode to text; give the YAML itself or `base64 -w0` of it.');
    }
    return text;
  }
  return value;
}

const UPX_OSES: readonly GoOs[] = ['linux', 'darwin', 'windows'];

/**
 * `upx`: true (every target where upx works), false, or the operating systems to pack, such
 * as `linux` (Windows scanners often flag upx-packed executables). undefined oses: every OS.
 */
export function parseUpxChoice(value: string): { enabled: boolean; oses: readonly GoOs[] | undefined } {
  const text = value.trim();
  if (/^(true|True|TRUE|false|False|FALSE)$/.test(text)) return { enabled: parseBoolean('upx', text), oses: undefined };
  const words = text.split(/[\s,]+/).filter((word) => word !== '');
  const oses: GoOs[] = [];
  for (const word of words) {
    const os = UPX_OSES.find((known) => known === word.toLowerCase());
    if (os === undefined) {
      throw new InputError(
        'upx',
        `'${printable(word)}' is neither true, false nor an OS; use true, false, or a list of linux, darwin, windows (for example linux).`,
      );
    }
    if (!oses.includes(os)) oses.push(os);
  }
  if (oses.length === 0) throw new InputError('upx', 'names no OS; use true, false, or a list of linux, darwin, windows.');
  return { enabled: true, oses: UPX_OSES.filter((os) => oses.includes(os)) };
}

/** `min-credential-days`: warn when the embedded credential expires within this many days. */
export function parseMinCredentialDays(value: string): number {
  const text = value.trim();
  if (!/^\d{1,4}$/.test(text)) {
    throw new InputError(
      'min-credential-days',
      `'${printable(text)}' is not a whole number of days; use 0 to 9999 (default ${BUILD_DEFAULTS['min-credential-days']}).`,
    );
  }
  return Number(text);
}

export function parseBuildInputs(read: InputReader, context: InputContext, cpus: number): BuildInputs {
  const input = withDefaults(read);
  const assetNameTemplate = input('asset-name-template').trim();
  checkNameTemplate(assetNameTemplate, parseVersion(read('version')));
  return {
    configs: {
      kubeconfig: decodeConfig('kubeconfig', read('kubeconfig')),
      ktConfig: decodeConfig('kt-config', read('kt-config')),
    },
    upstream: parseUpstreamSource(input, context.serverUrl),
    version: parseVersion(read('version')),
    go: {
      version: parseGoVersion(read('go-version')),
      downloadBaseUrl: parseHttpUrl('go-download-base-url', input('go-download-base-url')),
      sha256: parseSha256('go-sha256', read('go-sha256')),
    },
    upx: {
      ...parseUpxChoice(input('upx')),
      version: parseUpxVersion(input('upx-version')),
      args: parseUpxArgs(input('upx-args')),
      downloadBaseUrl: parseHttpUrl('upx-download-base-url', input('upx-download-base-url')),
      sha256: parseSha256('upx-sha256', read('upx-sha256')),
    },
    wintun: {
      url: parseHttpUrl('wintun-url', input('wintun-url')),
      sha256: parseSha256('wintun-sha256', input('wintun-sha256')) ?? BUILD_DEFAULTS['wintun-sha256'],
    },
    targets: parseTargets(input('targets')),
    archiveFormat: parseArchiveFormat(input('archive-format')),
    assetNameTemplate,
    outputDir: parseOutputDir(input('output-dir'), context.workspace),
    strict: parseBoolean('strict', input('strict')),
    maxParallel: parseMaxParallel(read('max-parallel'), cpus),
    cache: read('cache').trim() === '' ? undefined : parseBoolean('cache', read('cache')),
    imageRegistry: parseImageRegistry(read('image-registry')),
    patchPatterns: parsePatchPatterns(read('patches')),
    minCredentialDays: parseMinCredentialDays(input('min-credential-days')),
  };
}
