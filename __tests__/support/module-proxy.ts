// The real kt-connect v0.3.7 as the Go module proxy serves it, fetched the way the action
// fetches it (`go mod download`, checked against the checksum database) and held to the hash the
// checksum database records, pinned here. Kept with the shared test caches across runs, with the
// checksum database's answers for it, so a local file:// proxy can serve the module and the
// database's proof of it offline (and a copy with one changed byte, for the tampered-zip test).
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { GO_ROOT_SOURCE } from './downloads.js';
import { SHARED_ROOT } from './shared-caches.js';

export const MODULE = 'github.com/alibaba/kt-connect';
export const MODULE_VERSION = 'v0.3.7';
/** The module's hash as sum.golang.org records it for good. */
export const MODULE_H1 = 'h1:wQbzzvts5qoEnlDdRVfk3KJ/8tcjz3Rc6Tn887FUp3g=';
export const MODULE_COMMIT = 'f064f771aa7ba03a0e6bc92f712306e9bcd8a6f5';

const CACHE = path.join(SHARED_ROOT, `module-${MODULE_VERSION}`);

export interface RealModule {
  /** The module zip as the proxy served it (its hash checked). */
  readonly zip: string;
  readonly info: string;
  readonly mod: string;
  /** The checksum database's answers the go command used for it: lookup/ and tile/ files. */
  readonly sumdb: string;
}

function goBinary(): string {
  const candidate = path.join(GO_ROOT_SOURCE, 'bin', 'go');
  return existsSync(candidate) ? candidate : 'go';
}

/**
 * Fetches the module once (the network: GOPROXY and GOSUMDB of this environment, go's defaults
 * otherwise) with a fresh GOPATH and module cache, so the checksum database's answers are all
 * fetched and kept; throws when its hash is not the pinned one.
 */
export function realModule(): RealModule {
  const done = path.join(CACHE, 'complete');
  const kept: RealModule = {
    zip: path.join(CACHE, 'module', `${MODULE_VERSION}.zip`),
    info: path.join(CACHE, 'module', `${MODULE_VERSION}.info`),
    mod: path.join(CACHE, 'module', `${MODULE_VERSION}.mod`),
    sumdb: path.join(CACHE, 'sumdb'),
  };
  if (existsSync(done) && readFileSync(done, 'utf8') === MODULE_H1) return kept;
  const work = `${CACHE}.tmp-${process.pid}`;
  rmSync(work, { recursive: true, force: true });
  mkdirSync(path.join(work, 'empty'), { recursive: true });
  let report: { Sum?: string; Zip?: string; Info?: string; GoMod?: string; Error?: string };
  try {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      GOPATH: path.join(work, 'gopath'),
      GOMODCACHE: path.join(work, 'modcache'),
      GOFLAGS: '-mod=mod -modcacherw',
      GO111MODULE: 'on',
      GOTOOLCHAIN: 'local',
      GONOSUMDB: '',
      GOPRIVATE: '',
      GOINSECURE: '',
    };
    if ((env['GOPROXY'] ?? '') === '' || env['GOPROXY'] === 'off') delete env['GOPROXY'];
    const output = execFileSync(goBinary(), ['mod', 'download', '-json', `${MODULE}@${MODULE_VERSION}`], {
      cwd: path.join(work, 'empty'),
      env,
      encoding: 'utf8',
      timeout: 180_000,
    });
    report = JSON.parse(output) as typeof report;
  } catch (error) {
    rmSync(work, { recursive: true, force: true });
    throw new Error(
      `The real kt-connect ${MODULE_VERSION} is needed from the Go module proxy (no kt-connect-v0.3.7.tar.gz beside the repository), and go mod download failed: ${(error as Error).message}`,
    );
  }
  if (report.Sum !== MODULE_H1 || report.Zip === undefined || report.Info === undefined || report.GoMod === undefined) {
    rmSync(work, { recursive: true, force: true });
    throw new Error(`go mod download gave ${MODULE}@${MODULE_VERSION} with hash ${report.Sum}, not the pinned ${MODULE_H1}: refusing it.`);
  }
  const staged = path.join(work, 'kept');
  mkdirSync(path.join(staged, 'module'), { recursive: true });
  cpSync(report.Zip, path.join(staged, 'module', `${MODULE_VERSION}.zip`));
  cpSync(report.Info, path.join(staged, 'module', `${MODULE_VERSION}.info`));
  cpSync(report.GoMod, path.join(staged, 'module', `${MODULE_VERSION}.mod`));
  cpSync(path.join(work, 'modcache', 'cache', 'download', 'sumdb', 'sum.golang.org'), path.join(staged, 'sumdb'), { recursive: true });
  writeFileSync(path.join(staged, 'complete'), MODULE_H1);
  rmSync(CACHE, { recursive: true, force: true });
  renameSync(staged, CACHE); // whole or not at all: a parallel run sees the old or the new copy
  rmSync(work, { recursive: true, force: true });
  return kept;
}

/**
 * A module proxy in `dir` (use `file://<dir>` as GOPROXY) that serves kt-connect v0.3.7 and the
 * checksum database's proof of it at /sumdb/sum.golang.org/, as a company proxy does. `tampered`:
 * the zip with one byte changed (a file name in the central directory, so the zip stays valid and
 * only its hash differs). `sumdb: false`: no checksum database behind it, so the go command asks
 * the one GOSUMDB names.
 */
export function fileProxy(dir: string, options: { tampered?: boolean; sumdb?: boolean } = {}): string {
  const real = realModule();
  const at = path.join(dir, ...MODULE.split('/'), '@v');
  mkdirSync(at, { recursive: true });
  writeFileSync(path.join(at, 'list'), `${MODULE_VERSION}\nv0.3.6\nv0.3.6-beta1\n`);
  cpSync(real.info, path.join(at, `${MODULE_VERSION}.info`));
  cpSync(real.mod, path.join(at, `${MODULE_VERSION}.mod`));
  const zip = readFileSync(real.zip);
  writeFileSync(path.join(at, `${MODULE_VERSION}.zip`), options.tampered === true ? tamper(zip) : zip);
  if (options.sumdb === false) return `file://${dir}`;
  const sumdb = path.join(dir, 'sumdb', 'sum.golang.org');
  cpSync(real.sumdb, sumdb, { recursive: true });
  writeFileSync(path.join(sumdb, 'supported'), '');
  return `file://${dir}`;
}

/** Changes one byte: the last letter of README.md's name in the zip's central directory. */
function tamper(zip: Buffer): Buffer {
  const copy = Buffer.from(zip);
  const wanted = Buffer.from(`${MODULE}@${MODULE_VERSION}/README.md`);
  for (let at = copy.indexOf('PK\x01\x02', 0, 'latin1'); at >= 0; at = copy.indexOf('PK\x01\x02', at + 4, 'latin1')) {
    const length = copy.readUInt16LE(at + 28);
    if (length === wanted.length && copy.subarray(at + 46, at + 46 + length).equals(wanted)) {
      copy[at + 46 + length - 1] = 'x'.charCodeAt(0);
      return copy;
    }
  }
  throw new Error('README.md is not in the module zip');
}

/** The module's tree unpacked into `dir` (created), as upstream's source: what the tests that need a git repository commit. */
export function unpackModuleTree(dir: string): void {
  const real = realModule();
  const staging = `${dir}.unzip`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  execFileSync('unzip', ['-q', real.zip, '-d', staging]);
  mkdirSync(path.dirname(dir), { recursive: true });
  rmSync(dir, { recursive: true, force: true });
  renameSync(path.join(staging, ...MODULE.split('/').slice(0, -1), `kt-connect@${MODULE_VERSION}`), dir);
  rmSync(staging, { recursive: true, force: true });
}

/** go.sum of the module's tree, read from the zip: the key of the real tree's kept Go caches. */
export function realGoSum(): string {
  return execFileSync('unzip', ['-p', realModule().zip, `${MODULE}@${MODULE_VERSION}/go.sum`], { encoding: 'utf8', maxBuffer: 16 * 1024 ** 2 });
}
