// Checks the kt-config input against the keys ktctl reads: ktctl ignores unknown keys silently.
//
// ktctl decodes the embedded text with gopkg.in/yaml.v3 into `map[string]map[string]string`:
// a file that does not fit that shape is skipped whole (with only a debug log line), and a
// group or key it does not know is dropped. Every such mistake would ship silently, so each
// is an error here. The text is treated as secret, like the kubeconfig: messages show a line,
// a group and a key name (only a name that is a spelling of a setting: see shownName), never a value.
import { isMap, isScalar, isSeq } from 'yaml';
import type { Document, Pair } from 'yaml';
import { InputError, printable, compareSemver, parseSemverTag, deref, keyOf, parseSecretYaml } from '../shared/index.js';

export interface KtConfigReport {
  /** Both `global.image` and `mesh.router-image` are set, so the version need not match an image tag. */
  readonly overridesImages: boolean;
}

/** What the stages need of a valid kt config (the ConfigSummary's part): read in the same pass as the checks. */
export interface KtConfigReading extends KtConfigReport {
  /** `group.key` → the text ktctl decodes: yaml.v3 into map[string]map[string]string keeps a scalar's text. */
  readonly settings: ReadonlyMap<string, string>;
}

/** The groups and keys ktctl reads from its config file, at the default branch (see KTCONNECT.md). */
export const KT_CONFIG_KEYS: Readonly<Record<string, readonly string[]>> = {
  global: [
    'as-worker',
    'kubeconfig',
    'namespace',
    'service-account',
    'debug',
    'image',
    'image-pull-secret',
    'node-selector',
    'with-label',
    'with-annotation',
    'port-forward-timeout',
    'pod-creation-timeout',
    'use-shadow-deployment',
    'force-update',
    'use-local-time',
    'context',
    'pod-quota',
    'listen-check',
    'ip-version',
  ],
  connect: [
    'global',
    'disable-pod-ip',
    'disable-tun-device',
    'disable-tun-route',
    'proxy-port',
    'proxy-addr',
    'dns-port',
    'dns-cache-ttl',
    'include-ips',
    'exclude-ips',
    'ingress-ip',
    'mode',
    'dns-mode',
    'share-shadow',
    'cluster-domain',
    'skip-cleanup',
    'include-domains',
  ],
  exchange: ['mode', 'expose', 'recover-wait-time', 'skip-port-checking'],
  mesh: ['mode', 'expose', 'version-mark', 'router-image', 'skip-port-checking'],
  preview: ['external', 'expose', 'skip-port-checking'],
  clean: ['dry-run', 'threshold-in-minus', 'local-only'],
  birdseye: ['sort-by', 'show-connector', 'hide-natural-service'],
  forward: [],
  recover: [],
  config: [],
};

/** Keys that exist only after v0.3.7: a build of v0.3.7 or older would ignore them. */
const NEWER_THAN_0_3_7: ReadonlySet<string> = new Set(['global.ip-version']);
const LAST_RELEASE_WITHOUT = { major: 0, minor: 3, patch: 7, prerelease: '' };

const GROUPS = Object.keys(KT_CONFIG_KEYS);
const PARSE_HINT = 'Fix the kt config there; it must be YAML of the form `group:` then indented `key: value` lines.';

export function validateKtConfig(text: string, upstreamTag: string): KtConfigReport {
  return { overridesImages: readKtConfig(text, upstreamTag).overridesImages };
}

/** validateKtConfig, and the settings read in the same pass: the one parse of the kt config. */
export function readKtConfig(text: string, upstreamTag: string): KtConfigReading {
  if (!text.includes(':')) {
    throw new InputError(
      'kt-config',
      "has no key: value pair, and ktctl ignores an embedded kt config without one. Give YAML of the form `group:` then indented `key: value` lines, or upstream to embed upstream's placeholder.",
    );
  }
  const { doc, lineOf } = parseSecretYaml(text, 'kt-config', PARSE_HINT);
  const root = deref(doc, doc.contents);
  if (root === null || (isScalar(root) && root.value === null)) {
    // The ':' that made ktctl take it was in a comment: an embedded config that sets nothing.
    throw new InputError('kt-config', 'sets nothing (it holds only comments); give settings such as `global:` then `  image: ...`, or leave the input empty.');
  }
  if (!isMap(root)) {
    fail(
      lineOf(root),
      'the top level',
      `must be a mapping of groups (${GROUPS.join(', ')}), each holding key: value settings; ktctl would skip the whole file.`,
    );
  }

  const older = parseSemverTag(upstreamTag);
  const lacksNewKeys = older !== undefined && compareSemver(older, LAST_RELEASE_WITHOUT) <= 0;
  const set = new Set<string>();
  const settings = new Map<string, string>();

  for (const groupPair of root.items) {
    const groupLine = lineOf(groupPair.key, groupPair.value);
    const group = keyOf(groupPair);
    // hasOwn: a group named `constructor` or `toString` must not find Object.prototype's.
    const known = group !== undefined && Object.hasOwn(KT_CONFIG_KEYS, group) ? KT_CONFIG_KEYS[group] : undefined;
    if (group === undefined || known === undefined) {
      const shown = shownName(group);
      fail(
        groupLine,
        shown ?? 'a group',
        `is not a group ktctl reads, so ktctl would ignore it.${shown === undefined ? NOT_SHOWN : ''} ${suggestGroup(shown)}`,
      );
    }
    const body = deref(doc, groupPair.value);
    // `forward:` with nothing under it decodes to an empty group: harmless.
    if (body === null || (isScalar(body) && body.value === null)) continue;
    if (!isMap(body)) {
      fail(groupLine, group, 'must be a mapping of key: value settings, indented under the group; ktctl would skip the whole file.');
    }
    for (const pair of body.items) {
      const key = keyOf(pair);
      const line = lineOf(pair.key, pair.value);
      if (key === undefined || !known.includes(key)) {
        const shown = shownName(key);
        fail(
          line,
          shown === undefined ? `a key of ${group}` : `${group}.${shown}`,
          `is not a key ktctl reads, so ktctl would ignore it.${shown === undefined ? NOT_SHOWN : ''} ${suggestKey(group, shown)}`,
        );
      }
      const path = `${group}.${key}`;
      checkScalar(doc, pair, path, line);
      if (lacksNewKeys && NEWER_THAN_0_3_7.has(path)) fail(line, path, tooNewFor(upstreamTag));
      const value = deref(doc, pair.value);
      // the scalar's text as written (`source`), as the failsafe schema and yaml.v3 into a string read it
      if (isScalar(value)) settings.set(path, typeof value.source === 'string' ? value.source : String(value.value));
      if (!isEmptyValue(value)) set.add(path);
    }
  }
  return { overridesImages: set.has('global.image') && set.has('mesh.router-image'), settings };
}

function tooNewFor(upstreamTag: string): string {
  return `is not read by kt-connect ${printable(upstreamTag)}, only by newer code (the default branch); remove it, or build a newer kt-connect-version.`;
}

/**
 * The check of validateKtConfig that needs the upstream tag, on the settings already read: a key
 * that only code newer than the tag reads. For a kt config read before the tag was known.
 */
export function checkSettingsForTag(settings: Iterable<string>, upstreamTag: string): void {
  const older = parseSemverTag(upstreamTag);
  if (older === undefined || compareSemver(older, LAST_RELEASE_WITHOUT) > 0) return;
  for (const path of settings) {
    if (NEWER_THAN_0_3_7.has(path)) throw new InputError('kt-config', `${path}: ${tooNewFor(upstreamTag)}`);
  }
}

/** yaml.v3 decodes a value into a Go string only from a scalar; anything else fails the whole file. */
function checkScalar(doc: Document.Parsed, pair: Pair, path: string, line: number): void {
  const value = deref(doc, pair.value);
  if (isMap(value) || isSeq(value)) {
    const shape = isMap(value) ? 'mapping' : 'list';
    fail(
      line,
      path,
      `must be a single value, not a ${shape}; ktctl reads flat key: value settings and would skip the whole file. Write several values as one comma-separated string.`,
    );
  }
  if (value === null || (isScalar(value) && value.value === null)) {
    fail(line, path, 'has no value, and ktctl would set it to an empty string; give a value, or delete the key.');
  }
}

function fail(line: number, path: string, detail: string): never {
  throw new InputError('kt-config', `line ${line}, ${path}: ${detail}`);
}

function isEmptyValue(node: unknown): boolean {
  return !isScalar(node) || node.value === null || String(node.value).trim() === '';
}

const NOT_SHOWN = ' (Its name is not shown: it is no spelling of a setting, and this input may hold secrets.)';
const ALL_NAMES: readonly string[] = [...GROUPS, ...Object.values(KT_CONFIG_KEYS).flat()];
/** A setting name's shape: a letter or digit, then letters, digits, '-', '_' and '.', 40 characters at most. */
const MAX_SHOWN_KEY_LENGTH = 40;

/**
 * A group or key name as it may appear in a message, or undefined when it must not. The kt
 * config is treated as secret, and a key is input text like any value: a token pasted where a
 * key belongs is still a token. So a name is quoted only when both hold:
 * - it has the shape of a setting name (see MAX_SHOWN_KEY_LENGTH), which rules out anything
 *   with spaces, quotes, '/', '+', '=' or ':' and anything long (JWTs, base64, URLs);
 * - it is a spelling of a name ktctl reads: its dash-case form is one, or a typo of one (see
 *   closest). A 40-character token has the shape (ghp_…), but is near no setting name.
 * Every other name is shown as "a group" / "a key of <group>" on its line; the message still
 * lists the names ktctl reads.
 */
function shownName(key: string | undefined): string | undefined {
  if (key === undefined || !hasSettingShape(key)) return undefined;
  const dashed = toDashCase(key);
  return ALL_NAMES.includes(dashed) || closest(dashed, ALL_NAMES) !== undefined ? key : undefined;
}

/** Letters, digits, '-', '_' and '.', starting with a letter or digit: a character loop, linear. */
function hasSettingShape(key: string): boolean {
  if (key.length === 0 || key.length > MAX_SHOWN_KEY_LENGTH) return false;
  for (let i = 0; i < key.length; i++) {
    const code = key.charCodeAt(i);
    const alnum = (code >= 0x30 && code <= 0x39) || (code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a);
    if (!alnum && (i === 0 || (code !== 0x2d && code !== 0x5f && code !== 0x2e))) return false;
  }
  return true;
}

/** `routerImage`, `router_image` and `Router-Image` all become `router-image`. */
export function toDashCase(key: string): string {
  return key
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .replace(/_/g, '-')
    .toLowerCase();
}

/** Advice for a group ktctl does not read; `group` is its shown name, undefined when not shown. */
function suggestGroup(group: string | undefined): string {
  const list = `Groups: ${GROUPS.join(', ')}.`;
  if (group === undefined) return list;
  const guess = closest(toDashCase(group), GROUPS);
  return guess === undefined ? list : `Did you mean '${guess}'? ${list}`;
}

/** Advice for a key ktctl does not read; `key` is its shown name, undefined when not shown. */
function suggestKey(group: string, key: string | undefined): string {
  const keys = KT_CONFIG_KEYS[group] ?? [];
  const list = keys.length === 0 ? `Group ${group} has no settings ktctl reads from its config file.` : `Keys of ${group}: ${keys.join(', ')}.`;
  if (key === undefined) return list;
  const dashed = toDashCase(key);
  if (dashed !== key && keys.includes(dashed)) {
    return `Config file keys are dash-case (the camelCase spelling is the command-line flag): did you mean '${dashed}'?`;
  }
  // The right key in the wrong group is a common slip (image under mesh instead of global).
  const elsewhere = GROUPS.filter((other) => other !== group && KT_CONFIG_KEYS[other]?.includes(dashed));
  if (elsewhere.length > 0) {
    return `ktctl reads ${dashed} only as ${elsewhere.map((other) => `${other}.${dashed}`).join(' or ')}; move it there.`;
  }
  const guess = closest(dashed, keys);
  return guess === undefined ? list : `Did you mean '${guess}'? ${list}`;
}

/** The candidate nearest to `word`, if it is near enough to be a typo of it. */
function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const distance = editDistance(word, candidate);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return bestDistance <= Math.max(2, Math.floor(word.length / 4)) ? best : undefined;
}

/** Levenshtein distance: insertions, deletions and substitutions each cost 1. */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}
