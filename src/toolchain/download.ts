// Every file this action fetches is checked against a SHA-256 before it is used.
import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { redactUrl, type Log, networkLimits, sha256File } from '../shared/index.js';
import { downloadToFile } from './http-get.js';

/** Attempts at a body that matches: a proxy that cuts a body and calls it whole gives a short file and no error. */
const ATTEMPTS = 3;

/** Larger than any Go, upx or wintun release by far: a bound for a server that never stops sending. */
const MOST_BYTES = 1024 ** 3;

export interface VerifiedDownload {
  readonly url: string;
  /** The input the URL comes from: named when the server cannot be reached or does not answer. */
  readonly urlInput: string;
  readonly sha256: string;
  /** The input that pins the hash: named when the file does not match it. */
  readonly hashInput: string;
}

/**
 * Downloads `url` and returns the path of a file whose SHA-256 is `sha256`. HTTP errors,
 * resets and silence are retried by the downloader (http-get.ts); a body that does not match
 * is thrown away and fetched again; after the last attempt the error names the URL and the
 * input that pins the hash.
 */
export async function downloadVerified(download: VerifiedDownload, log: Log): Promise<string> {
  const { url, sha256, hashInput } = download;
  const limits = networkLimits(process.env);
  let lastProblem = '';
  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    // in the runner's temp folder, as @actions/tool-cache's downloadTool did
    const file = path.join(process.env['RUNNER_TEMP'] || os.tmpdir(), randomUUID());
    await downloadToFile(url, file, { limits, input: download.urlInput, maxBytes: MOST_BYTES, log });
    const actual = await sha256File(file);
    if (actual === sha256) return file;
    await rm(file, { force: true });
    lastProblem = `its SHA-256 is ${actual}, expected ${sha256}`;
    log.warning(`Download of ${redactUrl(url)} does not match (attempt ${attempt} of ${ATTEMPTS}): ${lastProblem}`);
  }
  throw new Error(`Could not get a verified copy of ${redactUrl(url)}: ${lastProblem}. If the file is right and the hash is not, set '${hashInput}'.`);
}
