// The body of a release this action creates, and the job summary's text: what was built and
// how a developer downloads, verifies and installs it, per OS. Pure: text in, text out.
//
// What it may say about the configs: the NAMES of the embedded kt config settings (never their
// values), and the kubeconfig's current context and its namespace. A context name is chosen by
// whoever wrote the kubeconfig and grants nothing by itself, and developers need it to know
// which cluster the binary talks to; it is still shown only as a name, cut to a safe length.
// Nothing else of the kubeconfig (server, users, credentials) ever appears.
import { INSTALL_PS1_NAME, INSTALL_SH_NAME, STATE_FILE_NAME } from '../package/index.js';
import { targetId } from '../plan/index.js';
import { BUILD_INFO_NAME } from '../shared/index.js';
import { sourceMarkdown } from '../source/index.js';
import type { GoOs, KubeconfigSummary, ModuleSource, Target } from '../model.js';

export interface NotesArchive {
  readonly name: string;
  readonly os: GoOs;
  readonly arch: Target['arch'];
}

export interface ReleaseNotesInput {
  readonly version: string;
  readonly upstream: { readonly tag: string; readonly commit: string; readonly source?: ModuleSource };
  readonly goVersion: string;
  readonly archives: readonly NotesArchive[];
  readonly checksumsName: string;
  /** undefined: this job wrote no SBOM. */
  readonly sbomName: string | undefined;
  /** The release's tag. */
  readonly tag: string;
  /** `owner/name`; undefined outside GitHub Actions. */
  readonly repository: string | undefined;
  /** Names of the embedded kt config settings (`global.image`); undefined: not known in this job. */
  readonly ktConfigKeys: readonly string[] | undefined;
  /** undefined: not known in this job; `embedded: false`: upstream's placeholder. */
  readonly kube: KubeconfigSummary | undefined;
  /**
   * The workflow attests the archives (input `attestation`): only then is `gh attestation verify`
   * offered, as it fails for every download of a release that has no attestation.
   */
  readonly attested: boolean;
  /** The build number (src/build-number.ts); undefined outside GitHub Actions. */
  readonly build?: string | undefined;
  /** The release (or build) this rebuild replaces, when known. */
  readonly supersedes?: string | undefined;
  /** install.sh and install.ps1 are on the release (src/installers). */
  readonly installers?: boolean;
  /** GITHUB_SERVER_URL: gh needs `-R <host>/<owner>/<name>` off github.com. */
  readonly serverUrl?: string | undefined;
}

/** A name from an input, safe in Markdown inline code: printable, no backticks, at most 100 characters. */
export function shownName(text: string): string {
  const clean = text.replace(/[^\x20-\x7e]/g, '?').replace(/`/g, "'");
  return clean.length > 100 ? `${clean.slice(0, 100)}...` : clean;
}

const OS_NAMES: Record<GoOs, string> = { linux: 'Linux', darwin: 'macOS', windows: 'Windows' };

/**
 * Text from outside (a tag, a version, a Go version: inputs, or a build job's manifest) as plain
 * Markdown text: HTML is written as entities, Markdown's punctuation is backslash-escaped. Letters,
 * digits and `. - /` stay as they are, so `v0.3.7` reads `v0.3.7`.
 */
export function markdownText(text: string): string {
  return text.replace(/[^\x20-\x7e]/g, '?').replace(/[&<>"]|[\\`*_{}[\]()#+!|~]/g, (char) => (/[&<>"]/.test(char) ? `&#${char.charCodeAt(0)};` : `\\${char}`));
}

/** One word for a shell command a developer copies: as it is when plain, else single-quoted for `sh` or PowerShell. */
export function shellWord(text: string, os: GoOs): string {
  if (/^[A-Za-z0-9._/+:@=-]+$/.test(text)) return text;
  return os === 'windows' ? `'${text.replace(/'/g, "''")}'` : `'${text.replace(/'/g, "'\\''")}'`;
}

function code(text: string): string {
  return `\`${shownName(text)}\``;
}

/** A tag as one shell or PowerShell word: quoted when it holds anything but the usual characters. */
function tagWord(tag: string): string {
  return /^[A-Za-z0-9._+-]+$/.test(tag) ? tag : `'${shownName(tag).replace(/'/g, '')}'`;
}

/** gh's `-R`: `owner/name` on github.com, `host/owner/name` on GitHub Enterprise Server. */
function ghRepo(repository: string, serverUrl: string | undefined): string {
  if (serverUrl === undefined) return repository;
  let host: string;
  try {
    host = new URL(serverUrl).host;
  } catch {
    return repository;
  }
  return host === 'github.com' || host === '' ? repository : `${host}/${repository}`;
}

/** The one-line installs, first in the notes; the manual way follows them. */
function quickInstall(input: ReleaseNotesInput, repo: string): string[] {
  const tag = tagWord(input.tag);
  const oses = new Set(input.archives.map((archive) => archive.os));
  const lines = ['### Install in one line', ''];
  if (oses.has('linux') || oses.has('darwin')) {
    lines.push('**Linux and macOS**', '', '```sh', `gh release download ${tag} -R ${repo} -p ${INSTALL_SH_NAME} -O - | sh`, '```', '');
  }
  if (oses.has('windows')) {
    lines.push(
      '**Windows** (PowerShell)',
      '',
      '```powershell',
      `gh release download ${tag} -R ${repo} -p ${INSTALL_PS1_NAME} -D $env:TEMP --clobber; powershell -NoProfile -ExecutionPolicy Bypass -File $env:TEMP\\${INSTALL_PS1_NAME}`,
      '```',
      '',
    );
  }
  lines.push(
    'The installer picks the archive for your machine, checks its SHA-256 against the checksums file, and installs ktctl into `~/.local/bin` (Windows: `%LOCALAPPDATA%\\Programs\\ktctl`, with `wintun.dll` beside `ktctl.exe`); `--dir <folder>` installs elsewhere. ' +
      `Without gh, download the installer from this page and run it with \`GH_TOKEN\` set to a token that can read ${repo}. ` +
      `Run it again to update: it records what it installed (\`${STATE_FILE_NAME}\` beside ktctl) and says "up to date" when nothing changed; \`--check\` only reports (exit status 0: up to date, 10: an update is available).`,
    '',
  );
  return lines;
}

function connectNeedsAdmin(oses: ReadonlySet<GoOs>): string {
  const unix = oses.has('linux') || oses.has('darwin');
  const parts = [
    unix ? 'root on Linux and macOS (`sudo ktctl connect`)' : '',
    oses.has('windows') ? 'Administrator on Windows (a terminal opened with "Run as administrator")' : '',
  ];
  return `\`ktctl connect\` needs ${parts.filter((part) => part !== '').join(' and ')}: it creates a network device and routes.`;
}

/** The notes' build line; withCurrentBuild finds it again by its start. */
export function buildLine(build: string, supersedes: string | undefined): string {
  return (
    `Build ${code(build)} (workflow run number and attempt): rebuilds of the same version, such as after a kubeconfig rotation, get a higher number; \`${BUILD_INFO_NAME}\` and the installers show it.` +
    (supersedes === undefined ? '' : ` This build supersedes ${code(supersedes)}.`)
  );
}

/**
 * Generated notes of a release that was rebuilt in place, with the build line brought up to date
 * (and naming the build it supersedes); undefined when there is nothing to change: the build is
 * the same, or the body has no build line (a body someone wrote is never touched).
 */
export function withCurrentBuild(body: string, build: string): string | undefined {
  const lines = body.split('\n');
  const index = lines.findIndex((line) => line.startsWith('Build `'));
  if (index === -1) return undefined;
  const previous = /^Build `([^`]*)`/.exec(lines[index]!)?.[1];
  if (previous === undefined || previous === shownName(build)) return undefined;
  lines[index] = buildLine(build, `build ${previous}`);
  return lines.join('\n');
}

export function releaseNotes(input: ReleaseNotesInput): string {
  const repo = ghRepo(input.repository ?? '<owner>/<repo>', input.serverUrl);
  const lines: string[] = [];
  if (input.installers === true) lines.push(...quickInstall(input, repo));
  lines.push(connectNeedsAdmin(new Set(input.archives.map((archive) => archive.os))), '');
  lines.push(
    `ktctl ${markdownText(input.version)}, built by ktctl-customize from kt-connect ${markdownText(input.upstream.tag)} (commit \`${shownName(input.upstream.commit)}\`) with Go ${markdownText(input.goVersion.replace(/^go/, ''))}.`,
    '',
  );
  if (input.upstream.source !== undefined) lines.push(sourceMarkdown(input.upstream.source), '');
  if (input.build !== undefined) lines.push(buildLine(input.build, input.supersedes), '');
  lines.push(`Targets: ${input.archives.map((a) => targetId(a)).join(', ')}.`, '');

  lines.push('### What is embedded');
  if (input.kube === undefined) lines.push('- Kubeconfig: see the build jobs of this release.');
  else if (!input.kube.embedded) lines.push("- Kubeconfig: none (upstream's placeholder); ktctl uses your own kubeconfig.");
  else {
    lines.push(
      `- Kubeconfig: context ${input.kube.context === undefined ? '(none)' : code(input.kube.context)}, namespace ${input.kube.namespace === undefined ? '`default` (not set)' : code(input.kube.namespace)}. It takes precedence over KUBECONFIG and ~/.kube/config; \`ktctl -c <file>\` overrides it.`,
    );
    if (input.kube.credentialsExpire !== undefined) {
      lines.push(
        `- Its credential expires on ${input.kube.credentialsExpire} (UTC): ktctl stops connecting then; a rebuild with a new credential will be published before.`,
      );
    }
  }
  if (input.ktConfigKeys === undefined) lines.push('- kt config: see the build jobs of this release.');
  else if (input.ktConfigKeys.length === 0) lines.push('- kt config: none; ktctl uses its defaults and ~/.kt/config.');
  else {
    lines.push(
      `- kt config settings (names only): ${input.ktConfigKeys.map((key) => code(key)).join(', ')}. \`ktctl config show\` lists them as \`(build-in)\`; ~/.kt/config and command-line flags override them.`,
    );
  }
  lines.push('', 'Whoever holds these archives holds the embedded credentials: keep them inside the team.', '');

  const byOs = new Map<GoOs, NotesArchive[]>();
  for (const archive of input.archives) byOs.set(archive.os, [...(byOs.get(archive.os) ?? []), archive]);

  lines.push(
    '### Download',
    `With the GitHub CLI. For a private or internal repository, sign in first (\`gh auth login\`), or set \`GH_TOKEN\` to a token that can read ${repo}.`,
    '',
  );
  for (const [os, archives] of byOs) {
    const first = archives[0]!;
    lines.push(`**${OS_NAMES[os]}** (${archives.map((a) => `${targetId(a)}: \`${a.name}\``).join(', ')})`, '');
    lines.push(os === 'windows' ? '```powershell' : '```sh');
    lines.push(`gh release download ${shellWord(input.tag, os)} --repo ${repo} --pattern '${first.name}' --pattern '${input.checksumsName}'`);
    lines.push('```', '');
  }

  lines.push('### Verify', 'The checksums file lists the SHA-256 of every archive.', '');
  for (const [os, archives] of byOs) {
    const first = archives[0]!;
    lines.push(`**${OS_NAMES[os]}**`, '');
    if (os === 'windows') {
      lines.push(
        '```powershell',
        `$line = Select-String -Path ${input.checksumsName} -SimpleMatch '  ${first.name}'`,
        `(Get-FileHash ${first.name} -Algorithm SHA256).Hash.ToLower() -eq $line.Line.Split(' ')[0]   # True`,
        '```',
      );
    } else {
      lines.push('```sh', `grep '  ${first.name}$' ${input.checksumsName} | ${os === 'darwin' ? 'shasum -a 256 -c' : 'sha256sum -c'}`, '```');
    }
    lines.push('');
  }
  if (input.attested) {
    lines.push(
      'Provenance: the release workflow attests every archive (`actions/attest-build-provenance`); check who built a download and from which commit:',
      '',
      '```sh',
      `gh attestation verify ${input.archives[0]?.name ?? '<archive>'} --repo ${repo}`,
      '```',
      '',
    );
  }
  if (input.sbomName !== undefined) {
    lines.push(
      `The SBOM (\`${input.sbomName}\`, SPDX 2.3) lists the Go modules compiled into each binary, the Go toolchain and the kt-connect tag and commit.`,
      '',
    );
  }

  lines.push('### Install by hand');
  for (const [os, archives] of byOs) {
    const first = archives[0]!;
    const unpack = first.name.endsWith('.zip') ? `unzip ${first.name} ktctl` : `tar -xzf ${first.name} ktctl`;
    if (os === 'windows') {
      lines.push(
        `**Windows**: unpack and keep \`wintun.dll\` beside \`ktctl.exe\` (ktctl needs it), then add the folder to PATH:`,
        '',
        '```powershell',
        `Expand-Archive ${first.name} -DestinationPath $env:LOCALAPPDATA\\Programs\\ktctl`,
        '# the USER path, read from the user scope ($env:Path also holds the machine path)',
        "$userPath = [Environment]::GetEnvironmentVariable('Path', 'User')",
        "[Environment]::SetEnvironmentVariable('Path', ((@($userPath, \"$env:LOCALAPPDATA\\Programs\\ktctl\") | Where-Object { $_ }) -join ';'), 'User')",
        '```',
        '',
      );
    } else {
      lines.push(`**${OS_NAMES[os]}**:`, '', '```sh', unpack, 'sudo install -m 0755 ktctl /usr/local/bin/ktctl', '```', '');
    }
  }
  lines.push(`Then \`ktctl --version\` prints \`ktctl version ${shownName(input.version)}\`.`, '');
  return lines.join('\n');
}
