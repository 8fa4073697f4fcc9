// Packs each binary (and wintun.dll for Windows) into its archive, writes the checksums
// file, and only then moves the whole set into the output folder: a failed run leaves
// no set there that looks complete but is not.
import path from 'node:path';
import {
  publishedText,
  checksumsText,
  makeFolderWithoutLinks,
  moveWithoutFollowing,
  makePrivateFolder,
  PUBLIC_FILE_MODE,
  writePrivateFile,
  allSettledOrThrow,
} from '../shared/index.js';
import { writeTarGz, writeZip, type ArchiveEntry } from './archive/index.js';
import type { Asset, BuildPlan, TargetPlan } from '../model.js';

/** The checksums file's format lives with build-info.json's, in release-files.ts. */
export { checksumsText };

export interface PackageInputs {
  readonly binaries: ReadonlyMap<TargetPlan, string>;
  /** wintun.dll by `wintun/bin/<arch>` folder name. */
  readonly wintun: ReadonlyMap<string, string>;
  /** Seconds since the epoch stamped on every entry: the upstream commit's time. */
  readonly mtime: number;
  /** Scratch folder for the archives until all are written. */
  readonly stagingDir: string;
  readonly outputDir: string;
}

export interface PackageResult {
  readonly assets: Asset[];
  readonly checksumsFile: string;
}

function archiveEntries(target: TargetPlan, binary: string, wintun: ReadonlyMap<string, string>): ArchiveEntry[] {
  const entries: ArchiveEntry[] = [{ name: target.binaryName, source: binary, mode: 0o755 }];
  if (target.wintunArch !== undefined) {
    const dll = wintun.get(target.wintunArch);
    if (dll === undefined) throw new Error(`wintun.dll for ${target.wintunArch} was not fetched`);
    entries.push({ name: 'wintun.dll', source: dll, mode: 0o644 });
  }
  return entries;
}

export async function packageArchives(plan: BuildPlan, inputs: PackageInputs): Promise<PackageResult> {
  await makePrivateFolder(inputs.stagingDir);
  const staged = await allSettledOrThrow(
    plan.targets.map(async (target) => {
      const binary = inputs.binaries.get(target);
      if (binary === undefined) throw new Error(`no binary was built for ${target.target.os}/${target.target.arch}`);
      const file = path.join(inputs.stagingDir, target.archiveName);
      const write = target.archiveFormat === 'zip' ? writeZip : writeTarGz;
      const { size, sha256 } = await write(file, archiveEntries(target, binary, inputs.wintun), inputs.mtime);
      return { target, file, size, sha256 };
    }),
  );
  const stagedChecksums = path.join(inputs.stagingDir, plan.checksumsName);
  await writePrivateFile(
    stagedChecksums,
    publishedText('checksums file', checksumsText(staged.map((s) => ({ name: s.target.archiveName, sha256: s.sha256 })))),
    PUBLIC_FILE_MODE,
  );

  // no write in output-dir follows a link, on one file system or two
  await makeFolderWithoutLinks(inputs.outputDir);
  const assets: Asset[] = [];
  for (const item of staged) {
    const destination = path.join(inputs.outputDir, item.target.archiveName);
    await moveWithoutFollowing(item.file, destination);
    assets.push({
      name: item.target.archiveName,
      path: destination,
      os: item.target.target.os,
      arch: item.target.target.arch,
      size: item.size,
      sha256: item.sha256,
    });
  }
  const checksumsFile = path.join(inputs.outputDir, plan.checksumsName);
  await moveWithoutFollowing(stagedChecksums, checksumsFile); // last: its presence marks a complete set
  return { assets, checksumsFile };
}
