// Cross-compiles ktctl for every target, at most `maxParallel` processes at a time, and
// packs each binary with upx as soon as it is built, beside the next build (see concurrentBuilds).
import { readdirSync, rmSync, statSync, type Dirent } from 'node:fs';
import { stat } from 'node:fs/promises';
import { targetId } from '../plan/index.js';
import { makePrivateFolder, messageOf, fileContains, searchBuffer, type Log, createPool, ProcessError, run } from '../shared/index.js';
import type { BinaryChecks } from '../verify/index.js';
import path from 'node:path';
import type { BuildPlan, TargetPlan } from '../model.js';

export interface BuildTools {
  /** Path of the go binary; GOROOT is its grandparent. */
  readonly go: string;
  readonly upx: string | undefined;
  readonly upxArgs: readonly string[];
}

/** Variables that would make `go` build something other than what the plan says. */
const INHERITED_GO_VARIABLES = [
  'GOOS',
  'GOARCH',
  'GOROOT',
  'GOFLAGS',
  'GOTOOLCHAIN',
  'CGO_ENABLED',
  'GOEXPERIMENT',
  'GOWORK',
  'GOTMPDIR',
  'GO386',
  'GOAMD64',
  'GOARM',
  'GOARM64',
  'GOMIPS',
  'GOMIPS64',
  'GOPPC64',
  'GORISCV64',
  'GOWASM',
];

/** `tmpDir`: Go's $WORK, which holds the compiled configs while a build runs: inside the workspace. */
export function goEnvironment(base: NodeJS.ProcessEnv, go: string, tmpDir?: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(base)) {
    if (!INHERITED_GO_VARIABLES.includes(key.toUpperCase())) env[key] = value;
  }
  const goroot = path.dirname(path.dirname(go));
  return {
    ...env,
    GOROOT: goroot,
    GOTOOLCHAIN: 'local', // go.mod's toolchain line must not swap in another compiler
    CGO_ENABLED: '0', // as upstream's release; no C toolchain per target needed
    GOFLAGS: '-mod=readonly',
    GOWORK: 'off', // a go.work around the checkout must not change what is built
    ...(tmpDir === undefined ? {} : { GOTMPDIR: tmpDir }),
  };
}

export function goBuildArgs(version: string, output: string): string[] {
  // version passed validation: no spaces or quotes, so -X cannot be split or extended
  return ['build', '-trimpath', '-ldflags', `-s -w -X main.version=${version}`, '-o', output, './cmd/ktctl'];
}

export interface BuildOptions {
  readonly sourceDir: string;
  readonly outputDir: string;
  readonly maxParallel: number;
  /** upx's environment: the step's. */
  readonly env: NodeJS.ProcessEnv;
  /** Go's environment (goEnvironment), its GOTMPDIR a folder that exists. */
  readonly goEnv: NodeJS.ProcessEnv;
  readonly log: Log;
  /** Checks each binary after `go build` (before upx hides its build info and strings) and after upx. */
  readonly checks?: BinaryChecks;
  /** GOCACHE (`go env GOCACHE`): a build that failed on a file of it that vanished is run again. */
  readonly buildCache?: string;
}

/**
 * Whether a failed go build's output says a file of the build cache vanished while it ran: a line
 * naming a path inside `gocache` as not found. Another run that shares GOCACHE (a second job on a
 * self-hosted runner, with the same configs) scrubs the entries that hold them when it ends, and
 * this build may have just found one of them there. Go takes a missing file for a cache miss, so a
 * second build compiles that package again.
 */
export function lostCacheFile(output: string, gocache: string): boolean {
  if (gocache === '') return false;
  const inside = gocache.endsWith(path.sep) ? gocache : gocache + path.sep;
  return output.split('\n').some((line) => line.includes(inside) && line.includes('no such file or directory'));
}

/**
 * How many of the `maxParallel` slots may run `go build` at once: half, at least one. One go build
 * already compiles on every core (its -p is the CPU count), so a second one at once mostly
 * competes for the same cores and caches: on the real kt-connect tree, two builds at a time on
 * two cores spent 6 % more CPU than upstream's one after another, and were barely faster
 * (bench/results.md, "Two compilers at once"). upx -9 is
 * single-threaded; it packs the last binary in a slot the builds leave free, so the cores stay
 * busy without two compilers at once.
 */
export function concurrentBuilds(maxParallel: number): number {
  return Math.max(1, Math.floor(maxParallel / 2));
}

/** The schedule, as the log's group title says it: `one go build at a time, upx beside it`. */
export function buildSchedule(maxParallel: number): string {
  const builds = concurrentBuilds(maxParallel);
  const upx = maxParallel - builds;
  return `${builds === 1 ? 'one go build' : `${builds} go builds`} at a time${upx > 0 ? `, upx beside ${builds === 1 ? 'it' : 'them'}` : ''}`;
}

/**
 * Builds every target; returns each target's binary path. After a failure no new build starts;
 * the error names each target that failed among those already running.
 */
export async function buildBinaries(plan: BuildPlan, tools: BuildTools, options: BuildOptions): Promise<Map<TargetPlan, string>> {
  const { log } = options;
  const env = options.goEnv;
  await run(tools.go, ['mod', 'download'], { cwd: options.sourceDir, env, what: 'go mod download' });

  const binaries = new Map<TargetPlan, string>();
  const pool = createPool<'go build'>(options.maxParallel, { 'go build': concurrentBuilds(options.maxParallel) });
  for (const target of plan.targets) {
    const id = targetId(target.target);
    const binary = path.join(options.outputDir, `${target.target.os}_${target.target.arch}`, target.binaryName);
    pool.add(async () => {
      await makePrivateFolder(path.dirname(binary));
      const started = Date.now();
      await goBuild(tools.go, goBuildArgs(plan.version, binary), { ...env, GOOS: target.target.os, GOARCH: target.target.arch }, id, options);
      log.info(`${id}: built in ${seconds(started)} (${await sizeOf(binary)})`);
      await options.checks?.built(target, binary);
      binaries.set(target, binary);
      if (tools.upx !== undefined && target.upxSkipReason === undefined) {
        const upx = tools.upx;
        pool.add(async () => {
          const packing = Date.now();
          await run(upx, [...tools.upxArgs, '-q', '--', path.basename(binary)], { cwd: path.dirname(binary), env: options.env, what: `upx for ${id}` });
          log.info(`${id}: packed by upx in ${seconds(packing)} (${await sizeOf(binary)})`);
          await options.checks?.packed(target, binary);
        });
      } else if (tools.upx !== undefined) {
        log.info(`${id}: not packed: ${target.upxSkipReason}`);
      }
    }, 'go build');
  }
  const errors = await pool.drain();
  if (errors.length > 0) {
    throw new Error(`The build failed:\n${errors.map((error) => (error instanceof ProcessError ? error.message : messageOf(error))).join('\n\n')}`);
  }
  return binaries;
}

/** One `go build`, run once more when the first failed on a build cache file that vanished (lostCacheFile). */
async function goBuild(go: string, args: readonly string[], env: NodeJS.ProcessEnv, id: string, options: BuildOptions): Promise<void> {
  const build = (): Promise<unknown> => run(go, args, { cwd: options.sourceDir, env, what: `go build for ${id}` });
  try {
    await build();
  } catch (error) {
    if (!(error instanceof ProcessError) || !lostCacheFile(error.tail, options.buildCache ?? '')) throw error;
    options.log.info(`${id}: a file of the Go build cache vanished while go build read it (another run that shares GOCACHE removed it); building again.`);
    await build();
  }
}

function seconds(since: number): string {
  return `${((Date.now() - since) / 1000).toFixed(1)}s`;
}

async function sizeOf(file: string): Promise<string> {
  return `${((await stat(file)).size / 1048576).toFixed(1)} MiB`;
}

/**
 * The compiled `hack` package in GOCACHE holds the embedded configs verbatim. Entries
 * written since `since` that contain them are removed, so a cache that outlives the run
 * (self-hosted runners, actions/cache) never carries the credentials. Synchronous, so that
 * a signal handler can run it too; a file that vanishes meanwhile is skipped.
 */
export function scrubBuildCache(gocache: string, since: number, secrets: readonly string[]): number {
  const needles = secrets.filter((text) => text.length > 0).map((text) => Buffer.from(text));
  if (needles.length === 0 || gocache === '') return 0;
  // one buffer for every file: this loop is synchronous, so garbage would pile up unread by GC
  const buffer = searchBuffer(needles);
  let removed = 0;
  const walk = (dir: string): void => {
    let entries: Dirent[];
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      const file = path.join(dir, entry.name);
      try {
        if (entry.isDirectory()) walk(file);
        else if (entry.isFile() && statSync(file).mtimeMs >= since && fileContains(file, needles, buffer)) {
          rmSync(file, { force: true });
          removed++;
        }
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      }
    }
  };
  walk(gocache);
  return removed;
}
