// What a run in mode all or build (or its dry run) will make, known before anything is built:
// the upstream release, the plan, the inputs as embedded, the fingerprint and the release tag.
import { computeFingerprint, fingerprintParts, releaseTagFor, type FingerprintParts, type PublishInputs } from '../publish/index.js';
import { ACTION_VERSION, type Log } from '../shared/index.js';
import type { BuildInputs, UpstreamRelease } from '../model.js';
import { planFor, resolveUpstreamTag, withRegistryImages, type PlannedBuild } from './pipeline.js';

export interface RunPlan {
  readonly upstream: UpstreamRelease;
  readonly plan: PlannedBuild;
  /** The inputs as embedded: the kt config with image-registry's images merged in. */
  readonly inputs: BuildInputs;
  readonly parts: FingerprintParts;
  readonly fingerprint: string;
  /** The tag a release would have; publishing says which it got. */
  readonly tag: string;
}

export async function planRun(given: BuildInputs, publishing: Pick<PublishInputs, 'releaseTag'>, log: Log): Promise<RunPlan> {
  const upstream = await resolveUpstreamTag(given, log);
  const plan = planFor(given, upstream);
  const inputs = withRegistryImages(given, plan); // the kt config as embedded, before the fingerprint hashes it
  const parts = fingerprintParts(inputs, upstream, plan.version, ACTION_VERSION);
  return { upstream, plan, inputs, parts, fingerprint: computeFingerprint(parts), tag: releaseTagFor(publishing, upstream.tag) };
}
