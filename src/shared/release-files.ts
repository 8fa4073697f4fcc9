// The two small files that travel with the archives, in one place for packaging and publishing:
// the checksums file (`sha256sum -c` format) and build-info.json (which build made each archive).
// Both are pure text functions: packaging writes the checksums file next to the archives, and
// publishing renders both from what is on the release and parses what an earlier run left there.

// the release asset that records which build made each archive (fingerprints and checksums, no secrets)
export { BUILD_INFO_NAME } from './reserved-names.js';

/** What the two files say about one archive. */
export interface LedgerEntry {
  readonly sha256: string;
  /** The fingerprint of the build that made it; undefined for an archive this action did not make. */
  readonly fingerprint: string | undefined;
  /** The `h1:` hash of the kt-connect module it was built from, when that came from a module proxy. */
  readonly source?: string;
}

/** `<sha256>  <name>` lines sorted by name, as sha256sum writes and `sha256sum -c` reads. */
export function checksumsText(assets: Iterable<{ readonly name: string; readonly sha256: string }>): string {
  return [...assets]
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map((asset) => `${asset.sha256}  ${asset.name}\n`)
    .join('');
}

/** The lines of a checksums file, by name; lines that are not `<64 hex> <space or *><name>` are ignored. */
export function parseChecksums(text: string): Map<string, string> {
  const lines = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const match = /^([0-9a-fA-F]{64}) [ *](.+)$/.exec(line);
    if (match?.[1] !== undefined && match[2] !== undefined) lines.set(match[2], match[1].toLowerCase());
  }
  return lines;
}

/** The checksums file for ledger entries (the publishing side's view of the archives). */
export function renderChecksums(entries: ReadonlyMap<string, LedgerEntry>): string {
  return checksumsText([...entries].map(([name, entry]) => ({ name, sha256: entry.sha256 })));
}

export interface BuildInfo {
  readonly generator: 'ktctl-customize';
  readonly schema: 1;
  /** The build number of the run that last published to the release (src/publish/build-number.ts). */
  readonly build?: string;
  readonly archives: Readonly<Record<string, { readonly fingerprint?: string; readonly sha256: string; readonly source?: string }>>;
}

export function renderBuildInfo(entries: ReadonlyMap<string, LedgerEntry>, build?: string): string {
  const archives: Record<string, { fingerprint?: string; sha256: string; source?: string }> = {};
  for (const name of [...entries.keys()].sort()) {
    const entry = entries.get(name);
    if (entry === undefined) continue;
    archives[name] = {
      ...(entry.fingerprint === undefined ? {} : { fingerprint: entry.fingerprint }),
      sha256: entry.sha256,
      ...(entry.source === undefined ? {} : { source: entry.source }),
    };
  }
  const info: BuildInfo = { generator: 'ktctl-customize', schema: 1, ...(build === undefined ? {} : { build }), archives };
  return `${JSON.stringify(info, null, 2)}\n`;
}

/** Entries of a build-info.json; anything malformed (it is read back from a release) is left out. */
export function parseBuildInfo(text: string | undefined): Map<string, LedgerEntry> {
  const entries = new Map<string, LedgerEntry>();
  if (text === undefined) return entries;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return entries;
  }
  const archives = (value as { archives?: unknown } | null)?.archives;
  if (typeof archives !== 'object' || archives === null) return entries;
  for (const [name, raw] of Object.entries(archives as Record<string, unknown>)) {
    const entry = raw as { fingerprint?: unknown; sha256?: unknown; source?: unknown } | null;
    if (typeof entry?.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(entry.sha256)) continue;
    entries.set(name, {
      sha256: entry.sha256,
      fingerprint: typeof entry.fingerprint === 'string' ? entry.fingerprint : undefined,
      ...(typeof entry.source === 'string' && /^h1:[A-Za-z0-9+/]{43}=$/.test(entry.source) ? { source: entry.source } : {}),
    });
  }
  return entries;
}
