// Which GOOS/GOARCH pairs ktctl can be built for, and what upstream calls them.
import { InputError, printable } from '../shared/index.js';
import type { GoArch, GoOs, Target } from '../model.js';

interface TargetFacts {
  /** upstream's release words: `ktctl_<v>_<Os>_<Arch>` */
  readonly osWord: string;
  readonly archWord: string;
  /** Why upx must not touch this binary, if it must not. */
  readonly upxUnsupported?: string;
  /** Folder of wintun.zip's `wintun/bin/<dir>/wintun.dll` for this architecture. */
  readonly wintunArch?: string;
}

const OS_WORDS: Record<GoOs, string> = { linux: 'Linux', darwin: 'MacOS', windows: 'Windows' };
const ARCH_WORDS: Record<GoArch, string> = { amd64: 'x86_64', '386': 'i386', arm64: 'arm_64' };
const WINTUN_ARCH: Record<GoArch, string> = { amd64: 'amd64', '386': 'x86', arm64: 'arm64' };

// upstream's official release set; other pairs either fail to build (gvisor, wintun) or ship no tun support.
export const SUPPORTED_TARGETS: readonly Target[] = [
  { os: 'linux', arch: 'amd64' },
  { os: 'linux', arch: '386' },
  { os: 'linux', arch: 'arm64' },
  { os: 'darwin', arch: 'amd64' },
  { os: 'darwin', arch: 'arm64' },
  { os: 'windows', arch: 'amd64' },
  { os: 'windows', arch: '386' },
  { os: 'windows', arch: 'arm64' },
];

export function targetId(target: Target): string {
  return `${target.os}/${target.arch}`;
}

export function targetFacts(target: Target): TargetFacts {
  let upxUnsupported: string | undefined;
  if (target.os === 'darwin') {
    upxUnsupported = 'macOS 13 and newer kill upx-packed binaries';
  } else if (target.os === 'windows' && target.arch === 'arm64') {
    upxUnsupported = 'upx cannot pack windows/arm64 executables';
  }
  return {
    osWord: OS_WORDS[target.os],
    archWord: ARCH_WORDS[target.arch],
    ...(upxUnsupported === undefined ? {} : { upxUnsupported }),
    ...(target.os === 'windows' ? { wintunArch: WINTUN_ARCH[target.arch] } : {}),
  };
}

/** Parses `linux/amd64, windows/386` (commas, spaces or newlines), keeping the given order. */
export function parseTargets(text: string): Target[] {
  const words = text.split(/[\s,]+/).filter((word) => word !== '');
  if (words.length === 0) {
    throw new InputError('targets', `is empty; give one or more of ${SUPPORTED_TARGETS.map(targetId).join(', ')}.`);
  }
  const seen = new Set<string>();
  const targets: Target[] = [];
  for (const word of words) {
    const target = SUPPORTED_TARGETS.find((candidate) => targetId(candidate) === word.toLowerCase());
    if (target === undefined) {
      throw new InputError(
        'targets',
        `'${printable(word)}' is not a target ktctl can be built for; use GOOS/GOARCH from: ${SUPPORTED_TARGETS.map(targetId).join(', ')}.`,
      );
    }
    if (!seen.has(targetId(target))) {
      seen.add(targetId(target));
      targets.push(target);
    }
  }
  return targets;
}
