// Runs jobs with at most `limit` at a time. Jobs may add follow-up jobs (upx after its
// build), which start as soon as a slot is free rather than after every build.

export interface Pool {
  add(job: () => Promise<void>): void;
  /** Resolves when every job has ended; the errors of failed jobs, in the order they failed. */
  drain(): Promise<unknown[]>;
}

export function createPool(limit: number): Pool {
  const queue: (() => Promise<void>)[] = [];
  const errors: unknown[] = [];
  let active = 0;
  let idle: (() => void) | undefined;

  const next = (): void => {
    // after a failure no new job starts: the run fails anyway, and the ones running finish cleanly
    while (active < limit && queue.length > 0 && errors.length === 0) {
      const job = queue.shift()!;
      active++;
      job()
        .catch((error: unknown) => void errors.push(error))
        .finally(() => {
          active--;
          next();
        });
    }
    if (active === 0 && idle !== undefined) idle();
  };

  return {
    add(job) {
      queue.push(job);
      next();
    },
    drain() {
      return new Promise((resolve) => {
        idle = () => resolve(errors);
        if (active === 0) idle();
      });
    },
  };
}
