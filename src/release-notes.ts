// The body of a release this action creates, and the job summary's text: what was built and
// how a developer downloads, verifies and installs it, per OS. Pure: text in, text out.
//
// What it may say about the configs: the NAMES of the embedded kt config settings (never their
// values), and the kubeconfig's current context and its namespace. A context name is chosen by
// whoever wrote the kubeconfig and grants nothing by itself, and developers need it to know
// which cluster the binary talks to; it is still shown only as a name, cut to a safe length.
// Nothing else of the kubeconfig (server, users, credentials) ever appears.
import { isMap, isScalar, isSeq, parseDocument } from 'yaml';
import type { GoOs, ModuleSource, Target } from './model.js';
import { sourceMarkdown } from './source-record.js';
import { targetId } from './targets.js';

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
}

export interface KubeconfigSummary {
  readonly embedded: boolean;
  readonly context?: string;
  readonly namespace?: string;
}

/** A name from an input, safe in Markdown inline code: printable, no backticks, at most 100 characters. */
export function shownName(text: string): string {
  const clean = text.replace(/[^\x20-\x7e]/g, '?').replace(/`/g, "'");
  return clean.length > 100 ? `${clean.slice(0, 100)}...` : clean;
}

/** The current context's name and namespace; nothing else of the kubeconfig is read out. */
export function kubeconfigSummary(kubeconfig: string | undefined): KubeconfigSummary {
  if (kubeconfig === undefined) return { embedded: false };
  const doc = parseDocument(kubeconfig, { uniqueKeys: false });
  const root = doc.contents;
  if (!isMap(root)) return { embedded: true };
  const current = root.get('current-context');
  const context = typeof current === 'string' ? current : undefined;
  let namespace: string | undefined;
  const contexts = root.get('contexts');
  if (context !== undefined && isSeq(contexts)) {
    for (const item of contexts.items) {
      if (!isMap(item) || item.get('name') !== context) continue;
      const body = item.get('context');
      const ns = isMap(body) ? body.get('namespace') : undefined;
      if (typeof ns === 'string' || (isScalar(ns) && typeof ns.value === 'string')) namespace = String(isScalar(ns) ? ns.value : ns);
      break;
    }
  }
  return { embedded: true, ...(context === undefined ? {} : { context }), ...(namespace === undefined ? {} : { namespace }) };
}

const OS_NAMES: Record<GoOs, string> = { linux: 'Linux', darwin: 'macOS', windows: 'Windows' };

function code(text: string): string {
  return `\`${shownName(text)}\``;
}

export function releaseNotes(input: ReleaseNotesInput): string {
  const repo = input.repository ?? '<owner>/<repo>';
  const lines: string[] = [];
  lines.push(
    `ktctl ${input.version}, built by ktctl-customize from kt-connect ${input.upstream.tag} (commit \`${input.upstream.commit}\`) with Go ${input.goVersion.replace(/^go/, '')}.`,
    '',
    ...(input.upstream.source === undefined ? [] : [sourceMarkdown(input.upstream.source), '']),
    `Targets: ${input.archives.map((a) => targetId(a)).join(', ')}.`,
    '',
  );

  lines.push('### What is embedded');
  if (input.kube === undefined) lines.push('- Kubeconfig: see the build jobs of this release.');
  else if (!input.kube.embedded) lines.push("- Kubeconfig: none (upstream's placeholder); ktctl uses your own kubeconfig.");
  else {
    lines.push(
      `- Kubeconfig: context ${input.kube.context === undefined ? '(none)' : code(input.kube.context)}, namespace ${input.kube.namespace === undefined ? '`default` (not set)' : code(input.kube.namespace)}. It takes precedence over KUBECONFIG and ~/.kube/config; \`ktctl -c <file>\` overrides it.`,
    );
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
    lines.push(`gh release download ${input.tag} --repo ${repo} --pattern '${first.name}' --pattern '${input.checksumsName}'`);
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
  lines.push(
    'Provenance (when the release workflow attests the archives with `actions/attest-build-provenance`):',
    '',
    '```sh',
    `gh attestation verify ${input.archives[0]?.name ?? '<archive>'} --repo ${repo}`,
    '```',
    '',
  );
  if (input.sbomName !== undefined) {
    lines.push(
      `The SBOM (\`${input.sbomName}\`, SPDX 2.3) lists the Go modules compiled into each binary, the Go toolchain and the kt-connect tag and commit.`,
      '',
    );
  }

  lines.push('### Install');
  for (const [os, archives] of byOs) {
    const first = archives[0]!;
    const unpack = first.name.endsWith('.zip') ? `unzip ${first.name} ktctl` : `tar -xzf ${first.name} ktctl`;
    if (os === 'windows') {
      lines.push(
        `**Windows**: unpack and keep \`wintun.dll\` beside \`ktctl.exe\` (ktctl needs it), then add the folder to PATH:`,
        '',
        '```powershell',
        `Expand-Archive ${first.name} -DestinationPath $env:LOCALAPPDATA\\ktctl`,
        '[Environment]::SetEnvironmentVariable("Path", "$env:Path;$env:LOCALAPPDATA\\ktctl", "User")',
        '```',
        '',
      );
    } else {
      lines.push(`**${OS_NAMES[os]}**:`, '', '```sh', unpack, 'sudo install -m 0755 ktctl /usr/local/bin/ktctl', '```', '');
    }
  }
  lines.push(`Then \`ktctl --version\` prints \`ktctl version ${input.version}\`.`, '');
  return lines.join('\n');
}
