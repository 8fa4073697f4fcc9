// What an installer script is generated from: the release it installs from, fixed when the
// action publishes it, and the pure helpers both scripts share (quoting, the host of a URL).
import type { GoArch, GoOs } from '../../model.js';

export const INSTALL_SH_NAME = 'install.sh';
export const INSTALL_PS1_NAME = 'install.ps1';

/** The file beside the installed binary that records what was installed (`key=value` lines). */
export const STATE_FILE_NAME = '.ktctl-install';

export interface InstallerArchive {
  readonly os: GoOs;
  readonly arch: GoArch;
  /** The asset's name on the release, as the plan named it. */
  readonly name: string;
}

export interface InstallerInput {
  /** `owner/name`. */
  readonly repository: string;
  /** GITHUB_SERVER_URL: `https://github.com` or a GHES host. */
  readonly serverUrl: string;
  /** GITHUB_API_URL: `https://api.github.com` or `https://<ghes>/api/v3`. */
  readonly apiUrl: string;
  readonly tag: string;
  /** ktctl's version (`0.3.7`). */
  readonly version: string;
  readonly checksumsName: string;
  /** The release's archives by target: what the installer picks from. */
  readonly archives: readonly InstallerArchive[];
  readonly attested: boolean;
}

/** Single-quoted for POSIX sh: `'` becomes `'\''`. */
export function shQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/** Single-quoted for PowerShell: `'` (and its typographic twins, which PowerShell also reads as quotes) doubled. */
export function psQuote(text: string): string {
  return `'${text.replace(/['\u2018\u2019\u201a\u201b]/g, (quote) => quote + quote)}'`;
}

/** `github.com` from `https://github.com/`: the host gh knows the server by. */
export function hostOf(serverUrl: string): string {
  return new URL(serverUrl).host;
}

/** `owner/name` for github.com, `host/owner/name` elsewhere: gh's `-R` for this server. */
export function ghRepository(input: Pick<InstallerInput, 'repository' | 'serverUrl'>): string {
  const host = hostOf(input.serverUrl);
  return host === 'github.com' ? input.repository : `${host}/${input.repository}`;
}

/** Refuses values no installer may carry: they come from the environment and the plan. */
export function checkInstallerInput(input: InstallerInput): void {
  if (!/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/.test(input.repository)) throw new Error(`'${input.repository}' is not an owner/name repository.`);
  for (const [name, url] of [
    ['GITHUB_SERVER_URL', input.serverUrl],
    ['GITHUB_API_URL', input.apiUrl],
  ] as const) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new Error(`${name} is not a URL.`);
    }
    if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw new Error(`${name} is not an http(s) URL.`);
    if (parsed.username !== '' || parsed.password !== '' || /[\s'"`$\\]/.test(url)) throw new Error(`${name} holds characters an installer cannot carry.`);
  }
  // a tag or name with a control character could not be shown or quoted safely
  for (const text of [input.tag, input.version, input.checksumsName, ...input.archives.map((archive) => archive.name)]) {
    if (text === '' || /[\x00-\x1f\x7f]/.test(text)) throw new Error(`'${text.replace(/[\x00-\x1f\x7f]/g, '?')}' cannot be baked into an installer.`);
  }
  for (const archive of input.archives) {
    if (!/^[A-Za-z0-9._+-]+$/.test(archive.name)) throw new Error(`The archive name ${archive.name} has characters the installers do not accept.`);
  }
}
