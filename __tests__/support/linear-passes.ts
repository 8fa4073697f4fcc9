// Every pass the action makes over text from outside (inputs, configs, git's and go's output),
// and inputs built to make a super-linear pass run for minutes. Run as one child process by
// __tests__/unit/linear.test.ts: `node --import tsx linear-passes.ts` times every pass on every
// input at two sizes and prints the timings, so a hang is a timeout of the child, not of the test.
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
import { lostCacheFile } from '../../src/build/compile.js';
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

/** The size every pass must finish on; each is timed at a quarter of it too, to see how it grows. */
export const N = 300_000;
export const SIZES = [N / 4, N] as const;

/** Inputs of about n characters, each the worst case for some kind of pattern. */
export const HOSTILE: Readonly<Record<string, (n: number) => string>> = {
  spaces: (n) => ' '.repeat(n),
  'spaces then x': (n) => `${' '.repeat(n)}x`,
  'tabs and spaces then a colon': (n) => `k${' \t'.repeat(n / 2)}:v`,
  'a: pairs': (n) => 'a:'.repeat(n / 2),
  'a: pairs with spaces': (n) => 'a: '.repeat(n / 3),
  'one long line without a colon': (n) => 'a'.repeat(n),
  'dash runs': (n) => `${'- '.repeat(n / 2)}x`,
  'lines of dash runs': (n) => `${'- '.repeat(1000)}x\n`.repeat(n / 2000),
  'dashes and colons': (n) => '-:'.repeat(n / 2),
  newlines: (n) => '\n'.repeat(n),
  'CRLF lines': (n) => 'a: b\r\n'.repeat(n / 6),
  quotes: (n) => '"'.repeat(n),
  brackets: (n) => '['.repeat(n),
  'hashes then a colon': (n) => `${'#'.repeat(n)}:`,
  'distinct keys': (n) => Array.from({ length: n / 9 }, (_, i) => `k${i}: v`).join('\n'),
  'many aliases': (n) => `a: &x v\nb:\n${'  - *x\n'.repeat(n / 7)}`,
  'many contexts': (n) =>
    `apiVersion: v1\nkind: Config\ncontexts:\n${Array.from({ length: n / 40 }, (_, i) => `  - {name: c${i}, context: {cluster: x, user: y}}\n`).join('')}current-context: nope\n`,
  slashes: (n) => `https://h${'/'.repeat(n)}a`,
  ats: (n) => `https://${'@'.repeat(n)}`,
  'colon-ats': (n) => `https://a${':@'.repeat(n / 2)}h/x`,
  'scheme marks': (n) => '://'.repeat(n / 3),
  'scheme marks with ats': (n) => 'a://b@'.repeat(n / 6),
  hex: (n) => '0'.repeat(n),
  'hex then tab': (n) => `${'a'.repeat(n)}\trefs/tags/x`,
  'go lines': (n) => `go ${' '.repeat(n)}1.19 ${' '.repeat(n)}x\n`.repeat(1),
  'go go go': (n) => 'go '.repeat(n / 3),
  'digits and dots': (n) => '1.'.repeat(n / 2),
  'version-like': (n) => `v0.3.7-${'a.'.repeat(n / 2)}+`,
  braces: (n) => '{'.repeat(n),
  base64: (n) => 'QUJD'.repeat(n / 4),
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
    lostCacheFile(text, '/gocache'),
    lostCacheFile(`${text}\n`.repeat(2), text),
  ],
};

/** One pass on one input of one size: the fastest of its runs, which load on the machine only slows. */
export interface Timing {
  readonly pass: string;
  readonly input: string;
  readonly size: number;
  readonly ms: number;
}

/**
 * A pass at full size is run again only when its first run grew more than this from the quarter
 * (linear is 4): load on the machine slows single runs, and the second run keeps such a spike
 * away from the test's bound, while the passes that grew as they should (all of them, as a rule)
 * are timed once, which halves the child's time.
 */
const RUN_AGAIN_ABOVE_GROWTH = 8;
/** A quarter-size time below this counts as this: shorter ones are mostly noise (a timer tick, a garbage collection). */
export const NOISE_MS = 25;

function timeOnce(run: (text: string) => unknown, text: string): number {
  const started = performance.now();
  try {
    run(text);
  } catch {
    // refusing is fine; only the time counts
  }
  return performance.now() - started;
}

/**
 * Every pass on every input, at each size: prints `start <pass>\t<input>\t<size>` before and a
 * Timing as JSON after, so a pass that never ends is named by the last `start` line.
 */
function main(): void {
  for (const [pass, run] of Object.entries(PASSES)) {
    for (const [input, make] of Object.entries(HOSTILE)) {
      let quarterMs = NOISE_MS;
      for (const size of SIZES) {
        const text = make(size);
        process.stdout.write(`start ${pass}\t${input}\t${size}\n`);
        let ms = timeOnce(run, text);
        if (size === N) {
          if (ms > RUN_AGAIN_ABOVE_GROWTH * quarterMs) ms = Math.min(ms, timeOnce(run, text));
        } else {
          quarterMs = Math.max(ms, NOISE_MS);
        }
        const timing: Timing = { pass, input, size, ms };
        process.stdout.write(`${JSON.stringify(timing)}\n`);
      }
    }
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) main();
