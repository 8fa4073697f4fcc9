// The run's private scratch folder. It holds the kt-connect checkout with the two secret
// config files, Go's temporary build folder and the unpacked binaries (which embed them), so
// it is created 0700 and removed in every ending: success, failure, cancellation, and by the
// post step when the process was killed outright.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { onStop } from './stop.js';

/** Work that must run before the folder goes, even from a signal handler: so synchronous. */
export type CleanupTask = () => void;

export class Workspace {
  private disposed = false;
  private readonly tasks = new Set<CleanupTask>();

  private constructor(readonly root: string) {}

  /** Creates `<parent>/ktctl-customize-XXXXXX`, readable by this user only. */
  static create(parent: string = os.tmpdir()): Workspace {
    const root = mkdtempSync(path.join(parent, 'ktctl-customize-'));
    return new Workspace(root);
  }

  path(...parts: string[]): string {
    return path.join(this.root, ...parts);
  }

  /** Registers a task for dispose(); the returned function withdraws it once it is done anyway. */
  onDispose(task: CleanupTask): () => void {
    this.tasks.add(task);
    return () => this.tasks.delete(task);
  }

  /** Runs the tasks, then removes the folder. Each task runs even if another one failed. */
  dispose(): void {
    if (this.disposed) return;
    const failures: unknown[] = [];
    for (const task of this.tasks) {
      try {
        task();
      } catch (error) {
        failures.push(error);
      }
    }
    this.tasks.clear();
    removeTree(this.root);
    this.disposed = true;
    if (failures.length > 0) throw failures[0];
  }
}

export function removeTree(target: string): void {
  rmSync(target, { recursive: true, force: true, maxRetries: 3, retryDelay: 100 });
}

/**
 * Runs `work` in a fresh workspace and removes it however the work ends. On a stop signal
 * (see stop.ts) the compilers are stopped first, then the workspace is disposed before the
 * process exits: nothing async would get to run after the signal.
 */
export async function withWorkspace<T>(
  parent: string,
  onCreate: (root: string) => void,
  stopChildren: () => void,
  work: (workspace: Workspace) => Promise<T>,
): Promise<T> {
  const workspace = Workspace.create(parent);
  onCreate(workspace.root);
  const withdraw = onStop(() => {
    stopChildren();
    workspace.dispose();
  }, 'the scratch folder with the configs was removed');
  try {
    return await work(workspace);
  } finally {
    withdraw();
    workspace.dispose();
  }
}
