// The two checkpoints of every built ktctl (after `go build`, after upx): reads the build info
// with `go version -m`, searches the binary for the embedded configs, and runs the binary that
// can run on this machine. No message ever holds a config's content: they name the target, a
// setting's name, or what the build info says.
import { mkdtemp, rm } from 'node:fs/promises';
import { targetId } from '../plan/index.js';
import { makePrivateFolder, missingInFile, type Log, ProcessStartError, run, runUnchecked } from '../shared/index.js';
import type { HostPlatform } from '../toolchain/index.js';
import path from 'node:path';
import type { GoBuildInfo, Target, TargetPlan } from '../model.js';
import { buildInfoMismatches, parseGoVersionM } from './build-info.js';
import { HIDDEN_SETTINGS, runsHere, settingsNotShown, showsVersion } from './settings.js';
// ---- I/O: reading the binary, running it ----

export class BinaryCheckError extends Error {
  constructor(target: Target, problems: readonly string[]) {
    super(`The built ktctl for ${targetId(target)} is not what this run asked for: ${problems.join('; ')}.`);
    this.name = 'BinaryCheckError';
  }
}

/** The temporary folder of a checking run, inside its home. */
const KTCTL_TMP = 'tmp';

interface RunOutcome {
  readonly code: number | null;
  readonly signal: string | null;
  /** Never shown: `config show` prints the embedded settings. */
  readonly output: string;
  readonly error?: string;
}

/**
 * Runs ktctl with a clean environment, an empty home and a temporary folder inside it, and a
 * time limit: a broken binary may hang. Code a patch added runs here; whatever it writes to
 * HOME or to the temporary folder (TMPDIR, TMP, TEMP) goes when the home is removed. Started
 * by process.ts like every other program, so a cancelled run stops it too.
 */
async function runKtctl(binary: string, args: readonly string[], home: string, timeoutMs: number): Promise<RunOutcome> {
  const env = {
    PATH: process.env['PATH'],
    HOME: home,
    USERPROFILE: home,
    TMPDIR: path.join(home, KTCTL_TMP),
    TMP: path.join(home, KTCTL_TMP),
    TEMP: path.join(home, KTCTL_TMP),
    ...(process.platform === 'win32' ? { SystemRoot: process.env['SystemRoot'] } : {}),
  };
  try {
    // ktctl prints a few lines; a runaway binary must not fill the memory
    const result = await runUnchecked(binary, args, { cwd: home, env, what: `ktctl ${args.join(' ')}`, timeLimitMs: timeoutMs, keepBytes: 4 << 20 });
    return { code: result.signal === undefined ? result.code : null, signal: result.signal ?? null, output: result.output };
  } catch (error) {
    if (error instanceof ProcessStartError) return { code: null, signal: null, output: '', error: error.errno ?? 'could not start' };
    throw error;
  }
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
  /** The kt config's settings as ktctl must show them (ConfigSummary.ktSettings). */
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
      await makePrivateFolder(path.join(home, KTCTL_TMP));
      return await work(home);
    } finally {
      await rm(home, { recursive: true, force: true });
    }
  };

  const checkVersion = async (target: TargetPlan, binary: string, home: string, what: string): Promise<void> => {
    const outcome = await runKtctl(binary, ['--version'], home, timeoutMs);
    if (outcome.code !== 0) throw new BinaryCheckError(target.target, [`${what} \`ktctl --version\` ${ending(outcome)}`]);
    if (!showsVersion(outcome.output, settings.version)) {
      throw new BinaryCheckError(target.target, [
        `${what} \`ktctl --version\` does not print version ${settings.version} (does cmd/ktctl have \`var version\` in package main?)`,
      ]);
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
      const missing = missingInFile(
        binary,
        wanted.map((needle) => needle.bytes),
      );
      for (const index of missing) {
        problems.push(
          wanted[index]!.name === 'version'
            ? `the version string ${settings.version} is not in it`
            : `the ${wanted[index]!.name} is not embedded byte for byte`,
        );
      }
      if (problems.length > 0) throw new BinaryCheckError(target.target, problems);
      buildInfo.set(target, info);
      settings.log.info(
        `${id}: build info checked (${info.settings.get('GOOS')}/${info.settings.get('GOARCH')}, ${info.goVersion}, ${info.deps.length} modules), ${needles.length} configs embedded byte for byte.`,
      );
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
