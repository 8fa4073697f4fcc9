// Starts programs with an argument array, never through a shell, and keeps track of them
// so that a cancelled run can stop its compilers before it deletes their inputs.
import { spawn, type ChildProcess } from 'node:child_process';

export interface ProcessOptions {
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** What the failure message calls this step, e.g. "go build for linux/amd64". */
  readonly what?: string;
}

export interface ProcessResult {
  readonly code: number;
  readonly output: string;
}

const running = new Set<ChildProcess>();

/**
 * Variables no child needs and none may see: the action's inputs (the configs themselves, the
 * token) and the runner's service tokens. git, go and upx start helpers of their own.
 */
export function childEnvironment(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
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

export function lastLines(text: string, count = TAIL_LINES): string {
  return text.trimEnd().split(/\r?\n/).slice(-count).join('\n');
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
    child.stdout?.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.stderr?.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.on('error', (error) => {
      running.delete(child);
      reject(new Error(`${options.what ?? command} could not start: ${error.message}`));
    });
    child.on('close', (code, signal) => {
      running.delete(child);
      resolve({ code: code ?? (signal === null ? 1 : 128), output: Buffer.concat(chunks).toString('utf8') });
    });
  });
}

/** Stops every program this process started, with the programs they started; used when the run is cancelled. */
export function killRunning(): void {
  for (const child of running) {
    try {
      if (process.platform !== 'win32' && child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      else child.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
  running.clear();
}
