// How assets of a PUBLISHED release are replaced without ever leaving it broken.
//
// Developers download from the release while a run replaces its assets, and GitHub has no way to
// change several assets at once: each upload, rename and delete is its own call. So:
//
// 1. Stage. Every new asset (archives, the new checksums file and build-info.json, and an interim
//    copy of each of those two without the changing archives' lines) is uploaded under a working
//    name (TEMP_PREFIX). Uploads are the slow, failure-prone part; nothing a download uses changes.
//    A failure here deletes what was staged and leaves the release as it was.
// 2. Swap, renames only (cheap PATCHes, seconds in all), in this order:
//    a. each shared file (checksums, build-info) is set aside under a backup name and its interim
//       copy takes its name: from now on it lists only archives that do not change;
//    b. each changing archive: the old one is set aside under a backup name, the new one takes
//       its name (a name is missing for one call);
//    c. each interim shared file is set aside and the final one takes its name.
//    The old assets are kept, renamed, until the new set is complete.
// 3. Commit: the backups are deleted (the caller does it last, after publishing).
//
// What holds at every moment, in every ending (proved by the order above and checked by injecting
// a fault at each call, __tests__/publish/replace.test.ts):
// - The checksums file never lists a hash that the asset of that name does not have (interim
//   copies leave out exactly the archives that change), so `sha256sum -c` on the listed files
//   passes whenever the file and the archives are fetched between two calls of a run.
// - A failure in the swap rolls back from the release as it is then (not from a journal, so a
//   call whose answer was lost is handled too): shared files of ours are removed, each new archive
//   is removed and the old one renamed back, then the old shared files are renamed back. Each step
//   of the roll-back is a state the swap itself passed through, so the rule above holds during it;
//   the release ends with exactly its old assets. If the roll-back fails too (GitHub gone), it
//   stops at once, and the next run, holding the lock, renames a set-aside archive back when its
//   name is missing and removes every other working copy (repairLeftovers) before it starts.
// - Only the one writer holding the lock (lock.ts) does any of this.
import { randomBytes } from 'node:crypto';
import { messageOf, type Log, TEMP_PREFIX } from '../shared/index.js';
import { isAlreadyExists, type AssetInfo, type AssetSource, type ReleaseClient, type ReleaseInfo } from './github.js';
import { LOCK_NAME } from './lock.js';
import { textSource } from './request.js';
import { uploadOwn } from './upload-own.js';

/** One archive name whose asset changes: `old` is there now (undefined for a new name). */
export interface ArchiveChange {
  readonly name: string;
  readonly old: AssetInfo | undefined;
  readonly source: AssetSource;
}

/** The checksums file or build-info.json: its final text and the interim one (without the changing archives). */
export interface SharedChange {
  readonly name: string;
  readonly old: AssetInfo | undefined;
  readonly text: string;
  readonly interim: string;
}

interface Rename {
  readonly asset: AssetInfo;
  readonly to: string;
}

/**
 * Swaps the changes in (stage, swap). Returns the commit: deleting the old assets set aside. On
 * failure the release has its old assets again (or, if GitHub failed the roll-back too, a state
 * the next run repairs), and the error says which.
 */
export async function replaceOnPublished(
  client: ReleaseClient,
  release: ReleaseInfo,
  changes: { readonly archives: readonly ArchiveChange[]; readonly shared: readonly SharedChange[] },
  log: Log,
): Promise<() => Promise<void>> {
  const run = randomBytes(4).toString('hex');
  const working = (kind: 'new' | 'mid' | 'old', name: string): string => `${TEMP_PREFIX}${run}-${kind}-${name}`;
  const ours: AssetInfo[] = [];
  const stage = async (source: AssetSource): Promise<AssetInfo> => {
    const asset = await uploadOwn(client, release, source);
    ours.push(asset);
    return asset;
  };

  // 1. Stage.
  const renames: Rename[] = [];
  const finals: Rename[] = [];
  const interims: Rename[] = [];
  const interimCopies: AssetInfo[] = [];
  try {
    for (const change of changes.archives) {
      const staged = await stage({ ...change.source, name: working('new', change.name) });
      if (change.old !== undefined) renames.push({ asset: change.old, to: working('old', change.name) });
      renames.push({ asset: staged, to: change.name });
    }
    for (const shared of changes.shared) {
      const final = await stage(textSource(shared.name, shared.text, working('new', shared.name)));
      if (shared.old !== undefined && changes.archives.length > 0) {
        const interim = await stage(textSource(shared.name, shared.interim, working('mid', shared.name)));
        interimCopies.push(interim);
        interims.push({ asset: shared.old, to: working('old', shared.name) }, { asset: interim, to: shared.name });
        finals.push({ asset: interim, to: working('mid', shared.name) }, { asset: final, to: shared.name });
      } else {
        if (shared.old !== undefined) finals.push({ asset: shared.old, to: working('old', shared.name) });
        finals.push({ asset: final, to: shared.name });
      }
    }
  } catch (error) {
    for (const asset of ours) await client.deleteAsset(asset.id).catch(() => undefined);
    throw error;
  }

  // 2. Swap: a, b, c.
  try {
    for (const step of [...interims, ...renames, ...finals]) await client.renameAsset(step.asset.id, step.to);
  } catch (error) {
    const outcome = await rollBack(client, release, changes, new Set(ours.map((asset) => asset.id)));
    throw new Error(
      outcome === undefined
        ? `${messageOf(error)} Release ${release.tagName} was put back to its previous assets.`
        : `${messageOf(error)} Putting release ${release.tagName} back failed too (${outcome}); its checksums file lists only archives that match it, and the next run repairs the release.`,
      { cause: error },
    );
  }
  const setAside = [...changes.archives.map((change) => change.old), ...changes.shared.map((shared) => shared.old)].filter(
    (asset): asset is AssetInfo => asset !== undefined,
  );
  log.info(`Swapped ${changes.archives.length} archive(s) and the shared files into release ${release.tagName}.`);

  // 3. Commit, when the caller is done: the old assets and the interim shared files.
  const leftovers = [...setAside, ...interimCopies];
  return async () => {
    for (const asset of leftovers) await client.deleteAsset(asset.id);
  };
}

/** Puts the old assets back, from the release as it is now. Undefined when done, else what failed. */
async function rollBack(
  client: ReleaseClient,
  release: ReleaseInfo,
  changes: { readonly archives: readonly ArchiveChange[]; readonly shared: readonly SharedChange[] },
  ours: ReadonlySet<number>,
): Promise<string | undefined> {
  try {
    const assets = await client.listAssets(release.id);
    const holder = (name: string): AssetInfo | undefined => assets.find((asset) => asset.name === name);
    const present = new Set(assets.map((asset) => asset.id));
    // Shared files of ours go first: while they are away nothing can list a wrong hash.
    for (const shared of changes.shared) {
      const now = holder(shared.name);
      if (now !== undefined && ours.has(now.id)) await client.deleteAsset(now.id);
    }
    for (const change of changes.archives) {
      const now = holder(change.name);
      if (now !== undefined && ours.has(now.id)) await client.deleteAsset(now.id);
      if (change.old !== undefined && present.has(change.old.id) && now?.id !== change.old.id) await client.renameAsset(change.old.id, change.name);
    }
    for (const shared of changes.shared) {
      if (shared.old !== undefined && present.has(shared.old.id) && holder(shared.name)?.id !== shared.old.id) {
        await client.renameAsset(shared.old.id, shared.name);
      }
    }
    for (const id of ours) await client.deleteAsset(id);
    return undefined;
  } catch (error) {
    return messageOf(error);
  }
}

const SET_ASIDE = new RegExp(`^${TEMP_PREFIX}[0-9a-f]{8}-old-(.+)$`);

/**
 * Before a run changes anything (holding the lock, so no other run is at work), every name an
 * interrupted run of the action can leave on a release is dealt with:
 * - `…-old-<archive>` (set aside by the swap): goes back under its name when no finished asset
 *   has that name; an unfinished upload blocking the name goes first. Never back under one of the
 *   action's own names (a shared file, which this run rewrites and an old copy of which could list
 *   hashes that no longer match, or a `ktctl-tmp-` name such as the lock): such a copy is deleted.
 * - `…-new-…`, `…-mid-…`, any other `ktctl-tmp-` name but the lock (which this run holds): deleted.
 * - an unfinished upload (state not `uploaded`) of a shared file: deleted; one of an archive is
 *   deleted by the run that publishes that archive (put-assets.ts), and is never listed meanwhile.
 * A restore that GitHub refuses because the name is taken after all deletes the set-aside copy:
 * a leftover never fails the run. True when the release changed.
 */
export async function repairLeftovers(
  client: ReleaseClient,
  release: ReleaseInfo,
  assets: readonly AssetInfo[],
  sharedNames: readonly string[],
  log: Log,
): Promise<boolean> {
  const own = (name: string): boolean => name.startsWith(TEMP_PREFIX) || sharedNames.includes(name);
  const finished = new Set(assets.filter((asset) => asset.state === 'uploaded' && !own(asset.name)).map((asset) => asset.name));
  const unfinished = new Map(assets.filter((asset) => asset.state !== 'uploaded' && !own(asset.name)).map((asset) => [asset.name, asset]));
  let changed = false;
  for (const asset of assets) {
    if (asset.state !== 'uploaded' && sharedNames.includes(asset.name)) {
      log.info(`Removing ${asset.name}, an upload that never finished.`);
      await client.deleteAsset(asset.id);
      changed = true;
    }
  }
  for (const asset of [...assets].sort((a, b) => b.id - a.id)) {
    if (!asset.name.startsWith(TEMP_PREFIX) || asset.name === LOCK_NAME) continue;
    changed = true;
    const original = SET_ASIDE.exec(asset.name)?.[1];
    if (original !== undefined && asset.state === 'uploaded' && !finished.has(original) && !own(original)) {
      const blocking = unfinished.get(original);
      if (blocking !== undefined) {
        log.info(`Removing ${original}, an upload that never finished, to put back the copy an interrupted run had set aside.`);
        await client.deleteAsset(blocking.id);
        unfinished.delete(original);
      }
      log.info(`Restoring ${original}, which an interrupted run had set aside.`);
      try {
        await client.renameAsset(asset.id, original);
        finished.add(original);
        continue;
      } catch (error) {
        if (!isAlreadyExists(error)) throw error;
        log.info(`${original} is on the release after all; removing the copy set aside as ${asset.name}.`);
      }
    } else {
      log.info(`Removing ${asset.name}, left over by an interrupted run.`);
    }
    await client.deleteAsset(asset.id);
  }
  return changed;
}
