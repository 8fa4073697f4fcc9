// Checks that the version baked into ktctl names images that exist.
import { defaultVersion } from '../plan/index.js';
import { InputError, printable, parseSemverTag } from '../shared/index.js';

/**
 * ktctl pulls `kt-connect-shadow:v<version>` and `kt-connect-router:v<version>`, where
 * `<version>` is the `-X main.version` value. A version that is not the upstream release's
 * bare number names images that do not exist, and ktctl fails only on a developer's machine,
 * when it first creates a pod. A kt config that sets both images makes the version free.
 */
export function checkVersionAgainstImages(version: string, upstreamTag: string, overridesImages: boolean): void {
  if (version === '' || overridesImages) return;
  const release = defaultVersion(upstreamTag);
  const images = `kt-connect-shadow:v${printable(version)} and kt-connect-router:v${printable(version)}`;
  const ways = `or set both global.image and mesh.router-image in kt-config to images you host`;
  if (/^v\d/.test(version)) {
    const bare = version.slice(1);
    throw new InputError(
      'version',
      `'${printable(version)}' starts with v, but ktctl adds its own: it would pull ${images}, which do not exist. Write ${printable(bare)}, leave version empty, ${ways}.`,
    );
  }
  // A branch or other non-release ref has no images of its own, so any release number may be
  // the right one to pull; only a release tag says which images match this code.
  if (parseSemverTag(upstreamTag) === undefined) return;
  if (version !== release) {
    throw new InputError(
      'version',
      `'${printable(version)}' is not the kt-connect release being built (${printable(upstreamTag)}): ktctl would pull ${images}, which are not that release's images (if they exist at all). Use ${printable(release)}, leave version empty, ${ways}.`,
    );
  }
}
