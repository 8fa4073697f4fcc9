// Reads go.dev's JSON release index (`/dl/?mode=json&include=all`), or a mirror's copy of
// it, which is as hostile as any download: every field the action uses is checked for its
// type and form before anything picks a release from it. Pure.
import type { GoIndexFile, GoIndexRelease } from './go-release.js';

export type GoIndexReading =
  | { readonly kind: 'index'; readonly releases: readonly GoIndexRelease[] }
  /** Not JSON at all: a plain mirror answering with a page of its own. */
  | { readonly kind: 'none'; readonly why: string };

/** JSON that is not a release index: says where and what, e.g. `release 3 (go1.19.2), file 2: sha256 is missing`. */
export class GoIndexError extends Error {
  constructor(readonly problem: string) {
    super(problem);
    this.name = 'GoIndexError';
  }
}

/** Plain file names only: the name is appended to the base URL. */
const FILE_NAME = /^[A-Za-z0-9][A-Za-z0-9._+-]*$/;
const SHA256 = /^[0-9a-fA-F]{64}$/;
/** A version fit to be shown in a message; anything else is shown by its position only. */
const SHOWABLE_VERSION = /^[A-Za-z0-9._+-]{1,40}$/;

export function readGoIndex(body: string): GoIndexReading {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return { kind: 'none', why: 'the answer is not JSON' };
  }
  if (!Array.isArray(parsed)) throw new GoIndexError(`the index is ${kindOf(parsed)}, not a list of releases`);
  return { kind: 'index', releases: parsed.map((release: unknown, i) => readRelease(release, i + 1)) };
}

function readRelease(value: unknown, position: number): GoIndexRelease {
  let where = `release ${position}`;
  if (!isObject(value)) throw new GoIndexError(`${where} is ${kindOf(value)}, not an object`);
  const version = value['version'];
  if (typeof version !== 'string' || version === '') throw new GoIndexError(`${where}: ${wrong('version', version, 'a version name')}`);
  if (SHOWABLE_VERSION.test(version)) where += ` (${version})`;
  const stable = value['stable'];
  if (typeof stable !== 'boolean') throw new GoIndexError(`${where}: ${wrong('stable', stable, 'true or false')}`);
  const files = value['files'];
  if (!Array.isArray(files)) throw new GoIndexError(`${where}: ${wrong('files', files, 'a list')}`);
  return { version, stable, files: files.map((file: unknown, j) => readFile(file, `${where}, file ${j + 1}`)) };
}

function readFile(value: unknown, where: string): GoIndexFile {
  if (!isObject(value)) throw new GoIndexError(`${where} is ${kindOf(value)}, not an object`);
  const text = (key: string): string => {
    const field = value[key];
    if (typeof field !== 'string') throw new GoIndexError(`${where}: ${wrong(key, field, 'text')}`);
    return field;
  };
  const file = { filename: text('filename'), os: text('os'), arch: text('arch'), sha256: text('sha256'), kind: text('kind') };
  if (!FILE_NAME.test(file.filename)) throw new GoIndexError(`${where}: filename is not a plain file name`);
  if (!SHA256.test(file.sha256)) throw new GoIndexError(`${where}: sha256 is not 64 hexadecimal digits`);
  return file;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function wrong(key: string, value: unknown, expected: string): string {
  return value === undefined ? `${key} is missing` : `${key} is ${kindOf(value)}, not ${expected}`;
}

/** What a JSON value is, for a message: never the value itself. */
function kindOf(value: unknown): string {
  if (value === undefined) return 'missing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return value === '' ? 'empty' : 'text';
  return `a ${typeof value}`;
}
