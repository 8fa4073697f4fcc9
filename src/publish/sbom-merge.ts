// One SBOM for the whole release when several `mode: all` jobs publish to one tag, each bringing
// an SBOM of its own targets only. Under the release's lock (publish/locked-merge.ts) the job's
// document is merged with the one on the release:
// - this job's targets, as built;
// - each target of the release's document whose archive is still on the release with the same
//   SHA-256 and that this job did not build (same target or same archive name): kept, with the Go
//   that built it (the document names each Go when they differ, sbom.ts);
// - a target of the release's document built from another kt-connect module or commit, or of
//   another ktctl version, cannot be described by this document (one source per SBOM): it is left
//   out with a warning. That happens only while a matrix rebuilds after its source changed: the
//   commit is part of every job's fingerprint, so each of those jobs rebuilds and adds its target
//   back (a mode: build matrix with one mode: publish job has no such window).
// A release's document that is not one this action wrote (hand-made, damaged) is refused, naming
// the asset: the job cannot know what the other archives hold.
import path from 'node:path';
import { sbomText, type SbomInput } from '../package/index.js';
import { targetId } from '../plan/index.js';
import { type Log, writeWithoutFollowing } from '../shared/index.js';
import type { LockedMerge } from './request.js';
import { extraReleaseFile } from './release-extras.js';
import type { SbomTarget } from '../model.js';
import { readSbom } from './sbom-read.js';
import { readFile } from 'node:fs/promises';

export interface SbomMergeResult {
  readonly input: SbomInput;
  /** Archives of the release's document left out because another source built them. */
  readonly leftOut: readonly string[];
}

/** The merge itself: pure, given the hashes of the archives the release's document names. */
export function mergeSbomInputs(ours: SbomInput, theirs: SbomInput | undefined, onRelease: ReadonlyMap<string, string | undefined>): SbomMergeResult {
  if (theirs === undefined) return { input: ours, leftOut: [] };
  const targets: SbomTarget[] = [...ours.targets];
  const taken = new Set(ours.targets.flatMap((item) => [targetId(item.target), item.archiveName]));
  const sameSource = theirs.version === ours.version && theirs.module === ours.module && theirs.upstream.commit === ours.upstream.commit;
  const leftOut: string[] = [];
  for (const item of theirs.targets) {
    if (taken.has(targetId(item.target)) || taken.has(item.archiveName)) continue; // this job's own
    if (onRelease.get(item.archiveName) !== item.archiveSha256) continue; // gone, or replaced since
    if (!sameSource) {
      leftOut.push(item.archiveName);
      continue;
    }
    const go = item.goVersion ?? theirs.goVersion;
    const { goVersion: _drop, ...rest } = item;
    targets.push(go.replace(/^go/, '') === ours.goVersion.replace(/^go/, '') ? rest : { ...rest, goVersion: go });
    taken.add(targetId(item.target)).add(item.archiveName);
  }
  return { input: { ...ours, targets }, leftOut };
}

/**
 * The SBOM this job wrote at `file` (its own targets), as a LockedMerge: merged with the release's
 * copy, written back to `file` (so the sbom-file output names what the release holds) and
 * published with `fingerprint`.
 */
export function sbomLockedMerge(file: string, fingerprint: string, log: Log): LockedMerge {
  const name = path.basename(file);
  return {
    name,
    merge: async (current, hashOf) => {
      const ours = readSbom(await readFile(file, 'utf8'), `this job's ${name}`);
      const theirs =
        current === undefined
          ? undefined
          : readSbom(current, `${name} on the release (publish every target from one job, the matrix workflow, or delete it from the release)`);
      const hashes = new Map<string, string | undefined>();
      for (const item of theirs?.targets ?? []) hashes.set(item.archiveName, await hashOf(item.archiveName));
      const { input, leftOut } = mergeSbomInputs(ours, theirs, hashes);
      if (leftOut.length > 0) {
        log.warning(
          `${name} on the release describes ${leftOut.join(', ')} as built from kt-connect ${theirs?.upstream.commit ?? ''} (ktctl ${theirs?.version ?? ''}); ` +
            `this job built ${ours.upstream.commit}, so the SBOM leaves them out until their jobs rebuild them.`,
        );
      }
      const kept = input.targets.length - ours.targets.length;
      if (kept > 0) log.info(`${name}: merged with the release's copy, which describes ${kept} more archive(s).`);
      await writeWithoutFollowing(file, sbomText(input));
      return extraReleaseFile(file, fingerprint);
    },
  };
}
