// Names in the runner's tool cache (`<RUNNER_TOOL_CACHE>/<name>/<version>/<arch>`), as
// actions/setup-go and the hosted images use it.
import { createHash } from 'node:crypto';

/**
 * The tool-cache name for a tool fetched from `baseUrl`. The official source keeps the plain
 * name (`go`, `upx`), so the Go preinstalled on hosted images is found. Any other source gets a
 * name of its own, as actions/setup-go does for a custom `go-download-base-url`: a mirror's
 * file never stands in for the official one, and the reverse. The name carries the mirror's
 * host, for whoever looks into the cache, and a hash of the whole address, so two mirrors on
 * one host stay apart. Credentials in the address are left out: a new token is the same mirror,
 * and a secret has no business in a folder name.
 */
export function toolCacheName(tool: string, baseUrl: string, officialBaseUrl: string): string {
  const source = sourceIdentity(baseUrl);
  if (source.key === sourceIdentity(officialBaseUrl).key) return tool;
  const digest = createHash('sha256').update(source.key).digest('hex').slice(0, 12);
  return `${tool}-${source.host}-${digest}`;
}

function sourceIdentity(baseUrl: string): { key: string; host: string } {
  const url = new URL(baseUrl);
  url.username = '';
  url.password = '';
  url.hash = '';
  // URL lowercases the scheme and host already; trailing slashes do not make another source
  const key = url.href.replace(/\/+$/, '');
  const host =
    url.hostname
      .toLowerCase()
      .replace(/[^a-z0-9.-]+/g, '-')
      .replace(/^-+|-+$/g, '') || 'mirror';
  return { key, host };
}
