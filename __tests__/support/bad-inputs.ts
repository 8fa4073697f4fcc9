// Bad inputs as users and attackers give them, each with the input its error must name. Every
// value is checked in process by __tests__/unit/bad-inputs.test.ts; one of each kind of path
// also runs through the bundled action in __tests__/e2e/hostile-input.test.ts.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';

export const KUBECONFIG = readFileSync(path.resolve('__tests__/fixtures/kubeconfig.yaml'), 'utf8');
export const KT_CONFIG = readFileSync(path.resolve('__tests__/fixtures/kt-config.yaml'), 'utf8');

export const TOKEN = /token: (\S+)/.exec(KUBECONFIG)![1]!;
const CA_DATA = /certificate-authority-data: (\S+)/.exec(KUBECONFIG)![1]!;
const SECRET_LINE_TOKEN = 'sEcReT-aaaa1111bbbb2222';
/** A token pasted where a name belongs: no piece of it of 8 characters or more may show. */
const NAME_TOKEN = 'eyJhbGciOiJSUzI1NiJ9.nAmEtOkEn-0123456789abcdef-ZYXWVU';
/** URL passwords with a raw '@': git splits them at the first one, the action must not. */
export const URL_PASSWORD = 'pa@ss';
export const LONG_URL_PASSWORD = 'Tok3n-with@raw-at-sign-9f8e7d6c';
const GIT_URL = `https://bot:${URL_PASSWORD}@127.0.0.1:1/x.git`;
/** Under Linux's limit of 128 KiB for one environment variable, which is how inputs arrive. */
const LARGE = 120_000;

/** A kubeconfig with one change, as users get them wrong. */
const kube = (from: string, to: string): string => {
  assert.ok(KUBECONFIG.includes(from), from);
  return KUBECONFIG.replace(from, to);
};

/** Where a run refuses a bad value, in the order it meets them: each is one kind of path to the error. */
export const STAGES = ['inputs', 'configs', 'git', 'tag', 'plan'] as const;
export type Stage = (typeof STAGES)[number];

// [what, inputs, the input the error must name]
const BY_STAGE: Record<Stage, [string, Record<string, string>, string][]> = {
  // parseBuildInputs: each input on its own, before the network or the disk is touched
  inputs: [
    ['an unknown target', { targets: 'linux/mips' }, 'targets'],
    ['a target list that is only separators', { targets: ' , ' }, 'targets'],
    ['a target with a shell command', { targets: 'linux/amd64;rm -rf /' }, 'targets'],
    ['an unknown archive format', { 'archive-format': 'rar' }, 'archive-format'],
    ['an archive format in capitals', { 'archive-format': 'ZIP' }, 'archive-format'],
    ['a name template that climbs out', { 'asset-name-template': '../ktctl_{os}_{arch}' }, 'asset-name-template'],
    ['a name template with a slash', { 'asset-name-template': 'ktctl/{os}_{arch}' }, 'asset-name-template'],
    ['a name template without the target', { 'asset-name-template': 'ktctl_{version}' }, 'asset-name-template'],
    ['a name template with an unknown placeholder', { 'asset-name-template': 'ktctl_{nope}_{os}_{arch}' }, 'asset-name-template'],
    ['a go version with go prefix', { 'go-version': 'go1.19' }, 'go-version'],
    ['a go version that is a word', { 'go-version': 'latest' }, 'go-version'],
    ['a go version with a command', { 'go-version': '1.19.8; rm -rf /' }, 'go-version'],
    ['a short go checksum', { 'go-sha256': 'abc' }, 'go-sha256'],
    ['a non-hex upx checksum', { 'upx-sha256': 'z'.repeat(64) }, 'upx-sha256'],
    ['a wintun checksum of the wrong length', { 'wintun-sha256': 'ab'.repeat(31) }, 'wintun-sha256'],
    ['a yes for a boolean', { upx: 'yes' }, 'upx'],
    ['a strict that is not a boolean', { strict: 'maybe' }, 'strict'],
    ['a upx version with v', { 'upx-version': 'v4.2.4' }, 'upx-version'],
    ['a upx version with two parts', { 'upx-version': '4.2' }, 'upx-version'],
    ['upx args with a shell command', { 'upx-args': '-9 ; rm -rf /' }, 'upx-args'],
    ['upx args that redirect the output', { 'upx-args': '-o /tmp/x' }, 'upx-args'],
    ['upx args that decompress', { 'upx-args': '-d' }, 'upx-args'],
    ['upx args that abbreviate --output', { 'upx-args': '--outp=copy' }, 'upx-args'],
    ['upx args that glue -o to a name', { 'upx-args': '-oattached' }, 'upx-args'],
    ['an ftp wintun URL', { 'wintun-url': 'ftp://example.invalid/w.zip' }, 'wintun-url'],
    ['a Go base URL that is not a URL', { 'go-download-base-url': 'not a url' }, 'go-download-base-url'],
    ['a file Go base URL', { 'go-download-base-url': 'file:///etc' }, 'go-download-base-url'],
    ['a upx base URL with a command', { 'upx-download-base-url': '$(curl x)' }, 'upx-download-base-url'],
    ['a repository over ext::', { 'kt-connect-repository': 'ext::sh -c touch% /tmp/pwned' }, 'kt-connect-repository'],
    ['a repository that is an option', { 'kt-connect-repository': '--upload-pack=touch /tmp/x' }, 'kt-connect-repository'],
    ['a tag with a command', { 'kt-connect-version': '$(id)' }, 'kt-connect-version'],
    ['a tag that is an option', { 'kt-connect-version': '--upload-pack=x' }, 'kt-connect-version'],
    ['a tag with a newline', { 'kt-connect-version': 'v0.3.7\nmain' }, 'kt-connect-version'],
    ['a version with a space and a flag', { version: '0.3.7 -X main.x=y' }, 'version'],
    ['the workspace as output folder', { 'output-dir': '.' }, 'output-dir'],
    ['an output folder with a newline', { 'output-dir': 'a\nb' }, 'output-dir'],
    ['an output folder above the workspace', { 'output-dir': '../..' }, 'output-dir'],
    ['an output folder that climbs out of a subfolder', { 'output-dir': 'dist/../../elsewhere' }, 'output-dir'],
    ['zero parallel builds', { 'max-parallel': '0' }, 'max-parallel'],
    ['parallel builds as a word', { 'max-parallel': 'many' }, 'max-parallel'],
    ['base64 that is not text', { kubeconfig: Buffer.from([0, 159, 146, 150, 0, 1, 2, 3]).toString('base64') }, 'kubeconfig'],
    // URL passwords with a raw '@': the action's message and git's are both redacted (item 6)
    [
      'a Go base URL that is not a URL, with a password',
      { 'go-download-base-url': `https://bot:${LONG_URL_PASSWORD}@127.0.0.1:1:2/go` },
      'go-download-base-url',
    ],
    ['a wintun URL with a password and a raw slash', { 'wintun-url': `ftp://bot:${LONG_URL_PASSWORD}/x@127.0.0.1:1/w.zip` }, 'wintun-url'],
    // inputs of 120,000 characters built against super-linear passes: each ends with its error (item 7)
    ['a Go base URL of at-signs', { 'go-download-base-url': `https://${'@'.repeat(LARGE)}` }, 'go-download-base-url'],
    ['a repository URL of slashes', { 'kt-connect-repository': `https://h${'/'.repeat(LARGE)}a b` }, 'kt-connect-repository'],
  ],
  // checkConfigs: both configs, before any network step
  configs: [
    ['a kubeconfig too short for ktctl', { kubeconfig: 'apiVersion: v1\nkind: Config\n' }, 'kubeconfig'],
    ['a kubeconfig with a YAML error on the token line', { kubeconfig: kube(`token: ${TOKEN}`, `token: [${SECRET_LINE_TOKEN}`) }, 'kubeconfig'],
    ['a kubeconfig with a tab on the token line', { kubeconfig: kube(`      token: ${TOKEN}`, `\ttoken: ${SECRET_LINE_TOKEN}`) }, 'kubeconfig'],
    ['a kubeconfig of another kind', { kubeconfig: kube('kind: Config', 'kind: Pod') }, 'kubeconfig'],
    ['a kubeconfig without current-context', { kubeconfig: kube('current-context: test-context', '') }, 'kubeconfig'],
    ['a kubeconfig whose current-context does not exist', { kubeconfig: kube('current-context: test-context', 'current-context: prod') }, 'kubeconfig'],
    ['a kubeconfig whose context names a missing user', { kubeconfig: kube('      user: test-user', '      user: nobody') }, 'kubeconfig'],
    [
      'a kubeconfig with an exec plugin under strict',
      {
        strict: 'true',
        kubeconfig: kube(
          `      token: ${TOKEN}`,
          `      exec:\n        apiVersion: client.authentication.k8s.io/v1\n        command: aws-iam-authenticator\n        args: ["token", "${SECRET_LINE_TOKEN}"]`,
        ),
      },
      'kubeconfig',
    ],
    [
      'a kubeconfig with a CA file under strict',
      { strict: 'true', kubeconfig: kube(`certificate-authority-data: ${CA_DATA}`, 'certificate-authority: /etc/k8s/ca.crt') },
      'kubeconfig',
    ],
    ['a kubeconfig that is a list', { kubeconfig: `- ${TOKEN}\n- ${SECRET_LINE_TOKEN}\n- more more more more more more\n` }, 'kubeconfig'],
    ['a kt config without a colon', { 'kt-config': 'just words' }, 'kt-config'],
    ['a kt config with an unknown group', { 'kt-config': 'globl:\n  image: registry.example/shadow:v0.3.7\n' }, 'kt-config'],
    ['a kt config in camelCase', { 'kt-config': 'mesh:\n  routerImage: registry.example/router:v0.3.7\n' }, 'kt-config'],
    ['a kt config with a nested map', { 'kt-config': 'global:\n  image:\n    name: x\n' }, 'kt-config'],
    ['a kt config with a list value', { 'kt-config': 'connect:\n  include-ips: [10.0.0.0/8]\n' }, 'kt-config'],
    ['a kt config with a YAML error', { 'kt-config': `global:\n  image: "${SECRET_LINE_TOKEN}\n` }, 'kt-config'],
    // no value of either config is quoted, shortened or escaped (issue 9, item 5)
    ['a token in current-context', { kubeconfig: kube('current-context: test-context', `current-context: ${NAME_TOKEN}`) }, 'kubeconfig'],
    ["a token in a context's user", { kubeconfig: kube('      user: test-user', `      user: ${NAME_TOKEN}`) }, 'kubeconfig'],
    [
      "a token as two clusters' name",
      {
        kubeconfig: kube('  - name: test-cluster', `  - name: ${NAME_TOKEN}\n    cluster:\n      server: https://127.0.0.1:6443\n  - name: ${NAME_TOKEN}`),
      },
      'kubeconfig',
    ],
    [
      'a name holding a quote',
      { kubeconfig: kube('      user: test-user', `      user: "${NAME_TOKEN.slice(0, 20)}\\"${NAME_TOKEN.slice(20)}"`) },
      'kubeconfig',
    ],
    [
      'many contexts named with tokens, none current',
      {
        kubeconfig: kube(
          'contexts:\n',
          `contexts:\n${Array.from({ length: 60 }, (_, i) => `  - name: ${NAME_TOKEN}-${i}\n    context: {cluster: test-cluster, user: test-user}\n`).join('')}`,
        ).replace('current-context: test-context', `current-context: ${NAME_TOKEN}`),
      },
      'kubeconfig',
    ],
    ['a token pasted as a kt config key', { 'kt-config': `global:\n  ${NAME_TOKEN.replace('.', '_')}: x\n` }, 'kt-config'],
    // inputs of 120,000 characters built against super-linear passes: each ends with its error (item 7)
    ['a kubeconfig line of spaces and no colon', { kubeconfig: `${' '.repeat(LARGE)}x\n${KUBECONFIG}` }, 'kubeconfig'],
    ['a kubeconfig of a: pairs', { kubeconfig: 'a: '.repeat(LARGE / 3) }, 'kubeconfig'],
    ['a kubeconfig of dash runs', { kubeconfig: `${'- '.repeat(500)}x\n`.repeat(LARGE / 1002) }, 'kubeconfig'],
    ['a kubeconfig of quotes', { kubeconfig: '"'.repeat(LARGE) }, 'kubeconfig'],
    ['a kt config line of tabs and spaces before its colon', { 'kt-config': `global${' \t'.repeat(LARGE / 2)}:\n  image: x\n` }, 'kt-config'],
    ['a kt config of many keys', { 'kt-config': `global:\n${Array.from({ length: LARGE / 12 }, (_, i) => `  k${i}: v`).join('\n')}\n` }, 'kt-config'],
  ],
  // git ls-remote of kt-connect-repository, the first network step: git's own messages are redacted too
  git: [
    ['a repository that does not exist', { 'kt-connect-repository': 'file:///nonexistent/kt-connect' }, 'kt-connect-repository'],
    ['a tag that does not exist', { 'kt-connect-version': 'v9.9.9' }, 'kt-connect-version'],
    // URL passwords with a raw '@': the action's message and git's are both redacted (item 6)
    ['a repository URL whose password holds a raw @', { 'kt-connect-repository': GIT_URL }, 'kt-connect-repository'],
    ['an http repository URL whose password holds a raw @', { 'kt-connect-repository': GIT_URL.replace('https:', 'http:') }, 'kt-connect-repository'],
    ['a git:// repository URL whose password holds a raw @', { 'kt-connect-repository': GIT_URL.replace('https:', 'git:') }, 'kt-connect-repository'],
    ['an ssh repository URL whose password holds a raw @', { 'kt-connect-repository': GIT_URL.replace('https:', 'ssh:') }, 'kt-connect-repository'],
    [
      'a repository URL with a long password holding a raw @',
      { 'kt-connect-repository': `https://bot:${LONG_URL_PASSWORD}@127.0.0.1:1/x.git` },
      'kt-connect-repository',
    ],
  ],
  // validateForUpstream: the checks that need the upstream tag, before any download
  tag: [
    ['a version with a leading v without private images', { version: 'v0.3.7', 'kt-config': 'upstream' }, 'version'],
    ['a version other than upstream without private images', { version: '1.0.0', 'kt-config': 'upstream' }, 'version'],
    ['a kt config with a key 0.3.7 does not read', { 'kt-config': 'global:\n  ip-version: "4"\n' }, 'kt-config'],
  ],
  // planFor: what this runner cannot carry out, such as a upx download with no hash to check it against
  plan: [['a upx version with no pinned hash and no upx-sha256', { 'upx-sha256': '' }, 'upx-sha256']],
};

export interface BadInput {
  readonly what: string;
  /** Laid over inputs that pass every check. */
  readonly inputs: Record<string, string>;
  /** The input the one error must name. */
  readonly input: string;
  readonly stage: Stage;
}

export const BAD_INPUTS: readonly BadInput[] = STAGES.flatMap((stage) => BY_STAGE[stage].map(([what, inputs, input]) => ({ what, inputs, input, stage })));

/**
 * One case of each kind of path, also run through the bundled action: every stage, a secret in
 * a YAML error and in a URL, git's own message, and an input of 120,000 characters, which is
 * how large an environment variable may be.
 */
export const END_TO_END: readonly string[] = [
  'a Go base URL that is not a URL, with a password',
  'a kubeconfig with a YAML error on the token line',
  'a kt config of many keys',
  'a repository URL whose password holds a raw @',
  'a tag that does not exist',
  'a version with a leading v without private images',
  'a upx version with no pinned hash and no upx-sha256',
];

/** Every piece of `secret` of `length` characters. */
function piecesOf(secret: string, length = 8): string[] {
  return Array.from({ length: Math.max(1, secret.length - length + 1) }, (_, i) => secret.slice(i, i + length));
}

/** The forms of a URL password that must never show: as written, percent-encoded, and as git splits it. */
const URL_PASSWORD_FORMS = [URL_PASSWORD, encodeURIComponent(URL_PASSWORD), '//ss@', 'ss@127', ':pa@', ...piecesOf(LONG_URL_PASSWORD, 6), 'raw-at', '@raw'];

/** Every secret of the table that shows in `text`: none may. */
export function secretsIn(text: string): string[] {
  return [TOKEN, CA_DATA, SECRET_LINE_TOKEN, Buffer.from(KUBECONFIG).toString('base64').slice(0, 40), ...piecesOf(NAME_TOKEN), ...URL_PASSWORD_FORMS].filter(
    (secret) => text.includes(secret),
  );
}
