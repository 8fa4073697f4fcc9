// The local command: the action's build pipeline for GitLab CI, Jenkins or a laptop.
// `ktctl-customize build [options]`; every option can also come from KTCTL_CUSTOMIZE_<NAME>.
import { existsSync, readFileSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseBuildInputs, UPSTREAM_CONFIG, isoDay, withConfigsChecked } from '../inputs/index.js';
import {
  dryRunChecks,
  planText,
  buildInWorkspace,
  planFor,
  resolveUpstreamTag,
  withOutputDirChecked,
  withPatchFiles,
  withRegistryImages,
} from '../run/index.js';
import {
  ACTION_VERSION,
  BUILD_DEFAULTS,
  type BuildInputName,
  messageOf,
  armPublishedTextGuard,
  PublishedTextGuard,
  consoleLog,
  stopOnSignals,
} from '../shared/index.js';
import { hostPlatform } from '../toolchain/index.js';
import { parseCliArgs } from './args.js';

/** Options whose value names a file to read rather than the value itself. */
const FILE_OPTIONS = new Set<BuildInputName>(['kubeconfig', 'kt-config']);
/** `--version` prints this command's version, so the ktctl version has its own name. */
const OPTION_FOR_INPUT: Partial<Record<BuildInputName, string>> = { version: 'ktctl-version' };

const optionName = (input: BuildInputName): string => OPTION_FOR_INPUT[input] ?? input;
const envName = (input: BuildInputName): string => `KTCTL_CUSTOMIZE_${optionName(input).toUpperCase().replace(/-/g, '_')}`;

const DESCRIPTIONS: Record<BuildInputName, string> = {
  kubeconfig: 'kubeconfig FILE to embed, or upstream for the placeholder (default: ~/.kube/config)',
  'kt-config': 'kt config FILE to embed, or upstream for the placeholder (default: ~/.kt/config)',
  'kt-connect-repository': 'owner/name on GitHub, or a git URL of a mirror',
  'kt-connect-version': 'upstream tag, or latest',
  'kt-connect-source': 'auto, go-proxy (module proxy + checksum database) or git',
  'kt-connect-commit': 'commit the tag must resolve to (a moved tag fails)',
  'go-proxy': 'GOPROXY list for kt-connect (default: GOPROXY)',
  'go-sumdb': 'GOSUMDB for kt-connect, or off (default: GOSUMDB)',
  version: 'version baked in (default: the tag without v)',
  'go-version': "Go to build with (default: kt-connect's go.mod)",
  'go-download-base-url': 'where Go archives and the release index come from',
  'go-sha256': 'SHA-256 of the Go archive, for mirrors without an index',
  upx: 'true, false, or OSes to pack (linux,windows); only where upx works',
  'upx-version': 'upx release to install',
  'upx-args': 'options for upx',
  'upx-download-base-url': 'where upx releases come from',
  'upx-sha256': 'SHA-256 of the upx release file',
  'wintun-url': 'wintun release zip for Windows archives',
  'wintun-sha256': 'SHA-256 of the wintun zip',
  targets: 'GOOS/GOARCH list (default: this machine)',
  'archive-format': 'zip, tar.gz or auto',
  'asset-name-template': 'archive name; {version} {tag} {os} {arch} {Os} {Arch}',
  'output-dir': 'folder for the archives',
  'max-parallel': 'builds at once (default: CPU count)',
  cache: 'true: keep Go caches with the Actions cache service (CI only)',
  strict: 'true: fail when the kubeconfig is not self-contained',
  'image-registry': 'registry/path every image ktctl starts comes from',
  patches: 'patch files or globs (relative to this folder) to apply, in order',
  'min-credential-days': 'warn when the embedded credential expires within this many days',
  'dry-run': 'see the check command',
};

/** dry-run is the `check` command here. */
const INPUTS = (Object.keys(BUILD_DEFAULTS) as BuildInputName[]).filter((input) => input !== 'dry-run');

function helpText(): string {
  const rows = INPUTS.map((input) => {
    const flag = `--${optionName(input)} ${FILE_OPTIONS.has(input) ? 'FILE' : 'VALUE'}`;
    const fallback = BUILD_DEFAULTS[input] === '' || FILE_OPTIONS.has(input) || input === 'targets' ? '' : ` [${BUILD_DEFAULTS[input]}]`;
    return `  ${flag.padEnd(34)}${DESCRIPTIONS[input]}${fallback}\n  ${''.padEnd(34)}env ${envName(input)}`;
  });
  return [
    'Usage: ktctl-customize build [options]',
    '       ktctl-customize check [options]',
    '',
    'build: builds ktctl from kt-connect with a kubeconfig and kt config embedded, for each target,',
    'and writes the archives and a checksums file. The same pipeline as the GitHub Action.',
    'check: checks the options, both configs, the upstream tag, Go and the download sources,',
    "and prints the plan; builds nothing (the action's dry-run: true).",
    'With no options: the newest kt-connect for this machine, with ~/.kube/config and ~/.kt/config.',
    '',
    'Options:',
    ...rows,
    `  ${'-h, --help'.padEnd(34)}show this text`,
    `  ${'--version'.padEnd(34)}show the version of ktctl-customize`,
    '',
  ].join('\n');
}

const COMMANDS = ['build', 'check'];

export async function main(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  let values: ReadonlyMap<string, string>;
  let flags: ReadonlySet<string>;
  let positionals: readonly string[];
  try {
    ({ values, flags, positionals } = parseCliArgs(argv, INPUTS.map(optionName), ['help', 'version'], { h: 'help' }));
  } catch (error) {
    process.stderr.write(`ktctl-customize: ${messageOf(error)}\nRun 'ktctl-customize --help' for the options.\n`);
    return 2;
  }
  if (flags.has('help')) {
    process.stdout.write(helpText());
    return 0;
  }
  if (flags.has('version')) {
    process.stdout.write(`ktctl-customize ${ACTION_VERSION}\n`);
    return 0;
  }
  const [command, ...rest] = positionals;
  if (command === undefined || !COMMANDS.includes(command) || rest.length > 0) {
    // a word may be shown; anything else may be a pasted config
    const what =
      command === undefined
        ? 'no command'
        : !COMMANDS.includes(command)
          ? `unknown command ${/^[a-z-]{1,20}$/.test(command) ? `'${command}'` : '(not shown)'}`
          : `${rest.length === 1 ? 'an unexpected argument' : `${rest.length} unexpected arguments`} after '${command}' (not shown)`;
    process.stderr.write(`ktctl-customize: ${what}; the commands are 'build' and 'check'.\nRun 'ktctl-customize --help' for the options.\n`);
    return 2;
  }

  const home = os.homedir();
  const homeFiles: Partial<Record<BuildInputName, string>> = {
    kubeconfig: path.join(home, '.kube', 'config'),
    'kt-config': path.join(home, '.kt', 'config'),
  };
  const log = consoleLog();
  try {
    const read = (input: string): string => {
      const name = input as BuildInputName;
      const given = values.get(optionName(name)) ?? env[envName(name)];
      if (!FILE_OPTIONS.has(name)) return given ?? (name === 'targets' ? hostTarget() : '');
      if (given !== undefined) return readConfigFile(name, given);
      const file = homeFiles[name]!;
      if (!existsSync(file)) {
        throw new Error(
          `Option '--${name}': not given, and ${file} does not exist; give --${name} FILE, or --${name} ${UPSTREAM_CONFIG} to embed upstream's placeholder.`,
        );
      }
      // the default is the developer's own file: say so, it goes into every binary
      log.info(`Embedding ${file} as the ${name} (give --${name} to choose another file).`);
      return readConfigFile(name, file);
    };
    const given = await withPatchFiles(
      await withOutputDirChecked(
        parseBuildInputs(read, { workspace: process.cwd(), serverUrl: env['GITHUB_SERVER_URL'] ?? 'https://github.com' }, os.availableParallelism()),
        process.cwd(),
      ),
      process.cwd(),
    );
    // both configs and the credential's lifetime, before any network step (README promises it); read once, for every stage
    const inputs = withConfigsChecked(given, log);
    const credentialsExpire = inputs.configSummary.credentialsExpire;
    // the files written beside the archives hold no piece of the configs, as in the action (published-text.ts)
    armPublishedTextGuard(
      PublishedTextGuard.forConfigs([
        { name: 'kubeconfig', text: inputs.configs.kubeconfig },
        { name: 'kt-config', text: inputs.configs.ktConfig },
      ]),
    );
    // @actions/tool-cache keeps tools and downloads where a runner would; give it a home here
    process.env['RUNNER_TOOL_CACHE'] ||= path.join(home, '.cache', 'ktctl-customize', 'tools');
    process.env['RUNNER_TEMP'] ||= os.tmpdir();
    stopOnSignals(); // a Ctrl-C during git ls-remote stops git too
    const upstream = await resolveUpstreamTag(inputs, log);
    const plan = planFor(inputs, upstream);
    if (command === 'check') {
      const embedded = withRegistryImages(inputs, plan);
      const findings = await dryRunChecks(embedded, plan, { log, tempDir: process.env['RUNNER_TEMP'] });
      const expires = credentialsExpire === undefined ? undefined : isoDay(credentialsExpire);
      process.stdout.write(planText({ inputs: embedded, plan, upstream, findings, credentialsExpire: expires, release: undefined }));
      return 0;
    }
    const result = await buildInWorkspace(withRegistryImages(inputs, plan), plan, { log, env: process.env, tempDir: process.env['RUNNER_TEMP'] });
    for (const asset of result.assets) process.stdout.write(`${asset.path}\n`);
    process.stdout.write(`${result.checksumsFile}\n`);
    if (result.imagesFile !== undefined) process.stdout.write(`${result.imagesFile}\n`);
    return 0;
  } catch (error) {
    process.stderr.write(
      `ktctl-customize: ${messageOf(error).replace(/^Input '([^']+)'/, (_, name: string) => `Option '--${optionName(name as BuildInputName)}'`)}\n`,
    );
    return 1;
  }
}

/**
 * One rule for --kubeconfig and --kt-config (and their environment variables): `upstream`, or the
 * path of a readable file. Anything else is reported without the value, which may be the config
 * itself pasted where its path belongs (`--kubeconfig "$(cat kube.yaml)"`).
 */
function readConfigFile(name: BuildInputName, value: string): string {
  if (value.trim() === UPSTREAM_CONFIG) return UPSTREAM_CONFIG;
  const fail = (why: string): never => {
    throw new Error(`Option '--${name}': expected a file path; got text (not shown) that ${why}. Give the path of the ${name} file, or ${UPSTREAM_CONFIG}.`);
  };
  if (value === '' || /[\n\r\0]/.test(value) || value.length > 4096) fail('cannot be a path');
  let text: string;
  try {
    if (!statSync(value).isFile()) fail('is not a regular file');
    text = readFileSync(value, 'utf8');
  } catch (error) {
    if (!(error instanceof Error) || !('code' in error)) throw error;
    return fail(`is not a readable file (${String((error as NodeJS.ErrnoException).code)})`);
  }
  if (text.trim() === '') throw new Error(`Option '--${name}': the file is empty; give the ${name} file, or ${UPSTREAM_CONFIG}.`);
  return text;
}

function hostTarget(): string {
  const host = hostPlatform();
  return `${host.os}/${host.arch}`;
}

/**
 * @actions/tool-cache speaks to a runner on stdout (`::debug::`), and so does @actions/cache
 * through @actions/exec (`[command]`). Outside a runner that is noise, and stdout is where this
 * command lists the archives. For the entry point (cli/index.ts) to call before main.
 */
export function silenceRunnerCommands(): void {
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    const kept = text
      .split(/(?<=\n)/)
      .filter((line) => !line.startsWith('::') && !line.startsWith('[command]'))
      .join('');
    return kept === '' ? true : (write as (c: string, ...r: unknown[]) => boolean)(kept, ...rest);
  }) as typeof process.stdout.write;
}
