// Every pass the action makes over text from outside (inputs, configs, git's and go's output),
// and inputs built to make a super-linear pass run for minutes. Run as a child process by
// __tests__/unit/linear.test.ts: `node --import tsx linear-passes.ts <pass> <input>|all`
// prints one `done` line per input, so a hang is a timeout of the child, not of the test.
import { pathToFileURL } from 'node:url';
import {
  decodeConfig,
  parseArchiveFormat,
  parseBoolean,
  parseGoVersion,
  parseHttpUrl,
  parseMaxParallel,
  parseMinCredentialDays,
  parseOutputDir,
  parseRepository,
  parseSha256,
  parseUpstreamVersion,
  parseUpxArgs,
  parseUpxChoice,
  parseUpxVersion,
  parseVersion,
} from '../../src/inputs/inputs.js';
import { checkNameTemplate } from '../../src/plan/plan.js';
import { lastLines } from '../../src/shared/process.js';
import { parsePublishInputs } from '../../src/publish/inputs.js';
import { printable, redactUrl, redactUrlCredentials, redactUrlsIn, trimTrailingSlashes, urlSecrets } from '../../src/shared/redact.js';
import { secretFragments } from '../../src/shared/secrets.js';
import { PublishedTextGuard } from '../../src/shared/published-text.js';
import { parseTargets } from '../../src/plan/targets.js';
import { goReleaseSemver, parseGoSpec } from '../../src/toolchain/go-release.js';
import { parseGoDirective, parseLsRemoteTags, parseSemverTag, pickLatestTag } from '../../src/shared/upstream.js';
import { validateKtConfig } from '../../src/inputs/kt-config.js';
import { validateKubeconfig } from '../../src/inputs/kubeconfig.js';
import { certificateExpiry, jwtExpiry, readCredentials } from '../../src/inputs/credentials.js';
import { closestOption, parseCliArgs } from '../../src/cli/args.js';
import { checkVersionAgainstImages } from '../../src/inputs/version.js';

const N = 300_000;

/** Inputs of N characters or so, each the worst case for some kind of pattern. */
export const HOSTILE: Readonly<Record<string, string>> = {
  spaces: ' '.repeat(N),
  'spaces then x': `${' '.repeat(N)}x`,
  'tabs and spaces then a colon': `k${' \t'.repeat(N / 2)}:v`,
  'a: pairs': 'a:'.repeat(N / 2),
  'a: pairs with spaces': 'a: '.repeat(N / 3),
  'one long line without a colon': 'a'.repeat(N),
  'dash runs': `${'- '.repeat(N / 2)}x`,
  'lines of dash runs': `${'- '.repeat(1000)}x\n`.repeat(N / 2000),
  'dashes and colons': '-:'.repeat(N / 2),
  newlines: '\n'.repeat(N),
  'CRLF lines': 'a: b\r\n'.repeat(N / 6),
  quotes: '"'.repeat(N),
  brackets: '['.repeat(N),
  'hashes then a colon': `${'#'.repeat(N)}:`,
  'distinct keys': Array.from({ length: N / 9 }, (_, i) => `k${i}: v`).join('\n'),
  'many aliases': `a: &x v\nb:\n${'  - *x\n'.repeat(N / 7)}`,
  'many contexts': `apiVersion: v1\nkind: Config\ncontexts:\n${Array.from({ length: N / 40 }, (_, i) => `  - {name: c${i}, context: {cluster: x, user: y}}\n`).join('')}current-context: nope\n`,
  slashes: `https://h${'/'.repeat(N)}a`,
  ats: `https://${'@'.repeat(N)}`,
  'colon-ats': `https://a${':@'.repeat(N / 2)}h/x`,
  'scheme marks': '://'.repeat(N / 3),
  'scheme marks with ats': 'a://b@'.repeat(N / 6),
  hex: '0'.repeat(N),
  'hex then tab': `${'a'.repeat(N)}\trefs/tags/x`,
  'go lines': `go ${' '.repeat(N)}1.19 ${' '.repeat(N)}x\n`.repeat(1),
  'go go go': 'go '.repeat(N / 3),
  'digits and dots': '1.'.repeat(N / 2),
  'version-like': `v0.3.7-${'a.'.repeat(N / 2)}+`,
  braces: '{'.repeat(N),
  base64: 'QUJD'.repeat(N / 4),
};

const URL_SEEN = 'https://bot:pa@ss@127.0.0.1:1/x.git';

/** Each pass, run on one input; the result is dropped: only that it finishes counts. */
export const PASSES: Readonly<Record<string, (text: string) => unknown>> = {
  secretFragments: (text) => secretFragments(text),
  // the hostile text as a config and as the text scanned for it (published-text.ts)
  publishedTextGuard: (text) => PublishedTextGuard.forConfigs([{ name: 'kubeconfig', text }]).configIn(`${text.slice(1)}!`),
  decodeConfig: (text) => decodeConfig('kubeconfig', text),
  validateKubeconfig: (text) => validateKubeconfig(text, true),
  validateKtConfig: (text) => validateKtConfig(text, 'v0.3.7'),
  credentials: (text) => [readCredentials(text), jwtExpiry(text), certificateExpiry(text)],
  'local command arguments': (text) => {
    try {
      parseCliArgs(['build', text, `--${text}`, '--kubeconfig', text], ['kubeconfig', 'kt-config'], ['help'], { h: 'help' });
    } catch {
      // refusing is fine
    }
    return closestOption(text, ['kubeconfig', 'kt-config']);
  },
  inputs: (text) => {
    const parsers = [
      () => parseBoolean('upx', text),
      () => parseSha256('go-sha256', text),
      () => parseHttpUrl('go-download-base-url', text),
      () => parseRepository(text, text),
      () => parseRepository(text, 'https://github.com'),
      () => parseUpstreamVersion(text),
      () => parseVersion(text),
      () => parseGoVersion(text),
      () => parseUpxVersion(text),
      () => parseUpxArgs(text),
      () => parseUpxChoice(text),
      () => parseMinCredentialDays(text),
      () => parseArchiveFormat(text),
      () => parseOutputDir(text, '/workspace'),
      () => parseMaxParallel(text, 2),
      () => parseTargets(text),
      () => checkNameTemplate(text),
      () => checkVersionAgainstImages(text, 'v0.3.7', false),
      () => checkVersionAgainstImages('0.3.7', text, false),
      () => parsePublishInputs(() => text, { GITHUB_REF: text, GITHUB_REPOSITORY: text, GITHUB_API_URL: text, GITHUB_SERVER_URL: text }),
    ];
    for (const parse of parsers) {
      try {
        parse();
      } catch {
        // refusing is fine; only the time counts
      }
    }
  },
  redact: (text) => [
    printable(text),
    trimTrailingSlashes(text),
    redactUrl(text),
    urlSecrets(text),
    redactUrlsIn(text),
    redactUrlCredentials(text, URL_SEEN),
    redactUrlCredentials(URL_SEEN + text, text),
  ],
  'git and go output': (text) => [
    pickLatestTag(parseLsRemoteTags(text)),
    parseSemverTag(text),
    parseGoDirective(text),
    goReleaseSemver(text),
    (() => {
      try {
        return parseGoSpec(text);
      } catch {
        return undefined;
      }
    })(),
    lastLines(text),
  ],
};

function main(pass: string, input: string): void {
  const run = PASSES[pass];
  if (run === undefined) throw new Error(`no pass ${pass}`);
  for (const name of input === 'all' ? Object.keys(HOSTILE) : [input]) {
    const text = HOSTILE[name];
    if (text === undefined) throw new Error(`no input ${name}`);
    try {
      run(text);
    } catch {
      // refusing is fine; only the time counts
    }
    process.stdout.write(`done ${name}\n`);
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv[2] ?? '', process.argv[3] ?? 'all');
}
