// Every file this action fetches is checked against a SHA-256 before it is used.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import * as tc from '@actions/tool-cache';
import { messageOf } from '../errors.js';
import { redactUrl, withoutUserinfo } from '../redact.js';
import type { Log } from '../log.js';

export async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** The input that names each download's URL, by the input that pins its hash. */
const URL_INPUT: Readonly<Record<string, string>> = { 'go-sha256': 'go-download-base-url', 'upx-sha256': 'upx-download-base-url', 'wintun-sha256': 'wintun-url' };

/** Attempts at a body that matches: a connection cut mid-body gives a short file and no error. */
const ATTEMPTS = 3;

/**
 * Downloads `url` and returns the path of a file whose SHA-256 is `sha256`. A body that does
 * not match is thrown away and fetched again (a cut connection gives a short file); after the
 * last attempt the error names the URL and the input that pins the hash.
 */
export async function downloadVerified(url: string, sha256: string, hashInput: string, log: Log): Promise<string> {
  let lastProblem = '';
  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    let file: string;
    try {
      // credentials in the URL travel as a header: tool-cache logs the URL it is given
      const request = withoutUserinfo(url);
      file = await tc.downloadTool(request.url, undefined, request.authorization); // retries 5xx, 408 and 429 itself
    } catch (error) {
      const input = URL_INPUT[hashInput];
      throw new Error(`Could not download ${redactUrl(url)}${input === undefined ? '' : ` (input '${input}')`}: ${messageOf(error)}`);
    }
    const actual = await sha256File(file);
    if (actual === sha256) return file;
    await rm(file, { force: true });
    lastProblem = `its SHA-256 is ${actual}, expected ${sha256}`;
    log.warning(`Download of ${redactUrl(url)} does not match (attempt ${attempt} of ${ATTEMPTS}): ${lastProblem}`);
  }
  throw new Error(
    `Could not get a verified copy of ${redactUrl(url)}: ${lastProblem}. If the file is right and the hash is not, set '${hashInput}'.`,
  );
}
