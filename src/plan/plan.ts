// What a run will produce, decided up front from the inputs and the upstream tag alone.
import { InputError, printable, checksumsNameFor, reservedNameKind } from '../shared/index.js';
import type { ArchiveFormat, ArchiveFormatChoice, BuildPlan, GoOs, Target, TargetPlan, UpstreamRelease } from '../model.js';
import { SUPPORTED_TARGETS, targetFacts } from './targets.js';

const PLACEHOLDERS = ['version', 'tag', 'os', 'arch', 'Os', 'Arch'] as const;
type Placeholder = (typeof PLACEHOLDERS)[number];

/**
 * Checks a name template before any build: only known placeholders, a name that is one file,
 * unique per target, and never one of the action's own names (reserved-names.ts). `version` is
 * the version input when given; a {version} or {tag} not known yet is checked again by planBuild.
 */
export function checkNameTemplate(template: string, version = ''): void {
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
  // a placeholder not known yet stands as a character no reserved name holds: only what is known can collide now
  for (const target of SUPPORTED_TARGETS) checkArchiveNames(template, assetBaseName(template, version === '' ? '\0' : version, '\0', target));
}

/** Every archive name a base name can give (one per format): none may be one of the action's own. */
function checkArchiveNames(template: string, base: string): void {
  for (const name of [`${base}.zip`, `${base}.tar.gz`]) {
    const kind = reservedNameKind(name);
    if (kind !== undefined) {
      throw new InputError(
        'asset-name-template',
        `'${printable(template)}' gives archives a name the action keeps for its own ${kind} (${printable(name.replace(/\0/g, '…'))}); start it with something else, such as the default ktctl_{version}_{Os}_{Arch}.`,
      );
    }
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
  for (const target of inputs.targets) checkArchiveNames(inputs.assetNameTemplate, assetBaseName(inputs.assetNameTemplate, version, upstream.tag, target));
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
  return { version, upstream, targets, checksumsName: checksumsNameFor(version) };
}

function upxSkipReason(inputs: PlanInputs, target: Target, unsupported: string | undefined): string | undefined {
  if (!inputs.upxEnabled) return 'upx is turned off';
  if (unsupported !== undefined) return unsupported;
  if (inputs.upxOses !== undefined && !inputs.upxOses.includes(target.os)) return `upx is off for ${target.os} (input upx: ${inputs.upxOses.join(',')})`;
  return undefined;
}
