// Checks that the kubeconfig input is one ktctl will use, and will work on a developer's machine.
//
// The kubeconfig holds credentials, and error messages end up in public build logs. So no
// message here quotes any value of the input, not even the names of clusters, users and
// contexts (a token pasted into `current-context` or a context's `user` is a name too, and the
// runner's exact-match masking misses a shortened or escaped copy): a message names the line
// and the key path (`line 16, contexts[0].context.user`), and points at other entries the
// same way (`users[0] (line 9)`).
import { isMap, isScalar, isSeq } from 'yaml';
import type { Document, Pair, YAMLMap } from 'yaml';
import { deref, findPair, parseSecretYaml, type SecretYaml, InputError } from '../shared/index.js';
import { credentialsIn, type CredentialReading } from './credentials.js';

export interface KubeconfigReport {
  /** Problems that make the embedded kubeconfig fail on a developer's machine; errors under `strict`. */
  readonly warnings: readonly string[];
}

/**
 * What the stages need of a valid kubeconfig, read in the same pass as the checks: names the
 * notes may show, and each user's credential kind and expiry. No credential leaves here.
 */
export interface KubeconfigReading extends KubeconfigReport {
  /** The current context's name. */
  readonly context: string;
  /** The current context's namespace, when it names one. */
  readonly namespace: string | undefined;
  readonly credentials: readonly CredentialReading[];
}

/** ktctl ignores an embedded kubeconfig of 50 bytes or fewer. */
const KTCTL_MIN_KUBECONFIG_BYTES = 51;

// ---------------------------------------------------------------------------------------------
// The kubeconfig.

const PARSE_HINT = 'Fix the kubeconfig there; `kubectl config view --kubeconfig <file>` shows whether kubectl can read it.';

/** The three named lists of a kubeconfig, and the key that holds each item's body. */
const SECTIONS = [
  { list: 'clusters', body: 'cluster', noun: 'cluster' },
  { list: 'users', body: 'user', noun: 'user' },
  { list: 'contexts', body: 'context', noun: 'context' },
] as const;

/**
 * Keys that make a kubeconfig depend on the machine that wrote it. Their holder is `cluster`
 * or `user`; the advice says what to embed instead.
 */
const NOT_SELF_CONTAINED: readonly { readonly body: 'cluster' | 'user'; readonly key: string; readonly why: string }[] = [
  {
    body: 'cluster',
    key: 'certificate-authority',
    why: "names a CA file, which will not exist on a developer's machine; embed the certificate with certificate-authority-data instead.",
  },
  {
    body: 'user',
    key: 'client-certificate',
    why: "names a certificate file, which will not exist on a developer's machine; embed it with client-certificate-data instead.",
  },
  {
    body: 'user',
    key: 'client-key',
    why: "names a key file, which will not exist on a developer's machine; embed it with client-key-data instead.",
  },
  {
    body: 'user',
    key: 'tokenFile',
    why: "names a token file, which will not exist on a developer's machine; embed the token with token instead.",
  },
  {
    body: 'user',
    key: 'exec',
    why: "runs a credential plugin command, which a developer's machine may not have (or may run with the developer's own login); embed a token or client-certificate-data/client-key-data instead.",
  },
  {
    body: 'user',
    key: 'auth-provider',
    why: "uses an auth-provider plugin, which needs a plugin and a login session on the developer's machine; embed a token or client-certificate-data/client-key-data instead.",
  },
];

/** One entry of clusters, users or contexts. */
interface Named {
  readonly name: string;
  /** Line of its name. */
  readonly line: number;
  /** `clusters[2]` */
  readonly path: string;
  /** Its `cluster:` / `user:` / `context:` mapping; undefined for an empty user. */
  readonly body: YAMLMap | undefined;
  readonly bodyLine: number;
}

export function validateKubeconfig(text: string, strict: boolean): KubeconfigReport {
  return { warnings: readKubeconfig(text, strict).warnings };
}

/** validateKubeconfig, and what the stages need of the kubeconfig read in the same pass: its one parse. */
export function readKubeconfig(text: string, strict: boolean): KubeconfigReading {
  if (Buffer.byteLength(text) < KTCTL_MIN_KUBECONFIG_BYTES) {
    throw new InputError('kubeconfig', 'is 50 bytes or shorter, and ktctl ignores an embedded kubeconfig that short; give the whole kubeconfig file.');
  }
  const { doc, lineOf } = parseSecretYaml(text, 'kubeconfig', PARSE_HINT);

  const root = deref(doc, doc.contents);
  if (!isMap(root)) {
    throw new InputError(
      'kubeconfig',
      'is not a kubeconfig: its top level is not a mapping with apiVersion, kind, clusters, users, contexts and current-context; give the file `kubectl config view --raw --minify` prints.',
    );
  }

  // kubectl defaults a missing apiVersion and kind, but rejects other values.
  expectWord(doc, root, 'apiVersion', 'v1', lineOf);
  expectWord(doc, root, 'kind', 'Config', lineOf);

  const [clusterSection, userSection, contextSection] = SECTIONS;
  const clusters = readSection(doc, root, clusterSection, lineOf);
  const users = readSection(doc, root, userSection, lineOf);
  const contexts = readSection(doc, root, contextSection, lineOf);
  for (const cluster of clusters.values()) checkCluster(doc, cluster, lineOf);
  for (const context of contexts.values()) {
    checkReference(doc, context, 'cluster', clusters, lineOf);
    checkReference(doc, context, 'user', users, lineOf);
  }

  // Without current-context ktctl has no cluster to use, even though the lists are fine.
  const current = findPair(root, 'current-context');
  const contextNames = nameList(contexts);
  if (current === undefined) {
    throw new InputError('kubeconfig', `has no current-context; add \`current-context: <name>\` with the name of one of the contexts: ${contextNames}.`);
  }
  const currentName = stringValue(doc, current);
  if (currentName === undefined || currentName === '') {
    fail(lineOf(current.value, current.key), 'current-context', `must be the name of one of the contexts: ${contextNames}.`);
  }
  const currentContext = contexts.get(currentName);
  if (currentContext === undefined) {
    fail(lineOf(current.value, current.key), 'current-context', `names no context; it must be the name of one of the contexts: ${contextNames}.`);
  }
  const namespacePair = currentContext.body === undefined ? undefined : findPair(currentContext.body, 'namespace');
  const namespace = namespacePair === undefined ? undefined : stringValue(doc, namespacePair);

  const found: { line: number; text: string }[] = [];
  for (const rule of NOT_SELF_CONTAINED) {
    const owners = rule.body === 'cluster' ? clusters : users;
    for (const owner of owners.values()) {
      if (owner.body === undefined) continue;
      const pair = findPair(owner.body, rule.key);
      if (pair === undefined || isEmpty(deref(doc, pair.value))) continue;
      const line = lineOf(pair.key);
      found.push({ line, text: `line ${line}, ${owner.path}.${rule.body}.${rule.key}: ${rule.why}` });
    }
  }
  // In file order, so the log reads top to bottom.
  const warnings = found.sort((a, b) => a.line - b.line).map((warning) => warning.text);

  if (strict && warnings.length > 0) {
    throw new InputError(
      'kubeconfig',
      `is not self-contained, and strict mode turns that into an error: ${warnings.join(' ')} (Turn strict off to build anyway.)`,
    );
  }
  return { warnings, context: currentName, namespace, credentials: credentialsIn(doc) };
}

type LineOf = SecretYaml['lineOf'];
type Sections = Map<string, Named>;

function fail(line: number, path: string, detail: string): never {
  throw new InputError('kubeconfig', `line ${line}, ${path}: ${detail}`);
}

/** A top-level key that, when present, must hold exactly this word. The value is not shown. */
function expectWord(doc: Document.Parsed, root: YAMLMap, key: string, word: string, lineOf: LineOf): void {
  const pair = findPair(root, key);
  if (pair === undefined) return;
  if (stringValue(doc, pair) !== word) {
    fail(lineOf(pair.value, pair.key), key, `must be ${word} in a kubeconfig (kubectl writes \`${key}: ${word}\`).`);
  }
}

/** Reads `clusters`, `users` or `contexts`: a non-empty list of `{name, <body>}` with unique names. */
function readSection(doc: Document.Parsed, root: YAMLMap, section: (typeof SECTIONS)[number], lineOf: LineOf): Sections {
  const { list, body, noun } = section;
  const pair = findPair(root, list);
  if (pair === undefined) {
    throw new InputError('kubeconfig', `has no ${list} list; a kubeconfig ktctl can use needs clusters, users and contexts.`);
  }
  const seq = deref(doc, pair.value);
  if (!isSeq(seq) || seq.items.length === 0) {
    fail(lineOf(pair.value, pair.key), list, `must be a non-empty list of entries with name and ${body}.`);
  }
  const named: Sections = new Map();
  seq.items.forEach((raw, index) => {
    const path = `${list}[${index}]`;
    const entry = deref(doc, raw);
    if (!isMap(entry)) fail(lineOf(raw, pair.value), path, `must be a mapping with name and ${body}.`);
    const namePair = findPair(entry, 'name');
    if (namePair === undefined) fail(lineOf(raw), path, `has no name; give every ${noun} a name.`);
    const line = lineOf(namePair.value, namePair.key);
    const name = stringValue(doc, namePair);
    if (name === undefined) fail(line, `${path}.name`, 'must be a string; quote it.');
    if (name === '') fail(line, `${path}.name`, `is empty; give every ${noun} a name.`);
    const clash = named.get(name);
    if (clash !== undefined) {
      fail(line, `${path}.name`, `is also the name of ${clash.path} (line ${clash.line}); kubectl keeps only one of them, so rename one.`);
    }
    const bodyPair = findPair(entry, body);
    if (bodyPair === undefined) fail(lineOf(raw), path, `has no ${body}; kubectl reads each ${noun}'s settings from its ${body}: mapping.`);
    const bodyNode = deref(doc, bodyPair.value);
    // A user may be empty (`user: {}`, anonymous access); a cluster or context needs its fields.
    const empty = body === 'user' && isEmpty(bodyNode);
    if (!empty && !isMap(bodyNode)) {
      fail(lineOf(bodyPair.value, bodyPair.key), `${path}.${body}`, `must be a mapping; kubectl reads each ${noun}'s settings from it.`);
    }
    named.set(name, { name, line, path, body: isMap(bodyNode) ? bodyNode : undefined, bodyLine: lineOf(bodyPair.key) });
  });
  return named;
}

/** A cluster needs a server URL, or ktctl has nothing to connect to. */
function checkCluster(doc: Document.Parsed, cluster: Named, lineOf: LineOf): void {
  const path = `${cluster.path}.cluster`;
  const server = cluster.body === undefined ? undefined : findPair(cluster.body, 'server');
  if (server === undefined) fail(cluster.bodyLine, path, 'has no server; give the API server URL, such as https://host:6443.');
  const url = stringValue(doc, server);
  if (url === undefined || !isHttpUrl(url)) {
    fail(lineOf(server.value, server.key), `${path}.server`, 'is not an http(s) URL; give the API server URL, such as https://host:6443.');
  }
}

/** `context.cluster` / `context.user` must name an entry of the matching list. */
function checkReference(doc: Document.Parsed, context: Named, key: 'cluster' | 'user', targets: Sections, lineOf: LineOf): void {
  const path = `${context.path}.context`;
  const pair = context.body === undefined ? undefined : findPair(context.body, key);
  if (pair === undefined) fail(context.bodyLine, path, `has no ${key}; add \`${key}: <name>\` with the name of one of the ${key}s: ${nameList(targets)}.`);
  const line = lineOf(pair.value, pair.key);
  const name = stringValue(doc, pair);
  if (name === undefined || name === '') fail(line, `${path}.${key}`, `must be the name of one of the ${key}s: ${nameList(targets)}.`);
  if (!targets.has(name)) fail(line, `${path}.${key}`, `names no ${key}; it must be the name of one of the ${key}s: ${nameList(targets)}.`);
}

/** The string a pair holds, or undefined when it holds anything else (number, map, null…). */
function stringValue(doc: Document.Parsed, pair: Pair): string | undefined {
  const value = deref(doc, pair.value);
  return isScalar(value) && typeof value.value === 'string' ? value.value : undefined;
}

function isEmpty(node: unknown): boolean {
  if (node === null || node === undefined) return true;
  if (isScalar(node)) return node.value === null || node.value === '';
  if (isMap(node) || isSeq(node)) return node.items.length === 0;
  return false;
}

function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return (url.protocol === 'https:' || url.protocol === 'http:') && url.hostname !== '';
  } catch {
    return false;
  }
}

/** Entries shown in a message, at most; the rest are counted. */
const LISTED_ENTRIES = 5;

/** The entries a name must match, by key path and line (`users[0] (line 9), users[1] (line 14)`), never by name. */
function nameList(named: Sections): string {
  const entries = [...named.values()];
  const shown = entries.slice(0, LISTED_ENTRIES).map((entry) => `${entry.path}.name (line ${entry.line})`);
  const more = entries.length - shown.length;
  return more > 0 ? `${shown.join(', ')} and ${more} more` : shown.join(', ');
}
