// GitHub's pacing of writes, as plugin-throttling applies it: one write at a time, a second
// apart, and three seconds between requests that notify (a release created or published). The
// plugin's own groups fix those lengths; these take them in units of the retry wait, so a test
// run (a unit of a millisecond) keeps the order and the pacing but not the waiting: about ten
// seconds of every publish.

/** The shape plugin-throttling asks of its `write` and `notifications` groups (a Bottleneck.Group's `key().schedule()`). */
export interface PacingGroup {
  key(id: string): { schedule<A extends unknown[], R>(options: unknown, work: (...args: A) => Promise<R>, ...args: A): Promise<R> };
}

/** Units of the retry wait between writes, and between notifying requests (GitHub's guidance: 1 s and 3 s). */
export const WRITE_GAP_UNITS = 1;
export const NOTIFICATION_GAP_UNITS = 3;

/** Groups of this process, by gap: clients with the same throttle id share one queue, as the plugin's groups do. */
const groups = new Map<number, PacingGroup>();

/** A group whose queues run one job at a time, each starting at least `gapMs` after the one before started. */
export function pacingGroup(gapMs: number): PacingGroup {
  const known = groups.get(gapMs);
  if (known !== undefined) return known;
  const queues = new Map<string, { tail: Promise<unknown>; lastStart: number }>();
  const group: PacingGroup = {
    key: (id) => ({
      schedule: <A extends unknown[], R>(_options: unknown, work: (...args: A) => Promise<R>, ...args: A): Promise<R> => {
        const queue = queues.get(id) ?? { tail: Promise.resolve(), lastStart: -Infinity };
        queues.set(id, queue);
        const run = queue.tail.then(async (): Promise<R> => {
          const wait = queue.lastStart + gapMs - Date.now();
          if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
          queue.lastStart = Date.now();
          return work(...args);
        });
        // the next job waits for this one to end, however it ends
        queue.tail = run.catch(() => undefined);
        return run;
      },
    }),
  };
  groups.set(gapMs, group);
  return group;
}
