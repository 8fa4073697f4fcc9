// The installers published with every release (install.sh, install.ps1): generated from the
// release's repository, tag and archive names, written beside the archives, published like them.
import path from 'node:path';
import type { BuildPlan, GoArch, GoOs } from '../../model.js';
import { planBuild, type PlanInputs, SUPPORTED_TARGETS } from '../../plan/index.js';
import { writeWithoutFollowing } from '../../shared/index.js';
import { installPs1Text } from './install-ps1.js';
import { installShText } from './install-sh.js';
import { checkInstallerInput, INSTALL_PS1_NAME, INSTALL_SH_NAME, type InstallerArchive, type InstallerInput } from './model.js';

export { installPs1Text } from './install-ps1.js';
export { installShText, JSON_SCANNER_AWK } from './install-sh.js';

/**
 * The archive name of every target ktctl can be built for, named as this run's plan names its
 * own. Several `mode: all` jobs of one matrix each publish their targets to one release; each
 * job's installer must know the others' names too, and the same inputs give the same text, so
 * the jobs do not replace each other's installer. A target the release lacks is refused by the
 * installer: its checksums file has no line for it.
 */
export function installerArchives(planInputs: PlanInputs, plan: BuildPlan): InstallerArchive[] {
  const all = planBuild({ ...planInputs, version: plan.version, targets: SUPPORTED_TARGETS }, plan.upstream);
  return all.targets.map((target) => ({ os: target.target.os, arch: target.target.arch, name: target.archiveName }));
}

/** Archives as collected from build jobs (mode: publish): exactly what the release holds. */
export function collectedArchives(assets: readonly { readonly name: string; readonly os: GoOs; readonly arch: GoArch }[]): InstallerArchive[] {
  return assets.map((asset) => ({ os: asset.os, arch: asset.arch, name: asset.name }));
}

/** The two scripts' texts, by file name. */
export function installerTexts(input: InstallerInput): Map<string, string> {
  checkInstallerInput(input);
  return new Map([
    [INSTALL_SH_NAME, installShText(input)],
    [INSTALL_PS1_NAME, installPs1Text(input)],
  ]);
}

/** Writes both into `dir` (the output folder); returns their paths. */
export async function writeInstallers(dir: string, input: InstallerInput): Promise<string[]> {
  const files: string[] = [];
  for (const [name, text] of installerTexts(input)) {
    const file = path.join(dir, name);
    await writeWithoutFollowing(file, text); // never through a link someone left in the folder
    files.push(file);
  }
  return files;
}
