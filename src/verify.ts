// Proves what ships: each built ktctl is checked before upx packs it (upx hides the Go build
// info), and the one that can run on this machine is run. `go build` exiting 0 proves little:
// the checks below read what the binary itself says.
//
// Pure half: parsing `go version -m` and comparing it with what the run asked for, and knowing
// which kt config settings ktctl must show. I/O half (checksFor): runs `go version -m`, searches
// the binary for the embedded configs, runs ktctl. No message ever holds a config's content:
// they name the target, a setting's name, or what the build info says.
import { spawn } from 'node:child_process';
import { closeSync, openSync, readSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { Log } from './log.js';
import type { Target, TargetPlan } from './model.js';
import { childEnvironment, run } from './process.js';
import { targetId } from './targets.js';
import type { HostPlatform } from './toolchain/platform.js';

// ---- the Go build info, as `go version -m` prints it ----

/** A module line of the build info: `mod`, `dep`, or the `=>` replacement after one. */
export interface GoModule {
  readonly path: string;
  readonly version: string;
  /** `h1:` hash from go.sum; absent for the main module and for local replacements. */
  readonly sum: string | undefined;
  readonly replacedBy?: GoModule;
}

export interface GoBuildInfo {
  /** `go1.19.8` */
  readonly goVersion: string;
  /** The main package, `github.com/alibaba/kt-connect/cmd/ktctl`. */
  readonly path: string | undefined;
  readonly main: GoModule | undefined;
  /** The modules compiled in, in the order Go lists them. */
  readonly deps: readonly GoModule[];
  /** `build` lines: `-ldflags`, `CGO_ENABLED`, `GOOS`, `GOARCH`, `vcs.revision`... */
  readonly settings: ReadonlyMap<string, string>;
}

/**
 * Parses the output of `go version -m <file>` (Go 1.18 and newer): one pass over the lines.
 * The first line is `<file>: go1.19.8`; each other line is tab-separated.
 */
export function parseGoVersionM(output: string): GoBuildInfo {
  const lines = output.split(/\r?\n/);
  const first = lines[0] ?? '';
  const colon = first.lastIndexOf(': ');
  const goVersion = colon < 0 ? '' : first.slice(colon + 2).trim();
  let mainPath: string | undefined;
  let main: GoModule | undefined;
  const deps: GoModule[] = [];
  const settings = new Map<string, string>();
  for (const line of lines.slice(1)) {
    if (!line.startsWith('\t')) continue;
    const fields = line.slice(1).split('\t');
    const kind = fields[0];
    const module = (): GoModule => ({ path: fields[1] ?? '', version: fields[2] ?? '', sum: fields[3] === undefined || fields[3] === '' ? undefined : fields[3] });
    if (kind === 'path') mainPath = fields[1];
    else if (kind === 'mod') main = module();
    else if (kind === 'dep') deps.push(module());
    else if (kind === '=>') {
      // the replacement of the module on the line before
      const last = deps.length > 0 ? deps.pop() : undefined;
      if (last !== undefined) deps.push({ ...last, replacedBy: module() });
      else if (main !== undefined) main = { ...main, replacedBy: module() };
    } else if (kind === 'build') {
      const setting = fields.slice(1).join('\t');
      const equals = setting.indexOf('=');
      if (equals > 0) settings.set(setting.slice(0, equals), unquoteGo(setting.slice(equals + 1)));
    }
  }
  return { goVersion, path: mainPath, main, deps, settings };
}

/**
 * debug/buildinfo writes a value that holds a space, tab, quote or newline with strconv.Quote.
 * Undoes that in one pass; a value that is not quoted is returned as it is.
 */
export function unquoteGo(value: string): string {
  if (value.length < 2 || !value.startsWith('"') || !value.endsWith('"')) return value;
  let out = '';
  const body = value.slice(1, -1);
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (c !== '\\') {
      out += c;
      continue;
    }
    const next = body[++i];
    const simple: Record<string, string> = { n: '\n', t: '\t', r: '\r', '"': '"', '\\': '\\', "'": "'", a: '\x07', b: '\b', f: '\f', v: '\v' };
    if (next !== undefined && simple[next] !== undefined) out += simple[next];
    else if (next === 'x' || next === 'u' || next === 'U') {
      const width = next === 'x' ? 2 : next === 'u' ? 4 : 8;
      const hex = body.slice(i + 1, i + 1 + width);
      out += /^[0-9a-fA-F]+$/.test(hex) && hex.length === width ? String.fromCodePoint(parseInt(hex, 16)) : '';
      i += width;
    } else out += next ?? '';
  }
  return out;
}

/** `go1.19` and `1.19.0` name the same release; so do `go1.19.8` and `1.19.8`. */
export function sameGoVersion(a: string, b: string): boolean {
  const norm = (v: string): string => v.trim().replace(/^go/, '').replace(/^(\d+\.\d+)\.0$/, '$1');
  return norm(a) !== '' && norm(a) === norm(b);
}

/** The `module` line of a go.mod. */
export function parseModulePath(goMod: string): string | undefined {
  const match = /^module\s+("?)([^\s"]+)\1\s*(?:\/\/.*)?$/m.exec(goMod);
  return match?.[2];
}

/** `-X main.version=0.3.7` among the linker flags (also as `-X=main.version=0.3.7`). */
export function setsVersion(ldflags: string, version: string): boolean {
  const words = ldflags.split(/\s+/).filter((word) => word !== '');
  const wanted = `main.version=${version}`;
  return words.some((word, index) => ((word === '-X' || word === '--X') && words[index + 1] === wanted) || word === `-X=${wanted}` || word === `--X=${wanted}`);
}

export interface BuildExpectation {
  readonly target: Target;
  readonly version: string;
  /** The module go.mod declares. */
  readonly module: string;
  /** The Go the run installed, `1.19.8`. */
  readonly goVersion: string;
}

/** What differs between the build info and what the run asked for; [] when nothing does. */
export function buildInfoMismatches(info: GoBuildInfo, expected: BuildExpectation): string[] {
  const problems: string[] = [];
  const setting = (key: string): string => info.settings.get(key) ?? '(not recorded)';
  if (info.goVersion === '') problems.push('it carries no Go build info (is it a Go binary?)');
  if (setting('GOOS') !== expected.target.os || setting('GOARCH') !== expected.target.arch) {
    problems.push(`it is built for ${setting('GOOS')}/${setting('GOARCH')}, not ${expected.target.os}/${expected.target.arch}`);
  }
  // Go leaves -ldflags out of the build info of a -trimpath build (golang/go#52372: linker flags
  // can hold paths), and the action builds with -trimpath; then the version is proven by the
  // version string in the binary and, for the runner's own target, by running it.
  const ldflags = info.settings.get('-ldflags');
  if (ldflags !== undefined ? !setsVersion(ldflags, expected.version) : info.settings.get('-trimpath') !== 'true') {
    problems.push(`its linker flags do not set -X main.version=${expected.version}`);
  }
  if (info.main?.path !== expected.module) {
    problems.push(`its main module is ${info.main?.path ?? '(none)'}, not ${expected.module} (go.mod)`);
  }
  if (!sameGoVersion(info.goVersion, expected.goVersion)) {
    problems.push(`it was built by ${info.goVersion || 'an unknown Go'}, not Go ${expected.goVersion}`);
  }
  if (setting('CGO_ENABLED') !== '0') problems.push(`CGO_ENABLED is ${setting('CGO_ENABLED')}, not 0`);
  return problems;
}

// ---- what ktctl must show of the kt config ----

/** Settings `ktctl config show` never lists (upstream's hiddenOptions in pkg/kt/command/config/show.go). */
export const HIDDEN_SETTINGS: ReadonlySet<string> = new Set(['global.as-worker']);

/**
 * `group.key` → the string ktctl decodes (yaml.v3 into map[string]map[string]string keeps a
 * scalar's text; the failsafe schema does the same here). Only for a config that passed
 * validation (validateKtConfig); undefined keeps upstream's placeholder, which ktctl ignores.
 */
export function embeddedSettings(ktConfig: string | undefined): Map<string, string> {
  const settings = new Map<string, string>();
  if (ktConfig === undefined || !ktConfig.includes(':')) return settings;
  const doc: unknown = parseYaml(ktConfig, { schema: 'failsafe', uniqueKeys: true });
  if (typeof doc !== 'object' || doc === null) return settings;
  for (const [group, body] of Object.entries(doc as Record<string, unknown>)) {
    if (typeof body !== 'object' || body === null) continue;
    for (const [key, value] of Object.entries(body as Record<string, unknown>)) {
      if (typeof value === 'string') settings.set(`${group}.${key}`, value);
    }
  }
  return settings;
}

/** The settings (names only) that `ktctl config show` did not list with their embedded value as `(build-in)`. */
export function settingsNotShown(output: string, expected: ReadonlyMap<string, string>): string[] {
  // each a search of the whole output: a value may span lines
  const text = `\n${output.replace(/\r\n/g, '\n')}\n`;
  const missing: string[] = [];
  for (const [key, value] of expected) {
    if (HIDDEN_SETTINGS.has(key)) continue;
    if (!text.includes(`\n${key} = ${value}  (build-in)\n`)) missing.push(key);
  }
  return missing;
}

/** True when one line of `ktctl --version` holds the version as a word (`ktctl version 0.3.7`). */
export function showsVersion(output: string, version: string): boolean {
  return output.split(/\r?\n/).some((line) => line.trim().split(/\s+/).includes(version));
}

/** The target this machine can run: the host's own platform. */
export function runsHere(target: Target, host: HostPlatform): boolean {
  return target.os === host.os && target.arch === host.arch;
}

// ---- I/O: reading the binary, running it ----

/** Which of `needles` do not occur in the file: read in 1 MiB slices that overlap by the longest needle. */
export function missingInFile(file: string, needles: readonly Buffer[]): number[] {
  const wanted = needles.map((_, index) => index).filter((index) => needles[index]!.length > 0);
  if (wanted.length === 0) return [];
  const longest = Math.max(...wanted.map((index) => needles[index]!.length));
  const slice = 1 << 20;
  const buffer = Buffer.alloc(slice + longest);
  const found = new Set<number>();
  const fd = openSync(file, 'r');
  try {
    let kept = 0;
    for (;;) {
      const read = readSync(fd, buffer, kept, slice, null);
      if (read === 0) break;
      const view = buffer.subarray(0, kept + read);
      for (const index of wanted) if (!found.has(index) && view.includes(needles[index]!)) found.add(index);
      if (found.size === wanted.length) break;
      kept = Math.min(longest - 1, view.length);
      view.copy(buffer, 0, view.length - kept);
    }
  } finally {
    closeSync(fd);
  }
  return wanted.filter((index) => !found.has(index));
}

export class BinaryCheckError extends Error {
  constructor(target: Target, problems: readonly string[]) {
    super(`The built ktctl for ${targetId(target)} is not what this run asked for: ${problems.join('; ')}.`);
    this.name = 'BinaryCheckError';
  }
}

interface RunOutcome {
  readonly code: number | null;
  readonly signal: string | null;
  /** Never shown: `config show` prints the embedded settings. */
  readonly output: string;
  readonly error?: string;
}

/** Runs ktctl with a clean environment and an empty home, and a time limit: a broken binary may hang. */
function runKtctl(binary: string, args: readonly string[], home: string, timeoutMs: number): Promise<RunOutcome> {
  return new Promise((resolve) => {
    const env = childEnvironment({
      PATH: process.env['PATH'],
      HOME: home,
      USERPROFILE: home,
      ...(process.platform === 'win32' ? { SystemRoot: process.env['SystemRoot'] } : {}),
    });
    const child = spawn(binary, args, { cwd: home, env, shell: false, stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true, timeout: timeoutMs, killSignal: 'SIGKILL' });
    const chunks: Buffer[] = [];
    let size = 0;
    const keep = (chunk: Buffer): void => {
      // ktctl prints a few lines; a runaway binary must not fill the memory
      if (size < 4 << 20) chunks.push(chunk);
      size += chunk.length;
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('error', (error) => resolve({ code: null, signal: null, output: '', error: (error as NodeJS.ErrnoException).code ?? 'could not start' }));
    child.on('close', (code, signal) => resolve({ code, signal, output: Buffer.concat(chunks).toString('utf8') }));
  });
}

function ending(outcome: RunOutcome): string {
  if (outcome.error !== undefined) return `could not start (${outcome.error})`;
  if (outcome.signal !== null) return `was stopped by ${outcome.signal}`;
  return `exited with code ${outcome.code}`;
}

export interface CheckSettings {
  /** The go binary that built ktctl; it reads the build info. */
  readonly go: string;
  readonly goEnv: NodeJS.ProcessEnv;
  readonly goVersion: string;
  readonly version: string;
  readonly module: string;
  /** The config texts written into hack/, byte for byte; undefined ones are left out. */
  readonly embedded: readonly { readonly name: string; readonly text: string | undefined }[];
  /** embeddedSettings(kt config) */
  readonly ktSettings: ReadonlyMap<string, string>;
  readonly host: HostPlatform;
  /** Scratch folder for ktctl's empty home, inside the workspace. */
  readonly scratchDir: string;
  readonly log: Log;
  readonly timeoutMs?: number;
}

/** The two checkpoints build.ts calls: after `go build`, and after upx packed the binary. */
export interface BinaryChecks {
  built(target: TargetPlan, binary: string): Promise<void>;
  packed(target: TargetPlan, binary: string): Promise<void>;
  /** Build info of every target checked so far (for the SBOM). */
  readonly buildInfo: ReadonlyMap<TargetPlan, GoBuildInfo>;
}

export function binaryChecks(settings: CheckSettings): BinaryChecks {
  const buildInfo = new Map<TargetPlan, GoBuildInfo>();
  const timeoutMs = settings.timeoutMs ?? 60_000;
  const needles = settings.embedded.flatMap((config) => (config.text === undefined ? [] : [{ name: config.name, bytes: Buffer.from(config.text) }]));

  const withHome = async <T>(work: (home: string) => Promise<T>): Promise<T> => {
    const home = await mkdtemp(path.join(settings.scratchDir, 'home-'));
    try {
      return await work(home);
    } finally {
      await rm(home, { recursive: true, force: true });
    }
  };

  const checkVersion = async (target: TargetPlan, binary: string, home: string, what: string): Promise<void> => {
    const outcome = await runKtctl(binary, ['--version'], home, timeoutMs);
    if (outcome.code !== 0) throw new BinaryCheckError(target.target, [`${what} \`ktctl --version\` ${ending(outcome)}`]);
    if (!showsVersion(outcome.output, settings.version)) {
      throw new BinaryCheckError(target.target, [`${what} \`ktctl --version\` does not print version ${settings.version} (does cmd/ktctl have \`var version\` in package main?)`]);
    }
  };

  return {
    buildInfo,
    async built(target, binary) {
      const id = targetId(target.target);
      const { output } = await run(settings.go, ['version', '-m', binary], { env: settings.goEnv, what: `go version -m for ${id}` });
      const info = parseGoVersionM(output);
      const problems = buildInfoMismatches(info, { target: target.target, version: settings.version, module: settings.module, goVersion: settings.goVersion });
      // the version string -X sets must be in the data too: necessary, though not sufficient
      const wanted = [...needles, { name: 'version', bytes: Buffer.from(settings.version) }];
      const missing = missingInFile(binary, wanted.map((needle) => needle.bytes));
      for (const index of missing) {
        problems.push(wanted[index]!.name === 'version' ? `the version string ${settings.version} is not in it` : `the ${wanted[index]!.name} is not embedded byte for byte`);
      }
      if (problems.length > 0) throw new BinaryCheckError(target.target, problems);
      buildInfo.set(target, info);
      settings.log.info(`${id}: build info checked (${info.settings.get('GOOS')}/${info.settings.get('GOARCH')}, ${info.goVersion}, ${info.deps.length} modules), ${needles.length} configs embedded byte for byte.`);
      if (!runsHere(target.target, settings.host)) return;

      await withHome(async (home) => {
        await checkVersion(target, binary, home, 'the built');
        const shown = await runKtctl(binary, ['config', 'show'], home, timeoutMs);
        if (shown.code !== 0) throw new BinaryCheckError(target.target, [`\`ktctl config show\` ${ending(shown)}`]);
        const notShown = settingsNotShown(shown.output, settings.ktSettings);
        if (notShown.length > 0) {
          throw new BinaryCheckError(target.target, [
            `ktctl does not take the embedded kt config setting${notShown.length > 1 ? 's' : ''} ${notShown.join(', ')} ` +
              '(`ktctl config show` does not list it as (build-in) with the value given): the kt-connect version built does not read it, ' +
              "so developers would run without it; remove it from 'kt-config' or build a kt-connect that reads it",
          ]);
        }
        const count = [...settings.ktSettings.keys()].filter((key) => !HIDDEN_SETTINGS.has(key)).length;
        settings.log.info(`${id}: ran ktctl --version and config show: ${count} settings embedded and shown by ktctl.`);
      });
    },
    async packed(target, binary) {
      if (!runsHere(target.target, settings.host)) return;
      await withHome((home) => checkVersion(target, binary, home, 'after upx, the packed'));
      settings.log.info(`${targetId(target.target)}: the packed binary runs (ktctl --version).`);
    },
  };
}
