// Defaults of the build inputs, shared by action.yml (a test keeps the two in step)
// and the local command, which has no action.yml to read them from.

export const DEFAULT_TARGETS = 'linux/amd64,linux/386,linux/arm64,darwin/amd64,darwin/arm64,windows/amd64,windows/386,windows/arm64';

/** wintun 0.14.1, the release upstream ships, and its published SHA-256. */
export const WINTUN_URL = 'https://www.wintun.net/builds/wintun-0.14.1.zip';
export const WINTUN_SHA256 = '07c256185d6ee3652e09fa55c0b673e2624b565e02c4b9091c79ca7d2f24ef51';

export const UPX_VERSION = '4.2.4';

export const BUILD_DEFAULTS = {
  kubeconfig: '',
  'kt-config': '',
  'kt-connect-repository': 'alibaba/kt-connect',
  'kt-connect-version': 'latest',
  'kt-connect-source': 'auto',
  'kt-connect-commit': '',
  'go-proxy': '',
  'go-sumdb': '',
  version: '',
  'go-version': '',
  'go-download-base-url': 'https://go.dev/dl',
  'go-sha256': '',
  upx: 'true',
  'upx-version': UPX_VERSION,
  'upx-args': '-9',
  'upx-download-base-url': 'https://github.com/upx/upx/releases/download',
  'upx-sha256': '',
  'wintun-url': WINTUN_URL,
  'wintun-sha256': WINTUN_SHA256,
  targets: DEFAULT_TARGETS,
  'archive-format': 'zip',
  'asset-name-template': 'ktctl_{version}_{Os}_{Arch}',
  'output-dir': 'ktctl-dist',
  'max-parallel': '',
  cache: '',
  strict: 'false',
  'image-registry': '',
  patches: '',
  'min-credential-days': '30',
  'dry-run': 'false',
} as const satisfies Record<string, string>;

export type BuildInputName = keyof typeof BUILD_DEFAULTS;
