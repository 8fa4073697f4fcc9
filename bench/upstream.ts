// (a): the upstream recipe, run by upstream-recipe.mjs in its own node process with the
// probe, on a fresh clone of the benchmark repository carrying the same configs as (b).
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from './cwd.js';
import { CLOCK_TICKS, childSeconds, cpuSnapshot, foreignSeconds, ownSeconds, probeEnv, readProbe, type ProbeReport } from './measure.js';
import { goCacheEnv, type Setup } from './setup.js';
import { TARGETS, UPX_ARGS, VERSION } from './targets.js';

const RECIPE = path.join(ROOT, 'bench', 'upstream-recipe.mjs');

export interface RecipeStep {
  readonly what: string;
  readonly wallSeconds: number;
  readonly cpuSeconds: number;
}

export interface UpstreamRun {
  readonly wallSeconds: number;
  readonly probe: ProbeReport;
  readonly steps: readonly RecipeStep[];
  /** linux/amd64, packed: compared with the action's to show both did the same work. */
  readonly linuxAmd64: string;
  /** CPU others used on this machine meanwhile, in seconds (see measure.ts). */
  readonly foreignSeconds: number;
}

export interface Configs {
  readonly kubeconfig: string;
  readonly ktConfig: string;
}

/** Untimed: a shallow clone at the tag with the configs written, as the action prepares it. */
function prepareSource(setup: Setup, dir: string, configs: Configs): void {
  execFileSync('git', ['-c', 'advice.detachedHead=false', 'clone', '--quiet', '--depth', '1', '--no-tags', '--branch', 'v0.3.7', '--', setup.repo.url, dir]);
  writeFileSync(path.join(dir, 'hack', 'kube', 'config'), configs.kubeconfig, { mode: 0o600 });
  writeFileSync(path.join(dir, 'hack', 'kt', 'config'), configs.ktConfig, { mode: 0o600 });
}

export async function runUpstream(setup: Setup, dir: string, gocache: string, configs: Configs): Promise<UpstreamRun> {
  mkdirSync(dir, { recursive: true });
  const sourceDir = path.join(dir, 'kt-connect');
  prepareSource(setup, sourceDir, configs);
  const planFile = path.join(dir, 'plan.json');
  const reportFile = path.join(dir, 'report.json');
  const probeFile = path.join(dir, 'probe.json');
  writeFileSync(
    planFile,
    JSON.stringify({
      go: setup.tools.go,
      upx: setup.tools.upx,
      upxArgs: UPX_ARGS,
      sourceDir,
      outDir: path.join(dir, 'bin'),
      version: VERSION,
      targets: TARGETS,
      clockTicks: CLOCK_TICKS,
      report: reportFile,
      // what src/build/compile.ts's goEnvironment sets, over the same caches as the action gets
      env: {
        PATH: process.env['PATH'],
        HOME: process.env['HOME'],
        ...goCacheEnv(setup, gocache, path.join(dir, 'gopath')),
        GOROOT: setup.tools.goroot,
        GOTOOLCHAIN: 'local',
        CGO_ENABLED: '0',
        GOFLAGS: '-mod=readonly',
      },
    }),
  );
  const cpuBefore = cpuSnapshot();
  const started = performance.now();
  const child = spawn(process.execPath, [RECIPE, planFile], { env: { ...process.env, ...probeEnv(probeFile) }, stdio: ['ignore', 'inherit', 'inherit'] });
  const code = await new Promise<number>((resolve) => child.on('close', (exitCode) => resolve(exitCode ?? 1)));
  const wallSeconds = (performance.now() - started) / 1000;
  const cpuAfter = cpuSnapshot();
  if (code !== 0) throw new Error(`the upstream recipe failed (exit code ${code})`);
  const report = JSON.parse(readFileSync(reportFile, 'utf8')) as { steps: RecipeStep[] };
  const probe = readProbe(probeFile);
  return {
    wallSeconds,
    probe,
    steps: report.steps,
    linuxAmd64: path.join(dir, 'bin', 'linux_amd64', 'ktctl'),
    foreignSeconds: foreignSeconds(cpuBefore, cpuAfter, ownSeconds(probe) + childSeconds(probe)),
  };
}
