// One writer per release at a time. Jobs that publish to the same tag at once (several `mode:
// all` jobs of a matrix) take turns: the first uploads the lock asset, the others wait for it to
// go away, and give up with an error pointing at the matrix workflow after `waitMs`.
//
// Why this is a lock: GitHub refuses a second asset of the same name on a release (422
// already_exists), so exactly one upload of LOCK_NAME succeeds. The holder deletes it by id when
// done; a waiter removes it only when it is older than `staleMs` (its holder was killed), and by
// id too, so it can never remove a newer holder's lock. A lock whose upload answer was lost is
// recognised as ours by the random text in it.
//
// A lock that is still being uploaded (state `starter`/`open`, GitHub lists it before its bytes
// are in) is held like any other: its uploader may be about to get the 201. It is removed only
// when it is older than `staleMs`, or when this job has watched that same asset stay unfinished
// for `unfinishedMs` by its own clock (a ~100-byte upload finishes in well under a second; one
// that has not after minutes was cut off, possibly our own, and would otherwise block every job
// for an hour). Watching by our own clock keeps a runner whose clock is off from taking a fresh
// lock for an old one.
import { randomBytes } from 'node:crypto';
import { type Log, TEMP_PREFIX, retryUnitMs } from '../shared/index.js';
import { isAlreadyExists, type AssetInfo, type ReleaseClient, type ReleaseInfo } from './github.js';
import { textSource } from './request.js';

export const LOCK_NAME = `${TEMP_PREFIX}lock`;

/** Waits of the lock; tests make them tiny. */
export interface LockTiming {
  readonly sleep?: (ms: number) => Promise<void>;
  readonly random?: () => number;
  /** Pause between looks at a held lock (jittered ±50 %). Default 5 units of retryUnitMs (5 s). */
  readonly pollMs?: number;
  /** How long to wait for another job before failing. Default 20 minutes. */
  readonly waitMs?: number;
  /** Age after which a lock is taken to be left by a killed job. Default 1 hour. */
  readonly staleMs?: number;
  /** How long this job watches one lock stay unfinished (never uploaded) before removing it. Default 2 minutes. */
  readonly unfinishedMs?: number;
}

export class ConcurrentPublishError extends Error {
  constructor(tag: string, since: string, waitedMs: number) {
    super(
      `Another job has been publishing release ${tag} since ${since} (it holds the asset ${LOCK_NAME}); gave up after waiting ${Math.round(waitedMs / 1000)} s. ` +
        'Publish one target set per tag from one job: use the matrix workflow (mode: build jobs and one mode: publish job), or put the jobs in one `concurrency:` group. ' +
        `If no job is running, delete the asset ${LOCK_NAME} from the release.`,
    );
    this.name = 'ConcurrentPublishError';
  }
}

export interface HeldLock {
  readonly asset: AssetInfo;
  /** Deletes the lock; a failure is logged, the lock then expires after staleMs. */
  release(): Promise<void>;
}

export async function takeLock(client: ReleaseClient, release: ReleaseInfo, log: Log, timing: LockTiming = {}): Promise<HeldLock> {
  const sleep = timing.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const random = timing.random ?? Math.random;
  const pollMs = timing.pollMs ?? 5 * retryUnitMs();
  const waitMs = timing.waitMs ?? 20 * 60 * 1000;
  const staleMs = timing.staleMs ?? 60 * 60 * 1000;
  const unfinishedMs = timing.unfinishedMs ?? 2 * 60 * 1000;
  /** Unfinished locks by asset id: when this job first saw each (its own clock). */
  const unfinishedSince = new Map<number, number>();
  const text = `ktctl-customize is publishing to this release (${randomBytes(8).toString('hex')}); taken ${new Date().toISOString()}\n`;
  const started = Date.now();
  let waiting = false;
  const held = (asset: AssetInfo): HeldLock => ({
    asset,
    release: async () => {
      await client.deleteAsset(asset.id).catch((error: unknown) => {
        log.warning(`Could not remove the lock ${LOCK_NAME} of release ${release.tagName} (${String(error)}); other jobs take it over after an hour.`);
      });
    },
  });
  for (;;) {
    try {
      return held(await client.uploadAsset(release, textSource(LOCK_NAME, text)));
    } catch (error) {
      if (!isAlreadyExists(error)) throw error;
    }
    const holder = (await client.listAssets(release.id)).find((asset) => asset.name === LOCK_NAME);
    if (holder === undefined) continue; // released meanwhile
    if (holder.state === 'uploaded' && (await client.downloadAsset(holder.id).catch(() => Buffer.alloc(0))).toString('utf8') === text) {
      return held(holder); // our own upload, whose answer was lost
    }
    if (holder.state !== 'uploaded' && !unfinishedSince.has(holder.id)) unfinishedSince.set(holder.id, Date.now());
    const cutOff = holder.state !== 'uploaded' && Date.now() - (unfinishedSince.get(holder.id) ?? Date.now()) >= unfinishedMs;
    if (cutOff || Date.now() - Date.parse(holder.createdAt) >= staleMs) {
      log.info(
        `Removing ${LOCK_NAME} (taken ${holder.createdAt}${cutOff ? ', an upload that never finished' : ''}), left by a job that ended without removing it.`,
      );
      await client.deleteAsset(holder.id);
      continue;
    }
    if (!waiting) {
      log.info(`Another job is publishing release ${release.tagName} (since ${holder.createdAt}); waiting for it to finish.`);
      waiting = true;
    }
    const waited = Date.now() - started;
    if (waited >= waitMs) throw new ConcurrentPublishError(release.tagName, holder.createdAt, waited);
    await sleep(Math.round(pollMs * (0.5 + random())));
  }
}
