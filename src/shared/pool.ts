// Runs jobs with at most `limit` at a time, and at most a lane's own limit of the jobs in that
// lane. Jobs may add follow-up jobs (upx after its build), which start as soon as a slot is free
// rather than after every build. A job whose lane is full waits without blocking the jobs
// queued behind it, so a free slot goes to the first job that may run.

export interface Pool<Lane extends string = string> {
  add(job: () => Promise<void>, lane?: Lane): void;
  /** Resolves when every job has ended; the errors of failed jobs, in the order they failed. */
  drain(): Promise<unknown[]>;
}

export function createPool<Lane extends string = string>(limit: number, laneLimits: Partial<Record<Lane, number>> = {}): Pool<Lane> {
  const queue: { job: () => Promise<void>; lane: Lane | undefined }[] = [];
  const errors: unknown[] = [];
  const running = new Map<Lane, number>();
  let active = 0;
  let idle: (() => void) | undefined;

  const mayStart = (lane: Lane | undefined): boolean => lane === undefined || (running.get(lane) ?? 0) < (laneLimits[lane] ?? limit);

  const next = (): void => {
    // after a failure no new job starts: the run fails anyway, and the ones running finish cleanly
    while (active < limit && errors.length === 0) {
      const index = queue.findIndex((entry) => mayStart(entry.lane));
      if (index < 0) break;
      const [{ job, lane }] = queue.splice(index, 1) as [(typeof queue)[number]];
      active++;
      if (lane !== undefined) running.set(lane, (running.get(lane) ?? 0) + 1);
      job()
        .catch((error: unknown) => void errors.push(error))
        .finally(() => {
          active--;
          if (lane !== undefined) running.set(lane, running.get(lane)! - 1);
          next();
        });
    }
    if (active === 0 && idle !== undefined) idle();
  };

  return {
    add(job, lane) {
      queue.push({ job, lane });
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
