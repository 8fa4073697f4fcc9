// The checks that need the upstream tag: run after `git ls-remote`, before any download.
// The kubeconfig needs no tag: it is checked before any network step (config-checks.ts).
import type { Log } from '../shared/log.js';
import type { BuildInputs } from '../model.js';
import { validateKtConfig } from './kt-config.js';
import { checkVersionAgainstImages } from './version.js';

export function validateForUpstream(inputs: BuildInputs, upstreamTag: string, _log: Log): void {
  const { ktConfig } = inputs.configs;
  const overridesImages = ktConfig === undefined ? false : validateKtConfig(ktConfig, upstreamTag).overridesImages;
  // image-registry sets both images, so any version names images the registry can hold
  checkVersionAgainstImages(inputs.version, upstreamTag, overridesImages || inputs.imageRegistry !== undefined);
}
