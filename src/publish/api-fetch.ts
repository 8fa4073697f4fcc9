// The fetch every GitHub API call goes through, with the limits every network step has
// (KTCTL_CUSTOMIZE_CONNECT_TIMEOUT, KTCTL_CUSTOMIZE_IDLE_TIMEOUT): octokit has none of its own,
// so an API that accepts connections and never answers would hold the job until its timeout.
// undici's own timers do the work: a connect limit, a limit on the wait for the answer's headers
// (refreshed while a request body is still being written, so a large upload is never cut while
// its bytes flow), and a limit between two chunks of the answer's body. The body is read here,
// whole (API answers and the few small assets read back are small): octokit drops a body error
// silently, and a stalled body must fail the call, to be retried like any dropped connection.
import { getProxyUrl } from '@actions/http-client';
import { Agent, ProxyAgent, fetch as undiciFetch, Response, type Dispatcher } from 'undici';
import { limitsHint, type NetworkLimits, redactUrl } from '../shared/index.js';

/** GitHub's API did not connect, or went silent, for longer than the limit. */
export class ApiNoAnswerError extends Error {
  constructor(
    /** GITHUB_API_URL, or the upload host's URL for an upload. */
    readonly where: string,
    readonly phase: 'connect' | 'idle',
    readonly seconds: number,
  ) {
    super(phase === 'connect' ? `no connection to ${where} within ${seconds} s; ${limitsHint()}` : `no answer from ${where} for ${seconds} s; ${limitsHint()}`);
    this.name = 'ApiNoAnswerError';
  }
}

const TIMEOUT_CODES: Record<string, 'connect' | 'idle'> = {
  UND_ERR_CONNECT_TIMEOUT: 'connect',
  UND_ERR_HEADERS_TIMEOUT: 'idle',
  UND_ERR_BODY_TIMEOUT: 'idle',
};

/** The phase of an undici timeout anywhere in an error's causes, if it is one. */
export function timeoutPhase(error: unknown): 'connect' | 'idle' | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current !== undefined && current !== null; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && TIMEOUT_CODES[code] !== undefined) return TIMEOUT_CODES[code];
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/** The first ApiNoAnswerError among an error's causes. */
export function noAnswerOf(error: unknown): ApiNoAnswerError | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current !== undefined && current !== null; depth++) {
    if (current instanceof ApiNoAnswerError) return current;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/** Statuses whose answer has no body (a Response refuses one). */
const NULL_BODY = new Set([101, 204, 205, 304]);

/**
 * A fetch for octokit's `request.fetch`, bound to the limits. Proxies as the runner sets them
 * (HTTPS_PROXY, NO_PROXY), each with the same limits. A timeout fails as fetch does, a
 * TypeError, whose cause names `apiUrl` and the limit: octokit turns it into a 500, which
 * plugin-retry retries as any dropped connection.
 */
export function limitedFetch(apiUrl: string, limits: NetworkLimits): typeof globalThis.fetch {
  const timeouts = {
    connect: { timeout: limits.connectSeconds * 1000 },
    headersTimeout: limits.idleSeconds * 1000,
    bodyTimeout: limits.idleSeconds * 1000,
  };
  const dispatchers = new Map<string, Dispatcher>();
  const dispatcherFor = (url: string): Dispatcher => {
    const proxy = getProxyUrl(url);
    let dispatcher = dispatchers.get(proxy);
    if (dispatcher === undefined) {
      dispatcher = proxy === '' ? new Agent(timeouts) : new ProxyAgent({ uri: proxy, ...timeouts, proxyTls: timeouts.connect, requestTls: timeouts.connect });
      dispatchers.set(proxy, dispatcher);
    }
    return dispatcher;
  };
  const where = `${redactUrl(apiUrl)} (GITHUB_API_URL)`;
  const limited = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    try {
      const response = await undiciFetch(url, { ...(init as Parameters<typeof undiciFetch>[1]), dispatcher: dispatcherFor(url) });
      const body = NULL_BODY.has(response.status) ? null : await response.arrayBuffer();
      return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
    } catch (error) {
      const phase = timeoutPhase(error);
      if (phase === undefined) throw error;
      const host = new URL(url).origin === new URL(apiUrl).origin ? where : `${where} (its upload host ${new URL(url).origin})`;
      throw new TypeError('fetch failed', { cause: new ApiNoAnswerError(host, phase, phase === 'connect' ? limits.connectSeconds : limits.idleSeconds) });
    }
  };
  return limited as unknown as typeof globalThis.fetch;
}
