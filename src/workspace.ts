// The run's private scratch folder. It holds the kt-connect checkout with the two secret
// config files and the unpacked binaries (which embed them), so it is created 0700 and
// removed in every ending: success, failure, cancellation, and by the post step.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export class Workspace {
  private disposed = false;

  private constructor(readonly root: string) {}

  /** Creates `<parent>/ktctl-customize-XXXXXX`, readable by this user only. */
  static create(parent: string = os.tmpdir()): Workspace {
    const root = mkdtempSync(path.join(parent, 'ktctl-customize-'));
    return new Workspace(root);
  }

  path(...parts: string[]): string {
    return path.join(this.root, ...parts);
  }

  /** Synchronous so it also works from a signal handler, where nothing async gets to run. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    removeTree(this.root);
  }
}

export function removeTree(target: string): void {
  rmSync(target, { recursive: true, force: true, maxRetries: 3, retryDelay: 100 });
}

/**
 * Runs `work` in a fresh workspace and removes it however the work ends. On SIGTERM or
 * SIGINT (a cancelled job) the compilers are stopped first, then the folder is removed
 * before the process exits: nothing async would get to run after the signal.
 */
export async function withWorkspace<T>(
  parent: string,
  onCreate: (root: string) => void,
  stopChildren: () => void,
  work: (workspace: Workspace) => Promise<T>,
): Promise<T> {
  const workspace = Workspace.create(parent);
  onCreate(workspace.root);
  const stop = (signal: NodeJS.Signals): void => {
    stopChildren();
    workspace.dispose();
    process.stderr.write(`Cancelled by ${signal}; the scratch folder with the configs was removed.\n`);
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  try {
    return await work(workspace);
  } finally {
    workspace.dispose();
    process.removeListener('SIGTERM', stop);
    process.removeListener('SIGINT', stop);
  }
}
