// The machine the action runs on, in the words of each tool's download names.

export interface HostPlatform {
  /** Go's GOOS of the host. */
  readonly os: 'linux' | 'darwin' | 'windows';
  /** Go's GOARCH of the host. */
  readonly arch: 'amd64' | 'arm64' | '386';
  /** @actions/tool-cache's arch folder, as actions/setup-go and hosted images use it. */
  readonly cacheArch: 'x64' | 'arm64' | 'x86';
}

export function hostPlatform(platform: NodeJS.Platform = process.platform, arch: string = process.arch): HostPlatform {
  const os = platform === 'win32' ? 'windows' : platform === 'darwin' ? 'darwin' : platform === 'linux' ? 'linux' : undefined;
  const goArch = arch === 'x64' ? 'amd64' : arch === 'arm64' ? 'arm64' : arch === 'ia32' ? '386' : undefined;
  if (os === undefined || goArch === undefined) {
    throw new Error(`This action runs on Linux, macOS and Windows on x64 or arm64, not ${platform}/${arch}.`);
  }
  const cacheArch = goArch === 'amd64' ? 'x64' : goArch === 'arm64' ? 'arm64' : 'x86';
  return { os, arch: goArch, cacheArch };
}

export function exeName(name: string, host: HostPlatform): string {
  return host.os === 'windows' ? `${name}.exe` : name;
}
