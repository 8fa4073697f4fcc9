// image-registry: the registry's shape, the kt config merge, the navigator constant and the mirror list.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { parse } from 'yaml';
import { readKtConfig } from '../../src/inputs/kt-config.js';
import {
  configuredImages,
  imagesText,
  mergeRegistryImages,
  mirrorList,
  parseImageRegistry,
  readImageConstants,
  registryImages,
  rewriteNavigator,
} from '../../src/plan/images.js';
import { InputError } from '../../src/shared/errors.js';

const IMAGES = registryImages('registry.example.com/kt', '0.3.7');
const UPSTREAM = 'registry.cn-hangzhou.aliyuncs.com/rdc-incubator';

/** The const block of upstream's pkg/kt/util/const.go at v0.3.7, the lines that matter. */
const CONST_GO = `package util

const (
\t// ImageKtShadow default shadow image
\tImageKtShadow = "${UPSTREAM}/kt-connect-shadow"
\t// ImageKtRouter default router image
\tImageKtRouter = "${UPSTREAM}/kt-connect-router"
\t// ImageKtNavigator default navigator image
\tImageKtNavigator = "${UPSTREAM}/kt-connect-navigator"
)
`;

test('image-registry takes a host with an optional path and port, nothing else', () => {
  assert.equal(parseImageRegistry(''), undefined);
  assert.equal(parseImageRegistry('  registry.example.com/kt/ '), 'registry.example.com/kt');
  assert.equal(parseImageRegistry('registry.example.com:5000/mirrors/kt'), 'registry.example.com:5000/mirrors/kt');
  assert.equal(parseImageRegistry('localhost:5000'), 'localhost:5000');
  for (const [bad, words] of [
    ['https://registry.example.com/kt', /has a scheme/],
    ['registry.example.com/kt:v0.3.7', /ends in a tag/],
    ['registry.example.com/kt@sha256:abc', /digest/],
    ['registry.example.com/KT', /not a registry path/],
    ['registry.example.com/kt name', /not a registry path/],
    ['-registry', /not a registry path/],
    ['registry..example.com/kt', /not a registry path/],
  ] as const) {
    assert.throws(
      () => parseImageRegistry(bad),
      (error: Error) => error instanceof InputError && error.message.startsWith("Input 'image-registry'") && words.test(error.message),
      bad,
    );
  }
});

test('the registry images keep upstream names and tags', () => {
  assert.deepEqual(IMAGES, {
    shadow: 'registry.example.com/kt/kt-connect-shadow:v0.3.7',
    router: 'registry.example.com/kt/kt-connect-router:v0.3.7',
    navigatorRepository: 'registry.example.com/kt/kt-connect-navigator',
  });
});

test('without a kt config, the embedded one is just the two images', () => {
  const text = mergeRegistryImages(undefined, IMAGES);
  assert.deepEqual(parse(text), { global: { image: IMAGES.shadow }, mesh: { 'router-image': IMAGES.router } });
});

test('the merge adds the two keys and keeps comments, order and the rest of the text', () => {
  const given = '# our defaults\nglobal:\n  pod-quota: 0.5c,512m # admission rule\n  node-selector: "pool=dev"\n\nconnect:\n  dns-mode: localDNS\n';
  const merged = mergeRegistryImages(given, IMAGES);
  assert.ok(merged.startsWith('# our defaults\nglobal:\n  pod-quota: 0.5c,512m # admission rule\n  node-selector: "pool=dev"\n'), merged);
  assert.ok(merged.includes('\nconnect:\n  dns-mode: localDNS\n'), merged);
  assert.deepEqual(parse(merged), {
    global: { 'pod-quota': '0.5c,512m', 'node-selector': 'pool=dev', image: IMAGES.shadow },
    connect: { 'dns-mode': 'localDNS' },
    mesh: { 'router-image': IMAGES.router },
  });
});

test('an empty group is filled in; a long registry is never folded', () => {
  const long = registryImages(`registry.example.com/${'a'.repeat(90)}`, '0.3.7');
  const merged = mergeRegistryImages('global:\nmesh:\n  mode: auto\n', long);
  assert.deepEqual(parse(merged), { global: { image: long.shadow }, mesh: { mode: 'auto', 'router-image': long.router } });
  assert.ok(
    merged.split('\n').some((line) => line.trim() === `image: ${long.shadow}`),
    merged,
  );
});

test('a kt config that already sets both images the same is kept byte for byte', () => {
  const given = readFileSync(path.resolve('__tests__/fixtures/kt-config.yaml'), 'utf8');
  assert.equal(mergeRegistryImages(given, IMAGES), given);
});

test('a kt config that sets either image differently is a conflict naming both inputs and the key, never the value', () => {
  for (const [text, key, line] of [
    ['global:\n  image: private.example.com/secret-path/shadow:v1\n', 'global.image', 2],
    ['global:\n  pod-quota: 1c\nmesh:\n  router-image: private.example.com/secret-path/router:v1\n', 'mesh.router-image', 4],
  ] as const) {
    assert.throws(
      () => mergeRegistryImages(text, IMAGES),
      (error: Error) =>
        error instanceof InputError &&
        error.input === 'kt-config' &&
        error.message.includes("'image-registry'") &&
        error.message.includes(`line ${line}, ${key}:`) &&
        !error.message.includes('secret-path'),
    );
  }
});

test('configuredImages reads the two keys where set', () => {
  const settings = (text: string): ReadonlyMap<string, string> => readKtConfig(text, 'latest').settings;
  assert.deepEqual(configuredImages(new Map()), {});
  assert.deepEqual(configuredImages(settings('global:\n  pod-quota: 1c\n')), {});
  assert.deepEqual(configuredImages(settings('global:\n  image: a/shadow:v1\nmesh:\n  router-image: a/router:v1\n')), {
    shadow: 'a/shadow:v1',
    router: 'a/router:v1',
  });
});

test("the navigator constant is rewritten in place, the file's other lines untouched", () => {
  assert.deepEqual(readImageConstants(CONST_GO), {
    shadow: `${UPSTREAM}/kt-connect-shadow`,
    router: `${UPSTREAM}/kt-connect-router`,
    navigator: `${UPSTREAM}/kt-connect-navigator`,
  });
  const { text, previous } = rewriteNavigator(CONST_GO, IMAGES.navigatorRepository);
  assert.equal(previous, `${UPSTREAM}/kt-connect-navigator`);
  assert.equal(text, CONST_GO.replace(`"${UPSTREAM}/kt-connect-navigator"`, '"registry.example.com/kt/kt-connect-navigator"'));
});

test('a navigator constant missing, declared twice or in another form fails naming the file', () => {
  for (const source of [
    CONST_GO.replace(/\tImageKtNavigator = .*\n/, ''),
    `${CONST_GO}\nconst ImageKtNavigator2 = "x"\nvar ImageKtNavigator = "y"\n`,
    CONST_GO.replace('ImageKtNavigator = "', 'ImageKtNavigator = prefix + "'),
    CONST_GO.replace(/ImageKtNavigator = "[^"]*"/, 'ImageKtNavigator = `x/kt-connect-navigator`'),
  ]) {
    assert.throws(() => rewriteNavigator(source, IMAGES.navigatorRepository), /pkg\/kt\/util\/const\.go does not declare ImageKtNavigator exactly once/);
  }
  assert.equal(readImageConstants(CONST_GO.replace(/\tImageKtRouter = .*\n/, '')), undefined);
});

test('the mirror list: upstream image and tag to the name ktctl pulls', () => {
  const upstream = readImageConstants(CONST_GO)!;
  const withRegistry = mirrorList({
    upstream,
    upstreamTag: 'v0.3.7',
    version: '0.3.7',
    registry: 'registry.example.com/kt',
    configured: { shadow: IMAGES.shadow, router: IMAGES.router },
  });
  assert.deepEqual(withRegistry, [
    { name: 'kt-connect-shadow', source: `${UPSTREAM}/kt-connect-shadow:v0.3.7`, target: 'registry.example.com/kt/kt-connect-shadow:v0.3.7' },
    { name: 'kt-connect-router', source: `${UPSTREAM}/kt-connect-router:v0.3.7`, target: 'registry.example.com/kt/kt-connect-router:v0.3.7' },
    { name: 'kt-connect-navigator', source: `${UPSTREAM}/kt-connect-navigator:v0.3.7`, target: 'registry.example.com/kt/kt-connect-navigator:v0.3.7' },
  ]);
  assert.equal(
    imagesText(withRegistry),
    `${UPSTREAM}/kt-connect-shadow:v0.3.7 registry.example.com/kt/kt-connect-shadow:v0.3.7\n` +
      `${UPSTREAM}/kt-connect-router:v0.3.7 registry.example.com/kt/kt-connect-router:v0.3.7\n` +
      `${UPSTREAM}/kt-connect-navigator:v0.3.7 registry.example.com/kt/kt-connect-navigator:v0.3.7\n`,
  );
  // no registry: upstream's defaults, or what the kt config names; a custom version pulls its own tag
  const plain = mirrorList({
    upstream,
    upstreamTag: 'v0.3.7',
    version: '0.3.7-acme.1',
    registry: undefined,
    configured: { shadow: 'own.example.com/shadow:1' },
  });
  assert.deepEqual(
    plain.map((image) => image.target),
    ['own.example.com/shadow:1', `${UPSTREAM}/kt-connect-router:v0.3.7-acme.1`, `${UPSTREAM}/kt-connect-navigator:v0.3.7-acme.1`],
  );
  assert.ok(plain.every((image) => image.source.endsWith(':v0.3.7')));
});

/** The lines of `merged` other than the image lines and the group lines added for them: the input's lines, in order. */
function otherLines(merged: string, given: string): string[] {
  const added = ['global', 'mesh'].filter((group) => !new RegExp(`^${group}:`, 'm').test(given)).flatMap((group) => [`${group}:`, `${group}:\r`]);
  return merged
    .split('\n')
    .filter((line) => !/^\s*(image|router-image): registry\.example\.com\/kt\/kt-connect-(shadow|router):v0\.3\.7\r?$/.test(line) && !added.includes(line));
}

test('the merge edits the text: every byte of the other settings is kept, in block style', () => {
  const inputs = [
    'global:\n  namespace: 0123\n  pod-quota: +2223 # keep as written\n  node-selector:   "pool=dev"\n\nconnect:\n  dns-mode: localDNS\n  dns-cache-ttl: 0x1F\n',
    '# no final line break\nglobal:\n  namespace: 0123\nconnect:\n  excludeIps: 010.0.0.1',
    'global:\r\n  namespace: 0123\r\nconnect:\r\n  dns-mode: localDNS\r\n',
    'global:\n  labels:\n    team: "007"\n  text: |\n    keep\n      this\n',
    '',
    '# comments only\n',
  ];
  for (const given of inputs) {
    const merged = mergeRegistryImages(given, IMAGES);
    assert.deepEqual(otherLines(merged, given).join('\n').replace(/\n+$/, ''), given.replace(/\n+$/, ''), JSON.stringify(given));
    const read = parse(merged) as { global: { image: unknown }; mesh: { 'router-image': unknown } };
    assert.deepEqual([read.global.image, read.mesh['router-image']], [IMAGES.shadow, IMAGES.router]);
    if (given.includes('\r\n')) assert.ok(!/[^\r]\n/.test(merged), 'CRLF kept on the new lines');
  }
  // the exact text of one case, so the place of each new line is pinned
  assert.equal(
    mergeRegistryImages('global:\n  namespace: 0123 # ours\nmesh:\n', IMAGES),
    `global:\n  namespace: 0123 # ours\n  image: ${IMAGES.shadow}\nmesh:\n  router-image: ${IMAGES.router}\n`,
  );
});

test('flow style and null groups are edited in place; forms that cannot be edited safely are refused naming both inputs', () => {
  assert.equal(
    mergeRegistryImages('global: {namespace: 0123}\nmesh: ~\n', IMAGES),
    `global: {image: "${IMAGES.shadow}", namespace: 0123}\nmesh: {router-image: "${IMAGES.router}"}\n`,
  );
  assert.equal(mergeRegistryImages('{global: {}}', IMAGES), `{mesh: {router-image: "${IMAGES.router}"}, global: {image: "${IMAGES.shadow}"}}`);
  for (const given of ['global:\n  a: 1\n...\n', '- global\n', 'global:\n  - a\n']) {
    assert.throws(
      () => mergeRegistryImages(given, IMAGES),
      (error: Error) => error instanceof InputError && error.input === 'kt-config' && error.message.includes("'image-registry'"),
      JSON.stringify(given),
    );
  }
});

test('an image with spaces inside its quotes is another image; a registry port is 1-65535', () => {
  for (const spaced of [` "${IMAGES.shadow} "`, ` ' ${IMAGES.shadow}'`]) {
    assert.throws(() => mergeRegistryImages(`global:\n  image:${spaced}\n`, IMAGES), /line 2, global\.image: sets another image/);
  }
  assert.equal(
    mergeRegistryImages(`global:\n  image: "${IMAGES.shadow}"\nmesh:\n  router-image: '${IMAGES.router}'\n`, IMAGES).includes(`"${IMAGES.shadow}"`),
    true,
  );
  for (const good of ['localhost:1', 'registry.example.com:65535/kt']) assert.ok(parseImageRegistry(good));
  for (const bad of ['localhost:0', 'registry.example.com:65536/kt', 'registry.example.com:99999/kt', 'registry.example.com:00000/kt']) {
    assert.throws(() => parseImageRegistry(bad), /Input 'image-registry': .* has a port outside 1-65535/, bad);
  }
});
