// Runs the bundled action the way a runner does: INPUT_* variables, the GITHUB_OUTPUT,
// GITHUB_STATE and GITHUB_STEP_SUMMARY files, RUNNER_TEMP and RUNNER_TOOL_CACHE; then
// the post step with the state the main step saved.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, existsSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const DIST = path.resolve('dist/index.js');

export interface RunnerDirs {
  readonly root: string;
  readonly workspace: string;
  readonly temp: string;
  readonly toolCache: string;
}

export function makeRunnerDirs(parent?: string): RunnerDirs {
  const root = mkdtempSync(path.join(parent ?? os.tmpdir(), 'ktctl-runner-'));
  const dirs = { root, workspace: path.join(root, 'workspace'), temp: path.join(root, 'temp'), toolCache: path.join(root, 'tool-cache') };
  for (const dir of [dirs.workspace, dirs.temp, dirs.toolCache]) mkdirSync(dir, { recursive: true });
  return dirs;
}

export interface ActionRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly outputs: Record<string, string>;
  readonly state: Record<string, string>;
  readonly summary: string;
}

/** Parses the `name<<DELIMITER` blocks that @actions/core writes to GITHUB_OUTPUT and GITHUB_STATE. */
export function parseCommandFile(text: string): Record<string, string> {
  const values: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const match = /^([^<=]+)<<(.+)$/.exec(lines[i]!);
    if (match === null) continue;
    const body: string[] = [];
    for (i++; i < lines.length && lines[i] !== match[2]; i++) body.push(lines[i]!);
    values[match[1]!] = body.join('\n');
  }
  return values;
}

export interface RunOptions {
  readonly inputs: Record<string, string>;
  readonly dirs: RunnerDirs;
  readonly env?: NodeJS.ProcessEnv;
  readonly state?: Record<string, string>;
  /** Called with the child once it started, e.g. to send it a signal. */
  readonly onStart?: (pid: number) => void;
  readonly runId?: string;
}

export async function runAction(options: RunOptions): Promise<ActionRun> {
  const id = options.runId ?? `${Date.now()}-${Math.random().toString(36).slice(2)}`;
  const files = path.join(options.dirs.root, 'files', id);
  mkdirSync(files, { recursive: true });
  const outputFile = path.join(files, 'output');
  const stateFile = path.join(files, 'state');
  const summaryFile = path.join(files, 'summary');
  for (const file of [outputFile, stateFile, summaryFile]) writeFileSync(file, '');
  const env: NodeJS.ProcessEnv = {
    PATH: process.env['PATH'],
    HOME: process.env['HOME'],
    GITHUB_ACTIONS: 'true',
    GITHUB_WORKSPACE: options.dirs.workspace,
    GITHUB_OUTPUT: outputFile,
    GITHUB_STATE: stateFile,
    GITHUB_STEP_SUMMARY: summaryFile,
    GITHUB_SERVER_URL: 'https://github.com',
    RUNNER_TEMP: options.dirs.temp,
    RUNNER_TOOL_CACHE: options.dirs.toolCache,
    // tool-cache waits 10-20 s between retries by default
    TEST_DOWNLOAD_TOOL_RETRY_MIN_SECONDS: '0',
    TEST_DOWNLOAD_TOOL_RETRY_MAX_SECONDS: '0',
    // and the action's own retry waits (downloads, GitHub's API, the release lock) a millisecond a unit
    KTCTL_CUSTOMIZE_TEST_RETRY_UNIT_MS: '1',
    ...options.env,
  };
  for (const [name, value] of Object.entries(options.inputs)) env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] = value;
  for (const [name, value] of Object.entries(options.state ?? {})) env[`STATE_${name}`] = value;

  const child = spawn(process.execPath, [DIST], { env, cwd: options.dirs.workspace, stdio: ['ignore', 'pipe', 'pipe'] });
  const stdout: Buffer[] = [];
  const stderr: Buffer[] = [];
  child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
  child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
  if (child.pid !== undefined) options.onStart?.(child.pid);
  const code = await new Promise<number>((resolve) => child.on('close', (exitCode, signal) => resolve(exitCode ?? (signal ? 128 : 1))));
  return {
    code,
    stdout: Buffer.concat(stdout).toString('utf8'),
    stderr: Buffer.concat(stderr).toString('utf8'),
    outputs: parseCommandFile(readFileSync(outputFile, 'utf8')),
    state: parseCommandFile(readFileSync(stateFile, 'utf8')),
    summary: existsSync(summaryFile) ? readFileSync(summaryFile, 'utf8') : '',
  };
}

/** Main step, then post step with the main step's saved state, as the runner runs them. */
export async function runActionWithPost(options: RunOptions): Promise<{ main: ActionRun; post: ActionRun }> {
  const main = await runAction(options);
  const post = await runAction({ ...options, state: main.state });
  return { main, post };
}

/** Removes `::add-mask::` commands: they are the one place a secret may appear. */
export function withoutMaskCommands(text: string): string {
  return text
    .split('\n')
    .filter((line) => !line.startsWith('::add-mask::'))
    .join('\n');
}
