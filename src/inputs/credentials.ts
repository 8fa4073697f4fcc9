// How long the embedded kubeconfig's credentials live. Pure: text in, dates out.
//
// ktctl authenticates as the user of the kubeconfig's current context, so that user decides
// whether the binaries work; the other users are read too and only reported. Nothing read here
// is ever shown: a user is named by its key path (`users[0]`), never by its name, and the only
// thing taken out of a credential is its expiry date.
import { X509Certificate } from 'node:crypto';
import { isMap, isScalar, isSeq } from 'yaml';
import type { Document, YAMLMap } from 'yaml';
import { deref, findPair, parseSecretYaml } from '../shared/index.js';

/** What a user authenticates with, as far as its expiry can be known from the kubeconfig alone. */
export type CredentialKind =
  | 'jwt' // a bearer token that is a JWT: `exp` says when it ends, if present
  | 'token' // a bearer token that is no JWT: only the cluster knows its lifetime
  | 'certificate' // client-certificate-data: its NotAfter
  | 'certificate-file'
  | 'token-file'
  | 'exec'
  | 'auth-provider'
  | 'password'
  | 'none';

export interface CredentialReading {
  /** `users[0]`: where it is in the kubeconfig. */
  readonly path: string;
  /** The user of the current context, the one ktctl uses. */
  readonly current: boolean;
  readonly kind: CredentialKind;
  /** When it stops working; undefined when the credential carries no date or it cannot be read here. */
  readonly expires: Date | undefined;
  /** Why the expiry is not known, in words for the log. */
  readonly unknownBecause?: string;
}

const KIND_WORDS: Record<CredentialKind, string> = {
  jwt: 'a bearer token (JWT)',
  token: 'a bearer token',
  certificate: 'a client certificate',
  'certificate-file': 'a client certificate file',
  'token-file': 'a token file',
  exec: 'an exec credential plugin',
  'auth-provider': 'an auth-provider plugin',
  password: 'a user name and password',
  none: 'nothing (anonymous)',
};

export function kindWords(kind: CredentialKind): string {
  return KIND_WORDS[kind];
}

/**
 * Reads every user's credential. The kubeconfig has passed validateKubeconfig: it parses, and the
 * current context names a user. Anything unexpected here reads as "unknown", never as an error.
 */
export function readCredentials(kubeconfig: string): CredentialReading[] {
  return credentialsIn(parseSecretYaml(kubeconfig, 'kubeconfig', '').doc);
}

/** readCredentials on the kubeconfig parsed already (readKubeconfig's pass). */
export function credentialsIn(doc: Document.Parsed): CredentialReading[] {
  const root = deref(doc, doc.contents);
  if (!isMap(root)) return [];
  const currentUser = currentUserName(doc, root);
  const users = listOf(doc, root, 'users');
  return users.map((entry, index) => {
    const name = stringAt(doc, entry, 'name');
    const body = mapAt(doc, entry, 'user');
    return { path: `users[${index}]`, current: name !== undefined && name === currentUser, ...readUser(doc, body) };
  });
}

function readUser(doc: Document.Parsed, body: YAMLMap | undefined): Omit<CredentialReading, 'path' | 'current'> {
  if (body === undefined) return { kind: 'none', expires: undefined, unknownBecause: 'it has no credential' };
  const token = stringAt(doc, body, 'token');
  if (token !== undefined && token !== '') {
    const exp = jwtExpiry(token);
    if (exp === 'not-jwt') return { kind: 'token', expires: undefined, unknownBecause: 'it is not a JWT, so only the cluster knows how long it lives' };
    if (exp === undefined) return { kind: 'jwt', expires: undefined, unknownBecause: 'the JWT has no exp: it does not expire by itself' };
    return { kind: 'jwt', expires: exp };
  }
  const certificate = stringAt(doc, body, 'client-certificate-data');
  if (certificate !== undefined && certificate !== '') {
    const notAfter = certificateExpiry(certificate);
    return notAfter === undefined
      ? { kind: 'certificate', expires: undefined, unknownBecause: 'client-certificate-data holds no certificate this action can read' }
      : { kind: 'certificate', expires: notAfter };
  }
  const unknown = (kind: CredentialKind, because: string) => ({ kind, expires: undefined, unknownBecause: because });
  if (present(doc, body, 'exec')) return unknown('exec', 'the plugin makes the credential when ktctl runs');
  if (present(doc, body, 'auth-provider')) return unknown('auth-provider', 'the plugin makes the credential when ktctl runs');
  if (present(doc, body, 'tokenFile')) return unknown('token-file', 'the token is in a file outside the kubeconfig');
  if (present(doc, body, 'client-certificate')) return unknown('certificate-file', 'the certificate is in a file outside the kubeconfig');
  if (present(doc, body, 'username') || present(doc, body, 'password')) return unknown('password', 'a password carries no date');
  return unknown('none', 'it has no credential');
}

/**
 * The `exp` of a JWT (header.payload.signature, base64url), undefined when it has none,
 * 'not-jwt' when the token is not a JWT. The token itself never leaves this function.
 */
export function jwtExpiry(token: string): Date | undefined | 'not-jwt' {
  const parts = token.trim().split('.');
  if (parts.length !== 3 || !parts.every((part) => /^[A-Za-z0-9_-]+={0,2}$/.test(part))) return 'not-jwt';
  let payload: unknown;
  try {
    payload = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8'));
  } catch {
    return 'not-jwt';
  }
  if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) return 'not-jwt';
  const exp = (payload as Record<string, unknown>)['exp'];
  // seconds since the epoch (RFC 7519 NumericDate); anything else is read as "no exp"
  if (typeof exp !== 'number' || !Number.isFinite(exp) || exp <= 0 || exp > 253402300799) return undefined;
  return new Date(exp * 1000);
}

/** NotAfter of the first certificate in base64-encoded PEM (or DER), undefined when none can be read. */
export function certificateExpiry(base64: string): Date | undefined {
  const bytes = Buffer.from(base64.replace(/\s+/g, ''), 'base64');
  try {
    const certificate = new X509Certificate(bytes);
    const date = new Date(certificate.validTo);
    return Number.isNaN(date.getTime()) ? undefined : date;
  } catch {
    return undefined;
  }
}

function currentUserName(doc: Document.Parsed, root: YAMLMap): string | undefined {
  const current = stringAt(doc, root, 'current-context');
  if (current === undefined) return undefined;
  const context = listOf(doc, root, 'contexts').find((entry) => stringAt(doc, entry, 'name') === current);
  const body = context === undefined ? undefined : mapAt(doc, context, 'context');
  return body === undefined ? undefined : stringAt(doc, body, 'user');
}

function listOf(doc: Document.Parsed, map: YAMLMap, key: string): YAMLMap[] {
  const pair = findPair(map, key);
  const seq = pair === undefined ? undefined : deref(doc, pair.value);
  if (!isSeq(seq)) return [];
  return seq.items.map((item) => deref(doc, item)).filter((item): item is YAMLMap => isMap(item));
}

function mapAt(doc: Document.Parsed, map: YAMLMap, key: string): YAMLMap | undefined {
  const pair = findPair(map, key);
  const value = pair === undefined ? undefined : deref(doc, pair.value);
  return isMap(value) ? value : undefined;
}

function stringAt(doc: Document.Parsed, map: YAMLMap, key: string): string | undefined {
  const pair = findPair(map, key);
  const value = pair === undefined ? undefined : deref(doc, pair.value);
  return isScalar(value) && typeof value.value === 'string' ? value.value : undefined;
}

function present(doc: Document.Parsed, map: YAMLMap, key: string): boolean {
  const pair = findPair(map, key);
  if (pair === undefined) return false;
  const value = deref(doc, pair.value);
  if (isScalar(value)) return value.value !== null && value.value !== '';
  if (isMap(value) || isSeq(value)) return value.items.length > 0;
  return value !== null && value !== undefined;
}
