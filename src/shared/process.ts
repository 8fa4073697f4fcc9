// Starts programs with an argument array, never through a shell, and keeps track of them
// so that a cancelled run can stop its compilers before it deletes their inputs.
//
// Why not @actions/exec: it cannot start a child in its own process group (needed to stop
// `go` with the compilers it started, or git with its transport helpers), has no way to stop
// a child that has gone silent, and echoes each command line to the log.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { limitsHint } from './network-limits.js';

export interface ProcessOptions {
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** What the failure message calls this step, e.g. "go build for linux/amd64". */
  readonly what?: string;
  /**
   * For a program that talks to a server (git): stopped, with its helpers, when it prints
   * nothing for this long. A stalled server makes a silent client; progress output is the
   * sign of life.
   */
  readonly silence?: SilenceLimit;
  /**
   * For a program that may hang however much it prints (a built binary under test): stopped, with
   * what it started, after this many milliseconds; the result then has `signal: 'SIGKILL'`.
   */
  readonly timeLimitMs?: number;
  /** Output kept, in bytes (a runaway program must not fill the memory); the rest is read and dropped. Default: all. */
  readonly keepBytes?: number;
}

export interface SilenceLimit {
  /** Milliseconds allowed before the first output: connecting, then the server's first answer. */
  readonly firstMs: number;
  /** Milliseconds allowed between outputs after that. */
  readonly idleMs: number;
}

export interface ProcessResult {
  readonly code: number;
  /** stdout and stderr as they came. */
  readonly output: string;
  /** stdout alone: for a program that prints a report there and progress on stderr (go mod download -json -x). */
  readonly stdout?: string;
  /** The signal that ended it (`SIGKILL` once timeLimitMs passed); undefined when it exited. */
  readonly signal?: NodeJS.Signals;
}

/** A program that could not be started at all (not found, not executable). */
export class ProcessStartError extends Error {
  constructor(
    readonly what: string,
    /** The system's error code: `ENOENT`, `EACCES`. */
    readonly errno: string | undefined,
    message: string,
  ) {
    super(`${what} could not start: ${message}`);
    this.name = 'ProcessStartError';
  }
}

const running = new Set<ChildProcess>();

/**
 * Variables no child needs and none may see: the action's inputs (the configs themselves, the
 * token) and the runner's service tokens. git, go and upx start helpers of their own.
 */
function childEnvironment(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const clean: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(env)) {
    const upper = key.toUpperCase();
    if (upper.startsWith('INPUT_') || upper === 'ACTIONS_RUNTIME_TOKEN' || upper === 'ACTIONS_ID_TOKEN_REQUEST_TOKEN') continue;
    clean[key] = value;
  }
  return clean;
}

/** Lines of output kept for an error message: enough to show a compiler error, not a whole log. */
const TAIL_LINES = 20;

export class ProcessError extends Error {
  constructor(
    readonly what: string,
    readonly code: number,
    readonly tail: string,
  ) {
    super(`${what} failed (exit code ${code})${tail === '' ? '' : `:\n${tail}`}`);
    this.name = 'ProcessError';
  }
}

/** The last lines of a program's output; of a progress line (updates joined by \r) only its last state. */
export function lastLines(text: string, count = TAIL_LINES): string {
  return text
    .trimEnd()
    .split(/\r?\n/)
    .slice(-count)
    .map((line) => line.slice(line.lastIndexOf('\r') + 1))
    .join('\n');
}

/** A program stopped because it went silent for longer than its SilenceLimit. */
export class ProcessTimeoutError extends Error {
  constructor(
    readonly what: string,
    readonly seconds: number,
  ) {
    super(`${what} timed out: no answer for ${seconds} s, so it was stopped (${limitsHint()}).`);
    this.name = 'ProcessTimeoutError';
  }
}

/** Runs `command` and resolves with its combined output; rejects with ProcessError on a non-zero exit. */
export async function run(command: string, args: readonly string[], options: ProcessOptions = {}): Promise<ProcessResult> {
  const result = await runUnchecked(command, args, options);
  if (result.code !== 0) {
    throw new ProcessError(options.what ?? `${command} ${args[0] ?? ''}`.trim(), result.code, lastLines(result.output));
  }
  return result;
}

export function runUnchecked(command: string, args: readonly string[], options: ProcessOptions = {}): Promise<ProcessResult> {
  return new Promise((resolve, reject) => {
    let timedOut: ProcessTimeoutError | undefined;
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: childEnvironment(options.env ?? process.env),
      shell: false,
      stdio: ['ignore', 'pipe', 'pipe'],
      windowsHide: true,
      // its own process group, so a cancelled run can stop `go` and the compilers it started
      detached: process.platform !== 'win32',
    });
    running.add(child);
    const chunks: Buffer[] = [];
    const stdout: Buffer[] = [];
    const keepBytes = options.keepBytes ?? Infinity;
    let kept = 0;
    const silence = options.silence;
    let watchdog: NodeJS.Timeout | undefined;
    const timeLimit = options.timeLimitMs === undefined ? undefined : setTimeout(() => killTree(child), options.timeLimitMs);
    if (silence !== undefined) {
      const expire = (ms: number) => () => {
        timedOut = new ProcessTimeoutError(options.what ?? command, Math.round(ms / 1000));
        killTree(child);
        // settled now: a helper that left the group could keep the pipes, and 'close', away
        reject(timedOut);
      };
      watchdog = setTimeout(expire(silence.firstMs), silence.firstMs);
      const heard = (): void => {
        clearTimeout(watchdog);
        watchdog = setTimeout(expire(silence.idleMs), silence.idleMs);
      };
      child.stdout?.on('data', heard);
      child.stderr?.on('data', heard);
    }
    child.stdout?.on('data', (chunk: Buffer) => {
      if (kept >= keepBytes) return;
      kept += chunk.length;
      chunks.push(chunk);
      stdout.push(chunk);
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      if (kept >= keepBytes) return;
      kept += chunk.length;
      chunks.push(chunk);
    });
    child.on('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(watchdog);
      clearTimeout(timeLimit);
      running.delete(child);
      reject(new ProcessStartError(options.what ?? command, error.code, error.message));
    });
    child.on('close', (code, signal) => {
      clearTimeout(watchdog);
      clearTimeout(timeLimit);
      running.delete(child);
      if (timedOut === undefined) {
        resolve({
          code: code ?? (signal === null ? 1 : 128),
          output: Buffer.concat(chunks).toString('utf8'),
          stdout: Buffer.concat(stdout).toString('utf8'),
          ...(signal === null ? {} : { signal }),
        });
      }
    });
  });
}

/** How to stop a child together with every program it started. */
export type KillPlan =
  | { readonly kind: 'group'; readonly pgid: number }
  | { readonly kind: 'command'; readonly command: string; readonly args: readonly string[] }
  | { readonly kind: 'child' };

/**
 * POSIX: each child leads its own process group (spawned detached), so one signal to the
 * group reaches git's transport helpers and go's compilers. Windows has no process groups:
 * taskkill /T walks the tree of child processes.
 */
export function killPlan(pid: number | undefined, platform: NodeJS.Platform): KillPlan {
  if (pid === undefined) return { kind: 'child' };
  if (platform === 'win32') return { kind: 'command', command: 'taskkill', args: ['/pid', String(pid), '/T', '/F'] };
  return { kind: 'group', pgid: pid };
}

/** Stops `child` and what it started; synchronous, so a signal handler can use it. */
function killTree(child: ChildProcess, platform: NodeJS.Platform = process.platform): void {
  const plan = killPlan(child.pid, platform);
  try {
    if (plan.kind === 'group') {
      process.kill(-plan.pgid, 'SIGKILL');
      return;
    }
    if (plan.kind === 'command') {
      const result = spawnSync(plan.command, plan.args, { shell: false, stdio: 'ignore', windowsHide: true, timeout: 10_000 });
      if (result.status === 0) return;
    }
    child.kill('SIGKILL');
  } catch {
    // already gone
  }
}

/** How many programs this process has started that have not ended yet: what killRunning would stop. */
export function runningCount(): number {
  return running.size;
}

/** Stops every program this process started, with the programs they started; used when the run is cancelled. */
export function killRunning(): void {
  for (const child of running) killTree(child);
  running.clear();
}
