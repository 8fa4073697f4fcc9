// The action's default targets, and which of them upx packs (as src/plan/targets.ts decides:
// not darwin, whose recent releases kill packed binaries, not windows/arm64, which upx
// cannot pack). Written out here so the upstream recipe does the same work.
export interface BenchTarget {
  readonly os: string;
  readonly arch: string;
  readonly upx: boolean;
}

export const TARGETS: readonly BenchTarget[] = [
  ['linux', 'amd64'],
  ['linux', '386'],
  ['linux', 'arm64'],
  ['darwin', 'amd64'],
  ['darwin', 'arm64'],
  ['windows', 'amd64'],
  ['windows', '386'],
  ['windows', 'arm64'],
].map(([os, arch]) => ({ os: os!, arch: arch!, upx: os !== 'darwin' && !(os === 'windows' && arch === 'arm64') }));

export const VERSION = '0.3.7';
export const UPX_ARGS = ['-9'];
