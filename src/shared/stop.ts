// The one handler for a cancelled run. A cancelled job gets SIGINT, then SIGTERM; Node's
// default on either is to die at once, leaving the children (each in its own process group)
// running: a git talking to a dead server, compilers writing into a removed folder. Installed
// at the start of a run, it stops every child's process tree, runs the registered cleanups
// (the scratch folder with the configs, the build cache scrub) and exits.
import { killRunning } from './process.js';

/** Work that must run before the process exits, from a signal handler: so synchronous. */
export type StopTask = () => void;

/** Signals that end a run: a cancelled job (SIGINT, then SIGTERM), a closed terminal, Ctrl-Break on Windows. */
const STOP_SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', ...(process.platform === 'win32' ? (['SIGBREAK'] as const) : [])];

/** Cleanups to run on a stop signal, each with what to say once it is done. */
const tasks = new Map<StopTask, string | undefined>();
let holders = 0;

/** The exit code of a shell for a process ended by `signal`: 128 + its number. */
function exitCodeFor(signal: NodeJS.Signals): number {
  return signal === 'SIGINT' ? 130 : signal === 'SIGHUP' ? 129 : 143;
}

function stop(signal: NodeJS.Signals): void {
  killRunning();
  const done = ['running programs were stopped'];
  let failure: string | undefined;
  for (const [task, said] of tasks) {
    try {
      task();
      if (said !== undefined) done.push(said);
    } catch (error) {
      failure ??= error instanceof Error ? error.message : String(error);
    }
  }
  tasks.clear();
  process.stderr.write(
    failure === undefined
      ? `Cancelled by ${signal}; ${done.join('; ')}.\n`
      : `Cancelled by ${signal}; cleaning up failed (${failure}): the post step tries again.\n`,
  );
  process.exit(exitCodeFor(signal));
}

function hold(): () => void {
  if (holders++ === 0) for (const signal of STOP_SIGNALS) process.on(signal, stop);
  let released = false;
  return () => {
    if (released) return;
    released = true;
    if (--holders === 0) for (const signal of STOP_SIGNALS) process.removeListener(signal, stop);
  };
}

/**
 * Installs the stop handler for the whole run (main step or command line), before the first
 * child starts; the returned function removes it.
 */
export function stopOnSignals(): () => void {
  return hold();
}

/**
 * Registers cleanup for a stop signal, and keeps the handler installed while it is
 * registered; `done` is what the cancellation message says of it. The returned function
 * withdraws it.
 */
export function onStop(task: StopTask, done?: string): () => void {
  // each registration its own entry, even of the same function
  const own: StopTask = () => task();
  tasks.set(own, done);
  const release = hold();
  return () => {
    tasks.delete(own);
    release();
  };
}
