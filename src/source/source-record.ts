// How a module-proxy source is told: one line for the log, the summary and the release notes.
// Pure text from the record; an unverified source says so wherever it is named.
import type { ModuleSource } from '../model.js';

export function sourceLine(source: ModuleSource): string {
  const what = `the Go module ${source.module}@${source.version} from the module proxy, hash ${source.hash}`;
  return source.verified
    ? `Source: ${what}, checked against the checksum database ${source.checksumDatabase}.`
    : `Source: ${what}, UNVERIFIED: not checked against a checksum database (go-sumdb: off).`;
}

/** The same, in Markdown for the release notes. */
export function sourceMarkdown(source: ModuleSource): string {
  const what = `the Go module \`${source.module}@${source.version}\` from the module proxy, hash \`${source.hash}\``;
  return source.verified
    ? `Source: ${what}, checked against the checksum database ${source.checksumDatabase}.`
    : `Source: ${what}, **unverified**: not checked against a checksum database (go-sumdb: off).`;
}
