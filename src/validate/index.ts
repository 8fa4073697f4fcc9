// The checks that need the upstream tag: run after `git ls-remote`, before any download.
import type { Log } from '../log.js';
import type { BuildInputs } from '../model.js';
import { validateKtConfig } from './kt-config.js';
import { validateKubeconfig } from './kubeconfig.js';
import { checkVersionAgainstImages } from './version.js';

export function validateForUpstream(inputs: BuildInputs, upstreamTag: string, log: Log): void {
  const { kubeconfig, ktConfig } = inputs.configs;
  if (kubeconfig !== undefined) {
    for (const warning of validateKubeconfig(kubeconfig, inputs.strict).warnings) log.warning(`Input 'kubeconfig': ${warning}`);
  }
  const overridesImages = ktConfig === undefined ? false : validateKtConfig(ktConfig, upstreamTag).overridesImages;
  // image-registry sets both images, so any version names images the registry can hold
  checkVersionAgainstImages(inputs.version, upstreamTag, overridesImages || inputs.imageRegistry !== undefined);
}
