// What a run will produce, decided up front from the inputs and the upstream tag alone.
import { InputError } from './errors.js';
import type { ArchiveFormat, ArchiveFormatChoice, BuildPlan, GoOs, Target, TargetPlan, UpstreamRelease } from './model.js';
import { printable } from './redact.js';
import { targetFacts } from './targets.js';

const PLACEHOLDERS = ['version', 'tag', 'os', 'arch', 'Os', 'Arch'] as const;
type Placeholder = (typeof PLACEHOLDERS)[number];

/** Checks a name template before any build: only known placeholders, a name that is one file, unique per target. */
export function checkNameTemplate(template: string): void {
  const fail = (detail: string): never => {
    throw new InputError('asset-name-template', detail);
  };
  if (template.trim() === '') fail('is empty; the default is ktctl_{version}_{Os}_{Arch}.');
  for (const match of template.matchAll(/\{([^{}]*)\}/g)) {
    if (!(PLACEHOLDERS as readonly string[]).includes(match[1] ?? '')) {
      fail(`{${printable(match[1] ?? '')}} is not a placeholder; use ${PLACEHOLDERS.map((p) => `{${p}}`).join(' ')}.`);
    }
  }
  const literal = template.replace(/\{(version|tag|os|arch|Os|Arch)\}/g, '');
  if (!/^[A-Za-z0-9._+-]*$/.test(literal) || template.includes('..')) {
    fail(`'${printable(template)}' must name one file: letters, digits and . _ + - only, no path separators, no '..'.`);
  }
  if (!/\{(os|Os)\}/.test(template) || !/\{(arch|Arch)\}/.test(template)) {
    fail('must contain {os} or {Os} and {arch} or {Arch}, or two targets would get the same archive name.');
  }
}

export function assetBaseName(template: string, version: string, tag: string, target: Target): string {
  const facts = targetFacts(target);
  const values: Record<Placeholder, string> = {
    version,
    tag,
    os: target.os,
    arch: target.arch,
    Os: facts.osWord,
    Arch: facts.archWord,
  };
  return template.replace(/\{(version|tag|os|arch|Os|Arch)\}/g, (_, key: Placeholder) => values[key]);
}

export function archiveFormatFor(choice: ArchiveFormatChoice, target: Target): ArchiveFormat {
  if (choice !== 'auto') return choice;
  return target.os === 'windows' ? 'zip' : 'tar.gz';
}

/** The version ktctl reports and pulls images with: `v0.3.7` becomes `0.3.7`. */
export function defaultVersion(tag: string): string {
  return tag.replace(/^v(?=\d)/, '');
}

export interface PlanInputs {
  readonly version: string;
  readonly targets: readonly Target[];
  readonly archiveFormat: ArchiveFormatChoice;
  readonly assetNameTemplate: string;
  readonly upxEnabled: boolean;
  /** Pack only these operating systems (input `upx: linux`); undefined: every one. */
  readonly upxOses?: readonly GoOs[] | undefined;
}

export function planBuild(inputs: PlanInputs, upstream: UpstreamRelease): BuildPlan {
  const version = inputs.version === '' ? defaultVersion(upstream.tag) : inputs.version;
  const targets = inputs.targets.map((target): TargetPlan => {
    const facts = targetFacts(target);
    const archiveFormat = archiveFormatFor(inputs.archiveFormat, target);
    return {
      target,
      binaryName: target.os === 'windows' ? 'ktctl.exe' : 'ktctl',
      upxSkipReason: upxSkipReason(inputs, target, facts.upxUnsupported),
      wintunArch: facts.wintunArch,
      archiveFormat,
      archiveName: `${assetBaseName(inputs.assetNameTemplate, version, upstream.tag, target)}.${archiveFormat}`,
    };
  });
  return { version, upstream, targets, checksumsName: `ktctl_${version}_checksums.txt` };
}

function upxSkipReason(inputs: PlanInputs, target: Target, unsupported: string | undefined): string | undefined {
  if (!inputs.upxEnabled) return 'upx is turned off';
  if (unsupported !== undefined) return unsupported;
  if (inputs.upxOses !== undefined && !inputs.upxOses.includes(target.os)) return `upx is off for ${target.os} (input upx: ${inputs.upxOses.join(',')})`;
  return undefined;
}
