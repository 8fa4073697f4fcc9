// How a measured node process is observed: probe.cjs reports its own and its children's
// CPU and its peak RSS from inside at exit; a sampler outside watches which children it
// has, to tell the time spent waiting for go/upx from the time spent on anything else.
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from './cwd.js';

const PROBE = path.join(ROOT, 'bench', 'probe.cjs');
/** Linux reports cutime/cstime in these ticks (USER_HZ). */
export const CLOCK_TICKS = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());

export interface ProbeReport {
  readonly code: number;
  readonly ownUserSeconds: number;
  readonly ownSystemSeconds: number;
  readonly maxRssKiB: number;
  readonly childUserSeconds: number;
  readonly childSystemSeconds: number;
  readonly uptimeSeconds: number;
}

/** Environment that makes a node process report to `file` when it exits. */
export function probeEnv(file: string): NodeJS.ProcessEnv {
  return { NODE_OPTIONS: `--require ${JSON.stringify(PROBE)}`, KTCTL_BENCH_PROBE_FILE: file, KTCTL_BENCH_CLK_TCK: String(CLOCK_TICKS) };
}

export function readProbe(file: string): ProbeReport {
  return JSON.parse(readFileSync(file, 'utf8')) as ProbeReport;
}

export const ownSeconds = (p: ProbeReport): number => p.ownUserSeconds + p.ownSystemSeconds;
export const childSeconds = (p: ProbeReport): number => p.childUserSeconds + p.childSystemSeconds;

export interface ChildSampler {
  /** Stops sampling: seconds during which at least one of the watched programs was a child. */
  stop(): { toolSeconds: number; samples: number };
}

const SAMPLE_MS = 50;

/**
 * Every 50 ms, lists the direct children of `pid` (/proc/PID/task/TID/children, all
 * threads) and their names. Time between two samples counts as tool time when the later
 * sample saw a `go` or `upx` child. The error is at most one interval per start or end of
 * such a period: well under a second over a run of minutes.
 */
export function sampleChildren(pid: number, names: readonly string[] = ['go', 'upx']): ChildSampler {
  let toolMs = 0;
  let samples = 0;
  let last = performance.now();
  const timer = setInterval(() => {
    const now = performance.now();
    samples++;
    if (hasChildNamed(pid, names)) toolMs += now - last;
    last = now;
  }, SAMPLE_MS);
  return {
    stop() {
      clearInterval(timer);
      return { toolSeconds: toolMs / 1000, samples };
    },
  };
}

function hasChildNamed(pid: number, names: readonly string[]): boolean {
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      const children = readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').trim();
      if (children === '') continue;
      for (const child of children.split(/\s+/)) {
        try {
          if (names.includes(readFileSync(`/proc/${child}/comm`, 'utf8').trim())) return true;
        } catch {
          // the child ended between the two reads
        }
      }
    }
  } catch {
    // the process ended
  }
  return false;
}

/**
 * Other people's work on this machine (a test run in another checkout, say) slows either
 * side and skews every ratio. It is not hidden: /proc/stat's busy time over a run, less
 * the CPU the measured process tree and this bench process account for, is CPU that
 * someone else used. Reported per run as a share of the machine's capacity.
 */
export interface CpuSnapshot {
  readonly busySeconds: number;
  readonly stealSeconds: number;
  readonly benchSeconds: number;
}

export function cpuSnapshot(): CpuSnapshot {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0]!;
  // cpu user nice system idle iowait irq softirq steal guest guest_nice (guest is inside user)
  const [user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number) as number[];
  const self = process.cpuUsage();
  return {
    busySeconds: (user! + nice! + system! + irq! + softirq!) / CLOCK_TICKS,
    stealSeconds: steal! / CLOCK_TICKS,
    benchSeconds: (self.user + self.system) / 1e6,
  };
}

/** CPU seconds used by neither the measured tree (`accounted`) nor this bench process. */
export function foreignSeconds(before: CpuSnapshot, after: CpuSnapshot, accounted: number): number {
  return Math.max(0, after.busySeconds - before.busySeconds - accounted - (after.benchSeconds - before.benchSeconds));
}

/**
 * Waits (at most `limitSeconds`) until the machine is quiet: under 10% of its capacity
 * busy over two seconds. Returns how long it waited; a run that starts on a busy machine
 * anyway shows it in its foreign share.
 */
export async function waitForQuiet(cores: number, limitSeconds = 90): Promise<number> {
  const started = performance.now();
  for (;;) {
    const before = cpuSnapshot();
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const after = cpuSnapshot();
    if ((after.busySeconds - before.busySeconds) / (2 * cores) < 0.1) break;
    if ((performance.now() - started) / 1000 > limitSeconds) break;
  }
  return (performance.now() - started) / 1000;
}
