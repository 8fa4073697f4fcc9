// After `go build`, before upx packs it: the binary must carry the registry's navigator image
// and no longer upstream's. A string that survived (another declaration, a vendored copy)
// would make ktctl pull from the internet in an air-gapped cluster.
import { fileContains, searchBuffer } from '../shared/index.js';

export function checkNavigatorInBinary(binary: string, id: string, wanted: string, replaced: string): void {
  const needles = [Buffer.from(wanted), Buffer.from(replaced)];
  const buffer = searchBuffer(needles);
  if (!fileContains(binary, [needles[0]!], buffer)) {
    throw new Error(
      `${id}: the built ktctl does not contain the navigator image ${wanted} that input 'image-registry' asked for; this kt-connect does not take its navigator image from ImageKtNavigator.`,
    );
  }
  // a registry path that contains upstream's name holds it necessarily: nothing to tell apart
  if (!wanted.includes(replaced) && fileContains(binary, [needles[1]!], buffer)) {
    throw new Error(
      `${id}: the built ktctl still contains upstream's navigator image ${replaced}, so it could pull from the internet; input 'image-registry' cannot redirect this kt-connect.`,
    );
  }
}
