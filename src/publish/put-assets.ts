// Puts this run's archives, the checksums file and build-info.json on the release it holds the
// lock of. What happens to each archive name: uploaded (new), replaced (differs, overwrite),
// identical (GitHub's digest matches: never uploaded twice) or kept (differs, overwrite: false).
// A draft is invisible to downloaders, so its assets are simply deleted and uploaded; a
// published release gets the staged swap of replace.ts.
import { type Log, BUILD_INFO_NAME, renderBuildInfo, renderChecksums, type LedgerEntry } from '../shared/index.js';
import { isAlreadyExists, type AssetInfo, type ReleaseClient, type ReleaseInfo } from './github.js';
import { ledgerFor, readText } from './ledger.js';
import { replaceOnPublished, type ArchiveChange, type SharedChange } from './replace.js';
import { digestHex, fileSource, textSource, type PublishRequest } from './request.js';
import { uploadOwn } from './upload-own.js';
import type { ReleaseFile } from '../model.js';

export type PutAction = 'uploaded' | 'replaced' | 'identical' | 'kept';

const VERB: Record<PutAction, string> = {
  uploaded: 'Uploaded',
  replaced: 'Replaced',
  identical: 'Already on the release, identical:',
  kept: 'Kept the existing (overwrite: false)',
};

function actionFor(file: ReleaseFile, existing: AssetInfo | undefined, overwrite: boolean): PutAction {
  if (existing === undefined) return 'uploaded';
  if (digestHex(existing) === file.sha256) return 'identical';
  return overwrite ? 'replaced' : 'kept';
}

/** The ledger entries of archives whose content on the release is this run's. */
function oursOf(request: PublishRequest, actions: ReadonlyMap<string, PutAction>): Map<string, LedgerEntry> {
  const ours = new Map<string, LedgerEntry>();
  for (const file of request.archives) {
    if (actions.get(file.name) !== 'kept') {
      ours.set(file.name, { sha256: file.sha256, fingerprint: file.fingerprint, ...(file.source === undefined ? {} : { source: file.source }) });
    }
  }
  return ours;
}

async function listByName(client: ReleaseClient, release: ReleaseInfo): Promise<Map<string, AssetInfo>> {
  return new Map((await client.listAssets(release.id)).map((asset) => [asset.name, asset]));
}

/**
 * Puts everything on the release. Returns the commit step (removing what a published release's
 * swap set aside), which the caller runs last.
 */
export async function putAssets(
  client: ReleaseClient,
  release: ReleaseInfo,
  request: PublishRequest,
  log: Log,
  /** The release's assets if just listed. */
  listed?: readonly AssetInfo[],
): Promise<() => Promise<void>> {
  let byName = listed === undefined ? await listByName(client, release) : new Map(listed.map((asset) => [asset.name, asset]));
  // An upload that never finished is not downloadable; it only blocks the name.
  for (const name of [...request.archives.map((file) => file.name), request.checksumsName, BUILD_INFO_NAME]) {
    const asset = byName.get(name);
    if (asset !== undefined && asset.state !== 'uploaded') {
      log.info(`Removing ${name}, an upload that never finished.`);
      await client.deleteAsset(asset.id);
      byName.delete(name);
    }
  }
  if (release.draft) {
    const actions = new Map<string, PutAction>();
    for (const file of request.archives) {
      actions.set(file.name, await putOnDraft(client, release, file, byName.get(file.name), request.overwrite, log));
    }
    byName = await listByName(client, release);
    for (const [name, text] of await sharedTexts(client, byName, request, actions)) {
      const existing = byName.get(name);
      if (text.final === text.current) continue;
      if (existing !== undefined) await client.deleteAsset(existing.id);
      await uploadOwn(client, release, textSource(name, text.final));
    }
    return async () => undefined;
  }

  const actions = new Map(request.archives.map((file) => [file.name, actionFor(file, byName.get(file.name), request.overwrite)]));
  const archives: ArchiveChange[] = request.archives
    .filter((file) => actions.get(file.name) === 'uploaded' || actions.get(file.name) === 'replaced')
    .map((file) => ({ name: file.name, old: byName.get(file.name), source: fileSource(file) }));
  const shared: SharedChange[] = [];
  for (const [name, text] of await sharedTexts(client, byName, request, actions)) {
    // While archives change, a shared file is always swapped: its old text lists their old hashes.
    if (text.final !== text.current || archives.length > 0) shared.push({ name, old: byName.get(name), text: text.final, interim: text.interim });
  }
  const commit = archives.length + shared.length === 0 ? async () => undefined : await replaceOnPublished(client, release, { archives, shared }, log);
  for (const file of request.archives) log.info(`${VERB[actions.get(file.name) ?? 'identical']} ${file.name}`);
  return commit;
}

/** Current, interim and final text of the checksums file and build-info.json. */
async function sharedTexts(
  client: ReleaseClient,
  byName: ReadonlyMap<string, AssetInfo>,
  request: PublishRequest,
  actions: ReadonlyMap<string, PutAction>,
): Promise<Map<string, { current: string | undefined; interim: string; final: string }>> {
  const checksums = await readText(client, byName.get(request.checksumsName));
  const buildInfo = await readText(client, byName.get(BUILD_INFO_NAME));
  const entries = await ledgerFor(client, {
    assets: [...byName.values()],
    checksumsName: request.checksumsName,
    buildInfoText: buildInfo,
    ours: oursOf(request, actions),
  });
  const changing = new Set([...actions].filter(([, action]) => action === 'uploaded' || action === 'replaced').map(([name]) => name));
  const steady = new Map([...entries].filter(([name]) => !changing.has(name)));
  return new Map([
    [request.checksumsName, { current: checksums, interim: renderChecksums(steady), final: renderChecksums(entries) }],
    [BUILD_INFO_NAME, { current: buildInfo, interim: renderBuildInfo(steady, request.build), final: renderBuildInfo(entries, request.build) }],
  ]);
}

/** One archive onto a draft: upload; a same-named asset is compared, replaced or kept. */
async function putOnDraft(
  client: ReleaseClient,
  release: ReleaseInfo,
  file: ReleaseFile,
  listed: AssetInfo | undefined,
  overwrite: boolean,
  log: Log,
): Promise<PutAction> {
  let replaced = false;
  for (let round = 1; round <= 4; round++) {
    const existing = round === 1 ? listed : (await listByName(client, release)).get(file.name);
    const action = existing === undefined || existing.state !== 'uploaded' ? 'uploaded' : actionFor(file, existing, overwrite);
    if (action === 'identical' || action === 'kept') {
      log.info(`${VERB[action]} ${file.name}`);
      return action;
    }
    if (existing !== undefined) {
      await client.deleteAsset(existing.id);
      replaced = true;
    }
    try {
      await client.uploadAsset(release, fileSource(file));
      log.info(`${VERB[replaced ? 'replaced' : 'uploaded']} ${file.name}`);
      return replaced ? 'replaced' : 'uploaded';
    } catch (error) {
      if (!isAlreadyExists(error)) throw error;
      // Our own upload whose answer was lost, or another one: look at it.
      log.info(`${file.name} appeared on the release while uploading it; looking at it.`);
    }
  }
  throw new Error(`Could not put ${file.name} on release ${release.tagName}: an asset of that name kept appearing while uploading it.`);
}
