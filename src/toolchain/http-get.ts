// HTTP GET for the toolchain's downloads (Go and its index, upx, wintun) with the limits
// every network step has: a time to connect, and a time without a byte once connected, on
// the headers and on every stretch of the body. @actions/tool-cache's downloadTool has
// neither (a server that accepts and never answers holds the job until its own timeout),
// so this is a small downloader of its own: redirects (never from https to http), the
// runner's proxy settings, and retries of what may pass (5xx, 408, 429, resets, silence).
import { rm } from 'node:fs/promises';
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { getProxyUrl, HttpClient } from '@actions/http-client';
import { messageOf, redactUrl, type Log, limitsHint, type NetworkLimits, createExclusive, retryUnitMs } from '../shared/index.js';

const USER_AGENT = 'ktctl-customize';
const MAX_REDIRECTS = 10;
/** Attempts in all for one URL; the waits between them, in units of retryUnitMs (a second). */
const ATTEMPTS = 3;
const RETRY_DELAY_UNITS = [1, 3];

/** An answer other than 200 that no retry changes (404, 403, ...), or one that may (5xx, 408, 429). */
export class HttpStatusError extends Error {
  constructor(readonly status: number) {
    super(`HTTP ${status}`);
    this.name = 'HttpStatusError';
  }
}

/** The server did not connect, or went silent, for longer than the limit. */
export class NoAnswerError extends Error {
  constructor(
    readonly phase: 'connect' | 'idle',
    readonly seconds: number,
  ) {
    super(phase === 'connect' ? `no connection within ${seconds} s` : `no answer for ${seconds} s`);
    this.name = 'NoAnswerError';
  }
}

/** A download that failed for good; `cause` is the last attempt's error. */
export class DownloadError extends Error {
  constructor(
    message: string,
    override readonly cause: unknown,
  ) {
    super(message);
    this.name = 'DownloadError';
  }
}

/** A body larger than the caller can use: not retried. */
class TooLargeError extends Error {}

/** Worth another attempt: the server's trouble or the network's, not a wrong address. */
export function isRetryable(error: unknown): boolean {
  if (error instanceof HttpStatusError) return error.status >= 500 || error.status === 408 || error.status === 429;
  if (error instanceof TooLargeError) return false;
  // TLS certificate problems do not pass by themselves
  const code = (error as NodeJS.ErrnoException | undefined)?.code ?? '';
  return !/^(ERR_TLS_|CERT_|DEPTH_ZERO_|SELF_SIGNED_|UNABLE_TO_|ERR_INVALID_URL)/.test(code);
}

/** The next URL of a redirect: relative to the current one; credentials go only back to the origin that was given them. */
export function redirectTarget(location: string, current: URL, start: URL): URL | undefined {
  let next: URL;
  try {
    next = new URL(location, current);
  } catch {
    return undefined;
  }
  if (next.protocol !== 'https:' && next.protocol !== 'http:') return undefined;
  if (current.protocol === 'https:' && next.protocol === 'http:') return undefined;
  next.username = '';
  next.password = '';
  if (next.origin === start.origin) {
    next.username = start.username;
    next.password = start.password;
  }
  return next;
}

export interface GetOptions {
  readonly limits: NetworkLimits;
  /** The input the URL comes from, named in every error. */
  readonly input: string;
  /** Bytes the body may have at most. */
  readonly maxBytes: number;
  readonly log?: Log;
}

/** Downloads `url` into `file` (replaced on each attempt). */
export async function downloadToFile(url: string, file: string, options: GetOptions): Promise<void> {
  await withRetries(url, options, async (body) => {
    try {
      await rm(file, { force: true }); // an earlier attempt's bytes
      const handle = await createExclusive(file);
      await pipeline(body, handle.createWriteStream()); // which closes the handle
    } catch (error) {
      await rm(file, { force: true });
      throw error;
    }
  });
}

/** The body of `url` as text. */
export async function fetchText(url: string, options: GetOptions): Promise<string> {
  return withRetries(url, options, async (body) => {
    const chunks: Buffer[] = [];
    for await (const chunk of body) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  });
}

/**
 * Whether `url` answers 200, with the same limits, redirects and retries as a download: the
 * headers are read and the body is abandoned, so nothing large crosses the network.
 */
export async function probeUrl(url: string, options: Omit<GetOptions, 'maxBytes'>): Promise<void> {
  await withRetries(url, { ...options, maxBytes: Number.MAX_SAFE_INTEGER }, async (body) => {
    body.destroy();
  });
}

async function withRetries<T>(url: string, options: GetOptions, consume: (body: Readable) => Promise<T>): Promise<T> {
  const where = redactUrl(url);
  let last: unknown;
  let attempt = 0;
  while (attempt < ATTEMPTS) {
    attempt++;
    try {
      return await getOnce(new URL(url), options, consume);
    } catch (error) {
      last = error;
      if (!isRetryable(error) || attempt === ATTEMPTS) break;
      const units = RETRY_DELAY_UNITS[attempt - 1] ?? RETRY_DELAY_UNITS.at(-1)!;
      const delay = units * retryUnitMs();
      options.log?.warning(`Download of ${where} failed (attempt ${attempt} of ${ATTEMPTS}): ${messageOf(last)}; trying again in ${delay / 1000} s.`);
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
  const hint = last instanceof NoAnswerError ? `; ${limitsHint()}` : '';
  const tries = attempt === 1 ? '' : ` after ${attempt} attempts`;
  throw new DownloadError(`Could not download ${where} (input '${options.input}')${tries}: ${messageOf(last)}${hint}.`, last);
}

async function getOnce<T>(start: URL, options: GetOptions, consume: (body: Readable) => Promise<T>): Promise<T> {
  let current = start;
  for (let redirects = 0; ; redirects++) {
    const { response, heard } = await openResponse(current, options.limits);
    const status = response.statusCode ?? 0;
    const location = response.headers.location;
    if (status >= 300 && status < 400 && location !== undefined) {
      response.destroy();
      const next = redirectTarget(location, current, start);
      if (next === undefined) throw new Error(`HTTP ${status} redirects to an address this action does not follow (another scheme, or from https to http)`);
      if (redirects >= MAX_REDIRECTS) throw new Error(`more than ${MAX_REDIRECTS} redirects`);
      current = next;
      continue;
    }
    if (status !== 200) {
      response.destroy();
      throw new HttpStatusError(status);
    }
    const length = Number(response.headers['content-length'] ?? NaN);
    if (length > options.maxBytes) {
      response.destroy();
      throw new TooLargeError(`the server announces ${length} bytes, more than the ${options.maxBytes} bytes this action accepts here`);
    }
    return consume(watched(response, heard, options.maxBytes));
  }
}

/**
 * The body as the caller reads it: each chunk is a sign of life for the idle limit, and
 * more than `max` bytes fail (the server's word on the length is not trusted). An error of
 * the response (silence, a cut connection) reaches the reader through the pipeline.
 */
function watched(response: IncomingMessage, heard: () => void, max: number): Readable {
  let seen = 0;
  const body = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      heard();
      seen += chunk.length;
      callback(seen > max ? new TooLargeError(`more than the ${max} bytes this action accepts here`) : null, chunk);
    },
  });
  pipeline(response, body).catch(() => {}); // the reader of `body` gets the error
  return body;
}

interface OpenResponse {
  readonly response: IncomingMessage;
  /** To call on each chunk of the body: restarts the idle limit. */
  readonly heard: () => void;
}

/**
 * Sends the request and resolves with the response once its headers are in. The idle limit
 * keeps running on the body: the response is destroyed with a NoAnswerError when it goes silent.
 */
function openResponse(url: URL, limits: NetworkLimits): Promise<OpenResponse> {
  return new Promise((resolve, reject) => {
    const transport = url.protocol === 'https:' ? https : http;
    // the runner's https_proxy / no_proxy, as @actions/http-client reads them; else a one-off agent
    const agent = getProxyUrl(url.href) === '' ? false : new HttpClient(USER_AGENT).getAgent(url.href);
    const request = transport.request(url, { agent, headers: { 'user-agent': USER_AGENT, 'accept-encoding': 'identity' } });
    let response: IncomingMessage | undefined;
    let timer: NodeJS.Timeout | undefined;
    const expire = (error: NoAnswerError) => () => {
      if (response === undefined) request.destroy(error);
      else response.destroy(error);
    };
    const idle = (): void => {
      clearTimeout(timer);
      timer = setTimeout(expire(new NoAnswerError('idle', limits.idleSeconds)), limits.idleSeconds * 1000);
    };
    timer = setTimeout(expire(new NoAnswerError('connect', limits.connectSeconds)), limits.connectSeconds * 1000);
    request.on('socket', (socket) => {
      if (socket.connecting) socket.once('connect', idle);
      else idle();
    });
    request.on('response', (message) => {
      response = message;
      idle();
      message.on('close', () => clearTimeout(timer));
      resolve({ response: message, heard: () => timer?.refresh() });
    });
    request.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    request.end();
  });
}
