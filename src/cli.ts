#!/usr/bin/env node
// The local command: the action's build pipeline for GitLab CI, Jenkins or a laptop.
// `ktctl-customize build [options]`; every option can also come from KTCTL_CUSTOMIZE_<NAME>.
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ACTION_VERSION } from './about.js';
import { BUILD_DEFAULTS, type BuildInputName } from './defaults.js';
import { messageOf } from './errors.js';
import { parseBuildInputs } from './inputs.js';
import { consoleLog } from './log.js';
import { buildInWorkspace, planFor, resolveUpstreamTag, withOutputDirChecked, withPatchFiles, withRegistryImages } from './pipeline.js';
import { stopOnSignals } from './stop.js';
import { hostPlatform } from './toolchain/platform.js';

/** Options whose value names a file to read rather than the value itself. */
const FILE_OPTIONS = new Set<BuildInputName>(['kubeconfig', 'kt-config']);
/** `--version` prints this command's version, so the ktctl version has its own name. */
const OPTION_FOR_INPUT: Partial<Record<BuildInputName, string>> = { version: 'ktctl-version' };

const optionName = (input: BuildInputName): string => OPTION_FOR_INPUT[input] ?? input;
const envName = (input: BuildInputName): string => `KTCTL_CUSTOMIZE_${optionName(input).toUpperCase().replace(/-/g, '_')}`;

const DESCRIPTIONS: Record<BuildInputName, string> = {
  kubeconfig: 'kubeconfig FILE to embed (default: ~/.kube/config if present)',
  'kt-config': 'kt config FILE to embed (default: ~/.kt/config if present)',
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
  upx: 'true or false: pack binaries with upx where it works',
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
};

const INPUTS = Object.keys(BUILD_DEFAULTS) as BuildInputName[];

export function helpText(): string {
  const rows = INPUTS.map((input) => {
    const flag = `--${optionName(input)} ${FILE_OPTIONS.has(input) ? 'FILE' : 'VALUE'}`;
    const fallback = BUILD_DEFAULTS[input] === '' || FILE_OPTIONS.has(input) || input === 'targets' ? '' : ` [${BUILD_DEFAULTS[input]}]`;
    return `  ${flag.padEnd(34)}${DESCRIPTIONS[input]}${fallback}\n  ${''.padEnd(34)}env ${envName(input)}`;
  });
  return [
    'Usage: ktctl-customize build [options]',
    '',
    'Builds ktctl from kt-connect with a kubeconfig and kt config embedded, for each target,',
    'and writes the archives and a checksums file. The same pipeline as the GitHub Action.',
    'With no options: the newest kt-connect for this machine, with ~/.kube/config and ~/.kt/config.',
    '',
    'Options:',
    ...rows,
    `  ${'--help'.padEnd(34)}show this text`,
    `  ${'--version'.padEnd(34)}show the version of ktctl-customize`,
    '',
  ].join('\n');
}

export async function main(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  const options = Object.fromEntries(INPUTS.map((input) => [optionName(input), { type: 'string' as const }]));
  let values: Record<string, string | boolean | undefined>;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: [...argv],
      options: { ...options, help: { type: 'boolean' }, version: { type: 'boolean' } },
      allowPositionals: true,
      strict: true,
    }));
  } catch (error) {
    process.stderr.write(`ktctl-customize: ${messageOf(error)}\nRun 'ktctl-customize --help' for the options.\n`);
    return 2;
  }
  if (values['help'] === true) {
    process.stdout.write(helpText());
    return 0;
  }
  if (values['version'] === true) {
    process.stdout.write(`ktctl-customize ${ACTION_VERSION}\n`);
    return 0;
  }
  const [command, ...rest] = positionals;
  if (command !== 'build' || rest.length > 0) {
    process.stderr.write(
      `ktctl-customize: ${command === undefined ? 'no command' : `unknown command '${[command, ...rest].join(' ')}'`}; the command is 'build'.\nRun 'ktctl-customize --help' for the options.\n`,
    );
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
      const given = (values[optionName(name)] as string | undefined) ?? env[envName(name)];
      if (!FILE_OPTIONS.has(name)) return given ?? (name === 'targets' ? hostTarget() : '');
      const file = given ?? (existsSync(homeFiles[name]!) ? homeFiles[name] : undefined);
      if (file === undefined || file === '') return '';
      // the default is the developer's own file: say so, it goes into every binary
      if (given === undefined) log.info(`Embedding ${file} as the ${name} (give --${name} to choose another file).`);
      try {
        return readFileSync(file, 'utf8');
      } catch (error) {
        throw new Error(`Option '--${name}': cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? messageOf(error)}`);
      }
    };
    const inputs = await withPatchFiles(
      await withOutputDirChecked(
        parseBuildInputs(read, { workspace: process.cwd(), serverUrl: env['GITHUB_SERVER_URL'] ?? 'https://github.com' }, os.availableParallelism()),
        process.cwd(),
      ),
      process.cwd(),
    );
    // @actions/tool-cache keeps tools and downloads where a runner would; give it a home here
    process.env['RUNNER_TOOL_CACHE'] ||= path.join(home, '.cache', 'ktctl-customize', 'tools');
    process.env['RUNNER_TEMP'] ||= os.tmpdir();
    stopOnSignals(); // a Ctrl-C during git ls-remote stops git too
    const upstream = await resolveUpstreamTag(inputs, log);
    const plan = planFor(inputs, upstream);
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

function hostTarget(): string {
  const host = hostPlatform();
  return `${host.os}/${host.arch}`;
}

/**
 * @actions/tool-cache and @actions/exec speak to a runner on stdout (`::debug::`, `[command]`).
 * Outside a runner that is noise, and stdout is where this command lists the archives.
 */
function silenceRunnerCommands(): void {
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

silenceRunnerCommands();
process.exitCode = await main(process.argv.slice(2), process.env);
