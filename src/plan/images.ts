// The container images ktctl starts, and where they come from: pure decisions about names,
// the kt config merge for `image-registry`, and the navigator constant in the source.
//
// ktctl pulls three images: the shadow and the router (their defaults can be replaced by the
// kt config keys global.image and mesh.router-image) and the navigator of `exchange --mode
// ephemeral`, a Go constant no config key reaches. An air-gapped cluster needs all three from
// its own registry, so `image-registry` rewrites all three, and the images list says what to
// copy there.
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { isMap, isScalar } from 'yaml';
import type { Document } from 'yaml';
import { InputError, writeWithoutFollowing, printable, IMAGES_FILE, publishedText, deref, findPair, parseSecretYaml } from '../shared/index.js';
import type { MirrorImage } from '../model.js';
import { insertSettings, UneditableError, type NewSetting } from './kt-config-edit.js';

/** Upstream's image names: the registry path changes, these names and the tags do not. */
export const IMAGE_NAMES = {
  shadow: 'kt-connect-shadow',
  router: 'kt-connect-router',
  navigator: 'kt-connect-navigator',
} as const;
export type ImageRole = keyof typeof IMAGE_NAMES;

/** The Go constants in `pkg/kt/util/const.go` that hold each image's repository. */
const IMAGE_CONSTANTS: Readonly<Record<ImageRole, string>> = {
  shadow: 'ImageKtShadow',
  router: 'ImageKtRouter',
  navigator: 'ImageKtNavigator',
};
export const IMAGE_CONSTANTS_FILE = 'pkg/kt/util/const.go';

/** The kt config keys that replace the shadow and router images. */
export const IMAGE_KEYS = {
  shadow: ['global', 'image'],
  router: ['mesh', 'router-image'],
} as const;

/** One registry path component, as the distribution spec allows it (lower case). */
const COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const HOST = '(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*(?::[0-9]{1,5})?';
const REGISTRY = new RegExp(`^${HOST}(?:/${COMPONENT})*$`);

/**
 * `registry.example.com/kt` or `registry.example.com:5000/mirrors/kt`: a registry host and an
 * optional path, no scheme, no tag or digest (the action adds upstream's image names and tags).
 */
export function parseImageRegistry(value: string): string | undefined {
  const text = value.trim().replace(/\/+$/, '');
  if (text === '') return undefined;
  const fail = (detail: string): never => {
    throw new InputError('image-registry', `'${printable(text)}' ${detail}`);
  };
  if (text.length > 200) fail('is too long for a registry path.');
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) fail('has a scheme; give the registry and path only, such as registry.example.com/kt.');
  if (text.includes('@')) fail('has a digest; give the registry and path only: the action adds the image names and tags.');
  const last = text.slice(text.lastIndexOf('/') + 1);
  if (text.includes('/') && last.includes(':')) fail('ends in a tag; give the registry and path only: the action adds the image names and tags (v<version>).');
  if (!REGISTRY.test(text)) {
    fail('is not a registry path; write a host and an optional lower-case path, such as registry.example.com/kt or registry.example.com:5000/mirrors/kt.');
  }
  const host = text.split('/')[0]!;
  const port = host.includes(':') ? Number(host.slice(host.indexOf(':') + 1)) : undefined;
  if (port !== undefined && !(port >= 1 && port <= 65535))
    fail('has a port outside 1-65535; give the port the registry listens on, such as registry.example.com:5000/kt.');
  return text;
}

/** The images a ktctl built with `image-registry` pulls. */
export interface RegistryImages {
  /** global.image */
  readonly shadow: string;
  /** mesh.router-image */
  readonly router: string;
  /** The repository (no tag) written into ImageKtNavigator; ktctl adds `:v<version>`. */
  readonly navigatorRepository: string;
}

export function registryImages(registry: string, version: string): RegistryImages {
  return {
    shadow: `${registry}/${IMAGE_NAMES.shadow}:v${version}`,
    router: `${registry}/${IMAGE_NAMES.router}:v${version}`,
    navigatorRepository: `${registry}/${IMAGE_NAMES.navigator}`,
  };
}

/**
 * The kt config to embed, with global.image and mesh.router-image set to the registry's images.
 * A kt config that sets either one to another image conflicts: refused rather than overridden.
 * Only the two settings are added, by an edit of the text (kt-config-edit.ts): every other byte
 * stays as written. A kt config that already sets both the same is returned byte for byte. The
 * text is secret: messages name keys and lines, never values from it.
 */
export function mergeRegistryImages(ktConfig: string | undefined, images: RegistryImages): string {
  const wanted: Array<[readonly [string, string], string]> = [
    [IMAGE_KEYS.shadow, images.shadow],
    [IMAGE_KEYS.router, images.router],
  ];
  if (ktConfig === undefined) {
    return wanted.map(([[group, key], image]) => `${group}:\n  ${key}: ${image}\n`).join('');
  }
  const { doc, lineOf } = parseSecretYaml(ktConfig, 'kt-config', 'Fix the kt config there.');
  const missing: NewSetting[] = [];
  for (const [[group, key], image] of wanted) {
    const existing = currentValue(doc, group, key);
    if (existing.kind === 'set') {
      // exactly the image: " registry/x:v1 " in quotes is another value, which ktctl would pull as written
      if (existing.value !== image) {
        throw new InputError(
          'kt-config',
          `line ${lineOf(existing.node)}, ${group}.${key}: sets another image than input 'image-registry' gives (${image}); ` +
            `remove ${group}.${key} from the kt config, set it to that image, or leave image-registry empty.`,
        );
      }
      continue;
    }
    if (existing.kind === 'alias') {
      throw new InputError('kt-config', `${group}: is an alias (*name); write the group out, so that input 'image-registry' can add ${group}.${key} to it.`);
    }
    if (existing.kind === 'not-a-map') {
      throw new InputError(
        'kt-config',
        `line ${lineOf(existing.node)}, ${group}: is not a mapping of settings, so input 'image-registry' cannot add ${group}.${key} to it.`,
      );
    }
    missing.push({ group, key, value: image });
  }
  if (missing.length === 0) return ktConfig;
  const cannot = (why: string): never => {
    throw new InputError(
      'kt-config',
      `input 'image-registry' cannot add ${missing.map((s) => `${s.group}.${s.key}`).join(' and ')} to this kt config without rewriting other settings (${why}); ` +
        `add ${missing.map((s) => `${s.group}.${s.key}: ${s.value}`).join(' and ')} to the kt config yourself, or write it as a plain block mapping of groups.`,
    );
  };
  let merged: string;
  try {
    merged = insertSettings(ktConfig, doc, missing);
  } catch (error) {
    if (error instanceof UneditableError) return cannot(error.message);
    throw error;
  }
  // the edit must read as the original plus the two images, and nothing else changed
  const expected = doc.toJS({ maxAliasCount: 1000 }) as Record<string, Record<string, unknown> | null> | null;
  let result: unknown;
  try {
    result = parseSecretYaml(merged, 'kt-config', '').doc.toJS({ maxAliasCount: 1000 });
  } catch {
    return cannot('the edited text would not be one YAML document, as after a `...` end marker');
  }
  const withImages: Record<string, Record<string, unknown>> = { ...(expected ?? {}) } as Record<string, Record<string, unknown>>;
  for (const setting of missing) withImages[setting.group] = { ...(withImages[setting.group] ?? {}), [setting.key]: setting.value };
  if (!isDeepStrictEqual(result, withImages)) cannot('the edited text does not read as the original plus the two images');
  return merged;
}

type CurrentValue =
  { kind: 'set'; value: string; node: unknown } | { kind: 'absent' } | { kind: 'empty-group' } | { kind: 'alias' } | { kind: 'not-a-map'; node: unknown };

function currentValue(doc: Document.Parsed, group: string, key: string): CurrentValue {
  const root = doc.contents;
  if (root === null || (isScalar(root) && (root.value === null || root.value === ''))) return { kind: 'absent' };
  if (!isMap(root)) return { kind: 'not-a-map', node: root };
  const groupPair = findPair(root, group);
  if (groupPair === undefined) return { kind: 'absent' };
  const body = groupPair.value;
  if (body === null || (isScalar(body) && body.value === null)) return { kind: 'empty-group' };
  const resolved = deref(doc, body);
  if (!isMap(resolved)) return { kind: 'not-a-map', node: body };
  const pair = findPair(resolved, key);
  if (pair === undefined) return resolved === body ? { kind: 'absent' } : { kind: 'alias' };
  const value = deref(doc, pair.value);
  return { kind: 'set', value: isScalar(value) && value.value !== null ? String(value.value) : '', node: pair.key };
}

/** The values of global.image and mesh.router-image among the kt config's settings (ConfigSummary.ktSettings), where set. */
export function configuredImages(settings: ReadonlyMap<string, string>): Partial<Record<'shadow' | 'router', string>> {
  const found: Partial<Record<'shadow' | 'router', string>> = {};
  for (const role of ['shadow', 'router'] as const) {
    const value = settings.get(IMAGE_KEYS[role].join('.'));
    if (value !== undefined && value !== '') found[role] = value;
  }
  return found;
}

/** One `ImageKt... = "..."` line of const.go: the exact form the rewrite relies on. */
function constantPattern(name: string): RegExp {
  return new RegExp(`^([ \\t]*${name}[ \\t]*=[ \\t]*")([^"\\\\\\n]*)("[ \\t]*(?://[^\\n]*)?)$`, 'gm');
}

/** Every mention of the constant being declared, in any form: a second one means another layout. */
function declarationCount(source: string, name: string): number {
  return [...source.matchAll(new RegExp(`\\b${name}\\b(?:[ \\t]+string)?[ \\t]*=[^=]`, 'g'))].length;
}

/** The repository a constant holds, when it is declared exactly once in the expected form. */
function readImageConstant(source: string, role: ImageRole): string | undefined {
  const name = IMAGE_CONSTANTS[role];
  const matches = [...source.matchAll(constantPattern(name))];
  if (matches.length !== 1 || declarationCount(source, name) !== 1) return undefined;
  return matches[0]![2];
}

/** The images the source pulls by default, or undefined when const.go is not upstream's. */
export function readImageConstants(source: string): Record<ImageRole, string> | undefined {
  const shadow = readImageConstant(source, 'shadow');
  const router = readImageConstant(source, 'router');
  const navigator = readImageConstant(source, 'navigator');
  return shadow === undefined || router === undefined || navigator === undefined ? undefined : { shadow, router, navigator };
}

/**
 * const.go with ImageKtNavigator set to `repository`. Throws when the constant is not there
 * exactly once in the expected form: a ktctl that still pulled from the internet must not ship.
 */
export function rewriteNavigator(source: string, repository: string): { text: string; previous: string } {
  const name = IMAGE_CONSTANTS.navigator;
  const previous = readImageConstant(source, 'navigator');
  if (previous === undefined) {
    throw new Error(
      `${IMAGE_CONSTANTS_FILE} does not declare ${name} exactly once as \`${name} = "<image>"\` (found ${declarationCount(source, name)} declarations), ` +
        `so input 'image-registry' cannot redirect the navigator image; this kt-connect is another version or a fork than the action knows. ` +
        `Carry a patch (input 'patches') that makes it so, or leave image-registry empty.`,
    );
  }
  const text = source.replace(constantPattern(name), (_, head: string, _value: string, tail: string) => `${head}${repository}${tail}`);
  return { text, previous };
}

export interface MirrorFacts {
  /** The repositories in the source's const.go, before any rewrite. */
  readonly upstream: Record<ImageRole, string>;
  /** The tag upstream published for this code: v<release version>. */
  readonly upstreamTag: string;
  /** The version baked into ktctl: ktctl pulls `:v<version>`. */
  readonly version: string;
  readonly registry: string | undefined;
  /** global.image and mesh.router-image of the kt config as embedded (after the merge). */
  readonly configured: Partial<Record<'shadow' | 'router', string>>;
}

/** What to copy where, for each image ktctl may start. */
export function mirrorList(facts: MirrorFacts): MirrorImage[] {
  const pulled = (role: ImageRole): string => {
    if (role !== 'navigator' && facts.configured[role] !== undefined) return facts.configured[role]!;
    const repository = facts.registry === undefined ? facts.upstream[role] : `${facts.registry}/${IMAGE_NAMES[role]}`;
    return `${repository}:v${facts.version}`;
  };
  return (['shadow', 'router', 'navigator'] as const).map((role) => ({
    name: IMAGE_NAMES[role],
    source: `${facts.upstream[role]}:${facts.upstreamTag}`,
    target: pulled(role),
  }));
}

/** images.txt: `<source> <target>` per line, for `crane copy` or `skopeo copy` in a loop. */
export function imagesText(images: readonly MirrorImage[]): string {
  return images.map((image) => `${image.source} ${image.target}\n`).join('');
}

export { IMAGES_FILE };

/** images.txt in `folder`, written whole or not at all, never through a link. */
export async function writeImagesFile(folder: string, images: readonly MirrorImage[]): Promise<string> {
  const file = path.join(folder, IMAGES_FILE);
  // the list names the registry the images go to, on purpose: only other parts of the configs are refused
  await writeWithoutFollowing(
    file,
    publishedText(
      'images list',
      imagesText(images),
      images.flatMap((image) => [image.source, image.target]),
    ),
  );
  return file;
}
