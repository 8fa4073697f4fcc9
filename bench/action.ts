// (b): the bundled action (dist/index.js) run as a runner runs it, through the tests'
// runAction, with the probe preloaded and its children sampled. Go and upx come from the
// shared tool cache; GOCACHE is whatever the caller passes (fresh for a cold run, the
// cold run's for a warm one).
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { makeRunnerDirs, runAction, type ActionRun } from '../__tests__/support/run-action.js';
import { childSeconds, cpuSnapshot, foreignSeconds, ownSeconds, probeEnv, readProbe, sampleChildren, type ProbeReport } from './measure.js';
import { goCacheEnv, type BenchSource, type Setup } from './setup.js';
import { TARGETS } from './targets.js';
import type { Configs } from './upstream.js';

export interface ActionMeasurement {
  readonly wallSeconds: number;
  readonly probe: ProbeReport;
  /** Wall time during which the action had a go or upx child (sampled every 50 ms). */
  readonly toolSeconds: number;
  readonly run: ActionRun;
  /** ktctl for linux/amd64 taken out of its archive. */
  readonly linuxAmd64: string;
  /** CPU others used on this machine meanwhile, in seconds (see measure.ts). */
  readonly foreignSeconds: number;
}

interface Asset {
  readonly os: string;
  readonly arch: string;
  readonly path: string;
}

/** `extraInputs`: more of the action's inputs, such as max-parallel. */
export async function runActionMeasured(
  setup: Setup,
  parent: string,
  gocache: string,
  configs: Configs,
  extraInputs: Record<string, string> = {},
): Promise<ActionMeasurement> {
  const dirs = { ...makeRunnerDirs(parent), toolCache: setup.toolCache };
  const probeFile = path.join(dirs.root, 'probe.json');
  let sampler: ReturnType<typeof sampleChildren> | undefined;
  const cpuBefore = cpuSnapshot();
  const started = performance.now();
  const run = await runAction({
    dirs,
    inputs: {
      ...setup.inputs,
      // build only: no release, no artifact (the build is what is compared with the recipe)
      publish: 'false',
      'upload-artifact': 'false',
      // no Actions cache service here: the bench itself decides whether GOCACHE is warm
      cache: 'false',
      'kt-connect-repository': setup.repo.url,
      kubeconfig: configs.kubeconfig,
      'kt-config': configs.ktConfig,
      ...extraInputs,
    },
    env: { ...goCacheEnv(setup, gocache, path.join(dirs.root, 'gopath')), ...probeEnv(probeFile) },
    onStart: (pid) => (sampler = sampleChildren(pid)),
  });
  const wallSeconds = (performance.now() - started) / 1000;
  const cpuAfter = cpuSnapshot();
  const { toolSeconds } = sampler?.stop() ?? { toolSeconds: 0 };
  if (run.code !== 0) throw new Error(`the action failed (exit code ${run.code}):\n${run.stdout.slice(-4000)}\n${run.stderr.slice(-2000)}`);
  const assets = JSON.parse(run.outputs['assets'] ?? '[]') as Asset[];
  if (assets.length !== TARGETS.length) throw new Error(`the action made ${assets.length} archives, not ${TARGETS.length}`);
  const linux = assets.find((asset) => asset.os === 'linux' && asset.arch === 'amd64');
  if (linux === undefined) throw new Error('no linux/amd64 archive');
  const linuxAmd64 = path.join(dirs.root, 'ktctl-linux-amd64');
  writeFileSync(linuxAmd64, unpack(linux.path));
  chmodSync(linuxAmd64, 0o755);
  const probe = readProbe(probeFile);
  return { wallSeconds, probe, toolSeconds, run, linuxAmd64, foreignSeconds: foreignSeconds(cpuBefore, cpuAfter, ownSeconds(probe) + childSeconds(probe)) };
}

/** The ktctl binary inside a .zip or .tar.gz archive. */
function unpack(archive: string): Buffer {
  return archive.endsWith('.zip')
    ? execFileSync('unzip', ['-p', archive, 'ktctl'], { maxBuffer: 256 << 20 })
    : execFileSync('tar', ['-xzOf', archive, 'ktctl'], { maxBuffer: 256 << 20 });
}

/** What a built fixture ktctl embeds: proves a warm run really rebuilt with the rotated kubeconfig. */
export function embeddedKubeconfig(binary: string): string {
  return execFileSync(binary, ['dump-kubeconfig'], { encoding: 'utf8' });
}

/**
 * Whether `binary` (packed by upx or not) embeds `kubeconfig`. The fixture's ktctl prints
 * it; the real one has no such command, so it is run for its version and its bytes,
 * unpacked by `upx -d` if packed, must hold the kubeconfig verbatim (go:embed keeps it so).
 */
export function embedsKubeconfig(binary: string, kubeconfig: string, kind: BenchSource['kind'], upx: string): boolean {
  if (kind === 'fixture') return embeddedKubeconfig(binary) === kubeconfig;
  const version = execFileSync(binary, ['--version'], { encoding: 'utf8' });
  if (!version.includes('ktctl version 0.3.7')) throw new Error(`${binary} --version printed ${JSON.stringify(version)}`);
  const plain = `${binary}.unpacked`;
  rmSync(plain, { force: true });
  try {
    execFileSync(upx, ['-d', '-q', '-o', plain, binary], { stdio: 'ignore' });
  } catch {
    copyFileSync(binary, plain); // not packed: upx -d refuses
  }
  try {
    return readFileSync(plain).includes(kubeconfig);
  } finally {
    rmSync(plain, { force: true });
  }
}
