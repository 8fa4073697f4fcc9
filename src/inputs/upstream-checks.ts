// The checks that need the upstream tag: run after `git ls-remote`, before any download, on the
// configs as read before any network step (../config-checks.ts): the kubeconfig needs no tag.
import type { Log } from '../shared/index.js';
import type { BuildInputs } from '../model.js';
import { configSummaryOf } from './config-checks.js';
import { checkSettingsForTag } from './kt-config.js';
import { checkVersionAgainstImages } from './version.js';

export function validateForUpstream(inputs: BuildInputs, upstreamTag: string, _log: Log): void {
  const { ktSettings, overridesImages } = configSummaryOf(inputs);
  checkSettingsForTag(ktSettings.keys(), upstreamTag);
  // image-registry sets both images, so any version names images the registry can hold
  checkVersionAgainstImages(inputs.version, upstreamTag, overridesImages || inputs.imageRegistry !== undefined);
}
